"""A remote SPARQL 1.1 endpoint with the Graph Store Protocol as a Parley store, over the standard library.

Which URLs the store string names (the rule):

1. Overrides in the URL fragment win: ``http://host/ds#query=sparql&update=update&store=data``.
   Values are absolute URLs or paths resolved against the URL. ``union=NAME`` (or ``union=NAME=VALUE``)
   is the query parameter that makes the default graph the union of the named graphs; ``union=``
   sends none (for servers configured to do that themselves, e.g. Fuseki's ``tdb2:unionDefaultGraph``
   or GraphDB, whose default graph is always the union).
2. Otherwise the Oxigraph server layout is assumed, read from the shape of the URL:
   - a URL with no path (``http://127.0.0.1:7878``) is the server's base: ``/query``, ``/update``, ``/store``;
   - a URL whose last path segment is ``query`` is the query endpoint, and its siblings ``update`` and
     ``store`` are the others (``https://host/oxigraph/query`` → ``…/oxigraph/update``, ``…/oxigraph/store``);
   - any other URL is an explicit endpoint that takes queries, updates and Graph Store requests alike
     (a Fuseki dataset URL such as ``http://host:3030/ds`` does); name the others with the fragment when
     they differ (GraphDB: ``…/repositories/r#update=r/statements&store=r/rdf-graphs/service``).
   The union parameter defaults to Oxigraph's ``union-default-graph``.

Oxigraph turns the union on when ``union-default-graph`` is present at all (``=false`` turns it on too),
so the parameter is sent only for ``union=True``.

Nothing is sent before the first call. Every request has the timeout: a query's whole answer, an
update's reply and a dump's longest silence must come within it. Redirects are followed only within the
same scheme, host and port. ``user:password@`` in a URL is sent as HTTP Basic auth to that origin only.
A query the server refuses (HTTP 400, e.g. a syntax error) raises QueryError with the server's message;
a refused update or upload raises WriteError, as the embedded engine does; everything else EndpointError.
"""

from __future__ import annotations

import base64
import codecs
import http.client
import json
import re
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import BinaryIO, Iterator
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit, urlunsplit

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from graph.backends import SelectRows
from graph.errors import EndpointError, QueryError, StoreError, WriteError
from graph.terms import from_ox

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
OXIGRAPH_UNION = "union-default-graph"
_DUMP_TYPES = {"nquads": ("application/n-quads", "N-Quads"), "trig": ("application/trig", "TriG")}
_FRAGMENT_KEYS = ("query", "update", "store", "union")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_REDIRECTS = (301, 302, 303, 307, 308)
_MAX_REDIRECTS = 5
_CHUNK = 1 << 16
_ERROR_BODY_CAP = 1 << 16
_USER_AGENT = "parley (SPARQL 1.1 client)"

Origin = tuple[str, str, int]


@dataclass(frozen=True)
class Endpoints:
    """The URLs a store string names (credentials removed) and the union query parameter ('' for none)."""

    query: str
    update: str
    store: str
    union: str


def endpoints(spec: str) -> tuple[Endpoints, dict[Origin, str]]:
    """The endpoints named by a store URL, and the Basic auth header for each origin that carried credentials.

    >>> endpoints("http://127.0.0.1:7878")[0]
    Endpoints(query='http://127.0.0.1:7878/query', update='http://127.0.0.1:7878/update', store='http://127.0.0.1:7878/store', union='union-default-graph')
    >>> endpoints("http://h:3030/ds#store=data&union=")[0].store
    'http://h:3030/data'
    """
    base, _, fragment = spec.partition("#")
    _check_url(base, spec)
    try:
        overrides = dict(parse_qsl(fragment, keep_blank_values=True, strict_parsing=True)) if fragment else {}
    except ValueError:
        raise StoreError(f"bad store URL {_shown(base)}: the fragment must read #query=…&update=…&store=…") from None
    unknown = sorted(set(overrides) - set(_FRAGMENT_KEYS))
    if unknown:
        raise StoreError(f"bad store URL {_shown(base)}: unknown fragment key {unknown[0]!r} "
                         f"(known: {', '.join(_FRAGMENT_KEYS)})")
    parts = urlsplit(base)
    path = parts.path
    if path in ("", "/"):
        root = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
        derived = {k: urljoin(root, k) for k in ("query", "update", "store")}
    elif path.rstrip("/").rsplit("/", 1)[-1] == "query":
        derived = {"query": base, "update": urljoin(base, "update"), "store": urljoin(base, "store")}
    else:
        derived = {"query": base, "update": base, "store": base}
    urls = {k: urljoin(base, overrides[k]) if k in overrides else derived[k] for k in ("query", "update", "store")}
    auth: dict[Origin, str] = {}
    for url in urls.values():
        _check_url(url, spec)
        u = urlsplit(url)
        if u.username is not None:
            token = f"{unquote(u.username)}:{unquote(u.password or '')}".encode()
            auth[_origin(url)] = "Basic " + base64.b64encode(token).decode("ascii")
    clean = {k: _shown(v) for k, v in urls.items()}
    return Endpoints(clean["query"], clean["update"], clean["store"], overrides.get("union", OXIGRAPH_UNION)), auth


def _check_url(url: str, spec: str) -> None:
    try:
        u = urlsplit(url)
        u.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as e:
        raise StoreError(f"bad store URL {_shown(spec)}: {e}") from None
    if u.scheme not in ("http", "https") or not u.hostname:
        raise StoreError(f"bad store URL {_shown(spec)}: give http(s)://host[:port][/path]")


def _shown(url: str) -> str:
    """The URL without credentials and fragment, as it may appear in messages."""
    try:
        u = urlsplit(url)
        netloc = u.netloc.rpartition("@")[2]
    except ValueError:
        return "<bad URL>"
    return urlunsplit((u.scheme, netloc, u.path, u.query, ""))


def _origin(url: str) -> Origin:
    u = urlsplit(url)
    return (u.scheme, (u.hostname or "").lower(), u.port or (443 if u.scheme == "https" else 80))


def _with_param(url: str, param: str) -> str:
    return url + ("&" if "?" in url else "?") + param if param else url


def _secs(seconds: float) -> str:
    return f"{seconds:g} s"


class _Answer:
    """An HTTP response read under a deadline; its connection goes back to the pool once read to the end."""

    def __init__(self, backend: RemoteBackend, origin: Origin, conn: http.client.HTTPConnection,
                 sock: socket.socket | None, resp: http.client.HTTPResponse, url: str,
                 deadline: float | None, write: bool) -> None:
        self.backend, self.origin, self.conn, self.sock, self.resp = backend, origin, conn, sock, resp
        self.url, self.deadline, self.write = url, deadline, write
        self.status = resp.status
        self.content_type = (resp.getheader("Content-Type") or "").split(";")[0].strip().lower()
        self.received = 0
        self.done = False

    def read1(self, what: str) -> bytes:
        """The next piece of the body, b'' at its end; `what` names the content for messages."""
        if self.done:
            return b""
        left = self.backend.timeout
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                self.abandon()
                raise self._slow()
        if self.sock is not None:
            self.sock.settimeout(left)
        try:
            data = self.resp.read1(_CHUNK)
        except TimeoutError:
            self.abandon()
            raise self._slow() from None
        except http.client.IncompleteRead:
            self.abandon()
            raise self._truncated(what) from None
        except (OSError, http.client.HTTPException) as e:
            self.abandon()
            raise EndpointError(f"endpoint {self.url} broke off its answer after {self.received} bytes: {e}") from None
        if data:
            self.received += len(data)
            return data
        if self.resp.length:  # the server promised more bytes than it sent
            self.abandon()
            raise self._truncated(what)
        self.done = True
        self.resp.close()
        self.backend._release(self.origin, self.conn, reusable=not self.resp.will_close)
        return b""

    def read_all(self, what: str) -> bytes:
        parts = []
        while chunk := self.read1(what):
            parts.append(chunk)
        return b"".join(parts)

    def abandon(self) -> None:
        """Stop reading: close the connection, which also tells the server to stop."""
        if not self.done:
            self.done = True
            self.resp.close()
            self.conn.close()

    def message(self, whole: bool = False) -> str:
        """The server's explanation of an error: its first line, or all of it (capped)."""
        parts: list[bytes] = []
        try:
            while sum(map(len, parts)) < _ERROR_BODY_CAP and (chunk := self.read1("an error message")):
                parts.append(chunk)
        except EndpointError:
            pass
        self.abandon()
        text = b"".join(parts)[:_ERROR_BODY_CAP].decode("utf-8", "replace")
        if "html" in self.content_type:
            text = re.sub(r"(?s)<(script|style)\b.*?</\1>|<[^>]*>", "\n", text)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            return self.resp.reason or "no message"
        return "\n".join(lines)[:1000] if whole else lines[0][:300]

    def _slow(self) -> EndpointError:
        if self.received:
            msg = f"endpoint {self.url} did not finish answering within {_secs(self.backend.timeout)}"
        else:
            msg = f"endpoint {self.url} did not answer within {_secs(self.backend.timeout)}"
        return EndpointError(msg + _UNSURE if self.write else msg)

    def _truncated(self, what: str) -> EndpointError:
        return EndpointError(f"endpoint {self.url} sent truncated or invalid {what}: "
                             f"the answer stopped after {self.received} bytes")


_UNSURE = "; the write may or may not have been applied: check before writing again"


class RemoteBackend:
    """A SPARQL 1.1 endpoint (Query, Update, Graph Store Protocol) reached over HTTP(S).

    :param url: the store string; see the module docstring for how it names the endpoints.
    :param timeout: seconds a request may take (a dump: seconds of silence) before EndpointError.
    """

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        if not timeout > 0:
            raise StoreError(f"the endpoint timeout must be a positive number of seconds, not {timeout!r}")
        self.endpoints, self._auth = endpoints(url)
        self.timeout = float(timeout)
        self.description = _shown(url)
        self._idle: dict[Origin, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()

    # -- reading -----------------------------------------------------------------------------------

    def select(self, query: str, *, union: bool = True, limit: int | None = None) -> SelectRows:
        answer = self._query(query, union, RESULTS_JSON, "SELECT")
        reader = _ResultsReader(answer)
        head, bindings, boolean = reader.parse(limit)
        if bindings is None and boolean is not None:
            raise StoreError("expected a SELECT query")
        variables = reader.variables(head)
        if bindings is None:
            raise reader.bad("no results.bindings")
        if limit is not None and len(bindings) > limit:
            del bindings[limit:]
        rows = [tuple(reader.term(b.get(v)) for v in variables) for b in bindings]
        return SelectRows(variables, rows)

    def select_text(self, query: str, *, union: bool = True) -> list[tuple[str | None, ...]]:
        return [tuple(None if t is None else str(t) for t in row) for row in self.select(query, union=union).rows]

    def triples(self) -> Iterator[tuple[Node, Node, Node]]:
        # the endpoint answers with one document, read whole
        for s, p, o in self.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", union=True).rows:
            if s is not None and p is not None and o is not None:
                yield s, p, o

    def ask(self, query: str, *, union: bool = True) -> bool:
        answer = self._query(query, union, RESULTS_JSON, "ASK")
        reader = _ResultsReader(answer)
        _, bindings, boolean = reader.parse(None)
        if boolean is None and bindings is not None:
            raise StoreError("expected an ASK query")
        if not isinstance(boolean, bool):
            raise reader.bad("no boolean answer")
        return boolean

    def construct(self, query: str, *, union: bool = True) -> Graph:
        answer = self._query(query, union, N_TRIPLES, "CONSTRUCT or DESCRIBE")
        self._expect(answer, (N_TRIPLES, "text/plain"), "N-Triples", "is this a SPARQL endpoint?")
        data = answer.read_all("N-Triples")
        g = Graph()
        try:
            for q in ox.parse(data, ox.RdfFormat.N_TRIPLES):
                g.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        except (SyntaxError, ValueError, TypeError) as e:
            raise EndpointError(f"endpoint {answer.url} sent invalid N-Triples: {e}") from None
        return g

    def graph_names(self) -> list[str]:
        rows = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }", union=False, limit=None).rows
        return sorted(str(g) for g, in rows if isinstance(g, URIRef))

    def quad_count(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                           union=False, limit=None).rows
        n = rows[0][0] if len(rows) == 1 else None
        if not (isinstance(n, Literal) and isinstance(n.value, int)):
            raise EndpointError(f"endpoint {self.endpoints.query} answered a COUNT query without a number")
        return n.value

    def dump(self, out: BinaryIO, fmt: str) -> None:
        media, name = _DUMP_TYPES[fmt]
        answer = self._request("GET", self.endpoints.store, None, {"Accept": media}, stream=True)
        self._check(answer)
        self._expect(answer, (media,), name, "is this a Graph Store Protocol endpoint? name it with #store=…")
        while chunk := answer.read1(name):
            out.write(chunk)

    # -- writing -----------------------------------------------------------------------------------

    def update(self, update: str) -> None:
        """POST one SPARQL update: the server runs one request as one transaction."""
        headers = {"Content-Type": "application/sparql-update; charset=utf-8"}
        answer = self._request("POST", self.endpoints.update, update.encode("utf-8"), headers, write=True)
        self._check_write(answer)

    def add_nquads(self, data: bytes) -> None:
        """POST N-Quads to the Graph Store Protocol endpoint (the whole dataset), all or nothing."""
        headers = {"Content-Type": "application/n-quads"}
        answer = self._request("POST", self.endpoints.store, data, headers, write=True)
        self._check_write(answer)

    def flush(self) -> None:
        """Nothing to do: the server makes its own writes durable."""

    def backup(self, target: str) -> None:
        raise StoreError("backup works on an embedded store; back up a remote endpoint with its own tools")

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, {}
        for conns in idle.values():
            for conn in conns:
                conn.close()

    # -- HTTP --------------------------------------------------------------------------------------

    def _query(self, query: str, union: bool, accept: str, form: str) -> _Answer:
        url = _with_param(self.endpoints.query, self.endpoints.union if union else "")
        headers = {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept}
        answer = self._request("POST", url, query.encode("utf-8"), headers, shown=self.endpoints.query)
        if answer.status == 400:
            raise QueryError(f"SPARQL query refused by endpoint {answer.url} (HTTP 400): {answer.message(whole=True)}")
        if answer.status == 406:
            raise StoreError(f"expected a {form} query; endpoint {answer.url} answered HTTP 406: {answer.message()}")
        self._check(answer)
        if accept == RESULTS_JSON:
            self._expect(answer, (RESULTS_JSON, "application/json"), "SPARQL results", "is this a SPARQL endpoint?")
        return answer

    def _check_write(self, answer: _Answer) -> None:
        if answer.status == 400:
            raise WriteError(f"write refused by endpoint {answer.url}, nothing stored: {answer.message(whole=True)}")
        self._check(answer)
        answer.read_all("reply")

    @staticmethod
    def _check(answer: _Answer) -> None:
        if 200 <= answer.status < 300:
            return
        status, url = answer.status, answer.url
        hint = ""
        if status == 404:
            hint = " (is the store URL right? name the endpoints with #query=…&update=…&store=…)"
        elif status in (401, 403):
            hint = " (does the endpoint need credentials? give them as http://user:password@host/…)"
        raise EndpointError(f"endpoint {url} answered HTTP {status}: {answer.message()}{hint}")

    @staticmethod
    def _expect(answer: _Answer, types: tuple[str, ...], what: str, hint: str) -> None:
        if answer.content_type in types or not answer.content_type:
            return
        answer.abandon()
        raise EndpointError(f"endpoint {answer.url} answered {answer.content_type}, not {what} ({hint})")

    def _request(self, method: str, url: str, body: bytes | None, headers: dict[str, str], *,
                 shown: str | None = None, stream: bool = False, write: bool = False) -> _Answer:
        """Send a request, following redirects within the same origin; the answer's status is not checked.

        `shown` is the URL that messages name (the endpoint without the parameters added here).
        """
        deadline = time.monotonic() + self.timeout
        name = first = shown or url
        for _ in range(_MAX_REDIRECTS + 1):
            answer = self._send(method, url, name, body, headers, deadline, stream, write)
            if answer.status not in _REDIRECTS:
                return answer
            location = answer.resp.getheader("Location")
            answer.abandon()
            if not location:
                raise EndpointError(f"endpoint {name} answered HTTP {answer.status} without saying where to go")
            target = urljoin(url, location)
            if _origin(target) != _origin(url) or urlsplit(target).scheme not in ("http", "https"):
                raise EndpointError(f"endpoint {name} redirected to {_shown(target)}, another host; refusing to "
                                    f"follow it (name the endpoint you mean in the store URL)")
            url = name = _shown(target)
        raise EndpointError(f"endpoint {first} redirected more than {_MAX_REDIRECTS} times")

    def _send(self, method: str, url: str, name: str, body: bytes | None, headers: dict[str, str],
              deadline: float, stream: bool, write: bool) -> _Answer:
        """One request and the head of its answer; `name` is the URL that messages show."""
        origin = _origin(url)
        u = urlsplit(url)
        target = (u.path or "/") + (f"?{u.query}" if u.query else "")
        all_headers = {"User-Agent": _USER_AGENT, **headers}
        if origin in self._auth:
            all_headers["Authorization"] = self._auth[origin]
        unsure = _UNSURE if write else ""
        for attempt in range(2):
            left = deadline - time.monotonic()
            if left <= 0:
                raise EndpointError(f"endpoint {name} did not answer within {_secs(self.timeout)}{unsure}")
            conn, reused = self._take(origin, left)
            try:
                conn.request(method, target, body=body, headers=all_headers)
                sock = conn.sock
                resp = conn.getresponse()
            except TimeoutError:
                conn.close()
                raise EndpointError(f"endpoint {name} did not answer within {_secs(self.timeout)}{unsure}") from None
            except ConnectionRefusedError:
                conn.close()
                raise EndpointError(f"endpoint {name} is unreachable (connection refused)") from None
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
                if reused and attempt == 0:
                    continue  # the server closed an idle kept-alive connection before reading this request
                raise EndpointError(f"endpoint {name} closed the connection without an answer{unsure}") from None
            except socket.gaierror as e:
                conn.close()
                raise EndpointError(f"endpoint {name} is unreachable (host name not resolved: {e.strerror})") from None
            except ssl.SSLError as e:
                conn.close()
                raise EndpointError(f"endpoint {name} is unreachable (TLS failed: {e.reason or e})") from None
            except OSError as e:
                conn.close()
                raise EndpointError(f"endpoint {name} is unreachable ({e.strerror or e})") from None
            except http.client.HTTPException as e:
                conn.close()
                raise EndpointError(f"endpoint {name} did not answer in HTTP ({type(e).__name__}: {e})") from None
            return _Answer(self, origin, conn, sock, resp, name, None if stream else deadline, write)
        raise AssertionError("unreachable")

    def _take(self, origin: Origin, timeout: float) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            idle = self._idle.get(origin)
            conn = idle.pop() if idle else None
        if conn is not None and conn.sock is not None:
            conn.sock.settimeout(timeout)
            return conn, True
        scheme, host, port = origin
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=timeout,
                                               context=ssl.create_default_context()), False
        return http.client.HTTPConnection(host, port, timeout=timeout), False

    def _release(self, origin: Origin, conn: http.client.HTTPConnection, *, reusable: bool) -> None:
        if reusable and conn.sock is not None:
            with self._lock:
                pool = self._idle.setdefault(origin, [])
                if len(pool) < 4:
                    pool.append(conn)
                    return
        conn.close()


class _ResultsReader:
    """Reads SPARQL 1.1 Results JSON as it arrives, so that a row limit stops the transfer early."""

    WHAT = "SPARQL JSON results"

    def __init__(self, answer: _Answer) -> None:
        self.answer = answer
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._json = json.JSONDecoder()
        self.buf = ""
        self.pos = 0
        self.eof = False

    def bad(self, why: str) -> EndpointError:
        self.answer.abandon()
        return EndpointError(f"endpoint {self.answer.url} sent truncated or invalid {self.WHAT}: {why}")

    def parse(self, limit: int | None) -> tuple[object, list[dict[str, object]] | None, object]:
        """(head, bindings, boolean) of the answer; with a limit, stops reading once it has enough rows."""
        head: object = None
        bindings: list[dict[str, object]] | None = None
        boolean: object = None
        self._take("{")
        for key in self._members():
            if key == "head":
                head = self._value()
            elif key == "boolean":
                boolean = self._value()
            elif key == "results":
                self._take("{")
                for inner in self._members():
                    if inner != "bindings":
                        self._value()
                        continue
                    bindings = []
                    self._take("[")
                    if self._peek() == "]":
                        self.pos += 1
                        continue
                    while True:
                        if limit is not None and len(bindings) >= limit and head is not None:
                            self.answer.abandon()
                            return head, bindings, boolean
                        item = self._value()
                        if not isinstance(item, dict):
                            raise self.bad("a binding is not a JSON object")
                        bindings.append(item)
                        if self._take(",]") == "]":
                            break
            else:
                self._value()
        if self._peek() != "":
            raise self.bad("unexpected data after the results")
        return head, bindings, boolean

    def variables(self, head: object) -> list[str]:
        names = head.get("vars") if isinstance(head, dict) else None
        if not isinstance(names, list) or not all(isinstance(v, str) for v in names):
            raise self.bad("no head.vars")
        return names

    def term(self, value: object) -> Node | None:
        if value is None:
            return None
        if not isinstance(value, dict) or not isinstance(value.get("value"), str):
            raise self.bad(f"not an RDF term: {value!r:.100}")
        kind, text = value.get("type"), value["value"]
        try:
            if kind == "uri":
                return URIRef(text)
            if kind in ("literal", "typed-literal"):
                lang, datatype = value.get("xml:lang"), value.get("datatype")
                if lang:
                    return Literal(text, lang=str(lang))
                if datatype and datatype != _XSD_STRING:
                    return Literal(text, datatype=URIRef(str(datatype)))
                return Literal(text)
            if kind == "bnode":
                return BNode(text)
        except ValueError as e:
            raise self.bad(f"bad term {value!r:.100}: {e}") from None
        raise self.bad(f"unsupported term type {kind!r}")

    # -- a small pull parser over the two outer levels; values inside are decoded whole ------------

    def _members(self) -> Iterator[str]:
        """The keys of the object just opened; the caller reads each value before asking for the next key."""
        if self._peek() == "}":
            self.pos += 1
            return
        while True:
            key = self._value()
            if not isinstance(key, str):
                raise self.bad("an object key is not a string")
            self._take(":")
            yield key
            if self._take(",}") == "}":
                return

    def _more(self) -> bool:
        if self.eof:
            return False
        data = self.answer.read1(self.WHAT)
        if self.pos > _CHUNK:
            self.buf, self.pos = self.buf[self.pos:], 0
        try:
            self.buf += self._utf8.decode(data, final=not data)
        except UnicodeDecodeError as e:
            raise self.bad(f"not UTF-8 ({e.reason})") from None
        self.eof = not data
        return bool(data)

    def _peek(self) -> str:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def _take(self, allowed: str) -> str:
        c = self._peek()
        if not c:
            raise self.bad(f"the answer ends early, after {self.answer.received} bytes")
        if c not in allowed:
            raise self.bad(f"expected {' or '.join(repr(a) for a in allowed)}, found {c!r}")
        self.pos += 1
        return c

    def _value(self) -> object:
        if not self._peek():
            raise self.bad(f"the answer ends early, after {self.answer.received} bytes")
        while True:
            try:
                value, end = self._json.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as e:
                if self.eof:
                    raise self.bad(f"{e.msg} (the answer stopped after {self.answer.received} bytes)") from None
                self._grow()
                continue
            if end == len(self.buf) and not self.eof and self._more():
                continue  # a number might go on in the next piece
            self.pos = end
            return value

    def _grow(self) -> None:
        """Read until the unread text doubles, so a long value is decoded a few times, not once per piece."""
        goal = max(2 * (len(self.buf) - self.pos), _CHUNK)
        while len(self.buf) - self.pos < goal and self._more():
            pass

