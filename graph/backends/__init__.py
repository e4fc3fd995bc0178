"""Store backends: the embedded Oxigraph engine (on disk or in memory) and a remote SPARQL endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, Protocol

from rdflib import Graph
from rdflib.term import Node, Variable


class SelectRows:
    """The answer to a SELECT: variable names and rows of rdflib terms (None where unbound)."""

    __slots__ = ("variables", "rows")

    def __init__(self, variables: list[str], rows: list[tuple[Node | None, ...]]) -> None:
        self.variables = variables
        self.rows = rows

    def dicts(self) -> list[dict[str, Node | None]]:
        return [dict(zip(self.variables, row)) for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)


class Backend(Protocol):
    """What every backend does. All SPARQL texts are complete queries or updates."""

    description: str

    def select(self, query: str, *, union: bool, limit: int | None) -> SelectRows: ...
    def select_text(self, query: str, *, union: bool) -> list[tuple[str | None, ...]]:
        """A SELECT's rows as text: an IRI, a literal's lexical form, a blank node's label; None where
        unbound. For readers of many rows that need no RDF terms (`str` of each term of `select`)."""
    def ask(self, query: str, *, union: bool) -> bool: ...
    def triples(self) -> Iterator[tuple[Node, Node, Node]]:
        """Every triple of every graph (a triple in several graphs may come more than once), streamed where
        the backend can: for a reader of the whole store that needs no list of it."""
    def construct(self, query: str, *, union: bool) -> Graph: ...
    def update(self, update: str) -> None:
        """Run a SPARQL update as one transaction: all of it or none of it."""
    def add_nquads(self, data: bytes) -> None:
        """Add quads given as N-Quads, all or nothing."""
    def dump(self, out: BinaryIO, fmt: str) -> None:
        """Write the whole dataset as 'nquads' or 'trig'."""
    def graph_names(self) -> list[str]: ...
    def quad_count(self) -> int: ...
    def flush(self) -> None: ...
    def backup(self, target: str) -> None: ...
    def close(self) -> None: ...


__all__ = ["Backend", "SelectRows", "Variable"]
