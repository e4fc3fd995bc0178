"""Transcript bytes → text, with the same normalisation the record pipeline applies to a `text_file`.

Statement spans index into this text, so it must be exactly what `ingest.pipeline` reads back: a UTF-8
BOM dropped and CRLF turned into LF (`ingest.yamlsafe.decode`). Everything else is kept as it is.
"""

from __future__ import annotations

import re

from graph.errors import InputError
from ingest.yamlsafe import decode

# A transcript of a long press conference is ~300 KB; 4 MB leaves room for a day of them in one file
# while keeping a runaway input (a 10 MB single paragraph, a binary dump) out.
MAX_TEXT_BYTES = 4 * 1024 * 1024
# The record format's limit for one text field (ingest.records.MAX_TEXT_CHARS): one statement.
MAX_STATEMENT_CHARS = 200_000

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def read_text(data: bytes, name: str, *, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """The text of a transcript file.

    :raises InputError: over the size cap, not UTF-8 (with the byte offset, line and column of the
        first bad byte), or holding control characters the record format refuses.

    >>> read_text(b"\\xef\\xbb\\xbfQ: Hi?\\r\\nA: Yes.", "t.txt")
    'Q: Hi?\\nA: Yes.'
    """
    if len(data) > max_bytes:
        raise InputError(f"the text is {len(data):,} bytes, over the {max_bytes:,}-byte limit for text ingest; "
                         "split it into several files", file=name)
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as e:
        offset = e.start + (len(data) - len(body))
        before = data[:offset]
        line = before.count(b"\n") + 1
        column = offset - (before.rfind(b"\n") + 1) + 1
        raise InputError(f"not UTF-8 text: byte 0x{data[offset]:02x} at byte offset {offset}; "
                         "is this a binary file? save the text as UTF-8", file=name, line=line,
                         column=column) from None
    text = decode(data, name)
    check_text(text, name)
    return text


def check_text(text: str, name: str) -> None:
    """Refuse control characters (NUL, a lone CR, form feed, …) with where the first one is.

    :raises InputError: with line and column.
    """
    bad = _CONTROL.search(text)
    if bad is not None:
        line, column = position(text, bad.start())
        raise InputError(f"control character U+{ord(bad.group()):04X} in the text; remove it (binary data, "
                         "or old Mac line ends: save with LF or CRLF line ends)", file=name, line=line,
                         column=column)


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
