"""What changed between two snapshots: the events, documents, statements, claims and positions (and the
actors, places, issues and sources behind them) added, removed and changed, as readable text and JSON.

Each side is the store as of a date, the whole store, or a snapshot file (TriG or N-Quads, as `parley
export` writes them). Every record is a named graph, so the diff compares graph names: a graph on one
side only is added or removed; a graph on both sides whose ``parley:contentHash`` differs is changed
(for a graph without one, a digest of its triples decides). Both sides are read as a stream of quads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from graph.errors import InputError, ParleyError
from graph.snapshot import SNAPSHOT_BASE, as_of, quads
from graph.store import Store
from ontology.namespaces import (
    DCTERMS, OA, PARLEY, PROV, RDF, RDFS, SCHEMA, SEM, SKOS,
)

KINDS = ("events", "documents", "statements", "claims", "positions", "actors", "places", "issues", "sources",
         "other")
# The first of a graph's types found here says what kind of record it is.
_KIND_OF_TYPE = [(PARLEY.Statement, "statements"), (PARLEY.PositionClaim, "positions"), (PARLEY.Claim, "claims"),
                 (SEM.Event, "events"), (PARLEY.Document, "documents"), (PARLEY.Actor, "actors"),
                 (SCHEMA.Place, "places"), (SEM.Place, "places"), (PARLEY.Issue, "issues"),
                 (SCHEMA.CreativeWork, "sources")]
_DATES = {"statements": [DCTERMS.date], "claims": [PARLEY.assertedOn], "positions": [PARLEY.assertedOn],
          "events": [SEM.hasTimeStamp, SEM.hasBeginTimeStamp], "documents": [DCTERMS.created],
          "sources": [DCTERMS.date]}
_NAMES = (RDFS.label, SKOS.prefLabel, DCTERMS.title)
_FIELDS = {str(p) for p in (RDF.type, DCTERMS.date, DCTERMS.created, SEM.hasTimeStamp, SEM.hasBeginTimeStamp,
                            PARLEY.assertedOn, PARLEY.contentHash, PROV.wasAttributedTo, PARLEY.text,
                            PARLEY.actor, PARLEY.issue, PARLEY.stance, PARLEY.content, PARLEY.document,
                            PARLEY.numberOfPoints, SCHEMA.url, *_NAMES)}
_SNAPSHOT_FIELDS = {str(DCTERMS.date): "as_of", str(DCTERMS.created): "created"}
FILE_FORMATS = {".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS, ".nquads": ox.RdfFormat.N_QUADS}

Point = dt.date | str | os.PathLike[str] | None
"""One side of a diff: a date (the store as of it), a snapshot file, or None (the whole store now)."""


@dataclass(frozen=True)
class Record:
    """One record (a named graph) as the diff shows it."""

    iri: str
    kind: str
    date: str | None
    label: str
    digest: str

    @property
    def id(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]

    def to_dict(self) -> dict[str, Any]:
        return {"iri": self.iri, "id": self.id, "date": self.date, "label": self.label}


@dataclass
class Side:
    """The records of one side, and where they come from."""

    name: str
    as_of: str | None = None
    created: str | None = None
    records: dict[str, Record] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "as_of": self.as_of, "created": self.created, "graphs": len(self.records)}


@dataclass
class Diff:
    """Records added, removed and changed from side `a` to side `b`, by kind, in date order."""

    a: Side
    b: Side
    added: dict[str, list[Record]]
    removed: dict[str, list[Record]]
    changed: dict[str, list[tuple[Record, Record]]]

    def counts(self) -> dict[str, dict[str, int]]:
        return {"added": {k: len(v) for k, v in self.added.items()},
                "removed": {k: len(v) for k, v in self.removed.items()},
                "changed": {k: len(v) for k, v in self.changed.items()}}

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.a.to_dict(), "to": self.b.to_dict(), "counts": self.counts(),
                "added": {k: [r.to_dict() for r in v] for k, v in self.added.items()},
                "removed": {k: [r.to_dict() for r in v] for k, v in self.removed.items()},
                "changed": {k: [{**new.to_dict(), "before": old.to_dict(), "hash_before": old.digest,
                                 "hash_after": new.digest} for old, new in v] for k, v in self.changed.items()}}

    def lines(self) -> list[str]:
        """The diff as readable text: a summary, then each kind's records, `+` added, `-` removed, `~` changed."""
        def side(s: Side) -> str:
            if s.as_of and s.as_of != s.name:
                return f"{s.name} (as of {s.as_of})"
            return s.name

        def tally(group: dict[str, list[Any]]) -> str:
            return ", ".join(f"{len(group[k])} {_noun(k, len(group[k]))}" for k in KINDS if group.get(k)) or "nothing"

        out = [f"Changes from {side(self.a)} to {side(self.b)}",
               f"  added:   {tally(self.added)}", f"  removed: {tally(self.removed)}",
               f"  changed: {tally(self.changed)}"]
        for kind in KINDS:
            for verb, sign, records in (("added", "+", self.added.get(kind, [])),
                                        ("removed", "-", self.removed.get(kind, []))):
                if records:
                    out += ["", f"{kind.capitalize()} {verb} ({len(records)})"]
                    out += [f"  {sign} {_line(r)}" for r in records]
            if self.changed.get(kind):
                out += ["", f"{kind.capitalize()} changed ({len(self.changed[kind])})"]
                out += [f"  ~ {_line(new)}" for _, new in self.changed[kind]]
        return out


def _noun(kind: str, n: int) -> str:
    return kind[:-1] if n == 1 and kind != "other" else kind


def _line(r: Record) -> str:
    return f"{r.date or 'undated':<10}  {r.label}  [{r.id}]"


# -- the diff -------------------------------------------------------------------------------------------

def diff(a: Point, b: Point, *, store: Store | None = None) -> Diff:
    """What changed from `a` to `b`: each a date (the store as of that day), a snapshot file (.trig or
    .nq), or None (the whole store as it is).

    :raises InputError: a file cannot be read or parsed (the message names the file and line).
    :raises ParleyError: a date or None is given without a store.
    """
    needs_store = [p for p in (a, b) if p is None or isinstance(p, dt.date)]
    whole: Side | None = None
    if needs_store:
        if store is None:
            raise ParleyError("comparing dates needs a store: give --store or PARLEY_STORE")
        whole = read_quads(quads(store, as_of(store, None)), "store")

    def side(point: Point) -> Side:
        if point is None or isinstance(point, dt.date):
            assert whole is not None and store is not None
            if point is None:
                return Side("the whole store", None, None, whole.records)
            keep = as_of(store, point).graphs
            return Side(point.isoformat(), point.isoformat(), None,
                        {g: r for g, r in whole.records.items() if g in keep})
        return read_file(Path(point))

    return compare(side(a), side(b))


def compare(a: Side, b: Side) -> Diff:
    added: dict[str, list[Record]] = defaultdict(list)
    removed: dict[str, list[Record]] = defaultdict(list)
    changed: dict[str, list[tuple[Record, Record]]] = defaultdict(list)
    for iri, rec in b.records.items():
        old = a.records.get(iri)
        if old is None:
            added[rec.kind].append(rec)
        elif old.digest != rec.digest:
            changed[rec.kind].append((old, rec))
    for iri, rec in a.records.items():
        if iri not in b.records:
            removed[rec.kind].append(rec)

    def order(r: Record) -> tuple[str, str, str]:
        return (r.date or "9999", r.label, r.iri)

    return Diff(a, b, {k: sorted(added[k], key=order) for k in KINDS if added[k]},
                {k: sorted(removed[k], key=order) for k in KINDS if removed[k]},
                {k: sorted(changed[k], key=lambda p: order(p[1])) for k in KINDS if changed[k]})


# -- reading a side ----------------------------------------------------------------------------------------

def read_file(path: Path) -> Side:
    """The records of a snapshot file (TriG or N-Quads), read as a stream."""
    fmt = FILE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError("diff reads snapshot files in TriG (.trig) or N-Quads (.nq), as `parley export` "
                         "writes them", file=str(path))
    try:
        if not path.is_file():
            raise InputError("no such file" if not path.exists() else "not a file", file=str(path))
        return read_quads(ox.parse(path=path, format=fmt), str(path))
    except SyntaxError as e:
        raise InputError(e.msg or str(e), file=str(path), line=e.lineno) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", file=str(path)) from None


class _Graph:
    """What the diff keeps of one graph while reading: a few fields of its record node, its first quote
    (an oa:exact), and an order-free digest of its triples (the sum of their hashes)."""

    __slots__ = ("fields", "quote", "digest")

    def __init__(self) -> None:
        self.fields: list[tuple[str, str]] = []
        self.quote: str | None = None
        self.digest = 0


def read_quads(stream: Iterable[ox.Quad], name: str) -> Side:
    """The records in a stream of quads: one per named graph, snapshot descriptions aside."""
    graphs: dict[str, _Graph] = defaultdict(_Graph)
    names: dict[str, tuple[int, str]] = {}
    side = Side(name)
    exact = str(OA.exact)
    name_rank = {str(p): i for i, p in enumerate(_NAMES)}
    for q in stream:
        g = q.graph_name
        if not isinstance(g, ox.NamedNode):
            continue
        p, o = q.predicate.value, q.object
        if g.value.startswith(SNAPSHOT_BASE):
            if q.subject == g and p in _SNAPSHOT_FIELDS and isinstance(o, ox.Literal):
                setattr(side, _SNAPSHOT_FIELDS[p], o.value)
            continue
        record = graphs[g.value]
        # An order-free digest of the graph's triples: the sum of their hashes.
        record.digest += int.from_bytes(hashlib.blake2b(str(q.triple).encode(), digest_size=16).digest(), "big")
        if p in name_rank and isinstance(o, ox.Literal) and isinstance(q.subject, ox.NamedNode):
            lang = o.language or ""
            rank = name_rank[p] * 3 + (0 if lang == "en" else 1 if not lang else 2)
            if q.subject.value not in names or rank < names[q.subject.value][0]:
                names[q.subject.value] = (rank, o.value)
        if p == exact and isinstance(o, ox.Literal) and record.quote is None:
            record.quote = o.value
        if q.subject == g and p in _FIELDS and isinstance(o, (ox.NamedNode, ox.Literal)):
            record.fields.append((p, o.value))
    label = {iri: text for iri, (_, text) in names.items()}
    for iri, record in graphs.items():
        side.records[iri] = _record(iri, record, label)
    return side


def _values(g: _Graph, *predicates: object) -> list[str]:
    wanted = [str(p) for p in predicates]
    return [v for p in wanted for f, v in g.fields if f == p]


def _record(iri: str, g: _Graph, names: dict[str, str]) -> Record:
    types = set(_values(g, RDF.type))
    kind = next((k for t, k in _KIND_OF_TYPE if str(t) in types), "other")
    days = sorted(v[:10] for v in _values(g, *_DATES.get(kind, [])))
    hashes = _values(g, PARLEY.contentHash)
    digest = f"sha256:{hashes[0]}" if hashes else f"triples:{g.digest % (1 << 128):032x}"

    def name(value: str | None) -> str:
        return names.get(value, value.rsplit("/", 1)[-1]) if value else "?"

    def first(*predicates: object) -> str | None:
        found = _values(g, *predicates)
        return found[0] if found else None

    speaker = name(first(PROV.wasAttributedTo))
    if kind == "statements":
        label = f"{speaker}: {_quoted(first(PARLEY.text) or '')}"
    elif kind == "positions":
        stance = (first(PARLEY.stance) or "?").rsplit("/", 1)[-1]
        label = f"{name(first(PARLEY.actor))} on {name(first(PARLEY.issue))}: {stance} (said by {speaker})"
    elif kind == "claims":
        what = next((t.rsplit("#", 1)[-1] for t in sorted(types) if t.endswith("Claim") and t != str(PARLEY.Claim)),
                    "Claim")
        words = " ".join(w.lower() for w in _split_camel(what.removesuffix("Claim"))) or "claim"
        text = g.quote or first(PARLEY.content) or ""
        label = f"{words}, said by {speaker}: {_quoted(text)}" if text else f"{words}, said by {speaker}"
    else:
        label = names.get(iri) or first(SCHEMA.url) or iri.rsplit("/", 1)[-1]
    return Record(iri, kind, days[0] if days else None, label, digest)


def _split_camel(name: str) -> list[str]:
    words: list[str] = []
    for ch in name:
        if ch.isupper() or not words:
            words.append(ch)
        else:
            words[-1] += ch
    return words


def _quoted(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}”"


__all__ = ["Diff", "KINDS", "Point", "Record", "Side", "compare", "diff", "read_file", "read_quads"]
