"""Timeline: events, statements and document handovers in time; filter by actor, issue and date; select
an item (on the chart or in the list) for its details and quotes."""

from __future__ import annotations

from collections import Counter

import plotly.graph_objects as go
import streamlit as st

from graph.facts import Entity
from graph.timeline import LANES, timeline
from ui import data

st.title("Timeline")
bounds = data.attempt(data.date_bounds)
if bounds is None:
    st.stop()
first, last = bounds
params = st.query_params
actors = data.entities_of("actor")
issues = data.entities_of("issue")


def pick(label: str, options: list[Entity], wanted: str | None, key: str) -> str | None:
    ids = [None, *(e.iri for e in options)]
    names = {e.iri: e.label for e in options}
    start = next((n for n, i in enumerate(ids) if i and wanted and i.rsplit("/", 1)[-1] == wanted), 0)
    return st.selectbox(label, ids, index=start, format_func=lambda i: names[i] if i else "(any)", key=key)


top = st.columns([2, 2, 3])
with top[0]:
    actor = pick("Actor", actors, params.get("actor"), "timeline_actor")
with top[1]:
    issue = pick("Issue", issues, params.get("issue"), "timeline_issue")
# By default the latest few hundred events and statements: a whole year of a busy negotiation is too
# many points to read (or to draw); the slider reaches back to the first day.
start = max(first, min(last, data.parse_day(params.get("since")) or data.recent_start()))
end = max(start, min(last, data.parse_day(params.get("until")) or last))
since, until = top[2].slider("Dates", min_value=first, max_value=last, value=(start, end), format="D MMM YYYY",
                             key="timeline_dates", help="Starts with the latest few hundred items; drag to go back")
f = data.period(since, until)
items = timeline(f, actor=actor, issue=issue, since=since, until=until)
if not items:
    st.info("Nothing in this period for this actor and issue: widen the filters.", icon=":material/filter_alt:")
    st.stop()

lanes = list(LANES)
symbols = {"Events": "circle", "Statements": "diamond", "Documents": "square"}
seen: Counter[tuple[str, str]] = Counter()
offsets = []
for i in items:  # points of one day and lane fan out around the lane's line: 0, +1, -1, +2, -2, …
    k = seen[(i.date, i.lane)] % 9
    seen[(i.date, i.lane)] += 1
    offsets.append(lanes.index(i.lane) + (k + 1) // 2 * (1 if k % 2 else -1) * 0.08)
fig = go.Figure()
for lane, kind in sorted({(i.lane, i.kind) for i in items}, key=lambda x: (lanes.index(x[0]), x[1])):
    chosen = [n for n, i in enumerate(items) if i.lane == lane and i.kind == kind]
    name = f"{kind} (event)" if lane == "Events" and kind == "statement" else kind
    fig.add_trace(go.Scatter(
        x=[items[n].date for n in chosen], y=[offsets[n] for n in chosen], mode="markers", name=name,
        marker={"size": 11, "symbol": symbols[lane], "line": {"width": 1, "color": "#333"}},
        customdata=[[n] for n in chosen],
        hovertext=[(items[n].label if len(items[n].label) < 110 else items[n].label[:109] + "…") for n in chosen],
        hovertemplate="%{x|%d %b %Y}<br>%{hovertext}<extra>%{fullData.name}</extra>"))
fig.update_layout(height=420, margin={"l": 10, "r": 10, "t": 10, "b": 10}, clickmode="event+select",
                  legend={"orientation": "h", "y": -0.18}, hovermode="closest",
                  yaxis={"tickvals": [0, 1, 2], "ticktext": lanes, "range": [-0.6, 2.6], "fixedrange": True})
chart = st.plotly_chart(fig, on_select="rerun", selection_mode="points", key="timeline_chart", width="stretch")
points = chart.selection.points if chart and chart.selection else []
chosen_index = int(points[0]["customdata"][0]) if points and points[0].get("customdata") else 0
st.caption(f"{len(items)} items: {sum(i.lane == 'Events' for i in items)} events, "
           f"{sum(i.lane == 'Statements' for i in items)} statements, "
           f"{sum(i.lane == 'Documents' for i in items)} document handovers. Click a point for its details.")

index = st.selectbox("Details of", range(len(items)), index=min(chosen_index, len(items) - 1),
                     format_func=lambda n: f"{items[n].date} · {items[n].lane[:-1]} · {items[n].label[:100]}",
                     key=f"timeline_item_{chosen_index}")
item = items[index]
with st.container(border=True):
    st.markdown(f"**{data.md(item.label if len(item.label) < 300 else item.label[:299] + '…')}**")
    st.caption(f"{data.md(data.human_date(item.date))} · {data.md(item.kind)}")
    if item.lane == "Events":
        f = data.around([item.iri])  # every statement about the event, also those after the period
        people = [p for p in f.participations if p.event == item.iri]
        if people:
            st.markdown("**Took part:** " + "; ".join(
                data.md(f.label(p.actor) + (f" ({p.role}" + (f", for {f.label(p.on_behalf_of)}" if p.on_behalf_of
                                                              else "") + ")" if p.role else "")) for p in people))
        statements = [s for s in f.statements.values() if s.event == item.iri]
    else:
        statements = [f.statements[s] for s in item.statements if s in f.statements]
    shown = sorted(statements, key=lambda s: (s.date, s.iri))[:12]
    sources = data.sources_of(said.iri for said in shown)
    for said in shown:
        source = sources.get(said.iri)
        where = f" · {data.link(source.title, source.url)}" if source else ""
        quote = item.text if item.lane == "Documents" and item.text else said.text
        st.markdown(f"> “{data.md(quote)}”  \n> — {data.md(f.label(said.speaker))}, "
                    f"{data.md(data.human_date(said.date))}{where}")
    if len(statements) > 12:
        st.caption(f"and {len(statements) - 12} more statements about it")
    if item.lane == "Events" and not (near := data.reach([item.iri])).complete:
        st.caption(f"Read from {near.read:,} of the {near.statements:,} statements that mention it or back a claim "
                   "about it (those behind claims first, the latest first); the Explorer reads them all on a click.")
