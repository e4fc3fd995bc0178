"""What `parley bench` makes of its measurements: the targets that hold, the Markdown table, and how each
figure grows between two runs (`parley bench compare`)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from graph.errors import ParleyError


def targets(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's targets, each with its figure and whether it holds on this run."""
    out: list[dict[str, Any]] = []
    by = {r["item"]: r for r in rows}

    def add(what: str, figure: str, ok: bool | None) -> None:
        out.append({"target": what, "figure": figure, "met": ok})

    # ratios beside a limit have two decimals: with one, an ingest at 2.95× its bulk load read "3.0×" against
    # "≤ 3×", and its "met" looked wrong
    ing = by["YAML ingest"]
    add("ingest ≤ 3× bulk_load", f"{ing.get('x_limit', float('nan')):.2f}×", ing.get("x_limit", 99) <= 3)
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
        add("geometric mean vs rdflib ≥ 30×", f"{gm:.2f}× (capped rdflib runs count at the cap)", gm >= 30)
    ex = [r for r in rows if r["group"] == "export" and r.get("x_limit") is not None]
    bad = [r["item"] for r in ex if r["x_limit"] > 1.5]
    add("export and as-of snapshot ≤ 1.5× native dump",
        ", ".join(f"{r['item']} {r['x_limit']:.2f}×" for r in ex), not bad)
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
