"""The optional header block at the top of a transcript: `field: value` lines, then a blank line.

    source-url: https://tass.ru/politika/25798241
    date: 2025-12-03
    language: en
    title: Yuri Ushakov's briefing after the Kremlin meeting
    publisher: TASS

    According to Ushakov, …

A header is recognised only when the file's first line is one of the known fields; then every line up
to the first blank line must be one. Options given on the command line win over the header.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields, replace

from graph.errors import InputError
from ingest.text.reading import position

# header field -> Meta attribute
FIELDS = {
    "source-url": "source_url", "url": "source_url", "date": "date", "language": "language", "title": "title",
    "publisher": "publisher", "translated-from": "translated_from", "speaker": "speaker", "event": "event",
    "source-id": "source_id",
}
_LINE = re.compile(r"([A-Za-z][A-Za-z-]{0,30})[ \t]*:[ \t]*(.*)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_LANGUAGE = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*\Z")
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+\Z")
_ID = re.compile(r"[^\W_A-Z][\w.\-]{0,199}\Z")


@dataclass(frozen=True)
class Meta:
    """What is known about a transcript besides its text: from the header, the options, the file name."""

    source_url: str | None = None
    date: str | None = None
    language: str | None = None
    title: str | None = None
    publisher: str | None = None
    translated_from: str | None = None
    speaker: str | None = None      # who narrative paragraphs with no attribution belong to (an id or a name)
    event: str | None = None        # an existing event id the statements are about
    source_id: str | None = None

    def overridden_by(self, other: "Meta") -> "Meta":
        """This meta with every field that `other` sets taken from `other`."""
        changes = {f.name: getattr(other, f.name) for f in fields(other) if getattr(other, f.name) is not None}
        return replace(self, **changes)


def parse_header(text: str, name: str) -> tuple[Meta, int]:
    """The header's fields and the offset where the body starts (0 when there is no header).

    :raises InputError: a header line that is not a known field, or a value that is not valid, with its line.

    >>> meta, start = parse_header("date: 2025-12-03\\nlanguage: ru\\n\\nВопрос: …", "t.txt")
    >>> meta.date, meta.language, start
    ('2025-12-03', 'ru', 31)
    >>> parse_header("Question: Will they go?", "t.txt")[1]
    0
    """
    first = _LINE.match(text[: text.find("\n") if "\n" in text else len(text)])
    if first is None or first.group(1).lower() not in FIELDS:
        return Meta(), 0
    values: dict[str, str] = {}
    offset = 0
    while offset < len(text):
        end = text.find("\n", offset)
        end = len(text) if end < 0 else end
        line = text[offset:end]
        if not line.strip():
            return check_meta(values, text, name), min(end + 1, len(text))
        m = _LINE.fullmatch(line)
        key = m.group(1).lower() if m else ""
        if m is None or key not in FIELDS:
            line_no, _ = position(text, offset)
            raise InputError(f"header line {line!r:.60} is not a known field ({', '.join(sorted(FIELDS))}); "
                             "end the header with a blank line before the transcript", file=name, line=line_no,
                             column=1)
        if FIELDS[key] in values:
            raise InputError(f"header field {key!r} is given twice", file=name, line=position(text, offset)[0],
                             column=1)
        values[FIELDS[key]] = m.group(2).strip()
        values[f"_{FIELDS[key]}_at"] = str(offset)
        offset = end + 1
    return check_meta(values, text, name), len(text)


def check_meta(values: dict[str, str], text: str, name: str) -> Meta:
    """A Meta from raw header values, each checked; a bad value names its line."""
    out: dict[str, str] = {}
    for attr in {f.name for f in fields(Meta)}:
        if attr not in values or not values[attr]:
            continue
        line = position(text, int(values[f"_{attr}_at"]))[0] if f"_{attr}_at" in values else None
        out[attr] = check_value(attr, values[attr], name, line)
    return Meta(**out)


def check_value(attr: str, value: str, name: str | None = None, line: int | None = None) -> str:
    """One header or option value, checked: dates are real dates, URLs http(s), languages BCP 47 tags.

    :raises InputError: naming the field (and the line, for a header).
    """
    field = attr.replace("_", "-")

    def bad(message: str) -> InputError:
        return InputError(message, file=name, line=line, field=field)

    if attr == "date":
        if not _DATE.match(value):
            raise bad(f"{value!r} is not a date in the form YYYY-MM-DD")
        try:
            dt.date.fromisoformat(value)
        except ValueError as e:
            raise bad(f"{value!r} is not a real date ({e})") from None
    elif attr == "source_url":
        if not _URL.match(value):
            raise bad(f"{value!r} is not an http(s) URL (other schemes such as javascript: and file: are refused)")
    elif attr in ("language", "translated_from"):
        if not _LANGUAGE.match(value):
            raise bad(f"{value!r} is not a language tag (en, ru, uk, …)")
        value = value.lower()
    elif attr in ("event", "source_id"):
        if not _ID.match(value) or value != value.lower():
            raise bad(f"{value!r} is not a record id (lowercase letters, digits, '-', '_', '.')")
    elif len(value) > 500:
        raise bad(f"the {field} is {len(value)} characters long; at most 500")
    return value


_FILE_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def date_from_name(name: str) -> str | None:
    """A date written in a file name (`ushakov-briefing-2025-12-02.txt`), if it is a real date.

    >>> date_from_name("ushakov-briefing-2025-12-02.txt")
    '2025-12-02'
    """
    for m in _FILE_DATE.finditer(name):
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            continue
    return None
