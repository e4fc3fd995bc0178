"""The app's server process: `python -m ui.app_server [streamlit run options]`.

It imports what the pages need, then runs `streamlit run ui/app.py` in this same process. Streamlit runs
each page's script in the server's process, so a module a page imports is loaded on the first visit; here
that happens before the server listens, and the first visitor's page does not wait for it (about 0.2 s per
page on a 2-core machine).

It also reads the store's files once, in the background (`warm`), so that the operating system holds them
in its file cache before the first visitor asks, as after a reboot. At 100,000 statements (2.7 GB of files,
read in 5 to 7 s), with the cache emptied before the server started, the Overview, Explorer and Timeline,
each opened in Chromium as soon as the server answered, took 4.0–5.3 s, 4.9–5.0 s and 4.6–5.0 s to show
their content without this, 3.5–4.1 s, 3.4 s and 3.4–4.2 s with it, and 2.5–2.9 s, 2.8–2.9 s and 3.5–3.7 s
with every file cached (two runs each, 2 cores; each visit loads the app anew in the browser, about 2 s
even on the small example store).
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
from pathlib import Path

# What the pages import: the libraries and the modules of graph/ behind them. Nothing that touches
# Streamlit: ui.data's cached functions must be made inside the running server, which gives them its cache
# storage, and the components (the graph view, the SPARQL editor) read Streamlit's configuration before
# `streamlit run` has set it. The benchmark's page step loads the same list before it renders, so that it
# measures what a visitor of a started server waits for.
PRELOAD = ("networkx", "pandas", "plotly.graph_objects", "pyoxigraph", "rdflib", "yaml",
           "ontology.namespaces", "graph.store", "graph.sparql", "graph.results", "graph.named_queries",
           "graph.facts", "graph.neighbourhood", "graph.positions",
           "graph.projections", "graph.analytics", "graph.snapshot", "graph.export", "graph.diff", "graph.validate")


def preload() -> None:
    """Import every module in PRELOAD."""
    for name in PRELOAD:
        importlib.import_module(name)


WARM_SHARE = 0.5  # read the store's files only when they take at most this share of the available memory


def available_memory() -> int | None:
    """Bytes of memory the system can give without swapping (MemAvailable), or None where it does not say."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def warm(spec: str | None, *, available: int | None = None) -> threading.Thread | None:
    """Start reading the files of the on-disk store `spec` in a background thread, a megabyte at a time, so
    that they are in the operating system's file cache when the first page asks for them; the thread.

    None, and nothing read, for a store that is not a folder (an endpoint), or whose files take more than
    WARM_SHARE of the `available` memory (default: MemAvailable; where that is unknown, nothing is read):
    reading them would then push other programs' files out of the cache for little gain.
    A hint to the kernel (`posix_fadvise` WILLNEED) reads far less: 371 MB of 2.7 GB here."""
    from graph.backends.embedded import ENGINE_DIR

    folder = Path(spec or "") / ENGINE_DIR
    if not spec or not folder.is_dir():
        return None
    # The engine's table files only: never its LOCK, whose lock (fcntl) the engine would lose in this process
    # the moment a reader here closed the file.
    files = sorted(folder.glob("*.sst"))
    size = sum(p.stat().st_size for p in files)
    room = available if available is not None else available_memory()
    if room is None or size > room * WARM_SHARE:
        why = "the free memory is unknown" if room is None else f"more than {WARM_SHARE:.0%} of the free memory"
        print(f"parley: not pre-reading the store's {size / 2**20:,.0f} MB of files: {why}", file=sys.stderr)
        return None

    def read() -> None:
        started, buffer = time.perf_counter(), bytearray(1 << 20)
        for path in files:
            try:
                with open(path, "rb", buffering=0) as f:
                    while f.readinto(buffer):
                        pass
            except OSError:  # a file the engine has just compacted away
                continue
        print(f"parley: read the store's {size / 2**20:,.0f} MB of files into the file cache in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)

    thread = threading.Thread(target=read, name="parley-warm", daemon=True)
    thread.start()
    return thread


def main(options: list[str]) -> None:
    """Start reading the store's files, preload, then hand this process to `streamlit run` with `options`
    (the app path comes first)."""
    from graph.store import ENV_STORE

    warm(os.environ.get(ENV_STORE))
    preload()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *options]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
