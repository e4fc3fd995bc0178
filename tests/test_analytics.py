"""Network analytics: the projections of the store to networkx, centrality, brokers, communities,
activity, lookup by any name, and `parley path` / `parley analyze`.

The world below is small enough to compute every number by hand: four people of three states meet in
three events (a meeting, talks, a call) and say two things.

    Palace meeting (10 Nov): Petrov, Smith, Jones      meetings graph:   Jones
    Trade talks    (1 Dec):  Smith, Kovaleva                             /    \
    December call  (15 Dec): Petrov, Smith                          Petrov == Smith -- Kovaleva
"""

from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from graph.analytics import (
    AmbiguousEntityError, Broker, NoPathError, UnknownEntityError, analyze, brokers, centrality, communities,
    find_entity, most_active, path, paths, sides,
)
from graph.facts import Entity, Evidence, Facts, Link, Said, read_facts
from graph.projections import entity_graph, flat, lineage_graph, meetings_graph, stances_graph
from graph.store import Store
from ingest.pipeline import ingest_files
from ui.cli import cli

ID = "https://parley.example/id/"
PETROV, SMITH, JONES, OLGA = (f"{ID}actor/{x}" for x in ("ivan-petrov", "anna-smith", "bob-jones", "olga-kovaleva"))
RURITANIA, FREEDONIA, SYLVANIA = (f"{ID}actor/{x}" for x in ("ruritania", "freedonia", "sylvania"))
PALACE_MEETING, TRADE_TALKS, CALL = (f"{ID}event/{x}" for x in ("palace-meeting", "trade-talks", "december-call"))
BORDER, TRADE = f"{ID}issue/border-issue", f"{ID}issue/trade"
PLAN1, PLAN2, ANNEX = (f"{ID}document/{x}" for x in ("plan-1", "plan-2", "annex-2a"))
S_PETROV, S_OLGA = f"{ID}statement/petrov-1", f"{ID}statement/olga-1"

WORLD = """\
parley: 1
collection: analytics-test
sources:
  - id: notes
    title: Test notes
    date: 2025-12-20
    language: en
actors:
  - id: ivan-petrov
    type: person
    labels: {en: Ivan Petrov, ru: Иван Петров}
    aliases: [Petrov, Петров]
    member_of: [ruritania]
  - id: anna-smith
    type: person
    labels: {en: Anna Smith}
    aliases: [Smith]
    member_of: [freedonia]
  - id: bob-jones
    type: person
    labels: {en: Bob Jones}
  - id: olga-kovaleva
    type: person
    labels: {en: Olga Kovaleva, ru: Ольга Ковалёва}
    aliases: [Ковалёва]
    member_of: [sylvania]
  - {id: ruritania, type: state, labels: {en: Ruritania}}
  - {id: freedonia, type: state, labels: {en: Freedonia}}
  - {id: sylvania, type: state, labels: {en: Sylvania}}
places:
  - id: palace
    labels: {en: the Palace}
issues:
  - {id: border-issue, labels: {en: border issue, ru: пограничный вопрос}, category: territory}
  - {id: trade, labels: {en: trade}, category: economic-cooperation}
  - {id: fisheries, labels: {en: fisheries}}
documents:
  - {id: plan-1, title: Peace plan, kind: plan, points: 10, date: 2025-11-01}
  - {id: plan-2, title: "Peace plan, revised", kind: revision, revision_of: plan-1, date: 2025-11-20}
  - {id: annex-2a, title: Annex on trade, kind: annex, part_of: plan-2}
events:
  - id: palace-meeting
    label: Meeting at the Palace
    kind: meeting
    type: CONSULT
    date: 2025-11-10
    place: palace
    participants:
      - {actor: ivan-petrov, role: host, on_behalf_of: ruritania}
      - {actor: anna-smith, role: envoy, on_behalf_of: freedonia}
      - {actor: bob-jones, role: envoy, on_behalf_of: freedonia}
    documents: [plan-1]
    issues: [border-issue]
  - id: trade-talks
    label: Trade talks
    kind: meeting
    date: 2025-12-01
    participants:
      - {actor: anna-smith}
      - {actor: olga-kovaleva}
    issues: [trade]
  - id: december-call
    label: Petrov–Smith call
    kind: call
    date: 2025-12-15
    participants:
      - {actor: ivan-petrov}
      - {actor: anna-smith}
statements:
  - id: petrov-1
    speaker: ivan-petrov
    date: 2025-11-10
    source: notes
    event: palace-meeting
    text: We received Anna Smith and Bob Jones. We criticise the border provisions of the plan.
    claims:
      - {kind: participation, event: palace-meeting, actor: anna-smith, role: envoy, quote: We received Anna Smith}
      - kind: position
        actor: ruritania
        issue: border-issue
        stance: criticises
        quote: We criticise the border provisions of the plan
  - id: olga-1
    speaker: olga-kovaleva
    date: 2025-12-02
    source: notes
    event: trade-talks
    text: Sylvania supports more trade. We will not go to the Palace.
    claims:
      - {kind: position, actor: sylvania, issue: trade, stance: supports, quote: Sylvania supports more trade}
      - kind: travel
        actors: [olga-kovaleva]
        destination: palace
        factuality: negated
        quote: We will not go to the Palace
"""


@pytest.fixture(scope="module")
def world_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("world") / "world.yaml"
    path.write_text(WORLD, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def world(world_file: Path) -> Facts:
    """The facts of a memory store holding the world above."""
    store = Store.open("memory:")
    ingest_files(store, [world_file], check_shapes=False)
    return read_facts(store)


@pytest.fixture
def world_store_path(world_file: Path, tmp_path: Path) -> str:
    """An on-disk store holding the world, for the CLI (a memory: store would not outlive one command)."""
    folder = str(tmp_path / "store")
    with Store.open(folder, create=True) as store:
        ingest_files(store, [world_file], check_shapes=False)
    return folder


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# ── the entity graph ────────────────────────────────────────────────────────────────────────────────

def test_entity_graph_has_typed_labelled_nodes_and_relations_with_their_statements(world: Facts) -> None:
    g = entity_graph(world)
    assert g.nodes[PALACE_MEETING] == {"label": "Meeting at the Palace", "type": "event", "id": "palace-meeting",
                                       "kind": "meeting", "date": "2025-11-10"}
    assert g.nodes[PETROV] == {"label": "Ivan Petrov", "type": "actor", "id": "ivan-petrov", "kind": "person"}
    assert g.nodes[BORDER]["kind"] == "territory" and g.nodes[PLAN1]["points"] == 10
    # Smith's part in the meeting: stated by the event record and by Petrov's statement, with his words.
    assert g.edges[SMITH, PALACE_MEETING, "took part in"] == {
        "relation": "took part in", "statements": [S_PETROV], "quotes": ["We received Anna Smith"], "record": True,
        "factuality": "asserted", "role": "envoy", "on_behalf_of": FREEDONIA, "date": "2025-11-10"}
    assert g.edges[RURITANIA, BORDER, "stance: criticises"]["quotes"] == [
        "We criticise the border provisions of the plan"]
    assert g.edges[RURITANIA, BORDER, "stance: criticises"]["record"] is False
    assert g.edges[PALACE_MEETING, BORDER, "concerns"]["statements"] == [S_PETROV]
    # A negated claim is kept, and says what did not happen.
    assert g.edges[OLGA, f"{ID}place/palace", "did not go to"]["factuality"] == "negated"
    relations = sorted({(g.nodes[u]["id"], k, g.nodes[v]["id"]) for u, v, k in g.edges(keys=True)})
    assert relations == [
        ("anna-smith", "member of", "freedonia"), ("anna-smith", "took part in", "december-call"),
        ("anna-smith", "took part in", "palace-meeting"), ("anna-smith", "took part in", "trade-talks"),
        ("annex-2a", "part of", "plan-2"), ("bob-jones", "took part in", "palace-meeting"),
        ("ivan-petrov", "member of", "ruritania"), ("ivan-petrov", "took part in", "december-call"),
        ("ivan-petrov", "took part in", "palace-meeting"), ("olga-kovaleva", "did not go to", "palace"),
        ("olga-kovaleva", "member of", "sylvania"), ("olga-kovaleva", "took part in", "trade-talks"),
        ("palace-meeting", "concerns", "border-issue"), ("palace-meeting", "discussed", "plan-1"),
        ("palace-meeting", "held at", "palace"), ("plan-2", "revision of", "plan-1"),
        ("ruritania", "stance: criticises", "border-issue"), ("sylvania", "stance: supports", "trade"),
        ("trade-talks", "concerns", "trade")]


def test_entity_graph_merges_the_links_of_one_relation_into_one_edge() -> None:
    # Built by hand: three links of one relation, in an order where a later link has the earliest day and
    # repeats a statement and quote an earlier one gave. One edge, each pair once, the earliest day.
    a, b = f"{ID}actor/a", f"{ID}actor/b"
    said = {f"{ID}statement/{n}": Said(f"{ID}statement/{n}", a, day, f"text {n}") for n, day in
            (("s1", "2025-11-20"), ("s2", "2025-11-05"), ("s3", "2025-12-01"))}
    s1, s2, s3 = said
    f = Facts(entities={a: Entity(a, "actor", "A"), b: Entity(b, "actor", "B")}, statements=said, links=[
        Link(a, b, "assessed", evidence=[Evidence(s1, "first", factuality="future")]),
        Link(a, b, "assessed", evidence=[Evidence(s2, "second"), Evidence(s1, "first")]),
        Link(a, b, "assessed", record=True, evidence=[Evidence(s1, "other words"), Evidence(s3, "third")],
             attrs={"stance": "supports"}),
        Link(b, a, "assessed", evidence=[Evidence(s3, "back")])])
    g = entity_graph(f)
    assert g.number_of_edges() == 2
    assert g.edges[a, b, "assessed"] == {
        "relation": "assessed", "statements": [s1, s2, s1, s3], "quotes": ["first", "second", "other words", "third"],
        "record": True, "factuality": "future", "stance": "supports", "date": "2025-11-05"}
    assert g.edges[b, a, "assessed"]["date"] == "2025-12-01"
    g = entity_graph(f, since=day("2025-11-10"))  # s2 is before the period: its words and its day are left out
    assert g.edges[a, b, "assessed"]["statements"] == [s1, s1, s3]
    assert g.edges[a, b, "assessed"]["date"] == "2025-11-20"


def test_entity_graph_filtered_by_type_and_with_statement_nodes(world: Facts) -> None:
    g = entity_graph(world, types={"actor", "event"})
    assert {d["type"] for _, d in g.nodes(data=True)} == {"actor", "event"}
    assert all(k == "took part in" or k == "member of" for _, _, k in g.edges(keys=True))
    g = entity_graph(world, statements=True)
    assert g.nodes[S_PETROV]["type"] == "statement" and g.nodes[S_PETROV]["date"] == "2025-11-10"
    assert g.nodes[S_PETROV]["label"] == "Ivan Petrov, 10 Nov 2025 (petrov-1)"
    assert g.has_edge(PETROV, S_PETROV, "said") and g.has_edge(S_PETROV, PALACE_MEETING, "about")


def test_entity_graph_as_of_a_date_keeps_what_was_dated_by_then(world: Facts) -> None:
    g = entity_graph(world, as_of=day("2025-11-30"))
    assert PALACE_MEETING in g and PLAN2 in g
    assert TRADE_TALKS not in g and CALL not in g
    assert not g.has_edge(SYLVANIA, TRADE)  # said on 2 Dec
    assert ANNEX in g  # undated: nothing says it came later
    g = entity_graph(world, as_of=day("2025-11-15"))
    assert PLAN2 not in g and PLAN1 in g
    g = entity_graph(world, since=day("2025-12-01"))
    assert PALACE_MEETING not in g and ANNEX not in g and TRADE_TALKS in g  # undated: not known to be after


def test_flat_graph_writes_as_graphml(world: Facts) -> None:
    out = io.BytesIO()
    nx.write_graphml(flat(entity_graph(world)), out)
    assert b"We received Anna Smith" in out.getvalue()


# ── the other projections ───────────────────────────────────────────────────────────────────────────────

def test_who_meets_whom_is_weighted_by_shared_events_with_their_dates(world: Facts) -> None:
    g = meetings_graph(world)
    assert sorted(g) == sorted([PETROV, SMITH, JONES, OLGA])
    edges = {tuple(sorted((g.nodes[u]["id"], g.nodes[v]["id"]))): (d["weight"], d["dates"])
             for u, v, d in g.edges(data=True)}
    assert edges == {("anna-smith", "ivan-petrov"): (2, ["2025-11-10", "2025-12-15"]),
                     ("anna-smith", "bob-jones"): (1, ["2025-11-10"]),
                     ("bob-jones", "ivan-petrov"): (1, ["2025-11-10"]),
                     ("anna-smith", "olga-kovaleva"): (1, ["2025-12-01"])}
    assert g.edges[PETROV, SMITH]["events"] == [PALACE_MEETING, CALL]
    assert g.nodes[SMITH]["events"] == 3


def test_who_meets_whom_cut_by_period_and_event_kind(world: Facts) -> None:
    g = meetings_graph(world, as_of=day("2025-11-30"))
    assert sorted(d["weight"] for *_, d in g.edges(data=True)) == [1, 1, 1] and OLGA not in g
    g = meetings_graph(world, since=day("2025-12-01"))
    assert sorted(g) == sorted([PETROV, SMITH, OLGA]) and g.edges[PETROV, SMITH]["weight"] == 1
    g = meetings_graph(world, event_kinds={"call"})
    assert list(g.edges(data="weight")) == [(SMITH, PETROV, 1)] or list(g.edges(data="weight")) == [
        (PETROV, SMITH, 1)]


def test_stances_link_actors_to_issues_with_date_statement_and_quote(world: Facts) -> None:
    g = stances_graph(world)
    assert [(u, v, d["stance"], d["date"], d["statement"], d["quote"]) for u, v, d in g.edges(data=True)] == [
        (RURITANIA, BORDER, "criticises", "2025-11-10", S_PETROV, "We criticise the border provisions of the plan"),
        (SYLVANIA, TRADE, "supports", "2025-12-02", S_OLGA, "Sylvania supports more trade")]
    assert list(stances_graph(world, stances={"supports"}).edges()) == [(SYLVANIA, TRADE)]
    assert list(stances_graph(world, as_of=day("2025-12-01")).edges()) == [(RURITANIA, BORDER)]


def test_document_lineage_is_a_dag_cut_by_date(world: Facts) -> None:
    g = lineage_graph(world)
    assert nx.is_directed_acyclic_graph(g)
    assert sorted((u, v, d["relation"]) for u, v, d in g.edges(data=True)) == [
        (ANNEX, PLAN2, "part of"), (PLAN2, PLAN1, "revision of")]
    assert g.nodes[PLAN1]["date"] == "2025-11-01" and g.nodes[PLAN2]["kind"] == "revision"
    assert sorted(lineage_graph(world, as_of=day("2025-11-15"))) == [ANNEX, PLAN1]
    assert sorted(lineage_graph(world, kinds={"plan", "revision"})) == [PLAN1, PLAN2]


# ── metrics, computed by hand ───────────────────────────────────────────────────────────────────────────

def test_centrality_of_the_meetings_graph_by_hand(world: Facts) -> None:
    c = centrality(meetings_graph(world))
    # Degree centrality = neighbours / (n - 1) with n = 4: Smith meets all 3, Petrov and Jones 2, Kovaleva 1.
    assert c.degree == {SMITH: 1.0, PETROV: 2 / 3, JONES: 2 / 3, OLGA: 1 / 3}
    # Betweenness: Smith is on the only shortest path of Kovaleva–Petrov and Kovaleva–Jones (2 of the
    # 3 pairs not involving him); normalised by (n-1)(n-2)/2 = 3 pairs, that is 2/3. Nobody else is between.
    assert c.betweenness == pytest.approx({SMITH: 2 / 3, PETROV: 0.0, JONES: 0.0, OLGA: 0.0})
    assert (c.exact, c.method) == (True, "exact")


def test_centrality_of_a_star_and_a_path_by_hand() -> None:
    star = centrality(nx.star_graph(4))  # hub 0 and four leaves
    assert star.degree == {0: 1.0, 1: 0.25, 2: 0.25, 3: 0.25, 4: 0.25}
    assert star.betweenness[0] == 1.0  # on all 6 leaf-leaf paths, of 6 pairs
    line = centrality(nx.path_graph(["a", "b", "c", "d"]))
    # b lies between a–c and a–d: 2 of the (n-1)(n-2)/2 = 3 pairs without b.
    assert line.betweenness == pytest.approx({"a": 0.0, "b": 2 / 3, "c": 2 / 3, "d": 0.0})


def test_betweenness_is_sampled_above_the_limit_and_says_so() -> None:
    g = nx.path_graph(10)
    c = centrality(g, exact_limit=5, k=4)
    assert (c.exact, c.k, c.seed) == (False, 4, 42)
    assert c.method == "sampled: 4 of 10 nodes as sources, seed 42"
    assert centrality(g, exact_limit=5, k=4).betweenness == c.betweenness  # fixed seed: same answer


def test_sides_from_membership_and_on_behalf_of(world: Facts) -> None:
    side = sides(world)
    assert side[PETROV] == RURITANIA and side[SMITH] == FREEDONIA and side[OLGA] == SYLVANIA
    assert side[JONES] == FREEDONIA  # no membership: he acted on behalf of Freedonia at the meeting
    assert side[RURITANIA] == RURITANIA


def test_brokers_by_hand(world: Facts) -> None:
    # Cross-side pairs: Petrov–Smith, Petrov–Jones, Smith–Kovaleva meet directly; Petrov–Kovaleva and
    # Jones–Kovaleva only through Smith. So Smith brokers 2 pairs, one per pair of sides.
    assert brokers(meetings_graph(world), sides(world)) == [
        Broker(SMITH, 2.0, {(FREEDONIA, SYLVANIA): 1.0, (RURITANIA, SYLVANIA): 1.0})]
    # Two equally short ways round a square: each go-between carries half of the one cross-side pair.
    square = nx.cycle_graph(["ru", "a", "us", "b"])
    assert brokers(square, {"ru": "RU", "us": "US"}) == [Broker("a", 0.5, {("RU", "US"): 0.5}),
                                                         Broker("b", 0.5, {("RU", "US"): 0.5})]
    # A same-side go-between counts too, and pairs of one side do not.
    chain = nx.path_graph(["ru1", "ru2", "us"])
    assert brokers(chain, {"ru1": "RU", "ru2": "RU", "us": "US"}) == [Broker("ru2", 1.0, {("RU", "US"): 1.0})]
    assert brokers(chain, {"ru1": "RU", "us": "RU"}) == []


def test_communities_of_two_bridged_triangles() -> None:
    g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("d", "e"), ("e", "f"), ("d", "f"), ("c", "d")])
    found = communities(g)
    assert found == [["a", "b", "c"], ["d", "e", "f"]]
    # By hand: m = 7 edges; each triangle has 3 inner edges and degree sum 7, so
    # Q = 2 × (3/7 − (7/14)²) = 5/14, better than one block (Q = 0).
    assert nx.community.modularity(g, found) == pytest.approx(5 / 14)
    assert communities(g) == found  # fixed seed


def test_most_active_counts_events_and_statements_in_the_period(world: Facts) -> None:
    assert [(a.label, a.events, a.statements) for a in most_active(world)] == [
        ("Anna Smith", 3, 0), ("Ivan Petrov", 2, 1), ("Olga Kovaleva", 1, 1), ("Bob Jones", 1, 0)]
    assert [(a.label, a.events, a.statements) for a in most_active(world, since=day("2025-12-01"))] == [
        ("Anna Smith", 2, 0), ("Olga Kovaleva", 1, 1), ("Ivan Petrov", 1, 0)]
    assert most_active(world, since=day("2026-01-01")) == []


def test_analysis_of_a_period(world: Facts) -> None:
    a = analyze(world, since=day("2025-11-01"), as_of=day("2025-11-30"))
    assert (a.actors, a.links, a.events, a.method) == (3, 3, 1, "exact")
    assert [s.label for s in a.by_degree] == ["Anna Smith", "Bob Jones", "Ivan Petrov"]
    assert a.brokers == []  # a triangle: everyone meets everyone
    assert a.communities == [sorted([PETROV, SMITH, JONES])]


# ── lookup by any name ──────────────────────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("name, iri", [
    ("Ivan Petrov", PETROV), ("Иван Петров", PETROV), ("ПЕТРОВ", PETROV), ("petrov", PETROV),
    (unicodedata.normalize("NFD", "ковалёва"), OLGA), ("Ольга Ковалёва", OLGA), ("olga-kovaleva", OLGA),
    (OLGA, OLGA), ("olg", OLGA), ("Kovaleva", OLGA), ("  Anna   Smith ", SMITH), ("пограничный вопрос", BORDER),
    ("border issue", BORDER), ("Peace plan", PLAN1), ("palace-meeting", PALACE_MEETING),
])
def test_find_entity_by_any_label_alias_id_or_unique_prefix(world: Facts, name: str, iri: str) -> None:
    assert find_entity(world, name).iri == iri


def test_find_entity_explains_ambiguity_and_absence(world: Facts) -> None:
    with pytest.raises(AmbiguousEntityError) as e:
        find_entity(world, "peace")
    assert str(e.value) == ("'peace' could name 2 entities: Peace plan (document plan-1); "
                            "Peace plan, revised (document plan-2). Give a longer name or the id.")
    assert [c.iri for c in e.value.candidates] == [PLAN1, PLAN2]
    with pytest.raises(UnknownEntityError, match="^no entity called 'Nobody'"):
        find_entity(world, "Nobody")
    with pytest.raises(UnknownEntityError, match="the store holds none yet"):
        find_entity(Facts(), "Petrov")


# ── how two entities are connected ─────────────────────────────────────────────────────────────────────

def test_path_is_explained_in_words_with_the_statement_behind_each_hop(world: Facts) -> None:
    found = paths(world, "Петров", "border issue")
    assert [p.explain() for p in found] == [[
        "Ivan Petrov — took part in → Meeting at the Palace, 10 Nov 2025 — concerns → border issue",
        "  1. Ivan Petrov — took part in → Meeting at the Palace, 10 Nov 2025",
        "     from the records (no statement behind it)",
        "  2. Meeting at the Palace, 10 Nov 2025 — concerns → border issue",
        # Petrov's position on the issue, said about the meeting, is a statement behind the meeting's issue.
        "     Ivan Petrov, 10 Nov 2025 (petrov-1): “We criticise the border provisions of the plan”",
    ], [
        # Through a membership: as short, but ranked after the path through an event.
        "Ivan Petrov — member of → Ruritania — stance: criticises → border issue",
        "  1. Ivan Petrov — member of → Ruritania",
        "     from the records (no statement behind it)",
        "  2. Ruritania — stance: criticises → border issue",
        "     Ivan Petrov, 10 Nov 2025 (petrov-1): “We criticise the border provisions of the plan”",
    ]]


def test_path_walks_relations_both_ways_and_prefers_hops_with_statements(world: Facts) -> None:
    p = path(world, "Smith", "Petrov")
    assert p.explain() == [
        "Anna Smith — took part in → Meeting at the Palace, 10 Nov 2025 ← took part in — Ivan Petrov",
        "  1. Anna Smith — took part in → Meeting at the Palace, 10 Nov 2025",
        "     Ivan Petrov, 10 Nov 2025 (petrov-1): “We received Anna Smith”",
        "  2. Meeting at the Palace, 10 Nov 2025 ← took part in — Ivan Petrov",
        "     from the records (no statement behind it)",
    ]
    assert p.to_dict()["hops"][1]["direction"] == "backward"
    # The other path of two hops, through the call, has no statement behind it.
    assert [q.nodes[1] for q in paths(world, "Smith", "Petrov")] == [PALACE_MEETING, CALL]


def test_negated_claims_do_not_connect_unless_asked(world: Facts) -> None:
    assert len(path(world, "Kovaleva", "Petrov").hops) == 4  # through Smith; "did not go to" is no link
    p = path(world, "Kovaleva", "Petrov", factualities={"asserted", "negated"})
    assert p.chain() == ("Olga Kovaleva — did not go to → the Palace ← held at — Meeting at the Palace, 10 Nov 2025 "
                         "← took part in — Ivan Petrov")


def test_no_path_is_a_clear_error(world: Facts) -> None:
    with pytest.raises(NoPathError) as e:
        path(world, "Smith", "fisheries")
    assert str(e.value) == ("no path between Anna Smith and fisheries: no chain of events, documents, issues or "
                            "statements connects them")
    with pytest.raises(NoPathError, match="^no path between Anna Smith and Olga Kovaleva as of 2025-11-30"):
        path(world, "Smith", "Kovaleva", as_of=day("2025-11-30"))


# ── the commands ──────────────────────────────────────────────────────────────────────────────────────

def test_cli_path_prints_explained_paths(world_store_path: str) -> None:
    result = CliRunner().invoke(cli, ["--store", world_store_path, "path", "Петров", "border issue", "-n", "1"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Ivan Petrov → border issue: 1 shortest path(s) of 2 hops\n"
        "\n"
        "Ivan Petrov — took part in → Meeting at the Palace, 10 Nov 2025 — concerns → border issue\n"
        "  1. Ivan Petrov — took part in → Meeting at the Palace, 10 Nov 2025\n"
        "     from the records (no statement behind it)\n"
        "  2. Meeting at the Palace, 10 Nov 2025 — concerns → border issue\n"
        "     Ivan Petrov, 10 Nov 2025 (petrov-1): “We criticise the border provisions of the plan”\n")
    result = CliRunner().invoke(cli, ["--store", world_store_path, "path", "smith", "petrov", "--json"])
    data = json.loads(result.output)
    assert [p["text"] for p in data["paths"]] == [
        "Anna Smith — took part in → Meeting at the Palace, 10 Nov 2025 ← took part in — Ivan Petrov",
        "Anna Smith — took part in → Petrov–Smith call, 15 Dec 2025 ← took part in — Ivan Petrov"]
    assert data["paths"][0]["hops"][0]["statements"][0]["quote"] == "We received Anna Smith"


def test_cli_path_errors_exit_1(world_store_path: str) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--store", world_store_path, "path", "smith", "fisheries"])
    assert result.exit_code == 1
    assert result.output == ("Error: no path between Anna Smith and fisheries: no chain of events, documents, "
                             "issues or statements connects them\n")
    result = runner.invoke(cli, ["--store", world_store_path, "path", "peace", "smith"])
    assert result.exit_code == 1 and result.output.startswith("Error: 'peace' could name 2 entities: Peace plan")


def test_cli_analyze_prints_tables(world_store_path: str) -> None:
    result = CliRunner().invoke(cli, ["--store", world_store_path, "analyze", "--from", "2025-11-01",
                                      "--to", "2025-12-31", "--top", "2"])
    assert result.exit_code == 0, result.output
    assert result.output == """\
Who meets whom, 2025-11-01 to 2025-12-31: 4 actors, 4 links, 3 events (betweenness exact)

Most central actors
  actor       side       degree  betweenness  events
  Anna Smith  Freedonia   1.000        0.667       3
  Bob Jones   Freedonia   0.667        0.000       1

Highest betweenness
  actor       side       degree  betweenness  events
  Anna Smith  Freedonia   1.000        0.667       3
  Bob Jones   Freedonia   0.667        0.000       1

Brokers between the sides (share of shortest paths between actors of different sides)
  Anna Smith     2.00  Freedonia – Sylvania 1.00, Ruritania – Sylvania 1.00

Communities (Louvain, seed 42): 1
  1. Anna Smith, Bob Jones, Ivan Petrov, Olga Kovaleva

Most active (events + statements)
  actor        events  statements  total
  Anna Smith        3           0      3
  Ivan Petrov       2           1      3
"""


def test_cli_analyze_json_and_bad_period(world_store_path: str) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--store", world_store_path, "analyze", "--json", "--from", "2025-12-01"])
    data = json.loads(result.output)
    assert data["from"] == "2025-12-01" and data["betweenness"] == "exact"
    assert [r["label"] for r in data["most_active"]] == ["Anna Smith", "Olga Kovaleva", "Ivan Petrov"]
    result = runner.invoke(cli, ["--store", world_store_path, "analyze", "--from", "2026-01-01", "--to", "2025-01-01"])
    assert result.exit_code == 1 and "--from 2026-01-01 is after --to 2025-01-01" in result.output


# ── the bundled example (ingest/samples) ──────────────────────────────────────────────────────────────

SAMPLES = sorted((Path(__file__).parent.parent / "ingest" / "samples").glob("*.yaml"))
PUTIN, WITKOFF, KUSHNER = (f"{ID}actor/{x}" for x in ("vladimir-putin", "steve-witkoff", "jared-kushner"))
KREMLIN_2_DEC = f"{ID}event/kremlin-meeting-2025-12-02"


@pytest.fixture(scope="module")
def sample() -> Facts:
    store = Store.open("memory:")
    ingest_files(store, SAMPLES, check_shapes=False)
    return read_facts(store)


@pytest.fixture(scope="module")
def sample_store_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = str(tmp_path_factory.mktemp("sample") / "store")
    with Store.open(folder, create=True) as store:
        ingest_files(store, SAMPLES, check_shapes=False)
    return folder


def test_sample_kushner_reaches_the_territorial_issue_through_the_2_december_meeting(sample: Facts) -> None:
    p = path(sample, "kushner", "territorial issue")
    assert p.nodes[1] == KREMLIN_2_DEC
    assert p.chain() == ("Jared Kushner — took part in → Putin–Witkoff–Kushner meeting in the Kremlin, 2 Dec 2025 "
                         "— concerns → territorial issue")
    assert [(s.id, s.quote) for s in p.hops[0].said] == [("ushakov-2025-12-02-n1", "Jared Kushner")]
    assert ("ushakov-2025-12-02-q3-a", "Of course, the territorial issue") in [(s.id, s.quote) for s in p.hops[1].said]


def test_sample_putin_and_witkoff_meet_four_times(sample: Facts) -> None:
    # Counted in the record files: the events listing both vladimir-putin and steve-witkoff are
    # kremlin-meeting-2025-08-06, anchorage-summit-2025-08-15 (chronology.yaml), kremlin-meeting-2025-12-02
    # (ushakov-briefing-2025-12-02.yaml) and kremlin-meeting-2026-01-22 (chronology.yaml); no participation
    # claim adds another.
    edge = meetings_graph(sample).edges[PUTIN, WITKOFF]
    assert edge["weight"] == 4
    assert edge["dates"] == ["2025-08-06", "2025-08-15", "2025-12-02", "2026-01-22"]
    assert [e.rsplit("/", 1)[1] for e in edge["events"]] == [
        "kremlin-meeting-2025-08-06", "anchorage-summit-2025-08-15", "kremlin-meeting-2025-12-02",
        "kremlin-meeting-2026-01-22"]
    assert meetings_graph(sample, since=day("2025-11-01"), as_of=day("2025-12-31")).edges[PUTIN, WITKOFF]["weight"] == 1


def test_sample_cli_path_kushner_territorial_issue(sample_store_path: str) -> None:
    result = CliRunner().invoke(cli, ["--store", sample_store_path, "path", "kushner", "territorial issue"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Jared Kushner → territorial issue: ") and lines[0].endswith("of 2 hops")
    assert lines[2] == ("Jared Kushner — took part in → Putin–Witkoff–Kushner meeting in the Kremlin, 2 Dec 2025 "
                        "— concerns → territorial issue")
    assert lines[4] == "     Yuri Ushakov, 2 Dec 2025 (ushakov-2025-12-02-n1): “Jared Kushner”"


def test_sample_cli_path_in_cyrillic(sample_store_path: str) -> None:
    result = CliRunner().invoke(cli, ["--store", sample_store_path, "path", "Уиткофф", "Ушаков"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Steve Witkoff → Yuri Ushakov: ")
    assert lines[2].startswith("Steve Witkoff ") and lines[2].endswith(" Yuri Ushakov")
    assert any(line.startswith("     ") and "“" in line for line in lines)  # a hop with its quote


def test_sample_cli_analyze_prints_the_most_central_actors(sample: Facts, sample_store_path: str) -> None:
    result = CliRunner().invoke(cli, ["--store", sample_store_path, "analyze", "--from", "2025-11-01",
                                      "--to", "2025-12-31"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Who meets whom, 2025-11-01 to 2025-12-31: ") and "(betweenness exact)" in lines[0]
    top = lines[lines.index("Most central actors") + 2:][:2]
    # Witkoff and Kushner went to the most meetings with the most different people in Nov–Dec 2025.
    assert sorted(line.split("  ")[1] for line in top) == ["Jared Kushner", "Steve Witkoff"]
    a = analyze(sample, since=day("2025-11-01"), as_of=day("2025-12-31"))
    assert {s.actor for s in a.by_degree[:2]} == {KUSHNER, WITKOFF}
    assert a.by_degree[0].degree == a.by_degree[1].degree
