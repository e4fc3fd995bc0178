"""The Streamlit app, page by page, with Streamlit's AppTest on an on-disk store loaded with the example:
real content on every page, the error paths (a refused query, a bad upload), and sessions kept apart."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from graph.store import ENV_STORE, Store

APP = str(Path(__file__).resolve().parent.parent / "ui" / "app.py")
SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples"
KREMLIN = "https://parley.example/id/event/kremlin-meeting-2025-12-02"
PAGES = ["overview", "explorer", "timeline", "positions", "documents", "sparql", "snapshots", "ingest"]
TITLES = {"overview": "Parley", "sparql": "SPARQL"}


# ── Stores and the app ───────────────────────────────────────────────────────────────────────────

@pytest.fixture(scope="session")
def example_store_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store folder holding the bundled example, closed so that the app can open it."""
    from ingest.pipeline import ingest_files

    path = str(tmp_path_factory.mktemp("ui-store") / "store")
    with Store.open(path, create=True) as s:
        ingest_files(s, sorted(SAMPLES.glob("*.yaml")))
    yield path
    st.cache_resource.clear()  # drop the app's open stores
    st.cache_data.clear()


@pytest.fixture
def empty_store_path(tmp_path: Path) -> str:
    """A fresh, empty store folder (for tests that write), closed so that the app can open it."""
    path = str(tmp_path / "store")
    Store.open(path, create=True).close()
    return path


AppFactory = Callable[..., AppTest]


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch, example_store_path: str) -> AppFactory:
    """Run a page of the app on the example store (or on `store=`), with query parameters if given."""
    def run(page: str, *, store: str | None = None, errors: bool = False, **params: str) -> AppTest:
        monkeypatch.setenv(ENV_STORE, store or example_store_path)
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params.update(params)
        at.switch_page(f"views/{page}.py")
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at if errors else ok(at)
    return run


def ok(at: AppTest) -> AppTest:
    """The run raised nothing and showed no error box."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def texts(at: AppTest) -> str:
    """Everything the page wrote as markdown, captions and headings, one item a line."""
    items = [*at.title, *at.header, *at.subheader, *at.markdown, *at.caption, *at.info, *at.success, *at.warning]
    return "\n".join(str(e.value) for e in items)


def graph_args(at: AppTest) -> dict[str, Any]:
    """What the page passed to the graph component (st-link-analysis)."""
    [component] = [c for c in at.get("component_instance") if "st_link_analysis" in c.proto.component_name]
    return dict(json.loads(component.proto.json_args))


def plain(text: str) -> str:
    """Markdown with its backslash escapes removed."""
    return text.replace("\\", "")


# ── Every page ───────────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_error(app: AppFactory, page: str) -> None:
    at = app(page)
    assert at.title[0].value == TITLES.get(page, page.capitalize())


def test_overview_counts_the_example_and_offers_the_eight_questions(app: AppFactory) -> None:
    at = app("overview")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Statements"] == "159" and metrics["Events"] == "61"
    text = plain(texts(at))
    for n in range(1, 9):
        assert f"**{n}.**" in text
    assert "Who took part in the 2 December 2025 Kremlin meeting" in text
    assert len(at.get("page_link")) >= 16  # an answer and a visual page per question
    assert "Disputed numbers" in metrics and int(metrics["Disputed numbers"]) >= 2
    assert "Latest statements" in text


def test_explorer_passes_the_kremlin_meeting_and_its_participants_to_the_graph(app: AppFactory) -> None:
    at = app("explorer")
    nodes = {n["data"]["id"]: n["data"] for n in graph_args(at)["elements"]["nodes"]}
    assert nodes[KREMLIN]["label"] == "event"
    names = {d["name"] for d in nodes.values()}
    assert {"Vladimir Putin", "Steve Witkoff", "Jared Kushner", "Yuri Ushakov", "Kirill Dmitriev"} <= names
    assert nodes["https://parley.example/id/actor/russia"]["label"] == "state"
    edges = graph_args(at)["elements"]["edges"]
    assert {"source": "https://parley.example/id/actor/vladimir-putin", "target": KREMLIN} in [
        {"source": e["data"]["source"], "target": e["data"]["target"]} for e in edges]
    text = plain(texts(at))
    assert "Putin–Witkoff–Kushner meeting in the Kremlin" in at.subheader[0].value.replace("\\", "")
    assert "took part in — Vladimir Putin (role: host; on behalf of: Russia)" in text
    assert "Yuri Ushakov, 2 Dec 2025" in text  # the quote's speaker and date on each relation


def test_explorer_finds_an_entity_by_an_alias_in_another_script(app: AppFactory) -> None:
    at = app("explorer", entity="Уиткофф")
    assert plain(at.subheader[0].value) == "Steve Witkoff"
    names = {n["data"]["name"] for n in graph_args(at)["elements"]["nodes"]}
    assert "Putin–Witkoff–Kushner meeting in the Kremlin, 2 Dec 2025" in names


def test_explorer_expands_a_node(app: AppFactory) -> None:
    at = app("explorer")
    before = len(graph_args(at)["elements"]["nodes"])
    at.button(key="explorer_expand").click()
    ok(at.run())
    at.text_input(key="explorer_name").set_value("jared-kushner")
    ok(at.run())
    assert plain(at.subheader[0].value) == "Jared Kushner"
    at.button(key="explorer_expand").click()
    ok(at.run())
    assert len(graph_args(at)["elements"]["nodes"]) > 1 and before > 1


def test_explorer_says_plainly_when_nothing_goes_by_a_name(app: AppFactory) -> None:
    at = app("explorer", entity="Nobody Atall", errors=True)
    assert "no entity called 'Nobody Atall'" in at.error[0].value


def test_an_error_quoting_user_input_cannot_become_a_link(app: AppFactory) -> None:
    at = app("explorer", entity="[click](javascript:alert(1))", errors=True)
    assert at.error[0].value.startswith(r"no entity called '\[click\](javascript:alert(1))'")


def test_timeline_filters_by_actor_and_shows_quotes(app: AppFactory) -> None:
    at = app("timeline", actor="jared-kushner", since="2025-12-02", until="2025-12-02")
    assert at.get("plotly_chart")
    text = plain(texts(at))
    assert "Putin–Witkoff–Kushner meeting in the Kremlin" in text
    assert "Took part:" in text and "Jared Kushner (envoy, for Donald Trump)" in text
    details = at.selectbox(key="timeline_item_0")
    assert all(o.startswith("2025-12-02") for o in details.options)


def test_positions_shows_russias_stance_on_the_territorial_issue(app: AppFactory) -> None:
    at = app("positions", as_of="2025-12-02")
    table = at.dataframe[0].value
    assert table.loc["Russia", "territorial issue"] == "no compromise yet"
    at = app("positions", as_of="2025-12-02", actor="russia", issue="territorial-issue")
    text = plain(texts(at))
    assert "Russia on territorial issue" in text
    assert "no compromise" in text and "said by Yuri Ushakov" in text


def test_documents_shows_the_lineage_and_the_27_against_28_points(app: AppFactory) -> None:
    at = app("documents")
    assert at.get("graphviz_chart")
    rows = at.dataframe[0].value
    assert any("US peace plan for Ukraine" in d for d in rows["document"])
    values = {m.value for m in at.metric}
    assert {"27", "28"} <= values
    text = plain(texts(at))
    assert "a document with 27 points” — **Yuri Ushakov**" in text


def test_sparql_runs_the_first_question_and_offers_csv_and_json(app: AppFactory) -> None:
    at = app("sparql")
    at.button(key="sparql_run").click()
    ok(at.run())
    rows = at.dataframe[0].value
    assert sorted(rows["participant_label"]) == ["Jared Kushner", "Kirill Dmitriev", "Steve Witkoff", "Vladimir Putin",
                                                 "Yuri Ushakov"]
    assert dict(zip(rows["participant_label"], rows["role"]))["Vladimir Putin"] == "host"
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download JSON"]


def test_sparql_answers_a_question_from_a_link(app: AppFactory) -> None:
    at = app("sparql", query="cq4-most-significant-issue", actor="russia", run="1")
    rows = at.dataframe[0].value
    assert set(rows["issue_label"]) == {"territorial issue"}
    assert set(rows["stance"]) == {"no compromise yet"}


def test_sparql_runs_a_typed_query_and_draws_a_construct(app: AppFactory) -> None:
    at = app("sparql")
    at.toggle(key="sparql_plain").set_value(True)
    ok(at.run())
    at.text_area(key="sparql_text_cq1-meeting-participants").set_value(
        "CONSTRUCT { ?a parley:tookPartIn ?e } WHERE { ?p parley:event ?e ; parley:participant ?a . "
        f"FILTER(?e = <{KREMLIN}>) }}")
    at.button(key="sparql_run").click()
    ok(at.run())
    assert "5 triples" in texts(at)
    nodes = {n["data"]["id"] for n in graph_args(at)["elements"]["nodes"]}
    assert KREMLIN in nodes and len(nodes) == 6
    assert [b.proto.label for b in at.get("download_button")] == ["Download Turtle", "Download N-Triples"]


def test_sparql_shows_the_guards_refusal_of_service(app: AppFactory) -> None:
    at = app("sparql")
    at.toggle(key="sparql_plain").set_value(True)
    ok(at.run())
    at.text_area(key="sparql_text_cq1-meeting-participants").set_value(
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    at.button(key="sparql_run").click()
    at.run()
    assert not at.exception
    [error] = at.error
    assert error.value.startswith("query refused: SERVICE is not allowed (line 1, column 18)")


def test_snapshots_lists_what_the_kremlin_meeting_added(app: AppFactory) -> None:
    at = app("snapshots", **{"from": "2025-12-01", "to": "2025-12-03"})
    rows = at.dataframe[0].value
    added = set(rows[rows["change"] == "added"]["id"])
    assert "event/kremlin-meeting-2025-12-02" in added
    assert not any("2026-" in i or "2025-12-1" in i for i in added)  # nothing dated after 3 Dec
    assert [b.proto.label for b in at.get("download_button")] == ["Download TRIG"]


def test_snapshots_compare_two_dates_only_when_asked(app: AppFactory) -> None:
    at = app("snapshots")
    assert not at.dataframe and "Pick the two dates, then compare." in texts(at)
    at.date_input(key="snapshots_from").set_value(dt.date(2025, 12, 1))
    at.date_input(key="snapshots_to").set_value(dt.date(2025, 12, 3))
    at.button(key="snapshots_compare").click()
    ok(at.run())
    rows = at.dataframe[0].value
    assert "event/kremlin-meeting-2025-12-02" in set(rows[rows["change"] == "added"]["id"])


def test_positions_on_a_big_store_start_with_the_last_days_and_show_every_stance_on_a_click(
        app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import stances

    monkeypatch.setattr(stances, "FULL_MATRIX_CLAIMS", 0)  # as if the store held more claims than that
    monkeypatch.setattr(stances, "RECENT_DAYS", 1)
    stances._position_matrix.clear()  # matrices cached by other tests were computed whole
    try:
        at = app("positions", as_of="2025-12-02")
        assert "Stances stated in the 1 days up to 2 Dec 2025" in plain(texts(at))
        recent = at.dataframe[0].value
        assert recent.loc["Russia", "territorial issue"] == "no compromise yet"
        assert "Select a cell of the table, or an actor and an issue" in texts(at)  # no history read for a guess
        at.selectbox(key="positions_actor_0").set_value("https://parley.example/id/actor/russia")
        at.selectbox(key="positions_issue_0").set_value("https://parley.example/id/issue/territorial-issue")
        ok(at.run())
        assert "Russia on territorial issue" in plain(texts(at)) and "no compromise yet" in plain(texts(at))
        at.button(key="positions_every_button").click()
        ok(at.run())
        every = at.dataframe[0].value
        assert every.loc["Russia", "territorial issue"] == "no compromise yet"
        assert len(every.index) > len(recent.index)
    finally:
        stances._position_matrix.clear()


def test_snapshot_files_come_from_the_export_library(example_store_path: str, app: AppFactory) -> None:
    import datetime as dt

    from ui import data, snapshot_data

    app("snapshots")  # opens the store in the app's cache
    s = data._open_store(example_store_path)
    trig = snapshot_data.snapshot_file(s, "trig", dt.date(2025, 12, 3)).decode()
    assert "kremlin-meeting-2025-12-02" in trig and "2026-03-09" not in trig
    assert snapshot_data.snapshot_file(s, "png", None).startswith(b"\x89PNG")


# ── Ingest ───────────────────────────────────────────────────────────────────────────────────────

GOOD = b"parley: 1\ncollection: ui-test\nactors:\n  - id: ui-test-person\n    type: person\n    labels: {en: Test Person}\n"
BAD = b"parley: 1\ncollection: ui-test\nactors:\n  - id: a\n    labels: [unclosed\n"


def test_a_bad_upload_shows_the_error_with_file_and_line(app: AppFactory) -> None:
    at = app("ingest")
    at.file_uploader[0].set_value(("../notes/bad.yaml", BAD, "application/yaml"))
    at.button(key="ingest_check").click()
    at.run()
    assert not at.exception
    [error] = at.error
    assert error.value.startswith("bad.yaml:6:1: malformed YAML")  # the upload's name, never a server path


def test_a_record_that_names_a_server_file_is_refused(app: AppFactory) -> None:
    at = app("ingest")
    records = (b"parley: 1\ncollection: ui-test\nsources:\n  - id: s\n    title: S\n"
               b"    text_file: ../../../etc/passwd\n")
    at.file_uploader[0].set_value(("s.yaml", records, "application/yaml"))
    at.button(key="ingest_check").click()
    at.run()
    [error] = at.error
    assert plain(error.value) == ("s.yaml:4:5: sources[0]: text_file '../../../etc/passwd' was not uploaded with this "
                                  "record file; upload the text too")


def test_an_upload_is_checked_then_committed(app: AppFactory, empty_store_path: str) -> None:
    at = app("ingest", store=empty_store_path)
    at.file_uploader[0].set_value(("people.yaml", GOOD, "application/yaml"))
    at.button(key="ingest_check").click()
    ok(at.run())
    assert at.info[0].value == "Would write 1 file(s): 0 statements, 0 claims; graphs 1 added, 0 replaced, 0 unchanged"
    assert at.dataframe[0].value.to_dict("records")[0]["file"] == "people.yaml"
    at.button(key="ingest_commit").click()
    ok(at.run())
    assert at.success[0].value == "Ingested 1 file(s): 0 statements, 0 claims; graphs 1 added, 0 replaced, 0 unchanged"
    at = app("explorer", store=empty_store_path, entity="Test Person")
    assert plain(at.subheader[0].value) == "Test Person"


def test_a_transcript_becomes_an_editable_draft(app: AppFactory, empty_store_path: str) -> None:
    at = app("ingest", store=empty_store_path)
    transcript = ("date: 2025-12-02\n\nQuestion: Will they go to Kyiv?\n"
                  "Y. Ushakov: No, they did not promise to go to Kyiv.\n").encode()
    at.file_uploader[0].set_value(("briefing.txt", transcript, "text/plain"))
    at.button(key="ingest_check").click()
    ok(at.run())
    [draft] = [t for t in at.text_area if "draft" in t.label]
    assert "origin: extracted" in draft.value and "yuri-ushakov" in draft.value
    assert at.button(key="ingest_commit").disabled  # check the draft first
    at.button(key="ingest_check_draft").click()
    ok(at.run())
    assert at.info[0].value.startswith("Would write 1 file(s): 2 statements")
    at.button(key="ingest_commit").click()
    ok(at.run())
    assert at.success[0].value.startswith("Ingested 1 file(s): 2 statements")


def test_an_upload_in_one_session_is_not_seen_in_another(app: AppFactory) -> None:
    first = app("ingest")
    second = app("ingest")
    first.file_uploader[0].set_value(("people.yaml", GOOD, "application/yaml"))
    first.button(key="ingest_check").click()
    ok(first.run())
    assert "ingest_pending" in first.session_state
    ok(second.run())
    assert "ingest_pending" not in second.session_state
    assert not second.info and not second.dataframe and not second.text_area[0].value


def test_a_commit_runs_once_however_often_it_is_clicked(monkeypatch: pytest.MonkeyPatch,
                                                        empty_store_path: str) -> None:
    from ui import data, uploads

    monkeypatch.setenv(ENV_STORE, empty_store_path)
    pending = uploads.Pending("records", {"people.yaml": GOOD})
    before = data._shared(empty_store_path).generation
    reports: list[Any] = []
    threads = [threading.Thread(target=lambda: reports.append(uploads.commit(pending))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(reports) == 4 and all(r is reports[0] for r in reports)
    assert data._shared(empty_store_path).generation == before + 1


# ── What the pages are given is safe ───────────────────────────────────────────────────────────────

def test_the_graph_component_never_receives_markup() -> None:
    import networkx as nx

    from ui import drawing

    g = nx.MultiDiGraph()
    g.add_node("https://x/a", label='<img src=x onerror="alert(1)"> & "Co"', type="actor", kind="person")
    g.add_node("https://x/b", label="B", type="issue")
    g.add_edge("https://x/a", "https://x/b", key="<b>rel</b>", relation="<b>rel</b>")
    elements = drawing.graph_elements(g)
    values = [v for e in elements["nodes"] + elements["edges"] for v in e["data"].values()]
    assert not any("<" in str(v) or ">" in str(v) for v in values)
    assert elements["nodes"][0]["data"]["name"] == '‹img src=x onerror="alert(1)"› & "Co"'


def test_text_from_the_data_cannot_become_markdown_links_or_directives() -> None:
    from ui import data, uploads

    assert data.md("[x](javascript:alert(1)) :red[hi] ![i](http://e/i.png)") == (
        r"\[x\]\(javascript\:alert\(1\)\) \:red\[hi\] \!\[i\]\(http\:\/\/e\/i\.png\)")
    assert data.safe_url("javascript:alert(1)") is None and data.safe_url("file:///etc/passwd") is None
    assert data.link("Source", "https://tass.ru/politika/25798241") == "[Source](https://tass.ru/politika/25798241)"
    assert uploads.safe_name("../../etc/pass wd.yaml") == "pass-wd.yaml"


# ── On a big store: less on the first view, the rest one click away ───────────────────────────────

def test_explorer_on_a_big_store_reads_the_statements_that_matter_first_and_all_on_a_click(
        app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import data

    def shown(at: AppTest) -> set[str]:
        return {n["data"]["id"] for n in graph_args(at)["elements"]["nodes"]}

    whole = shown(app("explorer"))
    monkeypatch.setattr(data, "NEAR_STATEMENTS", 3)  # as if the meeting were mentioned by thousands
    data._entity_graph.clear()  # graphs cached by other tests were built from every statement
    try:
        at = app("explorer")
        text = plain(texts(at))
        assert "Read 3 of the " in text and "statements that mention Putin–Witkoff–Kushner meeting" in text
        # the three statements that matter most reach 17 of the 19 entities; two states only the others do
        assert len(whole) == 19
        assert whole - shown(at) == {"https://parley.example/id/actor/russia",
                                     "https://parley.example/id/actor/united-states"}
        assert shown(at) < whole
        at.button(key="explorer_every").click()
        ok(at.run())
        assert "Read 3 of the " not in plain(texts(at))
        assert shown(at) == whole
    finally:
        data._entity_graph.clear()


def test_overview_on_a_big_store_counts_quads_and_checks_quality_on_a_click(
        app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import data

    monkeypatch.setattr(data, "SMALL_STORE", 10)
    at = app("overview")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Statements"] == "159" and "Quads" not in metrics and "Disputed numbers" not in metrics
    assert "The store holds 159 statements" in plain(texts(at))
    at.button(key="overview_whole_button").click()
    ok(at.run())
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Quads"].replace(",", "")) > 1000 and int(metrics["Disputed numbers"]) >= 2


def test_documents_on_a_big_store_list_the_best_connected_first_and_all_on_a_click(
        app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import document_data

    monkeypatch.setattr(document_data, "MAX_LINEAGE", 5)
    document_data._documents.clear()  # documents cached by other tests were read whole
    try:
        at = app("documents")
        assert "The 5 best-connected of the 23 documents are drawn and listed" in plain(texts(at))
        assert len(at.dataframe[0].value) == 5 and not at.metric  # conflicting claims wait for a click
        at.button(key="documents_conflicts_button").click()
        ok(at.run())
        assert {"27", "28"} <= {m.value for m in at.metric}
        at.button(key="documents_every_button").click()
        ok(at.run())
        assert len(at.dataframe[0].value) == 23
        assert "best-connected of the" not in plain(texts(at))
    finally:
        document_data._documents.clear()


def test_timeline_says_when_an_events_details_come_from_some_of_its_statements(
        app: AppFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import data

    monkeypatch.setattr(data, "NEAR_STATEMENTS", 2)
    at = app("timeline", since="2025-12-02", until="2025-12-02")
    assert at.selectbox(key="timeline_item_0").value == 0
    assert "Read from 2 of the " in plain(texts(at))
