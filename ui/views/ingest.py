"""Ingest: upload YAML records or a transcript, see the validation report or the extracted draft (editable),
then commit through the same code as `parley ingest`, all or nothing, once per click."""

from __future__ import annotations

import streamlit as st

from graph.errors import ParleyError
from ui import data, uploads

st.title("Ingest")
st.caption("Upload YAML record files (ingest/RECORDS.md) with the transcripts they name, or one transcript "
           "(.txt) to extract into a draft. Nothing is written until you commit; a commit runs the same checks "
           "as `parley ingest` and stores each file whole or not at all.")
session = st.session_state
round_ = session.setdefault("ingest_round", 0)

uploaded = st.file_uploader(f"Files (up to {data.max_upload_mb()} MB each)", type=["yaml", "yml", "txt"],
                            accept_multiple_files=True, key=f"ingest_upload_{round_}",
                            help="What a file is comes from its content, not its name")
with st.expander("…or paste records or a transcript"):
    pasted = st.text_area("Records (YAML starting with `parley: 1`) or transcript text", height=200,
                          key=f"ingest_paste_{round_}")
    pasted_name = st.text_input("Name", value="pasted", key=f"ingest_paste_name_{round_}",
                                help="A transcript's name becomes its source id")

if st.button("Check", type="primary", icon=":material/fact_check:", key="ingest_check"):
    files = {u.name: u.getvalue() for u in uploaded or []}
    if not files and pasted.strip():
        content = pasted.encode("utf-8")
        files = {uploads.safe_name(pasted_name, ".yaml" if uploads.is_records(content) else ".txt"): content}
    session.pop("ingest_done", None)
    try:
        session["ingest_pending"], session["ingest_report"] = uploads.prepare(files)
        session.pop("ingest_error", None)
    except ParleyError as e:
        session["ingest_error"] = str(e)
        session.pop("ingest_pending", None)

if session.get("ingest_done"):
    st.success(session["ingest_done"], icon=":material/check_circle:")
if session.get("ingest_error"):
    data.error(session["ingest_error"])
pending: uploads.Pending | None = session.get("ingest_pending")
if pending is None:
    st.stop()

if pending.kind == "text":
    (draft_name, draft), = pending.files.items()
    st.subheader("Extracted draft")
    st.caption("Rules, not a person, wrote this draft: check the speakers, entities and claims, fix or delete what "
               "is wrong, then check it again and commit.")
    edited = st.text_area(data.md(draft_name), value=draft.decode("utf-8"), height=420,
                          key=f"ingest_draft_{pending.token}")
    pending.files[draft_name] = edited.encode("utf-8")
    if st.button("Check the draft", icon=":material/fact_check:", key="ingest_check_draft"):
        try:
            session["ingest_report"] = uploads.check(pending)
            session.pop("ingest_error", None)
        except ParleyError as e:
            session["ingest_report"] = None
            data.error(e)

report = session.get("ingest_report")
if report is not None:
    st.subheader("Validation report")
    st.info(uploads.report_line(report), icon=":material/fact_check:")
    st.dataframe([{"file": uploads.safe_name(r.path), "collection": r.collection, "added": len(r.added),
                   "replaced": len(r.replaced), "unchanged": len(r.unchanged), "statements": r.statements,
                   "claims": r.claims, "triples": r.triples} for r in report.files], hide_index=True, width="stretch")

if st.button("Commit to the store", type="primary", icon=":material/save:", key="ingest_commit",
             disabled=report is None, help="Check first; the commit runs the same checks again"):
    try:
        done = uploads.commit(pending)
        session["ingest_done"] = uploads.report_line(done)
        session["ingest_round"] = round_ + 1
        for key in ("ingest_pending", "ingest_report", "ingest_error"):
            session.pop(key, None)
        st.rerun()
    except ParleyError as e:
        data.error(f"Nothing was written: {e}")
