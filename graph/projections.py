"""The store seen as networkx graphs: the entity graph, who meets whom, actors ↔ issues by stance, and
document lineage. One module that analytics, export and the UI share, so they all see the same graph.

Every projection takes a store (or the :class:`Facts` already read from one, to read once and project
several times) and can be cut to a period: events, statements and documents dated up to `as_of` (and
from `since`). An item with no date is kept when only `as_of` is given (nothing says it came later) and
dropped when `since` is given (nothing says it came after). Node and edge attributes are plain strings,
numbers, booleans and lists of strings; :func:`flat` joins the lists for GraphML and GEXF.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.collector import few_collections
from graph.store import Store
from ontology.namespaces import (
    DCTERMS, FOAF, OA, ORG, PARLEY, PREFIXES, PROV, RDF, RDFS, SCHEMA, SEM, SKOS,
)

ENTITY_TYPES = ("actor", "event", "document", "issue", "place", "statement")
ACTOR_KINDS = {str(FOAF.Person): "person", str(ORG.Organization): "organisation", str(PARLEY.State): "state",
               str(PARLEY.Group): "group"}
TOP_CLASSES = {str(PARLEY.Actor): "actor", str(SEM.Event): "event", str(PARLEY.Document): "document",
               str(PARLEY.Issue): "issue", str(SCHEMA.Place): "place", str(SEM.Place): "place",
               str(PARLEY.Statement): "statement"}
# What a record-level triple between two entities says, in words (subject → object).
RECORD_RELATIONS = {
    str(SEM.hasPlace): "held at", str(PARLEY.concerns): "concerns", str(PARLEY.involvesDocument): "discussed",
    str(PROV.wasRevisionOf): "revision of", str(PROV.wasDerivedFrom): "derived from",
    str(DCTERMS.isPartOf): "part of", str(PROV.wasAttributedTo): "drafted by", str(ORG.memberOf): "member of",
    str(SCHEMA.containedInPlace): "within", str(SKOS.broader): "part of",
}
RDF_TYPE = str(RDF.type)
LINEAGE_RELATIONS = ("revision of", "derived from", "part of")
TRAVEL = {"asserted": "went to", "future": "will go to", "hypothetical": "might go to", "negated": "did not go to"}


@dataclass
class Entity:
    """An actor, event, document, issue, place or statement, with every name it goes by."""

    iri: str
    type: str
    label: str = ""
    kind: str | None = None
    date: str | None = None  # ISO date: an event's day, a statement's day, a document's first known day
    names: list[str] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Said:
    """One statement: who said what, when, and where it is quoted from."""

    iri: str
    speaker: str
    date: str
    text: str
    event: str | None = None

    @property
    def id(self) -> str:
        return self.iri.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Evidence:
    """A statement behind a relation: the claim it makes and the words it makes it with."""

    statement: str
    quote: str
    claim: str | None = None
    factuality: str = "asserted"


@dataclass
class Link:
    """One relation between two entities, stated by a record (`record`) and/or by claims (`evidence`)."""

    source: str
    target: str
    relation: str
    record: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Participation:
    event: str
    actor: str
    role: str | None = None
    on_behalf_of: str | None = None
    evidence: Evidence | None = None  # None: from the event record


@dataclass(frozen=True)
class Position:
    actor: str
    issue: str
    stance: str
    evidence: Evidence
    on_document: str | None = None


@dataclass
class Facts:
    """What the projections need from a store, read with a few queries over the union of all graphs."""

    entities: dict[str, Entity] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    participations: list[Participation] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    statements: dict[str, Said] = field(default_factory=dict)
    member_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    names: dict[str, str] = field(default_factory=dict)  # the display name of any IRI (sources too)

    def label(self, iri: str) -> str:
        entity = self.entities.get(iri)
        return entity.label if entity else self.names.get(iri, iri.rsplit("/", 1)[-1])


Source = Store | Facts


def in_period(day: str | None, as_of: dt.date | None, since: dt.date | None) -> bool:
    if day is None:
        return since is None
    return (as_of is None or day <= as_of.isoformat()) and (since is None or day >= since.isoformat())


def facts(source: Source) -> Facts:
    """The facts of a store (a :class:`Facts` is returned as it is)."""
    return source if isinstance(source, Facts) else read_facts(source)


# -- reading the store ---------------------------------------------------------------------------------

def _values(*terms: object) -> str:
    return " ".join(f"<{t}>" for t in terms)


def _tail(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()


def _day(value: str | None) -> str | None:
    return None if value is None else value[:10]


def _rows(store: Store, query: str) -> list[tuple[str | None, ...]]:
    return store.select_text(query)


_CLAIM_FIELDS = {str(p): _kebab(_tail(str(p))) for p in (
    PARLEY.actor, PARLEY.issue, PARLEY.stance, PARLEY.event, PARLEY.role, PARLEY.onBehalfOf, PARLEY.target,
    PARLEY["from"], PARLEY.to, PARLEY.party, PARLEY.document, PARLEY.by, PARLEY.destination, PARLEY.onDocument,
    PARLEY.action, PARLEY.numberOfPoints)}


@few_collections()
def read_facts(store: Store) -> Facts:
    """Read the entities, their relations, the statements and the claims of a store."""
    f = Facts()
    ents = f.entities
    for s, t in _rows(store, f"SELECT ?s ?t WHERE {{ VALUES ?t {{ {_values(*TOP_CLASSES)} }} ?s a ?t }}"):
        assert s is not None and t is not None
        if s not in ents:
            ents[s] = Entity(s, TOP_CLASSES[t])
    for s, t in _rows(store, f"SELECT ?s ?t WHERE {{ ?s a <{SEM.Event}>, ?t . FILTER(STRSTARTS(STR(?t), "
                             f"\"{PREFIXES['parley']}\") && ?t != <{PARLEY.Event}>) }}"):
        if s in ents and t is not None:
            ents[s].kind = _kebab(_tail(t)).removesuffix("-event")
    for s, t in _rows(store, f"SELECT ?s ?t WHERE {{ VALUES ?t {{ {_values(*ACTOR_KINDS)} }} ?s a ?t }}"):
        if s in ents and t is not None:
            ents[s].kind = ACTOR_KINDS[t]
    _read_names(store, f)
    for s, d in _rows(store, f"SELECT ?s ?d WHERE {{ {{ ?s <{SEM.hasTimeStamp}> ?d }} UNION "
                             f"{{ ?s <{SEM.hasBeginTimeStamp}> ?d }} UNION {{ ?s a <{PARLEY.Document}> ; "
                             f"<{DCTERMS.created}> ?d }} }}"):
        if s in ents:
            _earliest(ents[s], _day(d))
    _read_links(store, f)
    for link in f.links:  # a document is known from the first event that involves it, if that is earlier
        if link.relation == "discussed" and ents[link.source].type == "event":
            _earliest(ents[link.target], ents[link.source].date)
    _read_statements(store, f)
    _read_claims(store, f)
    return f


# -- reading part of a store: what one view needs, without reading everything ------------------------
# A record, a statement and each claim live in named graphs of their own, so the facts about a few
# entities are those of the few graphs that mention them: read_facts over a throwaway copy of those
# graphs gives the same entities, links and claims as reading the whole store would, for that part.

def read_facts_of(store: Store, graphs: Iterable[str]) -> Facts:
    """The facts of some named graphs only: read_facts over a throwaway in-memory copy of them, with the
    records of every entity they mention (for its type, names and date)."""
    part = Store.open("memory:")
    _copy(store, part, set(graphs))
    mentioned = [str(e) for e, in part.select(
        f"SELECT DISTINCT ?e WHERE {{ ?s ?p ?e . FILTER(isIRI(?e) && ?p != <{RDF_TYPE}>) "
        f"FILTER NOT EXISTS {{ ?e a ?t }} }}").rows if e is not None]
    _copy(store, part, _records_of(store, mentioned))
    return read_facts(part)


def _records_of(store: Store, iris: list[str]) -> set[str]:
    """The graphs that say what type of entity each IRI is."""
    engine = getattr(store.backend, "engine", None)
    if engine is None:
        return _graphs(store, f"SELECT DISTINCT ?h WHERE {{ {{VALUES}} GRAPH ?h {{ ?e a ?t }} "
                              f"FILTER(?t IN ({', '.join(f'<{t}>' for t in TOP_CLASSES)})) }}", iris, "e")
    import pyoxigraph as ox

    kind, top = ox.NamedNode(RDF_TYPE), {ox.NamedNode(t) for t in TOP_CLASSES}
    return {q.graph_name.value for e in iris for q in engine.quads_for_pattern(ox.NamedNode(e), kind, None, None)
            if q.object in top and isinstance(q.graph_name, ox.NamedNode)}


def _copy(store: Store, part: Store, graphs: set[str]) -> None:
    names = sorted(graphs)
    engine = getattr(store.backend, "engine", None)
    if engine is not None:  # the embedded engine: copy the quads without turning them into Python terms
        import pyoxigraph as ox

        target = part.backend.engine  # type: ignore[attr-defined]
        for name in names:  # engine to engine as N-Triples: no Python object per quad
            graph = ox.NamedNode(name)
            data = engine.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
            if data:
                target.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
        return
    put: dict[Any, list[Any]] = defaultdict(list)
    for chunk in _chunks(names):
        for s, p, o, g in store.select(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {_values(*chunk)} }} "
                                       "GRAPH ?g { ?s ?p ?o } }", union=False).rows:
            put[g].append((s, p, o))
    part.write(put=put, fresh=True)


def _chunks(items: list[str], size: int = 2000) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _graphs(store: Store, query: str, values: Iterable[str], var: str) -> set[str]:
    """The graph names `query` finds, given IRIs bound to `var` (chunked, so that VALUES stays small)."""
    out: set[str] = set()
    for chunk in _chunks(sorted(set(values))):
        text = query.replace("{VALUES}", f"VALUES ?{var} {{ {_values(*chunk)} }}")
        out.update(str(row[0]) for row in store.select(text, union=True).rows if row[0] is not None)
    return out


def _engine(store: Store) -> Any:
    """The embedded Oxigraph engine behind a store, or None for a remote endpoint."""
    return getattr(store.backend, "engine", None)


def _statement_graphs(store: Store, statements: Iterable[str]) -> dict[str, set[str]]:
    """The graphs that say each IRI is a statement (none for an IRI that is not one)."""
    engine = _engine(store)
    out: dict[str, set[str]] = defaultdict(set)
    if engine is None:
        for chunk in _chunks(sorted(set(statements))):
            for said, h in store.select(f"SELECT DISTINCT ?st ?h WHERE {{ VALUES ?st {{ {_values(*chunk)} }} "
                                        f"GRAPH ?h {{ ?st a <{PARLEY.Statement}> }} }}", union=False).rows:
                out[str(said)].add(str(h))
        return out
    import pyoxigraph as ox

    kind, statement = ox.NamedNode(RDF_TYPE), ox.NamedNode(str(PARLEY.Statement))
    for st in set(statements):
        for q in engine.quads_for_pattern(ox.NamedNode(st), kind, statement, None):
            if isinstance(q.graph_name, ox.NamedNode):
                out[st].add(q.graph_name.value)
    return out


def _derived_from(store: Store, graphs: Iterable[str]) -> dict[str, set[str]]:
    """What the claims in each graph are derived from (``?c prov:wasDerivedFrom ?x`` in that graph)."""
    engine = _engine(store)
    out: dict[str, set[str]] = defaultdict(set)
    if engine is None:  # a remote endpoint: one query per chunk of graphs
        for chunk in _chunks(sorted(set(graphs))):
            for name, x in store.select(f"SELECT DISTINCT ?g ?x WHERE {{ VALUES ?g {{ {_values(*chunk)} }} "
                                        f"GRAPH ?g {{ ?c <{PROV.wasDerivedFrom}> ?x }} }}", union=False).rows:
                if type(x).__name__ == "URIRef":
                    out[str(name)].add(str(x))
        return out
    import pyoxigraph as ox

    # The embedded engine: one index lookup per graph. As SPARQL (VALUES ?g … GRAPH ?g … GRAPH ?h …) the
    # engine scans every statement's graph for each claim: seconds per thousand graphs.
    derived = ox.NamedNode(str(PROV.wasDerivedFrom))
    for g in set(graphs):
        for q in engine.quads_for_pattern(None, derived, None, ox.NamedNode(g)):
            if isinstance(q.object, ox.NamedNode):
                out[g].add(q.object.value)
    return out


def with_statements(store: Store, graphs: set[str]) -> set[str]:
    """Graphs and the graphs of the statements their claims come from."""
    behind = {x for found in _derived_from(store, graphs).values() for x in found}
    return graphs | {h for found in _statement_graphs(store, behind).values() for h in found}


def _mentioning(store: Store, iris: Iterable[str]) -> set[str]:
    """The named graphs with a triple whose subject or object is one of `iris`."""
    engine = _engine(store)
    if engine is None:
        return _graphs(store, "SELECT DISTINCT ?g WHERE { {VALUES} { GRAPH ?g { ?x ?p ?o } } "
                              "UNION { GRAPH ?g { ?s ?p ?x } } }", iris, "x")
    import pyoxigraph as ox

    out: set[str] = set()
    for iri in set(iris):
        node = ox.NamedNode(iri)
        for pattern in ((node, None, None, None), (None, None, node, None)):
            out.update(q.graph_name.value for q in engine.quads_for_pattern(*pattern)
                       if isinstance(q.graph_name, ox.NamedNode))
    return out


def graphs_around(store: Store, iris: Iterable[str]) -> set[str]:
    """The named graphs that mention any of `iris`, and the statements behind their claims: give them to
    :func:`read_facts_of` for every relation of those entities."""
    return with_statements(store, _mentioning(store, iris))


@dataclass(frozen=True)
class Around:
    """The named graphs to read for some entities' neighbourhood, and how many of the statements about
    them those graphs hold: `read` of `statements` (all of them when the two are equal)."""

    graphs: frozenset[str]
    statements: int
    read: int

    @property
    def complete(self) -> bool:
        return self.read == self.statements


def graphs_near(store: Store, iris: Iterable[str], *, statements: int | None = None) -> Around:
    """The graphs of :func:`graphs_around`, cut to at most `statements` statements (None: all).

    Entity records are always kept. The statements are those that mention one of `iris` and those behind
    a claim that does; a statement is kept with its claims about the entities. Kept first: the statements
    behind such claims (they make the relations between entities), then those that only mention them;
    the latest first within each."""
    mentioning = _mentioning(store, iris)
    own = _statement_graphs(store, mentioning)                 # graphs named after a statement: its own
    derived = _derived_from(store, mentioning)
    behind = _statement_graphs(store, {x for found in derived.values() for x in found})
    units: dict[str, set[str]] = defaultdict(set)              # statement → its graph and its claims' graphs
    backed: set[str] = set()
    for st, found in own.items():
        units[st] |= found
    for g, found in derived.items():
        for st in found:
            if st in behind:
                units[st] |= behind[st] | {g}
                backed.add(st)
    held = {g for found in units.values() for g in found}
    records = {g for g in mentioning if g not in held}
    chosen = list(units)
    if statements is not None and len(units) > statements:
        days = _dates_of(store, list(units))
        latest = sorted(units, key=lambda st: (days.get(st, ""), st), reverse=True)
        chosen = sorted(latest, key=lambda st: st not in backed)[:statements]  # stable: still the latest first
    return Around(frozenset(records.union(*(units[st] for st in chosen))), len(units), len(chosen))


def _dates_of(store: Store, statements: list[str]) -> dict[str, str]:
    """The date of each statement, as text."""
    engine = _engine(store)
    out: dict[str, str] = {}
    if engine is None:
        for chunk in _chunks(sorted(statements)):
            for said, d in store.select(f"SELECT ?st ?d WHERE {{ VALUES ?st {{ {_values(*chunk)} }} "
                                        f"?st <{DCTERMS.date}> ?d }}").rows:
                out[str(said)] = max(out.get(str(said), ""), str(d))
        return out
    import pyoxigraph as ox

    date = ox.NamedNode(str(DCTERMS.date))
    for st in statements:
        for q in engine.quads_for_pattern(ox.NamedNode(st), date, None, None):
            out[st] = max(out.get(st, ""), q.object.value)
    return out


DATING = (str(SEM.hasTimeStamp), str(SEM.hasBeginTimeStamp), str(DCTERMS.created), str(DCTERMS.date))


@dataclass(frozen=True)
class Dates:
    """Every value the dating properties (:data:`DATING`) take, by property and day, as N-Triples.

    A query that names the values of a period (``VALUES ?d { … }``) finds what is dated in it by index
    lookups; a FILTER on the date reads every dated thing in the store first. There are few values (a
    few per day), however many things share them."""

    values: dict[str, dict[str, tuple[str, ...]]]  # property → day → values

    def days(self, *properties: str) -> list[str]:
        """The days some properties (default: all) take a value on, in order."""
        return sorted({day for p in properties or DATING for day in self.values.get(p, {})})

    def within(self, since: dt.date | str | None, until: dt.date | str | None, *properties: str) -> list[str]:
        """The values of some properties (default: all) on the days from `since` to `until` (either open)."""
        low, high = (str(x) if x is not None else None for x in (since, until))
        return sorted({v for p in properties or DATING for day, found in self.values.get(p, {}).items()
                       if (low is None or day >= low) and (high is None or day <= high) for v in found})


def read_dates(store: Store) -> Dates:
    """The values the dating properties take (one query: no join, a few values per day)."""
    from graph.terms import nt

    found: dict[str, dict[str, set[str]]] = {p: defaultdict(set) for p in DATING}
    for p, d in store.select(f"SELECT DISTINCT ?p ?d WHERE {{ VALUES ?p {{ {_values(*DATING)} }} ?s ?p ?d }}").rows:
        if p is not None and d is not None:
            found[str(p)][str(d)[:10]].add(nt(d))
    return Dates({p: {day: tuple(sorted(v)) for day, v in days.items()} for p, days in found.items()})


def values_block(var: str, values: Iterable[str]) -> str:
    """``VALUES ?var { … }`` of terms already in N-Triples (an empty block matches nothing)."""
    return f"VALUES ?{var} {{ {' '.join(values)} }}"


def graphs_of_period(store: Store, since: dt.date | None, until: dt.date | None, *,
                     dates: Dates | None = None) -> set[str]:
    """The graphs of the events, documents and statements dated in a period, and of those statements'
    claims: give them to :func:`read_facts_of`. `dates`: the store's :func:`read_dates`, if at hand."""
    dates = dates or read_dates(store)
    a, b = since, until

    def on(prop: str) -> str:
        return values_block("d", dates.within(a, b, prop))

    dated = (f"{{ {on(str(DCTERMS.date))} ?x <{DCTERMS.date}> ?d ; a <{PARLEY.Statement}> }} UNION "
             f"{{ {on(str(SEM.hasTimeStamp))} ?x <{SEM.hasTimeStamp}> ?d }} UNION "
             f"{{ {on(str(SEM.hasBeginTimeStamp))} ?x <{SEM.hasBeginTimeStamp}> ?d }} UNION "
             f"{{ {on(str(DCTERMS.created))} ?x <{DCTERMS.created}> ?d ; a <{PARLEY.Document}> }}")
    items = [str(x) for x, in store.select(f"SELECT DISTINCT ?x WHERE {{ {dated} }}").rows if x is not None]
    # Simple patterns, one VALUES each: joined in one query, the engine reads every claim's graph.
    claims = _graphs(store, f"SELECT DISTINCT ?c WHERE {{ {{VALUES}} ?c <{PROV.wasDerivedFrom}> ?x }}", items, "x")
    return (_graphs(store, "SELECT DISTINCT ?g WHERE { {VALUES} GRAPH ?g { ?x a ?t } }", items, "x")
            | _graphs(store, f"SELECT DISTINCT ?g WHERE {{ {{VALUES}} GRAPH ?g {{ ?x a <{PARLEY.Claim}> }} }}", claims, "x"))


def read_entities(store: Store, iris: Iterable[str] | None = None, *,
                  types: Collection[str] = ENTITY_TYPES) -> Facts:
    """Entities with their types, kinds, names and dates, and no relations: enough to find an entity by
    name or to label it. `iris`: only these (default: every entity of `types`)."""
    f = Facts()
    ents = f.entities
    classes = {k: v for k, v in TOP_CLASSES.items() if v in types}
    chunks = [None] if iris is None else list(_chunks(sorted(set(iris))))
    # One VALUES block per query, the rest as FILTER … IN: the engine joins two VALUES blocks slowly.
    one_of = ", ".join(f"<{c}>" for c in classes)
    for chunk in chunks:
        only = "" if chunk is None else f"VALUES ?s {{ {_values(*chunk)} }} "
        # With no IRIs given, the classes are the VALUES block: a scan of one class, not of every type.
        listed = f"VALUES ?c {{ {_values(*classes)} }} " if chunk is None else ""
        for s, t in _rows(store, f"SELECT ?s ?c WHERE {{ {only}{listed}?s a ?c . FILTER(?c IN ({one_of})) }}"):
            if s is not None and t is not None and s not in ents:
                ents[s] = Entity(s, classes[t])
        if not ents:
            continue
        typed = f"{listed}?s a ?c . FILTER(?c IN ({one_of})) "
        for s, t in _rows(store, f"SELECT ?s ?t WHERE {{ {only}{typed}?s a ?t . FILTER(?t != ?c && (?t IN ("
                                 f"{', '.join(f'<{k}>' for k in ACTOR_KINDS)}) || (?c = <{SEM.Event}> && "
                                 f"STRSTARTS(STR(?t), \"{PREFIXES['parley']}\") && ?t != <{PARLEY.Event}>))) }}"):
            if s in ents and t is not None:
                ents[s].kind = ACTOR_KINDS.get(t) or _kebab(_tail(t)).removesuffix("-event")
        _read_names(store, f, only + typed)
        for s, d in _rows(store, f"SELECT ?s ?d WHERE {{ {only}{typed}{{ ?s <{SEM.hasTimeStamp}> ?d }} UNION "
                                 f"{{ ?s <{SEM.hasBeginTimeStamp}> ?d }} UNION {{ ?s a <{PARLEY.Document}> ; "
                                 f"<{DCTERMS.created}> ?d }} UNION {{ ?s a <{PARLEY.Statement}> ; "
                                 f"<{DCTERMS.date}> ?d }} }}"):
            if s in ents:
                _earliest(ents[s], _day(d))
    for e in ents.values():
        if e.type == "statement":  # as read_facts names them: by id (the speaker is not read here)
            e.names = [e.id]
    return f


def read_documents(store: Store) -> Facts:
    """The documents, with their names, kinds, first days, points and access, and the lineage between them
    (revision of, derived from, part of), as :func:`read_facts` reads them: what :func:`lineage_graph`
    needs, read with a few simple queries instead of a copy of every document's graph."""
    f = read_entities(store, types=("document",))
    docs = f.entities
    # The properties as FILTER … IN: in a VALUES block the engine reads every claim's values of them too.
    props = (PARLEY.documentKind, PARLEY.numberOfPoints, DCTERMS.accessRights, PROV.wasRevisionOf, PROV.wasDerivedFrom,
             DCTERMS.isPartOf, SKOS.broader)
    for s, p, o in _rows(store, f"SELECT ?s ?p ?o WHERE {{ ?s a <{PARLEY.Document}> ; ?p ?o . "
                                f"FILTER(?p IN ({', '.join(f'<{x}>' for x in props)})) }}"):
        if s not in docs or p is None or o is None:
            continue
        if p == str(PARLEY.documentKind):
            docs[s].kind = _tail(o)
        elif p == str(PARLEY.numberOfPoints):
            docs[s].attrs["points"] = int(o)
        elif p == str(DCTERMS.accessRights):
            docs[s].attrs["access"] = _tail(o)
        elif o in docs:
            f.links.append(Link(s, o, RECORD_RELATIONS[p], record=True))
    return f


def entities_with_id(store: Store, name: str) -> list[str]:
    """The entities whose id is exactly `name` (an actor, event, … minted from it): index look-ups only.

    An id is what links and URLs carry; when one names an entity, that entity is the answer, and no name
    needs searching (:func:`find_candidates` reads every name and entity IRI: 0.5 s at 100,000 statements).
    """
    from graph.iri import base

    given = name.strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", given):  # not the form of a minted id
        return []
    kinds = sorted(set(TOP_CLASSES.values()))
    rows = store.select(f"SELECT ?s ?t WHERE {{ VALUES ?s {{ {_values(*(f'{base()}{k}/{given}' for k in kinds))} }} "
                        "?s a ?t }").rows
    return sorted({str(s) for s, t in rows if s is not None and str(t) in TOP_CLASSES})


def find_candidates(store: Store, name: str) -> list[str]:
    """The entities whose names or ids contain `name` (case-insensitive): a superset of those that
    analytics.find_entity can pick for it, found without reading every name."""
    import unicodedata

    from rdflib import Literal

    from graph.iri import base
    from graph.terms import nt

    key = re.sub(r"\s+", " ", unicodedata.normalize("NFC", name)).strip().lower()
    if not key:
        return []
    text, dashed = nt(Literal(key)), nt(Literal(key.replace(" ", "-")))
    named = [t for t, kind in TOP_CLASSES.items() if kind != "statement"]
    # Statements are many and have no names of their own: one is found by its id or IRI, exactly.
    given = name.strip()
    said = {f"{base()}statement/{given}"} if re.fullmatch(r"[A-Za-z0-9._-]+", given) else set()
    if re.fullmatch(r"https?://[A-Za-z0-9._~:/#%-]+", given):
        said.add(given)
    rows = store.select(
        f"SELECT DISTINCT ?s WHERE {{ {{ VALUES ?p {{ {_values(RDFS.label, SKOS.prefLabel, DCTERMS.title, SKOS.altLabel)} }} "
        f"?s ?p ?l . FILTER(CONTAINS(LCASE(STR(?l)), {text})) }} UNION {{ VALUES ?t {{ {_values(*named)} }} "
        f"?s a ?t . FILTER(CONTAINS(LCASE(STR(?s)), {dashed}) || CONTAINS(LCASE(STR(?s)), {text})) }} UNION "
        f"{{ VALUES ?s {{ {_values(*said)} }} ?s a <{PARLEY.Statement}> }} }}").rows
    return [str(s) for s, in rows if s is not None]


def _read_names(store: Store, f: Facts, where: str = "") -> None:
    """Labels, preferred labels, titles and aliases: the first by kind and language names the thing."""
    labels: dict[str, list[tuple[int, str]]] = defaultdict(list)
    order = {str(RDFS.label): 0, str(SKOS.prefLabel): 1, str(DCTERMS.title): 2, str(SKOS.altLabel): 3}
    one_of = ", ".join(f"<{p}>" for p in order)
    for s, p, lit, lang in _rows(store, f"SELECT ?s ?p ?l (LANG(?l) AS ?lang) WHERE {{ {where} ?s ?p ?l . "
                                        f"FILTER(?p IN ({one_of})) }}"):
        assert s is not None and p is not None and lit is not None
        rank = order[p] * 3 + (0 if lang == "en" else 1 if not lang else 2)
        labels[s].append((rank, lit))
    for s, found in labels.items():
        found.sort()
        f.names[s] = found[0][1]
        if s in f.entities:
            f.entities[s].label = found[0][1]
            f.entities[s].names = list(dict.fromkeys(text for _, text in found))
    for e in f.entities.values():
        e.label = e.label or e.id


def _earliest(entity: Entity, day: str | None) -> None:
    if day is not None and (entity.date is None or day < entity.date):
        entity.date = day


def _read_links(store: Store, f: Facts) -> None:
    ents = f.entities
    for s, p, o in _rows(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {_values(*RECORD_RELATIONS)} }} "
                                f"?s ?p ?o }}"):
        assert s is not None and p is not None and o is not None
        if p == str(SKOS.broader) and s in ents and o not in ents:
            ents[s].kind = _tail(o)  # an issue's category
        if s not in ents or o not in ents or ents[s].type == "statement":
            continue  # claims and statements also carry prov:wasDerivedFrom / prov:wasAttributedTo
        if p == str(ORG.memberOf):
            f.member_of[s].add(o)
        if p == str(PROV.wasAttributedTo):  # a document's drafters: read as "actor drafted document"
            f.links.append(Link(o, s, "drafted", record=True))
        else:
            f.links.append(Link(s, o, RECORD_RELATIONS[p], record=True))
    for e, a in _rows(store, f"SELECT ?e ?a WHERE {{ ?e <{SEM.hasActor}> ?a }}"):
        if e in ents and a in ents:
            f.links.append(Link(a, e, "took part in", record=True))  # role and side come with Participation
    for _, e, a, role, behalf in _rows(store, f"""SELECT ?p ?e ?a ?r ?b WHERE {{
            ?p a <{PARLEY.Participation}> ; <{PARLEY.event}> ?e ; <{PARLEY.participant}> ?a .
            OPTIONAL {{ ?p <{SEM.roleType}> ?r }} OPTIONAL {{ ?p <{PARLEY.onBehalfOf}> ?b }} }}"""):
        if e in ents and a in ents:
            f.participations.append(Participation(e, a, role and _tail(role), behalf))
            f.links.append(Link(a, e, "took part in", record=True, attrs=_drop_none(
                role=role and _tail(role), on_behalf_of=behalf)))
    for d, act, by, to, day in _rows(store, f"""SELECT ?d ?act ?by ?to ?day WHERE {{
            ?d <{PARLEY.transfer}> ?t . ?t <{PARLEY.action}> ?act .
            OPTIONAL {{ ?t <{PARLEY.by}> ?by }} OPTIONAL {{ ?t <{PARLEY.to}> ?to }}
            OPTIONAL {{ ?t <{DCTERMS.date}> ?day }} }}"""):
        if d in ents and act is not None:
            _transfer_links(f, d, _tail(act), by, to, None, record=True)
            _earliest(ents[d], _day(day))
    for s, p, o in _rows(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ <{PARLEY.numberOfPoints}> "
                                f"<{DCTERMS.accessRights}> <{PARLEY.documentKind}> }} ?s a <{PARLEY.Document}> ; "
                                f"?p ?o }}"):
        if s in ents and o is not None:
            if p == str(PARLEY.documentKind):
                ents[s].kind = _tail(o)
            else:
                ents[s].attrs["points" if p == str(PARLEY.numberOfPoints) else "access"] = (
                    int(o) if p == str(PARLEY.numberOfPoints) else _tail(o))
    for s, src in _rows(store, f"SELECT ?s ?src WHERE {{ ?s <{DCTERMS.source}> ?src }}"):
        if s in ents and src is not None:
            ents[s].attrs.setdefault("sources", []).append(src)


def _drop_none(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


def _transfer_links(f: Facts, doc: str, action: str, by: str | None, to: str | None, about_event: str | None,
                    *, record: bool = False, evidence: Evidence | None = None) -> None:
    ev = [evidence] if evidence else []
    if by in f.entities:
        f.links.append(Link(by, doc, action, record=record, evidence=list(ev)))
    if to in f.entities:
        f.links.append(Link(doc, to, f"{action} to", record=record, evidence=list(ev)))
    if by not in f.entities and to not in f.entities and about_event in f.entities:
        f.links.append(Link(about_event, doc, action, record=record, evidence=list(ev)))


def _read_statements(store: Store, f: Facts) -> None:
    for s, speaker, day, text, event, answers in _rows(store, f"""SELECT ?s ?sp ?d ?x ?e ?q WHERE {{
            ?s a <{PARLEY.Statement}> ; <{PROV.wasAttributedTo}> ?sp ; <{DCTERMS.date}> ?d .
            OPTIONAL {{ ?s <{PARLEY.text}> ?x }} OPTIONAL {{ ?s <{PARLEY.aboutEvent}> ?e }}
            OPTIONAL {{ ?s <{PARLEY.respondsTo}> ?q }} }}"""):
        assert s is not None and speaker is not None and day is not None
        f.statements[s] = Said(s, speaker, day[:10], text or "", event)
        if s in f.entities:
            entity = f.entities[s]
            entity.date = day[:10]
            entity.label = f"{f.label(speaker)}, {human_date(day[:10])} ({entity.id})"
            entity.names = [entity.id]
            ev = Evidence(s, text or "")
            f.links.append(Link(speaker, s, "said", evidence=[ev]))
            if event is not None:
                f.links.append(Link(s, event, "about", evidence=[ev]))
            if answers is not None:
                f.links.append(Link(s, answers, "responds to", evidence=[ev]))


def _read_claims(store: Store, f: Facts) -> None:
    claims: dict[str, dict[str, Any]] = {}
    for c, kind, st, fact, quote in _rows(store, f"""SELECT ?c ?k ?st ?f ?q WHERE {{
            ?c a <{PARLEY.Claim}>, ?k ; <{PROV.wasDerivedFrom}> ?st .
            FILTER(?k != <{PARLEY.Claim}> && STRSTARTS(STR(?k), "{PREFIXES['parley']}") && STRENDS(STR(?k), "Claim"))
            OPTIONAL {{ ?c <{PARLEY.factuality}> ?f }}
            OPTIONAL {{ ?c <{PARLEY.quote}> ?sel . ?sel <{OA.hasSelector}> ?qs . ?qs <{OA.exact}> ?q }} }}"""):
        assert c is not None and kind is not None and st is not None
        if st in f.statements:
            claims[c] = {"kind": _kebab(_tail(kind)).removesuffix("-claim"), "statement": st,
                         "factuality": _tail(fact) if fact else "asserted", "quote": quote}
    fields: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for c, p, o in _rows(store, f"SELECT ?c ?p ?o WHERE {{ VALUES ?p {{ {_values(*_CLAIM_FIELDS)} }} "
                                f"?c a <{PARLEY.Claim}> ; ?p ?o }}"):
        if c in claims and p is not None and o is not None:
            fields[c][_CLAIM_FIELDS[p]].append(o)
    for c in sorted(claims):
        _claim_links(f, c, claims[c], fields[c])
    # A claim about an issue, in a statement about an event, is a statement behind "event concerns issue"
    # when the event's record says so too (it never makes that link on its own: a briefing may stray).
    concerns = {(link.source, link.target): link for link in f.links if link.relation == "concerns" and link.record}
    for c in sorted(claims):
        said = f.statements[claims[c]["statement"]]
        for issue in fields[c].get("issue", []) + fields[c].get("target", []):
            link = concerns.get((said.event or "", issue))
            if link is not None and claims[c]["factuality"] == "asserted":
                link.evidence.append(Evidence(said.iri, claims[c]["quote"] or said.text, c))


def _claim_links(f: Facts, c: str, claim: dict[str, Any], x: dict[str, list[str]]) -> None:
    said = f.statements[claim["statement"]]
    fact = claim["factuality"]
    ev = Evidence(said.iri, claim["quote"] or said.text, c, fact)
    one = {k: v[0] for k, v in x.items()}
    ents = f.entities

    def link(a: str | None, b: str | None, relation: str, **attrs: Any) -> None:
        if a in ents and b in ents:
            assert a is not None and b is not None
            f.links.append(Link(a, b, qualified(relation, fact), evidence=[ev], attrs=_drop_none(**attrs)))

    kind = claim["kind"]
    if kind == "participation":
        role = one.get("role") and _tail(one["role"])
        link(one.get("actor"), one.get("event"), "took part in", role=role, on_behalf_of=one.get("on-behalf-of"))
        if fact == "asserted" and one.get("actor") in ents and one.get("event") in ents:
            f.participations.append(Participation(one["event"], one["actor"], role, one.get("on-behalf-of"), ev))
    elif kind == "position":
        stance = _tail(one["stance"])
        link(one.get("actor"), one.get("issue"), f"stance: {stance}", stance=stance, on_document=one.get("on-document"))
        if one.get("actor") in ents and one.get("issue") in ents:
            f.positions.append(Position(one["actor"], one["issue"], stance, ev, one.get("on-document")))
    elif kind == "assessment":
        judged = _tail(one["stance"]) if "stance" in one else None
        link(one.get("actor"), one.get("target"), f"stance: {judged}" if judged else "assessed", stance=judged)
    elif kind in ("agreement", "non-disclosure"):
        for party in x.get("party", []):
            for issue in x.get("issue", []):
                link(party, issue, "agreed on")
            link(party, one.get("event"), "agreed at")
            link(party, one.get("document"), "agreed not to disclose")
    elif kind == "document-transfer":
        action = _tail(one["action"])
        if fact != "asserted":
            action = qualified(action, fact)
        _transfer_links(f, one["document"], action, one.get("by"), one.get("to"), said.event, evidence=ev)
    elif kind == "travel":
        for actor in x.get("actor", []):
            if actor in ents and one.get("destination") in ents:
                f.links.append(Link(actor, one["destination"], TRAVEL[fact], evidence=[ev]))
    elif kind == "message":
        link(one.get("from"), one.get("to"), "sent a message to")
    elif kind == "document-points" and one.get("document") in ents:
        points = f"{one['number-of-points']} ({f.label(said.speaker)}, {human_date(said.date)})"
        ents[one["document"]].attrs.setdefault("points_claimed", []).append(points)


def qualified(relation: str, factuality: str) -> str:
    """A relation in words, marked when the claim is not a plain assertion: 'took part in (negated)'."""
    return relation if factuality == "asserted" else f"{relation} ({factuality})"


def human_date(day: str | None) -> str:
    """'2025-12-02' as '2 Dec 2025'."""
    if not day:
        return "undated"
    d = dt.date.fromisoformat(day[:10])
    return f"{d.day} {d:%b} {d.year}"


# -- the projections ------------------------------------------------------------------------------------

def _node_attrs(e: Entity) -> dict[str, Any]:
    attrs: dict[str, Any] = {"label": e.label, "type": e.type, "id": e.id}
    if e.kind:
        attrs["kind"] = e.kind
    if e.date:
        attrs["date"] = e.date
    for key in ("points", "access", "points_claimed"):
        if key in e.attrs:
            attrs[key] = e.attrs[key]
    return attrs


def _kept(f: Facts, as_of: dt.date | None, since: dt.date | None, types: Collection[str] | None,
          kinds: Collection[str] | None = None) -> dict[str, Entity]:
    """The entities of the period: actors, issues and places are timeless; the rest are cut by date."""
    out = {}
    for iri, e in f.entities.items():
        if types is not None and e.type not in types:
            continue
        if kinds is not None and e.kind not in kinds:
            continue
        if e.type in ("event", "document", "statement") and not in_period(e.date, as_of, since):
            continue
        out[iri] = e
    return out


@few_collections()
def entity_graph(source: Source, *, as_of: dt.date | None = None, since: dt.date | None = None,
                 types: Collection[str] | None = None, statements: bool = False) -> nx.MultiDiGraph:
    """Every entity and every relation between two of them, one edge per relation (the edge key).

    Nodes carry `label`, `type` (actor, event, document, issue, place, statement), `id`, and `kind`
    and `date` where known. Edges carry `relation` ("took part in", "concerns", "stance: criticises", …),
    `statements` and `quotes` (the statements behind it and their words, in the same order),
    `record` (True when a record states it, not only claims), `factuality` (asserted, future,
    hypothetical or negated: a negated claim is an edge that says what did *not* happen, and its
    relation says so, "did not go to") and `date` (the earliest day behind it).

    :param types: keep only nodes of these types. Statement nodes also need `statements=True`.
    """
    f = facts(source)
    wanted = set(types if types is not None else ENTITY_TYPES)
    if not statements:
        wanted.discard("statement")
    keep = _kept(f, as_of, since, wanted)
    g = nx.MultiDiGraph(name="entities", as_of=_iso(as_of), since=_iso(since))
    for iri, e in sorted(keep.items()):
        g.add_node(iri, **_node_attrs(e))
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}  # (source, target, relation): the edge's data in g
    # the (statement, quote) pairs of an edge that more than one link gave, so that a link merged into an
    # edge with hundreds of statements (100,000 statements give edges of 180) is not checked against each
    said: dict[tuple[str, str, str], set[tuple[str, str]]] = {}
    event_days = {iri: e.date for iri, e in keep.items() if e.type == "event" and e.date}
    whole = as_of is None and since is None
    for link in f.links:
        if link.source not in keep or link.target not in keep or link.source == link.target:
            continue
        evidence = link.evidence if whole else [
            ev for ev in link.evidence if in_period(f.statements[ev.statement].date, as_of, since)]
        if not link.record and not evidence:
            continue
        edge = (link.source, link.target, link.relation)
        data = edges.get(edge)
        if data is None:
            g.add_edge(*edge, relation=link.relation, statements=[], quotes=[], record=False,
                       factuality=evidence[0].factuality if evidence else "asserted")
            data = edges[edge] = g.succ[link.source][link.target][link.relation]
        data["record"] = data["record"] or link.record
        for key, value in link.attrs.items():
            data.setdefault(key, value)
        days = [d for n in (link.source, link.target) if (d := event_days.get(n))]
        pairs = said.get(edge)
        if pairs is None and (data["statements"] or len(evidence) > 1):  # needed once there are two to tell apart
            pairs = said[edge] = set(zip(data["statements"], data["quotes"]))
        for ev in evidence:
            if pairs is None or (ev.statement, ev.quote) not in pairs:
                if pairs is not None:
                    pairs.add((ev.statement, ev.quote))
                data["statements"].append(ev.statement)
                data["quotes"].append(ev.quote)
                days.append(f.statements[ev.statement].date)
        if days:  # the earliest day behind the edge: its statements' days and its events' days
            data["date"] = min(days + [data["date"]]) if "date" in data else min(days)
    return g


@few_collections()
def meetings_graph(source: Source, *, as_of: dt.date | None = None, since: dt.date | None = None,
                   event_kinds: Collection[str] | None = None,
                   actor_kinds: Collection[str] | None = None) -> nx.Graph:
    """Who meets whom: actors linked by the events they took part in together.

    An actor took part in an event when the event's record or an asserted participation claim says so.
    Edges carry `weight` (the number of shared events), `events` (their IRIs) and `dates` (their days),
    in date order. Nodes carry `label`, `type`, `kind`, `id` and `events` (how many events in the period).

    :param event_kinds: count only these kinds of event (meeting, call, summit, …); default all.
    :param actor_kinds: keep only these kinds of actor (person, organisation, state, group); default all.
    """
    f = facts(source)
    events = _kept(f, as_of, since, {"event"}, event_kinds)
    actors = _kept(f, as_of, since, {"actor"}, actor_kinds)
    who: dict[str, set[str]] = defaultdict(set)
    for p in f.participations:
        if p.event in events and p.actor in actors and (
                p.evidence is None or in_period(f.statements[p.evidence.statement].date, as_of, None)):
            who[p.event].add(p.actor)
    g = nx.Graph(name="meetings", as_of=_iso(as_of), since=_iso(since))
    for event in sorted(who, key=lambda e: (events[e].date or "", e)):
        people = sorted(who[event])
        for a in people:
            if a not in g:
                g.add_node(a, **_node_attrs(actors[a]), events=0)
            g.nodes[a]["events"] += 1
        for i, a in enumerate(people):
            for b in people[i + 1:]:
                if not g.has_edge(a, b):
                    g.add_edge(a, b, weight=0, events=[], dates=[])
                data = g.edges[a, b]
                data["weight"] += 1
                data["events"].append(event)
                data["dates"].append(events[event].date or "")
    return g


@few_collections()
def stances_graph(source: Source, *, as_of: dt.date | None = None, since: dt.date | None = None,
                  stances: Collection[str] | None = None, actor_kinds: Collection[str] | None = None,
                  factualities: Collection[str] = ("asserted",)) -> nx.MultiDiGraph:
    """Actors → issues, one edge per position claim (keyed by the claim IRI).

    Edges carry `stance`, `relation` ("stance: accepts"), `date` (the statement's day), `statement`,
    `quote`, `claim`, `factuality` and `on_document` where the position is on a document.
    """
    f = facts(source)
    actors = _kept(f, as_of, since, {"actor"}, actor_kinds)
    issues = _kept(f, as_of, since, {"issue"})
    g = nx.MultiDiGraph(name="stances", as_of=_iso(as_of), since=_iso(since))
    for p in sorted(f.positions, key=lambda p: (f.statements[p.evidence.statement].date, p.evidence.claim or "")):
        day = f.statements[p.evidence.statement].date
        if (p.actor not in actors or p.issue not in issues or not in_period(day, as_of, since)
                or (stances is not None and p.stance not in stances) or p.evidence.factuality not in factualities):
            continue
        for n in (p.actor, p.issue):
            if n not in g:
                g.add_node(n, **_node_attrs(f.entities[n]))
        g.add_edge(p.actor, p.issue, key=p.evidence.claim, relation=f"stance: {p.stance}", stance=p.stance,
                   date=day, statement=p.evidence.statement, quote=p.evidence.quote, claim=p.evidence.claim,
                   factuality=p.evidence.factuality, **_drop_none(on_document=p.on_document))
    return g


@few_collections()
def lineage_graph(source: Source, *, as_of: dt.date | None = None, since: dt.date | None = None,
                  kinds: Collection[str] | None = None) -> nx.DiGraph:
    """Document lineage, a DAG: edges go from a document to the one it revises, derives from or is part of.

    Nodes carry `label`, `type`, `kind`, `date` (the first day the document is known), `points` (when
    undisputed), `points_claimed` ("27 (Yuri Ushakov, 2 Dec 2025)", …) and `access`. Edges carry `relation`.
    """
    f = facts(source)
    docs = _kept(f, as_of, since, {"document"}, kinds)
    g = nx.DiGraph(name="lineage", as_of=_iso(as_of), since=_iso(since))
    for iri, e in sorted(docs.items()):
        g.add_node(iri, **_node_attrs(e))
    for link in f.links:
        if link.relation in LINEAGE_RELATIONS and link.source in docs and link.target in docs:
            g.add_edge(link.source, link.target, relation=link.relation)
    return g


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def flat(g: nx.Graph, sep: str = " | ") -> nx.Graph:
    """A copy whose list attributes are joined into strings, as GraphML and GEXF need."""
    out = g.copy()
    items: Iterable[dict[str, Any]] = [d for _, d in out.nodes(data=True)] + [d for *_, d in out.edges(data=True)]
    for data in items:
        for key, value in list(data.items()):
            if isinstance(value, (list, tuple, set)):
                data[key] = sep.join(str(v) for v in value)
            elif value is None:
                del data[key]
    return out


__all__ = ["Entity", "Evidence", "Facts", "Link", "Participation", "Position", "Said", "ENTITY_TYPES",
           "entity_graph", "meetings_graph", "stances_graph", "lineage_graph", "facts", "read_facts",
           "flat", "human_date", "in_period", "qualified", "read_facts_of", "graphs_around", "graphs_of_period",
           "read_entities", "find_candidates", "with_statements", "Around", "graphs_near", "DATING",
           "Dates", "read_dates", "values_block", "read_documents"]
