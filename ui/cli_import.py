"""`parley import`: load an RDF file (e.g. a Parley TriG snapshot) into the store, all or nothing."""

from __future__ import annotations

import json

import click

from ui.cli import CONTEXT, State, cli, output_options, pass_state


@cli.command("import", context_settings=CONTEXT)
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--collection", metavar="NAME",
              help="The collection whose graph takes triples outside a named graph (default: the file name).")
@click.option("--dry-run", is_flag=True, help="Check everything, write nothing.")
@output_options
@pass_state
def import_command(state: State, file: str, collection: str | None, dry_run: bool, as_json: bool) -> None:
    """Import an RDF file (.ttl, .trig, .nt, .nq, .rdf, .jsonld) into the store in one write.

    Each named graph in the file replaces the store's graph of that name; triples outside a named graph
    go into the graph of the file's collection. Blank nodes, RDF/XML DOCTYPE/ENTITY declarations, remote
    JSON-LD contexts and invalid typed literals (e.g. "2025-13-45"^^xsd:date) are refused with the file
    and line; a refused file changes nothing.

    \b
    Example:
        parley export --format trig snapshot.trig
        parley --store ./other import snapshot.trig
        parley import extra.ttl --collection background --dry-run
    """
    from ingest.rdf_import import import_rdf

    store = state.store(create=not dry_run, or_empty=dry_run)
    report = import_rdf(store, file, collection=collection, dry_run=dry_run)
    if as_json:
        click.echo(json.dumps({"dry_run": dry_run, "path": report.path, "collection": report.collection,
                               "graphs": len(report.graphs), "replaced": len(report.replaced),
                               "triples": report.triples}, indent=2))
        return
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {report.path}: {report.triples:,} triples in {len(report.graphs):,} graph(s), "
               f"{len(report.replaced):,} of them replaced")
