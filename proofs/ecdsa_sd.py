"""The selective-disclosure cryptosuite ``ecdsa-sd-2023``: base proofs, derived proofs.

Spec: https://www.w3.org/TR/vc-di-ecdsa/#ecdsa-sd-2023 (VC-DI-ECDSA 3.5 and
3.6). The issuer signs a *base proof*: every non-mandatory N-Quad is signed
with a proof-scoped P-256 key, and the issuer's key signs
``proofHash || proof-scoped public key || mandatoryHash``; blank nodes carry
HMAC-derived labels. The holder *derives* a disclosure proof that keeps only
the signatures of the statements it reveals. A verifier checks derived
proofs only: a base proof handed to a verifier is refused with
:class:`BaseProofPresented`, and the holder checks one with :func:`verify_base`.

With a P-384 issuer key, RDFC-1.0, the HMAC (a 48-byte key), the proof hash
and the mandatory hash all use SHA-384, as the spec ties every hash to the
issuer key's curve (VC-DI-ECDSA 3.1, 3.6.2); the proof-scoped key stays P-256.

The proof value codec lives in :mod:`proofs._sd_proof_value` and the
selective-disclosure functions in :mod:`proofs.sd_primitives`; this module
re-exports the codec's public names.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from passeport._json import JsonObject
from passeport.contexts import DocumentLoader, bundled_loader, canonicalize_nquads
from passeport.did.keys import KeyAlgorithm, PrivateKey, PublicKey
from passeport.did.resolve import DidResolver
from passeport.errors import InputError, SigningError
from passeport.proofs import sd_primitives as sd
from passeport.proofs._proof_config import canonical_config
from passeport.proofs._sd_proof_value import (
    BASE_HEADER,
    DERIVED_HEADER,
    P256_PUBLIC,
    BaseProofValue,
    DerivedProofValue,
    parse_proof_value,
    serialize_proof_value,
)
from passeport.proofs.checks import ProofExpectation, ProofOutcome
from passeport.proofs.engine import verify_proofs
from passeport.proofs.suite import BaseProofPresented, DerivingCryptosuite, Signer, hash_name_for

__all__ = [
    "BASE_HEADER",
    "DERIVED_HEADER",
    "ECDSA_SD_2023",
    "BaseProofPresented",
    "BaseProofValue",
    "DerivedProofValue",
    "DerivingCryptosuite",
    "EcdsaSd2023",
    "derive",
    "parse_proof_value",
    "serialize_proof_value",
    "verify_base",
]

NAME: Final = "ecdsa-sd-2023"
_HASH_OF_SIGNATURE: Final = {64: "sha256", 96: "sha384"}
_HASH_OF_HMAC_KEY: Final = {32: "sha256", 48: "sha384"}


def _proof_scoped_key(public_key: bytes) -> PublicKey:
    return PublicKey.from_raw(KeyAlgorithm.P256, public_key[len(P256_PUBLIC) :])


def _proof_hash(config: Mapping[str, Any], loader: DocumentLoader, hash_name: str) -> bytes:
    # VC-DI-ECDSA 3.6.3 / 3.5.9 step 1: hash the canonical proof configuration.
    canonical = canonical_config(config, loader, hash_name)
    return hashlib.new(hash_name, canonical.encode("utf-8")).digest()


def _signatures_hold(
    parsed: BaseProofValue | DerivedProofValue,
    key: PublicKey,
    proof_hash: bytes,
    mandatory: Iterable[str],
    non_mandatory: Iterable[str],
    hash_name: str,
) -> bool:
    """Check the issuer's signature and one signature per non-mandatory statement."""
    # VC-DI-ECDSA 3.6.7 step 3-8.
    statements = list(non_mandatory)
    if len(parsed.signatures) != len(statements):
        return False
    data = proof_hash + parsed.public_key + sd.hash_mandatory(mandatory, hash_name=hash_name)
    if not key.verify(parsed.base_signature, data):
        return False
    scoped = _proof_scoped_key(parsed.public_key)
    return all(
        scoped.verify(signature, line.encode("utf-8"))
        for signature, line in zip(parsed.signatures, statements, strict=True)
    )


def _check_config(unsecured: Mapping[str, Any], config: Mapping[str, Any]) -> None:
    # VC-DI-ECDSA 3.6.4 step 2 (the engine checks "created").
    if config.get("type") != "DataIntegrityProof" or config.get("cryptosuite") != NAME:
        raise SigningError(f"the proof configuration is not a DataIntegrityProof of {NAME}")
    if "proof" in unsecured:
        raise SigningError(f"{NAME} proofs cannot be chained to earlier proofs (previousProof)")


@dataclass(frozen=True, slots=True)
class EcdsaSd2023:
    """The ``ecdsa-sd-2023`` suite: base proofs for issuers, derived proofs for verifiers."""

    name: str = NAME

    def accepts(self, key: PublicKey) -> bool:
        """Tell whether the issuer key is P-256 or P-384."""
        return key.algorithm in (KeyAlgorithm.P256, KeyAlgorithm.P384)

    def create_proof_value(
        self,
        unsecured: Mapping[str, Any],
        config: Mapping[str, Any],
        signer: Signer,
        *,
        loader: DocumentLoader,
        mandatory: Sequence[str] = (),
        hmac_key: bytes | None = None,
        proof_key: PrivateKey | None = None,
    ) -> str:
        """Return the base ``proofValue`` of ``unsecured`` (VC-DI-ECDSA 3.6.1).

        Args:
            mandatory: JSON pointers the holder must always disclose.
            hmac_key: the HMAC key (random by default; fixed for test vectors).
            proof_key: the proof-scoped P-256 key (random by default).

        Raises:
            InputError: a mandatory pointer is malformed or matches nothing.
            ContextError: the document does not canonicalize safely.
            SigningError: not an ecdsa-sd-2023 configuration, or a proof chain.
        """
        _check_config(unsecured, config)
        hash_name = hash_name_for(signer.public_key)
        size = hashlib.new(hash_name).digest_size
        # VC-DI-ECDSA 3.6.2 step 1: an HMAC key as long as the digest.
        key = secrets.token_bytes(size) if hmac_key is None else bytes(hmac_key)
        if len(key) != size:
            raise ValueError(
                f"the HMAC key must be {size} bytes for a {signer.public_key.algorithm} key"
            )
        scoped = proof_key or PrivateKey.generate(KeyAlgorithm.P256)
        if scoped.algorithm is not KeyAlgorithm.P256:
            raise ValueError("the proof-scoped key must be a P-256 key")
        pointers = tuple(mandatory)
        # Step 2-6: canonicalize with HMAC labels, split mandatory from non-mandatory.
        grouping = sd.canonicalize_and_group(
            unsecured,
            sd.hmac_label_map_function(key, hash_name=hash_name),
            {"mandatory": pointers},
            loader,
            hash_name=hash_name,
        )
        group = grouping.groups["mandatory"]
        # VC-DI-ECDSA 3.6.3: proofHash and mandatoryHash.
        proof_hash = _proof_hash(config, loader, hash_name)
        mandatory_hash = sd.hash_mandatory(group.matching.values(), hash_name=hash_name)
        # VC-DI-ECDSA 3.6.5 step 2-6: sign each non-mandatory statement, then the whole.
        signatures = tuple(
            scoped.sign(line.encode("utf-8")) for line in group.non_matching.values()
        )
        public_key = P256_PUBLIC + scoped.public_key.raw_bytes()
        base_signature = signer.sign(proof_hash + public_key + mandatory_hash)
        return serialize_proof_value(
            BaseProofValue(base_signature, public_key, key, signatures, pointers)
        )

    def verify_proof_value(
        self,
        unsecured: Mapping[str, Any],
        config: Mapping[str, Any],
        proof_value: str,
        key: PublicKey,
        *,
        loader: DocumentLoader,
    ) -> bool:
        """Check a derived proof (VC-DI-ECDSA 3.6.7); False when it does not verify.

        Raises:
            BaseProofPresented: ``proof_value`` is a base proof, which verifiers refuse.
            InputError: the proof value is malformed.
        """
        parsed = parse_proof_value(proof_value)
        if isinstance(parsed, BaseProofValue):
            raise BaseProofPresented(
                "a base proof is not for verifiers; the holder must derive a disclosure proof"
            )
        hash_name = hash_name_for(key)
        # VC-DI-ECDSA 3.5.9 step 3-6: canonicalize the reveal document with the label map.
        if len(set(parsed.label_map.values())) != len(parsed.label_map):
            return False  # two blank nodes under one label would merge distinct nodes
        try:
            labelled = sd.label_replacement_canonicalize_json_ld(
                unsecured, sd.label_map_function(parsed.label_map), loader, hash_name=hash_name
            )
        except KeyError:
            return False  # a blank node the issuer never labelled: the document changed
        wanted = set(parsed.mandatory_indexes)
        mandatory = [line for i, line in enumerate(labelled.nquads) if i in wanted]
        non_mandatory = [line for i, line in enumerate(labelled.nquads) if i not in wanted]
        proof_hash = _proof_hash(config, loader, hash_name)
        return _signatures_hold(parsed, key, proof_hash, mandatory, non_mandatory, hash_name)

    def is_base_proof_value(self, proof_value: Any) -> bool:
        """Tell whether ``proof_value`` is a readable base proof value (not a derived one)."""
        try:
            return isinstance(parse_proof_value(proof_value), BaseProofValue)
        except InputError:
            return False

    def confirm_proof_value(
        self,
        unsecured: Mapping[str, Any],
        config: Mapping[str, Any],
        proof_value: str,
        key: PublicKey,
        *,
        loader: DocumentLoader,
    ) -> bool:
        """Check a base proof as its holder does: the issuer's and every statement's signature.

        Raises:
            InputError: not a base proof value, or its mandatory pointers match nothing.
        """
        parsed = parse_proof_value(proof_value)
        if not isinstance(parsed, BaseProofValue):
            raise InputError("this is a derived proof; a base proof is expected here")
        hash_name = hash_name_for(key)
        grouping = sd.canonicalize_and_group(
            unsecured,
            sd.hmac_label_map_function(parsed.hmac_key, hash_name=hash_name),
            {"mandatory": parsed.mandatory_pointers},
            loader,
            hash_name=hash_name,
        )
        group = grouping.groups["mandatory"]
        proof_hash = _proof_hash(config, loader, hash_name)
        return _signatures_hold(
            parsed, key, proof_hash, group.matching.values(), group.non_matching.values(), hash_name
        )

    def derive(
        self, secured: Mapping[str, Any], reveal: Sequence[str], *, loader: DocumentLoader
    ) -> JsonObject:
        """Return the reveal document with a derived proof (VC-DI-ECDSA 3.6.6).

        Only the statements that ``reveal`` and the issuer's mandatory pointers
        select are kept; the other values appear nowhere in the result.

        Raises:
            InputError: no base proof of this suite, a bad or unmatched pointer
                (named), nothing to disclose, or a base proof that does not fit
                the document.
        """
        base_proof = _base_proof(secured)
        parsed = parse_proof_value(base_proof.get("proofValue"))
        if not isinstance(parsed, BaseProofValue):
            raise InputError("the credential already has a derived proof; derive from the base one")
        hash_name = _HASH_OF_HMAC_KEY[len(parsed.hmac_key)]
        if _HASH_OF_SIGNATURE[len(parsed.base_signature)] != hash_name:
            raise InputError(
                "proofValue: the HMAC key and the base signature disagree on the curve"
            )
        unsecured = {k: v for k, v in secured.items() if k != "proof"}
        mandatory = list(parsed.mandatory_pointers)
        selective = list(reveal)
        combined = mandatory + selective
        # VC-DI-ECDSA 3.5.4 step 1-6: group the HMAC-labelled N-Quads by pointers.
        if not combined:
            raise InputError("nothing to disclose: give at least one pointer to reveal")
        grouping = sd.canonicalize_and_group(
            unsecured,
            sd.hmac_label_map_function(parsed.hmac_key, hash_name=hash_name),
            {"mandatory": mandatory, "selective": selective, "combined": combined},
            loader,
            hash_name=hash_name,
        )
        groups = grouping.groups
        if len(groups["mandatory"].non_matching) != len(parsed.signatures):
            raise InputError("the base proof does not fit this document (statement count differs)")
        # Step 7-8: mandatory indexes relative to the revealed statements.
        mandatory_indexes = tuple(
            relative
            for relative, absolute in enumerate(groups["combined"].matching)
            if absolute in groups["mandatory"].matching
        )
        # Step 9-10: keep the signatures of the selectively disclosed statements.
        non_mandatory = groups["mandatory"].non_matching
        signatures = tuple(
            signature
            for signature, absolute in zip(parsed.signatures, non_mandatory, strict=True)
            if absolute in groups["selective"].matching
        )
        # Step 11-14: the reveal document and the labels its verifier will see.
        reveal_document = sd.select_json_ld(unsecured, combined) or {}
        canonical = canonicalize_nquads(
            "".join(groups["combined"].deskolemized), hash_name=hash_name
        )
        label_map = {
            verifier: grouping.label_map[label] for label, verifier in canonical.labels.items()
        }
        value = DerivedProofValue(
            parsed.base_signature, parsed.public_key, signatures, label_map, mandatory_indexes
        )
        proof: JsonObject = {k: v for k, v in base_proof.items() if k != "@context"}
        proof["proofValue"] = serialize_proof_value(value)
        reveal_document["proof"] = proof
        return reveal_document


def _base_proof(secured: Mapping[str, Any]) -> JsonObject:
    if not isinstance(secured, Mapping):
        raise InputError("expected a credential (a JSON object)")
    proof = secured.get("proof")
    items = proof if isinstance(proof, list) else [proof] if proof is not None else []
    found = [dict(p) for p in items if isinstance(p, Mapping) and p.get("cryptosuite") == NAME]
    if not found:
        raise InputError(f"the credential has no {NAME} proof to derive from", pointer="/proof")
    if len(found) > 1:
        raise InputError(f"the credential has several {NAME} proofs", pointer="/proof")
    return found[0]


ECDSA_SD_2023: Final = EcdsaSd2023()


def derive(
    secured: Mapping[str, Any], reveal: Sequence[str], *, loader: DocumentLoader | None = None
) -> JsonObject:
    """Derive a disclosure of ``secured`` (an ``ecdsa-sd-2023`` base credential) for a verifier.

    ``reveal`` lists JSON pointers into the credential; the issuer's mandatory
    pointers are always added.

    Raises:
        InputError: no base proof, a bad or unmatched pointer (named), or nothing to disclose.
        ContextError: the credential does not canonicalize safely.
    """
    return ECDSA_SD_2023.derive(secured, reveal, loader=loader or bundled_loader())


@dataclass(frozen=True, slots=True)
class _BaseConfirmation:
    """``ecdsa-sd-2023`` as its holder checks it: base proofs only."""

    name: str = NAME

    def accepts(self, key: PublicKey) -> bool:
        return ECDSA_SD_2023.accepts(key)

    def create_proof_value(
        self,
        unsecured: Mapping[str, Any],
        config: Mapping[str, Any],
        signer: Signer,
        *,
        loader: DocumentLoader,
    ) -> str:
        raise TypeError("a confirmation suite does not sign")

    def verify_proof_value(
        self,
        unsecured: Mapping[str, Any],
        config: Mapping[str, Any],
        proof_value: str,
        key: PublicKey,
        *,
        loader: DocumentLoader,
    ) -> bool:
        return ECDSA_SD_2023.confirm_proof_value(unsecured, config, proof_value, key, loader=loader)


def verify_base(
    secured: Mapping[str, Any],
    *,
    resolver: DidResolver | None = None,
    loader: DocumentLoader | None = None,
    expect: ProofExpectation | None = None,
) -> tuple[ProofOutcome, ...]:
    """Check a base credential as its holder receives it; one outcome or more per proof.

    The issuer's signature over proofHash, the proof-scoped key and the
    mandatory hash is checked, and so is every statement's signature, with
    the engine's usual checks (purpose, verification method, controller).
    A derived proof here is a failed outcome.
    """
    return verify_proofs(
        secured,
        expect=expect or ProofExpectation(),
        resolver=resolver or DidResolver(),
        loader=loader,
        suites={NAME: _BaseConfirmation()},
    )
