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

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from passeport._json import JsonObject, JsonValue
from passeport.contexts import _pyld
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


def _relative_iris(expanded: Any) -> Iterator[str]:
    """Yield the ``@id`` and node ``@type`` values that RDF conversion would drop."""
    if isinstance(expanded, list):
        for item in expanded:
            yield from _relative_iris(item)
        return
    if not isinstance(expanded, dict):
        return
    if "@value" in expanded:
        return
    node_id = expanded.get("@id")
    if isinstance(node_id, str) and not _pyld.is_absolute_iri(node_id):
        yield node_id
    types = expanded.get("@type", [])
    for node_type in types if isinstance(types, list) else [types]:
        if isinstance(node_type, str) and not _pyld.is_absolute_iri(node_type):
            yield node_type
    for key, child in expanded.items():
        if key not in ("@id", "@type"):
            yield from _relative_iris(child)


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
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, PasseportError):
            return current.located(where) if where else current
        nxt = getattr(current, "cause", None)
        current = (
            nxt if isinstance(nxt, BaseException) else current.__cause__ or current.__context__
        )
    detail = getattr(exc, "message", None) or str(exc)
    code = getattr(exc, "code", None)
    text = " ".join(str(detail).split())
    if code:
        text = f"{text} ({code})"
    return ContextError(f"JSON-LD processing failed: {text}", where=where)


def _check(
    document: Mapping[str, Any], dropped: list[str | None], expanded: Any, where: str | None
) -> tuple[str, ...]:
    doc: JsonObject = dict(document)
    for term in dropped:
        if term is None:
            continue
        pointer = _pointer_of_key(doc, term)
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
    for iri in _relative_iris(expanded):
        raise ContextError(
            f'"{iri}" is not an absolute IRI (it would be dropped and not signed)',
            where=where,
            pointer=_pointer_of_value(doc, iri),
        )
    warnings = []
    for term in dict.fromkeys(_issuer_dependent(expanded)):
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
        ContextError: unknown or remote context, undefined term, relative IRI,
            or invalid JSON-LD; the message names the JSON pointer.
    """
    _require_object(document, where)
    dropped: list[str | None] = []
    try:
        expanded = _pyld.expand(dict(document), loader.pyld_options(), dropped.append)
    except Exception as exc:  # pyld raises many kinds; all are wrapped
        raise _wrap(exc, where) from exc
    warnings = _check(document, dropped, expanded, where)
    return Expansion(expanded=expanded, warnings=warnings)


def compact(
    expanded: list[Any], context: JsonValue, loader: DocumentLoader, *, where: str | None = None
) -> JsonObject:
    """Compact an expanded document (as :func:`expand` returns it) with ``context``, offline.

    Selective disclosure needs it: blank nodes are given ids in the expanded
    form, then the document is compacted back so that JSON pointers apply.

    Raises:
        ContextError: unknown or remote context, or invalid JSON-LD.
    """
    try:
        compacted = _pyld.compact(expanded, context, loader.pyld_options())
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
        ContextError: as :func:`expand`.
    """
    _require_object(document, where)
    dropped: list[str | None] = []
    try:
        dataset, expanded = _pyld.to_rdf(dict(document), loader.pyld_options(), dropped.append)
    except Exception as exc:
        raise _wrap(exc, where) from exc
    warnings = _check(document, dropped, expanded, where)
    return dataset, warnings
