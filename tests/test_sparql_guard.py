"""The read-only guard: every SPARQL item of RELIABILITY.md is refused with a message that says what and
where, and a listener on a loopback port proves that no SERVICE, FROM or LOAD request left the process."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from graph import guard, sparql
from graph.errors import QueryError
from graph.store import Store
from ontology.namespaces import RDFS


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    it = Listener()
    yield it
    it.close()


GRAPH = URIRef("https://parley.example/id/actor/alice")


def _fill(store: Store) -> Store:
    store.write(put={GRAPH: [(GRAPH, RDFS.label, Literal("Alice", lang="en"))]})
    return store


@pytest.fixture(params=["memory", "disk"])
def loaded_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store holding one named graph, in memory (queries run here) and on disk (in a worker)."""
    spec = "memory:" if request.param == "memory" else str(tmp_path / "store")
    store = _fill(Store.open(spec, create=True))
    yield store
    store.close()


# Every SPARQL item of RELIABILITY.md that the guard refuses, with the exact message. {url} is the
# listener's address, so an escaped request would be seen.
REFUSED = [
    ("service-iri", "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
     "query refused: SERVICE is not allowed (line 1, column 18); Parley never sends queries to other endpoints"),
    ("service-var", "SELECT * WHERE { SERVICE ?u { ?s ?p ?o } VALUES ?u { <{url}> } }",
     "query refused: SERVICE is not allowed (line 1, column 18); Parley never sends queries to other endpoints"),
    ("service-silent-optional", "SELECT * WHERE {\n  ?s ?p ?o .\n  OPTIONAL { SERVICE SILENT <{url}> { ?s ?q ?x } }\n}",
     "query refused: SERVICE is not allowed (line 3, column 14); Parley never sends queries to other endpoints"),
    ("service-silent-subquery",
     "SELECT ?s WHERE { { SELECT ?s WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } } } }",
     "query refused: SERVICE is not allowed (line 1, column 39); Parley never sends queries to other endpoints"),
    ("service-lower-case", "select * where { service <{url}> { ?s ?p ?o } }",
     "query refused: SERVICE is not allowed (line 1, column 18); Parley never sends queries to other endpoints"),
    ("service-escaped", "SELECT * WHERE { \\u0053ERVICE <{url}> { ?s ?p ?o } }",
     "query refused: SERVICE is not allowed (line 1, column 18); Parley never sends queries to other endpoints"),
    # Oxigraph ends a comment at a bare CR, rdflib only at LF: the SERVICE after the CR is code
    ("service-after-cr-in-comment", "SELECT * WHERE { ?s ?p ?o # note\rSERVICE <{url}> { ?s ?p ?o } \n}",
     "query refused: SERVICE is not allowed (line 1, column 34); Parley never sends queries to other endpoints"),
    ("from-file", "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
     "query refused: FROM <file:///etc/passwd> is not a graph of this store (line 1, column 10); "
     "Parley never fetches graphs, it queries only its own store"),
    ("from-url", "SELECT * FROM <{url}data.ttl> WHERE { ?s ?p ?o }",
     "query refused: FROM <{url}data.ttl> is not a graph of this store (line 1, column 10); "
     "Parley never fetches graphs, it queries only its own store"),
    ("from-named-url", "PREFIX ex: <{url}>\nSELECT * FROM NAMED ex:g WHERE { GRAPH ?g { ?s ?p ?o } }",
     "query refused: FROM NAMED <{url}g> is not a graph of this store (line 2, column 10); "
     "Parley never fetches graphs, it queries only its own store"),
    ("insert-data", "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
     "query refused: INSERT DATA is an update (line 1, column 1); queries only read the store: "
     "change it with `parley ingest`"),
    ("delete-where", "DELETE WHERE { ?s ?p ?o }",
     "query refused: DELETE WHERE is an update (line 1, column 1); queries only read the store: "
     "change it with `parley ingest`"),
    ("load", "LOAD <{url}data.ttl>",
     "query refused: LOAD is not allowed (line 1, column 1); Parley never fetches data from URLs, "
     "and queries only read the store"),
    ("load-into", "PREFIX ex: <http://x/>\nLOAD SILENT <{url}> INTO GRAPH ex:g",
     "query refused: LOAD is not allowed (line 2, column 1); Parley never fetches data from URLs, "
     "and queries only read the store"),
    ("clear-all", "CLEAR ALL",
     "query refused: CLEAR ALL is an update (line 1, column 1); queries only read the store: "
     "change it with `parley ingest`"),
    ("drop", "DROP GRAPH <https://parley.example/id/actor/alice>",
     "query refused: DROP GRAPH is an update (line 1, column 1); queries only read the store: "
     "change it with `parley ingest`"),
    ("select-then-update", "SELECT * WHERE { ?s ?p ?o } ;\nDROP ALL",
     "query refused: DROP ALL is an update (line 2, column 1); queries only read the store: "
     "change it with `parley ingest`"),
    ("too-deep", "SELECT * WHERE " + "{ " * 30 + "}" * 30,
     "query refused: brackets nest more than 24 levels deep (line 1, column 64); flatten the query"),
]


@pytest.mark.parametrize("query, message", [(q, m) for _, q, m in REFUSED], ids=[i for i, _, _ in REFUSED])
def test_refused_with_what_and_where(loaded_store: Store, listener: Listener, query: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        sparql.run(loaded_store, query.replace("{url}", listener.url), timeout=10)
    assert str(caught.value) == message.replace("{url}", listener.url)
    assert loaded_store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0] == Literal(1)
    assert listener.connections == 0


@pytest.mark.parametrize("query, message", [(q, m) for _, q, m in REFUSED], ids=[i for i, _, _ in REFUSED])
def test_check_refuses_the_same(listener: Listener, query: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        guard.check(query.replace("{url}", listener.url))
    assert str(caught.value) == message.replace("{url}", listener.url)
    assert listener.connections == 0


def test_listener_sees_what_the_guard_prevents(listener: Listener) -> None:
    """The listener would notice: the engine without the guard does connect for SERVICE."""
    with pytest.raises(OSError):
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))  # type: ignore[arg-type]
    assert listener.connections >= 1


def test_query_of_100_mb_is_refused_by_size(loaded_store: Store) -> None:
    query = "SELECT * WHERE { ?s ?p ?o }" + " " * (104_857_600 - 27)
    with pytest.raises(QueryError) as caught:
        sparql.run(loaded_store, query)
    assert str(caught.value) == "query is 104,857,600 bytes, over the 1,048,576-byte limit"


@pytest.mark.parametrize("query, message", [
    ("SELECT *\nWHERE {\n  ?s ?p \n}",
     "SPARQL syntax error at line 3, column 3: cannot read the query from here: '?s ?p'"),
    ("SELECT * WHERE { ?s ?p ?o } LIMT 3",
     "SPARQL syntax error at line 1, column 29: unexpected text after the end of the query: 'LIMT 3'"),
    ("SELEC * WHERE { ?s ?p ?o }",
     "SPARQL syntax error at line 1, column 1: expected SELECT, ASK, CONSTRUCT or DESCRIBE, "
     "found 'SELEC * WHERE { ?s ?p ?o }'"),
    ("SELECT * WHERE {\n  ?s rdfs:label ?o .\n  ?s ?q ?x .",
     "SPARQL syntax error at line 3, column 13: the query ends too early (is a bracket or quote left open?)"),
    # rdfs: is predeclared: the PREFIX line added for it does not shift the reported line
    ("SELECT ?s\nWHERE { ?s rdfs:label ?o .\n  FILTER(?o = ) }",
     "SPARQL syntax error at line 3, column 3: cannot read the query from here: 'FILTER(?o = ) }'"),
], ids=["missing-object", "misspelt-limit", "misspelt-select", "unclosed", "after-predeclared-prefix"])
def test_syntax_error_gives_line_and_column(loaded_store: Store, query: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        sparql.run(loaded_store, query)
    assert str(caught.value) == message


@pytest.mark.parametrize("query", [
    "SELECT ?s WHERE { ?s rdfs:label 'SERVICE' }",
    "SELECT ?s WHERE { ?s rdfs:label 'x' # SERVICE <http://127.0.0.1:9/> { }\n }",
    "SELECT ?s WHERE { ?s <http://x/SERVICE> ?l }",
    "SELECT ?service ?from ?load WHERE { ?service rdfs:label 'x', ?from OPTIONAL { ?service <http://x/p> ?load } }",
    'SELECT ?s WHERE { ?s rdfs:label """drop all\ninsert data""" }',
], ids=["in-string", "in-comment", "in-iri", "as-variables", "in-long-string"])
def test_keywords_inside_strings_iris_comments_and_names_are_fine(loaded_store: Store, query: str) -> None:
    assert sparql.run(loaded_store, query).rows == []


def test_from_a_graph_of_the_store_is_allowed(loaded_store: Store) -> None:
    result = sparql.run(loaded_store, f"SELECT ?l FROM <{GRAPH}> WHERE {{ ?s rdfs:label ?l }}")
    assert result.rows == [(Literal("Alice", lang="en"),)]
    named = sparql.run(loaded_store, f"SELECT ?g FROM NAMED <{GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}")
    assert named.rows == [(GRAPH,)]


@pytest.mark.parametrize("query, form", [
    ("SELECT * WHERE { ?s ?p ?o }", "select"), ("ASK { ?s ?p ?o }", "ask"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "construct"), ("DESCRIBE <http://x/a>", "describe"),
])
def test_only_the_four_read_forms_pass(query: str, form: str) -> None:
    assert guard.check(query).form == form


def test_predeclared_prefixes_are_added_only_when_used_and_not_declared() -> None:
    checked = guard.check("PREFIX rdfs: <http://example.org/mine#>\nSELECT ?s WHERE { ?s rdfs:label ?l ; skos:altLabel ?a }")
    assert checked.text.splitlines()[0] == "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
    assert "rdf-schema" not in checked.text
    assert "PREFIX parley:  <https://parley.example/ontology#>" in guard.prefix_lines().splitlines()


def test_the_guard_is_safe_from_several_threads() -> None:
    queries = [f"SELECT ?s WHERE {{ ?s rdfs:label 'x{i}' }}" for i in range(20)] + \
              [f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{i + 1}/> {{ ?s ?p ?o }} }}" for i in range(20)]
    outcomes: dict[int, str] = {}

    def check(i: int) -> None:
        try:
            outcomes[i] = guard.check(queries[i]).form
        except QueryError as e:
            outcomes[i] = str(e)[:30]

    threads = [threading.Thread(target=check, args=(i,)) for i in range(len(queries))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [outcomes[i] for i in range(20)] == ["select"] * 20
    assert {outcomes[i] for i in range(20, 40)} == {"query refused: SERVICE is not "}


def test_a_long_flat_query_is_checked() -> None:
    """rdflib's grammar recurses once per triple pattern; a block of 300 patterns must still pass."""
    triples = " ".join(f"?s rdfs:label ?l{i} ." for i in range(300))
    assert guard.check(f"SELECT ?s WHERE {{ {triples} }}").form == "select"


def test_a_from_that_only_one_parser_would_see_is_refused() -> None:
    """Oxigraph ends the comment at the bare CR and reads a FROM that rdflib's parse tree lacks."""
    with pytest.raises(QueryError) as caught:
        guard.check("SELECT * # x\rFROM <file:///etc/passwd>\n WHERE { ?s ?p ?o }", is_store_graph=lambda iri: True)
    assert str(caught.value) == ("query refused: a FROM clause could not be checked (line 1, column 14); "
                                 "write each FROM <graph> on a line of its own, outside comments")


def test_the_engine_runs_a_long_flat_chain_on_a_large_stack() -> None:
    """`1+1+…` with 10,000 terms (20 KB) overflows an ordinary 8 MB stack inside the engine and kills
    the process; on the runner's large-stack thread it is answered."""
    query = "SELECT (" + "+".join("1" for _ in range(10_000)) + " AS ?n) WHERE { }"
    rows = sparql._on_big_stack(lambda: list(ox.Store().query(query)))  # type: ignore[arg-type]
    assert [str(r["n"].value) for r in rows] == ["10000"]
