"""The app's server process (ui/app_server.py): it loads what the pages import before it listens, and that must
not touch Streamlit, whose configuration `streamlit run` sets afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import serving

ROOT = Path(__file__).resolve().parents[1]


def test_preload_imports_every_module_and_nothing_of_streamlit() -> None:
    code = ("import sys; from ui.app_server import PRELOAD, preload; preload(); "
            "print(all(m in sys.modules for m in PRELOAD), any(m.split('.')[0] == 'streamlit' for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"]


def test_the_server_starts_with_its_flags_and_no_configuration_warning(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.store import Store
    from ui.cli_ui import command

    store = tmp_path / "store"
    Store.open(str(store), create=True).close()
    monkeypatch.setenv("PARLEY_STORE", str(store))
    log = tmp_path / "app.log"
    with serving(lambda port: command(port=port), "/_stcore/health", what="the app", log_path=log,
                 cwd=tmp_path, seconds=60) as url:
        port = url.rsplit(":", 1)[1]
    said = log.read_text(errors="replace")
    assert f"127.0.0.1:{port}" in said  # the address and port flags took effect
    assert "parley: read the store's" in said  # its files, into the file cache
    for warning in ("config option section was detected", "No runtime found", "missing ScriptRunContext"):
        assert warning not in said


def _cached_bytes(files: list[Path]) -> int:
    """How many bytes of the files the operating system holds in its file cache (util-linux's fincore)."""
    done = subprocess.run(["fincore", "--bytes", "--noheadings", "--output", "RES", *map(str, files)],
                          capture_output=True, text=True, check=True)
    return sum(int(n) for n in done.stdout.split())


def test_warm_reads_the_store_files_into_the_file_cache(tmp_path: Path) -> None:
    from graph.backends.embedded import ENGINE_DIR
    from graph.store import Store
    from ingest.pipeline import ingest_files
    from ui.app_server import warm

    store = tmp_path / "store"
    with Store.open(str(store), create=True) as opened:
        ingest_files(opened, sorted((ROOT / "ingest" / "samples").glob("*.yaml")), check_shapes=False)
    files = sorted((store / ENGINE_DIR).glob("*.sst"))
    size = sum(p.stat().st_size for p in files)
    os.sync()
    for path in files:  # out of the cache, as after a reboot or when other files pushed them out
        fd = os.open(path, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        os.close(fd)
    assert size > 100_000 and _cached_bytes(files) < size // 10
    thread = warm(str(store))
    assert thread is not None
    thread.join(timeout=60)
    assert _cached_bytes(files) == sum(-(-p.stat().st_size // 4096) * 4096 for p in files)


def test_warm_reads_nothing_of_an_endpoint_or_of_a_store_too_big_for_the_free_memory(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from graph.store import Store
    from ui.app_server import warm

    assert warm("http://127.0.0.1:9/sparql") is None
    assert warm(None) is None
    store = tmp_path / "store"
    Store.open(str(store), create=True).close()
    assert warm(str(store), available=1) is None
    assert "files: more than 50% of the free memory\n" in capsys.readouterr().err
