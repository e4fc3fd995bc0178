"""Who speaks: speaker prefixes ("Y. Ushakov", "SECRETARY RUBIO", "Вопрос (ТАСС)") resolved through the
gazetteer, and reported-speech cues in narrative ("According to Ushakov, …", "Peskov noted that …",
"— сказал он") that say whose words a paragraph reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.text.candidates import TITLES, candidate_id
from ingest.text.gazetteer import Gazetteer
from ingest.text.model import Mention

QUESTION_WORDS = {"question", "questions", "q", "вопрос", "journalist", "reporter", "журналист", "корреспондент",
                  "реплика", "audience"}
ANSWER_WORDS = {"answer", "a", "ответ"}
ROLE_WORDS = {"moderator", "interpreter", "host", "operator", "ведущий", "модератор", "переводчик"}
HEADING_WORDS = {"key", "main", "theses", "points", "highlights", "summary", "note", "notes", "update", "source",
                 "тезисы", "главное", "основные", "ключевые", "итоги", "источник", "примечание"}
_CONNECTORS = {"of", "de", "von", "der", "van", "la", "le", "al", "bin", "da", "di", "du"}

_QLABEL = re.compile(r"([^\W\d_]+)[ \t]*(?:\((?P<who>[^()\n]{1,60})\))?\Z")
_INITIALS = re.compile(r"(?:[^\W\d_a-zа-яё]\.[ \t]?){1,2}[^\W\d_a-zа-яё][^\W\d_]+(?:[-'’][^\W\d_]+)?\Z")

VERBS = (r"(?:said|says|noted|notes|emphasi[sz]ed|emphasi[sz]es|stressed|stresses|added|adds|stated|states|"
         r"explained|pointed\s+out|remarked|told|tells|recalled|underlined|underscored|clarified|announced|"
         r"confirmed|believes|argued|warned|insisted|reported|observed|commented|admitted|acknowledged|assured|"
         r"revealed|indicated|highlighted|mentioned|continued|concluded|replied|answered|responded|specified|"
         r"сказал\w*|заявил\w*|отметил\w*|подчеркнул\w*|сообщил\w*|добавил\w*|пояснил\w*|напомнил\w*|указал\w*|"
         r"уточнил\w*|признал\w*|рассказал\w*|считает|полагает|констатировал\w*|ответил\w*|заверил\w*|"
         r"резюмировал\w*|говорит|заявляет|отмечает|подчеркивает|подчёркивает|сообщает)")
ADVERBS = (r"(?:also|further|later|again|then|once\s+again|earlier|repeatedly|separately|in\s+turn|"
           r"в\s+свою\s+очередь|также|тоже|ранее|еще|ещё|затем|кроме\s+того|особо|отдельно)")
_AFTER = re.compile(rf"(?:[ \t]*,[^,.;\n]{{1,80}},)?[ \t]+(?:{ADVERBS}[ \t]+)?(?:,[ \t]*)?{VERBS}\b", re.I)
_ACCORDING = re.compile(r"\b(?:according\s+to|as\s+(?:stated|noted|said|explained)\s+by|по\s+словам|"
                        r"как\s+(?:заявил\w*|отметил\w*|сообщил\w*|подчеркнул\w*|рассказал\w*|пояснил\w*|"
                        r"сказал\w*|считает))\s+(?:[^\W\d_][\w-]*\s+){0,4}\Z", re.I)
_INVERTED = re.compile(rf"(?:[,—–]|[»”\"])[ \t]*[,—–]?[ \t]*{VERBS}[ \t]+(?:[^\W\d_][\w-]*[ \t]+){{0,4}}\Z", re.I)
_PRONOUN = re.compile(rf"\b(?:he|she)[ \t]+(?:{ADVERBS}[ \t]+)?{VERBS}\b|(?:[,—–])[ \t]*{VERBS}[ \t]+(?:он|она)\b|"
                      rf"\b(?:он|она)[ \t]+(?:{ADVERBS}[ \t]+)?{VERBS}", re.I)


# "Andrea Kendall, Reuters." / "Hi, Matt Lee, AP." / "Павел Зарубин, ВГТРК." at the start of a question.
_SELF_ID = re.compile(r"(?:(?:hi|hello|yes|thank\s+you|thanks|good\s+(?:morning|afternoon|evening)|здравствуйте|"
                      r"добрый\s+день)[,.!]?[ \t]+){0,2}(?:(?:i'm|i\s+am|this\s+is|it's|меня\s+зовут)[ \t]+)?"
                      r"(?P<name>[^\W\d_][\w'’.-]{0,30}(?:[ \t]+[^\W\d_][\w'’.-]{0,30}){0,3})[ \t]*"
                      r"(?:,|\bfrom\b|\bwith\b)[ \t]*(?P<outlet>[^.,!?\n]{2,40}?)[ \t]*[.,!]", re.I)


@dataclass(frozen=True)
class Cue:
    """A reported-speech cue: whose words (None for "he said": the speaker so far) and where."""

    speaker: str | None
    start: int


@dataclass(frozen=True)
class Speaker:
    id: str
    label: str
    candidate: bool


class Speakers:
    def __init__(self, gazetteer: Gazetteer) -> None:
        self.g = gazetteer

    # -- prefixes ------------------------------------------------------------------------------------

    def label_kind(self, label: str) -> str | None:
        """"question", "answer", "speaker", or None when `label` is not a speaker prefix at all.

        >>> from ingest.text.gazetteer import cached
        >>> k = Speakers(cached()).label_kind
        >>> k("QUESTION"), k("Y. Ushakov"), k("SECRETARY RUBIO"), k("Key theses"), k("Ushakov noted")
        ('question', 'speaker', 'speaker', None, None)
        """
        s = label.strip()
        if not s or len(s) > 60:
            return None
        q = _QLABEL.match(s)
        if q:
            word = q.group(1).casefold()
            if word in QUESTION_WORDS:
                return "question"
            if word in ANSWER_WORDS and not q.group("who"):
                return "answer"
        resolved = self.resolve_id(s)
        if resolved is not None:
            return "question" if self.is_journalist(resolved) else "speaker"
        words = s.replace(".", ". ").split()
        if len(words) > 5 or any(w.casefold().strip(".") in HEADING_WORDS for w in words):
            return None
        letters = [c for c in s if c.isalpha()]
        if len(letters) >= 2 and all(c.isupper() for c in letters):
            return "speaker"
        if _INITIALS.match(s):
            return "speaker"
        if len(words) >= 2 and words[0][0].isupper() and words[-1][0].isupper() and all(
                w[0].isupper() or w.casefold() in _CONNECTORS for w in words):
            return "speaker"
        if s.casefold() in ROLE_WORDS:
            return "speaker"
        return None

    def resolve_id(self, label: str) -> str | None:
        """The gazetteer actor a prefix names, trying it whole, then without leading titles and initials."""
        q = _QLABEL.match(label.strip())
        if q and q.group("who") and q.group(1).casefold() in QUESTION_WORDS:
            return self.resolve_id(q.group("who"))
        words = label.strip().split()
        for i in range(len(words)):
            found = self.g.lookup(" ".join(words[i:]))
            if found is not None:
                e = self.g.entities[found]
                if e.kind == "actor":
                    return found
                if e.stands_for:
                    return e.stands_for
            if words[i].casefold().strip(".") not in TITLES and not re.fullmatch(r"\w\.", words[i]):
                break
        bare = re.sub(r"^(?:[^\W\d_]\.[ \t]?){1,2}", "", label.strip())
        if bare != label.strip():
            found = self.g.lookup(bare)
            if found is not None and self.g.entities[found].kind == "actor":
                return found
        return None

    def resolve(self, label: str) -> Speaker:
        """The speaker a prefix names: a gazetteer actor, or a candidate actor made from the name."""
        found = self.resolve_id(label)
        if found is not None:
            return Speaker(found, label, False)
        words = [w for w in label.replace(".", ". ").split()]
        while len(words) > 1 and words[0].casefold().strip(".") in TITLES:
            words.pop(0)
        name = " ".join(words)
        letters = [c for c in name if c.isalpha()]
        if letters and all(c.isupper() for c in letters):
            name = " ".join(w.capitalize() for w in name.split())
        return Speaker(candidate_id(name), name, True)

    def self_identified(self, question: str) -> str | None:
        """The outlet (or known journalist) a question starts by naming: "Andrea Kendall, Reuters. Will …"."""
        m = _SELF_ID.match(question[:160])
        if m is None or not m.group("name")[0].isupper():
            return None
        for part in (m.group("name"), m.group("outlet")):
            found = self.g.lookup(part.strip())
            if found is not None and self.is_journalist(found):
                return found
        return None

    def is_journalist(self, actor: str) -> bool:
        seen: set[str] = set()
        todo = [actor]
        while todo:
            a = todo.pop()
            if a == "media":
                return True
            if a in seen or a not in self.g.entities:
                continue
            seen.add(a)
            todo += self.g.entities[a].record.get("member_of") or []
        return False

    # -- reported speech -----------------------------------------------------------------------------

    def cue(self, text: str, s: int, e: int, mentions: list[Mention]) -> Cue | None:
        """The first reported-speech cue in the sentence [s, e), if any."""
        for m in mentions:
            if not s <= m.start < e:
                continue
            who = self._speaker_of(m)
            if who is None:
                continue
            if _ACCORDING.search(text, max(s, m.start - 60), m.start) or \
                    _INVERTED.search(text, max(s, m.start - 80), m.start):
                return Cue(who, m.start)
            if _AFTER.match(text, m.end, min(e, m.end + 120)):
                return Cue(who, m.start)
        p = _PRONOUN.search(text, s, e)
        return Cue(None, p.start()) if p else None

    def _speaker_of(self, m: Mention) -> str | None:
        if m.candidate or m.kind == "actor":
            return m.id
        if m.kind == "place":
            return self.g.entities[m.id].stands_for if m.id in self.g.entities else None
        return None
