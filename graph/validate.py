"""SHACL validation of Parley data against `ontology/shapes.ttl`, with a readable report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph
from rdflib.term import Node

from graph import shacl as engine


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str
    severity: str

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.severity}: <{self.focus}>{where}: {self.message}"


def validate_triples(triples: Iterable[tuple[Node, Node, Node]]) -> list[Violation]:
    """Check `triples` (with the ontology and vocabularies) against Parley's shapes; [] when they conform.

    The triples are indexed as they come (a triple given twice counts once), with no rdflib Graph built, so
    ingest can pass the mapped triples of a file straight through. A path is shown as a short name,
    `^parley:transfer` for an inverse path.

    >>> validate_triples([])
    []
    """
    return sorted_violations(engine.validate(triples))


def sorted_violations(results: Iterable[engine.Result]) -> list[Violation]:
    """The engine's results as violations, sorted by focus node, path and message (the order of reports)."""
    found = [Violation(r.focus, r.path, r.message, r.severity) for r in results]
    return sorted(found, key=lambda v: (v.focus, v.path or "", v.message))


def shacl(data: Graph) -> list[Violation]:
    """Check `data` (with the ontology and vocabularies) against Parley's shapes; [] when it conforms."""
    return validate_triples(data)
