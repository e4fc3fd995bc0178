"""The timeline (graph/timeline.py): events, statements and document handovers in date order, cut to an
actor, an issue and a period, over a world built by hand."""

from __future__ import annotations

import datetime as dt

from graph.facts import Entity, Evidence, Facts, Link, Participation, Said
from graph.timeline import TimelineItem, timeline

ID = "https://parley.example/id/"
ANNA, BORIS = f"{ID}actor/anna", f"{ID}actor/boris"
TALKS, CALL = f"{ID}event/talks", f"{ID}event/call"
PLAN, BORDER = f"{ID}document/plan", f"{ID}issue/border"
S1, S2 = f"{ID}statement/s1", f"{ID}statement/s2"


def world() -> Facts:
    """Anna meets at the talks (10 Nov) and says she supports the border deal; Boris says he sent the
    plan (20 Nov) and takes part in the call (1 Dec)."""
    entities = [Entity(ANNA, "actor", "Anna"), Entity(BORIS, "actor", "Boris"),
                Entity(TALKS, "event", "Talks", kind="meeting", date="2025-11-10"),
                Entity(CALL, "event", "Call", kind="call", date="2025-12-01"),
                Entity(PLAN, "document", "Plan"), Entity(BORDER, "issue", "Border")]
    return Facts(
        entities={e.iri: e for e in entities},
        statements={S1: Said(S1, ANNA, "2025-11-10", "We support the border deal.", TALKS),
                    S2: Said(S2, BORIS, "2025-11-20", "I sent the plan.")},
        links=[Link(ANNA, BORDER, "stance: supports", evidence=[Evidence(S1, "We support the border deal")]),
               Link(BORIS, PLAN, "sent", evidence=[Evidence(S2, "I sent the plan")])],
        participations=[Participation(TALKS, ANNA), Participation(CALL, BORIS)])


TALKS_ITEM = TimelineItem("2025-11-10", "Events", "meeting", "Talks", TALKS)
S1_ITEM = TimelineItem("2025-11-10", "Statements", "statement", "Anna: We support the border deal.", S1,
                       "We support the border deal.", (S1,))
S2_ITEM = TimelineItem("2025-11-20", "Statements", "statement", "Boris: I sent the plan.", S2, "I sent the plan.",
                       (S2,))
HANDOVER = TimelineItem("2025-11-20", "Documents", "sent", "Boris sent Plan", PLAN, "I sent the plan", (S2,))
CALL_ITEM = TimelineItem("2025-12-01", "Events", "call", "Call", CALL)


def test_the_whole_timeline_is_in_date_order_events_then_statements_then_documents() -> None:
    assert timeline(world()) == [TALKS_ITEM, S1_ITEM, S2_ITEM, HANDOVER, CALL_ITEM]


def test_an_actor_keeps_what_they_took_part_in_said_or_handed_over() -> None:
    assert timeline(world(), actor=ANNA) == [TALKS_ITEM, S1_ITEM]
    assert timeline(world(), actor=BORIS) == [S2_ITEM, HANDOVER, CALL_ITEM]


def test_an_issue_keeps_the_statements_about_it() -> None:
    assert timeline(world(), issue=BORDER) == [S1_ITEM]
    assert timeline(world(), actor=BORIS, issue=BORDER) == []


def test_a_period_cuts_by_day_both_ends_included() -> None:
    assert timeline(world(), since=dt.date(2025, 11, 20)) == [S2_ITEM, HANDOVER, CALL_ITEM]
    assert timeline(world(), actor=BORIS, until=dt.date(2025, 11, 20)) == [S2_ITEM, HANDOVER]
