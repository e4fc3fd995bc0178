"""What the app's pages read and write: the one shared store, the graph's facts and query results cached
on the store's state, and safe text for the page. What only one page reads is in a module of
its own: ``ui.stances`` (Positions), ``ui.document_data`` (Documents), ``ui.snapshot_data`` (Snapshots),
``ui.uploads`` (Ingest); ``ui.drawing`` draws the graphs.

The app process owns an on-disk store: it is opened once (``st.cache_resource``) and shared by every
session. Caches are keyed on the store's *state*: a counter this process bumps after each ingest
(plus, for a remote endpoint that others write to, the current minute).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import string
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypeVar

import networkx as nx
import streamlit as st

from graph.errors import ParleyError
from graph.facts import Entity, Facts, human_date, read_entities
from graph.neighbourhood import (
    Around, Dates, entities_with_id, find_candidates, graphs_near, graphs_of_period, read_dates, read_facts_of,
    values_block,
)
from graph.named_queries import load_query, run_named
from graph.projections import entity_graph
from graph.results import short_name
from graph.sparql import DEFAULT_ROW_LIMIT, QueryResult, run
from graph.store import DEFAULT_STORE, ENV_STORE, Store

if TYPE_CHECKING:
    from graph.facts import QuotedFrom
    from graph.validate import Quality

EXAMPLE_EVENT = "kremlin-meeting-2025-12-02"
EXAMPLE_ACTOR = "russia"
EXAMPLE_ISSUE = "territorial-issue"
NEAR_STATEMENTS = 200      # the most statements read for a neighbourhood until all are asked for
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


def write_once(token: str, write: Callable[[], T]) -> T:
    """Run a write to the store at most once per `token` (what it returned the first time, again after),
    one write at a time in this process; every cache keyed on the store's state starts afresh after it."""
    shared = _shared(store_spec())
    with shared.lock:
        if token not in shared.committed:
            shared.committed[token] = write()
            shared.generation += 1
        return shared.committed[token]


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


def on_days(prop: object, days: Iterable[str], var: str = "d") -> str:
    """``VALUES ?d { … }`` of a dating property's values on some days."""
    values = dates().values.get(str(prop), {})
    return values_block(var, sorted(v for day in set(days) for v in values.get(day, ())))


def _first_typed(prop: object, cls: object, days: list[str]) -> str | None:
    """The first of `days` on which something of class `cls` has that date (`prop`)."""
    for day in days:
        if store().ask(f"ASK {{ {on_days(prop, [day])} ?s <{prop}> ?d ; a <{cls}> }}"):
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
        f"SELECT ?d (COUNT(?s) AS ?n) WHERE {{ {{ {on_days(SEM.hasTimeStamp, days)} ?s <{SEM.hasTimeStamp}> ?d }} "
        f"UNION {{ {on_days(DCTERMS.date, days)} ?s <{DCTERMS.date}> ?d ; a <{PARLEY.Statement}> }} }} "
        f"GROUP BY ?d").rows
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


# -- statement sources ----------------------------------------------------------------------------------

@st.cache_data(max_entries=1024, show_spinner=False)
def _sources(key: str, statements: tuple[str, ...]) -> dict[str, QuotedFrom]:
    from graph.facts import sources_of as read_sources

    # a source's URL becomes a link on the page only when it is a plain http(s) URL
    return {s: replace(q, url=safe_url(q.url)) for s, q in read_sources(store(), statements).items()}


def sources_of(statements: Iterable[str]) -> dict[str, QuotedFrom]:
    """The sources some statements are quoted from, with their titles and (safe) URLs."""
    return _sources(state_key(), tuple(sorted(set(statements))))


def source_of(statement: str) -> QuotedFrom | None:
    """The source a statement is quoted from, with its title and (safe) URL."""
    return sources_of([statement]).get(statement)


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
            f"SELECT ?s ?d ?sp WHERE {{ {on_days(DCTERMS.date, days)} ?s <{DCTERMS.date}> ?d ; "
            f"a <{PARLEY.Statement}> ; <{PROV.wasAttributedTo}> ?sp }} ORDER BY DESC(?d) DESC(?s) LIMIT {n}").rows

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
        on = {p: on_days(p, days, "date") for p in (SEM.hasTimeStamp, DCTERMS.created, DCTERMS.date)}
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


def quotes_of(claims: list[str]) -> dict[str, str]:
    """The exact words of each claim (an OPTIONAL beside the claims' other patterns makes the engine read
    every quote in the store: asked on its own instead)."""
    from ontology.namespaces import OA, PARLEY

    if not claims:
        return {}
    rows = store().select(f"SELECT ?c ?q WHERE {{ VALUES ?c {{ {' '.join(f'<{c}>' for c in claims)} }} "
                          f"?c <{PARLEY.quote}> ?sel . ?sel <{OA.hasSelector}> ?qs . ?qs <{OA.exact}> ?q }}").rows
    return {str(c): str(q) for c, q in rows}


# -- data quality ---------------------------------------------------------------------------------------

@st.cache_data(max_entries=4, show_spinner=False)
def _quality(key: str) -> Quality:
    from graph.validate import quality

    return quality(store())


def quality() -> Quality:
    """Statements and claims extracted by rules (candidates for review) and claims marked disputed."""
    return _quality(state_key())


@st.cache_data(max_entries=2, show_spinner="Checking the graph against the SHACL shapes…")
def _shacl(key: str) -> list[str]:
    from graph.validate import validate_store

    return [str(v) for v in validate_store(store())]


def shacl_report() -> list[str]:
    """The SHACL violations of the whole store, as text (cached: a check takes seconds)."""
    return _shacl(state_key())



__all__ = ["attempt", "cell", "counts", "date_bounds", "dates", "entities_graph", "error", "EXAMPLE_ACTOR",
           "EXAMPLE_EVENT", "EXAMPLE_ISSUE", "frame_rows", "human_date", "is_small", "link", "max_upload_mb", "md",
           "named", "NEAR_STATEMENTS", "on_days", "parse_day", "quads", "quality", "query", "Question", "QUESTIONS",
           "quotes_of", "reach", "safe_url", "shacl_report", "short_name", "SMALL_STORE", "source_of", "sources_of",
           "state_key", "store", "store_spec", "write_once"]
