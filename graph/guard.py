"""The one read-only guard for every SPARQL query a person types (CLI, UI, endpoint).

A query passes only if it reads: SELECT, ASK, CONSTRUCT or DESCRIBE, with no SERVICE anywhere, no update
or LOAD, and FROM / FROM NAMED only for graphs the store holds. Refusals and syntax errors say what and
where (line, column). rdflib's parser checks the structure; a small lexer finds keyword positions, which
rdflib's parse tree does not keep. The engine (Oxigraph) then runs exactly the text checked here.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from graph.errors import QueryError

MAX_QUERY_BYTES = 1_048_576
# rdflib's parser recurses per bracket level and hits Python's recursion limit near 28 nested
# parentheses; pyoxigraph's parser overflows the C stack (the process dies) a few thousand levels
# deep. Both are far above what a real query needs, so depth is capped before either parser sees it.
# (Long flat chains, `a || b || …` or `{…} UNION {…} UNION …`, also recurse in the engine:
# graph.sparql runs the engine on a thread with a large stack.)
MAX_NESTING = 24

FORMS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "construct", "DescribeQuery": "describe"}
# Words that begin SPARQL Update operations; none of them is a keyword or function of the query language.
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
_UPDATE_SECOND = {"DATA", "WHERE", "ALL", "DEFAULT", "NAMED", "GRAPH", "SILENT"}

_PN_LOCAL_CHAR = r"(?:[\w:%\-]|\\[_~.\-!$&'()*+,;=/?#@%])"
_LEX = re.compile(
    r'(?P<ws>\s+)'
    r'|(?P<comment>\#[^\r\n]*)'
    r'|(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r'|(?P<var>[?$][\w\u00b7\u203f\u2040]+)'
    r'|(?P<bnode>_:[\w.\-]*)'
    rf'|(?P<pname>(?:[^\W\d_](?:[\w.\-]*[\w\-])?)?:(?:{_PN_LOCAL_CHAR}(?:{_PN_LOCAL_CHAR}|\.)*(?<!\.))?)'
    r'|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)'
    r'|(?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)'
    r'|(?P<word>[A-Za-z_]\w*)'
    r'|(?P<open>[{(\[])'
    r'|(?P<close>[})\]])'
    r'|(?P<other>.)',
    re.DOTALL,
)

_PARSER_LOCK = threading.Lock()  # rdflib's SPARQL parser is not thread-safe
_DEEP_STACK = 512 * 1024 * 1024  # address space only: pages are touched as the recursion goes
_DEEP_RECURSION = 200_000
_STACK_LOCK = threading.Lock()


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    offset: int


@dataclass(frozen=True)
class DatasetClause:
    """A FROM or FROM NAMED clause: its keyword, the IRI it names, and where it stands in the query."""

    keyword: str
    iri: str
    where: str


@dataclass(frozen=True)
class CheckedQuery:
    """A query the guard let through.

    :ivar text: what the engine runs: PREFIX lines for the predeclared prefixes it uses, then the query.
    :ivar form: ``select``, ``ask``, ``construct`` or ``describe``.
    :ivar source: the query as it was given.
    :ivar datasets: its FROM / FROM NAMED clauses, which `check_datasets` holds against the store.
    """

    text: str
    form: str
    source: str
    datasets: tuple[DatasetClause, ...] = ()

    @property
    def gives_graph(self) -> bool:
        return self.form in ("construct", "describe")


def predeclared_prefixes() -> dict[str, str]:
    """The prefixes every query may use without declaring them (Parley's own and the vocabularies it reuses)."""
    from ontology.namespaces import PREFIXES

    return {str(k): str(v) for k, v in PREFIXES.items()}


def prefix_lines() -> str:
    """The predeclared prefixes as SPARQL PREFIX lines, one a line.

    >>> print(prefix_lines().splitlines()[0])
    PREFIX dcterms: <http://purl.org/dc/terms/>
    """
    width = max((len(p) for p in predeclared_prefixes()), default=0) + 1
    return "".join(f"PREFIX {p + ':':<{width}} <{ns}>\n" for p, ns in sorted(predeclared_prefixes().items()))


def tokens(text: str) -> Iterator[Token]:
    """The query's tokens, without whitespace and comments; strings and IRIs are single tokens, so a
    keyword inside them is never mistaken for one."""
    for m in _LEX.finditer(text):
        kind = m.lastgroup or "other"
        if kind not in ("ws", "comment"):
            yield Token(kind, m.group(), m.start())


def query_form(query: str) -> str | None:
    """The form of a query from its first keyword (``select``, ``ask``, ``construct``, ``describe``),
    without parsing it: enough to pick an output format before running.

    >>> query_form("PREFIX ex: <http://x/> CONSTRUCT { ?s ?p ?o } WHERE { { SELECT * { ?s ?p ?o } } }")
    'construct'
    """
    for t in tokens(query):
        if t.kind == "word" and t.text.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return t.text.lower()
    return None


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _where(text: str, offset: int) -> str:
    line, col = position(text, offset)
    return f"line {line}, column {col}"


def check(query: str, *, is_store_graph: Callable[[str], bool] | None = None) -> CheckedQuery:
    """Let a query through only if it just reads this store; otherwise raise QueryError saying why and where.

    rdflib's parser is slow on large expressions (seconds for a 40 KB FILTER): `graph.sparql.run` calls
    this in a worker process under the query's time limit, after the fast `precheck` here.

    :param is_store_graph: says whether an IRI names a graph of the store; FROM / FROM NAMED are allowed
        only for those. Without it, every FROM is refused.
    :raises QueryError: the query is too large, nests too deep, does not parse, is an update, uses
        SERVICE or LOAD, or reads a graph from outside the store.

    >>> check("SELECT ?s WHERE { ?s ?p ?o }").form
    'select'
    >>> check("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    graph.errors.QueryError: query refused: SERVICE is not allowed (line 1, column 18); Parley never sends queries to other endpoints
    """
    checked = parse_checked(query)
    check_datasets(checked, is_store_graph)
    return checked


def precheck(query: str) -> list[Token]:
    """The fast, linear part of the guard: size, nesting, and the keywords of updates, LOAD and SERVICE.

    :raises QueryError: as `check`.
    """
    _check_size(query)
    # Read twice: as Oxigraph reads it (escapes stay escapes) and as rdflib reads it (\u escapes
    # expanded first, as the SPARQL spec says), so that no keyword hides from either reading.
    toks = list(tokens(query))
    _check_nesting(query, toks)
    _check_keywords(query, toks)
    text = _expand_escapes(query)
    if text != query:
        toks = list(tokens(text))
        _check_nesting(text, toks)
        _check_keywords(text, toks)
    return toks


def parse_checked(query: str) -> CheckedQuery:
    """`precheck`, then parse with rdflib and check the parse tree; FROM clauses are returned, not judged."""
    toks = precheck(query)
    text = _expand_escapes(query)
    declared = {t.text[:-1] for prev, t in zip(toks, toks[1:]) if prev.kind == "word"
                and prev.text.upper() == "PREFIX" and t.kind == "pname" and t.text.endswith(":")}
    known = predeclared_prefixes()
    used = sorted({t.text.split(":", 1)[0] for t in toks if t.kind == "pname"} - declared)
    header = "".join(f"PREFIX {p}: <{known[p]}>\n" for p in used if p in known)
    full = header + query
    tree = _parse(full, header.count("\n"))
    form = FORMS.get(getattr(tree[1], "name", ""), "")
    if not form:
        raise QueryError("query refused: only SELECT, ASK, CONSTRUCT and DESCRIBE queries are allowed")
    for node in _walk(tree):
        if getattr(node, "name", None) == "ServiceGraphPattern":  # the lexer missed it: refuse all the same
            raise QueryError("query refused: SERVICE is not allowed; Parley never sends queries to other endpoints")
    datasets = _datasets(text, toks, tree)
    for reading, reading_toks in ((query, list(tokens(query))), (text, toks)):
        froms = [t for t in reading_toks if t.kind == "word" and t.text.upper() == "FROM"]
        if len(froms) != len(datasets):  # the two readings disagree (a comment ended by a bare CR, …)
            where = _where(reading, froms[-1].offset) if froms else "unknown position"
            raise QueryError(f"query refused: a FROM clause could not be checked ({where}); "
                             f"write each FROM <graph> on a line of its own, outside comments")
    return CheckedQuery(full, form, query, datasets)


def check_datasets(checked: CheckedQuery, is_store_graph: Callable[[str], bool] | None) -> None:
    """Refuse FROM / FROM NAMED clauses that do not name a graph of the store.

    :raises QueryError: naming the clause and where it stands.
    """
    for clause in checked.datasets:
        if is_store_graph is not None and re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", clause.iri) \
                and is_store_graph(clause.iri):
            continue
        where = f" ({clause.where})" if clause.where else ""
        raise QueryError(f"query refused: {clause.keyword} <{clause.iri}> is not a graph of this store{where}; "
                         f"Parley never fetches graphs, it queries only its own store")


def _check_size(query: str) -> None:
    if len(query) > MAX_QUERY_BYTES or len(query.encode("utf-8", "surrogatepass")) > MAX_QUERY_BYTES:
        size = len(query.encode("utf-8", "surrogatepass"))
        raise QueryError(f"query is {size:,} bytes, over the {MAX_QUERY_BYTES:,}-byte limit")


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _expand_escapes(query: str) -> str:
    """The text as SPARQL parsers read it: \\uXXXX and \\UXXXXXXXX escapes expanded everywhere, so that
    a keyword spelt with escapes (``\\u0053ERVICE``) is still found."""
    def expand(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            line, col = position(query, m.start())
            raise QueryError(f"SPARQL syntax error at line {line}, column {col}: "
                             f"{m.group()} is not a Unicode character") from None

    return _ESCAPE.sub(expand, query)


def _check_nesting(text: str, toks: list[Token]) -> None:
    depth = 0
    for t in toks:
        if t.kind == "open":
            depth += 1
            if depth > MAX_NESTING:
                raise QueryError(f"query refused: brackets nest more than {MAX_NESTING} levels deep "
                                 f"({_where(text, t.offset)}); flatten the query")
        elif t.kind == "close":
            depth = max(0, depth - 1)


def _check_keywords(text: str, toks: list[Token]) -> None:
    for i, t in enumerate(toks):
        if t.kind != "word":
            continue
        word = t.text.upper()
        if word == "SERVICE":
            raise QueryError(f"query refused: SERVICE is not allowed ({_where(text, t.offset)}); "
                             f"Parley never sends queries to other endpoints")
        if word == "LOAD":
            raise QueryError(f"query refused: LOAD is not allowed ({_where(text, t.offset)}); Parley never "
                             f"fetches data from URLs, and queries only read the store")
        if word in UPDATE_WORDS:
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            name = word
            if nxt is not None and nxt.kind == "word" and nxt.text.upper() in _UPDATE_SECOND:
                name += " " + nxt.text.upper()
            raise QueryError(f"query refused: {name} is an update ({_where(text, t.offset)}); queries only "
                             f"read the store: change it with `parley ingest`")


def _parse(text: str, header_lines: int) -> Any:
    with _PARSER_LOCK:
        import rdflib.plugins.sparql as rdflib_sparql
        from pyparsing import ParseBaseException
        from rdflib.plugins.sparql.parser import parseQuery

        # Only rdflib's parser is used here, never its evaluator; this still keeps any rdflib evaluation
        # in this process from fetching FROM graphs.
        rdflib_sparql.SPARQL_LOAD_GRAPHS = False
        try:
            try:
                return parseQuery(text)
            except RecursionError:
                return _parse_deep(parseQuery, text)
        except ParseBaseException as e:
            raise QueryError(_syntax_message(e, header_lines)) from None
        except RecursionError:
            raise QueryError("query refused: it is too long or nests too deeply for the guard to check; "
                             "split it") from None
        except (ValueError, TypeError) as e:  # rdflib raises these for some malformed terms
            raise QueryError(f"SPARQL syntax error: {e}") from None


def _parse_deep(parse: Callable[[str], Any], text: str) -> Any:
    """Parse on a thread with a large stack and a raised recursion limit: rdflib's grammar recurses once
    per triple pattern, so one block of ~60 patterns already exceeds Python's default limit. The limit
    is process-wide while this runs, which is why it is tried only after a normal parse failed (and why
    `graph.sparql` parses in a worker process)."""
    def work() -> Any:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(_DEEP_RECURSION)
        try:
            return parse(text)
        finally:
            sys.setrecursionlimit(old)

    return on_big_stack(work, _DEEP_STACK, "parley-sparql-parse")


_T = TypeVar("_T")


def on_big_stack(work: Callable[[], _T], stack_size: int, name: str) -> _T:
    """Run `work` on a thread with a stack of `stack_size` bytes and wait for it; its exception is raised
    here. The stack size is process-wide and read when a thread starts, so one lock guards every change
    of it. Where the system refuses so large a stack, `work` runs on this thread instead."""
    out: list[_T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            out.append(work())
        except BaseException as e:  # noqa: BLE001 - raised again in the calling thread
            error.append(e)

    thread = threading.Thread(target=target, name=name, daemon=True)
    with _STACK_LOCK:
        previous = threading.stack_size(stack_size)
        try:
            thread.start()
        except RuntimeError:
            threading.stack_size(previous)
            return work()
        finally:
            threading.stack_size(previous)
    thread.join()
    if error:
        raise error[0]
    return out[0]


def _syntax_message(e: Any, header_lines: int) -> str:
    line = max(1, int(e.lineno) - header_lines)
    rest = str(e.pstr)[e.loc:].split("\n", 1)[0].strip()
    snippet = rest[:40] + ("…" if len(rest) > 40 else "")
    msg = str(e.msg)
    if not rest:
        detail = "the query ends too early (is a bracket or quote left open?)"
    elif msg == "Expected end of text":
        detail = f"unexpected text after the end of the query: {snippet!r}"
    elif msg.startswith("Expected {SelectQuery"):
        detail = f"expected SELECT, ASK, CONSTRUCT or DESCRIBE, found {snippet!r}"
    elif re.fullmatch(r"Expected (Select|Construct|Describe|Ask)Query", msg):
        detail = f"cannot read the query from here: {snippet!r}"
    else:
        detail = f"{msg[:1].lower() + msg[1:]}, found {snippet!r}"
    return f"SPARQL syntax error at line {line}, column {e.col}: {detail}"


def _walk(node: Any) -> Iterator[Any]:
    """Every node of an rdflib parse tree (CompValue dicts, ParseResults and lists)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, dict):
            stack.extend(n.values())
        elif isinstance(n, (list, tuple)) or type(n).__name__ == "ParseResults":
            stack.extend(list(n))


def _datasets(text: str, toks: list[Token], tree: Any) -> tuple[DatasetClause, ...]:
    clauses = dict.get(tree[1], "datasetClause") or []  # CompValue.get returns the key when it is missing
    prefixes = {str(dict.get(d, "prefix") or ""): str(dict.get(d, "iri"))
                for d in tree[0] if getattr(d, "name", "") == "PrefixDecl"}
    froms = [t for t in toks if t.kind == "word" and t.text.upper() == "FROM"]
    out = []
    for n, clause in enumerate(clauses):
        named = dict.get(clause, "named") is not None
        term: Any = dict.get(clause, "named") if named else dict.get(clause, "default")
        if getattr(term, "name", None) == "pname":
            iri = prefixes.get(str(dict.get(term, "prefix") or ""), "") + str(dict.get(term, "localname") or "")
        else:
            iri = str(term)
        where = _where(text, froms[n].offset) if n < len(froms) else ""
        out.append(DatasetClause("FROM NAMED" if named else "FROM", iri, where))
    return tuple(out)


__all__ = ["CheckedQuery", "DatasetClause", "MAX_NESTING", "MAX_QUERY_BYTES", "check", "check_datasets",
           "parse_checked", "precheck", "predeclared_prefixes", "prefix_lines", "query_form", "tokens"]
