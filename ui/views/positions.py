"""Positions: every actor's stance on every issue as of a chosen date (the colour is the stance), and the
history of a cell: who said so, when, in which words."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import data

st.title("Positions")
f = data.attempt(data.facts)
if f is None:
    st.stop()
first, last = data.date_bounds(f)
params = st.query_params
as_of = st.date_input("As of", value=data.parse_day(params.get("as_of")) or last, min_value=first, max_value=last,
                      format="YYYY-MM-DD", key="positions_as_of",
                      help="Each cell is the latest stance stated on or before this day")
m = data.position_matrix(f, as_of)
if not m.history:
    st.info(f"No positions were stated by {data.human_date(as_of.isoformat())}: pick a later date.")
    st.stop()

table = pd.DataFrame(
    [[data.stance_text(s.stance) if (s := m.latest(a, i)) else "" for i, _ in m.issues] for a, _ in m.actors],
    index=[label for _, label in m.actors], columns=[label for _, label in m.issues])
colours = {data.stance_text(k): v for k, v in data.STANCE_COLOURS.items()}
styled = table.style.map(lambda v: f"background-color: {colours[v]}; color: #111" if v in colours else "")
st.caption(f"{len(m.actors)} actors × {len(m.issues)} issues as of {data.human_date(as_of.isoformat())}. "
           "Select a cell for its history.")
picked = st.dataframe(styled, on_select="rerun", selection_mode="single-cell", key="positions_table", width="stretch")
st.caption("Stances: " + " · ".join(f"{data.md(k)}" for k in colours))

cells = picked.selection.get("cells", []) if picked and picked.selection else []
actor_ids = [a for a, _ in m.actors]
issue_ids = [i for i, _ in m.issues]


def index_of(ids: list[str], wanted: str | None, default: int = 0) -> int:
    return next((n for n, i in enumerate(ids) if wanted and i.rsplit("/", 1)[-1] == wanted), default)


row, column = (cells[0][0], table.columns.get_loc(cells[0][1])) if cells else (
    index_of(actor_ids, params.get("actor")), index_of(issue_ids, params.get("issue")))
left, right = st.columns(2)
actor = left.selectbox("Actor", actor_ids, index=int(row), format_func=f.label, key=f"positions_actor_{row}")
issue = right.selectbox("Issue", issue_ids, index=int(column), format_func=f.label, key=f"positions_issue_{column}")

history = m.history.get((actor, issue), [])
st.subheader(data.md(f"{f.label(actor)} on {f.label(issue)}"))
if not history:
    st.info(f"No stance of {data.md(f.label(actor))} on {data.md(f.label(issue))} was stated by {data.human_date(as_of.isoformat())}.")
for s in reversed(history):
    source = data.source_of(s.statement)
    where = f" · {data.link(source.title, source.url)}" if source else ""
    factuality = "" if s.factuality == "asserted" else f" ({data.md(s.factuality)})"
    st.markdown(f"**{data.md(data.stance_text(s.stance))}**{factuality} — {data.md(data.human_date(s.date))}, "
                f"said by {data.md(s.speaker)}{where}  \n> “{data.md(s.quote)}”")
