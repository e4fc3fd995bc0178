"""Reading part of a store for one view: the graphs around some entities (all of them, or the statements
that matter most first), the dates of a period, the documents and their lineage. Each is checked against
the plain way of asking the same (a FILTER over every date, read_facts over the whole store) and, where
the embedded engine is asked by index lookups, against the SPARQL a remote endpoint answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import neighbourhood
from graph.facts import QuotedFrom, Words, read_documents, read_facts, sources_of, words_of
from graph.neighbourhood import DATING, graphs_around, graphs_near, graphs_of_period, read_dates, with_statements
from graph.projections import lineage_graph
from graph.store import Store
from ontology.namespaces import DCTERMS, PARLEY, SEM

SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples"
KREMLIN = "https://parley.example/id/event/kremlin-meeting-2025-12-02"
PUTIN = "https://parley.example/id/actor/vladimir-putin"
RUSSIA = "https://parley.example/id/actor/russia"
PLAN = "https://parley.example/id/document/us-peace-plan-2025-11"
ENTITIES = [KREMLIN, PUTIN, RUSSIA, PLAN]


@pytest.fixture(scope="module")
def remote_example(oxigraph_server: str) -> Iterator[Store]:
    """The example on a real Oxigraph server: the SPARQL paths, with no engine to look quads up in."""
    from ingest.pipeline import ingest_files

    s = Store.open(oxigraph_server)
    s.backend.update("CLEAR ALL")
    ingest_files(s, sorted(SAMPLES.glob("*.yaml")))
    try:
        yield s
    finally:
        s.backend.update("CLEAR ALL")
        s.close()


def mentioning(store: Store, iri: str) -> set[str]:
    """The plain way: every graph with a triple about or pointing at `iri`."""
    return {str(g) for g, in store.select(f"SELECT DISTINCT ?g WHERE {{ {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} UNION "
                                          f"{{ GRAPH ?g {{ ?s ?p <{iri}> }} }} }}", union=False).rows}


@pytest.mark.parametrize("iri", ENTITIES)
def test_the_graphs_around_an_entity_are_those_that_mention_it_and_its_claims_statements(
        example_store: Store, iri: str) -> None:
    found = graphs_around(example_store, [iri])
    near = mentioning(example_store, iri)
    statements = {str(h) for h, in example_store.select(
        f"SELECT DISTINCT ?h WHERE {{ VALUES ?g {{ {' '.join(f'<{g}>' for g in near)} }} "
        f"GRAPH ?g {{ ?c <http://www.w3.org/ns/prov#wasDerivedFrom> ?st }} "
        f"GRAPH ?h {{ ?st a <{PARLEY.Statement}> }} }}", union=False).rows}
    assert found == near | statements and statements


@pytest.mark.parametrize("iri", ENTITIES)
def test_the_remote_endpoint_finds_the_same_graphs_as_the_engine(example_store: Store, remote_example: Store,
                                                                 iri: str) -> None:
    assert graphs_around(remote_example, [iri]) == graphs_around(example_store, [iri])
    for cap in (None, 3):
        here = graphs_near(example_store, [iri], statements=cap)
        there = graphs_near(remote_example, [iri], statements=cap)
        assert (here.graphs, here.statements, here.read) == (there.graphs, there.statements, there.read)


@pytest.mark.parametrize("iri", ENTITIES)
def test_uncut_the_graphs_near_an_entity_are_the_graphs_around_it(example_store: Store, iri: str) -> None:
    near = graphs_near(example_store, [iri])
    assert set(near.graphs) == graphs_around(example_store, [iri])
    assert near.complete and near.read == near.statements > 0


def test_a_cut_keeps_the_records_and_the_statements_behind_claims_first_the_latest_first(
        example_store: Store) -> None:
    every = graphs_near(example_store, [KREMLIN])
    cut = graphs_near(example_store, [KREMLIN], statements=4)
    assert (cut.read, cut.statements) == (4, every.statements) and not cut.complete
    assert cut.graphs < every.graphs and KREMLIN in cut.graphs  # the event's own record is always read
    kept = {str(s) for s, in example_store.select(
        f"SELECT ?s WHERE {{ VALUES ?s {{ {' '.join(f'<{g}>' for g in cut.graphs)} }} "
        f"?s a <{PARLEY.Statement}> }}").rows}
    assert len(kept) == 4
    # Each kept statement backs a claim about the meeting, and comes with that claim's graph.
    claims = {str(c): str(st) for c, st in example_store.select(
        f"SELECT ?c ?st WHERE {{ VALUES ?st {{ {' '.join(f'<{s}>' for s in kept)} }} "
        f"?c <http://www.w3.org/ns/prov#wasDerivedFrom> ?st }}").rows}
    assert {st for c, st in claims.items() if c in cut.graphs} == kept
    # … and they are the latest of those that do.
    backed = {st for st in every.graphs if st in neighbourhood._statement_graphs(example_store, every.graphs)
              and any(c in every.graphs for c, s in claims.items() if s == st)}
    days = neighbourhood._dates_of(example_store, sorted(kept | backed))
    assert min(days[s] for s in kept) >= max((days[s] for s in backed - kept), default="")
    assert with_statements(example_store, set(cut.graphs)) == set(cut.graphs)  # every claim read has its statement


def test_the_dates_of_a_period_find_what_a_filter_on_the_dates_finds(example_store: Store) -> None:
    dates = read_dates(example_store)
    assert set(dates.values) == set(DATING) and dates.days()
    periods = ((dt.date(2025, 12, 2), dt.date(2025, 12, 2)), (dt.date(2025, 11, 1), dt.date(2025, 12, 31)),
               (None, dt.date(2025, 11, 20)), (dt.date(2026, 3, 1), None), (dt.date(1990, 1, 1), dt.date(1990, 1, 2)))
    for since, until in periods:
        bounds = [f'SUBSTR(STR(?d), 1, 10) {op} "{day.isoformat()}"'
                  for op, day in ((">=", since), ("<=", until)) if day]
        items = {str(x) for x, in example_store.select(
            f"SELECT DISTINCT ?x WHERE {{ {{ ?x a <{PARLEY.Statement}> ; <{DCTERMS.date}> ?d }} UNION "
            f"{{ ?x <{SEM.hasTimeStamp}> ?d }} UNION {{ ?x <{SEM.hasBeginTimeStamp}> ?d }} UNION "
            f"{{ ?x a <{PARLEY.Document}> ; <{DCTERMS.created}> ?d }} FILTER({' && '.join(bounds) or 'true'}) }}").rows}
        found = graphs_of_period(example_store, since, until, dates=dates)
        assert items <= found and (found or not items)
        assert found == graphs_of_period(example_store, since, until)  # reads the dates itself when not given


def test_the_documents_and_their_lineage_read_alone_are_those_read_facts_reads(example_store: Store) -> None:
    def lineage(g: object) -> tuple[list[object], list[object]]:
        keys = ("label", "type", "kind", "points", "access")
        return (sorted((n, [d.get(k) for k in keys]) for n, d in g.nodes(data=True)),  # type: ignore[attr-defined]
                sorted((u, v, d["relation"]) for u, v, d in g.edges(data=True)))  # type: ignore[attr-defined]

    alone, whole = lineage_graph(read_documents(example_store)), lineage_graph(read_facts(example_store))
    assert lineage(alone) == lineage(whole)
    assert alone.number_of_edges() > 0 and alone.nodes[PLAN]["kind"] == "plan"
    assert alone.nodes[PLAN]["access"] == "public"


def test_an_exact_id_names_its_entity_by_index_and_anything_else_is_left_to_the_search(
        example_store: Store) -> None:
    from graph.analytics import find_entity
    from graph.facts import read_entities
    from graph.neighbourhood import entities_with_id, find_candidates

    assert neighbourhood.entities_with_id(example_store, "russia") == [RUSSIA]
    assert entities_with_id(example_store, " kremlin-meeting-2025-12-02 ") == [KREMLIN]
    for name in ("Russia", "Путин", "no-such-thing", "territorial", ""):
        assert entities_with_id(example_store, name) == []
    # where it answers, the search over every name picks the same entity
    for iri in ENTITIES:
        some_id = iri.rsplit("/", 1)[1]
        searched = find_entity(read_entities(example_store, find_candidates(example_store, some_id)), some_id)
        assert searched.iri == iri and entities_with_id(example_store, some_id) == [iri]


def test_the_sources_of_statements_carry_their_title_else_their_label_and_their_url(example_store: Store) -> None:
    briefing = "https://parley.example/id/statement/ushakov-2025-12-02-n1"
    report = "https://parley.example/id/statement/afp-2025-12-15-donetsk"
    assert sources_of(example_store, [briefing, report, briefing, "https://parley.example/id/statement/none"]) == {
        briefing: QuotedFrom(
            "https://parley.example/id/source/ushakov-briefing-2025-12-02",
            "Yuri Ushakov's statement and Q&A after the Putin–Witkoff–Kushner meeting in the Kremlin (English "
            "translation of the TASS report)", "https://karlof1.substack.com/p/statement-and-q-and-a-of-presidential"),
        report: QuotedFrom("https://parley.example/id/source/eir-news-2025-12-15", "eir-news-2025-12-15",
                           "https://eir.news/2025/12/news/zelenskyy-plays-hard-ball-in-berlin-negotiations"),
    }
    assert sources_of(example_store, []) == {}


def test_the_words_of_statements_are_their_speaker_and_text(example_store: Store) -> None:
    briefing = "https://parley.example/id/statement/ushakov-2025-12-02-n1"
    report = "https://parley.example/id/statement/afp-2025-12-15-donetsk"
    words = words_of(example_store, [report, briefing, report, "https://parley.example/id/statement/none"])
    assert words == {
        report: Words("https://parley.example/id/actor/afp", "AFP reported US pressure for a Donetsk pull-out."),
        briefing: Words("https://parley.example/id/actor/yuri-ushakov", words[briefing].text),
    }
    assert words[briefing].text.startswith("According to Ushakov, the meeting took place in an atmosphere of "
                                           "openness") and words[briefing].text.endswith("the Ukrainian crisis.")
    assert words_of(example_store, []) == {}
