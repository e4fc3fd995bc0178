"""The embedded Oxigraph engine: an on-disk store owned by one process, or a throwaway store in memory."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Graph

from graph.backends import SelectRows
from graph.errors import StoreError, StoreInUseError, WriteError
from graph.terms import from_ox

LOCK_NAME = "parley.lock"
ENGINE_DIR = "oxigraph"
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
        if not folder.exists():
            if not create:
                raise StoreError(f"no store at {folder}: run `parley --store {folder} init` first")
            folder.mkdir(parents=True)
        elif not folder.is_dir():
            raise StoreError(f"store path {folder} is not a folder")
        elif not create and not (folder / ENGINE_DIR).exists():
            raise StoreError(f"{folder} is not a Parley store: run `parley --store {folder} init` first")
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

    def ask(self, query: str, *, union: bool = True) -> bool:
        return bool(self._query(query, union))

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
