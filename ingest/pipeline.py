"""`parley ingest` for record files: read, resolve references, map, check with SHACL, write per file.

A store after a failed ingest is exactly the store before it. A large file new to an on-disk store is
bulk-loaded batch by batch while its next part is being mapped and checked, under a journal that drops
what was loaded if any file then fails (or, after a crash, when the store is next opened); every other
file is written once all the files have passed, each in one transaction.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from graph.backends.embedded import StreamingLoad
from graph.collector import few_collections
from graph.errors import InputError
from graph.iri import mint
from graph.store import Store
from graph.terms import Triple, nt
from ingest.mapping import KIND_PATH, Mapper
from ingest.records import Record, RecordFile, Where, read_record_file
from ingest.yamlsafe import decode
from ontology import VOCAB_PATH
from ontology.namespaces import PARLEY, VOCAB_BASE

# The order in which `ref:any` looks for an id.
ANY_ORDER = ["actor", "event", "issue", "document", "place", "source", "statement"]

Progress = Callable[[str], None]


@dataclass
class FileReport:
    path: str
    collection: str
    added: list[URIRef] = field(default_factory=list)
    replaced: list[URIRef] = field(default_factory=list)
    unchanged: list[URIRef] = field(default_factory=list)
    removed: list[URIRef] = field(default_factory=list)
    statements: int = 0
    claims: int = 0
    triples: int = 0


@dataclass
class IngestReport:
    files: list[FileReport]
    dry_run: bool

    def total(self, what: str) -> int:
        return sum(len(getattr(f, what)) if isinstance(getattr(f, what), list) else getattr(f, what)
                   for f in self.files)


@few_collections()
def ingest_files(store: Store, paths: Sequence[str | Path], *, dry_run: bool = False, replace_source: bool = False,
                 check_shapes: bool = True, progress: Progress | None = None,
                 uploads: dict[str, bytes] | None = None, local_text_files: bool = True) -> IngestReport:
    """Ingest record files into `store`.

    :param replace_source: also remove the graphs a file's collection holds that the file no longer has.
    :param uploads: file contents by name, for files that do not come from disk (the UI's uploads).
    :param local_text_files: whether a record file from `uploads` may name a source text on this machine's
        disk; False for files from people who must not read the server's files (the app's uploads).
    :raises InputError: the first problem found, with file, line, column and field; nothing is written.
    """
    say = progress or (lambda message: None)
    files = []
    for p in paths:
        files.append(read_record_file(p, data=(uploads or {}).get(str(p))))
        if len(files[-1].records) >= PROGRESS_RECORDS:
            say(f"{p}: read {len(files[-1].records):,} records")
    plan = _Plan(store, files, uploads or {}, local_text_files)
    plan.check()
    existing = [plan.existing(f) for f in files]  # what the store held before this ingest wrote anything
    # A file new to the store streams: each checked batch of its graphs goes to the engine's bulk loader,
    # which loads it while the next is mapped and checked; any failure before the end drops them again.
    stream = None if dry_run else store.streaming_load()
    staged: list[tuple[FileReport, _Spool]] = []
    try:
        # A file is mapped and checked a part at a time, and the graphs to write wait on disk as N-Quads (the
        # text they were hashed as), so a large ingest never holds all its triples or lines at once.
        for record_file, known in zip(files, existing):
            staged.append(plan.stage(record_file, existing=known, check_shapes=check_shapes,
                                     replace_source=replace_source, spool=not dry_run,
                                     stream=None if known else stream, progress=say))
        if stream is not None:
            if stream.compacts:
                say(f"finishing the bulk load ({stream.quads:,} quads), then compacting the store")
            stream.finish()
    except BaseException:
        if stream is not None:
            stream.abort()
        for _, spool in staged:
            spool.close()
        raise
    if not dry_run:
        ensure_vocabularies(store)
        for n, (report, spool) in enumerate(staged, 1):
            if spool.graphs and not report.replaced and not report.removed:
                compacting = f"{report.path}: {spool.quads:,} quads bulk-loaded, now compacting the store"
                store.add_new_graphs(spool.chunks(), graphs=spool.graphs, quads=spool.quads,
                                     before_compacting=partial(say, compacting))
            elif spool.graphs or report.removed:
                store.write_lines(put=spool.by_graph(), remove=report.removed)
            spool.close()
            if progress:
                progress(f"[{n}/{len(staged)}] {report.path}: {len(report.added)} added, "
                         f"{len(report.replaced)} replaced, {len(report.unchanged)} unchanged, "
                         f"{len(report.removed)} removed")
        store.flush()
    for _, spool in staged:
        spool.close()
    return IngestReport([r for r, _ in staged], dry_run)


# Statements mapped and checked together: a few thousand keeps a part's triples to tens of MB.
STATEMENTS_PER_PART = 2000
# A file of this many records says when it has been read, and how far its mapping has come every
# PROGRESS_EVERY seconds: at 100,000 statements reading takes about 20 s and mapping a few minutes.
PROGRESS_RECORDS = 10_000
PROGRESS_EVERY = 5.0


class _Spool:
    """The graphs of a file that are to be written, as N-Quads in a temporary file until they are."""

    def __init__(self, keep: bool) -> None:
        self.file = tempfile.TemporaryFile() if keep else None
        self.graphs: list[URIRef] = []
        self.sizes: list[int] = []
        self.quads = 0

    def add(self, name: URIRef, lines: list[str]) -> None:
        if self.file is None:
            return
        self.file.write(_nquads(name, lines).encode())
        self.graphs.append(name)
        self.sizes.append(len(lines))
        self.quads += len(lines)

    def chunks(self, size: int = 1 << 22) -> Iterator[bytes]:
        """The N-Quads text in chunks of whole lines."""
        assert self.file is not None
        self.file.seek(0)
        rest = b""
        while block := self.file.read(size):
            end = block.rfind(b"\n") + 1
            if end == 0:
                rest += block
                continue
            yield rest + block[:end]
            rest = block[end:]
        if rest:
            yield rest

    def by_graph(self) -> dict[URIRef, list[str]]:
        """Each graph's N-Triples lines, for a write that replaces graphs (the transactional path)."""
        out: dict[URIRef, list[str]] = {}
        if self.file is None:
            return out
        self.file.seek(0)
        for name, size in zip(self.graphs, self.sizes):
            cut = len(nt(name)) + 3  # " <g> .\n"
            out[name] = [self.file.readline().decode()[:-cut] + "." for _ in range(size)]
        return out

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def _nquads(name: URIRef, lines: list[str]) -> str:
    """A graph's N-Triples lines as N-Quads."""
    g = nt(name)
    return "".join(f"{line[:-1]}{g} .\n" for line in lines)


class _Batch:
    """Checked graphs gathered for one call of a streaming bulk load."""

    def __init__(self) -> None:
        self.graphs: list[tuple[URIRef, list[str]]] = []
        self.quads = 0

    def extend(self, graphs: list[tuple[URIRef, list[str]]]) -> None:
        self.graphs += graphs
        self.quads += sum(len(lines) for _, lines in graphs)

    def give(self, stream: StreamingLoad, quads: int) -> None:
        """Hand the graphs to `stream` in calls of at least `quads` quads (whole graphs), keeping what is left
        over; `quads=0` hands over everything. (The loader's memory follows the size of one call: the first
        part of a file, every record but the statements, can hold millions of quads.)"""
        while self.graphs and self.quads >= quads:
            taken, size = 0, 0
            while taken < len(self.graphs) and (size < quads or quads == 0):
                size += len(self.graphs[taken][1])
                taken += 1
            graphs, self.graphs = self.graphs[:taken], self.graphs[taken:]
            stream.add("".join(_nquads(name, lines) for name, lines in graphs).encode(),
                       [str(name) for name, _ in graphs], size)
            self.quads -= size


VOCABULARY_GRAPH = URIRef(VOCAB_BASE.rstrip("/"))


def ensure_vocabularies(store: Store) -> None:
    """Keep the SKOS vocabularies (vocab.ttl) in the store as one named graph, so queries can show the
    labels of stances, roles and factualities. Rewritten only when vocab.ttl has changed."""
    from ingest.mapping import with_hash

    triples = with_hash(VOCABULARY_GRAPH, list(Graph().parse(VOCAB_PATH, format="turtle")))
    digest = triples[-1][2]
    if not store.ask("ASK WHERE { GRAPH ?g { ?g ?p ?h } }", {"g": VOCABULARY_GRAPH, "p": PARLEY.contentHash,
                                                             "h": digest}, union=False):
        store.write(put={VOCABULARY_GRAPH: triples})


class _Plan:
    """What the files define, what they refer to, and what the store already holds."""

    def __init__(self, store: Store, files: list[RecordFile], uploads: dict[str, bytes],
                 local_text_files: bool = True) -> None:
        self.store = store
        self.files = files
        self.uploads = uploads
        self.local_text_files = local_text_files
        self.defined: dict[tuple[str, str], tuple[RecordFile, Record]] = {}
        self.in_store: set[tuple[str, str]] = set()
        self.source_texts: dict[str, str] = {}

    def check(self) -> None:
        for f in self.files:
            for r in f.records:
                key = (r.kind, r.id)
                if key in self.defined:
                    other = self.defined[key][1].where
                    raise r.where.error(f"{r.kind} {r.id!r} is defined twice (also at {other.file}:{other.line})")
                self.defined[key] = (f, r)
        self._check_claim_ids()
        self._look_up_store()
        for f in self.files:
            for ref in f.references:
                self.kind_of(ref.id, ref.kind, ref.where)
        self._load_source_texts()
        for f in self.files:
            for r in f.of_kind("statement"):
                self._check_statement(r)
        self._check_collections()

    def _check_claim_ids(self) -> None:
        """Each claim names its own graph: a claim id given twice (or equal to the `<statement>-c<n>` of a
        claim without one) would merge two claims into one graph."""
        claims: dict[str, Where] = {}
        for _, claim_id, where in self._claims():
            if claim_id in claims:
                other = claims[claim_id]
                raise where.error(f"claim {claim_id!r} is defined twice (also at {other.file}:{other.line}, "
                                  f"{other.field}); give each claim its own id (a claim without one is "
                                  f"named <statement id>-c<its number>)")
            claims[claim_id] = where
        for f in self.files:
            for r in f.of_kind("statement"):
                if r.id.startswith("claim-") and r.id[len("claim-"):] in claims:
                    raise r.where.error(f"statement {r.id!r} would share its quote's node with the quote of "
                                        f"claim {r.id[len('claim-'):]!r}; rename one of them")

    def _claims(self) -> Iterator[tuple[RecordFile, str, Where]]:
        """Every claim of the files: its file, its id (given, or `<statement id>-c<n>`) and where it is."""
        for f in self.files:
            for r in f.of_kind("statement"):
                for n, claim in enumerate(r.data.get("claims", []), 1):
                    yield f, claim.get("id", f"{r.id}-c{n}"), Where(r.where.file, r.where.line, r.where.column,
                                                                   f"{r.where.field}.claims[{n - 1}]")

    def _look_up_store(self) -> None:
        wanted = {(kind, ref.id) for f in self.files for ref in f.references
                  for kind in (ANY_ORDER if ref.kind == "any" else [ref.kind])} - set(self.defined)
        if not wanted:
            return
        by_iri = {mint(KIND_PATH[k], i): (k, i) for k, i in wanted}
        iris = sorted(by_iri)
        for chunk in range(0, len(iris), 500):
            values = " ".join(nt(i) for i in iris[chunk:chunk + 500])
            rows = self.store.select(f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {values} }} ?s a ?type }}").rows
            self.in_store |= {by_iri[URIRef(str(row[0]))] for row in rows}

    def kind_of(self, record_id: str, kind: str = "any", where: Where | None = None) -> str:
        for k in ANY_ORDER if kind == "any" else [kind]:
            if (k, record_id) in self.defined or (k, record_id) in self.in_store:
                return k
        what = "record" if kind == "any" else kind
        message = f"unknown {what} {record_id!r}: define it in this file or another file given with it"
        if where is None:
            raise InputError(message)
        raise where.error(message)

    def _load_source_texts(self) -> None:
        for f in self.files:
            for r in f.of_kind("source"):
                if "text_file" not in r.data:
                    continue
                name = r.data["text_file"]
                if name in self.uploads:
                    self.source_texts[r.id] = decode(self.uploads[name], name)
                    continue
                if f.path in self.uploads and not self.local_text_files:
                    # An uploaded record file may only name a text uploaded with it: never a file on the
                    # server, which would let an upload read any file the app can.
                    raise r.where.error(f"text_file {name!r} was not uploaded with this record file; "
                                        f"upload the text too")
                path = Path(f.path).parent / r.data["text_file"]
                try:
                    data = path.read_bytes()
                except OSError as e:
                    raise r.where.error(f"text_file {r.data['text_file']!r}: {e.strerror}") from None
                self.source_texts[r.id] = decode(data, str(path))
        wanted = {r.data["source"] for f in self.files for r in f.of_kind("statement")} - set(self.source_texts)
        wanted -= {i for (k, i) in self.defined if k == "source"}
        for source_id in sorted(wanted):
            rows = self.store.select("SELECT ?t WHERE { ?s ?p ?t }",
                                     {"s": mint("source", source_id), "p": PARLEY.sourceText}).rows
            if rows and rows[0][0] is not None:
                self.source_texts[source_id] = str(rows[0][0])

    def _check_statement(self, r: Record) -> None:
        d = r.data
        text = self.source_texts.get(d["source"])
        field_where = Where(r.where.file, r.where.line, r.where.column, f"{r.where.field}.span")
        if "span" in d:
            span = d["span"]
            if len(span) != 2 or not 0 <= span[0] <= span[1]:
                raise field_where.error("span is [start, end] with 0 <= start <= end")
            if text is None:
                raise field_where.error(f"a span needs the source {d['source']!r} to have a text_file")
            if text[span[0]:span[1]] != d["text"]:
                found = text[span[0]:span[1]]
                raise field_where.error(f"the source text at [{span[0]}, {span[1]}] is {found[:60]!r}…, "
                                        f"not the statement text {d['text'][:60]!r}…")
        elif text is not None and (start := text.find(d["text"])) >= 0:
            d["span"] = [start, start + len(d["text"])]
        for i, claim in enumerate(d.get("claims", [])):
            if "quote" in claim and claim["quote"] not in d["text"]:
                raise Where(r.where.file, r.where.line, r.where.column,
                            f"{r.where.field}.claims[{i}].quote").error(
                    f"the quote {claim['quote'][:60]!r} does not occur in the statement text")

    def _check_collections(self) -> None:
        """No record or claim of the files may have its graph in the store under another collection: a
        graph belongs to one collection, which alone may replace or remove it. So every graph a file makes
        that its own collection does not hold yet is new to the store."""
        if not self.store.ask(f"ASK WHERE {{ GRAPH ?g {{ ?g {nt(PARLEY.collection)} ?c }} }}", union=False):
            return  # a store without collections (a new one): nothing to look up
        owners: dict[URIRef, tuple[RecordFile, str, Where]] = {
            mint(KIND_PATH[r.kind], r.id): (f, f"{r.kind} {r.id!r}", r.where) for f in self.files for r in f.records}
        for f, claim_id, where in self._claims():
            owners[mint("claim", claim_id)] = (f, f"claim {claim_id!r}", where)
        iris = sorted(owners)
        for chunk in range(0, len(iris), 500):
            values = " ".join(nt(i) for i in iris[chunk:chunk + 500])
            rows = self.store.select(
                f"SELECT ?g ?c WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?g {nt(PARLEY.collection)} ?c }} }}",
                union=False).rows
            for g, c in rows:
                f, what, where = owners[URIRef(str(g))]
                if str(c) != str(mint("collection", f.collection)):
                    other = str(c).rsplit("/", 1)[-1]
                    fix = ("give this claim an id of its own" if what.startswith("claim") else
                           "refer to it by id instead of defining it again")
                    raise where.error(f"{what} is already defined in collection {other!r}; {fix}")

    def stage(self, record_file: RecordFile, *, existing: dict[URIRef, str | None], check_shapes: bool,
              replace_source: bool, spool: bool, stream: StreamingLoad | None = None,
              progress: Progress | None = None) -> tuple[FileReport, _Spool]:
        """Map the file, check it with SHACL, and say which of its graphs are new, changed or unchanged; the
        new and changed ones go to a spool (unless `spool` is False, for a dry run).

        The records other records refer to (sources, actors, places, issues, documents, events) are mapped
        and checked first and stay in the check's index, with the types of every statement; the statements
        and their claims are then checked a part at a time. No two parts share a graph or a node described
        in them, so the results are those of checking the whole file at once.

        :param existing: the graphs of the file's collection in the store, with their content hashes.
        :param stream: where checked graphs go in batches of `BULK_BATCH_QUADS` quads instead of the spool,
            while no part has failed its check (a file too small for one batch goes to the spool whole); only
            for a file whose collection the store does not hold, whose graphs are then all new (`check`
            refuses a record or claim whose graph is in another collection).
        :param progress: told how many statements are mapped and checked, every `PROGRESS_EVERY` seconds.
        :raises InputError: the first SHACL violation (as sorted by focus node, path and message).
        """
        from graph.backends.embedded import BULK_BATCH_QUADS
        from graph.shacl import Validator
        from graph.validate import sorted_violations

        report = FileReport(record_file.path, record_file.collection)
        statements = record_file.of_kind("statement")
        report.statements = len(statements)
        report.claims = sum(len(r.data.get("claims", [])) for r in statements)
        mapper = Mapper(record_file, self.kind_of, self.source_texts)
        validator = Validator() if check_shapes else None
        if validator is not None:
            validator.add_context(t for r in statements for t in mapper.statement_types(r))
        results = []
        out = _Spool(spool)
        batch, streamed = _Batch(), False
        seen: set[URIRef] = set()
        parts = [[r for r in record_file.records if r.kind != "statement"]]
        parts += [statements[i:i + STATEMENTS_PER_PART] for i in range(0, len(statements), STATEMENTS_PER_PART)]
        said = time.monotonic()
        for n, part in enumerate(parts):
            part_triples: list[list[Triple]] = []
            to_write: list[tuple[URIRef, list[str]]] = []
            for name, triples, lines in mapper.map_records(part):
                report.triples += len(triples)
                seen.add(name)
                digest = str(triples[-1][2])
                if name not in existing:
                    report.added.append(name)
                    to_write.append((name, lines))
                elif existing[name] == digest:
                    report.unchanged.append(name)
                else:
                    report.replaced.append(name)
                    to_write.append((name, lines))
                if validator is not None:
                    part_triples.append(triples)
            if validator is not None:
                results += validator.check_part((t for ts in part_triples for t in ts), keep=n == 0)
            if stream is not None and not results:
                batch.extend(to_write)
                if batch.quads >= BULK_BATCH_QUADS:
                    batch.give(stream, BULK_BATCH_QUADS)
                    streamed = True
            else:
                for name, lines in to_write:
                    out.add(name, lines)
            if progress is not None and n and time.monotonic() - said >= PROGRESS_EVERY:
                done = min(n * STATEMENTS_PER_PART, len(statements))  # parts[0] holds the other records
                progress(f"{record_file.path}: {done:,} of {len(statements):,} statements mapped and checked")
                said = time.monotonic()
        if stream is not None and not results:
            if streamed:
                batch.give(stream, 0)
            else:  # smaller than one batch: written with the other files, in one transaction
                for name, lines in batch.graphs:
                    out.add(name, lines)
        if replace_source:
            report.removed = sorted(set(existing) - seen)
        violations = sorted_violations(results)
        if violations:
            out.close()
            first = violations[0]
            where = self._where_of(record_file, first.focus)
            more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
            raise where.error(f"SHACL: {first.message} [{first.path or 'node'} of <{first.focus}>]{more}")
        return report, out

    def _where_of(self, record_file: RecordFile, focus: str) -> Where:
        for r in record_file.records:
            if focus.startswith(str(mint(KIND_PATH[r.kind], r.id))) or r.id in focus:
                return r.where
        return Where(record_file.path, 1, 1, "")

    def existing(self, record_file: RecordFile) -> dict[URIRef, str | None]:
        """The graphs the store holds in the file's collection, with their content hashes."""
        collection = mint("collection", record_file.collection)
        rows = self.store.select(
            f"SELECT ?g ?h WHERE {{ GRAPH ?g {{ ?g {nt(PARLEY.collection)} {nt(collection)} . "
            f"OPTIONAL {{ ?g {nt(PARLEY.contentHash)} ?h }} }} }}", union=False).rows
        return {URIRef(str(g)): (str(h) if isinstance(h, Literal) else None) for g, h in rows}
