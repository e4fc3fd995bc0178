"""`parley export` and `parley diff`: the graph as of a date in every format people open, and what changed
between two dates or two snapshot files. A thin layer over graph.export and graph.diff."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Any

import click

from graph.diff import Point, diff as run_diff
from graph.export import BINARY, FORMATS, ExportError, export as run_export, format_for
from ui.cli import CONTEXT, State, cli, output_options, pass_state

DATE = click.DateTime(formats=["%Y-%m-%d"])
LARGE = 200_000  # quads: below this an export takes a second or two and needs no progress bar


def _created(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date-time, e.g. 2026-01-01T12:00:00Z") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)  # naive: UTC, the same everywhere


class _Bar:
    """A progress bar on stderr, shown only for large exports."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total < LARGE:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Exporting", file=sys.stderr, show_pos=True)
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.render_finish()


@cli.command(context_settings=CONTEXT)
@click.option("--as-of", type=DATE, metavar="DATE",
              help="The graph as it stood on DATE: statements made by then, their claims, events dated by then "
                   "and the records they refer to. Default: the whole store.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), metavar="FORMAT",
              help=f"One of {', '.join(FORMATS)}. Default: from the -o file's extension, else trig.")
@click.option("-o", "--output", default="-", metavar="FILE|DIR/|-", show_default=True,
              help="Where to write; - is stdout. png and csv need a file; csv also writes nodes.csv and "
                   "edges.csv into a folder given as DIR/.")
@click.option("--created", callback=_created, metavar="DATETIME",
              help="The creation time recorded in the snapshot's description (default: now; no zone: UTC), "
                   "for reproducible files.")
@pass_state
def export(state: State, as_of: dt.datetime | None, fmt: str | None, output: str,
           created: dt.datetime | None) -> None:
    """Export a snapshot of the graph: RDF (trig, nq, ttl, jsonld), Gephi files (graphml, gexf, csv)
    or a picture (png, svg).

    RDF snapshots keep the named graphs (trig, nq, jsonld) or their union (ttl) and describe themselves
    (VoID/DCTerms: as-of date, creation time, counts, sources, Parley version). Files are written to a
    temporary name and renamed, so a failed export leaves no partial file.

    \b
    Example:
        parley export --as-of 2025-12-03 -o b.trig
        parley export --format ttl > graph.ttl
        parley export --as-of 2025-12-31 --format png -o graph.png
        parley export --format csv -o gephi/
        parley export --format png > graph.png
    """
    if fmt is None:
        fmt = "trig" if output == "-" else format_for(output)
        if fmt is None:
            raise ExportError(f"cannot tell the format from {output!r}: give --format ({', '.join(FORMATS)})")
    bar = _Bar() if not state.silent else None
    day = as_of.date() if as_of else None
    try:
        if output == "-":
            if fmt in BINARY and sys.stdout.isatty():
                raise ExportError(f"{fmt} is binary: give a file with -o (e.g. -o graph.{'zip' if fmt == 'csv' else fmt})"
                                  " or redirect the output to a file")
            result = run_export(state.store(), fmt, sys.stdout.buffer, as_of=day, created=created, progress=bar)
            sys.stdout.buffer.flush()
        else:
            result = run_export(state.store(), fmt, output, as_of=day, created=created, progress=bar)
    finally:
        if bar is not None:
            bar.close()
    state.progress(result.summary())


def _point(value: str) -> Point:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) or Path(value).exists():  # a file named like a date
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is neither a snapshot file nor a date (YYYY-MM-DD)") from None


@cli.command(context_settings=CONTEXT)
@click.argument("snapshots", nargs=-1, metavar="[A B]")
@click.option("--from", "since", type=DATE, metavar="DATE", help="Compare the store as of DATE …")
@click.option("--to", "until", type=DATE, metavar="DATE",
              help="… with the store as of DATE (default: the whole store as it is).")
@output_options
@pass_state
def diff(state: State, snapshots: tuple[str, ...], since: dt.datetime | None, until: dt.datetime | None,
         as_json: bool) -> None:
    """What changed between two snapshots: events, documents, statements, claims and positions (and the
    actors, places, issues and sources behind them) added, removed and changed.

    A and B are snapshot files (TriG or N-Quads, as `parley export` writes them) or dates of the store.
    A record whose content hash differs between the two is changed.

    \b
    Example:
        parley diff --from 2025-12-01 --to 2025-12-03
        parley diff a.trig b.trig
        parley diff a.trig 2026-03-31 --json
    """
    if snapshots and (since or until):
        raise click.UsageError("give two snapshots (A B) or --from/--to, not both")
    if snapshots:
        if len(snapshots) != 2:
            raise click.UsageError(f"give two snapshots to compare, not {len(snapshots)}")
        a, b = _point(snapshots[0]), _point(snapshots[1])
    elif since is None:
        raise click.UsageError("give two snapshot files (parley diff A B) or --from DATE [--to DATE]")
    else:
        a, b = since.date(), until.date() if until else None
    needs_store = any(p is None or isinstance(p, dt.date) for p in (a, b))
    result = run_diff(a, b, store=state.store() if needs_store else None)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    for line in result.lines():
        click.echo(line)


__all__ = ["diff", "export"]
