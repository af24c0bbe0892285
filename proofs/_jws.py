"""JWS compact serialization, shared by vc+jwt and SD-JWT: strict parsing, pinned algorithms.

Specs: https://www.rfc-editor.org/rfc/rfc7515 (JWS, 3.1 compact serialization,
5.2 validation), https://www.rfc-editor.org/rfc/rfc7518 (ES256, ES384),
https://www.rfc-editor.org/rfc/rfc8037 (EdDSA) and
https://www.rfc-editor.org/rfc/rfc8725 (JWT best practices: the algorithm is
pinned to the resolved key, never taken from the token alone).

Signing and checking are ours, over ``cryptography`` as for Data Integrity:
the signing input is signed by the key itself (a local key or an HSM alike):
EdDSA (Ed25519) and ES256 / ES384 with deterministic nonces (RFC 6979), the raw
signature JWS wants. jwcrypto, another implementation, checks what we sign and
agrees with what we refuse in the tests (``tests/proofs/test_jws_oracle.py``).
Before a signature is checked: base64url is strict (padding, the ``+``/``/``
alphabet and non-canonical trailing bits are refused, so no two token strings
carry the same signed bytes), header members are unique, and the signature has
the exact length of the key's algorithm. The header's ``alg`` only has to agree
with the key that the verifier resolved on its own; ``none``, the HMAC family
and any other value are refused before a key is even looked at.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from passeport._io import parse_json
from passeport._json import JsonObject
from passeport.did.keys import KeyAlgorithm, PrivateKey, PublicKey
from passeport.did.resolve import DidResolver, VerificationMethod
from passeport.errors import InputError, SigningError
from passeport.proofs.checks import ProofOutcome, resolve_method
from passeport.proofs.dates import format_datetime
from passeport.proofs.outcome import Outcome
from passeport.proofs.suite import Signer

__all__ = [
    "DEFAULT_ALGORITHMS",
    "JWS_ALGORITHMS",
    "CompactJws",
    "alg_for",
    "alg_problem",
    "b64url_decode",
    "b64url_encode",
    "encode_compact",
    "json_bytes",
    "jwt_time_outcomes",
    "numeric_date",
    "parse_compact",
    "parse_json_object",
    "read_jwt",
    "resolve_key",
    "signer_of",
    "token_read",
    "unsupported_header",
    "verification_method_of",
    "verify_signature",
]

# RFC 7518 3.4 / RFC 8037 3.1: the JWS "alg" values each key type may use.
# "Ed25519" is the fully specified name (RFC 9864) for what "EdDSA" means here.
JWS_ALGORITHMS: Final[Mapping[KeyAlgorithm, tuple[str, ...]]] = {
    KeyAlgorithm.ED25519: ("EdDSA", "Ed25519"),
    KeyAlgorithm.P256: ("ES256",),
    KeyAlgorithm.P384: ("ES384",),
}
DEFAULT_ALGORITHMS: Final = frozenset(alg for algs in JWS_ALGORITHMS.values() for alg in algs)
# RFC 8037 3.1 and RFC 7518 3.4: Ed25519 signatures are 64 bytes, ECDSA ones R || S.
_SIGNATURE_SIZES: Final[Mapping[KeyAlgorithm, int]] = {
    KeyAlgorithm.ED25519: 64,
    KeyAlgorithm.P256: 64,
    KeyAlgorithm.P384: 96,
}

_B64URL: Final = re.compile(r"[A-Za-z0-9_-]*")


def b64url_encode(data: bytes) -> str:
    """Encode ``data`` as base64url without padding (RFC 7515 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str, *, what: str) -> bytes:
    """Decode unpadded, canonical base64url.

    Raises:
        InputError: not a string of the base64url alphabet, or not canonical.
    """
    if not isinstance(text, str) or not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise InputError(f"{what} is not base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InputError(f"{what} is not base64url") from None
    if b64url_encode(data) != text:
        raise InputError(f"{what} is not canonical base64url (stray trailing bits)")
    return data


def parse_json_object(data: bytes, *, what: str) -> JsonObject:
    """Parse UTF-8 JSON that must be an object without duplicate member names.

    Raises:
        InputError: not UTF-8, not JSON, not an object, or a duplicate member.
    """
    try:
        value = parse_json(data, where=None)
    except InputError as exc:
        if exc.message.startswith(("malformed JSON", "not UTF-8")):
            raise InputError(f"{what} is not UTF-8 JSON") from None
        raise InputError(f"{what}: {exc.message}") from None  # too deep, a duplicate member
    if not isinstance(value, dict):
        raise InputError(f"{what} is not a JSON object")
    return value


def json_bytes(value: Any) -> bytes:
    """Serialize ``value`` as compact UTF-8 JSON (no NaN, no infinities).

    Raises:
        InputError: ``value`` is not JSON.
    """
    try:
        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InputError(f"not JSON: {exc}") from None
    return text.encode("utf-8")


@dataclass(frozen=True, slots=True)
class CompactJws:
    """The three parts of a JWS in compact serialization, decoded."""

    header: JsonObject
    payload: bytes
    signature: bytes
    signing_input: bytes

    def claims(self, *, what: str = "JWT payload") -> JsonObject:
        """Return the payload as a JSON object (a JWT Claims Set).

        Raises:
            InputError: the payload is not a JSON object.
        """
        return parse_json_object(self.payload, what=what)


def parse_compact(token: str, *, what: str = "JWT") -> CompactJws:
    """Split and decode a JWS compact serialization ``header.payload.signature``.

    Raises:
        InputError: not three base64url parts, or a header that is not a JSON object.
    """
    if not isinstance(token, str) or not token.isascii():
        raise InputError(f"{what} is not an ASCII string")
    parts = token.split(".")
    if len(parts) != 3:
        raise InputError(f"{what} has {len(parts)} dot-separated parts, not 3")
    header_text, payload_text, signature_text = parts
    header = parse_json_object(
        b64url_decode(header_text, what=f"{what} header"), what=f"{what} header"
    )
    payload = b64url_decode(payload_text, what=f"{what} payload")
    signature = b64url_decode(signature_text, what=f"{what} signature")
    signing_input = f"{header_text}.{payload_text}".encode("ascii")
    return CompactJws(header, payload, signature, signing_input)


# A token read once (to refuse or route it) handed to the next read of that same
# token in the same context, then dropped: one verification decodes it once.
_READ: Final[ContextVar[tuple[str, CompactJws, JsonObject] | None]] = ContextVar(
    "passeport_jws_read", default=None
)


@contextmanager
def token_read(token: str, jws: CompactJws, claims: JsonObject) -> Iterator[None]:
    """Hand ``token``, already decoded as ``jws`` and ``claims``, to :func:`read_jwt` once.

    Inside the block, the first :func:`read_jwt` of exactly ``token`` (in
    this thread or task) takes these instead of decoding it again; any other
    read decodes. ``claims`` must not be changed by whoever decoded it: it
    becomes the reader's own.
    """
    mark = _READ.set((token, jws, claims))
    try:
        yield
    finally:
        _READ.reset(mark)


def read_jwt(token: str, *, what: str = "JWT") -> tuple[CompactJws, JsonObject]:
    """Decode a JWS compact serialization and its payload as a JSON object (JWT claims).

    Raises:
        InputError: as :func:`parse_compact` and :meth:`CompactJws.claims`.
    """
    held = _READ.get()
    if held is not None and held[0] == token and what == "JWT":
        _READ.set(None)  # taken once: no two readers share the claims
        return held[1], held[2]
    jws = parse_compact(token, what=what)
    return jws, jws.claims()


def alg_for(key: PublicKey) -> str:
    """Return the JWS ``alg`` this toolkit writes for ``key``: EdDSA, ES256 or ES384."""
    return JWS_ALGORITHMS[key.algorithm][0]


def alg_problem(alg: Any, key: PublicKey | None, allowed: Collection[str]) -> str | None:
    """Return why the header's ``alg`` is refused (for ``key`` when known), or None.

    RFC 8725 3.1-3.2: ``none`` and MACs never verify a credential, and the
    algorithm must be the one of the key the verifier resolved.
    """
    if not isinstance(alg, str) or not alg:
        return "the JOSE header has no alg"
    if alg.lower() == "none":
        return 'alg "none" is refused: the token is not signed'
    if alg.upper().startswith("HS"):
        return f'alg "{alg[:20]}" is refused: a shared-secret MAC cannot show who signed'
    if alg not in allowed or alg not in DEFAULT_ALGORITHMS:
        return f'alg "{alg[:20]}" is not accepted here'
    if key is not None and alg not in JWS_ALGORITHMS[key.algorithm]:
        expected = " or ".join(JWS_ALGORITHMS[key.algorithm])
        return f'alg "{alg}" does not fit the {key.algorithm} key (it signs with {expected})'
    return None


def signer_of(key: Signer | PrivateKey) -> PrivateKey | Signer:
    """Return what signs for ``key``: its local private key when it has one, else ``key`` itself.

    A :class:`did.keyfile.KeyPair` or a :class:`proofs.suite.KeySigner` gives
    its ``private_key``; any other
    :class:`~proofs.suite.Signer` (a key in an HSM or a cloud KMS) signs the
    JWS signing input itself through ``sign()``.
    """
    if isinstance(key, PrivateKey):
        return key
    private = getattr(key, "private_key", None)
    return private if isinstance(private, PrivateKey) else key


def verification_method_of(key: Signer) -> str:
    """Return the verification method id (a DID URL) that ``key`` signs for."""
    vm_id = key.verification_method
    if not isinstance(vm_id, str) or "#" not in vm_id:
        raise ValueError("the signing key needs a verification method id with a #fragment")
    return vm_id


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def encode_compact(header: Mapping[str, Any], payload: bytes, key: PrivateKey | Signer) -> str:
    """Sign ``payload`` under ``header``; return the JWS compact serialization.

    RFC 7515 5.1 steps 1-8: encode the payload and the protected header, sign
    ``ASCII(header '.' payload)``, encode the signature, join with dots. The
    key signs the signing input itself, a local :class:`PrivateKey` as a
    :class:`~proofs.suite.Signer` in an HSM: Ed25519 raw, ECDSA raw ``r||s``
    with SHA-256 (P-256) or SHA-384 (P-384), which is what JWS wants (RFC
    7518 3.4, RFC 8037). The header is our own compact JSON, member order
    kept, and its ``alg`` must be one that the key signs with. jwcrypto
    checks what we sign in the tests (``tests/proofs/test_jws_oracle.py``).

    Raises:
        ValueError: the header's ``alg`` does not fit the key.
        SigningError: a ``crit`` header (we support no extension), or the
            signer returned a signature of the wrong length.
    """
    public = key.public_key
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in JWS_ALGORITHMS[public.algorithm]:
        raise ValueError(f"alg {str(alg)[:20]!r} does not fit the {public.algorithm} key")
    if "crit" in header or "b64" in header:
        raise SigningError("JWS signing failed: crit and b64 header parameters are not supported")
    signing_input = f"{b64url_encode(json_bytes(dict(header)))}.{b64url_encode(payload)}"
    signature = key.sign(signing_input.encode("ascii"))
    if len(signature) != _SIGNATURE_SIZES[public.algorithm]:
        raise SigningError(f"the signer returned {len(signature)} bytes, not a raw {alg} signature")
    return f"{signing_input}.{b64url_encode(signature)}"


def unsupported_header(header: Mapping[str, Any]) -> str | None:
    """Say why a JWS header asks for processing we do not do, or None.

    ``crit`` names extensions a verifier must understand (RFC 7515 4.1.11);
    ``b64`` (RFC 7797) changes what the signing input is. Two verifiers that
    read such a token differently would see two payloads: it is refused,
    whether or not ``b64`` is listed in ``crit``.
    """
    if "crit" in header:
        return "critical header parameters are not understood"
    if "b64" in header:
        return "the b64 header (RFC 7797 unencoded payload) is not supported"
    return None


def verify_signature(jws: CompactJws, key: PublicKey, *, alg: str) -> bool:
    """Return whether ``jws`` is signed by ``key`` with ``alg``.

    RFC 7515 5.2 step 8, with the algorithm pinned (RFC 8725 3.1): call
    :func:`alg_problem` first; ``alg`` must fit ``key``. The raw signature
    (Ed25519, or ECDSA ``r||s`` of the key's exact size) is checked over the
    signing input as received (strict base64url made it canonical) by
    ``cryptography``, as for Data Integrity proofs. Never raises for a bad
    token: it returns False.

    Raises:
        ValueError: ``alg`` does not fit ``key`` (a caller's mistake).
    """
    if alg not in JWS_ALGORITHMS[key.algorithm]:
        raise ValueError(f"alg {alg[:20]!r} does not fit the {key.algorithm} key")
    if len(jws.signature) != _SIGNATURE_SIZES[key.algorithm]:
        return False
    return key.verify(jws.signature, jws.signing_input)


def numeric_date(value: Any, *, name: str) -> datetime:
    """Read a JWT NumericDate (RFC 7519 2: seconds since the epoch, UTC).

    Raises:
        InputError: not a number, or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f'"{name}" is not a NumericDate (a number of seconds)')
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise InputError(f'"{name}" is out of range') from None


def _outcome(
    code: str, outcome: Outcome, message: str, suite: str, vm_id: str | None
) -> ProofOutcome:
    return ProofOutcome(code, outcome, message, None, suite, vm_id)


def jwt_time_outcomes(
    claims: Mapping[str, Any],
    *,
    names: Collection[str],
    now: datetime,
    skew: timedelta,
    suite: str,
    vm_id: str | None,
) -> list[ProofOutcome]:
    """Check the JWT ``exp``, ``nbf`` and ``iat`` claims among ``names`` (RFC 7519 4.1.4-6)."""
    outcomes: list[ProofOutcome] = []
    for name in ("exp", "nbf", "iat"):
        if name not in names or name not in claims:
            continue
        try:
            moment = numeric_date(claims[name], name=name)
        except InputError as exc:
            outcomes.append(_outcome("proof.malformed", Outcome.FAILED, exc.message, suite, vm_id))
            continue
        shown = format_datetime(moment)
        if name == "exp" and now - moment >= skew:
            message = f"the signature expired at {shown}"
            outcomes.append(_outcome("proof.expired", Outcome.FAILED, message, suite, vm_id))
        elif name == "nbf" and moment - now > skew:
            message = f"the token is not valid before {shown}"
            outcomes.append(_outcome("proof.not_yet_valid", Outcome.FAILED, message, suite, vm_id))
        elif name == "iat" and moment - now > skew:
            message = f"the token claims to be issued in the future ({shown})"
            outcomes.append(_outcome("proof.created", Outcome.FAILED, message, suite, vm_id))
    return outcomes


def resolve_key(
    kid: Any,
    *,
    base: str | None,
    controller: str | None,
    relationship: str,
    resolver: DidResolver,
    suite: str,
) -> tuple[VerificationMethod | None, list[ProofOutcome]]:
    """Resolve the header's ``kid`` to a verification method and check it may sign here.

    ``kid`` is an absolute DID URL, or a ``#fragment`` relative to ``base`` (the
    issuer's or holder's DID). The method must be in its DID document, belong
    to ``controller`` (when known) and be listed under ``relationship``
    (``assertionMethod`` for credentials, ``authentication`` for
    presentations), the same rules the Data Integrity engine applies to
    ``verificationMethod``. A DID that cannot be obtained (offline did:web)
    gives an unchecked outcome; everything else that is wrong, a failed one.
    """
    fail = Outcome.FAILED
    if not isinstance(kid, str) or not kid:
        message = "the JOSE header has no kid naming the signing key"
        return None, [_outcome("proof.verification_method", fail, message, suite, None)]
    vm_id = base + kid if kid.startswith("#") and base else kid
    if not vm_id.startswith("did:") or "#" not in vm_id:
        message = f"kid {kid[:80]!r} is not a DID URL with a #fragment"
        return None, [_outcome("proof.verification_method", fail, message, suite, None)]
    return resolve_method(
        vm_id,
        controller=controller,
        relationship=relationship,
        resolver=resolver,
        suite=suite,
        what="kid",
    )
