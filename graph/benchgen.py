"""A deterministic synthetic negotiation in Parley's record format, for `parley bench`.

`generate(n, path, seed)` writes one YAML record file with `n` statements and, in a folder beside it
(`<stem>-texts/`), one source text per source; every statement's `span` indexes into its source's text.
The shape follows a year of a real track: a few hundred actors with aliases (persons in states and
organisations), places, a small tree of issues, documents in revision chains whose point counts are
disputed (several `document-points` claims per document, with different numbers), thousands of events
with participants, and statements (one source per ~20) whose claims are mostly positions that change
over time, with participations, point counts, travel, expectations, agreements, messages, figures.

Same `n` and `seed` → byte-identical files. Ids are predictable, so the benchmark knows good parameters:
`ev-00000` is the busiest meeting, `actor-0000` the busiest speaker, `issue-00` the main issue.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import yaml

STANCES = ["supports", "accepts", "criticises", "rejects", "no-compromise-yet", "undisclosed", "mixed"]
CATEGORIES = ["territory", "security-guarantees", "ceasefire", "military-forces", "nato-alignment", "sanctions",
              "frozen-assets", "economic-cooperation", "reconstruction", "nuclear-safety", "humanitarian",
              "elections-governance", "negotiation-process", "european-security"]
EVENT_KINDS = ["meeting", "call", "briefing", "summit", "document-handover", "travel", "statement", "exchange"]
EVENT_TYPES = ["CONSULT", "AGREE", "REQUEST", "DEMAND", "REJECT", "PROPOSE", "STATE", "COOPERATE", "SUPPORT"]
ROLES = ["host", "guest", "envoy", "mediator", "delegate", "aide", "participant"]
FIRST = ["Anna", "Boris", "Clara", "Dmitri", "Elena", "Fyodor", "Greta", "Hans", "Irina", "Jonas", "Katya", "Lev",
         "Maria", "Nikolai", "Olga", "Pavel", "Rosa", "Sergei", "Tara", "Viktor", "Walter", "Yulia", "Zoran"]
LAST = ["Antonov", "Becker", "Castillo", "Dorn", "Evans", "Fischer", "Gromov", "Hale", "Ivanova", "Jensen",
        "Kovacs", "Lindqvist", "Moreau", "Novak", "Orlov", "Petrov", "Quinn", "Rossi", "Sokolov", "Tanaka",
        "Ulrich", "Volkov", "Weber", "Young", "Zhukov"]
VERBS = ["said", "stressed", "noted", "told reporters", "insisted", "repeated", "claimed", "added"]
START = dt.date(2025, 1, 1)
DAYS = 365


def _day(offset: int) -> str:
    return (START + dt.timedelta(days=max(0, min(DAYS - 1, offset)))).isoformat()


def build(n: int, seed: int = 42) -> tuple[dict[str, Any], dict[str, str]]:
    """The record file (a dict) and the source texts (file name → text) for `n` statements."""
    rnd = random.Random(seed)
    n = max(1, n)
    n_states = 12
    n_orgs = 24
    n_persons = max(20, min(360, n // 8))
    n_places = 40
    n_issues = 16
    n_docs = max(6, n // 40)
    n_events = max(10, n // 3)
    n_sources = max(1, round(n / 20))

    states = [f"state-{i:02d}" for i in range(n_states)]
    orgs = [f"org-{i:02d}" for i in range(n_orgs)]
    persons = [f"actor-{i:04d}" for i in range(n_persons)]
    places = [f"place-{i:02d}" for i in range(n_places)]
    issues = [f"issue-{i:02d}" for i in range(n_issues)]
    docs = [f"doc-{i:04d}" for i in range(n_docs)]
    events = [f"ev-{i:05d}" for i in range(n_events)]
    sources = [f"src-{i:05d}" for i in range(n_sources)]
    label: dict[str, str] = {}

    actors: list[dict[str, Any]] = []
    for i, a in enumerate(states):
        label[a] = f"State {chr(65 + i)}"
        actors.append({"id": a, "type": "state", "labels": {"en": label[a], "ru": f"Государство {chr(1040 + i)}"},
                       "aliases": [f"S{chr(65 + i)}", f"the {label[a]} side"]})
    for i, a in enumerate(orgs):
        label[a] = f"Organisation {i}"
        actors.append({"id": a, "type": "organisation" if i % 4 else "group",
                       "labels": {"en": label[a]}, "aliases": [f"Org{i}", f"O-{i}"],
                       "member_of": [states[i % n_states]]})
    home: dict[str, str] = {}
    for i, a in enumerate(persons):
        first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
        label[a] = f"{first} {last} {i}"
        home[a] = states[rnd.randrange(n_states)]
        org = orgs[rnd.randrange(n_orgs)]
        person: dict[str, Any] = {"id": a, "type": "person", "labels": {"en": label[a], "ru": f"{first} {last} {i} (ru)"},
               "aliases": [f"{last} {i}", f"{first[0]}. {last} {i}", f"Mr {last} {i}"],
               "member_of": [home[a], org],
               "roles": [{"post": f"Envoy {i % 7} of {label[home[a]]}", "organisation": home[a],
                          "from": _day(rnd.randrange(0, 120))}]}
        actors.append(person)

    place_recs: list[dict[str, Any]] = []
    for i, p in enumerate(places):
        rec: dict[str, Any] = {"id": p, "labels": {"en": f"City {i}", "ru": f"Город {i}"}, "aliases": [f"C{i}"]}
        if i >= 8:
            rec["within"] = places[i % 8]
        place_recs.append(rec)

    issue_recs: list[dict[str, Any]] = []
    for i, s in enumerate(issues):
        rec = {"id": s, "labels": {"en": f"issue {i}", "ru": f"вопрос {i}"}, "aliases": [f"question {i}"],
               "category": CATEGORIES[i % len(CATEGORIES)]}
        if i >= 4:
            rec["broader"] = issues[i % 4]
        issue_recs.append(rec)

    speakers = persons[: max(10, len(persons) // 2)]
    # Sources: every ~20 statements, dated in order through the year.
    stmt_source = [sources[min(n_sources - 1, i * n_sources // n)] for i in range(n)]
    src_day = {s: (i * DAYS) // n_sources for i, s in enumerate(sources)}

    doc_recs: list[dict[str, Any]] = []
    for i, d in enumerate(docs):
        day = (i * DAYS) // n_docs
        rec = {"id": d, "title": f"Draft framework {i // 4}, text {i % 4}",
                     "kind": ["plan", "draft", "revision", "annex"][i % 4],
                     "drafted_by": [persons[rnd.randrange(len(persons))]], "date": _day(day)}
        if i % 4:
            rec["revision_of"] = docs[i - 1]
        if i % 5 == 0:
            rec["points"] = 10 + i % 20
        if i % 3 == 0:
            rec["sent"] = {"by": states[i % n_states], "to": states[(i + 1) % n_states], "date": _day(day + 2)}
        if i % 7 == 0:
            rec["access"] = "undisclosed"
        rec["sources"] = [sources[min(n_sources - 1, (day * n_sources) // DAYS)]]
        doc_recs.append(rec)

    event_recs: list[dict[str, Any]] = []
    ev_day: dict[str, int] = {}
    for i, e in enumerate(events):
        day = 0 if i == 0 else rnd.randrange(DAYS)
        ev_day[e] = day
        kind = "meeting" if i == 0 else EVENT_KINDS[rnd.randrange(len(EVENT_KINDS))]
        who = rnd.sample(persons, min(len(persons), 2 + rnd.randrange(4)))
        rec = {"id": e, "label": f"{kind.capitalize()} {i} in City {i % n_places}", "kind": kind,
               "type": EVENT_TYPES[rnd.randrange(len(EVENT_TYPES))], "date": _day(day),
               "place": places[i % n_places],
               "participants": [{"actor": a, "role": ROLES[j % len(ROLES)], "on_behalf_of": home[a]}
                                for j, a in enumerate(who)],
               "issues": rnd.sample(issues, 1 + rnd.randrange(3)),
               "confidence": ["confirmed", "reported", "disputed"][i % 3],
               "sources": [sources[min(n_sources - 1, (day * n_sources) // DAYS)]]}
        if i % 9 == 0:
            rec["documents"] = [docs[rnd.randrange(n_docs)]]
        if i % 11 == 0:
            rec["outcome"] = f"Contacts to continue after round {i}"
        event_recs.append(rec)

    # Statements, grouped by source; the source text is the statements' texts with filler between them.
    statements: list[dict[str, Any]] = []
    texts: dict[str, list[str]] = {s: [] for s in sources}
    offsets: dict[str, int] = {s: 0 for s in sources}
    stance_of: dict[tuple[str, str], int] = {}
    for i in range(n):
        src = stmt_source[i]
        day = src_day[src]
        speaker = "actor-0000" if i % 10 == 0 else speakers[rnd.randrange(len(speakers))]
        event = "ev-00000" if i % 25 == 0 else events[rnd.randrange(n_events)]
        issue = "issue-00" if i % 3 == 0 else issues[rnd.randrange(n_issues)]
        holder = home[speaker] if i % 2 else speaker
        key = (holder, issue)
        stance_of[key] = (stance_of.get(key, rnd.randrange(len(STANCES))) + (1 if rnd.random() < 0.3 else 0)) % len(STANCES)
        stance = STANCES[stance_of[key]]
        verb = VERBS[i % len(VERBS)]
        quote = f"{label[holder]} {stance.replace('-', ' ')} on issue {issue[-2:]}"
        sentence = (f"{label[speaker]} {verb} that {quote} after {event_recs[int(event[3:])]['label']}.")
        claims: list[dict[str, Any]] = [{"kind": "position", "actor": holder, "issue": issue, "stance": stance,
                               "quote": quote, "confidence": ["reported", "confirmed", "disputed"][i % 3]}]
        r = i % 12
        if r == 1:
            doc = docs[rnd.randrange(n_docs)]
            pts = 20 + rnd.randrange(10)
            sentence += f" The document {doc} has {pts} points."
            claims.append({"kind": "document-points", "document": doc, "points": pts, "confidence": "disputed",
                           "quote": f"{pts} points"})
        elif r == 2:
            other = persons[rnd.randrange(len(persons))]
            claims.append({"kind": "participation", "event": event, "actor": other, "role": "guest"})
            sentence += f" {label[other]} took part."
        elif r == 3:
            claims.append({"kind": "travel", "actors": [speaker], "destination": places[rnd.randrange(n_places)],
                           "date": _day(day + 3), "factuality": ["future", "asserted", "negated"][i % 3]})
            sentence += " A trip is planned."
        elif r == 4:
            claims.append({"kind": "expectation", "content": f"another round on issue {issue[-2:]}",
                           "condition": "if the drafts converge", "event_kind": "meeting",
                           "actors": [speaker, holder] if holder != speaker else [speaker],
                           "factuality": "future"})
            sentence += " Another round is expected if the drafts converge."
        elif r == 5:
            other = states[rnd.randrange(n_states)]
            claims.append({"kind": "agreement", "parties": sorted({home[speaker], other}),
                           "content": f"to keep talking about issue {issue[-2:]}", "issues": [issue],
                           "event": event})
            sentence += " The sides agreed to keep talking."
        elif r == 6:
            claims.append({"kind": "non-disclosure", "parties": [home[speaker]], "content": "the details of the text",
                           "document": docs[rnd.randrange(n_docs)]})
            sentence += " The details stay undisclosed."
        elif r == 7:
            other = persons[rnd.randrange(len(persons))]
            claims.append({"kind": "message", "from": speaker, "to": other, "content": "greetings"})
            sentence += f" Greetings were passed to {label[other]}."
        elif r == 8:
            val = [100, 200, 800][rnd.randrange(3)]
            claims.append({"kind": "figure", "subject": issue, "quantity": "USD", "value": val, "unit": "bn"})
            sentence += f" The fund would be {val} bn."
        elif r == 9:
            claims.append({"kind": "assessment", "actor": speaker, "target": issue,
                           "content": "the most significant issue", "stance": stance})
            sentence += " It is the most significant issue."
        elif r == 10:
            claims.append({"kind": "event-report", "event": event, "content": "the talks lasted five hours"})
            sentence += " The talks lasted five hours."
        elif r == 11:
            doc = docs[rnd.randrange(n_docs)]
            claims.append({"kind": "document-transfer", "document": doc, "action": "presented",
                           "by": speaker, "to": home[speaker], "date": _day(day)})
            sentence += f" {doc} was presented."
        filler = f"[{i}] "
        start = offsets[src] + len(filler)
        texts[src].append(filler + sentence + "\n")
        offsets[src] = start + len(sentence) + 1
        rec = {"id": f"st-{i:06d}", "speaker": speaker, "date": _day(day), "source": src, "text": sentence,
               "span": [start, start + len(sentence)], "language": "en",
               "kind": ["narrative", "answer", "quote", "bullet"][i % 4], "event": event, "claims": claims}
        if i % 4 == 1 and i > 0 and stmt_source[i - 1] == src:
            rec["responds_to"] = f"st-{i - 1:06d}"
        statements.append(rec)

    stem = "texts"
    source_recs: list[dict[str, Any]] = []
    files: dict[str, str] = {}
    for i, s in enumerate(sources):
        name = f"{stem}/{s}.txt"
        files[name] = "".join(texts[s])
        source_recs.append({"id": s, "url": f"https://news.example/{s}", "title": f"Briefing {i}",
                            "publisher": orgs[i % n_orgs], "date": _day(src_day[s]), "language": "en",
                            "text_file": name})
    record_file: dict[str, Any] = {"parley": 1, "collection": f"bench-{n}-{seed}", "sources": source_recs, "actors": actors,
           "places": place_recs, "issues": issue_recs, "documents": doc_recs, "events": event_recs,
           "statements": statements}
    return record_file, files


def generate(n: int, path: str | Path, seed: int = 42) -> Path:
    """Write the record file and its source texts; returns the YAML path."""
    path = Path(path)
    doc, files = build(n, seed)
    folder = path.parent / f"{path.stem}-texts"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / Path(name).name).write_text(text, encoding="utf-8")
    for s in doc["sources"]:
        s["text_file"] = f"{folder.name}/{Path(s['text_file']).name}"
    header = (f"# Synthetic negotiation for `parley bench`: {n} statements, seed {seed}. Generated; do not edit.\n")
    body = yaml.dump(doc, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False,
                     allow_unicode=True, width=120)
    path.write_text(header + body, encoding="utf-8")
    return path
