"""Text ingest: transcript text → statements, speakers, entities and claims with exact spans (ingest/TEXT.md)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from graph.errors import InputError
from graph.store import Store
from ingest.pipeline import ingest_files
from ingest.text.claims import PATTERNS
from ingest.text.evaluate import Gold, check_gold, evaluate, load_gold
from ingest.text.extract import Extraction, extract
from ingest.text.gazetteer import Gazetteer
from ingest.text.header import Meta
from ingest.text.pipeline import draft_from_bytes, ingest_text, read_source
from ingest.text.reading import read_text
from ui.cli import State, cli
from ui.cli_text import add_text_options, ingest_texts

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "ingest" / "samples" / "ushakov-briefing-2025-12-02.txt"
RUBIO = ROOT / "tests" / "data" / "text" / "rubio-press-2025-11-23.txt"
PESKOV = ROOT / "tests" / "data" / "text" / "peskov-briefing-ru.txt"
GOLD = {SEED: ROOT / "tests" / "gold" / "ushakov-briefing-2025-12-02.gold.yaml",
        RUBIO: ROOT / "tests" / "gold" / "rubio-press-2025-11-23.gold.yaml",
        PESKOV: ROOT / "tests" / "gold" / "peskov-briefing-ru.gold.yaml"}
TEXTS = list(GOLD)
HELD_OUT = ROOT / "tests" / "data" / "text" / "heldout"
# Held-out texts (TEXT.md, "Evaluation"): written after the rules were frozen; these floors are what the
# rules scored on them, so a change that makes them worse fails here.
HELD_OUT_FLOORS = {
    "umerov-miami-digest-2025-12-06": {"speakers": 0.42, "entities": 0.97, "claims": 0.62},
    "ushakov-kremlin-ru-2026-01-23": {"speakers": 1.0, "entities": 0.96, "claims": 0.47},
}
# Statement kinds where the rules and the gold annotation differ, on purpose (TEXT.md, "do not handle yet"):
# an unprefixed line after an answer continues the answer; a moderator after a question is read as answering.
KNOWN_KIND_DIFFERENCES = {SEED: {"The American colleagues went to the embassy"}, RUBIO: {"Thank you, everyone."}}


def run(path: Path) -> tuple[Gold, Extraction]:
    gold = load_gold(GOLD[path])
    text, name = read_source(path, None)
    return gold, extract(text, name=name, meta=gold.meta)


# ── gold files and the three texts ────────────────────────────────────────────────────────────────

@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
def test_gold_file_fits_its_text(path: Path) -> None:
    gold = load_gold(GOLD[path])
    assert check_gold(gold, read_source(path, None)[0]) == []


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
def test_segmentation_and_speakers_are_exactly_the_gold(path: Path) -> None:
    gold, x = run(path)
    assert [(s.start, s.end, s.speaker) for s in x.statements] == \
        [(g["span"][0], g["span"][1], g["speaker"]) for g in gold.statements]
    by_index = {i: (g["span"][0], g["span"][1]) for i, g in enumerate(gold.statements)}
    spans = {s.id: (s.start, s.end) for s in x.statements}
    for s, g in zip(x.statements, gold.statements):
        if "responds_to" in g and s.kind == "answer":
            assert spans[s.responds_to] == by_index[int(g["responds_to"])]
        if not any(s.text.startswith(k) for k in KNOWN_KIND_DIFFERENCES.get(path, ())):
            assert s.kind == g["kind"], s.text


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
def test_entity_spans_are_exactly_the_gold(path: Path) -> None:
    gold, x = run(path)
    assert [(m.start, m.end, m.id) for m in x.mentions if not m.candidate] == \
        [(g["span"][0], g["span"][1], g["id"]) for g in gold.mentions]
    assert sorted(m.surface for m in x.mentions if m.candidate) == sorted(gold.candidates)


def test_seed_meets_the_targets() -> None:
    scores = evaluate(*run(SEED))
    assert scores["speakers"].precision == scores["speakers"].recall == 1.0
    assert scores["entities"].precision >= 0.95 and scores["entities"].recall >= 0.95
    assert scores["claims"].recall >= 0.8 and scores["claims"].precision >= 0.8


@pytest.mark.parametrize("path", [RUBIO, PESKOV], ids=lambda p: p.stem)
def test_other_styles_score_reasonably(path: Path) -> None:
    scores = evaluate(*run(path))
    assert scores["speakers"].f1 >= 0.9
    assert scores["entities"].f1 >= 0.9
    assert scores["claims"].f1 >= 0.7


def test_seed_claims_with_their_factuality_and_quotes() -> None:
    _, x = run(SEED)
    claims = {(c.kind, c.quote): c for s in x.statements for c in s.claims}
    travel = sorted((c.fields["destination"], c.factuality) for c in claims.values() if c.kind == "travel")
    assert travel == [("kyiv", "negated"), ("us-embassy-moscow", "asserted"), ("washington", "future")]
    points = {c.fields["points"]: c for c in claims.values() if c.kind == "document-points"}
    assert set(points) == {27, 28} and {c.confidence for c in points.values()} == {"disputed"}
    assert points[28].quote == "28 points of Trump's plan"
    depends = next(c for c in claims.values() if c.pattern == "depends-on")
    assert depends.factuality == "hypothetical" and depends.fields["event_kind"] == "summit"
    assert depends.fields["condition"].startswith("the progress made during the work of aides")
    nd = [c for c in claims.values() if c.kind == "non-disclosure"]
    assert [c.fields["parties"] for c in nd] == [["russia", "united-states"], ["russia"]]
    for s in x.statements:
        for c in s.claims:
            assert x.text[c.start:c.end] == c.quote and s.start <= c.start < c.end <= s.end


def test_seed_participants_and_event() -> None:
    _, x = run(SEED)
    assert x.event == "ushakov-briefing-2025-12-02-meeting"
    assert x.participants == [
        {"actor": "vladimir-putin", "role": "participant"},
        {"actor": "steve-witkoff", "role": "envoy", "on_behalf_of": "donald-trump"},
        {"actor": "jared-kushner", "role": "envoy", "on_behalf_of": "donald-trump"}]


def test_russian_case_endings_and_digest() -> None:
    _, x = run(PESKOV)
    surfaces = {(m.surface, m.id) for m in x.mentions}
    assert {("Пескова", "dmitry-peskov"), ("Москву", "moscow"), ("территориальному вопросу", "territorial-issue"),
            ("европейцев", "europeans"), ("Путина", "vladimir-putin")} <= surfaces
    bullets = [s for s in x.statements if s.kind == "bullet"]
    assert [s.speaker for s in bullets] == ["dmitry-peskov"] * 3
    assert bullets[0].text == "Кремль не получал официально новый вариант американского плана."
    narrative = [s for s in x.statements if s.kind == "narrative"]
    assert narrative[-1].text.startswith("Кроме того, он заявил")


@pytest.mark.parametrize("stem", sorted(HELD_OUT_FLOORS))
def test_held_out_texts_stay_at_their_measured_figures(stem: str) -> None:
    gold = load_gold(ROOT / "tests" / "gold" / "heldout" / f"{stem}.gold.yaml")
    text, name = read_source(HELD_OUT / f"{stem}.txt", None)
    assert check_gold(gold, text) == []
    scores = evaluate(gold, extract(text, name=name, meta=gold.meta))
    for task, floor in HELD_OUT_FLOORS[stem].items():
        assert scores[task].f1 >= floor, (task, scores[task])


# ── segmentation styles ───────────────────────────────────────────────────────────────────────────

def kinds_and_speakers(text: str) -> list[tuple[str, str, str]]:
    x = extract(text, name="t-2025-12-02.txt")
    return [(s.kind, s.speaker, s.text) for s in x.statements]


@pytest.mark.parametrize("question, answer", [
    ("Question:", "Y. Ushakov:"), ("Q:", "Yuri Ushakov:"), ("QUESTION:", "USHAKOV:"), ("Вопрос:", "Ю.Ушаков:"),
    ("Вопрос:", "Юрий Ушаков:")])
def test_prefix_styles(question: str, answer: str) -> None:
    text = f"{question} Will they go to Kyiv?\n{answer} No, they will not."
    assert kinds_and_speakers(text) == [("question", "media", "Will they go to Kyiv?"),
                                        ("answer", "yuri-ushakov", "No, they will not.")]


def test_name_alone_on_its_line_and_blank_line_paragraphs() -> None:
    text = "Question\nWill they go to Kyiv?\n\nYuri Ushakov\nNo.\n\nThey will return to Washington."
    assert kinds_and_speakers(text) == [("question", "media", "Will they go to Kyiv?"),
                                        ("answer", "yuri-ushakov", "No."),
                                        ("answer", "yuri-ushakov", "They will return to Washington.")]


def test_all_caps_speaker_and_self_identified_journalist() -> None:
    text = ("SECRETARY RUBIO: Good afternoon.\n\nQUESTION: Hi, Jane Doe, Reuters. Is the deadline firm?\n\n"
            "SECRETARY RUBIO: No.\n\nMODERATOR: Last question.")
    assert kinds_and_speakers(text) == [("quote", "marco-rubio", "Good afternoon."),
                                        ("question", "reuters", "Hi, Jane Doe, Reuters. Is the deadline firm?"),
                                        ("answer", "marco-rubio", "No."),
                                        ("answer", "moderator", "Last question.")]


def test_bullet_digest_with_a_heading_naming_the_speaker() -> None:
    text = "Key theses of Ushakov's remarks:\n• Contacts will continue.\n- No compromise has been found yet."
    got = kinds_and_speakers(text)
    assert got == [("bullet", "yuri-ushakov", "Contacts will continue."),
                   ("bullet", "yuri-ushakov", "No compromise has been found yet.")]


def test_reported_speech_splits_a_paragraph_by_speaker() -> None:
    text = ("According to Ushakov, the talks were useful. Peskov, the Kremlin spokesman, said that no date was set. "
            "He added that contacts will continue.\nThe envoys left for Washington, — сказал он.")
    got = [(s.speaker, s.text) for s in extract(text, name="t-2025-12-02.txt").statements]
    assert got == [("yuri-ushakov", "According to Ushakov, the talks were useful."),
                   ("dmitry-peskov", "Peskov, the Kremlin spokesman, said that no date was set. "
                                     "He added that contacts will continue."),
                   ("dmitry-peskov", "The envoys left for Washington, — сказал он.")]


# ── the gazetteer ─────────────────────────────────────────────────────────────────────────────────

def test_aliases_scripts_and_case_rules() -> None:
    g = Gazetteer.load()
    text = "Whitkoff, Уиткоффа, Kiev, Киеве, Greenbaum, Грюнбаумом; presented to us by the US; Yuri Viktorovich"
    assert [(m.surface, m.id) for m in g.link(text)] == [
        ("Whitkoff", "steve-witkoff"), ("Уиткоффа", "steve-witkoff"), ("Kiev", "kyiv"), ("Киеве", "kyiv"),
        ("Greenbaum", "josh-gruenbaum"), ("Грюнбаумом", "josh-gruenbaum"), ("US", "united-states"),
        ("Yuri Viktorovich", "yuri-ushakov")]
    assert g.link("kiev and washington") == []          # capitalised names must be capitalised in the text


def test_russian_suffix_rule_covers_nouns_adjectives_and_names() -> None:
    g = Gazetteer.load()
    text = ("достижение долгосрочного урегулирования; с американскими коллегами; по территориальным вопросам; "
            "в Соединённых Штатах; Пресс-секретарь")
    assert [(m.surface, m.id) for m in g.link(text)] == [
        ("урегулирования", "ukraine-settlement"), ("американскими коллегами", "us-delegation"),
        ("территориальным вопросам", "territorial-issue"), ("Соединённых Штатах", "united-states")]


def test_relative_names_depend_on_the_speaker() -> None:
    x = extract("Y. Ushakov: Our President met them.\nSECRETARY RUBIO: The President was briefed.",
                name="t-2025-12-02.txt")
    assert [(m.surface, m.id) for m in x.mentions if m.surface.lower().endswith("president")] == [
        ("Our President", "vladimir-putin"), ("The President", "donald-trump")]


def test_user_gazetteer_adds_and_replaces(tmp_path: Path) -> None:
    extra = tmp_path / "mine.yaml"
    extra.write_text("gazetteer: 1\nactors:\n  - id: jane-doe\n    type: person\n    labels: {en: Jane Doe}\n"
                     "    aliases: [Doe]\n    member_of: [united-states]\n"
                     "  - id: steve-witkoff\n    type: person\n    labels: {en: Steve Witkoff}\n    aliases: [Steve]\n"
                     "    member_of: [united-states]\n", encoding="utf-8")
    g = Gazetteer.load([extra])
    assert [(m.surface, m.id) for m in g.link("Doe met Steve, not Witkoff.")] == [
        ("Doe", "jane-doe"), ("Steve", "steve-witkoff")]


def test_bad_user_gazetteer_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("gazetteer: 1\nactors:\n  - id: x\n    type: robot\n    labels: {en: X}\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        Gazetteer.load([bad])
    assert e.value.line == 3 and "type is one of person" in str(e.value)


def test_unknown_capitalised_names_become_candidates_never_dropped() -> None:
    x = extract("According to Ushakov, Ivan Petrov met the envoys. Nevertheless, Ukrainian issues remain.",
                name="t-2025-12-02.txt")
    assert [(m.surface, m.id) for m in x.mentions if m.candidate] == [("Ivan Petrov", "ivan-petrov")]
    assert x.candidates["ivan-petrov"] == ("Ivan Petrov", "person", 1)


# ── header and options ────────────────────────────────────────────────────────────────────────────

def test_header_block_and_options_override_it() -> None:
    text = ("source-url: https://tass.ru/politika/25798241\ndate: 2025-12-03\nlanguage: en\ntitle: A briefing\n"
            "publisher: TASS\n\nQuestion: Will they go?\nY. Ushakov: No.")
    x = extract(text, name="t.txt", meta=Meta(date="2025-12-04"))
    assert (x.meta.source_url, x.meta.date, x.meta.title, x.meta.publisher) == (
        "https://tass.ru/politika/25798241", "2025-12-04", "A briefing", "TASS")
    assert x.statements[0].start == text.index("Will they go?")


@pytest.mark.parametrize("header, message, line", [
    ("date: 2025-13-45\n\nQ: x", "not a real date", 1),
    ("date: 2025-12-03\nsource-url: javascript:alert(1)\n\nQ: x", "not an http(s) URL", 2),
    ("date: 2025-12-03\nauthor: me\n\nQ: x", "not a known field", 2)])
def test_bad_header_names_the_line(header: str, message: str, line: int) -> None:
    with pytest.raises(InputError) as e:
        extract(header, name="t.txt")
    assert message in str(e.value) and e.value.line == line


def test_no_date_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="no date for the statements"):
        extract("Question: Will they go?", name="briefing.txt")


# ── bad input ─────────────────────────────────────────────────────────────────────────────────────

def test_empty_file_is_an_error(tmp_path: Path) -> None:
    for content in (b"", b"   \n\n", b"date: 2025-12-02\n\n"):
        (tmp_path / "e-2025-12-02.txt").write_bytes(content)
        with pytest.raises(InputError, match="no text to extract"):
            ingest_text(Store.open("memory:"), tmp_path / "e-2025-12-02.txt")


def test_all_narrative_text_without_prefixes() -> None:
    x = extract("Witkoff met Putin in the Kremlin; the talks lasted five hours.\n"
                "No compromise has been found on the territorial issue.", name="n-2025-12-02.txt",
                meta=Meta(publisher="TASS"))
    assert [(s.kind, s.speaker) for s in x.statements] == [("narrative", "tass"), ("narrative", "tass")]
    assert x.notes == ["2 narrative statement(s) name no speaker; they were given to 'tass'"]
    assert sorted((c.kind, c.fields.get("actor", "")) for s in x.statements for c in s.claims) == [
        ("event-report", ""), ("participation", "steve-witkoff"), ("participation", "vladimir-putin"),
        ("position", "russia"), ("position", "united-states")]


def test_non_utf8_bytes_give_the_byte_position() -> None:
    with pytest.raises(InputError) as e:
        read_text(b"Question: ok\nY. Ushakov: caf\xe9 \x00", "bin.txt")
    assert "byte 0xe9 at byte offset 28" in str(e.value) and (e.value.line, e.value.column) == (2, 16)
    with pytest.raises(InputError, match="control character U\\+0000"):
        read_text(b"Question: ok\x00", "nul.txt")


def test_a_draft_from_bytes_is_the_draft_the_cli_writes(tmp_path: Path) -> None:
    text = tmp_path / SEED.name
    text.write_bytes(SEED.read_bytes())
    ingest_text(None, text, draft=tmp_path / f"{SEED.stem}.draft.yaml")
    written = (tmp_path / f"{SEED.stem}.draft.yaml").read_text(encoding="utf-8")
    made = draft_from_bytes(None, SEED.name, SEED.read_bytes())

    def body(draft: str) -> list[str]:  # the header comment names the draft's path, which differs
        return [line for line in draft.splitlines() if not line.startswith("#")]

    assert body(made) == body(written) and len(body(made)) > 500
    with pytest.raises(InputError) as e:
        draft_from_bytes(None, "bin-2025-12-02.txt", b"Question: ok\nY. Ushakov: caf\xe9")
    assert (e.value.file, e.value.line, e.value.column) == ("bin-2025-12-02.txt", 2, 16)


def test_bom_and_crlf_give_the_same_result_as_lf() -> None:
    plain = SEED.read_bytes()
    variants = [plain, b"\xef\xbb\xbf" + plain, plain.replace(b"\n", b"\r\n")]
    results = []
    for data in variants:
        x = extract(read_text(data, "seed.txt"), name="ushakov-briefing-2025-12-02.txt")
        results.append([(s.start, s.end, s.speaker, [(c.kind, c.start, c.end) for c in s.claims])
                        for s in x.statements])
    assert results[0] == results[1] == results[2]


def test_mixed_scripts_and_look_alike_letters() -> None:
    text = "Question: Did Witkoff meet Ушаков?\nY. Ushakov: Wіtkoff и Кушнер встретились с Путиным."  # і is Ukrainian
    x = extract(text, name="m-2025-12-02.txt")
    linked = [(m.surface, m.id, m.candidate) for m in x.mentions]
    assert ("Witkoff", "steve-witkoff", False) in linked and ("Ушаков", "yuri-ushakov", False) in linked
    assert ("Кушнер", "jared-kushner", False) in linked and ("Путиным", "vladimir-putin", False) in linked
    assert ("Wіtkoff", "wіtkoff", True) in linked             # never merged with Witkoff: a candidate


def test_ten_megabyte_paragraph_is_refused_at_once(tmp_path: Path) -> None:
    big = tmp_path / "big-2025-12-02.txt"
    big.write_bytes(b"a" * (10 * 1024 * 1024))
    started = time.monotonic()
    with pytest.raises(InputError, match="over the 4,194,304-byte limit"):
        ingest_text(Store.open("memory:"), big)
    assert time.monotonic() - started < 1.0


def test_long_paragraphs_run_in_linear_time_or_are_refused() -> None:
    too_long = "word " * 50_000
    with pytest.raises(InputError, match="over the 200,000-character limit for one statement"):
        extract(too_long, name="p-2025-12-02.txt")
    timings = []
    for n in (40_000, 160_000):
        para = ("Ushakov said the parties discussed the territorial issue, " * 4000)[:n]
        started = time.monotonic()
        extract(para, name="p-2025-12-02.txt")
        timings.append(time.monotonic() - started)
    assert timings[1] < 10 * timings[0] + 1.0         # 4× the text, not 16× the time


# ── writing: drafts, ingest, all or nothing ───────────────────────────────────────────────────────

def test_ingest_on_an_empty_store_and_again_changes_nothing() -> None:
    store = Store.open("memory:")
    first = ingest_text(store, SEED)
    assert first.report is not None and first.report.total("statements") == 27
    quads = store.counts().quads
    again = ingest_text(store, SEED)
    assert again.report is not None and again.report.total("added") == again.report.total("replaced") == 0
    assert store.counts().quads == quads
    rows = store.select("SELECT (COUNT(?s) AS ?n) WHERE { ?s <https://parley.example/ontology#origin> "
                        "<https://parley.example/vocab/origin/extracted> }").rows
    assert int(rows[0][0]) > 27


def test_entities_the_store_holds_are_not_redefined() -> None:
    store = Store.open("memory:")
    ingest_text(store, SEED)
    second = ingest_text(store, RUBIO)
    defined = {r["id"] for section in ("actors", "places") for r in second.records.get(section, [])}
    assert "steve-witkoff" not in defined and "washington" not in defined
    assert {"marco-rubio", "andriy-yermak", "moderator", "andrea-kendall"} <= defined


def test_a_failed_ingest_leaves_the_store_as_it_was() -> None:
    store = Store.open("memory:")
    ingest_text(store, SEED)
    before = store.counts().quads
    with pytest.raises(InputError, match="unknown event 'no-such-event'"):
        ingest_text(store, RUBIO, meta=Meta(event="no-such-event"))
    assert store.counts().quads == before


def test_draft_is_plain_records_that_ingest_dry_run_accepts(tmp_path: Path) -> None:
    draft = tmp_path / "d.yaml"
    runner = CliRunner()
    result = runner.invoke(cli, ["--store", str(tmp_path / "none"), "extract", str(SEED), "--draft", str(draft)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Extracted ") and "candidates for review: (none)" in result.output
    content = draft.read_text(encoding="utf-8")
    assert "origin: extracted" in content and "span: [1, 342]" in content
    assert re.search(r"text_file: .*ushakov-briefing-2025-12-02\.txt", content)
    result = runner.invoke(cli, ["--store", "memory:", "ingest", str(draft), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "27 statements" in result.output
    report = ingest_files(Store.open("memory:"), [draft], dry_run=True)
    assert report.total("claims") == sum(len(s.claims) for s in run(SEED)[1].statements)


def test_text_option_with_a_draft_saves_the_text_beside_it(tmp_path: Path) -> None:
    draft = tmp_path / "q.yaml"
    result = CliRunner().invoke(cli, ["--store", "memory:", "extract", "--text", "Question: Will they go?\n"
                                      "Y. Ushakov: They did not promise to go to Kyiv.", "--date", "2025-12-02",
                                      "--draft", str(draft), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["statements"] == 2 and summary["claims"] == {"travel": 1}
    assert (tmp_path / "q.txt").read_text(encoding="utf-8").startswith("Question: Will they go?")
    assert ingest_files(Store.open("memory:"), [draft], dry_run=True).total("statements") == 2


def test_cli_errors_exit_1_and_write_nothing(tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    runner = CliRunner()
    assert runner.invoke(cli, ["--store", store, "init"]).exit_code == 0
    binary = tmp_path / "b-2025-12-02.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = runner.invoke(cli, ["--store", store, "extract", str(binary)])
    assert result.exit_code == 1 and "not UTF-8 text: byte 0x89 at byte offset 0" in result.output
    result = runner.invoke(cli, ["--store", store, "extract", str(SEED), "--date", "2025-02-30"])
    assert result.exit_code == 1 and "--date" in result.output and "not a real date" in result.output
    assert runner.invoke(cli, ["--store", store, "stats"]).output.splitlines()[1] == "Quads:   0"


def test_ingest_can_route_txt_files_to_the_text_ingest(tmp_path: Path) -> None:
    """How `parley ingest` dispatches .txt files (wired in ui/cli.py): the same options, one call."""
    @click.command()
    @click.argument("files", nargs=-1)
    @click.option("--dry-run", is_flag=True)
    @click.pass_obj
    def ingest(state: State, files: tuple[str, ...], dry_run: bool, **text_options: object) -> None:
        ingest_texts(state, [f for f in files if f.lower().endswith(".txt")], dry_run=dry_run, **text_options)

    add_text_options(ingest)
    runner = CliRunner()
    result = runner.invoke(ingest, [str(SEED), "--publisher", "TASS", "--dry-run"], obj=State("memory:", True))
    assert result.exit_code == 0, result.output
    assert "27 statements" in result.output and "\nWould write: graphs " in result.output
    # through the real command, whose usage errors exit 1 like any bad input
    result = runner.invoke(cli, ["--store", "memory:", "ingest", str(SEED), str(RUBIO), "--draft",
                                 str(tmp_path / "d.yaml")])
    assert result.exit_code == 1 and "--draft takes exactly one transcript" in result.output
    assert not (tmp_path / "d.yaml").exists()


def test_eval_command_prints_the_three_tasks() -> None:
    result = CliRunner().invoke(cli, ["eval", str(GOLD[SEED]), str(SEED)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["task", "P", "R", "F1", "tp/predicted/gold"]
    assert [line.split()[0] for line in lines[1:]] == ["segmentation", "speakers", "entities", "claims", "candidates"]
    assert lines[2].split()[1:4] == ["1.000", "1.000", "1.000"]
    scores = json.loads(CliRunner().invoke(cli, ["eval", str(GOLD[SEED]), str(SEED), "--json"]).output)
    assert scores["claims"]["recall"] >= 0.8 and scores["entities"]["precision"] >= 0.95


def test_text_md_documents_every_claim_pattern() -> None:
    doc = (ROOT / "ingest" / "TEXT.md").read_text(encoding="utf-8")
    section = doc.split("## Claim patterns", 1)[1].split("\n## ", 1)[0]
    assert [p.name for p in PATTERNS] == re.findall(r"^\| `([a-z-]+)` \|", section, re.M)
