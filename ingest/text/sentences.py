"""Sentences and clauses of a paragraph, as spans, in one linear pass (no backtracking regexes).

Claim patterns run on sentences, and factuality ("did not promise to go to Kyiv, only noted that they
would return to Washington") is read from the clause a pattern matched in.
"""

from __future__ import annotations

import re

# Longer sentences are cut at a space so that no pattern ever runs over more than this many characters.
MAX_SENTENCE = 1000

_END = re.compile(r"[.!?…]+[\"'»”’)]*[ \t\n]+")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "gen", "adm", "col", "lt", "sgt", "prof", "sen", "rep", "gov", "no",
                  "vs", "etc", "inc", "ltd", "jr", "sr", "u.s", "e.g", "i.e", "approx", "г", "гг", "т", "т.е", "т.д",
                  "им", "ул", "см", "тыс", "млн", "млрд", "руб", "долл", "ст", "п", "пп", "рис", "с", "др"}
# A clause ends before these (the boundary word stays with the clause that follows).
_CLAUSE = re.compile(
    r",\s+(?=(?:but|while|whereas|however|only|although|though|and\s+(?:we|they|he|she|it|the)\b|а|но|однако|"
    r"хотя|лишь|только|и\s+(?:мы|они|он|она)\b)\b)|;\s+|\s+(?=(?:but|но)\s)|:\s+",
    re.IGNORECASE)


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of text[start:end] as [start, end) spans, trimmed of surrounding spaces.

    >>> t = "Y. Ushakov said so. Mr. Rubio did not. Will they go?"
    >>> [t[s:e] for s, e in sentences(t, 0, len(t))]
    ['Y. Ushakov said so.', 'Mr. Rubio did not.', 'Will they go?']
    """
    out: list[tuple[int, int]] = []
    begin = start
    for m in _END.finditer(text, start, end):
        stop = m.end()
        following = text[stop:stop + 1]
        if following and not (following.isupper() or following.isdigit() or following in "\"«“—–-(•"):
            continue
        if text[m.start()] == "." and _abbreviation(text, begin, m.start()):
            continue
        _add(out, text, begin, m.end())
        begin = stop
    _add(out, text, begin, end)
    return out


def _abbreviation(text: str, begin: int, dot: int) -> bool:
    word_start = dot
    while word_start > begin and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start:dot].lstrip("(\"'«“").casefold()
    return len(word) == 1 and word.isalpha() or word in _ABBREVIATIONS


def _add(out: list[tuple[int, int]], text: str, s: int, e: int) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    while e - s > MAX_SENTENCE:
        cut = text.rfind(" ", s + MAX_SENTENCE // 2, s + MAX_SENTENCE)
        cut = cut if cut > s else s + MAX_SENTENCE
        out.append((s, cut))
        s = cut
        while s < e and text[s].isspace():
            s += 1
    if e > s:
        out.append((s, e))


def clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The clauses of one sentence: split before ", but", ", only", ", while", "; ", ", но", ", а", …

    >>> t = "They did not promise to go to Kyiv, only noted that they would return to Washington."
    >>> [t[s:e] for s, e in clauses(t, 0, len(t))]
    ['They did not promise to go to Kyiv', 'only noted that they would return to Washington.']
    """
    out: list[tuple[int, int]] = []
    begin = start
    for m in _CLAUSE.finditer(text, start, end):
        if m.start() > begin:
            out.append((begin, m.start()))
        begin = m.end()
    if end > begin:
        out.append((begin, end))
    return out


def clause_at(spans: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    """The clause span that holds `offset` (the last one starting at or before it)."""
    best = spans[0]
    for s, e in spans:
        if s <= offset:
            best = (s, e)
    return best
