"""`parley query`, `parley queries` and `parley serve`: SPARQL for people, through the one read-only guard.

`parley serve` is a small standard-library HTTP server in front of `graph.sparql.run`, not the engine's
own `oxigraph serve-read-only`, for these reasons (each checked with oxigraph 0.5.13):

- Every query must pass Parley's guard, and Oxigraph's server runs SERVICE (outbound HTTP) itself; a
  guard in front would have to read and forward every request anyway, so the proxy would be most of
  this server already.
- `oxigraph serve-read-only --timeout-s` does stop a runaway query, but answers it with status 200 and
  a body that breaks off mid-JSON with "The SPARQL operation has been cancelled": a client can take a
  partial answer for a complete one. Here a stopped query is a 503 with a message.
- Its help calls opening a store read-only while another process writes it "undefined behaviour", and
  a long-lived read-only view sees the store as it was when the server started. Parley's runner opens a
  fresh read-only view per query in a worker process (after the owner flushed) and kills that worker
  at the time limit, so later ingests are seen and the serving process stays healthy.
- The same endpoint then works over `memory:` and remote stores too.

The engine still does the work: the worker runs the query in Oxigraph. For a team, run one
`oxigraph serve --location DIR --timeout-s 30` that owns the shared store and point every Parley client
at it with `--store http://host:7878`; `parley serve` is for reading one analyst's own store.
"""

from __future__ import annotations

import ipaddress
import json
import re
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import click

from graph import files, guard
from graph.errors import ParleyError, QueryError
from graph.named_queries import NamedQuery, bind_params, list_queries, load_query
from graph.results import serialize
from graph.sparql import DEFAULT_ROW_LIMIT, DEFAULT_TIMEOUT, run
from graph.store import Store
from ui.cli import CONTEXT, State, cli, output_options, pass_state

FORMATS = ["table", "csv", "tsv", "json", "ttl", "nt"]
DEFAULT_PORT = 7878


# A QUERY argument that reads as SPARQL: its form or a PREFIX/BASE line, after any comment lines.
_INLINE = re.compile(r"\s*(?:#[^\n]*(?:\n\s*|$))*(?:SELECT|ASK|CONSTRUCT|DESCRIBE|PREFIX|BASE)(?=[\s{*?(<])",
                     re.IGNORECASE)


def read_query(source: str) -> NamedQuery:
    """A named query (NAME), a query file (FILE.rq or any path), standard input (-), or the query itself
    (an argument that starts like SPARQL, unless a file has that name)."""
    if source == "-":
        data = sys.stdin.buffer.read()
        return NamedQuery.from_text("stdin", _text(data, "standard input"))
    path = Path(source)
    if _INLINE.match(source) and not files.is_file(path):
        return NamedQuery.from_text("query", source)
    if source.endswith(".rq") or "/" in source or files.is_file(path):
        try:
            size = path.stat().st_size
            if size > guard.MAX_QUERY_BYTES * 4:
                raise QueryError(f"query is {size:,} bytes, over the {guard.MAX_QUERY_BYTES:,}-byte limit")
            data = path.read_bytes()
        except OSError as e:
            raise QueryError(f"cannot read query file {source}: {e.strerror or e}") from None
        return NamedQuery.from_text(path.stem, _text(data, source))
    return load_query(source)


def _text(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise QueryError(f"{where} is not UTF-8 text (byte {e.start})") from None


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise click.BadParameter(f"{pair!r}: write NAME=VALUE, e.g. actor=vladimir-putin", param_hint="--param")
        if name in params:
            raise click.BadParameter(f"{name!r} is given twice", param_hint="--param")
        params[name] = value
    return params


@cli.command(context_settings=CONTEXT)
@click.argument("source", metavar="QUERY", required=False)
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A parameter of the query; entities by id or any name. Repeat for each.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table for reading; csv, tsv, json (SPARQL Results JSON) for SELECT/ASK; ttl, nt for "
                   "CONSTRUCT/DESCRIBE.")
@click.option("--limit", type=click.IntRange(min=0), default=DEFAULT_ROW_LIMIT, show_default=True,
              help="The most rows (or triples) to show; a cut answer is always marked.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT,
              show_default=True, help="Seconds before the query is stopped.")
@click.option("--show-prefixes", is_flag=True, help="Print the predeclared prefixes (and run QUERY, if given).")
@pass_state
def query(state: State, source: str | None, params: tuple[str, ...], fmt: str, limit: int, timeout: float,
          show_prefixes: bool) -> None:
    """Run a read-only SPARQL query: a named query (see `parley queries`), a FILE.rq, - for stdin, or the
    query itself.

    The common prefixes (parley:, rdfs:, skos:, prov:, sem:, …) are declared for you. Only SELECT, ASK,
    CONSTRUCT and DESCRIBE run; SERVICE, LOAD, FROM outside the store and updates are refused.

    \b
    Example:
        parley query who-met-whom --format csv
        parley query positions --param actor=vladimir-putin --param issue=territorial-issue
        parley query 'SELECT ?e ?date WHERE { ?e a parley:Meeting ; sem:hasTimeStamp ?date }'
        parley query - < my-query.rq
        parley query --show-prefixes
    """
    if show_prefixes:
        click.echo(guard.prefix_lines(), nl=False)
        if source is None:
            return
    if source is None:
        raise click.UsageError("give a query: a NAME (see `parley queries`), a FILE.rq, - for stdin, or the "
                               "query itself")
    given = parse_params(params)
    named = read_query(source)
    form = guard.query_form(named.text)
    graph_form = form in ("construct", "describe")
    if fmt in ("csv", "tsv", "json") and graph_form:
        raise QueryError(f"--format {fmt} is for SELECT and ASK results; this {form.upper() if form else ''} "
                         f"gives a graph: use ttl, nt or table")
    if fmt in ("ttl", "nt") and form in ("select", "ask"):
        raise QueryError(f"--format {fmt} is for CONSTRUCT and DESCRIBE results; this {form.upper()} "
                         f"gives {'a yes or no' if form == 'ask' else 'rows'}: use table, csv, tsv or json")
    store = state.store()
    text = bind_params(store, named, given) if (named.params or given) else named.text
    result = run(store, text, limit=limit, timeout=timeout)
    data = serialize(result, fmt)
    sys.stdout.buffer.write(data if data.endswith(b"\n") or not data else data + b"\n")
    sys.stdout.buffer.flush()
    if result.truncated and fmt != "table":
        click.echo(f"Warning: the answer has more than {limit:,} {'triples' if result.gives_graph else 'rows'}; "
                   f"only the first {limit:,} were written (raise --limit for more)", err=True)


@cli.command(context_settings=CONTEXT)
@output_options
def queries(as_json: bool) -> None:
    """List the named queries with their title, description and parameters.

    \b
    Example:
        parley queries
        parley query mentions --param entity=Kushner
    """
    found = list_queries()
    if as_json:
        click.echo(json.dumps([{"name": q.name, "title": q.title, "description": q.description,
                                "params": [{"name": p.name, "type": p.type, "description": p.description,
                                            "optional": p.optional} for p in q.params]} for q in found],
                              indent=2, ensure_ascii=False))
        return
    for n, q in enumerate(found):
        if n:
            click.echo()
        click.echo(f"{q.name}: {q.title}")
        if q.description:
            click.echo(f"    {q.description}")
        for p in q.params:
            optional = "optional: " if p.optional else ""
            click.echo(f"    --param {p.name}=<{p.type}>  {optional}{p.description}")


# -- the SPARQL 1.1 Protocol endpoint ---------------------------------------------------------------

RESULT_TYPES = [("application/sparql-results+json", "json"), ("application/json", "json"),
                ("application/sparql-results+xml", "xml"), ("application/xml", "xml"), ("text/csv", "csv"),
                ("text/tab-separated-values", "tsv")]
GRAPH_TYPES = [("text/turtle", "ttl"), ("application/n-triples", "nt"), ("text/plain", "nt")]
_MAX_BODY = guard.MAX_QUERY_BYTES * 3 + 64  # a form-encoded query of the largest size the guard takes


def negotiate(accept: str | None, offered: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The offered (media type, format) the Accept header prefers; the first offered when it says nothing.

    >>> negotiate("text/csv;q=0.9, application/sparql-results+json;q=0.5", RESULT_TYPES)
    ('text/csv', 'csv')
    >>> negotiate("image/png", RESULT_TYPES) is None
    True
    """
    if not accept or not accept.strip():
        return offered[0]
    ranges = []
    for part in accept.split(","):
        media, *options = [x.strip() for x in part.split(";")]
        q = 1.0
        for option in options:
            key, _, value = option.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media:
            ranges.append((media.lower(), q))
    best: tuple[float, int, tuple[str, str]] | None = None
    for index, (media, fmt) in enumerate(offered):
        kind = media.split("/")[0]
        specific = [(3 if r == media else 2 if r == f"{kind}/*" else 1, q) for r, q in ranges
                    if r in (media, f"{kind}/*", "*/*")]
        if not specific:
            continue
        q = max(specific)[1]
        if q > 0 and (best is None or q > best[0]):
            best = (q, index, (media, fmt))
    return best[2] if best else None


class _Endpoint(BaseHTTPRequestHandler):
    store: Store
    limit: int
    query_timeout: float
    state: State
    server_version = "parley"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        url = urlsplit(self.path)
        if url.path in ("", "/"):
            return self._reply(200, "text/plain; charset=utf-8",
                               b"Parley SPARQL endpoint (read-only): GET or POST /query with query=...\n")
        if url.path not in ("/query", "/sparql"):
            return self._error(404, f"no such path {url.path}; the endpoint is /query")
        self._answer(parse_qs(url.query, keep_blank_values=True))

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        url = urlsplit(self.path)
        if url.path not in ("/query", "/sparql", "/update"):
            return self._error(404, f"no such path {url.path}; the endpoint is /query")
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            return self._error(411, "send a Content-Length")
        if int(length) > _MAX_BODY:
            self.close_connection = True
            return self._error(413, f"request body is {int(length):,} bytes, over the {_MAX_BODY:,}-byte limit")
        body = self.rfile.read(int(length))
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if media == "application/sparql-update" or url.path == "/update":
            return self._refuse_update()
        if media == "application/sparql-query":
            try:
                params["query"] = [body.decode("utf-8")]
            except UnicodeDecodeError:
                return self._error(400, "the query is not UTF-8 text")
        elif media == "application/x-www-form-urlencoded":
            for key, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        else:
            return self._error(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded")
        self._answer(params)

    def _answer(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            return self._refuse_update()
        if "default-graph-uri" in params or "named-graph-uri" in params:
            return self._error(400, "default-graph-uri and named-graph-uri are not supported: "
                                    "use FROM / FROM NAMED with graphs of this store in the query")
        texts = params.get("query", [])
        if len(texts) != 1:
            return self._error(400, "give exactly one query parameter")
        try:
            result = run(self.store, texts[0], limit=self.limit, timeout=self.query_timeout)
        except QueryError as e:
            stopped = str(e).startswith("query stopped after")
            return self._error(503 if stopped else 400, str(e))
        except ParleyError as e:
            return self._error(502, str(e))
        except Exception as e:  # noqa: BLE001 - no traceback goes to a client
            return self._error(500, f"unexpected {type(e).__name__}; see the server's log")
        offered = GRAPH_TYPES if result.gives_graph else RESULT_TYPES
        chosen = negotiate(self.headers.get("Accept"), offered)
        if chosen is None:
            return self._error(406, "acceptable types for this query: " + ", ".join(m for m, _ in offered))
        media, fmt = chosen
        extra = {"X-Parley-Truncated": "true", "X-Parley-Row-Limit": str(self.limit)} if result.truncated else {}
        self._reply(200, f"{media}; charset=utf-8", serialize(result, fmt), extra)

    def _refuse_update(self) -> None:
        self._error(403, "updates are refused: this endpoint is read-only; change the store with `parley ingest`")

    def _error(self, status: int, message: str) -> None:
        self._reply(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))

    def _reply(self, status: int, media: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the http.server API
        self.state.progress(f"{self.address_string()} {format % args}")


@cli.command(context_settings=CONTEXT)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback lets others read the whole store.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to listen on; 0 picks a free one.")
@click.option("--limit", type=click.IntRange(min=0), default=DEFAULT_ROW_LIMIT, show_default=True,
              help="The most rows (or triples) in one answer; a cut answer has X-Parley-Truncated: true.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULT_TIMEOUT,
              show_default=True, help="Seconds before a query is stopped (HTTP 503).")
@pass_state
def serve(state: State, host: str, port: int, limit: int, timeout: float) -> None:
    """Serve the store read-only as a SPARQL 1.1 Protocol endpoint at /query (GET and POST).

    Results as JSON, XML, CSV or TSV and graphs as Turtle or N-Triples, by the Accept header. Every
    query passes the read-only guard and the time limit; updates get 403.

    \b
    Example:
        parley serve --port 7878
        curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5' \\
            http://127.0.0.1:7878/query
    """
    store = state.store()
    handler = type("Endpoint", (_Endpoint,), {"store": store, "limit": limit, "query_timeout": timeout,
                                                   "state": state})
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as e:
        raise ParleyError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    server.daemon_threads = True
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    try:
        loopback = ipaddress.ip_address(bound_host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        click.echo(f"Warning: listening on {bound_host}: anyone who can reach it can read the whole store",
                   err=True)
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    click.echo(f"Serving {store.spec} read-only at http://{shown}:{bound_port}/query (Ctrl-C to stop)", err=True)
    sys.stderr.flush()
    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM ends the server like Ctrl-C: sockets closed, workers stopped

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
