"""What the Documents page reads: the documents with their lineage, the point counts sources give (and who
gives them) and their content; and the numbers sources give differently, which the Overview lists too.
Each read with the few plain queries a large store answers fast, and cached on the store's state."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from graph.facts import Facts, human_date
from ui.data import cell, labels, quotes_of, state_key, store

MAX_LINEAGE = 150          # the most documents the lineage picture draws
CONFLICTS_SHOWN = 12       # disputed numbers shown side by side before "show all"


_FIGURES = """{{
    {values} ?claim <{document}> ?subject . ?claim a <{points_claim}> ; <{points}> ?value . BIND("points" AS ?quantity)
  }} UNION {{
    {values} ?claim <{subject}> ?subject . ?claim a <{figure_claim}> ; <{quantity}> ?quantity ; <{value}> ?value .
  }}"""


def _figures(subjects: Iterable[str] = ()) -> str:
    from ontology.namespaces import PARLEY

    values = " ".join(f"<{s_}>" for s_ in subjects)
    return _FIGURES.format(points_claim=PARLEY.DocumentPointsClaim, document=PARLEY.document,
                           points=PARLEY.numberOfPoints, figure_claim=PARLEY.FigureClaim, subject=PARLEY.subject,
                           quantity=PARLEY.quantity, value=PARLEY.value,
                           values=f"VALUES ?subject {{ {values} }}" if values else "")


@st.cache_data(max_entries=4, show_spinner=False)
def _disputed(key: str) -> list[tuple[str, str]]:
    rows = store().select(f"SELECT ?subject ?quantity WHERE {{ {_figures()} }} GROUP BY ?subject ?quantity "
                          f"HAVING (COUNT(DISTINCT <http://www.w3.org/2001/XMLSchema#decimal>(?value)) > 1) "
                          f"ORDER BY ?subject ?quantity").rows
    return [(str(s_), str(q)) for s_, q in rows]


def disputed() -> list[tuple[str, str]]:
    """The numbers sources give differently: (subject, quantity), as the `disagreements` query finds them."""
    return _disputed(state_key())


@dataclass(frozen=True)
class FigureClaim:
    subject: str
    quantity: str
    value: str
    speaker: str
    date: str
    confidence: str
    quote: str


@st.cache_data(max_entries=32, show_spinner="Reading the claims…")
def _figure_claims(key: str, wanted: tuple[tuple[str, str], ...]) -> list[FigureClaim]:
    from ontology.namespaces import PARLEY, PROV

    if not wanted:
        return []
    figures = {str(c): (str(s_), str(q), str(v)) for c, s_, q, v in store().select(
        f"SELECT ?claim ?subject ?quantity ?value WHERE {{ {_figures(sorted({s_ for s_, _ in wanted}))} }}").rows}
    # The claims' details in a second query: joined with the figures above, the engine would read every claim.
    details = store().select(
        f"SELECT ?claim ?speaker ?date ?confidence WHERE {{ VALUES ?claim {{ "
        f"{' '.join(f'<{c}>' for c in figures)} }} "
        f"?claim <{PROV.wasAttributedTo}> ?speaker ; <{PARLEY.assertedOn}> ?date ; <{PARLEY.confidence}> ?confidence ; "
        f"<{PARLEY.factuality}> ?factuality ; <{PROV.wasDerivedFrom}> ?statement . "
        f"?statement <{PROV.wasQuotedFrom}> ?source . }}").rows if figures else []
    quotes = quotes_of([str(r[0]) for r in details])
    rows = sorted(((*figures[str(c)], sp, d, conf, quotes.get(str(c)), str(c)) for c, sp, d, conf in details),
                  key=lambda r: (r[0], r[1], r[2], str(r[4]), str(r[3]), r[7]))
    rows = [r for r in rows if (str(r[0]), str(r[1])) in set(wanted)]
    names = labels({str(r[0]) for r in rows} | {str(r[3]) for r in rows})
    return [FigureClaim(names[str(s_)], str(q), str(v), names[str(sp)], str(d), cell(c), str(qt or ""))
            for s_, q, v, sp, d, c, qt, _ in rows]


def figure_claims(wanted: Iterable[tuple[str, str]]) -> list[FigureClaim]:
    """Every claim about each disputed number in `wanted`, with its value, speaker, date and words."""
    return _figure_claims(state_key(), tuple(wanted))


def _lookup(prop: object, subjects: Iterable[str], *, inverse: bool = False) -> dict[str, list[Any]]:
    """Each subject's values of one property (`inverse`: the things that have it as their value), one
    pattern per query: with more patterns beside a long VALUES block the engine reads every claim."""
    out: dict[str, list[Any]] = defaultdict(list)
    names = sorted(set(subjects))
    for i in range(0, len(names), 1000):
        chunk = " ".join(f"<{x}>" for x in names[i:i + 1000])
        pattern = f"?o <{prop}> ?s" if inverse else f"?s <{prop}> ?o"
        for x, o in store().select(f"SELECT ?s ?o WHERE {{ VALUES ?s {{ {chunk} }} {pattern} }}").rows:
            out[str(x)].append(o)
    return out


@st.cache_data(max_entries=8, show_spinner=False)
def _document_points(key: str, docs: tuple[str, ...] | None) -> list[tuple[str, str, str, str, str]]:
    """(document, number, speaker, day, claim) of the point counts sources give, by claim; of some documents
    or (None) of all."""
    from ontology.namespaces import DCTERMS, PARLEY, PROV, RDF

    if docs is None:
        rows = store().select(
            f"SELECT ?d ?n ?sp ?day ?c WHERE {{ ?c a <{PARLEY.DocumentPointsClaim}> ; <{PARLEY.document}> ?d ; "
            f"<{PARLEY.numberOfPoints}> ?n ; <{PROV.wasDerivedFrom}> ?st . ?st <{PROV.wasAttributedTo}> ?sp ; "
            f"<{DCTERMS.date}> ?day }} ORDER BY ?c").rows
        return [(str(d), str(n), str(sp), str(day), str(c)) for d, n, sp, day, c in rows]
    claims = _lookup(PARLEY.document, docs, inverse=True)
    about = {str(c): d for d, found in claims.items() for c in found}
    kinds = _lookup(RDF.type, about)
    about = {c: d for c, d in about.items() if any(str(k) == str(PARLEY.DocumentPointsClaim) for k in kinds[c])}
    points, derived = _lookup(PARLEY.numberOfPoints, about), _lookup(PROV.wasDerivedFrom, about)
    said = {str(st_) for found in derived.values() for st_ in found}
    speakers, days = _lookup(PROV.wasAttributedTo, said), _lookup(DCTERMS.date, said)
    return sorted(((d, str(n), str(sp), str(day), c) for c, d in about.items() for n in points[c]
                   for st_ in derived[c] for sp in speakers[str(st_)] for day in days[str(st_)]), key=lambda r: r[4])


@dataclass(frozen=True)
class Documents:
    facts: Facts
    listed: int       # the documents in `facts`
    total: int        # the documents in the store

    @property
    def complete(self) -> bool:
        return self.listed == self.total


@st.cache_resource(max_entries=4, show_spinner="Reading the documents…")
def _documents(key: str, every: bool) -> Documents:
    from graph.facts import read_documents
    from graph.projections import lineage_graph
    from ontology.namespaces import DCTERMS, PARLEY, SEM

    s = store()
    f = read_documents(s)
    total = sum(e.type == "document" for e in f.entities.values())
    docs: tuple[str, ...] | None = None
    if not every and total > MAX_LINEAGE:  # the documents the lineage picture draws: the best-connected
        g = lineage_graph(f)
        docs = tuple(sorted(sorted((n for n in g if g.degree(n) > 0), key=lambda n: (-g.degree(n), n))[:MAX_LINEAGE]))
        keep = set(docs)
        f.entities = {iri: e for iri, e in f.entities.items() if iri in keep}
        f.links = [x for x in f.links if x.source in keep and x.target in keep]
    # The point counts each source gives, as read_facts words them: "27 (Yuri Ushakov, 2 Dec 2025)".
    rows = _document_points(key, docs)
    names = labels(r[2] for r in rows)
    for d, n, sp, day, _ in rows:
        if d in f.entities:
            f.entities[d].attrs.setdefault("points_claimed", []).append(f"{n} ({names[sp]}, {human_date(day[:10])})")
    # The first day a document is known: discussed at an event, or handed over (as read_facts dates them).
    days = [s.select(f"SELECT ?d (MIN(STR(?day)) AS ?first) WHERE {{ ?e <{PARLEY.involvesDocument}> ?d . "
                     f"?e <{p}> ?day }} GROUP BY ?d").rows for p in (SEM.hasTimeStamp, SEM.hasBeginTimeStamp)]
    days.append(s.select(f"SELECT ?d (MIN(STR(?day)) AS ?first) WHERE {{ ?d <{PARLEY.transfer}> ?t . "
                         f"?t <{DCTERMS.date}> ?day }} GROUP BY ?d").rows)
    for doc, first in (row for found in days for row in found):
        e = f.entities.get(str(doc))
        if e is not None and first is not None and (e.date is None or str(first)[:10] < e.date):
            e.date = str(first)[:10]
    return Documents(f, len(f.entities), total)


def documents(*, every: bool = False) -> Documents:
    """The documents with their lineage, point counts (and who gives them) and content (read only): of
    every document when there are at most MAX_LINEAGE or `every` is given, else of the best-connected."""
    return _documents(state_key(), every)
