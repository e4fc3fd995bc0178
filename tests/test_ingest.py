"""`parley ingest` of YAML records: mapping, provenance, idempotence, all-or-nothing, exact errors."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from graph.errors import InputError
from graph.store import Store
from ingest.pipeline import ingest_files
from ingest.records import read_record_file
from ui.cli import cli

DATA = Path(__file__).parent / "data"
ID = "https://parley.example/id/"


def dump_hash(store: Store) -> str:
    buf = io.BytesIO()
    store.dump(buf, "nquads")
    return hashlib.sha256(buf.getvalue()).hexdigest()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    for name in ("minimal.yaml", "minimal.txt"):
        shutil.copy(DATA / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def loaded_store(workdir: Path) -> Store:
    store = Store.open("memory:")
    ingest_files(store, [workdir / "minimal.yaml"])
    return store


def test_ingest_reports_what_it_wrote(workdir: Path) -> None:
    store = Store.open("memory:")
    report = ingest_files(store, [workdir / "minimal.yaml"])
    f = report.files[0]
    assert (f.statements, f.claims) == (1, 2)
    assert sorted(str(g).removeprefix(ID) for g in f.added) == [
        "actor/alice-aide", "actor/ruritania", "claim/s1-c1", "claim/s1-c2", "document/plan-a", "event/meeting-1",
        "issue/border-issue", "place/capital", "source/test-source", "statement/s1"]
    assert sorted(str(g).removeprefix(ID) for g in store.graph_names()) == sorted(
        [str(g).removeprefix(ID) for g in f.added] + ["https://parley.example/vocab"])


EXPECTED_CLAIM = """
@prefix parley: <https://parley.example/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix id: <https://parley.example/id/> .
@prefix v: <https://parley.example/vocab/> .

<https://parley.example/id/claim/s1-c1> a parley:Claim, parley:DocumentPointsClaim ;
    parley:collection <https://parley.example/id/collection/minimal> ;
    prov:wasDerivedFrom <https://parley.example/id/statement/s1> ;
    prov:wasAttributedTo <https://parley.example/id/actor/alice-aide> ;
    parley:assertedOn "2025-12-02"^^xsd:date ;
    parley:factuality <https://parley.example/vocab/factuality/asserted> ;
    parley:confidence <https://parley.example/vocab/confidence/disputed> ;
    parley:origin <https://parley.example/vocab/origin/curated> ;
    parley:document <https://parley.example/id/document/plan-a> ;
    parley:numberOfPoints 12 ;
    parley:quote <https://parley.example/id/selector/claim-s1-c1> ;
    parley:contentHash "HASH" .

<https://parley.example/id/selector/claim-s1-c1> a oa:SpecificResource ;
    oa:hasSource <https://parley.example/id/source/test-source> ;
    oa:hasSelector <https://parley.example/id/selector/claim-s1-c1-quote>,
                   <https://parley.example/id/selector/claim-s1-c1-position> .
<https://parley.example/id/selector/claim-s1-c1-quote> a oa:TextQuoteSelector ;
    oa:exact "Plan A has 12 points." ;
    oa:prefix "tion: How many points?\\nA. Aide: " ;
    oa:suffix " So far, no compromise has been " .
<https://parley.example/id/selector/claim-s1-c1-position> a oa:TextPositionSelector ;
    oa:start 46 ;
    oa:end 67 .
"""


def test_a_claim_is_a_named_graph_with_its_provenance_and_exact_span(loaded_store: Store) -> None:
    claim = URIRef(ID + "claim/s1-c1")
    got = loaded_store.graph(claim)
    digest = str(next(got.objects(claim, URIRef("https://parley.example/ontology#contentHash"))))
    expected = Graph().parse(data=EXPECTED_CLAIM.replace("HASH", digest), format="turtle")
    assert isomorphic(got, expected), got.serialize(format="turtle")
    source_text = (DATA / "minimal.txt").read_text(encoding="utf-8")
    assert source_text[46:67] == "Plan A has 12 points."


def test_statement_span_is_found_in_the_source_text(loaded_store: Store) -> None:
    rows = loaded_store.select(
        "SELECT ?start ?end WHERE { ?st <http://www.w3.org/ns/oa#hasSelector> ?p . "
        "?p <http://www.w3.org/ns/oa#start> ?start ; <http://www.w3.org/ns/oa#end> ?end }",
        {"st": URIRef(ID + "selector/s1")}).rows
    assert [(int(a), int(b)) for a, b in rows] == [(46, 119)]


def test_reingest_changes_nothing(workdir: Path, loaded_store: Store) -> None:
    before = dump_hash(loaded_store)
    report = ingest_files(loaded_store, [workdir / "minimal.yaml"])
    assert (report.total("added"), report.total("replaced"), report.total("unchanged")) == (0, 0, 10)
    assert dump_hash(loaded_store) == before


def test_edited_record_replaces_its_graph_and_replace_source_removes(workdir: Path, loaded_store: Store) -> None:
    path = workdir / "minimal.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("labels: {en: The Capital}", "labels: {en: The Old Capital}")
                    .replace("  - id: border-issue\n    labels: {en: border issue}\n    category: territory\n", "")
                    .replace("    issues: [border-issue]\n", "")
                    .replace("      - kind: position\n        actor: ruritania\n        issue: border-issue\n"
                             "        stance: no-compromise-yet\n"
                             "        quote: \"no compromise has been found on the border\"\n", ""),
                    encoding="utf-8")
    report = ingest_files(loaded_store, [path])
    f = report.files[0]
    assert sorted(str(g).removeprefix(ID) for g in f.replaced) == ["event/meeting-1", "place/capital", "statement/s1"]
    assert f.removed == []
    assert URIRef(ID + "issue/border-issue") in loaded_store.graph_names()
    report = ingest_files(loaded_store, [path], replace_source=True)
    assert sorted(str(g).removeprefix(ID) for g in report.files[0].removed) == ["claim/s1-c2", "issue/border-issue"]
    assert URIRef(ID + "issue/border-issue") not in loaded_store.graph_names()


def bad_variant(workdir: Path, old: str, new: str) -> Path:
    path = workdir / "bad.yaml"
    text = (workdir / "minimal.yaml").read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new).replace("collection: minimal", "collection: bad"), encoding="utf-8")
    return path


BAD = {
    "unknown actor": ("    speaker: alice-aide", "    speaker: bob",
                      "bad.yaml:46:14: statements[0].speaker: unknown actor 'bob': define it in this file or another "
                      "file given with it"),
    "quote not in text": ('quote: "Plan A has 12 points."', 'quote: "Plan B has 12 points."',
                          "bad.yaml:45:5: statements[0].claims[0].quote: the quote 'Plan B has 12 points.' does not "
                          "occur in the statement text"),
    "wrong span": ("    kind: answer\n", "    kind: answer\n    span: [0, 10]\n",
                   "bad.yaml:45:5: statements[0].span: the source text at [0, 10] is 'Briefing.\\n'…, not the "
                   "statement text 'Plan A has 12 points. So far, no compromise has been found o'…"),
    "claim id twice": ("      - kind: position\n", "      - kind: position\n        id: s1-c1\n",
                       "bad.yaml:45:5: statements[0].claims[1]: claim 's1-c1' is defined twice (also at bad.yaml:45, "
                       "statements[0].claims[0]); give each claim its own id (a claim without one is named "
                       "<statement id>-c<its number>)"),
    "defined elsewhere": ("collection: minimal", "collection: other", "bad.yaml:11:5: actors[0]: actor 'alice-aide' "
                          "is already defined in collection 'minimal'; refer to it by id instead of defining it again"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_ingest_is_refused_and_store_unchanged(workdir: Path, loaded_store: Store, case: str) -> None:
    old, new, message = BAD[case]
    path = bad_variant(workdir, old, new)
    if case == "defined elsewhere":
        path.write_text(path.read_text(encoding="utf-8").replace("collection: bad", "collection: other"),
                        encoding="utf-8")
    before = dump_hash(loaded_store)
    with pytest.raises(InputError) as e:
        ingest_files(loaded_store, [path])
    assert str(e.value).replace(str(workdir) + "/", "") == message
    assert dump_hash(loaded_store) == before


def test_cli_ingest_error_exit_1_and_store_unchanged(workdir: Path, tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    runner = CliRunner()
    ok = runner.invoke(cli, ["--store", store, "ingest", str(workdir / "minimal.yaml")])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout == ("Ingested 1 file(s): 1 statements, 2 claims; graphs 10 added, 0 replaced, 0 unchanged, "
                         "0 removed\n")
    with Store.open(store) as s:
        before = dump_hash(s)
    bad = bad_variant(workdir, "    speaker: alice-aide", "    speaker: bob")
    result = runner.invoke(cli, ["--store", store, "ingest", str(bad)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {bad}:46:14: statements[0].speaker: unknown actor 'bob': define it in this "
                             "file or another file given with it\n")
    with Store.open(store) as s:
        assert dump_hash(s) == before


def test_dry_run_writes_nothing(workdir: Path) -> None:
    store = Store.open("memory:")
    report = ingest_files(store, [workdir / "minimal.yaml"], dry_run=True)
    assert report.total("added") == 10
    assert store.graph_names() == []


def test_an_uploaded_record_file_cannot_read_server_files(workdir: Path) -> None:
    text = (workdir / "minimal.yaml").read_text(encoding="utf-8").replace("text_file: minimal.txt",
                                                                           "text_file: /etc/passwd")
    store = Store.open("memory:")
    with pytest.raises(InputError) as e:
        ingest_files(store, ["upload.yaml"], uploads={"upload.yaml": text.encode()}, local_text_files=False)
    assert str(e.value) == ("upload.yaml:4:5: sources[0]: text_file '/etc/passwd' was not uploaded with this "
                            "record file; upload the text too")
    report = ingest_files(store, ["upload.yaml"], uploads={
        "upload.yaml": text.replace("/etc/passwd", "minimal.txt").encode(),
        "minimal.txt": (workdir / "minimal.txt").read_bytes()}, local_text_files=False)
    assert report.total("added") == 10


# -- streaming a large file into the on-disk store ------------------------------------------------------------

def sorted_nquads(store: Store) -> list[bytes]:
    buf = io.BytesIO()
    store.dump(buf, "nquads")
    return sorted(buf.getvalue().splitlines())


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Path, list[Any]]:
    """A generated file of 300 statements (25,844 quads) with parts and batches small enough that it streams
    in several batches, and the streaming loads the ingest opens (the real objects, kept to look at)."""
    import graph.backends.embedded as embedded
    import ingest.pipeline as pipeline
    from graph.benchgen import generate

    monkeypatch.setattr(pipeline, "STATEMENTS_PER_PART", 40)
    monkeypatch.setattr(embedded, "BULK_BATCH_QUADS", 4000)
    opened: list[Any] = []
    real = Store.streaming_load

    def keep(self: Store) -> Any:
        opened.append(real(self))
        return opened[-1]

    monkeypatch.setattr(Store, "streaming_load", keep)
    return generate(300, tmp_path / "big.yaml"), opened


def test_a_large_file_streams_into_the_store_and_gives_the_same_graphs(
        streamed: tuple[Path, list[Any]], tmp_path: Path) -> None:
    path, opened = streamed
    with Store.open("memory:") as whole:
        ingest_files(whole, [path])
        expected = sorted_nquads(whole)
    folder = tmp_path / "store"
    with Store.open(str(folder), create=True) as s:
        report = ingest_files(s, [path])
    assert opened[0] is None, "a store in memory has no streaming load"
    # Every graph but the vocabularies came through the stream (in several batches of about 4,000 quads).
    assert opened[1].quads == len(expected) - sum(1 for q in expected if q.endswith(b"<https://parley.example/vocab> ."))
    assert report.total("added") == 1126
    assert opened[1].calls > 1 and not opened[1].compacts  # too small a load for the ingest to compact it
    from graph.backends.embedded import JOURNAL_NAME
    assert not (folder / JOURNAL_NAME).exists()
    with Store.open(str(folder)) as s:
        assert sorted_nquads(s) == expected
        again = ingest_files(s, [path])  # nothing new: nothing streams, every graph is unchanged
        assert again.total("unchanged") == 1126 == len(s.graph_names()) - 1 and again.total("added") == 0
        assert sorted_nquads(s) == expected


def test_a_large_file_says_how_far_its_ingest_has_come(
        streamed: tuple[Path, list[Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import graph.backends.embedded as embedded
    import ingest.pipeline as pipeline

    monkeypatch.setattr(embedded, "SETTLE_MIN_QUADS", 20_000)  # this load compacts the store at the end
    monkeypatch.setattr(pipeline, "PROGRESS_RECORDS", 100)
    monkeypatch.setattr(pipeline, "PROGRESS_EVERY", 0.0)  # every part, not every 5 s
    path, opened = streamed
    said: list[str] = []
    with Store.open(str(tmp_path / "store"), create=True) as s:
        ingest_files(s, [path], progress=said.append)
    records = len(read_record_file(path).records)
    assert said == [f"{path}: read {records:,} records",
                    *(f"{path}: {n:,} of 300 statements mapped and checked" for n in [*range(40, 300, 40), 300]),
                    f"finishing the bulk load ({opened[-1].quads:,} quads), then compacting the store",
                    f"[1/1] {path}: 1126 added, 0 replaced, 0 unchanged, 0 removed"]
    assert opened[-1].calls > 1 and opened[-1].compacts


def test_a_large_file_of_a_collection_the_store_holds_says_when_it_compacts(
        streamed: tuple[Path, list[Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file of a collection the store already holds does not stream: its graphs are bulk-loaded once every
    file has passed, and the ingest says so before that load compacts the store."""
    import graph.backends.embedded as embedded

    monkeypatch.setattr(embedded, "SETTLE_MIN_QUADS", 20_000)
    path, opened = streamed
    with Store.open("memory:") as whole:
        ingest_files(whole, [path])
        quads = sum(1 for q in sorted_nquads(whole) if not q.endswith(b"<https://parley.example/vocab> ."))
    collection = read_record_file(path).collection
    first = tmp_path / "first.yaml"
    first.write_text(f"parley: 1\ncollection: {collection}\nplaces:\n  - id: only-in-the-first-file\n"
                     f"    labels: {{en: Elsewhere}}\n", encoding="utf-8")
    said: list[str] = []
    with Store.open(str(tmp_path / "store"), create=True) as s:
        ingest_files(s, [first])
        report = ingest_files(s, [path], progress=said.append)
        assert opened[-1].calls == 0  # nothing went through the stream
        assert report.total("added") == 1126 and len(s.graph_names()) == 1126 + 2  # + the place, the vocabularies
    assert said == [f"{path}: {quads:,} quads bulk-loaded, now compacting the store",
                    f"[1/1] {path}: 1126 added, 0 replaced, 0 unchanged, 0 removed"]


def test_a_violation_in_the_last_part_drops_the_batches_already_streamed(
        streamed: tuple[Path, list[Any]], tmp_path: Path, workdir: Path) -> None:
    path, opened = streamed
    text = path.read_text(encoding="utf-8")
    at = text.rindex("    points: 21\n")
    path.write_text(text[:at] + "    points: -3\n" + text[at + len("    points: 21\n"):], encoding="utf-8")
    line = text[:at].count("\n") + 1
    folder = tmp_path / "store"
    with Store.open(str(folder), create=True) as s:
        ingest_files(s, [workdir / "minimal.yaml"])
        before = dump_hash(s)
        with pytest.raises(InputError) as e:
            ingest_files(s, [path])
        assert dump_hash(s) == before
    assert opened[-1].quads > 20_000, "no batch was streamed before the violation: the test shows nothing"
    statement_line = text[:text.rindex("\n- id: st-", 0, at) + 1].count("\n") + 1
    assert str(e.value) == (f"{path}:{statement_line}:3: statements[289]: SHACL: A document-points claim must have "
                            f"exactly one number of points (parley:numberOfPoints), an xsd:integer of at least 1. "
                            f"[parley:numberOfPoints of <https://parley.example/id/claim/st-000289-c2>]")
    assert line > statement_line
    from graph.backends.embedded import JOURNAL_NAME
    assert not (folder / JOURNAL_NAME).exists()
    with Store.open(str(folder)) as s:
        assert dump_hash(s) == before


def test_a_claim_id_of_another_collection_is_refused(workdir: Path, loaded_store: Store) -> None:
    """A claim's graph belongs to the collection that made it: another file may not add to it (the two
    claims would merge into one graph) or take it over."""
    path = workdir / "other.yaml"
    path.write_text("parley: 1\ncollection: other\nstatements:\n  - id: s9\n    speaker: alice-aide\n"
                    "    date: 2025-12-03\n    source: test-source\n    text: \"Plan A has 12 points.\"\n"
                    "    kind: answer\n    claims:\n      - kind: document-points\n        id: s1-c1\n"
                    "        document: plan-a\n        points: 12\n        confidence: disputed\n", encoding="utf-8")
    before = dump_hash(loaded_store)
    with pytest.raises(InputError) as e:
        ingest_files(loaded_store, [path])
    assert str(e.value) == (f"{path}:4:5: statements[0].claims[0]: claim 's1-c1' is already defined in collection "
                            f"'minimal'; give this claim an id of its own")
    assert dump_hash(loaded_store) == before
    path.write_text(path.read_text(encoding="utf-8").replace("id: s1-c1", "id: s9-c1"), encoding="utf-8")
    ingest_files(loaded_store, [path])
    assert URIRef(ID + "claim/s9-c1") in loaded_store.graph_names()
