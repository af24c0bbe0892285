"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, with a work limit.

Spec: https://www.w3.org/TR/rdf-canon/ . pyld calls the algorithm URDNA2015;
it is asked for explicitly (pyld's default is the older URGNA2012). The hash
used inside the algorithm is selectable because the ECDSA cryptosuites run
RDFC-1.0 with SHA-384 for P-384 keys
(https://www.w3.org/TR/vc-di-ecdsa/#transformation-ecdsa-rdfc-2019).

A crafted document ("poison graph") can make RDFC-1.0 take exponential time.
As the reference implementations do, the work is bounded, and a graph beyond
the bound fails closed with a :class:`~passeport.errors.ContextError`:

- each step of the N-degree hashing spends from a budget of work units
  (:data:`DEFAULT_WORK_LIMIT`), in proportion to what it costs: a call, each
  blank node it hashes, each lookup of its permutation loop, each copy of an
  identifier issuer by its size; a refused graph costs about 0.2 s here;
- the recursion along chains of look-alike blank nodes is bounded
  (``_pyld.MAX_NESTING``), well before Python's own recursion limit;
- the thread's CPU time is bounded too (:data:`DEFAULT_TIME_LIMIT`), a backstop
  for a shape the units would misjudge.

The documents themselves are bounded before any of this
(:mod:`passeport.contexts.limits`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from passeport.contexts import _pyld
from passeport.contexts.expand import iter_pointers, to_dataset
from passeport.contexts.expand import report_warnings as _report
from passeport.contexts.loader import DocumentLoader
from passeport.errors import ContextError, InputError

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "DEFAULT_WORK_LIMIT",
    "Canonical",
    "canonicalize",
    "canonicalize_nquads",
]

DEFAULT_WORK_LIMIT = 200_000
"""Budget of N-degree hashing work units (about a microsecond each here).

A credential whose blank nodes all differ spends none; one with look-alike
blank nodes (identical results, say) a few tens per node.
"""
DEFAULT_TIME_LIMIT = 0.5
"""Seconds of the calling thread's CPU time the N-degree hashing may take at most."""

_HASHES = {"sha256", "sha384"}


@dataclass(frozen=True, slots=True)
class Canonical:
    """A canonical N-Quads document and how its blank nodes were relabelled."""

    nquads: str
    labels: Mapping[str, str]  # input label (without "_:") -> canonical label, e.g. "c14n0"
    warnings: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        """Return the canonical quads, one string per quad, each ending in a newline.

        Only LF ends a quad: a literal may hold U+2028, U+0085, U+000B, ... raw
        (canonical N-Quads escape only the C0 controls and U+007F, and
        ``str.splitlines`` would cut a quad there).
        """
        return [line + "\n" for line in self.nquads.split("\n")[:-1]]


_EXCEEDED = {
    "steps": "its work limit ({limit} units)",
    "time": "its time limit ({seconds} s)",
    "nesting": "its nesting limit (chains of {nesting} look-alike blank nodes)",
}


def _run(
    dataset: dict[str, Any],
    hash_name: str,
    work_limit: int,
    time_limit: float | None,
    where: str | None,
) -> tuple[str, dict[str, str]]:
    if hash_name not in _HASHES:
        raise ValueError(f"unsupported RDFC-1.0 hash {hash_name!r}")
    try:
        nquads, labels = _pyld.canonicalize_dataset(
            dataset, hash_name=hash_name, work_limit=work_limit, time_limit=time_limit
        )
    except (_pyld.WorkLimitExceeded, RecursionError) as exc:
        kind = str(exc) if isinstance(exc, _pyld.WorkLimitExceeded) else "nesting"
        limit = _EXCEEDED.get(kind, _EXCEEDED["steps"]).format(
            limit=work_limit, seconds=time_limit, nesting=_pyld.MAX_NESTING
        )
        raise ContextError(
            f"RDF canonicalization exceeded {limit}; the document's blank nodes form "
            "a graph too costly to canonicalize (poison graph)",
            where=where,
        ) from None
    strip = {old.removeprefix("_:"): new.removeprefix("_:") for old, new in labels.items()}
    return nquads, strip


def canonicalize(
    document: Mapping[str, Any],
    loader: DocumentLoader,
    *,
    hash_name: str = "sha256",
    work_limit: int = DEFAULT_WORK_LIMIT,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    where: str | None = None,
) -> Canonical:
    """Canonicalize a JSON-LD document to RDFC-1.0 N-Quads, offline and safely.

    Args:
        hash_name: ``"sha256"`` (RDFC-1.0 default) or ``"sha384"``.
        work_limit: the budget of work units against poison graphs.
        time_limit: the CPU seconds the blank-node hashing may take (None: no bound).

    Raises:
        InputError: a document beyond the limits of :mod:`passeport.contexts.limits`.
        ContextError: unknown context, undefined term, relative IRI, invalid
            JSON-LD, or a poison graph.
    """
    key = _memo_key(document, hash_name, work_limit, time_limit)
    memo = loader.canonical_forms
    if key is not None:
        found: Canonical | None = memo.get(key)
        if found is not None:
            _report(found.warnings)
            return Canonical(
                nquads=found.nquads, labels=dict(found.labels), warnings=found.warnings
            )
    dataset, warnings = to_dataset(document, loader, where=where)
    try:
        nquads, labels = _run(dataset, hash_name, work_limit, time_limit, where)
        lone_surrogate = _SURROGATE.search(nquads) is not None
    except UnicodeEncodeError:  # the hashing of a blank node's quads met one
        lone_surrogate = True
    if lone_surrogate:
        raise ContextError(
            "a string holds a lone surrogate (U+D800..U+DFFF), which is not a Unicode "
            "character and cannot be written in UTF-8 N-Quads",
            where=where,
            pointer=_pointer_of_surrogate(document),
        )
    result = Canonical(nquads=nquads, labels=labels, warnings=warnings)
    if key is not None:
        memo[key] = Canonical(nquads=nquads, labels=dict(labels), warnings=warnings)
    return result


_SURROGATE = re.compile("[\ud800-\udfff]")


def _pointer_of_surrogate(document: Mapping[str, Any]) -> str | None:
    for pointer, key, value in iter_pointers(dict(document)):
        if (isinstance(key, str) and _SURROGATE.search(key)) or (
            isinstance(value, str) and _SURROGATE.search(value)
        ):
            return pointer
    return None


def _memo_key(
    document: Mapping[str, Any], hash_name: str, work_limit: int, time_limit: float | None
) -> Any:
    """Return the exact JSON of ``document`` (sorted members) with the options, or None.

    Canonicalization is a function of the document, the loader's contexts
    (the memo is per loader) and these options, so equal keys give equal results.
    """
    try:
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None
    return (text, hash_name, work_limit, time_limit)


def canonicalize_nquads(
    nquads: str,
    *,
    hash_name: str = "sha256",
    work_limit: int = DEFAULT_WORK_LIMIT,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    where: str | None = None,
) -> Canonical:
    """Canonicalize an N-Quads document (for instance after relabelling blank nodes).

    Raises:
        InputError: the text is not N-Quads.
        ContextError: a poison graph.
    """
    if _SURROGATE.search(nquads):
        raise InputError("not valid N-Quads: a lone surrogate (U+D800..U+DFFF)", where=where)
    try:
        dataset = _pyld.dataset_from_nquads(nquads)
    except Exception as exc:
        raise InputError(f"not valid N-Quads: {exc}", where=where) from exc
    text, labels = _run(dataset, hash_name, work_limit, time_limit, where)
    return Canonical(nquads=text, labels=labels)
