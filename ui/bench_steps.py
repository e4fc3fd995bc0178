"""The work `parley bench` measures, each step in a child process (``python -m ui.bench_steps STEP ARGS``)
that times only the work and reports its own peak RSS; ui.bench starts the steps and reads their reports."""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

APP = str(Path(__file__).resolve().parent / "app.py")
PAGE_PARAMS = {"explorer": {"entity": "ev-00000"}}  # the example's default event is not in the synthetic data
QUERY_LIMIT = 10_000  # Parley's default row cap; the direct engine run stops at the same count
RDFLIB_ONCE_AFTER = 5.0  # seconds: an rdflib operation slower than this is measured once, not `runs` times


# Here and not in ui.bench, which imports it: a step run as __main__ that imported the runner would load
# this module a second time under its own name.
class StepFailed(RuntimeError):
    pass


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
    from graph import guard, named_queries, snapshot, sparql
    from graph.store import Store

    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    with Store.open(a["store"]) as store:
        # the engine of the store Parley has open: a second, read-only instance of the same files in this
        # process grew until the system killed it (24 GB) on a store fresh from a 10,000-statement ingest
        engine = snapshot.engine(store)
        assert engine is not None, "the benchmark's store is an on-disk store"
        for q in named_queries.list_queries():
            given = {p.name: a["params"][p.name] for p in q.params if p.name in a["params"]}
            text = named_queries.bind_params(store, q, given)
            direct = guard.parse_checked(text).text  # what the engine runs: with the PREFIX lines the guard adds
            sparql.run(store, text, limit=QUERY_LIMIT, timeout=a["cap"])  # warm-up
            _engine_rows(engine, direct)
            times, engine_times, rows, engine_rows = [], [], 0, 0
            for _ in range(a["runs"]):
                t = time.perf_counter()
                result = sparql.run(store, named_queries.bind_params(store, q, given), limit=QUERY_LIMIT,
                                    timeout=a["cap"])
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


if __name__ == "__main__":
    child_main(sys.argv[1:])
