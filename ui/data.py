"""What the app's pages read and write: the one shared store, the graph's facts and query results cached
on the store's state, safe text for the page, the graph component, and the few adapters the library
does not offer yet (each marked ADAPTER, with what the library should offer instead).

The app process owns an on-disk store: it is opened once (``st.cache_resource``) and shared by every
session. Caches are keyed on the store's *state*: a counter this process bumps after each ingest
(plus, for a remote endpoint that others write to, the current minute).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import string
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx
import streamlit as st

from graph.errors import InputError, ParleyError
from graph.projections import Facts, entity_graph, human_date, read_facts, stances_graph
from graph.sparql import DEFAULT_ROW_LIMIT, QueryResult, load_query, run, run_named, short_name
from graph.store import DEFAULT_STORE, ENV_STORE, Store

EXAMPLE_EVENT = "kremlin-meeting-2025-12-02"
EXAMPLE_ACTOR = "russia"
EXAMPLE_ISSUE = "territorial-issue"
MAX_NODES = 500            # the most nodes the Explorer draws; Cytoscape stays responsive below this
QUERY_TIMEOUT = 20.0       # seconds for a query typed in the app
T = TypeVar("T")


# The eight competency questions (DESIGN.md), each answered by a named query and shown on a page.
@dataclass(frozen=True)
class Question:
    number: int
    text: str
    query: str
    params: Mapping[str, str]
    page: str            # the page that shows the answer visually
    page_label: str
    page_params: Mapping[str, str]


QUESTIONS = (
    Question(1, "Who took part in the 2 December 2025 Kremlin meeting, in which roles, and on whose behalf?",
             "cq1-meeting-participants", {"event": EXAMPLE_EVENT}, "views/explorer.py", "See the meeting in the Explorer",
             {"entity": EXAMPLE_EVENT}),
    Question(2, "Which documents were discussed, how many points did each have according to whom, and how are they "
                "related?", "cq2-documents-discussed", {"event": EXAMPLE_EVENT}, "views/documents.py",
             "See the lineage on Documents", {}),
    Question(3, "Which claims about the same thing disagree, and who made each? (27 points vs 28 points)",
             "cq3-disagreeing-claims", {}, "views/documents.py", "See them side by side on Documents", {}),
    Question(4, "Which issue was most significant for Russia, and what is the state of compromise on it?",
             "cq4-most-significant-issue", {"actor": EXAMPLE_ACTOR}, "views/positions.py",
             "See Russia's positions on 2 Dec 2025", {"as_of": "2025-12-02", "actor": EXAMPLE_ACTOR,
                                                        "issue": EXAMPLE_ISSUE}),
    Question(5, "What did the parties agree on, and what did they agree to keep undisclosed?",
             "cq5-agreed-and-undisclosed", {"event": EXAMPLE_EVENT}, "views/timeline.py",
             "See 2 Dec 2025 on the Timeline", {"since": "2025-12-02", "until": "2025-12-02"}),
    Question(6, "What is expected next, and on what does a high-level meeting depend?", "cq6-expected-next",
             {"event": EXAMPLE_EVENT}, "views/timeline.py", "See what followed on the Timeline",
             {"since": "2025-12-02", "until": "2025-12-31"}),
    Question(7, "What did each side say about the other's leaders (greetings, signals)?", "cq7-leaders-messages",
             {"event": EXAMPLE_EVENT}, "views/explorer.py", "See Putin's relations in the Explorer",
             {"entity": "vladimir-putin"}),
    Question(8, "Where did the US envoys go after the meeting, and where did they not go?", "cq8-where-envoys-went",
             {"event": EXAMPLE_EVENT}, "views/explorer.py", "See Witkoff's travels in the Explorer",
             {"entity": "steve-witkoff"}),
)


# -- the store and its state ----------------------------------------------------------------------------

def store_spec() -> str:
    """The store this app shows: ``$PARLEY_STORE`` (set by `parley ui`), else ``./parley-data``."""
    return os.environ.get(ENV_STORE) or DEFAULT_STORE


@st.cache_resource(show_spinner="Opening the store…")
def _open_store(spec: str) -> Store:
    return Store.open(spec)


class _Shared:
    """Process-wide state of one store: its write generation, the ingest lock, the commits made."""

    def __init__(self) -> None:
        self.generation = 0
        self.lock = threading.Lock()
        self.committed: dict[str, Any] = {}


@st.cache_resource(show_spinner=False)
def _shared(spec: str) -> _Shared:
    return _Shared()


def store() -> Store:
    """The shared store (opened once per process)."""
    return _open_store(store_spec())


def state_key() -> str:
    """Changes whenever the store's content may have changed: the cache key of everything read from it."""
    spec = store_spec()
    minute = int(time.time() // 60) if spec.startswith(("http://", "https://")) else 0
    return f"{spec}|{_shared(spec).generation}|{minute}"


def max_upload_mb() -> int:
    """The upload cap in MB: the running server's ``server.maxUploadSize`` (set by `parley ui`)."""
    return int(st.get_option("server.maxUploadSize"))


def error(message: object, *, icon: str = ":material/error:") -> None:
    """Show an error in its own words. Messages quote user input (a name, a file, a query), and an alert
    renders markdown: the characters that make links, images, markup or maths are escaped."""
    st.error(_ALERT_SPECIAL.sub(r"\\\1", str(message)), icon=icon)


def attempt(action: Callable[[], T]) -> T | None:
    """Run `action`; show a Parley error plainly (``st.error``) and return None instead of raising."""
    try:
        return action()
    except ParleyError as e:
        error(e)
        return None


# -- facts, graphs, queries (cached on the store's state) -----------------------------------------------

@st.cache_resource(max_entries=4, show_spinner="Reading the graph…")
def _facts(key: str) -> Facts:
    return read_facts(store())


def facts() -> Facts:
    """Everything the projections need, read once per store state and shared by all sessions (read only)."""
    return _facts(state_key())


@st.cache_resource(max_entries=16, show_spinner="Building the graph…")
def _entity_graph(key: str, since: dt.date | None, until: dt.date | None, types: tuple[str, ...],
                  statements: bool) -> nx.MultiDiGraph:
    return entity_graph(facts(), as_of=until, since=since, types=types, statements=statements)


def entities_graph(since: dt.date | None, until: dt.date | None, types: Iterable[str],
                   statements: bool) -> nx.MultiDiGraph:
    return _entity_graph(state_key(), since, until, tuple(sorted(types)), statements)


@st.cache_data(max_entries=256, show_spinner="Running the query…")
def _named(key: str, name: str, params: tuple[tuple[str, str], ...], limit: int) -> QueryResult:
    return run_named(store(), load_query(name), dict(params), limit=limit, timeout=QUERY_TIMEOUT)


def named(name: str, params: Mapping[str, str] | None = None, *, limit: int = DEFAULT_ROW_LIMIT) -> QueryResult:
    """A named query's result (graph/queries/NAME.rq), parameters given as ids or labels.

    :raises QueryError: an unknown query or parameter, a refused or failed query.
    """
    given = tuple(sorted((k, v) for k, v in (params or {}).items() if v not in ("", None)))
    return _named(state_key(), name, given, limit)


@st.cache_data(max_entries=64, show_spinner="Running the query…")
def _query(key: str, text: str, limit: int) -> QueryResult:
    return run(store(), text, limit=limit, timeout=QUERY_TIMEOUT)


def query(text: str, *, limit: int = DEFAULT_ROW_LIMIT) -> QueryResult:
    """A query typed by the user, through the read-only guard, the row cap and the time limit."""
    return _query(state_key(), text, limit)


@st.cache_data(max_entries=4, show_spinner=False)
def _counts(key: str) -> dict[str, int]:
    counts = store().counts()
    out = {"quads": counts.quads, "graphs": counts.graphs}
    out.update({iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]: n for iri, n in counts.classes})
    return out


def counts() -> dict[str, int]:
    """Quads, named graphs, and instances per class (by local name: Actor, Statement, Claim, …)."""
    return _counts(state_key())


def cell(term: Any) -> str:
    """One RDF term as table text: Parley's IRIs as kind/id, others as prefixed names; literals whole."""
    if term is None:
        return ""
    if type(term).__name__ == "URIRef":
        return short_name(str(term))
    return str(term)


def frame_rows(result: QueryResult) -> list[dict[str, str]]:
    """A SELECT or graph result as rows of text for ``st.dataframe``."""
    return [{name: cell(term) for name, term in zip(result.variables, row)} for row in result.rows]


def date_bounds(f: Facts) -> tuple[dt.date, dt.date]:
    """The first and last day anything in the graph is dated (at least a day apart)."""
    days = [e.date for e in f.entities.values() if e.date] + [s.date for s in f.statements.values()]
    last = dt.date.fromisoformat(max(days)) if days else dt.date.today()
    first = dt.date.fromisoformat(min(days)) if days else last
    return min(first, last - dt.timedelta(days=1)), last  # date sliders need two different days


def parse_day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


# -- safe text ----------------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
_ALERT_SPECIAL = re.compile(r"([\\`*_\[\]<>$~|#])")


def md(text: object) -> str:
    """Text from the data, safe inside ``st.markdown``: every markdown and directive character escaped,
    so a name or quote can never become a link, an image, a colour directive or HTML."""
    return _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", str(text)).strip())


def safe_url(url: object) -> str | None:
    """An http(s) URL that is safe to link to, or None (javascript:, file:, spaces, brackets…)."""
    text = str(url or "")
    return text if re.fullmatch(r"https?://[^\s<>\"'(){}\[\]\\^`|]+", text) else None


def link(label: object, url: object) -> str:
    """A markdown link when the URL is safe, else the label alone (both escaped)."""
    target = safe_url(url)
    return f"[{md(label)}]({target})" if target else md(label)


# -- ADAPTER: statement sources (the library should put source, title and URL on projections.Said) -------

@dataclass(frozen=True)
class SourceRef:
    iri: str
    title: str
    url: str | None


@st.cache_data(max_entries=4, show_spinner=False)
def _sources(key: str) -> dict[str, SourceRef]:
    from ontology.namespaces import DCTERMS, PROV, RDFS, SCHEMA

    rows = store().select(
        f"SELECT ?st ?src ?title ?label ?url WHERE {{ ?st <{PROV.wasQuotedFrom}> ?src . "
        f"OPTIONAL {{ ?src <{DCTERMS.title}> ?title }} OPTIONAL {{ ?src <{RDFS.label}> ?label }} "
        f"OPTIONAL {{ ?src <{SCHEMA.url}> ?url }} }}").rows
    out = {}
    for st_, src, title, label, url in rows:
        out[str(st_)] = SourceRef(str(src), str(title or label or short_name(str(src))), safe_url(url))
    return out


def source_of(statement: str) -> SourceRef | None:
    """The source a statement is quoted from, with its title and (safe) URL."""
    return _sources(state_key()).get(statement)


# -- ADAPTER: the timeline (the library should offer graph.projections.timeline) --------------------------

@dataclass(frozen=True)
class TimelineItem:
    date: str
    lane: str              # Events, Statements, Documents
    kind: str              # meeting, call, statement, sent, …
    label: str
    iri: str
    text: str = ""
    statements: tuple[str, ...] = ()


def timeline(f: Facts, *, actor: str | None = None, issue: str | None = None, since: dt.date | None = None,
             until: dt.date | None = None) -> list[TimelineItem]:
    """Events, statements and document handovers in date order, cut to those touching `actor` and `issue`."""
    touched: dict[str, set[str]] = defaultdict(set)   # event / statement / document → entities it touches
    for link_ in f.links:
        for ev in link_.evidence:
            touched[ev.statement] |= {link_.source, link_.target}
        for a, b in ((link_.source, link_.target), (link_.target, link_.source)):
            if f.entities.get(a) and f.entities[a].type in ("event", "document"):
                touched[a].add(b)
    for p in f.participations:
        touched[p.event].add(p.actor)
    for s in f.statements.values():
        touched[s.iri].add(s.speaker)
        if s.event:
            touched[s.iri].add(s.event)
    items: list[TimelineItem] = []
    for e in f.entities.values():
        if e.type == "event" and e.date:
            items.append(TimelineItem(e.date, "Events", e.kind or "event", e.label, e.iri))
    for s in f.statements.values():
        items.append(TimelineItem(s.date, "Statements", "statement", f"{f.label(s.speaker)}: {s.text}", s.iri,
                                  s.text, (s.iri,)))
    for link_ in f.links:
        target = f.entities.get(link_.target)
        source = f.entities.get(link_.source)
        if target is None or source is None or target.type != "document" or source.type != "actor":
            continue
        if link_.relation.split(" (")[0] not in ("sent", "presented", "received", "handed over", "delivered"):
            continue
        for ev in link_.evidence:
            said = f.statements[ev.statement]
            items.append(TimelineItem(said.date, "Documents", link_.relation,
                                      f"{source.label} {link_.relation} {target.label}", target.iri, ev.quote,
                                      (ev.statement,)))
            touched[target.iri] |= {source.iri}
    wanted = [x for x in (actor, issue) if x]

    def keep(item: TimelineItem) -> bool:
        if not all(x in touched[item.iri] or any(x in touched[s] for s in item.statements) for x in wanted):
            return False
        return (since is None or item.date >= since.isoformat()) and (until is None or item.date <= until.isoformat())

    lanes = ("Events", "Statements", "Documents")
    return sorted((i for i in items if keep(i)), key=lambda i: (i.date, lanes.index(i.lane), i.label))


# -- ADAPTER: the positions matrix (the library should offer it beside projections.stances_graph) ---------

STANCE_COLOURS = {
    "supports": "#1a9850", "accepts": "#91cf60", "mixed": "#fee08b", "no-compromise-yet": "#fc8d59",
    "criticises": "#f46d43", "rejects": "#d73027", "undisclosed": "#bdbdbd",
}


@dataclass(frozen=True)
class Stance:
    date: str
    stance: str
    speaker: str
    quote: str
    statement: str
    factuality: str


@dataclass
class PositionMatrix:
    as_of: dt.date
    actors: list[tuple[str, str]] = field(default_factory=list)   # (iri, label)
    issues: list[tuple[str, str]] = field(default_factory=list)
    history: dict[tuple[str, str], list[Stance]] = field(default_factory=dict)

    def latest(self, actor: str, issue: str) -> Stance | None:
        found = self.history.get((actor, issue))
        return found[-1] if found else None


def position_matrix(f: Facts, as_of: dt.date) -> PositionMatrix:
    """Every actor's stance on every issue as of a date (the latest position claim), with each cell's history."""
    g = stances_graph(f, as_of=as_of)
    m = PositionMatrix(as_of)
    for a, i, d in sorted(g.edges(data=True), key=lambda e: (e[2]["date"], e[2]["claim"] or "")):
        said = f.statements[d["statement"]]
        m.history.setdefault((a, i), []).append(
            Stance(d["date"], d["stance"], f.label(said.speaker), d["quote"], d["statement"], d["factuality"]))
    actors = {a for a, _ in m.history}
    issues = {i for _, i in m.history}
    m.actors = sorted(((a, f.label(a)) for a in actors), key=lambda x: (-sum(k[0] == x[0] for k in m.history), x[1]))
    m.issues = sorted(((i, f.label(i)) for i in issues), key=lambda x: (-sum(k[1] == x[0] for k in m.history), x[1]))
    return m


def stance_text(stance: str) -> str:
    return stance.replace("-", " ")


# -- the graph component ---------------------------------------------------------------------------------

NODE_LOOK = {  # group → (colour, Material icon); COLOUR_NAMES says them in words for the legend
    "person": ("#4e79a7", "person"), "state": ("#e15759", "flag"), "organisation": ("#76b7b2", "account_balance"),
    "group": ("#59a14f", "group"), "actor": ("#4e79a7", "person"), "event": ("#f28e2b", "campaign"),
    "document": ("#9c755f", "description"), "issue": ("#b07aa1", "sell"), "place": ("#edc948", "place"),
    "statement": ("#bab0ac", "chat"), "thing": ("#8c8c8c", "link"),
}


COLOUR_NAMES = {"#4e79a7": "blue", "#e15759": "red", "#76b7b2": "teal", "#59a14f": "green", "#f28e2b": "orange",
                "#9c755f": "brown", "#b07aa1": "purple", "#edc948": "yellow", "#bab0ac": "grey", "#8c8c8c": "grey"}


def legend(groups: Iterable[str]) -> str:
    """The colours of the groups drawn, in words: 'person: blue · event: orange · …'."""
    return " · ".join(f"{g}: {COLOUR_NAMES[NODE_LOOK[g][0]]}" for g in sorted(set(groups)) if g in NODE_LOOK)


def node_group(attrs: Mapping[str, Any]) -> str:
    kind, kind_of = attrs.get("type", "thing"), attrs.get("kind")
    if kind == "actor" and kind_of in NODE_LOOK:
        return str(kind_of)
    return str(kind) if kind in NODE_LOOK else "thing"


def graph_elements(g: nx.Graph) -> dict[str, list[dict[str, Any]]]:
    """A networkx graph as Cytoscape elements. The component shows node data in its info panel as HTML,
    so no value may carry markup: ``<`` and ``>`` become ‹ and ›, which leaves no tag to form (an ``&``
    is then only ever text) while names with quotes and ampersands still read right on the canvas."""
    def esc(value: Any) -> str:
        if isinstance(value, (list, tuple, set)):
            value = "; ".join(str(v) for v in value)
        return str(value).replace("<", "‹").replace(">", "›")

    nodes = []
    for n, d in g.nodes(data=True):
        data = {"id": esc(n), "label": node_group(d), "name": esc(d.get("label", n))}
        for key in ("type", "kind", "date", "points", "points_claimed", "access"):
            if d.get(key) not in (None, "", []):
                data[key] = esc(d[key])
        nodes.append({"data": data})
    relations: dict[tuple[str, str], list[str]] = defaultdict(list)
    keyed = g.edges(keys=True, data=True) if g.is_multigraph() else ((u, v, None, d) for u, v, d in g.edges(data=True))
    for u, v, k, d in keyed:
        relations[(u, v)].append(str(d.get("relation") or (k if isinstance(k, str) else "")))
    edges = []  # one edge per ordered pair: parallel relations would hide each other; the side panel lists them
    for n, ((u, v), names) in enumerate(relations.items()):
        label = names[0] + (f" (+{len(names) - 1})" if len(names) > 1 else "")
        edges.append({"data": {"id": f"e{n}", "source": esc(u), "target": esc(v), "label": esc(label),
                               "relations": esc(names)}})
    return {"nodes": nodes, "edges": edges}


class _Style:
    """A Cytoscape style rule, in the shape st-link-analysis takes (its NodeStyle keeps the component's
    3.6 px labels, which Cytoscape hides at any zoom a whole neighbourhood fits in)."""

    def __init__(self, selector: str, style: dict[str, Any]) -> None:
        self.selector, self.style = selector, style

    def dump(self) -> dict[str, Any]:
        return {"selector": self.selector, "style": self.style}


def draw_graph(g: nx.Graph, *, key: str, height: int = 560, actions: bool = True) -> Any:
    """Draw a graph with st-link-analysis (colour and icon per type); returns the component's last event:
    ``{"action": "node_click" | "expand" | "remove", "data": {...}}`` or None."""
    from st_link_analysis import Event, st_link_analysis

    elements = graph_elements(g)
    groups = sorted({e["data"]["label"] for e in elements["nodes"]})
    node_styles = [_Style(f"node[label='{grp}']", {
        "background-color": NODE_LOOK[grp][0], "background-image": f"./icons/{NODE_LOOK[grp][1]}.svg",
        "label": "data(name)", "font-size": 10, "min-zoomed-font-size": 5, "text-wrap": "wrap",
        "text-max-width": "150px", "width": 22, "height": 22}) for grp in groups]
    edge_styles = [_Style("edge", {"label": "data(label)", "font-size": 7, "min-zoomed-font-size": 8,
                                   "target-arrow-shape": "triangle", "curve-style": "bezier", "width": 1.2})]
    layout = {"name": "cose", "animate": "end", "animationDuration": 400, "fit": True, "padding": 24,
              "nodeDimensionsIncludeLabels": True, "nodeRepulsion": 6000, "idealEdgeLength": 40}
    return st_link_analysis(elements, layout=layout, node_styles=node_styles, edge_styles=edge_styles,
                            height=height, key=key, node_actions=["expand", "remove"] if actions else [],
                            events=[Event("node_click", "click tap", "node")])


def triples_graph(result: QueryResult) -> nx.MultiDiGraph:
    """A CONSTRUCT or DESCRIBE result as a graph: resources are nodes, literals are folded into labels."""
    g = nx.MultiDiGraph()
    names: dict[str, str] = {}
    for s, p, o in result.rows:
        if type(o).__name__ == "Literal" and str(p).endswith(("#label", "/title", "#prefLabel", "/name")):
            names.setdefault(str(s), str(o))
    for s, p, o in result.rows:
        if type(o).__name__ == "Literal":
            continue
        for n in (s, o):
            text = str(n)
            kind = short_name(text).split("/", 1)[0] if "/" in short_name(text) else "thing"
            g.add_node(text, label=names.get(text, short_name(text)), type=kind if kind in NODE_LOOK else "thing")
        g.add_edge(str(s), str(o), key=short_name(str(p)), relation=short_name(str(p)))
    for s, _, _ in result.rows:
        if str(s) not in g:
            g.add_node(str(s), label=names.get(str(s), short_name(str(s))), type="thing")
    return g


def neighbourhood(g: nx.MultiDiGraph, focus: str, expanded: Iterable[str] = (), removed: Iterable[str] = (),
                  limit: int = MAX_NODES) -> tuple[nx.MultiDiGraph, int]:
    """The focus, its neighbours and those of every expanded node, without the removed ones, cut to
    `limit` nodes (the focus and expanded nodes first), with the relations that touch the focus or an
    expanded node. Returns the subgraph and how many nodes there were before the cut."""
    from graph.analytics import neighbours

    gone = set(removed) - {focus}
    order = [focus]
    for centre in [focus, *expanded]:
        if centre in g and centre not in gone:
            order += [centre, *neighbours(g, centre)]
    wanted = [n for n in dict.fromkeys(order) if n not in gone and n in g]
    shown = g.subgraph(wanted[:limit]).copy()
    centres = {focus, *expanded}
    # Only the relations of the focus and the expanded entities: a star per centre reads at a glance,
    # where every relation among the neighbours (a member of b, c within d, …) tangles the picture.
    shown.remove_edges_from([(u, v, k) for u, v, k in shown.edges(keys=True) if u not in centres and v not in centres])
    return shown, len(wanted)


def edges_of(g: nx.MultiDiGraph, node: str) -> list[tuple[str, str, bool, dict[str, Any]]]:
    """Every relation touching `node`: (other node, relation, outgoing?, edge data), events first."""
    out = [(v, k, True, d) for _, v, k, d in g.out_edges(node, keys=True, data=True)]
    out += [(u, k, False, d) for u, _, k, d in g.in_edges(node, keys=True, data=True)]
    return sorted(out, key=lambda e: (not e[1].startswith("took part"), g.nodes[e[0]].get("type") != "event",
                                      -len(e[3].get("statements", [])), e[1]))


# -- data quality (ADAPTER: the library should offer graph.validate.quality(store)) -----------------------

@st.cache_data(max_entries=4, show_spinner=False)
def _quality(key: str) -> dict[str, int]:
    from ontology.namespaces import PARLEY

    vocab = "https://parley.example/vocab/"
    rows = store().select(
        f"SELECT (SUM(IF(?o = <{vocab}origin/extracted> && EXISTS {{ ?x a <{PARLEY.Statement}> }}, 1, 0)) AS ?st) "
        f"(SUM(IF(?o = <{vocab}origin/extracted> && EXISTS {{ ?x a <{PARLEY.Claim}> }}, 1, 0)) AS ?cl) "
        f"WHERE {{ ?x <{PARLEY.origin}> ?o }}").rows
    disputed = store().select(
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{PARLEY.Claim}> ; <{PARLEY.confidence}> "
        f"<{vocab}confidence/disputed> }}").rows
    first = rows[0] if rows else (None, None)
    return {"extracted_statements": int(str(first[0] or 0)), "extracted_claims": int(str(first[1] or 0)),
            "disputed_claims": int(str(disputed[0][0] or 0)) if disputed else 0}


def quality() -> dict[str, int]:
    """Statements and claims extracted by rules (candidates for review) and claims marked disputed."""
    return _quality(state_key())


@st.cache_data(max_entries=2, show_spinner="Checking the graph against the SHACL shapes…")
def _shacl(key: str) -> list[str]:
    from graph.snapshot import union_graph
    from graph.validate import shacl

    return [str(v) for v in shacl(union_graph(store()))]


def shacl_report() -> list[str]:
    """The SHACL violations of the whole store, as text (cached: a check takes seconds)."""
    return _shacl(state_key())


def lineage_dot(g: nx.DiGraph) -> str:
    """Document lineage as Graphviz DOT: a box per document with its point counts and who gives them."""
    def q(text: object) -> str:
        return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'

    lines = ["digraph lineage {", "rankdir=LR;", 'node [shape=box, style="rounded,filled", fillcolor="#f3ede6", '
             'color="#9c755f", fontname="Helvetica", fontsize=10];', 'edge [fontname="Helvetica", fontsize=9];']
    ids = {n: f"d{i}" for i, n in enumerate(g.nodes)}
    for n, d in g.nodes(data=True):
        parts = [_wrap(d.get("label", n))]
        if d.get("points"):
            parts.append(_wrap(f"{d['points']} points"))
        parts += [_wrap(line) for line in _points_by_value(d.get("points_claimed", []))]
        if d.get("access"):
            parts.append(_wrap(f"content {d['access']}"))
        label = "\\n".join(parts)  # DOT's own line break, between parts already made safe
        lines.append(f'{ids[n]} [label="{label}", tooltip={q(n)}];')
    for u, v, d in g.edges(data=True):
        lines.append(f"{ids[u]} -> {ids[v]} [label={q(d.get('relation', ''))}];")
    lines.append("}")
    return "\n".join(lines)


def _points_by_value(claimed: Iterable[str]) -> list[str]:
    """'28 (Axios, 19 Nov 2025)', '27 (Yuri Ushakov, 2 Dec 2025)', … as '28 points per Axios, CBS News, +3'
    and '27 points per Yuri Ushakov': every disputed count shows, however many agree on the others."""
    who: dict[str, list[str]] = defaultdict(list)
    for text in claimed:
        m = re.fullmatch(r"(\S+) \((.*), [^,]*\)", str(text))
        value, speaker = (m.group(1), m.group(2)) if m else (str(text), "")
        if speaker and speaker not in who[value]:
            who[value].append(speaker)
        who.setdefault(value, [])
    out = []
    for value, speakers in sorted(who.items(), key=lambda kv: -len(kv[1])):
        named = ", ".join(speakers[:3]) + (f", +{len(speakers) - 3}" if len(speakers) > 3 else "")
        out.append(f"{value} points per {named}" if named else f"{value} points")
    return out


def _wrap(text: object, width: int = 38) -> str:
    """Text for a DOT label: no backslashes or double quotes, broken into lines of about `width`."""
    words, lines, line = str(text).replace("\\", "/").replace('"', "'").split(), [], ""
    for w in words:
        if line and len(line) + len(w) + 1 > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\\n".join(lines)


# -- snapshots, export, diff -------------------------------------------------------------------------------

EXPORT_FORMATS = {  # format → (what it is, file extension, MIME type)
    "trig": ("TriG: RDF with the named graphs kept", "trig", "application/trig"),
    "nq": ("N-Quads: RDF with the named graphs kept, one quad a line", "nq", "application/n-quads"),
    "ttl": ("Turtle: the union of the graphs as one RDF graph", "ttl", "text/turtle"),
    "jsonld": ("JSON-LD with a local context", "jsonld", "application/ld+json"),
    "graphml": ("GraphML for Gephi, yEd, networkx", "graphml", "application/graphml+xml"),
    "gexf": ("GEXF for Gephi (colours per type)", "gexf", "application/gexf+xml"),
    "csv": ("CSV nodes and edges (a zip)", "zip", "application/zip"),
    "png": ("A picture (PNG)", "png", "image/png"),
    "svg": ("A picture (SVG)", "svg", "image/svg+xml"),
}


def snapshot_file(s: Store, fmt: str, as_of: dt.date | None) -> bytes:
    """The graph as of a date (None: the whole store) in an export format, as bytes.

    ADAPTER: ``graph.export.export`` writes binary formats only to a path, so this goes through a
    temporary file; the library could offer ``export_bytes(store, fmt, as_of=)``. Takes the store as an
    argument so that a deferred download (run outside the page's script) needs no cache lookup.
    """
    from graph.export import export

    with tempfile.TemporaryDirectory(prefix="parley-ui-") as tmp:
        path = Path(tmp) / f"snapshot.{EXPORT_FORMATS[fmt][1]}"
        export(s, fmt, path, as_of=as_of)
        return path.read_bytes()


@st.cache_data(max_entries=8, show_spinner="Drawing the graph…")
def _picture(key: str, as_of: dt.date | None) -> bytes:
    return snapshot_file(store(), "png", as_of)


def picture(as_of: dt.date | None) -> bytes:
    """A PNG picture of the graph as of a date (cached)."""
    return _picture(state_key(), as_of)


@dataclass(frozen=True)
class Change:
    change: str        # added, removed, changed
    kind: str          # statements, claims, positions, events, documents, …
    date: str
    label: str
    iri: str


@st.cache_data(max_entries=16, show_spinner="Comparing the two dates…")
def _diff(key: str, before: dt.date, after: dt.date) -> list[Change]:
    from graph.diff import diff as compare_dates

    d = compare_dates(before, after, store=store())
    out = [Change(change, kind, r.date or "", r.label, r.iri)
           for change, groups in (("added", d.added), ("removed", d.removed)) for kind, records in groups.items()
           for r in records]
    out += [Change("changed", kind, new.date or "", new.label, new.iri) for kind, pairs in d.changed.items()
            for _, new in pairs]
    return out


def diff(before: dt.date, after: dt.date) -> list[Change]:
    """What the graph gained, lost and changed between two dates (``graph.diff``), one row per record."""
    return _diff(state_key(), before, after)


# -- ingest: previews and commits, once per click -----------------------------------------------------------

@dataclass
class Pending:
    """Uploads waiting in one session: checked, not yet committed. Names are safe base names, never the
    client's paths; content decides what a file is, never its extension."""

    kind: str                                   # "records", or "text" (a transcript and its draft)
    files: dict[str, bytes]                     # the record files to ingest (for text: the draft, editable)
    attachments: dict[str, bytes] = field(default_factory=dict)  # transcripts the records' text_file names
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


def safe_name(name: str, suffix: str | None = None) -> str:
    """A client's file name reduced to a plain base name (no folders, no odd characters)."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(".-") or "upload"
    if suffix is None:
        return base[:120]
    stem = (base.rsplit(".", 1)[0] if "." in base else base).strip("._-") or "upload"
    return f"{stem[:80]}{suffix}"


def is_records(data: bytes) -> bool:
    """Judge the content, not the name: record files start (after comments) with `parley: 1`."""
    head = data.removeprefix(b"\xef\xbb\xbf")[:65536].decode("utf-8", "replace")
    return re.search(r"(?m)^parley[ \t]*:", head) is not None


def prepare(uploads: Mapping[str, bytes]) -> tuple[Pending, Any]:
    """Sort uploads into record files (checked together, with the other files as the transcripts they
    point to) or one transcript (extracted into a draft, itself checked).

    :returns: what waits to be committed, and the dry-run report of record files (None for a draft).
    :raises InputError: nothing to ingest, too large, several transcripts, or the first problem found.
    """
    if not uploads:
        raise InputError("upload a YAML record file or a transcript (.txt), or paste one")
    named = {}
    for name, data in uploads.items():
        _check_size(name, data)
        named[safe_name(name)] = data
    records = {n: d for n, d in named.items() if is_records(d)}
    others = {n: d for n, d in named.items() if n not in records}
    if records:
        pending = Pending("records", {_yaml_name(n): d for n, d in records.items()}, others)
        return pending, check(pending)
    if len(others) > 1:
        raise InputError("upload one transcript at a time (or record files with the transcripts they name)")
    name, data = next(iter(others.items()))
    return draft_from_text(name, data), None


def _yaml_name(name: str) -> str:
    return name if name.lower().endswith((".yaml", ".yml")) else safe_name(name, ".yaml")


def check(pending: Pending) -> Any:
    """Dry-run the pending record files through the CLI's pipeline.

    :returns: the ingest report (nothing written).
    :raises InputError: with file, line, column and field.
    """
    return _ingest(pending, dry_run=True)


def draft_from_text(name: str, data: bytes) -> Pending:
    """ADAPTER (the library should offer ``ingest.text.draft_from_bytes(store, name, data) -> str``):
    extract a transcript into a YAML draft, checked as `parley ingest --dry-run` checks it."""
    from ingest.text.pipeline import ingest_text
    from ingest.text.reading import read_text

    text_name = safe_name(name, ".txt")
    read_text(data, text_name)  # not UTF-8, control characters: say so before anything else
    with tempfile.TemporaryDirectory(prefix="parley-ui-") as tmp:
        text_path = Path(tmp) / text_name
        text_path.write_bytes(data)
        draft_path = Path(tmp) / safe_name(name, ".draft.yaml")
        ingest_text(store(), text_path, draft=draft_path)
        return Pending("text", {draft_path.name: draft_path.read_bytes()}, {text_name: data})


def commit(pending: Pending) -> Any:
    """Ingest pending uploads through the CLI's pipeline, at most once however often the button is
    clicked (in this session or a concurrent one), one ingest at a time in this process.

    :returns: the ingest report; the same report again when these uploads were already committed.
    :raises InputError: nothing was written.
    """
    shared = _shared(store_spec())
    with shared.lock:
        if pending.token in shared.committed:
            return shared.committed[pending.token]
        report = _ingest(pending, dry_run=False)
        shared.committed[pending.token] = report
        shared.generation += 1
        return report


def _ingest(pending: Pending, *, dry_run: bool) -> Any:
    from ingest.pipeline import ingest_files

    # Uploads go in by their plain names; a record file may name only a transcript uploaded with it
    # (local_text_files=False), never a file on the server.
    uploads = {**pending.attachments, **pending.files}
    return ingest_files(store(), list(pending.files), dry_run=dry_run, uploads=uploads, local_text_files=False)


def _check_size(name: str, data: bytes) -> None:
    if len(data) > max_upload_mb() * 1024 * 1024:
        raise InputError(f"the file is {len(data):,} bytes, over the {max_upload_mb()} MB upload limit", file=name)


def report_line(report: Any) -> str:
    verb = "Would write" if report.dry_run else "Ingested"
    return (f"{verb} {len(report.files)} file(s): {report.total('statements')} statements, "
            f"{report.total('claims')} claims; graphs {report.total('added')} added, "
            f"{report.total('replaced')} replaced, {report.total('unchanged')} unchanged")


__all__ = ["Change", "COLOUR_NAMES", "EXAMPLE_ACTOR", "EXAMPLE_EVENT", "EXAMPLE_ISSUE", "EXPORT_FORMATS",
           "MAX_NODES", "Pending", "PositionMatrix", "Question", "QUESTIONS", "SourceRef", "Stance",
           "STANCE_COLOURS", "TimelineItem", "attempt", "cell", "check", "commit", "counts", "date_bounds", "diff", "error",
           "draft_from_text", "draw_graph", "edges_of", "entities_graph", "facts", "frame_rows", "graph_elements",
           "human_date", "is_records", "legend", "lineage_dot", "link", "max_upload_mb", "md", "named",
           "neighbourhood", "node_group", "parse_day", "picture", "position_matrix", "prepare", "quality", "query",
           "report_line", "safe_name", "safe_url", "shacl_report", "short_name", "snapshot_file", "source_of",
           "stance_text", "state_key", "store", "store_spec", "timeline", "triples_graph"]
