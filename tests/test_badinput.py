"""The bad-input corpus (tests/badinput/), run through the real `parley` CLI against an on-disk store that
holds the bundled example: every case exits 1 with its expected `Error:` line, no traceback, and leaves
the store's N-Quads dump byte for byte as it was.

One file per case under yaml/, text/, rdf/ and sparql/, its expected error line in `CASE.expected` (exact,
or `re:` and a regex), extra CLI arguments in `CASE.args`. Cases too large to commit are generated at
test time (GENERATED below). good/ holds inputs that look dangerous but must ingest and keep their text.
Set PARLEY_BLESS=1 to write missing `.expected` files from what the CLI says (then read them!).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from graph.store import Store
from ui.cli import cli

CORPUS = Path(__file__).resolve().parent / "badinput"
SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples"
ROOT = Path(__file__).resolve().parent.parent
KINDS = {"yaml": ".yaml", "text": ".txt", "rdf": None, "sparql": ".rq"}
DEFAULT_ARGS = {"text": ["--date", "2025-12-02", "--source-url", "https://example.org/t"], "sparql": ["--timeout", "5"]}


def command(kind: str, name: str) -> list[str]:
    if kind in ("yaml", "text"):
        return ["ingest", name]
    if kind == "rdf":
        return ["import", name]
    return ["query", name]


# ── Generated cases (too big to commit) ──────────────────────────────────────────────────────────

def _deep_yaml(path: Path) -> None:
    n = 100_000
    path.write_text("parley: 1\nactors: " + "[" * n + "]" * n + "\n")


def _sparse(size: int, head: bytes = b"") -> Callable[[Path], None]:
    def write(path: Path) -> None:  # a sparse file: the size check must refuse it before reading
        with open(path, "wb") as f:
            f.write(head)
            f.truncate(size)
    return write


def _long_utterance_yaml(path: Path) -> None:
    path.write_text("parley: 1\nactors:\n  - id: a1\n    type: person\n    labels: {en: A}\nsources:\n  - id: s1\n"
                    "statements:\n  - id: st1\n    speaker: a1\n    date: 2025-12-02\n    source: s1\n"
                    "    text: \"" + "blah " * 2_000_000 + "\"\n")


def _long_utterance_text(path: Path) -> None:
    path.write_text("A: " + "blah " * 2_000_000 + "\n")


def _long_paragraph_text(path: Path) -> None:  # under the file cap, over the one-statement cap
    path.write_text("A: " + "blah " * 60_000 + "\n")


def _deep_turtle(path: Path) -> None:
    n = 1_000_000
    path.write_text("@prefix x: <http://x.example/> .\nx:a x:p " + "[ x:p " * n + "x:o" + " ]" * n + " .\n")


def _deep_jsonld(path: Path) -> None:
    n = 100_000
    path.write_text('{"@id": "http://x.example/a", "http://x.example/p": ' + "[" * n + "]" * n + "}\n")


def _big_query(path: Path) -> None:  # 2 MB: read, then refused by the guard's size check
    path.write_text("SELECT * WHERE { ?s ?p ?o } #" + "x" * 2_000_000 + "\n")


@dataclass(frozen=True)
class Generated:
    kind: str
    name: str
    write: Callable[[Path], None]
    expected: str


GENERATED = [
    Generated("yaml", "deep-nesting-100000.yaml", _deep_yaml,
              "Error: deep-nesting-100000.yaml:2:1008: malformed YAML: exceeded maximum nesting depth"),
    Generated("yaml", "over-size-cap.yaml", _sparse(256 * 1024 * 1024 + 1, b"parley: 1\n"),
              "Error: over-size-cap.yaml: the file is 268,435,457 bytes, over the 268,435,456-byte limit; split it"),
    Generated("yaml", "utterance-10mb.yaml", _long_utterance_yaml,
              "Error: utterance-10mb.yaml:13:11: statements[0].text: text of 10,000,000 characters is over the "
              "200,000-character limit per field"),
    Generated("text", "utterance-10mb.txt", _long_utterance_text,
              "Error: utterance-10mb.txt: the text is 10,000,004 bytes, over the 4,194,304-byte limit for text "
              "ingest; split it into several files"),
    Generated("text", "paragraph-300kb.txt", _long_paragraph_text, "re:Error: paragraph-300kb.txt.*200,000.*"),
    Generated("rdf", "nested-million-deep.ttl", _deep_turtle,
              "Error: nested-million-deep.ttl: blank nodes are not allowed: Parley stores none; give the node an IRI"),
    Generated("rdf", "nested-deep.jsonld", _deep_jsonld, "re:Error: nested-deep\\.jsonld: JSON nested .*"),
    Generated("rdf", "over-size-cap.nt", _sparse(64 * 1024 * 1024 + 1),
              "Error: over-size-cap.nt: the file is 67,108,865 bytes, over the 67,108,864-byte import limit; split it"),
    Generated("sparql", "query-2mb.rq", _big_query, "re:Error: .*1,048,576.*"),
    Generated("sparql", "query-100mb.rq", _sparse(100 * 1024 * 1024, b"SELECT * WHERE { ?s ?p ?o } #"),
              "re:Error: .*104,857,600 bytes, over the 1,048,576-byte limit"),
]


# ── The store ────────────────────────────────────────────────────────────────────────────────────

def dump_hash(store_dir: Path) -> str:
    """sha256 of the store's N-Quads dump (lines sorted, so it depends on the content only)."""
    import io

    with Store.open(str(store_dir)) as s:
        buf = io.BytesIO()
        s.dump(buf)
    return hashlib.sha256(b"\n".join(sorted(buf.getvalue().splitlines()))).hexdigest()


@pytest.fixture(scope="session")
def example_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store folder holding the bundled example, built once per session (do not write to it)."""
    from ingest.pipeline import ingest_files

    folder = tmp_path_factory.mktemp("badinput") / "store"
    with Store.open(str(folder), create=True) as s:
        ingest_files(s, sorted(SAMPLES.glob("*.yaml")))
    return folder


@pytest.fixture(scope="session")
def example_hash(example_dir: Path) -> str:
    return dump_hash(example_dir)


# ── The cases ────────────────────────────────────────────────────────────────────────────────────

@dataclass(frozen=True)
class Case:
    kind: str
    path: Path | None  # a committed case; None for a generated one
    generated: Generated | None = None

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.path.name if self.path else self.generated.name}"  # type: ignore[union-attr]


def committed_cases() -> list[Case]:
    cases = []
    for kind, ext in KINDS.items():
        for p in sorted((CORPUS / kind).iterdir()):
            if p.suffix in (".expected", ".args") or (ext and p.suffix != ext):
                continue
            cases.append(Case(kind, p))
    return cases


ALL_CASES = committed_cases() + [Case(g.kind, None, g) for g in GENERATED]


def run_cli(args: list[str], cwd: Path) -> tuple[int, str, str, BaseException | None]:
    """The real CLI in-process; PARLEY_DEBUG=1 makes any unexpected exception escape the CLI's last line
    of defence, so a would-be traceback shows up as `exception` instead of a polite `Error: unexpected`."""
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        r = runner.invoke(cli, args, env={"PARLEY_DEBUG": "1", "PARLEY_STORE": None}, catch_exceptions=True)
    finally:
        os.chdir(old)
    exc = r.exception if r.exception is not None and not isinstance(r.exception, SystemExit) else None
    return r.exit_code, r.stdout, r.stderr, exc


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.id)
def test_bad_input_is_refused_with_its_error_and_changes_nothing(
        case: Case, example_dir: Path, example_hash: str, tmp_path: Path) -> None:
    if case.generated is not None:
        folder, name = tmp_path, case.generated.name
        case.generated.write(folder / name)
        expected = case.generated.expected
    else:
        assert case.path is not None
        folder, name = case.path.parent, case.path.name
        expected_file = case.path.with_suffix(".expected")
        expected = expected_file.read_text(encoding="utf-8").strip() if expected_file.exists() else ""
    args_file = folder / (Path(name).stem + ".args")
    extra = shlex.split(args_file.read_text()) if case.path is not None and args_file.exists() else \
        DEFAULT_ARGS.get(case.kind, [])
    started = time.monotonic()
    code, out, err, exc = run_cli(["--store", str(example_dir), *command(case.kind, name), *extra], folder)
    elapsed = time.monotonic() - started
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    if not expected and os.environ.get("PARLEY_BLESS") and case.path is not None and errors:
        case.path.with_suffix(".expected").write_text(errors[0] + "\n", encoding="utf-8")
        expected = errors[0]
    assert exc is None, f"unexpected {type(exc).__name__}: {exc}"
    assert "Traceback" not in err + out
    assert code == 1, f"exit {code}; stdout {out[:300]!r}; stderr {err[:300]!r}"
    assert errors, f"no Error: line on stderr: {err[:300]!r}"
    if expected.startswith("re:"):
        assert re.fullmatch(expected[3:], errors[0]), f"{errors[0]!r} does not match {expected[3:]!r}"
    else:
        assert errors[0] == expected
    assert elapsed < 30, f"took {elapsed:.1f} s"
    assert dump_hash(example_dir) == example_hash, "the store changed"


def test_every_committed_case_has_its_expected_error() -> None:
    missing = [c.id for c in committed_cases() if not c.path.with_suffix(".expected").exists()]  # type: ignore[union-attr]
    assert not missing


# ── Inputs that look dangerous but must ingest, keeping their text ───────────────────────────────

_TEXT_STORED = "ASK WHERE { ?s ?p ?o FILTER(isLiteral(?o) && STR(?o) = ?v) }"
GOOD = sorted((CORPUS / "good").glob("*.yaml"))


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_inputs_ingest_and_keep_their_text(path: Path, tmp_path: Path) -> None:
    """`CASE.expected` is JSON: `literals` that must be stored exactly, `subjects` (IRIs) that must exist."""
    expected = json.loads(path.with_suffix(".expected").read_text(encoding="utf-8"))
    store_dir = tmp_path / "store"
    code, out, err, exc = run_cli(["--store", str(store_dir), "ingest", path.name], path.parent)
    assert exc is None and code == 0, err
    from rdflib import Literal, URIRef

    with Store.open(str(store_dir)) as s:
        for value in expected.get("literals", []):
            assert s.ask(_TEXT_STORED, {"v": Literal(value)}), f"{value!r} not stored as text"
        for iri in expected.get("subjects", []):
            assert s.ask("ASK WHERE { ?s ?p ?o }", {"s": URIRef(iri)}), f"no {iri}"
        for value in expected.get("absent", []):
            assert not s.ask(_TEXT_STORED, {"v": Literal(value)}), f"{value!r} stored"


@pytest.mark.parametrize("variant", ["bom", "crlf", "bom-crlf"])
def test_bom_and_crlf_give_the_same_store_as_plain_lf(variant: str, tmp_path: Path) -> None:
    data = (ROOT / "tests" / "data" / "minimal.yaml").read_bytes()
    text = (ROOT / "tests" / "data" / "minimal.txt").read_bytes()
    hashes = {}
    for name, body in [("lf", data), (variant, (b"\xef\xbb\xbf" if "bom" in variant else b"") +
                                      (data.replace(b"\n", b"\r\n") if "crlf" in variant else data))]:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "minimal.yaml").write_bytes(body)
        (folder / "minimal.txt").write_bytes(text)
        code, _, err, exc = run_cli(["--store", str(folder / "store"), "ingest", "minimal.yaml"], folder)
        assert exc is None and code == 0, err
        hashes[name] = dump_hash(folder / "store")
    assert hashes["lf"] == hashes[variant]


def test_import_of_a_snapshot_round_trips_and_twice_is_once(example_dir: Path, tmp_path: Path) -> None:
    """A good import: the example dumped as TriG imports into an empty store as the same dataset, and a
    second import changes nothing."""
    import io

    with Store.open(str(example_dir)) as s:
        buf = io.BytesIO()
        s.dump(buf, "trig")
    (tmp_path / "snapshot.trig").write_bytes(buf.getvalue())
    store_dir = tmp_path / "store"
    for _ in range(2):
        code, out, err, exc = run_cli(["--store", str(store_dir), "import", "snapshot.trig"], tmp_path)
        assert exc is None and code == 0, err
        assert out.startswith("Imported snapshot.trig: ")
        assert dump_hash(store_dir) == dump_hash(example_dir)


def test_import_puts_default_graph_triples_in_the_collection_graph(tmp_path: Path) -> None:
    (tmp_path / "Extra Facts.ttl").write_text('<http://x.example/a> <http://x.example/b> "2025-12-02"^^'
                                              '<http://www.w3.org/2001/XMLSchema#date> .\n')
    code, out, err, exc = run_cli(["--store", str(tmp_path / "s"), "import", "Extra Facts.ttl"], tmp_path)
    assert exc is None and code == 0, err
    with Store.open(str(tmp_path / "s")) as s:
        assert [str(g) for g in s.graph_names()] == ["https://parley.example/id/collection/extra-facts"]


def test_alias_bomb_is_refused_within_a_second_by_the_real_command(example_dir: Path, example_hash: str,
                                                                   tmp_path: Path) -> None:
    """The issue's demonstration, as a real process: `parley ingest` of an alias bomb."""
    copy = tmp_path / "store"
    subprocess.run(["cp", "-a", str(example_dir), str(copy)], check=True)
    started = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "ui", "--store", str(copy), "ingest", "alias-bomb.yaml"],
                       cwd=CORPUS / "yaml", capture_output=True, text=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr.strip() == (CORPUS / "yaml" / "alias-bomb.expected").read_text().strip()
    assert "alias" in r.stderr and "Traceback" not in r.stderr
    assert time.monotonic() - started < 5  # interpreter start included; the refusal itself is immediate
    assert dump_hash(copy) == example_hash






def test_alias_bomb_message_names_aliases(example_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_bytes((CORPUS / "yaml" / "alias-bomb.yaml").read_bytes())
    code, _, err, exc = run_cli(["--store", str(example_dir), "ingest", "bomb.yaml"], tmp_path)
    assert exc is None and code == 1
    assert "alias" in err.lower()
