"""Checked records → RDF: one named graph per record, one per claim, as RECORDS.md's mapping table says."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import DefinedNamespace
from rdflib.term import Node

from graph.iri import base, mint, slug
from graph.terms import Triple, nt
from ingest.records import Record, RecordFile, schema
from ontology import namespaces as ns


class _Terms:
    """A closed namespace that remembers the terms read from it. Reading `RDF.type` from an rdflib
    DefinedNamespace checks the name every time (microseconds), and mapping a large file reads a million;
    the first read of each name still goes through the namespace, so a typo raises as before."""

    def __init__(self, namespace: type[DefinedNamespace]) -> None:
        self._namespace = namespace
        self._items: dict[str, URIRef] = {}

    def __getattr__(self, name: str) -> URIRef:
        term: URIRef = getattr(self._namespace, name)
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> URIRef:
        term = self._items.get(name)
        if term is None:
            term = self._items[name] = self._namespace[name]
        return term


ACCESS, CONFIDENCE, DCTERMS, DOCUMENT_KIND, EVENT_TYPE, FACTUALITY, FOAF, ISSUE_CATEGORY, OA, ORG, ORIGIN = map(
    _Terms, (ns.ACCESS, ns.CONFIDENCE, ns.DCTERMS, ns.DOCUMENT_KIND, ns.EVENT_TYPE, ns.FACTUALITY, ns.FOAF,
             ns.ISSUE_CATEGORY, ns.OA, ns.ORG, ns.ORIGIN))
OWL, PARLEY, PROV, RDF, RDFS, ROLE, SCHEMA, SEM, SKOS, STANCE, STATEMENT_KIND, TIME, TRANSFER_ACTION, XSD = map(
    _Terms, (ns.OWL, ns.PARLEY, ns.PROV, ns.RDF, ns.RDFS, ns.ROLE, ns.SCHEMA, ns.SEM, ns.SKOS, ns.STANCE,
             ns.STATEMENT_KIND, ns.TIME, ns.TRANSFER_ACTION, ns.XSD))

# The IRI path segment of each record kind.
KIND_PATH = {"source": "source", "actor": "actor", "place": "place", "issue": "issue", "document": "document",
             "event": "event", "statement": "statement"}
SCHEMES: dict[str, _Terms] = {
    "event-type": EVENT_TYPE, "stance": STANCE, "factuality": FACTUALITY, "confidence": CONFIDENCE, "role": ROLE,
    "issue-category": ISSUE_CATEGORY, "document-kind": DOCUMENT_KIND, "access": ACCESS,
    "statement-kind": STATEMENT_KIND, "origin": ORIGIN, "transfer-action": TRANSFER_ACTION,
}
ACTOR_CLASSES = {"person": [FOAF.Person, SCHEMA.Person], "organisation": [ORG.Organization],
                 "state": [PARLEY.State], "group": [PARLEY.Group]}
# Claim fields whose predicate is not simply parley:<fieldInCamelCase>.
FIELD_PREDICATES = {"points": PARLEY.numberOfPoints, "date": DCTERMS.date, "on": PARLEY.onDocument,
                    "actors": PARLEY.actor, "parties": PARLEY.party, "issues": PARLEY.issue}
COMMON_CLAIM_FIELDS = {"kind", "id", "factuality", "confidence", "quote", "note"}


@lru_cache(maxsize=4096)
def camel(name: str, *, upper: bool = False) -> str:
    parts = re.split(r"[-_]", name)
    head = parts[0].capitalize() if upper else parts[0]
    return head + "".join(p.capitalize() for p in parts[1:])


def concept(scheme: str, value: str) -> URIRef:
    """The SKOS concept for a vocabulary value; a value the vocabulary lacks raises."""
    return SCHEMES[scheme][value]


@lru_cache(maxsize=4096)
def kind_class(prefix_kind: str, suffix: str = "") -> URIRef:
    """The OWL class for an event kind (`meeting` → parley:Meeting) or a claim kind (+ `Claim`)."""
    name = "StatementEvent" if prefix_kind == "statement" and not suffix else camel(prefix_kind, upper=True) + suffix
    return PARLEY[name]


def date_literal(value: dt.date | dt.datetime) -> Literal:
    if isinstance(value, dt.datetime):
        return Literal(value.isoformat(), datatype=XSD.dateTime)
    return _day_literal(value)


# Not for date-times: two equal instants written with different offsets must each keep their own text.
@lru_cache(maxsize=65536)  # a negotiation has few distinct days, each written many times
def _day_literal(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


class Mapper:
    """Maps the records of one file to named graphs. `kind_of` says which kind an id of `ref:any` has."""

    def __init__(self, record_file: RecordFile, kind_of: Callable[[str], str],
                 source_texts: dict[str, str]) -> None:
        self.file = record_file
        self.kind_of = kind_of
        self.source_texts = source_texts
        self.base = base()  # read once: minting reads and checks $PARLEY_BASE on every call otherwise
        self.collection = self.mint("collection", record_file.collection)
        self.graphs: dict[URIRef, list[Triple]] = {}
        self.lines: dict[URIRef, list[str]] = {}
        self.spec = schema()
        self._iris: dict[tuple[str, str], URIRef] = {}

    def mint(self, kind: str, key: str) -> URIRef:
        return mint(kind, key, base_iri=self.base)

    def iri(self, kind: str, record_id: str) -> URIRef:
        # The records statements refer to (speakers, sources, events, …) are named again and again: minting
        # (normalising the id, building the URIRef) is done once for each.
        key = (kind, record_id)
        known = self._iris.get(key)
        if known is None:
            known = self.mint(KIND_PATH[self.kind_of(record_id) if kind == "any" else kind], record_id)
            if kind != "statement":
                self._iris[key] = known
        return known

    def graph(self, name: URIRef) -> list[Triple]:
        triples = self.graphs.setdefault(name, [])
        if not triples:
            triples.append((name, PARLEY.collection, self.collection))
        return triples

    def run(self) -> dict[URIRef, list[Triple]]:
        """The file's graphs, each with its content hash; `lines` then holds each as N-Triples lines."""
        out: dict[URIRef, list[Triple]] = {}
        for name, triples, lines in self.map_records(self.file.records):
            out[name], self.lines[name] = triples, lines
        return out

    def map_records(self, records: Iterable[Record]) -> Iterator[tuple[URIRef, list[Triple], list[str]]]:
        """The graphs of some of the file's records: name, triples with the content hash, N-Triples lines.

        Records are mapped a part at a time so a large file never holds all its triples; a graph is only
        complete once every record that adds to it is mapped, which holds for a part made of whole records
        as long as no two records name the same graph (the pipeline refuses a claim id given twice before mapping).
        """
        for record in records:
            getattr(self, f"map_{record.kind}")(record)
        for name in list(self.graphs):
            yield (name, *hashed(name, self.graphs.pop(name)))

    def statement_types(self, record: Record) -> list[Triple]:
        """The types a statement's graph gives it: what a check of another statement's graph may need to
        know of a statement it refers to."""
        s = self.iri("statement", record.id)
        return [(s, RDF.type, PARLEY.Statement), (s, RDF.type, PROV.Entity)]

    # -- the record kinds ----------------------------------------------------------------------------

    def labels(self, g: list[Triple], s: URIRef, d: dict[str, Any]) -> None:
        for lang, text in d.get("labels", {}).items():
            g.append((s, RDFS.label, Literal(text, lang=lang)))
            g.append((s, SKOS.prefLabel, Literal(text, lang=lang)))
        for alias in d.get("aliases", []):
            g.append((s, SKOS.altLabel, Literal(alias)))

    def map_source(self, r: Record) -> None:
        d, s = r.data, self.iri("source", r.id)
        g = self.graph(s)
        g += [(s, RDF.type, SCHEMA.CreativeWork), (s, RDF.type, PROV.Entity)]
        if "url" in d:
            g.append((s, SCHEMA.url, URIRef(d["url"])))
        if "title" in d:
            g += [(s, DCTERMS.title, Literal(d["title"])), (s, RDFS.label, Literal(d["title"]))]
        else:
            g.append((s, RDFS.label, Literal(r.id)))
        if "publisher" in d:
            g.append((s, DCTERMS.publisher, self.iri("actor", d["publisher"])))
        if "date" in d:
            g.append((s, DCTERMS.date, date_literal(d["date"])))
        if "language" in d:
            g.append((s, DCTERMS.language, Literal(d["language"])))
        if "translated_from" in d:
            g.append((s, PARLEY.translatedFrom, Literal(d["translated_from"])))
        if r.id in self.source_texts:
            g.append((s, PARLEY.sourceText, Literal(self.source_texts[r.id])))

    def map_actor(self, r: Record) -> None:
        d, s = r.data, self.iri("actor", r.id)
        g = self.graph(s)
        g += [(s, RDF.type, PARLEY.Actor), (s, RDF.type, PROV.Agent)]
        g += [(s, RDF.type, c) for c in ACTOR_CLASSES[d["type"]]]
        self.labels(g, s, d)
        g += [(s, OWL.sameAs, URIRef(u)) for u in d.get("same_as", [])]
        g += [(s, ORG.memberOf, self.iri("actor", o)) for o in d.get("member_of", [])]
        for n, role in enumerate(d.get("roles", []), 1):
            m = self.mint("membership", f"{r.id}-{n}")
            post = self.mint("role", role["post"])
            g += [(m, RDF.type, ORG.Membership), (m, ORG.member, s), (m, ORG.role, post),
                  (post, RDF.type, ORG.Role), (post, RDFS.label, Literal(role["post"], lang="en"))]
            if "organisation" in role:
                g.append((m, ORG.organization, self.iri("actor", role["organisation"])))
            if "from" in role or "to" in role:
                interval = self.mint("interval", f"membership-{r.id}-{n}")
                g += [(m, ORG.memberDuring, interval), (interval, RDF.type, TIME.Interval)]
                for key, prop in (("from", TIME.hasBeginning), ("to", TIME.hasEnd)):
                    if key in role:
                        instant = self.mint("instant", f"membership-{r.id}-{n}-{key}")
                        g += [(interval, prop, instant), (instant, RDF.type, TIME.Instant),
                              (instant, TIME.inXSDDate, date_literal(role[key]))]

    def map_place(self, r: Record) -> None:
        d, s = r.data, self.iri("place", r.id)
        g = self.graph(s)
        g += [(s, RDF.type, SCHEMA.Place), (s, RDF.type, SEM.Place)]
        self.labels(g, s, d)
        if "within" in d:
            g.append((s, SCHEMA.containedInPlace, self.iri("place", d["within"])))

    def map_issue(self, r: Record) -> None:
        d, s = r.data, self.iri("issue", r.id)
        g = self.graph(s)
        g += [(s, RDF.type, PARLEY.Issue), (s, RDF.type, SKOS.Concept),
              (s, SKOS.inScheme, self.mint("scheme", "issues"))]
        self.labels(g, s, d)
        if "category" in d:
            g.append((s, SKOS.broader, concept("issue-category", d["category"])))
        if "broader" in d:
            g.append((s, SKOS.broader, self.iri("issue", d["broader"])))

    def map_document(self, r: Record) -> None:
        d, s = r.data, self.iri("document", r.id)
        g = self.graph(s)
        g += [(s, RDF.type, PARLEY.Document), (s, RDF.type, PROV.Entity),
              (s, DCTERMS.title, Literal(d["title"])), (s, RDFS.label, Literal(d["title"])),
              (s, PARLEY.documentKind, concept("document-kind", d["kind"])),
              (s, DCTERMS.accessRights, concept("access", d["access"])),
              (s, PARLEY.confidence, concept("confidence", d["confidence"]))]
        if "points" in d:
            g.append((s, PARLEY.numberOfPoints, Literal(d["points"])))
        g += [(s, PROV.wasAttributedTo, self.iri("actor", a)) for a in d.get("drafted_by", [])]
        if "date" in d:
            g.append((s, DCTERMS.created, date_literal(d["date"])))
        for action in ("sent", "presented"):
            if action in d:
                t, transfer = self.mint("transfer", f"{r.id}-{action}"), d[action]
                g += [(s, PARLEY.transfer, t), (t, RDF.type, PARLEY.DocumentTransfer), (t, PARLEY.document, s),
                      (t, PARLEY.action, concept("transfer-action", action))]
                if "by" in transfer:
                    g.append((t, PARLEY.by, self.iri("actor", transfer["by"])))
                if "to" in transfer:
                    g.append((t, PARLEY.to, self.iri("actor", transfer["to"])))
                if "date" in transfer:
                    g.append((t, DCTERMS.date, date_literal(transfer["date"])))
        if "revision_of" in d:
            g.append((s, PROV.wasRevisionOf, self.iri("document", d["revision_of"])))
        g += [(s, PROV.wasDerivedFrom, self.iri("document", o)) for o in d.get("derived_from", [])]
        if "part_of" in d:
            whole = self.iri("document", d["part_of"])
            g += [(s, DCTERMS.isPartOf, whole), (whole, DCTERMS.hasPart, s)]
        g += [(s, DCTERMS.source, self.iri("source", x)) for x in d.get("sources", [])]

    def map_event(self, r: Record) -> None:
        d, s = r.data, self.iri("event", r.id)
        g = self.graph(s)
        g += [(s, RDF.type, SEM.Event), (s, RDF.type, PARLEY.Event), (s, RDF.type, kind_class(d["kind"])),
              (s, RDFS.label, Literal(d.get("label", r.id))),
              (s, PARLEY.confidence, concept("confidence", d["confidence"]))]
        if "type" in d:
            g.append((s, SEM.eventType, concept("event-type", d["type"])))
        start = d.get("date") or d.get("start")
        if start is not None:
            day = start.date() if isinstance(start, dt.datetime) else start
            g.append((s, SEM.hasTimeStamp, date_literal(day)))
        if "start" in d:
            g.append((s, SEM.hasBeginTimeStamp, date_literal(d["start"])))
        if "end" in d or "end_date" in d:
            g.append((s, SEM.hasEndTimeStamp, date_literal(d.get("end") or d["end_date"])))
        if "date_note" in d:
            g.append((s, PARLEY.dateNote, Literal(d["date_note"])))
        if "place" in d:
            g.append((s, SEM.hasPlace, self.iri("place", d["place"])))
        if "duration" in d:
            g.append((s, TIME.hasXSDDuration, Literal(d["duration"], datatype=XSD.duration)))
        for key in ("atmosphere", "outcome"):
            if key in d:
                g.append((s, PARLEY[key], Literal(d[key])))
        for n, p in enumerate(d.get("participants", []), 1):
            actor = self.iri("actor", p["actor"])
            part = self.mint("participation", f"{r.id}-{n}")
            g += [(s, SEM.hasActor, actor), (part, RDF.type, PARLEY.Participation), (part, PARLEY.event, s),
                  (part, PARLEY.participant, actor), (part, SEM.roleType, concept("role", p["role"]))]
            if "on_behalf_of" in p:
                g.append((part, PARLEY.onBehalfOf, self.iri("actor", p["on_behalf_of"])))
        g += [(s, PARLEY.involvesDocument, self.iri("document", x)) for x in d.get("documents", [])]
        g += [(s, PARLEY.concerns, self.iri("issue", x)) for x in d.get("issues", [])]
        g += [(s, DCTERMS.source, self.iri("source", x)) for x in d.get("sources", [])]

    def map_statement(self, r: Record) -> None:
        d, s = r.data, self.iri("statement", r.id)
        source = self.iri("source", d["source"])
        speaker = self.iri("actor", d["speaker"])
        date = date_literal(d["date"])
        g = self.graph(s)
        g += self.statement_types(r)
        g += [(s, PROV.wasAttributedTo, speaker),
              (s, DCTERMS.date, date), (s, PROV.wasQuotedFrom, source), (s, PARLEY.text, Literal(d["text"])),
              (s, PARLEY.statementKind, concept("statement-kind", d["kind"])),
              (s, PARLEY.origin, concept("origin", d["origin"]))]
        if "language" in d:
            g.append((s, DCTERMS.language, Literal(d["language"])))
        if "responds_to" in d:
            g.append((s, PARLEY.respondsTo, self.iri("statement", d["responds_to"])))
        if "event" in d:
            g.append((s, PARLEY.aboutEvent, self.iri("event", d["event"])))
        start = d["span"][0] if "span" in d else None
        g.append((s, PARLEY.quote, self.mint("selector", r.id)))
        g += selector(self.mint("selector", r.id), source, d["text"], start, self.source_texts.get(d["source"]))
        for n, claim in enumerate(d.get("claims", []), 1):
            c = self.mint("claim", claim.get("id", f"{r.id}-c{n}"))
            g.append((s, PARLEY.hasClaim, c))
            self.map_claim(c, claim, r, speaker, date, source, start)

    def map_claim(self, c: URIRef, claim: dict[str, Any], statement: Record, speaker: URIRef, date: Literal,
                  source: URIRef, statement_start: int | None) -> None:
        g = self.graph(c)
        kind = claim["kind"]
        g += [(c, RDF.type, PARLEY.Claim), (c, RDF.type, kind_class(kind, "Claim")),
              (c, PROV.wasDerivedFrom, self.iri("statement", statement.id)), (c, PROV.wasAttributedTo, speaker),
              (c, PARLEY.assertedOn, date), (c, PARLEY.factuality, concept("factuality", claim["factuality"])),
              (c, PARLEY.confidence, concept("confidence", claim["confidence"])),
              (c, PARLEY.origin, concept("origin", statement.data["origin"]))]
        if "note" in claim:
            g.append((c, PARLEY.note, Literal(claim["note"])))
        if "quote" in claim:
            text = statement.data["text"]
            offset = text.find(claim["quote"])
            start = None if statement_start is None or offset < 0 else statement_start + offset
            sel = self.mint("selector", f"claim-{c.rsplit('/', 1)[1]}")
            g.append((c, PARLEY.quote, sel))
            g += selector(sel, source, claim["quote"], start, self.source_texts.get(statement.data["source"]))
        fields = self.spec["claims"][kind]
        for name, value in claim.items():
            if name in COMMON_CLAIM_FIELDS:
                continue
            predicate = FIELD_PREDICATES.get(name) or PARLEY[camel(name)]
            for v in value if isinstance(value, list) else [value]:
                g.append((c, predicate, self.term(fields[name]["type"].removeprefix("list:"), v)))

    def term(self, type_: str, value: Any) -> Node:
        if type_.startswith("ref:"):
            return self.iri(type_[4:], value)
        if type_ == "enum:event-kind":
            return kind_class(value)
        if type_.startswith("enum:"):
            return concept(type_[5:], value)
        if type_ == "int":
            return Literal(value)
        if type_ == "number":
            return Literal(value, datatype=XSD.double if "e" in value.lower() else XSD.decimal)
        if type_ == "date":
            return date_literal(value)
        return Literal(value)


def selector(node: URIRef, source: URIRef, exact: str, start: int | None, source_text: str | None) -> list[Triple]:
    """A Web Annotation selection of `exact` in the source: quote (with context) and, when known, position."""
    q, p = URIRef(f"{node}-quote"), URIRef(f"{node}-position")
    out: list[Triple] = [(node, RDF.type, OA.SpecificResource), (node, OA.hasSource, source),
                         (node, OA.hasSelector, q), (q, RDF.type, OA.TextQuoteSelector), (q, OA.exact, Literal(exact))]
    if start is not None and source_text is not None:
        end = start + len(exact)
        out += [(q, OA.prefix, Literal(source_text[max(0, start - 32):start])),
                (q, OA.suffix, Literal(source_text[end:end + 32])),
                (node, OA.hasSelector, p), (p, RDF.type, OA.TextPositionSelector),
                # xsd:integer, not Web Annotation's xsd:nonNegativeInteger: Oxigraph stores integer-derived
                # types as xsd:integer, and a value must read back as it was written (the shapes check >= 0).
                (p, OA.start, Literal(start)), (p, OA.end, Literal(end))]
    return out


def with_hash(name: URIRef, triples: list[Triple]) -> list[Triple]:
    """The graph's triples, deduplicated, plus `<graph> parley:contentHash "sha256…"` over them, so a
    re-ingest can tell an unchanged graph from a changed one without reading it back."""
    return hashed(name, triples)[0]


def hashed(name: URIRef, triples: list[Triple]) -> tuple[list[Triple], list[str]]:
    """`with_hash`'s triples and the same triples as N-Triples lines, ready for `Store.write_lines`."""
    unique = sorted({f"{nt(s)} {nt(p)} {nt(o)} .": (s, p, o) for s, p, o in triples}.items())
    lines = [line for line, _ in unique]
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    stamp = (name, PARLEY.contentHash, Literal(digest))
    lines.append(f"{nt(name)} {nt(PARLEY.contentHash)} {nt(stamp[2])} .")
    return [t for _, t in unique] + [stamp], lines


__all__ = ["Mapper", "slug", "with_hash", "hashed", "selector"]
