"""`parley extract` (transcript text → statements, speakers, entities, claims; a draft or an ingest) and
`parley eval` (precision, recall and F1 against a gold annotation). Thin over `ingest.text`."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from graph.errors import StoreError
from graph.store import DEFAULT_STORE, ENV_STORE
from ui.cli import CONTEXT, State, cli, output_options, pass_state

F = TypeVar("F", bound=Callable[..., Any])


# The options of a text ingest, shared by `extract` and (once wired) `ingest` for .txt files.
_TEXT_OPTIONS: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (("--text", "text"), {"metavar": "TEXT", "help": "The transcript itself, instead of a file."}),
    (("--source-url",), {"metavar": "URL", "help": "Where the text was published (http or https)."}),
    (("--date",), {"metavar": "YYYY-MM-DD", "help": "When the statements were made (default: the header's "
                                                    "`date:`, or a date in the file name)."}),
    (("--language",), {"metavar": "TAG", "help": "The text's language, e.g. en or ru (default: guessed)."}),
    (("--title",), {"metavar": "TEXT", "help": "The source's title."}),
    (("--publisher",), {"metavar": "NAME", "help": "Who published it: a gazetteer name or id (e.g. TASS)."}),
    (("--event",), {"metavar": "ID", "help": "An event already in the store that the text is about."}),
    (("--draft",), {"metavar": "FILE.yaml", "type": click.Path(dir_okay=False),
                    "help": "Write the extracted records to this YAML draft instead of ingesting them."}),
    (("--gazetteer", "gazetteers"), {"metavar": "FILE", "multiple": True, "type": click.Path(dir_okay=False),
                                     "help": "Your own gazetteer YAML, on top of the bundled one (repeatable)."}),
]


def text_options(f: F) -> F:
    """Decorate a command with the text-ingest options (`--text`, `--source-url`, …, `--gazetteer`)."""
    for args, kwargs in reversed(_TEXT_OPTIONS):
        f = click.option(*args, **kwargs)(f)
    return f


def add_text_options(command: click.Command) -> None:
    """Give an existing command the text-ingest options (for `ingest`, which is defined before this module
    can be imported); its callback then receives text, source_url, date, language, title, publisher, event,
    draft and gazetteers as keyword arguments."""
    known = {p.name for p in command.params}
    for args, kwargs in _TEXT_OPTIONS:
        option = click.Option(list(args), **kwargs)
        if option.name not in known:
            command.params.append(option)


def ingest_texts(state: State, paths: Sequence[str], *, text: str | None = None, draft: str | None = None,
                 dry_run: bool = False, no_shacl: bool = False, as_json: bool = False, **options: Any) -> None:
    """`parley ingest` for transcripts: each .txt file (and `--text`) extracted and ingested on its own,
    all or nothing per file; `--draft` takes exactly one transcript."""
    inputs: list[tuple[str | None, str | None]] = [(p, None) for p in paths]
    if text is not None:
        inputs.append((None, text))
    if draft is not None and len(inputs) != 1:
        raise click.UsageError("--draft takes exactly one transcript (a .txt file or --text)")
    for path, body in inputs:
        run_text_ingest(state, path, text=body, draft=draft, dry_run=dry_run, no_shacl=no_shacl, as_json=as_json,
                        **options)


def run_text_ingest(state: State, path: str | None, *, text: str | None = None, source_url: str | None = None,
                    date: str | None = None, language: str | None = None, title: str | None = None,
                    publisher: str | None = None, event: str | None = None, draft: str | None = None,
                    gazetteers: tuple[str, ...] = (), dry_run: bool = False, no_shacl: bool = False,
                    as_json: bool = False) -> None:
    """Extract one transcript (a .txt file, or `text`) and write a draft or ingest it; print the summary.
    This is what `parley extract` runs, and what `parley ingest FILE.txt` should call."""
    from ingest.text.header import Meta, check_value
    from ingest.text.pipeline import ingest_text

    given = {"source_url": source_url, "date": date, "language": language, "title": title, "publisher": publisher,
             "event": event}
    meta = Meta(**{k: (check_value(k, v, "--" + k.replace("_", "-")) if v is not None else None)
                   for k, v in given.items()})
    if draft is not None:
        try:
            store = state.store()
        except StoreError:
            spec = state.store_spec or os.environ.get(ENV_STORE) or DEFAULT_STORE
            if spec.startswith(("http://", "https://")) or Path(spec).exists():
                raise             # a store that is there but fails: say so, do not draft blind
            store = None          # no store yet: the draft defines everything it needs
    else:
        store = state.store(create=not dry_run, or_empty=dry_run)
    result = ingest_text(store, path, text=text, meta=meta, gazetteers=gazetteers, draft=draft, dry_run=dry_run,
                         check_shapes=not no_shacl, progress=state.progress)
    summary = _summary(result)
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    _print_summary(summary)


def _summary(result: Any) -> dict[str, Any]:
    x = result.extraction
    speakers = Counter(s.speaker for s in x.statements)
    entities = Counter(m.id for m in x.mentions if not m.candidate)
    claims = Counter(c.kind for s in x.statements for c in s.claims)
    out: dict[str, Any] = {
        "source": x.source_id, "file": x.name, "language": x.meta.language, "date": x.meta.date,
        "statements": len(x.statements), "speakers": dict(speakers.most_common()),
        "mentions": sum(entities.values()), "entities": dict(entities.most_common()),
        "claims": dict(claims.most_common()), "claim_count": sum(claims.values()), "event": x.event,
        "candidates": [{"id": k, "label": label, "type": t, "count": n}
                       for k, (label, t, n) in sorted(x.candidates.items())],
        "notes": x.notes, "draft": result.draft, "ingest": None,
    }
    if result.report is not None:
        r = result.report
        out["ingest"] = {"dry_run": r.dry_run, "added": r.total("added"), "replaced": r.total("replaced"),
                         "unchanged": r.total("unchanged"), "triples": r.total("triples")}
    return out


def _print_summary(s: dict[str, Any]) -> None:
    def listing(counts: dict[str, int]) -> str:
        return ", ".join(f"{k} {n}" for k, n in counts.items()) or "(none)"

    click.echo(f"Extracted {s['file']} ({s['language']}, {s['date']}): {s['statements']} statements, "
               f"{len(s['speakers'])} speakers, {s['mentions']} entity mentions of {len(s['entities'])} entities, "
               f"{s['claim_count']} claims, {len(s['candidates'])} candidates for review")
    click.echo(f"  speakers:   {listing(s['speakers'])}")
    click.echo(f"  entities:   {listing(s['entities'])}")
    click.echo(f"  claims:     {listing(s['claims'])}")
    if s["event"]:
        click.echo(f"  event:      {s['event']}")
    candidates = ", ".join(f"{c['label']} ({c['type']}, {c['count']}×)" for c in s["candidates"]) or "(none)"
    click.echo(f"  candidates for review: {candidates}")
    for note in s["notes"]:
        click.echo(f"  note: {note}")
    if s["draft"]:
        click.echo(f"Draft written to {s['draft']}: check it, then `parley ingest {s['draft']} --dry-run`")
    elif s["ingest"]:
        i = s["ingest"]
        verb = "Would write" if i["dry_run"] else "Ingested"
        click.echo(f"{verb}: graphs {i['added']} added, {i['replaced']} replaced, {i['unchanged']} unchanged "
                   f"({i['triples']} triples)")


@cli.command("extract", context_settings=CONTEXT)
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@text_options
@click.option("--dry-run", is_flag=True, help="Extract and check everything, write nothing.")
@click.option("--no-shacl", is_flag=True, help="Skip the SHACL check of the extracted records.")
@output_options
@pass_state
def extract_command(state: State, file: str | None, text: str | None, source_url: str | None, date: str | None,
                    language: str | None, title: str | None, publisher: str | None, event: str | None,
                    draft: str | None, gazetteers: tuple[str, ...], dry_run: bool, no_shacl: bool,
                    as_json: bool) -> None:
    """Extract statements, speakers, entities and claims from a transcript and ingest them.

    FILE is a UTF-8 text: Q&A turns ("Question:", "Y. Ushakov:", "SECRETARY RUBIO:", "Вопрос:"),
    narrative paragraphs in reported speech, or bullet digests; it may start with a header block
    (source-url:, date:, language:, title:, publisher: lines, then a blank line). With --draft the
    records go to a YAML file to check and correct; without it they are ingested, all or nothing.
    See ingest/TEXT.md.

    \b
    Example:
        parley extract ingest/samples/ushakov-briefing-2025-12-02.txt --draft /tmp/d.yaml
        parley ingest /tmp/d.yaml --dry-run
        parley extract briefing.txt --publisher TASS --source-url https://tass.ru/politika/25798241
        parley extract --text "$(cat notes.txt)" --date 2025-12-02 --json
    """
    run_text_ingest(state, file, text=text, source_url=source_url, date=date, language=language, title=title,
                    publisher=publisher, event=event, draft=draft, gazetteers=gazetteers, dry_run=dry_run,
                    no_shacl=no_shacl, as_json=as_json)


@cli.command("eval", context_settings=CONTEXT)
@click.argument("gold", type=click.Path(dir_okay=False, exists=True))
@click.argument("text", type=click.Path(dir_okay=False, exists=True))
@click.option("--gazetteer", "gazetteers", metavar="FILE", multiple=True, type=click.Path(dir_okay=False),
              help="Your own gazetteer YAML, on top of the bundled one (repeatable).")
@output_options
def eval_command(gold: str, text: str, gazetteers: tuple[str, ...], as_json: bool) -> None:
    """Score text extraction against a gold annotation: precision, recall, F1 per task.

    Tasks: speaker attribution (statement span and speaker), entity linking (mention span and id),
    claim extraction (kind, factuality, key fields, overlapping quote). See ingest/TEXT.md.

    \b
    Example:
        parley eval tests/gold/ushakov-briefing-2025-12-02.gold.yaml ingest/samples/ushakov-briefing-2025-12-02.txt
    """
    from ingest.text.evaluate import check_gold, evaluate, load_gold
    from ingest.text.extract import extract
    from ingest.text.gazetteer import cached
    from ingest.text.pipeline import read_source

    g = load_gold(gold)
    body, name = read_source(text, None)
    problems = check_gold(g, body)
    if problems:
        raise click.ClickException(f"{gold} does not fit {text}: " + "; ".join(problems[:5]))
    x = extract(body, name=name, meta=g.meta, gazetteer=cached(tuple(gazetteers)))
    scores = evaluate(g, x)
    if as_json:
        click.echo(json.dumps({k: v.as_dict() for k, v in scores.items()}, indent=2))
        return
    click.echo(f"{'task':<14} {'P':>6} {'R':>6} {'F1':>6}   tp/predicted/gold")
    for task, sc in scores.items():
        click.echo(f"{task:<14} {sc.precision:6.3f} {sc.recall:6.3f} {sc.f1:6.3f}   {sc.tp}/{sc.predicted}/{sc.gold}")
