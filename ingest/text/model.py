"""What text extraction finds: mentions, statements and claims, each with its exact span in the source text.

Spans are `[start, end)` Python string offsets into the transcript text as `reading.read_text` returns
it (BOM dropped, CRLF → LF), which is also the text the record pipeline stores for the source.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Mention:
    """A name in the text linked to a gazetteer entity, or a candidate name (`candidate=True`)."""

    start: int
    end: int
    id: str
    kind: str          # actor | place | issue | document
    surface: str
    candidate: bool = False


class MentionIndex:
    """Mentions sorted by start, to find those in a span in O(log n + k) (texts hold thousands)."""

    def __init__(self, mentions: Iterable[Mention]) -> None:
        self.mentions = sorted(mentions, key=lambda m: (m.start, m.end))
        self.starts = [m.start for m in self.mentions]

    def between(self, start: int, end: int) -> list[Mention]:
        """Mentions that start in [start, end) and end by `end`."""
        i = bisect_left(self.starts, start)
        out = []
        while i < len(self.mentions) and self.mentions[i].start < end:
            if self.mentions[i].end <= end:
                out.append(self.mentions[i])
            i += 1
        return out


@dataclass
class Segment:
    """A stretch of text said by one speaker: a Q&A turn paragraph, a narrative paragraph, a bullet."""

    start: int
    end: int
    kind: str                        # narrative | question | answer | bullet | quote
    label: str | None = None         # the speaker prefix as written ("Y. Ushakov", "SECRETARY RUBIO")
    label_start: int | None = None
    responds_to: int | None = None   # index of the question segment this answers
    heading: str | None = None       # the digest heading above a bullet ("Key theses of Peskov's remarks:")
    heading_start: int | None = None


@dataclass
class Claim:
    """A claim found by a pattern: its kind, its record fields, factuality, and the quote's span."""

    kind: str
    fields: dict[str, Any]
    factuality: str
    start: int
    end: int
    quote: str
    pattern: str
    confidence: str = "reported"

    def record(self) -> dict[str, Any]:
        """The claim as a record-format mapping (the quote must lie inside its statement)."""
        out: dict[str, Any] = {"kind": self.kind, "factuality": self.factuality, "confidence": self.confidence}
        out.update(self.fields)
        out["quote"] = self.quote
        return out


@dataclass
class Statement:
    id: str
    kind: str
    speaker: str
    start: int
    end: int
    text: str
    responds_to: str | None = None
    claims: list[Claim] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    attributed: bool = True   # False when no cue named the speaker and a default was used
