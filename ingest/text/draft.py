"""Extracted records as a YAML draft for a person to check, correct and ingest with `parley ingest`.

The draft is plain record format (ingest/RECORDS.md): statements carry `origin: extracted`, their
`span` in the transcript, and the source's `text_file` points at the transcript, relative to the draft.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from graph import files

HEADER = """\
# Parley draft extracted from {text} by `parley extract` (rules, not a person: check before ingesting).
# Statements are `origin: extracted`; spans are character offsets into the source's text_file.
# Claims carry the quote they came from; fix or delete what is wrong, then:
#   parley ingest {draft} --dry-run && parley ingest {draft}
"""


class _DraftDumper(yaml.SafeDumper):
    """yaml.safe_dump's dumper, with short lists of plain values on one line (`span: [1, 342]`,
    `parties: [russia, united-states]`) and everything else in block style, for a person to edit."""

    def represent_short_list(self, data: list[Any]) -> yaml.SequenceNode:
        flow = all(not isinstance(v, (dict, list)) for v in data) and len(str(data)) < 80
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_DraftDumper.add_representer(list, _DraftDumper.represent_short_list)


def draft_yaml(records: dict[str, Any], *, text_name: str, draft_name: str) -> str:
    """The records as YAML text (safe_dump, Unicode kept, keys in record order) with a comment header.

    >>> print(draft_yaml({"parley": 1, "statements": []}, text_name="t.txt", draft_name="d.yaml").splitlines()[-2])
    parley: 1
    """
    # A JSON round trip unshares repeated lists, so the dump has no YAML anchors (record files refuse them).
    plain = json.loads(json.dumps(records, ensure_ascii=False))
    body = yaml.dump(plain, Dumper=_DraftDumper, allow_unicode=True, sort_keys=False, width=110,
                     default_flow_style=False)
    return HEADER.format(text=text_name, draft=draft_name) + body


def text_file_for(text_path: str | Path, draft_path: str | Path) -> str:
    """The transcript's path as the draft should name it: relative to the draft's folder when possible."""
    text_abs = Path(text_path).resolve()
    draft_dir = Path(draft_path).resolve().parent
    try:
        return os.path.relpath(text_abs, draft_dir)
    except ValueError:      # another drive (Windows)
        return str(text_abs)


def write_draft(path: str | Path, content: str) -> None:
    """Write the draft whole or not at all, so a crash leaves the old file or the new one."""
    files.write_whole(Path(path), content.encode("utf-8"))
