"""Safe JSON-LD expansion: what expansion would drop is an error, not a silence.

An RDF-canonicalized signature covers only what survives JSON-LD expansion and
the conversion to RDF. A property without a term definition (and no ``@vocab``)
or a relative ``@id``/``@type`` is silently dropped by a plain JSON-LD
processor, so a signer would sign less than it shows and a verifier would
accept changes to it. Here both are refused with a
:class:`~passeport.errors.ContextError` naming the JSON pointer.

Terms that expand into the VC 2.0 issuer-dependent vocabulary
(``https://www.w3.org/ns/credentials/issuer-dependent#``, the ``@vocab`` of
``https://www.w3.org/ns/credentials/undefined-terms/v2``, which maps them
to ``https://www.w3.org/ns/credentials/undefined-term#``) are kept but
reported as warnings.

Spec: https://www.w3.org/TR/json-ld11-api/#expansion-algorithm and
https://www.w3.org/TR/vc-data-model-2.0/#vocabularies (issuer-dependent terms).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from passeport._json import JsonObject, JsonValue
from passeport.contexts import _pyld
from passeport.contexts._plans import Filled, Plan
from passeport.contexts.limits import check_document
from passeport.contexts.loader import DocumentLoader
from passeport.errors import ContextError, PasseportError

__all__ = [
    "ISSUER_DEPENDENT",
    "Expansion",
    "collect_warnings",
    "compact",
    "expand",
    "iter_pointers",
    "report_warnings",
    "to_dataset",
]

ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"
UNDEFINED_TERM = "https://www.w3.org/ns/credentials/undefined-term#"
_CATCH_ALL = (ISSUER_DEPENDENT, UNDEFINED_TERM)


def _catch_all_term(iri: str) -> str | None:
    for prefix in _CATCH_ALL:
        if iri.startswith(prefix):
            return iri[len(prefix) :]
    return None


@dataclass(frozen=True, slots=True)
class Expansion:
    """The expanded form of a document and what deserves a warning."""

    expanded: list[Any]
    warnings: tuple[str, ...]


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def iter_pointers(
    value: JsonValue, prefix: str = ""
) -> Iterator[tuple[str, str | None, JsonValue]]:
    """Yield ``(pointer, key, value)`` for every member and element, depth first."""
    if isinstance(value, dict):
        for key, child in value.items():
            pointer = f"{prefix}/{_escape(key)}"
            yield pointer, key, child
            yield from iter_pointers(child, pointer)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            pointer = f"{prefix}/{index}"
            yield pointer, None, child
            yield from iter_pointers(child, pointer)


def _pointer_of_key(document: JsonValue, key: str) -> str | None:
    for pointer, name, _ in iter_pointers(document):
        if name == key and not pointer.startswith("/@context"):
            return pointer
    return None


def _pointer_of_value(document: JsonValue, text: str) -> str | None:
    for pointer, _, child in iter_pointers(document):
        if child == text and not pointer.startswith("/@context"):
            return pointer
    return None


def _pointer_of(document: JsonValue, value: str | None, key: str | None) -> str | None:
    """Return the pointer of the member named ``key``, else of the string ``value``."""
    found = _pointer_of_key(document, key) if key is not None else None
    if found is None and value is not None:
        found = _pointer_of_value(document, value)
    if found is None and key is not None:
        for pointer, name, _ in iter_pointers(document):
            suffixes = ("/" + name, "#" + name, ":" + name) if name else ()
            if suffixes and key.endswith(suffixes) and not pointer.startswith("/@context"):
                return pointer
    return found


# N-Quads IRIREF: no control character, space, <>"{}|^` or backslash (UCHAR aside).
_NOT_IN_IRIREF = re.compile(r'[\x00-\x20<>"{}|^`\\]')
# An IRI that is absolute and has none of those (or a blank node): the usual case, fast.
_GOOD_IRI = re.compile(r'_:\S*|[A-Za-z][A-Za-z0-9+\-.]*:[^\s\x00-\x20<>"{}|^`\\]*')
# N-Quads LANGTAG (BCP 47 tags are of this shape).
_LANGTAG = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")
_DIRECTION = (
    "a base direction (@direction) is not part of the RDF dataset: canonicalization would "
    "drop it and it would not be signed (the JSON-LD safe mode of other implementations "
    "refuses it too)"
)


def _iri_problem(iri: str) -> str | None:
    """Say why ``iri`` cannot be an IRI of the RDF dataset, or None when it can."""
    if not _pyld.is_absolute_iri(iri):
        return f'"{iri}" is not an absolute IRI (it would be dropped and not signed)'
    bad = _NOT_IN_IRIREF.search(iri)
    if bad is not None and not iri.startswith("_:"):
        return (
            f'"{iri}" holds {bad.group()!r}, which N-Quads does not allow in an IRI '
            '(spaces, control characters and <>"{}|^`\\ must be percent-encoded)'
        )
    return None


def _check_iri(iri: str) -> str | None:
    return None if _GOOD_IRI.fullmatch(iri) else _iri_problem(iri)


_BLANK_PROPERTY = 'a property is mapped to the blank node "{}" (it would be dropped and not signed)'


def _first_unsafe(expanded: Any) -> tuple[str, str | None, str | None] | None:
    """Return ``(message, value, key)`` for the first thing RDF would drop or cannot hold.

    ``value`` and ``key`` are what to look for in the document to name a pointer.
    """
    stack = [expanded]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
            continue
        if not isinstance(item, dict):
            continue
        if "@value" in item:
            text = item["@value"]
            if "@direction" in item:
                return _DIRECTION, text if isinstance(text, str) else None, "@direction"
            language = item.get("@language")
            if isinstance(language, str) and not _LANGTAG.fullmatch(language):
                return f'"{language}" is not a well-formed language tag', language, "@language"
            datatype = item.get("@type")
            problem = (
                _check_iri(datatype) if isinstance(datatype, str) and datatype != "@json" else None
            )
            if problem is not None:
                return problem, datatype, None
            continue
        for key, child in item.items():
            if key == "@id" or key == "@type":
                for iri in child if isinstance(child, list) else [child]:
                    if isinstance(iri, str) and (problem := _check_iri(iri)) is not None:
                        return problem, iri, None
                continue
            if not key.startswith("@"):
                if key.startswith("_:"):
                    return _BLANK_PROPERTY.format(key), None, None
                if (problem := _check_iri(key)) is not None:
                    return problem, None, key
            stack.append(child)
    return None


def _issuer_dependent(expanded: Any) -> Iterator[str]:
    if isinstance(expanded, list):
        for item in expanded:
            yield from _issuer_dependent(item)
    elif isinstance(expanded, dict):
        for key, child in expanded.items():
            term = _catch_all_term(key)
            if term is not None:
                yield term
            if key == "@type":
                for node_type in child if isinstance(child, list) else [child]:
                    if isinstance(node_type, str) and (name := _catch_all_term(node_type)):
                        yield name
            else:
                yield from _issuer_dependent(child)


def _wrap(exc: Exception, where: str | None) -> PasseportError:
    """Turn a pyld error into ours, keeping our own error if pyld wrapped one."""
    seen: set[int] = set()
    current: BaseException | None = exc
    innermost: Exception = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, PasseportError):
            return current.located(where) if where else current
        if isinstance(current, _pyld.JsonLdError):
            innermost = current  # the most specific reason ("tried to redefine ...")
        nxt = getattr(current, "cause", None)
        current = (
            nxt if isinstance(nxt, BaseException) else current.__cause__ or current.__context__
        )
    # pyld's str() is a tuple repr with its type and details: say its message only.
    exc = innermost
    first = exc.args[0] if isinstance(exc, _pyld.JsonLdError) and exc.args else None
    detail = first if isinstance(first, str) else getattr(exc, "message", None) or str(exc)
    code = getattr(exc, "code", None)
    text = " ".join(str(detail).split())
    if code:
        text = f"{text} ({code})"
    return ContextError(f"JSON-LD processing failed: {text}", where=where)


def _template_facts(plan: Plan) -> tuple[bool, tuple[str, ...]]:
    """Whether a plan's template is safe for RDF, and its issuer-dependent terms (memoized).

    A document filled from the plan differs from the template only at its
    placeholders, which are ``@value`` strings (never checked here) and
    ``@id`` values (checked one by one by the caller): the rest of the
    verdict is the template's.
    """
    facts = plan.memo.get("expand")
    if facts is None:
        terms = tuple(dict.fromkeys(_issuer_dependent(plan.template)))
        facts = plan.memo["expand"] = (_first_unsafe(plan.template) is None, terms)
    return facts


def _check(
    document: Mapping[str, Any],
    dropped: list[str | None],
    expanded: Any,
    where: str | None,
    filled: Filled | None = None,
) -> tuple[str, ...]:
    doc: JsonObject = dict(document)
    for term in dropped:
        if term is None:
            continue
        pointer = _pointer_of(doc, None, term)
        raise ContextError(
            f'term "{term}" is not defined by any context (it would be dropped and not signed)',
            where=where,
            pointer=pointer,
        )
    if None in dropped:
        raise ContextError(
            "a property is mapped to null by the context (it would be dropped and not signed)",
            where=where,
        )
    if filled is not None:
        safe, terms = _template_facts(filled.plan)
        if not safe or any(_check_iri(iri) is not None for iri in filled.id_values):
            safe = False
    if filled is None or not safe:
        unsafe = _first_unsafe(expanded)
        if unsafe is not None:
            message, value, key = unsafe
            raise ContextError(message, where=where, pointer=_pointer_of(doc, value, key))
    if filled is None:
        terms = tuple(dict.fromkeys(_issuer_dependent(expanded)))
    warnings = []
    for term in terms:
        pointer = _pointer_of_key(doc, term) or _pointer_of_value(doc, term) or ""
        warnings.append(
            f'{pointer or "/"}: term "{term}" is not defined by a specific context; '
            "it falls in the issuer-dependent vocabulary"
        )
    report_warnings(warnings)
    return tuple(warnings)


def report_warnings(warnings: Sequence[str]) -> None:
    """Hand ``warnings`` to the innermost :func:`collect_warnings` block, if any."""
    sink = _SINK.get()
    if sink is not None:
        sink.extend(w for w in warnings if w not in sink)


_SINK: ContextVar[list[str] | None] = ContextVar("passeport_expansion_warnings", default=None)


@contextmanager
def collect_warnings() -> Iterator[list[str]]:
    """Collect, without duplicates, the warnings of every expansion made inside the block.

    Verification canonicalizes deep inside a cryptosuite; this lets the
    verifier report what those expansions noticed without doing them twice.

    >>> from passeport.contexts import bundled_loader, canonicalize
    >>> doc = {
    ...     "@context": ["https://www.w3.org/ns/credentials/v2",
    ...                  "https://www.w3.org/ns/credentials/undefined-terms/v2"],
    ...     "type": "VerifiableCredential",
    ...     "credentialSubject": {"couleur": "bleu"},
    ... }
    >>> with collect_warnings() as found:
    ...     _ = canonicalize(doc, bundled_loader())
    >>> print(found[0].split(";")[0])
    /credentialSubject/couleur: term "couleur" is not defined by a specific context
    """
    sink: list[str] = []
    token = _SINK.set(sink)
    try:
        yield sink
    finally:
        _SINK.reset(token)


def _require_object(document: Any, where: str | None) -> None:
    if not isinstance(document, Mapping):
        raise ContextError("a JSON-LD document must be a JSON object", where=where)
    if "@context" not in document:
        raise ContextError("the document has no @context", where=where, pointer="")


def expand(
    document: Mapping[str, Any], loader: DocumentLoader, *, where: str | None = None
) -> Expansion:
    """Expand ``document`` offline, refusing anything that expansion would drop.

    Raises:
        InputError: a document beyond :data:`~passeport.contexts.limits.DEFAULT_LIMITS`.
        ContextError: unknown or remote context, undefined term, relative IRI,
            or invalid JSON-LD; the message names the JSON pointer.
    """
    _require_object(document, where)
    check_document(document, where=where)
    dropped: list[str | None] = []
    try:
        expanded, filled = _pyld.expand_planned(
            dict(document), loader.pyld_options(), dropped.append
        )
    except Exception as exc:  # pyld raises many kinds; all are wrapped
        raise _wrap(exc, where) from exc
    warnings = _check(document, dropped, expanded, where, filled)
    return Expansion(expanded=expanded, warnings=warnings)


def compact(
    expanded: list[Any],
    context: JsonValue,
    loader: DocumentLoader,
    *,
    where: str | None = None,
    round_trip: bool = False,
) -> JsonObject:
    """Compact an expanded document (as :func:`expand` returns it) with ``context``, offline.

    Selective disclosure needs it: blank nodes are given ids in the expanded
    form, then the document is compacted back so that JSON pointers apply.
    With ``round_trip``, a node's type is named by the term that carries its
    type-scoped context when another term shares its IRI, so that the result
    expands back to the same statements (JSON-LD's own choice, the shortest
    term, may lose them: Open Badges' ``geo`` and ``GeoCoordinates``).

    Raises:
        ContextError: unknown or remote context, or invalid JSON-LD.
    """
    try:
        compacted = _pyld.compact(expanded, context, loader.pyld_options(), round_trip=round_trip)
    except Exception as exc:  # pyld raises many kinds; all are wrapped
        raise _wrap(exc, where) from exc
    if not isinstance(compacted, dict):
        raise ContextError("JSON-LD compaction did not produce an object", where=where)
    return compacted


def to_dataset(
    document: Mapping[str, Any], loader: DocumentLoader, *, where: str | None = None
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Convert ``document`` to an RDF dataset (pyld form), safely; also return warnings.

    Raises:
        InputError, ContextError: as :func:`expand`.
    """
    _require_object(document, where)
    check_document(document, where=where)
    dropped: list[str | None] = []
    try:
        dataset, expanded, filled = _pyld.to_rdf(
            dict(document), loader.pyld_options(), dropped.append
        )
    except Exception as exc:
        raise _wrap(exc, where) from exc
    warnings = _check(document, dropped, expanded, where, filled)
    return dataset, warnings
