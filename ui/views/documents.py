"""Documents: the lineage tree (revisions, derivations, parts) with point counts and who gives them, and
conflicting claims side by side."""

from __future__ import annotations

from collections import defaultdict

import streamlit as st

from graph.projections import lineage_graph
from ui import data, document_data, drawing

st.title("Documents")
every = st.session_state.get("documents_every", False)
found = data.attempt(lambda: document_data.documents(every=every))
if found is None:
    st.stop()

g = lineage_graph(found.facts)
if not g.number_of_nodes():
    st.info("No documents in the store yet.")
    st.stop()

st.subheader("Lineage")
st.caption("Arrows go from a document to the one it revises, derives from, or is part of. Point counts come "
           "with who says so.")
if not found.complete:  # many documents: the best-connected are read, drawn and listed first
    st.caption(f"The {found.listed:,} best-connected of the {found.total:,} documents are drawn and listed.")
    st.button(f"List all {found.total:,} documents", key="documents_every_button", icon=":material/unfold_more:",
              help="Reads every document's point counts: slower on a big store",
              on_click=lambda: st.session_state.update(documents_every=True))
linked = [n for n in g if g.degree(n) > 0 or g.nodes[n].get("points_claimed")]
if len(linked) > document_data.MAX_LINEAGE:  # a picture of thousands of boxes says nothing: the best-connected first
    linked = sorted(linked, key=lambda n: (-g.degree(n), n))[:document_data.MAX_LINEAGE]
    st.caption(f"The {document_data.MAX_LINEAGE} best-connected documents are drawn; "
               f"the table below lists all {len(g):,}.")
st.graphviz_chart(drawing.lineage_dot(g.subgraph(linked)), width="stretch")

rows = []
for n, d in sorted(g.nodes(data=True), key=lambda x: (x[1].get("date") or "", x[1].get("label", ""))):
    related = [f"{e['relation']} {g.nodes[v]['label']}" for _, v, e in g.out_edges(n, data=True)]
    rows.append({"document": d.get("label", n), "kind": d.get("kind", ""), "first known": d.get("date", ""),
                 "points": str(d.get("points", "")), "points, by who says so": "; ".join(d.get("points_claimed", [])),
                 "content": d.get("access", ""), "related": "; ".join(related)})
st.dataframe(rows, hide_index=True, width="stretch")

st.subheader("Conflicting claims")
st.caption("Numbers that sources give differently for the same document or subject, side by side.")
if not found.complete and not st.session_state.get("documents_conflicts"):
    st.caption("Finding them compares every point count and figure in the store: a few seconds for this many.")
    st.button("Find the conflicting claims", key="documents_conflicts_button", icon=":material/compare_arrows:",
              on_click=lambda: st.session_state.update(documents_conflicts=True))
    st.stop()
subjects = data.attempt(document_data.disputed)
if subjects is not None:
    if not subjects:
        st.success("No conflicting claims.", icon=":material/check_circle:")
    shown = subjects if st.session_state.get("documents_all_conflicts") else subjects[:document_data.CONFLICTS_SHOWN]
    groups: dict[tuple[str, str], dict[str, list[document_data.FigureClaim]]] = defaultdict(lambda: defaultdict(list))
    for c in document_data.figure_claims(shown):
        groups[(c.subject, c.quantity)][c.value].append(c)
    for (subject, quantity), by_value in groups.items():
        with st.container(border=True):
            st.markdown(f"**{data.md(subject)}** — {data.md(quantity)}")
            for column, (value, claims) in zip(st.columns(len(by_value)), by_value.items()):
                column.metric(data.md(quantity), f"{int(value):,}" if value.isdigit() else value,
                              help=f"{len(claims)} claim(s) give this value")
                for c in claims:
                    column.markdown(f"“{data.md(c.quote)}” — **{data.md(c.speaker)}**, "
                                    f"{data.md(data.human_date(c.date))} ({data.md(c.confidence.split('/')[-1])})")
    if len(shown) < len(subjects):
        st.button(f"Show all {len(subjects):,} disputed numbers", key="documents_all_conflicts_button",
                  icon=":material/unfold_more:",
                  on_click=lambda: st.session_state.update(documents_all_conflicts=True))
