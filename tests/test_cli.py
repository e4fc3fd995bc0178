"""The `parley` command: help for every command, version, errors as `Error: …` with exit 1."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ui.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
PARLEY = [sys.executable, "-m", "ui"]


def all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in sorted(group.commands.items()):
        out.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            out += all_commands(command, f"{prefix}{name} ")
    return out


@pytest.mark.parametrize("name", [n for n, _ in all_commands(cli)])
def test_every_command_has_help_with_an_example_and_a_readme_entry(name: str) -> None:
    result = CliRunner().invoke(cli, [*name.split(), "-h"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output, f"`parley {name} --help` has no Example: block"
    assert f"`parley {name}" in README, f"README's CLI reference does not mention `parley {name}`"
    assert re.search(r"Example:\s*\n\s+parley ", result.output)


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.output == f"parley, version {version('parley')}\n"


@pytest.mark.parametrize("args, message", [
    (["nosuch"], "Error: No such command 'nosuch'."),
    (["--bogus"], "Error: No such option '--bogus'."),
    (["analyze", "--from", "2026-13-01"],
     "Error: Invalid value for '--from': '2026-13-01' does not match the format '%Y-%m-%d'."),
    (["analyze", "--from", "2026-01-01", "--to", "2025-01-01"],
     "Error: Invalid value for --from: --from 2026-01-01 is after --to 2025-01-01"),
    (["ingest"], "Error: give at least one file to ingest (YAML records or a .txt transcript)"),
    (["bench", "run", "--statements", "many"],
     "Error: Invalid value for '--statements': 'many' is not a valid integer range."),
])
def test_usage_errors_exit_1_like_any_bad_input_and_write_nothing(tmp_path: Path, args: list[str],
                                                                   message: str) -> None:
    """A bad option value, an unknown command or a missing argument is bad input: exit 1 (not click's
    2), the usage line and one `Error:` line on stderr, nothing on stdout, no store created."""
    store = tmp_path / "p"
    result = subprocess.run([*PARLEY, "--store", str(store), *args], capture_output=True, text=True,
                            cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("Usage: parley") and result.stderr.rstrip("\n").endswith(message)
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_group_with_nothing_to_do_prints_its_help_and_exits_0() -> None:
    for args in ([], ["bench"]):
        result = subprocess.run([*PARLEY, *args], capture_output=True, text=True)
        assert (result.returncode, result.stderr) == (0, ""), args
        assert result.stdout == subprocess.run([*PARLEY, *args, "--help"], capture_output=True,
                                               text=True).stdout


def test_init_and_stats_on_a_folder(tmp_path: Path) -> None:
    store = str(tmp_path / "p")
    runner = CliRunner()
    result = runner.invoke(cli, ["--store", store, "init"], env={"PARLEY_STORE": ""})
    assert result.exit_code == 0 and result.output == f"Store ready: {store} (0 quads)\n"
    result = runner.invoke(cli, ["stats"], env={"PARLEY_STORE": store})
    assert result.exit_code == 0
    assert result.output == f"Store:   {store}\nQuads:   0\nGraphs:  0\n"


def test_stats_say_what_awaits_review(tmp_path: Path) -> None:
    store = str(tmp_path / "p")
    seed = Path(__file__).resolve().parent.parent / "ingest" / "samples" / "ushakov-briefing-2025-12-02.txt"
    runner = CliRunner()
    assert runner.invoke(cli, ["--store", store, "-s", "ingest", str(seed)]).exit_code == 0
    result = runner.invoke(cli, ["--store", store, "stats"])
    assert result.exit_code == 0
    assert result.output.splitlines()[3] == ("Review:  27 statements and 48 claims extracted by rules, not yet curated; "
                                             "2 claims marked disputed")
    as_json = json.loads(runner.invoke(cli, ["--store", store, "stats", "--json"]).output)
    assert as_json["quality"] == {"extracted_statements": 27, "extracted_claims": 48, "disputed_claims": 2}


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "nope"), "stats"])
    assert result.exit_code == 1
    assert result.output == f"Error: no store at {tmp_path / 'nope'}: run `parley --store {tmp_path / 'nope'} init` first\n"


def test_second_process_gets_store_in_use(tmp_path: Path) -> None:
    store = str(tmp_path / "p")
    subprocess.run([*PARLEY, "--store", store, "init"], check=True, capture_output=True)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from graph.store import Store; s = Store.open(sys.argv[1]); "
        "print('open', flush=True); time.sleep(30)"), store], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        started = time.monotonic()
        result = subprocess.run([*PARLEY, "--store", store, "stats"], capture_output=True, text=True)
        assert time.monotonic() - started < 10
        assert result.returncode == 1
        assert result.stdout == ""
        assert result.stderr == (f"Error: store {store} is in use by process {holder.pid}; stop it, or let it "
                                 "serve the store (`parley serve`) and use --store http://…\n")
    finally:
        holder.kill()
        holder.wait()
    result = subprocess.run([*PARLEY, "--store", store, "stats"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_unknown_store_scheme(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--store", "ftp://x", "stats"])
    assert result.exit_code == 1
    assert result.output == "Error: unknown store 'ftp://x': give a folder path, memory: or an http(s):// URL\n"


def test_backup_opens_as_a_store(tmp_path: Path) -> None:
    store, target = str(tmp_path / "p"), str(tmp_path / "b")
    runner = CliRunner()
    assert runner.invoke(cli, ["--store", store, "ingest", str(Path(__file__).parent / "data" / "minimal.yaml")],
                         ).exit_code == 0
    result = runner.invoke(cli, ["--store", store, "backup", target])
    assert result.exit_code == 0 and result.output == f"Backed up {store} to {target}\n"
    original = runner.invoke(cli, ["--store", store, "stats", "--json"]).output
    copy = runner.invoke(cli, ["--store", target, "stats", "--json"]).output
    assert original.replace(store, target) == copy
    result = runner.invoke(cli, ["--store", store, "backup", target])
    assert result.exit_code == 1
    assert result.output == f"Error: backup folder {target} exists and is not empty; name a new folder\n"


def test_no_traceback_on_unexpected_errors(tmp_path: Path) -> None:
    env = {**os.environ, "PARLEY_BASE": "not a base"}
    result = subprocess.run([*PARLEY, "--store", "memory:", "ingest", str(Path(__file__).parent / "data" /
                                                                          "minimal.yaml")],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr == ("Error: PARLEY_BASE 'not a base' must be an http(s) IRI ending in / or #, or a urn: "
                             "ending in :\n")


def test_validate_names_each_violation_of_a_store_and_exits_1(tmp_path: Path) -> None:
    from rdflib import RDF, URIRef

    from graph.store import Store
    from ontology.namespaces import PARLEY

    store = str(tmp_path / "s")
    runner = CliRunner()
    assert runner.invoke(cli, ["--store", store, "ingest", str(Path(__file__).parent / "data" / "minimal.yaml")],
                         ).exit_code == 0
    bad = URIRef("https://parley.example/id/statement/bad")
    with Store.open(store) as s:  # a statement written by hand, with nothing but its class
        s.write(put={bad: [(bad, RDF.type, PARLEY.Statement)]})
    result = runner.invoke(cli, ["--store", store, "validate"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 7 and all(line.startswith(f"Violation: <{bad}> (") for line in lines)
    assert (f"Violation: <{bad}> (dcterms:date): A statement must have exactly one date (dcterms:date), "
            f"an xsd:date.") in lines
    assert result.stderr == "7 violation(s)\n"


LONG = "n" * 300  # longer than a file name may be (255 bytes): the system answers "File name too long"
TOO_LONG = "File name too long"


@pytest.mark.parametrize("args, message", [
    (["--store", "{tmp}/{long}", "stats"], "cannot open store {tmp}/{long}: " + TOO_LONG),
    (["export", "-o", "{tmp}/{long}.trig"], "cannot write {tmp}/{long}.trig: " + TOO_LONG),
    (["export", "-o", "{tmp}/{long}"], "cannot tell the format from '{tmp}/{long}': give --format (trig, nq, ttl, "
                                       "jsonld, graphml, gexf, csv, png, svg)"),
    (["export", "-f", "csv", "-o", "{tmp}/{long}/"], "cannot write {tmp}/{long}: " + TOO_LONG),
    (["diff", "{long}.trig", "2025-12-01"], "{long}.trig: cannot read: " + TOO_LONG),
    (["query", "{long}"], "no named query '{long}'; `parley queries` lists them"),
    (["ingest", "{tmp}/{long}.yaml"], "{tmp}/{long}.yaml: cannot read the file: " + TOO_LONG),
    (["import", "{tmp}/{long}.ttl"], "{tmp}/{long}.ttl: cannot read the file: " + TOO_LONG),
    (["extract", "{tmp}/{long}.txt"], "{tmp}/{long}.txt: cannot read the file: " + TOO_LONG),
    (["backup", "{tmp}/{long}"], "cannot back up to {tmp}/{long}: " + TOO_LONG),
], ids=["store", "export-trig", "export-no-extension", "export-csv-folder", "diff", "query", "ingest", "import",
        "extract", "backup"])
def test_a_name_too_long_for_the_file_system_is_an_error_not_a_crash(args: list[str], message: str,
                                                                     tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert CliRunner().invoke(cli, ["--store", store, "init"]).exit_code == 0
    given = [a.format(tmp=tmp_path, long=LONG) for a in args]
    given = given if given[0] == "--store" else ["--store", store, *given]
    # PARLEY_DEBUG lets an error nobody handled escape as the exception it is, instead of "unexpected …"
    result = CliRunner().invoke(cli, given, env={"PARLEY_DEBUG": "1", "PARLEY_STORE": None})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert (result.exit_code, result.stderr) == (1, f"Error: {message.format(tmp=tmp_path, long=LONG)}\n")
