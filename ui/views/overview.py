"""Overview: what the graph holds, the eight questions it answers (one click each), the latest statements
with their quotes, what changed recently, and data-quality warnings."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ui import data, document_data

st.title("Parley")
st.caption("A negotiation-tracking knowledge graph: who said what, when, where, and about which issue. "
           "Every fact keeps the words and the source it came from.")

counts = data.attempt(data.counts)
if counts is None:
    st.stop()
if not counts.get("Statement") and not counts.get("Actor"):
    st.info("The store is empty. Load the bundled example with `parley demo`, or add records on the Ingest page.")
    st.page_link("views/ingest.py", label="Go to Ingest", icon=":material/upload_file:")
    st.stop()

# On a big store the whole-store checks (the quad count, data quality) take seconds: they wait for a click.
whole = data.is_small(counts) or st.session_state.get("overview_whole", False)
shown = [("Actors", "Actor"), ("Events", "Event"), ("Documents", "Document"), ("Issues", "Issue"),
         ("Statements", "Statement"), ("Claims", "Claim")]
metrics = st.columns(len(shown) + 1)
for column, (title, key) in zip(metrics, shown):
    column.metric(title, f"{counts.get(key, 0):,}")
if whole:
    metrics[-1].metric("Quads", f"{data.quads():,}")

st.subheader("Answer the eight questions")
st.caption("Each question runs a named query on the SPARQL page (no SPARQL to write) and has a page that shows "
           "the answer visually.")
for q in data.QUESTIONS:
    if q.number % 2:
        columns = st.columns(2)  # a row per pair, so that the questions read (and tab) in order
    with columns[(q.number - 1) % 2].container(border=True):
        st.markdown(f"**{q.number}.** {data.md(q.text)}")
        left, right = st.columns([1, 2])
        left.page_link("views/sparql.py", label="Answer it", icon=":material/play_arrow:",
                       query_params={"query": q.query, **q.params, "run": "1"})
        right.page_link(q.page, label=q.page_label, icon=":material/visibility:", query_params=dict(q.page_params))

bounds = data.attempt(data.date_bounds)
if bounds is None:
    st.stop()
first, last = bounds

st.subheader("Latest statements")
latest = data.attempt(data.latest_statements) or []
sources = data.sources_of(said.iri for said in latest)
for said in latest:
    source = sources.get(said.iri)
    where = f" · {data.link(source.title, source.url)}" if source else ""
    quote = said.text if len(said.text) <= 400 else said.text[:399] + "…"
    st.markdown(f"**{data.md(said.speaker)}**, {data.md(data.human_date(said.date))}{where}  \n"
                f"“{data.md(quote)}”")

st.subheader("What changed")
left, right = st.columns([1, 3])
days = left.selectbox("In the last", [7, 14, 30, 90, 365], index=2, format_func=lambda n: f"{n} days")
until = right.date_input("up to", value=last, min_value=first, max_value=max(last, dt.date.today()),
                         format="YYYY-MM-DD")
since = until - dt.timedelta(days=int(days))
found = data.attempt(lambda: data.changes(since, until))
if found is not None:
    total, rows = found
    st.caption(f"{total:,} events, documents and statements dated {data.human_date(since.isoformat())} – "
               f"{data.human_date(until.isoformat())}" + (f"; the latest {len(rows):,} are listed." if total > len(rows)
                                                          else "."))
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch",
                     column_order=["date", "what", "summary", "who", "source"])
    if total > len(rows):
        st.page_link("views/sparql.py", label=f"List all {total:,} on the SPARQL page", icon=":material/list:",
                     query_params={"query": "changes-since", "since": since.isoformat(), "run": "1"})

st.subheader("Data quality")
if not whole:
    st.caption(f"The store holds {counts.get('Statement', 0):,} statements: counting its quads, disputed numbers and "
               "claims to review reads all of them and takes a few seconds.")
    st.button("Count the quads and check data quality", key="overview_whole_button", icon=":material/fact_check:",
              on_click=lambda: st.session_state.update(overview_whole=True))
quality = data.attempt(data.quality) if whole else None
subjects = data.attempt(document_data.disputed) if whole else None
if quality is not None and subjects is not None:
    a, b, c = st.columns(3)
    a.metric("Disputed numbers", len(subjects), help="Numbers (point counts, sums) that sources give differently")
    b.metric("Claims marked disputed", quality.disputed_claims)
    c.metric("Extracted, to review", quality.to_review,
             help="Statements and claims extracted from text by rules, not yet curated by a person")
    if subjects:
        st.warning(f"{len(subjects)} numbers are disputed between sources: compare them side by side on the "
                   f"Documents page.", icon=":material/warning:")
        st.page_link("views/documents.py", label="Conflicting claims", icon=":material/compare_arrows:")
if st.button("Check the whole graph against the SHACL shapes", help="Takes a few seconds; the result is cached"):
    st.session_state["overview_shacl"] = True
if st.session_state.get("overview_shacl"):
    violations = data.attempt(data.shacl_report)
    if violations == []:
        st.success("No SHACL violations: the graph conforms to Parley's shapes.", icon=":material/check_circle:")
    elif violations:
        st.warning(f"{len(violations)} SHACL violation(s):", icon=":material/warning:")
        st.dataframe([{"violation": v} for v in violations], hide_index=True, width="stretch")
