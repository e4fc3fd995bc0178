"""SPARQL: the eight questions and every named query, ready to run with their parameters filled in; an
editor with SPARQL highlighting; results as a table, CSV and JSON (Turtle for graphs, drawn as a graph).
Every query goes through the read-only guard, the row cap and the time limit."""

from __future__ import annotations

from typing import Any

import streamlit as st
from code_editor import code_editor

from graph.errors import ParleyError
from graph.guard import prefix_lines
from graph.named_queries import list_queries
from graph.results import serialize
from ui import data, drawing

st.title("SPARQL")
st.caption(f"Read-only: SELECT, ASK, CONSTRUCT and DESCRIBE over the whole store; no SERVICE, LOAD, remote FROM "
           f"or updates; each query is stopped after {data.QUERY_TIMEOUT:g} s. Common prefixes (parley:, sem:, "
           "prov:, rdfs:, skos:, …) need no declaration.")
params = st.query_params
questions = {q.query: q for q in data.QUESTIONS}
queries = {q.name: q for q in sorted(list_queries(), key=lambda q: (q.name not in questions, q.name))}
DEFAULTS = {"event": data.EXAMPLE_EVENT, "actor": data.EXAMPLE_ACTOR, "issue": data.EXAMPLE_ISSUE,
            "date": "2025-12-01", "entity": "kremlin"}


def title(name: str | None) -> str:
    if name is None:
        return "(write your own)"
    if name in questions:
        return f"Question {questions[name].number}: {questions[name].text}"
    return f"{queries[name].title} ({name})"


names: list[str | None] = [*queries, None]
wanted = params.get("query", "cq1-meeting-participants")
choice = st.selectbox("Start from a question or a named query", names, format_func=title,
                      index=names.index(wanted) if wanted in names else 0, key="sparql_choice")
named = queries[choice] if choice else None
given: dict[str, str] = {}
if named is not None:
    st.caption(data.md(named.description))
    if named.params:
        for column, p in zip(st.columns(len(named.params)), named.params):
            default = params.get(p.name) or ("" if p.optional else DEFAULTS.get(p.type, ""))
            given[p.name] = column.text_input(f"{p.name} ({p.type}{', optional' if p.optional else ''})",
                                              value=default, help=p.description, key=f"sparql_param_{choice}_{p.name}")

initial = named.text if named else "SELECT ?s ?p ?o\nWHERE { ?s ?p ?o }\nLIMIT 10\n"
plain = st.toggle("Plain text editor", key="sparql_plain", help="Without highlighting; easier with a screen reader")
if plain:
    text = st.text_area("Query", value=initial, height=260, key=f"sparql_text_{choice}")
    submitted = False
else:
    response: dict[str, Any] = code_editor(initial, lang="sparql", height=[8, 28], response_mode="debounce",
                                           key=f"sparql_editor_{choice}", options={"wrap": True, "showLineNumbers": True},
                                           info={"info": [{"name": "Ctrl+Enter runs the query"}]}) or {}
    text = response.get("text") or initial
    submitted = response.get("type") == "submit" and response.get("id") != st.session_state.get("sparql_seen")
    if submitted:
        st.session_state["sparql_seen"] = response.get("id")

left, right = st.columns([1, 5])
limit = int(right.number_input("Row limit", min_value=1, max_value=10_000, value=1_000, step=100, key="sparql_limit"))
clicked = left.button("Run", type="primary", icon=":material/play_arrow:", key="sparql_run")
auto = params.get("run") == "1" and st.session_state.get("sparql_auto") != dict(params)
if auto:
    st.session_state["sparql_auto"] = dict(params)
if clicked or submitted or auto:
    try:
        if named is not None and text.strip() == named.text.strip():
            result = data.named(named.name, given, limit=limit)
        else:
            result = data.query(text, limit=limit)
        st.session_state["sparql_result"] = {"result": result, "name": choice or "query"}
    except ParleyError as e:
        st.session_state["sparql_result"] = {"error": str(e)}

with st.expander("Predeclared prefixes"):
    st.code(prefix_lines(), language="sparql")

outcome = st.session_state.get("sparql_result")
if outcome is None:
    st.stop()
if "error" in outcome:
    data.error(outcome["error"], icon=":material/block:")
    st.stop()
result = outcome["result"]
stem = outcome["name"]
if result.form == "ask":
    st.success(f"Answer: {'yes (true)' if result.boolean else 'no (false)'}")
    st.stop()
noun = "triples" if result.gives_graph else "rows"
more = f" — cut at the limit of {result.limit:,}: the answer has more" if result.truncated else ""
st.caption(f"{len(result.rows):,} {noun}{more}")
if result.gives_graph and result.rows:
    drawing.draw_graph(drawing.triples_graph(result), key=f"sparql-graph-{len(result.rows)}", height=460, actions=False)
st.dataframe(data.frame_rows(result), hide_index=True, width="stretch")
downloads = [("ttl", "Turtle", "text/turtle"), ("nt", "N-Triples", "application/n-triples")] if result.gives_graph \
    else [("csv", "CSV", "text/csv"), ("json", "JSON", "application/sparql-results+json")]
for column, (fmt, label, mime) in zip(st.columns(len(downloads) + 3), downloads):
    column.download_button(f"Download {label}", serialize(result, fmt), file_name=f"{stem}.{fmt}", mime=mime,
                           icon=":material/download:", key=f"sparql_download_{fmt}")
