"""Snapshots, export and diff: the graph as of a date, every format read back, Raptor's verdict, what
changed between two snapshots, and no partial file after a failed export."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from graph import export as export_module
from graph.diff import diff
from graph.export import ExportError, export, local_context, projection
from graph.snapshot import SNAPSHOT_BASE, as_of
from graph.store import Store
from ontology.namespaces import DCTERMS, PARLEY, PROV, RDF, SCHEMA, SEM, VOID, XSD
from ui.cli import cli

BEFORE = dt.date(2025, 12, 1)
AFTER = dt.date(2025, 12, 3)
CREATED = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
KREMLIN = URIRef("https://parley.example/id/event/kremlin-meeting-2025-12-02")
SEED = URIRef("https://parley.example/id/collection/ushakov-briefing-2025-12-02")
RDF_SUFFIX = {"trig": "trig", "nq": "nq", "ttl": "ttl", "jsonld": "jsonld"}
RDFLIB_FORMAT = {"trig": "trig", "nq": "nquads", "ttl": "turtle", "jsonld": "json-ld"}


# ── fixtures ───────────────────────────────────────────────────────────────────────────────────────

@pytest.fixture(scope="module")
def files(example_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[tuple[str, str], Path]]:
    """Every RDF format of the example exported as of 1 Dec, as of 3 Dec and whole, with a fixed creation time."""
    folder = tmp_path_factory.mktemp("exports")
    out = {}
    for when, day in (("before", BEFORE), ("after", AFTER), ("whole", None)):
        for fmt, suffix in RDF_SUFFIX.items():
            path = folder / f"{when}.{suffix}"
            export(example_store, fmt, path, as_of=day, created=CREATED)
            out[(when, fmt)] = path
    yield out


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder holding the example (closed, so that the CLI can open it)."""
    from ingest.pipeline import ingest_files

    path = tmp_path_factory.mktemp("cli") / "store"
    samples = Path(__file__).resolve().parent.parent / "ingest" / "samples"
    with Store.open(str(path), create=True) as s:
        ingest_files(s, sorted(samples.glob("*.yaml")))
    return path


def _ids(store: Store, query: str, day: dt.date) -> set[str]:
    return {str(row[0]) for row in store.select(query, {"day": Literal(day.isoformat(), datatype=XSD.date)}).rows}


STATEMENTS_BY = f"""SELECT ?s WHERE {{ ?s a <{PARLEY.Statement}> ; <{DCTERMS.date}> ?d .
    FILTER(SUBSTR(STR(?d), 1, 10) <= STR(?day)) }}"""
CLAIMS_BY = f"""SELECT ?c WHERE {{ ?c a <{PARLEY.Claim}> ; <{PROV.wasDerivedFrom}> ?s . ?s <{DCTERMS.date}> ?d .
    FILTER(SUBSTR(STR(?d), 1, 10) <= STR(?day)) }}"""
EVENTS_BY = f"""SELECT DISTINCT ?e WHERE {{ ?e a <{SEM.Event}> . {{ ?e <{SEM.hasTimeStamp}> ?d }} UNION
    {{ ?e <{SEM.hasBeginTimeStamp}> ?d }} FILTER(SUBSTR(STR(?d), 1, 10) <= STR(?day)) }}"""
SEED_STATEMENTS = f"SELECT ?s WHERE {{ ?s a <{PARLEY.Statement}> ; <{PARLEY.collection}> <{SEED}> }}"
SEED_CLAIMS = f"SELECT ?c WHERE {{ ?c a <{PARLEY.Claim}> ; <{PARLEY.collection}> <{SEED}> }}"


def _dataset(path: Path, fmt: str) -> dict[str, Graph]:
    """The named graphs of a file as rdflib reads it (rdflib's parsers, not the ones that wrote it)."""
    ds = Dataset()
    ds.parse(path, format=RDFLIB_FORMAT[fmt])
    out = {}
    for g in ds.graphs():
        if isinstance(g.identifier, URIRef) and len(g) and str(g.identifier) != "urn:x-rdflib:default":
            out[str(g.identifier)] = g
    return out


def _snapshot_iri(day: dt.date | None) -> str:
    return f"{SNAPSHOT_BASE}{day.isoformat()}" if day else f"{SNAPSHOT_BASE}whole-20260101T120000Z"


def _loaded(path: Path) -> Store:
    """An N-Quads export loaded into a fresh store, to ask it the same questions as the source."""
    s = Store.open("memory:")
    s.backend.add_nquads(path.read_bytes())
    return s


# ── as of a date ───────────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("day", [BEFORE, AFTER])
def test_as_of_keeps_exactly_the_statements_claims_and_events_made_by_then(
        example_store: Store, files: dict[tuple[str, str], Path], day: dt.date) -> None:
    exported = _loaded(files[("before" if day == BEFORE else "after", "nq")])
    for query in (STATEMENTS_BY, CLAIMS_BY, EVENTS_BY):
        expected = _ids(example_store, query, day)
        assert expected, "the example has something dated by then"
        assert _ids(exported, query, day) == expected
    # nothing dated later: no statement, claim, event or document of a later day came with a reference
    later = f"""SELECT ?g WHERE {{ {{ ?g <{DCTERMS.date}> ?d ; a <{PARLEY.Statement}> }} UNION
        {{ ?g <{PARLEY.assertedOn}> ?d }} UNION {{ ?g <{SEM.hasTimeStamp}> ?d }} UNION
        {{ ?g <{SEM.hasBeginTimeStamp}> ?d }} UNION {{ ?g a <{PARLEY.Document}> ; <{DCTERMS.created}> ?d }}
        FILTER(SUBSTR(STR(?d), 1, 10) > STR(?day)) }}"""
    assert _ids(exported, later, day) == set()
    assert _ids(example_store, later, day), "the example has later items that the snapshot must leave out"


def test_before_the_kremlin_meeting_its_statements_and_claims_are_absent(
        example_store: Store, files: dict[tuple[str, str], Path]) -> None:
    before = {str(g) for g in _loaded(files[("before", "nq")]).graph_names()}
    seed = {str(r[0]) for r in example_store.select(SEED_STATEMENTS).rows}
    seed_claims = {str(r[0]) for r in example_store.select(SEED_CLAIMS).rows}
    assert len(seed) > 20 and len(seed_claims) > 40
    assert not (seed | seed_claims | {str(KREMLIN)}) & before


def test_after_the_kremlin_meeting_its_statements_and_claims_are_there(
        example_store: Store, files: dict[tuple[str, str], Path]) -> None:
    after = {str(g) for g in _loaded(files[("after", "nq")]).graph_names()}
    seed = {str(r[0]) for r in example_store.select(SEED_STATEMENTS).rows}
    seed_claims = {str(r[0]) for r in example_store.select(SEED_CLAIMS).rows}
    assert (seed | seed_claims | {str(KREMLIN)}) <= after


def test_the_records_a_snapshot_refers_to_come_with_it(files: dict[tuple[str, str], Path]) -> None:
    """Every actor, place, issue, source or document a kept graph names is itself in the snapshot."""
    exported = _loaded(files[("after", "nq")])
    names = {str(g) for g in exported.graph_names()}
    mentioned = {str(r[0]) for r in exported.select(
        "SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(isIRI(?o) && REGEX(STR(?o), "
        "'^https://parley.example/id/(actor|place|issue|source)/[^/]+$')) }").rows}
    assert mentioned and mentioned <= names


def test_whole_store_snapshot_is_every_graph(example_store: Store) -> None:
    snap = as_of(example_store, None)
    assert snap.graphs == {str(g) for g in example_store.graph_names()}
    assert snap.whole and snap.as_of is None


def _rules_data() -> dict[URIRef, list[tuple[URIRef, URIRef, object]]]:
    """A small dataset that exercises every rule of a snapshot as of a date."""
    from ontology.namespaces import FOAF, ORG, RDFS

    i = "https://parley.example/id/"
    n = {k: URIRef(i + k) for k in ("actor/a", "actor/s", "actor/b", "source/src", "statement/st1",
                                   "claim/c1", "statement/st2", "claim/c2", "event/e1", "event/undated",
                                   "event/late-evening", "place/p", "document/d1", "document/d2")}

    def day(text: str) -> Literal:
        return Literal(text, datatype=XSD.date)

    data: dict[URIRef, list[tuple[URIRef, URIRef, object]]] = {
        n["actor/a"]: [(n["actor/a"], RDF.type, PARLEY.Actor), (n["actor/a"], RDF.type, FOAF.Person),
                       (n["actor/a"], ORG.memberOf, n["actor/s"])],
        n["actor/s"]: [(n["actor/s"], RDF.type, PARLEY.Actor)],
        n["actor/b"]: [(n["actor/b"], RDF.type, PARLEY.Actor)],
        n["source/src"]: [(n["source/src"], RDF.type, SCHEMA.CreativeWork), (n["source/src"], DCTERMS.date, day("2025-12-02"))],
        n["statement/st1"]: [(n["statement/st1"], RDF.type, PARLEY.Statement),
                             (n["statement/st1"], DCTERMS.date, day("2025-12-01")),
                             (n["statement/st1"], PROV.wasAttributedTo, n["actor/a"]),
                             (n["statement/st1"], PROV.wasQuotedFrom, n["source/src"]),
                             (n["statement/st1"], PARLEY.aboutEvent, n["event/undated"]),
                             (n["statement/st1"], PARLEY.hasClaim, n["claim/c1"])],
        n["claim/c1"]: [(n["claim/c1"], RDF.type, PARLEY.Claim), (n["claim/c1"], PROV.wasDerivedFrom, n["statement/st1"]),
                        (n["claim/c1"], PARLEY.assertedOn, day("2025-12-01")),
                        (n["claim/c1"], PARLEY.document, n["document/d1"]),
                        (n["claim/c1"], PARLEY.document, n["document/d2"])],
        n["statement/st2"]: [(n["statement/st2"], RDF.type, PARLEY.Statement),
                             (n["statement/st2"], DCTERMS.date, day("2025-12-05")),
                             (n["statement/st2"], PROV.wasAttributedTo, n["actor/b"])],
        n["claim/c2"]: [(n["claim/c2"], RDF.type, PARLEY.Claim), (n["claim/c2"], PROV.wasDerivedFrom, n["statement/st2"]),
                        (n["claim/c2"], PARLEY.assertedOn, day("2025-12-05")),
                        (n["claim/c2"], PARLEY.event, n["event/e1"])],
        n["event/e1"]: [(n["event/e1"], RDF.type, SEM.Event), (n["event/e1"], SEM.hasTimeStamp, day("2025-12-02")),
                        (n["event/e1"], SEM.hasPlace, n["place/p"])],
        n["event/undated"]: [(n["event/undated"], RDF.type, SEM.Event)],
        n["event/late-evening"]: [(n["event/late-evening"], RDF.type, SEM.Event), (
            n["event/late-evening"], SEM.hasBeginTimeStamp,
            Literal("2025-12-03T23:30:00+03:00", datatype=XSD.dateTime))],
        n["place/p"]: [(n["place/p"], RDF.type, SCHEMA.Place)],
        n["document/d1"]: [(n["document/d1"], RDF.type, PARLEY.Document)],
        n["document/d2"]: [(n["document/d2"], RDF.type, PARLEY.Document), (n["document/d2"], DCTERMS.created, day("2025-12-10"))],
        URIRef("https://parley.example/vocab"): [(URIRef("https://parley.example/vocab/stance/x"), RDFS.label, Literal("x"))],
    }
    return data


def test_as_of_rules_on_every_backend(store: Store, tmp_path: Path) -> None:
    """Statements and claims by their date; events by theirs (a date-time by its own day); documents
    only when referred to and not created later; actors, places, sources and undated events when
    referred to (sources whatever their date); the vocabulary always; nothing later pulled in."""
    store.write(put=_rules_data())

    def short(day: dt.date | None) -> set[str]:
        return {g.removeprefix("https://parley.example/id/") for g in as_of(store, day).graphs}

    by_1st = {"statement/st1", "claim/c1", "actor/a", "actor/s", "source/src", "event/undated", "document/d1",
              "https://parley.example/vocab"}
    assert short(dt.date(2025, 11, 30)) == {"https://parley.example/vocab"}
    assert short(BEFORE) == by_1st
    assert short(AFTER) == by_1st | {"event/e1", "place/p", "event/late-evening"}
    assert short(None) == {g.removeprefix("https://parley.example/id/") for g in map(str, _rules_data())}
    export(store, "trig", tmp_path / "rules.trig", as_of=AFTER, created=CREATED)
    graphs = _dataset(tmp_path / "rules.trig", "trig")
    assert set(graphs) - {_snapshot_iri(AFTER)} == as_of(store, AFTER).graphs
    for name, triples in _rules_data().items():
        if str(name) in graphs:
            assert set(graphs[str(name)]) == set(triples)


# ── round trips ────────────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("fmt", ["trig", "nq", "jsonld"])
@pytest.mark.parametrize("when", ["after", "whole"])
def test_named_graph_formats_read_back_graph_by_graph(
        example_store: Store, files: dict[tuple[str, str], Path], fmt: str, when: str) -> None:
    day = AFTER if when == "after" else None
    graphs = _dataset(files[(when, fmt)], fmt)
    description = graphs.pop(_snapshot_iri(day))
    assert set(graphs) == as_of(example_store, day).graphs
    for name, g in graphs.items():
        assert isomorphic(g, example_store.graph(URIRef(name))), name
    assert isomorphic(description, _dataset(files[(when, "trig")], "trig")[_snapshot_iri(day)])


@pytest.mark.parametrize("when", ["after", "whole"])
def test_turtle_is_the_union_of_the_graphs_and_the_description(
        example_store: Store, files: dict[tuple[str, str], Path], when: str) -> None:
    day = AFTER if when == "after" else None
    parsed = Graph().parse(files[(when, "ttl")], format="turtle")
    expected = Graph()
    for name in as_of(example_store, day).graphs:
        expected += example_store.graph(URIRef(name))
    expected += _dataset(files[(when, "trig")], "trig")[_snapshot_iri(day)]
    assert isomorphic(parsed, expected)


def test_jsonld_embeds_the_local_context(files: dict[tuple[str, str], Path]) -> None:
    doc = json.loads(files[("after", "jsonld")].read_text(encoding="utf-8"))
    assert doc["@context"] == local_context()  # an object, never a URL to fetch
    assert "parley:Statement" in files[("after", "jsonld")].read_text(encoding="utf-8")


AWKWARD_TEXT = 'a quote ,"https://schema.org/name": and {"@id":"http://purl.org/dc/terms/x"}, {"@type":"x'


def _awkward_store(store: Store) -> tuple[set[tuple[object, ...]], set[tuple[object, ...]]]:
    """Two graphs sharing a role's triples, a triple in the default graph, a literal that looks like the
    JSON-LD the engine writes, and IRIs whose local part starts with ``//``; (quads, distinct triples)."""
    from ontology.namespaces import ORG, RDFS

    i = "https://parley.example/id/"
    a, b, role, d = (URIRef(i + x) for x in ("actor/a", "actor/b", "role/r", "actor/d"))
    odd = URIRef("https://schema.org///odd")  # as schema:… its local part would start with //
    shared = [(role, RDF.type, ORG.Role), (role, RDFS.label, Literal("Envoy", lang="en"))]
    data = {a: [(a, RDF.type, PARLEY.Actor), (a, ORG.memberOf, role), (a, RDFS.comment, Literal(AWKWARD_TEXT)),
                (a, SCHEMA.sameAs, odd), (a, odd, Literal("5", datatype=odd)), *shared],
            b: [(b, RDF.type, PARLEY.Actor), (b, ORG.memberOf, role), *shared]}
    store.write(put=data)
    store.backend.add_nquads(f"<{d}> <{RDFS.label}> \"in the default graph\" .\n".encode())
    quads = {(*t, g) for g, triples in data.items() for t in triples} | {(d, RDFS.label, Literal("in the default graph"), None)}
    return quads, {q[:3] for q in quads}


def test_whole_store_exports_keep_the_default_graph_shared_triples_and_awkward_text(
        store: Store, tmp_path: Path) -> None:
    """On every backend: quads round-trip graph by graph (the default graph too), Turtle writes each
    triple once, and compact IRIs never touch a literal or an IRI whose local part starts with //."""
    import pyoxigraph as ox

    quads, triples = _awkward_store(store)
    for fmt in ("trig", "nq", "jsonld"):
        path = tmp_path / f"whole.{fmt}"
        done = export(store, fmt, path, created=CREATED)
        assert (done.triples, done.graphs) == (len(quads), 2)
        ds = Dataset()
        ds.parse(path, format=RDFLIB_FORMAT[fmt])
        back = {(s, p, o, None if str(g) == "urn:x-rdflib:default" else g) for s, p, o, g in ds.quads()
                if not str(g).startswith(SNAPSHOT_BASE)}
        assert back == quads, fmt
    text = (tmp_path / "whole.jsonld").read_text(encoding="utf-8")
    assert json.dumps(AWKWARD_TEXT)[1:-1] in text and '"https://schema.org///odd"' in text
    assert '"parley:Actor"' in text and '"rdfs:label"' in text
    export(store, "ttl", tmp_path / "whole.ttl", created=CREATED)
    written = [t for t in ox.parse(path=tmp_path / "whole.ttl", format=ox.RdfFormat.TURTLE)
               if not t.subject.value.startswith((SNAPSHOT_BASE, "https://parley.example/software/"))]
    assert len(written) == len(triples)  # the role's two triples once, though two graphs hold them
    assert set(Graph().parse(tmp_path / "whole.ttl", format="turtle")) >= triples


@pytest.mark.parametrize("day", [AFTER, None])
def test_the_description_says_what_the_snapshot_holds(
        example_store: Store, files: dict[tuple[str, str], Path], day: dt.date | None) -> None:
    graphs = _dataset(files[("after" if day else "whole", "trig")], "trig")
    me = URIRef(_snapshot_iri(day))
    d = graphs.pop(str(me))
    assert (me, RDF.type, VOID.Dataset) in d
    assert d.value(me, DCTERMS.created) == Literal("2026-01-01T12:00:00Z", datatype=XSD.dateTime)
    assert d.value(me, DCTERMS.date) == (Literal(day.isoformat(), datatype=XSD.date) if day else None)
    assert int(d.value(me, VOID.triples)) == sum(len(g) for g in graphs.values())
    assert int(d.value(me, VOID.documents)) == len(graphs)
    sources = {str(s) for g in graphs.values() for s in g.subjects(RDF.type, SCHEMA.CreativeWork)}
    assert sources and {str(s) for s in d.objects(me, DCTERMS.source)} == sources
    software = d.value(me, PROV.wasAttributedTo)
    assert str(d.value(software, SCHEMA.softwareVersion)) == version("parley")


def test_graphml_reads_back_with_the_same_nodes_edges_and_attributes(example_store: Store, tmp_path: Path) -> None:
    export(example_store, "graphml", tmp_path / "g.graphml", as_of=AFTER)
    expected = projection(example_store, AFTER)
    back = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    assert dict(back.nodes(data=True)) == dict(expected.nodes(data=True))
    assert _edges(back) == _edges(expected)
    node = expected.nodes[str(KREMLIN)]
    assert node["label"].startswith("Putin–Witkoff–Kushner") and node["type"] == "event" and node["date"] == "2025-12-02"


def test_gexf_reads_back_with_the_same_nodes_edges_and_attributes(example_store: Store, tmp_path: Path) -> None:
    export(example_store, "gexf", tmp_path / "g.gexf", as_of=AFTER, created=CREATED)
    expected = projection(example_store, AFTER)
    back = nx.read_gexf(tmp_path / "g.gexf")
    nodes = dict(back.nodes(data=True))
    colours = {}
    for d in nodes.values():
        colour = d.pop("viz")["color"]
        colours[d["type"]] = (colour["r"], colour["g"], colour["b"])
    assert nodes == dict(expected.nodes(data=True))
    assert colours["actor"] != colours["event"] and len(set(colours.values())) == len(colours)
    for *_, data in back.edges(keys=True, data=True):
        del data["id"]  # GEXF numbers its edges; the key (the relation) is what identifies them
    assert _edges(back) == _edges(expected)


def _edges(g: nx.MultiDiGraph) -> dict[tuple[str, str, str], dict[str, object]]:
    return {(u, v, k): d for u, v, k, d in g.edges(keys=True, data=True)}


def test_csv_nodes_and_edges_match_the_projection(example_store: Store, tmp_path: Path) -> None:
    export(example_store, "csv", tmp_path / "g.zip", as_of=AFTER)
    expected = projection(example_store, AFTER)
    with zipfile.ZipFile(tmp_path / "g.zip") as z:
        assert sorted(z.namelist()) == ["edges.csv", "nodes.csv"]
        nodes = z.read("nodes.csv").decode("utf-8").splitlines()
        edges = z.read("edges.csv").decode("utf-8").splitlines()
    import csv

    node_rows = list(csv.DictReader(nodes))
    edge_rows = list(csv.DictReader(edges))
    assert len(node_rows) == expected.number_of_nodes() and len(edge_rows) == expected.number_of_edges()
    assert {r["Id"] for r in node_rows} == set(expected.nodes)
    assert {(r["Source"], r["Target"], r["Label"]) for r in edge_rows} == set(expected.edges(keys=True))
    export(example_store, "csv", str(tmp_path / "folder") + "/", as_of=AFTER)
    assert (tmp_path / "folder" / "nodes.csv").read_bytes().decode("utf-8").splitlines() == nodes
    assert (tmp_path / "folder" / "edges.csv").read_bytes().decode("utf-8").splitlines() == edges


def test_csv_into_one_csv_file_is_refused(example_store: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="two files .* a .zip file or a folder ending in /"):
        export(example_store, "csv", tmp_path / "graph.csv")
    assert list(tmp_path.iterdir()) == []


def test_png_is_a_picture_of_sane_size(example_store: Store, tmp_path: Path) -> None:
    export(example_store, "png", tmp_path / "g.png")
    data = (tmp_path / "g.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (2400, 1600)
    assert 20_000 < len(data) < 5_000_000
    from PIL import Image

    with Image.open(tmp_path / "g.png") as img:
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 20  # not a blank canvas


def test_svg_parses_as_xml_and_carries_the_labels(example_store: Store, tmp_path: Path) -> None:
    export(example_store, "svg", tmp_path / "g.svg", as_of=AFTER)
    root = ET.parse(tmp_path / "g.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    titles = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title"))
    for label in ("Vladimir Putin", "Russia", "United States", "Yuri Ushakov", "Ukraine settlement"):
        assert label in texts
    assert "Putin–Witkoff–Kushner meeting in the Kremlin, 2 Dec 2025" in titles
    assert {"actor (142)", "event (31)"} & texts


def test_exports_with_the_same_creation_time_are_byte_identical(example_store: Store, tmp_path: Path) -> None:
    for fmt in ("trig", "jsonld", "gexf", "csv", "svg", "png"):
        suffix = "zip" if fmt == "csv" else fmt
        one, two = tmp_path / f"1.{suffix}", tmp_path / f"2.{suffix}"
        for path in (one, two):
            export(example_store, fmt, path, as_of=AFTER, created=CREATED)
        assert one.read_bytes() == two.read_bytes(), fmt


@pytest.mark.parametrize("fmt", ["nq", "trig", "ttl", "jsonld"])
@pytest.mark.parametrize("day", [None, AFTER])
def test_progress_is_reported_in_quads_read(example_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            fmt: str, day: dt.date | None) -> None:
    from graph import snapshot

    monkeypatch.setattr(snapshot, "PROGRESS_EVERY", 1000)
    monkeypatch.setattr(export_module, "PROGRESS_EVERY", 1000)
    calls: list[tuple[int, int]] = []
    export(example_store, fmt, tmp_path / f"g.{fmt}", as_of=day,
           progress=lambda done, total: calls.append((done, total)))
    quads = example_store.backend.quad_count()
    assert len(calls) > 2 and calls[-1] == (quads, quads)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls) and all(d <= t == quads for d, t in calls)


# ── Raptor, an outside validator ───────────────────────────────────────────────────────────────────

@pytest.fixture(scope="module")
def rapper() -> str:
    found = shutil.which("rapper")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("rapper (Debian package raptor2-utils) is missing and CI is set: CI must validate exports")
        pytest.skip("rapper is not installed (apt-get install raptor2-utils); "
                    "Raptor's check of the Turtle, N-Quads and TriG output did not run")
    return found


@pytest.mark.parametrize("fmt,syntax", [("ttl", "turtle"), ("nq", "nquads"), ("trig", "trig")])
@pytest.mark.parametrize("when", ["after", "whole"])
def test_rapper_parses_the_output_without_warnings(
        rapper: str, files: dict[tuple[str, str], Path], fmt: str, syntax: str, when: str) -> None:
    done = subprocess.run([rapper, "-i", syntax, "-c", str(files[(when, fmt)])], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "Error" not in done.stderr, done.stderr
    assert "Parsing returned" in done.stderr


# ── diff ───────────────────────────────────────────────────────────────────────────────────────────

def test_diff_of_two_snapshot_files_shows_the_kremlin_meeting_and_nothing_later(
        example_store: Store, files: dict[tuple[str, str], Path]) -> None:
    result = diff(files[("before", "trig")], files[("after", "trig")])
    assert not result.removed and not result.changed
    assert str(KREMLIN) in {r.iri for r in result.added["events"]}
    seed = {str(r[0]) for r in example_store.select(SEED_STATEMENTS).rows}
    seed_claims = {str(r[0]) for r in example_store.select(SEED_CLAIMS).rows}
    assert seed <= {r.iri for r in result.added["statements"]}
    assert seed_claims <= {r.iri for r in result.added["claims"] + result.added["positions"]}
    assert result.added["positions"]
    dated = [r for records in result.added.values() for r in records if r.date]
    assert dated and all(r.date is not None and r.date <= AFTER.isoformat() for r in dated)
    assert all(r.date is not None and r.date > BEFORE.isoformat()
               for kind in ("statements", "claims", "positions", "events") for r in result.added[kind])
    text = "\n".join(result.lines())
    assert "Putin–Witkoff–Kushner meeting in the Kremlin, 2 Dec 2025" in text
    assert "removed: nothing" in text and "changed: nothing" in text
    doc = json.loads(json.dumps(result.to_dict()))
    assert doc["from"]["as_of"] == "2025-12-01" and doc["to"]["as_of"] == "2025-12-03"
    assert doc["counts"]["added"]["statements"] == len(result.added["statements"])


def test_diff_between_dates_agrees_with_the_diff_between_files(
        example_store: Store, files: dict[tuple[str, str], Path]) -> None:
    by_date = diff(BEFORE, AFTER, store=example_store)
    by_file = diff(files[("before", "trig")], files[("after", "nq")])
    assert by_date.counts() == by_file.counts()
    assert {r.iri for rs in by_date.added.values() for r in rs} == {r.iri for rs in by_file.added.values() for r in rs}
    backwards = diff(AFTER, BEFORE, store=example_store)
    assert backwards.counts()["removed"] == by_date.counts()["added"] and not backwards.added


def test_diff_reports_a_graph_whose_content_hash_differs_as_changed(
        files: dict[tuple[str, str], Path], tmp_path: Path) -> None:
    text = files[("after", "nq")].read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if "contentHash" in x and f"<{KREMLIN}> ." in x)
    edited = tmp_path / "edited.nq"
    edited.write_text(text.replace(line, line.replace('"', '"0', 1)), encoding="utf-8")
    result = diff(files[("after", "nq")], edited)
    assert [r.iri for r in result.changed["events"][0]] == [str(KREMLIN), str(KREMLIN)]
    assert sum(result.counts()["changed"].values()) == 1 and not result.added and not result.removed
    assert "Events changed (1)" in "\n".join(result.lines())


def test_diff_of_a_bad_file_says_where(tmp_path: Path) -> None:
    from graph.errors import InputError

    bad = tmp_path / "bad.nq"
    bad.write_text("<https://x/a> <https://x/p> <https://x/o> <https://x/g> .\n<https://x/a> <p> \"x\" .\n")
    with pytest.raises(InputError, match=r"bad\.nq:2"):
        diff(bad, bad)
    with pytest.raises(InputError, match="TriG"):
        diff(tmp_path / "a.txt", bad)


# ── failures leave nothing behind ──────────────────────────────────────────────────────────────────

def test_a_bad_format_writes_nothing(example_store: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="unknown export format 'xml'"):
        export(example_store, "xml", tmp_path / "g.xml")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["missing/g.trig", "file.txt/g.trig", "folder"])
def test_an_unwritable_path_is_a_clear_error_and_writes_nothing(example_store: Store, tmp_path: Path,
                                                                 where: str) -> None:
    (tmp_path / "file.txt").write_text("x")
    (tmp_path / "folder").mkdir()
    before = sorted(p.name for p in tmp_path.rglob("*"))
    with pytest.raises(ExportError, match="cannot write"):
        export(example_store, "trig", tmp_path / where)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_a_read_only_folder_is_a_clear_error(example_store: Store, tmp_path: Path) -> None:
    """A folder the user may not write to. Root may write into any folder whatever its mode, so as root the
    folder is a read-only file system instead (a tmpfs mounted ro), which stops root too."""
    folder = tmp_path / "ro"
    folder.mkdir()
    as_root = os.geteuid() == 0
    if as_root:
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)], capture_output=True,
                           text=True)
        assert r.returncode == 0, f"mount a read-only tmpfs as root: {r.stderr.strip()}"
    else:
        folder.chmod(0o500)
    try:
        why = "Read-only file system" if as_root else "Permission denied"
        with pytest.raises(ExportError, match=f"cannot write .*g\\.trig: {why}"):
            export(example_store, "trig", folder / "g.trig")
        assert list(folder.iterdir()) == []
    finally:
        if as_root:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        else:
            folder.chmod(0o700)


def test_permission_denied_is_a_clear_error(example_store: Store, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """What a read-only folder gives a user who is not root (root may write anyway, so it is simulated)."""
    real_open = os.open

    def refuse(path: str | os.PathLike[str], *args: object, **kwargs: object) -> int:
        if str(path).endswith(".part"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(export_module.os, "open", refuse)
    with pytest.raises(ExportError, match=r"cannot write .*g\.trig: Permission denied"):
        export(example_store, "trig", tmp_path / "g.trig")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt", ["trig", "png", "csv"])
def test_a_failure_half_way_keeps_the_old_file_and_leaves_no_partial_one(
        example_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    target = tmp_path / f"g.{'zip' if fmt == 'csv' else fmt}"
    target.write_bytes(b"the previous export")

    def half_then_disk_full(*args: object, **kwargs: object) -> None:
        out = next(a for a in args if isinstance(a, io.IOBase))
        out.write(b"half of a file")
        raise OSError(28, "No space left on device")

    name = {"trig": "write_rdf", "png": "png", "csv": "write_csv_zip"}[fmt]
    if fmt == "png":
        monkeypatch.setattr(export_module, "png", lambda scene: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    else:
        monkeypatch.setattr(export_module, name, half_then_disk_full)
    with pytest.raises(ExportError, match="No space left on device"):
        export(example_store, fmt, target)
    assert target.read_bytes() == b"the previous export"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_an_interrupted_export_leaves_no_partial_file(example_store: Store, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(export_module, "write_rdf", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export(example_store, "trig", tmp_path / "g.trig")
    assert list(tmp_path.iterdir()) == []


# ── the command line ───────────────────────────────────────────────────────────────────────────────

def test_cli_export_then_diff_shows_the_kremlin_meeting(store_path: Path, tmp_path: Path) -> None:
    run = CliRunner()
    base = ["--store", str(store_path), "export", "--created", "2026-01-01T12:00:00Z"]
    a = run.invoke(cli, [*base, "--as-of", "2025-12-01", "--format", "trig", "-o", str(tmp_path / "a.trig")])
    b = run.invoke(cli, [*base, "--as-of", "2025-12-03", "-o", str(tmp_path / "b.trig")])
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    assert "as of 2025-12-03 as trig to" in b.stderr
    result = run.invoke(cli, ["diff", str(tmp_path / "a.trig"), str(tmp_path / "b.trig")])
    assert result.exit_code == 0, result.output
    assert "Putin–Witkoff–Kushner meeting in the Kremlin, 2 Dec 2025" in result.stdout
    assert result.stdout.startswith(f"Changes from {tmp_path / 'a.trig'} (as of 2025-12-01) to ")
    as_json = run.invoke(cli, ["--store", str(store_path), "diff", "--from", "2025-12-01", "--to", "2025-12-03",
                               "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert str(KREMLIN) in {r["iri"] for r in json.loads(as_json.stdout)["added"]["events"]}


def test_cli_writes_every_format_to_stdout_that_is_not_a_terminal(store_path: Path) -> None:
    run = CliRunner()
    ttl = run.invoke(cli, ["--store", str(store_path), "-s", "export", "--as-of", "2025-12-03", "--format", "ttl"])
    assert ttl.exit_code == 0 and ttl.stderr == ""
    assert len(Graph().parse(data=ttl.stdout_bytes, format="turtle")) > 1000
    png = run.invoke(cli, ["--store", str(store_path), "-s", "export", "--format", "png"])
    assert png.exit_code == 0 and png.stdout_bytes.startswith(b"\x89PNG\r\n")
    csv = run.invoke(cli, ["--store", str(store_path), "-s", "export", "--format", "csv", "-o", "-"])
    assert csv.exit_code == 0
    assert sorted(zipfile.ZipFile(io.BytesIO(csv.stdout_bytes)).namelist()) == ["edges.csv", "nodes.csv"]


@pytest.mark.parametrize("fmt", ["png", "csv"])
def test_cli_refuses_to_write_a_binary_format_to_a_terminal(store_path: Path, fmt: str) -> None:
    import pty

    parley = Path(sys.executable).with_name("parley")
    main, terminal = pty.openpty()
    try:
        done = subprocess.run([str(parley), "--store", str(store_path), "export", "--format", fmt], stdout=terminal,
                              stderr=subprocess.PIPE, text=True, timeout=120)
        os.set_blocking(main, False)
        try:
            shown = os.read(main, 4096)
        except BlockingIOError:
            shown = b""
    finally:
        os.close(main)
        os.close(terminal)
    example = "graph.zip" if fmt == "csv" else "graph.png"
    assert (done.returncode, done.stderr, shown) == (
        1, f"Error: {fmt} is binary: give a file with -o (e.g. -o {example}) or redirect the output to a file\n", b"")


def test_cli_takes_the_format_from_the_file_name(store_path: Path, tmp_path: Path) -> None:
    run = CliRunner()
    for name, first in (("g.gexf", b"<?xml"), ("g.svg", b"<?xml"), ("g.nq", b"<https://"), ("g.zip", b"PK")):
        result = run.invoke(cli, ["--store", str(store_path), "export", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).read_bytes().startswith(first), name
    folder = run.invoke(cli, ["--store", str(store_path), "export", "-o", str(tmp_path / "gephi") + "/"])
    assert folder.exit_code == 0 and (tmp_path / "gephi" / "edges.csv").exists()
    unknown = run.invoke(cli, ["--store", str(store_path), "export", "-o", str(tmp_path / "g.xyz")])
    assert unknown.exit_code == 1 and "cannot tell the format" in unknown.stderr
    assert not (tmp_path / "g.xyz").exists()


def test_cli_bad_format_is_a_usage_error_and_writes_nothing(store_path: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--store", str(store_path), "export", "--format", "xml",
                                      "-o", str(tmp_path / "g.xml")])
    assert result.exit_code == 1 and "'xml' is not one of" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_cli_diff_needs_two_snapshots_or_a_date(tmp_path: Path) -> None:
    run = CliRunner()
    assert run.invoke(cli, ["diff"]).exit_code == 1
    assert run.invoke(cli, ["diff", "a.trig"]).exit_code == 1
    missing = run.invoke(cli, ["diff", str(tmp_path / "a.trig"), str(tmp_path / "b.trig")])
    assert missing.exit_code == 1 and "a.trig: no such file" in missing.stderr
