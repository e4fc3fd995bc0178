"""graph/positions.py: the asserted position claims of a date, a period, some actors or one cell, each held
to what read_facts finds by reading every claim of the example, and the latest stance per cell."""

from __future__ import annotations

import datetime as dt

import pytest

from graph.facts import read_facts
from graph.neighbourhood import read_dates
from graph.positions import StanceClaim, latest_stances, position_claim_count, stance_claims
from graph.store import Store

RUSSIA = "https://parley.example/id/actor/russia"
UKRAINE = "https://parley.example/id/actor/ukraine"
TERRITORY = "https://parley.example/id/issue/territorial-issue"
DAYS = [dt.date(2025, 8, 15), dt.date(2025, 12, 2), dt.date(2025, 12, 31), dt.date(2026, 3, 31)]


def plainly(store: Store) -> set[tuple[str, str, str, str, str]]:
    """(day, claim, actor, issue, stance id) of every asserted position claim, read the slow way."""
    f = read_facts(store)
    return {(f.statements[p.evidence.statement].date, str(p.evidence.claim), p.actor, p.issue, p.stance)
            for p in f.positions if p.evidence.factuality == "asserted"}


def short(claims: list[StanceClaim]) -> set[tuple[str, str, str, str, str]]:
    return {(x.day, x.claim, x.actor, x.issue, x.stance.rsplit("/", 1)[-1]) for x in claims}


@pytest.mark.parametrize("as_of", DAYS)
def test_the_claims_by_a_date_are_those_read_facts_finds(example_store: Store, as_of: dt.date) -> None:
    every = {x for x in plainly(example_store) if x[0] <= as_of.isoformat()}
    assert short(stance_claims(example_store, as_of)) == every
    since = as_of - dt.timedelta(days=30)
    assert short(stance_claims(example_store, as_of, since=since, dates=read_dates(example_store))) == {
        x for x in every if x[0] >= since.isoformat()}
    assert short(stance_claims(example_store, as_of, actors=[RUSSIA], issue=TERRITORY)) == {
        x for x in every if x[2:4] == (RUSSIA, TERRITORY)}
    assert short(stance_claims(example_store, as_of, actors=[RUSSIA, UKRAINE], issue=TERRITORY)) == {
        x for x in every if x[2] in (RUSSIA, UKRAINE) and x[3] == TERRITORY}
    assert short(stance_claims(example_store, as_of, actors=[UKRAINE])) == {x for x in every if x[2] == UKRAINE}


def test_the_example_s_claims_and_the_latest_stance_of_a_cell(example_store: Store) -> None:
    claims = stance_claims(example_store, dt.date(2026, 3, 31))
    assert len(claims) == len(plainly(example_store)) > 20
    assert position_claim_count(example_store) >= len(claims)
    latest = latest_stances(claims)
    assert set(latest) == {(x.actor, x.issue) for x in claims}
    for cell, x in latest.items():
        assert x == max(c for c in claims if (c.actor, c.issue) == cell)
