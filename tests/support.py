"""Helpers the test modules share that are not fixtures: free loopback ports and real servers started
for the length of a fixture."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(command: Callable[[int], list[str]], probe: str, *, what: str, log_path: Path,
            cwd: Path | None = None, seconds: float = 20.0, stop_seconds: float = 10.0) -> Iterator[str]:
    """Start `command(port)` on a free loopback port and yield its base URL once `probe` (a path) answers
    200; stop it afterwards. The port may be taken between choosing and binding it, so up to three tries."""
    for _ in range(3):
        url = f"http://127.0.0.1:{free_port()}"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(command(int(url.rsplit(":", 1)[1])), stdout=log, stderr=subprocess.STDOUT,
                                    cwd=cwd)
        try:
            if _answers(url + probe, proc, seconds, what):
                yield url
                return
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=stop_seconds)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    pytest.fail(f"{what} would not start:\n{log_path.read_text(errors='replace')}")


def _answers(url: str, proc: subprocess.Popen[bytes], seconds: float, what: str) -> bool:
    """True once `url` answers 200; False if the process exits first (e.g. its port was taken)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer at {url} within {seconds} s")
