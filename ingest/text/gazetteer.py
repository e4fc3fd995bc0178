"""The gazetteer: known actors, places, issues and documents with their names, and the linker that
finds those names in text and returns their exact character spans.

Matching is token-based and linear in the text: a trie over the tokens of every name, walked from each
token. Russian words match their case forms by one suffix rule (see `_stems`), not a list of forms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from graph.errors import InputError
from ingest.text.model import Mention
from ingest.text.reading import read_text
from ingest.yamlsafe import Node, parse

BUNDLED = Path(__file__).resolve().parent.parent / "gazetteer.yaml"
SECTIONS = {"actors": "actor", "places": "place", "issues": "issue", "documents": "document"}
# Fields each section may hold: the record format's fields plus the extractor's own (side, head_of, …).
ALLOWED = {
    "actor": {"id", "type", "labels", "aliases", "same_as", "member_of", "roles", "side", "head_of", "delegation_of"},
    "place": {"id", "labels", "aliases", "within", "stands_for"},
    "issue": {"id", "labels", "aliases", "category", "broader"},
    "document": {"id", "title", "kind", "labels", "aliases", "access", "points", "issue", "by"},
}
RELATIVE_MEANINGS = {"head_of_speaker_side", "delegation_of_speaker_side"}
MAX_NAME_TOKENS = 10

TOKEN = re.compile(r"[^\W\d_][^\W\d_\u0300-\u036f\u0483-\u0489]*|\d+")
_GAP = re.compile(r"[ \t\n.'’/\-]{0,3}\Z")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]+\Z")
# Russian case endings (nouns and adjectives): a text word matches a name word when it is the name's stem
# plus one of these.
ENDINGS = sorted({"", "а", "я", "у", "ю", "е", "и", "ы", "о", "ь", "й", "ой", "ей", "ою", "ею", "ом", "ем", "ам", "ям",
                  "ах", "ях", "ами", "ями", "ов", "ев", "ий", "ый", "ая", "яя", "ое", "ее", "ую", "юю", "ые", "ие",
                  "ых", "их", "ым", "им", "ыми", "ими", "ого", "его", "ому", "ему", "ью"}, key=len)
# What a name's own final letters may be before the stem (the nominative endings).
NAME_ENDINGS = ("ий", "ый", "ой", "ая", "яя", "ое", "ее", "ие", "ые", "а", "я", "о", "е", "ь", "й", "ы", "и")
MIN_STEM = 3


@dataclass
class Entity:
    """One gazetteer entry: its id, kind, the record fields to write when it is not in the store yet,
    and what the extractor needs to know about it."""

    id: str
    kind: str
    record: dict[str, Any]
    names: list[str]
    side: str | None = None
    head_of: str | None = None
    delegation_of: str | None = None
    stands_for: str | None = None
    issue: str | None = None
    by: str | None = None
    refs: list[str] = field(default_factory=list)  # ids its record refers to (member_of, within, broader)


def key(token: str) -> str:
    """How a token is compared: NFC, case-folded, ё as е."""
    return unicodedata.normalize("NFC", token).casefold().replace("ё", "е")


def _case_rule(token: str) -> str:
    if len(token) >= 2 and token.isupper():
        return "upper"
    return "cap" if token[0].isupper() else "any"


def _stems(k: str) -> Iterator[str]:
    """The stems a Cyrillic text word may have: the word less each ending it ends with."""
    for ending in ENDINGS:
        if len(k) - len(ending) >= MIN_STEM and k.endswith(ending):
            yield k[: len(k) - len(ending)] if ending else k


def _name_stems(k: str) -> list[str]:
    """The stems a Cyrillic name word may have: less each nominative ending it ends with ("американские"
    → "американск"; "урегулирование" → "урегулирован" or "урегулировани", so "урегулирования" matches)."""
    out = [k[: -len(e)] for e in NAME_ENDINGS if k.endswith(e) and len(k) - len(e) >= MIN_STEM]
    return list(dict.fromkeys(out)) or [k]


@dataclass
class _Trie:
    children: dict[str, "_Trie"] = field(default_factory=dict)
    ends: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)   # (entity id, case rules)


class Gazetteer:
    """Entities by id and a linker over their names.

    >>> g = Gazetteer.load()
    >>> [(m.surface, m.id) for m in g.link("Встреча Путина с Уиткоффом и Кушнером в Кремле")]
    [('Путина', 'vladimir-putin'), ('Уиткоффом', 'steve-witkoff'), ('Кушнером', 'jared-kushner'), ('Кремле', 'kremlin')]
    """

    def __init__(self) -> None:
        self.entities: dict[str, Entity] = {}
        self.relative: dict[str, str] = {}
        self.default_issue: str | None = None
        self._trie = _Trie()

    # -- loading -------------------------------------------------------------------------------------

    @classmethod
    def load(cls, extra: Sequence[str | Path] = ()) -> "Gazetteer":
        """The bundled gazetteer, then each extra file: an entry with a known id replaces the old one.

        :raises InputError: a malformed file, with file, line and field.
        """
        g = cls()
        for path in [BUNDLED, *extra]:
            g.add_file(path)
        g.build()
        return g

    def add_file(self, path: str | Path) -> None:
        name = str(path)
        try:
            data = Path(path).read_bytes()
        except OSError as e:
            raise InputError(f"cannot read the gazetteer: {e.strerror}", file=name) from None
        root = parse(read_text(data, name), name)
        self.add(root, name)

    def add(self, root: Node, name: str) -> None:
        def bad(node: Node, where: str, message: str) -> InputError:
            return InputError(message, file=name, line=node.line, column=node.column, field=where)

        if not isinstance(root.value, dict) or "gazetteer" not in root.value:
            raise bad(root, "gazetteer", "a gazetteer is a mapping that starts with `gazetteer: 1`")
        top = root.value
        if plain(top["gazetteer"]) != "1":
            raise bad(top["gazetteer"], "gazetteer", "this version of Parley reads `gazetteer: 1`")
        for k, node in top.items():
            if k in ("gazetteer",):
                continue
            if k == "default_issue":
                self.default_issue = str(plain(node))
            elif k == "relative":
                for i, item in enumerate(_items(node, bad, k)):
                    d = plain(item)
                    if not isinstance(d, dict) or d.get("means") not in RELATIVE_MEANINGS or not d.get("phrase"):
                        raise bad(item, f"relative[{i}]", "expected {phrase: …, means: head_of_speaker_side}")
                    self.relative[" ".join(key(t) for t in TOKEN.findall(str(d["phrase"])))] = str(d["means"])
            elif k in SECTIONS:
                kind = SECTIONS[k]
                for i, item in enumerate(_items(node, bad, k)):
                    self._add_entity(kind, item, f"{k}[{i}]", bad)
            else:
                raise bad(node, k, f"unknown section {k!r}; known: {', '.join(['default_issue', 'relative', *SECTIONS])}")

    def _add_entity(self, kind: str, item: Node, where: str, bad: Any) -> None:
        d = plain(item)
        if not isinstance(d, dict) or not isinstance(d.get("id"), str):
            raise bad(item, where, "each entry is a mapping with an `id`")
        unknown = set(d) - ALLOWED[kind]
        if unknown:
            raise bad(item, f"{where}.{sorted(unknown)[0]}",
                      f"unknown field {sorted(unknown)[0]!r}; known fields: {', '.join(sorted(ALLOWED[kind]))}")
        if kind != "document" and not isinstance(d.get("labels"), dict):
            raise bad(item, f"{where}.labels", "labels by language are required, e.g. {en: Kyiv, uk: Київ}")
        if kind == "actor" and d.get("type") not in ("person", "organisation", "state", "group"):
            raise bad(item, f"{where}.type", "type is one of person, organisation, state, group")
        if kind == "document" and not isinstance(d.get("title"), str):
            raise bad(item, f"{where}.title", "a document needs a title")
        aliases = d.get("aliases", [])
        if not isinstance(aliases, list):
            raise bad(item, f"{where}.aliases", "aliases are a list")
        labels = d.get("labels", {}) or {}
        names = [str(v) for v in labels.values()] + [str(a) for a in aliases]
        if kind == "document":
            names.append(str(d["title"]))
            record = {k: v for k, v in d.items() if k in ("id", "title", "kind", "access", "points")}
        else:
            record = {k: v for k, v in d.items() if k not in ("side", "head_of", "delegation_of", "stands_for")}
        old = self.entities.get(d["id"])
        if old is not None and old.kind != kind:
            raise bad(item, where, f"id {d['id']!r} is already a{'n' if old.kind[0] in 'aeiou' else ''} {old.kind}")
        refs = [*d.get("member_of", []), *([d["within"]] if "within" in d else []),
                *([d["broader"]] if "broader" in d else [])]
        side = d.get("side")
        if side is None and kind == "actor":
            side = d["id"] if d.get("type") == "state" else None
        self.entities[d["id"]] = Entity(d["id"], kind, record, names, side=side, head_of=d.get("head_of"),
                                        delegation_of=d.get("delegation_of"),
                                        stands_for=d.get("stands_for"), issue=d.get("issue"), by=d.get("by"),
                                        refs=[str(r) for r in refs])

    def build(self) -> None:
        """Index every name of every entity (call after the last `add`); checks references between entries."""
        self._trie = _Trie()
        for e in self.entities.values():
            for ref in e.refs + [x for x in (e.side, e.head_of, e.delegation_of, e.stands_for, e.issue, e.by) if x]:
                if ref not in self.entities:
                    raise InputError(f"gazetteer entry {e.id!r} refers to {ref!r}, which no gazetteer entry defines")
            for name in dict.fromkeys(e.names):
                self._index(name, e.id)
        for phrase, means in self.relative.items():
            self._index(phrase, "@" + means)

    def _index(self, name: str, target: str) -> None:
        tokens = TOKEN.findall(unicodedata.normalize("NFC", name))
        if not tokens or len(tokens) > MAX_NAME_TOKENS:
            return
        nodes = [self._trie]
        for t in tokens:
            k = key(t)
            keys = [k]
            if _CYRILLIC.match(k) and len(k) > MIN_STEM and _case_rule(t) != "upper":
                keys = ["~" + stem for stem in _name_stems(k)]
            nodes = [n.children.setdefault(kk, _Trie()) for n in nodes for kk in keys]
        rules = tuple(_case_rule(t) for t in tokens)
        for node in nodes:
            if not any(t == target for t, _ in node.ends):
                node.ends.append((target, rules))

    # -- what the extractor asks ---------------------------------------------------------------------

    def side_of(self, entity_id: str | None) -> str | None:
        """The state (or group, for the Europeans) an actor speaks for."""
        seen: set[str] = set()
        while entity_id is not None and entity_id not in seen:
            seen.add(entity_id)
            e = self.entities.get(entity_id)
            if e is None:
                return None
            if e.side is not None:
                return e.side
            members = e.record.get("member_of") or []
            entity_id = members[0] if members else e.stands_for
        return None

    def head_of(self, side: str | None) -> str | None:
        for e in self.entities.values():
            if side is not None and e.head_of == side:
                return e.id
        return None

    def delegation_of(self, side: str | None) -> str | None:
        for e in self.entities.values():
            if side is not None and e.delegation_of == side:
                return e.id
        return None

    def meaning(self, means: str, speaker: str | None) -> str | None:
        """What a relative phrase (`@head_of_speaker_side`, …) means when `speaker` says it."""
        side = self.side_of(speaker)
        if means == "head_of_speaker_side":
            return self.head_of(side)
        if means == "delegation_of_speaker_side":
            return self.delegation_of(side)
        return None

    def kind_of(self, entity_id: str) -> str | None:
        e = self.entities.get(entity_id)
        return e.kind if e else None

    def lookup(self, name: str) -> str | None:
        """The id whose name is exactly `name` (as a whole, any case), e.g. a speaker prefix."""
        tokens = TOKEN.findall(name)
        if not tokens:
            return None
        for m in self._walk(name, [(t.start(), t.end(), t.group()) for t in TOKEN.finditer(name)], 0,
                            case_blind=True):
            if m[0] == len(tokens) and not m[1].startswith("@"):
                return m[1]
        return None

    # -- linking -------------------------------------------------------------------------------------

    def link(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        """Every gazetteer name in text[start:end], longest first, none nested, with exact spans.
        Relative phrases come back with ids like `@head_of_speaker_side` for the caller to resolve."""
        end = len(text) if end is None else end
        tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text, start, end)]
        out: list[Mention] = []
        i = 0
        while i < len(tokens):
            best = next(iter(sorted(self._walk(text, tokens, i), key=lambda m: -m[0])), None)
            if best is None:
                i += 1
                continue
            n, target = best
            s, e = tokens[i][0], tokens[i + n - 1][1]
            kind = "relative" if target.startswith("@") else self.entities[target].kind
            out.append(Mention(s, e, target, kind, text[s:e]))
            i += n
        return out

    def _walk(self, text: str, tokens: list[tuple[int, int, str]], i: int,
              case_blind: bool = False) -> Iterator[tuple[int, str]]:
        """(number of tokens, target) of every name that starts at token i."""
        frontier: list[_Trie] = [self._trie]
        for n in range(1, MAX_NAME_TOKENS + 1):
            j = i + n - 1
            if j >= len(tokens) or not frontier:
                return
            if n > 1 and not _GAP.match(text[tokens[j - 1][1]:tokens[j][0]]):
                return
            k = key(tokens[j][2])
            keys = [k]
            compound = text[tokens[j][1]:tokens[j][1] + 2]
            if _CYRILLIC.match(k) and not (len(compound) == 2 and compound[0] == "-" and compound[1].isalpha()):
                keys += ["~" + s for s in _stems(k)]
            frontier = [child for node in frontier for kk in keys if (child := node.children.get(kk)) is not None]
            for node in frontier:
                for target, rules in node.ends:
                    if case_blind or all(_case_ok(tokens[i + x][2], r) for x, r in enumerate(rules)):
                        yield n, target


def _case_ok(token: str, rule: str) -> bool:
    if rule == "upper":
        return token.isupper()
    if rule == "cap":
        return token[0].isupper()
    return True


def plain(node: Node) -> Any:
    """A yamlsafe Node tree as plain Python values (text stays text)."""
    if isinstance(node.value, dict):
        return {k: plain(v) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [plain(v) for v in node.value]
    return node.value


def _items(node: Node, bad: Any, where: str) -> list[Node]:
    if not isinstance(node.value, list):
        raise bad(node, where, "expected a list of entries (one `- id: …` per entry)")
    return node.value


@lru_cache(maxsize=8)
def cached(extra: tuple[str, ...] = ()) -> Gazetteer:
    """A loaded gazetteer, kept for the life of the process (files are not re-read)."""
    return Gazetteer.load(extra)
