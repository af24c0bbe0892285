"""Canonical proof configurations, from one template per configuration shape (issue 17).

Every Data Integrity proof hashes its canonical proof configuration
(VC-DI-ECDSA 3.6.3, 3.5.9 step 1). The configurations an issuer writes differ
in ``created`` only: the same context, type, suite, verification method and
purpose. Canonicalizing one costs a JSON-LD expansion, an RDF conversion and
RDFC-1.0 (about 0.19 ms here, a seventh of verifying a derived
``ecdsa-sd-2023`` proof); filling a template costs a few microseconds.

A *template* is the canonical N-Quads of a configuration whose ``created``
is a placeholder, kept under the exact JSON of every other member (and the
hash). It is used only when the result cannot differ from a plain
canonicalization:

- ``created`` is a string of at most 64 characters from ``[0-9A-Za-z:.+-]``:
  canonical N-Quads write such a literal verbatim (nothing to escape), and
  JSON-LD expansion copies a literal's text without reading it;
- every other member is plain JSON (``dict``, ``list``, ``str``, ``int``,
  ``float``, ``bool``, ``None``), under a key that is its exact JSON text,
  member order included, so that two configurations with one key are one
  configuration but for ``created``;
- the placeholder's canonical form has at most one blank node (its label is
  then ``c14n0`` whatever the values: RDFC-1.0 hashes decide nothing), no
  warning, and the quoted placeholder exactly once;
- the filled quads are distinct (a dataset is a set), and sorted again;
- a template is made only at the second configuration of its key (a sender
  of ever-new configurations costs what it did without templates), and kept
  only if, filled with that configuration's ``created``, it gives that
  configuration's own canonical form, computed the plain way.

Templates are kept per document loader (its contexts decide the terms), in
a bounded LRU behind a lock; they hold only strings.
"""

from __future__ import annotations

import json
import re
import threading
import weakref
from collections.abc import Mapping
from typing import Any, Final

from cachetools import LRUCache

from passeport.contexts import DocumentLoader, canonicalize
from passeport.errors import PasseportError

__all__ = ["canonical_config"]

_PLACEHOLDER: Final = "x-passeport-created-7f3e2b"
_QUOTED: Final = f'"{_PLACEHOLDER}"'
_VERBATIM: Final = re.compile(r"[0-9A-Za-z:.+\-]{1,64}")
_MAX_KEY: Final = 8192
"""Longer configurations are canonicalized the plain way (no template)."""

_Template = tuple[str, ...] | None
"""Canonical lines, one of them holding the quoted placeholder; None: no template."""


class _Templates:
    """The templates of one loader: key -> template (None: not templatable), and keys seen once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.made: LRUCache[tuple[str, str], _Template] = LRUCache(maxsize=256)
        self.seen: LRUCache[tuple[str, str], bool] = LRUCache(maxsize=1024)


_BY_LOADER: weakref.WeakKeyDictionary[DocumentLoader, _Templates] = weakref.WeakKeyDictionary()
_BY_LOADER_LOCK = threading.Lock()


def _templates_of(loader: DocumentLoader) -> _Templates:
    with _BY_LOADER_LOCK:
        found = _BY_LOADER.get(loader)
        if found is None:
            found = _BY_LOADER[loader] = _Templates()
        return found


def _plain(value: Any, depth: int = 0) -> bool:
    """Tell whether ``value`` is JSON made of the exact built-in types, not too deep."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return True
    if depth > 16:
        return False
    if kind is list:
        return all(_plain(item, depth + 1) for item in value)
    if kind is dict:
        return all(type(k) is str and _plain(v, depth + 1) for k, v in value.items())
    return False


def _key(config: Mapping[str, Any], hash_name: str) -> tuple[str, str] | None:
    if type(config) is not dict:
        return None
    rest = {name: value for name, value in config.items() if name != "created"}
    if not _plain(rest):
        return None
    try:
        text = json.dumps(rest, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        return None
    if len(text) > _MAX_KEY:
        return None
    return (text, hash_name)


def _fill(template: tuple[str, ...], created: str) -> str | None:
    lines = [line.replace(_QUOTED, f'"{created}"') for line in template]
    if len(set(lines)) != len(lines):
        return None
    lines.sort()
    return "".join(lines)


def _make(config: Mapping[str, Any], loader: DocumentLoader, hash_name: str) -> _Template:
    probe = {**config, "created": _PLACEHOLDER}
    try:
        canonical = canonicalize(probe, loader, hash_name=hash_name)
    except PasseportError:  # no template; the plain path reports what is wrong
        return None
    if canonical.warnings or len(canonical.labels) > 1:
        return None
    if canonical.nquads.count(_PLACEHOLDER) != 1:
        return None
    lines = tuple(canonical.lines())
    if sum(_QUOTED in line for line in lines) != 1:
        return None
    return lines


def canonical_config(config: Mapping[str, Any], loader: DocumentLoader, hash_name: str) -> str:
    """Return the canonical N-Quads of a proof configuration, as :func:`canonicalize` does.

    Raises:
        InputError, ContextError: as :func:`~passeport.contexts.canonicalize`.
    """
    created = config.get("created")
    if not isinstance(created, str) or _VERBATIM.fullmatch(created) is None:
        return canonicalize(config, loader, hash_name=hash_name).nquads
    key = _key(config, hash_name)
    if key is None:
        return canonicalize(config, loader, hash_name=hash_name).nquads
    templates = _templates_of(loader)
    with templates.lock:
        known = key in templates.made
        template = templates.made.get(key)
        first = not known and templates.seen.get(key) is None
        if first:
            templates.seen[key] = True
    if template is not None:
        filled = _fill(template, created)
        if filled is not None:
            return filled
    plain = canonicalize(config, loader, hash_name=hash_name)
    if not known and not first:
        made = _make(config, loader, hash_name)
        if made is not None and (plain.warnings or _fill(made, created) != plain.nquads):
            made = None
        with templates.lock:
            templates.made[key] = made
    return plain.nquads
