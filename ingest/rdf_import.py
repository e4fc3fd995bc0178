"""`parley import`: load an RDF file (Turtle, TriG, N-Triples, N-Quads, RDF/XML, JSON-LD) into the store,
parsed by pyoxigraph only, checked before anything is written, and written in one transaction.

Decisions (see RELIABILITY.md):

- Blank nodes are refused, not skolemised: Parley stores none (they break diffs and re-ingest), and a
  skolem IRI minted from a file-local label would silently change meaning when the file is edited.
- Triples outside a named graph go into the graph named after the file's collection
  (``…/id/collection/NAME``, NAME from ``--collection`` or the file name, as for record files).
- Each named graph in the file replaces the store's graph of the same name, so importing a file twice
  gives the same store as importing it once.
- RDF/XML with ``<!DOCTYPE`` or ``<!ENTITY`` is refused before parsing (entity expansion, local files);
  JSON-LD may only use inline contexts (a remote ``@context`` or ``@import`` would be fetched).
- Typed literals of the common XSD types are checked: ``"2025-13-45"^^xsd:date`` is an error.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pyoxigraph as ox
from rdflib import URIRef

from graph.errors import InputError
from graph.iri import mint
from graph.store import Store
from graph.terms import Triple, from_ox
from ingest.yamlsafe import decode

MAX_IMPORT_BYTES = 64 * 1024 * 1024
MAX_JSON_DEPTH = 256

FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}

XSD = "http://www.w3.org/2001/XMLSchema#"
_ID = re.compile(r"[^\W_A-Z][\w.\-]*\Z")
_DOCTYPE = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_PARSER_PREFIX = re.compile(r"^Parser error at line \d+ (?:column \d+|between columns \d+ and \d+): ")
_TZ = r"(Z|[+-](0\d|1[0-4]):[0-5]\d)?"
_DATE = re.compile(r"(-?\d{4,})-(\d{2})-(\d{2})" + _TZ + r"\Z")
_DATETIME = re.compile(r"(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?" + _TZ + r"\Z")
_INTEGER = re.compile(r"[+-]?\d+\Z")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)\Z")
_DOUBLE = re.compile(r"([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)\Z")
_GYEAR = re.compile(r"-?\d{4,}" + _TZ + r"\Z")


def _real_date(y: str, m: str, d: str) -> bool:
    """A month and day that exist in that year (years outside 1..9999 are checked against leap year 2000)."""
    year = int(y)
    try:
        dt.date(year if 1 <= year <= 9999 else 2000, int(m), int(d))
    except ValueError:
        return False
    return True


def _check_date(v: str) -> bool:
    m = _DATE.match(v)
    return bool(m) and _real_date(m.group(1), m.group(2), m.group(3))  # type: ignore[union-attr]


def _check_datetime(v: str) -> bool:
    m = _DATETIME.match(v)
    if not m or not _real_date(m.group(1), m.group(2), m.group(3)):
        return False
    h, mi, s = int(m.group(4)), int(m.group(5)), int(m.group(6))
    return (h < 24 and mi < 60 and s < 60) or (h, mi, s, m.group(7) or "") == (24, 0, 0, "")


_INTEGER_TYPES = ["integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                  "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
                  "unsignedByte"]
CHECKS: dict[str, tuple[Callable[[str], bool], str]] = {
    XSD + "date": (_check_date, "a real date YYYY-MM-DD"),
    XSD + "dateTime": (_check_datetime, "a real date-time YYYY-MM-DDThh:mm:ss"),
    XSD + "decimal": (lambda v: bool(_DECIMAL.match(v)), "a decimal number"),
    XSD + "double": (lambda v: bool(_DOUBLE.match(v)), "a floating-point number"),
    XSD + "float": (lambda v: bool(_DOUBLE.match(v)), "a floating-point number"),
    XSD + "boolean": (lambda v: v in ("true", "false", "1", "0"), "true, false, 1 or 0"),
    XSD + "gYear": (lambda v: bool(_GYEAR.match(v)), "a year such as 2025"),
    **{XSD + t: (lambda v: bool(_INTEGER.match(v)), "a whole number") for t in _INTEGER_TYPES},
}


@dataclass
class ImportReport:
    path: str
    collection: str
    graphs: dict[URIRef, list[Triple]] = field(default_factory=dict)
    replaced: list[URIRef] = field(default_factory=list)
    dry_run: bool = False

    @property
    def triples(self) -> int:
        return sum(len(t) for t in self.graphs.values())


def rdf_format(path: str | Path) -> ox.RdfFormat:
    """The format of an import file, from its extension.

    >>> rdf_format("snapshot.trig").name
    'TriG'
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"cannot import a {suffix or 'file without extension'}: give one of "
                         f"{', '.join(sorted(FORMATS))}", file=str(path))
    return FORMATS[suffix]


def collection_name(path: str | Path, given: str | None = None) -> str:
    """The collection whose graph takes the file's default-graph triples: `given`, or the file's name."""
    if given is not None:
        value = unicodedata.normalize("NFC", given)
        if not _ID.match(value) or value != value.lower() or len(value) > 200:
            raise InputError(f"--collection {given!r} is not a valid id: use lowercase letters, digits, '-', "
                             "'_' and '.'")
        return value
    stem = unicodedata.normalize("NFC", Path(path).stem).lower()
    return re.sub(r"[^\w.\-]+", "-", stem).strip("-") or "default"


def read_rdf(path: str | Path, *, data: bytes | None = None, collection: str | None = None,
             max_bytes: int = MAX_IMPORT_BYTES) -> ImportReport:
    """Read and check an RDF file; the graphs it would write, by name.

    :param data: the file's bytes, when they do not come from disk.
    :raises InputError: with the file and line of the first problem; nothing is read further.

    >>> r = read_rdf("x.nt", data=b'<http://x/a> <http://x/b> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .')
    >>> [str(g) for g in r.graphs], r.triples
    (['https://parley.example/id/collection/x'], 1)
    """
    name = str(path)
    fmt = rdf_format(path)
    if data is None:
        try:
            size = Path(path).stat().st_size
            if size > max_bytes:
                raise InputError(f"the file is {size:,} bytes, over the {max_bytes:,}-byte import limit; split it",
                                 file=name)
            data = Path(path).read_bytes()
        except OSError as e:
            raise InputError(f"cannot read the file: {e.strerror or e}", file=name) from None
    if len(data) > max_bytes:
        raise InputError(f"the file is {len(data):,} bytes, over the {max_bytes:,}-byte import limit; split it",
                         file=name)
    text = decode(data, name)
    if fmt == ox.RdfFormat.RDF_XML and (m := _DOCTYPE.search(text)):
        raise _error(f"RDF/XML with <!{m.group(1).upper()} is refused (entities can expand without limit "
                         "or read local files); remove the declaration", name, _position(text, m.start()))
    if fmt == ox.RdfFormat.JSON_LD:
        _check_json_ld(text, name)
    report = ImportReport(name, collection_name(path, collection))
    default = mint("collection", report.collection)
    try:
        quads = list(ox.parse(text, format=fmt))
    except SyntaxError as e:
        message = _PARSER_PREFIX.sub("", str(e.msg if isinstance(e.msg, str) else e))
        message = re.sub(r" \(line \d+\)$", "", message)
        raise _error(f"not valid {fmt.name}: {message}", name, (e.lineno or None, e.offset or None)) from None
    except (ValueError, OSError) as e:
        raise InputError(f"not valid {fmt.name}: {e}", file=name) from None
    for q in quads:
        for term in (q.subject, q.object, q.graph_name):
            if isinstance(term, ox.BlankNode):
                raise _error("blank nodes are not allowed: Parley stores none; give the node an IRI",
                             name, _find(text, f"_:{term.value}"))
            if isinstance(term, ox.Triple):
                raise InputError("RDF-star triple terms are not supported", file=name)
        o = q.object
        if isinstance(o, ox.Literal) and o.language is None and o.datatype.value in CHECKS:
            check, expected = CHECKS[o.datatype.value]
            if not check(o.value):
                short = o.datatype.value.replace(XSD, "xsd:")
                raise _error(f"{o.value!r} is not a valid {short} (expected {expected})", name,
                             _find(text, o.value))
        g = default if isinstance(q.graph_name, ox.DefaultGraph) else URIRef(q.graph_name.value)
        report.graphs.setdefault(g, []).append((from_ox(q.subject), from_ox(q.predicate), from_ox(o)))
    if not report.graphs:
        raise InputError("the file holds no triples", file=name, line=1)
    return report


def import_rdf(store: Store, path: str | Path, *, collection: str | None = None, dry_run: bool = False,
               data: bytes | None = None) -> ImportReport:
    """Import an RDF file into `store` in one write: each graph it holds replaces the store's graph of that
    name. A failed import leaves the store exactly as it was.

    :raises InputError: the file is refused (see `read_rdf`).
    :raises WriteError: the store refused the write; nothing was stored.

    >>> store = Store.open("memory:")
    >>> import_rdf(store, "x.nt", data=b'<http://x/a> <http://x/b> <http://x/c> .').triples
    1
    """
    report = read_rdf(path, data=data, collection=collection)
    report.dry_run = dry_run
    existing = set(store.graph_names())
    report.replaced = sorted(g for g in report.graphs if g in existing)
    if not dry_run:
        store.write(put=report.graphs, fresh=not report.replaced)
        store.flush()
    return report


Where = tuple[int | None, int | None]


def _error(message: str, name: str, where: Where = (None, None)) -> InputError:
    return InputError(message, file=name, line=where[0], column=where[1])


def _position(text: str, offset: int) -> Where:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _find(text: str, needle: str) -> Where:
    """Where `needle` first appears: the parser gives no positions for terms, so this points at the first
    occurrence of the offending text (good enough to find it; empty when it does not appear verbatim)."""
    offset = text.find(needle)
    return _position(text, offset) if offset >= 0 else (None, None)


def _check_json_ld(text: str, name: str) -> None:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"not valid JSON: {e.msg}", file=name, line=e.lineno, column=e.colno) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", file=name) from None

    def walk(value: Any, depth: int) -> None:
        if depth > MAX_JSON_DEPTH:
            raise InputError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels", file=name)
        if isinstance(value, dict):
            for key, child in value.items():
                if key == "@context":
                    _check_context(child, depth)
                walk(child, depth + 1)
        elif isinstance(value, list):
            for child in value:
                walk(child, depth + 1)

    def _check_context(ctx: Any, depth: int) -> None:
        for item in ctx if isinstance(ctx, list) else [ctx]:
            if isinstance(item, str):
                raise _error(f"JSON-LD with a remote @context ({item[:80]!r}) is refused: Parley never "
                                 "fetches; put the context inline", name, _find(text, item))
            if isinstance(item, dict) and isinstance(item.get("@import"), str):
                raise _error(f"JSON-LD @import of a remote context ({item['@import'][:80]!r}) is refused: "
                                 "put the context inline", name, _find(text, item["@import"]))

    walk(doc, 0)
