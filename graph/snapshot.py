"""The graph as rdflib objects: the union of all named graphs, for SHACL and small exports."""

from __future__ import annotations

from rdflib import Graph

from graph.store import Store


def union_graph(store: Store) -> Graph:
    """Every triple of every named graph (and the default graph) as one rdflib Graph."""
    return store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", union=True)
