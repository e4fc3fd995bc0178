"""What each claim pattern (claims.py) builds from its match: the claim's fields, quote and factuality.

A handler gets the statement's context, the sentence span [s, e) and the regex match, and returns zero
or more claims; it returns none when it cannot fill the claim's required fields (nothing is guessed).
`EVENT` stands for the event the text is about; the extractor fills it in (or drops the claim).
"""

from __future__ import annotations

import re
from typing import Any

from ingest.text.context import ClaimContext, DOC_NOUNS, MatchLike, factuality, parse_number
from ingest.text.model import Claim, Mention

EVENT = "@event"
_PASSIVE = re.compile(r"\b(?:was|were|been|being|is|are|be)\s+(?:also\s+|not\s+|then\s+|later\s+)*$|"
                      r"\b(?:which|that|previously|earlier|already|later)\s+$", re.I)
_RELATIVE = re.compile(r"\b(?:which|that|they|it|this|these|those|которые|они|он|оно|это|этот)(?:\s+(?:were|was|are|is|"
                       r"have|has|had|been|be|will|would|must|should|can|could|to|also|not|then|later|all|были|был|"
                       r"была|будет|также|тоже|не))*\s*$", re.I)
# A name right after one of these is where or to whom, not who ("на Украине", "in Moscow", "to the Russians").
_PREPOSITION = re.compile(r"(?:^|\s)(?:in|at|on|to|from|with|for|of|by|into|about|в|во|на|из|с|со|к|ко|по|для|о|об|от|у|"
                          r"при|между|between|among)\s+(?:the\s+)?$", re.I)
_LOCATIVE = re.compile(r"(?:^|\s)(?:in|at|inside|near|в|во|на)\s+(?:the\s+)?$", re.I)
_AND = re.compile(r"\s*(?:,|and|и|&|as\s+well\s+as|а\s+также)\s*(?:the\s+)?$", re.I)
_RU_PAST = re.compile(r"л(?:а|о|и)?(?:сь|ся)?$")
_CHUNK_END = re.compile(r"[,;:—–]|\s(?:but|while|whereas|но|а)\s")


def emit(ctx: ClaimContext, kind: str, fields: dict[str, Any], qs: int, qe: int, fact: str, name: str) -> Claim:
    """A claim whose quote is text[qs:qe] trimmed of spaces and closing punctuation."""
    qs, qe = max(qs, ctx.start), min(qe, ctx.end)
    while qs < qe and ctx.text[qs] in " \t\n,;:—–\"«“(":
        qs += 1
    while qe > qs and ctx.text[qe - 1] in " \t\n,;:.—–\"»”)?!":
        qe -= 1
    return Claim(kind, fields, fact, qs, qe, ctx.text[qs:qe], name)


def chunk_start(ctx: ClaimContext, s: int, pos: int) -> int:
    """Where the comma-chunk holding pos begins (the sentence start at the earliest)."""
    start = s
    for m in re.finditer(r"[,;:—–]", ctx.text[s:pos]):
        start = s + m.end()
    return start


def chunk_end(ctx: ClaimContext, pos: int, e: int) -> int:
    m = _CHUNK_END.search(ctx.text, pos, e)
    return m.start() if m else e


def fact_at(ctx: ClaimContext, s: int, m: MatchLike) -> str:
    return factuality(ctx.text, s, m.start(), m.end())


def doc_before(ctx: ClaimContext, pos: int) -> str | None:
    docs = [x for x in ctx.mentions if x.kind == "document" and x.end <= pos]
    return docs[-1].id if docs else ctx.document


def document_object(ctx: ClaimContext, s: int, e: int, m: MatchLike) -> str | None:
    """The document a verb is about: before it when passive ("documents were sent", "which were
    discussed", "proposals previously sent"), else its object after it ("reviewed proposals")."""
    left = chunk_start(ctx, s, m.start())
    right = min(chunk_end(ctx, m.end(), e), m.end() + 60)
    before = ctx.text[left:m.start()]
    passive = _PASSIVE.search(before) is not None or not ctx.text[m.end():right].strip(" \t\n.!?…»”\"")
    a, b = (left, m.start()) if passive else (m.end(), right)
    named = ctx.document_in(a, b)
    if named:
        return named
    if DOC_NOUNS.search(ctx.text, a, b) or (passive and _RELATIVE.search(before)):
        return doc_before(ctx, m.start())
    return None


def subject_actors(ctx: ClaimContext, s: int, pos: int) -> list[Mention]:
    """The grammatical subject before pos, roughly: the last actor named in the comma-chunk that is not
    after a preposition, with those joined to it by "and"/"и" ("Witkoff and Kushner will come");
    media excluded."""
    left = chunk_start(ctx, s, pos)
    found = [x for x in ctx.actors(left, pos) if (ctx.side(x.id) is not None or ctx.gazetteer.kind_of(x.id) is None
                                                  or x.candidate) and not _PREPOSITION.search(ctx.text[left:x.start])]
    if not found:
        return []
    chain = [found[-1]]
    for x in reversed(found[:-1]):
        if _AND.fullmatch(ctx.text[x.end:chain[0].start]):
            chain.insert(0, x)
        else:
            break
    return chain


def parties_of(ctx: ClaimContext, s: int, pos: int) -> list[str]:
    named = [x.id for x in subject_actors(ctx, s, pos)]
    if named:
        return list(dict.fromkeys(named))
    return ctx.we(ctx.text[chunk_start(ctx, s, pos):pos])


# -- meetings and calls --------------------------------------------------------------------------------

def meeting_report(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    fact = fact_at(ctx, s, m)
    out = [emit(ctx, "event-report", {"event": EVENT, "content": ctx.clause_text(m.start(), e)}, m.start(), e,
                fact, name)]
    between = re.compile(r"\bbetween\b|\bмежду\b", re.I).search(ctx.text, m.end(), e)
    if between:
        for x in ctx.actors(between.end(), e):
            out.append(emit(ctx, "participation", {"event": EVENT, "actor": x.id, "role": "participant"},
                            x.start, x.end, fact, name))
    return out


_ON_BEHALF = re.compile(r"(?:\bof|\bот|\bпредставител\w*|\bпосланник\w*)\s*(?:the\s+)?$", re.I)


def met_with(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    fact = fact_at(ctx, s, m)
    subjects = [x for x in subject_actors(ctx, s, m.start()) if m.start() - x.end <= 80]
    objects = [x for x in ctx.actors(m.end(), e) if not _LOCATIVE.search(ctx.text[max(s, x.start - 12):x.start])]
    if not objects:
        return []
    host = re.match(r"(?:received|hosted|принял)", m.group(0), re.I) is not None
    out = []
    for x in subjects:
        out.append(emit(ctx, "participation", {"event": EVENT, "actor": x.id, "role": "host" if host else
                                                "participant"}, subjects[0].start, m.end(), fact, name))
    behalf: str | None = None
    prev_end, prev_of = m.end(), False
    people = []
    for x in objects:
        gap = ctx.text[prev_end:x.start]
        of = _ON_BEHALF.search(gap) is not None or (prev_of and not gap.strip())
        if of:
            behalf = behalf or x.id
        else:
            people.append(x)
        prev_end, prev_of = x.end, of
    for x in people:
        fields: dict[str, Any] = {"event": EVENT, "actor": x.id, "role": "envoy" if behalf else "participant"}
        if behalf and behalf != x.id:
            fields["on_behalf_of"] = behalf
        out.append(emit(ctx, "participation", fields, x.start, x.end, fact, name))
    return out


def discussed(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    fact = fact_at(ctx, s, m)
    if fact in ("future", "hypothetical"):
        return []          # a discussion to come is an expectation (see the `will-do` pattern)
    doc = None if m.group("cover") else document_object(ctx, s, e, m)
    if m.group("through") and doc is None:
        return []          # "went through" counts only with a document ("went through the plan point by point")
    if doc is not None:
        left = chunk_start(ctx, s, m.start())
        return [emit(ctx, "document-transfer", {"document": doc, "action": "discussed"}, left, m.end(), fact, name)]
    left = chunk_start(ctx, s, m.start())
    issues = [x for x in ctx.within(m.end(), e, "issue")] if m.group("cover") else []
    if not issues:
        end = chunk_end(ctx, m.end(), e)
        return [emit(ctx, "event-report", {"event": EVENT, "content": ctx.clause_text(left, end)}, left, end, fact,
                     name)]
    out = []
    for i, x in enumerate(issues):
        qs = left if i == 0 else x.start
        out.append(emit(ctx, "event-report", {"event": EVENT, "content": f"Discussed: {x.surface}"}, qs, x.end,
                        fact, name))
    return out


def took_part(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    fact = fact_at(ctx, s, m)
    who = subject_actors(ctx, s, m.start())
    return [emit(ctx, "participation", {"event": EVENT, "actor": x.id, "role": "participant"}, who[0].start, m.end(),
                 fact, name) for x in who]


def outcome(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    left, end = chunk_start(ctx, s, m.start()), chunk_end(ctx, m.end(), e)
    return [emit(ctx, "event-report", {"event": EVENT, "content": ctx.clause_text(left, end)}, left, end,
                 fact_at(ctx, s, m), name)]


# -- documents ---------------------------------------------------------------------------------------

def document_points(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    points = parse_number(m.group("n"))
    if points is None:
        return []
    near = sorted(ctx.within(s, e, "document"), key=lambda x: min(abs(x.start - m.end()), abs(m.start() - x.end)))
    doc: str | None
    if near and (near[0].start <= m.end() + 40 and near[0].end >= m.start() - 40):
        doc, qs, qe = near[0].id, min(near[0].start, m.start()), max(near[0].end, m.end())
    else:
        noun = DOC_NOUNS.search(ctx.text, max(s, m.start() - 30), m.start())
        doc = doc_before(ctx, m.start()) if noun else None
        qs, qe = (noun.start() if noun else m.start()), m.end()
    if doc is None:
        return []
    return [emit(ctx, "document-points", {"document": doc, "points": points}, qs, qe, "asserted", name)]


def transfer(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    doc = document_object(ctx, s, e, m)
    if doc is None:
        return []
    action = next(a for a in ("sent", "presented", "received") if m.group(a))
    fields: dict[str, Any] = {"document": doc, "action": action}
    after = ctx.text[m.end():e]
    src = re.search(r"\b(?:from|by|от)\s+(?:the\s+)?", after, re.I)
    if src and (x := ctx.actor_after(m.end() + src.end(), 3)):
        fields["by"] = x.id
    dst = re.search(r"\bto\s+(?:the\s+)?|\bв\s+", after, re.I)
    if re.search(r"\b(?:to\s+us|нам)\b", after[:40], re.I):
        if ctx.speaker_side:
            fields["to"] = ctx.speaker_side
    elif dst and (x := ctx.actor_after(m.end() + dst.end(), 3)):
        fields["to"] = x.id
    receivers = subject_actors(ctx, s, m.start())
    if action == "received" and receivers and "to" not in fields:
        fields["to"] = ctx.side(receivers[-1].id) or receivers[-1].id
    elif action == "received" and "to" not in fields and re.search(r"\b(?:we|мы)\b", ctx.text[s:m.start()], re.I):
        if ctx.speaker_side:
            fields["to"] = ctx.speaker_side
    owner = ctx.gazetteer.entities[doc].by if doc in ctx.gazetteer.entities else None
    if "by" not in fields and action in ("sent", "presented") and owner and owner != fields.get("to"):
        fields["by"] = owner
    if "to" not in fields and action in ("sent", "presented") and fields.get("by") in ctx.both_sides():
        others = [x for x in ctx.both_sides() if x != fields.get("by")]
        if others:
            fields["to"] = others[0]
    left = chunk_start(ctx, s, m.start())
    qe = max([m.end()] + [x.end for x in ctx.actors(m.end(), min(e, m.end() + 40))][:1])
    return [emit(ctx, "document-transfer", fields, left, qe, fact_at(ctx, s, m), name)]


def document_figure(ctx: ClaimContext, s: int, e: int, m: MatchLike, name: str) -> list[Claim]:
    value = parse_number(m.group("n"))
    over = [x for x in ctx.within(s, e, "document") if x.start < m.end() and x.end > m.start()]
    doc = over[0].id if over else None
    if value is None or doc is None:
        return []
    return [emit(ctx, "figure", {"subject": doc, "quantity": "documents", "value": str(value)}, m.start(), m.end(),
                 fact_at(ctx, s, m), name)]
