"""The cryptosuite interface that the Data Integrity engine drives.

A cryptosuite turns an unsecured document and a proof configuration into a
``proofValue`` and checks one; everything general to Data Integrity (proof
options, purposes, proof sets and chains, verification-method checks) lives
once in :mod:`proofs.engine`.

Spec: https://www.w3.org/TR/vc-data-integrity/#cryptographic-suites
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeGuard, runtime_checkable

from passeport._json import JsonObject
from passeport.contexts import DocumentLoader, canonicalize, jcs
from passeport.did.keys import KeyAlgorithm, PrivateKey, PublicKey
from passeport.did.multikey import decode_base58btc, encode_base58btc
from passeport.errors import InputError, KeyFormatError

__all__ = [
    "BaseProofPresented",
    "Cryptosuite",
    "DerivingCryptosuite",
    "HashAndSignSuite",
    "KeySigner",
    "Signer",
    "controller_of",
    "is_deriving",
    "jcs_transform",
    "rdfc_config_transform",
    "rdfc_transform",
]


class BaseProofPresented(InputError):
    """A base proof was given to a verifier: only the holder may use it, to derive.

    A deriving suite raises it from ``verify_proof_value``; the engine turns it
    into a ``proof.base`` outcome.
    """


class Signer(Protocol):
    """A private key able to sign for one verification method."""

    @property
    def public_key(self) -> PublicKey:
        """The public half of the signing key."""
        ...

    @property
    def verification_method(self) -> str:
        """The verification method id (a DID URL) that proofs name."""
        ...

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` (Ed25519 raw; ECDSA raw r||s, hashing by curve)."""
        ...


def controller_of(signer: Signer) -> str:
    """Return the DID that controls ``signer``: its verification method without the fragment.

    A signer that names its ``controller`` (a :class:`did.keyfile.KeyPair`)
    gives that.

    Raises:
        ValueError: the verification method is not a DID URL with a ``#fragment``.
    """
    controller = getattr(signer, "controller", None)
    if isinstance(controller, str):
        return controller
    vm_id = signer.verification_method
    if not isinstance(vm_id, str) or "#" not in vm_id:
        raise ValueError("the signing key needs a verification method id with a #fragment")
    return vm_id.split("#", 1)[0]


class Cryptosuite(Protocol):
    """What :mod:`proofs.engine` asks of one cryptosuite (one spec id)."""

    @property
    def name(self) -> str:
        """The proof's ``cryptosuite`` value."""
        ...

    def accepts(self, key: PublicKey) -> bool:
        """Tell whether this suite signs and verifies with ``key``'s algorithm."""
        ...

    def create_proof_value(
        self,
        unsecured: Mapping[str, Any],
        config: Mapping[str, Any],
        signer: Signer,
        *,
        loader: DocumentLoader,
    ) -> str:
        """Return the ``proofValue`` for ``unsecured`` under proof ``config``."""
        ...

    def verify_proof_value(
        self,
        unsecured: Mapping[str, Any],
        config: Mapping[str, Any],
        proof_value: str,
        key: PublicKey,
        *,
        loader: DocumentLoader,
    ) -> bool:
        """Check ``proof_value``; False when it does not verify."""
        ...


@runtime_checkable
class DerivingCryptosuite(Cryptosuite, Protocol):
    """A cryptosuite whose issuer marks mandatory statements and whose holder derives proofs.

    ``ecdsa-sd-2023`` (:class:`proofs.ecdsa_sd.EcdsaSd2023`) is one; the
    engine passes ``mandatory=`` only to suites of this kind.
    """

    def create_proof_value(
        self,
        unsecured: Mapping[str, Any],
        config: Mapping[str, Any],
        signer: Signer,
        *,
        loader: DocumentLoader,
        mandatory: Sequence[str] = (),
    ) -> str:
        """Return a base ``proofValue``; ``mandatory`` pointers are always disclosed."""
        ...

    def verify_proof_value(
        self,
        unsecured: Mapping[str, Any],
        config: Mapping[str, Any],
        proof_value: str,
        key: PublicKey,
        *,
        loader: DocumentLoader,
    ) -> bool:
        """Check a derived ``proof_value``; False when it does not verify."""
        ...

    def derive(
        self, secured: Mapping[str, Any], reveal: Sequence[str], *, loader: DocumentLoader
    ) -> JsonObject:
        """Return the document reduced to ``reveal`` (and the mandatory part), with a proof."""
        ...

    def is_base_proof_value(self, proof_value: Any) -> bool:
        """Tell whether ``proof_value`` is a base proof (for the holder), not a derived one."""
        ...

    def confirm_proof_value(
        self,
        unsecured: Mapping[str, Any],
        config: Mapping[str, Any],
        proof_value: str,
        key: PublicKey,
        *,
        loader: DocumentLoader,
    ) -> bool:
        """Check a base ``proof_value`` as its holder does; False when it does not verify."""
        ...


_DERIVING: dict[int, tuple[object, bool]] = {}
_DERIVING_KEPT = 64


def is_deriving(suite: object) -> TypeGuard[DerivingCryptosuite]:
    """Tell whether ``suite`` is a :class:`DerivingCryptosuite`, as ``isinstance`` does.

    ``isinstance`` against a runtime-checkable Protocol lists the Protocol's
    members again at every call (about 14 µs, a fifth of a JCS signature).
    The answer is remembered for a suite that cannot change: an instance of
    a frozen dataclass (every suite of the registry), kept by identity (the
    entry holds it, so its id is not reused). Any other object is asked
    each time.
    """
    params = getattr(type(suite), "__dataclass_params__", None)
    if params is None or not params.frozen or not dataclasses.is_dataclass(suite):
        return isinstance(suite, DerivingCryptosuite)
    hit = _DERIVING.get(id(suite))
    if hit is not None and hit[0] is suite:
        return hit[1]
    answer = isinstance(suite, DerivingCryptosuite)
    if len(_DERIVING) < _DERIVING_KEPT:
        _DERIVING[id(suite)] = (suite, answer)  # one dict store: safe under threads
    return answer


@dataclass(frozen=True, slots=True)
class KeySigner:
    """A :class:`Signer` made of a private key and the verification method it signs for."""

    private_key: PrivateKey
    verification_method: str

    @property
    def public_key(self) -> PublicKey:
        """The public half of the signing key."""
        return self.private_key.public_key

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` with the private key."""
        return self.private_key.sign(data)


Transform = Callable[[Mapping[str, Any], DocumentLoader, str], bytes]


def rdfc_transform(document: Mapping[str, Any], loader: DocumentLoader, hash_name: str) -> bytes:
    """Canonicalize with RDFC-1.0 (its internal hash is ``hash_name``) to N-Quads bytes."""
    return canonicalize(document, loader, hash_name=hash_name).nquads.encode("utf-8")


def rdfc_config_transform(
    config: Mapping[str, Any], loader: DocumentLoader, hash_name: str
) -> bytes:
    """Canonicalize a proof configuration as :func:`rdfc_transform` does, from its template.

    An issuer's configurations differ only in ``created``
    (:mod:`proofs._proof_config`): the same bytes, a fraction of the cost.
    """
    from passeport.proofs._proof_config import canonical_config

    return canonical_config(config, loader, hash_name).encode("utf-8")


def jcs_transform(document: Mapping[str, Any], loader: DocumentLoader, hash_name: str) -> bytes:
    """Canonicalize with JCS (RFC 8785); the loader and hash are not used."""
    return jcs.canonicalize(dict(document))


def hash_name_for(key: PublicKey) -> str:
    """SHA-384 for P-384 keys, SHA-256 otherwise (VC-DI-ECDSA 3.3, VC-DI-EDDSA 3.3)."""
    return "sha384" if key.algorithm is KeyAlgorithm.P384 else "sha256"


@dataclass(frozen=True, slots=True)
class HashAndSignSuite:
    """A suite whose proof signs ``hash(canonical config) || hash(canonical document)``.

    This is the shape of ``eddsa-rdfc-2022``, ``eddsa-jcs-2022``,
    ``ecdsa-rdfc-2019`` and ``ecdsa-jcs-2019``: they differ only in the
    canonicalization and in the keys they accept.
    """

    name: str
    algorithms: frozenset[KeyAlgorithm]
    transform: Transform
    config_transform: Transform | None = None
    """How the proof configuration is canonicalized, when not by ``transform``."""

    def accepts(self, key: PublicKey) -> bool:
        """Tell whether ``key``'s algorithm is one this suite uses."""
        return key.algorithm in self.algorithms

    def hash_data(
        self,
        unsecured: Mapping[str, Any],
        config: Mapping[str, Any],
        key: PublicKey,
        *,
        loader: DocumentLoader,
    ) -> bytes:
        """Return the bytes that are signed: proofHash followed by documentHash."""
        hash_name = hash_name_for(key)
        # Hashing step: the config and the document are canonicalized and hashed
        # separately, then concatenated, config first.
        config_transform = self.config_transform or self.transform
        proof_hash = hashlib.new(hash_name, config_transform(config, loader, hash_name)).digest()
        doc_hash = hashlib.new(hash_name, self.transform(unsecured, loader, hash_name)).digest()
        return proof_hash + doc_hash

    def create_proof_value(
        self,
        unsecured: Mapping[str, Any],
        config: Mapping[str, Any],
        signer: Signer,
        *,
        loader: DocumentLoader,
    ) -> str:
        """Sign the hash data and encode the signature as multibase base58btc."""
        data = self.hash_data(unsecured, config, signer.public_key, loader=loader)
        return encode_base58btc(signer.sign(data))

    def verify_proof_value(
        self,
        unsecured: Mapping[str, Any],
        config: Mapping[str, Any],
        proof_value: str,
        key: PublicKey,
        *,
        loader: DocumentLoader,
    ) -> bool:
        """Decode ``proof_value`` (base58btc) and verify it over the hash data.

        Raises:
            KeyFormatError: ``proof_value`` is not multibase base58btc.
        """
        if not isinstance(proof_value, str):
            raise KeyFormatError("proofValue is not a string")
        signature = decode_base58btc(proof_value, where="proofValue")
        return key.verify(signature, self.hash_data(unsecured, config, key, loader=loader))
