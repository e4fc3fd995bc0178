"""An extraction as record-format data (ingest/RECORDS.md): source, the entities it needs that the store
does not hold yet, the event it found, and its statements with `origin: extracted`, spans and claims.

Entities the store already holds in another collection are referred to, never redefined; those of this
extraction's own collection (an earlier run) are written again, so running it twice changes nothing.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any

from ingest.records import schema
from ingest.text.extract import Extraction

if TYPE_CHECKING:
    from graph.store import Store

SECTION = {"actor": "actors", "place": "places", "issue": "issues", "document": "documents", "event": "events"}
ORDER = ["sources", "actors", "places", "issues", "documents", "events", "statements"]


def collection_of(x: Extraction) -> str:
    return f"{x.source_id}-extracted"


def build_records(x: Extraction, *, text_file: str | None, store: "Store | None" = None) -> dict[str, Any]:
    """The record-format mapping for an extraction.

    :param text_file: the transcript's path relative to where the record file will be (None: no spans).
    :param store: the store the records will go to; what it holds in other collections is not redefined.
    """
    collection = collection_of(x)
    out: dict[str, Any] = {"parley": 1, "collection": collection}
    source_id = _source_id(x, store, collection)
    statements = [_statement(x, st, source_id, spans=text_file is not None) for st in x.statements]
    publisher = _publisher(x)
    source: dict[str, Any] = {"id": source_id}
    for key, attr in (("url", "source_url"), ("title", "title")):
        if getattr(x.meta, attr):
            source[key] = getattr(x.meta, attr)
    if publisher:
        source["publisher"] = publisher
    source["date"] = x.meta.date
    source["language"] = x.meta.language
    if x.meta.translated_from:
        source["translated_from"] = x.meta.translated_from
    if text_file is not None:
        source["text_file"] = text_file
    # Every candidate is written (flagged for review in the summary), referred to or not: never dropped.
    wanted = _references(x, statements, publisher) | {("actor", c) for c in x.candidates}
    held = _held_elsewhere(store, collection, wanted | {("source", source_id)}
                           | ({("event", x.event)} if x.event else set()))
    if ("source", source_id) not in held:
        out["sources"] = [source]
    sections: dict[str, list[dict[str, Any]]] = {}
    for kind, rid in sorted(wanted, key=lambda k: (k[0], k[1])):
        if (kind, rid) in held or kind in ("source", "event", "statement"):
            continue
        record = _entity_record(x, kind, rid)
        if record is not None:
            sections.setdefault(SECTION[kind], []).append(record)
    if x.event and not x.meta.event and ("event", x.event) not in held:
        sections["events"] = [_event(x)]
    out.update({k: sections[k] for k in ORDER if k in sections})
    out["statements"] = statements
    return out


def _source_id(x: Extraction, store: "Store | None", collection: str) -> str:
    """The source's id: the file's, unless the store holds a source of that id with another text."""
    source_id = x.source_id
    for n in range(2, 100):
        if ("source", source_id) not in _held_elsewhere(store, collection, {("source", source_id)}):
            return source_id
        if store is not None and _stored_text(store, source_id) == x.text:
            return source_id
        source_id = f"{x.source_id}-{n}"
    return source_id


def _stored_text(store: "Store", source_id: str) -> str | None:
    from graph.iri import mint
    from ontology.namespaces import PARLEY

    rows = store.select("SELECT ?t WHERE { ?s ?p ?t }", {"s": mint("source", source_id), "p": PARLEY.sourceText}).rows
    return str(rows[0][0]) if rows and rows[0][0] is not None else None


def _statement(x: Extraction, st: Any, source_id: str, *, spans: bool) -> dict[str, Any]:
    d: dict[str, Any] = {"id": st.id, "speaker": st.speaker, "date": x.meta.date, "source": source_id,
                         "text": st.text}
    if spans and unicodedata.is_normalized("NFC", st.text):
        d["span"] = [st.start, st.end]     # the record loader NFC-normalises texts; a span must match them
    d["language"] = x.meta.language
    d["kind"] = st.kind
    if st.responds_to:
        d["responds_to"] = st.responds_to
    if x.event:
        d["event"] = x.event
    d["origin"] = "extracted"
    if st.claims:
        d["claims"] = [c.record() for c in st.claims]
    return d


def _publisher(x: Extraction) -> str | None:
    name = x.meta.publisher
    if not name:
        return None
    found = x.gazetteer.lookup(name)
    if found and x.gazetteer.kind_of(found) == "actor":
        return found
    from ingest.text.candidates import candidate_id

    pid = candidate_id(name)
    if pid not in x.gazetteer.entities:
        x.candidates.setdefault(pid, (name, "organisation", 0))
    return pid


def _references(x: Extraction, statements: list[dict[str, Any]], publisher: str | None) -> set[tuple[str, str]]:
    """(kind, id) of every record the statements, event and source refer to, with what gazetteer
    entries refer to in turn (member_of, within, broader)."""
    claim_fields = schema()["claims"]
    out: set[tuple[str, str]] = set()
    if publisher:
        out.add(("actor", publisher))
    for p in x.participants:
        out |= {("actor", p["actor"])} | ({("actor", p["on_behalf_of"])} if "on_behalf_of" in p else set())
    for d in statements:
        out.add(("actor", d["speaker"]))
        for c in d.get("claims", []):
            for name, value in c.items():
                spec = claim_fields[c["kind"]].get(name)
                if spec is None or "ref:" not in spec["type"]:
                    continue
                kind = spec["type"].split("ref:")[1]
                for v in value if isinstance(value, list) else [value]:
                    out.add((_kind_of_any(x, v) if kind == "any" else kind, v))
    todo = list(out)
    while todo:
        kind, rid = todo.pop()
        e = x.gazetteer.entities.get(rid)
        if e is None or e.kind != kind:
            continue
        for ref in e.refs + [r["organisation"] for r in e.record.get("roles", []) if "organisation" in r]:
            rk = x.gazetteer.kind_of(ref) or kind
            if (rk, ref) not in out:
                out.add((rk, ref))
                todo.append((rk, ref))
    return out


def _kind_of_any(x: Extraction, rid: str) -> str:
    if rid == x.event:
        return "event"
    return x.gazetteer.kind_of(rid) or "actor"


def _entity_record(x: Extraction, kind: str, rid: str) -> dict[str, Any] | None:
    e = x.gazetteer.entities.get(rid)
    if e is not None and e.kind == kind:
        return dict(e.record)
    if kind == "actor" and rid in x.candidates:
        label, type_, _ = x.candidates[rid]
        return {"id": rid, "type": type_, "labels": {x.meta.language or "en": label}}
    return None


def _event(x: Extraction) -> dict[str, Any]:
    assert x.event is not None
    title = x.meta.title or x.source_id
    d: dict[str, Any] = {"id": x.event, "label": f"{x.event_kind.capitalize()} reported in {title}"[:200],
                         "kind": x.event_kind, "type": "CONSULT",
                         "date_note": f"the {x.event_kind} reported in source {x.source_id} "
                                      f"({x.meta.date}); its own date is not extracted"}
    if x.participants:
        d["participants"] = x.participants
    d["confidence"] = "reported"
    d["sources"] = [x.source_id]
    return d


def _held_elsewhere(store: "Store | None", collection: str, wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which of the wanted records the store holds in a collection other than ours."""
    if store is None or not wanted:
        return set()
    from graph.iri import mint
    from graph.terms import nt
    from ontology.namespaces import PARLEY

    by_iri = {str(mint(kind, rid)): (kind, rid) for kind, rid in wanted}
    ours = str(mint("collection", collection))
    held: set[tuple[str, str]] = set()
    iris = sorted(by_iri)
    for i in range(0, len(iris), 500):
        values = " ".join(f"<{iri}>" for iri in iris[i:i + 500])
        rows = store.select(f"SELECT ?g ?c WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?g {nt(PARLEY.collection)} ?c }} }}",
                            union=False).rows
        for g, c in rows:
            if str(c) != ours:
                held.add(by_iri[str(g)])
    return held
