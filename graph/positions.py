"""Actors' stances on issues as the store states them: the asserted position claims made by a date, of some
actors or of one actor on one issue, and the latest stance of each actor on each issue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from graph.facts import iri_list
from graph.neighbourhood import Dates, read_dates, values_block
from graph.snapshot import DAY
from graph.store import Store
from ontology.namespaces import DCTERMS, FACTUALITY, PARLEY, PROV


@dataclass(frozen=True, order=True)
class StanceClaim:
    """One asserted position claim: who holds which stance on which issue, stated in which statement on
    which day. Ordered by day, then claim: the order in which a later claim replaces an earlier one."""

    day: str
    claim: str
    actor: str
    issue: str
    stance: str  # the stance concept's IRI
    statement: str


def stance_claims(store: Store, as_of: dt.date, *, actors: Iterable[str] | None = None, issue: str | None = None,
                  since: dt.date | None = None, dates: Dates | None = None) -> list[StanceClaim]:
    """The asserted position claims stated by `as_of` (and from `since`, when given), of some actors (None:
    all) on one issue (None: all), in no particular order.

    Plain patterns only: with OPTIONAL or with the type checks beside them the engine reads far more than
    it returns. A period (`since`) is found through the statements dated in it, named by their values
    (`dates`, from :func:`graph.neighbourhood.read_dates`; read here when not given).

    >>> stance_claims(Store.open("memory:"), dt.date(2025, 12, 3))
    []
    """
    chosen = None if actors is None else sorted(set(actors))
    found = f"?c a <{PARLEY.PositionClaim}> ; <{PARLEY.stance}> ?stance ; <{PROV.wasDerivedFrom}> ?st . "
    if since is not None:  # from the statements of the period (their dates named): the few days' claims
        days = values_block("d", (dates or read_dates(store)).within(since, as_of, str(DCTERMS.date)))
        rows = store.select_text(
            f"SELECT ?c ?a ?i ?stance ?st ?d WHERE {{ {days} ?st <{DCTERMS.date}> ?d . "
            f"?c <{PROV.wasDerivedFrom}> ?st . ?c a <{PARLEY.PositionClaim}> ; "
            f"<{PARLEY.actor}> ?a ; <{PARLEY.issue}> ?i ; <{PARLEY.stance}> ?stance }}")
    elif chosen is not None and len(chosen) == 1 and issue is not None:
        # one cell: both constants in the patterns, so the engine intersects them
        rows = store.select_text(
            f"SELECT ?c ?a ?i ?stance ?st ?d WHERE {{ ?c <{PARLEY.actor}> <{chosen[0]}> ; <{PARLEY.issue}> <{issue}> . "
            f"BIND(<{chosen[0]}> AS ?a) BIND(<{issue}> AS ?i) {found}"
            f"?st <{DCTERMS.date}> ?d . FILTER({DAY} <= \"{as_of.isoformat()}\") }}")
    else:
        pick_actors = "" if chosen is None else f"VALUES ?a {{ {iri_list(*chosen)} }} "
        pick_issue = f"VALUES ?i {{ <{issue}> }} " if issue is not None and chosen is None else ""
        rows = store.select_text(
            f"SELECT ?c ?a ?i ?stance ?st ?d WHERE {{ {pick_actors}?c <{PARLEY.actor}> ?a . "
            f"?c <{PARLEY.issue}> ?i . {pick_issue}{found}"
            f"?st <{DCTERMS.date}> ?d . FILTER({DAY} <= \"{as_of.isoformat()}\") }}")
    wanted = None if chosen is None else set(chosen)
    out = [StanceClaim(str(d)[:10], str(c), str(a), str(i), str(stance), str(st))
           for c, a, i, stance, st, d in rows if (issue is None or i == issue) and (wanted is None or a in wanted)]
    if not out:
        return []
    other = {c for c, f in store.select_text(
        f"SELECT ?c ?f WHERE {{ VALUES ?c {{ {iri_list(*(x.claim for x in out))} }} ?c <{PARLEY.factuality}> ?f }}")
        if f != str(FACTUALITY.asserted)}
    return [x for x in out if x.claim not in other]


def latest_stances(claims: Iterable[StanceClaim]) -> dict[tuple[str, str], StanceClaim]:
    """The latest claim of each (actor, issue), by day and then claim, as the stances graph orders them.

    >>> a = StanceClaim("2025-12-01", "c1", "russia", "territory", "rejects", "s1")
    >>> b = StanceClaim("2025-12-02", "c2", "russia", "territory", "accepts", "s2")
    >>> latest_stances([b, a])[("russia", "territory")].stance
    'accepts'
    """
    latest: dict[tuple[str, str], StanceClaim] = {}
    for x in claims:
        cell = (x.actor, x.issue)
        if cell not in latest or x > latest[cell]:
            latest[cell] = x
    return latest


def position_claim_count(store: Store) -> int:
    """How many position claims the store holds (of any factuality)."""
    rows = store.select_text(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?c a <{PARLEY.PositionClaim}> }}")
    return int(rows[0][0] or 0) if rows else 0
