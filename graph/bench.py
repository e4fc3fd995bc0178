"""`parley bench`: Parley at scale, side by side with the engine's own limits and with plain rdflib.

Every measured step runs in a fresh Python subprocess (``python -m graph.bench STEP ARGS``) that times
only the work itself (not the interpreter's start or imports) and reports its own peak RSS
(``ru_maxrss`` of itself and of the children it waited for), so that the peaks of two steps never mix.
A step is run ``runs`` times and reported as the median with min–max.

The rdflib baseline runs in one subprocess (parse the N-Quads into a Memory store, then the same bound
queries and the serializers); each operation has a cap (the parse a cap of its own): a timer signal stops an
operation that passes it, which is reported as "> cap", and the next one runs on the data already parsed.
A step stuck outside Python past its cap is killed, and a new subprocess parses again and carries on.
"""

from __future__ import annotations

import json
import math
import os
import queue
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import ParleyError

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "ui" / "app.py")
PAGES = ["overview", "explorer", "timeline", "positions", "documents", "sparql", "snapshots", "ingest"]
RDF_EXPORTS = ("trig", "nq", "ttl", "jsonld")
NATIVE_FOR = {"trig": "trig", "nq": "nquads", "ttl": "nquads", "jsonld": "nquads"}
RDFLIB_FORMAT = {"trig": "trig", "nq": "nquads", "ttl": "turtle", "jsonld": "json-ld"}
PAGE_PARAMS = {"explorer": {"entity": "ev-00000"}}  # the example's default event is not in the synthetic data
STEP_TIMEOUT = 3600.0  # seconds for one Parley or engine step before it counts as failed
QUERY_LIMIT = 10_000  # Parley's default row cap; the direct engine run stops at the same count
AS_OF = "2025-07-01"
RDFLIB_ONCE_AFTER = 5.0  # seconds: an rdflib operation slower than this is measured once, not `runs` times
RDFLIB_KILL_GRACE = 30.0  # seconds past the cap before an rdflib step that did not stop itself is killed
Progress = Callable[[str], None]


def _params_for(n: int) -> dict[str, str]:
    """Parameters for the named queries on the generated data (ids the generator makes on purpose)."""
    return {"event": "ev-00000", "actor": "actor-0000", "issue": "issue-00", "entity": "actor-0000",
            "since": "2025-10-01", "from": "2025-04-01", "to": "2025-06-30"}


# -- child side: the steps ------------------------------------------------------------------------------------

def _rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, kids) / 1024, 1)


def folder_size(path: str | Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


def step_ingest(a: dict[str, Any]) -> dict[str, Any]:
    from graph.store import Store
    from ingest.pipeline import ingest_files

    t = time.perf_counter()
    with Store.open(a["store"], create=True) as store:
        report = ingest_files(store, [a["yaml"]], check_shapes=a["shacl"])
        quads = store.backend.quad_count()
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "quads": quads, "triples": report.total("triples"),
            "size_bytes": folder_size(a["store"])}


def step_dump(a: dict[str, Any]) -> dict[str, Any]:
    import pyoxigraph as ox

    engine = ox.Store.read_only(str(Path(a["store"]) / "oxigraph"))
    fmt = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}[a["format"]]
    times = []
    for _ in range(a.get("runs", 1)):
        t = time.perf_counter()
        with open(a["out"], "wb") as out:
            engine.dump(out, fmt)
        times.append(time.perf_counter() - t)
    return {"times": times, "bytes": os.path.getsize(a["out"])}


def step_bulk_load(a: dict[str, Any]) -> dict[str, Any]:
    import pyoxigraph as ox

    folder = Path(a["store"])
    folder.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    engine = ox.Store(str(folder / "oxigraph"))
    engine.bulk_load(path=a["nquads"], format=ox.RdfFormat.N_QUADS)
    engine.flush()
    quads = len(engine)
    del engine
    return {"seconds": time.perf_counter() - t, "quads": quads, "size_bytes": folder_size(folder)}


def step_compact(a: dict[str, Any]) -> dict[str, Any]:
    """Open a store's engine files and compact them: what the engine does by itself, in the background, when
    a store left with overlapping files (a bulk load of more than about a million quads, or several loads)
    is next opened. Measured at 100,000 statements: the bulk-loaded store grew from 1,523 MB to 2,551 MB
    within 30 s of being reopened and left idle, and to 2,549 MB when compacted at once like this."""
    import pyoxigraph as ox

    t = time.perf_counter()
    engine = ox.Store(str(Path(a["store"]) / "oxigraph"))
    engine.optimize()
    engine.flush()
    del engine
    return {"seconds": time.perf_counter() - t, "size_bytes": folder_size(a["store"])}


def step_queries(a: dict[str, Any]) -> dict[str, Any]:
    """Every named query through Parley and, right after each run, the same bound text directly in pyoxigraph
    on the same store: the two sides alternate, so that both see the machine in the same state. Each side
    runs a query once untimed first (the figures are warm latencies)."""
    from graph import guard, snapshot, sparql
    from graph.store import Store

    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    with Store.open(a["store"]) as store:
        # the engine of the store Parley has open: a second, read-only instance of the same files in this
        # process grew until the system killed it (24 GB) on a store fresh from a 10,000-statement ingest
        engine = snapshot.engine(store)
        assert engine is not None, "the benchmark's store is an on-disk store"
        for q in sparql.list_queries():
            given = {p.name: a["params"][p.name] for p in q.params if p.name in a["params"]}
            text = sparql.bind_params(store, q, given)
            direct = guard.parse_checked(text).text  # what the engine runs: with the PREFIX lines the guard adds
            sparql.run(store, text, limit=QUERY_LIMIT, timeout=a["cap"])  # warm-up
            _engine_rows(engine, direct)
            times, engine_times, rows, engine_rows = [], [], 0, 0
            for _ in range(a["runs"]):
                t = time.perf_counter()
                result = sparql.run(store, sparql.bind_params(store, q, given), limit=QUERY_LIMIT, timeout=a["cap"])
                times.append(time.perf_counter() - t)
                rows = len(result.rows)
                t = time.perf_counter()
                engine_rows = _engine_rows(engine, direct)
                engine_times.append(time.perf_counter() - t)
            out[q.name] = {"times": times, "rows": rows, "text": direct,
                           "engine": {"times": engine_times, "rows": engine_rows}}
    return {"queries": out, "seconds": time.perf_counter() - t0}


def _engine_rows(engine: Any, text: str) -> int:
    """Run `text` in pyoxigraph over the union of the graphs and read every value of up to QUERY_LIMIT rows
    (or triples); how many."""
    import pyoxigraph as ox

    result = engine.query(text, use_default_graph_as_union=True)
    rows = 0
    if isinstance(result, ox.QuerySolutions):
        width = len(result.variables)
        for solution in result:
            if rows >= QUERY_LIMIT:
                break
            for i in range(width):
                solution[i]
            rows += 1
    elif isinstance(result, bool):
        rows = 1
    else:
        for _triple in result:
            if rows >= QUERY_LIMIT:
                break
            rows += 1
    return rows


def step_export(a: dict[str, Any]) -> dict[str, Any]:
    import datetime as dt

    from graph.export import export
    from graph.store import Store

    day = dt.date.fromisoformat(a["as_of"]) if a.get("as_of") else None
    times = []
    with Store.open(a["store"]) as store:
        for _ in range(a.get("runs", 1)):
            t = time.perf_counter()
            done = export(store, a["format"], a["out"], as_of=day)
            times.append(time.perf_counter() - t)
    return {"times": times, "triples": done.triples, "graphs": done.graphs, "bytes": os.path.getsize(a["out"])}


def step_projection(a: dict[str, Any]) -> dict[str, Any]:
    from graph.analytics import analyze
    from graph.facts import read_facts
    from graph.projections import entity_graph
    from graph.store import Store

    times: list[float] = []
    parts: dict[str, list[float]] = {"read_facts": [], "entity_graph": [], "analyze": []}
    with Store.open(a["store"]) as store:
        for _ in range(a.get("runs", 1)):
            t0 = time.perf_counter()
            facts = read_facts(store)
            t1 = time.perf_counter()
            g = entity_graph(facts)
            t2 = time.perf_counter()
            analysis = analyze(facts)
            t3 = time.perf_counter()
            times.append(t3 - t0)
            for part, seconds in zip(parts, (t1 - t0, t2 - t1, t3 - t2)):
                parts[part].append(seconds)
    return {"times": times, "parts": parts, "nodes": g.number_of_nodes(), "edges": g.number_of_edges(),
            "method": analysis.method}


def step_ui_pages(a: dict[str, Any]) -> dict[str, Any]:
    """Each page's first render: what the server process loads before it listens (ui.app_server.preload) is
    imported once, then every (page, run) renders in a forked child that has rendered nothing and filled no
    cache, as a page does for the first visitor of a started server. The child reports its time through a
    pipe and exits."""
    import logging

    logging.disable(logging.WARNING)
    os.environ["PARLEY_STORE"] = a["store"]
    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.testing.v1 import AppTest

    from ui.app_server import preload

    preload()
    # A server finds the installed components once, when it starts (streamlit's Runtime.__init__); AppTest
    # does it on each instance's first run (0.3 s here). Found once, here, and given to every render.
    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)

    pages: dict[str, Any] = {}
    for page in a["pages"]:
        times: list[float] = []
        problems: list[str] = []

        def render(page: str = page) -> dict[str, Any]:
            at = AppTest.from_file(APP, default_timeout=a["cap"])
            if hasattr(at, "_bidi_component_manager"):
                at._bidi_component_manager = components
            at.query_params.update(PAGE_PARAMS.get(page, {}))
            at.switch_page(f"views/{page}.py")
            t = time.perf_counter()
            at.run()
            seconds = time.perf_counter() - t
            shown = [str(e.value)[:200] for e in at.exception] + [str(e.value)[:200] for e in at.error]
            return {"seconds": seconds, "problems": shown}

        for _ in range(a["runs"]):
            report = _in_child(render)
            if "error" in report:
                pages[page] = {"error": report["error"][:300]}
                break
            times.append(report["seconds"])
            problems = report["problems"]
            pages[page] = {"times": times, "problems": problems, "rss_mb": max(pages.get(page, {}).get("rss_mb", 0),
                                                                               report["rss_mb"])}
    return {"pages": pages}


class _Capped(Exception):
    """An rdflib step passed the cap (raised by the interval timer)."""


def _on_cap(signum: int, frame: Any) -> None:
    raise _Capped


def _rdflib_batch(a: dict[str, Any]) -> None:
    """Parse the N-Quads into an rdflib Dataset (Memory store), then run `ops`; one JSON line per event.

    rdflib is pure Python, so a timer signal stops a step at its cap and the next step runs on the data
    already parsed (parsing again after a kill would cost more than most steps at 100,000 statements)."""
    import rdflib

    def say(**kw: Any) -> None:
        sys.stdout.write(json.dumps(kw) + "\n")
        sys.stdout.flush()

    cap = float(a.get("cap") or 0)
    signal.signal(signal.SIGALRM, _on_cap)
    say(start="parse")
    t = time.perf_counter()
    ds = rdflib.Dataset(store="Memory", default_union=True)
    try:
        signal.setitimer(signal.ITIMER_REAL, float(a.get("parse_cap") or cap))
        ds.parse(a["nquads"], format="nquads")
        signal.setitimer(signal.ITIMER_REAL, 0)
    except _Capped:
        say(capped="parse")
        return
    say(done="parse", times=[time.perf_counter() - t], rss_mb=_rss_mb(), triples=len(ds))
    for op in a["ops"]:
        say(start=op["name"])
        try:
            signal.setitimer(signal.ITIMER_REAL, cap)
            times, rows = _rdflib_op(rdflib, ds, op, a["runs"])
            signal.setitimer(signal.ITIMER_REAL, 0)
        except _Capped:
            say(capped=op["name"])
            continue
        say(done=op["name"], times=times, rss_mb=_rss_mb(), rows=rows)
    say(finished=True)


def _rdflib_op(rdflib: Any, ds: Any, op: dict[str, Any], runs: int) -> tuple[list[float], int]:
    """Run one rdflib step `runs` times (once if it is slow): its times and, for a query, its rows."""
    times: list[float] = []
    rows = 0
    for _ in range(runs):
        t = time.perf_counter()
        if op["kind"] == "query":
            result = ds.query(op["text"])
            rows = 0
            for _row in result:
                rows += 1
                if rows >= QUERY_LIMIT:
                    break
        else:
            target = op["out"]
            if op["format"] == "turtle":
                union = rdflib.Graph()
                for triple in ds.triples((None, None, None)):
                    union.add(triple)
                union.serialize(destination=target, format="turtle")
            else:
                ds.serialize(destination=target, format=op["format"])
        times.append(time.perf_counter() - t)
        if times[-1] > RDFLIB_ONCE_AFTER:  # a slow baseline is measured once
            break
    return times, rows


def _in_child(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`work()` in a forked child of this process: its report with the child's own peak RSS, or {"error": …}."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, report through the pipe, leave without the parent's cleanup
        os.close(read)
        try:
            said = work()
            said["rss_mb"] = _rss_mb()
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            said = {"error": f"{type(e).__name__}: {e}"[:800]}
        with os.fdopen(write, "wb") as pipe:
            pipe.write(json.dumps(said).encode("utf-8"))
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        raw = pipe.read()
    os.waitpid(pid, 0)
    return json.loads(raw) if raw else {"error": "its process died"}


def _forked(name: str, job: dict[str, Any]) -> dict[str, Any]:
    """Step `name` on `job` in a forked child of this process: its report, with the child's own peak RSS."""
    report = _in_child(lambda: STEPS[name](job))
    if "error" in report:
        raise StepFailed(f"{name} failed: {report['error']}")
    return report


def step_each(a: dict[str, Any]) -> dict[str, Any]:
    """Every job of one step (or of the step a job names as its "step"), each in a forked child of this
    process, which has loaded the libraries and Parley's modules the steps use: a fresh process per job
    without an interpreter's start and imports each time (about half a second apiece, several seconds of a
    run at 2,000 statements)."""
    import pyoxigraph  # noqa: F401 - what the steps import, loaded once before the children fork
    import rdflib  # noqa: F401

    import graph.export  # noqa: F401
    import graph.store  # noqa: F401
    import ingest.pipeline  # noqa: F401

    return {"jobs": [_forked(job.pop("step", a.get("step")), job) for job in a["jobs"]]}


STEPS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "ingest": step_ingest, "dump": step_dump, "bulk_load": step_bulk_load, "compact": step_compact,
    "queries": step_queries, "export": step_export, "projection": step_projection,
    "ui_pages": step_ui_pages, "each": step_each}


def child_main(argv: list[str]) -> None:
    name, args = argv[0], json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    Path(argv[1]).unlink(missing_ok=True)  # read once: leave no argument files in the workdir
    if name == "rdflib":
        _rdflib_batch(args)
        sys.stdout.flush()
        os._exit(0)  # freeing millions of rdflib terms one by one takes longer than some steps
    result = STEPS[name](args)
    result["rss_mb"] = _rss_mb()
    sys.stdout.write("RESULT " + json.dumps(result) + "\n")
    sys.stdout.flush()


# -- parent side ----------------------------------------------------------------------------------------------

class StepFailed(RuntimeError):
    pass


def _spawn(name: str, args: dict[str, Any], workdir: Path) -> subprocess.Popen[str]:
    argfile = workdir / f".args-{name}-{os.getpid()}-{time.monotonic_ns()}.json"
    argfile.write_text(json.dumps(args), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-m", "graph.bench", name, str(argfile)], cwd=str(ROOT), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_step(name: str, args: dict[str, Any], workdir: Path, timeout: float) -> dict[str, Any]:
    """Run one step in a fresh subprocess and return what it reported."""
    proc = _spawn(name, args, workdir)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise StepFailed(f"{name} passed the cap of {timeout:g} s") from None
    for line in out.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise StepFailed(f"{name} failed (exit {proc.returncode}): {err.strip()[-800:]}")


def stats(times: list[float]) -> dict[str, Any]:
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "runs": len(times)}


def run_rdflib(nquads: str, ops: list[dict[str, Any]], runs: int, cap: float, workdir: Path,
               progress: Progress, budget: float | None = None,
               parse_cap: float | None = None) -> dict[str, dict[str, Any]]:
    """The rdflib baseline: every op's times, or {"capped": cap} for one that passed the cap. With a `budget`
    (seconds for the whole baseline), the ops left when it is spent are marked {"skipped": "budget"}."""
    results: dict[str, dict[str, Any]] = {}
    remaining = list(ops)
    started = time.monotonic()
    while True:
        if budget is not None and time.monotonic() - started > budget:
            for op in remaining:
                results.setdefault(op["name"], {"skipped": "budget"})
            progress(f"  rdflib: budget of {budget:g} s spent; {len(remaining)} step(s) not run")
            return results
        proc = _spawn("rdflib", {"nquads": nquads, "ops": remaining, "runs": runs, "cap": cap,
                                 "parse_cap": parse_cap or cap}, workdir)
        lines: queue.Queue[str | None] = queue.Queue()

        def pump(stream: Any = proc.stdout) -> None:
            for line in stream:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        threading.Thread(target=proc.stderr.read, daemon=True).start()  # type: ignore[union-attr]
        current, op_start, finished = None, time.monotonic(), False
        end = started + budget if budget is not None else math.inf
        while True:
            try:
                # the child stops a step at the cap itself; the kill is for a step stuck outside Python
                limit = parse_cap or cap if current in (None, "parse") else cap
                line = lines.get(timeout=max(0.0, min(op_start + limit + RDFLIB_KILL_GRACE, end) - time.monotonic()))
            except queue.Empty:
                line = "TIMEOUT"
            if line is None:
                break
            if line == "TIMEOUT":
                proc.kill()
                proc.wait()
                if end <= op_start + limit + RDFLIB_KILL_GRACE:  # the budget ran out, not the cap
                    for op in remaining:
                        if op["name"] not in results:
                            results[op["name"]] = {"skipped": "budget"}
                    progress(f"  rdflib: budget of {budget:g} s spent during {current}; the rest not run")
                    return results
                progress(f"  rdflib {current}: > {limit:g} s, killed")
                results[current or "parse"] = {"capped": limit}
                if current == "parse":
                    for op in remaining:
                        # not a lower bound: with no parsed data these were never run
                        results[op["name"]] = {"skipped": "parse passed the cap"}
                    return results
                break
            msg = json.loads(line)
            if "capped" in msg:
                passed = parse_cap or cap if msg["capped"] == "parse" else cap
                progress(f"  rdflib {msg['capped']}: > {passed:g} s, stopped")
                results[msg["capped"]] = {"capped": passed}
                if msg["capped"] == "parse":
                    for op in remaining:
                        results[op["name"]] = {"skipped": "parse passed the cap"}
                    proc.wait()
                    return results
            elif "start" in msg:
                current, op_start = msg["start"], time.monotonic()
            elif "done" in msg:
                if msg["done"] == "parse" and "parse" in results:
                    continue
                results[msg["done"]] = {**stats(msg["times"]), "rss_mb": msg["rss_mb"],
                                        **({"rows": msg["rows"]} if "rows" in msg else {}),
                                        **({"triples": msg["triples"]} if "triples" in msg else {})}
                progress(f"  rdflib {msg['done']}: {msg['times'][0]:.2f} s")
            elif msg.get("finished"):
                finished = True
                break
        proc.wait()
        if finished:
            return results
        remaining = [op for op in remaining if op["name"] not in results]
        if not remaining:
            return results
        if current is None:
            raise StepFailed("the rdflib baseline failed to start")


@dataclass
class Bench:
    statements: int
    workdir: Path
    runs: int = 3
    seed: int = 42
    cap: float = 60.0
    parse_cap: float | None = None
    rdflib: bool = True
    rdflib_budget: float | None = None
    no_shacl_too: bool = False
    fresh_baseline: bool = False
    rdflib_runs: int | None = None  # runs per rdflib step; None: as many as Parley's (see `rdflib_repeats`)
    progress: Progress = lambda m: None  # noqa: E731
    rows: list[dict[str, Any]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def rdflib_repeats(self) -> int:
        return self.rdflib_runs or self.runs

    def rdflib_baseline(self, nq: Path, ops: list[dict[str, Any]], say: Progress) -> dict[str, dict[str, Any]]:
        """The rdflib baseline, or the one measured before on exactly the same work: the same N-Quads, queries,
        formats, runs, caps and budget, the same rdflib and Python on the same machine. It does not change when
        Parley does, and at small sizes it costs more than everything else together."""
        import hashlib
        import platform

        import rdflib

        digest = hashlib.sha256()
        with open(nq, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        work = {"nquads_sha256": digest.hexdigest(), "ops": [{k: v for k, v in op.items() if k != "out"} for op in ops],
                "runs": self.rdflib_repeats, "cap": self.cap, "budget": self.rdflib_budget,
                "rdflib": rdflib.__version__,
                "python": platform.python_version(), "machine": platform.node(), "cpus": os.cpu_count()}
        if self.parse_cap is not None:  # left out when the parse has the steps' cap, as before it had its own
            work["parse_cap"] = self.parse_cap
        key = hashlib.sha256(json.dumps(work, sort_keys=True).encode("utf-8")).hexdigest()
        cache = self.workdir / "rdflib-baseline.json"
        if not self.fresh_baseline and cache.exists():
            try:
                kept = json.loads(cache.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                kept = {}
            if kept.get("key") == key:
                say(f"rdflib baseline: reusing the one measured {kept['measured']} on the same work ({cache})")
                self.info["rdflib_baseline"] = f"reused, measured {kept['measured']}"
                return dict(kept["results"])
        say(f"rdflib baseline (cap {self.cap:g} s per step, {self.parse_cap or self.cap:g} s for the parse)")
        results = run_rdflib(str(nq), ops, self.rdflib_repeats, self.cap, self.workdir, say,
                             self.rdflib_budget, self.parse_cap)
        measured = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        cache.write_text(json.dumps({"key": key, "measured": measured, "work": work, "results": results}, indent=1),
                         encoding="utf-8")
        self.info["rdflib_baseline"] = f"measured {measured}"
        return results

    def measure_rounds(self, jobs: list[tuple[str, dict[str, Any] | Callable[[int], dict[str, Any]]]], say: Progress,
                       *, first: tuple[str, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        """Jobs measured side by side: `runs` rounds, each running every job once, in order, each in a process
        forked from one that has loaded what the steps use; per job the median and range, the peak RSS and
        the last round's other fields. A job's arguments may depend on the round (a function of its index).
        `first` is run once, untimed, in the first round right after the first job: what the next jobs need
        from it (the N-Quads that the engine's bulk load reads are dumped from the first ingested store).

        A figure and the limit it is compared with thus see the machine and the store in the same state. On
        this machine the speed of the same work drifts by a third within an hour: measured in blocks minutes
        apart, the N-Quads export (the engine's own dump plus 0.5 s) came out at 1.3× to 1.4× of the dump,
        and the same ingest at 2.6× and 3.4× of a bulk load that took 66 s in one run and 53 s in the next."""
        rounds = []
        for k in range(self.runs):
            say(f"  round {k + 1} of {self.runs}")
            work = [{"step": step, **(args(k) if callable(args) else args), "runs": 1} for step, args in jobs]
            if first is not None and k == 0:
                work.insert(1, {"step": first[0], **first[1]})
            done = run_step("each", {"jobs": work}, self.workdir, STEP_TIMEOUT * len(work))["jobs"]
            if first is not None and k == 0:
                del done[1]
            rounds.append(done)
        out = []
        for j in range(len(jobs)):
            done = [r[j] for r in rounds]
            out.append({**done[-1], **stats([t for r in done for t in r.get("times") or [r["seconds"]]]),
                        "rss_mb": max(r["rss_mb"] for r in done)})
            out[-1].pop("times", None)
            out[-1].pop("seconds", None)
        return out

    def measure_within(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        """Run step `name` once in a fresh process that repeats the work `runs` times itself (for work that
        needs no cold process: a dump, an export, a projection); the median and range, and the peak RSS."""
        result = run_step(name, {**args, "runs": self.runs}, self.workdir, STEP_TIMEOUT)
        out = {**result, **stats(result.pop("times"))}
        return out

    def row(self, group: str, item: str, parley: dict[str, Any] | None, *, limit: dict[str, Any] | None = None,
            limit_what: str = "", rdflib: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        r: dict[str, Any] = {"group": group, "item": item, "parley": parley, "limit": limit, "limit_what": limit_what,
                             "rdflib": rdflib, **extra}
        if parley and limit and limit.get("median_s"):
            r["x_limit"] = parley["median_s"] / limit["median_s"]
        if parley and rdflib:
            if "median_s" in rdflib:
                r["rdflib_x"] = rdflib["median_s"] / parley["median_s"]
            elif "capped" in rdflib:
                r["rdflib_x_at_least"] = rdflib["capped"] / parley["median_s"]
        self.rows.append(r)
        return r

    def run(self) -> dict[str, Any]:
        from graph.benchgen import generate

        wd = self.workdir
        wd.mkdir(parents=True, exist_ok=True)
        t_all = time.perf_counter()

        def say(message: str) -> None:  # each line says how long the run has taken so far
            self.progress(f"[{time.perf_counter() - t_all:6.1f} s] {message}")

        data = wd / f"bench-{self.statements}-s{self.seed}.yaml"
        if data.exists():
            say(f"reusing {data}")
        else:
            say(f"generating {data} ({self.statements} statements)")
            generate(self.statements, data, self.seed)
        for old in wd.glob("store-*"):
            shutil.rmtree(old, ignore_errors=True)
        main = wd / "store-main"

        def fresh_store(tag: str) -> Callable[[int], dict[str, Any]]:
            def make(k: int) -> dict[str, Any]:  # a new store for run k; run k - 1's is not needed any more
                for old in (wd / f"store-{tag}-{k}", wd / f"store-{tag}-{k - 1}"):
                    shutil.rmtree(old, ignore_errors=True)
                return {"store": str(wd / f"store-{tag}-{k}")}
            return make

        # 1. ingest (with SHACL, as `parley ingest` does by default; --no-shacl too when asked) and the engine's
        # bulk load of the same quads (dumped from the first ingested store), side by side in rounds
        nq, trig = wd / "dump.nq", wd / "dump.trig"
        say(f"ingest and the engine's bulk load of the same quads, side by side ×{self.runs}")
        loads: list[tuple[str, dict[str, Any] | Callable[[int], dict[str, Any]]]] = [
            ("ingest", lambda k: {"yaml": str(data), "shacl": True, **fresh_store("shacl")(k)})]
        if self.no_shacl_too:
            loads.append(("ingest", lambda k: {"yaml": str(data), "shacl": False, **fresh_store("plain")(k)}))
        loads.append(("bulk_load", lambda k: {"nquads": str(nq), **fresh_store("bulk")(k)}))
        *ingests, bulk = self.measure_rounds(loads, say, first=(
            "dump", {"store": str(wd / "store-shacl-0"), "format": "nquads", "out": str(nq)}))
        ingest_shacl = ingests[0]
        ingest_plain = ingests[1] if self.no_shacl_too else None
        say(f"  median {ingest_shacl['median_s']:.2f} s against {bulk['median_s']:.2f} s, "
            f"{ingest_shacl['quads']:,} quads")
        (wd / f"store-shacl-{self.runs - 1}").rename(main)
        for old in [*wd.glob("store-shacl-*"), *wd.glob("store-plain-*")]:
            shutil.rmtree(old, ignore_errors=True)
        self.info.update(quads=ingest_shacl["quads"], statements=self.statements, data=str(data))
        # the size the bulk-loaded store settles at once the engine has compacted it (as it does when the store
        # is next opened): it is measured right after the load, before that happens; Parley's store the same
        # way after the pages, which see it as the ingest left it
        say("the bulk-loaded store compacted, as at its next open")
        compacted = {"bulk": run_step("compact", {"store": str(wd / f"store-bulk-{self.runs - 1}")}, wd, STEP_TIMEOUT)}
        for old in wd.glob("store-bulk-*"):
            shutil.rmtree(old, ignore_errors=True)

        # 2. named queries: Parley and the engine directly, side by side on the same on-disk store
        say("named queries, through Parley and directly in pyoxigraph, side by side")
        params = _params_for(self.statements)
        pq = run_step("queries", {"store": str(main), "params": params, "runs": self.runs,
                                  "cap": max(self.cap, 300.0)}, wd, STEP_TIMEOUT)
        texts = {k: v["text"] for k, v in pq["queries"].items()}

        # 3. the engine's native dumps, Parley's as-of snapshot and exports, side by side in rounds, so that
        # each limit and what is compared with it see the machine and the store in the same state (at 100k a
        # dump right after the ingest took more than twice as long as one on the settled store)
        say(f"native dumps (N-Quads, TriG), as-of snapshot and exports, side by side ×{self.runs}")
        dump_nq, dump_trig, snap, *each = self.measure_rounds([
            ("dump", {"store": str(main), "format": "nquads", "out": str(nq)}),
            ("dump", {"store": str(main), "format": "trig", "out": str(trig)}),
            ("export", {"store": str(main), "format": "trig", "out": str(wd / "snapshot.trig"), "as_of": AS_OF}),
            *(("export", {"store": str(main), "format": fmt, "out": str(wd / f"export.{fmt}")})
              for fmt in RDF_EXPORTS)], say)
        exports = dict(zip(RDF_EXPORTS, each))

        # 5. projection and metrics
        say("networkx projection and metrics")
        proj = self.measure_within("projection", {"store": str(main)})

        # 6. UI pages
        say(f"UI pages, first render ×{self.runs}")
        ui: dict[str, dict[str, Any]] = {}
        try:
            rendered = run_step("ui_pages", {"store": str(main), "pages": PAGES, "runs": self.runs,
                                             "cap": max(self.cap, 300.0)}, wd, STEP_TIMEOUT)["pages"]
        except StepFailed as e:
            rendered = {page: {"error": str(e)} for page in PAGES}
        for page in PAGES:
            r = rendered.get(page, {"error": "not rendered"})
            ui[page] = r if "error" in r else {**stats(r["times"]), "rss_mb": r["rss_mb"], "problems": r["problems"]}

        say("Parley's store compacted, as at its next open")
        compacted["parley"] = run_step("compact", {"store": str(main)}, wd, STEP_TIMEOUT)

        # 7. rdflib baseline
        rdf: dict[str, dict[str, Any]] = {}
        if self.rdflib:
            ops = [{"name": f"query:{k}", "kind": "query", "text": v} for k, v in texts.items()]
            ops += [{"name": f"serialize:{fmt}", "kind": "serialize", "format": RDFLIB_FORMAT[fmt],
                     "out": str(wd / f"rdflib.{fmt}")} for fmt in RDF_EXPORTS]
            rdf = self.rdflib_baseline(nq, ops, say)

        # the table
        qd = lambda r: {k: v for k, v in r.items() if k not in ("queries",)}  # noqa: E731
        self.row("load", "YAML ingest", qd(ingest_shacl), limit=qd(bulk), limit_what="bulk_load",
                 rdflib=rdf.get("parse"))
        if ingest_plain is not None:
            self.row("load", "YAML ingest (--no-shacl)", qd(ingest_plain), limit=qd(bulk), limit_what="bulk_load",
                     rdflib=rdf.get("parse"))
        self.row("load", "engine bulk_load (N-Quads)", qd(bulk), rdflib=rdf.get("parse"))
        self.row("size", "store on disk, MB", None, ingested_mb=ingest_shacl["size_bytes"] / 2**20,
                 bulk_mb=bulk["size_bytes"] / 2**20, x_limit=ingest_shacl["size_bytes"] / bulk["size_bytes"])
        cb, cp = compacted["bulk"], compacted["parley"]
        self.row("size", "store on disk once compacted, MB", None, ingested_mb=cp["size_bytes"] / 2**20,
                 bulk_mb=cb["size_bytes"] / 2**20, x_limit=cp["size_bytes"] / cb["size_bytes"],
                 compact_s={"parley": cp["seconds"], "bulk": cb["seconds"]})
        for name, p in pq["queries"].items():
            direct = p["engine"]
            prow = {**stats(p["times"]), "rows": p["rows"], "rss_mb": pq["rss_mb"]}
            erow = {**stats(direct["times"]), "rows": direct["rows"], "rss_mb": pq["rss_mb"]}
            self.row("query", name, prow, limit=erow, limit_what="pyoxigraph", rdflib=rdf.get(f"query:{name}"))
        self.row("export", f"snapshot as of {AS_OF} (trig)", snap, limit=dump_trig, limit_what="native trig dump")
        for fmt, ex in exports.items():
            native = dump_trig if NATIVE_FOR[fmt] == "trig" else dump_nq
            self.row("export", f"export {fmt}", ex, limit=native, limit_what=f"native {NATIVE_FOR[fmt]} dump",
                     rdflib=rdf.get(f"serialize:{fmt}"))
        self.row("export", "native dump nquads", dump_nq)
        self.row("export", "native dump trig", dump_trig)
        self.row("analytics", "read_facts + entity_graph + analyze", proj)
        for part, seconds in proj["parts"].items():
            self.row("analytics", f"  {part}", stats(seconds))
        for page, r in ui.items():
            self.row("ui", f"page {page} (first render)", r if "median_s" in r else None, error=r.get("error"),
                     problems=r.get("problems") or None)
        self.info["total_s"] = time.perf_counter() - t_all
        return {"info": self.info, "runs": self.runs, "cap_s": self.cap, "rows": self.rows,
                "targets": targets(self.rows)}


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets, each with its figure and whether it holds on this run."""
    out: list[dict[str, Any]] = []
    by = {r["item"]: r for r in rows}

    def add(what: str, figure: str, ok: bool | None) -> None:
        out.append({"target": what, "figure": figure, "met": ok})

    ing = by["YAML ingest"]
    add("ingest ≤ 3× bulk_load", f"{ing.get('x_limit', float('nan')):.1f}×", ing.get("x_limit", 99) <= 3)
    rss = ing["parley"]["rss_mb"]
    add("ingest peak RSS ≤ 2 GB", f"{rss:.0f} MB", rss <= 2048)
    size = by["store on disk, MB"]
    settled = by.get("store on disk once compacted, MB")
    add("store size ≤ 1.5× bulk-loaded", f"{size['x_limit']:.2f}×" + (
        f" ({settled['x_limit']:.2f}× once the engine has compacted both)" if settled else ""), size["x_limit"] <= 1.5)
    qs = [r for r in rows if r["group"] == "query"]
    slow = [r["item"] for r in qs if not (r["parley"]["median_s"] <= 0.25 or r.get("x_limit", 99) <= 1.5)]
    add("each query p50 ≤ 250 ms or ≤ 1.5× pyoxigraph", f"{len(qs) - len(slow)}/{len(qs)} hold"
        + (f"; not: {', '.join(slow)}" if slow else ""), not slow)
    found = [r.get("rdflib_x") or r.get("rdflib_x_at_least") for r in qs]
    ratios = [float(x) for x in found if x is not None]
    if ratios and len(ratios) == len(found):
        weak = [r["item"] for r, x in zip(qs, ratios) if x < 10]
        gm = math.exp(sum(math.log(x) for x in ratios) / len(ratios))
        add("each query ≥ 10× faster than rdflib", f"{len(qs) - len(weak)}/{len(qs)} hold"
            + (f"; not: {', '.join(weak)}" if weak else ""), not weak)
        add("geometric mean vs rdflib ≥ 30×", f"{gm:.1f}× (capped rdflib runs count at the cap)", gm >= 30)
    ex = [r for r in rows if r["group"] == "export" and r.get("x_limit") is not None]
    bad = [r["item"] for r in ex if r["x_limit"] > 1.5]
    add("export and as-of snapshot ≤ 1.5× native dump",
        ", ".join(f"{r['item']} {r['x_limit']:.1f}×" for r in ex), not bad)
    ui = [r for r in rows if r["group"] == "ui"]
    bad_ui = [r["item"] for r in ui if not r["parley"] or r["parley"]["median_s"] > 2 or r.get("problems")]
    add("each UI page first render ≤ 2 s", f"{len(ui) - len(bad_ui)}/{len(ui)} hold"
        + (f"; not: {', '.join(bad_ui)}" if bad_ui else ""), not bad_ui)
    return out


# -- scaling between two runs ---------------------------------------------------------------------------------

class CompareError(ParleyError):
    """Two results that cannot be compared (what and where is in the message)."""


def exponent(n0: int, n1: int, x0: float | None, x1: float | None) -> float | None:
    """k in x ∝ N^k between two sizes; None when either figure is missing or not positive.

    >>> round(exponent(10, 100, 2.0, 20.0), 2), round(exponent(10, 100, 2.0, 200.0), 2), exponent(10, 100, 0, 1)
    (1.0, 2.0, None)
    """
    if not x0 or not x1 or x0 <= 0 or x1 <= 0:
        return None
    return math.log(x1 / x0) / math.log(n1 / n0)


def _median(m: dict[str, Any] | None) -> float | None:
    return m.get("median_s") if m else None


def scaling(small: dict[str, Any], large: dict[str, Any]) -> list[dict[str, Any]]:
    """How every figure present in both results grows from the smaller N to the larger: per row Parley's
    figure at each size and its exponent, and the same for the row's limit (the engine) and for rdflib
    where both runs measured it (not capped). Peak RSS of the loads and the store sizes are rows too."""
    n0, n1 = small["info"]["statements"], large["info"]["statements"]
    other = {r["item"]: r for r in large["rows"]}
    out: list[dict[str, Any]] = []

    Pair = tuple[float | None, float | None]

    def add(item: str, a: float | None, b: float | None, unit: str, limit: Pair = (None, None),
            base: Pair = (None, None)) -> None:
        k = exponent(n0, n1, a, b)
        if k is None:
            return
        out.append({"item": item, "unit": unit, "small": a, "large": b, "exponent": k,
                    "limit_exponent": exponent(n0, n1, *limit), "rdflib_exponent": exponent(n0, n1, *base)})

    for r in small["rows"]:
        s = other.get(r["item"])
        if s is None:
            continue
        if r["group"] == "size":
            settled = "once compacted" in r["item"]
            add(f"store on disk{' once compacted' if settled else ''} (MB)", r["ingested_mb"], s["ingested_mb"], "MB",
                limit=(r["bulk_mb"], s["bulk_mb"]))
            continue
        p, q = r.get("parley"), s.get("parley")
        add(r["item"].strip(), _median(p), _median(q), "s", limit=(_median(r.get("limit")), _median(s.get("limit"))),
            base=(_median(r.get("rdflib")), _median(s.get("rdflib"))))
        if r["group"] == "load" and p and q:
            add(f"peak RSS of {r['item']} (MB)", p.get("rss_mb"), q.get("rss_mb"), "MB")
    return out


def scaling_table(small: dict[str, Any], large: dict[str, Any]) -> str:
    """`scaling` as a Markdown table, then which of Parley's figures grow faster than linearly."""
    n0, n1 = small["info"]["statements"], large["info"]["statements"]
    rows = scaling(small, large)

    def k(x: float | None) -> str:
        return "" if x is None else f"{x:.2f}"

    def v(x: float, unit: str) -> str:
        return f"{x:.1f}" if unit == "MB" else _s(x)

    lines = [f"| step | N = {n0:,} | N = {n1:,} | exponent | limit's exponent | rdflib's exponent |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r['item']} | {v(r['small'], r['unit'])} | {v(r['large'], r['unit'])} | {k(r['exponent'])} | "
              f"{k(r['limit_exponent'])} | {k(r['rdflib_exponent'])} |" for r in rows]
    over = [r for r in rows if r["exponent"] > 1]
    lines += ["", f"{len(rows) - len(over)} of {len(rows)} figures grow at most linearly from N = {n0:,} "
              f"to N = {n1:,}."]
    if over:
        lines.append("Faster than linearly: " + "; ".join(
            f"{r['item']} {r['exponent']:.2f}"
            + (f" (limit {r['limit_exponent']:.2f})" if r["limit_exponent"] is not None else "") for r in over) + ".")
    return "\n".join(lines)


def load_result(path: str | Path) -> dict[str, Any]:
    """A result `parley bench run --json` wrote.

    :raises CompareError: the file cannot be read, is not JSON, or is not such a result.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise CompareError(f"{path}: cannot read it: {e.strerror or e}") from None
    try:
        result = json.loads(text)
    except ValueError as e:
        raise CompareError(f"{path}: line {getattr(e, 'lineno', '?')}: not JSON: {getattr(e, 'msg', e)}") from None
    if not isinstance(result, dict) or not isinstance(result.get("rows"), list):
        raise CompareError(f"{path}: not a result of `parley bench run --json` (no \"rows\" list)")
    n = result.get("info", {}).get("statements") if isinstance(result.get("info"), dict) else None
    if not isinstance(n, int) or n < 1:
        raise CompareError(f"{path}: field info.statements is missing or not a positive whole number")
    return result


# -- the table --------------------------------------------------------------------------------------------

def _t(m: dict[str, Any] | None) -> str:
    if not m:
        return "—"
    if "capped" in m:
        return f"> {m['capped']:g} s"
    if "skipped" in m:
        return "not run (rdflib's parse passed the cap)" if m["skipped"] == "parse passed the cap" else "not run (budget)"
    if "median_s" not in m:
        return "—"
    return f"{_s(m['median_s'])} [{_s(m['min_s'])}–{_s(m['max_s'])}] ×{m['runs']}"


def _s(x: float) -> str:
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def table(result: dict[str, Any]) -> str:
    """The result as a Markdown table."""
    lines = ["| step | Parley: median [min–max] ×runs | peak RSS | limit (what) | × limit | rdflib | rdflib ÷ Parley |",
             "|---|---|---|---|---|---|---|"]
    for r in result["rows"]:
        if r["group"] == "size":
            took = r.get("compact_s", {})
            size = {side: f"{r[key]:.1f} MB ({what}" + (f", compacting took {_s(took[side])})" if took else ")")
                    for side, key, what in (("parley", "ingested_mb", "ingested"), ("bulk", "bulk_mb", "bulk_load"))}
            lines.append(f"| {r['item']} | {size['parley']} | | {size['bulk']} | {r['x_limit']:.2f}× | | |")
            continue
        p = r["parley"]
        rss = f"{p['rss_mb']:.0f} MB" if p and p.get("rss_mb") else ""
        if r.get("error"):
            lines.append(f"| {r['item']} | failed: {r['error'][:80]} | | | | | |")
            continue
        lim = f"{_t(r['limit'])} ({r['limit_what']})" if r.get("limit") else ""
        xl = f"{r['x_limit']:.2f}×" if r.get("x_limit") is not None else ""
        rx = (f"{r['rdflib_x']:.1f}×" if r.get("rdflib_x") is not None
              else f"≥ {r['rdflib_x_at_least']:.0f}×" if r.get("rdflib_x_at_least") is not None else "")
        rows_note = f" ({p['rows']} rows)" if p and "rows" in p and r["group"] == "query" else ""
        if r.get("problems"):
            rows_note += " (shown: " + "; ".join(r["problems"])[:120].replace("|", "/").replace("\n", " ") + ")"
        lines.append(f"| {r['item']}{rows_note} | {_t(p)} | {rss} | {lim} | {xl} | {_t(r.get('rdflib'))} | {rx} |")
    lines.append("")
    lines.append("| target | figure | met |")
    lines.append("|---|---|---|")
    for t in result["targets"]:
        lines.append(f"| {t['target']} | {t['figure']} | {'yes' if t['met'] else 'no'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    child_main(sys.argv[1:])
