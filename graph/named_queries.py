"""Named queries: the files in graph/queries/, the parameters their headers declare, and how a value given
for one (an id, a label or alias, a date, text) becomes an RDF term."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from graph.errors import ParleyError, QueryError
from graph.results import short_name
from graph.sparql import DEFAULT_ROW_LIMIT, DEFAULT_TIMEOUT, QueryResult, run

if TYPE_CHECKING:
    from rdflib import URIRef
    from rdflib.term import Node

    from graph.store import Store

QUERIES_DIR = Path(__file__).resolve().parent / "queries"
PARAM_TYPES = ("actor", "issue", "event", "document", "place", "source", "statement", "entity", "date", "text")
ENTITY_KINDS = ("actor", "issue", "event", "document", "place", "source")
_PARAM_LINE = re.compile(r"(?P<name>[A-Za-z_]\w*)\s*\(\s*(?P<type>[a-z]+)\s*(?:,\s*(?P<optional>optional)\s*)?\)"
                         r"\s*(?P<description>.*)")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    description: str
    optional: bool = False


@dataclass(frozen=True)
class NamedQuery:
    """A query with a header: ``# title:``, ``# description:`` and ``# param: name (type[, optional]) text``."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str

    @classmethod
    def from_text(cls, name: str, text: str) -> "NamedQuery":
        """Read the header of comment lines at the top of a query.

        >>> q = NamedQuery.from_text("x", "# title: X\\n# param: actor (actor) who\\nSELECT * WHERE { ?actor ?p ?o }")
        >>> q.params[0]
        Param(name='actor', type='actor', description='who', optional=False)
        """
        title, description, params = "", [], []
        for number, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            if not stripped:
                continue
            if not stripped.startswith("#"):
                break
            key, _, value = stripped.lstrip("#").strip().partition(":")
            key, value = key.strip().lower(), value.strip()
            if key == "title":
                title = value
            elif key == "description":
                description.append(value)
            elif key == "param":
                m = _PARAM_LINE.fullmatch(value)
                if not m or m["type"] not in PARAM_TYPES:
                    raise QueryError(f"{name}: line {number}: a parameter reads `# param: name (type) description` "
                                     f"with a type among {', '.join(PARAM_TYPES)}, not {value!r}")
                params.append(Param(m["name"], m["type"], m["description"].strip(), bool(m["optional"])))
        return cls(name, title or name, " ".join(description), tuple(params), text)


def list_queries() -> list[NamedQuery]:
    """Every named query in graph/queries/, by name."""
    return [load_query(p.stem) for p in sorted(QUERIES_DIR.glob("*.rq"))]


def load_query(name: str) -> NamedQuery:
    """The named query `name` (a file graph/queries/NAME.rq).

    :raises QueryError: there is no such query.
    """
    path = QUERIES_DIR / f"{name}.rq"
    # a name too long for a file (the system's limit is 255 bytes) is not one either
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,199}", name) or not path.is_file():
        raise QueryError(f"no named query {name!r}; `parley queries` lists them")
    return NamedQuery.from_text(name, path.read_text(encoding="utf-8"))


def bind_params(store: Store, query: NamedQuery, given: Mapping[str, str]) -> str:
    """The query's text with its parameters bound as RDF terms (a VALUES block, never pasted text).

    An entity parameter takes an id (``vladimir-putin``) or any label or alias in any language
    (``Путин``), matched without regard to case; a date takes YYYY-MM-DD; text stays a plain literal.

    :raises QueryError: a parameter is unknown, missing, or names nothing in the store.
    """
    from graph.store import bind

    declared = {p.name: p for p in query.params}
    for name in given:
        if name not in declared:
            takes = ", ".join(declared) or "no parameters"
            raise QueryError(f"unknown parameter {name!r} for query {query.name!r}; it takes {takes}")
    bindings: dict[str, Node] = {}
    for p in query.params:
        if p.name not in given:
            if p.optional:
                continue
            raise QueryError(f"query {query.name!r} needs parameter {p.name!r} ({p.type}): "
                             f"give --param {p.name}=…")
        bindings[p.name] = param_term(store, p, given[p.name])
    return bind(query.text, bindings)


def param_term(store: Store, param: Param, value: str) -> Node:
    """One parameter value as an RDF term."""
    from rdflib import Literal

    from ontology.namespaces import XSD

    value = unicodedata.normalize("NFC", value).strip()
    if param.type == "text":
        return Literal(value)
    if param.type == "date":
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            dt.date.fromisoformat(value)
        except ValueError:
            raise QueryError(f"parameter {param.name!r}: {value!r} is not a date; write YYYY-MM-DD") from None
        return Literal(value, datatype=XSD.date)
    return resolve(store, param.type, value, name=param.name)


def resolve(store: Store, kind: str, value: str, *, name: str | None = None) -> URIRef:
    """The record of `kind` (or any kind, for ``entity``) with this id, label or alias.

    :raises QueryError: nothing matches, or several records do.
    """
    from rdflib import Literal, URIRef

    from graph.iri import mint
    from graph.terms import nt
    from ontology.namespaces import DCTERMS, RDFS, SKOS

    kinds = ENTITY_KINDS if kind == "entity" else (kind,)
    what = f"parameter {name!r}: " if name else ""
    classes = " ".join(nt(c) for c in _classes(kinds))
    found = set()
    for k in kinds:  # an id first (`vladimir-putin`; `Vladimir Putin` gives the same id)
        try:
            iri = mint(k, value)
        except ParleyError:
            continue
        if store.ask(f"ASK {{ VALUES ?class {{ {' '.join(nt(c) for c in _classes((k,)))} }} {nt(iri)} a ?class }}"):
            found.add(str(iri))
    if not found:
        labels = " ".join(nt(p) for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel, DCTERMS.title))
        rows = store.select(
            f"SELECT DISTINCT ?e WHERE {{ VALUES ?class {{ {classes} }} VALUES ?p {{ {labels} }} "
            "?e a ?class ; ?p ?label . FILTER(LCASE(STR(?label)) = ?needle) }",
            {"needle": Literal(value.lower())}).rows
        found = {str(r[0]) for r in rows}
    if not found:
        looked = "record" if kind == "entity" else kind
        raise QueryError(f"{what}no {looked} {value!r} in the store (looked for the id and every label and alias)")
    if len(found) > 1:
        shown = ", ".join(short_name(f) for f in sorted(found)[:8])
        raise QueryError(f"{what}{value!r} is ambiguous: it names {shown}; give one of these ids")
    return URIRef(found.pop())


def _classes(kinds: tuple[str, ...]) -> list[URIRef]:
    from ontology.namespaces import PARLEY, SCHEMA, SEM

    table_ = {"actor": [PARLEY.Actor], "issue": [PARLEY.Issue], "event": [SEM.Event], "document": [PARLEY.Document],
              "place": [SCHEMA.Place], "source": [SCHEMA.CreativeWork], "statement": [PARLEY.Statement]}
    return [c for k in kinds for c in table_[k]]


def run_named(store: Store, query: NamedQuery, params: Mapping[str, str], *, limit: int = DEFAULT_ROW_LIMIT,
              timeout: float = DEFAULT_TIMEOUT) -> QueryResult:
    """Bind a named query's parameters and run it with `run`."""
    return run(store, bind_params(store, query, params), limit=limit, timeout=timeout)


__all__ = ["NamedQuery", "Param", "bind_params", "list_queries", "load_query", "param_term", "resolve", "run_named"]
