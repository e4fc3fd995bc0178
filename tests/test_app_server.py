"""The app's server process (ui/app_server.py): it loads what the pages import before it listens, and that must
not touch Streamlit, whose configuration `streamlit run` sets afterwards."""

from __future__ import annotations

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
    for warning in ("config option section was detected", "No runtime found", "missing ScriptRunContext"):
        assert warning not in said
