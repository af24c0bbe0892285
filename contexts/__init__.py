"""Bundled JSON-LD contexts, the offline document loader, safe expansion, canonicalization.

Nothing here touches the network: contexts are bundled and pinned by sha256,
and any other context URL is refused unless a caller registers its document.

>>> from passeport.contexts import bundled_loader, canonicalize
>>> doc = {"@context": {"name": "https://schema.org/name"}, "name": "Camille"}
>>> print(canonicalize(doc, bundled_loader()).nquads, end="")
_:c14n0 <https://schema.org/name> "Camille" .
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from passeport._lazy import lazy_package

if TYPE_CHECKING:
    from passeport.contexts import jcs
    from passeport.contexts.expand import (
        ISSUER_DEPENDENT,
        Expansion,
        collect_warnings,
        expand,
        to_dataset,
    )
    from passeport.contexts.limits import DEFAULT_LIMITS, DocumentLimits, check_document
    from passeport.contexts.loader import DocumentLoader, bundled_documents, bundled_loader
    from passeport.contexts.rdfc import (
        DEFAULT_TIME_LIMIT,
        DEFAULT_WORK_LIMIT,
        Canonical,
        canonicalize,
        canonicalize_nquads,
    )

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_TIME_LIMIT",
    "DEFAULT_WORK_LIMIT",
    "ISSUER_DEPENDENT",
    "Canonical",
    "DocumentLimits",
    "DocumentLoader",
    "Expansion",
    "bundled_documents",
    "bundled_loader",
    "canonicalize",
    "canonicalize_nquads",
    "check_document",
    "collect_warnings",
    "expand",
    "jcs",
    "to_dataset",
]

_SOURCES: dict[str, str] = {
    "Canonical": "rdfc",
    "DEFAULT_LIMITS": "limits",
    "DEFAULT_TIME_LIMIT": "rdfc",
    "DEFAULT_WORK_LIMIT": "rdfc",
    "DocumentLimits": "limits",
    "DocumentLoader": "loader",
    "Expansion": "expand",
    "ISSUER_DEPENDENT": "expand",
    "bundled_documents": "loader",
    "bundled_loader": "loader",
    "canonicalize": "rdfc",
    "canonicalize_nquads": "rdfc",
    "check_document": "limits",
    "collect_warnings": "expand",
    "expand": "expand",
    "jcs": "jcs:",
    "to_dataset": "expand",
}
"""The module defining each public name ("jcs:" for a submodule itself)."""


lazy_package(__name__, _SOURCES, shadowed=frozenset({"expand"}))
