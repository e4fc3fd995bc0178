"""Transcript text → statements (with speakers), entity mentions and claims, each with its exact span.

`extract` is the whole pipeline over one text: header, segmentation, speakers, gazetteer linking,
candidate names, claim patterns. `Extraction.records()` (records.py) turns the result into the record
format, so the YAML ingest writes it (all or nothing, idempotent).

>>> x = extract("Question: Will they go to Kyiv?\\nY. Ushakov: They did not promise to go to Kyiv.",
...             name="briefing-2025-12-02.txt")
>>> [(s.kind, s.speaker, s.text) for s in x.statements]
[('question', 'media', 'Will they go to Kyiv?'), ('answer', 'yuri-ushakov', 'They did not promise to go to Kyiv.')]
>>> [(c.kind, c.fields["destination"], c.factuality) for c in x.statements[1].claims]
[('travel', 'kyiv', 'negated')]
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from graph.errors import InputError
from graph.iri import slug
from ingest.text.candidates import find_candidates
from ingest.text.claims import find_claims
from ingest.text.context import ClaimContext
from ingest.text.gazetteer import Gazetteer, cached
from ingest.text.handlers import EVENT
from ingest.text.header import Meta, date_from_name, parse_header
from ingest.text.model import Mention, MentionIndex, Segment, Statement
from ingest.text.reading import MAX_STATEMENT_CHARS, check_text, position
from ingest.text.segment import segment
from ingest.text.sentences import sentences
from ingest.text.speakers import Speakers

if TYPE_CHECKING:
    from graph.store import Store

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass
class Extraction:
    """What one text gave: its metadata, statements with their claims, every mention, the candidates."""

    text: str
    name: str
    meta: Meta
    source_id: str
    body_start: int
    statements: list[Statement]
    mentions: list[Mention]
    candidates: dict[str, tuple[str, str, int]]    # id -> (label, type, count)
    gazetteer: Gazetteer
    event: str | None = None
    event_kind: str = "meeting"
    participants: list[dict[str, str]] = field(default_factory=list)
    publisher: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def claims(self) -> int:
        return sum(len(s.claims) for s in self.statements)


def extract(text: str, *, name: str, meta: Meta | None = None, gazetteer: Gazetteer | None = None,
            store: "Store | None" = None) -> Extraction:
    """Extract statements, mentions and claims from a transcript's text (as `reading.read_text` gives it).

    :param name: the file name (for messages, the source id and a date written in it).
    :param meta: fields given as options; they win over the header block.
    :param store: unused here; records() asks it which records already exist.
    :raises InputError: an empty text, a bad header, no date, or a paragraph over the statement size limit.
    """
    check_text(text, name)
    header, body = parse_header(text, name)
    meta = header.overridden_by(meta or Meta())
    if not text[body:].strip():
        raise InputError("there is no text to extract statements from (the file is empty or holds only a header)",
                         file=name)
    date = meta.date or date_from_name(Path(name).name)
    if date is None:
        raise InputError("no date for the statements: give --date YYYY-MM-DD, a `date:` header line, or a date "
                         "in the file name", file=name)
    language = meta.language or guess_language(text[body:body + 20000])
    source_id = meta.source_id or source_id_for(name)
    meta = Meta(**{**meta.__dict__, "date": date, "language": language, "source_id": source_id})
    g = gazetteer or cached()
    x = Extraction(text, name, meta, source_id, body, [], [], {}, g)
    _Builder(x, Speakers(g)).run()
    return x


def guess_language(text: str) -> str:
    cyr, lat = len(_CYRILLIC.findall(text)), len(_LATIN.findall(text))
    return "ru" if cyr > lat else "en"


def source_id_for(name: str) -> str:
    stem = Path(name).stem or "text"
    try:
        return slug(stem)
    except Exception:  # noqa: BLE001 - a name with no letters at all
        return "text"


class _Builder:
    def __init__(self, x: Extraction, speakers: Speakers) -> None:
        self.x = x
        self.sp = speakers
        self.g = x.gazetteer
        self.text = x.text
        self.labels: dict[str, str] = {}     # candidate speaker id -> the name as its prefix gave it

    def run(self) -> None:
        x = self.x
        linked = self.g.link(self.text, x.body_start)
        self.index = MentionIndex(linked)
        segments = segment(self.text, x.body_start, self.sp.label_kind)
        for seg in segments:
            if seg.end - seg.start > MAX_STATEMENT_CHARS:
                line, column = position(self.text, seg.start)
                raise InputError(f"a paragraph of {seg.end - seg.start:,} characters is over the "
                                 f"{MAX_STATEMENT_CHARS:,}-character limit for one statement; break it into "
                                 "paragraphs", file=x.name, line=line, column=column)
        self.main = self._main_speaker(segments)
        self._statements(segments, linked)
        self._resolve_relative(linked)
        self._candidates(linked)
        self._claims()
        self._finish()

    # -- speakers ------------------------------------------------------------------------------------

    def _main_speaker(self, segments: list[Segment]) -> str:
        counts = Counter(self.sp.resolve(s.label).id for s in segments
                         if s.label and s.kind in ("answer", "quote") and self.sp.label_kind(s.label) == "speaker")
        if self.x.meta.speaker:
            return self.sp.resolve(self.x.meta.speaker).id
        if counts:
            return counts.most_common(1)[0][0]
        return ""

    def _default_speaker(self) -> str:
        if self.main:
            return self.main
        if self.x.meta.publisher:
            return self.sp.resolve(self.x.meta.publisher).id
        return "media"

    def _speaker_of_label(self, seg: Segment, last_answerer: str | None) -> str:
        assert seg.label is not None
        kind = self.sp.label_kind(seg.label)
        if kind == "answer":
            return last_answerer or self._default_speaker()
        if kind == "question":
            found = self.sp.resolve_id(seg.label)
            return found or self.sp.self_identified(self.text[seg.start:seg.end]) or "media"
        speaker = self.sp.resolve(seg.label)
        if speaker.candidate:
            self.labels.setdefault(speaker.id, speaker.label)
        return speaker.id

    def _statements(self, segments: list[Segment], linked: list[Mention]) -> None:
        x = self.x
        carry: str | None = None
        last_answerer: str | None = None
        first_of_turn: set[int] = set()
        seen_labels: set[int | None] = set()
        for i, seg in enumerate(segments):
            if seg.label_start not in seen_labels:
                first_of_turn.add(i)
                seen_labels.add(seg.label_start)
        ids: dict[int, str] = {}
        for i, seg in enumerate(segments):
            pieces: list[tuple[int, int, str, str, bool]] = []   # start, end, speaker, kind, attributed
            if seg.kind == "narrative" or (seg.kind == "bullet" and seg.label is None):
                pieces = self._narrative(seg, carry, linked)
            elif seg.kind in ("answer", "quote") and i not in first_of_turn and self._third_person(seg, linked):
                pieces = self._narrative(seg, carry, linked)
                pieces = [(s, e, who, "narrative", a) for s, e, who, _, a in pieces]
            else:
                who = self._speaker_of_label(seg, last_answerer)
                pieces = [(seg.start, seg.end, who, seg.kind, True)]
            for s, e, who, kind, attributed in pieces:
                n = len(x.statements) + 1
                st = Statement(f"{x.source_id}-s{n}", kind, who, s, e, self.text[s:e], attributed=attributed)
                if seg.responds_to is not None and kind in ("answer", "quote", "bullet"):
                    st.responds_to = ids.get(seg.responds_to)
                    if st.responds_to and kind == "quote":
                        st.kind = "answer"
                x.statements.append(st)
                ids.setdefault(i, st.id)
                if kind != "question" and attributed:
                    carry = who
                    if seg.label is not None:
                        last_answerer = who

    def _third_person(self, seg: Segment, linked: list[Mention]) -> bool:
        """A continuation paragraph that reports someone in the third person ("Ushakov added that …")."""
        for s, e in sentences(self.text, seg.start, seg.end):
            cue = self.sp.cue(self.text, s, e, self.index.between(s, e))
            if cue is not None:
                return True
        return False

    def _narrative(self, seg: Segment, carry: str | None,
                   linked: list[Mention]) -> list[tuple[int, int, str, str, bool]]:
        kind = seg.kind
        sents = sentences(self.text, seg.start, seg.end)
        cues = [self.sp.cue(self.text, s, e, self.index.between(s, e)) for s, e in sents]
        heading = self._heading_speaker(seg, linked)
        first_named = next((c.speaker for c in cues if c is not None and c.speaker), None)
        current = heading or carry or first_named
        attributed = current is not None
        current = current or self._default_speaker()
        groups: list[list[int]] = []
        speakers: list[str] = []
        for (s, e), cue in zip(sents, cues):
            if heading is None and cue is not None and cue.speaker and cue.speaker != current:
                current = cue.speaker
                attributed = True
            if speakers and speakers[-1] == current:
                groups[-1][1] = e
            else:
                groups.append([s, e])
                speakers.append(current)
        return [(s, e, who, kind, attributed) for (s, e), who in zip(groups, speakers)]

    def _heading_speaker(self, seg: Segment, linked: list[Mention]) -> str | None:
        if seg.heading_start is None or seg.heading is None:
            return None
        end = seg.heading_start + len(seg.heading)
        for m in self.index.between(seg.heading_start, end):
            if m.kind == "actor" and not self.sp.is_journalist(m.id):
                return m.id
        return None

    # -- mentions ------------------------------------------------------------------------------------

    def _resolve_relative(self, linked: list[Mention]) -> None:
        out: list[Mention] = []
        starts = [s.start for s in self.x.statements]
        for m in linked:
            if m.kind != "relative":
                out.append(m)
                continue
            i = bisect_right(starts, m.start) - 1
            st = self.x.statements[i] if i >= 0 and m.start < self.x.statements[i].end else None
            meant = self.g.meaning(m.id[1:], st.speaker if st else None)
            if meant is not None:
                out.append(Mention(m.start, m.end, meant, "actor", m.surface))
        self.x.mentions = out

    def _candidates(self, linked: list[Mention]) -> None:
        x = self.x
        spans = [(s.start, s.end) for s in x.statements]
        starts = {s for st in x.statements for s, _ in sentences(self.text, st.start, st.end)}
        found = find_candidates(self.text, spans, starts, x.mentions)
        counts: Counter[str] = Counter()
        for m in found:
            counts[m.id] += 1
            x.candidates.setdefault(m.id, (m.surface, _candidate_type(m.surface), 0))
        for st in x.statements:
            if st.speaker not in self.g.entities and st.speaker not in x.candidates:
                label = self.labels.get(st.speaker) or st.speaker.replace("-", " ").title()
                x.candidates[st.speaker] = (label, _candidate_type(label), 0)
                counts[st.speaker] += 1
        x.candidates = {k: (label, t, counts[k]) for k, (label, t, _) in x.candidates.items()}
        index = MentionIndex(x.mentions + found)
        x.mentions = index.mentions
        for st in x.statements:
            st.mentions = index.between(st.start, st.end)

    # -- claims --------------------------------------------------------------------------------------

    def _sides(self) -> tuple[str | None, str | None]:
        main_side = self.g.side_of(self.main) if self.main else None
        counts: Counter[str] = Counter()
        for st in self.x.statements:
            side = self.g.side_of(st.speaker)
            if side and not self.sp.is_journalist(st.speaker):
                counts[side] += 3
            for m in st.mentions:
                ms = self.g.side_of(m.id) if m.kind in ("actor", "place") else None
                if ms and not self.sp.is_journalist(m.id):
                    counts[ms] += 1
        if main_side is None and counts:
            main_side = counts.most_common(1)[0][0]
        others = [s for s, _ in counts.most_common() if s != main_side]
        return main_side, (others[0] if others else None)

    def _claims(self) -> None:
        x = self.x
        main_side, other_side = self._sides()
        issue: str | None = None
        docs = [m.id for m in x.mentions if m.kind == "document"]
        document: str | None = None
        envoys: list[str] = []
        by_id = {s.id: s for s in x.statements}
        for st in x.statements:
            side = self.g.side_of(st.speaker)
            other = other_side if side == main_side else main_side
            question = by_id.get(st.responds_to or "")
            ctx = ClaimContext(self.text, st.start, st.end, st.kind, st.speaker, st.mentions, self.g,
                               side, other, EVENT, issue, document or (docs[0] if docs else None),
                               (question.start, question.end) if question else None,
                               question.mentions if question else [], list(envoys),
                               [x for x in (main_side, other_side) if x])
            st.claims = find_claims(ctx)
            for c in st.claims:
                if c.kind == "participation" and self.g.side_of(c.fields["actor"]) == other_side and \
                        self.g.kind_of(c.fields["actor"]) == "actor" and c.fields["actor"] not in envoys and \
                        self.g.entities[c.fields["actor"]].record.get("type") == "person":
                    envoys.append(c.fields["actor"])
            for m in st.mentions:
                if m.kind == "issue":
                    issue = m.id
                elif m.kind == "document":
                    document = m.id

    def _finish(self) -> None:
        x = self.x
        uses_event = any(EVENT in (c.fields.get("event"), c.fields.get("target"))
                         for st in x.statements for c in st.claims)
        if x.meta.event:
            x.event = x.meta.event
        elif uses_event:
            calls = re.search(r"\b(?:phone|telephone)\s+(?:call|conversation|talks)|телефонн\w*\s+разговор",
                              self.text, re.I)
            x.event_kind = "call" if calls else "meeting"
            x.event = f"{x.source_id}-{x.event_kind}"
        points: dict[str, set[int]] = {}
        for st in x.statements:
            kept = []
            for c in st.claims:
                for k in ("event", "target"):
                    if c.fields.get(k) == EVENT:
                        if x.event is None:
                            break
                        c.fields[k] = x.event
                else:
                    kept.append(c)
                if c.kind == "document-points":
                    points.setdefault(c.fields["document"], set()).add(c.fields["points"])
            st.claims = kept
        for st in x.statements:
            for c in st.claims:
                if c.kind == "document-points" and len(points.get(c.fields["document"], ())) > 1:
                    c.confidence = "disputed"
                if c.kind == "participation" and c.factuality == "asserted" and x.event and not x.meta.event:
                    if all(p["actor"] != c.fields["actor"] for p in x.participants):
                        x.participants.append({k: str(c.fields[k]) for k in ("actor", "role", "on_behalf_of")
                                               if k in c.fields})
        unattributed = sum(1 for s in x.statements if not s.attributed)
        if unattributed:
            x.notes.append(f"{unattributed} narrative statement(s) name no speaker; they were given to "
                           f"{self._default_speaker()!r}")


def _candidate_type(surface: str) -> str:
    letters = [c for c in surface if c.isalpha()]
    return "organisation" if len(letters) >= 2 and all(c.isupper() for c in letters) else "person"
