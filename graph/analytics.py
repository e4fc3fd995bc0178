"""Network analytics over the projections: centrality, brokers between the sides, communities, the most
active actors, entity lookup by any name, and "how is X connected to Y" explained in words.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections import Counter, defaultdict, deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.collector import few_collections
from graph.errors import ParleyError
from graph.facts import Entity, Evidence, Facts, Source, facts, human_date, in_period
from graph.projections import entity_graph, meetings_graph

EXACT_LIMIT = 2000  # betweenness is exact up to this many nodes, sampled above it
SAMPLE_K = 500
SEED = 42
# Relations that say what something belongs to rather than what happened: a path through them is a
# weaker explanation than one through an event, so they rank last among equally short paths.
STRUCTURAL = {"member of", "within", "part of"}
CONNECTING = ("asserted", "future")


class UnknownEntityError(ParleyError):
    """No entity goes by the name given."""


class AmbiguousEntityError(ParleyError):
    """Several entities go by the name given."""

    def __init__(self, message: str, candidates: list[Entity]) -> None:
        super().__init__(message)
        self.candidates = candidates


class NoPathError(ParleyError):
    """Two entities are not connected."""


# -- centrality ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Centrality:
    """Degree and betweenness centrality (normalised, hop counts), and how betweenness was computed."""

    degree: dict[Any, float]  # node -> value
    betweenness: dict[Any, float]
    exact: bool
    k: int | None = None
    seed: int | None = None

    @property
    def method(self) -> str:
        if self.exact:
            return "exact"
        return f"sampled: {self.k} of {len(self.degree)} nodes as sources, seed {self.seed}"


def undirected(g: nx.Graph) -> nx.Graph:
    """The graph as a simple undirected graph: parallel and opposite edges become one."""
    if not g.is_directed() and not g.is_multigraph():
        return g
    out = nx.Graph()
    out.add_nodes_from(g.nodes(data=True))
    out.add_edges_from((u, v) for u, v in g.edges() if u != v)
    return out


def centrality(g: nx.Graph, *, exact_limit: int = EXACT_LIMIT, k: int = SAMPLE_K, seed: int = SEED) -> Centrality:
    """Degree and betweenness centrality of every node; betweenness is exact for graphs of at most
    `exact_limit` nodes and estimated from `k` sampled sources (with a fixed `seed`) above that.

    >>> c = centrality(nx.path_graph(3))
    >>> c.degree[1], c.betweenness[1], c.method
    (1.0, 1.0, 'exact')
    """
    u = undirected(g)
    degree = nx.degree_centrality(u) if len(u) > 1 else {n: 0.0 for n in u}
    if len(u) <= exact_limit:
        return Centrality(degree, nx.betweenness_centrality(u), True)
    return Centrality(degree, nx.betweenness_centrality(u, k=min(k, len(u)), seed=seed), False, k, seed)


def communities(g: nx.Graph, *, seed: int = SEED, weight: str | None = "weight") -> list[list[str]]:
    """Louvain communities (fixed seed), largest first, members sorted."""
    u = undirected(g) if g.is_directed() or g.is_multigraph() else g
    if not len(u):
        return []
    found = nx.community.louvain_communities(u, weight=weight, seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c))


# -- sides and brokers -------------------------------------------------------------------------------------

def sides(source: Source) -> dict[str, str]:
    """The side (a state) of every actor that has one: a state is its own side; another actor is on the
    side of the state it is a member of (org:memberOf, followed through organisations), or failing a
    single one, of the state it most often acts on behalf of (directly or through a person of a side)."""
    f = facts(source)
    states = {iri for iri, e in f.entities.items() if e.type == "actor" and e.kind == "state"}

    def member_states(actor: str) -> set[str]:
        seen, todo, found = {actor}, deque([actor]), set()
        while todo:
            for o in f.member_of.get(todo.popleft(), ()):
                if o in states:
                    found.add(o)
                elif o not in seen:
                    seen.add(o)
                    todo.append(o)
        return found

    out: dict[str, str] = {}
    candidates: dict[str, set[str]] = {}
    for iri, e in f.entities.items():
        if e.type != "actor":
            continue
        found = {iri} if iri in states else member_states(iri)
        candidates[iri] = found
        if len(found) == 1:
            out[iri] = next(iter(found))
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for p in f.participations:
        behalf = p.on_behalf_of
        side = behalf if behalf in states else out.get(behalf or "")
        if side and (not candidates.get(p.actor) or side in candidates[p.actor]):
            votes[p.actor][side] += 1
    for actor, counter in votes.items():
        if actor not in out:
            out[actor] = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return out


@dataclass(frozen=True)
class Broker:
    """An actor on the shortest paths between actors of different sides.

    `score` sums, over every pair of actors of different sides, the share of their shortest paths that
    run through this actor; `between` gives the same per pair of sides.
    """

    actor: str
    score: float
    between: dict[tuple[str, str], float]


def brokers(g: nx.Graph, side_of: Mapping[str, str]) -> list[Broker]:
    """The actors that lie on shortest paths (in hops) between actors of different sides, best first.

    >>> g = nx.path_graph(["ru", "x", "us"])
    >>> brokers(g, {"ru": "RU", "us": "US"})
    [Broker(actor='x', score=1.0, between={('RU', 'US'): 1.0})]
    """
    u = undirected(g)
    scores: dict[str, dict[tuple[str, str], float]] = defaultdict(lambda: defaultdict(float))
    sided = [n for n in u if n in side_of]
    by_side: dict[str, set[str]] = defaultdict(set)
    for n in sided:
        by_side[side_of[n]].add(n)
    for s in sided:
        order, preds, sigma = _bfs(u, s)
        for other, targets in by_side.items():
            if other == side_of[s]:
                continue
            pair = (min(side_of[s], other), max(side_of[s], other))
            delta: dict[str, float] = defaultdict(float)
            for w in reversed(order):
                share = (1.0 if w in targets else 0.0) + delta[w]
                for v in preds[w]:
                    delta[v] += sigma[v] / sigma[w] * share
                if w != s and delta[w]:
                    scores[w][pair] += delta[w] / 2  # each pair is counted from both of its ends
    out = [Broker(n, round(sum(p.values()), 6), {k: round(v, 6) for k, v in sorted(p.items())})
           for n, p in scores.items() if sum(p.values()) > 0]
    return sorted(out, key=lambda b: (-b.score, b.actor))


def _bfs(g: nx.Graph, s: str) -> tuple[list[str], dict[str, list[str]], dict[str, float]]:
    order: list[str] = []
    preds: dict[str, list[str]] = {s: []}
    sigma: dict[str, float] = {s: 1.0}
    dist = {s: 0}
    todo = deque([s])
    while todo:
        v = todo.popleft()
        order.append(v)
        for w in g[v]:
            if w not in dist:
                dist[w] = dist[v] + 1
                todo.append(w)
                preds[w], sigma[w] = [], 0.0
            if dist[w] == dist[v] + 1:
                sigma[w] += sigma[v]
                preds[w].append(v)
    return order, preds, sigma


# -- activity and the whole analysis ----------------------------------------------------------------------

@dataclass(frozen=True)
class Activity:
    actor: str
    label: str
    events: int
    statements: int

    @property
    def total(self) -> int:
        return self.events + self.statements


def most_active(source: Source, *, since: dt.date | None = None, as_of: dt.date | None = None,
                top: int = 10) -> list[Activity]:
    """The actors with the most events taken part in plus statements made in the period."""
    f = facts(source)
    events: dict[str, set[str]] = defaultdict(set)
    for p in f.participations:
        event = f.entities[p.event]
        if in_period(event.date, as_of, since):
            events[p.actor].add(p.event)
    said: Counter[str] = Counter(s.speaker for s in f.statements.values() if in_period(s.date, as_of, since))
    rows = [Activity(a, f.label(a), len(events[a]), said[a]) for a in set(events) | set(said) if a in f.entities]
    return sorted(rows, key=lambda r: (-r.total, -r.events, r.label))[:top]


@dataclass(frozen=True)
class ActorScore:
    actor: str
    label: str
    side: str | None
    degree: float
    betweenness: float
    events: int


@dataclass
class Analysis:
    """Who meets whom in a period: the most central actors, brokers, communities, the most active."""

    since: dt.date | None
    until: dt.date | None
    actors: int
    links: int
    events: int
    method: str
    by_degree: list[ActorScore] = field(default_factory=list)
    by_betweenness: list[ActorScore] = field(default_factory=list)
    brokers: list[tuple[ActorScore, Broker]] = field(default_factory=list)
    communities: list[list[str]] = field(default_factory=list)
    active: list[Activity] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        def score(a: ActorScore) -> dict[str, Any]:
            return {"actor": a.actor, "label": a.label, "side": a.side and self.labels.get(a.side, a.side),
                    "degree": round(a.degree, 4), "betweenness": round(a.betweenness, 4), "events": a.events}

        return {
            "from": self.since and self.since.isoformat(), "to": self.until and self.until.isoformat(),
            "actors": self.actors, "links": self.links, "events": self.events, "betweenness": self.method,
            "by_degree": [score(a) for a in self.by_degree],
            "by_betweenness": [score(a) for a in self.by_betweenness],
            "brokers": [{**score(a), "score": b.score, "between": [
                {"sides": [self.labels.get(x, x) for x in pair], "score": v} for pair, v in b.between.items()]}
                for a, b in self.brokers],
            "communities": [[{"actor": n, "label": self.labels.get(n, n)} for n in c] for c in self.communities],
            "most_active": [{"actor": r.actor, "label": r.label, "events": r.events, "statements": r.statements,
                             "total": r.total} for r in self.active],
        }


@few_collections()
def analyze(source: Source, *, since: dt.date | None = None, as_of: dt.date | None = None,
            top: int = 10) -> Analysis:
    """Centrality, brokers, communities and activity of the who-meets-whom graph of a period."""
    f = facts(source)
    g = meetings_graph(f, as_of=as_of, since=since)
    c = centrality(g)
    side_of = sides(f)
    events = {e for _, _, d in g.edges(data=True) for e in d["events"]}
    events |= {p.event for p in f.participations if p.actor in g and in_period(f.entities[p.event].date, as_of, since)}
    scores = {n: ActorScore(n, f.label(n), side_of.get(n), c.degree.get(n, 0.0), c.betweenness.get(n, 0.0),
                            g.nodes[n]["events"]) for n in g}
    labels = {n: f.label(n) for n in set(g) | set(side_of.values())}
    return Analysis(
        since, as_of, g.number_of_nodes(), g.number_of_edges(), len(events), c.method,
        by_degree=sorted(scores.values(), key=lambda a: (-a.degree, -a.betweenness, a.label))[:top],
        by_betweenness=sorted(scores.values(), key=lambda a: (-a.betweenness, -a.degree, a.label))[:top],
        brokers=[(scores[b.actor], b) for b in brokers(g, side_of)[:top]],
        communities=communities(g), active=most_active(f, since=since, as_of=as_of, top=top), labels=labels)


# -- finding entities by name -------------------------------------------------------------------------------

def normal(name: str) -> str:
    """A name as lookup compares it: NFC, case-folded, single spaces, straight apostrophes."""
    text = unicodedata.normalize("NFC", name).casefold().replace("’", "'")
    return re.sub(r"\s+", " ", text).strip()


def find_entity(source: Source, name: str, *, types: Collection[str] | None = None) -> Entity:
    """The entity that goes by `name`: any label or alias in any language, its id or IRI; failing
    those, a prefix that only one entity's name or id starts with; failing that, a whole word of one
    entity's name (case-insensitive, NFC).

    :raises UnknownEntityError: no entity goes by that name.
    :raises AmbiguousEntityError: several do; the message lists them.
    """
    f = facts(source)
    key = normal(name)
    if not key:
        raise UnknownEntityError("give the name of an entity: an empty name names nothing")
    pool = [e for e in f.entities.values() if types is None or e.type in types]
    if not pool:
        raise UnknownEntityError(f"no entity called {name!r}: the store holds none yet "
                                 "(parley ingest FILE.yaml adds some; parley demo loads the example)")
    exact: list[Entity] = []
    prefix: list[Entity] = []
    words: list[Entity] = []
    for e in pool:
        names = {normal(n) for n in [*e.names, e.id, e.iri, e.id.replace("-", " ")]}
        if e.type != "statement":  # a statement's label is made up from its speaker: only its id names it
            names.add(normal(e.label))
        if key in names:
            exact.append(e)
        elif any(n.startswith(key) for n in names):
            prefix.append(e)
        elif any(re.search(rf"(?<!\w){re.escape(key)}(?!\w)", n) for n in names):
            words.append(e)
    # A prefix names a statement only when it names nothing else; a word of a name ("Kushner" in
    # "Jared Kushner") is tried last, and names a person, place or issue before an event or document
    # whose title mentions it ("Putin–Witkoff–Kushner meeting").
    found = exact or [e for e in prefix if e.type != "statement"] or prefix
    if not found and words:
        named = [e for e in words if e.type in ("actor", "place", "issue")]
        found = named if len(named) == 1 else [e for e in words if e.type != "statement"] or words
    if len(found) == 1:
        return found[0]
    if not found:
        raise UnknownEntityError(f"no entity called {name!r}: try a label, an alias or an id "
                                 "(parley stats lists what the store holds)")
    found.sort(key=lambda e: (e.type, e.label))
    listed = "; ".join(f"{e.label} ({e.type} {e.id})" for e in found[:12])
    more = f"; and {len(found) - 12} more" if len(found) > 12 else ""
    raise AmbiguousEntityError(f"{name!r} could name {len(found)} entities: {listed}{more}. "
                               "Give a longer name or the id.", found)


# -- how two entities are connected ------------------------------------------------------------------------

@dataclass(frozen=True)
class Quote:
    """A statement behind a hop, ready to print."""

    statement: str
    id: str
    speaker: str
    date: str
    quote: str

    def text(self) -> str:
        return f"{self.speaker}, {human_date(self.date)} ({self.id}): “{self.quote}”"


@dataclass(frozen=True)
class Hop:
    """One step of a path, in the order the path walks it; `forward` is False when the relation points
    the other way (B — relation → A walked from A to B)."""

    start: str
    end: str
    relation: str
    forward: bool
    record: bool
    said: tuple[Quote, ...] = ()
    also: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # for a hop only records state: the ids of the sources of its event or document


@dataclass(frozen=True)
class Path:
    nodes: tuple[str, ...]
    hops: tuple[Hop, ...]
    names: Mapping[str, str]

    def step(self, hop: Hop, *, first: bool = True) -> str:
        start = self.names[hop.start] + " " if first else ""
        arrow = f"— {hop.relation} →" if hop.forward else f"← {hop.relation} —"
        return f"{start}{arrow} {self.names[hop.end]}"

    def chain(self) -> str:
        """The path on one line: 'Jared Kushner — took part in → Kremlin meeting, 2 Dec 2025 — concerns → …'."""
        return " ".join(self.step(h, first=i == 0) for i, h in enumerate(self.hops))

    def explain(self, *, quotes: int = 3) -> list[str]:
        """The chain, then each hop with the statements and quotes behind it."""
        lines = [self.chain()]
        for i, hop in enumerate(self.hops, 1):
            lines.append(f"  {i}. {self.step(hop)}")
            for said in hop.said[:quotes]:
                lines.append(f"     {said.text()}")
            if len(hop.said) > quotes:
                lines.append(f"     … and {len(hop.said) - quotes} more statement(s)")
            if not hop.said:
                cited = f"sources: {', '.join(hop.sources)}" if hop.sources else "no statement behind it"
                lines.append(f"     from the records ({cited})")
            if hop.also:
                lines.append(f"     also: {', '.join(hop.also)}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {"length": len(self.hops), "text": self.chain(), "hops": [{
            "from": h.start, "from_label": self.names[h.start], "relation": h.relation,
            "direction": "forward" if h.forward else "backward", "to": h.end, "to_label": self.names[h.end],
            "record": h.record, "also": list(h.also), "sources": list(h.sources),
            "statements": [{"statement": s.statement, "id": s.id, "speaker": s.speaker, "date": s.date,
                            "quote": s.quote} for s in h.said]} for h in self.hops]}


def display_name(e: Entity) -> str:
    """An entity's label, with the day added for an event whose label does not give its year."""
    if e.type == "event" and e.date and e.date[:4] not in e.label:
        return f"{e.label}, {human_date(e.date)}"
    return e.label


def paths(source: Source, a: str, b: str, *, as_of: dt.date | None = None, statements: bool = False,
          limit: int = 3, factualities: Collection[str] = CONNECTING) -> list[Path]:
    """The shortest chains of relations between two entities (named as :func:`find_entity` accepts),
    best first: paths through memberships last, then those through more events, then those with more
    statements behind them.

    :param factualities: the relations a path may use: by default what happened or will happen, never
        what a claim says did not happen or only might.
    :raises NoPathError: the two are not connected (as of `as_of`).
    """
    f = facts(source)
    start, end = find_entity(f, a), find_entity(f, b)
    if start.iri == end.iri:
        raise NoPathError(f"{start.label!r} and {end.label!r} are the same entity: name two different ones")
    whole = entity_graph(f, as_of=as_of, statements=statements or "statement" in (start.type, end.type))
    g = nx.subgraph_view(whole, filter_edge=lambda x, y, k: whole.edges[x, y, k]["factuality"] in factualities)
    u = undirected(g)
    when = f" as of {as_of.isoformat()}" if as_of else ""
    for e in (start, end):
        if e.iri not in u:
            raise NoPathError(f"{e.label} is not in the graph{when}: it is dated later")
    try:
        found = list(itertools.islice(nx.all_shortest_paths(u, start.iri, end.iri), 500))
    except nx.NetworkXNoPath:
        raise NoPathError(f"no path between {start.label} and {end.label}{when}: no chain of events, "
                          "documents, issues or statements connects them") from None
    names = {n: display_name(f.entities[n]) for p in found for n in p}
    built = [_path(f, g, tuple(p), names) for p in found]
    built.sort(key=lambda p: _rank(p, f))
    return built[:limit]


def path(source: Source, a: str, b: str, *, as_of: dt.date | None = None, statements: bool = False,
         factualities: Collection[str] = CONNECTING) -> Path:
    """The best shortest chain of relations between two entities (see :func:`paths`)."""
    return paths(source, a, b, as_of=as_of, statements=statements, limit=1, factualities=factualities)[0]


def _rank(p: Path, f: Facts) -> tuple[Any, ...]:
    """Memberships last; then paths through more events (where people met and issues were on the
    table), then more hops with statements behind them, then more statements."""
    structural = sum(h.relation in STRUCTURAL for h in p.hops)
    events = sum(f.entities[n].type == "event" for n in p.nodes[1:-1])
    backed = sum(bool(h.said) for h in p.hops)
    return (structural, -events, -backed, -sum(len(h.said) for h in p.hops), [p.names[n] for n in p.nodes])


def _path(f: Facts, g: nx.MultiDiGraph, nodes: tuple[str, ...], names: Mapping[str, str]) -> Path:
    hops = []
    for u, v in zip(nodes, nodes[1:]):
        options = [(True, k, d) for k, d in (g.get_edge_data(u, v) or {}).items()]
        options += [(False, k, d) for k, d in (g.get_edge_data(v, u) or {}).items()]
        options.sort(key=lambda o: ("(" in o[1], not o[2]["statements"], not o[0], o[1]))
        forward, relation, data = options[0]
        said = tuple(_said(f, Evidence(s, q)) for s, q in zip(data["statements"], data["quotes"]))
        ends = sorted((f.entities[n] for n in (u, v)), key=lambda e: e.type != "event")
        sources: list[str] = next(
            (e.attrs["sources"] for e in ends if e.type in ("event", "document") and "sources" in e.attrs), [])
        hops.append(Hop(u, v, relation, forward, data["record"], said, tuple(o[1] for o in options[1:]),
                        tuple(sorted(s.rsplit("/", 1)[-1] for s in sources))))
    return Path(nodes, tuple(hops), names)


def _said(f: Facts, ev: Evidence) -> Quote:
    s = f.statements[ev.statement]
    return Quote(s.iri, s.id, f.label(s.speaker), s.date, ev.quote)


def neighbours(g: nx.Graph, node: str) -> Iterable[str]:
    """The nodes one relation away, whichever way the relation points."""
    seen = set(g.successors(node)) | set(g.predecessors(node)) if g.is_directed() else set(g[node])
    return sorted(seen)


__all__ = ["Activity", "ActorScore", "Analysis", "AmbiguousEntityError", "Broker", "Centrality", "Hop",
           "NoPathError", "Path", "Quote", "UnknownEntityError", "analyze", "brokers", "centrality",
           "communities", "display_name", "find_entity", "most_active", "neighbours", "normal", "path",
           "paths", "sides", "undirected"]
