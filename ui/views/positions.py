"""Positions: every actor's stance on every issue as of a chosen date (the colour is the stance), and the
history of a cell: who said so, when, in which words."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import data, stances

st.title("Positions")
bounds = data.attempt(data.date_bounds)
if bounds is None:
    st.stop()
first, last = bounds
params = st.query_params
as_of = st.date_input("As of", value=data.parse_day(params.get("as_of")) or last, min_value=first, max_value=last,
                      format="YYYY-MM-DD", key="positions_as_of",
                      help="Each cell is the latest stance stated on or before this day")
every = st.session_state.get("positions_every", False)
m = stances.position_matrix(as_of, every=every)
if not m.complete and not m.stances:  # nothing stated in the last days: the whole matrix it is
    m = stances.position_matrix(as_of, every=True)
if not m.stances:
    st.info(f"No positions were stated by {data.human_date(as_of.isoformat())}: pick a later date.")
    st.stop()

table = pd.DataFrame(
    [[stances.stance_text(latest) if (latest := m.latest(a, i)) else "" for i, _ in m.issues] for a, _ in m.actors],
    index=[label for _, label in m.actors], columns=[label for _, label in m.issues])
colours = {stances.stance_text(k): v for k, v in stances.STANCE_COLOURS.items()}
styled = table.style.map(lambda v: f"background-color: {colours[v]}; color: #111" if v in colours else "")
if m.complete:
    st.caption(f"{len(m.actors)} actors × {len(m.issues)} issues as of {data.human_date(as_of.isoformat())}. "
               "Select a cell for its history.")
else:
    st.caption(f"Stances stated in the {stances.RECENT_DAYS} days up to {data.human_date(as_of.isoformat())}: "
               f"{len(m.actors)} actors × {len(m.issues)} issues, each cell the latest of that period. "
               "Select a cell for its whole history.")
    st.button("Show every stance ever stated", key="positions_every_button", icon=":material/grid_on:",
              help="Each actor's latest stance on each issue from all the position claims: slower on a big store",
              on_click=lambda: st.session_state.update(positions_every=True))
picked = st.dataframe(styled, on_select="rerun", selection_mode="single-cell", key="positions_table", width="stretch")
st.caption("Stances: " + " · ".join(f"{data.md(k)}" for k in colours))

cells = picked.selection.get("cells", []) if picked and picked.selection else []
actor_ids = [a for a, _ in m.actors]
issue_ids = [i for i, _ in m.issues]


def index_of(ids: list[str], wanted: str | None, default: int = 0) -> int:
    return next((n for n, i in enumerate(ids) if wanted and i.rsplit("/", 1)[-1] == wanted), default)


row, column = (cells[0][0], table.columns.get_loc(cells[0][1])) if cells else (
    index_of(actor_ids, params.get("actor")), index_of(issue_ids, params.get("issue")))
# Of the last days' matrix (a big store) no cell is picked for the reader: the busiest cell's history
# alone reads thousands of claims.
picked_cell = m.complete or bool(cells) or bool(params.get("actor") or params.get("issue"))
left, right = st.columns(2)
actor = left.selectbox("Actor", actor_ids, index=int(row) if picked_cell else None, format_func=m.label,
                       key=f"positions_actor_{row}", placeholder="Select a cell, or an actor")
issue = right.selectbox("Issue", issue_ids, index=int(column) if picked_cell else None, format_func=m.label,
                        key=f"positions_issue_{column}", placeholder="Select a cell, or an issue")
if actor is None or issue is None:
    st.info("Select a cell of the table, or an actor and an issue, for the history of that stance.",
            icon=":material/touch_app:")
    st.stop()

stated = stances.stance_count(actor, issue, as_of)
st.subheader(data.md(f"{m.label(actor)} on {m.label(issue)}"))
if not stated:
    st.info(f"No stance of {data.md(m.label(actor))} on {data.md(m.label(issue))} was stated by {data.human_date(as_of.isoformat())}.")
listed = stances.stance_history(actor, issue, as_of,
                             latest=None if st.session_state.get("positions_all_history") else stances.HISTORY_SHOWN)
sources = data.sources_of(s.statement for s in listed)
if len(listed) < stated:
    st.caption(f"The latest {len(listed)} of {stated:,} stances stated.")
    st.button(f"Show all {stated:,}", key="positions_all_history_button", icon=":material/unfold_more:",
              on_click=lambda: st.session_state.update(positions_all_history=True))
for s in reversed(listed):
    source = sources.get(s.statement)
    where = f" · {data.link(source.title, source.url)}" if source else ""
    factuality = "" if s.factuality == "asserted" else f" ({data.md(s.factuality)})"
    st.markdown(f"**{data.md(stances.stance_text(s.stance))}**{factuality} — {data.md(data.human_date(s.date))}, "
                f"said by {data.md(s.speaker)}{where}  \n> “{data.md(s.quote)}”")
