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
from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

import networkx as nx

from graph.collector import few_collections
from graph.facts import ENTITY_TYPES, Entity, Facts, Source, drop_none, facts, in_period

LINEAGE_RELATIONS = ("revision of", "derived from", "part of")


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
                   factuality=p.evidence.factuality, **drop_none(on_document=p.on_document))
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


__all__ = ["entity_graph", "meetings_graph", "stances_graph", "lineage_graph", "flat"]
