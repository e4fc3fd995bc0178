"""The Store: one behaviour suite over the three backends, then the faults each backend must survive."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib import namespace
from rdflib.namespace import FOAF, RDF, RDFS, SKOS

from graph.backends.remote import RemoteBackend, endpoints
from graph.errors import EndpointError, QueryError, StoreError, WriteError
from graph.store import Store, StoreCounts
from graph.terms import Triple, nt

EX = Namespace("https://parley.example/id/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
XSD_DATE = namespace.XSD.date  # a module-level XSD makes pytest's fixture scan trip rdflib's unknown-term warning

USHAKOV, WITKOFF, PUTIN = EX["actor/yuri-ushakov"], EX["actor/steve-witkoff"], EX["actor/vladimir-putin"]
MEETING = EX["event/2025-12-02-kremlin-meeting"]
G_ACTORS, G_MEETING = EX["graph/actors"], EX["claim/2025-12-02-kremlin-meeting"]

ACTORS: list[Triple] = [
    (USHAKOV, RDF.type, FOAF.Person),
    (USHAKOV, RDFS.label, Literal("Yuri Ushakov", lang="en")),
    (USHAKOV, RDFS.label, Literal("Юрий Ушаков", lang="ru")),
    (USHAKOV, SKOS.altLabel, Literal("Y. Ushakov")),
    (WITKOFF, RDF.type, FOAF.Person),
    (WITKOFF, RDFS.label, Literal("Steve Witkoff", lang="en")),
    (WITKOFF, SKOS.altLabel, Literal("Уиткофф", lang="ru")),
    (PUTIN, RDF.type, FOAF.Person),
    (PUTIN, RDFS.label, Literal("Vladimir Putin", lang="en")),
]
MEETING_CLAIMS: list[Triple] = [
    (MEETING, RDF.type, SEM.Event),
    (MEETING, SEM.hasActor, PUTIN),
    (MEETING, SEM.hasActor, WITKOFF),
    (MEETING, SEM.hasTimeStamp, Literal("2025-12-02", datatype=XSD_DATE)),
    (MEETING, RDFS.comment, Literal('a "constructive" talk \\ five hours\nin the Kremlin')),
]


def graph_of(triples: Iterable[Triple]) -> Graph:
    g = Graph()
    for t in triples:
        g.add(t)
    return g


def dump(store: Store, fmt: str = "nquads") -> bytes:
    out = io.BytesIO()
    store.dump(out, fmt)
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def loaded_store(store: Store) -> Store:
    """The parametrised empty store with the actors and the meeting claims in two named graphs."""
    store.write(put={G_ACTORS: ACTORS, G_MEETING: MEETING_CLAIMS})
    return store


# ── the behaviour every backend shares ────────────────────────────────────────────────────────────

def test_put_and_read_back_named_graphs(loaded_store: Store) -> None:
    assert isomorphic(loaded_store.graph(G_ACTORS), graph_of(ACTORS))
    assert isomorphic(loaded_store.graph(G_MEETING), graph_of(MEETING_CLAIMS))


def test_put_replaces_a_graph_and_leaves_the_others(loaded_store: Store) -> None:
    replacement = [(USHAKOV, RDFS.label, Literal("Yury Ushakov", lang="en"))]
    loaded_store.add_graph(G_ACTORS, replacement)
    assert isomorphic(loaded_store.graph(G_ACTORS), graph_of(replacement))
    assert isomorphic(loaded_store.graph(G_MEETING), graph_of(MEETING_CLAIMS))


def test_remove_graph(loaded_store: Store) -> None:
    loaded_store.remove_graph(G_ACTORS)
    assert loaded_store.graph_names() == [G_MEETING]
    assert len(loaded_store.graph(G_ACTORS)) == 0
    loaded_store.remove_graph(G_ACTORS)  # removing what is not there is not an error
    assert loaded_store.graph_names() == [G_MEETING]


def test_one_write_puts_and_removes_together(loaded_store: Store) -> None:
    g_new = EX["claim/new"]
    loaded_store.write(put={g_new: [(PUTIN, SKOS.altLabel, Literal("Путин", lang="ru"))]}, remove=[G_ACTORS])
    assert loaded_store.graph_names() == sorted([g_new, G_MEETING])


@pytest.mark.parametrize("bad", [
    lambda: (URIRef("https://parley.example/id/actor/yuri ushakov"), RDFS.label, Literal("Yuri")),
    lambda: (USHAKOV, RDFS.label, Literal("x", datatype=URIRef("not an IRI"))),
    lambda: (USHAKOV, URIRef("relative/predicate"), Literal("x")),
], ids=["space-in-iri", "bad-datatype", "relative-iri"])
def test_a_bad_term_fails_the_whole_write(loaded_store: Store, bad: Callable[[], Triple]) -> None:
    before = sha256(dump(loaded_store))
    with pytest.raises(WriteError, match="write refused, nothing stored: not a valid RDF term"):
        loaded_store.write(put={G_MEETING: [MEETING_CLAIMS[0], bad()], EX["claim/new"]: ACTORS},
                           remove=[G_ACTORS])
    assert sha256(dump(loaded_store)) == before


def test_a_write_the_engine_refuses_changes_nothing(loaded_store: Store) -> None:
    # A literal subject passes term conversion but not the engine: the DROP before it must not happen.
    before = sha256(dump(loaded_store))
    with pytest.raises(WriteError, match="nothing stored"):
        loaded_store.write(put={EX["claim/new"]: [(Literal("subject"), RDFS.label, Literal("x"))]},
                           remove=[G_ACTORS, G_MEETING])
    assert sha256(dump(loaded_store)) == before


def test_bulk_nquads_with_a_bad_line_changes_nothing(loaded_store: Store) -> None:
    before = sha256(dump(loaded_store))
    good = f"<{PUTIN}> <{RDFS.label}> \"Putin\" <{EX['claim/new']}> .\n"
    with pytest.raises(WriteError, match="nothing stored"):
        loaded_store.backend.add_nquads((good * 100 + "<https://parley.example/a b> <x:p> <x:o> .\n").encode())
    assert sha256(dump(loaded_store)) == before
    loaded_store.backend.add_nquads(good.encode())
    assert EX["claim/new"] in loaded_store.graph_names()


def test_select_with_bindings(loaded_store: Store) -> None:
    rows = loaded_store.select(
        f"SELECT ?label WHERE {{ ?a <{RDFS.label}> ?label }} ORDER BY ?label", {"a": USHAKOV})
    assert rows.variables == ["label"]
    assert rows.rows == [(Literal("Yuri Ushakov", lang="en"),), (Literal("Юрий Ушаков", lang="ru"),)]
    by_alias = loaded_store.select(f"SELECT ?who WHERE {{ ?who <{SKOS.altLabel}> ?alias }}",
                                   {"alias": Literal("Уиткофф", lang="ru")})
    assert by_alias.rows == [(WITKOFF,)]


def test_select_unbound_is_none_and_limit_stops(loaded_store: Store) -> None:
    query = (f"SELECT ?p ?alias WHERE {{ ?p a <{FOAF.Person}> OPTIONAL {{ ?p <{SKOS.altLabel}> ?alias }} }} "
             "ORDER BY ?p")
    assert loaded_store.select(query).dicts() == [
        {"p": WITKOFF, "alias": Literal("Уиткофф", lang="ru")},
        {"p": PUTIN, "alias": None},
        {"p": USHAKOV, "alias": Literal("Y. Ushakov")},
    ]
    assert loaded_store.select(query, limit=2).rows == [(WITKOFF, Literal("Уиткофф", lang="ru")), (PUTIN, None)]
    assert loaded_store.select(query, limit=0).rows == []


def test_select_reads_typed_and_escaped_literals(loaded_store: Store) -> None:
    rows = loaded_store.select(f"SELECT ?t ?c WHERE {{ ?m <{SEM.hasTimeStamp}> ?t ; <{RDFS.comment}> ?c }}").rows
    assert rows == [(Literal("2025-12-02", datatype=XSD_DATE), MEETING_CLAIMS[4][2])]


def test_select_text_gives_each_value_as_its_text(loaded_store: Store) -> None:
    query = (f"SELECT ?p ?alias ?t WHERE {{ ?p a <{FOAF.Person}> OPTIONAL {{ ?p <{SKOS.altLabel}> ?alias }} "
             f"OPTIONAL {{ ?m <{SEM.hasActor}> ?p ; <{SEM.hasTimeStamp}> ?t }} }} ORDER BY ?p")
    assert loaded_store.select_text(query) == [
        (str(WITKOFF), "Уиткофф", "2025-12-02"),
        (str(PUTIN), None, "2025-12-02"),
        (str(USHAKOV), "Y. Ushakov", None),
    ]
    assert loaded_store.select_text(query) == [tuple(None if t is None else str(t) for t in row)
                                               for row in loaded_store.select(query).rows]
    assert loaded_store.select_text("SELECT ?b WHERE { BIND(BNODE('x') AS ?b) }")[0][0]  # a label, not None
    with pytest.raises(StoreError, match="^expected a SELECT query$"):
        loaded_store.select_text("ASK { ?s ?p ?o }")


def test_ask_with_bindings(loaded_store: Store) -> None:
    query = f"ASK WHERE {{ ?m <{SEM.hasActor}> ?a }}"
    assert loaded_store.ask(query, {"a": WITKOFF}) is True
    assert loaded_store.ask(query, {"a": USHAKOV}) is False


def test_construct_with_bindings(loaded_store: Store) -> None:
    g = loaded_store.construct(f"CONSTRUCT {{ ?a <{RDFS.label}> ?l }} WHERE {{ ?a <{RDFS.label}> ?l }}",
                               {"a": USHAKOV})
    assert isomorphic(g, graph_of([t for t in ACTORS if t[0] == USHAKOV and t[1] == RDFS.label]))


def test_union_default_graph(loaded_store: Store) -> None:
    loaded_store.backend.update(f'INSERT DATA {{ <{EX["note"]}> <{RDFS.label}> "in the default graph" }}')
    query = f"SELECT ?s WHERE {{ ?s <{RDFS.label}> ?l }} ORDER BY ?s"
    assert loaded_store.select(query, union=False).rows == [(EX["note"],)]
    assert loaded_store.select(query).rows == [(WITKOFF,), (PUTIN,), (USHAKOV,), (USHAKOV,), (EX["note"],)]
    assert loaded_store.ask(f"ASK {{ <{PUTIN}> ?p ?o }}") is True
    assert loaded_store.ask(f"ASK {{ <{PUTIN}> ?p ?o }}", union=False) is False


def test_graph_names(store: Store) -> None:
    assert store.graph_names() == []
    store.write(put={G_MEETING: MEETING_CLAIMS, G_ACTORS: ACTORS})
    assert store.graph_names() == [G_MEETING, G_ACTORS]  # sorted: .../claim/... before .../graph/...


def test_triples_are_every_triple_of_every_graph(store: Store) -> None:
    assert list(store.triples()) == []
    store.write(put={G_MEETING: MEETING_CLAIMS, G_ACTORS: ACTORS})
    store.backend.update(f'INSERT DATA {{ <{EX["note"]}> a <{SEM.Event}> }}')  # the default graph counts too
    assert set(store.triples()) == {*MEETING_CLAIMS, *ACTORS, (EX["note"], RDF.type, SEM.Event)}


def test_the_embedded_stores_triples_give_each_iri_and_short_literal_as_one_object(tmp_path: Path) -> None:
    """What keeps `parley validate` of a big store in bounds: an IRI met a million times is one object in
    the checks' index, not a million equal ones (3.8 GB against 2.1 GB at 100,000 statements)."""
    store = Store.open(str(tmp_path / "s"), create=True)
    store.write(put={G_MEETING: MEETING_CLAIMS, G_ACTORS: ACTORS})
    triples = list(store.triples())
    assert set(triples) == {*MEETING_CLAIMS, *ACTORS}
    for term in (RDF.type, PUTIN, MEETING, FOAF.Person, Literal("2025-12-02", datatype=XSD_DATE)):
        seen = [x for t in triples for x in t if x == term]
        assert len(seen) >= 1 and all(x is seen[0] for x in seen), term
    assert len([x for t in triples for x in t if x == RDF.type]) == 4
    store.close()


def test_counts(store: Store) -> None:
    assert store.counts() == StoreCounts(quads=0, graphs=0, classes=[])
    store.write(put={G_ACTORS: ACTORS, G_MEETING: MEETING_CLAIMS})
    store.backend.update(f'INSERT DATA {{ <{EX["note"]}> a <{SEM.Event}> }}')  # the default graph counts too
    assert store.counts() == StoreCounts(
        quads=len(ACTORS) + len(MEETING_CLAIMS) + 1, graphs=2,
        classes=[(str(FOAF.Person), 3), (str(SEM.Event), 2)])


@pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib")  # rdflib's parsers use its own deprecated API
@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_dump_parses_back_to_the_same_dataset(loaded_store: Store, fmt: str) -> None:
    ds = Dataset()
    ds.parse(data=dump(loaded_store, fmt), format=fmt)
    named = {g.identifier: g for g in ds.graphs() if len(g) and g.identifier != ds.default_graph.identifier}
    assert set(named) == {G_ACTORS, G_MEETING}
    assert isomorphic(named[G_ACTORS], graph_of(ACTORS))
    assert isomorphic(named[G_MEETING], graph_of(MEETING_CLAIMS))
    assert len(ds.default_graph) == 0


def test_a_syntax_error_is_a_query_error(store: Store) -> None:
    with pytest.raises(QueryError):
        store.select("SELECT ?s WHERE { ?s ?p }")
    with pytest.raises(QueryError):
        store.ask("ASK { ?s ?p ?o")


def test_a_bad_binding_value_is_a_query_error(store: Store) -> None:
    with pytest.raises(QueryError, match="not a valid RDF term"):
        store.select("SELECT ?l WHERE { ?a ?p ?l }", {"a": URIRef("https://parley.example/a b")})


# ── remote endpoints: URLs and a misbehaving server ───────────────────────────────────────────────

def test_endpoint_layout_from_the_store_url() -> None:
    ep, _ = endpoints("http://127.0.0.1:7878")
    assert (ep.query, ep.update, ep.store, ep.union) == (
        "http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update", "http://127.0.0.1:7878/store",
        "union-default-graph")
    ep, _ = endpoints("https://host/oxigraph/query")
    assert (ep.query, ep.update, ep.store) == (
        "https://host/oxigraph/query", "https://host/oxigraph/update", "https://host/oxigraph/store")
    ep, _ = endpoints("http://host:3030/ds")
    assert (ep.query, ep.update, ep.store) == ("http://host:3030/ds",) * 3
    ep, auth = endpoints("http://me:secret@host/repositories/r#update=r/statements&store=r/rdf-graphs/service&union=")
    assert (ep.query, ep.update, ep.store, ep.union) == (
        "http://host/repositories/r", "http://host/repositories/r/statements",
        "http://host/repositories/r/rdf-graphs/service", "")
    assert auth == {("http", "host", 80): "Basic bWU6c2VjcmV0"}
    with pytest.raises(StoreError, match="unknown fragment key 'graph'"):
        endpoints("http://host/ds#graph=x")
    with pytest.raises(StoreError, match="bad store URL"):
        endpoints("ftp://host/ds")


def test_remote_backup_is_refused(oxigraph_server: str, tmp_path: Path) -> None:
    with Store.open(oxigraph_server) as s, pytest.raises(StoreError, match="backup works on an embedded store"):
        s.backup(str(tmp_path / "backup"))
    with pytest.raises(StoreError, match="backup works on an embedded store"):
        RemoteBackend(oxigraph_server).backup(str(tmp_path / "backup"))


Behaviour = Callable[[BaseHTTPRequestHandler], None]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (the point of these tests) makes the handler's writes fail


class FakeEndpoint:
    """A local HTTP server that answers every request with `behaviour` and counts the requests."""

    def __init__(self, behaviour: Behaviour, release: threading.Event) -> None:
        fake = self
        self.hits = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                fake.hits += 1
                self.close_connection = True  # one request per connection keeps the behaviours simple
                behaviour(self)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.do_GET()

            def log_message(self, *args: object) -> None:
                return  # silent: the tests judge the server by what it sends, not by its log on stderr

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.release = release

    def stop(self) -> None:
        self.release.set()  # wakes handlers that were told to be slow
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def fake_endpoint() -> Iterator[Callable[[Behaviour], FakeEndpoint]]:
    """Start misbehaving endpoints: `fake_endpoint(behaviour)`; all stop when the test ends."""
    release = threading.Event()
    started: list[FakeEndpoint] = []

    def start(behaviour: Behaviour) -> FakeEndpoint:
        started.append(FakeEndpoint(behaviour, release))
        return started[-1]

    yield start
    for fake in started:
        fake.stop()


def answer(status: int, body: bytes, content_type: str, *, length: int | None = None,
           headers: dict[str, str] | None = None) -> Behaviour:
    def behave(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body) if length is None else length))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)
        h.wfile.flush()
    return behave


RESULTS = "application/sparql-results+json"
TWO_ROWS = (b'{"head":{"vars":["s"]},"results":{"bindings":['
            b'{"s":{"type":"uri","value":"https://parley.example/a"}},'
            b'{"s":{"type":"literal","value":"b","xml:lang":"en"}}]}}')


def test_endpoint_down_is_reported_within_the_timeout(closed_port: int) -> None:
    port = closed_port
    start = time.monotonic()
    with Store.open(f"http://127.0.0.1:{port}", timeout=2) as s, pytest.raises(EndpointError) as e:
        s.select("SELECT * WHERE { ?s ?p ?o }")
    assert time.monotonic() - start < 2 + 2
    assert str(e.value) == f"endpoint http://127.0.0.1:{port}/query is unreachable (connection refused)"


@pytest.mark.parametrize("operation", ["select", "update"])
def test_slow_endpoint_times_out(fake_endpoint: Callable[[Behaviour], FakeEndpoint], operation: str) -> None:
    def behave(h: BaseHTTPRequestHandler) -> None:
        fake.release.wait(5)
        answer(200, TWO_ROWS, RESULTS)(h)

    fake = fake_endpoint(behave)
    start = time.monotonic()
    with Store.open(fake.url, timeout=1) as s, pytest.raises(EndpointError) as e:
        if operation == "select":
            s.select("SELECT * WHERE { ?s ?p ?o }")
        else:
            s.add_graph(G_ACTORS, ACTORS)
    assert time.monotonic() - start < 1 + 2
    if operation == "select":
        assert str(e.value) == f"endpoint {fake.url}/query did not answer within 1 s"
    else:
        assert str(e.value).startswith(f"endpoint {fake.url}/update did not answer within 1 s; "
                                       "the write may or may not have been applied")


def test_endpoint_answering_html(fake_endpoint: Callable[[Behaviour], FakeEndpoint]) -> None:
    fake = fake_endpoint(answer(200, b"<!DOCTYPE html><html><body>Welcome to nginx!</body></html>", "text/html"))
    with Store.open(fake.url, timeout=2) as s, pytest.raises(EndpointError) as e:
        s.ask("ASK {}")
    assert str(e.value) == (f"endpoint {fake.url}/query answered text/html, not SPARQL results "
                            "(is this a SPARQL endpoint?)")


@pytest.mark.parametrize("behaviour", [
    answer(200, TWO_ROWS[:-20], RESULTS),  # the JSON stops in the middle of a term
    answer(200, TWO_ROWS[:-20], RESULTS, length=len(TWO_ROWS)),  # and the server hangs up early
    answer(200, TWO_ROWS.replace(b"]}}", b"]}}, trailing"), RESULTS),
], ids=["cut", "hung-up", "trailing-garbage"])
def test_endpoint_sending_truncated_json(fake_endpoint: Callable[[Behaviour], FakeEndpoint],
                                         behaviour: Behaviour) -> None:
    fake = fake_endpoint(behaviour)
    with Store.open(fake.url, timeout=2) as s, pytest.raises(EndpointError) as e:
        s.select("SELECT ?s WHERE { ?s ?p ?o }")
    assert str(e.value).startswith(f"endpoint {fake.url}/query sent truncated or invalid SPARQL JSON results: ")


def test_endpoint_answering_http_500(fake_endpoint: Callable[[Behaviour], FakeEndpoint]) -> None:
    fake = fake_endpoint(answer(500, b"\nInternal failure: disk on fire\nTraceback (most recent call last):\n",
                                "text/plain"))
    with Store.open(fake.url, timeout=2) as s, pytest.raises(EndpointError) as e:
        s.select("SELECT ?s WHERE { ?s ?p ?o }")
    assert str(e.value) == f"endpoint {fake.url}/query answered HTTP 500: Internal failure: disk on fire"


@pytest.mark.parametrize("status", [302, 307, 308])
def test_redirect_to_another_host_is_refused(fake_endpoint: Callable[[Behaviour], FakeEndpoint],
                                             status: int) -> None:
    elsewhere = fake_endpoint(answer(200, TWO_ROWS, RESULTS))  # same address, another port: another origin
    fake = fake_endpoint(answer(status, b"", "text/plain", headers={"Location": f"{elsewhere.url}/query"}))
    with Store.open(fake.url, timeout=2) as s, pytest.raises(EndpointError) as e:
        s.select("SELECT ?s WHERE { ?s ?p ?o }")
    assert str(e.value).startswith(f"endpoint {fake.url}/query redirected to {elsewhere.url}/query, another host")
    assert elsewhere.hits == 0


def test_redirect_within_the_endpoint_is_followed(fake_endpoint: Callable[[Behaviour], FakeEndpoint]) -> None:
    def behave(h: BaseHTTPRequestHandler) -> None:
        if h.path.startswith("/query"):
            answer(307, b"", "text/plain", headers={"Location": "/sparql"})(h)
        else:
            answer(200, TWO_ROWS, RESULTS)(h)

    fake = fake_endpoint(behave)
    with Store.open(fake.url, timeout=2) as s:
        assert s.select("SELECT ?s WHERE { ?s ?p ?o }").rows == [
            (URIRef("https://parley.example/a"),), (Literal("b", lang="en"),)]


def test_a_row_limit_stops_reading_early(fake_endpoint: Callable[[Behaviour], FakeEndpoint]) -> None:
    # Two rows, then the server stalls as if the query were still running: the limit must not wait for it.
    def behave(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", RESULTS)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        part = TWO_ROWS[:-3] + b","
        h.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
        h.wfile.flush()
        fake.release.wait(5)

    fake = fake_endpoint(behave)
    start = time.monotonic()
    with Store.open(fake.url, timeout=3) as s:
        rows = s.select("SELECT ?s WHERE { ?s ?p ?o }", limit=2).rows
    assert time.monotonic() - start < 2
    assert rows == [(URIRef("https://parley.example/a"),), (Literal("b", lang="en"),)]


def test_a_query_error_from_the_server_keeps_its_message(oxigraph_server: str) -> None:
    with Store.open(oxigraph_server) as s, pytest.raises(QueryError) as e:
        s.select("SELECT ?s WHERE { ?s ?p }")
    assert str(e.value).startswith(f"SPARQL query refused by endpoint {oxigraph_server}/query (HTTP 400): error at 1:")


# ── embedded stores: one owner process, all-or-nothing writes under kill -9 ───────────────────────

def run_python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=Path(__file__).resolve().parents[1])


def test_a_second_process_gets_store_in_use(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    code = (
        "import sys\n"
        "from graph.store import Store\n"
        "from graph.errors import StoreInUseError\n"
        "try:\n"
        "    Store.open(sys.argv[1])\n"
        "except StoreInUseError as e:\n"
        "    print(e)\n"
        "    sys.exit(3)\n"
    )
    with Store.open(str(folder), create=True) as s:
        s.add_graph(G_ACTORS, ACTORS)
        before = sha256(dump(s))
        proc = run_python(code, str(folder))
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 3, err
        assert f"is in use by process {os.getpid()}" in out
        assert sha256(dump(s)) == before


BIG_WRITE = """
from rdflib import Literal, URIRef
P = URIRef("https://parley.example/id/p")
def big_put():
    return {URIRef(f"https://parley.example/id/claim/{i}"): [
        (URIRef(f"https://parley.example/id/s/{i}/{j}"), P, Literal(f"statement {i}.{j}")) for j in range(1000)]
        for i in range(200)}
"""


def sorted_dump(store: Store) -> str:
    """A hash of the dump's lines in sorted order: the same for the same quads whatever the engine's order."""
    return sha256(b"\n".join(sorted(dump(store).splitlines())))


def test_a_write_killed_midway_leaves_all_or_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    with Store.open(str(folder), create=True) as s:
        s.write(put={G_ACTORS: ACTORS, G_MEETING: MEETING_CLAIMS})
        before = sha256(dump(s))
    scope: dict[str, Any] = {}
    exec(BIG_WRITE, scope)
    with Store.open("memory:") as whole:  # the whole write, loaded the fast way
        whole.write(put={G_ACTORS: ACTORS, G_MEETING: MEETING_CLAIMS})
        whole.backend.add_nquads("".join(f"{nt(s)} {nt(p)} {nt(o)} {nt(g)} .\n"
                                         for g, triples in scope["big_put"]().items()
                                         for s, p, o in triples).encode())
        after_sorted = sorted_dump(whole)
    code = BIG_WRITE + (
        "import sys\n"
        "from graph.store import Store\n"
        "s = Store.open(sys.argv[1])\n"
        "put = big_put()\n"
        "engine_update = s.backend.update\n"
        "def update(text):\n"
        "    print('engine', flush=True)\n"  # the update text is built: the engine starts its transaction
        "    engine_update(text)\n"
        "s.backend.update = update\n"
        "s.write(put=put)\n"
        "print('done', flush=True)\n"
    )
    proc = run_python(code, str(folder))
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line == "engine\n", proc.stderr.read() if proc.stderr else line
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the write finished before the kill; make it bigger"
    with Store.open(str(folder)) as s:
        raw, ordered = sha256(dump(s)), sorted_dump(s)
    # Exactly the earlier dump, byte for byte, or the whole write (compared in sorted order, as the
    # expected dump comes from the in-memory engine); anything else is a partial write.
    assert raw == before or ordered == after_sorted


# ── fresh graphs through the engine's bulk loader: undone whole when cut short ───────────────────

BULK_KILL = BIG_WRITE + """
import sys, time
from graph.store import Store
s = Store.open(sys.argv[1])
engine = s.backend.engine


class Engine:  # the real engine, announcing the bulk load; 'after' stops once the load has returned
    def __getattr__(self, name):
        return getattr(engine, name)

    def bulk_load(self, **kw):
        print('bulk', flush=True)
        engine.bulk_load(**kw)
        if sys.argv[2] == 'after':
            print('loaded', flush=True)
            time.sleep(60)


s.backend.engine = Engine()
s.write(put=big_put(), fresh=True)
print('done', flush=True)
"""


@pytest.mark.parametrize("when", ["during", "after"])
def test_a_bulk_load_killed_midway_is_undone_when_the_store_reopens(tmp_path: Path, when: str) -> None:
    from graph.backends.embedded import JOURNAL_NAME

    folder = tmp_path / "store"
    with Store.open(str(folder), create=True) as s:
        s.write(put={G_ACTORS: ACTORS, G_MEETING: MEETING_CLAIMS})
        before = sha256(dump(s))
    proc = run_python(BULK_KILL, str(folder), when)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line == "bulk\n", proc.stderr.read() if proc.stderr else line
    if when == "after":
        assert proc.stdout.readline() == "loaded\n"
    else:
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the write finished before the kill; make it bigger"
    assert (folder / JOURNAL_NAME).exists(), "the load ran without its journal"
    with Store.open(str(folder)) as s:
        assert sha256(dump(s)) == before
    assert not (folder / JOURNAL_NAME).exists()


def test_a_bulk_load_of_fresh_graphs_equals_the_transactional_load(tmp_path: Path) -> None:
    scope: dict[str, Any] = {}
    exec(BIG_WRITE, scope)
    with Store.open("memory:") as whole:
        whole.write(put=scope["big_put"]())
        expected = sorted_dump(whole)
    with Store.open(str(tmp_path / "store"), create=True) as s:
        s.write(put=scope["big_put"](), fresh=True)
    with Store.open(str(tmp_path / "store")) as s:
        assert sorted_dump(s) == expected


def test_a_bulk_load_with_a_bad_line_changes_nothing(tmp_path: Path) -> None:
    from graph.backends.embedded import BULK_MIN_QUADS, JOURNAL_NAME, EmbeddedBackend

    folder = tmp_path / "store"
    with Store.open(str(folder), create=True) as s:
        s.write(put={G_ACTORS: ACTORS})
        before = sha256(dump(s))
        good = "".join(f"<https://parley.example/id/s/{i}> <x:p> \"{i}\" <https://parley.example/id/g/{i % 7}> .\n"
                       for i in range(BULK_MIN_QUADS))
        graphs = [f"https://parley.example/id/g/{i}" for i in range(7)]
        assert isinstance(s.backend, EmbeddedBackend)
        with pytest.raises(WriteError):
            s.backend.add_new_graphs([good.encode(), b"<https://parley.example/a b> <x:p> <x:o> <x:g> .\n"], graphs,
                                     BULK_MIN_QUADS + 1)
        assert sha256(dump(s)) == before
        assert not (folder / JOURNAL_NAME).exists()


def _quads(graph: int, n: int) -> bytes:
    return "".join(f"<https://parley.example/id/s/{graph}-{i}> <x:p> \"{i}\" <https://parley.example/id/g/{graph}> .\n"
                   for i in range(n)).encode()


def test_a_streaming_load_with_a_bad_batch_drops_the_batches_before_it(tmp_path: Path) -> None:
    from graph.backends.embedded import JOURNAL_NAME

    folder = tmp_path / "store"
    with Store.open(str(folder), create=True) as s:
        s.write(put={G_ACTORS: ACTORS})
        before = sha256(dump(s))
        stream = s.streaming_load()
        assert stream is not None
        stream.add(_quads(1, 3000), ["https://parley.example/id/g/1"], 3000)
        stream.add(_quads(2, 3000) + b"<https://parley.example/a b> <x:p> <x:o> <x:g> .\n",
                   ["https://parley.example/id/g/2", "x:g"], 3001)
        with pytest.raises(WriteError) as e:
            stream.finish()
        assert str(e.value).startswith("write refused, nothing stored: ")
        assert sha256(dump(s)) == before
        assert not (folder / JOURNAL_NAME).exists()


def test_a_streaming_load_keeps_every_batch_once_finished(tmp_path: Path) -> None:
    with Store.open(str(tmp_path / "store"), create=True) as s:
        s.write(put={G_ACTORS: ACTORS})
        stream = s.streaming_load()
        assert stream is not None
        stream.add(_quads(1, 3000), ["https://parley.example/id/g/1"], 3000)
        stream.add(_quads(2, 2000), ["https://parley.example/id/g/2"], 2000)
        stream.finish()
        assert s.backend.quad_count() == len(ACTORS) + 5000
    with Store.open(str(tmp_path / "store")) as s:
        assert s.backend.quad_count() == len(ACTORS) + 5000


STREAM_KILL = """
import sys, time
from graph.store import Store
s = Store.open(sys.argv[1])
stream = s.streaming_load()
stream.add(b"".join(f"<https://parley.example/id/s/{i}> <x:p> \\"{i}\\" <https://parley.example/id/g/1> .\\n".encode()
                    for i in range(5000)), ["https://parley.example/id/g/1"], 5000)
stream._wait()  # the first batch is in the store; the ingest would now be mapping the next one
print('loaded', flush=True)
time.sleep(60)
"""


def test_an_ingest_killed_while_streaming_is_undone_when_the_store_reopens(tmp_path: Path) -> None:
    from graph.backends.embedded import JOURNAL_NAME

    folder = tmp_path / "store"
    with Store.open(str(folder), create=True) as s:
        s.write(put={G_ACTORS: ACTORS})
        before = sha256(dump(s))
    proc = run_python(STREAM_KILL, str(folder))
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line == "loaded\n", proc.stderr.read() if proc.stderr else line
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert (folder / JOURNAL_NAME).exists(), "the load ran without its journal"
    with Store.open(str(folder)) as s:
        assert sha256(dump(s)) == before
    assert not (folder / JOURNAL_NAME).exists()
