"""Guarded SPARQL for people: run a query under a row cap and a wall-clock limit that really stops it,
show the results (table, CSV, TSV, JSON, XML, Turtle, N-Triples), and the named queries in graph/queries/.

Where a query runs, and why (pyoxigraph cannot cancel a query from Python, and ignores signals):

- **On-disk store**: in a worker process (`subprocess`, not `fork`: a fork of a threaded process such as
  Streamlit or the endpoint can deadlock) that holds ``Store.read_only(<folder>/oxigraph)`` open and
  streams rows back. A read-only view does not see later writes, so the owner flushes before each query
  and sends the engine folder's generation (its file names, sizes and times, which every flushed write
  changes); the worker opens a fresh view when that differs (~15 ms at 10,000 statements). At the limit
  the worker gets SIGKILL and is replaced; the owner never ran the query, so it stays healthy. Idle
  workers are kept for the next query (~40 ms to start one).
- **``memory:`` store**: in this process, because no other process can see an in-memory store (a fork
  could, but see above). The row cap holds; the time limit cannot be enforced there, so memory stores
  are for tests and throwaway work.
- **Remote endpoint**: over HTTP with a client timeout equal to the query's limit; the server should
  also stop the query itself (``oxigraph serve --timeout-s``), or it computes on after we hang up.

The guard's rdflib parse (seconds on a large FILTER, ~50 ms on a named query) also runs in the worker,
under the same limit; the linear checks (size, nesting, SERVICE, LOAD, updates) run here first and refuse
at once. What the parse let through is remembered by the query's text, so the same query (the UI's and
the named queries') is parsed once per process.

This module must stay cheap to import: every worker process imports it. rdflib is imported lazily.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import os
import re
import select
import subprocess
import sys
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import pyoxigraph as ox

from graph import guard
from graph.errors import ParleyError, QueryError
from graph.guard import CheckedQuery, DatasetClause

if TYPE_CHECKING:
    from rdflib import URIRef
    from rdflib.term import Node

    from graph.store import Store

DEFAULT_ROW_LIMIT = 10_000
DEFAULT_TIMEOUT = 30.0
QUERIES_DIR = Path(__file__).resolve().parent / "queries"
RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("table", "ttl", "nt")
MAX_CELL = 80
_BATCH = 500
_MAX_IDLE_WORKERS = 2
_MAX_WORKERS = max(2, os.cpu_count() or 2)
_ROOT = str(Path(__file__).resolve().parent.parent)  # the folder holding the `graph` package
_WORKER_CODE = "from graph.sparql import _worker_main; _worker_main()"
_READ_ATTEMPTS = 8
_QUERY_STACK = 1 << 30
_T = TypeVar("_T")
_STORE_CHANGED = re.compile(r"No such file|Corruption", re.I)
_CHECKED_CACHE_SIZE = 256
_CHECKED_CACHE_MAX_TEXT = 64 * 1024  # longer queries are rare and parsed each time


@dataclass
class QueryResult:
    """The answer to a guarded query. Graph results (CONSTRUCT, DESCRIBE) are rows of
    (subject, predicate, object). `truncated` says the row cap cut the answer: more rows exist."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    truncated: bool = False
    limit: int = DEFAULT_ROW_LIMIT

    @property
    def gives_graph(self) -> bool:
        return self.form in ("construct", "describe")


# -- running ------------------------------------------------------------------------------------------

def run(store: Store, query: str, *, limit: int = DEFAULT_ROW_LIMIT,
        timeout: float = DEFAULT_TIMEOUT) -> QueryResult:
    """Check `query` with the read-only guard and run it on `store` over the union of its graphs.

    :param limit: the most rows (or triples) to return; the result says when there were more.
    :param timeout: seconds of wall-clock time for the check and the query together.
    :raises QueryError: refused by the guard, a syntax error, or stopped at the time limit.

    >>> from graph.store import Store
    >>> run(Store.open("memory:"), "ASK { ?s ?p ?o }").boolean
    False
    """
    from graph.backends.embedded import ENGINE_DIR, EmbeddedBackend

    if limit < 0:
        raise QueryError(f"the row limit must be 0 or more, not {limit}")
    if not timeout > 0:
        raise QueryError(f"the time limit must be a positive number of seconds, not {timeout}")
    guard.precheck(query)
    backend = store.backend
    deadline = time.monotonic() + timeout
    engine_dir = None
    if isinstance(backend, EmbeddedBackend) and backend.path is not None:
        engine_dir = str(Path(backend.path) / ENGINE_DIR)
    checked = _CHECKED.get(query)
    try:
        if checked is None or engine_dir is not None:
            with _POOL.worker(deadline, engine_dir) as worker:
                if checked is None:
                    worker.send({"op": "check", "query": query})
                    checked = _checked_from(worker.receive(deadline))
                    _CHECKED.put(query, checked)
                guard.check_datasets(checked, lambda iri: _is_store_graph(store, iri))
                if engine_dir is not None:
                    store.flush()  # the worker's read-only view sees what the owner has flushed
                    worker.send({"op": "run", "path": engine_dir, "generation": _generation(engine_dir),
                                 "query": checked.text, "limit": limit, "header_lines": _header_lines(checked),
                                 "form": checked.form})
                    worker.view = engine_dir
                    return _collect(lambda: worker.receive(deadline), limit)
        else:
            guard.check_datasets(checked, lambda iri: _is_store_graph(store, iri))
    except _Stopped:
        raise QueryError(f"query stopped after {timeout:g} s; narrow it, or raise --timeout") from None
    if isinstance(backend, EmbeddedBackend):  # memory: runs here; the time limit cannot hold
        engine, header = backend.engine, _header_lines(checked)
        messages = iter(_on_big_stack(lambda: list(_results(engine, checked.text, limit, header, checked.form))))
        return _collect(lambda: next(messages), limit)
    return _run_remote(store, checked, limit, timeout)


def _is_store_graph(store: Store, iri: str) -> bool:
    from rdflib import URIRef

    from graph.terms import nt

    try:
        name = nt(URIRef(iri))
    except (TypeError, ValueError):
        return False
    return store.ask(f"ASK {{ GRAPH {name} {{ ?s ?p ?o }} }}", union=False)


def _header_lines(checked: CheckedQuery) -> int:
    return checked.text[: len(checked.text) - len(checked.source)].count("\n")


class _CheckedCache:
    """The guard's verdicts on recent queries, by text: `guard.parse_checked` is a function of the text
    alone, so a query it let through once passes again without the parse. Refusals are not kept."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, CheckedQuery] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, query: str) -> CheckedQuery | None:
        with self._lock:
            checked = self._items.get(query)
            if checked is not None:
                self._items.move_to_end(query)
            return checked

    def put(self, query: str, checked: CheckedQuery) -> None:
        if len(query) > _CHECKED_CACHE_MAX_TEXT:
            return
        with self._lock:
            self._items[query] = checked
            self._items.move_to_end(query)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_CHECKED = _CheckedCache(_CHECKED_CACHE_SIZE)


def _generation(engine_dir: str) -> list[Any]:
    """What the engine's folder holds: every name with its size and modification time. A write the owner
    flushed adds a table file or grows the log, so a read-only view opened at another generation may be
    stale; background compaction changes it too, which only costs a fresh view."""
    try:
        entries = list(os.scandir(engine_dir))
    except OSError:
        return []
    out = []
    for e in entries:
        try:
            st = e.stat()
        except OSError:  # removed while we looked: the next look differs anyway
            continue
        out.append([e.name, st.st_size, st.st_mtime_ns])
    return sorted(out)


def _checked_from(message: dict[str, Any]) -> CheckedQuery:
    if "error" in message:
        raise QueryError(message["error"])
    c = message["checked"]
    return CheckedQuery(c["text"], c["form"], c["source"], tuple(DatasetClause(*d) for d in c["datasets"]))


def _run_remote(store: Store, checked: CheckedQuery, limit: int, timeout: float) -> QueryResult:
    from graph.backends.remote import RemoteBackend
    from graph.errors import EndpointError
    from graph.store import Store as StoreType

    # A backend of our own whose HTTP timeout is this query's limit; nothing is sent until the query.
    remote = StoreType(RemoteBackend(store.spec, timeout=timeout), store.spec)
    try:
        if checked.form == "ask":
            return QueryResult("ask", boolean=remote.ask(checked.text), limit=limit)
        if checked.form == "select":
            answer = remote.select(checked.text, limit=limit + 1)
            return QueryResult("select", answer.variables, answer.rows[:limit],
                               truncated=len(answer.rows) > limit, limit=limit)
        triples = sorted(remote.construct(checked.text), key=lambda t: tuple(str(x) for x in t))
        return QueryResult(checked.form, ["subject", "predicate", "object"], list(triples[:limit]),
                           truncated=len(triples) > limit, limit=limit)
    except EndpointError as e:
        if re.search(r"did not (answer|finish answering) within", str(e)):
            raise QueryError(f"query stopped after {timeout:g} s; narrow it, or raise --timeout (the endpoint "
                             f"computes on unless it has a limit of its own, e.g. oxigraph serve --timeout-s)"
                             ) from None
        raise


class _Stopped(Exception):
    """The wall-clock limit passed; the worker was killed."""


def _collect(receive: Callable[[], dict[str, Any]], limit: int) -> QueryResult:
    result: QueryResult | None = None
    decode = _decoder()
    while True:
        message = receive()
        if "error" in message:
            raise QueryError(message["error"])
        if "form" in message:
            result = QueryResult(message["form"], list(message.get("vars", [])), limit=limit)
            if message["form"] == "ask":
                result.boolean = bool(message["boolean"])
                return result
        elif "rows" in message and result is not None:
            result.rows.extend(tuple(map(decode, row)) for row in message["rows"])
        elif "end" in message and result is not None:
            result.truncated = bool(message["truncated"])
            return result
        else:
            raise QueryError(f"the query process sent something unexpected: {str(message)[:100]}")


# -- the worker side: runs in the worker process, or in this one for memory: stores --------------------

def _results(engine: ox.Store, text: str, limit: int, header_lines: int, form: str) -> Iterator[dict[str, Any]]:
    """The messages that carry a query's answer: its form and variables, batches of rows, the end."""
    try:
        result = engine.query(text, use_default_graph_as_union=True)
    except SyntaxError as e:
        raise QueryError(_engine_syntax_message(str(e), header_lines)) from None
    except (OSError, RuntimeError, ValueError) as e:
        raise QueryError(f"the query failed: {e}") from None
    if isinstance(result, ox.QueryBoolean):
        yield {"form": "ask", "boolean": bool(result)}
        return
    rows: Iterator[list[Any]]
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        yield {"form": "select", "vars": names}
        rows = ([_encode(solution[i]) for i in range(len(names))] for solution in result)
    else:
        yield {"form": form, "vars": ["subject", "predicate", "object"]}
        triples: Iterator[Any] = iter(result)
        rows = ([_encode(t.subject), _encode(t.predicate), _encode(t.object)] for t in triples)
    batch: list[list[Any]] = []
    count = 0
    truncated = False
    try:
        for row in rows:
            if count >= limit:
                truncated = True
                break
            batch.append(row)
            count += 1
            if len(batch) >= _BATCH:
                yield {"rows": batch}
                batch = []
    except (OSError, RuntimeError, ValueError) as e:
        raise QueryError(f"the query failed: {e}") from None
    if batch:
        yield {"rows": batch}
    yield {"end": True, "truncated": truncated}


def _engine_syntax_message(message: str, header_lines: int) -> str:
    m = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if not m:
        return f"SPARQL syntax error: {message}"
    line = max(1, int(m.group(1)) - header_lines)
    return f"SPARQL syntax error at line {line}, column {m.group(2)}: {m.group(3)}"


def _encode(term: Any) -> Any:
    """A pyoxigraph term as compact JSON: ["u", iri], ["b", id], ["l", text(, "@lang" | datatype)]."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return ["u", term.value]
    if isinstance(term, ox.BlankNode):
        return ["b", term.value]
    if isinstance(term, ox.Literal):
        if term.language:
            return ["l", term.value, "@" + term.language]
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return ["l", term.value, term.datatype.value]
        return ["l", term.value]
    return ["l", str(term)]  # an RDF 1.2 triple term: shown as its text


def _decode(item: Any) -> Node | None:
    from rdflib import BNode, Literal, URIRef

    if item is None:
        return None
    if item[0] == "u":
        return URIRef(item[1])
    if item[0] == "b":
        return BNode(item[1])
    if len(item) == 2:
        return Literal(item[1])
    if item[2].startswith("@"):
        return Literal(item[1], lang=item[2][1:])
    return Literal(item[1], datatype=URIRef(item[2]))


def _decoder() -> Callable[[Any], Node | None]:
    """`_decode` that makes each distinct term once per result: answers repeat IRIs, dates and labels,
    and an rdflib term (a Literal parses its value) costs far more than a look-up."""
    made: dict[tuple[str, ...], Node | None] = {}

    def decode(item: Any) -> Node | None:
        if item is None:
            return None
        key = tuple(item)
        try:
            return made[key]
        except KeyError:
            term = made[key] = _decode(item)
            return term

    return decode


def _on_big_stack(work: Callable[[], _T]) -> _T:
    """Run `work` on a thread with a large stack. The engine recurses over the query's tree, and a long
    flat chain (20,000 `||` or UNION branches, well under the size cap) overflows an ordinary 8 MB stack
    and kills the process; the larger stack is address space, used only as needed."""
    return guard.on_big_stack(work, _QUERY_STACK, "parley-query")


def _worker_main() -> None:
    """The worker process: JSON requests on stdin, JSON lines of answers on stdout, until stdin closes."""
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    # the guard's parser (rdflib, ~0.5 s to import) is loaded while the worker waits for its first request
    threading.Thread(target=_load_parser, daemon=True).start()
    _on_big_stack(_serve_requests)


def _load_parser() -> None:
    try:
        import rdflib.plugins.sparql.parser  # noqa: F401
    except Exception:  # noqa: BLE001 - the request that needs it reports the error
        pass


def _serve_requests() -> None:
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        request = json.loads(line)
        try:
            if request["op"] == "check":
                c = guard.parse_checked(request["query"])
                _send(out, {"checked": {"text": c.text, "form": c.form, "source": c.source,
                                        "datasets": [[d.keyword, d.iri, d.where] for d in c.datasets]}})
            else:
                _run_read_only(out, request)
        except ParleyError as e:
            _send(out, {"error": str(e)})
        except Exception as e:  # noqa: BLE001 - reported to the parent, which shows it as an Error
            _send(out, {"error": f"the query failed: {type(e).__name__}: {e}"})


class _View:
    """The worker's read-only view of one store, kept while the owner's folder stays at one generation."""

    path: str | None = None
    generation: Any = None
    engine: ox.Store | None = None

    @classmethod
    def get(cls, path: str, generation: Any) -> ox.Store:
        if cls.engine is None or cls.path != path or cls.generation != generation:
            cls.drop()
            cls.engine = ox.Store.read_only(path)
            cls.path, cls.generation = path, generation
        return cls.engine

    @classmethod
    def drop(cls) -> None:
        cls.engine = None  # closes the view before another is opened
        cls.path = cls.generation = None


def _run_read_only(out: IO[bytes], request: dict[str, Any]) -> None:
    # The owner's background compaction can delete a table file that the view has not opened yet; the
    # read is then simply tried again on a fresh view, as long as nothing was sent.
    for attempt in range(_READ_ATTEMPTS):
        sent = False
        try:
            engine = _View.get(request["path"], request.get("generation"))
            for message in _results(engine, request["query"], request["limit"], request["header_lines"],
                                    request["form"]):
                _send(out, message)
                sent = True
            return
        except (OSError, RuntimeError, QueryError) as e:
            changed = bool(_STORE_CHANGED.search(str(e)))
            if changed or not isinstance(e, QueryError):
                _View.drop()
            if sent or attempt == _READ_ATTEMPTS - 1 or not changed:
                raise
            time.sleep(0.02 * (attempt + 1))


def _send(out: IO[bytes], message: dict[str, Any]) -> None:
    out.write(json.dumps(message, ensure_ascii=False).encode("utf-8") + b"\n")
    out.flush()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)  # the parent died mid-query: stop computing for nobody


class _Worker:
    def __init__(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([_ROOT, *filter(None, [env.get("PYTHONPATH")])])
        debug = bool(os.environ.get("PARLEY_DEBUG"))
        # -P: never import modules from the current folder
        self.proc = subprocess.Popen([sys.executable, "-P", "-c", _WORKER_CODE], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=None if debug else subprocess.DEVNULL, env=env)
        self.buffer = b""
        self.pending = False  # a request whose last answer has not been read yet
        self.view: str | None = None  # the engine folder of the last query it ran: it may hold it open
        assert self.proc.stdout is not None
        self._poll = select.poll()  # not select(): it fails on descriptors above 1023 in a busy server
        self._poll.register(self.proc.stdout.fileno(), select.POLLIN)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        try:
            self.pending = True
            self.proc.stdin.write(json.dumps(message).encode("utf-8") + b"\n")
            self.proc.stdin.flush()
        except OSError:
            raise QueryError("the query process ended unexpectedly; run the query again") from None

    def receive(self, deadline: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self._poll.poll(max(1, int(left * 1000))):
                raise _Stopped()
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                code = self.proc.wait()
                raise QueryError(f"the query process ended unexpectedly (exit status {code}); "
                                 f"the store is unchanged")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        message = dict(json.loads(line))
        if {"checked", "error", "end", "boolean"} & message.keys():
            self.pending = False
        return message

    def kill(self) -> None:
        if self.alive:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


class _Pool:
    """Worker processes: at most `size` busy at once, a few kept idle for the next query."""

    def __init__(self, size: int) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def worker(self, deadline: float, view: str | None = None) -> Iterator[_Worker]:
        """An idle worker (one that has `view` open, if any does) or a new one."""
        if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise _Stopped()
        worker: _Worker | None = None
        try:
            with self._lock:
                for candidate in [w for w in self._idle if not w.alive]:
                    self._idle.remove(candidate)
                    candidate.kill()
                if self._idle:
                    same = [w for w in self._idle if view is not None and w.view == view]
                    worker = same[-1] if same else self._idle[-1]
                    self._idle.remove(worker)
            if worker is None:
                worker = _Worker()
            yield worker
        finally:
            if worker is not None:  # reused only if it answered its last request in full
                reusable = worker.alive and not (worker.pending or worker.buffer)
                with self._lock:
                    if reusable and len(self._idle) < _MAX_IDLE_WORKERS:
                        self._idle.append(worker)
                        worker = None
                if worker is not None:
                    worker.kill()  # stopped at the limit, or not needed: a fresh one starts for the next query
                    with self._lock, suppress(OSError):  # no process to spare: the next query starts one
                        if len(self._idle) < _MAX_IDLE_WORKERS:
                            self._idle.append(_Worker())
            self._slots.release()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()


_POOL = _Pool(_MAX_WORKERS)
atexit.register(_POOL.close)


# -- showing results -----------------------------------------------------------------------------------

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


# -- named queries ---------------------------------------------------------------------------------------

PARAM_TYPES = ("actor", "issue", "event", "document", "place", "source", "statement", "entity", "date", "text")
ENTITY_KINDS = ("actor", "issue", "event", "document", "place", "source")
_PARAM_LINE = re.compile(r"(?P<name>[A-Za-z_]\w*)\s*\(\s*(?P<type>[a-z]+)\s*(?:,\s*(?P<optional>optional)\s*)?\)"
                         r"\s*(?P<description>.*)")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str
    optional: bool = False


@dataclass(frozen=True)
class NamedQuery:
    """A query with a header: ``# title:``, ``# description:`` and ``# param: name (type[, optional]) text``."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str

    @classmethod
    def from_text(cls, name: str, text: str) -> "NamedQuery":
        """Read the header of comment lines at the top of a query.

        >>> q = NamedQuery.from_text("x", "# title: X\\n# param: actor (actor) who\\nSELECT * WHERE { ?actor ?p ?o }")
        >>> q.params[0]
        Param(name='actor', type='actor', description='who', optional=False)
        """
        title, description, params = "", [], []
        for number, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            if not stripped:
                continue
            if not stripped.startswith("#"):
                break
            key, _, value = stripped.lstrip("#").strip().partition(":")
            key, value = key.strip().lower(), value.strip()
            if key == "title":
                title = value
            elif key == "description":
                description.append(value)
            elif key == "param":
                m = _PARAM_LINE.fullmatch(value)
                if not m or m["type"] not in PARAM_TYPES:
                    raise QueryError(f"{name}: line {number}: a parameter reads `# param: name (type) description` "
                                     f"with a type among {', '.join(PARAM_TYPES)}, not {value!r}")
                params.append(Param(m["name"], m["type"], m["description"].strip(), bool(m["optional"])))
        return cls(name, title or name, " ".join(description), tuple(params), text)


def list_queries() -> list[NamedQuery]:
    """Every named query in graph/queries/, by name."""
    return [load_query(p.stem) for p in sorted(QUERIES_DIR.glob("*.rq"))]


def load_query(name: str) -> NamedQuery:
    """The named query `name` (a file graph/queries/NAME.rq).

    :raises QueryError: there is no such query.
    """
    path = QUERIES_DIR / f"{name}.rq"
    # a name too long for a file (the system's limit is 255 bytes) is not one either
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,199}", name) or not path.is_file():
        raise QueryError(f"no named query {name!r}; `parley queries` lists them")
    return NamedQuery.from_text(name, path.read_text(encoding="utf-8"))


def bind_params(store: Store, query: NamedQuery, given: Mapping[str, str]) -> str:
    """The query's text with its parameters bound as RDF terms (a VALUES block, never pasted text).

    An entity parameter takes an id (``vladimir-putin``) or any label or alias in any language
    (``Путин``), matched without regard to case; a date takes YYYY-MM-DD; text stays a plain literal.

    :raises QueryError: a parameter is unknown, missing, or names nothing in the store.
    """
    from graph.store import bind

    declared = {p.name: p for p in query.params}
    for name in given:
        if name not in declared:
            takes = ", ".join(declared) or "no parameters"
            raise QueryError(f"unknown parameter {name!r} for query {query.name!r}; it takes {takes}")
    bindings: dict[str, Node] = {}
    for p in query.params:
        if p.name not in given:
            if p.optional:
                continue
            raise QueryError(f"query {query.name!r} needs parameter {p.name!r} ({p.type}): "
                             f"give --param {p.name}=…")
        bindings[p.name] = param_term(store, p, given[p.name])
    return bind(query.text, bindings)


def param_term(store: Store, param: Param, value: str) -> Node:
    """One parameter value as an RDF term."""
    from rdflib import Literal

    from ontology.namespaces import XSD

    value = unicodedata.normalize("NFC", value).strip()
    if param.type == "text":
        return Literal(value)
    if param.type == "date":
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            dt.date.fromisoformat(value)
        except ValueError:
            raise QueryError(f"parameter {param.name!r}: {value!r} is not a date; write YYYY-MM-DD") from None
        return Literal(value, datatype=XSD.date)
    return resolve(store, param.type, value, name=param.name)


def resolve(store: Store, kind: str, value: str, *, name: str | None = None) -> URIRef:
    """The record of `kind` (or any kind, for ``entity``) with this id, label or alias.

    :raises QueryError: nothing matches, or several records do.
    """
    from rdflib import Literal, URIRef

    from graph.iri import mint
    from graph.terms import nt
    from ontology.namespaces import DCTERMS, RDFS, SKOS

    kinds = ENTITY_KINDS if kind == "entity" else (kind,)
    what = f"parameter {name!r}: " if name else ""
    classes = " ".join(nt(c) for c in _classes(kinds))
    found = set()
    for k in kinds:  # an id first (`vladimir-putin`; `Vladimir Putin` gives the same id)
        try:
            iri = mint(k, value)
        except ParleyError:
            continue
        if store.ask(f"ASK {{ VALUES ?class {{ {' '.join(nt(c) for c in _classes((k,)))} }} {nt(iri)} a ?class }}"):
            found.add(str(iri))
    if not found:
        labels = " ".join(nt(p) for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, DCTERMS.title))
        rows = store.select(
            f"SELECT DISTINCT ?e WHERE {{ VALUES ?class {{ {classes} }} VALUES ?p {{ {labels} }} "
            "?e a ?class ; ?p ?label . FILTER(LCASE(STR(?label)) = ?needle) }",
            {"needle": Literal(value.lower())}).rows
        found = {str(r[0]) for r in rows}
    if not found:
        looked = "record" if kind == "entity" else kind
        raise QueryError(f"{what}no {looked} {value!r} in the store (looked for the id and every label and alias)")
    if len(found) > 1:
        shown = ", ".join(short_name(f) for f in sorted(found)[:8])
        raise QueryError(f"{what}{value!r} is ambiguous: it names {shown}; give one of these ids")
    return URIRef(found.pop())


def _classes(kinds: tuple[str, ...]) -> list[URIRef]:
    from ontology.namespaces import PARLEY, SCHEMA, SEM

    table_ = {"actor": [PARLEY.Actor], "issue": [PARLEY.Issue], "event": [SEM.Event], "document": [PARLEY.Document],
              "place": [SCHEMA.Place], "source": [SCHEMA.CreativeWork], "statement": [PARLEY.Statement]}
    return [c for k in kinds for c in table_[k]]


def run_named(store: Store, query: NamedQuery, params: Mapping[str, str], *, limit: int = DEFAULT_ROW_LIMIT,
              timeout: float = DEFAULT_TIMEOUT) -> QueryResult:
    """Bind a named query's parameters and run it with `run`."""
    return run(store, bind_params(store, query, params), limit=limit, timeout=timeout)


__all__ = ["DEFAULT_ROW_LIMIT", "DEFAULT_TIMEOUT", "NamedQuery", "Param", "QueryResult", "bind_params",
           "list_queries", "load_query", "param_term", "resolve", "results_json", "run", "run_named", "serialize",
           "short_name", "show", "table"]
