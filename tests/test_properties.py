"""Property tests of YAML record and transcript ingest: any input either ingests or fails with a
ParleyError (never another exception, never a partial write), and ingesting the same input twice gives
the same store as ingesting it once."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import ParleyError
from graph.store import Store
from ingest.pipeline import ingest_files
from ingest.text.header import Meta
from ingest.text.pipeline import ingest_text

DATA = Path(__file__).parent / "data"
MINIMAL = (DATA / "minimal.yaml").read_text(encoding="utf-8")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def dump_hash(store: Store) -> str:
    buf = io.BytesIO()
    store.dump(buf)
    return hashlib.sha256(b"\n".join(sorted(buf.getvalue().splitlines()))).hexdigest()


def base_store() -> Store:
    """A small store with something in it, so a partial write or a wrong removal would show."""
    s = Store.open("memory:")
    ingest_files(s, ["base.yaml"], uploads={"base.yaml": (
        "parley: 1\nactors:\n  - id: base-actor\n    type: person\n    labels: {en: Base Actor}\n").encode()})
    return s


# Values that stress YAML and the schema: YAML 1.1 booleans and numbers, sigils, dates, odd Unicode.
TRICKY = st.sampled_from(["NO", "on", "010", "12:30", "~", "null", "&a", "*a", "!!python/name:os.system", "|",
                          ">", "- x", "[", "{", "2025-13-45", "2025-02-30", "2025-12-02", "\u200b", "Аlice",
                          "e\u0301", "<script>", "\"", "'", "\\", "#", "%", ": ", "\t", "\x00", "\x07", "\ufeff",
                          "javascript:alert(1)", "file:///etc/passwd", "https://example.org/x"])
SCALAR = st.one_of(TRICKY, st.text(max_size=20))
FIELDS = ["id", "type", "labels", "aliases", "same_as", "member_of", "speaker", "date", "source", "text", "kind",
          "url", "title", "parley", "collection"]


@st.composite
def record_files(draw: st.DrawFn) -> str:
    """A record file: either the minimal example with some lines changed, or a small random one."""
    if draw(st.booleans()):
        lines = MINIMAL.splitlines()
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, len(lines) - 1))
            indent, _, rest = lines[i].partition(lines[i].lstrip()[:1] or "x")
            key = lines[i].split(":", 1)[0] if ":" in lines[i] else ""
            choice = draw(st.integers(0, 3))
            if choice == 0 and key:
                lines[i] = f"{key}: {draw(SCALAR)}"
            elif choice == 1:
                del lines[i]
            elif choice == 2:
                lines.insert(i, lines[draw(st.integers(0, len(lines) - 1))])
            else:
                lines[i] = draw(SCALAR)
        return "\n".join(lines) + "\n"
    body = {draw(st.sampled_from(FIELDS)): draw(SCALAR) for _ in range(draw(st.integers(0, 5)))}
    actor = "\n".join(f"    {k}: {v}" for k, v in body.items())
    return f"parley: 1\nactors:\n  - id: {draw(SCALAR)}\n{actor}\n"


def check_ingest(make: object) -> None:
    store = base_store()
    before = dump_hash(store)
    try:
        make(store)  # type: ignore[operator]
    except ParleyError:
        assert dump_hash(store) == before, "a failed ingest changed the store"
        return
    once = dump_hash(store)
    make(store)  # type: ignore[operator]
    assert dump_hash(store) == once, "the same ingest a second time changed the store"


@SETTINGS
@given(content=record_files(), bom=st.booleans(), crlf=st.booleans())
def test_any_record_file_ingests_or_fails_cleanly(content: str, bom: bool, crlf: bool) -> None:
    data = content.replace("\n", "\r\n") if crlf else content
    raw = (b"\xef\xbb\xbf" if bom else b"") + data.encode("utf-8", "surrogatepass")

    def make(store: Store) -> None:
        name = str(DATA / "prop.yaml")  # beside minimal.txt, which the minimal file's source refers to
        ingest_files(store, [name], uploads={name: raw}, check_shapes=False)

    check_ingest(make)


@SETTINGS
@given(raw=st.binary(max_size=300))
def test_any_bytes_as_a_record_file_ingest_or_fail_cleanly(raw: bytes) -> None:
    check_ingest(lambda store: ingest_files(store, ["bytes.yaml"], uploads={"bytes.yaml": raw}, check_shapes=False))


SPEAKERS = st.sampled_from(["Q: ", "A: ", "Question: ", "Y. Ushakov: ", "Ushakov: ", "JOURNALIST: ", "", "- ",
                            "Dmitry Peskov: ", "Песков: ", "Вопрос: "])
WORDS = st.sampled_from(["Putin", "Witkoff", "Kushner", "met", "agreed", "the plan", "28 points", "will",
                         "not", "Ukraine", "Moscow", "compromise", "territory", "Ушаков", "Путин", "Аlice", ".",
                         "?", ",", "<script>", "\u200b", "e\u0301", "\t", "NO", "12:30", "2025-12-02"])


@st.composite
def transcripts(draw: st.DrawFn) -> str:
    paragraphs = []
    for _ in range(draw(st.integers(0, 6))):
        words = draw(st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=15))
        paragraphs.append(draw(SPEAKERS) + " ".join(words))
    header = draw(st.sampled_from(["", "date: 2025-12-02\n\n", "title: x\n\n", "date: 2025-13-45\n\n"]))
    return header + draw(st.sampled_from(["\n", "\n\n"])).join(paragraphs)


@SETTINGS
@given(text=transcripts())
def test_any_transcript_ingests_or_fails_cleanly(text: str) -> None:
    meta = Meta(date="2025-12-02", source_url="https://example.org/t")

    def make(store: Store) -> None:
        ingest_text(store, text=text, meta=meta, check_shapes=False)

    check_ingest(make)


@pytest.mark.parametrize("shapes", [True])
def test_shacl_on_a_sample_of_edited_files(shapes: bool) -> None:
    """The SHACL step too (slower, so a handful of fixed edits rather than a search)."""
    for edit in [("kind: answer", "kind: nonsense"), ("points: 12", "points: twelve"), ("12 points", "NO points"),
                 ("en: Ruritania", "en: \"<script>\"")]:
        raw = MINIMAL.replace(*edit).encode()
        name = str(DATA / "minimal.yaml")
        check_ingest(lambda store: ingest_files(store, [name], uploads={name: raw}, check_shapes=shapes))
