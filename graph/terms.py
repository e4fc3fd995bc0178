"""Conversion between rdflib terms (Parley's term model) and pyoxigraph terms (the engine's)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


@lru_cache(maxsize=65536)
def _named(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term.

    >>> to_ox(URIRef("https://parley.example/id/actor/x"))
    <NamedNode value=https://parley.example/id/actor/x>
    """
    try:
        if isinstance(term, URIRef):
            return _named(str(term))
        if isinstance(term, Literal):
            if term.language:
                return ox.Literal(str(term), language=term.language)
            if term.datatype is not None:
                return ox.Literal(str(term), datatype=_named(str(term.datatype)))
            return ox.Literal(str(term))
        if isinstance(term, BNode):
            return ox.BlankNode(str(term))
    except ValueError as e:  # pyoxigraph's message does not say which term
        raise ValueError(f"not a valid RDF term {term!r}: {e}") from None
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term: object) -> Node:
    """A pyoxigraph term as an rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"unsupported term from the store: {term!r}")


def quads_to_ox(graph: URIRef, triples: Iterable[Triple]) -> Iterator[ox.Quad]:
    g = _named(str(graph))
    for s, p, o in triples:
        yield ox.Quad(to_ox(s), to_ox(p), to_ox(o), g)  # type: ignore[arg-type]


def nt(term: Node) -> str:
    """A term in N-Triples syntax, safe to place in SPARQL text: exactly the engine's own writing of it.

    >>> nt(Literal("Kyiv", lang="EN")), nt(URIRef("https://parley.example/id/place/kyiv"))
    ('"Kyiv"@en', '<https://parley.example/id/place/kyiv>')
    """
    # Exact types first: rdflib's terms are ABCs, and isinstance on them is slow for a million terms.
    if type(term) is URIRef:
        try:  # inline: this is most of the calls of an ingest (millions)
            return _nt_iri(str(term))
        except ValueError as e:
            raise ValueError(f"not a valid RDF term {term!r}: {e}") from None
    if type(term) is Literal:
        return _nt_literal(term)
    if isinstance(term, URIRef):
        return _nt_uri(term)
    if isinstance(term, Literal):
        return _nt_literal(term)
    return str(to_ox(term))


def _nt_uri(term: URIRef) -> str:
    try:
        return _nt_iri(str(term))
    except ValueError as e:
        raise ValueError(f"not a valid RDF term {term!r}: {e}") from None


def _nt_literal(term: Literal) -> str:
    value = str(term)
    if _SPECIAL.search(value) is not None:
        if _SURROGATE.search(value) is not None:  # not text the engine can hold: let it say why
            return str(to_ox(term))
        value = _SPECIAL.sub(_escape, value)
    try:
        if term.language:
            return f'"{value}"{_language_suffix(term.language)}'
        if term.datatype is not None:
            return f'"{value}"{_datatype_suffix(str(term.datatype))}'
    except ValueError as e:
        raise ValueError(f"not a valid RDF term {term!r}: {e}") from None
    return f'"{value}"'


# What the engine escapes in a literal (its N-Triples writer), and how; a literal is written by hand
# because building an engine term for each of a million literals is most of an ingest's writing time.
_SPECIAL = re.compile(r'[\x00-\x1f"\\\x7f\ufffe\uffff\ud800-\udfff]')
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def _escape(m: re.Match[str]) -> str:
    c = m.group()
    return _ESCAPES.get(c) or f"\\u{ord(c):04X}"


@lru_cache(maxsize=1024)
def _language_suffix(language: str) -> str:
    """`@tag` as the engine writes it (lowercased), checked once per tag."""
    return str(ox.Literal("", language=language))[2:]


@lru_cache(maxsize=1024)
def _datatype_suffix(datatype: str) -> str:
    """`^^<datatype>`, or nothing for xsd:string, as the engine writes it; checked once per datatype."""
    return str(ox.Literal("", datatype=_named(datatype)))[2:]


@lru_cache(maxsize=1 << 18)
def _nt_iri(iri: str) -> str:
    return str(_named(iri))
