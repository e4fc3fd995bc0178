"""Reading part of a store, what one view needs without reading everything: the named graphs around some
entities or dated in a period, the facts of those graphs, and the entities a name or an id points to."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graph.facts import TOP_CLASSES, Facts, in_chunks, iri_list, read_facts
from graph.store import Store
from ontology.namespaces import DCTERMS, PARLEY, PROV, RDF, RDFS, SEM, SKOS

RDF_TYPE = str(RDF.type)


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
    for chunk in in_chunks(names):
        for s, p, o, g in store.select(f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?g {{ {iri_list(*chunk)} }} "
                                       "GRAPH ?g { ?s ?p ?o } }", union=False).rows:
            put[g].append((s, p, o))
    part.write(put=put, fresh=True)


def _graphs(store: Store, query: str, values: Iterable[str], var: str) -> set[str]:
    """The graph names `query` finds, given IRIs bound to `var` (chunked, so that VALUES stays small)."""
    out: set[str] = set()
    for chunk in in_chunks(sorted(set(values))):
        text = query.replace("{VALUES}", f"VALUES ?{var} {{ {iri_list(*chunk)} }}")
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
        for chunk in in_chunks(sorted(set(statements))):
            for said, h in store.select(f"SELECT DISTINCT ?st ?h WHERE {{ VALUES ?st {{ {iri_list(*chunk)} }} "
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
        for chunk in in_chunks(sorted(set(graphs))):
            for name, x in store.select(f"SELECT DISTINCT ?g ?x WHERE {{ VALUES ?g {{ {iri_list(*chunk)} }} "
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
        for chunk in in_chunks(sorted(statements)):
            for said, d in store.select(f"SELECT ?st ?d WHERE {{ VALUES ?st {{ {iri_list(*chunk)} }} "
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
    for p, d in store.select(f"SELECT DISTINCT ?p ?d WHERE {{ VALUES ?p {{ {iri_list(*DATING)} }} ?s ?p ?d }}").rows:
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
    rows = store.select(f"SELECT ?s ?t WHERE {{ VALUES ?s {{ {iri_list(*(f'{base()}{k}/{given}' for k in kinds))} }} "
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
        f"SELECT DISTINCT ?s WHERE {{ {{ VALUES ?p {{ {iri_list(RDFS.label, SKOS.prefLabel, DCTERMS.title, SKOS.altLabel)} }} "
        f"?s ?p ?l . FILTER(CONTAINS(LCASE(STR(?l)), {text})) }} UNION {{ VALUES ?t {{ {iri_list(*named)} }} "
        f"?s a ?t . FILTER(CONTAINS(LCASE(STR(?s)), {dashed}) || CONTAINS(LCASE(STR(?s)), {text})) }} UNION "
        f"{{ VALUES ?s {{ {iri_list(*said)} }} ?s a <{PARLEY.Statement}> }} }}").rows
    return [str(s) for s, in rows if s is not None]


__all__ = ["read_facts_of", "graphs_around", "graphs_near", "Around", "with_statements", "graphs_of_period",
           "DATING", "Dates", "read_dates", "values_block", "entities_with_id", "find_candidates"]
