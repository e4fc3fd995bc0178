"""Uploads on the Ingest page: what a file is (by its content), a checked preview of record files or a
draft from a transcript, and the commit, made at most once however often the button is clicked."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graph.errors import InputError
from ui.data import max_upload_mb, store, write_once

@dataclass
class Pending:
    """Uploads waiting in one session: checked, not yet committed. Names are safe base names, never the
    client's paths; content decides what a file is, never its extension."""

    kind: str                                   # "records", or "text" (a transcript and its draft)
    files: dict[str, bytes]                     # the record files to ingest (for text: the draft, editable)
    attachments: dict[str, bytes] = field(default_factory=dict)  # transcripts the records' text_file names
    token: str = field(default_factory=lambda: uuid.uuid4().hex)


def safe_name(name: str, suffix: str | None = None) -> str:
    """A client's file name reduced to a plain base name (no folders, no odd characters)."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "-", name.replace("\\", "/").rsplit("/", 1)[-1]).strip(".-") or "upload"
    if suffix is None:
        return base[:120]
    stem = (base.rsplit(".", 1)[0] if "." in base else base).strip("._-") or "upload"
    return f"{stem[:80]}{suffix}"


def is_records(data: bytes) -> bool:
    """Judge the content, not the name: record files start (after comments) with `parley: 1`."""
    head = data.removeprefix(b"\xef\xbb\xbf")[:65536].decode("utf-8", "replace")
    return re.search(r"(?m)^parley[ \t]*:", head) is not None


def prepare(uploads: Mapping[str, bytes]) -> tuple[Pending, Any]:
    """Sort uploads into record files (checked together, with the other files as the transcripts they
    point to) or one transcript (extracted into a draft, itself checked).

    :returns: what waits to be committed, and the dry-run report of record files (None for a draft).
    :raises InputError: nothing to ingest, too large, several transcripts, or the first problem found.
    """
    if not uploads:
        raise InputError("upload a YAML record file or a transcript (.txt), or paste one")
    named = {}
    for name, data in uploads.items():
        _check_size(name, data)
        named[safe_name(name)] = data
    records = {n: d for n, d in named.items() if is_records(d)}
    others = {n: d for n, d in named.items() if n not in records}
    if records:
        pending = Pending("records", {_yaml_name(n): d for n, d in records.items()}, others)
        return pending, check(pending)
    if len(others) > 1:
        raise InputError("upload one transcript at a time (or record files with the transcripts they name)")
    name, data = next(iter(others.items()))
    return draft_from_text(name, data), None


def _yaml_name(name: str) -> str:
    return name if name.lower().endswith((".yaml", ".yml")) else safe_name(name, ".yaml")


def check(pending: Pending) -> Any:
    """Dry-run the pending record files through the CLI's pipeline.

    :returns: the ingest report (nothing written).
    :raises InputError: with file, line, column and field.
    """
    return _ingest(pending, dry_run=True)


def draft_from_text(name: str, data: bytes) -> Pending:
    """Extract an uploaded transcript into a YAML draft, checked as `parley ingest --dry-run` checks it."""
    from ingest.text.pipeline import draft_from_bytes, draft_name

    text_name = safe_name(name, ".txt")
    draft = draft_from_bytes(store(), text_name, data)
    return Pending("text", {draft_name(text_name): draft.encode("utf-8")}, {text_name: data})


def commit(pending: Pending) -> Any:
    """Ingest pending uploads through the CLI's pipeline, at most once however often the button is
    clicked (in this session or a concurrent one), one ingest at a time in this process.

    :returns: the ingest report; the same report again when these uploads were already committed.
    :raises InputError: nothing was written.
    """
    return write_once(pending.token, lambda: _ingest(pending, dry_run=False))


def _ingest(pending: Pending, *, dry_run: bool) -> Any:
    from ingest.pipeline import ingest_files

    # Uploads go in by their plain names; a record file may name only a transcript uploaded with it
    # (local_text_files=False), never a file on the server.
    uploads = {**pending.attachments, **pending.files}
    return ingest_files(store(), list(pending.files), dry_run=dry_run, uploads=uploads, local_text_files=False)


def _check_size(name: str, data: bytes) -> None:
    if len(data) > max_upload_mb() * 1024 * 1024:
        raise InputError(f"the file is {len(data):,} bytes, over the {max_upload_mb()} MB upload limit", file=name)


def report_line(report: Any) -> str:
    verb = "Would write" if report.dry_run else "Ingested"
    return (f"{verb} {len(report.files)} file(s): {report.total('statements')} statements, "
            f"{report.total('claims')} claims; graphs {report.total('added')} added, "
            f"{report.total('replaced')} replaced, {report.total('unchanged')} unchanged")
