"""How the app draws graphs: a networkx graph as Cytoscape elements for st-link-analysis, with a colour
and icon per type; the Explorer's neighbourhood of a focus; a CONSTRUCT result as a graph; document
lineage as Graphviz DOT."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from graph.results import short_name
from graph.sparql import QueryResult

MAX_NODES = 500            # the most nodes the Explorer draws; Cytoscape stays responsive below this

NODE_LOOK = {  # group → (colour, Material icon); COLOUR_NAMES says them in words for the legend
    "person": ("#4e79a7", "person"), "state": ("#e15759", "flag"), "organisation": ("#76b7b2", "account_balance"),
    "group": ("#59a14f", "group"), "actor": ("#4e79a7", "person"), "event": ("#f28e2b", "campaign"),
    "document": ("#9c755f", "description"), "issue": ("#b07aa1", "sell"), "place": ("#edc948", "place"),
    "statement": ("#bab0ac", "chat"), "thing": ("#8c8c8c", "link"),
}


COLOUR_NAMES = {"#4e79a7": "blue", "#e15759": "red", "#76b7b2": "teal", "#59a14f": "green", "#f28e2b": "orange",
                "#9c755f": "brown", "#b07aa1": "purple", "#edc948": "yellow", "#bab0ac": "grey", "#8c8c8c": "grey"}


def legend(groups: Iterable[str]) -> str:
    """The colours of the groups drawn, in words: 'person: blue · event: orange · …'."""
    return " · ".join(f"{g}: {COLOUR_NAMES[NODE_LOOK[g][0]]}" for g in sorted(set(groups)) if g in NODE_LOOK)


def node_group(attrs: Mapping[str, Any]) -> str:
    kind, kind_of = attrs.get("type", "thing"), attrs.get("kind")
    if kind == "actor" and kind_of in NODE_LOOK:
        return str(kind_of)
    return str(kind) if kind in NODE_LOOK else "thing"


def graph_elements(g: nx.Graph) -> dict[str, list[dict[str, Any]]]:
    """A networkx graph as Cytoscape elements. The component shows node data in its info panel as HTML,
    so no value may carry markup: ``<`` and ``>`` become ‹ and ›, which leaves no tag to form (an ``&``
    is then only ever text) while names with quotes and ampersands still read right on the canvas."""
    def esc(value: Any) -> str:
        if isinstance(value, (list, tuple, set)):
            value = "; ".join(str(v) for v in value)
        return str(value).replace("<", "‹").replace(">", "›")

    nodes = []
    for n, d in g.nodes(data=True):
        data = {"id": esc(n), "label": node_group(d), "name": esc(d.get("label", n))}
        for key in ("type", "kind", "date", "points", "points_claimed", "access"):
            if d.get(key) not in (None, "", []):
                data[key] = esc(d[key])
        nodes.append({"data": data})
    relations: dict[tuple[str, str], list[str]] = defaultdict(list)
    keyed = g.edges(keys=True, data=True) if g.is_multigraph() else ((u, v, None, d) for u, v, d in g.edges(data=True))
    for u, v, k, d in keyed:
        relations[(u, v)].append(str(d.get("relation") or (k if isinstance(k, str) else "")))
    edges = []  # one edge per ordered pair: parallel relations would hide each other; the side panel lists them
    for n, ((u, v), names) in enumerate(relations.items()):
        label = names[0] + (f" (+{len(names) - 1})" if len(names) > 1 else "")
        edges.append({"data": {"id": f"e{n}", "source": esc(u), "target": esc(v), "label": esc(label),
                               "relations": esc(names)}})
    return {"nodes": nodes, "edges": edges}


class _Style:
    """A Cytoscape style rule, in the shape st-link-analysis takes (its NodeStyle keeps the component's
    3.6 px labels, which Cytoscape hides at any zoom a whole neighbourhood fits in)."""

    def __init__(self, selector: str, style: dict[str, Any]) -> None:
        self.selector, self.style = selector, style

    def dump(self) -> dict[str, Any]:
        return {"selector": self.selector, "style": self.style}


def draw_graph(g: nx.Graph, *, key: str, height: int = 560, actions: bool = True) -> Any:
    """Draw a graph with st-link-analysis (colour and icon per type); returns the component's last event:
    ``{"action": "node_click" | "expand" | "remove", "data": {...}}`` or None."""
    from st_link_analysis import Event, st_link_analysis

    elements = graph_elements(g)
    groups = sorted({e["data"]["label"] for e in elements["nodes"]})
    node_styles = [_Style(f"node[label='{grp}']", {
        "background-color": NODE_LOOK[grp][0], "background-image": f"./icons/{NODE_LOOK[grp][1]}.svg",
        "label": "data(name)", "font-size": 10, "min-zoomed-font-size": 5, "text-wrap": "wrap",
        "text-max-width": "150px", "width": 22, "height": 22}) for grp in groups]
    edge_styles = [_Style("edge", {"label": "data(label)", "font-size": 7, "min-zoomed-font-size": 8,
                                   "target-arrow-shape": "triangle", "curve-style": "bezier", "width": 1.2})]
    layout = {"name": "cose", "animate": "end", "animationDuration": 400, "fit": True, "padding": 24,
              "nodeDimensionsIncludeLabels": True, "nodeRepulsion": 6000, "idealEdgeLength": 40}
    return st_link_analysis(elements, layout=layout, node_styles=node_styles, edge_styles=edge_styles,
                            height=height, key=key, node_actions=["expand", "remove"] if actions else [],
                            events=[Event("node_click", "click tap", "node")])


def triples_graph(result: QueryResult) -> nx.MultiDiGraph:
    """A CONSTRUCT or DESCRIBE result as a graph: resources are nodes, literals are folded into labels."""
    g = nx.MultiDiGraph()
    names: dict[str, str] = {}
    for s, p, o in result.rows:
        if type(o).__name__ == "Literal" and str(p).endswith(("#label", "/title", "#prefLabel", "/name")):
            names.setdefault(str(s), str(o))
    for s, p, o in result.rows:
        if type(o).__name__ == "Literal":
            continue
        for n in (s, o):
            text = str(n)
            kind = short_name(text).split("/", 1)[0] if "/" in short_name(text) else "thing"
            g.add_node(text, label=names.get(text, short_name(text)), type=kind if kind in NODE_LOOK else "thing")
        g.add_edge(str(s), str(o), key=short_name(str(p)), relation=short_name(str(p)))
    for s, _, _ in result.rows:
        if str(s) not in g:
            g.add_node(str(s), label=names.get(str(s), short_name(str(s))), type="thing")
    return g


def neighbourhood(g: nx.MultiDiGraph, focus: str, expanded: Iterable[str] = (), removed: Iterable[str] = (),
                  limit: int = MAX_NODES) -> tuple[nx.MultiDiGraph, int]:
    """The focus, its neighbours and those of every expanded node, without the removed ones, cut to
    `limit` nodes (the focus and expanded nodes first), with the relations that touch the focus or an
    expanded node. Returns the subgraph and how many nodes there were before the cut."""
    from graph.analytics import neighbours

    gone = set(removed) - {focus}
    order = [focus]
    for centre in [focus, *expanded]:
        if centre in g and centre not in gone:
            order += [centre, *neighbours(g, centre)]
    wanted = [n for n in dict.fromkeys(order) if n not in gone and n in g]
    shown = g.subgraph(wanted[:limit]).copy()
    centres = {focus, *expanded}
    # Only the relations of the focus and the expanded entities: a star per centre reads at a glance,
    # where every relation among the neighbours (a member of b, c within d, …) tangles the picture.
    shown.remove_edges_from([(u, v, k) for u, v, k in shown.edges(keys=True) if u not in centres and v not in centres])
    return shown, len(wanted)


def edges_of(g: nx.MultiDiGraph, node: str) -> list[tuple[str, str, bool, dict[str, Any]]]:
    """Every relation touching `node`: (other node, relation, outgoing?, edge data), events first."""
    out = [(v, k, True, d) for _, v, k, d in g.out_edges(node, keys=True, data=True)]
    out += [(u, k, False, d) for u, _, k, d in g.in_edges(node, keys=True, data=True)]
    return sorted(out, key=lambda e: (not e[1].startswith("took part"), g.nodes[e[0]].get("type") != "event",
                                      -len(e[3].get("statements", [])), e[1]))


def lineage_dot(g: nx.DiGraph) -> str:
    """Document lineage as Graphviz DOT: a box per document with its point counts and who gives them."""
    def q(text: object) -> str:
        return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'

    lines = ["digraph lineage {", "rankdir=LR;", 'node [shape=box, style="rounded,filled", fillcolor="#f3ede6", '
             'color="#9c755f", fontname="Helvetica", fontsize=10];', 'edge [fontname="Helvetica", fontsize=9];']
    ids = {n: f"d{i}" for i, n in enumerate(g.nodes)}
    for n, d in g.nodes(data=True):
        parts = [_wrap(d.get("label", n))]
        if d.get("points"):
            parts.append(_wrap(f"{d['points']} points"))
        parts += [_wrap(line) for line in _points_by_value(d.get("points_claimed", []))]
        if d.get("access"):
            parts.append(_wrap(f"content {d['access']}"))
        label = "\\n".join(parts)  # DOT's own line break, between parts already made safe
        lines.append(f'{ids[n]} [label="{label}", tooltip={q(n)}];')
    for u, v, d in g.edges(data=True):
        lines.append(f"{ids[u]} -> {ids[v]} [label={q(d.get('relation', ''))}];")
    lines.append("}")
    return "\n".join(lines)


def _points_by_value(claimed: Iterable[str]) -> list[str]:
    """'28 (Axios, 19 Nov 2025)', '27 (Yuri Ushakov, 2 Dec 2025)', … as '28 points per Axios, CBS News, +3'
    and '27 points per Yuri Ushakov': every disputed count shows, however many agree on the others."""
    who: dict[str, list[str]] = defaultdict(list)
    for text in claimed:
        m = re.fullmatch(r"(\S+) \((.*), [^,]*\)", str(text))
        value, speaker = (m.group(1), m.group(2)) if m else (str(text), "")
        if speaker and speaker not in who[value]:
            who[value].append(speaker)
        who.setdefault(value, [])
    out = []
    for value, speakers in sorted(who.items(), key=lambda kv: -len(kv[1])):
        named = ", ".join(speakers[:3]) + (f", +{len(speakers) - 3}" if len(speakers) > 3 else "")
        out.append(f"{value} points per {named}" if named else f"{value} points")
    return out


def _wrap(text: object, width: int = 38) -> str:
    """Text for a DOT label: no backslashes or double quotes, broken into lines of about `width`."""
    words, lines, line = str(text).replace("\\", "/").replace('"', "'").split(), [], ""
    for w in words:
        if line and len(line) + len(w) + 1 > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "\\n".join(lines)
