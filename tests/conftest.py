"""Fixtures shared by Parley's tests, one section per kind of state they give."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

from graph.store import Store
from support import free_port, serving


# ── Network ───────────────────────────────────────────────────────────────────────────────────────

@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    return free_port()


# ── Oxigraph server ───────────────────────────────────────────────────────────────────────────────

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


# Session-scoped: one real server for the whole run keeps the suite fast (a start costs a process and
# a fresh database), and the `store` fixture sends CLEAR ALL before each test, so every test still
# starts from an empty dataset. Tests that need a server to misbehave start their own fake one.
@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a real `oxigraph serve` on a free loopback port, with its data in a temp folder."""
    if not OXIGRAPH.exists():
        pytest.fail(f"no Oxigraph server at {OXIGRAPH}: install the `oxigraph` package into this environment")
    folder = tmp_path_factory.mktemp("oxigraph-server")
    with serving(lambda port: [str(OXIGRAPH), "serve", "--location", str(folder / "data"), "--bind",
                               f"127.0.0.1:{port}"],
                 "/query?query=ASK%7B%7D", what="oxigraph serve", log_path=folder / "server.log") as url:
        yield url


# ── Stores ────────────────────────────────────────────────────────────────────────────────────────

@pytest.fixture(params=["memory", "disk", "remote"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty Store on each backend: in memory, in a folder on disk, and a real Oxigraph server."""
    if request.param == "memory":
        s = Store.open("memory:")
    elif request.param == "disk":
        s = Store.open(str(tmp_path / "store"), create=True)
    else:
        s = Store.open(request.getfixturevalue("oxigraph_server"))
        s.backend.update("CLEAR ALL")  # the server lives for the session; start from an empty dataset
    try:
        yield s
    finally:
        s.close()


# ── The bundled example ──────────────────────────────────────────────────────────────────────────

SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples"


@pytest.fixture(scope="session")
def example_store() -> Iterator[Store]:
    """An in-memory store holding the bundled example (the seed briefing, the chronology, the entities).
    Shared by the tests that only read it: do not write to it."""
    from ingest.pipeline import ingest_files

    s = Store.open("memory:")
    ingest_files(s, sorted(SAMPLES.glob("*.yaml")))
    try:
        yield s
    finally:
        s.close()
