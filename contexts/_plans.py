"""Expansion plans: JSON-LD expansion done once per document shape (issue 17).

Credentials of one kind differ in their values (a name, a date, a subject's
DID), not in their shape: the same members, the same types, the same
contexts. JSON-LD expansion reads a value's content in few places only, so
the expanded form of a document is the expanded form of its shape with the
values put back. A *plan* is that expanded shape, made by expanding a *probe*:
the document with each value whose content expansion does not read replaced
by a unique placeholder. Expanding a document of a known shape is then a copy
of the plan with the document's values in the placeholders' places: about a
tenth of pyld's cost.

Which values expansion does not read, from the JSON-LD 1.1 expansion
algorithm (https://www.w3.org/TR/json-ld11-api/#expansion-algorithm) and
pyld's code:

- a string that becomes the ``@value`` of a value object (value expansion
  copies it; its datatype, language or direction come from the term
  definition, never from the string);
- a string that becomes an ``@id`` (a node's id or a value coerced with
  ``@id``/``@vocab``), when it is an absolute IRI whose scheme and whole text
  are not terms of any context the document can reach: IRI expansion then
  returns it unchanged (a term, a prefix or a relative IRI are expanded
  against the context: such values stay in the key, as they are).

Every other value (types, which choose type-scoped contexts; ``@language``;
numbers, booleans and null; the contexts themselves) and every member name
stays in the plan's key, as it is. The kind of each value (``@value``,
``@id`` or anything else) is learned by expanding probes until no
placeholder lands anywhere else: then every value that can change a context
(a type under any alias) holds its real value in the probe, so the probe's
active contexts are the document's, and so are those of every document
with the same key. A plan is kept only when each placeholder lands exactly
once, where its kind says, and when the plan filled with the first
document's values equals pyld's own expansion of that document; a shape
that expansion drops anything from, or that holds a context object, an
unknown context or a placeholder-like string, is never planned (the caller
expands it the plain way and reports what it must).

Learning a shape costs two or three more expansions, and making a plan one
more: a document of a shape or key never seen before is expanded the plain
way, and only the second one of its shape (then of its key) is learnt and
planned. A sender of ever-new shapes thus costs what it cost without plans,
and cannot push the shapes of honest credentials out of the caches without
sending each of its own twice.

The checks made on an expanded form (terms dropped, relative IRIs, language
tags, the issuer-dependent vocabulary) run on the filled plan as on pyld's
output: nothing is skipped, and a differential test compares both on many
generated and adversarial documents (``tests/contexts/test_plans.py``).

Plans are kept per document loader (the contexts it serves decide the
terms), in bounded LRU caches behind a lock; a plan is never handed out,
only copied.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final

from cachetools import LRUCache

if TYPE_CHECKING:
    from passeport.contexts.loader import DocumentLoader

__all__ = ["DatasetPlan", "ExpansionPlans", "Filled", "Plan", "copy_of", "has_list"]

_PREFIX: Final = "x-passeport-probe-4d1c:"
"""Placeholders are absolute IRIs of a scheme no context defines: ``_PREFIX`` + index."""

# Kinds of a leaf (a JSON scalar of the document, in document order).
_VERBATIM: Final = 0  # its value is part of the key
_LITERAL: Final = 1  # becomes the @value of a value object
_ID: Final = 2  # becomes an @id: a placeholder when its value is a safe absolute IRI

# Skeleton tokens (member names are strings, so these ints never equal one).
_OPEN, _CLOSE, _LIST, _END = 0, 1, 2, 3
_STR, _INT, _BOOL, _FLOAT, _NULL = 10, 11, 12, 13, 14

_UNPLANNABLE: Final = object()
"""Cached for a shape or key that is expanded the plain way."""

_SAFE: Final = object()
"""Stands in a key for an ``@id`` value that IRI expansion returns unchanged."""

_MAX_ROUNDS: Final = 6

_PYLD_ABSOLUTE: Final = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
"""pyld's own test of an absolute IRI (``jsonld._is_absolute_iri``), character for character."""


def _forced(key: str) -> bool:
    """Whether the values of member ``key`` are always in the key (keywords, ``type``)."""
    return key == "type" or (key.startswith("@") and key not in ("@id", "@value"))


class _Shape:
    """A document walked once: its skeleton, its leaves and which leaves are forced."""

    __slots__ = ("contexts", "document", "fixed", "forced", "leaves", "plannable", "tokens")

    def __init__(self, document: Any) -> None:
        self.document = document
        tokens: list[Any] = []
        leaves: list[Any] = []
        forced: list[bool] = []
        fixed: list[Any] = []
        contexts: list[str] = []
        token, leaf, flag, keep, context = (
            tokens.append,
            leaves.append,
            forced.append,
            fixed.append,
            contexts.append,
        )
        plannable = True

        def walk(value: Any, in_context: bool, force: bool) -> None:
            nonlocal plannable
            kind = type(value)
            if kind is str:
                if in_context:
                    context(value)
                token(_STR)
                leaf(value)
                flag(force)
                if force:
                    keep(value)
            elif kind is dict:
                if in_context:
                    plannable = False  # a context object: its terms are not the bundled ones
                    return
                token(_OPEN)
                for key, child in value.items():
                    if type(key) is not str:
                        plannable = False  # not JSON: a member name that could be a marker
                        return
                    token(key)
                    walk(child, key == "@context", _forced(key))
                token(_CLOSE)
            elif kind is list:
                token(_LIST)
                for child in value:
                    walk(child, in_context, force)
                token(_END)
            else:
                scalar = _SCALARS.get(kind)
                if scalar is None:
                    plannable = False  # not JSON
                token(scalar)
                leaf(value)
                flag(True)
                keep(value if kind is not float else (value, value.hex()))

        walk(document, False, False)
        self.tokens = tuple(tokens)
        self.leaves = leaves
        self.forced = forced
        self.fixed = tuple(fixed)
        self.contexts = tuple(contexts)
        self.plannable = plannable

    @property
    def kinds_key(self) -> tuple[Any, ...]:
        """What the kinds of the leaves depend on: the skeleton and the forced values.

        A probe holds the forced values as they are and a placeholder at every
        other string, so whether its shape can be learnt, and what is learnt,
        depend on nothing else: a document with other values cannot spoil the
        learning of a shape for the documents that follow.
        """
        return (self.tokens, self.fixed)

    def with_values(self, placed: dict[int, str]) -> Any:
        """Return a copy of the document with the leaves of ``placed`` replaced."""
        values = (placed.get(index, value) for index, value in enumerate(self.leaves))
        return _rebuild(self.document, values)

    def looks_like_a_plan(self) -> bool:
        """Whether a member name or a string holds the placeholders' prefix (never planned)."""
        return any(
            type(token) is str and token.startswith(_PREFIX) for token in self.tokens
        ) or any(type(value) is str and value.startswith(_PREFIX) for value in self.leaves)


_SCALARS: Final = {bool: _BOOL, int: _INT, float: _FLOAT, type(None): _NULL}


def _rebuild(document: Any, values: Iterator[Any]) -> Any:
    """Return a copy of ``document`` whose leaves, in order, are taken from ``values``."""
    kind = type(document)
    if kind is dict:
        return {key: _rebuild(child, values) for key, child in document.items()}
    if kind is list:
        return [_rebuild(child, values) for child in document]
    return next(values)


def _fill(template: Any, values: dict[str, Any]) -> Any:
    """Return a copy of ``template`` with each placeholder string replaced by its value."""
    if type(template) is dict:
        return {
            key: (
                _fill(child, values)
                if type(child) in (dict, list)
                else values.get(child, child)
                if type(child) is str
                else child
            )
            for key, child in template.items()
        }
    if type(template) is list:
        return [
            _fill(child, values)
            if type(child) in (dict, list)
            else values.get(child, child)
            if type(child) is str
            else child
            for child in template
        ]
    return values.get(template, template) if type(template) is str else template


def _entries(expanded: Any) -> Iterator[tuple[str | None, Any]]:
    """Yield ``(member name, value)`` for every member, ``(None, item)`` for every list item."""
    stack = [expanded]
    while stack:
        item = stack.pop()
        if type(item) is list:
            for child in item:
                yield None, child
                stack.append(child)
        elif type(item) is dict:
            for key, child in item.items():
                yield key, child
                stack.append(child)


def _landings(expanded: Any, placeholders: dict[str, int]) -> dict[int, list[int]]:
    """Say where each placeholder landed in an expanded form: as @value, @id or elsewhere."""
    found: dict[int, list[int]] = {}
    for key, value in _entries(expanded):
        if key is not None and key in placeholders:
            found.setdefault(placeholders[key], []).append(_VERBATIM)
        if type(value) is str and value in placeholders:
            spot = _LITERAL if key == "@value" else _ID if key == "@id" else _VERBATIM
            found.setdefault(placeholders[value], []).append(spot)
    return found


def _count_prefix(expanded: Any) -> int:
    """Count the strings (and member names) holding the placeholder prefix anywhere."""
    return sum(
        (key is not None and _PREFIX in key) + (type(value) is str and _PREFIX in value)
        for key, value in _entries(expanded)
    )


def _keys_of(
    value: Any,
    into: set[str],
    urls: list[str],
    loader: DocumentLoader,
    resolve: Callable[[str, str], str],
    base: str,
    reference: bool = False,
) -> None:
    """Add the member names of ``value`` to ``into``, the contexts it names to ``urls``.

    A context names another by a string under ``@context`` (or ``@import``),
    which pyld resolves against ``base``, the URL of the context holding it:
    ``["b", {...}]`` in ``https://e.x/ctx/a`` brings ``https://e.x/ctx/b``,
    and ``https://e.x/x/../b`` is ``https://e.x/b``. Both spellings are
    followed (any other string the loader knows is followed too).
    """
    if isinstance(value, dict):
        for key, child in value.items():
            into.add(key)
            _keys_of(child, into, urls, loader, resolve, base, key in ("@context", "@import"))
    elif isinstance(value, list):
        for child in value:
            _keys_of(child, into, urls, loader, resolve, base, reference)
    elif isinstance(value, str):
        if loader.knows(value):
            urls.append(value)
        if reference and loader.knows(resolved := resolve(value, base)):
            urls.append(resolved)


def _resolver(resolve: Callable[[str, str], str]) -> Callable[[str, str], str]:
    """Return pyld's URL resolution (``resolve``) that gives the URL back when it cannot."""

    def resolved(value: str, base: str) -> str:
        try:
            return resolve(value, base)
        except ValueError:  # a relative URL and no base: pyld fails to load it
            return value

    return resolved


class Plan:
    """The expanded form of a shape, with a placeholder for each free value.

    ``memo`` holds what callers derive from the template alone (for instance
    that it holds no relative IRI): it is true of every document filled from
    the plan, but for the values at ``ids`` (indexes of ``@id`` placeholders).
    """

    __slots__ = ("ids", "memo", "placeholders", "template")

    def __init__(
        self, template: Any, placeholders: tuple[tuple[str, int], ...], ids: frozenset[int]
    ) -> None:
        self.template = template
        self.placeholders = placeholders
        self.ids = ids
        self.memo: dict[str, Any] = {}


class Filled:
    """A document's expanded form made from ``plan``: the value of each placeholder.

    ``id_values`` are those put at ``@id`` spots.
    """

    __slots__ = ("id_values", "plan", "values")

    def __init__(self, plan: Plan, values: dict[str, Any], id_values: list[Any]) -> None:
        self.plan = plan
        self.values = values
        self.id_values = id_values


Expander = Callable[[Any], tuple[Any, bool]]
"""Expand a document the plain way: return the expanded form and whether nothing was dropped."""


class ExpansionPlans:
    """The expansion plans of one document loader (see the module's docstring)."""

    def __init__(self, loader: DocumentLoader, resolve: Callable[[str, str], str]) -> None:
        """Keep the plans of ``loader``; ``resolve`` resolves URLs as pyld does."""
        self._loader = loader
        self._resolve = _resolver(resolve)
        self._lock = threading.Lock()
        self._kinds: LRUCache[tuple[Any, ...], Any] = LRUCache(maxsize=256)
        self._plans: LRUCache[tuple[Any, ...], Any] = LRUCache(maxsize=512)
        self._terms: LRUCache[tuple[str, ...], frozenset[str]] = LRUCache(maxsize=64)
        self._seen: LRUCache[int, bool] = LRUCache(maxsize=4096)
        self.filled = 0
        """How many expansions came from a plan (a statistic: not counted under the lock)."""

    def expand(
        self, document: Any, plain: Callable[[], Any], probe: Expander
    ) -> tuple[Any, Filled | None]:
        """Return the expanded form of ``document``, from its plan when its shape has one.

        ``plain()`` expands ``document`` itself the plain way (with the
        caller's hooks: it reports what is dropped and raises what is
        wrong); ``probe(doc)`` expands another document without hooks. The
        second item says which plan made the expanded form (None: pyld did).
        """
        shape = _Shape(document)
        if not shape.plannable:
            return plain(), None
        with self._lock:
            kinds = self._kinds.get(shape.kinds_key)
        if kinds is _UNPLANNABLE:
            return plain(), None
        if kinds is None:
            expanded = plain()
            if not self._seen_before(("shape", shape.kinds_key)):
                return expanded, None  # learnt on the shape's second document (module docstring)
            kinds = self._learn(shape, probe)
            if kinds is None:
                return expanded, None
            with self._lock:
                self._kinds[shape.kinds_key] = kinds
            if kinds is not _UNPLANNABLE:
                self._make_plan(shape, kinds, expanded, probe)
            return expanded, None
        terms = self._terms_of(shape.contexts)
        key = self._key(shape, kinds, terms)
        with self._lock:
            plan = self._plans.get(key)
        if plan is _UNPLANNABLE:
            return plain(), None
        if plan is None:
            expanded = plain()
            if not self._seen_before(("key", key)):
                return expanded, None
            self._make_plan(shape, kinds, expanded, probe, key=key, terms=terms)
            return expanded, None
        leaves = shape.leaves
        self.filled += 1
        values = {text: leaves[index] for text, index in plan.placeholders}
        expanded = _fill(plan.template, values)
        return expanded, Filled(plan, values, [leaves[index] for index in plan.ids])

    def _seen_before(self, marker: tuple[Any, ...]) -> bool:
        """Tell whether ``marker`` came before (remembered by hash, in a bounded LRU)."""
        digest = hash(marker)
        with self._lock:
            if self._seen.get(digest) is not None:
                return True
            self._seen[digest] = True
        return False

    def _terms_of(self, urls: tuple[str, ...]) -> frozenset[str]:
        """Return every member name of the contexts reachable from ``urls`` (terms and more)."""
        with self._lock:
            found = self._terms.get(urls)
        if found is not None:
            return found
        names: set[str] = set()
        pending = [*urls, *(self._resolve(url, "") for url in urls)]  # as pyld loads them
        seen: set[str] = set()
        while pending:
            url = pending.pop()
            if url in seen or not self._loader.knows(url):
                continue
            seen.add(url)
            _keys_of(self._loader.load(url), names, pending, self._loader, self._resolve, url)
        result = frozenset(names)
        with self._lock:
            self._terms[urls] = result
        return result

    @staticmethod
    def _safe(value: str, terms: frozenset[str]) -> bool:
        """Whether IRI expansion returns ``value`` unchanged in any context made of ``terms``."""
        colon = value.find(":")
        if colon <= 0 or value in terms or value[:colon] in terms:
            return False
        if value.startswith(_PREFIX):
            return False
        suffix = value[colon + 1 :]
        return (
            suffix.startswith("//")
            or value[:colon] == "_"
            or _PYLD_ABSOLUTE.match(value) is not None
        )

    def _key(self, shape: _Shape, kinds: tuple[int, ...], terms: frozenset[str]) -> tuple[Any, ...]:
        parts: list[Any] = []
        for value, kind in zip(shape.leaves, kinds, strict=True):
            if kind == _VERBATIM:
                # -0.0 == 0.0 (and hashes alike) but expands, and may canonicalize, apart
                parts.append((value, value.hex()) if type(value) is float else value)
            elif kind == _ID:
                parts.append(_SAFE if self._safe(value, terms) else value)
        return (shape.tokens, kinds, tuple(parts))

    def _learn(self, shape: _Shape, probe: Expander) -> Any:
        """Return the kind of each leaf of ``shape`` (or _UNPLANNABLE), by expanding probes."""
        if shape.looks_like_a_plan():
            return None  # not learned from this document: the next one of its shape will
        candidates = {
            index
            for index, (value, forced) in enumerate(zip(shape.leaves, shape.forced, strict=True))
            if not forced and isinstance(value, str)
        }
        for _ in range(_MAX_ROUNDS):
            placed = {index: f"{_PREFIX}{index}" for index in candidates}
            try:
                expanded, complete = probe(shape.with_values(placed))
            except Exception:  # the plain expansion succeeded: a probe failing is not planned
                return _UNPLANNABLE
            if not complete:
                return _UNPLANNABLE
            spots = _landings(expanded, {text: index for index, text in placed.items()})
            kinds = {index: _kind(spots.get(index)) for index in candidates}
            settled = {index for index in candidates if kinds[index] != _VERBATIM}
            if settled == candidates:
                return tuple(kinds.get(index, _VERBATIM) for index in range(len(shape.leaves)))
            candidates = settled  # a value read by expansion (a type?): probe again with it
        return _UNPLANNABLE

    def _make_plan(
        self,
        shape: _Shape,
        kinds: tuple[int, ...],
        expanded: Any,
        probe: Expander,
        *,
        key: tuple[Any, ...] | None = None,
        terms: frozenset[str] | None = None,
    ) -> None:
        """Build and keep the plan of ``shape``'s key, checked against ``expanded`` (pyld's)."""
        if shape.looks_like_a_plan():
            return  # nothing kept: the next document of this key makes the plan
        if terms is None:
            terms = self._terms_of(shape.contexts)
        if key is None:
            key = self._key(shape, kinds, terms)
        placed: dict[int, str] = {}
        for index, (value, kind) in enumerate(zip(shape.leaves, kinds, strict=True)):
            if kind == _LITERAL or (kind == _ID and self._safe(value, terms)):
                placed[index] = f"{_PREFIX}{index}"
        plan: Any = _UNPLANNABLE
        try:
            template, complete = probe(shape.with_values(placed))
        except Exception:
            complete = False
        if complete:
            spots = _landings(template, {text: index for index, text in placed.items()})
            placeholders = tuple((text, index) for index, text in placed.items())
            if (
                all(spots.get(index) == [kinds[index]] for index in placed)
                and _count_prefix(template) == len(placed)
                and _fill(template, {text: shape.leaves[i] for text, i in placeholders}) == expanded
            ):
                ids = frozenset(index for index in placed if kinds[index] == _ID)
                plan = Plan(template, placeholders, ids)
        with self._lock:
            self._plans[key] = plan


def _kind(spots: list[int] | None) -> int:
    """The kind of a leaf whose placeholder landed at ``spots`` (once, or it is verbatim)."""
    return spots[0] if spots is not None and len(spots) == 1 else _VERBATIM


class DatasetPlan:
    """The RDF triples of a plan's template, grouped by subject, ready to be filled.

    pyld's RDF conversion (JSON-LD 1.1 API 8.2, ``_graph_to_rdf``) writes the
    triples of each node in turn, nodes sorted by their id, properties sorted,
    values in document order; blank nodes are labelled while the node map is
    built, in document order. A template without ``@list`` (whose blank nodes
    are labelled in subject order) gives, filled with a document's values,
    pyld's very triples for that document, in its very order, provided that
    filling merges no nodes and makes no two triples equal (pyld's node map
    would merge or drop them): :meth:`fill` checks both and declines
    otherwise. A plan's dataset plan is kept only once a fill has been found
    equal to pyld's own conversion of the same document.
    """

    __slots__ = ("constants", "groups")

    def __init__(self, triples: list[dict[str, Any]]) -> None:
        groups: list[tuple[str, list[tuple[str, str, dict[str, Any]]]]] = []
        constants: set[str] = set()
        for triple in triples:
            subject, predicate, obj = triple["subject"], triple["predicate"], triple["object"]
            if not groups or groups[-1][0] != subject["value"]:
                groups.append((subject["value"], []))
            groups[-1][1].append((subject["type"], predicate["value"], dict(obj)))
            for term in (subject, obj):
                if term["type"] == "IRI" and not term["value"].startswith(_PREFIX):
                    constants.add(term["value"])
        self.groups = groups
        self.constants = frozenset(constants)

    def fill(self, values: dict[str, Any], id_values: list[Any]) -> list[dict[str, Any]] | None:
        """Return the triples filled with ``values``, or None when pyld's would differ."""
        if len(set(id_values)) != len(id_values) or any(
            value.startswith("_:") or value in self.constants or _PYLD_ABSOLUTE.match(value) is None
            for value in id_values
        ):
            return None  # a blank node, nodes pyld would merge, an IRI its RDF would drop
        ordered = sorted(
            ((values.get(subject, subject), triples) for subject, triples in self.groups),
            key=lambda group: group[0],
        )
        filled: list[dict[str, Any]] = []
        seen: set[tuple[Any, ...]] = set()
        for subject, triples in ordered:
            for subject_type, predicate, template in triples:
                obj = dict(template)
                value = obj["value"]
                if type(value) is str and value in values:
                    obj["value"] = values[value]
                key = (subject, predicate, obj["type"], obj["value"], obj.get("datatype"))
                if key in seen:
                    return None  # two equal triples: pyld's node map keeps one
                seen.add((*key, obj.get("language")))
                seen.add(key)
                filled.append(
                    {
                        "subject": {"type": subject_type, "value": subject},
                        "predicate": {"type": "IRI", "value": predicate},
                        "object": obj,
                    }
                )
        return filled


def has_list(template: Any) -> bool:
    """Whether an expanded form holds an ``@list`` (whose blank nodes pyld labels later)."""
    return any(key == "@list" for key, _ in _entries(template))


def copy_of(template: Any) -> Any:
    """Return a copy of an expanded form (its placeholders left as they are)."""
    return _fill(template, {})
