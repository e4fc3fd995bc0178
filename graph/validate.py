"""SHACL validation of Parley data against `ontology/shapes.ttl`, with a readable report."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef

import ontology
from graph.sparql import short_name
from ontology.namespaces import SH


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str | None
    message: str
    severity: str

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.severity}: <{self.focus}>{where}: {self.message}"


def shacl(data: Graph) -> list[Violation]:
    """Check `data` (with the ontology and vocabularies) against Parley's shapes; [] when it conforms."""
    import pyshacl

    # The vocabularies go into the data graph itself: the shapes check that a value is a concept of
    # its scheme, and pySHACL does not mix an ontology graph in without inference. A fresh shapes
    # graph for every run: pySHACL may change the one it is given.
    merged = Graph()
    for triple in data:
        merged.add(triple)
    for triple in ontology.ontology_graph():
        merged.add(triple)
    conforms, report, _ = pyshacl.validate(
        merged, shacl_graph=ontology.shapes_graph(), inference="none",
        abort_on_first=False, allow_warnings=True, advanced=True)
    if conforms:
        return []
    assert isinstance(report, Graph)
    out = []
    # Only the report's top-level results: nested sh:detail results explain them, they are not more violations.
    for result in report.objects(None, SH.result):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        severity = report.value(result, SH.resultSeverity)
        shown_path = short_name(str(path)) if isinstance(path, URIRef) else (None if path is None else str(path))
        out.append(Violation(str(focus), shown_path, str(message or "constraint not met"),
                             str(severity).rsplit("#", 1)[-1] if severity else "Violation"))
    return sorted(out, key=lambda v: (v.focus, v.path or "", v.message))
