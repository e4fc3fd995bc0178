"""Handlers for agreements, stances, assessments, non-disclosure and messages (see claims.py for the
patterns that call them)."""

from __future__ import annotations

import re
from typing import Any

from ingest.text.context import ClaimContext, MatchLike, factuality
from ingest.text.sentences import clauses, sentences
from ingest.text.handlers import (EVENT, chunk_end, chunk_start, doc_before, emit, fact_at, parties_of,
                                  subject_actors)
from ingest.text.model import Claim

_PARTIAL = re.compile(r"\b(?:on|about|over)\s+(?:some|several|a\s+number\s+of|certain|many|most|a\s+few)\s+"
                      r"(?:issues|points|questions|matters|provisions|aspects)\b|"
                      r"\bпо\s+(?:ряду|некоторым|части|многим|нескольким)\s+(?:вопрос|пункт|позици|аспект)\w*", re.I)
_BOTH = re.compile(r"\b(?:both\s+sides|the\s+parties|the\s+two\s+sides|the\s+sides|both\s+countries|"
                   r"стороны|обе\s+стороны)\b", re.I)
_FOR_WHOM = re.compile(r"\b(?:for|to|для)\s+(?:the\s+)?", re.I)


def _stance_actors(ctx: ClaimContext, s: int, pos: int) -> list[str]:
    if _BOTH.search(ctx.text, chunk_start(ctx, s, pos), pos):
        return ctx.both_sides()
    named = [ctx.side(x.id) or x.id for x in subject_actors(ctx, s, pos)]
    if named:
        return list(dict.fromkeys(named))
    return [x for x in [ctx.speaker_side] if x]


def _position(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str, stance: str, fact: str,
              actors: list[str], issue: str | None, doc: str | None = None) -> list[Claim]:
    if issue is None:
        return []
    left = chunk_start(ctx, s, m.start())
    out = []
    for a in actors:
        fields: dict[str, Any] = {"actor": a, "issue": issue, "stance": stance}
        if doc:
            fields["on"] = doc
        out.append(emit(ctx, "position", fields, left, chunk_end(ctx, m.end(), e), fact, name))
    return out


def agreement(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    fact = fact_at(ctx, s, m)
    end = chunk_end(ctx, m.end(), e)
    left = chunk_start(ctx, s, m.start())
    parties = parties_of(ctx, s, m.start())
    if len(parties) < 1:
        return []
    fields: dict[str, Any] = {"parties": parties, "content": ctx.clause_text(m.start(), end) or m.group(0)}
    issues = [x.id for x in ctx.within(m.end(), end, "issue")]
    if issues:
        fields["issues"] = list(dict.fromkeys(issues))
    fields["event"] = EVENT
    out = [emit(ctx, "agreement", fields, left, end, fact, name)]
    if _PARTIAL.search(ctx.text, m.end(), end):
        out += _position(ctx, s, e, m, "partial-agreement", "accepts", fact, [x for x in [ctx.speaker_side] if x],
                         ctx.issue_for(m.end(), end))
    return out


def criticism(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    fact = fact_at(ctx, s, m)
    target = ctx.actor_after(m.end(), 25)
    if target is not None and ctx.gazetteer.kind_of(target.id) == "actor":
        assessor = subject_actors(ctx, s, m.start())
        who = assessor[-1].id if assessor else ctx.speaker
        return [emit(ctx, "assessment", {"actor": who, "target": target.id, "stance": "criticises",
                                         "content": ctx.clause_text(m.start(), chunk_end(ctx, m.end(), e))},
                     chunk_start(ctx, s, m.start()), target.end, fact, name)]
    doc = doc_before(ctx, m.start()) if ctx.document_in(s, e) else None
    return _position(ctx, s, e, m, name, "criticises", fact, _stance_actors(ctx, s, m.start()),
                     ctx.issue_for(s, e, doc))


def no_compromise(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    issue = ctx.issue_in(s, e) or ctx.issue_before(s) or ctx.gazetteer.default_issue
    return _position(ctx, s, e, m, name, "no-compromise-yet", "asserted", ctx.both_sides(), issue)


def acceptable(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    fact = fact_at(ctx, s, m)
    stance = "rejects" if m.group("neg") else "accepts"
    if stance == "rejects" and fact == "negated":
        fact = "asserted"      # "not acceptable" is the stance, not a negated claim
    left = chunk_start(ctx, s, m.start())
    doc = ctx.document_in(left, chunk_end(ctx, m.end(), e))
    if doc is None and re.search(r"\b(?:proposals?|plan|document|drafts?|text|предложени\w*|план\w*|документ\w*)",
                                 ctx.text[left:chunk_end(ctx, m.end(), e)], re.I):
        doc = doc_before(ctx, m.start())
    return _position(ctx, s, e, m, name, stance, fact, _stance_actors(ctx, s, m.start()),
                     ctx.issue_for(left, chunk_end(ctx, m.end(), e), doc), doc)


def readiness(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    if re.match(r"\s*accept", ctx.text[m.end():m.end() + 12], re.I):
        return []      # "ready to accept" is the `acceptable` pattern's
    return _position(ctx, s, e, m, name, "supports", fact_at(ctx, s, m), _stance_actors(ctx, s, m.start()),
                     ctx.issue_for(m.end(), e))


def open_issues(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    """"a couple of issues remain. Security guarantees is one of them": the issues named in this sentence or
    the next are not settled between the two sides."""
    issues = ctx.within(s, e, "issue")
    if not issues:
        after = [span for span in sentences(ctx.text, e, ctx.end)[:1]]
        issues = [x for a, b in after for x in ctx.within(a, b, "issue")]
    out = []
    left = chunk_start(ctx, s, m.start())
    for x in {i.id: i for i in reversed(issues)}.values():
        for a in ctx.both_sides():
            out.append(emit(ctx, "position", {"actor": a, "issue": x.id, "stance": "no-compromise-yet"}, left,
                            max(x.end, chunk_end(ctx, m.end(), e)), "asserted", name))
    return out


def answer_assessment(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    """The answer to "How do you assess X?": each clause of its first sentence is the speaker's assessment
    of X, when X is a person named in the question, or of the talks when the question is about them."""
    if ctx.question is None:
        return []
    qs, qe = ctx.question
    people = [x for x in ctx.question_mentions if x.kind == "actor" and not x.candidate and
              ctx.gazetteer.entities[x.id].record.get("type") == "person" and x.id != ctx.speaker]
    if people:
        target = people[0].id
    elif re.search(r"\b(?:meeting|talks|negotiations|contacts?|conversation|встреч|переговор|контакт|беседу)",
                   ctx.text[qs:qe], re.I):
        target = EVENT
    else:
        return []
    out = []
    for a, b in clauses(ctx.text, s, e):
        if len(ctx.text[a:b].split()) < 3:
            continue
        out.append(emit(ctx, "assessment", {"actor": ctx.speaker, "target": target,
                                            "content": ctx.clause_text(a, b)}, a, b,
                        factuality(ctx.text, a, a, b), name))
    return out


# -- assessments ---------------------------------------------------------------------------------------

def critical_assessment(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    target = ctx.actor_after(m.end(), 30)
    if target is None:
        return []
    before = [x for x in ctx.actors(s, m.start())]
    who = before[0].id if before else ctx.speaker
    qs = before[0].start if before else m.start()
    return [emit(ctx, "assessment", {"actor": who, "target": target.id, "stance": "criticises",
                                     "content": ctx.clause_text(m.start(), chunk_end(ctx, target.end, e))},
                 qs, chunk_end(ctx, target.end, e), fact_at(ctx, s, m), name)]


def event_assessment(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    return [emit(ctx, "assessment", {"actor": ctx.speaker, "target": EVENT, "content": ctx.clause_text(m.start(),
                                                                                                       m.end())},
                 m.start(), m.end(), fact_at(ctx, s, m), name)]


def _for_whom(ctx: ClaimContext, text_start: int, text_end: int) -> str | None:
    """"for Russia" → russia; "for us" → the speaker's side."""
    for f in _FOR_WHOM.finditer(ctx.text, text_start, text_end):
        x = ctx.actor_after(f.end(), 2)
        if x is not None:
            return ctx.side(x.id) or x.id
        if re.match(r"(?:us|me|нас|меня)\b", ctx.text[f.end():f.end() + 5], re.I):
            return ctx.speaker_side
    return None


def significance(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    """"X is the most important issue (for us)", "territorial aspects considered key"."""
    issues = ctx.within(s, e, "issue")
    if not issues:
        return []
    x = min(issues, key=lambda i: abs(i.start - m.start()))
    who = _for_whom(ctx, m.end(), e) or (ctx.speaker if m.group(0).lower().startswith("consider")
                                          else ctx.speaker_side)
    if who is None:
        return []
    qs, qe = min(x.start, m.start()), max(x.end, m.end())
    return [emit(ctx, "assessment", {"actor": who, "target": x.id, "content": ctx.clause_text(qs, qe)},
                 qs, chunk_end(ctx, qe, e), fact_at(ctx, s, m), name)]


def importance(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    """"it is very important for us": about the issue named here, or the one under discussion."""
    x = ctx.actor_after(m.end(), 1)
    if x is not None:
        who: str | None = ctx.side(x.id) or x.id
    elif re.match(r"(?:us|me|нас|меня)\b", ctx.text[m.end():m.end() + 5], re.I):
        who = ctx.speaker_side
    else:
        return []
    issue = ctx.issue_in(s, e) or ctx.issue_before(m.start())
    if who is None or issue is None:
        return []
    left = chunk_start(ctx, s, m.start())
    return [emit(ctx, "assessment", {"actor": who, "target": issue, "content": ctx.clause_text(left, e)},
                 left, e, fact_at(ctx, s, m), name)]


def answer_significance(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    """An answer naming an issue, to a question asking which issue is the most important (`m` matched the
    answer's first sentence; the question's wording is checked by the pattern's `question` regex)."""
    issues = ctx.within(s, e, "issue")
    if not issues or ctx.question is None:
        return []
    qs, qe = ctx.question
    who = None
    for f in _FOR_WHOM.finditer(ctx.text, qs, qe):
        after = [x for x in ctx.question_mentions if x.kind == "actor" and 0 <= x.start - f.end() <= 2]
        if after:
            who = ctx.side(after[0].id) or after[0].id
        elif re.match(r"(?:you|us|вас|нас)\b", ctx.text[f.end():f.end() + 5], re.I):
            who = ctx.speaker_side
    who = who or ctx.speaker_side
    if who is None:
        return []
    return [emit(ctx, "assessment", {"actor": who, "target": issues[0].id,
                                     "content": f"the most significant issue: {issues[0].surface}"},
                 s, e, fact_at(ctx, s, m), name)]


# -- non-disclosure and messages -----------------------------------------------------------------------

def non_disclosure(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    agreed = m.group("agreed") is not None
    parties = ctx.both_sides() if agreed else [x for x in [ctx.speaker_side] if x]
    if not parties:
        return []
    e = chunk_end(ctx, m.end(), e)
    content = ctx.clause_text(m.end(), e) or "details"
    fields: dict[str, Any] = {"parties": parties, "content": content}
    obj = ctx.text[m.end():e]
    doc = ctx.document_in(m.end(), e)
    if doc is None and re.match(r"\s*(?:their|its|the\s+documents?'?|их|его|содержани\w*)", obj, re.I):
        doc = doc_before(ctx, m.start())
    if doc:
        fields["document"] = doc
    left = chunk_start(ctx, s, m.start())
    return [emit(ctx, "non-disclosure", fields, left, e, "asserted", name)]


def message_from(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    """"greetings and best wishes from Trump": from the named actor to the other side's head."""
    sender = ctx.actor_after(m.end(), 3)
    if sender is None:
        return []
    to = ctx.head_of_other_side(sender.id)
    if to is None or to == sender.id:
        return []
    return [emit(ctx, "message", {"from": sender.id, "to": to, "content": ctx.clause_text(m.start("what"),
                                                                                             m.end("what"))},
                 m.start("what"), sender.end, fact_at(ctx, s, m), name)]


def message_convey(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    """"Putin asked to convey friendly greetings": from the subject to the other side's head (or "to X")."""
    sender = ctx.actor_before(m.start(), s, 40)
    if sender is None:
        return []
    target = None
    to_x = re.search(r"\bto\s+(?:the\s+)?|\bдля\s+", ctx.text[m.end():e], re.I)
    if to_x:
        x = ctx.actor_after(m.end() + to_x.end(), 2)
        target = x.id if x else None
    target = target or ctx.head_of_other_side(sender.id)
    if target is None or target == sender.id:
        return []
    what_end = chunk_end(ctx, m.start("what"), e)
    return [emit(ctx, "message", {"from": sender.id, "to": target,
                                  "content": ctx.clause_text(m.start("what"), what_end)},
                 sender.start, what_end, fact_at(ctx, s, m), name)]
