"""Parley's ontology, SKOS vocabularies and SHACL shapes (Turtle files beside this module), their paths,
fresh rdflib graphs of them, and the namespaces generated from them (`ontology.namespaces`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rdflib import Graph
from rdflib.term import Node

from ontology.namespaces import (
    ACCESS,
    CONFIDENCE,
    DCTERMS,
    DOCUMENT_KIND,
    EVENT_TYPE,
    FACTUALITY,
    FOAF,
    ID_BASE,
    ISSUE_CATEGORY,
    OA,
    ORG,
    ORIGIN,
    OWL,
    PARLEY,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    ROLE,
    SCHEMA,
    SEM,
    SH,
    SKOS,
    STANCE,
    STATEMENT_KIND,
    TIME,
    TRANSFER_ACTION,
    VOCAB_BASE,
    VOID,
    XSD,
)

HERE = Path(__file__).resolve().parent
ONTOLOGY_PATH = HERE / "parley.ttl"
EXTERNAL_PATH = HERE / "external.ttl"
VOCAB_PATH = HERE / "vocab.ttl"
SHAPES_PATH = HERE / "shapes.ttl"
CONTEXT_PATH = HERE / "context.jsonld"


@lru_cache(maxsize=None)
def _triples(*paths: Path) -> tuple[tuple[Node, Node, Node], ...]:
    # Parsed once per process; every caller gets a graph of its own built from these triples.
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return tuple(graph)


def _fresh(*paths: Path) -> Graph:
    graph = Graph()
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True)
    for triple in _triples(*paths):
        graph.add(triple)
    return graph


def ontology_graph() -> Graph:
    """A new graph of the ontology (parley.ttl with the SEM and Web Annotation declarations of external.ttl)
    and the SKOS vocabularies (vocab.ttl): what data is validated and reasoned with.

    >>> (PARLEY.Statement, RDFS.label, None) in ontology_graph()
    True
    """
    return _fresh(ONTOLOGY_PATH, EXTERNAL_PATH, VOCAB_PATH)


def shapes_graph() -> Graph:
    """A new graph of the SHACL shapes (shapes.ttl) on every call: pySHACL may change the graph it is given.

    >>> shapes_graph() is shapes_graph()
    False
    """
    graph = _fresh(SHAPES_PATH)
    graph.bind("shapes", "https://parley.example/shapes#")
    graph.bind("sh", str(SH))
    return graph


__all__ = [
    "ACCESS",
    "CONFIDENCE",
    "CONTEXT_PATH",
    "DCTERMS",
    "DOCUMENT_KIND",
    "EVENT_TYPE",
    "EXTERNAL_PATH",
    "FACTUALITY",
    "FOAF",
    "ID_BASE",
    "ISSUE_CATEGORY",
    "OA",
    "ONTOLOGY_PATH",
    "ORG",
    "ORIGIN",
    "OWL",
    "PARLEY",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "ROLE",
    "SCHEMA",
    "SEM",
    "SH",
    "SHAPES_PATH",
    "SKOS",
    "STANCE",
    "STATEMENT_KIND",
    "TIME",
    "TRANSFER_ACTION",
    "VOCAB_BASE",
    "VOCAB_PATH",
    "VOID",
    "XSD",
    "ontology_graph",
    "shapes_graph",
]
