"""`parley eval`: precision, recall and F1 of an extraction against a gold annotation.

Three tasks, as ingest/TEXT.md ("Gold annotation") defines them:

- speakers: a statement counts when its span is exactly a gold statement's span and its speaker is the
  gold speaker (so segmentation errors count against attribution too);
- entities: a mention counts when its span and id are a gold mention's (a leading "the"/"a" is ignored
  on both sides); candidate names are reported apart;
- claims: a claim counts when a gold claim has the same kind, the same factuality, the same key fields
  (`KEYS`) and a quote span that overlaps; each gold claim matches at most one claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import InputError
from ingest.text.extract import Extraction
from ingest.text.gazetteer import plain
from ingest.text.header import Meta
from ingest.text.reading import read_text
from ingest.yamlsafe import parse

# The fields that must agree for two claims of a kind to be the same claim. `@event` in a gold file
# stands for the event the text is about (the extractor mints its own id for it).
KEYS: dict[str, tuple[str, ...]] = {
    "participation": ("actor",), "position": ("actor", "issue", "stance"), "agreement": (),
    "non-disclosure": (), "document-points": ("document", "points"), "document-transfer": ("document", "action"),
    "travel": ("destination",), "expectation": (), "assessment": ("target",), "message": ("from", "to"),
    "figure": ("value",), "event-report": (),
}
_ARTICLE = re.compile(r"(?:the|a|an)\s+", re.I)


@dataclass(frozen=True)
class Score:
    tp: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "tp": self.tp, "predicted": self.predicted, "gold": self.gold}


@dataclass
class Gold:
    path: str
    meta: Meta
    statements: list[dict[str, Any]]
    mentions: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    candidates: list[str]


def load_gold(path: str | Path) -> Gold:
    """Read a gold file (see tests/gold/*.gold.yaml).

    :raises InputError: not a gold file, with where.
    """
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise InputError(f"cannot read the gold file: {e.strerror}", file=name) from None
    d = plain(parse(read_text(data, name), name))
    if not isinstance(d, dict) or d.get("gold") != "1":
        raise InputError("a gold file is a mapping that starts with `gold: 1`", file=name)
    meta = Meta(**{k.replace("-", "_"): str(v) for k, v in (d.get("meta") or {}).items()})
    for section in ("statements", "mentions", "claims"):
        for i, item in enumerate(d.get(section) or []):
            if not isinstance(item, dict) or not isinstance(item.get("span"), list) or len(item["span"]) != 2:
                raise InputError(f"{section}[{i}] needs a span [start, end]", file=name, field=f"{section}[{i}]")
            item["span"] = [int(item["span"][0]), int(item["span"][1])]
    return Gold(name, meta, d.get("statements") or [], d.get("mentions") or [], d.get("claims") or [],
                [str(c) for c in d.get("candidates") or []])


def check_gold(gold: Gold, text: str) -> list[str]:
    """Problems in a gold file against its text: quoted texts that are not what their spans hold."""
    out = []
    for section in ("statements", "mentions", "claims"):
        for i, item in enumerate(getattr(gold, section)):
            s, e = item["span"]
            quoted = item.get("text", item.get("quote"))
            if quoted is not None and text[s:e] != quoted:
                out.append(f"{section}[{i}]: text[{s}:{e}] is {text[s:e]!r}, not {quoted!r}")
    return out


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    m = _ARTICLE.match(text, s, e)
    return (m.end(), e) if m and m.end() < e else (s, e)


def score_speakers(gold: Gold, x: Extraction) -> tuple[Score, Score]:
    """(segmentation, speaker attribution)."""
    spans = {tuple(g["span"]): g for g in gold.statements}
    seg = sum(1 for s in x.statements if (s.start, s.end) in spans)
    spk = sum(1 for s in x.statements if (s.start, s.end) in spans and spans[(s.start, s.end)]["speaker"] == s.speaker)
    return Score(seg, len(x.statements), len(gold.statements)), Score(spk, len(x.statements), len(gold.statements))


def score_entities(gold: Gold, x: Extraction) -> Score:
    want = {(*_trim(x.text, *g["span"]), g["id"]) for g in gold.mentions}
    got = {(*_trim(x.text, m.start, m.end), m.id) for m in x.mentions if not m.candidate}
    return Score(len(want & got), len(got), len(want))


def score_claims(gold: Gold, x: Extraction) -> Score:
    predicted = [(c, st) for st in x.statements for c in st.claims]
    used: set[int] = set()
    tp = 0
    for g in gold.claims:
        for i, (c, _) in enumerate(predicted):
            if i in used or c.kind != g["kind"] or c.factuality != g.get("factuality", "asserted"):
                continue
            if not (c.start < g["span"][1] and g["span"][0] < c.end):
                continue
            if all(_value(c.fields.get(k), x) == str(g.get(k)) for k in KEYS.get(g["kind"], ())):
                used.add(i)
                tp += 1
                break
    return Score(tp, len(predicted), len(gold.claims))


def _value(v: Any, x: Extraction) -> str:
    if v is not None and v == x.event:
        return "@event"
    return str(v)


def evaluate(gold: Gold, x: Extraction) -> dict[str, Score]:
    segmentation, speakers = score_speakers(gold, x)
    found = {m.surface for m in x.mentions if m.candidate}
    return {"segmentation": segmentation, "speakers": speakers, "entities": score_entities(gold, x),
            "claims": score_claims(gold, x),
            "candidates": Score(len(found & set(gold.candidates)), len(found), len(gold.candidates))}


def differences(gold: Gold, x: Extraction) -> list[str]:
    """What the extraction missed (−) and added (+), task by task, for `parley eval --details`."""
    out: list[str] = []
    spans = {tuple(g["span"]): g for g in gold.statements}
    got_spans = {(s.start, s.end): s for s in x.statements}
    for span, g in spans.items():
        s = got_spans.get(span)
        if s is None:
            out.append(f"speakers − [{span[0]}, {span[1]}] {g['speaker']}: {x.text[span[0]:span[1]][:60]!r}")
        elif s.speaker != g["speaker"]:
            out.append(f"speakers ≠ [{span[0]}, {span[1]}] {s.speaker} (gold {g['speaker']}): "
                       f"{x.text[span[0]:span[1]][:60]!r}")
    for span, st in got_spans.items():
        if span not in spans:
            out.append(f"speakers + [{span[0]}, {span[1]}] {st.speaker}: {st.text[:60]!r}")
    want = {(*_trim(x.text, *g["span"]), g["id"]) for g in gold.mentions}
    got = {(*_trim(x.text, m.start, m.end), m.id) for m in x.mentions if not m.candidate}
    for a, b, i in sorted(want - got):
        out.append(f"entities − [{a}, {b}] {i}: {x.text[a:b]!r}")
    for a, b, i in sorted(got - want):
        out.append(f"entities + [{a}, {b}] {i}: {x.text[a:b]!r}")
    predicted = [c for st in x.statements for c in st.claims]
    used: set[int] = set()
    for g in gold.claims:
        hit = None
        for i, c in enumerate(predicted):
            if i not in used and c.kind == g["kind"] and c.factuality == g.get("factuality", "asserted") and \
                    c.start < g["span"][1] and g["span"][0] < c.end and \
                    all(_value(c.fields.get(k), x) == str(g.get(k)) for k in KEYS.get(g["kind"], ())):
                hit = i
                break
        if hit is None:
            keys = {k: g.get(k) for k in KEYS.get(g["kind"], ())}
            out.append(f"claims − {g['kind']} {g.get('factuality', 'asserted')} {keys}: {g['quote'][:70]!r}")
        else:
            used.add(hit)
    for i, c in enumerate(predicted):
        if i not in used:
            keys = {k: c.fields.get(k) for k in KEYS.get(c.kind, ())}
            out.append(f"claims + {c.kind} {c.factuality} {keys}: {c.quote[:70]!r} [{c.pattern}]")
    return out
