"""The bundled example: it ingests into an empty on-disk store, conforms to the shapes, and a second
ingest gives a byte-identical dump."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from click.testing import CliRunner

from graph.iri import mint
from graph.store import Store
from ui.cli import cli

SAMPLES = sorted(str(p) for p in (Path(__file__).resolve().parent.parent / "ingest" / "samples").glob("*.yaml"))


def dump_hash(path: str) -> str:
    with Store.open(path) as store:
        buf = io.BytesIO()
        store.dump(buf, "nquads")
    return hashlib.sha256(buf.getvalue()).hexdigest()


def test_samples_ingest_validate_and_reingest_identically(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    runner = CliRunner()
    first = runner.invoke(cli, ["-s", "--store", store, "ingest", *SAMPLES])
    assert first.exit_code == 0, first.output
    assert first.stdout == ("Ingested 3 file(s): 159 statements, 281 claims; graphs 811 added, 0 replaced, "
                            "0 unchanged, 0 removed\n")
    checked = runner.invoke(cli, ["--store", store, "validate"])
    assert checked.exit_code == 0, checked.output
    assert checked.stdout == "No violations: the store conforms to Parley's shapes.\n"
    before = dump_hash(store)
    again = runner.invoke(cli, ["-s", "--store", store, "ingest", *SAMPLES])
    assert again.stdout == ("Ingested 3 file(s): 159 statements, 281 claims; graphs 0 added, 0 replaced, "
                            "811 unchanged, 0 removed\n")
    assert dump_hash(store) == before


def test_every_seed_statement_keeps_its_exact_text_at_its_offsets(example_store: Store) -> None:
    text = (Path(SAMPLES[0]).parent / "ushakov-briefing-2025-12-02.txt").read_text(encoding="utf-8")
    rows = example_store.select("""
        PREFIX parley: <https://parley.example/ontology#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?text ?start ?end WHERE {
          ?s a parley:Statement ; prov:wasQuotedFrom ?src ; parley:text ?text ;
             parley:quote/oa:hasSelector ?p .
          ?p oa:start ?start ; oa:end ?end .
        }""", {"src": mint("source", "ushakov-briefing-2025-12-02")}).rows
    assert len(rows) == 27
    for t, start, end in rows:
        assert text[int(start):int(end)] == str(t)
