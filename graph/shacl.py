"""A SHACL Core engine for the constraints `ontology/shapes.ttl` uses: the checks `graph.shapes` compiles, run
over a dictionary index of the data and the ontology. It gives pySHACL's results (the tests hold it to that), at a
fraction of the time and memory."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import NamedTuple

from rdflib import URIRef
from rdflib.term import Node

import ontology
from graph.collector import no_collections
from graph.shapes import Shape, Shapes, parley_shapes
from ontology.namespaces import RDF, RDFS

Triple = tuple[Node, Node, Node]


class Result(NamedTuple):
    """One validation result, as pySHACL's report gives it: focus node, shown path, message, severity."""

    focus: str
    path: str | None
    message: str
    severity: str


@lru_cache(maxsize=1)
def _ontology_triples() -> tuple[Triple, ...]:
    # The ontology and vocabularies are merged into the data, as for pySHACL (see shapes.ttl's header).
    return tuple(ontology.ontology_graph())


def _key(term: Node) -> object:
    # The index is keyed by plain strings for IRIs: rdflib compares and hashes its terms in Python, which is most
    # of the time of a large validation. Other terms (literals, blank nodes) stay themselves, so they never
    # collide with an IRI of the same text.
    return str(term) if type(term) is URIRef else term


_TYPE, _SUBCLASS_OF = str(RDF.type), str(RDFS.subClassOf)


class _Run:
    """The index of one validation: data and ontology triples by subject and predicate, and memos."""

    def __init__(self, shapes: Shapes, triples: Iterable[Triple]) -> None:
        self.shapes = shapes
        self.out: dict[object, dict[str, list[Node]]] = {}
        self.back: dict[str, dict[object, list[Node]]] = {p: {} for p in shapes.inverse}
        self.instances: dict[object, list[Node]] = {}
        self.subclasses: dict[object, list[object]] = {}
        self.superclasses: dict[object, set[object]] = {}
        self.conformance: dict[tuple[int, object], bool] = {}
        self.predicate_keys: dict[str, str] = {}
        # While a part is checked (`Validator.check_part`): the instances its triples type, which are its focus
        # nodes, and how to take its triples out of the index again.
        self.focus_instances: dict[object, list[Node]] | None = None
        self.undo: list[tuple[object, ...]] | None = None
        self.index(_ontology_triples())
        self.index(triples)

    def index(self, triples: Iterable[Triple]) -> None:
        forward, inverse = self.shapes.forward, self.shapes.inverse
        out, back, instances, subclasses = self.out, self.back, self.instances, self.subclasses
        focus, undo = self.focus_instances, self.undo
        uri = URIRef
        # every key a subject's dictionary gets is one string object per predicate, not a copy per subject
        canonical = self.predicate_keys
        for s, p, o in triples:
            pk = str(p)
            pk = canonical.setdefault(pk, pk)
            if pk in forward:
                sk = str(s) if type(s) is uri else s
                by_p = out.get(sk)
                if by_p is None:
                    out[sk] = {pk: [o]}
                    if undo is not None:
                        undo.append((out, sk))
                elif (values := by_p.get(pk)) is None:
                    by_p[pk] = [o]
                    if undo is not None:
                        undo.append((by_p, pk))
                else:
                    values.append(o)
                    if undo is not None:
                        undo.append((values,))
                if pk == _TYPE:
                    ok = str(o) if type(o) is uri else o
                    if focus is not None:
                        focus.setdefault(ok, []).append(s)
                    if undo is None:  # the instances of what stays indexed
                        instances.setdefault(ok, []).append(s)
                elif pk == _SUBCLASS_OF:
                    ok = str(o) if type(o) is uri else o
                    known = subclasses.get(ok)
                    if known is None:
                        subclasses[ok] = [sk]
                        if undo is not None:
                            undo.append((subclasses, ok))
                    else:
                        known.append(sk)
                        if undo is not None:
                            undo.append((known,))
            if pk in inverse:
                ok = str(o) if type(o) is uri else o
                by_o = back[pk]
                subjects = by_o.get(ok)
                if subjects is None:
                    by_o[ok] = [s]
                    if undo is not None:
                        undo.append((by_o, ok))
                else:
                    subjects.append(s)
                    if undo is not None:
                        undo.append((subjects,))

    def forget(self) -> None:
        """Take the triples indexed since `undo` was set out of the index again, newest first."""
        assert self.undo is not None
        for entry in reversed(self.undo):
            if len(entry) == 1:
                entry[0].pop()  # type: ignore[attr-defined]
            else:
                del entry[0][entry[1]]  # type: ignore[attr-defined]
        self.undo = None

    def objects(self, s: Node, p: str) -> list[Node]:
        by_p = self.out.get(str(s) if type(s) is URIRef else s)
        values = by_p.get(p, []) if by_p is not None else []
        # A triple given twice is one triple, as in a graph.
        return list({_key(v): v for v in values}.values()) if len(values) > 1 else values

    def values(self, shape: Shape, focus: Node) -> list[Node]:
        if shape.path is None:
            return [focus]
        if shape.inverse:
            subjects = self.back[shape.path_key].get(_key(focus), [])
            return list({_key(v): v for v in subjects}.values()) if len(subjects) > 1 else subjects
        return self.objects(focus, shape.path_key)

    @staticmethod
    def closure(start: object, step: Callable[[object], Iterable[object]]) -> set[object]:
        seen = {start}
        todo = [start]
        while todo:
            for nxt in step(todo.pop()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    def is_instance(self, node: Node, cls: str) -> bool:
        for t in self.objects(node, _TYPE):
            tk = _key(t)
            supers = self.superclasses.get(tk)
            if supers is None:
                supers = self.superclasses[tk] = self.closure(
                    tk, lambda n: [_key(c) for c in self.out.get(n, {}).get(_SUBCLASS_OF, [])])
            if cls in supers:
                return True
        return False

    def conforms(self, shape: Shape, node: Node) -> bool:
        key = (id(shape), _key(node))
        known = self.conformance.get(key)
        if known is None:
            values = self.values(shape, node)
            known = all(check(self, node, values) == 0 for check in shape.checks) and all(
                self.conforms(prop, v) for v in values for prop in shape.properties)
            self.conformance[key] = known
        return known

    def focus_nodes(self, shape: Shape) -> list[Node]:
        found: dict[object, Node] = {}
        instances = self.instances if self.focus_instances is None else self.focus_instances
        for target in shape.targets:
            for cls in self.closure(str(target), lambda n: self.subclasses.get(n, [])):
                for s in instances.get(cls, ()):
                    found[_key(s)] = s
        return list(found.values())

    def results(self, shape: Shape) -> Iterable[Result]:
        if shape.path is not None:
            yield from self.property_results(shape, self.focus_nodes(shape))
            return
        # The usual case, a node shape's property shapes on its focus node: the focus node's index read once.
        forward = [(prop.path_key, prop.checks, prop) for prop in shape.properties if not prop.inverse]
        inverse = [prop for prop in shape.properties if prop.inverse]
        out_get = self.out.get
        nothing: dict[str, list[Node]] = {}
        none: list[Node] = []
        for focus in self.focus_nodes(shape):
            for check in shape.checks:
                if n := check(self, focus, [focus]):
                    yield from [Result(str(focus), None, shape.message or "", "Violation")] * n
            by_p = out_get(str(focus) if type(focus) is URIRef else focus, nothing)
            for key, checks, prop in forward:
                values = by_p.get(key, none)
                if len(values) > 1:
                    values = list({_key(v): v for v in values}.values())
                for check in checks:
                    if n := check(self, focus, values):
                        yield from [Result(str(focus), prop.shown_path, prop.message or "", "Violation")] * n
            if inverse:
                yield from self.property_results(shape, [focus], inverse)

    def property_results(self, shape: Shape, focus_nodes: Iterable[Node],
                         properties: list[Shape] | None = None) -> Iterable[Result]:
        # The general case: `shape`'s own checks if it is a targeted property shape, else the given properties.
        for focus in focus_nodes:
            if properties is None:
                values = self.values(shape, focus)
                for check in shape.checks:
                    if n := check(self, focus, values):
                        yield from [Result(str(focus), shape.shown_path, shape.message or "", "Violation")] * n
                continue
            for prop in properties:
                values = self.values(prop, focus)
                for check in prop.checks:
                    if n := check(self, focus, values):
                        yield from [Result(str(focus), prop.shown_path, prop.message or "", "Violation")] * n


def validate(triples: Iterable[Triple], shapes: Shapes | None = None) -> list[Result]:
    """Every validation result of `triples`, merged with the ontology and vocabularies, against `shapes`
    (Parley's by default); unsorted, one per result as pySHACL reports them.

    >>> validate([])
    []
    """
    validator = Validator(shapes)
    return validator.check_part(triples, keep=True, focus=False)


class Validator:
    """Validation of a large dataset a part at a time, with the results `validate` gives for the whole.

    A part's focus nodes are the nodes its own triples type. Its results are the whole's for those nodes when
    every triple about them (as subject, or as object of an inverse path) is in the part or in what was kept
    (`keep=True`) of the earlier parts, and the value nodes they reach are described there too: an ingest keeps
    the records other records refer to (actors, events, …) and checks statements a few thousand at a time.

    >>> v = Validator()
    >>> v.check_part([]) + v.check_part([])
    []
    """

    def __init__(self, shapes: Shapes | None = None) -> None:
        self.run = _Run(shapes or parley_shapes(), ())

    def add_context(self, triples: Iterable[Triple]) -> None:
        """Index triples that later parts may refer to, without checking their nodes."""
        # the index is a great many small acyclic containers: collecting while they are built took half the
        # time of a large validation and freed nothing
        with no_collections():
            self.run.index(triples)
            self.run.conformance.clear()
            self.run.superclasses.clear()

    def check_part(self, triples: Iterable[Triple], *, keep: bool = False, focus: bool = True) -> list[Result]:
        """The validation results of the nodes `triples` type; `keep` leaves the triples indexed for the
        parts after it. With `focus=False` every instance indexed so far is a focus node (what `validate`
        does with one part)."""
        run = self.run
        with no_collections():  # as in add_context
            run.focus_instances = {} if focus else None
            run.undo = None if keep else []
            try:
                run.index(triples)
                return [r for shape in run.shapes.targeted for r in run.results(shape)]
            finally:
                if run.undo is not None:
                    run.forget()
                run.focus_instances = None
                run.conformance.clear()
                run.superclasses.clear()
