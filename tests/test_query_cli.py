"""`parley query` and `parley queries`: exact output in every format, exit codes, named queries with
parameters, and a runaway query that is really stopped while the process stays usable."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Literal, URIRef

from graph import named_queries, sparql
from graph.errors import QueryError
from graph.iri import mint
from graph.store import Store
from ontology import namespaces as ns
from ontology.namespaces import PARLEY, RDF, RDFS, ROLE, SEM, SKOS
from ui.cli import cli

ALICE, BORIS = mint("actor", "alice"), mint("actor", "boris")
GENEVA, TALKS = mint("place", "geneva"), mint("event", "geneva-talks-2025-11-23")


def _tiny_graphs() -> dict[URIRef, list[tuple[URIRef, URIRef, URIRef | Literal]]]:
    p1, p2 = mint("participation", "geneva-talks-2025-11-23-1"), mint("participation", "geneva-talks-2025-11-23-2")
    return {
        ALICE: [(ALICE, RDF.type, PARLEY.Actor), (ALICE, RDFS.label, Literal("Alice", lang="en")),
                (ALICE, SKOS.altLabel, Literal("Алиса"))],
        BORIS: [(BORIS, RDF.type, PARLEY.Actor), (BORIS, RDFS.label, Literal("Boris", lang="en"))],
        GENEVA: [(GENEVA, RDF.type, ns.SCHEMA.Place), (GENEVA, RDFS.label, Literal("Geneva", lang="en"))],
        TALKS: [(TALKS, RDF.type, SEM.Event), (TALKS, RDF.type, PARLEY.Meeting),
                (TALKS, RDFS.label, Literal("Geneva talks")),
                (TALKS, SEM.hasTimeStamp, Literal("2025-11-23", datatype=ns.XSD.date)), (TALKS, SEM.hasPlace, GENEVA),
                (p1, RDF.type, PARLEY.Participation), (p1, PARLEY.event, TALKS), (p1, PARLEY.participant, ALICE),
                (p1, SEM.roleType, ROLE.host), (p2, RDF.type, PARLEY.Participation), (p2, PARLEY.event, TALKS),
                (p2, PARLEY.participant, BORIS), (p2, SEM.roleType, ROLE.guest), (p2, PARLEY.onBehalfOf, ALICE)],
    }


@pytest.fixture
def store_path(tmp_path: Path) -> str:
    """A folder holding a tiny on-disk store: two actors, a place and one meeting; closed, ready for the CLI."""
    path = str(tmp_path / "store")
    with Store.open(path, create=True) as store:
        store.write(put=_tiny_graphs())  # type: ignore[arg-type]
    return path


def parley(store: str, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--store", store, *args], input=input)


ACTORS = "SELECT ?who ?name WHERE { ?who a parley:Actor ; rdfs:label ?name } ORDER BY ?name"


def test_table_is_aligned_with_short_names_and_a_count(store_path: str) -> None:
    result = parley(store_path, "query", "-", input=ACTORS)
    assert result.exit_code == 0, result.output
    assert result.stdout == ("who          name\n"
                             "-----------  -----\n"
                             "actor/alice  Alice\n"
                             "actor/boris  Boris\n"
                             "(2 rows)\n")


def test_csv(store_path: str) -> None:
    result = parley(store_path, "query", "--format", "csv", "-", input=ACTORS)
    assert result.exit_code == 0
    assert result.stdout_bytes == (b"who,name\r\n"
                                   b"https://parley.example/id/actor/alice,Alice\r\n"
                                   b"https://parley.example/id/actor/boris,Boris\r\n")


def test_tsv(store_path: str) -> None:
    result = parley(store_path, "query", "-f", "tsv", "-", input=ACTORS)
    assert result.exit_code == 0
    assert result.stdout == ("?who\t?name\n"
                             "<https://parley.example/id/actor/alice>\t\"Alice\"@en\n"
                             "<https://parley.example/id/actor/boris>\t\"Boris\"@en\n")


def test_json_is_sparql_results_json(store_path: str) -> None:
    result = parley(store_path, "query", "-f", "json", "-", input=ACTORS)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "head": {"vars": ["who", "name"]},
        "results": {"bindings": [
            {"who": {"type": "uri", "value": str(ALICE)}, "name": {"type": "literal", "value": "Alice", "xml:lang": "en"}},
            {"who": {"type": "uri", "value": str(BORIS)}, "name": {"type": "literal", "value": "Boris", "xml:lang": "en"}},
        ]}}


def test_ask(store_path: str) -> None:
    assert parley(store_path, "query", "-", input="ASK { ?s a parley:Meeting }").stdout == "true\n"
    assert parley(store_path, "query", "-f", "json", "-", input="ASK { ?s a parley:Call }").stdout == \
        '{"head":{},"boolean":false}\n'


GEO = "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a schema:Place ; rdfs:label ?l }"


def test_construct_as_turtle_and_n_triples(store_path: str) -> None:
    ttl = parley(store_path, "query", "-f", "ttl", "-", input=GEO)
    assert ttl.exit_code == 0
    assert ttl.stdout == ("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                          "<https://parley.example/id/place/geneva> rdfs:label \"Geneva\"@en .\n")
    nt = parley(store_path, "query", "-f", "nt", "-", input=GEO)
    assert nt.stdout == ("<https://parley.example/id/place/geneva> <http://www.w3.org/2000/01/rdf-schema#label> "
                         "\"Geneva\"@en .\n")
    table = parley(store_path, "query", "-", input=GEO)
    assert table.stdout == ("subject       predicate   object\n"
                            "------------  ----------  ------\n"
                            "place/geneva  rdfs:label  Geneva\n"
                            "(1 triple)\n")


@pytest.mark.parametrize("fmt, query, message", [
    ("ttl", ACTORS, "Error: --format ttl is for CONSTRUCT and DESCRIBE results; this SELECT gives rows: "
                    "use table, csv, tsv or json\n"),
    ("csv", GEO, "Error: --format csv is for SELECT and ASK results; this CONSTRUCT gives a graph: "
                 "use ttl, nt or table\n"),
])
def test_a_format_that_does_not_fit_is_an_error(store_path: str, fmt: str, query: str, message: str) -> None:
    result = parley(store_path, "query", "-f", fmt, "-", input=query)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)


def test_row_cap_marks_a_cut_answer(store_path: str) -> None:
    table = parley(store_path, "query", "--limit", "1", "-", input=ACTORS)
    assert table.exit_code == 0
    assert table.stdout.splitlines()[-2:] == [
        "actor/alice  Alice", "(1 row shown: the answer has more, cut at the limit of 1)"]
    csv = parley(store_path, "query", "--limit", "1", "-f", "csv", "-", input=ACTORS)
    assert csv.stdout_bytes == b"who,name\r\nhttps://parley.example/id/actor/alice,Alice\r\n"
    assert csv.stderr == ("Warning: the answer has more than 1 rows; only the first 1 were written "
                          "(raise --limit for more)\n")


def test_the_query_itself_as_the_argument_runs_as_from_stdin(store_path: str) -> None:
    piped = parley(store_path, "query", "-f", "csv", "-", input=ACTORS)
    assert piped.exit_code == 0 and piped.stdout.startswith("who,name")
    lower = "select ?who ?name where { ?who a parley:Actor ; rdfs:label ?name } order by ?name"
    for text in (ACTORS, f"# actors\n  {lower}", f"PREFIX parley: <{PARLEY}>\n{ACTORS}"):
        given = parley(store_path, "query", "-f", "csv", text)
        assert (given.exit_code, given.stdout) == (0, piped.stdout), text
    # slashes in its IRIs, and longer than a file name may be: still the query, not a file to read
    long = "SELECT ?who " + " ".join(f"?v{i}" for i in range(100)) + f" WHERE {{ ?who a <{PARLEY.Actor}> }}"
    given = parley(store_path, "query", "-f", "csv", long)
    assert given.exit_code == 0 and given.stdout.splitlines()[1:] == [f"{ALICE}" + "," * 100, f"{BORIS}" + "," * 100]
    # mistakes in it are reported as in a file, with line and column
    given = parley(store_path, "query", "SELECT *\nWHERE { ?s ?p }")
    assert (given.exit_code, given.stderr) == (
        1, "Error: SPARQL syntax error at line 2, column 9: cannot read the query from here: '?s ?p }'\n")


def test_an_argument_that_is_neither_a_query_nor_a_name_nor_a_file(store_path: str, tmp_path: Path) -> None:
    name = "x" * 300  # too long for a file name: said plainly, not as an OSError
    result = parley(store_path, "query", name)
    assert (result.exit_code, result.stderr) == (1, f"Error: no named query '{name}'; `parley queries` lists them\n")
    result = parley(store_path, "query", "describe-the-actors")  # starts like DESCRIBE, but is a name
    assert (result.exit_code, result.stderr) == (
        1, "Error: no named query 'describe-the-actors'; `parley queries` lists them\n")
    odd = tmp_path / "SELECT everything"  # a file that starts like a query is read as the file it is
    odd.write_text(ACTORS, encoding="utf-8")
    result = parley(store_path, "query", "-f", "csv", str(odd))
    assert result.exit_code == 0 and result.stdout.splitlines()[0] == "who,name"


def test_refused_query_exits_1_with_the_guards_message(store_path: str) -> None:
    result = parley(store_path, "query", "-", input="SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == ("Error: query refused: SERVICE is not allowed (line 1, column 18); "
                             "Parley never sends queries to other endpoints\n")


def test_syntax_error_exits_1_with_line_and_column(store_path: str) -> None:
    result = parley(store_path, "query", "-", input="SELECT *\nWHERE { ?s ?p }")
    assert result.exit_code == 1
    assert result.stderr == "Error: SPARQL syntax error at line 2, column 9: cannot read the query from here: '?s ?p }'\n"


def test_the_console_script_refuses_service(tmp_path: Path) -> None:
    """The real `parley` process, as in the issue: exit 1 and the guard's message."""
    script = Path(sys.executable).parent / "parley"
    done = subprocess.run([str(script), "--store", "memory:", "query", "-"], capture_output=True, text=True,
                          input="SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", timeout=60)
    assert done.returncode == 1
    assert "Error: query refused: SERVICE is not allowed" in done.stderr


def test_who_met_whom_on_the_tiny_store(store_path: str) -> None:
    result = parley(store_path, "query", "who-met-whom", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "date,event,kind,place,actor,name,role,on_behalf_of",
        f"2025-11-23,{TALKS},meeting,{GENEVA},{BORIS},Boris,{ROLE.guest},{ALICE}",
        f"2025-11-23,{TALKS},meeting,{GENEVA},{ALICE},Alice,{ROLE.host},",
    ]


def test_date_params_and_most_active(store_path: str) -> None:
    result = parley(store_path, "query", "most-active", "--param", "from=2025-11-01", "--param", "to=2025-11-30")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("actor        name   events  statements  total\n"
                             "-----------  -----  ------  ----------  -----\n"
                             "actor/alice  Alice  1       0           1\n"
                             "actor/boris  Boris  1       0           1\n"
                             "(2 rows)\n")
    empty = parley(store_path, "query", "most-active", "-p", "from=2025-12-01", "-p", "to=2025-12-31")
    assert empty.stdout.endswith("(0 rows)\n")


@pytest.mark.parametrize("args, message", [
    (["most-active", "-p", "from=2025-11-01"],
     "Error: query 'most-active' needs parameter 'to' (date): give --param to=…\n"),
    (["most-active", "-p", "from=2025-11-01", "-p", "to=2025-11-31"],
     "Error: parameter 'to': '2025-11-31' is not a date; write YYYY-MM-DD\n"),
    (["who-met-whom", "-p", "actor=alice"],
     "Error: unknown parameter 'actor' for query 'who-met-whom'; it takes no parameters\n"),
    (["mentions", "-p", "entity=Zoe"],
     "Error: parameter 'entity': no record 'Zoe' in the store (looked for the id and every label and alias)\n"),
    (["no-such-query"], "Error: no named query 'no-such-query'; `parley queries` lists them\n"),
])
def test_parameter_errors_name_the_parameter(store_path: str, args: list[str], message: str) -> None:
    result = parley(store_path, "query", *args)
    assert (result.exit_code, result.stderr) == (1, message)


def test_entity_params_take_an_id_or_any_label(store_path: str, tmp_path: Path) -> None:
    query = tmp_path / "roles.rq"
    query.write_text("# title: Roles\n# param: who (actor) someone\n"
                     "SELECT ?role WHERE { ?p parley:participant ?who ; sem:roleType ?role }\n", encoding="utf-8")
    for value in ("alice", "Alice", "алиса", "ALICE"):
        result = parley(store_path, "query", str(query), "-p", f"who={value}", "-f", "csv")
        assert result.stdout_bytes == f"role\r\n{ROLE.host}\r\n".encode(), value


def test_queries_lists_every_named_query(store_path: str) -> None:
    result = parley(store_path, "queries")
    assert result.exit_code == 0
    names = sorted(p.stem for p in named_queries.QUERIES_DIR.glob("*.rq"))
    assert [line.split(":")[0] for line in result.stdout.splitlines() if line and not line.startswith(" ")] == names
    assert "    --param actor=<actor>  the actor, by id (vladimir-putin) or any name or alias (Putin, Путин)" \
        in result.stdout.splitlines()
    listed = json.loads(parley(store_path, "queries", "--json").stdout)
    assert {q["name"] for q in listed} == set(names)
    assert all(q["title"] and q["description"] for q in listed)


def test_show_prefixes(store_path: str) -> None:
    result = parley(store_path, "query", "--show-prefixes")
    assert result.exit_code == 0
    assert "PREFIX parley:  <https://parley.example/ontology#>" in result.stdout.splitlines()


@pytest.mark.parametrize("command", ["query", "queries", "serve"])
def test_help_ends_with_an_example(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "-h"])
    assert result.exit_code == 0
    assert "Example:\n" in result.stdout
    assert f"parley {command if command != 'queries' else 'quer'}" in result.stdout.split("Example:")[1]


@pytest.fixture
def big_store_path(tmp_path: Path) -> Iterator[str]:
    """An on-disk store of 20,000 triples in 20 named graphs."""
    path = str(tmp_path / "big")
    p = URIRef("https://parley.example/ontology#n")
    with Store.open(path, create=True) as store:
        store.write(put={URIRef(f"https://parley.example/id/g/{g}"): [
            (URIRef(f"https://parley.example/id/x/{g}-{i}"), p, Literal(i)) for i in range(1000)] for g in range(20)})
    yield path


def test_runaway_query_is_stopped_and_the_process_stays_healthy(big_store_path: str) -> None:
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    result = parley(big_store_path, "query", "--timeout", "1", "-", input=runaway)
    elapsed = time.monotonic() - started
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: query stopped after 1 s; narrow it, or raise --timeout\n"
    assert elapsed < 3, elapsed
    after = parley(big_store_path, "query", "-f", "csv", "-", input="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert (after.exit_code, after.stdout_bytes) == (0, b"n\r\n20000\r\n")


def test_runaway_query_in_the_library_leaves_the_owner_able_to_write(big_store_path: str) -> None:
    with Store.open(big_store_path) as store:
        with pytest.raises(QueryError, match=r"^query stopped after 1.5 s"):
            sparql.run(store, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout=1.5)
        store.write(put={ALICE: [(ALICE, RDFS.label, Literal("Alice", lang="en"))]})
        count = sparql.run(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows
        assert count == [(Literal(20001, datatype=ns.XSD.integer),)]


def test_the_kept_read_only_view_sees_every_write(store_path: str) -> None:
    """The worker keeps its view of the store between queries; a write of the owner is seen at once."""
    names = "SELECT ?name WHERE { ?who rdfs:label ?name } ORDER BY ?name"
    with Store.open(store_path) as store:
        for n in range(3):
            extra = mint("actor", f"extra-{n}")
            before = sparql.run(store, names).rows
            assert sparql.run(store, names).rows == before
            store.write(put={extra: [(extra, RDFS.label, Literal(f"Extra {n}"))]})
            after = sparql.run(store, names).rows
            assert sorted(map(str, after)) == sorted(map(str, [*before, (Literal(f"Extra {n}"),)]))
            store.remove_graph(extra)
            assert sparql.run(store, names).rows == before


def test_a_refused_query_is_refused_every_time(store_path: str) -> None:
    """The guard's verdicts are remembered only for queries it let through."""
    with Store.open(store_path) as store:
        for _ in range(2):
            with pytest.raises(QueryError, match=r"^SPARQL syntax error at line 1, column 29"):
                sparql.run(store, "SELECT * WHERE { ?s ?p ?o } LIMT 3")
        assert sparql.run(store, "ASK { ?s ?p ?o }").boolean is True
        assert sparql.run(store, "ASK { ?s ?p ?o }").boolean is True


def test_a_remote_store_runs_guarded_queries(oxigraph_server: str) -> None:
    with Store.open(oxigraph_server) as store:
        store.backend.update("CLEAR ALL")
        store.write(put=_tiny_graphs())  # type: ignore[arg-type]
        result = sparql.run(store, ACTORS, limit=1)
        assert (result.rows, result.truncated) == ([(ALICE, Literal("Alice", lang="en"))], True)
        assert sparql.run(store, f"ASK FROM <{ALICE}> {{ ?s rdfs:label 'Alice'@en }}").boolean is True
        with pytest.raises(QueryError, match=r"^query refused: FROM <file:///etc/passwd> is not a graph"):
            sparql.run(store, "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }")
        with pytest.raises(QueryError, match=r"^query refused: SERVICE is not allowed"):
            sparql.run(store, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")


def test_a_silent_remote_endpoint_is_stopped_at_the_limit() -> None:
    """An endpoint that never answers: the HTTP timeout is the query's limit."""
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        store = Store.open(f"http://127.0.0.1:{silent.getsockname()[1]}")
        started = time.monotonic()
        with pytest.raises(QueryError) as caught:
            sparql.run(store, "SELECT * WHERE { ?s ?p ?o }", timeout=1)
        assert time.monotonic() - started < 3
        assert str(caught.value).startswith("query stopped after 1 s; narrow it, or raise --timeout")


def test_a_100_mb_query_on_stdin_is_refused_by_size(store_path: str) -> None:
    query = "SELECT * WHERE { ?s ?p ?o }" + " " * (104_857_600 - 27)
    result = parley(store_path, "query", "-", input=query)
    assert (result.exit_code, result.stderr) == (1, "Error: query is 104,857,600 bytes, over the 1,048,576-byte limit\n")
