"""SHACL validation of Parley data against `ontology/shapes.ttl`, with a readable report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib.term import Node

from graph import shacl as engine
from graph.store import Store
from ontology.namespaces import CONFIDENCE, ORIGIN, PARLEY


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


def validate_store(store: Store) -> list[Violation]:
    """Check the whole store (the union of its graphs, with the ontology and vocabularies) against
    Parley's shapes; [] when it conforms.

    The triples stream from the store into the checks' index: an rdflib Graph of the whole store, or a
    list of its triples, would cost more than the check itself.

    >>> validate_store(Store.open("memory:"))
    []
    """
    return validate_triples(store.triples())


@dataclass(frozen=True)
class Quality:
    """What a reviewer should look at: statements and claims that rules extracted from a transcript (no
    one has confirmed them yet) and claims marked disputed."""

    extracted_statements: int
    extracted_claims: int
    disputed_claims: int

    @property
    def to_review(self) -> int:
        return self.extracted_statements + self.extracted_claims


def quality(store: Store) -> Quality:
    """Count the statements and claims extracted by rules and the claims marked disputed.

    >>> quality(Store.open("memory:"))
    Quality(extracted_statements=0, extracted_claims=0, disputed_claims=0)
    """
    rows = store.select(
        f"SELECT ?t (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x <{PARLEY.origin}> <{ORIGIN.extracted}> . ?x a ?t . "
        f"FILTER(?t IN (<{PARLEY.Statement}>, <{PARLEY.Claim}>)) }} GROUP BY ?t").rows
    extracted = {str(t): int(str(n)) for t, n in rows}
    disputed = store.select(
        f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a <{PARLEY.Claim}> ; <{PARLEY.confidence}> "
        f"<{CONFIDENCE.disputed}> }}").rows
    return Quality(extracted.get(str(PARLEY.Statement), 0), extracted.get(str(PARLEY.Claim), 0),
                   int(str(disputed[0][0] or 0)) if disputed else 0)
