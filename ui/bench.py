"""`parley bench`: Parley at scale, side by side with the engine's own limits and with plain rdflib.

Every measured step runs in a fresh Python subprocess (``python -m ui.bench_steps STEP ARGS``) that
times only the work itself (not the interpreter's start or imports) and reports its own peak RSS
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
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ui.bench_report import targets
from ui.bench_steps import StepFailed

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["overview", "explorer", "timeline", "positions", "documents", "sparql", "snapshots", "ingest"]
RDF_EXPORTS = ("trig", "nq", "ttl", "jsonld")
NATIVE_FOR = {"trig": "trig", "nq": "nquads", "ttl": "nquads", "jsonld": "nquads"}
RDFLIB_FORMAT = {"trig": "trig", "nq": "nquads", "ttl": "turtle", "jsonld": "json-ld"}
STEP_TIMEOUT = 3600.0  # seconds for one Parley or engine step before it counts as failed
AS_OF = "2025-07-01"
# The named queries' parameters on the generated data, at every size: ids the generator makes on purpose
# (the busiest meeting, the busiest speaker) and a period it fills.
QUERY_PARAMS = {"event": "ev-00000", "actor": "actor-0000", "issue": "issue-00", "entity": "actor-0000",
                "since": "2025-10-01", "from": "2025-04-01", "to": "2025-06-30"}
RDFLIB_KILL_GRACE = 30.0  # seconds past the cap before an rdflib step that did not stop itself is killed
Progress = Callable[[str], None]


def _spawn(name: str, args: dict[str, Any], workdir: Path) -> subprocess.Popen[str]:
    argfile = workdir / f".args-{name}-{os.getpid()}-{time.monotonic_ns()}.json"
    argfile.write_text(json.dumps(args), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.Popen([sys.executable, "-m", "ui.bench_steps", name, str(argfile)], cwd=str(ROOT), env=env,
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
        params = QUERY_PARAMS
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
