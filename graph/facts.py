"""The facts of a store as Python objects: entities and every name they go by, the relations between them,
the statements and the claims they make, read with a few queries. The projections, analytics and the UI read them."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from graph.collector import few_collections
from graph.store import Store
from ontology.namespaces import DCTERMS, FOAF, OA, ORG, PARLEY, PREFIXES, PROV, RDFS, SCHEMA, SEM, SKOS

ENTITY_TYPES = ("actor", "event", "document", "issue", "place", "statement")
ACTOR_KINDS = {str(FOAF.Person): "person", str(ORG.Organization): "organisation", str(PARLEY.State): "state",
               str(PARLEY.Group): "group"}
TOP_CLASSES = {str(PARLEY.Actor): "actor", str(SEM.Event): "event", str(PARLEY.Document): "document",
               str(PARLEY.Issue): "issue", str(SCHEMA.Place): "place", str(SEM.Place): "place",
               str(PARLEY.Statement): "statement"}
# What a record-level triple between two entities says, in words (subject → object).
RECORD_RELATIONS = {
    str(SEM.hasPlace): "held at", str(PARLEY.concerns): "concerns", str(PARLEY.involvesDocument): "discussed",
    str(PROV.wasRevisionOf): "revision of", str(PROV.wasDerivedFrom): "derived from",
    str(DCTERMS.isPartOf): "part of", str(PROV.wasAttributedTo): "drafted by", str(ORG.memberOf): "member of",
    str(SCHEMA.containedInPlace): "within", str(SKOS.broader): "part of",
}
TRAVEL = {"asserted": "went to", "future": "will go to", "hypothetical": "might go to", "negated": "did not go to"}


@dataclass
class Entity:
    """An actor, event, document, issue, place or statement, with every name it goes by."""

    iri: str
    type: str
    label: str = ""
    kind: str | None = None
    date: str | None = None  # ISO date: an event's day, a statement's day, a document's first known day
    names: list[str] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.iri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Said:
    """One statement: who said what, when, and where it is quoted from."""

    iri: str
    speaker: str
    date: str
    text: str
    event: str | None = None

    @property
    def id(self) -> str:
        return self.iri.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Evidence:
    """A statement behind a relation: the claim it makes and the words it makes it with."""

    statement: str
    quote: str
    claim: str | None = None
    factuality: str = "asserted"


@dataclass
class Link:
    """One relation between two entities, stated by a record (`record`) and/or by claims (`evidence`)."""

    source: str
    target: str
    relation: str
    record: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Participation:
    event: str
    actor: str
    role: str | None = None
    on_behalf_of: str | None = None
    evidence: Evidence | None = None  # None: from the event record


@dataclass(frozen=True)
class Position:
    actor: str
    issue: str
    stance: str
    evidence: Evidence
    on_document: str | None = None


@dataclass
class Facts:
    """What the projections need from a store, read with a few queries over the union of all graphs."""

    entities: dict[str, Entity] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    participations: list[Participation] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    statements: dict[str, Said] = field(default_factory=dict)
    member_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    names: dict[str, str] = field(default_factory=dict)  # the display name of any IRI (sources too)

    def label(self, iri: str) -> str:
        entity = self.entities.get(iri)
        return entity.label if entity else self.names.get(iri, iri.rsplit("/", 1)[-1])


Source = Store | Facts


def in_period(day: str | None, as_of: dt.date | None, since: dt.date | None) -> bool:
    if day is None:
        return since is None
    return (as_of is None or day <= as_of.isoformat()) and (since is None or day >= since.isoformat())


def facts(source: Source) -> Facts:
    """The facts of a store (a :class:`Facts` is returned as it is)."""
    return source if isinstance(source, Facts) else read_facts(source)


# -- reading the store ---------------------------------------------------------------------------------

def iri_list(*terms: object) -> str:
    """IRIs as SPARQL writes them, one space apart: the inside of a VALUES block."""
    return " ".join(f"<{t}>" for t in terms)


def _tail(iri: str) -> str:
    return iri.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower()


def _day(value: str | None) -> str | None:
    return None if value is None else value[:10]


def _rows(store: Store, query: str) -> list[tuple[str | None, ...]]:
    return store.select_text(query)


def in_chunks(items: list[str], size: int = 2000) -> Iterable[list[str]]:
    """`items` a few thousand at a time, so that a VALUES block of them stays small."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


_CLAIM_FIELDS = {str(p): _kebab(_tail(str(p))) for p in (
    PARLEY.actor, PARLEY.issue, PARLEY.stance, PARLEY.event, PARLEY.role, PARLEY.onBehalfOf, PARLEY.target,
    PARLEY["from"], PARLEY.to, PARLEY.party, PARLEY.document, PARLEY.by, PARLEY.destination, PARLEY.onDocument,
    PARLEY.action, PARLEY.numberOfPoints)}


@few_collections()
def read_facts(store: Store) -> Facts:
    """Read the entities, their relations, the statements and the claims of a store."""
    f = Facts()
    ents = f.entities
    for s, t in _rows(store, f"SELECT ?s ?t WHERE {{ VALUES ?t {{ {iri_list(*TOP_CLASSES)} }} ?s a ?t }}"):
        assert s is not None and t is not None
        if s not in ents:
            ents[s] = Entity(s, TOP_CLASSES[t])
    for s, t in _rows(store, f"SELECT ?s ?t WHERE {{ ?s a <{SEM.Event}>, ?t . FILTER(STRSTARTS(STR(?t), "
                             f"\"{PREFIXES['parley']}\") && ?t != <{PARLEY.Event}>) }}"):
        if s in ents and t is not None:
            ents[s].kind = _kebab(_tail(t)).removesuffix("-event")
    for s, t in _rows(store, f"SELECT ?s ?t WHERE {{ VALUES ?t {{ {iri_list(*ACTOR_KINDS)} }} ?s a ?t }}"):
        if s in ents and t is not None:
            ents[s].kind = ACTOR_KINDS[t]
    _read_names(store, f)
    for s, d in _rows(store, f"SELECT ?s ?d WHERE {{ {{ ?s <{SEM.hasTimeStamp}> ?d }} UNION "
                             f"{{ ?s <{SEM.hasBeginTimeStamp}> ?d }} UNION {{ ?s a <{PARLEY.Document}> ; "
                             f"<{DCTERMS.created}> ?d }} }}"):
        if s in ents:
            _earliest(ents[s], _day(d))
    _read_links(store, f)
    for link in f.links:  # a document is known from the first event that involves it, if that is earlier
        if link.relation == "discussed" and ents[link.source].type == "event":
            _earliest(ents[link.target], ents[link.source].date)
    _read_statements(store, f)
    _read_claims(store, f)
    return f


def read_entities(store: Store, iris: Iterable[str] | None = None, *,
                  types: Collection[str] = ENTITY_TYPES) -> Facts:
    """Entities with their types, kinds, names and dates, and no relations: enough to find an entity by
    name or to label it. `iris`: only these (default: every entity of `types`)."""
    f = Facts()
    ents = f.entities
    classes = {k: v for k, v in TOP_CLASSES.items() if v in types}
    chunks = [None] if iris is None else list(in_chunks(sorted(set(iris))))
    # One VALUES block per query, the rest as FILTER … IN: the engine joins two VALUES blocks slowly.
    one_of = ", ".join(f"<{c}>" for c in classes)
    for chunk in chunks:
        only = "" if chunk is None else f"VALUES ?s {{ {iri_list(*chunk)} }} "
        # With no IRIs given, the classes are the VALUES block: a scan of one class, not of every type.
        listed = f"VALUES ?c {{ {iri_list(*classes)} }} " if chunk is None else ""
        for s, t in _rows(store, f"SELECT ?s ?c WHERE {{ {only}{listed}?s a ?c . FILTER(?c IN ({one_of})) }}"):
            if s is not None and t is not None and s not in ents:
                ents[s] = Entity(s, classes[t])
        if not ents:
            continue
        typed = f"{listed}?s a ?c . FILTER(?c IN ({one_of})) "
        for s, t in _rows(store, f"SELECT ?s ?t WHERE {{ {only}{typed}?s a ?t . FILTER(?t != ?c && (?t IN ("
                                 f"{', '.join(f'<{k}>' for k in ACTOR_KINDS)}) || (?c = <{SEM.Event}> && "
                                 f"STRSTARTS(STR(?t), \"{PREFIXES['parley']}\") && ?t != <{PARLEY.Event}>))) }}"):
            if s in ents and t is not None:
                ents[s].kind = ACTOR_KINDS.get(t) or _kebab(_tail(t)).removesuffix("-event")
        _read_names(store, f, only + typed)
        for s, d in _rows(store, f"SELECT ?s ?d WHERE {{ {only}{typed}{{ ?s <{SEM.hasTimeStamp}> ?d }} UNION "
                                 f"{{ ?s <{SEM.hasBeginTimeStamp}> ?d }} UNION {{ ?s a <{PARLEY.Document}> ; "
                                 f"<{DCTERMS.created}> ?d }} UNION {{ ?s a <{PARLEY.Statement}> ; "
                                 f"<{DCTERMS.date}> ?d }} }}"):
            if s in ents:
                _earliest(ents[s], _day(d))
    for e in ents.values():
        if e.type == "statement":  # as read_facts names them: by id (the speaker is not read here)
            e.names = [e.id]
    return f


def read_documents(store: Store) -> Facts:
    """The documents, with their names, kinds, first days, points and access, and the lineage between them
    (revision of, derived from, part of), as :func:`read_facts` reads them: what :func:`lineage_graph`
    needs, read with a few simple queries instead of a copy of every document's graph."""
    f = read_entities(store, types=("document",))
    docs = f.entities
    # The properties as FILTER … IN: in a VALUES block the engine reads every claim's values of them too.
    props = (PARLEY.documentKind, PARLEY.numberOfPoints, DCTERMS.accessRights, PROV.wasRevisionOf, PROV.wasDerivedFrom,
             DCTERMS.isPartOf, SKOS.broader)
    for s, p, o in _rows(store, f"SELECT ?s ?p ?o WHERE {{ ?s a <{PARLEY.Document}> ; ?p ?o . "
                                f"FILTER(?p IN ({', '.join(f'<{x}>' for x in props)})) }}"):
        if s not in docs or p is None or o is None:
            continue
        if p == str(PARLEY.documentKind):
            docs[s].kind = _tail(o)
        elif p == str(PARLEY.numberOfPoints):
            docs[s].attrs["points"] = int(o)
        elif p == str(DCTERMS.accessRights):
            docs[s].attrs["access"] = _tail(o)
        elif o in docs:
            f.links.append(Link(s, o, RECORD_RELATIONS[p], record=True))
    return f


def _read_names(store: Store, f: Facts, where: str = "") -> None:
    """Labels, preferred labels, titles and aliases: the first by kind and language names the thing."""
    labels: dict[str, list[tuple[int, str]]] = defaultdict(list)
    order = {str(RDFS.label): 0, str(SKOS.prefLabel): 1, str(DCTERMS.title): 2, str(SKOS.altLabel): 3}
    one_of = ", ".join(f"<{p}>" for p in order)
    for s, p, lit, lang in _rows(store, f"SELECT ?s ?p ?l (LANG(?l) AS ?lang) WHERE {{ {where} ?s ?p ?l . "
                                        f"FILTER(?p IN ({one_of})) }}"):
        assert s is not None and p is not None and lit is not None
        rank = order[p] * 3 + (0 if lang == "en" else 1 if not lang else 2)
        labels[s].append((rank, lit))
    for s, found in labels.items():
        found.sort()
        f.names[s] = found[0][1]
        if s in f.entities:
            f.entities[s].label = found[0][1]
            f.entities[s].names = list(dict.fromkeys(text for _, text in found))
    for e in f.entities.values():
        e.label = e.label or e.id


def _earliest(entity: Entity, day: str | None) -> None:
    if day is not None and (entity.date is None or day < entity.date):
        entity.date = day


def _read_links(store: Store, f: Facts) -> None:
    ents = f.entities
    for s, p, o in _rows(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ {iri_list(*RECORD_RELATIONS)} }} "
                                f"?s ?p ?o }}"):
        assert s is not None and p is not None and o is not None
        if p == str(SKOS.broader) and s in ents and o not in ents:
            ents[s].kind = _tail(o)  # an issue's category
        if s not in ents or o not in ents or ents[s].type == "statement":
            continue  # claims and statements also carry prov:wasDerivedFrom / prov:wasAttributedTo
        if p == str(ORG.memberOf):
            f.member_of[s].add(o)
        if p == str(PROV.wasAttributedTo):  # a document's drafters: read as "actor drafted document"
            f.links.append(Link(o, s, "drafted", record=True))
        else:
            f.links.append(Link(s, o, RECORD_RELATIONS[p], record=True))
    for e, a in _rows(store, f"SELECT ?e ?a WHERE {{ ?e <{SEM.hasActor}> ?a }}"):
        if e in ents and a in ents:
            f.links.append(Link(a, e, "took part in", record=True))  # role and side come with Participation
    for _, e, a, role, behalf in _rows(store, f"""SELECT ?p ?e ?a ?r ?b WHERE {{
            ?p a <{PARLEY.Participation}> ; <{PARLEY.event}> ?e ; <{PARLEY.participant}> ?a .
            OPTIONAL {{ ?p <{SEM.roleType}> ?r }} OPTIONAL {{ ?p <{PARLEY.onBehalfOf}> ?b }} }}"""):
        if e in ents and a in ents:
            f.participations.append(Participation(e, a, role and _tail(role), behalf))
            f.links.append(Link(a, e, "took part in", record=True, attrs=drop_none(
                role=role and _tail(role), on_behalf_of=behalf)))
    for d, act, by, to, day in _rows(store, f"""SELECT ?d ?act ?by ?to ?day WHERE {{
            ?d <{PARLEY.transfer}> ?t . ?t <{PARLEY.action}> ?act .
            OPTIONAL {{ ?t <{PARLEY.by}> ?by }} OPTIONAL {{ ?t <{PARLEY.to}> ?to }}
            OPTIONAL {{ ?t <{DCTERMS.date}> ?day }} }}"""):
        if d in ents and act is not None:
            _transfer_links(f, d, _tail(act), by, to, None, record=True)
            _earliest(ents[d], _day(day))
    for s, p, o in _rows(store, f"SELECT ?s ?p ?o WHERE {{ VALUES ?p {{ <{PARLEY.numberOfPoints}> "
                                f"<{DCTERMS.accessRights}> <{PARLEY.documentKind}> }} ?s a <{PARLEY.Document}> ; "
                                f"?p ?o }}"):
        if s in ents and o is not None:
            if p == str(PARLEY.documentKind):
                ents[s].kind = _tail(o)
            else:
                ents[s].attrs["points" if p == str(PARLEY.numberOfPoints) else "access"] = (
                    int(o) if p == str(PARLEY.numberOfPoints) else _tail(o))
    for s, src in _rows(store, f"SELECT ?s ?src WHERE {{ ?s <{DCTERMS.source}> ?src }}"):
        if s in ents and src is not None:
            ents[s].attrs.setdefault("sources", []).append(src)


def drop_none(**kw: Any) -> dict[str, Any]:
    return {k: v for k, v in kw.items() if v is not None}


def _transfer_links(f: Facts, doc: str, action: str, by: str | None, to: str | None, about_event: str | None,
                    *, record: bool = False, evidence: Evidence | None = None) -> None:
    ev = [evidence] if evidence else []
    if by in f.entities:
        f.links.append(Link(by, doc, action, record=record, evidence=list(ev)))
    if to in f.entities:
        f.links.append(Link(doc, to, f"{action} to", record=record, evidence=list(ev)))
    if by not in f.entities and to not in f.entities and about_event in f.entities:
        f.links.append(Link(about_event, doc, action, record=record, evidence=list(ev)))


@dataclass(frozen=True)
class QuotedFrom:
    """The source a statement is quoted from: its IRI, a title to show (its title, else its label, else its
    id) and its URL as recorded (not checked: a page that links it decides what it trusts)."""

    iri: str
    title: str
    url: str | None


def sources_of(store: Store, statements: Iterable[str]) -> dict[str, QuotedFrom]:
    """The source each of some statements is quoted from, by statement IRI; asked for the statements a view
    shows, not read with every statement (at 100,000 statements that would be a join over all of them).

    >>> sources_of(Store.open("memory:"), ["https://parley.example/id/statement/s1"])
    {}
    """
    out: dict[str, QuotedFrom] = {}
    for chunk in in_chunks(sorted(set(statements))):
        for st, src, title, label, url in _rows(store, f"""SELECT ?st ?src ?title ?label ?url WHERE {{
                VALUES ?st {{ {iri_list(*chunk)} }} ?st <{PROV.wasQuotedFrom}> ?src .
                OPTIONAL {{ ?src <{DCTERMS.title}> ?title }} OPTIONAL {{ ?src <{RDFS.label}> ?label }}
                OPTIONAL {{ ?src <{SCHEMA.url}> ?url }} }}"""):
            assert st is not None and src is not None
            out[st] = QuotedFrom(src, title or label or _tail(src), url)
    return out


@dataclass(frozen=True)
class Words:
    """Who made a statement (the speaker's IRI) and its text ("" when it has none)."""

    speaker: str
    text: str


def words_of(store: Store, statements: Iterable[str]) -> dict[str, Words]:
    """The speaker and the text of some statements, by statement IRI; like :func:`sources_of`, asked for
    the statements a view lists. A statement with no speaker is left out.

    >>> words_of(Store.open("memory:"), ["https://parley.example/id/statement/s1"])
    {}
    """
    out: dict[str, Words] = {}
    for chunk in in_chunks(sorted(set(statements))):
        for st, speaker, text in _rows(store, f"""SELECT ?st ?sp ?x WHERE {{
                VALUES ?st {{ {iri_list(*chunk)} }} ?st <{PROV.wasAttributedTo}> ?sp .
                OPTIONAL {{ ?st <{PARLEY.text}> ?x }} }}"""):
            assert st is not None and speaker is not None
            out[st] = Words(speaker, text or "")
    return out


def _read_statements(store: Store, f: Facts) -> None:
    for s, speaker, day, text, event, answers in _rows(store, f"""SELECT ?s ?sp ?d ?x ?e ?q WHERE {{
            ?s a <{PARLEY.Statement}> ; <{PROV.wasAttributedTo}> ?sp ; <{DCTERMS.date}> ?d .
            OPTIONAL {{ ?s <{PARLEY.text}> ?x }} OPTIONAL {{ ?s <{PARLEY.aboutEvent}> ?e }}
            OPTIONAL {{ ?s <{PARLEY.respondsTo}> ?q }} }}"""):
        assert s is not None and speaker is not None and day is not None
        f.statements[s] = Said(s, speaker, day[:10], text or "", event)
        if s in f.entities:
            entity = f.entities[s]
            entity.date = day[:10]
            entity.label = f"{f.label(speaker)}, {human_date(day[:10])} ({entity.id})"
            entity.names = [entity.id]
            ev = Evidence(s, text or "")
            f.links.append(Link(speaker, s, "said", evidence=[ev]))
            if event is not None:
                f.links.append(Link(s, event, "about", evidence=[ev]))
            if answers is not None:
                f.links.append(Link(s, answers, "responds to", evidence=[ev]))


def _read_claims(store: Store, f: Facts) -> None:
    claims: dict[str, dict[str, Any]] = {}
    for c, kind, st, fact, quote in _rows(store, f"""SELECT ?c ?k ?st ?f ?q WHERE {{
            ?c a <{PARLEY.Claim}>, ?k ; <{PROV.wasDerivedFrom}> ?st .
            FILTER(?k != <{PARLEY.Claim}> && STRSTARTS(STR(?k), "{PREFIXES['parley']}") && STRENDS(STR(?k), "Claim"))
            OPTIONAL {{ ?c <{PARLEY.factuality}> ?f }}
            OPTIONAL {{ ?c <{PARLEY.quote}> ?sel . ?sel <{OA.hasSelector}> ?qs . ?qs <{OA.exact}> ?q }} }}"""):
        assert c is not None and kind is not None and st is not None
        if st in f.statements:
            claims[c] = {"kind": _kebab(_tail(kind)).removesuffix("-claim"), "statement": st,
                         "factuality": _tail(fact) if fact else "asserted", "quote": quote}
    fields: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for c, p, o in _rows(store, f"SELECT ?c ?p ?o WHERE {{ VALUES ?p {{ {iri_list(*_CLAIM_FIELDS)} }} "
                                f"?c a <{PARLEY.Claim}> ; ?p ?o }}"):
        if c in claims and p is not None and o is not None:
            fields[c][_CLAIM_FIELDS[p]].append(o)
    for c in sorted(claims):
        _claim_links(f, c, claims[c], fields[c])
    # A claim about an issue, in a statement about an event, is a statement behind "event concerns issue"
    # when the event's record says so too (it never makes that link on its own: a briefing may stray).
    concerns = {(link.source, link.target): link for link in f.links if link.relation == "concerns" and link.record}
    for c in sorted(claims):
        said = f.statements[claims[c]["statement"]]
        for issue in fields[c].get("issue", []) + fields[c].get("target", []):
            link = concerns.get((said.event or "", issue))
            if link is not None and claims[c]["factuality"] == "asserted":
                link.evidence.append(Evidence(said.iri, claims[c]["quote"] or said.text, c))


def _claim_links(f: Facts, c: str, claim: dict[str, Any], x: dict[str, list[str]]) -> None:
    said = f.statements[claim["statement"]]
    fact = claim["factuality"]
    ev = Evidence(said.iri, claim["quote"] or said.text, c, fact)
    one = {k: v[0] for k, v in x.items()}
    ents = f.entities

    def link(a: str | None, b: str | None, relation: str, **attrs: Any) -> None:
        if a in ents and b in ents:
            assert a is not None and b is not None
            f.links.append(Link(a, b, qualified(relation, fact), evidence=[ev], attrs=drop_none(**attrs)))

    kind = claim["kind"]
    if kind == "participation":
        role = one.get("role") and _tail(one["role"])
        link(one.get("actor"), one.get("event"), "took part in", role=role, on_behalf_of=one.get("on-behalf-of"))
        if fact == "asserted" and one.get("actor") in ents and one.get("event") in ents:
            f.participations.append(Participation(one["event"], one["actor"], role, one.get("on-behalf-of"), ev))
    elif kind == "position":
        stance = _tail(one["stance"])
        link(one.get("actor"), one.get("issue"), f"stance: {stance}", stance=stance, on_document=one.get("on-document"))
        if one.get("actor") in ents and one.get("issue") in ents:
            f.positions.append(Position(one["actor"], one["issue"], stance, ev, one.get("on-document")))
    elif kind == "assessment":
        judged = _tail(one["stance"]) if "stance" in one else None
        link(one.get("actor"), one.get("target"), f"stance: {judged}" if judged else "assessed", stance=judged)
    elif kind in ("agreement", "non-disclosure"):
        for party in x.get("party", []):
            for issue in x.get("issue", []):
                link(party, issue, "agreed on")
            link(party, one.get("event"), "agreed at")
            link(party, one.get("document"), "agreed not to disclose")
    elif kind == "document-transfer":
        action = _tail(one["action"])
        if fact != "asserted":
            action = qualified(action, fact)
        _transfer_links(f, one["document"], action, one.get("by"), one.get("to"), said.event, evidence=ev)
    elif kind == "travel":
        for actor in x.get("actor", []):
            if actor in ents and one.get("destination") in ents:
                f.links.append(Link(actor, one["destination"], TRAVEL[fact], evidence=[ev]))
    elif kind == "message":
        link(one.get("from"), one.get("to"), "sent a message to")
    elif kind == "document-points" and one.get("document") in ents:
        points = f"{one['number-of-points']} ({f.label(said.speaker)}, {human_date(said.date)})"
        ents[one["document"]].attrs.setdefault("points_claimed", []).append(points)


def qualified(relation: str, factuality: str) -> str:
    """A relation in words, marked when the claim is not a plain assertion: 'took part in (negated)'."""
    return relation if factuality == "asserted" else f"{relation} ({factuality})"


def human_date(day: str | None) -> str:
    """'2025-12-02' as '2 Dec 2025'."""
    if not day:
        return "undated"
    d = dt.date.fromisoformat(day[:10])
    return f"{d.day} {d:%b} {d.year}"


__all__ = ["Entity", "Evidence", "Facts", "Link", "Participation", "Position", "Said", "ENTITY_TYPES", "facts",
           "read_facts", "read_entities", "read_documents", "in_period", "qualified", "human_date"]
