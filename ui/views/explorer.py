"""Explorer: find an entity by any name, see its neighbourhood (a colour and icon per type), expand on
click, filter by type and date, and read each relation's quoted source text in the side panel."""

from __future__ import annotations

import hashlib

import streamlit as st

from graph.analytics import AmbiguousEntityError, UnknownEntityError
from graph.facts import ENTITY_TYPES
from ui import data, drawing

st.title("Explorer")
bounds = data.attempt(data.date_bounds)
if bounds is None:
    st.stop()
first, last = bounds
params = st.query_params

top = st.columns([3, 3, 4])
st.session_state.setdefault("explorer_name", params.get("entity", data.EXAMPLE_EVENT))
name = top[0].text_input("Find an entity", key="explorer_name",
                         help="Any label or alias in any language, or an id: Putin, Путин, Whitkoff, kremlin")
types = top[1].multiselect("Types", ENTITY_TYPES, default=[t for t in ENTITY_TYPES if t != "statement"],
                           key="explorer_types")
since, until = top[2].slider("Dates", min_value=first, max_value=last, value=(first, last), format="D MMM YYYY",
                             key="explorer_dates")

try:
    entity = data.find(name)
except AmbiguousEntityError as e:
    entity = st.selectbox("Several entities go by that name: pick one", e.candidates,
                          format_func=lambda c: f"{c.label} ({c.type} {c.id})")
except UnknownEntityError as e:
    data.error(e, icon=":material/search_off:")
    st.stop()
assert entity is not None

view = st.session_state.setdefault("explorer_view", {})
if view.get("focus") != entity.iri:  # a new search starts a new neighbourhood
    view.clear()
    view.update(focus=entity.iri, expanded=[], removed=[], selected=entity.iri, seen=None)

# Only the neighbourhood of the focus and the expanded entities is read from the store, never the whole graph,
# and of a much-discussed entity only the statements that matter most until all are asked for.
centres = [entity.iri, *view["expanded"]]
every = bool(view.get("every"))
g = data.entities_graph(centres, since, until, types, "statement" in types, every=every)
f = data.around(centres, every=every)
near = data.reach(centres, every=every)
if not near.complete:
    note, more = st.columns([4, 1])
    note.info(f"Read {near.read:,} of the {near.statements:,} statements that mention "
              f"{data.md(entity.label)}{' or the expanded entities' if view['expanded'] else ''} or back a claim "
              "about them: those behind claims first (they make the relations), the latest first. A relation "
              "stated only in the others is not drawn.", icon=":material/filter_alt:")
    if more.button(f"Read all {near.statements:,}", key="explorer_every", help="Slower on a big store"):
        view["every"] = True
        st.rerun()
if entity.iri not in g:
    st.warning(f"{data.md(entity.label)} is not in the graph for these types and dates: widen them.", icon=":material/filter_alt:")
    st.stop()
shown, total = drawing.neighbourhood(g, entity.iri, view["expanded"], view["removed"])
if total > drawing.MAX_NODES:
    st.warning(f"{total:,} entities are in reach; showing {drawing.MAX_NODES}. Narrow the types or the dates, or "
               f"remove nodes, to see the rest.", icon=":material/filter_alt:")

graph_col, side = st.columns([3, 2])
with graph_col:
    digest = hashlib.sha1("|".join(sorted(shown.nodes)).encode()).hexdigest()[:10]
    event = drawing.draw_graph(shown, key=f"explorer-graph-{digest}")
    st.caption(f"{shown.number_of_nodes()} entities, {shown.number_of_edges()} relations. Click a node for its "
               "details; double-click (or the expand button) to add its neighbours; Delete removes it. Colours: "
               + drawing.legend(drawing.node_group(d) for _, d in shown.nodes(data=True)))
if event and event.get("timestamp") != view.get("seen"):
    view["seen"] = event.get("timestamp")
    ids = [str(i) for i in event.get("data", {}).get("node_ids", [])]
    if event.get("action") == "node_click":
        clicked = str(event["data"].get("target_id", ""))
        if clicked in g:
            view["selected"] = clicked
    elif event.get("action") == "expand":
        view["expanded"] += [i for i in ids if i in g]
        st.rerun()
    elif event.get("action") == "remove":
        view["removed"] += ids
        st.rerun()

node = view["selected"] if view["selected"] in g else entity.iri
attrs = g.nodes[node]
with side:
    st.subheader(data.md(attrs.get("label", node)))
    about = [attrs.get("type", ""), attrs.get("kind", ""), data.human_date(attrs["date"]) if attrs.get("date") else ""]
    st.caption(" · ".join(data.md(a) for a in about if a))
    known = f.entities.get(node)
    if known and len(known.names) > 1:
        st.markdown("**Also known as:** " + ", ".join(data.md(n) for n in known.names[1:12]))
    for key, title in (("points", "Points"), ("points_claimed", "Points, by who says so"), ("access", "Content")):
        if attrs.get(key):
            value = attrs[key] if isinstance(attrs[key], list) else [attrs[key]]
            st.markdown(f"**{title}:** " + "; ".join(data.md(v) for v in value))
    if known and known.attrs.get("sources"):
        st.markdown("**Sources:** " + ", ".join(data.md(f.label(s)) for s in known.attrs["sources"]))
    buttons = st.columns(2)
    if buttons[0].button("Expand", key="explorer_expand", disabled=node in view["expanded"],
                         help="Add this entity's neighbours to the graph"):
        view["expanded"].append(node)
        st.rerun()
    if node != entity.iri:
        buttons[1].button("Centre here", key="explorer_centre", help="Search for this entity instead",
                          on_click=lambda: st.session_state.update(explorer_name=attrs.get("id", node)))

    relations = drawing.edges_of(g, node)
    sources = data.sources_of(s for _, _, _, d in relations[:40] for s in d.get("statements", [])[:3])
    st.markdown(f"**Relations** ({len(relations)})")
    listing = st.container(height=520, border=False)  # scrolls beside the graph instead of below it
    for other, relation, outgoing, d in relations[:40]:
        arrow = f"— {relation} → {g.nodes[other].get('label', other)}" if outgoing else \
            f"← {relation} — {g.nodes[other].get('label', other)}"
        extra = [f"{k.replace('_', ' ')}: {f.label(v) if k == 'on_behalf_of' else v}"
                 for k, v in d.items() if k in ("role", "on_behalf_of")]
        lines = [data.md(arrow) + (f" ({data.md('; '.join(extra))})" if extra else "")]
        for statement, quote in list(zip(d.get("statements", []), d.get("quotes", [])))[:3]:
            said = f.statements.get(statement)
            source = sources.get(statement)
            who = f"{f.label(said.speaker)}, {data.human_date(said.date)}" if said else ""
            where = f", {data.link(source.title, source.url)}" if source else ""
            lines.append(f"> “{data.md(quote)}” — {data.md(who)}{where}")
        listing.markdown("  \n".join(lines[:1]) + ("\n\n" + "\n\n".join(lines[1:]) if len(lines) > 1 else ""))
    if len(relations) > 40:
        listing.caption(f"and {len(relations) - 40} more relations: narrow the types or dates to see them")
