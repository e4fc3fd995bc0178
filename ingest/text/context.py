"""What a claim pattern needs to know around its match: the statement, its mentions, the speaker's side
and the other side, the issue and document under discussion, and how to read factuality.

Kept apart from the pattern list (claims.py) so that the list reads as data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from ingest.text.gazetteer import Gazetteer
from ingest.text.model import Mention

# Factuality cues, looked for between the start of the comma-chunk a trigger stands in and the trigger's
# end ("Although we did not discuss the wording, later four more documents were sent": the sending is
# asserted; "They did not promise to go to Kyiv": the going is negated).
_NEGATION = re.compile(r"\b(?:not|no|never|n't|neither|nor|without|не|нет|ни|никогда|никак)\b|n't\b", re.I)
_NOT_ONLY = re.compile(r"\bnot only\b|\bне только\b", re.I)
_HYPOTHETICAL = re.compile(
    r"\b(?:possible|possibly|may|might|could|perhaps|maybe|if|whether|potential(?:ly)?|likely|depend(?:s|ing)?|"
    r"conditional|возможн\w*|может|могут|мог\w* бы|если|вероятно|завис\w*|в случае)\b", re.I)
_FUTURE = re.compile(
    r"\b(?:will|'ll|shall|would|going to|plan(?:s|ned)? to|intend(?:s|ed)? to|expect(?:s|ed)? to|to be held|"
    r"next|soon|upcoming|будет|будут|будем|буду|планиру\w*|намерен\w*|собира\w*|предстоит|ожида\w*)\b", re.I)
_CHUNK = re.compile(r"[,;:—–]")
_REPORTING = re.compile(r"^(?:[^,;:]{0,60}?\b(?:said|noted|emphasi[sz]ed|stressed|added|stated|explained|told\s+\w+|"
                        r"заявил\w*|отметил\w*|подчеркнул\w*|сообщил\w*|сказал\w*)\s+(?:that|что)\s+)", re.I)

DOC_NOUNS = re.compile(
    r"\b(?:documents?|proposals?|plans?|drafts?|texts?|papers?|framework|документ\w*|предложени\w*|"
    r"план\w*|проект\w*|текст\w*)\b", re.I)
ACTOR_KINDS = ("actor",)


class MatchLike(Protocol):
    """What handlers use of a regex match (`re.Match`, or claims._Folded over one)."""

    def group(self, group: int | str, /) -> Any: ...

    def start(self, group: int | str = ..., /) -> int: ...

    def end(self, group: int | str = ..., /) -> int: ...


def factuality(text: str, sentence_start: int, trigger_start: int, trigger_end: int) -> str:
    """asserted / future / hypothetical / negated, from cues in the trigger's comma-chunk.

    >>> t = "They did not promise to go to Kyiv, only noted that they would return to Washington."
    >>> factuality(t, 0, t.index("go to"), t.index(" Kyiv")), factuality(t, 0, t.index("return"), t.index(" to W"))
    ('negated', 'future')
    """
    chunk_start = sentence_start
    for m in _CHUNK.finditer(text, sentence_start, trigger_start):
        chunk_start = m.end()
    window = text[chunk_start:trigger_end]
    if _NEGATION.search(window) and not _NOT_ONLY.search(window):
        return "negated"
    if _HYPOTHETICAL.search(window):
        return "hypothetical"
    if _FUTURE.search(window):
        return "future"
    return "asserted"


@dataclass
class ClaimContext:
    """Everything around one statement that the patterns use."""

    text: str
    start: int
    end: int
    kind: str                          # the statement's kind
    speaker: str
    mentions: list[Mention]            # resolved mentions inside the statement, in order
    gazetteer: Gazetteer
    speaker_side: str | None
    other_side: str | None
    event: str | None                  # the main event the text is about, if known
    issue: str | None                  # the issue under discussion before this statement
    document: str | None               # the document under discussion before this statement
    question: tuple[int, int] | None = None   # the span of the question this statement answers
    question_mentions: list[Mention] = field(default_factory=list)
    envoys: list[str] = field(default_factory=list)   # the other side's people at the main event
    sides: list[str] = field(default_factory=list)    # the two sides of the talks the text is about

    # -- mentions ------------------------------------------------------------------------------------

    def within(self, s: int, e: int, kind: str | None = None) -> list[Mention]:
        return [m for m in self.mentions if m.start >= s and m.end <= e and (kind is None or m.kind == kind)]

    def actors(self, s: int, e: int) -> list[Mention]:
        """Actor mentions in [s, e), places that stand for an actor included ("Moscow" → Russia)."""
        out = []
        for m in self.within(s, e):
            if m.kind == "actor":
                out.append(m)
            elif m.kind == "place" and self.stands_for(m.id):
                out.append(Mention(m.start, m.end, self.stands_for(m.id) or m.id, "actor", m.surface))
        return out

    def stands_for(self, place: str) -> str | None:
        e = self.gazetteer.entities.get(place)
        return e.stands_for if e else None

    def actor_after(self, pos: int, limit: int = 40) -> Mention | None:
        """The first actor mention starting within `limit` characters after pos."""
        for m in self.actors(pos, min(self.end, pos + limit + 80)):
            if m.start - pos <= limit:
                return m
        return None

    def actor_before(self, pos: int, sentence_start: int, limit: int = 60) -> Mention | None:
        """The last actor mention ending within `limit` characters before pos, in the same sentence."""
        found = [m for m in self.actors(sentence_start, pos) if pos - m.end <= limit]
        return found[-1] if found else None

    def place_after(self, pos: int, limit: int = 25) -> Mention | None:
        for m in self.within(pos, min(self.end, pos + limit + 60), "place"):
            if m.start - pos <= limit and not re.search(r"[,.;:]", self.text[pos:m.start]):
                return m
        return None

    # -- sides ---------------------------------------------------------------------------------------

    def side(self, actor: str | None) -> str | None:
        return self.gazetteer.side_of(actor)

    def both_sides(self) -> list[str]:
        """The speaker's side and the other side; the two sides of the talks for a neutral speaker."""
        if self.speaker_side is None or self.speaker_side not in self.sides:
            return list(self.sides) or [x for x in [self.other_side] if x]
        return [s for s in dict.fromkeys([self.speaker_side, self.other_side]) if s]

    def head_of_other_side(self, actor: str) -> str | None:
        side = self.side(actor)
        other = self.other_side if side == self.speaker_side else self.speaker_side
        return self.gazetteer.head_of(other)

    def we(self, phrase: str) -> list[str]:
        """Who a subject phrase means: "we/the parties/both sides/it was agreed" → both sides of the talks;
        "I" → the speaker's side; "they" → the other side."""
        p = phrase.casefold().strip()
        if re.search(r"\b(?:i|я)\b", p):
            return [s for s in [self.speaker_side] if s]
        if re.search(r"\b(?:they|они)\b", p):
            return [s for s in [self.other_side] if s]
        return self.both_sides()

    # -- issues and documents ------------------------------------------------------------------------

    def issue_in(self, s: int, e: int) -> str | None:
        found = self.within(s, e, "issue")
        return found[0].id if found else None

    def issue_before(self, pos: int) -> str | None:
        """The last issue named in this statement before pos, else the issue under discussion."""
        found = [m for m in self.mentions if m.kind == "issue" and m.end <= pos]
        return found[-1].id if found else self.issue

    def issue_for(self, s: int, e: int, document: str | None = None) -> str | None:
        """The issue a stance is about: one named in [s, e); else the issue of a document it is about;
        else the issue under discussion; else the gazetteer's default issue."""
        named = self.issue_in(s, e)
        if named:
            return named
        if document:
            doc = self.gazetteer.entities.get(document)
            if doc and doc.issue:
                return doc.issue
        return self.issue_before(s) or self.gazetteer.default_issue

    def document_in(self, s: int, e: int) -> str | None:
        found = self.within(s, e, "document")
        return found[-1].id if found else None

    def document_near(self, s: int, e: int) -> str | None:
        """A document named in [s, e), or the document under discussion when [s, e) only says
        "the document", "proposals", "their content", "which"…"""
        named = self.document_in(s, e)
        if named:
            return named
        if DOC_NOUNS.search(self.text, s, e) or re.search(r"\b(?:which|their|them|it|its|которые|их)\b",
                                                          self.text[s:e], re.I):
            return self.document
        return None

    def clause_text(self, s: int, e: int) -> str:
        """The text of [s, e) as a claim's `content`: spaces folded, a leading "X noted that" dropped."""
        text = " ".join(self.text[s:e].split()).strip(" ,;:—–.")
        return _REPORTING.sub("", text, count=1) or text


def parse_number(word: str) -> int | None:
    """A small cardinal in digits or words, English or Russian.

    >>> parse_number("27"), parse_number("twenty-seven"), parse_number("двадцать восемь"), parse_number("four")
    (27, 27, 28, 4)
    """
    w = word.casefold().replace("-", " ").split()
    if len(w) == 1 and w[0].isdigit():
        return int(w[0])
    total = 0
    for part in w:
        if part not in NUMBER_WORDS:
            return None
        total += NUMBER_WORDS[part]
    return total or None


NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "один": 1, "одна": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6, "семь": 7, "восемь": 8,
    "девять": 9, "десять": 10, "одиннадцать": 11, "двенадцать": 12, "пятнадцать": 15, "девятнадцать": 19,
    "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50,
    "двух": 2, "трех": 3, "трёх": 3, "четырех": 4, "четырёх": 4, "пяти": 5, "двадцати": 20,
}
NUMBER = (r"(?:\d{1,3}|(?:twenty|thirty|forty|fifty|двадцат\w*|тридцат\w*|сорок\w*|пятьдесят)(?:[- ](?:one|two|"
          r"three|four|five|six|seven|eight|nine|один|одна|два|две|три|четыре|пять|шесть|семь|восемь|девять))?|"
          r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|nineteen|один|одна|два|две|три|"
          r"четыре|пять|шесть|семь|восемь|девять|десять|двенадцать|пятнадцать|девятнадцать|двух|трех|трёх|"
          r"четырех|четырёх|пяти)")
