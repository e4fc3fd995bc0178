"""The timeline of a negotiation: its events, statements and document handovers in date order, each
with the entities it touches, so that it can be cut to one actor, one issue and a period."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from graph.facts import Facts

LANES = ("Events", "Statements", "Documents")
HANDOVERS = ("sent", "presented", "received", "handed over", "delivered")


@dataclass(frozen=True)
class TimelineItem:
    date: str
    lane: str              # Events, Statements, Documents
    kind: str              # meeting, call, statement, sent, …
    label: str
    iri: str
    text: str = ""
    statements: tuple[str, ...] = ()


def timeline(f: Facts, *, actor: str | None = None, issue: str | None = None, since: dt.date | None = None,
             until: dt.date | None = None) -> list[TimelineItem]:
    """Events, statements and document handovers in date order, cut to those touching `actor` and `issue`."""
    touched: dict[str, set[str]] = defaultdict(set)   # event / statement / document → entities it touches
    for link_ in f.links:
        for ev in link_.evidence:
            touched[ev.statement] |= {link_.source, link_.target}
        for a, b in ((link_.source, link_.target), (link_.target, link_.source)):
            if f.entities.get(a) and f.entities[a].type in ("event", "document"):
                touched[a].add(b)
    for p in f.participations:
        touched[p.event].add(p.actor)
    for s in f.statements.values():
        touched[s.iri].add(s.speaker)
        if s.event:
            touched[s.iri].add(s.event)
    items: list[TimelineItem] = []
    for e in f.entities.values():
        if e.type == "event" and e.date:
            items.append(TimelineItem(e.date, "Events", e.kind or "event", e.label, e.iri))
    for s in f.statements.values():
        items.append(TimelineItem(s.date, "Statements", "statement", f"{f.label(s.speaker)}: {s.text}", s.iri,
                                  s.text, (s.iri,)))
    for link_ in f.links:
        target = f.entities.get(link_.target)
        source = f.entities.get(link_.source)
        if target is None or source is None or target.type != "document" or source.type != "actor":
            continue
        if link_.relation.split(" (")[0] not in HANDOVERS:
            continue
        for ev in link_.evidence:
            said = f.statements[ev.statement]
            items.append(TimelineItem(said.date, "Documents", link_.relation,
                                      f"{source.label} {link_.relation} {target.label}", target.iri, ev.quote,
                                      (ev.statement,)))
            touched[target.iri] |= {source.iri}
    wanted = [x for x in (actor, issue) if x]

    def keep(item: TimelineItem) -> bool:
        if not all(x in touched[item.iri] or any(x in touched[s] for s in item.statements) for x in wanted):
            return False
        return (since is None or item.date >= since.isoformat()) and (until is None or item.date <= until.isoformat())

    return sorted((i for i in items if keep(i)), key=lambda i: (i.date, LANES.index(i.lane), i.label))
