"""The record reader: safe YAML, schema checks, and exact errors that say file, line, column and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from graph.errors import InputError
from ingest.records import read_record_file

DATA = Path(__file__).parent / "data"

HEADER = "parley: 1\n"
ACTOR = HEADER + "actors:\n  - id: a\n    type: person\n    labels: {en: A}\n"


def read(tmp_path: Path, content: str | bytes, name: str = "r.yaml"):
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return read_record_file(path, display_name=name)


def error_of(tmp_path: Path, content: str | bytes) -> str:
    with pytest.raises(InputError) as e:
        read(tmp_path, content)
    return str(e.value)


BAD = {
    "unclosed bracket": ("parley: 1\nactors: [\n", "r.yaml:3:1: malformed YAML: did not find expected node content"),
    "tab indentation": ("parley: 1\nactors:\n\t- id: a\n",
                        "r.yaml:3:1: malformed YAML: found character that cannot start any token"),
    "alias bomb": ("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n",
                   "r.yaml:1:4: YAML anchors and aliases (&name, *name) are not allowed in record files"),
    "bare alias": ("parley: 1\nx: *y\n", "r.yaml:2:4: YAML anchors and aliases (&name, *name) are not allowed in record files"),
    "duplicate key": (HEADER + "parley: 1\n", "r.yaml:2:1: duplicate key 'parley' (each key may appear once)"),
    "two documents": (HEADER + "---\nparley: 1\n",
                      "r.yaml:2:1: a record file holds one YAML document; found a second `---`"),
    "python tag": ("parley: 1\nx: !!python/object/apply:os.system [ls]\n",
                   "r.yaml:2:4: YAML tags (tag:yaml.org,2002:python/object/apply:os.system) are not allowed in "
                   "record files"),
    "empty file": ("", "r.yaml:1: the file is empty; a record file starts with `parley: 1`"),
    "top-level list": ("- parley: 1\n", "r.yaml:1:1: a record file is a mapping that starts with `parley: 1`, "
                                        "not a list"),
    "top-level scalar": ("hello\n", "r.yaml:1:1: a record file is a mapping that starts with `parley: 1`, "
                                    "not a single value"),
    "missing version": ("actors: []\n", "r.yaml:1:1: parley: missing required field 'parley'"),
    "impossible month": (ACTOR.replace("type: person", "type: person\n    roles: [{post: P, from: 2025-13-45}]"),
                         "r.yaml:5:29: actors[0].roles[0].from: '2025-13-45' is not a real date (month must be "
                         "in 1..12)"),
    "30 February": (HEADER + "events:\n  - {id: e, kind: meeting, date: 2025-02-30}\n",
                    "r.yaml:3:34: events[0].date: '2025-02-30' is not a real date (day is out of range for month)"),
    "string for a list": (ACTOR + "    aliases: Witkoff\n",
                          "r.yaml:6:14: actors[0].aliases: expected a list (write `[a, b]` or one `- item` per "
                          "line)"),
    "null for a required field": (HEADER + "actors:\n  - id: a\n    type: null\n    labels: {en: A}\n",
                                  "r.yaml:4:11: actors[0].type: a value is required (found null)"),
    "unknown field": (ACTOR + "    nickname: x\n",
                      "r.yaml:6:5: actors[0].nickname: unknown field 'nickname'; known fields: aliases, id, "
                      "labels, member_of, roles, same_as, type"),
    "bad enum": (ACTOR.replace("person", "robot"),
                 "r.yaml:4:11: actors[0].type: 'robot' is not one of: person, organisation, state, group"),
    "javascript url": (HEADER + "sources:\n  - {id: s, url: 'javascript:alert(1)'}\n",
                       "r.yaml:3:18: sources[0].url: 'javascript:alert(1)' is not an http(s) URL (other schemes "
                       "such as javascript: and file: are refused)"),
    "file url": (HEADER + "sources:\n  - {id: s, url: 'file:///etc/passwd'}\n",
                 "r.yaml:3:18: sources[0].url: 'file:///etc/passwd' is not an http(s) URL (other schemes such as "
                 "javascript: and file: are refused)"),
    "id with spaces": (ACTOR.replace("id: a", "id: Vladimir Putin"),
                       "r.yaml:3:9: actors[0].id: 'Vladimir Putin' is not a valid id: use lowercase letters, "
                       "digits, '-', '_' and '.', starting with a letter or digit"),
    "control character": (ACTOR.replace("{en: A}", '{en: "A\\u0007B"}'),
                          "r.yaml:5:18: actors[0].labels.en: control characters are not allowed in text"),
    "NUL byte": (ACTOR + "\x00", "r.yaml:6:1: malformed YAML: unacceptable character #x0000: control characters are not allowed"),
    "Latin-1 bytes": (ACTOR.encode().replace(b"{en: A}", b"{en: Caf\xe9}"),
                      "r.yaml:5:21: not UTF-8 text (byte 0xe9); save the file as UTF-8"),
    "deep nesting": ("[" * 100_000, "r.yaml:1:1001: malformed YAML: exceeded maximum nesting depth"),
    "nesting past our limit": ("[" * 100, "r.yaml:1:65: nesting deeper than 64 levels"),
    "bad duration": (HEADER + "events:\n  - {id: e, kind: meeting, duration: 5 hours}\n",
                     "r.yaml:3:38: events[0].duration: '5 hours' is not an ISO 8601 duration such as PT5H or P2D"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_record_files_say_what_and_where(tmp_path: Path, case: str) -> None:
    content, message = BAD[case]
    assert error_of(tmp_path, content) == message


def test_yaml_11_coercions_do_not_happen(tmp_path: Path) -> None:
    f = read(tmp_path, ACTOR + "    aliases: [NO, on, '010', 010, 12:30, 1e3]\n")
    assert f.records[0].data["aliases"] == ["NO", "on", "010", "010", "12:30", "1e3"]


def test_bom_accepted_and_crlf_same_as_lf(tmp_path: Path) -> None:
    lf = read(tmp_path, ACTOR, "lf.yaml")
    crlf = read(tmp_path, b"\xef\xbb\xbf" + ACTOR.replace("\n", "\r\n").encode(), "crlf.yaml")
    assert [(r.kind, r.id, r.data) for r in lf.records] == [(r.kind, r.id, r.data) for r in crlf.records]


def test_size_cap(tmp_path: Path) -> None:
    (tmp_path / "big.yaml").write_bytes(b"# " + b"x" * 2000 + b"\n" + ACTOR.encode())
    with pytest.raises(InputError) as e:
        read_record_file(tmp_path / "big.yaml", max_bytes=1000)
    assert str(e.value).endswith("big.yaml: the file is 2,068 bytes, over the 1,000-byte limit; split it")


def test_nfc_and_nfd_give_one_identity(tmp_path: Path) -> None:
    nfc = read(tmp_path, ACTOR.replace("id: a", "id: \u00e9lise"), "nfc.yaml")
    nfd = read(tmp_path, ACTOR.replace("id: a", "id: e\u0301lise"), "nfd.yaml")
    assert nfc.records[0].id == nfd.records[0].id == "\u00e9lise"


def test_homoglyphs_stay_apart(tmp_path: Path) -> None:
    latin = read(tmp_path, ACTOR.replace("id: a", "id: alice"), "l.yaml")
    cyrillic = read(tmp_path, ACTOR.replace("id: a", "id: \u0430lice"), "c.yaml")
    assert latin.records[0].id != cyrillic.records[0].id


def test_minimal_file_is_typed(tmp_path: Path) -> None:
    f = read_record_file(DATA / "minimal.yaml")
    assert f.collection == "minimal"
    assert [(r.kind, r.id) for r in f.records] == [
        ("source", "test-source"), ("actor", "alice-aide"), ("actor", "ruritania"), ("place", "capital"),
        ("issue", "border-issue"), ("document", "plan-a"), ("event", "meeting-1"), ("statement", "s1")]
    event = f.of_kind("event")[0].data
    assert event["date"] == dt.date(2025, 12, 2)
    assert event["participants"] == [{"actor": "alice-aide", "role": "aide", "on_behalf_of": "ruritania"}]
    claim = f.of_kind("statement")[0].data["claims"][0]
    assert claim == {"kind": "document-points", "document": "plan-a", "points": 12, "quote": "Plan A has 12 points.",
                     "confidence": "disputed", "factuality": "asserted"}


def test_records_checked_while_reading_are_those_of_the_whole_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader checks each record as soon as it is parsed (so a large file's tree is never whole); what it
    gives is what checking the whole tree after the parse gives."""
    import ingest.records as records
    from ingest.yamlsafe import parse

    samples = sorted((Path(__file__).resolve().parent.parent / "ingest" / "samples").glob("*.yaml"))
    streamed = [read_record_file(p) for p in samples]
    monkeypatch.setattr(records, "parse", lambda text, name, on_item=None: parse(text, name))
    whole = [read_record_file(p) for p in samples]
    assert [(f.records, f.references) for f in streamed] == [(f.records, f.references) for f in whole]
    assert sum(len(f.records) for f in whole) > 100
