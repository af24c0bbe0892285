"""Selective-disclosure primitives: JSON pointer selection, skolemization, grouping.

Spec: https://www.w3.org/TR/vc-di-ecdsa/#selective-disclosure-functions
(VC-DI-ECDSA 3.4.1-3.4.20). These are pure functions over JSON and N-Quads;
the ``ecdsa-sd-2023`` suite (:mod:`proofs.ecdsa_sd`) composes them. Blank-node
label replacement and label maps live in :mod:`proofs._sd_labels` and are
re-exported here.

N-Quads are handled as lists of lines, each ending in ``"\\n"``. Blank-node
labels are rewritten term by term (a literal that happens to contain
``_:c14n0`` is left alone). ``hash_name`` is ``"sha256"`` for P-256 issuer
keys and ``"sha384"`` for P-384 ones: it drives RDFC-1.0, the HMAC and the
mandatory hash alike (VC-DI-ECDSA 3.1, "canonicalization hash").
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from passeport._json import JsonObject
from passeport.contexts import DocumentLoader, canonicalize
from passeport.contexts.expand import compact, expand
from passeport.errors import InputError
from passeport.proofs._copy import copy_json
from passeport.proofs._sd_labels import (
    LabelledNQuads,
    LabelMapFactory,
    compress_label_map,
    decode_base64url,
    decompress_label_map,
    encode_base64url,
    hmac_label_map_function,
    label_map_function,
    label_replacement_canonicalize_json_ld,
    label_replacement_canonicalize_nquads,
    relabel_blank_nodes,
    rewrite_lines,
)

__all__ = [
    "SKOLEM_PREFIX",
    "Group",
    "Grouping",
    "LabelMapFactory",
    "LabelledNQuads",
    "align_pointer",
    "canonicalize_and_group",
    "compress_label_map",
    "decode_base64url",
    "decompress_label_map",
    "deskolemize_nquads",
    "encode_base64url",
    "hash_mandatory",
    "hmac_label_map_function",
    "label_map_function",
    "label_replacement_canonicalize_json_ld",
    "label_replacement_canonicalize_nquads",
    "parse_pointer",
    "relabel_blank_nodes",
    "select_json_ld",
    "skolemize_compact",
    "skolemize_expanded",
    "skolemize_nquads",
    "to_deskolemized_nquads",
]

SKOLEM_PREFIX = "urn:bnid:"

# --- JSON pointers and selection (VC-DI-ECDSA 3.4.11-3.4.14) ---------------------------


def parse_pointer(pointer: str) -> list[str | int]:
    """Split an RFC 6901 JSON pointer into paths; all-digit segments become integers.

    Raises:
        InputError: not a string, no leading ``/``, or a bad ``~`` escape (names the pointer).
    """
    if not isinstance(pointer, str):
        raise InputError(f"a JSON pointer must be a string, not {type(pointer).__name__}")
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise InputError('not a JSON pointer: it must start with "/"', pointer=pointer)
    # VC-DI-ECDSA 3.4.11 step 2-3: split, skip the first (empty) element, unescape.
    paths: list[str | int] = []
    for segment in pointer.split("/")[1:]:
        if "~" in segment:
            if re.search(r"~(?![01])", segment):
                raise InputError('invalid "~" escape (~0 is "~", ~1 is "/")', pointer=pointer)
            paths.append(segment.replace("~1", "/").replace("~0", "~"))
        elif segment.isdigit() and segment.isascii():
            paths.append(int(segment))
        else:
            paths.append(segment)
    return paths


class _Sparse(dict[int, Any]):
    """An array under construction: selected elements by index, made dense at the end."""


def _initial_selection(source: Any) -> JsonObject:
    # VC-DI-ECDSA 3.4.12: keep a non-blank node id and the types along every path.
    selection: JsonObject = {}
    if isinstance(source, Mapping):
        node_id = source.get("id")
        if isinstance(node_id, str) and not node_id.startswith("_:"):
            selection["id"] = node_id
        if "type" in source:
            selection["type"] = copy_json(source["type"])
    return selection


def _child(container: Any, path: str | int, pointer: str) -> Any:
    if isinstance(container, Mapping):
        key = str(path)
        if key in container:
            return container[key]
    elif isinstance(container, list) and isinstance(path, int) and path < len(container):
        return container[path]
    raise InputError("the pointer matches nothing in the credential", pointer=pointer)


def _get_selected(parent: Any, path: str | int) -> Any:
    if isinstance(parent, _Sparse):
        return parent.get(path) if isinstance(path, int) else None
    if isinstance(parent, list):
        return parent[path] if isinstance(path, int) and path < len(parent) else None
    return parent.get(str(path))


def _set_selected(parent: Any, path: str | int, value: Any) -> None:
    if isinstance(parent, _Sparse | list) and isinstance(path, int):
        parent[path] = value
    else:
        parent[str(path)] = value


def _select_paths(
    document: Mapping[str, Any], paths: list[str | int], pointer: str, selection: JsonObject
) -> None:
    # VC-DI-ECDSA 3.4.13: walk from the root to the target, building the selection.
    value: Any = document
    selected_parent: Any = selection
    selected_value: Any = selection
    for path in paths:
        selected_parent = selected_value
        value = _child(value, path, pointer)
        selected_value = _get_selected(selected_parent, path)
        if selected_value is None:
            selected_value = _Sparse() if isinstance(value, list) else _initial_selection(value)
            _set_selected(selected_parent, path, selected_value)
    if isinstance(value, list):
        selected_value = copy_json(value)
    elif isinstance(value, Mapping):
        base = selected_value if isinstance(selected_value, dict) else {}
        selected_value = {**base, **copy_json(dict(value))}
    else:
        selected_value = value
    _set_selected(selected_parent, paths[-1], selected_value)


def _dense(value: Any) -> Any:
    if isinstance(value, _Sparse):
        return [_dense(value[index]) for index in sorted(value)]
    if isinstance(value, list):
        return [_dense(item) for item in value]
    if isinstance(value, dict):
        return {key: _dense(item) for key, item in value.items()}
    return value


def select_json_ld(document: Mapping[str, Any], pointers: Sequence[str]) -> JsonObject | None:
    """Return the part of a compact JSON-LD ``document`` that ``pointers`` select.

    Ids (but not blank-node ids) and types along each path are kept, so the
    selection means the same thing in RDF. ``None`` when ``pointers`` is empty.

    Raises:
        InputError: a pointer is malformed or does not match the document (names it).
    """
    # VC-DI-ECDSA 3.4.14 step 1-6.
    if not pointers:
        return None
    selection: JsonObject = {"@context": copy_json(document.get("@context"))}
    selection.update(_initial_selection(document))
    for pointer in pointers:
        paths = parse_pointer(pointer)
        if not paths:
            whole: JsonObject = copy_json(dict(document))
            return whole
        _select_paths(document, paths, pointer, selection)
    dense: JsonObject = _dense(selection)
    return dense


_MISSING: Any = object()


def _lookup(container: Any, path: str | int) -> Any:
    if isinstance(container, Mapping):
        return container.get(str(path), _MISSING)
    if isinstance(container, list) and isinstance(path, int) and path < len(container):
        return container[path]
    return _MISSING


def align_pointer(pointer: str, original: Mapping[str, Any], compacted: Mapping[str, Any]) -> str:
    """Translate a pointer into ``original`` to the same value in its compacted form.

    JSON-LD compaction turns a one-element array into its element (``"type":
    ["Profile"]`` becomes ``"type": "Profile"``) and a single value under a
    ``@set`` container into an array. The spec applies pointers to the
    compacted, skolemized document; translating them first lets a holder
    write pointers against the credential as they see it. A pointer that
    does not resolve is returned unchanged, so errors name it as written.
    """
    try:
        paths = parse_pointer(pointer)
    except InputError:
        return pointer
    aligned: list[str | int] = []
    here, there = original, compacted
    for path in paths:
        if isinstance(here, list) and not isinstance(there, list) and len(here) == 1:
            if path != 0:
                return pointer
            here = here[0]
            continue
        if isinstance(there, list) and not isinstance(here, list) and len(there) == 1:
            there = there[0]
            aligned.append(0)
        here, there = _lookup(here, path), _lookup(there, path)
        if here is _MISSING or there is _MISSING:
            return pointer
        aligned.append(path)
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in aligned)
    return "".join("/" + segment for segment in escaped)


# --- Skolemization (VC-DI-ECDSA 3.4.5-3.4.10) ------------------------------------------


def skolemize_nquads(lines: Iterable[str]) -> list[str]:
    """Replace every blank node ``_:x`` by the IRI ``<urn:bnid:x>``."""

    def term(token: str) -> str:
        return f"<{SKOLEM_PREFIX}{token[2:]}>" if token.startswith("_:") else token

    return rewrite_lines(lines, "_:", term)


def deskolemize_nquads(lines: Iterable[str]) -> list[str]:
    """Replace every IRI ``<urn:bnid:x>`` by the blank node ``_:x``."""
    start = "<" + SKOLEM_PREFIX

    def term(token: str) -> str:
        return "_:" + token[len(start) : -1] if token.startswith(start) else token

    return rewrite_lines(lines, start, term)


def skolemize_expanded(expanded: Sequence[Any], *, random: str) -> list[Any]:
    """Give every node object of an expanded document an ``urn:bnid:`` id (VC-DI-ECDSA 3.4.7).

    A node without ``@id`` gets ``urn:bnid:_{random}_{n}``; a blank-node id
    ``_:x`` becomes ``urn:bnid:x``, so references between nodes are kept.
    """
    counter = iter(range(1 << 62))

    def walk(elements: Sequence[Any]) -> list[Any]:
        result: list[Any] = []
        for element in elements:
            # Step 2.1: literals and value objects are copied as they are.
            if not isinstance(element, Mapping) or "@value" in element:
                result.append(copy_json(element))
                continue
            # Step 2.2: recurse into every property.
            node: dict[str, Any] = {}
            for key, value in element.items():
                node[key] = walk(value) if isinstance(value, list) else walk([value])[0]
            # Step 2.3-2.4: name the node.
            node_id = node.get("@id")
            if node_id is None:
                node["@id"] = f"{SKOLEM_PREFIX}_{random}_{next(counter)}"
            elif isinstance(node_id, str) and node_id.startswith("_:"):
                node["@id"] = SKOLEM_PREFIX + node_id[2:]
            result.append(node)
        return result

    return walk(expanded)


def skolemize_compact(
    document: Mapping[str, Any], loader: DocumentLoader, *, random: str | None = None
) -> tuple[list[Any], JsonObject]:
    """Return the expanded and compact forms of ``document`` with every blank node named.

    Raises:
        ContextError: the document does not expand or compact safely.
    """
    # VC-DI-ECDSA 3.4.8 step 1-4.
    expanded = expand(document, loader).expanded
    skolemized = skolemize_expanded(expanded, random=random or uuid.uuid4().hex)
    return skolemized, compact(skolemized, document.get("@context"), loader, round_trip=True)


def to_deskolemized_nquads(document: Mapping[str, Any], loader: DocumentLoader) -> list[str]:
    """Convert a skolemized compact document to N-Quads lines with its blank nodes back.

    A skolemized document has no blank nodes, so its RDFC-1.0 form is just
    its N-Quads, sorted (VC-DI-ECDSA 3.4.9).

    Raises:
        ContextError: the document does not convert to RDF safely.
    """
    return deskolemize_nquads(canonicalize(document, loader).lines())


def hash_mandatory(mandatory: Iterable[str], *, hash_name: str) -> bytes:
    """Hash the concatenated mandatory N-Quads, UTF-8 encoded (VC-DI-ECDSA 3.4.20)."""
    return hashlib.new(hash_name, "".join(mandatory).encode("utf-8")).digest()


# --- Grouping (VC-DI-ECDSA 3.4.16-3.4.19) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Group:
    """Canonical N-Quads a group of pointers selects (by absolute index), and the rest."""

    matching: dict[int, str]
    non_matching: dict[int, str]
    deskolemized: list[str]  # the selection's own N-Quads, with input blank-node labels


@dataclass(frozen=True, slots=True)
class Grouping:
    """The result of :func:`canonicalize_and_group`."""

    groups: dict[str, Group]
    nquads: list[str]
    label_map: dict[str, str]
    skolemized: JsonObject


def canonicalize_and_group(
    document: Mapping[str, Any],
    factory: LabelMapFactory,
    groups: Mapping[str, Sequence[str]],
    loader: DocumentLoader,
    *,
    hash_name: str,
    random: str | None = None,
) -> Grouping:
    """Canonicalize ``document`` with relabelled blank nodes and group its N-Quads by pointers.

    Raises:
        InputError: a pointer is malformed or matches nothing (names it).
        ContextError: the document does not expand, compact or convert safely.
    """
    # VC-DI-ECDSA 3.4.19 step 1-3: skolemize, convert, canonicalize with new labels.
    _, skolemized = skolemize_compact(document, loader, random=random)
    deskolemized = to_deskolemized_nquads(skolemized, loader)
    labelled = label_replacement_canonicalize_nquads(deskolemized, factory, hash_name=hash_name)
    # Step 4-5: select each group in the skolemized document and match its N-Quads.
    result: dict[str, Group] = {}
    for name, pointers in groups.items():
        aligned = [align_pointer(pointer, document, skolemized) for pointer in pointers]
        selection = select_json_ld(skolemized, aligned)
        selected = [] if selection is None else to_deskolemized_nquads(selection, loader)
        chosen = set(relabel_blank_nodes(selected, labelled.label_map))
        matching: dict[int, str] = {}
        non_matching: dict[int, str] = {}
        for index, line in enumerate(labelled.nquads):
            (matching if line in chosen else non_matching)[index] = line
        result[name] = Group(matching, non_matching, selected)
    return Grouping(result, labelled.nquads, labelled.label_map, skolemized)
