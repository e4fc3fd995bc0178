"""The eight competency questions of the design, answered by named queries on the bundled example."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.term import Node

from graph.iri import mint
from graph.store import Store
from ontology import PREFIXES

QUERIES = Path(__file__).resolve().parent.parent / "graph" / "queries"
MEETING = {"event": mint("event", "kremlin-meeting-2025-12-02")}
ID = "https://parley.example/id/"


def answer(store: Store, name: str, bindings: dict[str, Node], *columns: str) -> list[tuple[str | None, ...]]:
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    result = store.select(prefixes + (QUERIES / f"{name}.rq").read_text(encoding="utf-8"), bindings)
    index = [result.variables.index(c) for c in columns]
    return [tuple(None if row[i] is None else str(row[i]).removeprefix(ID) for i in index) for row in result.rows]


def test_cq1_who_took_part_in_which_role_on_whose_behalf(example_store: Store) -> None:
    assert answer(example_store, "cq1-meeting-participants", MEETING, "participant_label", "role",
                  "on_behalf_of_label") == [
        ("Kirill Dmitriev", "aide", "Russia"),
        ("Yuri Ushakov", "aide", "Russia"),
        ("Jared Kushner", "envoy", "Donald Trump"),
        ("Steve Witkoff", "envoy", "Donald Trump"),
        ("Vladimir Putin", "host", "Russia"),
    ]


def test_cq2_documents_their_point_counts_by_whom_and_lineage(example_store: Store) -> None:
    rows = answer(example_store, "cq2-documents-discussed", MEETING, "document", "points", "according_to", "relation",
                  "related")
    parts = [r for r in rows if r[3] == "part of"]
    assert [r[0] for r in parts] == [f"document/further-document-{n}" for n in (1, 2, 3, 4)]
    assert {r[4] for r in parts} == {"Four further US documents on the Ukraine settlement, sent after the first US text"}
    counts = sorted((r[1], r[2]) for r in rows if r[0] == "document/us-peace-plan-2025-11")
    assert ("27", "Yuri Ushakov") in counts and ("28", "the media") in counts
    assert {p for p, _ in counts} == {"26", "27", "28"}


def test_cq3_the_27_vs_28_disagreement_with_both_speakers(example_store: Store) -> None:
    rows = answer(example_store, "cq3-disagreeing-claims", {}, "document", "points", "speaker_label", "date", "quote")
    seed = [r for r in rows if r[3] == "2025-12-02"]
    assert seed == [
        ("document/us-peace-plan-2025-11", "27", "Yuri Ushakov", "2025-12-02", "a document with 27 points"),
        ("document/us-peace-plan-2025-11", "28", "the media", "2025-12-02",
         "the media mentioned 28 points of Trump's plan"),
    ]


def test_cq4_the_most_significant_issue_and_no_compromise_yet(example_store: Store) -> None:
    rows = answer(example_store, "cq4-most-significant-issue", {"actor": mint("actor", "russia")}, "issue_label",
                  "assessment", "date", "stance", "quote")
    assert ("territorial issue", "most significant issue for Russia", "2025-12-02", "no compromise yet",
            "So far, no compromise has been found") in rows
    assert {r[0] for r in rows} == {"territorial issue"}


def test_cq5_what_was_agreed_and_what_stays_undisclosed(example_store: Store) -> None:
    rows = [(r[0], r[1], ", ".join(sorted(str(r[2]).split(", ")))) for r in answer(
        example_store, "cq5-agreed-and-undisclosed", MEETING, "kind", "content", "parties")]
    assert ("agreed", "to continue contacts at the level of aides and other representatives",
            "Russia, United States") in rows
    assert ("not to disclose", "the details of the negotiations, as they were confidential",
            "Russia, United States") in rows
    assert {r[0] for r in rows} == {"agreed", "not to disclose"}


def test_cq6_what_is_expected_and_the_condition_for_a_summit(example_store: Store) -> None:
    rows = answer(example_store, "cq6-expected-next", MEETING, "expectation", "condition", "factuality")
    assert ("A possible high-level (Putin–Trump) meeting.",
            "progress made during the work of aides and representatives of the ministries", "hypothetical") in rows
    assert ("Contacts will continue.", None, "future") in rows


def test_cq7_greetings_and_signals_between_the_leaders(example_store: Store) -> None:
    assert answer(example_store, "cq7-leaders-messages", MEETING, "from_label", "to_label", "content") == [
        ("Donald Trump", "Vladimir Putin", "greetings and best wishes"),
        ("Vladimir Putin", "Donald Trump", "friendly greetings and important political signals"),
    ]


def test_cq8_where_the_envoys_went_and_did_not_go(example_store: Store) -> None:
    rows = [(", ".join(sorted(str(r[0]).split(", "))), *r[1:]) for r in answer(
        example_store, "cq8-where-envoys-went", MEETING, "travellers", "destination", "factuality", "quote")]
    assert ("Jared Kushner, Steve Witkoff", "US Embassy in Moscow", "asserted",
            "The American colleagues went to the embassy after the meeting") in rows
    assert ("Jared Kushner, Steve Witkoff", "Washington, D.C.", "future", "they would return to Washington") in rows
    assert ("Jared Kushner, Steve Witkoff", "Kyiv", "negated", "They did not promise to go to Kyiv") in rows
    assert not [r for r in rows if r[1] == "Kyiv" and r[2] != "negated"]


@pytest.mark.parametrize("name", sorted(p.stem for p in QUERIES.glob("cq*.rq")))
def test_every_competency_query_has_a_header(name: str) -> None:
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    assert text.startswith("# title: ") and "\n# description: " in text
