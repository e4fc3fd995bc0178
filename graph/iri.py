"""Deterministic IRIs for Parley's records: the same key always gives the same, always valid, IRI."""

from __future__ import annotations

import os
import re
import unicodedata

from rdflib import URIRef

from graph.errors import ParleyError

DEFAULT_BASE = "https://parley.example/id/"
ENV_BASE = "PARLEY_BASE"
_NOT_WORD = re.compile(r"[^\w.]+")
_BASE = re.compile(r"(https?://[^\s<>\"{}|\\^`]+[/#]|urn:[a-z0-9][a-z0-9-]*:[^\s<>\"{}|\\^`]*:)\Z")


def slug(key: str) -> str:
    """A readable, IRI-safe key: NFC-normalised, lower case, runs of anything but letters, digits and
    dots turned into one `-`. Letters of every script are kept; invisible characters (zero-width
    spaces, joiners) become `-`, so a name containing them never merges silently with one without.

    >>> slug("President of Russia")
    'president-of-russia'
    >>> slug("Уиткофф")
    'уиткофф'
    >>> slug("Ali\\u200bce") == slug("Alice")
    False
    """
    text = unicodedata.normalize("NFC", key).lower()
    out = _NOT_WORD.sub("-", text).strip("-.")
    if not out:
        raise ParleyError(f"cannot make an identifier from {key!r}: it has no letters or digits")
    return out


def base() -> str:
    """The IRI base for minted identifiers: $PARLEY_BASE or https://parley.example/id/."""
    value = os.environ.get(ENV_BASE, DEFAULT_BASE)
    if not _BASE.match(value):
        raise ParleyError(f"PARLEY_BASE {value!r} must be an http(s) IRI ending in / or #, or a urn: ending in :")
    return value


def mint(kind: str, key: str, *, base_iri: str | None = None) -> URIRef:
    """The IRI of a record of `kind` with `key`, e.g. ``mint("actor", "vladimir-putin")``.

    >>> mint("actor", "Vladimir Putin", base_iri="https://parley.example/id/")
    rdflib.term.URIRef('https://parley.example/id/actor/vladimir-putin')
    """
    return URIRef(f"{base_iri or base()}{kind}/{slug(key)}")
