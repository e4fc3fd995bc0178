"""The embedded Oxigraph engine: an on-disk store owned by one process, or a throwaway store in memory."""

from __future__ import annotations

import fcntl
import os
import queue
import threading
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node, URIRef

from graph import files
from graph.backends import SelectRows
from graph.errors import StoreError, StoreInUseError, WriteError
from graph.terms import from_ox

LOCK_NAME = "parley.lock"
ENGINE_DIR = "oxigraph"
# Names the graphs a bulk load is adding while it runs; left behind only by an interrupted load.
JOURNAL_NAME = "parley.journal"
# Below this many quads the transactional load is as fast, and leaves no extra engine files behind.
BULK_MIN_QUADS = 20_000
# The engine's bulk loader holds what one call gives it (up to a million quads per thread) in memory, about
# 800 bytes a quad: a large load is given to it in calls of this many quads, which keeps it to a few hundred
# MB at any size and takes no longer.
BULK_BATCH_QUADS = 250_000
# A load made in several bulk-load calls leaves overlapping files, which the engine compacts in the background
# when the store is next opened, slowing the first reads while it works: about 20 s for 7.7 million quads on
# two cores. From this many quads on, the ingest compacts them itself before it returns; below, it takes the
# engine a second or two and is left to it (at 780,000 quads the app's first views took under 0.8 s while
# the engine compacted, and compacting in the ingest made it longer).
SETTLE_MIN_QUADS = 1_000_000
_FORMATS = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


class EmbeddedBackend:
    """pyoxigraph's `Store`, on disk under `path` (owned by this process while open) or in memory."""

    def __init__(self, path: str | None, *, create: bool) -> None:
        self.path = path
        self._lock_fd: int | None = None
        if path is None:
            self.description = "memory:"
            self.engine = ox.Store()
            return
        folder = Path(path)
        self.description = str(folder)
        try:
            if not folder.exists():
                if not create:
                    raise StoreError(f"no store at {folder}: run `parley --store {folder} init` first")
                folder.mkdir(parents=True)
            elif not folder.is_dir():
                raise StoreError(f"store path {folder} is not a folder")
            elif not create and not (folder / ENGINE_DIR).exists():
                raise StoreError(f"{folder} is not a Parley store: run `parley --store {folder} init` first")
        except OSError as e:  # a name longer than the file system allows, a folder that cannot be made
            raise StoreError(f"cannot open store {folder}: {e.strerror or e}") from None
        self._lock_fd = self._take_lock(folder)
        try:
            self.engine = ox.Store(str(folder / ENGINE_DIR))
        except OSError as e:
            self._release_lock()
            if "lock" in str(e).lower():
                raise StoreInUseError(
                    f"store {folder} is in use by another process (an `oxigraph serve` or a Parley "
                    f"process without a lock file); stop it or use its endpoint with --store http://…"
                ) from None
            raise StoreError(f"cannot open store {folder}: {e}") from None
        try:
            self._recover()
        except BaseException:
            del self.engine
            self._release_lock()
            raise

    @staticmethod
    def _take_lock(folder: Path) -> int:
        lock_path = folder / LOCK_NAME
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise StoreInUseError(
                f"store {folder} is in use by process {owner}; stop it, or let it serve the store "
                f"(`parley serve`) and use --store http://…"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return fd

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _query(self, query: str, union: bool) -> object:
        try:
            return self.engine.query(query, use_default_graph_as_union=union)
        except SyntaxError as e:
            from graph.errors import QueryError

            raise QueryError(f"SPARQL syntax error: {e}") from None

    def select(self, query: str, *, union: bool = True, limit: int | None = None) -> SelectRows:
        result = self._query(query, union)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("expected a SELECT query")
        variables = [v.value for v in result.variables]
        rows: list[tuple] = []
        for solution in result:
            if limit is not None and len(rows) >= limit:  # checked first, so that limit=0 gives no rows
                break
            rows.append(tuple(None if (t := solution[i]) is None else from_ox(t) for i in range(len(variables))))
        return SelectRows(variables, rows)

    def select_text(self, query: str, *, union: bool = True) -> list[tuple[str | None, ...]]:
        result = self._query(query, union)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("expected a SELECT query")
        width = range(len(result.variables))  # every term's `value` is what str() of its rdflib term gives
        return [tuple(None if (t := solution[i]) is None else t.value for i in width) for solution in result]

    def ask(self, query: str, *, union: bool = True) -> bool:
        return bool(self._query(query, union))

    def triples(self) -> Iterator[tuple[Node, Node, Node]]:
        # Straight from the engine's quad index, one at a time: the whole store as a list of terms took 6.3 GB
        # at 100,000 statements. Each IRI, and each short literal (dates, counts, codes), is made once and
        # given again wherever it recurs, so that what a caller keeps of them (the SHACL checks index them all)
        # holds one object per term, not one per use: `parley validate` of that store peaked at 3.8 GB
        # without this and at 2.1 GB with it.
        iris: dict[str, URIRef] = {}
        short: dict[ox.Literal, Node] = {}

        def term(t: object) -> Node:
            if type(t) is ox.NamedNode:
                made = iris.get(t.value)
                if made is None:
                    made = iris[t.value] = URIRef(t.value)
                return made
            if type(t) is ox.Literal and len(t.value) <= 32:
                known = short.get(t)
                if known is None:
                    known = short[t] = from_ox(t)
                return known
            return from_ox(t)

        for q in self.engine.quads_for_pattern(None, None, None, None):
            yield term(q.subject), term(q.predicate), term(q.object)

    def construct(self, query: str, *, union: bool = True) -> Graph:
        result = self._query(query, union)
        g = Graph()
        for t in result:  # type: ignore[attr-defined]
            g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        return g

    def update(self, update: str) -> None:
        try:
            self.engine.update(update)
        except (SyntaxError, ValueError, RuntimeError, OSError) as e:
            raise WriteError(f"write refused, nothing stored: {e}") from None

    def add_nquads(self, data: bytes) -> None:
        try:
            self.engine.load(input=data, format=ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError, OSError) as e:
            raise WriteError(f"write refused, nothing stored: {e}") from None

    def add_new_graphs(self, data: Iterable[bytes], graphs: list[str], quads: int,
                       before_compacting: Callable[[], None] | None = None) -> None:
        """Add quads (N-Quads) to named graphs none of which exists yet, all or nothing.

        A large load on disk goes through the engine's bulk loader, which is much faster and leaves a far
        smaller store than one transaction, but is not atomic: a journal naming the graphs is made durable
        first and removed after, so a load cut short (killed, disk full, a bad line) is undone on the spot
        or, if the process died, when the store is next opened. Graphs that already exist take the
        transactional path, so undoing a load can never drop data that was there before.

        :param before_compacting: called once the quads are in, when the load ends by compacting the store.
        """
        if self.path is None or quads < BULK_MIN_QUADS or any(
                self.engine.contains_named_graph(ox.NamedNode(g)) for g in graphs):
            self.add_nquads(b"".join(data))
            return
        journal = Path(self.path) / JOURNAL_NAME
        try:
            files.write_whole(journal, "".join(f"{g}\n" for g in graphs).encode(), strict=True)
        except OSError as e:
            raise WriteError(f"write refused, nothing stored: {e}") from None
        calls = 0
        try:
            for batch in _batches(data, BULK_BATCH_QUADS):
                self.engine.bulk_load(input=batch, format=ox.RdfFormat.N_QUADS)
                calls += 1
        except (SyntaxError, ValueError, OSError) as e:
            self._undo()
            raise WriteError(f"write refused, nothing stored: {e}") from None
        files.remove(journal)
        if compacts_after(calls, quads):
            if before_compacting is not None:
                before_compacting()
            self.settle()

    def settle(self) -> None:
        """Compact the engine's files now. Several bulk-load calls leave overlapping files that the engine
        otherwise compacts in the background when the store is next opened, which slowed the app's first
        views after a large ingest from about 1 s to 20–30 s (100,000 statements); compacting here costs
        the ingest about 20 s at that size. A failure is harmless: the data is in, only not compacted.

        The engine writes what it compacts uncompressed (its options leave the level compaction fills
        without compression), so a compacted store is 1.7–1.9 times the size of the bulk-loaded files it
        came from; the engine's own bulk-loaded store grows the same way when it is next opened."""
        try:
            self.engine.optimize()
        except OSError:
            pass

    def streaming_load(self) -> StreamingLoad | None:
        """A bulk load fed a batch at a time while the caller prepares the next (None in memory)."""
        return None if self.path is None else StreamingLoad(self)

    def _undo(self) -> None:
        """Undo a bulk load now, or, if that fails too, leave its journal for the next open to undo it."""
        try:
            self._recover()
        except (StoreError, OSError):
            pass

    def _recover(self) -> None:
        """Undo a bulk load that did not finish: drop the graphs its journal names, then the journal."""
        if self.path is None:
            return
        journal = Path(self.path) / JOURNAL_NAME
        if not journal.exists():
            return
        graphs = [line for line in journal.read_text(encoding="utf-8").splitlines() if line]
        try:
            for chunk in range(0, len(graphs), 5000):
                self.engine.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs[chunk:chunk + 5000]))
            self.engine.flush()
        except OSError as e:
            raise StoreError(f"cannot undo an interrupted ingest in {self.path}: {e}") from None
        files.remove(journal)

    def bulk_load(self, data: bytes | str, fmt: str) -> None:
        """The engine's fastest load path; not transactional, for fresh stores and benchmarks."""
        self.engine.bulk_load(input=data if isinstance(data, bytes) else data, format=_FORMATS[fmt])

    def dump(self, out: BinaryIO, fmt: str) -> None:
        self.engine.dump(out, _FORMATS[fmt])

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self.engine.named_graphs() if isinstance(g, ox.NamedNode))

    def quad_count(self) -> int:
        return len(self.engine)

    def flush(self) -> None:
        if self.path is not None:
            self.engine.flush()

    def backup(self, target: str) -> None:
        if self.path is None:
            raise StoreError("an in-memory store has nothing on disk to back up; use `parley export`")
        if Path(target).exists():
            raise StoreError(f"backup target {target} already exists; name a new folder")
        self.engine.flush()
        self.engine.backup(target)

    def close(self) -> None:
        """Flush to disk and give up ownership; a failing flush (a full disk) is a StoreError, and the
        lock is released all the same. Committed writes are safe either way: they are in the engine's log."""
        try:
            if hasattr(self, "engine") and self.path is not None:
                self.engine.flush()
        except OSError as e:
            raise StoreError(f"could not flush store {self.path} to disk: {e}") from None
        finally:
            if hasattr(self, "engine"):
                del self.engine
            self._release_lock()


class StreamingLoad:
    """New graphs given to the engine's bulk loader a batch at a time, in a thread of its own, while the caller
    maps and checks the next batch (the loader leaves Python's lock while it works): an ingest then takes
    about as long as the longer of the two instead of their sum.

    All or nothing like `EmbeddedBackend.add_new_graphs`: each batch's graphs are added to the journal, made
    durable, before the loader sees the batch, so `abort()` (or, after a crash, the next open) drops every
    graph given; `finish()` waits for the loader and removes the journal. Only graphs that do not exist yet
    may be given, so undoing can never drop data that was there before.
    """

    def __init__(self, backend: EmbeddedBackend) -> None:
        self.backend = backend
        self.journal = Path(str(backend.path)) / JOURNAL_NAME
        self.quads = 0
        self.calls = 0
        # One batch waits while one loads: memory stays at about two batches' text.
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def add(self, data: bytes, graphs: list[str], quads: int) -> None:
        """Queue `quads` quads (N-Quads, whole lines) of `graphs`; blocks while the loader is two batches behind.

        :raises WriteError: an earlier batch failed; the caller then calls `abort()`.
        """
        self._check()
        try:
            first = not self.journal.exists()
            with open(self.journal, "ab") as f:
                f.write("".join(f"{g}\n" for g in graphs).encode())
                f.flush()
                os.fsync(f.fileno())
            if first:
                files.sync_folder(self.journal.parent)
        except OSError as e:
            raise WriteError(f"write refused, nothing stored: {e}") from None
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="parley-bulk-load", daemon=True)
            self._thread.start()
        self._queue.put(data)
        self.quads += quads
        self.calls += 1

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self.backend.engine.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)
                except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
                    self._error = e

    def _wait(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _check(self) -> None:
        if self._error is not None:
            raise WriteError(f"write refused, nothing stored: {self._error}")

    def finish(self) -> None:
        """Wait for the loader; then the graphs given are in the store for good.

        :raises WriteError: a batch failed; every graph given has been dropped again.
        """
        self._wait()
        if self._error is not None:
            self.abort()
            self._check()
        if self.journal.exists():
            files.remove(self.journal)
        if self.compacts:
            self.backend.settle()

    @property
    def compacts(self) -> bool:
        """Whether `finish()` compacts the store after the load (a large load made in several calls)."""
        return compacts_after(self.calls, self.quads)

    def abort(self) -> None:
        """Wait for the loader, then drop every graph given (the store is as it was before the first batch)."""
        self._wait()
        self.backend._undo()


def compacts_after(calls: int, quads: int) -> bool:
    """Whether a bulk load of `quads` quads made in `calls` calls ends by compacting the store."""
    return calls > 1 and quads >= SETTLE_MIN_QUADS


def _batches(chunks: Iterable[bytes], quads: int) -> Iterator[bytes]:
    """The chunks (whole N-Quads lines each) joined into batches of at least `quads` lines, the last one
    smaller, so a large load never holds all its text at once."""
    batch: list[bytes] = []
    lines = 0
    for chunk in chunks:
        batch.append(chunk)
        lines += chunk.count(b"\n")
        if lines >= quads:
            yield b"".join(batch)
            batch, lines = [], 0
    if batch:
        yield b"".join(batch)
