"""DID resolution for did:key, did:jwk and did:web, with the network injected as a Fetcher.

Spec: https://www.w3.org/TR/did-core/ (DID documents, verification methods and
relationships) and https://www.w3.org/TR/cid-1.0/ (Multikey, JsonWebKey).
Nothing here opens a socket unless the caller passes an :class:`HttpsFetcher`;
the default fetcher is :class:`NoNetwork`. did:key and did:jwk need no fetcher.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from passeport._json import JsonObject
from passeport.did.fetch import (
    CacheDirFetcher,
    CachingFetcher,
    Fetcher,
    NoNetwork,
    StaticFetcher,
)
from passeport.did.jwk import public_from_jwk
from passeport.did.jwk_method import did_jwk_document
from passeport.did.key import did_key_document
from passeport.did.keys import KeyAlgorithm, PublicKey
from passeport.did.multikey import decode_public
from passeport.did.web import did_web_url, parse_did_web_document
from passeport.errors import KeyFormatError, ResolutionError

if TYPE_CHECKING:
    from passeport.did.https import HttpsFetcher

__all__ = [
    "CacheDirFetcher",
    "CachingFetcher",
    "DidDocument",
    "DidResolver",
    "Fetcher",
    "HttpsFetcher",
    "NoNetwork",
    "StaticFetcher",
    "VerificationMethod",
]


def __getattr__(name: str) -> object:
    """Import :class:`HttpsFetcher` on first use: http.client and ssl, not for who stays offline."""
    if name == "HttpsFetcher":
        from passeport.did.https import HttpsFetcher

        return HttpsFetcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, slots=True)
class VerificationMethod:
    """One verification method of a DID document, with its decoded public key."""

    id: str
    type: str
    controller: str
    public_key: PublicKey


def _entries(value: object) -> list[object]:
    if isinstance(value, list):
        return list(value)
    return [] if value is None else [value]


@dataclass(frozen=True, slots=True)
class DidDocument:
    """A resolved DID document; ``document`` is the JSON as resolved (do not mutate it)."""

    id: str
    document: JsonObject

    def absolute(self, ref: str) -> str:
        """Return ``ref`` with a relative ``#fragment`` made absolute against the DID."""
        return self.id + ref if ref.startswith("#") else ref

    def _find(self, target: str) -> Mapping[str, object] | None:
        candidates = _entries(self.document.get("verificationMethod"))
        for relationship_value in self.document.values():
            if isinstance(relationship_value, list):
                candidates.extend(v for v in relationship_value if isinstance(v, dict))
        for candidate in candidates:
            if isinstance(candidate, dict):
                ref = candidate.get("id")
                if isinstance(ref, str) and self.absolute(ref) == target:
                    return candidate
        return None

    def verification_method(self, vm_id: str) -> VerificationMethod:
        """Return the verification method ``vm_id`` (absolute or ``#fragment``) with its key.

        Supported types: ``Multikey`` and ``Ed25519VerificationKey2020``
        (``publicKeyMultibase``), ``JsonWebKey`` and ``JsonWebKey2020`` (``publicKeyJwk``).

        Raises:
            ResolutionError: no such method, or its controller is not this DID.
            KeyFormatError: unsupported type, or a key that cannot be decoded.
        """
        target = self.absolute(vm_id)
        found = self._find(target)
        if found is None:
            raise ResolutionError(f"verification method {target!r} is not in the DID document")
        controller = found.get("controller")
        if controller != self.id:
            raise ResolutionError(
                f"verification method {target!r} has controller {str(controller)[:80]!r}, "
                f"not {self.id!r}"
            )
        vm_type = found.get("type")
        if vm_type in ("Multikey", "Ed25519VerificationKey2020"):
            value = found.get("publicKeyMultibase")
            if not isinstance(value, str):
                raise KeyFormatError(f"{vm_type} has no publicKeyMultibase string", where=target)
            key = decode_public(value, where=target)
            if vm_type == "Ed25519VerificationKey2020" and key.algorithm is not (
                KeyAlgorithm.ED25519
            ):
                raise KeyFormatError(f"{vm_type} holds a {key.algorithm} key", where=target)
        elif vm_type in ("JsonWebKey", "JsonWebKey2020"):
            jwk = found.get("publicKeyJwk")
            if not isinstance(jwk, Mapping):
                raise KeyFormatError(f"{vm_type} has no publicKeyJwk object", where=target)
            key = public_from_jwk(jwk, where=target)
        else:
            raise KeyFormatError(
                f"unsupported verification method type {str(vm_type)[:60]!r}", where=target
            )
        return VerificationMethod(id=target, type=str(vm_type), controller=self.id, public_key=key)

    def authorizes(self, vm_id: str, relationship: str) -> bool:
        """Return whether ``vm_id`` is listed (by reference or embedded) under ``relationship``.

        ``relationship`` is a DID Core property such as ``"assertionMethod"`` or
        ``"authentication"``.
        """
        target = self.absolute(vm_id)
        for entry in _entries(self.document.get(relationship)):
            ref = entry.get("id") if isinstance(entry, dict) else entry
            if isinstance(ref, str) and self.absolute(ref) == target:
                return True
        return False


@functools.lru_cache(maxsize=1024)
def _derived(did: str, method: str) -> DidDocument:
    """Return the document of a did:key or did:jwk: a pure function of the DID, so shared."""
    document = did_key_document(did) if method == "key" else did_jwk_document(did)
    return DidDocument(id=did, document=document)


@dataclass(frozen=True, slots=True, kw_only=True)
class DidResolver:
    """Resolve did:key, did:jwk and did:web DIDs; did:web documents come from ``fetcher``.

    Resolved documents are cached for the life of the resolver.
    """

    fetcher: Fetcher = field(default_factory=NoNetwork)
    max_bytes: int = 256 * 1024
    _cache: dict[str, DidDocument] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def resolve(self, did: str) -> DidDocument:
        """Return the DID document of ``did``.

        Raises:
            ResolutionError: not a DID, an unsupported method, or a did:web document
                that cannot be fetched or is invalid.
            KeyFormatError: a did:key or did:jwk whose key cannot be decoded.
        """
        if not isinstance(did, str) or not did.startswith("did:") or did.count(":") < 2:
            raise ResolutionError(f"{str(did)[:80]!r} is not a DID")
        if "#" in did or "?" in did:
            raise ResolutionError(f"{did[:80]!r} is a DID URL, not a DID")
        cached = self._cache.get(did)
        if cached is not None:
            return cached
        method = did.split(":", 2)[1]
        if method in ("key", "jwk"):
            resolved = _derived(did, method)
            self._cache[did] = resolved
            return resolved
        if method == "web":
            url = did_web_url(did)
            body = self.fetcher.fetch(url, max_bytes=self.max_bytes)
            document = parse_did_web_document(did, body, max_bytes=self.max_bytes, url=url)
        else:
            raise ResolutionError(
                f"DID method {method!r} is not supported (did:key, did:jwk, did:web)",
                where=did[:80],
            )
        resolved = DidDocument(id=did, document=document)
        self._cache[did] = resolved
        return resolved

    def resolve_verification_method(self, vm_id: str) -> tuple[DidDocument, VerificationMethod]:
        """Resolve the DID of ``vm_id`` (``did#fragment``) and return it with the method.

        Raises:
            ResolutionError: no fragment, unresolvable DID, missing method or wrong controller.
            KeyFormatError: the method's key cannot be decoded.
        """
        if not isinstance(vm_id, str) or "#" not in vm_id:
            raise ResolutionError(f"{str(vm_id)[:80]!r} is not a DID URL with a #fragment")
        did = vm_id.split("#", 1)[0]
        document = self.resolve(did)
        return document, document.verification_method(vm_id)
