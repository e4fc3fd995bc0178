"""Record files: read a YAML file safely and check it against `records.schema.yaml`.

The result is plain Python data (typed values) with the file position of every record and reference,
so later steps (reference resolution, SHACL) can still say where a problem is.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from graph.errors import InputError
from ingest.yamlsafe import Node, decode, parse

SCHEMA_PATH = Path(__file__).with_name("records.schema.yaml")
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_TEXT_CHARS = 200_000

_ID = re.compile(r"[^\W_A-Z][\w.\-]*\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_DURATION = re.compile(r"P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?\Z")
_LANGUAGE = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*\Z")
_INT = re.compile(r"-?\d{1,18}\Z")
_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?\Z")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+\Z")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The record schema (parsed once)."""
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        return yaml.load(f, Loader=yaml.CSafeLoader)  # noqa: S506 - our own file, safe loader


@dataclass(frozen=True, slots=True)  # slots: a large file has one per record and reference
class Where:
    file: str
    line: int
    column: int
    field: str

    def error(self, message: str) -> InputError:
        return InputError(message, file=self.file, line=self.line, column=self.column, field=self.field)


@dataclass(slots=True)
class Record:
    """One record: its kind (source, actor, …), id, typed fields, and where it was written."""

    kind: str
    id: str
    data: dict[str, Any]
    where: Where


@dataclass(slots=True)
class Reference:
    kind: str  # a record kind, or "any"
    id: str
    where: Where


@dataclass
class RecordFile:
    path: str
    collection: str
    records: list[Record] = field(default_factory=list)
    # The first reference to each (kind, id), in file order: where an unknown id is reported. A large file
    # names the same speakers, sources and events a million times.
    references: list[Reference] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Record]:
        return [r for r in self.records if r.kind == kind]


def read_record_file(path: str | Path, *, data: bytes | None = None, display_name: str | None = None,
                     max_bytes: int = MAX_FILE_BYTES) -> RecordFile:
    """Read and check one record file.

    :param data: the file's bytes, when they do not come from disk (an upload).
    :raises InputError: with the file, line, column and field of the first problem.
    """
    name = display_name or str(path)
    if data is None:
        try:
            size = Path(path).stat().st_size
        except OSError as e:
            raise InputError(f"cannot read the file: {e.strerror}", file=name) from None
        if size > max_bytes:
            raise InputError(f"the file is {size:,} bytes, over the {max_bytes:,}-byte limit; split it",
                             file=name)
        data = Path(path).read_bytes()
    elif len(data) > max_bytes:
        raise InputError(f"the file is {len(data):,} bytes, over the {max_bytes:,}-byte limit; split it", file=name)
    text = decode(data, name)
    del data  # the text is all that is read from here on (a large file's bytes need not stay beside it)
    checker = _Checker(name)
    root = parse(text, name, on_item=checker.record)
    del text
    if not isinstance(root.value, dict):
        what = "a list" if isinstance(root.value, list) else "a single value"
        raise InputError(f"a record file is a mapping that starts with `parley: 1`, not {what}",
                         file=name, line=root.line, column=root.column)
    top = checker.object(root, schema()["file"], "")
    collection = top.get("collection") or _default_collection(Path(path))
    result = RecordFile(str(path), collection)
    for section, kind in schema()["sections"].items():
        for i, item in enumerate(top.get(section, [])):
            section_node = root.value[section]
            assert isinstance(section_node.value, list)
            node = section_node.value[i]
            result.records.append(Record(kind, item["id"], item, Where(name, node.line, node.column,
                                                                        f"{section}[{i}]")))
    result.references = checker.references
    return result


def _default_collection(path: Path) -> str:
    stem = unicodedata.normalize("NFC", path.stem).lower()
    return re.sub(r"[^\w.\-]+", "-", stem).strip("-") or "default"


class _Checker:
    """Walks a Node tree along the schema, producing typed values and collecting references."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.references: list[Reference] = []
        self.referred: set[tuple[str, str]] = set()
        self.schema = schema()
        # Records checked while the file is read, by the id of the node left in their place.
        self.checked: dict[int, dict[str, Any]] = {}
        self.reading = True

    def record(self, section: str, index: int, node: Node) -> Node:
        """Check a record as soon as the parser has read it, and leave a node without its fields in its place.

        Until the first record that does not pass: that one and all after it stay as they are, and the check
        of the whole file (after the parse) reports the first problem in the order it always has.
        """
        spec = self.schema["file"].get(section) if section in self.schema["sections"] else None
        if not self.reading or spec is None or not isinstance(node.value, dict):
            self.reading = False
            return node
        try:
            value = self.value(node, spec["type"].removeprefix("list:"), f"{section}[{index}]")
        except InputError:
            self.reading = False
            return node
        done = Node({}, node.line, node.column, {})
        self.checked[id(done)] = value
        return done

    def where(self, node: Node, path: str) -> Where:
        return Where(self.filename, node.line, node.column, path)

    def object(self, node: Node, fields: dict[str, Any], path: str, extra: dict[str, dict[str, Any]] | None = None,
               ) -> dict[str, Any]:
        if not isinstance(node.value, dict):
            raise self.where(node, path or "(top)").error("expected a mapping of fields")
        allowed = dict(fields)
        if extra is not None:
            kind_node = node.value.get("kind")
            kind = kind_node.value if kind_node is not None else None
            if isinstance(kind, str) and kind in extra:
                allowed.update(extra[kind])
        out: dict[str, Any] = {}
        for key, child in node.value.items():
            sub = f"{path}.{key}" if path else key
            if key not in allowed:
                line, column = node.keys[key]
                known = ", ".join(sorted(allowed))
                raise Where(self.filename, line, column, sub).error(f"unknown field {key!r}; known fields: {known}")
            if child.value is None:
                if allowed[key].get("required"):
                    raise self.where(child, sub).error("a value is required (found null)")
                continue
            out[key] = self.value(child, allowed[key]["type"], sub)
        for key, spec in allowed.items():
            if key not in out:
                if spec.get("required"):
                    raise self.where(node, f"{path}.{key}" if path else key).error(
                        f"missing required field {key!r}")
                if "default" in spec:
                    out[key] = str(spec["default"])
        return out

    def value(self, node: Node, type_: str, path: str) -> Any:
        if type_.startswith("list:"):
            if not isinstance(node.value, list):
                raise self.where(node, path).error("expected a list (write `[a, b]` or one `- item` per line)")
            return [self.value(item, type_[5:], f"{path}[{i}]") for i, item in enumerate(node.value)]
        if type_.startswith("object:"):
            if self.checked and id(node) in self.checked:
                return self.checked.pop(id(node))
            name = type_[7:]
            extra = self.schema["claims"] if name == "claim" else None
            return self.object(node, self.schema["objects"][name], path, extra)
        if type_ == "labels":
            if not isinstance(node.value, dict) or not node.value:
                raise self.where(node, path).error("expected labels by language, e.g. `{en: Kyiv, uk: Київ}`")
            labels = {}
            for lang, child in node.value.items():
                line, column = node.keys[lang]
                if not _LANGUAGE.match(lang):
                    raise Where(self.filename, line, column, f"{path}.{lang}").error(
                        f"{lang!r} is not a language tag (en, ru, uk, …)")
                labels[lang.lower()] = self.scalar_text(child, f"{path}.{lang}")
            return labels
        if not isinstance(node.value, str):
            raise self.where(node, path).error(f"expected a single value ({type_}), found a "
                                               f"{'list' if isinstance(node.value, list) else 'mapping'}")
        raw = node.value
        where = self.where(node, path)
        if type_ == "text":
            return self.scalar_text(node, path)
        if type_ == "id":
            return check_id(raw, where)
        if type_.startswith("ref:"):
            ref_id = check_id(raw, where)
            if (type_[4:], ref_id) not in self.referred:
                self.referred.add((type_[4:], ref_id))
                self.references.append(Reference(type_[4:], ref_id, where))
            return ref_id
        if type_.startswith("enum:"):
            values = [str(v) for v in self.schema["enums"][type_[5:]]]
            if raw not in values:
                raise where.error(f"{raw!r} is not one of: {', '.join(values)}")
            return raw
        if type_ == "url":
            if not _URL.match(raw):
                raise where.error(f"{raw!r} is not an http(s) URL (other schemes such as javascript: and file: "
                                  "are refused)")
            return raw
        if type_ == "date":
            return check_date(raw, where)
        if type_ == "datetime":
            return check_datetime(raw, where)
        if type_ == "date-or-datetime":
            return check_date(raw, where) if len(raw) == 10 else check_datetime(raw, where)
        if type_ == "duration":
            if not _DURATION.match(raw):
                raise where.error(f"{raw!r} is not an ISO 8601 duration such as PT5H or P2D")
            return raw
        if type_ == "language":
            if not _LANGUAGE.match(raw):
                raise where.error(f"{raw!r} is not a language tag (en, ru, uk, …)")
            return raw.lower()
        if type_ == "int":
            if not _INT.match(raw):
                raise where.error(f"{raw!r} is not a whole number")
            return int(raw)
        if type_ == "number":
            if not _NUMBER.match(raw):
                raise where.error(f"{raw!r} is not a number")
            return raw
        raise AssertionError(f"unknown schema type {type_}")

    def scalar_text(self, node: Node, path: str) -> str:
        if not isinstance(node.value, str):
            raise self.where(node, path).error("expected text")
        text = unicodedata.normalize("NFC", node.value)
        if _CONTROL.search(text):
            raise self.where(node, path).error("control characters are not allowed in text")
        if len(text) > MAX_TEXT_CHARS:
            raise self.where(node, path).error(
                f"text of {len(text):,} characters is over the {MAX_TEXT_CHARS:,}-character limit per field")
        return text


def check_id(raw: str, where: Where) -> str:
    value = unicodedata.normalize("NFC", raw)
    if not _ID.match(value) or value != value.lower() or len(value) > 200:
        raise where.error(f"{raw!r} is not a valid id: use lowercase letters, digits, '-', '_' and '.', "
                          "starting with a letter or digit")
    return value


def check_date(raw: str, where: Where) -> dt.date:
    if not _DATE.match(raw):
        raise where.error(f"{raw!r} is not a date in the form YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as e:
        raise where.error(f"{raw!r} is not a real date ({e})") from None


def check_datetime(raw: str, where: Where) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise where.error(f"{raw!r} is not an ISO 8601 date-time such as 2025-12-02T17:00:00+03:00") from None
    if value.tzinfo is None:
        raise where.error(f"{raw!r} needs a time-zone offset (e.g. +03:00 or Z)")
    return value
