"""The `parley` command: a thin layer over the library. Data goes to stdout, progress and logs to stderr."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

import click

from graph.errors import ParleyError
from graph.results import short_name
from graph.store import DEFAULT_STORE, ENV_STORE, Store

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples"
F = TypeVar("F", bound=Callable[..., Any])


class BadUsage(click.UsageError):
    """A usage error (a bad option value, a missing argument, an unknown command): bad input like any
    other, so it exits 1 as Parley's own errors do, not with click's 2."""

    exit_code = 1


def _bad_input(e: click.UsageError) -> click.UsageError:
    """`e` as a :class:`BadUsage` with the same message and usage line. A group called with nothing to do
    prints its help on stdout and exits 0, as `--help` does."""
    if isinstance(e, click.exceptions.NoArgsIsHelpError):
        click.echo(e.ctx.get_help(), color=e.ctx.color)
        raise click.exceptions.Exit(0)
    return BadUsage(e.format_message(), ctx=e.ctx)


class ParleyGroup(click.Group):
    """Turns Parley's errors into `Error: …` on stderr and exit 1, never a traceback."""

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as e:
            raise _bad_input(e) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:
                # Closing flushes the store, which can fail too (a full disk): inside this try, so that
                # it is reported like any other error.
                if isinstance(ctx.obj, State):
                    ctx.obj.close()
        except ParleyError as e:
            click.echo(f"Error: {e}", err=True)
            ctx.exit(1)
        except click.UsageError as e:
            raise _bad_input(e) from None
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Error: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(0)
        except Exception as e:  # noqa: BLE001 - the last line of defence against tracebacks
            if os.environ.get("PARLEY_DEBUG"):
                raise
            click.echo(f"Error: unexpected {type(e).__name__}: {e} (set PARLEY_DEBUG=1 for details)", err=True)
            ctx.exit(1)


class State:
    def __init__(self, store_spec: str | None, silent: bool) -> None:
        self.store_spec = store_spec
        self.silent = silent
        self._store: Store | None = None

    def store(self, *, create: bool = False, or_empty: bool = False) -> Store:
        """The store, opened once. `or_empty`: a store folder that does not exist yet reads as an empty
        store (for dry runs, which must not create anything)."""
        if self._store is None:
            spec = self.store_spec or os.environ.get(ENV_STORE) or DEFAULT_STORE
            if or_empty and not create and "://" not in spec and spec != "memory:" and not Path(spec).exists():
                spec = "memory:"
            self._store = Store.open(spec, create=create)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def progress(self, message: str) -> None:
        if not self.silent:
            click.echo(message, err=True)


pass_state = click.make_pass_decorator(State)


def output_options(f: F) -> F:
    """`--json` for the commands that print a summary, shared so that every command spells it the same."""
    return click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(f)


@click.group(cls=ParleyGroup, context_settings=CONTEXT)
@click.version_option(version("parley"), "-V", "--version", prog_name="parley")
@click.option("--store", "store_spec", metavar="STORE", envvar=ENV_STORE,
              help=f"A store folder (default {DEFAULT_STORE}), memory:, or a SPARQL endpoint http(s)://… "
                   f"[env {ENV_STORE}]")
@click.option("-s", "--silent", is_flag=True, help="No progress messages on stderr.")
@click.pass_context
def cli(ctx: click.Context, store_spec: str | None, silent: bool) -> None:
    """Parley: a negotiation-tracking knowledge graph.

    Feed it what officials say and what you know of meetings and documents; it keeps every fact tied
    to the words and source it came from.

    \b
    Example:
        parley demo
        parley --store ./my-data ingest notes.yaml
        parley stats
    """
    state = State(store_spec, silent)
    ctx.obj = state


@cli.command(context_settings=CONTEXT)
@pass_state
def init(state: State) -> None:
    """Create an empty store (a folder, unless the store is memory: or an endpoint).

    \b
    Example:
        parley --store ./parley-data init
    """
    store = state.store(create=True)
    click.echo(f"Store ready: {store.spec} ({store.backend.quad_count()} quads)")


@cli.command(context_settings=CONTEXT)
@output_options
@pass_state
def stats(state: State, as_json: bool) -> None:
    """Count the store's quads, named graphs, and instances per class, and what awaits review: statements
    and claims extracted from transcripts by rules, and claims marked disputed.

    \b
    Example:
        parley stats
        parley --store http://127.0.0.1:7878 stats --json
    """
    from graph.validate import quality

    counts = state.store().counts()
    q = quality(state.store()) if counts.quads else None
    if as_json:
        click.echo(json.dumps({"store": state.store().spec, "quads": counts.quads, "graphs": counts.graphs,
                               "classes": dict(counts.classes), "quality": q.__dict__ if q else None}, indent=2))
        return
    click.echo(f"Store:   {state.store().spec}")
    click.echo(f"Quads:   {counts.quads:,}")
    click.echo(f"Graphs:  {counts.graphs:,}")
    if q is not None:
        click.echo(f"Review:  {q.extracted_statements:,} statements and {q.extracted_claims:,} claims extracted by rules, "
                   f"not yet curated; {q.disputed_claims:,} claims marked disputed")
    if counts.classes:
        click.echo("Instances per class:")
        width = max(len(short_name(c)) for c, _ in counts.classes)
        for c, n in counts.classes:
            click.echo(f"  {short_name(c):<{width}}  {n:>7,}")


@cli.command(context_settings=CONTEXT)
@output_options
@pass_state
def validate(state: State, as_json: bool) -> None:
    """Check the whole store against Parley's SHACL shapes; exit 1 on violations.

    \b
    Example:
        parley validate
    """
    from graph.validate import validate_store

    violations = validate_store(state.store())
    if as_json:
        click.echo(json.dumps([v.__dict__ for v in violations], indent=2))
    elif not violations:
        click.echo("No violations: the store conforms to Parley's shapes.")
    else:
        for v in violations:
            click.echo(str(v))
        click.echo(f"{len(violations)} violation(s)", err=True)
    if violations:
        sys.exit(1)


@cli.command(context_settings=CONTEXT)
@click.argument("target", type=click.Path(file_okay=False))
@pass_state
def backup(state: State, target: str) -> None:
    """Copy an embedded store to a new folder that opens as a store of its own.

    \b
    Example:
        parley backup ./parley-backup-2025-12-03
    """
    state.store().backup(target)
    click.echo(f"Backed up {state.store().spec} to {target}")


@cli.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and map everything, write nothing.")
@click.option("--replace-source", is_flag=True,
              help="Also remove records the file's collection held before but the file no longer has.")
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL check after mapping (faster on huge files).")
@output_options
@pass_state
def ingest(state: State, files: tuple[str, ...], dry_run: bool, replace_source: bool, no_shacl: bool,
           as_json: bool, **text_options: Any) -> None:
    """Ingest YAML record files (see ingest/RECORDS.md) and transcripts (.txt, see ingest/TEXT.md).

    Each file is all or nothing. References between the YAML files given together are resolved, so
    order does not matter; running the same ingest again changes nothing. A transcript is split into
    statements with speakers, entities and claims; --draft writes them as YAML records to correct and
    ingest instead.

    \b
    Example:
        parley ingest ingest/samples/*.yaml
        parley ingest --dry-run notes.yaml
        parley ingest briefing.txt --date 2025-12-02 --source-url https://example.org/b --draft draft.yaml
    """
    from ingest.pipeline import ingest_files

    texts = [f for f in files if f.lower().endswith(".txt")]
    if texts or text_options.get("text") is not None:
        from ui.cli_text import ingest_texts

        ingest_texts(state, texts, dry_run=dry_run, no_shacl=no_shacl, as_json=as_json, **text_options)
        files = tuple(f for f in files if f not in texts)
        if not files:
            return
    if not files:
        raise click.UsageError("give at least one file to ingest (YAML records or a .txt transcript)")

    report = ingest_files(state.store(create=not dry_run, or_empty=dry_run), files, dry_run=dry_run,
                          replace_source=replace_source,
                          check_shapes=not no_shacl, progress=state.progress)
    if as_json:
        click.echo(json.dumps({"dry_run": dry_run, "files": [
            {"path": f.path, "collection": f.collection, "added": len(f.added), "replaced": len(f.replaced),
             "unchanged": len(f.unchanged), "removed": len(f.removed), "statements": f.statements,
             "claims": f.claims, "triples": f.triples} for f in report.files]}, indent=2))
        return
    verb = "Would write" if dry_run else "Ingested"
    click.echo(f"{verb} {len(report.files)} file(s): {report.total('statements')} statements, "
               f"{report.total('claims')} claims; graphs {report.total('added')} added, "
               f"{report.total('replaced')} replaced, {report.total('unchanged')} unchanged, "
               f"{report.total('removed')} removed")


@cli.command(context_settings=CONTEXT)
@click.option("--no-ui", is_flag=True, help="Load the example and print its summary; do not start the app.")
@pass_state
def demo(state: State, no_ui: bool) -> None:
    """Load the bundled example (the 2 Dec 2025 briefing and a 30-event chronology) and start the app.

    Loading is idempotent: a second run finds everything unchanged. With --no-ui it prints a summary
    and stops.

    \b
    Example:
        parley demo
        parley --store memory: demo --no-ui
    """
    from ingest.pipeline import ingest_files

    files = sorted(str(p) for p in SAMPLES.glob("*.yaml"))
    report = ingest_files(state.store(create=True), files, progress=state.progress)
    counts = state.store().counts()
    click.echo(f"Example loaded into {state.store().spec}: {report.total('statements')} statements, "
               f"{report.total('claims')} claims, {counts.graphs:,} graphs, {counts.quads:,} quads")
    for c, n in counts.classes:
        if c.startswith("https://parley.example/ontology#"):
            click.echo(f"  {short_name(c):<28} {n:>6,}")
    if not no_ui:
        from ui.cli_ui import start_ui

        spec = state.store().spec
        state.close()  # one process owns an on-disk store: from here on, the app does
        start_ui(spec, None, "127.0.0.1")


def main() -> None:
    cli(prog_name="parley")


__all__ = ["cli", "main"]

# The other commands live in modules of their own, one per feature; importing them registers them on
# `cli`. They import this module, so they come last.
from ui import cli_analytics  # noqa: E402,F401  (path, analyze)
from ui import cli_bench  # noqa: E402,F401  (bench)
from ui import cli_export  # noqa: E402,F401  (export, diff)
from ui import cli_import  # noqa: E402,F401  (import)
from ui import cli_query  # noqa: E402,F401  (query, queries, serve)
from ui import cli_text  # noqa: E402  (extract, eval, and the transcript options of ingest)
from ui import cli_ui  # noqa: E402,F401  (ui)

cli_text.add_text_options(ingest)
