"""What the Positions page reads: actors' stances on issues as of a date (the matrix, the latest asserted
position claim per cell), and one actor's stated stances on one issue over time, with speakers and words.

The claims come from ``graph.positions``; this module caches them on the store's state and adds the names
and words a page shows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import streamlit as st

from graph.facts import Words, words_of
from graph.positions import latest_stances, position_claim_count, stance_claims
from ui.data import dates, labels, quotes_of, state_key, store

HISTORY_SHOWN = 20         # stances of one actor on one issue listed before "show all"

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


FULL_MATRIX_CLAIMS = 2_000  # up to this many position claims in the store, the matrix is always complete
RECENT_DAYS = 7             # otherwise it first shows the stances stated in the days before the date


@st.cache_data(max_entries=4, show_spinner=False)
def _position_claims(key: str) -> int:
    return position_claim_count(store())


@st.cache_data(max_entries=32, show_spinner="Reading the positions…")
def _position_matrix(key: str, as_of: dt.date, every: bool) -> PositionMatrix:
    m = PositionMatrix(as_of)
    m.complete = every or _position_claims(key) <= FULL_MATRIX_CLAIMS
    since = None if m.complete else as_of - dt.timedelta(days=RECENT_DAYS - 1)
    latest = latest_stances(stance_claims(store(), as_of, since=since, dates=dates()))
    m.stances = {cell: x.stance.rsplit("/", 1)[-1] for cell, x in latest.items()}
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


@st.cache_data(max_entries=64, show_spinner=False)
def _stance_claims(key: str, actor: str, issue: str, as_of: dt.date) -> list[tuple[str, str, str, str]]:
    """(day, claim, stance, statement) of an actor's asserted position claims on an issue, oldest first."""
    found = stance_claims(store(), as_of, actors=[actor], issue=issue)
    return [(x.day, x.claim, x.stance, x.statement) for x in sorted(set(found))]


@st.cache_data(max_entries=64, show_spinner=False)
def _stance_history(key: str, actor: str, issue: str, as_of: dt.date, latest: int | None) -> list[Stance]:
    claims = _stance_claims(key, actor, issue, as_of)
    if latest is not None:  # the words and speakers of the stances listed only
        claims = claims[-latest:] if latest else []
    words = words_of(store(), (r[3] for r in claims))
    names = labels(w.speaker for w in words.values())
    quotes = quotes_of([r[1] for r in claims])
    nobody = Words("", "")
    return [Stance(d, stance.rsplit("/", 1)[-1], names.get(words.get(st_, nobody).speaker, ""),
                   quotes.get(c) or words.get(st_, nobody).text, st_, "asserted") for d, c, stance, st_ in claims]


def stance_history(actor: str, issue: str, as_of: dt.date, *, latest: int | None = None) -> list[Stance]:
    """An actor's stated stances on an issue up to a date, oldest first, with who said so and the words:
    all of them, or the `latest` few."""
    return _stance_history(state_key(), actor, issue, as_of, latest)


def stance_count(actor: str, issue: str, as_of: dt.date) -> int:
    """How many stances :func:`stance_history` lists in all."""
    return len(_stance_claims(state_key(), actor, issue, as_of))


def stance_text(stance: str) -> str:
    return stance.replace("-", " ")
