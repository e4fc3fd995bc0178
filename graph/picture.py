"""The picture of the entity graph (PNG and SVG): the most connected entities laid out, coloured by type,
with their labels placed where they do not overlap, a title, a caption and a legend."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import networkx as nx

TYPE_COLOURS = {"actor": (31, 119, 180), "event": (214, 39, 40), "document": (44, 160, 44),
                "issue": (148, 103, 189), "place": (140, 86, 75), "statement": (127, 127, 127)}
OTHER_COLOUR = (188, 189, 34)
WIDTH, HEIGHT = 2400, 1600
HEADER, FOOTER, MARGIN = 110, 44, 36
MAX_DRAWN = 400  # the most connected entities are drawn; the caption counts the rest
MAX_LABEL = 44
SEED = 42
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
EDGE_COLOUR = (185, 190, 199)
TEXT_COLOUR = (26, 26, 26)
Box = tuple[float, float, float, float]
RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Dot:
    """One entity as drawn: where, how big, its colour, and its label (placed or not)."""

    x: float
    y: float
    r: float
    colour: RGB
    label: str
    tooltip: str
    font: int
    shown: bool = False
    side: str = "right"  # where the label sits: right, left, above or below the dot


@dataclass(frozen=True)
class Scene:
    """A laid-out picture, drawn the same by :func:`svg` and :func:`png`."""

    width: int
    height: int
    title: str
    caption: str
    dots: list[Dot]
    lines: list[tuple[float, float, float, float, float]]
    legend: list[tuple[str, RGB, int]]


def _plain(text: str, limit: int = MAX_LABEL) -> str:
    import unicodedata

    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _text_width(text: str, size: float) -> float:
    return 0.6 * size * len(text)  # DejaVu Sans averages ~0.55 em a character; a little room to spare


def picture(g: nx.MultiDiGraph, *, as_of: dt.date | None = None, width: int = WIDTH,
            height: int = HEIGHT) -> Scene:
    """Lay the projection out: a colour per type, dots sized by their number of neighbours, labels on the
    best-connected entities wherever one fits without overlapping another label or dot."""
    from graph.facts import human_date

    u = nx.Graph()
    u.add_nodes_from(g.nodes)
    for a, b in g.edges():
        if a != b:
            u.add_edge(a, b, n=u.get_edge_data(a, b, {"n": 0})["n"] + 1)
    isolated = [n for n in u if u.degree(n) == 0]
    u.remove_nodes_from(isolated)
    connected = len(u)
    if len(u) > MAX_DRAWN:
        order = sorted(u, key=lambda n: (-u.degree(n), g.nodes[n].get("label", ""), n))
        u = u.subgraph(order[:MAX_DRAWN]).copy()
        u.remove_nodes_from([n for n in list(u) if u.degree(n) == 0])
    at, unplaced = _layout(u, width, height)
    u.remove_nodes_from(unplaced)

    dots: dict[str, Dot] = {}
    for n in u:
        d = g.nodes[n]
        deg = u.degree(n)
        x, y = at[n]
        kind = d.get("type", "")
        label = _plain(str(d.get("label", n)))
        tip = f"{_plain(str(d.get('label', n)), 300)} ({kind}{', ' + human_date(d['date']) if d.get('date') else ''})"
        dots[n] = Dot(x, y, min(4 + 1.6 * deg ** 0.5, 20), TYPE_COLOURS.get(kind, OTHER_COLOUR), label, tip,
                      round(12 + min(10, deg / 3)))
    # Labels go to the best connected first, right of the dot, else left, above or below; a label never
    # covers another label or the dot of an entity already labelled, so hubs are named, then the rest.
    taken: list[Box] = []
    placed = 0
    for n in sorted(u, key=lambda n: (-u.degree(n), dots[n].label)):
        d = dots[n]
        w, h = _text_width(d.label, d.font), d.font * 1.2
        spots = [(d.x + d.r + 4, d.y - h / 2, False), (d.x - d.r - 4 - w, d.y - h / 2, True),
                 (d.x - w / 2, d.y - d.r - 2 - h, None), (d.x - w / 2, d.y + d.r + 2, None)]
        for x0, y0, side in spots:
            box = (x0, y0, x0 + w, y0 + h)
            if (box[0] >= MARGIN and box[2] <= width - MARGIN and box[1] >= HEADER and box[3] <= height - FOOTER
                    and not any(_overlap(box, t) for t in taken)):
                taken += [box, (d.x - d.r, d.y - d.r, d.x + d.r, d.y + d.r)]
                dots[n] = Dot(d.x, d.y, d.r, d.colour, d.label, d.tooltip, d.font, True,
                              "left" if side else "right" if side is False else ("above" if y0 < d.y else "below"))
                placed += 1
                break
    lines = [(dots[a].x, dots[a].y, dots[b].x, dots[b].y, min(0.8 + 0.4 * data["n"], 3.0))
             for a, b, data in u.edges(data=True)]
    counts: dict[str, int] = {}
    for n in u:
        counts[g.nodes[n].get("type", "other")] = counts.get(g.nodes[n].get("type", "other"), 0) + 1
    legend = [(t, TYPE_COLOURS.get(t, OTHER_COLOUR), counts[t]) for t in sorted(counts, key=lambda t: -counts[t])]
    when = f"as of {human_date(as_of.isoformat())}" if as_of else "(whole store)"
    left_out = []
    if connected > len(u):
        left_out.append(f"{connected - len(u):,} less connected entities or small groups (no room)")
    if isolated:
        left_out.append(f"{len(isolated):,} entities with no relation")
    caption = (f"{len(u):,} entities and {u.number_of_edges():,} related pairs; labels on {placed:,} of them "
               f"(the best connected, where a label fits)." + (f" Not drawn: {' and '.join(left_out)}." if left_out else ""))
    return Scene(width, height, f"Parley: who and what is connected {when}", caption,
                 sorted(dots.values(), key=lambda d: d.r), lines, legend)


def _layout(u: nx.Graph, width: int, height: int) -> tuple[dict[str, tuple[float, float]], list[str]]:
    """Canvas positions: the largest connected group fills the canvas, smaller groups sit in a row along
    the bottom (a spring layout would fling them to the edges); the nodes of groups that do not fit."""
    parts = sorted(nx.connected_components(u), key=lambda c: (-len(c), min(c)))
    left, top, right, bottom = MARGIN + 10, HEADER + 20, width - MARGIN - 10, height - FOOTER - 20
    band = 150 if len(parts) > 1 else 0
    at: dict[str, tuple[float, float]] = {}
    unplaced: list[str] = []
    if parts:
        at.update(_fit(u.subgraph(parts[0]), (left, top, right, bottom - band)))
    x = float(left)
    for part in parts[1:]:
        cell = min(320.0, 120.0 + 40.0 * len(part))
        if x + cell > right:
            unplaced += sorted(part)
            continue
        at.update(_fit(u.subgraph(part), (x, bottom - band + 40, x + cell - 130, bottom)))
        x += cell
    return at, unplaced


def _fit(g: nx.Graph, box: Box) -> dict[str, tuple[float, float]]:
    pos = _spread(nx.spring_layout(g, seed=SEED, iterations=200, k=2.2 / len(g) ** 0.5, weight=None))
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    x0, y0, x1, y1 = box
    return {n: (x0 + (x - min(xs)) / ((max(xs) - min(xs)) or 1) * (x1 - x0),
                y0 + (y - min(ys)) / ((max(ys) - min(ys)) or 1) * (y1 - y0)) for n, (x, y) in pos.items()}


def _spread(pos: dict[Any, Any]) -> dict[Any, tuple[float, float]]:
    """Spring layouts pack the hubs into a dense core and push a few outliers far out: taking distances
    from the centre to the power 0.6 opens the core and pulls the outliers in, keeping every direction."""
    if not pos:
        return {}
    cx = sum(float(p[0]) for p in pos.values()) / len(pos)
    cy = sum(float(p[1]) for p in pos.values()) / len(pos)
    out = {}
    for n, p in pos.items():
        dx, dy = float(p[0]) - cx, float(p[1]) - cy
        r = (dx * dx + dy * dy) ** 0.5
        f = r ** 0.6 / r if r else 0.0
        out[n] = (dx * f, dy * f)
    return out


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label_at(d: Dot) -> tuple[float, float, str]:
    """Where a label's text starts (x, the middle of its line) and how it is anchored (SVG's words)."""
    if d.side == "left":
        return d.x - d.r - 4, d.y, "end"
    if d.side == "above":
        return d.x, d.y - d.r - 2 - d.font * 0.6, "middle"
    if d.side == "below":
        return d.x, d.y + d.r + 2 + d.font * 0.6, "middle"
    return d.x + d.r + 4, d.y, "start"


def _hex(colour: RGB) -> str:
    return "#%02x%02x%02x" % colour


def svg(scene: Scene) -> bytes:
    """The scene as a standalone SVG 1.1 document; each dot has a tooltip with its full label."""
    from xml.sax.saxutils import escape, quoteattr

    w, h = scene.width, scene.height
    out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
           f'width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family={quoteattr(FONT_FAMILY)}>',
           f"<title>{escape(scene.title)}</title>", '<rect width="100%" height="100%" fill="#ffffff"/>',
           f'<g stroke="{_hex(EDGE_COLOUR)}" stroke-linecap="round">']
    out += [f'<line x1="{a:.1f}" y1="{b:.1f}" x2="{c:.1f}" y2="{d:.1f}" stroke-width="{sw:.1f}"/>'
            for a, b, c, d, sw in scene.lines]
    out.append('</g>\n<g stroke="#ffffff" stroke-width="1.2">')
    out += [f'<circle cx="{d.x:.1f}" cy="{d.y:.1f}" r="{d.r:.1f}" fill="{_hex(d.colour)}">'
            f"<title>{escape(d.tooltip)}</title></circle>" for d in scene.dots]
    out.append(f'</g>\n<g fill="{_hex(TEXT_COLOUR)}" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" '
               'paint-order="stroke">')
    for d in scene.dots:
        if d.shown:
            x, y, anchor = _label_at(d)
            out.append(f'<text x="{x:.1f}" y="{y:.1f}" dy="0.35em" font-size="{d.font}" text-anchor="{anchor}">'
                       f"{escape(d.label)}</text>")
    out.append("</g>")
    out.append(f'<text x="{MARGIN}" y="50" font-size="30" font-weight="bold" fill="{_hex(TEXT_COLOUR)}">'
               f"{escape(scene.title)}</text>")
    x = float(MARGIN)
    for kind, colour, count in scene.legend:
        text = f"{kind} ({count:,})"
        out.append(f'<circle cx="{x + 9:.1f}" cy="88" r="9" fill="{_hex(colour)}"/>'
                   f'<text x="{x + 24:.1f}" y="88" dy="0.35em" font-size="18" fill="{_hex(TEXT_COLOUR)}">'
                   f"{escape(text)}</text>")
        x += 24 + _text_width(text, 18) + 28
    out.append(f'<text x="{MARGIN}" y="{h - 18}" font-size="15" fill="#555555">{escape(scene.caption)}</text>')
    out.append("</svg>\n")
    return "\n".join(out).encode("utf-8")


def png(scene: Scene) -> bytes:
    """The scene drawn with Pillow at twice the size and scaled down, which smooths lines and text."""
    from PIL import Image, ImageDraw

    s = 2
    img = Image.new("RGB", (scene.width * s, scene.height * s), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for a, b, c, d, sw in scene.lines:
        draw.line([(a * s, b * s), (c * s, d * s)], fill=EDGE_COLOUR, width=max(1, round(sw * s)))
    for dot in scene.dots:
        draw.ellipse([(dot.x - dot.r) * s, (dot.y - dot.r) * s, (dot.x + dot.r) * s, (dot.y + dot.r) * s],
                     fill=dot.colour, outline=(255, 255, 255), width=s)

    def text(x: float, y: float, value: str, size: int, *, fill: RGB = TEXT_COLOUR, anchor: str = "start",
             halo: bool = True) -> None:
        font = _font(size * s)
        width = draw.textlength(value, font=font)
        top, bottom = font.getbbox("Hg")[1], font.getbbox("Hg")[3]
        shift = {"start": 0.0, "middle": width / 2, "end": width}[anchor]
        draw.text((x * s - shift, y * s - (top + bottom) / 2), value, font=font, fill=fill,
                  stroke_width=3 if halo else 0, stroke_fill=(255, 255, 255))

    for dot in scene.dots:
        if dot.shown:
            x, y, anchor = _label_at(dot)
            text(x, y, dot.label, dot.font, anchor=anchor)
    text(MARGIN, 40, scene.title, 30, halo=False)
    x = float(MARGIN)
    for kind, colour, count in scene.legend:
        label = f"{kind} ({count:,})"
        draw.ellipse([x * s, 79 * s, (x + 18) * s, 97 * s], fill=colour)
        text(x + 24, 88, label, 18, halo=False)
        x += 24 + _text_width(label, 18) + 28
    text(MARGIN, scene.height - 22, scene.caption, 15, fill=(85, 85, 85), halo=False)
    img = img.resize((scene.width, scene.height), Image.Resampling.LANCZOS)
    buf = io.BytesIO()  # 256 colours are plenty for flat colours and anti-aliased text, at a third of the size
    img.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(buf, "PNG", optimize=True)
    return buf.getvalue()


_FONTS: dict[int, Any] = {}


def _font(size: int) -> Any:
    """DejaVu Sans (Latin, Cyrillic, Greek) or Liberation Sans where installed; else Pillow's own font."""
    from PIL import ImageFont

    if size not in _FONTS:
        for name in ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf"):
            try:
                _FONTS[size] = ImageFont.truetype(name, size)
                break
            except OSError:
                continue
        else:
            _FONTS[size] = ImageFont.load_default(size=size)
    return _FONTS[size]


__all__ = ["OTHER_COLOUR", "TYPE_COLOURS", "Scene", "picture", "png", "svg"]
