"""Text ingest end to end: read a transcript, extract, and either write a YAML draft or ingest the
records through the YAML pipeline (`ingest.pipeline.ingest_files`), so writes stay all or nothing and
idempotent, and every record passes the same checks (schema, references, spans, SHACL).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph.errors import InputError
from ingest.text.draft import draft_yaml, text_file_for, write_draft
from ingest.text.extract import Extraction, extract
from ingest.text.gazetteer import cached
from ingest.text.header import Meta
from ingest.text.reading import MAX_TEXT_BYTES, read_text
from ingest.text.records import build_records

if TYPE_CHECKING:
    from graph.store import Store
    from ingest.pipeline import IngestReport


@dataclass
class TextIngestResult:
    extraction: Extraction
    records: dict[str, Any]
    draft: str | None = None
    report: "IngestReport | None" = None


def read_source(path: str | Path | None, text: str | None) -> tuple[str, str]:
    """(text, name) of a transcript file, or of text given directly (`--text`).

    :raises InputError: no input, both inputs, an unreadable file, over the size cap, not UTF-8.
    """
    if (path is None) == (text is None):
        raise InputError("give a transcript file or --text, not both and not neither")
    if text is not None:
        data = text.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()[:10]
        return read_text(data, "--text"), f"text-{digest}"
    assert path is not None
    name = str(path)
    try:
        size = Path(path).stat().st_size
        if size > MAX_TEXT_BYTES:
            raise InputError(f"the text is {size:,} bytes, over the {MAX_TEXT_BYTES:,}-byte limit for text "
                             "ingest; split it into several files", file=name)
        data = Path(path).read_bytes()
    except OSError as e:
        raise InputError(f"cannot read the file: {e.strerror}", file=name) from None
    return read_text(data, name), name


def ingest_text(store: "Store | None", path: str | Path | None = None, *, text: str | None = None,
                meta: Meta | None = None, gazetteers: Sequence[str | Path] = (), draft: str | Path | None = None,
                dry_run: bool = False, check_shapes: bool = True,
                progress: Callable[[str], None] | None = None) -> TextIngestResult:
    """Extract a transcript and write a draft (`draft=`) or ingest it into `store`.

    :param store: where the records go; also what is already defined (None with a draft: nothing is).
    :param text: the transcript itself instead of a file (`--text`).
    :param meta: source URL, date, language, title, publisher… (they win over the file's header).
    :param gazetteers: the user's gazetteer files, on top of the bundled one.
    :param draft: write the records here as YAML instead of ingesting them (checked first).
    :raises InputError: bad input, with file, line and column; nothing is written.

    >>> from graph.store import Store
    >>> r = ingest_text(Store.open("memory:"), text="Question: Will they go?\\nY. Ushakov: No.",
    ...                 meta=Meta(date="2025-12-02"))
    >>> r.report.total("statements"), r.extraction.statements[1].speaker
    (2, 'yuri-ushakov')
    """
    body, name = read_source(path, text)
    x = extract(body, name=name, meta=meta, gazetteer=cached(tuple(str(g) for g in gazetteers)))
    if draft is not None:
        return _draft(x, store, path, body, Path(draft), check_shapes)
    from ingest.pipeline import ingest_files

    if store is None:
        raise InputError("no store to ingest into")
    with tempfile.TemporaryDirectory(prefix="parley-text-") as tmp:
        if path is None:
            text_path = Path(tmp) / f"{x.source_id}.txt"
            text_path.write_text(body, encoding="utf-8", newline="\n")
        else:
            text_path = Path(path)
        records_path = text_path.with_name(f"{text_path.stem}.extracted.yaml")
        records = build_records(x, text_file=text_path.name, store=store)
        data = draft_yaml(records, text_name=text_path.name, draft_name=records_path.name).encode("utf-8")
        report = ingest_files(store, [str(records_path)], dry_run=dry_run, check_shapes=check_shapes,
                              progress=progress, uploads={str(records_path): data})
    return TextIngestResult(x, records, None, report)


def draft_name(text_name: str) -> str:
    """The name the draft of a transcript goes by, beside the transcript (the Ingest page shows and
    commits it under this name; the draft's own records refer to it).

    >>> draft_name("t-2025-12-02.txt")
    't-2025-12-02.draft.yaml'
    """
    return f"{Path(text_name).stem}.draft.yaml"


def draft_from_bytes(store: "Store | None", name: str, data: bytes, *, meta: Meta | None = None) -> str:
    """The YAML draft of an uploaded transcript (`name` is its file name, which may carry the date), checked
    as `parley ingest --dry-run` checks it with the transcript beside it. Nothing is written anywhere.

    :param store: what is already defined (None: nothing is).
    :raises InputError: bad text or a draft that would not ingest, with file, line and column.

    >>> draft = draft_from_bytes(None, "t-2025-12-02.txt", b"Question: Will they go?\\nY. Ushakov: No.")
    >>> [line for line in draft.splitlines() if line.startswith(("collection:", "  text_file:"))]
    ['collection: t-2025-12-02-extracted', '  text_file: t-2025-12-02.txt']
    """
    from graph.store import Store
    from ingest.pipeline import ingest_files

    body = read_text(data, name)
    x = extract(body, name=name, meta=meta, gazetteer=cached(()))
    named = draft_name(name)
    records = build_records(x, text_file=name, store=store)
    content = draft_yaml(records, text_name=name, draft_name=named)
    ingest_files(store or Store.open("memory:"), [named], dry_run=True, local_text_files=False,
                 uploads={named: content.encode("utf-8"), name: body.encode("utf-8")})
    return content


def _draft(x: Extraction, store: "Store | None", path: str | Path | None, body: str, draft: Path,
           check_shapes: bool) -> TextIngestResult:
    from graph.store import Store
    from ingest.pipeline import ingest_files

    if draft.suffix.lower() not in (".yaml", ".yml"):
        raise InputError("the draft is a YAML record file: give it a .yaml name", file=str(draft))
    if not draft.resolve().parent.is_dir():
        raise InputError("the draft's folder does not exist", file=str(draft))
    text_path = Path(path) if path is not None else draft.with_suffix(".txt")
    records = build_records(x, text_file=text_file_for(text_path, draft), store=store)
    content = draft_yaml(records, text_name=text_path.name, draft_name=str(draft))
    with tempfile.TemporaryDirectory(prefix="parley-draft-") as tmp:
        # Check the draft as `parley ingest --dry-run` will, before writing anything.
        check_text = Path(tmp) / text_path.name
        check_text.write_text(body, encoding="utf-8", newline="\n")
        check_records = build_records(x, text_file=check_text.name, store=store)
        check_path = str(Path(tmp) / draft.name)
        check_data = draft_yaml(check_records, text_name=check_text.name, draft_name=draft.name).encode("utf-8")
        ingest_files(store or Store.open("memory:"), [check_path], dry_run=True, check_shapes=check_shapes,
                     uploads={check_path: check_data})
    if path is None:
        write_draft(text_path, body)
    write_draft(draft, content)
    return TextIngestResult(x, records, str(draft))
