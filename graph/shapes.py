"""SHACL shapes compiled once into plain Python checks: the constraint components `ontology/shapes.ttl` uses,
each as pySHACL evaluates it, and a refusal of any shape that uses a feature not implemented here."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Protocol, TypeGuard

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

import ontology
from graph.results import short_name
from ontology.namespaces import RDF, RDFS, SH, XSD


class UnsupportedShapeError(ValueError):
    """The shapes use a SHACL feature this engine does not implement (so it would be silently skipped)."""


class Run(Protocol):
    """What a check reads of the data being validated; `graph.shacl` indexes the data and answers these."""

    def objects(self, s: Node, p: str) -> list[Node]: ...

    def is_instance(self, node: Node, cls: str) -> bool: ...

    def conforms(self, shape: Shape, node: Node) -> bool: ...


# A check gets the run, the focus node and its value nodes, and says how many validation results they give.
Check = Callable[[Run, Node, list[Node]], int]


@dataclass(eq=False)
class Shape:
    """A compiled shape: its path (None for a node shape), message, checks and property shapes."""

    node: Node
    name: str
    path: URIRef | None = None
    inverse: bool = False
    message: str | None = None
    targets: tuple[URIRef, ...] = ()
    checks: list[Check] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    path_key: str = ""  # str(path), the index's key for it

    @property
    def shown_path(self) -> str | None:
        if self.path is None:
            return None
        return ("^" if self.inverse else "") + short_name(str(self.path))


@dataclass(frozen=True)
class Shapes:
    """The compiled shapes graph: the shapes with targets, and the predicates the data index must keep."""

    targeted: tuple[Shape, ...]
    forward: frozenset[str]
    inverse: frozenset[str]


# -- compiling the shapes graph ---------------------------------------------------------------------------------

def _show(term: Node) -> str:
    """A term of the shapes graph as Turtle would write it: `sh:minCount`, `parley:Claim`, `<iri>`."""
    if isinstance(term, URIRef) and str(term).startswith(str(SH)):
        return "sh:" + str(term)[len(str(SH)):]
    return short_name(str(term)) if isinstance(term, URIRef) else term.n3()


_NON_VALIDATING = {SH.name, SH.description, SH.order, SH.group, SH.defaultValue}
_SHAPE_TYPES = {SH.NodeShape, SH.PropertyShape}
_NODE_KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (URIRef,), SH.Literal: (Literal,), SH.BlankNode: (BNode,), SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal), SH.IRIOrLiteral: (URIRef, Literal)}


class _Compiler:
    def __init__(self, graph: Graph, source: str) -> None:
        self.g = graph
        self.source = source
        self.shapes: dict[Node, Shape] = {}
        self.paths: set[Node] = set(graph.objects(None, SH.path))
        self.forward: set[URIRef] = {RDF.type, RDFS.subClassOf}
        self.inverse: set[URIRef] = set()
        self.in_progress: set[Node] = set()

    def name(self, node: Node, parent: str | None) -> str:
        if isinstance(node, URIRef):
            iri = str(node)
            return "shapes:" + iri.split("#", 1)[1] if iri.startswith("https://parley.example/shapes#") \
                else short_name(iri)
        path = self.g.value(node, SH.path)
        about = f" (sh:path {self.path_text(path)})" if path is not None else ""
        return f"a blank-node shape{about} of {parent or 'the shapes graph'}"

    def path_text(self, path: Node) -> str:
        if isinstance(path, URIRef):
            return _show(path)
        inverse = self.g.value(path, SH.inversePath)
        return f"[ sh:inversePath {_show(inverse)} ]" if inverse is not None else "a complex path"

    def refuse(self, shape: str, what: str) -> UnsupportedShapeError:
        return UnsupportedShapeError(
            f"{self.source}: {shape} uses {what}, which graph/shapes.py does not implement "
            f"(it would be silently skipped); implement it there, with a test against pySHACL, or change the shape")

    def one(self, node: Node, predicate: URIRef, name: str) -> Node:
        values = list(self.g.objects(node, predicate))
        if len(values) != 1:
            raise self.refuse(name, f"{len(values)} values of {_show(predicate)} (one is implemented)")
        return values[0]

    def integer(self, node: Node, predicate: URIRef, name: str) -> int:
        value = self.one(node, predicate, name)
        if not (isinstance(value, Literal) and value.datatype == XSD.integer and isinstance(value.value, int)
                and value.value >= 0):
            raise self.refuse(name, f"{_show(predicate)} {value.n3()} (an xsd:integer >= 0 is implemented)")
        return int(value.value)

    def shape(self, node: Node, parent: str | None = None) -> Shape:
        if node in self.shapes:
            return self.shapes[node]
        name = self.name(node, parent)
        if node in self.in_progress:
            raise self.refuse(name, "a recursive shape reference")
        self.in_progress.add(node)
        shape = Shape(node, name)
        g = self.g
        predicates = set(g.predicates(node))
        for t in g.objects(node, RDF.type):
            if t not in _SHAPE_TYPES:
                raise self.refuse(name, f"rdf:type {_show(t)} (an implicit class target)")
        if SH.path in predicates:
            path = self.one(node, SH.path, name)
            if isinstance(path, URIRef):
                shape.path, shape.path_key = path, str(path)
                self.forward.add(path)
            elif set(g.predicates(path)) == {SH.inversePath} and isinstance(
                    inverse := self.one(path, SH.inversePath, name), URIRef):
                shape.path, shape.path_key, shape.inverse = inverse, str(inverse), True
                self.inverse.add(inverse)
            else:
                raise self.refuse(name, f"{self.path_text(path)} as sh:path (an IRI or [ sh:inversePath IRI ] "
                                        f"is implemented)")
        if SH.message in predicates:
            shape.message = str(self.one(node, SH.message, name))
        shape.targets = tuple(t for t in g.objects(node, SH.targetClass) if isinstance(t, URIRef))
        for p in predicates:
            if p == SH.property:
                for child in g.objects(node, SH.property):
                    prop = self.shape(child, name)
                    if prop.path is None:
                        raise self.refuse(prop.name, "sh:property without sh:path")
                    shape.properties.append(prop)
            elif p in _COMPONENTS:
                check = _COMPONENTS[p](self, node, name)
                if check is not None:
                    shape.checks.append(check)
            elif p in (SH.path, SH.message, SH.targetClass, RDF.type) or p in _NON_VALIDATING:
                continue
            elif str(p).startswith(str(SH)):
                raise self.refuse(name, f"{_show(p)}")
        if shape.path is not None and shape.properties:
            raise self.refuse(name, "sh:property on a property shape")
        if len(shape.targets) != len(set(g.objects(node, SH.targetClass))):
            raise self.refuse(name, "a sh:targetClass that is not an IRI")
        if shape.targets:
            self.needs_messages(shape)
        self.in_progress.discard(node)
        self.shapes[node] = shape
        return shape

    def needs_messages(self, shape: Shape) -> None:
        # Results of a targeted shape carry its own message, or its property shapes' messages. pySHACL makes up
        # a message per component when there is none; those are not implemented, so every such shape needs one.
        if shape.checks and shape.message is None:
            raise self.refuse(shape.name, "a constraint without sh:message")
        for prop in shape.properties:
            if prop.message is None:
                raise self.refuse(prop.name, "a constraint without sh:message")

    def shapes_in(self, node: Node, predicate: URIRef, name: str) -> list[Shape]:
        items = list(Collection(self.g, self.one(node, predicate, name)))
        if not items:
            raise self.refuse(name, f"an empty {_show(predicate)} list")
        return [self.shape(item, name) for item in items]

    def compile(self) -> Shapes:
        g = self.g
        roots = {s for t in _SHAPE_TYPES for s in g.subjects(RDF.type, t)}
        roots |= {s for s, p, _ in g if str(p).startswith(str(SH)) and p != SH.inversePath}
        # Named shapes first, so a blank-node shape is compiled (and named in errors) under the shape using it.
        for node in sorted(roots - self.paths, key=lambda n: (not isinstance(n, URIRef), str(n))):
            self.shape(node)
        # Anything else with a SHACL term (a path of another kind, a target, a rule) is not implemented either.
        for s, p, _ in g:
            if str(p).startswith(str(SH)) and s not in self.shapes and not (s in self.paths and p == SH.inversePath):
                raise self.refuse(self.name(s, None), _show(p))
        targeted = tuple(s for s in self.shapes.values() if s.targets)
        return Shapes(targeted, frozenset(map(str, self.forward)), frozenset(map(str, self.inverse)))


# -- the constraint components ---------------------------------------------------------------------------------
# Each mirrors pySHACL 0.40's evaluation of the component (pyshacl/constraints/core/*.py), one result per value
# node where pySHACL gives one per value node, one per focus node where it gives one per focus node.

def _min_count(c: _Compiler, node: Node, name: str) -> Check | None:
    n = c.integer(node, SH.minCount, name)
    return None if n == 0 else (lambda run, f, values: int(len(values) < n))


def _max_count(c: _Compiler, node: Node, name: str) -> Check:
    n = c.integer(node, SH.maxCount, name)
    return lambda run, f, values: int(len(values) > n)


def _node_kind(c: _Compiler, node: Node, name: str) -> Check:
    kind = c.one(node, SH.nodeKind, name)
    if kind not in _NODE_KINDS:
        raise c.refuse(name, f"sh:nodeKind {kind.n3()}")
    kinds = _NODE_KINDS[kind]

    def check(run: Run, f: Node, values: list[Node]) -> int:
        n = 0
        for v in values:
            t = type(v)
            if t not in kinds and (t in _BASIC or not isinstance(v, kinds)):
                n += 1
        return n
    return check


_BASIC = (URIRef, Literal, BNode)


# rdflib's terms are ABCs, so a failing isinstance() is slow; these look at the exact type first.
def _is_literal(v: Node) -> TypeGuard[Literal]:
    t = type(v)
    return t is Literal or (t is not URIRef and t is not BNode and isinstance(v, Literal))


def _is_bnode(v: Node) -> TypeGuard[BNode]:
    t = type(v)
    return t is BNode or (t is not URIRef and t is not Literal and isinstance(v, BNode))


_STRING_TYPES = (None, RDF.langString, XSD.string)


def _as_string(v: Node) -> str:
    if _is_literal(v) and v.value is not None and v.datatype in _STRING_TYPES:
        return str(v.value)
    return str(v)


def _pattern(c: _Compiler, node: Node, name: str) -> Check:
    search = re.compile(str(c.one(node, SH.pattern, name))).search

    def check(run: Run, f: Node, values: list[Node]) -> int:
        n = 0
        for v in values:
            if _is_bnode(v) or not search(_as_string(v)):
                n += 1
        return n
    return check


def _min_length(c: _Compiler, node: Node, name: str) -> Check | None:
    n = c.integer(node, SH.minLength, name)
    return None if n == 0 else (
        lambda run, f, values: sum(1 for v in values if _is_bnode(v) or len(_as_string(v)) < n))


_VALUE_TYPES: dict[URIRef, type | tuple[type, ...]] = {
    XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
    XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: dt.date, XSD.time: dt.time, XSD.dateTime: dt.datetime}


_LANG_STRING, _XSD_STRING, _LITERAL, _DATATYPE = RDF.langString, XSD.string, RDFS.Literal, RDFS.Datatype


def _has_datatype(v: Node, datatype: URIRef, wanted: type | tuple[type, ...]) -> bool:
    if not _is_literal(v):
        return False
    if v.datatype == datatype:
        return getattr(v, "ill_typed", None) is not True and isinstance(v.value, wanted)
    if datatype == _LITERAL or datatype == _DATATYPE and v.datatype:
        return True
    if v.datatype is None and v.language is None and datatype == _XSD_STRING:
        return isinstance(v.value, wanted)
    return datatype == _LANG_STRING and bool(v.language) and isinstance(v.value, wanted)


def _datatype(c: _Compiler, node: Node, name: str) -> Check:
    datatype = c.one(node, SH.datatype, name)
    if not isinstance(datatype, URIRef):
        raise c.refuse(name, f"sh:datatype {datatype.n3()}")
    # pySHACL checks the Python value of these datatypes (after rdflib's ill_typed); of others, only the IRI.
    wanted = _VALUE_TYPES.get(datatype, object)

    def check(run: Run, f: Node, values: list[Node]) -> int:
        n = 0
        for v in values:
            if not _has_datatype(v, datatype, wanted):
                n += 1
        return n
    return check


def _class(c: _Compiler, node: Node, name: str) -> Check:
    cls = str(c.one(node, SH["class"], name))

    def check(run: Run, f: Node, values: list[Node]) -> int:
        n = 0
        for v in values:
            if _is_literal(v) or not run.is_instance(v, cls):
                n += 1
        return n
    return check


def _has_value(c: _Compiler, node: Node, name: str) -> Check:
    wanted = c.one(node, SH.hasValue, name)
    return lambda run, f, values: int(wanted not in values)


def _node(c: _Compiler, node: Node, name: str) -> Check:
    shape = c.shape(c.one(node, SH.node, name), name)
    if shape.path is not None:
        raise c.refuse(name, f"sh:node {shape.name}, a property shape")

    def check(run: Run, f: Node, values: list[Node]) -> int:
        n = 0
        for v in values:
            if not run.conforms(shape, v):
                n += 1
        return n
    return check


def _or(c: _Compiler, node: Node, name: str) -> Check:
    members = c.shapes_in(node, SH["or"], name)
    return lambda run, f, values: sum(1 for v in values if not any(run.conforms(s, v) for s in members))


def _xone(c: _Compiler, node: Node, name: str) -> Check:
    members = c.shapes_in(node, SH.xone, name)
    return lambda run, f, values: sum(1 for v in values if sum(run.conforms(s, v) for s in members) != 1)


def _qualified(c: _Compiler, node: Node, name: str) -> Check:
    shape = c.shape(c.one(node, SH.qualifiedValueShape, name), name)
    low = c.integer(node, SH.qualifiedMinCount, name) if (node, SH.qualifiedMinCount, None) in c.g else None
    high = c.integer(node, SH.qualifiedMaxCount, name) if (node, SH.qualifiedMaxCount, None) in c.g else None
    if low is None and high is None:
        raise c.refuse(name, "sh:qualifiedValueShape without sh:qualifiedMinCount or sh:qualifiedMaxCount")

    def check(run: Run, f: Node, values: list[Node]) -> int:
        n = sum(1 for v in values if run.conforms(shape, v))
        return int(high is not None and n > high) + int(low is not None and n < low)
    return check


def _counts_only(c: _Compiler, node: Node, name: str) -> None:
    if (node, SH.qualifiedValueShape, None) not in c.g:
        raise c.refuse(name, "sh:qualifiedMinCount or sh:qualifiedMaxCount without sh:qualifiedValueShape")
    return None


# pySHACL's comparison of two literals (rdfutil/compare.py): rdflib's order, but Python's for datetimes and times.
def _compare(a: Literal, b: Literal) -> int:
    if a.eq(b):
        return 0
    if a.value.__class__ in (dt.datetime, dt.time):
        return 0 if a.value == b.value else 1 if a.value > b.value else -1
    return 1 if a > b else -1


def _min_inclusive(c: _Compiler, node: Node, name: str) -> Check:
    low = c.one(node, SH.minInclusive, name)
    if not isinstance(low, Literal):
        raise c.refuse(name, f"sh:minInclusive {low.n3()} (a literal is implemented)")
    low_is_string = isinstance(low.value, str)

    def at_least(v: Node) -> bool:
        if not _is_literal(v) or isinstance(v.value, str) != low_is_string:
            return False
        try:
            return _compare(v, low) >= 0
        except (TypeError, NotImplementedError):
            return False
    return lambda run, f, values: sum(1 for v in values if not at_least(v))


def _unique_lang(c: _Compiler, node: Node, name: str) -> Check | None:
    flag = c.one(node, SH.uniqueLang, name)
    if not (isinstance(flag, Literal) and isinstance(flag.value, bool)):
        raise c.refuse(name, f"sh:uniqueLang {flag.n3()}")
    if not flag.value:
        return None

    def check(run: Run, f: Node, values: list[Node]) -> int:
        seen: set[str] = set()
        twice: set[str] = set()
        for v in values:
            if _is_literal(v) and v.language:
                lang = str(v.language).lower()
                (twice if lang in seen else seen).add(lang)
        return len(twice)
    return check


def _comparable(v: Node) -> tuple[object, bool]:
    if _is_bnode(v):
        raise ValueError("Cannot use sh:lessThan to compare a BlankNode.")
    if isinstance(v, URIRef):
        return str(v), True
    if isinstance(v, Literal) and isinstance(v.value, str):
        return v.value, True
    return v, False


def _less_than(c: _Compiler, node: Node, name: str) -> Check:
    other = c.one(node, SH.lessThan, name)
    if not isinstance(other, URIRef):
        raise c.refuse(name, f"sh:lessThan {other.n3()} (an IRI is implemented)")
    c.forward.add(other)

    def check(run: Run, f: Node, values: list[Node]) -> int:
        n = 0
        for v in values:
            a, a_string = _comparable(v)
            for o in run.objects(f, str(other)):
                b, b_string = _comparable(o)
                n += a_string != b_string or not a < b  # type: ignore[operator]
        return n
    return check


_COMPONENTS: dict[Node, Callable[[_Compiler, Node, str], Check | None]] = {
    SH.minCount: _min_count, SH.maxCount: _max_count, SH.nodeKind: _node_kind, SH.pattern: _pattern,
    SH.minLength: _min_length, SH.datatype: _datatype, SH["class"]: _class, SH.hasValue: _has_value,
    SH.node: _node, SH["or"]: _or, SH.xone: _xone, SH.qualifiedValueShape: _qualified,
    SH.qualifiedMinCount: _counts_only, SH.qualifiedMaxCount: _counts_only, SH.minInclusive: _min_inclusive,
    SH.uniqueLang: _unique_lang, SH.lessThan: _less_than}


def compile_shapes(graph: Graph, *, source: str = ontology.SHAPES_PATH.name) -> Shapes:
    """Compile a SHACL shapes graph (`source` names it in errors).

    :raises UnsupportedShapeError: the graph uses a constraint component, target or path not implemented here.
    """
    return _Compiler(graph, source).compile()


@lru_cache(maxsize=1)
def parley_shapes() -> Shapes:
    """`ontology/shapes.ttl`, compiled once per process."""
    return compile_shapes(ontology.shapes_graph())
