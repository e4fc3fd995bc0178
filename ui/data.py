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
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx
import streamlit as st

from graph.errors import InputError, ParleyError
from graph.projections import (
    Around, Dates, Entity, Facts, entities_with_id, entity_graph, find_candidates, graphs_near, graphs_of_period,
    human_date, read_dates, read_entities, read_facts_of, values_block,
)
from graph.sparql import DEFAULT_ROW_LIMIT, QueryResult, load_query, run, run_named, short_name
from graph.store import DEFAULT_STORE, ENV_STORE, Store

EXAMPLE_EVENT = "kremlin-meeting-2025-12-02"
EXAMPLE_ACTOR = "russia"
EXAMPLE_ISSUE = "territorial-issue"
MAX_NODES = 500            # the most nodes the Explorer draws; Cytoscape stays responsive below this
NEAR_STATEMENTS = 200      # the most statements read for a neighbourhood until all are asked for
MAX_LINEAGE = 150          # the most documents the lineage picture draws
CONFLICTS_SHOWN = 12       # disputed numbers shown side by side before "show all"
HISTORY_SHOWN = 20         # stances of one actor on one issue listed before "show all"
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
# A page's first view asks the store for what it shows (counts, one page of rows, one entity's
# neighbourhood), never for everything: the store may hold hundreds of thousands of statements.

@st.cache_resource(max_entries=32, show_spinner="Reading the neighbourhood…")
def _around(key: str, iris: frozenset[str], statements: int | None) -> tuple[Around, Facts]:
    near = graphs_near(store(), iris, statements=statements)
    return near, read_facts_of(store(), near.graphs)


def around(iris: Iterable[str], *, every: bool = False) -> Facts:
    """The facts of some entities and of everything they are related to (shared by all sessions; read only):
    from the NEAR_STATEMENTS statements about them that matter most (:func:`reach`), or from `every` one."""
    return _around(state_key(), frozenset(iris), None if every else NEAR_STATEMENTS)[1]


def reach(iris: Iterable[str], *, every: bool = False) -> Around:
    """How many statements mention the entities (or back a claim about them), and how many :func:`around` read."""
    return _around(state_key(), frozenset(iris), None if every else NEAR_STATEMENTS)[0]


@st.cache_resource(max_entries=8, show_spinner="Reading the period…")
def _period(key: str, since: dt.date | None, until: dt.date | None) -> Facts:
    return read_facts_of(store(), graphs_of_period(store(), since, until, dates=dates()))


def period(since: dt.date | None, until: dt.date | None) -> Facts:
    """The facts of the events, documents and statements dated in a period (read only)."""
    return _period(state_key(), since, until)


@st.cache_resource(max_entries=64, show_spinner=False)
def _named_entities(key: str, name: str) -> Facts:
    # an exact id (what links and the URL carry) names its entity without a search of every name
    return read_entities(store(), entities_with_id(store(), name) or find_candidates(store(), name))


def find(name: str) -> Entity:
    """The entity that goes by `name` (``analytics.find_entity``), looked up in the store's names.

    :raises UnknownEntityError: no entity goes by that name.
    :raises AmbiguousEntityError: several do.
    """
    from graph.analytics import UnknownEntityError, find_entity

    found = _named_entities(state_key(), name)
    if name.strip() and not found.entities:
        raise UnknownEntityError(f"no entity called {name!r}: try a label, an alias or an id "
                                 "(parley stats lists what the store holds)")
    return find_entity(found, name)


@st.cache_resource(max_entries=4, show_spinner=False)
def _entities_of(key: str, types: tuple[str, ...]) -> Facts:
    return read_entities(store(), types=types)


def entities_of(*types: str) -> list[Entity]:
    """Every entity of these types (actors, issues: there are few), by label."""
    return sorted(_entities_of(state_key(), tuple(sorted(types))).entities.values(), key=lambda e: e.label)


@st.cache_data(max_entries=1024, show_spinner=False)
def _labels(key: str, iris: tuple[str, ...]) -> dict[str, str]:
    f = read_entities(store(), iris)
    return {iri: f.label(iri) for iri in iris}


def labels(iris: Iterable[str]) -> dict[str, str]:
    """The display name of each entity (its id when it has none)."""
    return _labels(state_key(), tuple(sorted(set(iris))))


@st.cache_resource(max_entries=16, show_spinner="Building the graph…")
def _entity_graph(key: str, centres: frozenset[str], since: dt.date | None, until: dt.date | None,
                  types: tuple[str, ...], statements: bool, every: bool) -> nx.MultiDiGraph:
    return entity_graph(around(centres, every=every), as_of=until, since=since, types=types, statements=statements)


def entities_graph(centres: Iterable[str], since: dt.date | None, until: dt.date | None, types: Iterable[str],
                   statements: bool, *, every: bool = False) -> nx.MultiDiGraph:
    """The entity graph of the centres' neighbourhood (:func:`around`): every relation of a centre read, with
    its neighbours."""
    return _entity_graph(state_key(), frozenset(centres), since, until, tuple(sorted(types)), statements, every)


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
    from ontology.namespaces import PARLEY, SEM

    classes = (PARLEY.Actor, SEM.Event, PARLEY.Document, PARLEY.Issue, PARLEY.Statement, PARLEY.Claim)
    rows = store().select(f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE {{ VALUES ?c {{ "
                          f"{' '.join(f'<{c}>' for c in classes)} }} ?s a ?c }} GROUP BY ?c").rows
    return {str(c).rsplit("#", 1)[-1].rsplit("/", 1)[-1]: int(str(n)) for c, n in rows if c is not None}


def counts() -> dict[str, int]:
    """The instances of the main classes, by local name: Actor, Event, Statement, Claim, …"""
    return _counts(state_key())


@st.cache_data(max_entries=4, show_spinner="Counting the quads…")
def _quads(key: str) -> int:
    return store().backend.quad_count()


def quads() -> int:
    """How many quads the store holds (the engine counts them one by one: seconds on a big store)."""
    return _quads(state_key())


SMALL_STORE = 20_000  # up to this many statements, the Overview runs its whole-store checks at once


def is_small(found: Mapping[str, int]) -> bool:
    """Whether a store with these :func:`counts` is small enough for the whole-store checks on every visit."""
    return found.get("Statement", 0) <= SMALL_STORE


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


@st.cache_resource(max_entries=4, show_spinner=False)
def _dates(key: str) -> Dates:
    return read_dates(store())


def dates() -> Dates:
    """The values the store's dating properties take, by day (read once, shared by every page)."""
    return _dates(state_key())


def _on(prop: object, days: Iterable[str], var: str = "d") -> str:
    """``VALUES ?d { … }`` of a dating property's values on some days."""
    values = dates().values.get(str(prop), {})
    return values_block(var, sorted(v for day in set(days) for v in values.get(day, ())))


def _first_typed(prop: object, cls: object, days: list[str]) -> str | None:
    """The first of `days` on which something of class `cls` has that date (`prop`)."""
    for day in days:
        if store().ask(f"ASK {{ {_on(prop, [day])} ?s <{prop}> ?d ; a <{cls}> }}"):
            return day
    return None


@st.cache_data(max_entries=4, show_spinner=False)
def _date_bounds(key: str) -> tuple[str | None, str | None]:
    from ontology.namespaces import DCTERMS, PARLEY, SEM

    # Events by their time stamps; documents and statements by dates they alone carry: a few lookups of
    # the first and last dates, where a join of every statement with its date reads them all.
    d = dates()
    found = d.days(str(SEM.hasTimeStamp), str(SEM.hasBeginTimeStamp))
    for prop, cls in ((DCTERMS.created, PARLEY.Document), (DCTERMS.date, PARLEY.Statement)):
        days = d.days(str(prop))
        found += [x for x in (_first_typed(prop, cls, days), _first_typed(prop, cls, days[::-1])) if x]
    return (min(found), max(found)) if found else (None, None)


def date_bounds() -> tuple[dt.date, dt.date]:
    """The first and last day anything in the graph is dated (at least a day apart)."""
    low, high = _date_bounds(state_key())
    last = parse_day(high) or dt.date.today()
    first = parse_day(low) or last
    return min(first, last - dt.timedelta(days=1)), last  # date sliders need two different days


@st.cache_data(max_entries=64, show_spinner=False)
def _day_counts(key: str, days: tuple[str, ...]) -> dict[str, int]:
    from ontology.namespaces import DCTERMS, PARLEY, SEM

    rows = store().select(
        f"SELECT ?d (COUNT(?s) AS ?n) WHERE {{ {{ {_on(SEM.hasTimeStamp, days)} ?s <{SEM.hasTimeStamp}> ?d }} UNION "
        f"{{ {_on(DCTERMS.date, days)} ?s <{DCTERMS.date}> ?d ; a <{PARLEY.Statement}> }} }} GROUP BY ?d").rows
    out: Counter[str] = Counter()
    for d, n in rows:
        if d is not None:
            out[str(d)[:10]] += int(str(n))
    return dict(out)


def recent_start(items: int = 200) -> dt.date:
    """The first day of the latest period that holds about `items` events and statements: a timeline's
    default span (a year of a busy negotiation is too many points to read, or to draw)."""
    from ontology.namespaces import DCTERMS, SEM

    first, last = date_bounds()
    days = dates().days(str(SEM.hasTimeStamp), str(DCTERMS.date))[::-1]
    total, done = 0, 0
    for size in (3, 30, len(days)):  # counted from the last day back, a few days at a time
        batch = days[done:size]
        counts = _day_counts(state_key(), tuple(batch)) if batch else {}
        for day in batch:
            total += counts.get(day, 0)
            if total >= items:
                return max(first, min(last, parse_day(day) or first))
        done = max(done, size)
    return first


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


@st.cache_data(max_entries=1024, show_spinner=False)
def _sources(key: str, statements: tuple[str, ...]) -> dict[str, SourceRef]:
    from ontology.namespaces import DCTERMS, PROV, RDFS, SCHEMA

    values = " ".join(f"<{s}>" for s in statements)
    rows = store().select(
        f"SELECT ?st ?src ?title ?label ?url WHERE {{ VALUES ?st {{ {values} }} ?st <{PROV.wasQuotedFrom}> ?src . "
        f"OPTIONAL {{ ?src <{DCTERMS.title}> ?title }} OPTIONAL {{ ?src <{RDFS.label}> ?label }} "
        f"OPTIONAL {{ ?src <{SCHEMA.url}> ?url }} }}").rows if statements else []
    out = {}
    for st_, src, title, label, url in rows:
        out[str(st_)] = SourceRef(str(src), str(title or label or short_name(str(src))), safe_url(url))
    return out


def sources_of(statements: Iterable[str]) -> dict[str, SourceRef]:
    """The sources some statements are quoted from, with their titles and (safe) URLs."""
    return _sources(state_key(), tuple(sorted(set(statements))))


def source_of(statement: str) -> SourceRef | None:
    """The source a statement is quoted from, with its title and (safe) URL."""
    return sources_of([statement]).get(statement)


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
    stances: dict[tuple[str, str], str] = field(default_factory=dict)  # (actor, issue) → the latest stance
    names: dict[str, str] = field(default_factory=dict)
    complete: bool = True  # from every claim; else from the claims of the RECENT_DAYS before the date

    def latest(self, actor: str, issue: str) -> str | None:
        return self.stances.get((actor, issue))

    def label(self, iri: str) -> str:
        return self.names.get(iri, iri.rsplit("/", 1)[-1])


def _position_claims_of(actors: Iterable[str] | None, issue: str | None, as_of: dt.date,
                        since: dt.date | None = None) -> list[tuple[str, ...]]:
    """(claim, actor, issue, stance, statement, day) of the asserted position claims stated by `as_of`, of
    some actors (None: all) and one issue (None: all). Plain patterns only: with OPTIONAL or with the type
    checks beside them the engine reads far more than it returns."""
    from ontology.namespaces import DCTERMS, FACTUALITY, PARLEY, PROV

    def pick(var: str, iris: Iterable[str] | None) -> str:
        return "" if iris is None else f"VALUES ?{var} {{ {' '.join(f'<{x}>' for x in iris)} }} "

    issues = None if issue is None else [issue]
    day = "SUBSTR(STR(?d), 1, 10)"
    if since is not None:  # from the statements of the period (their dates named): the few days' claims
        days = _on(DCTERMS.date, (day for day in dates().days(str(DCTERMS.date))
                                  if since.isoformat() <= day <= as_of.isoformat()))
        rows = store().select(
            f"SELECT ?c ?a ?i ?stance ?st ?d WHERE {{ {days} ?st <{DCTERMS.date}> ?d . "
            f"?c <{PROV.wasDerivedFrom}> ?st . ?c a <{PARLEY.PositionClaim}> ; "
            f"<{PARLEY.actor}> ?a ; <{PARLEY.issue}> ?i ; <{PARLEY.stance}> ?stance }}").rows
    else:
        one = actors is not None and len(list(actors)) == 1 and issue is not None
        rows = store().select(  # one cell: both constants in the patterns, so the engine intersects them
            f"SELECT ?c ?a ?i ?stance ?st ?d WHERE {{ ?c <{PARLEY.actor}> <{next(iter(actors or []))}> ; "
            f"<{PARLEY.issue}> <{issue}> . BIND(<{next(iter(actors or []))}> AS ?a) BIND(<{issue}> AS ?i) "
            f"?c a <{PARLEY.PositionClaim}> ; <{PARLEY.stance}> ?stance ; <{PROV.wasDerivedFrom}> ?st . "
            f"?st <{DCTERMS.date}> ?d . FILTER({day} <= \"{as_of.isoformat()}\") }}").rows if one else store().select(
            f"SELECT ?c ?a ?i ?stance ?st ?d WHERE {{ {pick('a', actors)}?c <{PARLEY.actor}> ?a . "
            f"?c <{PARLEY.issue}> ?i . {pick('i', issues) if actors is None else ''}"
            f"?c a <{PARLEY.PositionClaim}> ; <{PARLEY.stance}> ?stance ; <{PROV.wasDerivedFrom}> ?st . "
            f"?st <{DCTERMS.date}> ?d . FILTER({day} <= \"{as_of.isoformat()}\") }}").rows
    out = [tuple(str(t) for t in r) for r in rows if issue is None or str(r[2]) == issue]
    if not out:
        return []
    other = {str(c) for c, f in store().select(
        f"SELECT ?c ?f WHERE {{ VALUES ?c {{ {' '.join(f'<{r[0]}>' for r in out)} }} ?c <{PARLEY.factuality}> ?f }}"
    ).rows if str(f) != str(FACTUALITY.asserted)}
    return [(c, a, i, stance, st_, d[:10]) for c, a, i, stance, st_, d in out if c not in other]


FULL_MATRIX_CLAIMS = 2_000  # up to this many position claims in the store, the matrix is always complete
RECENT_DAYS = 7             # otherwise it first shows the stances stated in the days before the date


@st.cache_data(max_entries=4, show_spinner=False)
def _position_claims(key: str) -> int:
    from ontology.namespaces import PARLEY

    rows = store().select(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a <{PARLEY.PositionClaim}> }}").rows
    return int(str(rows[0][0])) if rows else 0


@st.cache_data(max_entries=32, show_spinner="Reading the positions…")
def _position_matrix(key: str, as_of: dt.date, every: bool) -> PositionMatrix:
    m = PositionMatrix(as_of)
    m.complete = every or _position_claims(key) <= FULL_MATRIX_CLAIMS
    # The latest asserted position claim per actor and issue, by (day, claim), as stances_graph orders them.
    latest: dict[tuple[str, str], tuple[str, str, str]] = {}
    since = None if m.complete else as_of - dt.timedelta(days=RECENT_DAYS - 1)
    for c, a, i, stance, _, day in _position_claims_of(None, None, as_of, since):
        latest[(a, i)] = max(latest.get((a, i), ("", "", "")), (day, c, stance))
    m.stances = {cell: stance.rsplit("/", 1)[-1] for cell, (_, _, stance) in latest.items()}
    m.names = labels({x for cell in m.stances for x in cell})
    cells_of_actor = Counter(a for a, _ in m.stances)
    cells_of_issue = Counter(i for _, i in m.stances)
    m.actors = sorted(((a, m.label(a)) for a in cells_of_actor), key=lambda x: (-cells_of_actor[x[0]], x[1]))
    m.issues = sorted(((i, m.label(i)) for i in cells_of_issue), key=lambda x: (-cells_of_issue[x[0]], x[1]))
    return m


def position_matrix(as_of: dt.date, *, every: bool = False) -> PositionMatrix:
    """Actors' stances on issues as of a date (the latest asserted position claim per cell), from every
    claim when the store holds few or `every` is given; else from the claims stated in the RECENT_DAYS
    before the date (`complete` is then False): the whole matrix takes every claim to compute."""
    return _position_matrix(state_key(), as_of, every)


def _quotes(claims: list[str]) -> dict[str, str]:
    """The exact words of each claim (an OPTIONAL beside the claims' other patterns makes the engine read
    every quote in the store: asked on its own instead)."""
    from ontology.namespaces import OA, PARLEY

    if not claims:
        return {}
    rows = store().select(f"SELECT ?c ?q WHERE {{ VALUES ?c {{ {' '.join(f'<{c}>' for c in claims)} }} "
                          f"?c <{PARLEY.quote}> ?sel . ?sel <{OA.hasSelector}> ?qs . ?qs <{OA.exact}> ?q }}").rows
    return {str(c): str(q) for c, q in rows}


@st.cache_data(max_entries=64, show_spinner=False)
def _stance_claims(key: str, actor: str, issue: str, as_of: dt.date) -> list[tuple[str, str, str, str]]:
    """(day, claim, stance, statement) of an actor's asserted position claims on an issue, oldest first."""
    found = {(d, c): (d, c, stance, st_) for c, _, _, stance, st_, d in _position_claims_of([actor], issue, as_of)}
    return [found[k] for k in sorted(found)]


@st.cache_data(max_entries=64, show_spinner=False)
def _stance_history(key: str, actor: str, issue: str, as_of: dt.date, latest: int | None) -> list[Stance]:
    from ontology.namespaces import PARLEY, PROV

    claims = _stance_claims(key, actor, issue, as_of)
    if latest is not None:  # the words and speakers of the stances listed only
        claims = claims[-latest:] if latest else []
    said = " ".join(f"<{r[3]}>" for r in claims)
    speakers = {str(st_): str(sp) for st_, sp in store().select(
        f"SELECT ?st ?sp WHERE {{ VALUES ?st {{ {said} }} ?st <{PROV.wasAttributedTo}> ?sp }}").rows} if claims else {}
    names = labels(speakers.get(r[3], "") for r in claims)
    quotes = _quotes([r[1] for r in claims])
    texts = {str(st_): str(x) for st_, x in store().select(
        f"SELECT ?st ?x WHERE {{ VALUES ?st {{ {said} }} ?st <{PARLEY.text}> ?x }}").rows} if claims else {}
    return [Stance(d, stance.rsplit("/", 1)[-1], names[speakers.get(st_, "")], quotes.get(c) or texts.get(st_) or "",
                   st_, "asserted") for d, c, stance, st_ in claims]


def stance_history(actor: str, issue: str, as_of: dt.date, *, latest: int | None = None) -> list[Stance]:
    """An actor's stated stances on an issue up to a date, oldest first, with who said so and the words:
    all of them, or the `latest` few."""
    return _stance_history(state_key(), actor, issue, as_of, latest)


def stance_count(actor: str, issue: str, as_of: dt.date) -> int:
    """How many stances :func:`stance_history` lists in all."""
    return len(_stance_claims(state_key(), actor, issue, as_of))


# -- the overview and the documents: one page of rows, counted in the store ----------------------------

@dataclass(frozen=True)
class Latest:
    iri: str
    date: str
    speaker: str
    text: str


@st.cache_data(max_entries=4, show_spinner=False)
def _latest(key: str, n: int) -> list[Latest]:
    from ontology.namespaces import DCTERMS, PARLEY, PROV

    def ask(days: list[str]) -> list[tuple[Any, ...]]:
        return store().select(
            f"SELECT ?s ?d ?sp WHERE {{ {_on(DCTERMS.date, days)} ?s <{DCTERMS.date}> ?d ; a <{PARLEY.Statement}> ; "
            f"<{PROV.wasAttributedTo}> ?sp }} ORDER BY DESC(?d) DESC(?s) LIMIT {n}").rows

    # The last days first, their dates named: sorting every statement is the slow way.
    days = dates().days(str(DCTERMS.date))[::-1]
    for back in (3, 60, len(days)):
        rows = ask(days[:back])
        if len(rows) >= n:
            break
    names = labels(str(r[2]) for r in rows)
    texts = {str(st_): str(x) for st_, x in store().select(
        f"SELECT ?s ?x WHERE {{ VALUES ?s {{ {' '.join(f'<{r[0]}>' for r in rows)} }} ?s <{PARLEY.text}> ?x }}"
    ).rows} if rows else {}
    return [Latest(str(s_), str(d)[:10], names[str(sp)], texts.get(str(s_), "")) for s_, d, sp in rows]


def latest_statements(n: int = 6) -> list[Latest]:
    """The last `n` statements, newest first, with the speaker's name."""
    return _latest(state_key(), n)


@st.cache_data(max_entries=16, show_spinner=False)
def _changes(key: str, since: dt.date, until: dt.date, limit: int) -> tuple[int, list[dict[str, str]]]:
    from ontology.namespaces import DCTERMS, PARLEY, PROV, RDFS, SEM

    # The period's dates named in each branch: the engine looks up what carries them, where a FILTER on
    # the date reads every dated thing in the store with its text, speaker and source first.
    def where(days: list[str]) -> str:
        on = {p: _on(p, days, "date") for p in (SEM.hasTimeStamp, DCTERMS.created, DCTERMS.date)}
        return (f"{{ {on[SEM.hasTimeStamp]} ?item <{SEM.hasTimeStamp}> ?date ; a <{SEM.Event}> ; "
                f"<{RDFS.label}> ?summary . BIND(\"event\" AS ?what) }} UNION {{ {on[DCTERMS.created]} "
                f"?item <{DCTERMS.created}> ?date ; a <{PARLEY.Document}> ; <{DCTERMS.title}> ?summary . "
                f"BIND(\"document\" AS ?what) }} UNION {{ {on[DCTERMS.date]} ?item <{DCTERMS.date}> ?date ; "
                f"a <{PARLEY.Statement}> ; <{PROV.wasAttributedTo}> ?who ; <{PARLEY.text}> ?summary ; "
                f"<{PROV.wasQuotedFrom}> ?source . BIND(\"statement\" AS ?what) }}")

    days = [day for day in dates().days() if since.isoformat() <= day <= until.isoformat()][::-1]
    total = store().select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where(days)} }}").rows
    for back in (1, 7, len(days)):  # the latest rows are those of the last days: ask for those first
        rows = store().select(f"SELECT ?date ?what ?item ?summary ?who ?source WHERE {{ {where(days[:back])} }} "
                              f"ORDER BY DESC(?date) ?what ?item LIMIT {limit}").rows
        if len(rows) >= limit:
            break
    names = ("date", "what", "item", "summary", "who", "source")
    return int(str(total[0][0])) if total else 0, [{k: cell(v) for k, v in zip(names, r)} for r in rows]


def changes(since: dt.date, until: dt.date, *, limit: int = 200) -> tuple[int, list[dict[str, str]]]:
    """How many events, documents and statements are dated in a period, and the latest `limit` of them."""
    return _changes(state_key(), since, until, limit)


_FIGURES = """{{
    {values} ?claim <{document}> ?subject . ?claim a <{points_claim}> ; <{points}> ?value . BIND("points" AS ?quantity)
  }} UNION {{
    {values} ?claim <{subject}> ?subject . ?claim a <{figure_claim}> ; <{quantity}> ?quantity ; <{value}> ?value .
  }}"""


def _figures(subjects: Iterable[str] = ()) -> str:
    from ontology.namespaces import PARLEY

    values = " ".join(f"<{s_}>" for s_ in subjects)
    return _FIGURES.format(points_claim=PARLEY.DocumentPointsClaim, document=PARLEY.document,
                           points=PARLEY.numberOfPoints, figure_claim=PARLEY.FigureClaim, subject=PARLEY.subject,
                           quantity=PARLEY.quantity, value=PARLEY.value,
                           values=f"VALUES ?subject {{ {values} }}" if values else "")


@st.cache_data(max_entries=4, show_spinner=False)
def _disputed(key: str) -> list[tuple[str, str]]:
    rows = store().select(f"SELECT ?subject ?quantity WHERE {{ {_figures()} }} GROUP BY ?subject ?quantity "
                          f"HAVING (COUNT(DISTINCT <http://www.w3.org/2001/XMLSchema#decimal>(?value)) > 1) "
                          f"ORDER BY ?subject ?quantity").rows
    return [(str(s_), str(q)) for s_, q in rows]


def disputed() -> list[tuple[str, str]]:
    """The numbers sources give differently: (subject, quantity), as the `disagreements` query finds them."""
    return _disputed(state_key())


@dataclass(frozen=True)
class FigureClaim:
    subject: str
    quantity: str
    value: str
    speaker: str
    date: str
    confidence: str
    quote: str


@st.cache_data(max_entries=32, show_spinner="Reading the claims…")
def _figure_claims(key: str, wanted: tuple[tuple[str, str], ...]) -> list[FigureClaim]:
    from ontology.namespaces import OA, PARLEY, PROV

    if not wanted:
        return []
    figures = {str(c): (str(s_), str(q), str(v)) for c, s_, q, v in store().select(
        f"SELECT ?claim ?subject ?quantity ?value WHERE {{ {_figures(sorted({s_ for s_, _ in wanted}))} }}").rows}
    # The claims' details in a second query: joined with the figures above, the engine would read every claim.
    details = store().select(
        f"SELECT ?claim ?speaker ?date ?confidence WHERE {{ VALUES ?claim {{ "
        f"{' '.join(f'<{c}>' for c in figures)} }} "
        f"?claim <{PROV.wasAttributedTo}> ?speaker ; <{PARLEY.assertedOn}> ?date ; <{PARLEY.confidence}> ?confidence ; "
        f"<{PARLEY.factuality}> ?factuality ; <{PROV.wasDerivedFrom}> ?statement . "
        f"?statement <{PROV.wasQuotedFrom}> ?source . }}").rows if figures else []
    quotes = _quotes([str(r[0]) for r in details])
    rows = sorted(((*figures[str(c)], sp, d, conf, quotes.get(str(c)), str(c)) for c, sp, d, conf in details),
                  key=lambda r: (r[0], r[1], r[2], str(r[4]), str(r[3]), r[7]))
    rows = [r for r in rows if (str(r[0]), str(r[1])) in set(wanted)]
    names = labels({str(r[0]) for r in rows} | {str(r[3]) for r in rows})
    return [FigureClaim(names[str(s_)], str(q), str(v), names[str(sp)], str(d), cell(c), str(qt or ""))
            for s_, q, v, sp, d, c, qt, _ in rows]


def figure_claims(wanted: Iterable[tuple[str, str]]) -> list[FigureClaim]:
    """Every claim about each disputed number in `wanted`, with its value, speaker, date and words."""
    return _figure_claims(state_key(), tuple(wanted))


def _lookup(prop: object, subjects: Iterable[str], *, inverse: bool = False) -> dict[str, list[Any]]:
    """Each subject's values of one property (`inverse`: the things that have it as their value), one
    pattern per query: with more patterns beside a long VALUES block the engine reads every claim."""
    out: dict[str, list[Any]] = defaultdict(list)
    names = sorted(set(subjects))
    for i in range(0, len(names), 1000):
        chunk = " ".join(f"<{x}>" for x in names[i:i + 1000])
        pattern = f"?o <{prop}> ?s" if inverse else f"?s <{prop}> ?o"
        for x, o in store().select(f"SELECT ?s ?o WHERE {{ VALUES ?s {{ {chunk} }} {pattern} }}").rows:
            out[str(x)].append(o)
    return out


@st.cache_data(max_entries=8, show_spinner=False)
def _document_points(key: str, docs: tuple[str, ...] | None) -> list[tuple[str, str, str, str, str]]:
    """(document, number, speaker, day, claim) of the point counts sources give, by claim; of some documents
    or (None) of all."""
    from ontology.namespaces import DCTERMS, PARLEY, PROV, RDF

    if docs is None:
        rows = store().select(
            f"SELECT ?d ?n ?sp ?day ?c WHERE {{ ?c a <{PARLEY.DocumentPointsClaim}> ; <{PARLEY.document}> ?d ; "
            f"<{PARLEY.numberOfPoints}> ?n ; <{PROV.wasDerivedFrom}> ?st . ?st <{PROV.wasAttributedTo}> ?sp ; "
            f"<{DCTERMS.date}> ?day }} ORDER BY ?c").rows
        return [(str(d), str(n), str(sp), str(day), str(c)) for d, n, sp, day, c in rows]
    claims = _lookup(PARLEY.document, docs, inverse=True)
    about = {str(c): d for d, found in claims.items() for c in found}
    kinds = _lookup(RDF.type, about)
    about = {c: d for c, d in about.items() if any(str(k) == str(PARLEY.DocumentPointsClaim) for k in kinds[c])}
    points, derived = _lookup(PARLEY.numberOfPoints, about), _lookup(PROV.wasDerivedFrom, about)
    said = {str(st_) for found in derived.values() for st_ in found}
    speakers, days = _lookup(PROV.wasAttributedTo, said), _lookup(DCTERMS.date, said)
    return sorted(((d, str(n), str(sp), str(day), c) for c, d in about.items() for n in points[c]
                   for st_ in derived[c] for sp in speakers[str(st_)] for day in days[str(st_)]), key=lambda r: r[4])


@dataclass(frozen=True)
class Documents:
    facts: Facts
    listed: int       # the documents in `facts`
    total: int        # the documents in the store

    @property
    def complete(self) -> bool:
        return self.listed == self.total


@st.cache_resource(max_entries=4, show_spinner="Reading the documents…")
def _documents(key: str, every: bool) -> Documents:
    from graph.projections import lineage_graph, read_documents
    from ontology.namespaces import DCTERMS, PARLEY, SEM

    s = store()
    f = read_documents(s)
    total = sum(e.type == "document" for e in f.entities.values())
    docs: tuple[str, ...] | None = None
    if not every and total > MAX_LINEAGE:  # the documents the lineage picture draws: the best-connected
        g = lineage_graph(f)
        docs = tuple(sorted(sorted((n for n in g if g.degree(n) > 0), key=lambda n: (-g.degree(n), n))[:MAX_LINEAGE]))
        keep = set(docs)
        f.entities = {iri: e for iri, e in f.entities.items() if iri in keep}
        f.links = [x for x in f.links if x.source in keep and x.target in keep]
    # The point counts each source gives, as read_facts words them: "27 (Yuri Ushakov, 2 Dec 2025)".
    rows = _document_points(key, docs)
    names = labels(r[2] for r in rows)
    for d, n, sp, day, _ in rows:
        if d in f.entities:
            f.entities[d].attrs.setdefault("points_claimed", []).append(f"{n} ({names[sp]}, {human_date(day[:10])})")
    # The first day a document is known: discussed at an event, or handed over (as read_facts dates them).
    days = [s.select(f"SELECT ?d (MIN(STR(?day)) AS ?first) WHERE {{ ?e <{PARLEY.involvesDocument}> ?d . "
                     f"?e <{p}> ?day }} GROUP BY ?d").rows for p in (SEM.hasTimeStamp, SEM.hasBeginTimeStamp)]
    days.append(s.select(f"SELECT ?d (MIN(STR(?day)) AS ?first) WHERE {{ ?d <{PARLEY.transfer}> ?t . "
                         f"?t <{DCTERMS.date}> ?day }} GROUP BY ?d").rows)
    for doc, first in (row for found in days for row in found):
        e = f.entities.get(str(doc))
        if e is not None and first is not None and (e.date is None or str(first)[:10] < e.date):
            e.date = str(first)[:10]
    return Documents(f, len(f.entities), total)


def documents(*, every: bool = False) -> Documents:
    """The documents with their lineage, point counts (and who gives them) and content (read only): of
    every document when there are at most MAX_LINEAGE or `every` is given, else of the best-connected."""
    return _documents(state_key(), every)


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
    from ontology.namespaces import CONFIDENCE, ORIGIN, PARLEY

    rows = store().select(
        f"SELECT ?t (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x <{PARLEY.origin}> <{ORIGIN.extracted}> . ?x a ?t . "
        f"FILTER(?t IN (<{PARLEY.Statement}>, <{PARLEY.Claim}>)) }} GROUP BY ?t").rows
    extracted = {str(t): int(str(n)) for t, n in rows}
    disputed = store().select(
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{PARLEY.Claim}> ; <{PARLEY.confidence}> "
        f"<{CONFIDENCE.disputed}> }}").rows
    return {"extracted_statements": extracted.get(str(PARLEY.Statement), 0),
            "extracted_claims": extracted.get(str(PARLEY.Claim), 0),
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


__all__ = ["attempt", "cell", "Change", "check", "COLOUR_NAMES", "commit", "counts", "date_bounds", "dates", "diff",
           "Documents", "documents", "draft_from_text", "draw_graph", "edges_of", "entities_graph", "error",
           "EXAMPLE_ACTOR", "EXAMPLE_EVENT", "EXAMPLE_ISSUE", "EXPORT_FORMATS", "facts", "frame_rows",
           "graph_elements", "human_date", "is_records", "is_small", "legend", "lineage_dot", "link", "MAX_NODES",
           "max_upload_mb", "md", "named", "NEAR_STATEMENTS", "neighbourhood", "node_group", "parse_day", "Pending",
           "picture", "position_matrix", "PositionMatrix", "prepare", "quads", "quality", "query", "Question",
           "QUESTIONS", "reach", "report_line", "safe_name", "safe_url", "shacl_report", "short_name", "SMALL_STORE",
           "snapshot_file", "source_of", "SourceRef", "Stance", "STANCE_COLOURS", "stance_count", "stance_text",
           "state_key", "store", "store_spec", "timeline", "TimelineItem", "triples_graph"]
