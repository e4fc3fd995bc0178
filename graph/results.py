"""Guarded queries' answers shown to people: an aligned table for a terminal, SPARQL results in CSV, TSV,
JSON or XML, graphs in Turtle or N-Triples, and short names for IRIs."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from graph import guard
from graph.errors import QueryError
from graph.sparql import QueryResult

if TYPE_CHECKING:
    from rdflib.term import Node

RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("table", "ttl", "nt")
MAX_CELL = 80


def serialize(result: QueryResult, fmt: str) -> bytes:
    """The result in `fmt`: ``table`` for any result; ``csv``, ``tsv``, ``json`` (SPARQL 1.1 Results JSON)
    and ``xml`` for SELECT and ASK; ``ttl`` and ``nt`` for CONSTRUCT and DESCRIBE.

    :raises QueryError: the format does not fit the kind of result.
    """
    if fmt == "table":
        return table(result).encode("utf-8")
    if result.gives_graph:
        if fmt not in GRAPH_FORMATS:
            raise QueryError(f"--format {fmt} is for SELECT and ASK results; this {result.form.upper()} "
                             f"gives a graph: use ttl, nt or table")
        from graph.terms import to_ox

        rows = sorted(result.rows, key=lambda t: tuple(str(to_ox(x)) for x in t if x is not None))
        triples = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in rows]  # type: ignore[arg-type, misc]
        if fmt == "nt":
            return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        iris = {str(x) for row in result.rows for x in row if type(x).__name__ == "URIRef"}
        used = {p: ns for p, ns in sorted(guard.predeclared_prefixes().items()) if any(i.startswith(ns) for i in iris)}
        text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used) or b""
        lines = text.split(b"\n")  # the engine lists prefixes in no fixed order: sort them
        head = [line for line in lines if line.startswith(b"@prefix ")]
        return b"\n".join(sorted(head) + lines[len(head):])
    if fmt not in RESULT_FORMATS:
        raise QueryError(f"--format {fmt} is for CONSTRUCT and DESCRIBE results; this {result.form.upper()} "
                         f"gives {'a yes or no' if result.form == 'ask' else 'rows'}: use table, csv, tsv or json")
    parsed = ox.parse_query_results(json.dumps(results_json(result)).encode("utf-8"), format=ox.QueryResultsFormat.JSON)
    target = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV, "json": ox.QueryResultsFormat.JSON,
              "xml": ox.QueryResultsFormat.XML}[fmt]
    return parsed.serialize(format=target) or b""  # type: ignore[union-attr]


def results_json(result: QueryResult) -> dict[str, Any]:
    """A SELECT or ASK result as SPARQL 1.1 Query Results JSON (a dict)."""
    from rdflib import BNode, Literal

    if result.form == "ask":
        return {"head": {}, "boolean": bool(result.boolean)}
    bindings = []
    for row in result.rows:
        binding: dict[str, dict[str, str]] = {}
        for name, term in zip(result.variables, row):
            if term is None:
                continue
            if isinstance(term, Literal):
                binding[name] = {"type": "literal", "value": str(term)}
                if term.language:
                    binding[name]["xml:lang"] = term.language
                elif term.datatype is not None:
                    binding[name]["datatype"] = str(term.datatype)
            else:
                binding[name] = {"type": "bnode" if isinstance(term, BNode) else "uri", "value": str(term)}
        bindings.append(binding)
    return {"head": {"vars": result.variables}, "results": {"bindings": bindings}}


def table(result: QueryResult) -> str:
    """Aligned text for a terminal: IRIs as prefixed names (Parley's own as kind/id), literals as their
    text, long cells cut at 80 characters (use csv or json for every character), and a last line with
    the row count that says when the row cap cut the answer.

    >>> print(table(QueryResult("select", ["n"], [], limit=10)), end="")
    n
    -
    (0 rows)
    """
    if result.form == "ask":
        return f"{'true' if result.boolean else 'false'}\n"
    cells = [[show(term) for term in row] for row in result.rows]
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(result.variables)]
    lines = ["  ".join(name.ljust(w) for name, w in zip(result.variables, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    n = len(result.rows)
    noun = "triple" if result.gives_graph else "row"
    counted = f"{n:,} {noun}{'' if n == 1 else 's'}"
    if result.truncated:
        lines.append(f"({counted} shown: the answer has more, cut at the limit of {result.limit:,})")
    else:
        lines.append(f"({counted})")
    return "\n".join(lines) + "\n"


def show(term: Node | None) -> str:
    """One term as a table cell."""
    from rdflib import BNode, URIRef

    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = short_name(str(term))
    elif isinstance(term, BNode):
        text = f"_:{term}"
    else:
        text = str(term)
    text = re.sub(r"[\r\n\t]+", " ", text)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def short_name(iri: str) -> str:
    """`parley:Meeting` for an IRI in a predeclared namespace, `actor/vladimir-putin` for Parley's own
    records and vocabulary values, `<iri>` otherwise."""
    from ontology.namespaces import ID_BASE, VOCAB_BASE

    for base in (ID_BASE, VOCAB_BASE):
        if iri.startswith(base) and len(iri) > len(base):
            return iri[len(base):]
    best = ""
    for prefix, ns in guard.predeclared_prefixes().items():
        local = iri[len(ns):]
        if iri.startswith(ns) and len(ns) > len(guard.predeclared_prefixes().get(best, "")) \
                and re.fullmatch(r"(?:[\w\-]|\.(?!$))*", local):
            best = prefix
    if best:
        return f"{best}:{iri[len(guard.predeclared_prefixes()[best]):]}"
    return f"<{iri}>"


__all__ = ["results_json", "serialize", "short_name", "show", "table"]
