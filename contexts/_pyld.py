"""The one wrapper around pyld, which is untyped: every ``type: ignore`` lives here.

What pyld lacks and this module adds:

- a per-loader cache of processed contexts (pyld's resolver shares a global
  cache keyed by URL only; ours is kept per :class:`DocumentLoader`);
- detection of what JSON-LD expansion drops (a hook for undefined terms, and
  a scan of the expanded form for relative ``@id``/``@type`` values, which
  only the RDF conversion drops);
- RDFC-1.0 with a chosen hash (SHA-384 for P-384 suites) and a work limit
  against poison graphs (exponential blank-node permutations);
- canonical N-Quads as RDFC-1.0 writes them (https://www.w3.org/TR/rdf-canon/,
  "canonical n-quads form"): pyld escapes only the backslash, the quote, tab,
  LF and CR in literals and writes other control characters raw, where
  RDFC-1.0 writes backspace and form feed as ECHAR (``b``, ``f``), the rest
  of U+0000..U+001F and U+007F as UCHAR with upper-case hex;
- an N-Quads parser that splits lines on LF only (pyld's ``splitlines`` also
  splits on U+2028, U+0085, U+000B, ... which canonical N-Quads leave raw)
  and reads every ECHAR and UCHAR escape;
- a compaction, for selective disclosure's round trips, that names a node's
  type by the term carrying its type-scoped context, so that the compacted
  form expands back to the same statements (see :class:`_Compactor`).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import importlib.util
import re
import sys
import threading
import time
import types
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Final

from cachetools import LRUCache

from passeport.contexts._plans import DatasetPlan, ExpansionPlans, copy_of, has_list

if TYPE_CHECKING:
    from collections.abc import Iterator

    from passeport.contexts._plans import Filled
    from passeport.contexts.loader import DocumentLoader


@contextlib.contextmanager
def _without_network_loaders() -> Iterator[None]:
    """Import pyld's processor without its network document loaders (cold start, issue 17).

    ``pyld/__init__.py`` imports every document loader (asyncio for aiohttp's),
    and ``pyld.jsonld`` builds a default loader on ``requests`` (or aiohttp):
    about 150 ms at each start of the command, for loaders never used here
    (every call passes our own loader, and nothing here may fetch). Inside
    this block, ``pyld`` is an empty package, so that only the modules asked
    for run, and pyld's two network loader modules cannot be imported, so
    that its default loader is its "no default document loader" one. Both are
    undone afterwards: a later ``import pyld`` elsewhere runs pyld's own
    ``__init__`` (reusing the modules loaded here) and its loaders import.
    """
    added: list[str] = []
    if "pyld" not in sys.modules:
        spec = importlib.util.find_spec("pyld")
        if spec is not None and spec.submodule_search_locations is not None:
            sys.modules["pyld"] = importlib.util.module_from_spec(spec)  # not executed
            added.append("pyld")
    for name in ("pyld.documentloader.requests", "pyld.documentloader.aiohttp"):
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]  # its import fails
            added.append(name)
    try:
        yield
    finally:
        for name in added:
            del sys.modules[name]


with _without_network_loaders():
    from pyld import canon as pyld_canon
    from pyld import jsonld
    from pyld.canon import URDNA2015
    from pyld.context_resolver import ContextResolver
    from pyld.identifier_issuer import IdentifierIssuer

JsonLdError = jsonld.JsonLdError

_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s]*$")


class SharedLRU(LRUCache[Any, Any]):
    """An LRU cache that threads may share: each access holds its lock.

    A loader serves every request of ``passeport serve`` (a thread pool) and
    every credential of a batch; cachetools' caches reorder themselves on
    each read, which two threads must not do at once.
    """

    def __init__(self, maxsize: int) -> None:
        super().__init__(maxsize=maxsize)
        self._lock = threading.RLock()

    def __getitem__(self, key: Any) -> Any:
        with self._lock:
            return super().__getitem__(key)

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._lock:
            super().__setitem__(key, value)

    def __delitem__(self, key: Any) -> None:
        with self._lock:
            super().__delitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        with self._lock:
            return super().get(key, default)

    def pop(self, key: Any, *default: Any) -> Any:
        with self._lock:
            return super().pop(key, *default)

    def popitem(self) -> tuple[Any, Any]:
        with self._lock:
            return super().popitem()

    def clear(self) -> None:
        with self._lock:
            super().clear()


def new_context_cache(loader: DocumentLoader) -> Any:
    """Return an empty cache of processed contexts and expansion plans for ``loader``."""
    return (
        SharedLRU(maxsize=256),
        SharedLRU(maxsize=1024),
        SharedLRU(maxsize=4096),
        ExpansionPlans(loader, jsonld.resolve),
    )


def new_canonical_memo() -> Any:
    """Return an empty memo of canonical forms (RDFC-1.0 results) for one loader."""
    return SharedLRU(maxsize=512)


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
        self,
        shared_cache: Any,
        loader: Any,
        by_id: LRUCache[int, Any],
        processed: Any,
        plans: ExpansionPlans | None,
    ) -> None:
        super().__init__(shared_cache, loader)
        self._by_id = by_id
        self.processed = processed
        self.plans = plans

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
    shared, by_id, processed, plans = cache
    return {
        "documentLoader": loader,
        "contextResolver": _Resolver(shared, loader, by_id, processed, plans),
        "base": None,  # keep relative IRIs relative (pyld turns "" into example.org)
        "processingMode": "json-ld-1.1",
        "extractAllScripts": False,
    }


def is_absolute_iri(value: str) -> bool:
    """Tell whether pyld would keep ``value`` as an IRI in RDF output."""
    return _ABSOLUTE_IRI.match(value) is not None


def _process_remembered(
    memo: Any, held: tuple[Any, ...], local_ctx: Any, flags: tuple[Any, ...], process: Any
) -> Any:
    """Return ``process()`` (a processed context), remembered in ``memo``.

    The key is the identities of ``held`` (the active context, and the loader
    when the memo is shared by loaders), the local context (URLs by value;
    objects by identity, with a snapshot, so that a context changed in place
    is processed again) and ``flags``. The entry holds every object whose
    identity is in the key, so that no id is reused while it lives.
    """
    local_key = _local_key(local_ctx)
    key = (*(id(item) for item in held), local_key, *flags)
    hit = memo.get(key)
    if (
        hit is not None
        and all(old is new for old, new in zip(hit[0], held, strict=True))
        and (local_key[0] != "object" or (hit[1] is local_ctx and hit[2] == local_ctx))
    ):
        return hit[3]
    result = process()
    snapshot = copy.deepcopy(local_ctx) if local_key[0] == "object" else None
    memo[key] = (held, local_ctx, snapshot, result)
    return result


class _RememberedContexts(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor, remembering processed contexts where :meth:`_memo_for` says.

    pyld caches a processed context per active context, but a type-scoped
    context that does not propagate is applied to a fresh clone of the active
    context each time, so its cache never hits and the context is processed
    again for every node. ``_memo_for`` returns ``(memo, held, flags)`` (see
    :func:`_process_remembered`), or None to process as pyld does.
    """

    def _memo_for(self, active_ctx: Any, options: Any, cycles: Any) -> Any:
        return None

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
        args = (active_ctx, local_ctx, options, override_protected, propagate, validate_scoped)
        found = self._memo_for(active_ctx, options, cycles)
        if found is None:
            return super()._process_context(*args, cycles)
        memo, held, flags = found
        return _process_remembered(
            memo,
            held,
            local_ctx,
            (override_protected, propagate, validate_scoped, *flags),
            lambda: super(_RememberedContexts, self)._process_context(*args, cycles),
        )


class _Processor(_RememberedContexts):
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

    def __init__(self, on_dropped: Callable[[str | None], None], *, strict: bool = True) -> None:
        super().__init__(on_property_dropped=on_dropped)
        self.expanded: Any = None
        self.filled: Filled | None = None
        self.strict = strict

    def _memo_for(self, active_ctx: Any, options: Any, cycles: Any) -> Any:
        memo = getattr(options.get("contextResolver"), "processed", None)
        if memo is None or cycles:
            return None
        return memo, (active_ctx,), (self.strict,)

    def expand(self, input_: Any, options: Any) -> Any:
        """Expand ``input_``, from its shape's plan when there is one (:mod:`contexts._plans`)."""
        plans = getattr(options.get("contextResolver"), "plans", None)
        if plans is None or not isinstance(input_, dict):
            expanded = super().expand(input_, options)
        else:
            expanded, self.filled = plans.expand(
                input_,
                lambda: super(_Processor, self).expand(input_, options),
                lambda probe: _probe_expand(probe, options, strict=self.strict),
            )
        self.expanded = expanded
        return expanded

    def _create_term_definition(
        self,
        active_ctx: Any,
        local_ctx: Any,
        term: Any,
        defined: Any,
        options: Any,
        override_protected: bool = False,
        validate_scoped: bool = True,
    ) -> Any:
        """Define ``term`` as pyld does, refusing a protected term that another context defined.

        pyld refuses a context that redefines a protected term (JSON-LD 1.1
        4.1.11), but not the other order: a document's context defines
        ``issuer`` its own way, then the type-scoped context of
        ``VerifiableCredential`` defines its protected ``issuer``, which
        silently wins. VC Data Model 2.0 asks for an error whenever a context
        redefines a term that a protected definition holds: so does this, for
        VC 2.0 documents. VC 1.1 documents (``strict`` off) keep JSON-LD's own
        rule: their common contexts (the 1.1 examples with ODRL, the status
        lists of 2021) overlap with the type-scoped definitions, which win as
        JSON-LD says, and every implementation reads them so; the verifier
        reads the signed meaning anyway (``verifier/view.py``).
        """
        previous = None if term in defined else active_ctx.get("mappings", {}).get(term)
        try:
            result = super()._create_term_definition(
                active_ctx, local_ctx, term, defined, options, override_protected, validate_scoped
            )
        except JsonLdError as exc:
            if exc.code != _PROTECTED or "term" in (exc.details or {}):
                raise
            refused = True  # pyld's own refusal: raised again below, naming the term
        else:
            current = active_ctx.get("mappings", {}).get(term)
            refused = self.strict and bool(
                previous
                and current
                and current.get("protected")
                and not previous.get("protected")
                and {**previous, "protected": True} != current
            )
        if refused:
            raise JsonLdError(
                f'a context tried to redefine a protected term ("{term}")',
                "jsonld.SyntaxError",
                {"context": local_ctx, "term": term},
                code=_PROTECTED,
            )
        return result


_PROTECTED = "protected term redefinition"


def _probe_expand(document: Any, options: Any, *, strict: bool) -> tuple[Any, bool]:
    """Expand ``document`` the plain way; also say whether nothing was dropped."""
    dropped: list[str | None] = []
    processor = _Processor(dropped.append, strict=strict)
    expanded = jsonld.JsonLdProcessor.expand(processor, document, options)
    return expanded, not dropped


def _scalar_key(value: Any) -> Any:
    """Return what pyld's ``compare_values`` compares of a JSON scalar (None: not one)."""
    if isinstance(value, bool):
        return ("b", value)  # True is not 1 for pyld (its strict equality)
    if isinstance(value, int | float):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    if value is None:
        return ("z", None)
    return None


def _value_key(value: Any) -> Any:
    """Return a key equal for two node-map values exactly when pyld finds them equal.

    pyld's ``compare_values``: scalars by value; value objects by ``@value``,
    ``@type``, ``@language`` and ``@index``; other objects by ``@id``, and
    objects without one only by identity. None when the value is of no
    such kind (the caller then compares as pyld does).
    """
    if isinstance(value, dict):
        if "@value" in value:
            inner = _scalar_key(value["@value"])
            if inner is None or "@id" in value:
                return None
            extra = (value.get("@type"), value.get("@language"), value.get("@index"))
            if not all(isinstance(part, str | None) for part in extra):
                return None
            return ("v", *extra, inner)
        identifier = value.get("@id")
        if identifier is None:
            return ("o", id(value))  # the value is kept in the list: its id is not reused
        return ("i", identifier) if isinstance(identifier, str) else None
    return _scalar_key(value)


class _NodeMapValues:
    """The values of each node's properties, indexed, for one node map being built.

    pyld's node map (JSON-LD 1.1 API 7.2, used by the RDF conversion) adds each
    value after checking that the property does not already hold it, by
    comparing it with every value before it: quadratic in the number of values
    of one property (14,000 tags took 36 s). The same check is made here with
    a set of keys (:func:`_value_key`), which gives the same answer, in
    constant time.
    """

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        # id of a property's value list -> [the list, how many items are indexed, keys]
        self._seen: dict[int, list[Any]] = {}

    def add_value(self, subject: Any, name: str, value: Any, options: Any = None) -> None:
        values = subject.get(name)
        if (
            not isinstance(values, list)
            or options is None
            or options.get("allowDuplicate", True)
            or options.get("valueIsArray", False)
            or isinstance(value, list)
        ):
            jsonld.JsonLdProcessor.add_value(subject, name, value, options)
            return
        entry = self._seen.get(id(values))
        if entry is None or entry[0] is not values:
            entry = [values, 0, set()]
            self._seen[id(values)] = entry
        keys: set[Any] | None = entry[2]
        if keys is not None:  # index what was added since (by pyld's own add_value too)
            for item in values[entry[1] :]:
                item_key = _value_key(item)
                if item_key is None:
                    keys = None
                    break
                keys.add(item_key)
        key = _value_key(value)
        if keys is None or key is None:
            entry[2] = None  # a value of no known kind: compare as pyld does, from now on
            jsonld.JsonLdProcessor.add_value(subject, name, value, options)
            return
        entry[1] = len(values)
        if key not in keys:
            values.append(value)
            keys.add(key)
            entry[1] += 1


_NODE_MAP_VALUES: ContextVar[_NodeMapValues | None] = ContextVar(
    "passeport_node_map_values", default=None
)


class _IndexedProcessor:
    """Stands for ``JsonLdProcessor`` inside pyld's ``_create_node_map`` (its only use there)."""

    @staticmethod
    def add_value(subject: Any, name: str, value: Any, options: Any = None) -> None:
        values = _NODE_MAP_VALUES.get()
        if values is None:
            jsonld.JsonLdProcessor.add_value(subject, name, value, options)
        else:
            values.add_value(subject, name, value, options)


_INDEXED_NODE_MAP = types.FunctionType(
    jsonld.JsonLdProcessor._create_node_map.__code__,
    {**vars(jsonld), "JsonLdProcessor": _IndexedProcessor},
    "_create_node_map",
    jsonld.JsonLdProcessor._create_node_map.__defaults__,
)
"""pyld's ``_create_node_map``, adding values through :class:`_NodeMapValues`."""


def to_rdf(
    document: Any, options: dict[str, Any], on_dropped: Callable[[str | None], None]
) -> tuple[dict[str, Any], Any, Filled | None]:
    """Expand ``document`` and convert it to a pyld RDF dataset.

    Returns the dataset, the expanded form (for the relative-IRI scan) and
    the plan that made it, if any. Raises pyld's JsonLdError, which the
    caller wraps.
    """
    processor = _Processor(on_dropped, strict=_strict(document))
    processor._create_node_map = types.MethodType(_INDEXED_NODE_MAP, processor)
    opts = dict(options)
    opts["produceGeneralizedRdf"] = False
    token = _NODE_MAP_VALUES.set(_NodeMapValues())
    try:
        expanded = processor.expand(document, opts)
        dataset = _planned_dataset(processor, opts)
        if dataset is None:
            dataset = _dataset_of(processor, expanded, opts)
    finally:
        _NODE_MAP_VALUES.reset(token)
    return dataset, expanded, processor.filled


def _dataset_of(processor: _Processor, expanded: Any, options: dict[str, Any]) -> dict[str, Any]:
    """Convert an expanded form to an RDF dataset: pyld's ``to_rdf`` after its expansion."""
    issuer = IdentifierIssuer("_:b")
    node_map: dict[str, Any] = {"@default": {}}
    processor._create_node_map(expanded, node_map, "@default", issuer)
    dataset = {}
    for graph_name, graph in sorted(node_map.items()):
        if graph_name == "@default" or jsonld._is_absolute_iri(graph_name):
            dataset[graph_name] = processor._graph_to_rdf(graph, issuer, options)
    return dataset


def _planned_dataset(processor: _Processor, options: dict[str, Any]) -> dict[str, Any] | None:
    """Return the dataset of the document ``processor`` filled from a plan, or None.

    The plan's :class:`~contexts._plans.DatasetPlan` is made on the first
    document filled from it and kept only if its triples, filled with that
    document's values, are pyld's own (then pyld's are returned); a plan
    whose fill differs, or that holds an ``@list``, never has one.
    """
    filled = processor.filled
    if filled is None:
        return None
    memo = filled.plan.memo
    plan = memo.get("dataset")
    if plan is False:
        return None
    if plan is not None:
        triples = plan.fill(filled.values, filled.id_values)
        return None if triples is None else {"@default": triples}
    template = filled.plan.template
    if has_list(template):
        memo["dataset"] = False
        return None
    made = _dataset_of(processor, copy_of(template), options)
    actual = _dataset_of(processor, processor.expanded, options)
    candidate = DatasetPlan(made["@default"]) if list(made) == ["@default"] else None
    same = (
        candidate is not None
        and list(actual) == ["@default"]
        and candidate.fill(filled.values, filled.id_values) == actual["@default"]
    )
    memo["dataset"] = candidate if same else False
    return actual


def expand(document: Any, options: dict[str, Any], on_dropped: Callable[[str | None], None]) -> Any:
    """Expand ``document`` with pyld, calling ``on_dropped`` for each dropped term."""
    return expand_planned(document, options, on_dropped)[0]


def expand_planned(
    document: Any, options: dict[str, Any], on_dropped: Callable[[str | None], None]
) -> tuple[Any, Filled | None]:
    """Expand ``document`` as :func:`expand`; also return the plan that made it, if any."""
    processor = _Processor(on_dropped, strict=_strict(document))
    expanded = processor.expand(document, dict(options))
    return expanded, processor.filled


_VC_V1: Final = "https://www.w3.org/2018/credentials/v1"


def _strict(document: Any) -> bool:
    """Whether the VC 2.0 rule on protected terms applies: not to a VC 1.1 document."""
    context = document.get("@context") if isinstance(document, dict) else None
    first = context[0] if isinstance(context, list) and context else context
    return first != _VC_V1


PlainProcessor = jsonld.JsonLdProcessor
"""pyld's own processor, remembering nothing: what the tests compare compaction with."""


class _NoInverseCache:
    """Stands for pyld's global inverse-context cache, keeping nothing (see :func:`_entry`)."""

    @staticmethod
    def get(key: Any, default: Any = None) -> Any:
        return default

    def __setitem__(self, key: Any, value: Any) -> None:
        pass


_build_inverse_context = types.FunctionType(
    jsonld.JsonLdProcessor._get_inverse_context.__code__,
    {**vars(jsonld), "_inverse_context_cache": _NoInverseCache()},
    "_get_inverse_context",
    jsonld.JsonLdProcessor._get_inverse_context.__defaults__,
)
"""pyld's ``_get_inverse_context``, building the inverse context afresh at each call."""

_COMPACTION_LOCK = threading.Lock()
_COMPACTION_CONTEXTS = SharedLRU(maxsize=1024)
_CONTEXT_ENTRIES: LRUCache[Any, _ContextEntry] = LRUCache(maxsize=128)
_TERMS_PER_CONTEXT = 4096
"""How many compacted IRIs an active context remembers (types, keywords, terms: a vocabulary)."""
_UNSET: Final[Any] = object()


class _ContextEntry:
    """What compaction derives from one active context, computed once for all documents."""

    __slots__ = ("context", "curie_filter", "inverse", "scoped_terms", "terms")

    def __init__(self, context: Any) -> None:
        self.context = context
        self.inverse = _build_inverse_context(None, context)
        self.scoped_terms: dict[str, str] | None = None
        self.curie_filter: Any = _UNSET
        self.terms: dict[Any, Any] = {}


def _entry(active_ctx: Any) -> _ContextEntry:
    """Return the :class:`_ContextEntry` of ``active_ctx``, with its inverse context.

    pyld keeps 20 inverse contexts (JSON-LD 1.1 API 4.3), in a global cache
    keyed by the active context's ``_uuid`` and shared unlocked by threads.
    Entries are kept by the active context's identity and ``_uuid`` (the entry
    holds the context, so its id is not reused, and pyld gives a context a new
    ``_uuid`` whenever it defines a term in it), behind a lock.
    """
    key = (id(active_ctx), active_ctx["_uuid"])  # KeyError without one, as in pyld
    with _COMPACTION_LOCK:
        entry = _CONTEXT_ENTRIES.get(key)
    if entry is None or entry.context is not active_ctx:
        entry = _ContextEntry(active_ctx)
        with _COMPACTION_LOCK:
            _CONTEXT_ENTRIES[key] = entry
    return entry


def find_scoped_terms(active_ctx: Any) -> dict[str, str]:
    """Return, for each IRI, the shortest (then least) term mapping to it with a local context."""
    found: dict[str, str] = {}
    mappings = active_ctx.get("mappings", {})
    for term in sorted(mappings, key=lambda name: (len(name), name)):
        mapping = mappings[term]
        if mapping and "@context" in mapping and not mapping.get("reverse"):
            found.setdefault(mapping.get("@id"), term)
    return found


def _scoped_terms(active_ctx: Any) -> dict[str, str]:
    """Return :func:`find_scoped_terms` of ``active_ctx``, computed once per active context."""
    entry = _entry(active_ctx)
    found = entry.scoped_terms
    if found is None:
        found = entry.scoped_terms = find_scoped_terms(active_ctx)  # a race computes it twice
    return found


def _curie_filter(active_ctx: Any) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Return what an IRI must start with to make a compact IRI or a prefix error, or None.

    pyld's ``_compact_iri``, for an IRI that is no term, walks every term
    definition twice: for a prefix whose IRI starts the IRI (a compact IRI),
    then for a prefix term followed by ``:`` that starts it ("IRI confused
    with prefix"). An IRI that starts with none of the first tuple (the
    prefixes' IRIs) and none of the second (prefix terms with ``:``) meets
    neither. None when a definition is of a shape on which pyld's walk would
    itself fail (it is then left to walk).
    """
    iris: list[str] = []
    prefixes: list[str] = []
    for term, definition in active_ctx["mappings"].items():
        if not isinstance(term, str):
            return None
        if definition is not None:
            if "@id" not in definition or "_prefix" not in definition:
                return None
            if definition["_prefix"]:
                prefixes.append(term + ":")
        if ":" in term or definition is None or not definition["@id"]:
            continue
        if not isinstance(definition["@id"], str):
            return None
        iris.append(definition["@id"])
    return tuple(iris), tuple(prefixes)


def _as_document_iri(entry: _ContextEntry, iri: str, base: Any) -> Any:
    """Return what pyld's ``_compact_iri`` makes of ``iri`` out of vocabulary, or _UNSET.

    That is, for an IRI compacted with ``vocab=False`` (a node's ``@id``),
    when no compact IRI and no prefix error can come of it: pyld's last step,
    the IRI made relative to the base, with its own functions.
    """
    found = entry.curie_filter
    if found is _UNSET:
        found = entry.curie_filter = _curie_filter(entry.context)
    if found is None or iri.startswith(found[0]) or iri.startswith(found[1]):
        return _UNSET
    active_ctx = entry.context
    if "@base" in active_ctx:
        if active_ctx["@base"] is None:
            return iri
        return jsonld.unresolve(iri, jsonld.resolve(active_ctx["@base"], base))
    return jsonld.unresolve(iri, base)


class _CachedCompaction(_RememberedContexts):
    """pyld's compaction, remembering processed and inverse contexts across documents.

    pyld's compaction processes the scoped context of each property and type
    again for every node, and a type-scoped context that does not propagate
    is applied to a fresh clone of the active context, so its own cache never
    hits: every node gets a new active context, whose inverse context is then
    built anew (most of the cost of compacting an Open Badges credential).
    Here a processed context is remembered by the document loader and the
    active context (both by identity, both held by the entry so that no id
    is reused), the local context (URLs by value; objects by identity, with a
    snapshot, so that a context changed in place is processed again) and the
    flags; only for frozen active contexts (pyld freezes every one it
    finishes) and outside the processing of a context itself (``cycles``).
    The result is what pyld computes, under another ``_uuid``.
    """

    def _memo_for(self, active_ctx: Any, options: Any, cycles: Any) -> Any:
        owner = options.get("documentLoader")
        if cycles is not None or owner is None or not isinstance(active_ctx, jsonld.frozendict):
            return None
        flags = (options.get("base"), options.get("processingMode"))
        return _COMPACTION_CONTEXTS, (owner, active_ctx), flags

    def _get_inverse_context(self, active_ctx: Any) -> Any:
        return _entry(active_ctx).inverse

    def _compact_iri(
        self,
        active_ctx: Any,
        iri: Any,
        value: Any = None,
        vocab: bool = False,
        base: Any = None,
        reverse: bool = False,
    ) -> Any:
        """Compact ``iri`` as pyld does, remembering what depends on the active context only.

        Without a value, pyld's result is a function of the active context,
        the IRI and the flags: types, keywords and terms (a vocabulary) are
        remembered per active context; a node's ``@id`` (new in each
        document) skips pyld's walk of every term definition when no compact
        IRI can come of it (:func:`_as_document_iri`).
        """
        if value is not None or not isinstance(iri, str) or not isinstance(base, str | None):
            return super()._compact_iri(active_ctx, iri, value, vocab, base, reverse)
        entry = _entry(active_ctx)
        if not vocab and not jsonld._is_keyword(iri):
            found = _as_document_iri(entry, iri, base)
            if found is _UNSET:
                found = super()._compact_iri(active_ctx, iri, value, vocab, base, reverse)
            return found
        key = (iri, vocab, base, reverse)
        found = entry.terms.get(key, _UNSET)
        if found is _UNSET:
            found = super()._compact_iri(active_ctx, iri, value, vocab, base, reverse)
            if len(entry.terms) < _TERMS_PER_CONTEXT:
                entry.terms[key] = found
        return found


class RoundTripNaming(jsonld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's compaction, naming a type by the term that carries its type-scoped context.

    JSON-LD 1.1 compacts a node's ``@type`` with the context of the node that
    holds it, so when a property and a type share an IRI (Open Badges 3.0's
    ``geo`` inside ``Address`` and the type ``GeoCoordinates``) the shorter
    ``geo`` wins; expanded again, ``"type": "geo"`` brings no type-scoped
    context and ``latitude`` is undefined. Selective disclosure compacts and
    re-expands every credential, so the term with the local context is
    preferred: either term expands to the same type IRI, and only this one
    expands the node's properties as the credential did.

    On its own (as the tests use it) it remembers nothing; :class:`_Compactor`
    adds the caches of :class:`_CachedCompaction`.
    """

    scoped_terms: Callable[[Any], dict[str, str]] = staticmethod(find_scoped_terms)

    def _compact_iri(
        self,
        active_ctx: Any,
        iri: Any,
        value: Any = None,
        vocab: bool = False,
        base: Any = None,
        reverse: bool = False,
    ) -> Any:
        term = super()._compact_iri(active_ctx, iri, value, vocab, base, reverse)
        if not vocab or value is not None or reverse or not isinstance(term, str):
            return term
        mapping = active_ctx.get("mappings", {}).get(term)
        if not mapping or "@context" in mapping:
            return term
        return self.scoped_terms(active_ctx).get(iri, term)


class _Compactor(RoundTripNaming, _CachedCompaction):
    """The round-trip naming of :class:`RoundTripNaming` over :class:`_CachedCompaction`."""

    scoped_terms = staticmethod(_scoped_terms)


def compact(expanded: Any, context: Any, options: dict[str, Any], *, round_trip: bool) -> Any:
    """Compact an expanded document with ``context`` (raises pyld's JsonLdError).

    ``round_trip`` uses :class:`_Compactor`, whose result expands back to the
    same statements; otherwise the result is pyld's own. Both remember the
    contexts they process (:class:`_CachedCompaction`).
    """
    processor = _Compactor() if round_trip else _CachedCompaction()
    return processor.compact(expanded, context, {**options, "skipExpansion": True})


class WorkLimitExceeded(Exception):
    """RDFC-1.0 needed more work than allowed (a likely poison graph)."""


_CHECK_EVERY = 1024
"""Work units spent between two looks at the clock (a look costs about a microsecond)."""


class _Budget:
    """Work units left, and the thread CPU time by which the work must be done.

    A unit is about the cost of one blank-node lookup; copying an identifier
    issuer costs in proportion to its size, and hashing a node's N-degree
    quads in proportion to its quads, so the units follow the time spent
    whatever the graph's shape. The deadline is a second, coarser bound: it
    is checked every :data:`_CHECK_EVERY` units.
    """

    __slots__ = ("check_at", "deadline", "left")

    def __init__(self, limit: int, seconds: float | None) -> None:
        self.left = limit
        self.check_at = limit - _CHECK_EVERY
        self.deadline = None if seconds is None else time.thread_time() + seconds

    def spend(self, units: int = 1) -> None:
        self.left -= units
        if self.left < self.check_at:
            self.check_at = self.left - _CHECK_EVERY
            if self.left < 0:
                raise WorkLimitExceeded("steps")
            if self.deadline is not None and time.thread_time() > self.deadline:
                raise WorkLimitExceeded("time")


class _CountingIssuer(IdentifierIssuer):  # type: ignore[misc]
    """The canonical issuer; each lookup in the permutation loop spends budget."""

    def __init__(self, prefix: str, budget: _Budget) -> None:
        super().__init__(prefix)
        self._budget = budget

    def has_id(self, old: str) -> bool:
        self._budget.spend()
        return bool(super().has_id(old))


# What the steps of the N-degree hashing cost, in units (about 0.3 µs each here): a call,
# each related blank node it hashes (a SHA-256), a copy of an issuer (as many more units as
# it holds identifiers over _ENTRIES_PER_UNIT: a dict and a list copied in C).
_CALL_UNITS = 4
_RELATED_UNITS = 4
_COPY_UNITS = 4
_ENTRIES_PER_UNIT = 8


class _PathIssuer(IdentifierIssuer):  # type: ignore[misc]
    """A temporary issuer of the N-degree hashing, copied cheaply and paying for its copies.

    RDFC-1.0 4.8.3 step 5.4.1 copies the issuer for every permutation; pyld
    does it with ``copy.deepcopy``, a walk of every entry in Python, which
    made most of the time of a poison graph and was not counted. The copy
    here is a copy of the mapping and of the order (their items are strings),
    with the same result, and it spends budget in proportion to its size.
    """

    _budget: _Budget

    @classmethod
    def adopt(cls, issuer: Any, budget: _Budget) -> _PathIssuer:
        """Return an issuer in the state of ``issuer`` (pyld's own class), counting its copies."""
        adopted: _PathIssuer = cls.__new__(cls)
        adopted.prefix = issuer.prefix
        adopted.counter = issuer.counter
        adopted.existing = dict(issuer.existing)
        adopted.order = list(issuer.order)
        adopted._budget = budget
        return adopted

    def has_id(self, old: str) -> bool:
        self._budget.spend()
        return old in self.existing

    def __deepcopy__(self, memo: Any) -> _PathIssuer:
        self._budget.spend(_COPY_UNITS + len(self.order) // _ENTRIES_PER_UNIT)
        return _PathIssuer.adopt(self, self._budget)


XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# RDFC-1.0 canonical n-quads form: in a literal, the quote and the backslash
# are escaped, tab, LF, CR, backspace and form feed use ECHAR, every other
# character of U+0000..U+001F and U+007F is a UCHAR with upper-case hex, and
# everything else is written as it is (U+2028, U+0085 ... included).
_LITERAL_ESCAPES: dict[int, str] = {code: f"\\u{code:04X}" for code in [*range(0x20), 0x7F]}
_LITERAL_ESCAPES.update(
    {0x22: '\\"', 0x5C: "\\\\", 0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x08: "\\b", 0x0C: "\\f"}
)


def escape_literal(value: str) -> str:
    """Escape a literal's lexical form as canonical N-Quads writes it (without the quotes)."""
    return value.translate(_LITERAL_ESCAPES)


def _term(component: dict[str, Any]) -> str:
    kind = component["type"]
    value = str(component["value"])
    if kind == "IRI":
        return "<" + value + ">"
    if kind == "blank node":
        return value
    text = '"' + escape_literal(value) + '"'
    datatype = component.get("datatype")
    if datatype == RDF_LANGSTRING:
        language = component.get("language")
        return f"{text}@{language}" if language else text
    if datatype and datatype != XSD_STRING:
        return f"{text}^^<{datatype}>"
    return text


def canonical_quad(quad: dict[str, Any]) -> str:
    """Serialize one pyld quad in canonical n-quads form, ending in LF."""
    line = f"{_term(quad['subject'])} <{quad['predicate']['value']}> {_term(quad['object'])}"
    name = quad.get("name")
    if name is not None and name.get("value") is not None:
        line += " " + _term(name)
    return line + " .\n"


def _with_canonical_quads(function: Callable[..., Any]) -> Callable[..., Any]:
    """Return pyld's ``function`` with ``canonical_quad`` in place of ``serialize_nquad``."""
    namespace = {**vars(pyld_canon), "serialize_nquad": canonical_quad}
    return types.FunctionType(
        function.__code__, namespace, function.__name__, function.__defaults__, function.__closure__
    )


MAX_NESTING = 64
"""How deep the N-degree hashing may recurse (a chain of look-alike blank nodes)."""


class BoundedRdfc(URDNA2015):  # type: ignore[misc]
    """RDFC-1.0 (pyld's URDNA2015) with a chosen hash, a work limit and canonical escapes."""

    def __init__(
        self, hash_factory: Callable[[], Any], work_limit: int, time_limit: float | None = None
    ) -> None:
        super().__init__()
        self._hash_factory = hash_factory
        self._budget = _Budget(work_limit, time_limit)
        self._nesting = 0
        self.canonical_issuer = _CountingIssuer("_:c14n", self._budget)

    def create_hash(self) -> Any:
        return self._hash_factory()

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        # RDFC-1.0 4.8.3 steps 1 to 3 hash a related blank node for each quad of the node.
        self._budget.spend(_CALL_UNITS + _RELATED_UNITS * len(self.blank_node_info[id_]["quads"]))
        if not isinstance(issuer, _PathIssuer):
            issuer = _PathIssuer.adopt(issuer, self._budget)
        # 4.8.3 step 5.4.5.1 recurses along chains of look-alike blank nodes: bounded,
        # before Python's own recursion limit (a RecursionError) is reached.
        if self._nesting >= MAX_NESTING:
            raise WorkLimitExceeded("nesting")
        self._nesting += 1
        try:
            return super().hash_n_degree_quads(id_, issuer)
        finally:
            self._nesting -= 1

    # RDFC-1.0 4.4 step 7 and 4.6 step 3 serialize quads: pyld's own code, reading
    # canonical_quad where it reads its serialize_nquad (which escapes too little).
    main = _with_canonical_quads(URDNA2015.main)
    hash_first_degree_quads = _with_canonical_quads(URDNA2015.hash_first_degree_quads)

    def modify_first_degree_component(self, id_: str, component: Any, key: str) -> Any:
        """RDFC-1.0 4.6 step 3.1.1: ``_:a`` for the node itself, ``_:z`` for another.

        pyld deep-copies the component, a flat map of strings, for each quad
        of each blank node: a shallow copy is the same map, in a fraction of
        the time.
        """
        if component["type"] != "blank node":
            return component
        changed = dict(component)
        changed["value"] = "_:a" if component["value"] == id_ else "_:z"
        return changed

    def canonical_labels(self) -> dict[str, str]:
        """Return the input blank-node label to canonical label map (after ``main``)."""
        return {old: new for old, new in self.canonical_issuer.existing.items()}


def canonicalize_dataset(
    dataset: dict[str, Any], *, hash_name: str, work_limit: int, time_limit: float | None = None
) -> tuple[str, dict[str, str]]:
    """Run RDFC-1.0 on a pyld dataset; return N-Quads and the blank-node label map.

    Raises:
        WorkLimitExceeded: more than ``work_limit`` units, or more than
            ``time_limit`` seconds of this thread's CPU time.
    """
    factory: Callable[[], Any] = getattr(hashlib, hash_name)
    canon = BoundedRdfc(factory, work_limit, time_limit)
    nquads: str = canon.main(dataset, {"format": "application/n-quads"})
    return nquads, canon.canonical_labels()


_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_IRIREF = rf'<((?:[^\x00-\x20<>"{{}}|^`\\]|{_UCHAR})*)>'
_BNODE = r"(_:[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?)"
_LITERAL = (
    rf'"((?:[^"\\\n\r]|\\[tbnrf"\'\\]|{_UCHAR})*)"'
    rf"(?:\^\^{_IRIREF}|@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*))?"
)
_QUAD = re.compile(
    rf"[ \t]*(?:{_IRIREF}|{_BNODE})[ \t]+{_IRIREF}[ \t]+(?:{_IRIREF}|{_BNODE}|{_LITERAL})"
    rf"[ \t]*(?:(?:{_IRIREF}|{_BNODE})[ \t]*)?\.[ \t]*(?:#[^\n]*)?"
)
_BLANK_OR_COMMENT = re.compile(r"[ \t]*(?:#[^\n]*)?")
_ESCAPE = re.compile(r'\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([tbnrf"\'\\]))')
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape_match(match: re.Match[str]) -> str:
    code = match.group(1) or match.group(2)
    if code is None:
        return _ECHAR[match.group(3)]
    point = int(code, 16)
    if point > 0x10FFFF or 0xD800 <= point <= 0xDFFF:
        raise ValueError(f"\\u{code} is not a Unicode scalar value")
    return chr(point)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(_unescape_match, text) if "\\" in text else text


def _node(iri: str | None, bnode: str | None) -> dict[str, Any]:
    if iri is not None:
        return {"type": "IRI", "value": _unescape(iri)}
    return {"type": "blank node", "value": bnode}


def dataset_from_nquads(text: str) -> dict[str, Any]:
    """Parse N-Quads into a pyld dataset; lines end at LF only, every escape is read.

    Raises:
        ValueError: a line is not an N-Quads statement (names its number).
    """
    dataset: dict[str, list[dict[str, Any]]] = {}
    seen: set[str] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        match = _QUAD.fullmatch(line)
        if match is None:
            if _BLANK_OR_COMMENT.fullmatch(line):
                continue
            raise ValueError(f"line {number} is not an N-Quads statement")
        (s_iri, s_bnode, p_iri, o_iri, o_bnode, o_lex, o_dt, o_lang, g_iri, g_bnode) = (
            match.groups()
        )
        if o_lex is not None:
            obj: dict[str, Any] = {"type": "literal", "value": _unescape(o_lex)}
            if o_dt is not None:
                obj["datatype"] = _unescape(o_dt)
            elif o_lang is not None:
                obj["datatype"] = RDF_LANGSTRING
                obj["language"] = o_lang
            else:
                obj["datatype"] = XSD_STRING
        else:
            obj = _node(o_iri, o_bnode)
        triple = {
            "subject": _node(s_iri, s_bnode),
            "predicate": {"type": "IRI", "value": _unescape(p_iri)},
            "object": obj,
        }
        graph = "@default" if g_iri is None and g_bnode is None else _node(g_iri, g_bnode)["value"]
        # A dataset is a set: a repeated statement is read once.
        key = graph + "\x00" + canonical_quad(triple)
        if key not in seen:
            seen.add(key)
            dataset.setdefault(graph, []).append(triple)
    return dataset


def dataset_to_nquads(dataset: dict[str, Any]) -> str:
    """Serialize a pyld dataset to N-Quads (not canonical)."""
    return jsonld.JsonLdProcessor.to_nquads(dataset)  # type: ignore[no-any-return]
