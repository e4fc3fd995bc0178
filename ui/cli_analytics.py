"""`parley path` and `parley analyze`: network analytics on the command line, over graph.analytics."""

from __future__ import annotations

import datetime as dt
import json

import click

from graph.analytics import ActorScore, Analysis, analyze as run_analysis, paths
from graph.facts import read_facts
from ui.cli import CONTEXT, State, cli, output_options, pass_state

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value is not None else None


@cli.command(context_settings=CONTEXT)
@click.argument("a")
@click.argument("b")
@click.option("--as-of", type=DATE, metavar="DATE", help="Use only events and statements dated up to DATE.")
@click.option("-n", "--paths", "limit", type=click.IntRange(1, 50), default=3, show_default=True,
              help="How many of the shortest paths to show.")
@click.option("--statements", is_flag=True, help="Let paths run through statements (speaker — said → …).")
@output_options
@pass_state
def path(state: State, a: str, b: str, as_of: dt.datetime | None, limit: int, statements: bool,
         as_json: bool) -> None:
    """Explain how two entities are connected: the shortest chains of relations between them.

    A and B are any label or alias in any language, an id, or a prefix only one entity's name starts
    with. Each hop is shown with the statements and quotes behind it; exit 1 when there is no path.

    \b
    Example:
        parley path kushner "territorial issue"
        parley path Уиткофф Ушаков --as-of 2025-12-31 --json
    """
    found = paths(read_facts(state.store()), a, b, as_of=_day(as_of), statements=statements, limit=limit)
    if as_json:
        click.echo(json.dumps({"from": found[0].nodes[0], "to": found[0].nodes[-1],
                               "paths": [p.to_dict() for p in found]}, indent=2, ensure_ascii=False))
        return
    first = found[0]
    hops = len(first.hops)
    click.echo(f"{first.names[first.nodes[0]]} → {first.names[first.nodes[-1]]}: "
               f"{len(found)} shortest path(s) of {hops} hop{'s' if hops != 1 else ''}")
    for p in found:
        click.echo("")
        for line in p.explain():
            click.echo(line)


@cli.command(context_settings=CONTEXT)
@click.option("--from", "since", type=DATE, metavar="DATE", help="Count events and statements from DATE.")
@click.option("--to", "until", type=DATE, metavar="DATE", help="Count events and statements up to DATE.")
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True, help="Rows per table.")
@output_options
@pass_state
def analyze(state: State, since: dt.datetime | None, until: dt.datetime | None, top: int, as_json: bool) -> None:
    """Who meets whom in a period: the most central actors, brokers between the sides, communities
    (Louvain, seed 42) and the most active actors.

    Actors are linked by the events they took part in together. Betweenness is exact for up to 2,000
    actors and sampled above (the output says which).

    \b
    Example:
        parley analyze --from 2025-11-01 --to 2025-12-31
        parley analyze --top 5 --json
    """
    if since and until and since > until:
        raise click.BadParameter(f"--from {since:%Y-%m-%d} is after --to {until:%Y-%m-%d}", param_hint="--from")
    result = run_analysis(read_facts(state.store()), since=_day(since), as_of=_day(until), top=top)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    for line in report(result):
        click.echo(line)


def report(r: Analysis) -> list[str]:
    """The analysis as readable tables."""
    period = f"{r.since or 'the start'} to {r.until or 'the end'}"
    lines = [f"Who meets whom, {period}: {r.actors} actors, {r.links} links, {r.events} events "
             f"(betweenness {r.method})"]
    if not r.actors:
        return lines + ["No actor took part in an event in this period."]
    lines += ["", "Most central actors", *_table(r, r.by_degree)]
    lines += ["", "Highest betweenness", *_table(r, r.by_betweenness)]
    lines += ["", "Brokers between the sides (share of shortest paths between actors of different sides)"]
    if not r.brokers:
        lines.append("  none: no actor lies between actors of different sides")
    width = max((len(a.label) for a, _ in r.brokers), default=0)
    for a, b in r.brokers:
        pairs = sorted(b.between.items(), key=lambda kv: (-kv[1], [r.labels.get(s, s) for s in kv[0]]))
        between = ", ".join(f"{' – '.join(r.labels.get(s, s) for s in pair)} {v:.2f}" for pair, v in pairs[:3])
        if len(pairs) > 3:
            between += ", …"
        lines.append(f"  {a.label:<{width}}  {b.score:>7.2f}  {between}")
    lines += ["", f"Communities (Louvain, seed 42): {len(r.communities)}"]
    for i, members in enumerate(r.communities, 1):
        lines.append(f"  {i}. " + ", ".join(r.labels.get(m, m) for m in members))
    lines += ["", "Most active (events + statements)"]
    width = max((len(x.label) for x in r.active), default=0)
    lines.append(f"  {'actor':<{width}}  {'events':>6}  {'statements':>10}  {'total':>5}")
    for x in r.active:
        lines.append(f"  {x.label:<{width}}  {x.events:>6}  {x.statements:>10}  {x.total:>5}")
    return lines


def _table(r: Analysis, rows: list[ActorScore]) -> list[str]:
    width = max([len("actor")] + [len(a.label) for a in rows])
    side_width = max([len("side")] + [len(r.labels.get(a.side, a.side) if a.side else "") for a in rows])
    out = [f"  {'actor':<{width}}  {'side':<{side_width}}  {'degree':>6}  {'betweenness':>11}  {'events':>6}"]
    for a in rows:
        side = r.labels.get(a.side, a.side) if a.side else "–"
        out.append(f"  {a.label:<{width}}  {side:<{side_width}}  {a.degree:>6.3f}  {a.betweenness:>11.3f}  "
                   f"{a.events:>6}")
    return out


__all__ = ["analyze", "path", "report"]
