"""Export a snapshot in the formats people open: RDF for other tools, GraphML/GEXF/CSV for Gephi and
spreadsheets, and a picture for briefs and slides. Files are written to a temporary name beside the target
and renamed, so a failed export leaves the old file or none, never half of a new one.

- ``trig``, ``nq``: every kept named graph, plus the snapshot's description graph: a whole store is the
  engine's own dump, a snapshot is streamed out of the store graph by graph into pyoxigraph's
  serializers (`graph.snapshot.Reading`); memory stays flat either way.
- ``ttl``: the union of those graphs as one Turtle graph (each triple once).
- ``jsonld``: the same named graphs as JSON-LD 1.1, with ``ontology/context.jsonld`` embedded as the
  ``@context`` (never referenced by URL, so nothing is ever fetched), written by pyoxigraph's streaming
  JSON-LD serializer with the IRIs of the context's namespaces made compact.
- ``graphml``, ``gexf``, ``csv``: the analytics entity projection (`graph.projections.entity_graph`,
  cut to the day by its own rule: events, documents and statements dated by then, every actor, place
  and issue) with labels, types, kinds, dates and record ids as attributes; lists are joined with
  `` | `` as these formats only hold scalars. GEXF nodes carry a ``viz`` colour per type, so Gephi shows them coloured.
  CSV is ``nodes.csv`` and ``edges.csv`` with Gephi's column names (Id, Label; Source, Target, Type,
  Label = the relation), zipped into one file or written into a folder.
- ``svg``, ``png``: a picture of the projection, drawn by `graph.picture`: one layout (networkx's seeded
  spring layout, numpy only), one scene (colour per type, size by degree, labels placed greedily so that none overlap),
  drawn by a small SVG writer of our own or by Pillow. Pillow already comes with Streamlit, so a PNG
  needs no new dependency and no SVG rasteriser (cairo); matplotlib would add tens of MB to draw the same.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from itertools import chain
from operator import attrgetter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import networkx as nx
import pyoxigraph as ox

from graph import files
from graph.errors import ParleyError
from graph.facts import read_facts
from graph.picture import OTHER_COLOUR, TYPE_COLOURS, picture, png, svg
from graph.projections import entity_graph, flat
from graph.snapshot import (
    PROGRESS_EVERY, SOFTWARE_BASE, Progress, Reading, Snapshot, as_of, description, engine, now, parley_version,
    whole_store,
)
from graph.store import Store
from ontology import CONTEXT_PATH, PREFIXES

RDF_FORMATS = ("trig", "nq", "ttl", "jsonld")
GRAPH_FORMATS = ("graphml", "gexf", "csv")
PICTURE_FORMATS = ("png", "svg")
FORMATS = RDF_FORMATS + GRAPH_FORMATS + PICTURE_FORMATS
BINARY = frozenset({"png", "csv"})  # a zip or an image: the CLI never writes these to a terminal
EXTENSIONS = {".trig": "trig", ".nq": "nq", ".nquads": "nq", ".ttl": "ttl", ".jsonld": "jsonld",
              ".graphml": "graphml", ".gexf": "gexf", ".zip": "csv", ".csv": "csv", ".png": "png", ".svg": "svg"}


class ExportError(ParleyError):
    """An export was refused or failed; no file was left behind."""


@dataclass(frozen=True)
class Exported:
    """What an export wrote: RDF formats count triples and graphs, the others nodes and edges."""

    format: str
    target: str
    as_of: dt.date | None
    created: dt.datetime
    triples: int = 0
    graphs: int = 0
    nodes: int = 0
    edges: int = 0

    def summary(self) -> str:
        when = f"as of {self.as_of.isoformat()}" if self.as_of else "of the whole store"
        size = (f"{self.triples:,} triples in {self.graphs:,} graphs" if self.format in RDF_FORMATS
                else f"{self.nodes:,} nodes and {self.edges:,} edges")
        return f"Exported {size} {when} as {self.format} to {self.target}"


def format_for(path: str) -> str | None:
    """The format a file name asks for by its extension (a folder, `DIR/`, means CSV files)."""
    if path.endswith(("/", os.sep)) or files.is_folder(path):
        return "csv"
    return EXTENSIONS.get(Path(path).suffix.lower())


def export(store: Store, fmt: str, target: str | os.PathLike[str] | BinaryIO, *, as_of: dt.date | None = None,
           created: dt.datetime | None = None, progress: Progress | None = None) -> Exported:
    """Write the graph as of `as_of` (None: the whole store) in `fmt` to a file, a folder (csv) or a stream.

    :param target: a path (written to a temporary name beside it and renamed; for csv a name ending in
        ``/`` or an existing folder gets ``nodes.csv`` and ``edges.csv``), or a binary stream.
    :param created: the creation time recorded in the description (default: now), for reproducible files.
    :param progress: called with (quads read, quads in the store) while RDF streams out.
    :raises ExportError: an unknown format, a path that cannot be written.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    created = created or now()
    if not isinstance(target, (str, os.PathLike)):
        return _export_to(store, fmt, target, "-", as_of, created, progress)
    name = os.fspath(target)
    if fmt == "csv" and (name.endswith(("/", os.sep)) or files.is_folder(name)):
        return _csv_folder(store, Path(name), as_of, created)
    if fmt == "csv" and name.lower().endswith(".csv"):
        raise ExportError(f"cannot write {name}: CSV export is two files (nodes.csv and edges.csv); "
                          "give a .zip file or a folder ending in /")
    with atomic(Path(name)) as out:
        return _export_to(store, fmt, out, name, as_of, created, progress)


def _export_to(store: Store, fmt: str, out: BinaryIO, name: str, day: dt.date | None, created: dt.datetime,
               progress: Progress | None) -> Exported:
    if fmt in RDF_FORMATS:
        triples, graphs = write_rdf(store, day, fmt, out, created=created, progress=progress)
        return Exported(fmt, name, day, created, triples=triples, graphs=graphs)
    g = projection(store, day)
    if fmt == "graphml":
        nx.write_graphml(g, out, encoding="utf-8", prettyprint=True)
    elif fmt == "gexf":
        write_gexf(g, out, created)
    elif fmt == "csv":
        write_csv_zip(g, out, created)
    else:
        scene = picture(g, as_of=day)
        out.write(svg(scene) if fmt == "svg" else png(scene))
    return Exported(fmt, name, day, created, nodes=g.number_of_nodes(), edges=g.number_of_edges())


def export_bytes(store: Store, fmt: str, *, as_of: dt.date | None = None,
                 created: dt.datetime | None = None) -> bytes:
    """The graph as of `as_of` (None: the whole store) in `fmt`, as bytes (csv: a zip of the two files),
    for a download.

    >>> export_bytes(Store.open("memory:"), "csv")[:2]
    b'PK'
    """
    out = io.BytesIO()
    export(store, fmt, out, as_of=as_of, created=created)
    return out.getvalue()


# -- writing files safely ---------------------------------------------------------------------------------

def _writable_folder(path: Path) -> Path:
    folder = path.parent
    try:
        if not folder.exists():
            raise ExportError(f"cannot write {path}: folder {folder} does not exist")
        if not folder.is_dir():
            raise ExportError(f"cannot write {path}: {folder} is not a folder")
        if path.is_dir():
            raise ExportError(f"cannot write {path}: it is a folder (for CSV files into a folder, end the name "
                              "with /)")
    except OSError as e:  # a name longer than the file system allows, say
        raise ExportError(f"cannot write {path}: {e.strerror or e}") from None
    return folder


@contextmanager
def atomic(path: Path) -> Iterator[BinaryIO]:
    """`files.replacing(path)` for an export: `path` is the old file or the whole new one, and what fails
    is an ExportError that says whether anything could be written (a broken pipe passes as it is)."""
    _writable_folder(path)
    opened = False
    try:
        with files.replacing(path) as out:
            opened = True
            yield out
    except OSError as e:
        if isinstance(e, BrokenPipeError):
            raise
        raise ExportError(f"cannot write {path}: {e.strerror or e}{'; nothing was written' if opened else ''}"
                          ) from None


def _csv_folder(store: Store, folder: Path, day: dt.date | None, created: dt.datetime) -> Exported:
    made = False
    if not files.exists(folder):  # a name too long for one: _writable_folder says so
        _writable_folder(folder)
        try:
            folder.mkdir()
        except OSError as e:
            raise ExportError(f"cannot create folder {folder}: {e.strerror or e}") from None
        made = True
    g = projection(store, day)
    files_of = {"nodes.csv": nodes_csv(g), "edges.csv": edges_csv(g)}
    try:
        with ExitStack() as both:  # both written in full before either is renamed
            for name, data in files_of.items():
                both.enter_context(files.replacing(folder / name)).write(data)
    except BaseException as e:
        if made:
            folder.rmdir()
        if isinstance(e, OSError):
            raise ExportError(f"cannot write into {folder}: {e.strerror or e}; nothing was written") from None
        raise
    return Exported("csv", f"{folder}{os.sep}", day, created, nodes=g.number_of_nodes(), edges=g.number_of_edges())


# -- RDF ---------------------------------------------------------------------------------------------------

def write_rdf(store: Store, day: dt.date | None, fmt: str, out: BinaryIO, *, created: dt.datetime,
              progress: Progress | None = None) -> tuple[int, int]:
    """Write the graph as of `day` (None: the whole store), then its description graph, to `out` as trig,
    nq, ttl or jsonld, as a stream (no copy of the data in memory); return the quads and the named graphs
    written, the description aside.

    The embedded engine dumps a whole store itself (`_dump_whole`); else the quads are read graph by graph
    (`graph.snapshot.Reading`) into pyoxigraph's serializers.

    :raises ExportError: `fmt` is not an RDF format.
    """
    if fmt not in RDF_FORMATS:
        raise ExportError(f"{fmt} is not an RDF format: use one of {', '.join(RDF_FORMATS)}")
    found = engine(store)
    if day is None and found is not None:
        return _dump_whole(store, found, fmt, out, created, progress)
    reading = Reading(store, day, progress=progress)

    def then_description() -> Iterator[ox.Quad]:
        yield from reading
        yield from description(reading.snapshot, triples=reading.triples, graphs=reading.graphs, created=created)

    if fmt == "trig":
        ox.serialize(then_description(), out, ox.RdfFormat.TRIG, prefixes=PREFIXES)
    elif fmt == "nq":
        ox.serialize(then_description(), out, ox.RdfFormat.N_QUADS)
    elif fmt == "ttl":
        ox.serialize(union(store, then_description(), Snapshot(day, frozenset(), ()).iri(created)), out,
                     ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    else:
        write_jsonld(then_description(), out)
    return reading.triples, reading.graphs


_FORMAT = {"trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}


def _dump_whole(store: Store, found: ox.Store, fmt: str, out: BinaryIO, created: dt.datetime,
                progress: Progress | None) -> tuple[int, int]:
    """A whole store by the engine's own dump, its description after it (in TriG, a second block of
    prefixes, then the description graph; in JSON-LD, one more element of `@graph`)."""
    # The engine counts its quads and named graphs from its indexes: at 7.7 million quads 1.2 s and 3.4 s,
    # against 8.9 s for one SPARQL COUNT of both. (Parley drops a graph it empties, so every named graph
    # the engine lists holds quads.)
    triples, graphs = len(found), sum(1 for _ in found.named_graphs())
    about = description(as_of(store, None), triples=triples, graphs=graphs, created=created)
    if fmt == "jsonld":
        context = local_context()
        out.write(_jsonld_head(context))
        compacting = _Compacting(out, context)
        found.dump(_counted(compacting, b'{"@', triples, progress), _FORMAT[fmt])  # type: ignore[arg-type]
        compacting.append(ox.serialize(about, format=ox.RdfFormat.JSON_LD) or b"[]")
        compacting.close()
        out.write(b"\n}\n")
    elif fmt == "ttl":
        ox.serialize(_union_of_whole(found, about), _counted(out, b"\n", triples, progress), ox.RdfFormat.TURTLE,
                     prefixes=PREFIXES)
    else:
        prefixes = PREFIXES if fmt == "trig" else None
        found.dump(_counted(out, b"\n", triples, progress), _FORMAT[fmt], prefixes=prefixes)  # type: ignore[arg-type]
        ox.serialize(about, out, _FORMAT[fmt], prefixes=prefixes)
    if progress is not None:
        progress(triples, triples)
    return triples, graphs


def _union_of_whole(found: ox.Store, about: list[ox.Quad]) -> Iterator[ox.Triple]:
    """Every triple of the store once, then the description's triples not in the store already.

    Graph by graph, as :func:`union`; but only the graphs that describe a shared subject are looked at
    triple by triple, the others pass straight from the engine to the serializer."""
    subjects, graphs = _shared(found)
    seen: set[ox.Triple] = set()

    def checked(quads: Iterable[ox.Quad]) -> Iterator[ox.Triple]:
        return _once_per_subject(quads, subjects, seen)

    def pieces() -> Iterator[Iterator[ox.Triple]]:
        for graph in whole_store(found):
            quads = found.quads_for_pattern(None, None, None, graph)
            yield checked(quads) if graph in graphs else map(_TRIPLE, quads)
        yield (q.triple for q in about if next(found.quads_for_pattern(q.subject, q.predicate, q.object), None) is None)

    return chain.from_iterable(pieces())


_TRIPLE = attrgetter("triple")


def _counted(out: Any, mark: bytes, total: int, progress: Progress | None) -> Any:
    """`out`, or with a progress callback a writer that counts `mark` in what passes (one a quad in
    N-Quads, about one a quad in TriG, Turtle and JSON-LD) and reports it, never past `total`."""
    return out if progress is None else _Counting(out, mark, total, progress)


class _Counting:
    def __init__(self, out: Any, mark: bytes, total: int, progress: Progress) -> None:
        self.out, self.mark, self.total, self.progress = out, mark, total, progress
        self.count = 0
        self.due = PROGRESS_EVERY

    def write(self, data: bytes) -> int:
        self.count += bytes(data).count(self.mark)
        if self.count >= self.due:
            self.progress(min(self.count, self.total), self.total)
            self.due = self.count + PROGRESS_EVERY
        return int(self.out.write(data) or len(data))

    def flush(self) -> None:
        pass


_SHARED = """SELECT DISTINCT ?s ?g WHERE {
  { SELECT ?s WHERE { { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o BIND("" AS ?g) } }
    GROUP BY ?s HAVING (COUNT(DISTINCT ?g) > 1) }
  { GRAPH ?g { ?s ?p ?o } } UNION { ?s ?p ?o } }"""


def _shared(found: ox.Store) -> tuple[set[object], set[object]]:
    """The subjects described in more than one graph (the only ones whose triples can repeat in a union
    of graphs), and the graphs that describe them (the default graph as `DefaultGraph`)."""
    subjects: set[object] = set()
    graphs: set[object] = set()
    solutions = found.query(_SHARED)
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        subjects.add(row[0])
        graphs.add(row[1] if row[1] is not None else ox.DefaultGraph())
    return subjects, graphs


def union(store: Store, stream: Iterable[ox.Quad], snapshot_iri: str) -> Iterator[ox.Triple]:
    """The triples of the quads, each once.

    Only a subject described in more than one graph can give the same triple twice: with the embedded
    engine one query finds those subjects (and the description's two, which an imported snapshot may
    hold already), and only their triples are remembered, so memory stays flat. Anywhere else a digest
    of every triple is remembered (:func:`once`).
    """
    found = engine(store)
    if found is None:
        yield from once(stream)
        return
    shared = _shared(found)[0] | {ox.NamedNode(snapshot_iri), ox.NamedNode(f"{SOFTWARE_BASE}{parley_version()}")}
    yield from _once_per_subject(stream, shared, set())


def _once_per_subject(quads: Iterable[ox.Quad], subjects: set[object], seen: set[ox.Triple]) -> Iterator[ox.Triple]:
    """The triples of the quads, leaving out one already in `seen`: only the triples of `subjects` (those
    described in several graphs, the only ones that can repeat) are remembered there."""
    for quad in quads:
        triple = quad.triple
        if triple.subject in subjects:
            if triple in seen:
                continue
            seen.add(triple)
        yield triple


def once(stream: Iterable[ox.Quad]) -> Iterator[ox.Triple]:
    """The triples of the quads, each once (a 16-byte digest per triple remembers what was written)."""
    seen: set[bytes] = set()
    for quad in stream:
        triple = quad.triple
        key = hashlib.blake2b(str(triple).encode(), digest_size=16).digest()
        if key not in seen:
            seen.add(key)
            yield triple


def local_context() -> dict[str, Any]:
    """The `@context` object of ontology/context.jsonld."""
    context = json.loads(CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]
    assert isinstance(context, dict)
    return context


def write_jsonld(stream: Iterable[ox.Quad], out: BinaryIO) -> None:
    """JSON-LD 1.1 with the local context embedded as the `@context`, and under `@graph` the engine's own
    streaming JSON-LD: one object per named graph (`@id`, `@graph`), triples of the default graph as
    top-level node objects, one node object a line. The engine writes full IRIs; those in the context's
    namespaces are written as compact IRIs (``parley:Statement``) on the way out."""
    context = local_context()
    out.write(_jsonld_head(context))
    compacting = _Compacting(out, context)
    ox.serialize(stream, compacting, ox.RdfFormat.JSON_LD)  # type: ignore[arg-type]
    compacting.close()
    out.write(b"\n}\n")


def _jsonld_head(context: dict[str, Any]) -> bytes:
    return b'{\n"@context": ' + json.dumps(context, indent=2).encode() + b',\n"@graph": '


class _Compacting:
    """A binary writer that passes the engine's JSON-LD on with the IRIs of the context's namespaces made
    compact where the engine writes IRIs: as keys (after ``{`` or ``,``), and as ``@id`` and ``@type``
    values; and with one node object a line.

    A byte-level rewrite is exact here because in JSON every ``"`` inside a string is escaped, so
    ``,"``, ``{"``, ``"@id":"`` and ``"@type":"`` only occur outside strings, and a literal's text is
    never touched. Text is rewritten a megabyte at a time, cut just after a ``}``, which no pattern
    contains. An IRI whose local part starts with ``//`` is left whole (JSON-LD would read
    ``prefix://…`` as an absolute IRI)."""

    CHUNK = 1 << 20

    def __init__(self, out: BinaryIO, context: dict[str, Any]) -> None:
        self.out = out
        self.pending = bytearray()
        self.flushed = False
        names = sorted(((ns.encode(), f"{p}:".encode()) for p, ns in context.items() if isinstance(ns, str)),
                       key=lambda r: -len(r[0]))
        # Every namespace starts with "http", so the pattern starts with the literal '"http' that the
        # regex engine looks for quickly; the lookbehinds then check what comes before the quote.
        assert all(ns.startswith(b"http") for ns, _ in names)
        self.table = {ns[4:]: b'"' + prefix for ns, prefix in names}
        self.pattern = re.compile(b'"http(?:(?<=[{,]"http)|(?<="@id":"http)|(?<="@type":"http))('
                                  + b"|".join(re.escape(ns[4:]) for ns, _ in names) + b")(?!//)")

    def write(self, data: bytes) -> int:
        self.pending += data
        if len(self.pending) >= self.CHUNK:
            cut = self.pending.rfind(b"}") + 1
            self._rewrite(bytes(self.pending[:cut]))
            del self.pending[:cut]
        return len(data)

    def flush(self) -> None:
        pass

    def append(self, array: bytes) -> None:
        """Continue the JSON array written so far (the engine's JSON-LD) with the elements of `array`."""
        assert self.pending.endswith(b"]") and array.startswith(b"[") and array.endswith(b"]")
        if array != b"[]":
            empty = not self.flushed and self.pending == b"[]"
            self.pending[-1:] = (b"" if empty else b",") + array[1:]

    def close(self) -> None:
        self._rewrite(bytes(self.pending))
        self.pending.clear()

    def _rewrite(self, text: bytes) -> None:
        self.flushed = True
        text = self.pattern.sub(lambda m: self.table[m[1]], text)
        self.out.write(text.replace(b'},{"@id":"', b'},\n{"@id":"'))


# -- the entity projection: GraphML, GEXF, CSV -----------------------------------------------------------

def projection(store: Store, day: dt.date | None) -> nx.MultiDiGraph:
    """The analytics entity projection as of `day`, with scalar attributes only: lists joined with
    `` | ``, and each node's record id as `record_id` (GEXF takes an `id` attribute for the node's id)."""
    g = flat(entity_graph(read_facts(store), as_of=day))
    for _, data in g.nodes(data=True):
        data["record_id"] = data.pop("id")
    g.graph = {"name": "Parley entities", "as_of": day.isoformat() if day else ""}
    return g


def write_gexf(g: nx.MultiDiGraph, out: BinaryIO, created: dt.datetime) -> None:
    """GEXF 1.2 with a `viz` colour per node type; the file's date is the export's, for reproducible files."""
    coloured = g.copy()
    for _, data in coloured.nodes(data=True):
        r, gr, b = TYPE_COLOURS.get(data.get("type", ""), OTHER_COLOUR)
        data["viz"] = {"color": {"r": r, "g": gr, "b": b, "a": 1.0}}
    writer = nx.readwrite.gexf.GEXFWriter(encoding="utf-8", prettyprint=True)
    meta = writer.xml.find("meta")
    if meta is not None:
        meta.set("lastmodifieddate", created.date().isoformat())
    writer.add_graph(coloured)
    writer.write(out)


NODE_COLUMNS = ["Id", "Label", "type", "kind", "date", "record_id"]
EDGE_COLUMNS = ["Source", "Target", "Type", "Label"]


def _csv(header: list[str], rows: Iterable[dict[str, Any]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.DictWriter(buf, header, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("true" if v is True else "false" if v is False else v) for k, v in row.items()})
    return buf.getvalue().encode("utf-8")


def nodes_csv(g: nx.MultiDiGraph) -> bytes:
    """One row per node: Id (the IRI), Label, type, kind, date, record_id, then the other attributes."""
    extra = sorted({k for _, d in g.nodes(data=True) for k in d} - {"label", *NODE_COLUMNS})
    rows = ({"Id": n, "Label": d.get("label", ""), **{k: v for k, v in d.items() if k != "label"}}
            for n, d in g.nodes(data=True))
    return _csv(NODE_COLUMNS + extra, rows)


def edges_csv(g: nx.MultiDiGraph) -> bytes:
    """One row per edge: Source, Target, Type (Directed), Label (the relation), then the other attributes."""
    extra = sorted({k for *_, d in g.edges(data=True) for k in d} - {"relation"})
    rows = ({"Source": u, "Target": v, "Type": "Directed", "Label": d.get("relation", k),
             **{x: y for x, y in d.items() if x != "relation"}} for u, v, k, d in g.edges(keys=True, data=True))
    return _csv(EDGE_COLUMNS + extra, rows)


def write_csv_zip(g: nx.MultiDiGraph, out: BinaryIO, created: dt.datetime) -> None:
    stamp = created.astimezone(dt.timezone.utc).timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in (("nodes.csv", nodes_csv(g)), ("edges.csv", edges_csv(g))):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


__all__ = ["BINARY", "EXTENSIONS", "FORMATS", "ExportError", "Exported", "atomic", "edges_csv",
           "export", "format_for", "local_context", "nodes_csv", "once", "projection",
           "union", "write_csv_zip", "write_gexf", "write_jsonld", "write_rdf"]
