"""graph/shapes.py and graph/shacl.py against pySHACL as the oracle: the example conforms in both, the failing
cases of the shapes tests and random mutations of the example give the same violations, and shapes the engine
cannot run are refused."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import pyshacl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

import ontology
from graph.results import short_name
from graph.shapes import UnsupportedShapeError, compile_shapes, parley_shapes
from graph.store import Store
from graph.validate import Quality, Violation, quality, validate_store, validate_triples
from ingest.mapping import Mapper, concept
from ingest.pipeline import _Plan, read_record_file
from ingest.text.pipeline import ingest_text
from ontology.namespaces import OA, PARLEY, PROV, RDF, RDFS, SEM, SH, SKOS, XSD
from test_ontology import CLAIM, STATEMENT, VALID

Triple = tuple[Node, Node, Node]
Row = tuple[str, "str | None", str, str]
SEED_TEXT = Path(__file__).resolve().parent.parent / "ingest" / "samples" / "ushakov-briefing-2025-12-02.txt"
SAMPLES = sorted((Path(__file__).resolve().parent.parent / "ingest" / "samples").glob("*.yaml"))


def oracle(triples: Iterable[Triple]) -> list[Row]:
    """pySHACL run as graph/validate.py ran it before the engine: data merged with the ontology and
    vocabularies, no inference, the report's top-level results. An inverse path is shown as `^p`."""
    merged = Graph()
    for t in triples:
        merged.add(t)
    for t in ontology.ontology_graph():
        merged.add(t)
    conforms, report, _ = pyshacl.validate(merged, shacl_graph=ontology.shapes_graph(), inference="none",
                                           abort_on_first=False, allow_warnings=True, advanced=True)
    assert isinstance(report, Graph)
    rows = []
    for result in report.objects(None, SH.result):
        path = report.value(result, SH.resultPath)
        if isinstance(path, BNode):
            shown: str | None = "^" + short_name(str(report.value(path, SH.inversePath)))
        else:
            shown = None if path is None else short_name(str(path))
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        rows.append((str(report.value(result, SH.focusNode)), shown,
                     str(report.value(result, SH.resultMessage)), severity))
    assert conforms == (rows == [])
    return sorted(rows, key=lambda r: (r[0], r[1] or "", r[2]))


def engine(triples: Iterable[Triple]) -> list[Row]:
    return [(v.focus, v.path, v.message, v.severity) for v in validate_triples(triples)]


@lru_cache(maxsize=1)
def example_graphs() -> dict[URIRef, tuple[Triple, ...]]:
    """The bundled example's record files mapped to named graphs, as ingest maps them."""
    files = [read_record_file(p) for p in SAMPLES]
    plan = _Plan(Store.open("memory:"), files, {}, True)
    plan.check()
    graphs: dict[URIRef, tuple[Triple, ...]] = {}
    for f in files:
        for name, triples in Mapper(f, plan.kind_of, plan.source_texts).run().items():
            graphs[name] = tuple(triples)
    return graphs


# -- (a) the example ------------------------------------------------------------------------------------------

def test_the_example_conforms_in_both() -> None:
    triples = [t for ts in example_graphs().values() for t in ts]
    assert engine(t for t in triples) == [] == oracle(triples)


def test_validate_store_checks_the_union_of_the_store_s_graphs() -> None:
    g = Graph().parse(data=VALID, format="turtle")
    g.remove((STATEMENT, PROV.wasAttributedTo, None))
    triples = sorted(g)
    store = Store.open("memory:")
    # half the triples in one named graph, half in another: only their union conforms but for the speaker
    store.add_graph(URIRef("https://parley.example/graph/a"), triples[: len(triples) // 2])
    store.add_graph(URIRef("https://parley.example/graph/b"), triples[len(triples) // 2:])
    assert validate_store(store) == validate_triples(triples) == [Violation(
        str(STATEMENT), "prov:wasAttributedTo",
        "A statement must have exactly one speaker (prov:wasAttributedTo), an actor IRI.", "Violation")]


def test_quality_counts_what_rules_extracted_and_what_is_disputed(example_store: Store) -> None:
    assert quality(example_store) == Quality(extracted_statements=0, extracted_claims=0, disputed_claims=28)
    store = Store.open("memory:")
    ingest_text(store, SEED_TEXT)
    q = quality(store)
    assert q == Quality(extracted_statements=27, extracted_claims=48, disputed_claims=2)
    assert q.to_review == 75


# -- (b) the failing cases of tests/test_ontology.py --------------------------------------------------------------

POSITION = URIRef("https://parley.example/id/selector/claim-ushakov-2025-12-02-q2-a-c1-position")
EVENT = URIRef("https://parley.example/id/event/kremlin-meeting-2025-12-02")


def _no_speaker(g: Graph) -> None:
    g.remove((STATEMENT, PROV.wasAttributedTo, None))


def _stance_of_another_scheme(g: Graph) -> None:
    g.set((CLAIM, PARLEY.stance, concept("factuality", "negated")))


def _no_factuality_or_kind(g: Graph) -> None:
    g.remove((CLAIM, PARLEY.factuality, None))
    g.remove((CLAIM, RDF.type, PARLEY.PositionClaim))


def _points_claim(points: int) -> Callable[[Graph], None]:
    def edit(g: Graph) -> None:
        g.remove((CLAIM, RDF.type, PARLEY.PositionClaim))
        for p in (PARLEY.actor, PARLEY.issue, PARLEY.stance):
            g.remove((CLAIM, p, None))
        g.add((CLAIM, RDF.type, PARLEY.DocumentPointsClaim))
        g.add((CLAIM, PARLEY.document, URIRef("https://parley.example/id/document/us-peace-plan-2025-11")))
        g.add((CLAIM, PARLEY.numberOfPoints, Literal(points)))
    return edit


def _start(value: Literal) -> Callable[[Graph], None]:
    return lambda g: g.set((POSITION, OA.start, value))


def _event(*kinds: URIRef) -> Callable[[Graph], None]:
    def edit(g: Graph) -> None:
        g.remove((None, None, None))
        g.add((EVENT, RDF.type, SEM.Event))
        g.add((EVENT, RDF.type, PARLEY.Event))
        g.add((EVENT, RDFS.label, Literal("Kremlin meeting, 2 Dec 2025")))
        g.add((EVENT, PARLEY.confidence, concept("confidence", "confirmed")))
        g.add((EVENT, PARLEY.collection, URIRef("https://parley.example/id/collection/x")))
        for kind in kinds:
            g.add((EVENT, RDF.type, kind))
    return edit


FAILING = {
    "no speaker": _no_speaker,
    "stance of another scheme": _stance_of_another_scheme,
    "no factuality or kind": _no_factuality_or_kind,
    "zero points": _points_claim(0),
    "start not before end": _start(Literal("1300", datatype=XSD.nonNegativeInteger)),
    "negative start": _start(Literal(-1)),
    "event without kind": _event(),
    "event with two kinds": _event(PARLEY.Meeting, PARLEY.Summit),
}


@pytest.mark.parametrize("edit", FAILING.values(), ids=FAILING.keys())
def test_a_failing_case_gives_pyshacls_violations(edit: Callable[[Graph], None]) -> None:
    g = Graph().parse(data=VALID, format="turtle")
    edit(g)
    expected = oracle(g)
    assert expected != []
    assert engine(g) == expected


@pytest.mark.parametrize("edit", [_points_claim(27), _event(PARLEY.Meeting)], ids=["27 points", "one kind"])
def test_a_passing_case_passes_in_both(edit: Callable[[Graph], None]) -> None:
    g = Graph().parse(data=VALID, format="turtle")
    edit(g)
    assert engine(g) == [] == oracle(g)


# -- (c) random mutations of the example ----------------------------------------------------------------------

DATATYPES = [None, XSD.string, XSD.integer, XSD.nonNegativeInteger, XSD.decimal, XSD.double, XSD.date,
             XSD.dateTime, XSD.duration, XSD.boolean, RDF.langString]
LEXICAL = ["", "abc", "-1", "0", "1", "12", "1.5", "2025-12-02", "2025-13-45", "2025-12-02T10:00:00", "PT5H",
           "true", "9" * 30, "f" * 64, "https://example.org/x"]
CLASSES = [PARLEY.Meeting, PARLEY.Summit, PARLEY.Event, PARLEY.Claim, PARLEY.PositionClaim, PARLEY.Statement,
           PARLEY.Actor, PARLEY.State, PARLEY.Group, PARLEY.Document, PARLEY.DocumentTransfer, SEM.Event,
           URIRef("http://xmlns.com/foaf/0.1/Person"), URIRef("http://www.w3.org/ns/org#Organization"),
           URIRef("http://www.w3.org/ns/org#Role"), URIRef("http://www.w3.org/2006/time#Instant"),
           OA.SpecificResource, OA.TextQuoteSelector, OA.TextPositionSelector, URIRef("https://schema.org/Place")]
CONCEPTS = sorted({c for c in ontology.ontology_graph().subjects(SKOS.inScheme, None) if isinstance(c, URIRef)},
                  key=str)


@st.composite
def mutated(draw: st.DrawFn) -> list[Triple]:
    """A few of the example's graphs (so references may point outside them), with a few random edits."""
    graphs = example_graphs()
    names = draw(st.lists(st.sampled_from(sorted(graphs)), min_size=1, max_size=12, unique=True))
    triples = [t for name in names for t in graphs[name]]
    pool = [t for ts in graphs.values() for t in ts]
    iris = sorted({o for _, _, o in pool if isinstance(o, URIRef)} | set(graphs), key=str)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(triples) - 1))
        s, p, o = triples[i]
        edit = draw(st.sampled_from(["drop", "second value", "datatype", "lexical", "retarget", "scheme",
                                     "language", "swap", "type", "duplicate"]))
        if edit == "drop":
            del triples[i]
        elif edit == "second value":
            others = [t[2] for t in pool if t[1] == p and t[2] != o]
            triples.append((s, p, draw(st.sampled_from(others)) if others else Literal("another")))
        elif edit == "datatype" and isinstance(o, Literal):
            datatype = draw(st.sampled_from(DATATYPES))
            triples[i] = (s, p, Literal(str(o), lang="en") if datatype == RDF.langString
                          else Literal(str(o), datatype=datatype))
        elif edit == "lexical" and isinstance(o, Literal):
            triples[i] = (s, p, Literal(draw(st.sampled_from(LEXICAL)), datatype=o.datatype, lang=o.language))
        elif edit == "retarget":
            target = draw(st.sampled_from(iris))
            triples[i] = (s, p, draw(st.sampled_from([target, Literal(str(target))])))
        elif edit == "scheme":
            triples[i] = (s, p, draw(st.sampled_from(CONCEPTS)))
        elif edit == "language":
            lang = o.language if isinstance(o, Literal) and o.language else draw(st.sampled_from(["en", "ru"]))
            triples.append((s, p, Literal(draw(st.sampled_from(["x", "y", str(o)])), lang=lang)))
        elif edit == "swap":
            pairs = [(OA.start, OA.end), (SEM.hasBeginTimeStamp, SEM.hasEndTimeStamp)]
            a, b = draw(st.sampled_from(pairs))
            starts = [j for j, t in enumerate(triples) if t[1] == a]
            if starts:
                j = draw(st.sampled_from(starts))
                ends = [k for k, t in enumerate(triples) if t[0] == triples[j][0] and t[1] == b]
                if ends:
                    k = ends[0]
                    (s1, _, o1), (s2, _, o2) = triples[j], triples[k]
                    triples[j], triples[k] = (s1, a, o2), (s2, b, o1)
        elif edit == "type":
            triples.append((s, RDF.type, draw(st.sampled_from(CLASSES))))
        elif edit == "duplicate":
            triples.append(triples[i])
    return triples


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(triples=mutated())
def test_mutations_of_the_example_give_pyshacls_violations(triples: list[Triple]) -> None:
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)  # ill-typed literals are the point here
    assert engine(triples) == oracle(triples)


# -- (d) shapes the engine cannot run ---------------------------------------------------------------------------

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
NOT_IMPLEMENTED = ("which graph/shapes.py does not implement (it would be silently skipped); implement it there, "
                   "with a test against pySHACL, or change the shape")


@pytest.mark.parametrize(("shapes", "what"), [
    ('ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:equals ex:q ; sh:message "m" ] .',
     "a blank-node shape (sh:path <http://example.org/p>) of <http://example.org/S> uses sh:equals"),
    ('ex:S a sh:NodeShape ; sh:targetNode ex:n ; sh:class ex:C ; sh:message "m" .',
     "<http://example.org/S> uses sh:targetNode"),
    ('ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P . '
     'ex:P sh:path ( ex:p ex:q ) ; sh:minCount 1 ; sh:message "m" .',
     "<http://example.org/P> uses a complex path as sh:path (an IRI or [ sh:inversePath IRI ] is implemented)"),
    ('ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P . ex:P sh:path ex:p ; sh:minCount 1 .',
     "<http://example.org/P> uses a constraint without sh:message"),
    ('ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property ex:P . '
     'ex:P sh:path ex:p ; sh:pattern "a", "b" ; sh:message "m" .',
     "<http://example.org/P> uses 2 values of sh:pattern (one is implemented)"),
    ('ex:P a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:p ; sh:property ex:Q ; sh:message "m" . '
     'ex:Q sh:path ex:q ; sh:minCount 1 ; sh:message "m" .',
     "<http://example.org/P> uses sh:property on a property shape"),
])
def test_a_shape_it_does_not_implement_is_refused(shapes: str, what: str) -> None:
    graph = Graph().parse(data=PREFIXES + shapes, format="turtle")
    with pytest.raises(UnsupportedShapeError) as refused:
        compile_shapes(graph)
    assert str(refused.value) == f"shapes.ttl: {what}, {NOT_IMPLEMENTED}"


def test_parleys_shapes_compile_and_reach_every_targeted_shape() -> None:
    targeted = {s for s in ontology.shapes_graph().subjects(SH.targetClass, None)}
    assert {s.node for s in parley_shapes().targeted} == targeted


# -- (d) a part at a time, as ingest checks a large file -----------------------------------------------------

def test_checking_part_by_part_gives_the_results_of_the_whole() -> None:
    """The records others refer to kept, every statement's types given, then each statement with its claims
    on its own (as `ingest` does a few thousand at a time): the same violations as the whole at once."""
    from graph.shacl import Validator, validate

    broken = {URIRef("https://parley.example/id/event/kremlin-meeting-2025-12-02"): PARLEY.confidence,
              URIRef("https://parley.example/id/statement/trump-2025-08-06-great-progress"): PARLEY.statementKind}
    graphs = {name: tuple(t for t in triples if not (t[0] in broken and t[1] == broken[t[0]]))
              for name, triples in example_graphs().items()}
    claims_of: dict[Node, list[URIRef]] = {}
    for name, triples in graphs.items():
        for s, p, o in triples:
            if s == name and p == PROV.wasDerivedFrom and "/claim/" in str(name):
                claims_of.setdefault(o, []).append(name)
    statements = [n for n in graphs if "/statement/" in str(n)]
    base = [n for n in graphs if n not in statements and "/claim/" not in str(n)]
    assert statements and base and set(graphs) == {*statements, *base, *(c for cs in claims_of.values() for c in cs)}
    whole = sorted(validate(t for ts in graphs.values() for t in ts))
    assert {r.focus for r in whole} >= {str(n) for n in broken}

    v = Validator()
    v.add_context(t for n in statements for t in graphs[n] if t[1] == RDF.type and t[0] == n)
    parts = v.check_part((t for n in base for t in graphs[n]), keep=True)
    for n in statements:
        parts += v.check_part(t for g in [n, *claims_of.get(n, [])] for t in graphs[g])
    assert sorted(parts) == whole
