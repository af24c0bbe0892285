"""SD-JWT disclosures: made by the issuer, located by the holder, processed by the verifier.

Spec: RFC 9901, https://www.rfc-editor.org/rfc/rfc9901 , 4.2.1-4.2.2 (object
property and array element disclosures), 4.2.3 (hashing: over the ASCII of the
base64url disclosure), 4.2.4 (``_sd`` arrays and ``{"...": digest}``
elements), 4.2.5 (decoys), 4.2.6 (recursive disclosures) and 7.1 step 3-5
(processing: each digest at most once, each disclosure referenced, reserved
names refused).

Paths are JSON pointers (RFC 6901) into the claims as the holder sees them
with every disclosure applied; array indices count the elements that are
there, so ``/skills/1`` is the second skill.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from passeport._io import parse_json
from passeport._json import JsonObject, JsonValue
from passeport.errors import InputError
from passeport.proofs._jws import b64url_decode, b64url_encode

__all__ = [
    "DC_SD_JWT",
    "DEFAULT_HASH",
    "HASH_ALGORITHMS",
    "KB_JWT",
    "VC_SD_JWT",
    "Disclosure",
    "Processed",
    "conceal",
    "decode_all",
    "decode_disclosure",
    "digest_of",
    "escape",
    "hash_name_of",
    "is_prefix",
    "parse_pointer",
    "process",
    "resolve_pointer",
    "split_sd_jwt",
]

# RFC 9901 4.1.1: names from the IANA "Named Information Hash Algorithm" registry.
HASH_ALGORITHMS: Final[Mapping[str, Callable[[bytes], Any]]] = {
    "sha-256": hashlib.sha256,
    "sha-384": hashlib.sha384,
    "sha-512": hashlib.sha512,
}
DEFAULT_HASH: Final = "sha-256"
DC_SD_JWT: Final = "dc+sd-jwt"
VC_SD_JWT: Final = "vc+sd-jwt"  # VC-JOSE-COSE's name for a VC 2.0 credential secured as SD-JWT
KB_JWT: Final = "kb+jwt"
MAX_DEPTH: Final = 64
RESERVED: Final = ("_sd", "...")


def digest_of(text: str, hash_name: str) -> str:
    """Return the base64url digest of ``text``'s ASCII bytes (RFC 9901 4.2.3, 4.3.1)."""
    return b64url_encode(HASH_ALGORITHMS[hash_name](text.encode("ascii")).digest())


def escape(token: str) -> str:
    """Escape one JSON pointer reference token (RFC 6901 4)."""
    return token.replace("~", "~0").replace("/", "~1")


def parse_pointer(pointer: str, *, where: str | None = None) -> tuple[str, ...]:
    """Split a JSON pointer into its unescaped reference tokens; ``""`` is the root.

    Raises:
        InputError: not a JSON pointer.
    """
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise InputError(f"{str(pointer)[:80]!r} is not a JSON pointer", where=where)
    if not pointer:
        return ()
    tokens = pointer[1:].split("/")
    for token in tokens:
        if "~" in token.replace("~0", "").replace("~1", ""):
            raise InputError(f"{pointer[:80]!r} has a bad ~ escape", where=where)
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in tokens)


def is_prefix(head: Sequence[str], path: Sequence[str]) -> bool:
    """Tell whether ``head`` is ``path`` or one of its ancestors."""
    return len(head) <= len(path) and tuple(path[: len(head)]) == tuple(head)


def _index(token: str, size: int) -> int | None:
    if not token.isdigit() or (token != "0" and token.startswith("0")):
        return None
    index = int(token)
    return index if index < size else None


def resolve_pointer(document: JsonValue, path: Sequence[str]) -> bool:
    """Tell whether ``path`` names a member or element that exists in ``document``."""
    current: Any = document
    for token in path:
        if isinstance(current, dict) and token in current:
            current = current[token]
        elif isinstance(current, list) and (index := _index(token, len(current))) is not None:
            current = current[index]
        else:
            return False
    return True


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One decoded disclosure: ``[salt, name, value]``, or ``[salt, value]`` for an element."""

    text: str
    salt: str
    name: str | None
    value: JsonValue


def decode_disclosure(text: str) -> Disclosure:
    """Decode a base64url disclosure and check its shape (RFC 9901 4.2.1-4.2.2).

    Raises:
        InputError: not base64url JSON, not an array of 2 or 3 elements, or a
            salt or claim name that is not a string.
    """
    data = b64url_decode(text, what="disclosure")
    try:
        contents = parse_json(data, where=None)
    except InputError as exc:
        raise InputError(f"disclosure is not UTF-8 JSON: {exc.message}") from None
    if not isinstance(contents, list) or len(contents) not in (2, 3):
        raise InputError("disclosure is not a JSON array of 2 or 3 elements")
    if not isinstance(contents[0], str):
        raise InputError("disclosure salt is not a string")
    if len(contents) == 2:
        return Disclosure(text, contents[0], None, contents[1])
    if not isinstance(contents[1], str):
        raise InputError("disclosure claim name is not a string")
    return Disclosure(text, contents[0], contents[1], contents[2])


def conceal(
    claims: Mapping[str, Any],
    paths: Collection[tuple[str, ...]],
    *,
    salt: Callable[[], str],
    hash_name: str,
    decoys: int = 0,
) -> tuple[JsonObject, list[str]]:
    """Replace the claims at ``paths`` with digests; return the payload and the disclosures.

    Deeper claims are concealed first, so a disclosable object may contain
    disclosable members (RFC 9901 4.2.6). ``_sd`` arrays are sorted, and each
    gets ``decoys`` decoy digests (4.2.5). Disclosures are JSON as Python
    writes it by default, the form of the RFC's examples.
    """
    made: list[str] = []

    def disclose(contents: list[Any]) -> str:
        # RFC 9901 4.2.1: base64url of the UTF-8 JSON array is the disclosure.
        text = b64url_encode(json.dumps(contents).encode("utf-8"))
        made.append(text)
        return digest_of(text, hash_name)

    def walk(value: Any, path: tuple[str, ...]) -> Any:
        if isinstance(value, Mapping):
            kept: JsonObject = {}
            digests: list[str] = []
            for name, item in value.items():
                child = (*path, name)
                concealed = walk(item, child)
                if child in paths:
                    # RFC 9901 4.2.4.1: the digest goes into the object's _sd array.
                    digests.append(disclose([salt(), name, concealed]))
                else:
                    kept[name] = concealed
            if digests:
                digests.extend(digest_of(salt(), hash_name) for _ in range(decoys))
                kept["_sd"] = list[JsonValue](
                    sorted(digests)
                )  # the order must not reveal the claims' order
            return kept
        if isinstance(value, list):
            items: list[Any] = []
            for index, item in enumerate(value):
                child = (*path, str(index))
                concealed = walk(item, child)
                # RFC 9901 4.2.4.2: an element becomes {"...": digest}, in place.
                items.append(
                    {"...": disclose([salt(), concealed])} if child in paths else concealed
                )
            return items
        return value

    return walk(claims, ()), made


@dataclass(slots=True)
class Processed:
    """The outcome of RFC 9901 7.1 step 3-5 on an issuer-signed payload."""

    payload: JsonObject
    placed: dict[str, str] = field(default_factory=dict)  # digest -> pointer where applied
    referenced: set[str] = field(default_factory=set)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (code, message)
    top_level: set[str] = field(default_factory=set)  # claim names disclosed at the root


@dataclass(slots=True)
class _Processor:
    by_digest: Mapping[str, Disclosure]
    result: Processed
    seen: set[str] = field(default_factory=set)

    def problem(self, code: str, message: str) -> None:
        self.result.problems.append((code, message))

    def take(self, digest: str) -> Disclosure | None:
        # RFC 9901 7.1 step 4: a digest value may appear only once in the whole payload.
        if digest in self.seen:
            self.problem("disclosure.duplicate", f"digest {digest[:16]}… appears more than once")
            return None
        self.seen.add(digest)
        found = self.by_digest.get(digest)
        if found is not None:
            self.result.referenced.add(digest)
        return found  # None: a decoy, or a claim the holder did not disclose

    def value(self, value: Any, pointer: str, depth: int) -> Any:
        if depth > MAX_DEPTH:
            self.problem("disclosure.malformed", f"{pointer}: nested more than {MAX_DEPTH} levels")
            return None
        if isinstance(value, dict):
            return self.object(value, pointer, depth)
        if isinstance(value, list):
            return self.array(value, pointer, depth)
        return value

    def object(self, value: Mapping[str, Any], pointer: str, depth: int) -> JsonObject:
        kept: JsonObject = {}
        for name, item in value.items():
            if name == "_sd" or (name == "_sd_alg" and depth == 0):
                continue
            if name in ("_sd_alg", "..."):
                self.problem("disclosure.reserved", f'"{name}" is misused at {pointer or "/"}')
                continue
            kept[name] = self.value(item, f"{pointer}/{escape(name)}", depth + 1)
        digests = value.get("_sd")
        if digests is None:
            return kept
        if not isinstance(digests, list) or not all(isinstance(d, str) for d in digests):
            self.problem("disclosure.reserved", f"{pointer}/_sd is not an array of digests")
            return kept
        for digest in digests:
            disclosure = self.take(digest)
            if disclosure is None:
                continue
            # RFC 9901 7.1 step 3.3.2: a 3-element disclosure, not a reserved or existing name.
            claim = disclosure.name
            if claim is None:
                self.problem(
                    "disclosure.malformed",
                    f"{pointer}/_sd names an array-element disclosure (2 elements)",
                )
            elif claim in RESERVED:
                self.problem("disclosure.reserved", f'a disclosure names the claim "{claim}"')
            elif claim in kept or claim in value:
                message = f"{pointer}/{escape(claim)} is both disclosed and present in clear"
                self.problem("disclosure.conflict", message)
            else:
                child = f"{pointer}/{escape(claim)}"
                self.result.placed[digest] = child
                if depth == 0:
                    self.result.top_level.add(claim)
                kept[claim] = self.value(disclosure.value, child, depth + 1)
        return kept

    def array(self, value: Sequence[Any], pointer: str, depth: int) -> list[Any]:
        items: list[Any] = []
        for item in value:
            if isinstance(item, dict) and "..." in item:
                digest = item["..."]
                if len(item) != 1 or not isinstance(digest, str):
                    self.problem(
                        "disclosure.reserved", f'{pointer}: a "..." element has other members'
                    )
                    continue
                disclosure = self.take(digest)
                if disclosure is None:
                    continue  # RFC 9901 7.1 step 3.4: undisclosed elements are removed
                if disclosure.name is not None:
                    self.problem(
                        "disclosure.malformed",
                        f"{pointer}: an array element refers to a claim disclosure (3 elements)",
                    )
                    continue
                child = f"{pointer}/{len(items)}"
                self.result.placed[digest] = child
                items.append(self.value(disclosure.value, child, depth + 1))
            else:
                items.append(self.value(item, f"{pointer}/{len(items)}", depth + 1))
        return items


def process(payload: Mapping[str, Any], disclosures: Mapping[str, Disclosure]) -> Processed:
    """Apply ``disclosures`` (by digest) to an issuer-signed payload (RFC 9901 7.1 step 3).

    The problems found are returned, not raised; the caller decides. ``_sd``,
    ``_sd_alg`` and the digests of what was not disclosed are gone from the
    result.
    """
    result = Processed(payload={})
    processor = _Processor(disclosures, result)
    result.payload = processor.object(payload, "", 0)
    # RFC 9901 7.1 step 5: every disclosure must be referenced by a digest.
    for digest, disclosure in disclosures.items():
        if digest not in result.referenced:
            result.problems.append(
                (
                    "disclosure.unreferenced",
                    f"a disclosure (salt {disclosure.salt[:8]}…) is not referenced by the "
                    "issuer-signed JWT: it was changed or comes from another credential",
                )
            )
    return result


def split_sd_jwt(token: str) -> tuple[str, list[str], str]:
    """Split ``<jwt>~<d1>~...~<dn>~[<kb-jwt>]`` into (jwt, disclosures, kb-jwt or "") (RFC 9901 4).

    Raises:
        InputError: not a string, no ``~``, or an empty disclosure.
    """
    if not isinstance(token, str):
        raise InputError("an SD-JWT is a string")
    parts = token.strip().split("~")
    if len(parts) < 2:
        raise InputError("an SD-JWT has at least one ~ (after the issuer-signed JWT)")
    jwt, disclosures, kb = parts[0], parts[1:-1], parts[-1]
    if any(not d for d in disclosures):
        raise InputError("an SD-JWT has an empty disclosure (two ~ in a row)")
    return jwt, disclosures, kb


def hash_name_of(payload: Mapping[str, Any]) -> str:
    """Return the ``_sd_alg`` of a payload, sha-256 when absent (RFC 9901 4.1.1).

    Raises:
        InputError: a hash algorithm not supported here.
    """
    name = payload.get("_sd_alg", DEFAULT_HASH)
    if not isinstance(name, str) or name not in HASH_ALGORITHMS:
        raise InputError(f"_sd_alg {str(name)[:40]!r} is not supported")
    return str(name)


def decode_all(texts: Sequence[str], hash_name: str) -> dict[str, Disclosure]:
    """Decode disclosures and key them by digest; a repeated one is kept once.

    Raises:
        InputError: naming the first disclosure that cannot be decoded.
    """
    found: dict[str, Disclosure] = {}
    for index, text in enumerate(texts):
        try:
            disclosure = decode_disclosure(text)
        except InputError as exc:
            raise InputError(f"disclosure {index + 1}: {exc.message}") from None
        found[digest_of(text, hash_name)] = disclosure
    return found
