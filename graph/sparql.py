"""Guarded SPARQL for people: run a query under a row cap and a wall-clock limit that really stops it.
graph.results shows the answers; graph.named_queries reads the named queries in graph/queries/ and binds them.

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
import json
import os
import re
import select
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import pyoxigraph as ox

from graph import guard
from graph.errors import ParleyError, QueryError
from graph.guard import CheckedQuery, DatasetClause

if TYPE_CHECKING:
    from rdflib.term import Node

    from graph.store import Store

DEFAULT_ROW_LIMIT = 10_000
DEFAULT_TIMEOUT = 30.0
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


__all__ = ["DEFAULT_ROW_LIMIT", "DEFAULT_TIMEOUT", "QueryResult", "run"]
