"""Blank-node label replacement and label maps for selective disclosure.

Spec: https://www.w3.org/TR/vc-di-ecdsa/#selective-disclosure-functions
(VC-DI-ECDSA 3.4.1-3.4.4, 3.5.5, 3.5.6). Canonical blank-node labels
(``c14nN``) are replaced by labels a factory chooses: HMAC-derived ones
(``u`` + base64url) for the issuer and holder, or those a derived proof's
label map names for the verifier. :mod:`proofs.sd_primitives` re-exports
the public names.
"""

from __future__ import annotations

import base64
import hmac
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from passeport.contexts import DocumentLoader, canonicalize, canonicalize_nquads
from passeport.errors import InputError

__all__ = [
    "LabelMapFactory",
    "LabelledNQuads",
    "compress_label_map",
    "decode_base64url",
    "decompress_label_map",
    "encode_base64url",
    "hmac_label_map_function",
    "label_map_function",
    "label_replacement_canonicalize_json_ld",
    "label_replacement_canonicalize_nquads",
    "relabel_blank_nodes",
    "rewrite_lines",
    "rewrite_terms",
]

LabelMapFactory = Callable[[Mapping[str, str]], dict[str, str]]
"""Given a canonical id map (input label -> ``c14nN``), return input label -> new label."""

# One N-Quads term: an IRI, a literal (with its datatype or language), or a blank node.
_TERM = re.compile(r'<[^>]*>|"(?:[^"\\]|\\.)*"(?:\^\^<[^>]*>|@[A-Za-z0-9-]+)?|_:\S+')
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_C14N = re.compile(r"c14n(0|[1-9][0-9]*)")


def encode_base64url(data: bytes) -> str:
    """Encode ``data`` as base64url without padding (no multibase prefix)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode_base64url(text: str, *, what: str = "value") -> bytes:
    """Decode base64url without padding (no multibase prefix).

    Raises:
        InputError: a character outside the base64url alphabet, or a bad length.
    """
    if not isinstance(text, str) or not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise InputError(f"{what} is not base64url (no padding)")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def rewrite_terms(line: str, replace: Callable[[str], str]) -> str:
    """Apply ``replace`` to each term (IRI, literal, blank node) of one N-Quads line."""
    return _TERM.sub(lambda match: replace(match.group(0)), line)


def rewrite_lines(lines: Iterable[str], marker: str, replace: Callable[[str], str]) -> list[str]:
    """Apply :func:`rewrite_terms` to each line; ``replace`` changes only terms with ``marker``.

    A line without ``marker`` is kept as it is (none of its terms can change),
    and a line whose only ``marker`` opens it has only its first term
    rewritten (the term :data:`_TERM` reads there): both as
    :func:`rewrite_terms` would, without reading every term.
    """
    result: list[str] = []
    for line in lines:
        found = line.count(marker)
        if found == 0:
            result.append(line)
        elif found == 1 and line.startswith(marker):
            first = _TERM.match(line)
            if first is None:
                result.append(rewrite_terms(line, replace))
            else:
                result.append(replace(first.group(0)) + line[first.end() :])
        else:
            result.append(rewrite_terms(line, replace))
    return result


# --- Label maps (VC-DI-ECDSA 3.4.1-3.4.4, 3.5.5-3.5.6) ----------------------------------


def relabel_blank_nodes(lines: Iterable[str], label_map: Mapping[str, str]) -> list[str]:
    """Rename blank nodes by ``label_map`` (labels without ``_:``); unknown ones are kept."""

    def term(token: str) -> str:
        if token.startswith("_:"):
            return "_:" + label_map.get(token[2:], token[2:])
        return token

    return rewrite_lines(lines, "_:", term)


def label_map_function(label_map: Mapping[str, str]) -> LabelMapFactory:
    """Return a factory that names each canonical label by ``label_map`` (VC-DI-ECDSA 3.4.3).

    A canonical label missing from ``label_map`` raises :class:`KeyError`.
    """

    def factory(canonical_ids: Mapping[str, str]) -> dict[str, str]:
        return {key: label_map[value] for key, value in canonical_ids.items()}

    return factory


def hmac_label_map_function(hmac_key: bytes, *, hash_name: str) -> LabelMapFactory:
    """Return a factory naming each canonical label ``u`` + base64url(HMAC(label)) (3.4.4)."""

    def factory(canonical_ids: Mapping[str, str]) -> dict[str, str]:
        return {
            key: "u" + encode_base64url(hmac.new(hmac_key, value.encode(), hash_name).digest())
            for key, value in canonical_ids.items()
        }

    return factory


@dataclass(frozen=True, slots=True)
class LabelledNQuads:
    """Canonical N-Quads with replaced blank-node labels, and the input -> new label map."""

    nquads: list[str]
    label_map: dict[str, str]


def label_replacement_canonicalize_nquads(
    lines: Sequence[str], factory: LabelMapFactory, *, hash_name: str
) -> LabelledNQuads:
    """Canonicalize N-Quads, rename their blank nodes by ``factory`` and sort (3.4.1).

    Raises:
        KeyError: ``factory`` has no label for a canonical blank node.
    """
    canonical = canonicalize_nquads("".join(lines), hash_name=hash_name)
    label_map = factory(canonical.labels)
    by_canonical = {canonical.labels[key]: label for key, label in label_map.items()}
    return LabelledNQuads(sorted(relabel_blank_nodes(canonical.lines(), by_canonical)), label_map)


def label_replacement_canonicalize_json_ld(
    document: Mapping[str, Any], factory: LabelMapFactory, loader: DocumentLoader, *, hash_name: str
) -> LabelledNQuads:
    """Canonicalize a JSON-LD document and rename its blank nodes by ``factory`` (3.4.2).

    Raises:
        ContextError: the document does not convert to RDF safely.
        KeyError: ``factory`` has no label for a canonical blank node.
    """
    canonical = canonicalize(document, loader, hash_name=hash_name)
    label_map = factory(canonical.labels)
    by_canonical = {canonical.labels[key]: label for key, label in label_map.items()}
    return LabelledNQuads(sorted(relabel_blank_nodes(canonical.lines(), by_canonical)), label_map)


def compress_label_map(label_map: Mapping[str, str]) -> dict[int, bytes]:
    """Turn ``{"c14nN": "u<base64url>"}`` into ``{N: bytes}``, by N (VC-DI-ECDSA 3.5.5).

    Raises:
        InputError: a key is not ``c14nN`` or a value not ``u`` + base64url.
    """
    compressed: dict[int, bytes] = {}
    for key, value in label_map.items():
        match = _C14N.fullmatch(key)
        if match is None or not value.startswith("u"):
            raise InputError(f'label map entry "{key}" -> "{value}" is not c14nN -> u...')
        compressed[int(match.group(1))] = decode_base64url(value[1:], what="a label")
    return dict(sorted(compressed.items()))


def decompress_label_map(compressed: Mapping[int, bytes]) -> dict[str, str]:
    """Turn ``{N: bytes}`` back into ``{"c14nN": "u<base64url>"}`` (VC-DI-ECDSA 3.5.6)."""
    return {f"c14n{key}": "u" + encode_base64url(value) for key, value in compressed.items()}
