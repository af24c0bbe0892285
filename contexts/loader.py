"""The offline document loader: bundled JSON-LD contexts, pinned by sha256.

Only the context documents shipped in ``contexts/bundled`` (each checked
against the sha256 of ``bundled/manifest.json`` when first read) and the
documents a caller registers explicitly are served. Any other URL is refused
with a :class:`~passeport.errors.ContextError` naming it; the network is never
used.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from passeport._io import parse_json
from passeport._json import JsonObject
from passeport.errors import ContextError, InputError

__all__ = ["DocumentLoader", "bundled_documents", "bundled_loader"]


@cache
def _manifest() -> dict[str, dict[str, str]]:
    manifest_file = resources.files("passeport.contexts").joinpath("bundled/manifest.json")
    text = manifest_file.read_text("utf-8")
    manifest: dict[str, dict[str, str]] = json.loads(text)
    return manifest


@cache
def _bundled_document(url: str) -> JsonObject:
    entry = _manifest()[url]
    data = resources.files("passeport.contexts").joinpath("bundled", entry["file"]).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry["sha256"]:
        raise ContextError(
            f"bundled context {entry['file']} does not match its pinned sha256 "
            f"(expected {entry['sha256']}, got {digest}); the installation is corrupt",
            where=url,
        )
    document: JsonObject = json.loads(data)
    return document


def bundled_documents() -> tuple[str, ...]:
    """Return the URLs of every bundled context document, sorted."""
    return tuple(sorted(_manifest()))


@dataclass(frozen=True, eq=False)
class DocumentLoader:
    """Serve JSON-LD context documents by URL, offline.

    A loader is also the cache of processed contexts: pyld's resolved contexts
    are kept per loader, so reusing one loader for a batch means each context
    is processed once. It also remembers the last canonical forms it produced
    (``canonical_forms``), keyed by the exact JSON they came from: a document
    signed then verified, or a proof configuration shared by a whole batch,
    is canonicalized once. Build loaders with :func:`bundled_loader`.
    """

    extra: Mapping[str, JsonObject] = field(default_factory=dict)
    _resolved: Any = field(default=None, init=False, repr=False, compare=False)
    canonical_forms: Any = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        from passeport.contexts import _pyld

        object.__setattr__(self, "_resolved", _pyld.new_context_cache(self))
        object.__setattr__(self, "canonical_forms", _pyld.new_canonical_memo())

    def load(self, url: str) -> JsonObject:
        """Return the parsed document at ``url``, or raise ContextError naming it."""
        if url in self.extra:
            return self.extra[url]
        if url in _manifest():
            return _bundled_document(url)
        raise ContextError(
            f'context "{url}" is not bundled nor registered; remote contexts are refused '
            "(verification never fetches a context from the network)"
        )

    def knows(self, url: str) -> bool:
        """Tell whether ``url`` would be served."""
        return url in self.extra or url in _manifest()

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Answer pyld's document-loader calls (a RemoteDocument dict) with a copy.

        pyld changes the documents it is given: ``@import`` merges the
        importing context into the imported one, and relative context URLs
        are rewritten in place. Handed the bundled document itself, one
        request's embedded ``{"@import": VC 2.0, "couleur": ...}`` would
        define ``couleur`` in VC 2.0 for every later document of the
        process. pyld keeps the contexts it processed, so this copy is rare.
        """
        # "tag" lets pyld keep the processed context across calls (see _pyld).
        document = copy.deepcopy(self.load(url))
        return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}

    def pyld_options(self) -> dict[str, Any]:
        """Return the pyld options that route every context fetch through this loader."""
        from passeport.contexts import _pyld

        return _pyld.loader_options(self, self._resolved)


@cache
def _default_loader() -> DocumentLoader:
    return DocumentLoader()


def bundled_loader(extra: Mapping[str, JsonObject | bytes | str] | None = None) -> DocumentLoader:
    """Return a loader that serves the bundled contexts plus ``extra`` documents.

    Args:
        extra: documents to serve besides the bundled ones, by URL; values may
            be parsed JSON or its bytes/text. A URL of a bundled context cannot
            be overridden.

    Raises:
        ContextError: an extra document is not a JSON object, or replaces a
            bundled context.
    """
    if not extra:
        return _default_loader()
    documents: dict[str, JsonObject] = {}
    for url, value in extra.items():
        if url in _manifest():
            raise ContextError("a bundled context cannot be replaced", where=url)
        if isinstance(value, bytes | str):
            try:
                value = parse_json(value, where=url)
            except InputError as exc:
                reason = f"registered context is not JSON: {exc.message}"
                raise ContextError(reason, where=url) from None
        if not isinstance(value, dict):
            raise ContextError("registered context is not a JSON object", where=url)
        documents[url] = value
    return DocumentLoader(extra=documents)
