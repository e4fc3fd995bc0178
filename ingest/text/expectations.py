"""Handlers for expectations, conditions and travel (see claims.py for the patterns that call them)."""

from __future__ import annotations

import re
from typing import Any

from ingest.text.context import ClaimContext, MatchLike
from ingest.text.handlers import _RU_PAST, chunk_end, chunk_start, emit, fact_at, subject_actors
from ingest.text.model import Claim

_SUMMIT = re.compile(r"\b(?:high-level|summit|leaders|presidents|встреча\s+на\s+высшем|саммит|лидеров|"
                     r"президентов)\b", re.I)
_MEETING = re.compile(r"\b(?:meeting|round|talks|встреч\w*|раунд\w*|переговор\w*)\b", re.I)
_THEY = re.compile(r"\b(?:they|them|the\s+colleagues|our\s+colleagues|the\s+envoys|the\s+guests|они|коллеги)\b",
                   re.I)


def _event_kind(text: str) -> str | None:
    if _SUMMIT.search(text):
        return "summit"
    if _MEETING.search(text):
        return "meeting"
    return None


def _who(ctx: ClaimContext, s: int, pos: int) -> list[str]:
    """Who is expected to act: named subjects; "they/the colleagues" → the other side's envoys."""
    named = [x.id for x in subject_actors(ctx, s, pos)]
    if named:
        return list(dict.fromkeys(named))
    if _THEY.search(ctx.text, chunk_start(ctx, s, pos), pos):
        return ctx.envoys or [x for x in [ctx.other_side] if x]
    return ctx.we(ctx.text[chunk_start(ctx, s, pos):pos])


def depends_on(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    left = chunk_start(ctx, s, m.start())
    subject = ctx.clause_text(left, m.start())
    condition = ctx.clause_text(m.end(), e)
    if not subject or not condition:
        return []
    kind = _event_kind(subject)
    fields: dict[str, Any] = {"content": subject, "condition": condition}
    if kind:
        fields["event_kind"] = kind
    actors = [h for h in (ctx.gazetteer.head_of(x) for x in ctx.both_sides()) if h] if kind == "summit" \
        else ctx.both_sides()
    if actors:
        fields["actors"] = actors
    return [emit(ctx, "expectation", fields, left, e, "hypothetical", name)]


def important_to(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    fields: dict[str, Any] = {"content": ctx.clause_text(m.start("goal"), m.end("goal")),
                              "condition": ctx.clause_text(m.end(), e)}
    if ctx.both_sides():
        fields["actors"] = ctx.both_sides()
    return [emit(ctx, "expectation", fields, m.start(), e, "hypothetical", name)]


def will_continue(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    fact = fact_at(ctx, s, m)
    fields: dict[str, Any] = {"content": ctx.clause_text(m.start(), chunk_end(ctx, m.end(), e))}
    if ctx.both_sides():
        fields["actors"] = ctx.both_sides()
    return [emit(ctx, "expectation", fields, chunk_start(ctx, s, m.start()), chunk_end(ctx, m.end(), e),
                 "future" if fact == "asserted" else fact, name)]


def will_do(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    fact = fact_at(ctx, s, m)
    if fact == "asserted":
        fact = "future"
    fields: dict[str, Any] = {"content": ctx.clause_text(m.start(), e)}
    actors = _who(ctx, s, m.start("verb"))
    if actors:
        fields["actors"] = actors
    kind = _event_kind(ctx.text[m.start():e])
    if kind == "meeting" and re.search(r"\bmeet\b|встрет", m.group(0), re.I):
        fields["event_kind"] = kind
    return [emit(ctx, "expectation", fields, chunk_start(ctx, s, m.start()), e, fact, name)]


def further_work(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    fields: dict[str, Any] = {"content": ctx.clause_text(chunk_start(ctx, s, m.start()), chunk_end(ctx, m.end(), e))}
    if ctx.both_sides():
        fields["actors"] = ctx.both_sides()
    fact = fact_at(ctx, s, m)
    return [emit(ctx, "expectation", fields, m.start(), chunk_end(ctx, m.end(), e),
                 "future" if fact == "asserted" else fact, name)]


def next_meeting(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    fact = fact_at(ctx, s, m)
    fields: dict[str, Any] = {"content": ctx.clause_text(m.start(), e), "event_kind": "meeting"}
    if ctx.both_sides():
        fields["actors"] = ctx.both_sides()
    return [emit(ctx, "expectation", fields, m.start(), e, "future" if fact == "asserted" else fact, name)]


def purpose(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    """"went to the embassy to report on the conversation": the purpose of a trip is expected next."""
    end = chunk_end(ctx, m.end("verb"), e)
    fields: dict[str, Any] = {"content": ctx.clause_text(m.start("verb"), end)}
    actors = _travellers(ctx, s, m.start())
    if actors:
        fields["actors"] = actors
    return [emit(ctx, "expectation", fields, m.start("verb"), end, "future", name)]


def planned_meeting(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    """"A meeting with the president is planned" / "no such meeting is planned" (negated)."""
    fact = fact_at(ctx, s, m)
    if fact == "asserted":
        fact = "future"
    fields: dict[str, Any] = {"content": ctx.clause_text(m.start(), chunk_end(ctx, m.end(), e)),
                              "event_kind": _event_kind(m.group(0)) or "meeting"}
    if ctx.both_sides():
        fields["actors"] = ctx.both_sides()
    return [emit(ctx, "expectation", fields, chunk_start(ctx, s, m.start()), chunk_end(ctx, m.end(), e), fact, name)]


# -- travel --------------------------------------------------------------------------------------------

def _travellers(ctx: ClaimContext, s: int, pos: int) -> list[str]:
    named = [x.id for x in subject_actors(ctx, s, pos) if ctx.gazetteer.kind_of(x.id) != "place"]
    if named:
        return list(dict.fromkeys(named))
    return ctx.envoys or [x for x in [ctx.other_side] if x]


def travel(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    place = ctx.place_after(m.end(), 12)
    if place is None:
        return []
    fact = fact_at(ctx, s, m)
    verb = m.group("verb")
    if fact == "asserted" and re.search(r"[а-яё]", verb, re.I) and not _RU_PAST.search(verb.split()[0]):
        fact = "future"        # a Russian perfective verb that is not past ("вернутся", "поедут") is future
    actors = _travellers(ctx, s, m.start())
    if not actors:
        return []
    left = chunk_start(ctx, s, m.start())
    subj = [x for x in ctx.actors(left, m.start())]
    qs = subj[0].start if subj else left
    return [emit(ctx, "travel", {"actors": actors, "destination": place.id}, qs, place.end, fact, name)]
