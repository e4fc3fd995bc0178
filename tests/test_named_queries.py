"""The named-query library answers the seed's competency questions on the bundled example data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.term import Node

from graph import named_queries
from graph.iri import mint
from graph.store import Store
from ingest.pipeline import ingest_files
from ontology.namespaces import ROLE, STANCE
from ui.cli import SAMPLES, cli

ID = "https://parley.example/id/"


def actor(key: str) -> URIRef:
    return mint("actor", key)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A folder with the bundled example loaded, as `parley demo` loads it."""
    path = str(tmp_path_factory.mktemp("demo") / "store")
    with Store.open(path, create=True) as store:
        ingest_files(store, sorted(str(p) for p in SAMPLES.glob("*.yaml")))
    return path


@pytest.fixture(scope="module")
def demo_store(demo_path: str) -> Iterator[Store]:
    store = Store.open(demo_path)
    yield store
    store.close()


def answer(store: Store, name: str, **params: str) -> list[dict[str, Node | None]]:
    result = named_queries.run_named(store, named_queries.load_query(name), params)
    assert not result.truncated
    return [dict(zip(result.variables, row)) for row in result.rows]


@pytest.mark.parametrize("name, params", [
    ("who-met-whom", {}), ("positions", {"actor": "vladimir-putin"}), ("document-lineage", {}),
    ("disagreements", {}), ("undisclosed", {}), ("mentions", {"entity": "jared-kushner"}),
    ("changes-since", {"since": "2025-12-01"}), ("expectations", {}),
    ("most-active", {"from": "2025-12-01", "to": "2025-12-31"}),
])
def test_every_named_query_answers(demo_store: Store, name: str, params: dict[str, str]) -> None:
    assert answer(demo_store, name, **params)


def test_who_met_whom_has_the_kremlin_meeting_of_2_december(demo_store: Store) -> None:
    rows = [r for r in answer(demo_store, "who-met-whom") if r["event"] == mint("event", "kremlin-meeting-2025-12-02")]
    assert {(r["date"], r["kind"], r["place"]) for r in rows} == {
        (Literal("2025-12-02", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")), Literal("meeting"),
         mint("place", "kremlin"))}
    assert {(r["actor"], r["role"], r["on_behalf_of"]) for r in rows} == {
        (actor("vladimir-putin"), ROLE.host, actor("russia")),
        (actor("steve-witkoff"), ROLE.envoy, actor("donald-trump")),
        (actor("jared-kushner"), ROLE.envoy, actor("donald-trump")),
        (actor("yuri-ushakov"), ROLE.aide, actor("russia")),
        (actor("kirill-dmitriev"), ROLE.aide, actor("russia")),
    }


def test_who_met_whom_as_csv_from_the_cli(demo_store: Store, tmp_path: Path) -> None:
    copy = str(tmp_path / "copy")  # the CLI owns the store it opens: give it a copy
    demo_store.backup(copy)
    result = CliRunner().invoke(cli, ["--store", copy, "query", "who-met-whom", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "date,event,kind,place,actor,name,role,on_behalf_of"
    assert (f"2025-12-02,{ID}event/kremlin-meeting-2025-12-02,meeting,{ID}place/kremlin,{ID}actor/vladimir-putin,"
            f"Vladimir Putin,{ROLE.host},{ID}actor/russia") in lines


def test_positions_of_putin_on_the_territorial_issue(demo_store: Store) -> None:
    rows = answer(demo_store, "positions", actor="vladimir-putin", issue="territorial-issue")
    briefing = [r for r in rows if r["source"] == mint("source", "ushakov-briefing-2025-12-02")]
    assert {(r["held_by"], r["stance"], r["speaker"]) for r in briefing} == {
        (actor("russia"), STANCE["no-compromise-yet"], actor("yuri-ushakov"))}
    assert {r["issue"] for r in rows} == {mint("issue", "territorial-issue")}
    assert [str(r["date"]) for r in rows] == sorted(str(r["date"]) for r in rows)
    by_name = answer(demo_store, "positions", actor="Путин", issue="territorial question")
    assert by_name == rows


def test_document_lineage_with_point_counts_and_who_says_so(demo_store: Store) -> None:
    rows = answer(demo_store, "document-lineage")
    plan = mint("document", "us-peace-plan-2025-11")
    counts = {(r["according_to"], int(str(r["points"]))) for r in rows if r["document"] == plan and r["points"] is not None}
    assert (actor("yuri-ushakov"), 27) in counts
    assert (actor("vladimir-putin"), 28) in counts
    assert {n for _, n in counts} == {26, 27, 28}
    geneva = mint("document", "geneva-framework-2025-11-23")
    assert {r["revision_of"] for r in rows if r["document"] == geneva} == {plan}
    part = mint("document", "further-document-1")
    assert {r["part_of"] for r in rows if r["document"] == part} == {mint("document", "further-documents-2025-12")}


def test_disagreements_put_27_and_28_points_side_by_side(demo_store: Store) -> None:
    rows = answer(demo_store, "disagreements")
    values: dict[tuple[Node | None, Node | None], set[float]] = {}
    for r in rows:
        values.setdefault((r["subject"], r["quantity"]), set()).add(float(str(r["value"])))
    assert all(len(v) > 1 for v in values.values())  # only numbers that really differ
    assert values[(mint("document", "us-peace-plan-2025-11"), Literal("points"))] == {26, 27, 28}
    assert values[(mint("document", "peace-plan-20-points-2025-12"), Literal("USD"))] == {200e9, 800e9}
    ushakov = [r for r in rows if r["speaker"] == actor("yuri-ushakov") and r["quantity"] == Literal("points")]
    assert [(int(str(r["value"])), str(r["quote"])) for r in ushakov] == [(27, "a document with 27 points")]


def test_undisclosed_documents_and_agreements(demo_store: Store) -> None:
    rows = answer(demo_store, "undisclosed")
    documents = {r["subject"] for r in rows if r["what"] == Literal("document")}
    assert {mint("document", f"further-document-{n}") for n in range(1, 5)} <= documents
    agreed = {(r["party"], r["speaker"], str(r["date"])) for r in rows if r["what"] == Literal("agreement not to disclose")
              and r["source"] == mint("source", "ushakov-briefing-2025-12-02")}
    assert {(actor("russia"), actor("yuri-ushakov"), "2025-12-02"),
            (actor("united-states"), actor("yuri-ushakov"), "2025-12-02")} <= agreed


def test_mentions_of_kushner_with_quotes(demo_store: Store) -> None:
    rows = answer(demo_store, "mentions", entity="Kushner")
    assert answer(demo_store, "mentions", entity="jared-kushner") == rows
    quotes = {(r["statement"], str(r["quote"])) for r in rows}
    assert (mint("statement", "ushakov-2025-12-02-q6-a"), "They did not promise to go to Kyiv") in quotes
    assert all(r["speaker"] is not None and r["source"] is not None for r in rows)


def test_changes_since_a_date(demo_store: Store) -> None:
    rows = answer(demo_store, "changes-since", since="2026-03-01")
    dates = [str(r["date"]) for r in rows]
    assert dates == sorted(dates) and dates[0] >= "2026-03-01"
    assert (mint("event", "putin-trump-call-2026-03-09"), Literal("event")) in {(r["item"], r["what"]) for r in rows}


def test_expectations_with_their_conditions(demo_store: Store) -> None:
    rows = answer(demo_store, "expectations")
    summit = [r for r in rows if r["claim"] == mint("claim", "ushakov-2025-12-02-q1-a-c2")]
    assert {r["actor"] for r in summit} == {actor("vladimir-putin"), actor("donald-trump")}
    assert {str(r["condition"]) for r in summit} == {
        "progress made during the work of aides and representatives of the ministries"}
    assert {r["factuality"] for r in summit} == {URIRef("https://parley.example/vocab/factuality/hypothetical")}


def test_most_active_in_december_2025(demo_store: Store) -> None:
    rows = answer(demo_store, "most-active", **{"from": "2025-12-01", "to": "2025-12-31"})
    assert rows[0]["actor"] == actor("yuri-ushakov")
    totals = [int(str(r["total"])) for r in rows]
    assert totals == sorted(totals, reverse=True)
    assert all(int(str(r["total"])) == int(str(r["events"])) + int(str(r["statements"])) for r in rows)
