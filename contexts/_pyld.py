"""The one wrapper around pyld, which is untyped: every ``type: ignore`` lives here.

What pyld lacks and this module adds:

- a per-loader cache of processed contexts (pyld's resolver shares a global
  cache keyed by URL only; ours is kept per :class:`DocumentLoader`);
- detection of what JSON-LD expansion drops (a hook for undefined terms, and
  a scan of the expanded form for relative ``@id``/``@type`` values, which
  only the RDF conversion drops);
- RDFC-1.0 with a chosen hash (SHA-384 for P-384 suites) and a work limit
  against poison graphs (exponential blank-node permutations).
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver
from pyld.identifier_issuer import IdentifierIssuer

if TYPE_CHECKING:
    from passeport.contexts.loader import DocumentLoader

JsonLdError = jsonld.JsonLdError

_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$")


def new_context_cache() -> Any:
    """Return an empty cache of processed contexts for one loader."""
    return LRUCache(maxsize=256), LRUCache(maxsize=1024), LRUCache(maxsize=4096)


def new_canonical_memo() -> Any:
    """Return an empty memo of canonical forms (RDFC-1.0 results) for one loader."""
    return LRUCache(maxsize=512)


def _local_key(local_ctx: Any) -> Any:
    """Return a key for a local context: by value for URLs, by identity for objects."""
    if isinstance(local_ctx, str):
        return ("url", local_ctx)
    if isinstance(local_ctx, list) and all(isinstance(item, str) for item in local_ctx):
        return ("urls", tuple(local_ctx))
    return ("object", id(local_ctx))


class _Resolver(ContextResolver):  # type: ignore[misc]
    """pyld's context resolver, remembering embedded contexts by identity.

    pyld keys each embedded (for instance type-scoped) context by its JCS
    serialization, recomputed on every use; the scoped contexts of a bundled
    document are the same objects every time, so they are looked up by
    identity first. The cache holds the objects, so an id is never reused, and
    a snapshot, so a context changed in place is not mistaken for its old self.
    """

    def __init__(
        self, shared_cache: Any, loader: Any, by_id: LRUCache[int, Any], processed: Any
    ) -> None:
        super().__init__(shared_cache, loader)
        self._by_id = by_id
        self.processed = processed

    def resolve(self, active_ctx: Any, context: Any, base: Any, cycles: Any = None) -> Any:
        if isinstance(context, dict) and cycles is None:
            hit = self._by_id.get(id(context))
            if hit is not None and hit[0] is context and hit[1] == context:
                return hit[2]
            resolved = super().resolve(active_ctx, context, base, cycles)
            self._by_id[id(context)] = (context, copy.deepcopy(context), resolved)
            return resolved
        return super().resolve(active_ctx, context, base, cycles)


def loader_options(loader: DocumentLoader, cache: Any) -> dict[str, Any]:
    """Return pyld options routing context fetches through ``loader``."""
    shared, by_id, processed = cache
    return {
        "documentLoader": loader,
        "contextResolver": _Resolver(shared, loader, by_id, processed),
        "base": None,  # keep relative IRIs relative (pyld turns "" into example.org)
        "processingMode": "json-ld-1.1",
        "extractAllScripts": False,
    }


def is_absolute_iri(value: str) -> bool:
    """Tell whether pyld would keep ``value`` as an IRI in RDF output."""
    return _ABSOLUTE_IRI.match(value) is not None


class _Processor(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """A processor that records dropped terms and the expanded form it produced.

    It also remembers processed contexts across documents. pyld caches a
    processed context per active context, but a type-scoped context that does
    not propagate is applied to a fresh clone of the active context each time,
    so its cache never hits and the context is processed again for every node:
    about half the cost of verifying an Open Badges credential. The memo is
    keyed by the active context's identity (results are kept alive, so an id
    is never reused) and the local context (URLs by value; objects by identity,
    with a snapshot so that a context changed in place is processed again), and
    is kept per loader.
    """

    def __init__(self, on_dropped: Callable[[str | None], None]) -> None:
        super().__init__(on_property_dropped=on_dropped)
        self.expanded: Any = None

    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Any,
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        memo = getattr(options.get("contextResolver"), "processed", None)
        if memo is None or cycles:
            return super()._process_context(
                active_ctx,
                local_ctx,
                options,
                override_protected,
                propagate,
                validate_scoped,
                cycles,
            )
        local_key = _local_key(local_ctx)
        key = (id(active_ctx), local_key, override_protected, propagate, validate_scoped)
        hit = memo.get(key)
        if (
            hit is not None
            and hit[0] is active_ctx
            and (local_key[0] != "object" or (hit[1] is local_ctx and hit[2] == local_ctx))
        ):
            return hit[3]
        result = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )
        snapshot = copy.deepcopy(local_ctx) if local_key[0] == "object" else None
        memo[key] = (active_ctx, local_ctx, snapshot, result)
        return result

    def expand(self, input_: Any, options: Any) -> Any:
        expanded = super().expand(input_, options)
        self.expanded = expanded
        return expanded


def to_rdf(
    document: Any, options: dict[str, Any], on_dropped: Callable[[str | None], None]
) -> tuple[dict[str, Any], Any]:
    """Expand ``document`` and convert it to a pyld RDF dataset.

    Returns the dataset and the expanded form (for the relative-IRI scan).
    Raises pyld's JsonLdError, which the caller wraps.
    """
    processor = _Processor(on_dropped)
    opts = dict(options)
    opts["produceGeneralizedRdf"] = False
    opts["identifierIssuer"] = IdentifierIssuer("_:b")
    dataset = processor.to_rdf(document, opts)
    return dataset, processor.expanded


def expand(document: Any, options: dict[str, Any], on_dropped: Callable[[str | None], None]) -> Any:
    """Expand ``document`` with pyld, calling ``on_dropped`` for each dropped term."""
    return _Processor(on_dropped).expand(document, dict(options))


def compact(expanded: Any, context: Any, options: dict[str, Any]) -> Any:
    """Compact an expanded document with ``context`` (raises pyld's JsonLdError)."""
    return jsonld.compact(expanded, context, {**options, "skipExpansion": True})


class WorkLimitExceeded(Exception):
    """RDFC-1.0 needed more work than allowed (a likely poison graph)."""


class _Budget:
    __slots__ = ("left",)

    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise WorkLimitExceeded


class _CountingIssuer(IdentifierIssuer):  # type: ignore[misc]
    """The canonical issuer; each lookup in the permutation loop spends budget."""

    def __init__(self, prefix: str, budget: _Budget) -> None:
        super().__init__(prefix)
        self._budget = budget

    def has_id(self, old: str) -> bool:
        self._budget.spend()
        return bool(super().has_id(old))


class BoundedRdfc(URDNA2015):  # type: ignore[misc]
    """RDFC-1.0 (pyld's URDNA2015) with a chosen hash and a work limit."""

    def __init__(self, hash_factory: Callable[[], Any], work_limit: int) -> None:
        super().__init__()
        self._hash_factory = hash_factory
        self._budget = _Budget(work_limit)
        self.canonical_issuer = _CountingIssuer("_:c14n", self._budget)

    def create_hash(self) -> Any:
        return self._hash_factory()

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        self._budget.spend()
        return super().hash_n_degree_quads(id_, issuer)

    def canonical_labels(self) -> dict[str, str]:
        """Return the input blank-node label to canonical label map (after ``main``)."""
        return {old: new for old, new in self.canonical_issuer.existing.items()}


def canonicalize_dataset(
    dataset: dict[str, Any], *, hash_name: str, work_limit: int
) -> tuple[str, dict[str, str]]:
    """Run RDFC-1.0 on a pyld dataset; return N-Quads and the blank-node label map."""
    factory: Callable[[], Any] = getattr(hashlib, hash_name)
    canon = BoundedRdfc(factory, work_limit)
    nquads: str = canon.main(dataset, {"format": "application/n-quads"})
    return nquads, canon.canonical_labels()


def dataset_from_nquads(text: str) -> dict[str, Any]:
    """Parse N-Quads into a pyld dataset."""
    return jsonld.JsonLdProcessor.parse_nquads(text)  # type: ignore[no-any-return]


def dataset_to_nquads(dataset: dict[str, Any]) -> str:
    """Serialize a pyld dataset to N-Quads (not canonical)."""
    return jsonld.JsonLdProcessor.to_nquads(dataset)  # type: ignore[no-any-return]
