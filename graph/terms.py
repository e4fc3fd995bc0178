"""Conversion between rdflib terms (Parley's term model) and pyoxigraph terms (the engine's)."""

from __future__ import annotations

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
    """A term in N-Triples syntax, safe to place in SPARQL text."""
    return str(to_ox(term))
