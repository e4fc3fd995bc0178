"""`parley bench generate` and `parley bench run`: synthetic data at scale and the benchmark over ui.bench."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ui.cli import CONTEXT, State, cli, pass_state


@cli.group(context_settings=CONTEXT)
def bench() -> None:
    """Benchmarks at scale: generate a synthetic negotiation, and measure Parley against the engine and rdflib.

    \b
    Example:
        parley bench generate --statements 2000 -o bench.yaml
        parley bench run --statements 2000 --json bench.json
        parley bench compare bench-10k.json bench-100k.json
    """


@bench.command(context_settings=CONTEXT)
@click.option("--statements", "n", type=click.IntRange(1), required=True, help="How many statements to write.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="The YAML record file to write.")
@click.option("--seed", type=int, default=42, show_default=True, help="The random seed (same seed, same files).")
@pass_state
def generate(state: State, n: int, output: str, seed: int) -> None:
    """Write a deterministic synthetic negotiation as YAML records, with its source texts beside it.

    The texts go to a folder named after the file (bench-texts/ for bench.yaml); statement spans index
    into them. The file ingests as it is.

    \b
    Example:
        parley bench generate --statements 200 -o /tmp/b.yaml
        parley ingest --dry-run /tmp/b.yaml
    """
    from graph.benchgen import generate as write

    path = write(n, output, seed)
    click.echo(f"Wrote {path} ({n} statements, seed {seed}) and {path.parent / (path.stem + '-texts')}/")


@bench.command(context_settings=CONTEXT)
@click.option("--statements", "n", type=click.IntRange(1), required=True, help="How many statements to generate.")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), help="Also write the results as JSON here.")
@click.option("--runs", type=click.IntRange(1), default=3, show_default=True, help="Runs per step (median, min–max).")
@click.option("--rdflib-runs", type=click.IntRange(1), metavar="N",
              help="Runs per rdflib step (default: --runs); rdflib steps slower than 5 s run once anyway.")
@click.option("--workdir", type=click.Path(file_okay=False), default="./parley-bench", show_default=True,
              help="Where the data, stores and exports go (data of the same size and seed is reused).")
@click.option("--seed", type=int, default=42, show_default=True, help="The generator's seed.")
@click.option("--cap", type=click.FloatRange(1), default=60.0, show_default=True,
              help="Seconds after which an rdflib step is stopped and reported as '> cap'.")
@click.option("--parse-cap", type=click.FloatRange(1), metavar="SECONDS",
              help="The cap for rdflib's parse of the data, which every other rdflib step needs (default: --cap).")
@click.option("--no-rdflib", is_flag=True, help="Leave out the plain-rdflib baseline.")
@click.option("--rdflib-budget", type=click.FloatRange(1), metavar="SECONDS",
              help="Stop the rdflib baseline after this long in all; the steps left are reported as not run.")
@click.option("--no-shacl-too", is_flag=True,
              help="Also measure ingest without SHACL validation (--no-shacl), as a row of its own.")
@click.option("--fresh-baseline", is_flag=True,
              help="Measure the rdflib baseline again even if the workdir holds one for exactly the same work.")
@pass_state
def run(state: State, n: int, json_file: str | None, runs: int, rdflib_runs: int | None, workdir: str, seed: int,
        cap: float, parse_cap: float | None, no_rdflib: bool, rdflib_budget: float | None, no_shacl_too: bool,
        fresh_baseline: bool) -> None:
    """Measure ingest, bulk load, store size, every named query, snapshot, exports, analytics and UI pages.

    Ingest and bulk load run RUNS times, each in a fresh subprocess (its own peak RSS); the native dumps,
    the snapshot and the exports run side by side in RUNS rounds, each a fresh fork, so that each is compared
    with a dump made in the same state of the machine; queries and the projection repeat RUNS times inside
    one subprocess; each page's first render is a fresh fork. The engine's own bulk load and
    native dump, and each query run directly in pyoxigraph, are the limits (each query is run once untimed
    first, on both sides: the figures are warm latencies); plain rdflib is the baseline,
    reused from the workdir when it was measured before on exactly the same work (--fresh-baseline to
    measure it again). Progress goes to stderr, a Markdown table to stdout.

    \b
    Example:
        parley bench run --statements 2000
        parley bench run --statements 10000 --json bench-10k.json --workdir /tmp/bench
    """
    from ui.bench import Bench
    from ui.bench_report import table

    b = Bench(n, Path(workdir), runs=runs, seed=seed, cap=cap, parse_cap=parse_cap, rdflib=not no_rdflib,
              rdflib_budget=rdflib_budget, no_shacl_too=no_shacl_too,
              fresh_baseline=fresh_baseline, rdflib_runs=rdflib_runs, progress=state.progress)
    result = b.run()
    click.echo(table(result))
    baseline = result["info"].get("rdflib_baseline")
    click.echo(f"\n{result['info']['quads']:,} quads, {n:,} statements; total {result['info']['total_s']:.0f} s"
               + (f"; rdflib baseline {baseline}" if baseline else ""))
    if json_file:
        Path(json_file).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        state.progress(f"wrote {json_file}")


@bench.command(context_settings=CONTEXT)
@click.argument("first", type=click.Path(dir_okay=False))
@click.argument("second", type=click.Path(dir_okay=False))
def compare(first: str, second: str) -> None:
    """How each figure grows between two runs at different sizes (files of `bench run --json`).

    For every step both runs measured: its figure at each size and the exponent k in figure ∝ N^k (1 is
    linear), beside the same exponent for the step's limit (the engine) and for rdflib; then the figures
    that grow faster than linearly. The Markdown table goes to stdout.

    \b
    Example:
        parley bench run --statements 10000 --json b10k.json
        parley bench run --statements 100000 --json b100k.json
        parley bench compare b10k.json b100k.json
    """
    from ui.bench_report import CompareError, load_result, scaling_table

    a, b = load_result(first), load_result(second)
    na, nb = a["info"]["statements"], b["info"]["statements"]
    if na == nb:
        raise CompareError(f"{first} and {second} are both runs at {na:,} statements: compare two sizes")
    click.echo(scaling_table(a, b) if na < nb else scaling_table(b, a))
