"""Parley's Streamlit app: the page config shared by every page, and the navigation. Each page is a short
file in ui/views/ that calls the library through ui/data.py. Start it with `parley ui`."""

from __future__ import annotations

import os

import streamlit as st

from graph.errors import ParleyError
from ui.data import error, md, store_spec

st.set_page_config(page_title="Parley", page_icon=":material/forum:", layout="wide",
                   menu_items={"About": "Parley: a negotiation-tracking knowledge graph."})

page = st.navigation([
    st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("views/explorer.py", title="Explorer", icon=":material/hub:"),
    st.Page("views/timeline.py", title="Timeline", icon=":material/timeline:"),
    st.Page("views/positions.py", title="Positions", icon=":material/grid_on:"),
    st.Page("views/documents.py", title="Documents", icon=":material/description:"),
    st.Page("views/sparql.py", title="SPARQL", icon=":material/terminal:"),
    st.Page("views/snapshots.py", title="Snapshots", icon=":material/history:"),
    st.Page("views/ingest.py", title="Ingest", icon=":material/upload_file:"),
])
st.sidebar.caption(f"Store: {md(store_spec())}")

try:
    page.run()
except ParleyError as e:  # the page did not catch it: still the error's own words, never a traceback
    error(e)
except Exception as e:  # noqa: BLE001 - the last line of defence, as in the CLI
    if os.environ.get("PARLEY_DEBUG"):
        raise
    error(f"Unexpected {type(e).__name__}: {e} (start the app with PARLEY_DEBUG=1 for details)")
