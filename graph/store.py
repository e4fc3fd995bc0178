"""Parley's store: one type with a few verbs over three backends chosen by one store string.

- a folder path (default ``./parley-data``): the embedded on-disk engine, owned by one process;
- ``memory:``: the same engine in memory, for tests and throwaway work;
- an ``http(s)://`` URL: a SPARQL 1.1 endpoint with the Graph Store Protocol.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterable, Iterator, Mapping, Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from graph.backends import Backend, SelectRows
from graph.errors import QueryError, StoreError, WriteError
from graph.terms import Triple, nt

if TYPE_CHECKING:
    from graph.backends.embedded import StreamingLoad

DEFAULT_STORE = "./parley-data"
ENV_STORE = "PARLEY_STORE"

Bindings = Mapping[str, Node]


@dataclass(frozen=True)
class StoreCounts:
    quads: int
    graphs: int
    classes: list[tuple[str, int]]


class Store:
    """A Parley store.

    >>> store = Store.open("memory:")
    >>> g = URIRef("https://parley.example/id/actor/x")
    >>> store.write(put={g: [(g, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("X"))]})
    >>> store.select("SELECT ?l WHERE { ?s ?p ?l }").rows
    [(rdflib.term.Literal('X'),)]
    """

    def __init__(self, backend: Backend, spec: str) -> None:
        self.backend = backend
        self.spec = spec

    @classmethod
    def open(cls, spec: str | None = None, *, create: bool = False, timeout: float = 10.0) -> "Store":
        """Open the store named by `spec` (or ``$PARLEY_STORE``, or ``./parley-data``).

        :param create: create an on-disk store folder that does not exist yet.
        :param timeout: seconds to wait for a remote endpoint before giving up.
        :raises StoreInUseError: another process owns the store folder.
        :raises StoreError: the store cannot be opened.
        """
        spec = spec or os.environ.get(ENV_STORE) or DEFAULT_STORE
        if spec == "memory:":
            from graph.backends.embedded import EmbeddedBackend

            return cls(EmbeddedBackend(None, create=True), spec)
        if spec.startswith(("http://", "https://")):
            from graph.backends.remote import RemoteBackend

            return cls(RemoteBackend(spec, timeout=timeout), spec)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", spec) and not Path(spec).exists():
            raise StoreError(f"unknown store {spec!r}: give a folder path, memory: or an http(s):// URL")
        from graph.backends.embedded import EmbeddedBackend

        return cls(EmbeddedBackend(spec, create=create), spec)

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------------

    def write(self, *, put: Mapping[URIRef, Iterable[Triple]] | None = None,
              remove: Iterable[URIRef] = (), fresh: bool = False) -> None:
        """Replace the named graphs in `put` with the given triples and drop those in `remove`, atomically.

        :param fresh: the caller knows none of the graphs in `put` exists yet, so they can be added with the
            engine's (equally atomic, much faster) N-Quads load instead of a SPARQL update.
        :raises WriteError: nothing was written (a bad term, the store refused).
        """
        try:
            lines = {g: [f"{nt(s)} {nt(p)} {nt(o)} ." for s, p, o in triples] for g, triples in (put or {}).items()}
        except (TypeError, ValueError) as e:  # terms.nt refuses what is not valid RDF
            raise WriteError(f"write refused, nothing stored: {e}") from None
        self.write_lines(put=lines, remove=remove, fresh=fresh)

    def write_lines(self, *, put: Mapping[URIRef, Sequence[str]], remove: Iterable[URIRef] = (),
                    fresh: bool = False) -> None:
        """`write` for graphs already written as N-Triples lines (``<s> <p> <o> .``, terms as `nt` writes
        them), such as the lines an ingest has hashed: the terms are not converted a second time.

        :raises WriteError: nothing was written (a bad line, the store refused).
        """
        remove = list(remove)
        try:
            names = {g: nt(g) for g in [*put, *remove]}
        except (TypeError, ValueError) as e:
            raise WriteError(f"write refused, nothing stored: {e}") from None
        if fresh and not remove:
            chunks = ("".join(f"{line[:-1]}{names[g]} .\n" for line in lines).encode()
                      for g, lines in put.items() if lines)
            self.add_new_graphs(chunks, graphs=[g for g in put if put[g]],
                                quads=sum(len(lines) for lines in put.values()))
            return
        parts = [f"DROP SILENT GRAPH {names[g]}" for g in sorted({*remove, *put})]
        body = [f"GRAPH {names[g]} {{\n" + "\n".join(lines) + "\n}" for g, lines in put.items() if lines]
        if body:
            parts.append("INSERT DATA {\n" + "\n".join(body) + "\n}")
        if parts:
            self.backend.update(" ;\n".join(parts))

    def add_new_graphs(self, nquads: Iterable[bytes], *, graphs: Sequence[URIRef], quads: int,
                       before_compacting: Callable[[], None] | None = None) -> None:
        """Add `quads` quads (N-Quads text in chunks of whole lines, terms as `nt` writes them) to `graphs`,
        none of which exists yet, all or nothing: on disk a large load takes the engine's bulk loader.
        `before_compacting` is called when such a load ends by compacting the store (tens of seconds).

        :raises WriteError: nothing was written (a bad line, the store refused).
        """
        if not quads:
            return
        from graph.backends.embedded import EmbeddedBackend

        if isinstance(self.backend, EmbeddedBackend):
            self.backend.add_new_graphs(nquads, [str(g) for g in graphs], quads, before_compacting)
        else:
            self.backend.add_nquads(b"".join(nquads))

    def streaming_load(self) -> "StreamingLoad | None":
        """A bulk load of new graphs fed a batch at a time while the next is prepared, or None where the
        backend has none (in memory, remote): see `graph.backends.embedded.StreamingLoad`."""
        from graph.backends.embedded import EmbeddedBackend

        return self.backend.streaming_load() if isinstance(self.backend, EmbeddedBackend) else None

    def add_graph(self, name: URIRef, triples: Iterable[Triple]) -> None:
        """Add (or replace) one named graph."""
        self.write(put={name: triples})

    def remove_graph(self, name: URIRef) -> None:
        """Drop one named graph (nothing happens if it is not there)."""
        self.write(remove=[name])

    # -- reading -----------------------------------------------------------------------------------

    def select(self, query: str, bindings: Bindings | None = None, *, union: bool = True,
               limit: int | None = None) -> SelectRows:
        """Run a SELECT; `bindings` give variables their values as RDF terms, never as pasted text."""
        return self.backend.select(bind(query, bindings), union=union, limit=limit)

    def select_text(self, query: str, bindings: Bindings | None = None, *, union: bool = True
                    ) -> list[tuple[str | None, ...]]:
        """A SELECT's rows as text (an IRI, a literal's lexical form, a blank node's label; None where
        unbound), without an RDF term per value: for reading many rows (at 100,000 statements the
        projection reads 8 million values; making each an rdflib term took 5 s of its 45 s)."""
        return self.backend.select_text(bind(query, bindings), union=union)

    def triples(self) -> Iterator[Triple]:
        """Every triple of every graph, streamed where the backend can (a triple in several graphs may come
        more than once)."""
        return self.backend.triples()

    def ask(self, query: str, bindings: Bindings | None = None, *, union: bool = True) -> bool:
        return self.backend.ask(bind(query, bindings), union=union)

    def construct(self, query: str, bindings: Bindings | None = None, *, union: bool = True) -> Graph:
        return self.backend.construct(bind(query, bindings), union=union)

    def graph(self, name: URIRef) -> Graph:
        """The triples of one named graph."""
        return self.backend.construct(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {nt(name)} {{ ?s ?p ?o }} }}", union=False)

    def graph_names(self) -> list[URIRef]:
        return [URIRef(g) for g in self.backend.graph_names()]

    def dump(self, out: BinaryIO, fmt: str = "nquads") -> None:
        """Write every quad, in 'nquads' or 'trig'."""
        if fmt not in ("nquads", "trig"):
            raise StoreError(f"cannot dump a dataset as {fmt!r}: use nquads or trig")
        self.backend.dump(out, fmt)

    def counts(self) -> StoreCounts:
        rows = self.backend.select(
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n) ?c",
            union=True, limit=None).rows
        classes = [(str(c), int(n)) for c, n in rows if c is not None and isinstance(n, Literal)]
        return StoreCounts(self.backend.quad_count(), len(self.backend.graph_names()), classes)

    def flush(self) -> None:
        self.backend.flush()

    def backup(self, target: str) -> None:
        """Copy the store to a new folder that opens as a store of its own (embedded stores only)."""
        from graph.backends.embedded import ENGINE_DIR, EmbeddedBackend

        if not isinstance(self.backend, EmbeddedBackend):
            raise StoreError("backup works on an embedded store; back up a remote endpoint with its own tools")
        folder = Path(target)
        try:
            if folder.exists() and any(folder.iterdir()):
                raise StoreError(f"backup folder {folder} exists and is not empty; name a new folder")
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:  # a name longer than the file system allows, a folder that cannot be made
            raise StoreError(f"cannot back up to {folder}: {e.strerror or e}") from None
        self.backend.backup(str(folder / ENGINE_DIR))

    def close(self) -> None:
        self.backend.close()


_TOKEN = re.compile(
    r'''(?P<skip>"""(?:[^"\\]|\\.|"(?!""))*"""|'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'|"(?:[^"\\\n]|\\.)*"'''
    r"""|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|\#[^\n]*)"""
    r"""|(?P<where>\bWHERE\b)|(?P<open>\{)|(?P<close>\})|(?P<word>\b(?:ASK|SELECT|CONSTRUCT|DESCRIBE)\b)""",
    re.IGNORECASE,
)


def bind(query: str, bindings: Bindings | None) -> str:
    """Give variables values by adding a VALUES block at the start of the query's outermost WHERE group, and
    again at the start of each plain group directly inside it (the branches of a top-level UNION).

    A join distributes over a union, so the answers are the same; the engine evaluates a union's branches
    before joining them with what surrounds them, and a branch that starts from the value is the fast one.
    Values are RDF terms written in N-Triples syntax, so no user text is ever pasted into the query.

    >>> bind("SELECT ?n WHERE { ?a <http://x/n> ?n }", {"a": URIRef("http://x/a")})
    'SELECT ?n WHERE { VALUES (?a) { (<http://x/a>) } ?a <http://x/n> ?n }'
    >>> bind("SELECT * WHERE { { ?a ?p ?n } UNION { ?n ?p ?a } }", {"a": URIRef("http://x/a")})
    'SELECT * WHERE { VALUES (?a) { (<http://x/a>) } { VALUES (?a) { (<http://x/a>) } ?a ?p ?n } UNION { VALUES (?a) { (<http://x/a>) } ?n ?p ?a } }'
    """
    if not bindings:
        return query
    names = sorted(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise QueryError(f"bad parameter name {name!r}")
    try:
        values = "VALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join(
            nt(bindings[n]) for n in names) + ") } "
    except (TypeError, ValueError) as e:
        raise QueryError(f"a parameter value is not a valid RDF term: {e}") from None
    depth = 0
    after_where = False
    inserts: list[int] = []  # offsets just after the braces that get a VALUES block
    last_end = 0
    tokens = list(_TOKEN.finditer(query))
    for i, m in enumerate(tokens):
        kind = m.lastgroup
        if kind == "skip":
            continue
        between = query[last_end:m.start()]
        last_end = m.end()
        if kind == "where" and depth == 0:
            after_where = True
        elif kind == "open":
            if depth == 0 and after_where and not inserts:
                inserts.append(m.end())
            elif depth == 1 and inserts and _plain_group(between) and not _starts_subquery(tokens, i):
                inserts.append(m.end())
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth == 0 and inserts:
                break
    if not inserts:
        raise QueryError("a query with parameters needs an explicit `WHERE { … }` clause")
    out, start = [], 0
    for at in inserts:
        out += [query[start:at], " ", values]
        start = at
        while start < len(query) and query[start] in " \t\r\n":
            start += 1
    out.append(query[start:])
    return "".join(out)


def _plain_group(before: str) -> bool:
    """Whether a `{` preceded by this text (since the previous brace) opens a plain group or a UNION branch,
    not the group of OPTIONAL, MINUS, GRAPH, SERVICE, FILTER EXISTS or a VALUES block."""
    text = re.sub(r"#[^\n]*", "", before).strip()
    return text == "" or text.endswith(".") or text.upper() == "UNION"


def _starts_subquery(tokens: list[re.Match[str]], i: int) -> bool:
    for m in tokens[i + 1:]:
        if m.lastgroup == "skip":
            continue
        return m.lastgroup == "word" and m.group().upper() == "SELECT"
    return False
