"""Snapshots: the graph as it stood on a date, chosen graph by graph with SPARQL and streamed out of the
store graph by graph, with a VoID/DCTerms description of itself.

A snapshot as of a day keeps whole named graphs, never parts of them:

- every statement made by then (``dcterms:date`` ≤ day) and the claim graphs of those statements;
- every event dated by then (``sem:hasTimeStamp`` or ``sem:hasBeginTimeStamp`` ≤ day; a date-time counts
  by its own calendar day);
- the SKOS vocabulary graph;
- and, followed to a fixed point, every actor, place, issue, source, document and undated event those
  graphs refer to. A document created after the day or an event dated after it is never pulled in by a
  reference, nor is a statement or claim of a later day (they are kept by their date alone).

A claim is kept by ``parley:assertedOn``, which ingest sets to the date of the claim's statement (the
ontology defines it for this cut), so a statement and its claims are always kept or left out together.

Sources are kept because something kept cites them, whatever their own date: a statement made on
2 December is usually published on the 3rd, and a snapshot keeps the provenance of everything in it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import pyoxigraph as ox
from rdflib import Literal, URIRef

from graph.store import Store
from graph.terms import nt
from ontology.namespaces import (
    DCTERMS, ID_BASE, PARLEY, PROV, RDF, RDFS, SCHEMA, SEM, VOCAB_BASE, VOID, XSD,
)

VOCABULARY_GRAPH = VOCAB_BASE.rstrip("/")
SNAPSHOT_BASE = f"{ID_BASE}snapshot/"
SOFTWARE_BASE = "https://parley.example/software/parley/"
CHUNK = 1000  # candidate graph names per VALUES block when finding what refers to them
PROGRESS_EVERY = 20_000  # quads between two progress reports
SPOOL_BYTES = 64 * 1024 * 1024  # a dump up to this size stays in memory, a larger one goes to a temp file

Progress = Callable[[int, int], None]
"""Called with (quads read so far, quads in the store) while a snapshot is streamed."""


@dataclass(frozen=True)
class Snapshot:
    """Which named graphs make the graph as of `as_of` (None: the whole store, default graph included)."""

    as_of: dt.date | None
    graphs: frozenset[str]
    sources: tuple[str, ...]

    @property
    def whole(self) -> bool:
        return self.as_of is None

    def iri(self, created: dt.datetime) -> str:
        """The snapshot's own IRI, the name of the graph that describes it."""
        if self.as_of is not None:
            return f"{SNAPSHOT_BASE}{self.as_of.isoformat()}"
        return f"{SNAPSHOT_BASE}whole-{_utc(created):%Y%m%dT%H%M%SZ}"


# -- choosing the graphs --------------------------------------------------------------------------------

DAY = "SUBSTR(STR(?d), 1, 10)"  # SPARQL for the day of ?d: an xsd:date, or the calendar day of an xsd:dateTime
_MADE_BY = f"""SELECT DISTINCT ?g WHERE {{
  {{ ?g a <{PARLEY.Statement}> ; <{DCTERMS.date}> ?d }} UNION {{ ?g a <{PARLEY.Claim}> ; <{PARLEY.assertedOn}> ?d }}
  FILTER({DAY} <= STR(?day)) }}"""
_EVENT_DAYS = f"""SELECT ?g (MIN({DAY}) AS ?first) WHERE {{
  ?g a <{SEM.Event}> . {{ ?g <{SEM.hasTimeStamp}> ?d }} UNION {{ ?g <{SEM.hasBeginTimeStamp}> ?d }} }} GROUP BY ?g"""
_CREATED_AFTER = f"""SELECT ?g WHERE {{ ?g a <{PARLEY.Document}> ; <{DCTERMS.created}> ?d .
  FILTER({DAY} > STR(?day)) }}"""
_ENTITY_TYPES = (PARLEY.Actor, SCHEMA.Place, SEM.Place, PARLEY.Issue, PARLEY.Document, SCHEMA.CreativeWork, SEM.Event)
_ENTITIES = f"SELECT DISTINCT ?g WHERE {{ VALUES ?t {{ {' '.join(f'<{t}>' for t in _ENTITY_TYPES)} }} ?g a ?t }}"
_REFERRERS = "SELECT DISTINCT ?g ?u WHERE { VALUES ?u { %s } GRAPH ?g { ?s ?p ?u } FILTER(?g != ?u) }"


def as_of(store: Store, day: dt.date | None) -> Snapshot:
    """The named graphs of the graph as it stood on `day` (see the module docstring); None: every graph.

    A few SPARQL queries over the union of the graphs find what was said and what happened by then, and
    which graphs refer to which actors, places, issues, documents, sources and events; the fixed point
    of "referred to by a kept graph" is then followed in memory, not with one more query per hop.
    (:class:`Reading` finds the same graphs while it streams them, without the query for references.)

    >>> from graph.store import Store
    >>> as_of(Store.open("memory:"), dt.date(2025, 12, 3)).graphs
    frozenset()
    """
    found = engine(store)
    names = ({g.value for g in found.named_graphs() if isinstance(g, ox.NamedNode)} if found is not None
             else {str(g) for g in store.graph_names()})
    if day is None:
        return Snapshot(None, frozenset(names), _sources(store, names))
    kept, candidates = _seeds(store, day, names)
    referrers: dict[str, set[str]] = defaultdict(set)  # a graph → the candidates it refers to
    for i in range(0, len(candidates), CHUNK):
        values = " ".join(nt(URIRef(u)) for u in candidates[i:i + CHUNK])
        for g, u in store.select(_REFERRERS % values).rows:
            if g is not None and u is not None:
                referrers[str(g)].add(str(u))
    frontier = [g for g in kept if g in referrers]
    while frontier:
        new = {u for g in frontier for u in referrers[g]} - kept
        kept |= new
        frontier = [g for g in new if g in referrers]
    return Snapshot(day, frozenset(kept), _sources(store, kept))


def _seeds(store: Store, day: dt.date, names: set[str]) -> tuple[set[str], list[str]]:
    """The graphs kept by their own date (and the vocabulary), and the entity graphs that are kept only
    when a kept graph refers to them (sorted): neither kept already nor dated after `day`."""
    bound = {"day": Literal(day.isoformat(), datatype=XSD.date)}
    cut = day.isoformat()
    kept = {str(g) for g, in store.select(_MADE_BY, bound).rows if g is not None}
    blocked = {str(g) for g, in store.select(_CREATED_AFTER, bound).rows if g is not None}
    for g, first in store.select(_EVENT_DAYS).rows:
        if g is not None and first is not None:
            (kept if str(first) <= cut else blocked).add(str(g))
    kept &= names
    if VOCABULARY_GRAPH in names:
        kept.add(VOCABULARY_GRAPH)
    candidates = sorted(({str(g) for g, in store.select(_ENTITIES).rows if g is not None} & names) - kept - blocked)
    return kept, candidates


def _sources(store: Store, graphs: set[str]) -> tuple[str, ...]:
    rows = store.select(f"SELECT DISTINCT ?s WHERE {{ ?s a <{SCHEMA.CreativeWork}> }}").rows
    return tuple(sorted(str(s) for s, in rows if s is not None and str(s) in graphs))


# -- streaming the quads ----------------------------------------------------------------------------------

def engine(store: Store) -> ox.Store | None:
    """The embedded engine behind `store`; None for a remote endpoint, which is read through its dump."""
    found = getattr(store.backend, "engine", None)
    return found if isinstance(found, ox.Store) else None


class Reading:
    """The quads of the graph as of `day` (None: the whole store), read out of the store as a stream.

    From the embedded engine they are read graph by graph (``quads_for_pattern``), nothing else: the
    graphs kept by their own date first, then each entity graph as soon as a graph already read refers
    to it, which is :func:`as_of`'s fixed point found on the way, without its query for references.
    A remote endpoint gets :func:`as_of`, then its dump filtered. Either way memory stays flat.

    Read to the end, `snapshot` names the graphs it held, `triples` counts its quads and `graphs` its
    named graphs with at least one quad.
    """

    def __init__(self, store: Store, day: dt.date | None, *, progress: Progress | None = None) -> None:
        self.store = store
        self.day = day
        self.progress = progress
        self._tally = _Tally(None, 0)
        self._snapshot: Snapshot | None = None

    @property
    def triples(self) -> int:
        return self._tally.triples

    @property
    def graphs(self) -> int:
        return self._tally.graphs

    @property
    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            raise RuntimeError("a snapshot's graphs are known once its quads have been read to the end")
        return self._snapshot

    def __iter__(self) -> Iterator[ox.Quad]:
        found = engine(self.store)
        if found is None:
            snapshot = as_of(self.store, self.day)
            tally = self._tally
            seen: set[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = set()
            for quad in quads(self.store, snapshot, progress=self.progress):
                tally.triples += 1
                graph = quad.graph_name
                if not isinstance(graph, ox.DefaultGraph) and graph not in seen:
                    seen.add(graph)
                    tally.graphs += 1
                yield quad
            self._snapshot = snapshot
            return
        order = whole_store(found)
        names = {g.value for g in order if isinstance(g, ox.NamedNode)}
        self._tally = tally = _Tally(self.progress, len(found) if self.progress else 0)
        if self.day is None:
            kept = names
            yield from _graph_by_graph(found, order, tally)
        else:
            kept, candidates = _seeds(self.store, self.day, names)
            yield from _referred(found, kept, candidates, tally)
        tally.done()
        self._snapshot = Snapshot(self.day, frozenset(kept), _sources(self.store, kept))


GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph


def whole_store(found: ox.Store) -> list[GraphName]:
    """Every graph of the engine's store: the default graph, then the named graphs by name (a graph named
    by a blank node, which Parley never writes but an import might, last)."""
    named = sorted(found.named_graphs(), key=lambda g: (isinstance(g, ox.BlankNode), g.value))
    return [ox.DefaultGraph(), *named]


def _graph_by_graph(found: ox.Store, order: Iterable[GraphName], tally: _Tally) -> Iterator[ox.Quad]:
    for graph in order:
        n = 0
        for quad in found.quads_for_pattern(None, None, None, graph):
            n += 1
            yield quad
        tally.read(graph, n)


def _referred(found: ox.Store, kept: set[str], candidates: list[str], tally: _Tally) -> Iterator[ox.Quad]:
    """The graphs in `kept`, then, breadth first, each candidate that a graph read so far refers to
    (added to `kept` when it is first met)."""
    waiting: dict[object, str] = {ox.NamedNode(u): u for u in candidates}
    queue = deque(sorted(kept))
    while queue:
        graph = ox.NamedNode(queue.popleft())
        n = 0
        for quad in found.quads_for_pattern(None, None, None, graph):
            n += 1
            if waiting:
                name = waiting.pop(quad.object, None)
                if name is not None:
                    kept.add(name)
                    queue.append(name)
            yield quad
        tally.read(graph, n)


class _Tally:
    """Counts the quads and the named graphs holding any as graphs are read, and reports progress in
    quads read at most once every PROGRESS_EVERY quads (a graph is counted whole), and at the end."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.triples = 0
        self.graphs = 0
        self.due = PROGRESS_EVERY

    def read(self, graph: GraphName, n: int) -> None:
        self.triples += n
        if n and not isinstance(graph, ox.DefaultGraph):
            self.graphs += 1
        if self.progress is not None and self.triples >= self.due:
            self.progress(self.triples, max(self.total, self.triples))
            self.due = self.triples + PROGRESS_EVERY

    def done(self) -> None:
        """A snapshot reads only the graphs it keeps, so its last report says all the work is done."""
        if self.progress is not None:
            end = max(self.total, self.triples)
            self.progress(end, end)


def quads(store: Store, snapshot: Snapshot, *, progress: Progress | None = None) -> Iterator[ox.Quad]:
    """The snapshot's quads (a whole store's: every quad): graph by graph from the embedded engine (in a
    whole store the default graph first), else filtered out of the store's native N-Quads dump.

    A dump is spooled (in memory up to 64 MB, then in a temporary file) and parsed back as a stream, so
    memory stays flat whatever the store's size.
    """
    found = engine(store)
    total = store.backend.quad_count() if progress else 0
    if found is not None:
        tally = _Tally(progress, total)
        order = (whole_store(found) if snapshot.whole
                 else [ox.NamedNode(g) for g in sorted(snapshot.graphs)])
        yield from _graph_by_graph(found, order, tally)
        tally.done()
        return
    keep = {ox.NamedNode(g) for g in snapshot.graphs}
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        store.dump(spool, "nquads")  # type: ignore[arg-type]
        spool.seek(0)
        read = 0
        for quad in ox.parse(spool, ox.RdfFormat.N_QUADS):  # type: ignore[arg-type]
            read += 1
            if progress is not None and read % PROGRESS_EVERY == 0:
                progress(read, total)
            if snapshot.whole or quad.graph_name in keep:
                yield quad
        if progress is not None:
            progress(read, max(total, read))


# -- the description ------------------------------------------------------------------------------------

def parley_version() -> str:
    try:
        return version("parley")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def description(snapshot: Snapshot, *, triples: int, graphs: int, created: dt.datetime) -> list[ox.Quad]:
    """The snapshot's VoID/DCTerms description, in a graph of its own named by the snapshot's IRI.

    `void:triples` counts the quads of the data graphs and `void:documents` the named graphs (every record
    is published as one graph); neither counts this description. `dcterms:date` is the as-of day,
    `dcterms:created` the creation time, `dcterms:source` each source record kept, and
    `prov:wasAttributedTo` the Parley version that wrote it.

    >>> snap = Snapshot(dt.date(2025, 12, 3), frozenset(), ())
    >>> quads = description(snap, triples=0, graphs=0, created=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    >>> quads[0].graph_name.value
    'https://parley.example/id/snapshot/2025-12-03'
    """
    iri = snapshot.iri(created)
    me = ox.NamedNode(iri)
    software = ox.NamedNode(f"{SOFTWARE_BASE}{parley_version()}")

    def n(term: object) -> ox.NamedNode:
        return ox.NamedNode(str(term))

    def typed(value: str, datatype: object) -> ox.Literal:
        return ox.Literal(value, datatype=n(datatype))

    when = f"as of {snapshot.as_of.isoformat()}" if snapshot.as_of else "of the whole store"
    what = ("The graph as it stood that day: the statements made by then and their claims, the events "
            "dated by then, and the records they refer to." if snapshot.as_of else
            "Every named graph of the store.")
    triples_out: list[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (me, n(RDF.type), n(VOID.Dataset)),
        (me, n(RDF.type), n(PROV.Entity)),
        (me, n(DCTERMS.title), ox.Literal(f"Parley snapshot {when}", language="en")),
        (me, n(DCTERMS.description), ox.Literal(
            f"{what} Counts exclude this description graph.", language="en")),
        (me, n(DCTERMS.created), typed(_utc(created).isoformat().replace("+00:00", "Z"), XSD.dateTime)),
        (me, n(VOID.triples), typed(str(triples), XSD.integer)),
        (me, n(VOID.documents), typed(str(graphs), XSD.integer)),
        (me, n(PROV.wasAttributedTo), software),
        (software, n(RDF.type), n(PROV.SoftwareAgent)),
        (software, n(RDFS.label), ox.Literal(f"Parley {parley_version()}")),
        (software, n(SCHEMA.softwareVersion), ox.Literal(parley_version())),
    ]
    if snapshot.as_of is not None:
        triples_out.insert(4, (me, n(DCTERMS.date), typed(snapshot.as_of.isoformat(), XSD.date)))
    triples_out += [(me, n(DCTERMS.source), ox.NamedNode(s)) for s in snapshot.sources]
    return [ox.Quad(s, p, o, me) for s, p, o in triples_out]


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive time is the local time
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


__all__ = ["DAY", "Progress", "Reading", "Snapshot", "SNAPSHOT_BASE", "VOCABULARY_GRAPH", "as_of", "description",
           "engine", "now", "parley_version", "quads", "whole_store"]
