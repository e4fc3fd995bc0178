"""Fixtures shared by Parley's tests, one section per kind of state they give."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from graph.store import Store


# ── Network ───────────────────────────────────────────────────────────────────────────────────────

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    return _free_port()


# ── Oxigraph server ───────────────────────────────────────────────────────────────────────────────

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def _wait_until_answering(url: str, proc: subprocess.Popen[bytes], seconds: float = 20.0) -> bool:
    """True once the server answers a query; False if it exits (e.g. the port was taken meanwhile)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1) as answer:
                if answer.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    raise RuntimeError(f"oxigraph serve did not answer at {url} within {seconds} s")


# Session-scoped: one real server for the whole run keeps the suite fast (a start costs a process and
# a fresh database), and the `store` fixture sends CLEAR ALL before each test, so every test still
# starts from an empty dataset. Tests that need a server to misbehave start their own fake one.
@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a real `oxigraph serve` on a free loopback port, with its data in a temp folder."""
    if not OXIGRAPH.exists():
        pytest.fail(f"no Oxigraph server at {OXIGRAPH}: install the `oxigraph` package into this environment")
    folder = tmp_path_factory.mktemp("oxigraph-server")
    log_path = folder / "server.log"
    for _ in range(3):  # the free port may be taken between choosing it and the server binding it
        url = f"http://127.0.0.1:{_free_port()}"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [str(OXIGRAPH), "serve", "--location", str(folder / "data"), "--bind", url.removeprefix("http://")],
                stdout=log, stderr=subprocess.STDOUT)
        try:
            if _wait_until_answering(url, proc):
                yield url
                return
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    pytest.fail(f"oxigraph serve would not start:\n{log_path.read_text(errors='replace')}")


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
