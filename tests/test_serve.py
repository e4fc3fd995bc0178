"""`parley serve`: a read-only SPARQL 1.1 Protocol endpoint on loopback, queried over plain HTTP."""

from __future__ import annotations

import json
import re
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.term import Node

from graph.iri import mint
from graph.store import Store
from ontology.namespaces import PARLEY, RDF, RDFS

PARLEY_SCRIPT = Path(sys.executable).parent / "parley"
ALICE = mint("actor", "alice")


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The /query URL of `parley serve --port 0 --timeout 1 --limit 100` over an on-disk store of one actor
    and 20,000 other triples."""
    path = str(tmp_path_factory.mktemp("served") / "store")
    n = URIRef("https://parley.example/ontology#n")
    with Store.open(path, create=True) as store:
        graphs: dict[URIRef, list[tuple[Node, Node, Node]]] = {URIRef(f"https://parley.example/id/g/{g}"): [
            (URIRef(f"https://parley.example/id/x/{g}-{i}"), n, Literal(i)) for i in range(1000)] for g in range(20)}
        graphs[ALICE] = [(ALICE, RDF.type, PARLEY.Actor), (ALICE, RDFS.label, Literal("Alice", lang="en"))]
        store.write(put=graphs)
    proc = subprocess.Popen([str(PARLEY_SCRIPT), "--store", path, "serve", "--port", "0", "--timeout", "1",
                             "--limit", "100"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    try:
        assert proc.stderr is not None
        ready, _, _ = select.select([proc.stderr], [], [], 30)
        line = proc.stderr.readline().decode() if ready else ""
        m = re.search(r"at (http://127\.0\.0\.1:\d+/query) ", line)
        assert m, f"parley serve did not start: {line!r}"
        threading.Thread(target=proc.stderr.read, daemon=True).start()  # drain the request log
        yield m.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def request(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
            timeout: float = 30) -> tuple[int, str, bytes, dict[str, str]]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read(), dict(answer.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read(), dict(e.headers)


def form(query: str, key: str = "query") -> bytes:
    return urllib.parse.urlencode({key: query}).encode()


ACTORS = "SELECT ?who ?name WHERE { ?who a parley:Actor ; rdfs:label ?name }"


def test_csv_by_post_form(endpoint: str) -> None:
    status, media, body, _ = request(endpoint, data=form(ACTORS), headers={"Accept": "text/csv"})
    assert (status, media) == (200, "text/csv; charset=utf-8")
    assert body == b"who,name\r\nhttps://parley.example/id/actor/alice,Alice\r\n"


def test_json_by_get_is_the_default(endpoint: str) -> None:
    status, media, body, _ = request(f"{endpoint}?{form(ACTORS).decode()}")
    assert (status, media) == (200, "application/sparql-results+json; charset=utf-8")
    assert json.loads(body) == {"head": {"vars": ["who", "name"]}, "results": {"bindings": [
        {"who": {"type": "uri", "value": str(ALICE)}, "name": {"type": "literal", "value": "Alice", "xml:lang": "en"}}]}}


@pytest.mark.parametrize("accept, media, start", [
    ("application/sparql-results+xml", "application/sparql-results+xml", b"<?xml"),
    ("text/tab-separated-values", "text/tab-separated-values", b"?who\t?name\n<https://parley.example/id/actor/alice>"),
    ("text/csv;q=0.5, application/sparql-results+json", "application/sparql-results+json", b'{"head"'),
])
def test_content_negotiation_for_results(endpoint: str, accept: str, media: str, start: bytes) -> None:
    status, got, body, _ = request(endpoint, data=ACTORS.encode(),
                                   headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert (status, got) == (200, f"{media}; charset=utf-8")
    assert body.startswith(start)


@pytest.mark.parametrize("accept, media, body", [
    (None, "text/turtle", b'@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n'
                          b'<https://parley.example/id/actor/alice> rdfs:label "Alice"@en .\n'),
    ("application/n-triples", "application/n-triples",
     b'<https://parley.example/id/actor/alice> <http://www.w3.org/2000/01/rdf-schema#label> "Alice"@en .\n'),
])
def test_graphs_as_turtle_or_n_triples(endpoint: str, accept: str | None, media: str, body: bytes) -> None:
    query = "CONSTRUCT { ?a rdfs:label ?l } WHERE { ?a a parley:Actor ; rdfs:label ?l }"
    status, got, answer, _ = request(endpoint, data=form(query), headers={"Accept": accept} if accept else {})
    assert (status, got, answer) == (200, f"{media}; charset=utf-8", body)


def test_nothing_acceptable_is_406(endpoint: str) -> None:
    status, _, body, _ = request(endpoint, data=form("ASK {}"), headers={"Accept": "image/png"})
    assert status == 406
    assert body.startswith(b"acceptable types for this query: application/sparql-results+json")


def test_service_is_refused_with_400_and_nothing_leaves(endpoint: str) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        listener.settimeout(0.5)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        status, media, body, _ = request(endpoint, data=form(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"))
        assert (status, media) == (400, "text/plain; charset=utf-8")
        assert body == (b"query refused: SERVICE is not allowed (line 1, column 18); "
                        b"Parley never sends queries to other endpoints\n")
        with pytest.raises(socket.timeout):
            listener.accept()


@pytest.mark.parametrize("data, headers, status, message", [
    (b"DROP ALL", {"Content-Type": "application/sparql-update"}, 403,
     b"updates are refused: this endpoint is read-only; change the store with `parley ingest`\n"),
    (form("DROP ALL", key="update"), {}, 403,
     b"updates are refused: this endpoint is read-only; change the store with `parley ingest`\n"),
    (form("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"), {}, 400,
     b"query refused: INSERT DATA is an update (line 1, column 1); queries only read the store: "
     b"change it with `parley ingest`\n"),
], ids=["sparql-update", "update-param", "update-as-query"])
def test_updates_are_refused(endpoint: str, data: bytes, headers: dict[str, str], status: int,
                             message: bytes) -> None:
    got, _, body, _ = request(endpoint, data=data, headers=headers)
    assert (got, body) == (status, message)
    count = request(endpoint, data=form("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), headers={"Accept": "text/csv"})
    assert count[2] == b"n\r\n20002\r\n"


def test_runaway_query_is_503_and_the_endpoint_goes_on(endpoint: str) -> None:
    started = time.monotonic()
    status, _, body, _ = request(endpoint, data=form("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"))
    assert time.monotonic() - started < 3
    assert (status, body) == (503, b"query stopped after 1 s; narrow it, or raise --timeout\n")
    assert request(endpoint, data=form("ASK { ?s a parley:Actor }"), headers={"Accept": "text/csv"})[2] == b"true"


def test_a_cut_answer_says_so_in_its_headers(endpoint: str) -> None:
    status, _, body, headers = request(endpoint, data=form("SELECT ?s WHERE { ?s ?p ?o }"), headers={"Accept": "text/csv"})
    assert status == 200
    assert body.count(b"\r\n") == 101
    assert (headers.get("X-Parley-Truncated"), headers.get("X-Parley-Row-Limit")) == ("true", "100")


def test_unknown_path_is_404(endpoint: str) -> None:
    assert request(endpoint.replace("/query", "/nothing"))[0] == 404
