"""Bounds on a JSON-LD document, measured on its JSON before any JSON-LD work.

JSON-LD processing costs more than reading JSON: pyld's node map compares each
value of a property with every value before it (quadratic: a credential of
126 KB whose ``credentialSubject`` held 14,000 tags took 36 s), and the RDF
canonicalization after it hashes every blank node. A document is therefore
measured first, in one pass over its JSON, and one beyond these bounds is
refused with an :class:`~passeport.errors.InputError` naming the JSON pointer
of an excess, before pyld sees it.

The bounds are far above what a real credential holds, even a large one: an
Open Badges 3.0 transcript with a few hundred results and alignments nests
about 10 levels and holds a few thousand values; a Bitstring Status List
credential of 1,000,000 random entries carries an ``encodedList`` of about
170 KB. :data:`DEFAULT_LIMITS` bounds the work of one expansion to a fraction
of a second here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from passeport.errors import InputError

__all__ = ["DEFAULT_LIMITS", "DocumentLimits", "check_document"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentLimits:
    """What one JSON-LD document (a credential, a presentation, a proof) may hold.

    Args:
        max_depth: how deep arrays and objects nest (a credential nests about 10;
            a presentation of credentials with endorsements about 15).
        max_values: values in all (members and array items, at every depth).
        max_items: items of one array, or members of one object.
        max_string: characters of one string (an ``encodedList``, an image as a
            ``data:`` URL).
        max_text: characters of all strings and member names together.
        max_name: characters of one member name (a term or an IRI).
    """

    max_depth: int = 32
    max_values: int = 10_000
    max_items: int = 1_000
    max_string: int = 4 * 1024 * 1024
    max_text: int = 8 * 1024 * 1024
    max_name: int = 2_048


DEFAULT_LIMITS: Final = DocumentLimits()
"""The bounds every expansion applies unless told otherwise."""

_CONTAINERS: Final = (dict, list)


class _Excess(Exception):
    """What is beyond a limit; the keys leading to it are added as the walk unwinds."""

    def __init__(self, reason: str, *path: str | int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = list(path)  # innermost first

    @property
    def pointer(self) -> str:
        tokens = (str(key).replace("~", "~0").replace("/", "~1") for key in reversed(self.path))
        return "".join("/" + token for token in tokens)


def _walk(value: Any, depth: int, limits: DocumentLimits, tally: list[int]) -> None:
    """Measure ``value`` (an object or array) at ``depth``, adding to ``tally`` [values, text].

    Recursive, in document order: ``max_depth`` bounds the recursion. Raises
    :class:`_Excess`.
    """
    if depth > limits.max_depth:
        raise _Excess(f"arrays and objects nest more than {limits.max_depth} levels deep")
    size = len(value)
    if size > limits.max_items:
        kind = "an object" if isinstance(value, dict) else "an array"
        raise _Excess(f"{kind} of {size} items, more than {limits.max_items}")
    tally[0] += size
    if tally[0] > limits.max_values:
        raise _Excess(f"more than {limits.max_values} values in the document")
    text = 0
    for key, child in value.items() if isinstance(value, dict) else enumerate(value):
        if isinstance(key, str):
            if len(key) > limits.max_name:
                raise _Excess(
                    f"a member name of {len(key)} characters, more than {limits.max_name}"
                )
            text += len(key)
        if isinstance(child, str):
            if len(child) > limits.max_string:
                length = len(child)
                raise _Excess(
                    f"a string of {length} characters, more than {limits.max_string}", key
                )
            text += len(child)
        elif isinstance(child, _CONTAINERS):
            try:
                _walk(child, depth + 1, limits, tally)
            except _Excess as excess:
                excess.path.append(key)
                raise
    tally[1] += text
    if tally[1] > limits.max_text:
        raise _Excess(f"more than {limits.max_text} characters of text in the document")


def check_document(
    document: Any, *, limits: DocumentLimits = DEFAULT_LIMITS, where: str | None = None
) -> None:
    """Refuse ``document`` if it is beyond ``limits``; a linear pass over its JSON.

    >>> try:
    ...     check_document({"a": [1, 2, 3]}, limits=DocumentLimits(max_items=2))
    ... except InputError as exc:
    ...     print(exc.pointer, exc.message)
    /a an array of 3 items, more than 2 (refused before JSON-LD processing)

    Raises:
        InputError: naming ``where`` and the pointer of an excess.
    """
    if not isinstance(document, _CONTAINERS):
        return
    try:
        _walk(document, 1, limits, [0, 0])
    except _Excess as excess:
        raise InputError(
            f"{excess.reason} (refused before JSON-LD processing)",
            where=where,
            pointer=excess.pointer,
        ) from None
