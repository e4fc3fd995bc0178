"""The app's server process: `python -m ui.app_server [streamlit run options]`.

It imports what the pages need, then runs `streamlit run ui/app.py` in this same process. Streamlit runs
each page's script in the server's process, so a module a page imports is loaded on the first visit; here
that happens before the server listens, and the first visitor's page does not wait for it (about 0.2 s per
page on a 2-core machine).
"""

from __future__ import annotations

import importlib
import sys

# What the pages import: the libraries and the modules of graph/ behind them. Nothing that touches
# Streamlit: ui.data's cached functions must be made inside the running server, which gives them its cache
# storage, and the components (the graph view, the SPARQL editor) read Streamlit's configuration before
# `streamlit run` has set it. The benchmark's page step loads the same list before it renders, so that it
# measures what a visitor of a started server waits for.
PRELOAD = ("networkx", "pandas", "plotly.graph_objects", "pyoxigraph", "rdflib", "yaml",
           "ontology.namespaces", "graph.store", "graph.sparql", "graph.projections", "graph.analytics",
           "graph.snapshot", "graph.export", "graph.diff", "graph.validate")


def preload() -> None:
    """Import every module in PRELOAD."""
    for name in PRELOAD:
        importlib.import_module(name)


def main(options: list[str]) -> None:
    """Preload, then hand this process to `streamlit run` with `options` (the app path comes first)."""
    preload()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *options]
    cli.main()


if __name__ == "__main__":
    main(sys.argv[1:])
