"""`parley bench`: the generator is deterministic and its output ingests; `bench run` completes and its JSON
has every row. No timing assertions: speed is checked by the benchmark command, never by unit tests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from ui.bench import PAGES, RDF_EXPORTS, Bench
from graph.benchgen import generate
from graph.named_queries import list_queries
from graph.store import Store
from ingest.pipeline import ingest_files
from ui.cli import cli


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(150, a / "x.yaml", seed=7)
    generate(150, b / "x.yaml", seed=7)
    generate(150, c / "x.yaml", seed=8)
    assert _files(a) == _files(b)
    assert len(_files(a)) > 2  # the YAML and its source texts
    assert _files(a)["x.yaml"] != _files(c)["x.yaml"]


def test_generated_file_has_the_requested_shape(tmp_path: Path) -> None:
    path = generate(400, tmp_path / "b.yaml")
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(doc["statements"]) == 400
    assert len(doc["sources"]) == 20  # one source per ~20 statements
    assert any(d.get("revision_of") for d in doc["documents"])
    points = [c for s in doc["statements"] for c in s["claims"] if c["kind"] == "document-points"]
    assert len({c["points"] for c in points}) > 1  # conflicting point counts
    for s in doc["statements"][:50]:
        text_file = next(x["text_file"] for x in doc["sources"] if x["id"] == s["source"])
        text = (tmp_path / text_file).read_text(encoding="utf-8")
        start, end = s["span"]
        assert text[start:end] == s["text"]


def test_generated_file_passes_a_dry_run_ingest(tmp_path: Path) -> None:
    path = generate(200, tmp_path / "b.yaml")
    result = CliRunner().invoke(cli, ["--store", str(tmp_path / "none"), "ingest", "--dry-run", str(path)])
    assert result.exit_code == 0, result.output
    assert "200 statements" in result.output
    assert not (tmp_path / "none").exists()


def test_generated_file_ingests_with_every_statement(tmp_path: Path) -> None:
    path = generate(200, tmp_path / "b.yaml")
    with Store.open("memory:") as store:
        report = ingest_files(store, [path], check_shapes=False)
        assert report.total("statements") == 200
        n = store.select("SELECT (COUNT(?s) AS ?n) WHERE { ?s a <https://parley.example/ontology#Statement> }").rows
        assert int(str(n[0][0])) == 200


def test_generate_command(tmp_path: Path) -> None:
    out = tmp_path / "g.yaml"
    result = CliRunner().invoke(cli, ["bench", "generate", "--statements", "30", "-o", str(out), "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert out.exists() and (tmp_path / "g-texts").is_dir()


def test_bench_run_completes_and_its_json_has_every_row(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(cli, ["bench", "run", "--statements", "200", "--runs", "1", "--workdir",
                                      str(tmp_path / "w"), "--json", str(out), "--cap", "120",
                                      "--no-shacl-too"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    items = {r["item"] for r in data["rows"]}
    expected = {"YAML ingest", "YAML ingest (--no-shacl)", "engine bulk_load (N-Quads)", "store on disk, MB",
                "store on disk once compacted, MB",
                "native dump nquads", "native dump trig", "read_facts + entity_graph + analyze"}
    expected |= {q.name for q in list_queries()}
    expected |= {f"export {fmt}" for fmt in RDF_EXPORTS}
    expected |= {f"page {p} (first render)" for p in PAGES}
    assert expected <= items, expected - items
    assert any(i.startswith("snapshot as of") for i in items)
    for r in data["rows"]:
        if r["group"] == "query":
            assert r["parley"]["runs"] == 1 and r["limit"]["runs"] == 1
            assert r["rdflib"] is not None  # timed, or "> cap"
        if r["group"] == "ui":
            assert r["parley"] is not None, r.get("error")
    sizes = [r for r in data["rows"] if r["group"] == "size"]
    assert [r["item"] for r in sizes] == ["store on disk, MB", "store on disk once compacted, MB"]
    assert all(r["ingested_mb"] > 0 and r["bulk_mb"] > 0 for r in sizes)
    assert data["targets"] and all("met" in t for t in data["targets"])
    size_target = next(t for t in data["targets"] if t["target"].startswith("store size"))
    assert "once the engine has compacted both" in size_target["figure"]
    assert "| step |" in result.stdout and "| step |" not in result.stderr
    # progress on stderr, each line with the time the run has taken so far
    *lines, last = result.stderr.splitlines()
    assert last == f"wrote {out}"
    stamped = [re.match(r"\[ *(\d+\.\d) s\] (.*)", line) for line in lines]
    assert stamped and all(stamped), lines
    said = [m.group(2) for m in stamped if m]
    assert said[0].startswith("generating "), said
    assert said[1:3] == ["ingest and the engine's bulk load of the same quads, side by side ×1", "  round 1 of 1"], said
    assert said[3].startswith("  median ") and " against " in said[3], said
    seconds = [float(m.group(1)) for m in stamped if m]
    assert seconds == sorted(seconds) and seconds[-1] > seconds[0]


def test_rounds_run_every_job_once_a_round_and_report_each_job_apart(tmp_path: Path) -> None:
    path = generate(60, tmp_path / "b.yaml")
    store = tmp_path / "s"
    with Store.open(str(store), create=True) as opened:
        ingest_files(opened, [path], check_shapes=False)
    said: list[str] = []
    bench = Bench(60, tmp_path, runs=2, progress=said.append)
    nq, trig = tmp_path / "d.nq", tmp_path / "d.trig"
    dumped_nq, dumped_trig, exported = bench.measure_rounds([
        ("dump", {"store": str(store), "format": "nquads", "out": str(nq)}),
        ("dump", {"store": str(store), "format": "trig", "out": str(trig)}),
        ("export", {"store": str(store), "format": "nq", "out": str(tmp_path / "e.nq")})], said.append)
    assert said == ["  round 1 of 2", "  round 2 of 2"]
    assert [r["runs"] for r in (dumped_nq, dumped_trig, exported)] == [2, 2, 2]
    assert dumped_nq["bytes"] == nq.stat().st_size and dumped_trig["bytes"] == trig.stat().st_size
    assert dumped_nq["bytes"] != dumped_trig["bytes"]
    lines = nq.read_text(encoding="utf-8").splitlines()
    assert exported["triples"] == len(lines) and exported["graphs"] == len({line.rsplit(" ", 2)[-2] for line in lines})
    assert all(r["min_s"] <= r["median_s"] <= r["max_s"] and r["rss_mb"] > 0
               for r in (dumped_nq, dumped_trig, exported))


def test_rdflib_baseline_is_reused_only_for_exactly_the_same_work(tmp_path: Path) -> None:
    nq = tmp_path / "d.nq"
    nq.write_text("<http://x/a> <http://x/p> <http://x/b> <http://x/g> .\n", encoding="utf-8")
    ops = [{"name": "query:count", "kind": "query", "text": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}]
    said: list[str] = []
    bench = Bench(10, tmp_path, runs=1, progress=said.append)
    first = bench.rdflib_baseline(nq, ops, said.append)
    assert first["query:count"]["rows"] == 1 and bench.info["rdflib_baseline"].startswith("measured ")
    again = bench.rdflib_baseline(nq, ops, said.append)
    assert again == first and bench.info["rdflib_baseline"].startswith("reused, measured ")
    nq.write_text("<http://x/a> <http://x/p> <http://x/c> <http://x/g> .\n", encoding="utf-8")  # other data
    bench.rdflib_baseline(nq, ops, said.append)
    assert bench.info["rdflib_baseline"].startswith("measured ")
    bench.runs, bench.rdflib_runs = 3, 1  # more Parley runs, the same rdflib work
    bench.rdflib_baseline(nq, ops, said.append)
    assert bench.info["rdflib_baseline"].startswith("reused, measured ")
    bench.rdflib_runs = None  # rdflib then runs as often as Parley: other work
    bench.rdflib_baseline(nq, ops, said.append)
    assert bench.info["rdflib_baseline"].startswith("measured ")
    bench.fresh_baseline = True  # asked to measure again
    bench.rdflib_baseline(nq, ops, said.append)
    assert bench.info["rdflib_baseline"].startswith("measured ")
    assert sum("reusing" in line for line in said) == 2


def test_an_rdflib_step_past_the_cap_stops_itself_and_the_next_runs_on_the_same_parse(tmp_path: Path) -> None:
    from ui.bench import run_rdflib

    nq = tmp_path / "d.nq"
    nq.write_text("".join(f"<http://x/s{i}> <http://x/p> <http://x/o{i % 7}> <http://x/g{i % 3}> .\n"
                          for i in range(120)), encoding="utf-8")
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
    ops = [{"name": "query:endless", "kind": "query", "text": endless},
           {"name": "query:count", "kind": "query", "text": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}]
    said: list[str] = []
    results = run_rdflib(str(nq), ops, 1, 2.0, tmp_path, said.append)
    assert results["query:endless"] == {"capped": 2.0}
    assert results["query:count"]["rows"] == 1 and results["parse"]["triples"] == 120
    assert "  rdflib query:endless: > 2 s, stopped" in said
    assert sum(line.startswith("  rdflib parse:") for line in said) == 1  # parsed once: nothing was killed
    # the parse has a cap of its own; past it, nothing else can run
    said.clear()
    results = run_rdflib(str(nq), ops, 1, 2.0, tmp_path, said.append, parse_cap=0.0001)
    assert results == {"parse": {"capped": 0.0001}, "query:endless": {"skipped": "parse passed the cap"},
                       "query:count": {"skipped": "parse passed the cap"}}


def test_compacting_a_store_keeps_every_quad(tmp_path: Path) -> None:
    import pyoxigraph as ox

    from ui.bench_steps import step_compact

    lines = [f"<http://x/s{i}> <http://x/p> \"{i}\" <http://x/g{i % 50}> .\n" for i in range(30_000)]
    (tmp_path / "s").mkdir()
    engine = ox.Store(str(tmp_path / "s" / "oxigraph"))
    for part in (lines[:15_000], lines[15_000:]):  # two bulk loads: overlapping files for the engine to merge
        engine.bulk_load("".join(part).encode(), format=ox.RdfFormat.N_QUADS)
    before = sorted(str(q) for q in engine)
    del engine
    result = step_compact({"store": str(tmp_path / "s")})
    assert result["size_bytes"] > 0
    engine = ox.Store.read_only(str(tmp_path / "s" / "oxigraph"))
    assert sorted(str(q) for q in engine) == before and len(before) == 30_000


def test_targets_show_ratios_close_enough_to_their_limits_to_tell_which_side_they_are_on() -> None:
    from ui.bench_report import targets

    rows = [
        {"group": "load", "item": "YAML ingest", "parley": {"median_s": 2.95, "rss_mb": 900.0}, "x_limit": 2.95},
        {"group": "size", "item": "store on disk, MB", "x_limit": 1.2},
        {"group": "query", "item": "q", "parley": {"median_s": 0.01}, "x_limit": 1.0, "rdflib_x": 29.96},
        {"group": "export", "item": "export nq", "x_limit": 1.46},
        {"group": "ui", "item": "page p (first render)", "parley": {"median_s": 0.5}}]
    assert [(t["target"], t["figure"], t["met"]) for t in targets(rows)] == [
        ("ingest ≤ 3× bulk_load", "2.95×", True),
        ("ingest peak RSS ≤ 2 GB", "900 MB", True),
        ("store size ≤ 1.5× bulk-loaded", "1.20×", True),
        ("each query p50 ≤ 250 ms or ≤ 1.5× pyoxigraph", "1/1 hold", True),
        ("each query ≥ 10× faster than rdflib", "1/1 hold", True),
        ("geometric mean vs rdflib ≥ 30×", "29.96× (capped rdflib runs count at the cap)", False),
        ("export and as-of snapshot ≤ 1.5× native dump", "export nq 1.46×", True),
        ("each UI page first render ≤ 2 s", "1/1 hold", True)]


def _result(n: int, ingest: float, bulk: float, rss: float, store_mb: float, bulk_mb: float, query: float,
            rdflib: dict[str, float]) -> dict[str, object]:
    """A result as `bench run --json` writes it, with only the fields `bench compare` reads."""
    return {"info": {"statements": n}, "rows": [
        {"group": "load", "item": "YAML ingest", "parley": {"median_s": ingest, "rss_mb": rss},
         "limit": {"median_s": bulk}, "rdflib": None},
        {"group": "size", "item": "store on disk, MB", "ingested_mb": store_mb, "bulk_mb": bulk_mb},
        {"group": "query", "item": "q", "parley": {"median_s": query}, "limit": {"median_s": query}, "rdflib": rdflib},
        {"group": "ui", "item": "page p (first render)", "parley": None, "error": "failed"}]}


def test_compare_gives_each_figures_exponent_beside_its_limits_whichever_file_comes_first(tmp_path: Path) -> None:
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    small.write_text(json.dumps(_result(1000, 2.0, 1.0, 100, 10, 10, 0.01, {"median_s": 0.1})), encoding="utf-8")
    large.write_text(json.dumps(_result(10_000, 20.0, 5.0, 1000, 1000, 100, 1.0, {"capped": 60})), encoding="utf-8")
    expected = [
        "| step | N = 1,000 | N = 10,000 | exponent | limit's exponent | rdflib's exponent |",
        "|---|---|---|---|---|---|",
        "| YAML ingest | 2.00 s | 20.00 s | 1.00 | 0.70 |  |",
        "| peak RSS of YAML ingest (MB) | 100.0 | 1000.0 | 1.00 |  |  |",
        "| store on disk (MB) | 10.0 | 1000.0 | 2.00 | 1.00 |  |",
        "| q | 10 ms | 1.00 s | 2.00 | 2.00 |  |",
        "",
        "2 of 4 figures grow at most linearly from N = 1,000 to N = 10,000.",
        "Faster than linearly: store on disk (MB) 2.00 (limit 1.00); q 2.00 (limit 2.00)."]
    for files in ([small, large], [large, small]):
        result = CliRunner().invoke(cli, ["bench", "compare", *map(str, files)])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == expected


def test_compare_refuses_what_it_cannot_compare_saying_which_file_and_why(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_result(1000, 2.0, 1.0, 100, 10, 10, 0.01, {})), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('{"rows": [\n  1,\n', encoding="utf-8")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"rows": [], "info": {}}), encoding="utf-8")
    cases = [
        ([good, tmp_path / "missing.json"], f"{tmp_path / 'missing.json'}: cannot read it: No such file or directory"),
        ([good, broken], f"{broken}: line 3: not JSON: Expecting value"),
        ([other, good], f"{other}: field info.statements is missing or not a positive whole number"),
        ([good, good], f"{good} and {good} are both runs at 1,000 statements: compare two sizes"),
    ]
    for files, message in cases:
        result = CliRunner().invoke(cli, ["bench", "compare", *map(str, files)])
        assert result.exit_code == 1 and result.stderr == f"Error: {message}\n", result.output
        assert result.stdout == ""
