"""The JSONPath subset that Presentation Exchange definitions use in practice.

Spec: RFC 9535 (JSONPath), restricted to: the root ``$``; member names as
``.name`` or ``['name']`` / ``["name"]`` (several, comma-separated, in
brackets); array indexes ``[0]`` and ``[-1]``; wildcards ``.*`` and ``[*]``;
and descendants ``..name``, ``..*``, ``..[...]``. Filter expressions
(``[?(...)]``) and slices are refused with a clear error: PE puts filters in
JSON Schema (``filter``), not in the path.

A match is returned with its location, as a JSON pointer, so that selective
disclosure can reveal exactly what the path selected.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from passeport.errors import InputError

__all__ = ["JsonPath", "Located"]

_NAME: Final = re.compile(r"[A-Za-z_@$\u0080-\uffff][A-Za-z0-9_@$\-\u0080-\uffff]*")
_INDEX: Final = re.compile(r"-?\d+")
_QUOTED: Final = re.compile(r"""'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)\"""")


@dataclass(frozen=True, slots=True)
class _Step:
    kind: str  # "names", "index", "wild"
    names: tuple[str, ...] = ()
    index: int = 0
    descendants: bool = False


@dataclass(frozen=True, slots=True)
class Located:
    """A value found by a path, and where: the member names and indexes from the root."""

    location: tuple[str | int, ...]
    value: Any

    @property
    def pointer(self) -> str:
        """The location as an RFC 6901 JSON pointer."""
        return "".join(
            "/" + str(part).replace("~", "~0").replace("/", "~1") for part in self.location
        )


def _skip_spaces(text: str, index: int) -> int:
    while index < len(text) and text[index] == " ":
        index += 1
    return index


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@dataclass(frozen=True, slots=True)
class JsonPath:
    """A parsed path; :meth:`find` returns every match in document order."""

    text: str
    steps: tuple[_Step, ...]

    @classmethod
    def parse(cls, text: str, *, where: str | None = None, pointer: str | None = None) -> JsonPath:
        """Parse ``text``.

        Raises:
            InputError: outside the supported subset or malformed, naming the position.
        """

        def bad(position: int, why: str) -> InputError:
            return InputError(
                f"JSONPath {text!r}, at character {position + 1}: {why}",
                where=where,
                pointer=pointer,
            )

        if not isinstance(text, str) or not text.startswith("$"):
            raise InputError(f"JSONPath {text!r} must start with $", where=where, pointer=pointer)
        steps: list[_Step] = []
        i = 1
        while i < len(text):
            descendants = False
            if text.startswith("..", i):
                descendants, i = True, i + 2
                if i < len(text) and text[i] == "[":
                    pass
                elif text.startswith("*", i):
                    steps.append(_Step("wild", descendants=True))
                    i += 1
                    continue
                else:
                    found = _NAME.match(text, i)
                    if not found:
                        raise bad(i, "expected a member name after ..")
                    steps.append(_Step("names", (found.group(),), descendants=True))
                    i = found.end()
                    continue
            elif text[i] == ".":
                i += 1
                if text.startswith("*", i):
                    steps.append(_Step("wild"))
                    i += 1
                    continue
                found = _NAME.match(text, i)
                if not found:
                    raise bad(i, "expected a member name after .")
                steps.append(_Step("names", (found.group(),)))
                i = found.end()
                continue
            if i >= len(text) or text[i] != "[":
                raise bad(i, "expected ., .. or [")
            j = _skip_spaces(text, i + 1)
            if text[j : j + 1] in ("'", '"'):
                names: list[str] = []
                while True:
                    quoted = _QUOTED.match(text, j)
                    if not quoted:
                        raise bad(j, "unterminated quoted name")
                    names.append(_unescape(quoted.group(1) or quoted.group(2) or ""))
                    j = _skip_spaces(text, quoted.end())
                    if text[j : j + 1] == ",":
                        j = _skip_spaces(text, j + 1)
                        continue
                    if text[j : j + 1] == "]":
                        break
                    raise bad(j, "expected , or ] after a quoted name")
                steps.append(_Step("names", tuple(names), descendants=descendants))
                i = j + 1
                continue
            close = text.find("]", j)
            if close < 0:
                raise bad(i, "unclosed [")
            inner = text[j:close].strip()
            if inner.startswith(("?", "(")) or ":" in inner:
                raise bad(
                    i, "filters, scripts and slices are not supported; use the field's filter"
                )
            if inner == "*":
                steps.append(_Step("wild", descendants=descendants))
            elif _INDEX.fullmatch(inner):
                steps.append(_Step("index", index=int(inner), descendants=descendants))
            else:
                raise bad(j, f"cannot read [{inner}]")
            i = close + 1
        return cls(text, tuple(steps))

    def find(self, document: Any) -> list[Located]:
        """Return every value the path selects, with its location."""
        current = [Located((), document)]
        for step in self.steps:
            following: list[Located] = []
            for found in current:
                bases = list(_descendants(found)) if step.descendants else [found]
                for base in bases:
                    following.extend(_apply(step, base))
            current = following
        return current


def _children(found: Located) -> Iterator[Located]:
    value = found.value
    if isinstance(value, dict):
        for key, item in value.items():
            yield Located((*found.location, key), item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield Located((*found.location, index), item)


def _descendants(found: Located) -> Iterator[Located]:
    yield found
    for child in _children(found):
        yield from _descendants(child)


def _apply(step: _Step, found: Located) -> list[Located]:
    value = found.value
    if step.kind == "wild":
        return list(_children(found))
    if step.kind == "index":
        if not isinstance(value, list):
            return []
        index = step.index + len(value) if step.index < 0 else step.index
        return [Located((*found.location, index), value[index])] if 0 <= index < len(value) else []
    if not isinstance(value, dict):
        return []
    return [Located((*found.location, name), value[name]) for name in step.names if name in value]
