"""A YAML reader for record files that keeps every value's position and refuses YAML's traps.

Scalars stay text (the schema types them later), so YAML 1.1's `NO`→False, `010`→8 and `12:30`→750
cannot happen. Anchors, aliases, tags, duplicate keys, several documents and deep nesting are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Any, Union

import yaml

from graph.errors import InputError

MAX_DEPTH = 64
NULLS = {"", "~", "null", "Null", "NULL"}


@dataclass(slots=True)  # slots: a large record file is hundreds of thousands of nodes
class Node:
    """A YAML value with where it stands (1-based line and column); `keys`: where each key of a mapping is."""

    value: Union[str, None, dict[str, "Node"], list["Node"]]
    line: int
    column: int
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)


def decode(data: bytes, filename: str) -> str:
    """UTF-8 text of a file (a BOM is dropped); a clear error that says where the first bad byte is."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        before = data[: e.start]
        line = before.count(b"\n") + 1
        column = e.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[e.start]:02x}); save the file as UTF-8",
                         file=filename, line=line, column=column) from None
    return text.replace("\r\n", "\n")


# The `keys` of every node that is not a mapping: never written to (only mappings record their keys).
_NO_KEYS: dict[str, tuple[int, int]] = {}


# Called with (key, index, node) when an item of a list under a key of the top mapping is complete; what it
# returns takes the item's place in the tree.
OnItem = Callable[[str, int, Node], Node]


def parse(text: str, filename: str, *, on_item: OnItem | None = None) -> Node:
    """Parse one YAML document into a tree of `Node`s.

    :param on_item: lets a reader take each item of the top mapping's lists as soon as it is read (and put
        something smaller in its place), so a large file's tree is never whole in memory.

    >>> parse("country: NO\\nn: 010", "x.yaml").value["country"].value
    'NO'
    """
    stack: list[tuple[Node, str | None]] = []  # (container, pending key for mappings)
    root: Node | None = None
    documents = 0

    def err(message: str, mark: Any) -> InputError:
        return InputError(message, file=filename, line=mark.line + 1, column=mark.column + 1)

    def attach(node: Node, mark: Any) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent, key = stack[-1]
        if isinstance(parent.value, list):
            parent.value.append(node)
            return
        assert isinstance(parent.value, dict)
        if key is None:
            if not isinstance(node.value, str):
                raise err("a mapping key must be plain text", mark)
            if node.value in parent.value or node.value in parent.keys:
                raise err(f"duplicate key {node.value!r} (each key may appear once)", mark)
            parent.keys[node.value] = (node.line, node.column)
            stack[-1] = (parent, node.value)
        else:
            parent.value[key] = node
            stack[-1] = (parent, None)

    try:
        loader = yaml.CSafeLoader(text)
        # Events are taken from the parser directly and told apart by exact type: a large file is
        # a million events, and this loop is most of the time it takes to read one.
        while True:
            event: Any = loader.get_event()
            kind = type(event)
            if kind is yaml.StreamEndEvent or event is None:
                break
            mark: Any = event.start_mark
            if kind is yaml.AliasEvent:
                raise err("YAML anchors and aliases (&name, *name) are not allowed in record files", mark)
            if kind is yaml.ScalarEvent:
                if event.anchor:
                    raise err("YAML anchors and aliases (&name, *name) are not allowed in record files", mark)
                tag = event.tag
                if tag is not None and tag != "!" and tag != "tag:yaml.org,2002:str":
                    raise err(f"YAML tags ({tag}) are not allowed in record files", mark)
                plain = event.implicit[0] and event.style in (None, "")
                value = None if plain and event.value in NULLS else event.value
                parent, key = stack[-1] if stack else (None, "")
                if key is None and parent is not None and isinstance(parent.value, dict):  # a key: no node
                    if value is None:
                        raise err("a mapping key must be plain text", mark)
                    if value in parent.keys:
                        raise err(f"duplicate key {value!r} (each key may appear once)", mark)
                    parent.keys[value] = (mark.line + 1, mark.column + 1)
                    stack[-1] = (parent, value)
                else:
                    attach(Node(value, mark.line + 1, mark.column + 1, _NO_KEYS), mark)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.anchor:
                    raise err("YAML anchors and aliases (&name, *name) are not allowed in record files", mark)
                tag = event.tag
                if tag is not None and tag != "!":
                    raise err(f"YAML tags ({tag}) are not allowed in record files", mark)
                if len(stack) >= MAX_DEPTH:
                    raise err(f"nesting deeper than {MAX_DEPTH} levels", mark)
                if kind is yaml.MappingStartEvent:
                    node = Node({}, mark.line + 1, mark.column + 1, {})
                else:
                    node = Node([], mark.line + 1, mark.column + 1, _NO_KEYS)
                attach(node, mark)
                stack.append((node, None))
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                done = stack.pop()[0]
                if on_item is not None and len(stack) == 2:
                    top, items = stack[0][0], stack[1][0]
                    if isinstance(top.value, dict) and isinstance(items.value, list) and top.value:
                        items.value[-1] = on_item(next(reversed(top.value)), len(items.value) - 1, done)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise err("a record file holds one YAML document; found a second `---`", mark)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problem = e.problem or e.context or "malformed YAML"
        if mark is None:
            raise InputError(f"malformed YAML: {problem}", file=filename) from None
        raise err(f"malformed YAML: {problem}", mark) from None
    except yaml.reader.ReaderError as e:
        before = text[: e.position]
        line, column = before.count("\n") + 1, e.position - (before.rfind("\n") + 1) + 1
        char = f"#x{e.character:04x}" if isinstance(e.character, int) else repr(e.character)
        raise InputError(f"malformed YAML: unacceptable character {char}: {e.reason}", file=filename,
                         line=line, column=column) from None
    except yaml.YAMLError as e:
        raise InputError(f"malformed YAML: {e}", file=filename) from None
    if root is None:
        raise InputError("the file is empty; a record file starts with `parley: 1`", file=filename, line=1)
    return root
