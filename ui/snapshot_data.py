"""What the Snapshots page reads: the graph as of a date in each export format, its picture, and what
changed between two dates (``graph.diff``), one row per record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from graph.store import Store
from ui.data import state_key, store

EXPORT_FORMATS = {  # format → (what it is, file extension, MIME type)
    "trig": ("TriG: RDF with the named graphs kept", "trig", "application/trig"),
    "nq": ("N-Quads: RDF with the named graphs kept, one quad a line", "nq", "application/n-quads"),
    "ttl": ("Turtle: the union of the graphs as one RDF graph", "ttl", "text/turtle"),
    "jsonld": ("JSON-LD with a local context", "jsonld", "application/ld+json"),
    "graphml": ("GraphML for Gephi, yEd, networkx", "graphml", "application/graphml+xml"),
    "gexf": ("GEXF for Gephi (colours per type)", "gexf", "application/gexf+xml"),
    "csv": ("CSV nodes and edges (a zip)", "zip", "application/zip"),
    "png": ("A picture (PNG)", "png", "image/png"),
    "svg": ("A picture (SVG)", "svg", "image/svg+xml"),
}


def snapshot_file(s: Store, fmt: str, as_of: dt.date | None) -> bytes:
    """The graph as of a date (None: the whole store) in an export format, as bytes. Takes the store as an
    argument so that a deferred download (run outside the page's script) needs no cache lookup."""
    from graph.export import export_bytes

    return export_bytes(s, fmt, as_of=as_of)


@st.cache_data(max_entries=8, show_spinner="Drawing the graph…")
def _picture(key: str, as_of: dt.date | None) -> bytes:
    return snapshot_file(store(), "png", as_of)


def picture(as_of: dt.date | None) -> bytes:
    """A PNG picture of the graph as of a date (cached)."""
    return _picture(state_key(), as_of)


@dataclass(frozen=True)
class Change:
    change: str        # added, removed, changed
    kind: str          # statements, claims, positions, events, documents, …
    date: str
    label: str
    iri: str


@st.cache_data(max_entries=16, show_spinner="Comparing the two dates…")
def _diff(key: str, before: dt.date, after: dt.date) -> list[Change]:
    from graph.diff import diff as compare_dates

    d = compare_dates(before, after, store=store())
    out = [Change(change, kind, r.date or "", r.label, r.iri)
           for change, groups in (("added", d.added), ("removed", d.removed)) for kind, records in groups.items()
           for r in records]
    out += [Change("changed", kind, new.date or "", new.label, new.iri) for kind, pairs in d.changed.items()
            for _, new in pairs]
    return out


def diff(before: dt.date, after: dt.date) -> list[Change]:
    """What the graph gained, lost and changed between two dates (``graph.diff``), one row per record."""
    return _diff(state_key(), before, after)
