"""Transcript text → segments: Q&A turns, narrative paragraphs and digest bullets, with exact spans.

Styles read (one file may mix them):

- prefixes: `Question:`, `Q:`, `QUESTION:`, `Вопрос:`, `Question (Reuters):`, `Y. Ushakov:`, `Ю.Ушаков:`,
  `Yuri Ushakov:`, `SECRETARY RUBIO:` and other all-caps names, `Answer:`/`A:`/`Ответ:`;
- a name (or `Question`) alone on its line, the words on the lines that follow;
- narrative paragraphs with no prefix (reported speech: who said them is decided by `extract`);
- digests: a heading line ending in `:` ("Key theses:", "Главное:") followed by `- `, `• `, `* `, `– `
  or `1.` bullets.

Paragraphs are lines when the body has no blank lines (agency style) and blank-line-separated blocks
otherwise (State Department style, hard-wrapped text). Unprefixed paragraphs after a turn continue it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.text.model import Segment

# label -> "question" | "answer" | "speaker" | None (not a speaker label); supplied by the extractor,
# which knows the gazetteer.
LabelKind = Callable[[str], "str | None"]

_PREFIX = re.compile(r"[ \t]*([^\W\d_][^:\n]{0,59}?)[ \t]*:(?:[ \t]+|\Z)")
_BULLET = re.compile(r"[ \t]*(?:[-•*–▪·◦‣]|\d{1,2}[.)])[ \t]+")
_HEADING_WORDS = {"key", "main", "theses", "points", "highlights", "summary", "takeaways", "statements",
                  "тезисы", "главное", "основные", "ключевые", "заявления", "итоги", "коротко"}
MAX_HEADING = 120


@dataclass
class _Line:
    start: int
    end: int   # without the newline

    def text(self, t: str) -> str:
        return t[self.start:self.end]


def segment(text: str, body_start: int, label_kind: LabelKind) -> list[Segment]:
    """The segments of text[body_start:], in order.

    >>> kinds = {"Question": "question", "Y. Ushakov": "speaker"}.get
    >>> t = "Intro by the agency.\\nQuestion: Will they go?\\nY. Ushakov: No.\\nThey will return."
    >>> [(s.kind, s.label, t[s.start:s.end]) for s in segment(t, 0, kinds)]
    [('narrative', None, 'Intro by the agency.'), ('question', 'Question', 'Will they go?'), ('answer', 'Y. Ushakov', 'No.'), ('answer', 'Y. Ushakov', 'They will return.')]
    """
    lines = _lines(text, body_start)
    blank_mode = any(text[a.end:b.start].count("\n") > 1 for a, b in zip(lines, lines[1:]))
    out: list[Segment] = []
    turn: Segment | None = None          # the turn paragraphs continue: kind, label, responds_to
    question: int | None = None          # index of the open question
    heading: tuple[str, int] | None = None
    para: list[_Line] = []

    def flush() -> None:
        if not para:
            return
        s, e = para[0].start, para[-1].end
        if turn is None:
            kind, label, label_start, responds = "narrative", None, None, None
        else:
            kind, label, label_start, responds = turn.kind, turn.label, turn.label_start, turn.responds_to
        out.append(Segment(s, e, kind, label, label_start, responds))
        para.clear()

    def start_turn(label: str, label_start: int) -> None:
        nonlocal turn, question, heading
        lk = label_kind(label)
        heading = None
        if lk == "question":
            turn = Segment(0, 0, "question", label, label_start)
            question = len(out)
        else:
            kind = "answer" if question is not None else "quote"
            turn = Segment(0, 0, kind, label, label_start, question)

    i = 0
    while i < len(lines):
        line = lines[i]
        raw = line.text(text)
        prev_blank = i > 0 and text[lines[i - 1].end:line.start].count("\n") > 1
        if prev_blank or not blank_mode:
            flush()
        prefix = _PREFIX.match(raw)
        label = prefix.group(1).rstrip() if prefix else None
        if prefix and label and label_kind(label) is not None:
            rest = line.start + prefix.end()
            if rest >= line.end and _next_is_bullet(text, lines, i):
                flush()
                heading, turn = (raw.strip(), line.start), None
            else:
                flush()
                start_turn(label, line.start + prefix.start(1))
                if rest < line.end:
                    para.append(_Line(rest, line.end))
            i += 1
            continue
        alone = raw.strip()
        if (i + 1 < len(lines) and _alone_candidate(alone) and label_kind(alone) is not None
                and not _BULLET.match(lines[i + 1].text(text))):
            flush()
            start_turn(alone, line.start + raw.index(alone))
            i += 1
            continue
        bullet = _BULLET.match(raw)
        if bullet and bullet.end() < len(raw):
            flush()
            seg = Segment(line.start + bullet.end(), line.end, "bullet")
            if heading is not None:
                seg.heading, seg.heading_start = heading
            elif turn is not None:
                seg.label, seg.label_start = turn.label, turn.label_start
            out.append(seg)
            i += 1
            continue
        if _is_heading(raw) and (_next_is_bullet(text, lines, i) or _heading_words(raw)):
            flush()
            heading, turn = (raw.strip(), line.start), None
            i += 1
            continue
        if heading is not None and not blank_mode:
            heading = None
        para.append(line)
        i += 1
    flush()
    return out


def _lines(text: str, start: int) -> list[_Line]:
    """Non-blank lines with their offsets, trimmed of surrounding spaces."""
    out: list[_Line] = []
    pos = start
    n = len(text)
    while pos < n:
        end = text.find("\n", pos)
        end = n if end < 0 else end
        s, e = pos, end
        while s < e and text[s] in " \t\u00a0":
            s += 1
        while e > s and text[e - 1] in " \t\u00a0":
            e -= 1
        if e > s:
            out.append(_Line(s, e))
        pos = end + 1
    return out


def _next_is_bullet(text: str, lines: list[_Line], i: int) -> bool:
    return i + 1 < len(lines) and _BULLET.match(lines[i + 1].text(text)) is not None


def _is_heading(raw: str) -> bool:
    s = raw.strip()
    return s.endswith(":") and len(s) <= MAX_HEADING


def _heading_words(raw: str) -> bool:
    return any(w.casefold() in _HEADING_WORDS for w in re.findall(r"[^\W\d_]+", raw))


def _alone_candidate(s: str) -> bool:
    """A line that could be a name standing alone above its words: short, no sentence punctuation."""
    return 0 < len(s) <= 50 and s[-1] not in ".?!,;:…\"»”" and len(s.split()) <= 5
