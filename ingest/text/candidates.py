"""Capitalised names the gazetteer does not know: candidate actors, flagged for review, never dropped.

A candidate is a run of one to four capitalised words inside a statement that no gazetteer name covers,
that is not a lone word starting a sentence ("Nevertheless", "Initially"), a demonym before a noun
("Ukrainian issues", "Russian-American"), a title, a month or a weekday.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ingest.text.model import Mention

# Zero-width characters stay inside a word, so "Wit\u200bkoff" is one (candidate) name, never "Witkoff".
_WORD = re.compile(r"[^\W\d_][\w'’\-\u200b-\u200d\u2060\ufeff]*")
_GAP = re.compile(r"[ \t]\Z|\.[ \t]\Z")
MAX_WORDS = 4
_STOP = {
    "i", "i'm", "i've", "i'd", "we", "they", "he", "she", "it", "this", "that", "these", "those", "the", "a", "an",
    "mr", "mrs", "ms", "dr", "sir", "madam", "thank", "thanks", "yes", "no", "okay", "ok", "well", "so", "and", "but",
    "or", "if", "question", "answer", "q", "god", "article", "section", "point", "points", "chapter", "part",
    "annex", "round", "phase", "stage", "paragraph", "item", "number", "day", "week", "happy", "dear",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march",
    "april", "may", "june", "july", "august", "september", "october", "november", "december", "thanksgiving",
    "christmas", "easter", "internet", "english", "russian", "ukrainian", "american", "european",
    "вопрос", "ответ", "спасибо", "да", "нет", "господин", "госпожа", "январь", "февраль", "март", "апрель",
    "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь", "понедельник", "вторник", "среда",
    "четверг", "пятница", "суббота", "воскресенье", "вы", "мы", "они", "я", "он", "она",
}
TITLES = {
    "president", "secretary", "minister", "foreign", "prime", "deputy", "ambassador", "senator", "governor",
    "general", "gen", "admiral", "adm", "spokesperson", "spokesman", "spokeswoman", "special", "envoy", "state",
    "chancellor", "director", "chief", "aide", "adviser", "advisor", "assistant", "under", "vice", "press",
    "mr", "mrs", "ms", "dr", "sir", "madam", "moderator", "army", "defense", "defence", "national", "security",
    "council", "of", "the", "and", "for",
    "президент", "министр", "помощник", "посол", "генерал", "адмирал", "пресс-секретарь", "спецпосланник",
    "госсекретарь", "глава", "директор", "заместитель", "советник", "господин", "госпожа",
}
_DEMONYM = re.compile(r"(?:ian|ean|ese|ish|an|ic|i)(?:-[^\W\d_]+)*\Z", re.I)


@dataclass
class Candidate:
    id: str
    label: str
    type: str          # person | organisation
    mentions: list[Mention]


def find_candidates(text: str, spans: list[tuple[int, int]], sentence_starts: set[int],
                    linked: list[Mention]) -> list[Mention]:
    """Candidate-name mentions (id = a slug of the name, `candidate=True`) in the given spans."""
    covered = sorted((m.start, m.end) for m in linked)
    out: list[Mention] = []
    for s, e in spans:
        words = [(w.start(), w.end(), w.group()) for w in _WORD.finditer(text, s, e)]
        i = 0
        while i < len(words):
            run = _run(text, words, i, covered)
            if not run:
                i += 1
                continue
            j = i + len(run)
            name_words = _strip_titles(run)
            if _keep(text, name_words, words, j, sentence_starts, run):
                a, b = name_words[0][0], name_words[-1][1]
                surface = text[a:b].rstrip("'’-")
                b = a + len(surface)
                out.append(Mention(a, b, candidate_id(surface), "actor", surface, candidate=True))
            i = j
    return out


def _capitalised(word: str) -> bool:
    return word[0].isupper() and word.casefold().strip("'’-") not in _STOP


def _run(text: str, words: list[tuple[int, int, str]], i: int,
         covered: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    run: list[tuple[int, int, str]] = []
    k = i
    while k < len(words) and len(run) < MAX_WORDS + 2:
        ws, we, w = words[k]
        if not _capitalised(w) or _inside(ws, we, covered):
            break
        if run and not _GAP.match(text[run[-1][1]:ws]):
            break
        run.append(words[k])
        k += 1
    return run


def _inside(s: int, e: int, covered: list[tuple[int, int]]) -> bool:
    """Whether [s, e) overlaps a covered span (spans sorted, not nested: mentions never nest)."""
    i = bisect_right(covered, (s, float("inf"))) - 1
    return any(a < e and s < b for a, b in covered[max(0, i):i + 2])


def _strip_titles(run: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    words = list(run)
    while words and words[0][2].casefold().strip(".") in TITLES:
        words.pop(0)
    return words[:MAX_WORDS]


def _keep(text: str, name: list[tuple[int, int, str]], words: list[tuple[int, int, str]], j: int,
          sentence_starts: set[int], run: list[tuple[int, int, str]]) -> bool:
    if not name:
        return False
    if any(_mixed_scripts(w) for _, _, w in name):
        return True        # "Wіtkoff" with a Cyrillic і: shown for review, never taken for a name or a word
    if len(run) == 1 and _starts_sentence(text, run[0][0], sentence_starts):
        return False
    if len(name) == 1:
        w = name[0][2]
        nxt = words[j][2] if j < len(words) else ""
        if _DEMONYM.search(w) and (not nxt or nxt[0].islower()) and not w.isupper():
            return False
        if len(w) < 2:
            return False
    return True


def _mixed_scripts(word: str) -> bool:
    latin = any("a" <= c.lower() <= "z" for c in word)
    cyrillic = any("\u0400" <= c <= "\u04ff" for c in word)
    return latin and cyrillic


def _starts_sentence(text: str, pos: int, sentence_starts: set[int]) -> bool:
    if pos in sentence_starts:
        return True
    before = text[max(0, pos - 3):pos].rstrip(" \t\"«“(")
    return before.endswith((":", "—", "–", "\n", ".", "!", "?", "…")) or not before


def candidate_id(surface: str) -> str:
    """The id a candidate actor gets: its name as a slug (letters of any script kept)."""
    from graph.iri import slug

    return slug(surface.replace("’", "").replace("'", ""))


def candidate_type(surface: str) -> str:
    letters = [c for c in surface if c.isalpha()]
    return "organisation" if len(letters) >= 2 and all(c.isupper() for c in letters) else "person"
