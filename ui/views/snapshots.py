"""Snapshots: the graph as it stood on a date, downloadable in every export format, and what changed
between two dates."""

from __future__ import annotations

from collections import Counter

import streamlit as st

from ui import data, snapshot_data

st.title("Snapshots")
st.caption("A snapshot is the graph as it stood on a date: the statements made by then, their claims, and "
           "the events, documents and entities they need. RDF files carry a description of the snapshot.")
bounds = data.attempt(data.date_bounds)
if bounds is None:
    st.stop()
first, last = bounds
params = st.query_params

left, right = st.columns([1, 2])
whole = left.toggle("The whole store", key="snapshots_whole", help="Every graph, whatever its date")
day = left.date_input("As of", value=data.parse_day(params.get("as_of")) or last, min_value=first, max_value=last,
                      format="YYYY-MM-DD", disabled=whole, key="snapshots_day")
as_of = None if whole else day
formats = snapshot_data.EXPORT_FORMATS
fmt = right.selectbox("Format", list(formats), format_func=lambda k: formats[k][0], key="snapshots_format")
what, extension, mime = formats[fmt]
store = data.store()  # opened already: the facts above came from it
stamp = as_of.isoformat() if as_of else "whole"
right.download_button(f"Download {fmt.upper()}", data=lambda: snapshot_data.snapshot_file(store, fmt, as_of),
                      file_name=f"parley-{stamp}.{extension}", mime=mime, type="primary",
                      icon=":material/download:", key="snapshots_download", on_click="ignore")

if st.toggle("Show a picture of this snapshot", key="snapshots_picture"):
    image = data.attempt(lambda: snapshot_data.picture(as_of))
    if image:
        st.image(image, width="stretch")

st.subheader("What changed between two dates")
columns = st.columns(2)
before = columns[0].date_input("From", value=data.parse_day(params.get("from")) or max(first, last.replace(day=1)),
                               min_value=first, max_value=last, format="YYYY-MM-DD", key="snapshots_from")
after = columns[1].date_input("To", value=data.parse_day(params.get("to")) or last, min_value=first,
                              max_value=last, format="YYYY-MM-DD", key="snapshots_to")
# Comparing two dates reads both snapshots: only when asked (the button, or a link that names the dates).
asked = st.button("Compare", type="primary", icon=":material/compare_arrows:", key="snapshots_compare")
wanted = (before, after)
if asked or ("from" in params and "to" in params):
    st.session_state["snapshots_compared"] = wanted
compared = st.session_state.get("snapshots_compared") == wanted
changes = data.attempt(lambda: snapshot_data.diff(before, after)) if compared else None
if changes is None and not compared:
    st.caption("Pick the two dates, then compare.")
if changes is not None:
    if not changes:
        st.info(f"Nothing changed between {data.human_date(before.isoformat())} and "
                f"{data.human_date(after.isoformat())}.")
    else:
        tally = Counter((c.change, c.kind) for c in changes)
        st.markdown(" · ".join(f"**{n}** {data.md(kind)} {change}" for (change, kind), n in sorted(tally.items())))
        st.dataframe([{"change": c.change, "kind": c.kind, "date": c.date, "what": c.label,
                       "id": data.short_name(c.iri)} for c in changes], hide_index=True, width="stretch")
