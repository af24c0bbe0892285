"""The securing mechanisms this toolkit implements: Data Integrity suites, vc+jwt, SD-JWT VC.

Each class here satisfies :class:`proofs.mechanism.SecuringMechanism`, and
:mod:`proofs.mechanism` registers the instances of :data:`BUILTIN` in one
place. Specs: https://www.w3.org/TR/vc-data-integrity/ (embedded proofs),
https://www.w3.org/TR/vc-jose-cose/ (``vc+jwt``), RFC 9901 and SD-JWT VC
(``dc+sd-jwt``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from passeport._json import JsonObject
from passeport.contexts import DocumentLoader
from passeport.did.keys import KeyAlgorithm, PrivateKey, PublicKey
from passeport.did.resolve import DidResolver
from passeport.errors import InputError
from passeport.proofs._disclosures import DC_SD_JWT, VC_SD_JWT
from passeport.proofs._jws import parse_compact
from passeport.proofs._jwt_verifier import VC_JWT_11, VP_JWT_11, JwtVerification
from passeport.proofs.checks import ProofExpectation, ProofOutcome, Verified
from passeport.proofs.ecdsa import ECDSA_JCS_2019, ECDSA_RDFC_2019
from passeport.proofs.ecdsa_sd import ECDSA_SD_2023
from passeport.proofs.eddsa import EDDSA_JCS_2022, EDDSA_RDFC_2022
from passeport.proofs.engine import proofs_of, verify_proofs
from passeport.proofs.outcome import Outcome
from passeport.proofs.sign import sign_document
from passeport.proofs.suite import Cryptosuite, DerivingCryptosuite, Signer

__all__ = ["BUILTIN", "DataIntegrityMechanism", "SdJwtMechanism", "VcJwtMechanism"]

_ED: Final = frozenset({KeyAlgorithm.ED25519})
_CURVES: Final = frozenset({KeyAlgorithm.P256, KeyAlgorithm.P384})
_ALL_KEYS: Final = _ED | _CURVES
# JWT claims that secure the document but are not part of it (RFC 7519 4.1, RFC 9901,
# SD-JWT VC 3.2.2.2); left in, they would be undefined terms of the JSON-LD document.
_ENVELOPE_CLAIMS: Final = (
    "iss",
    "sub",
    "aud",
    "exp",
    "nbf",
    "iat",
    "jti",
    "cnf",
    "nonce",
    "vct",
    "vct#integrity",
    "aka_vcts",
    "status",
)


@dataclass(frozen=True, slots=True)
class _Confirming:
    """A deriving suite as its holder checks it: base proofs only, every statement signature."""

    suite: DerivingCryptosuite

    @property
    def name(self) -> str:
        return self.suite.name

    def accepts(self, key: PublicKey) -> bool:
        return self.suite.accepts(key)

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
        return self.suite.confirm_proof_value(unsecured, config, proof_value, key, loader=loader)


@dataclass(frozen=True, slots=True)
class DataIntegrityMechanism:
    """A Data Integrity cryptosuite as a securing mechanism: a ``proof`` embedded in the JSON.

    A deriving suite (``ecdsa-sd-2023``) takes mandatory pointers, lets its
    holder derive a disclosure, and signs its base proof for the holder only:
    verifiers refuse it, its holder confirms it (:meth:`confirm`).
    ``status_list_suite`` names the suite that signs the issuer's status lists
    when this one cannot (a base proof would be refused by every verifier).
    """

    cryptosuite: Cryptosuite
    key_algorithms: frozenset[KeyAlgorithm]
    status_list_suite: str | None = None

    @property
    def name(self) -> str:
        """The suite's name (the proof's ``cryptosuite``)."""
        return self.cryptosuite.name

    @property
    def label(self) -> str:
        """The suite's name, as people read it."""
        return self.cryptosuite.name

    media_type: None = None
    media_types: tuple[str, ...] = ()
    presentation_media_type: None = None
    enveloping: bool = False
    file_suffix: str = ".json"
    format_id: str = "ldp_vc"

    @property
    def derives(self) -> bool:
        """Whether the holder can disclose a part (a deriving cryptosuite)."""
        # Structural, like the protocol, without a runtime-checkable isinstance
        # (about 75 µs, on every credential verified).
        return callable(getattr(self.cryptosuite, "derive", None))

    @property
    def takes_mandatory(self) -> bool:
        """Whether the issuer marks mandatory pointers (a deriving cryptosuite)."""
        return self.derives

    @property
    def signs_presentations(self) -> bool:
        """Whether a holder can sign a presentation with it (not with a base proof)."""
        return not self.derives

    def accepts(self, key: PublicKey) -> bool:
        """Tell whether ``key`` signs with this suite."""
        return self.cryptosuite.accepts(key)

    def _own_proofs(self, secured: Any) -> list[JsonObject]:
        if not isinstance(secured, Mapping):
            return []
        return [p for p in proofs_of(secured) if p.get("cryptosuite") == self.name]

    def recognizes(self, secured: Any) -> bool:
        """Tell whether ``secured`` is a JSON document with a proof of this suite."""
        return bool(self._own_proofs(secured))

    def binds_holder_key(self, secured: Any) -> bool:
        """A Data Integrity credential binds its holder through its subject, not a key."""
        return False

    def is_holder_form(self, secured: Any) -> bool:
        """Tell whether ``secured`` carries this suite's base proof, which only its holder uses."""
        suite = self.cryptosuite
        if not isinstance(suite, DerivingCryptosuite):
            return False
        proofs = self._own_proofs(secured)
        return any(suite.is_base_proof_value(p.get("proofValue")) for p in proofs)

    def secure(
        self,
        unsigned: Mapping[str, Any],
        signer: Signer,
        *,
        issued_at: datetime | None = None,
        mandatory: Sequence[str] = (),
        holder: str | None = None,
        loader: DocumentLoader | None = None,
        where: str | None = None,
    ) -> JsonObject:
        """Add a proof of this suite dated ``issued_at`` (:func:`proofs.sign.sign_document`)."""
        return sign_document(
            unsigned,
            signer,
            suite=self.cryptosuite,
            created=issued_at,
            loader=loader,
            where=where,
            mandatory=mandatory,
        )

    def derive(
        self,
        secured: Mapping[str, Any] | str,
        reveal: Sequence[str],
        *,
        holder: Signer | None = None,
        nonce: str | None = None,
        audience: str | None = None,
        issued_at: datetime | None = None,
        expires: datetime | None = None,
        loader: DocumentLoader | None = None,
    ) -> JsonObject:
        """Return a disclosure of ``reveal`` (and the mandatory part) with a derived proof.

        The holder's binding and the verifier's challenge go in the
        presentation's proof, not here.

        Raises:
            InputError: not a credential of this suite, a bad pointer, or a
                suite that does not derive.
        """
        suite = self.cryptosuite
        if not isinstance(suite, DerivingCryptosuite):
            raise InputError(f"{self.name} cannot disclose a part: its proof covers everything")
        if not isinstance(secured, Mapping):
            raise InputError("expected a credential (a JSON object)")
        from passeport.contexts import bundled_loader

        return suite.derive(secured, reveal, loader=loader or bundled_loader())

    def verify(
        self,
        secured: Mapping[str, Any] | str,
        *,
        resolver: DidResolver,
        expect: ProofExpectation,
        loader: DocumentLoader | None = None,
        require_key_binding: bool = False,
    ) -> Verified:
        """Verify the proofs of ``secured`` with this suite; the document is itself."""
        if not isinstance(secured, Mapping):
            failed = ProofOutcome("input.credential", Outcome.FAILED, "not a JSON object")
            return Verified((failed,), None, None)
        outcomes = verify_proofs(
            secured,
            expect=expect,
            resolver=resolver,
            loader=loader,
            suites={self.name: self.cryptosuite},
        )
        return Verified(outcomes, dict(secured), self.name, json_ld=True)

    def confirm(
        self,
        secured: Mapping[str, Any] | str,
        *,
        resolver: DidResolver,
        expect: ProofExpectation,
        loader: DocumentLoader | None = None,
    ) -> tuple[ProofOutcome, ...]:
        """Check ``secured`` as its holder receives it: a base proof's every signature.

        For a suite that does not derive, this is the plain verification.
        """
        suite = self.cryptosuite
        checked: Cryptosuite = (
            _Confirming(suite) if isinstance(suite, DerivingCryptosuite) else suite
        )
        if not isinstance(secured, Mapping):
            return (ProofOutcome("input.credential", Outcome.FAILED, "not a JSON object"),)
        return verify_proofs(
            secured, expect=expect, resolver=resolver, loader=loader, suites={self.name: checked}
        )


def _verified(result: JwtVerification) -> Verified:
    """Return what a JOSE verification found, the document without the envelope's claims."""
    payload = result.payload
    vm_id = result.verification_method
    if payload is None or result.media_type in (VC_JWT_11, VP_JWT_11):
        return Verified(result.outcomes, payload, result.media_type, verification_method=vm_id)
    outcomes = list(result.outcomes)
    if isinstance(payload.get("status"), Mapping):
        outcomes.append(
            ProofOutcome(
                "status.unsupported",
                Outcome.UNCHECKED,
                "the token's status claim (IETF status list) is not checked here",
            )
        )
    if "@context" not in payload:
        return Verified(tuple(outcomes), payload, result.media_type, verification_method=vm_id)
    document = {k: v for k, v in payload.items() if k not in _ENVELOPE_CLAIMS}
    return Verified(tuple(outcomes), document, result.media_type, True, vm_id)


@dataclass(frozen=True, slots=True)
class VcJwtMechanism:
    """VC-JOSE-COSE: a credential is the payload of a JWS (``vc+jwt``), presentations too."""

    name: str = "vc-jwt"
    label: str = "vc+jwt"
    media_type: str = "application/vc+jwt"
    media_types: tuple[str, ...] = ("application/vc+jwt",)
    presentation_media_type: str = "application/vp+jwt"
    key_algorithms: frozenset[KeyAlgorithm] = _ALL_KEYS
    derives: bool = False
    enveloping: bool = True
    takes_mandatory: bool = False
    signs_presentations: bool = True
    file_suffix: str = ".jwt"
    format_id: str = "jwt_vc_json"
    status_list_suite: str | None = None
    cryptosuite: None = None

    def accepts(self, key: PublicKey) -> bool:
        """Tell whether ``key`` signs JWS here (EdDSA, ES256, ES384)."""
        return key.algorithm in self.key_algorithms

    def recognizes(self, secured: Any) -> bool:
        """Tell whether ``secured`` is a token without disclosures: a JWS, or refused as one.

        Any other token string is routed here, so that a verifier reports
        why it is not a readable JWT (``proof.malformed``).
        """
        return isinstance(secured, str) and "~" not in secured

    def binds_holder_key(self, secured: Any) -> bool:
        """A vc+jwt names no holder key."""
        return False

    def is_holder_form(self, secured: Any) -> bool:
        """A vc+jwt is for verifiers as it is."""
        return False

    def secure(
        self,
        unsigned: Mapping[str, Any],
        signer: Signer,
        *,
        issued_at: datetime | None = None,
        mandatory: Sequence[str] = (),
        holder: str | None = None,
        loader: DocumentLoader | None = None,
        where: str | None = None,
    ) -> str:
        """Sign ``unsigned`` as a ``vc+jwt`` (``iat`` = ``issued_at``); return the token.

        Raises:
            InputError: mandatory pointers (a vc+jwt is shown whole).
        """
        from passeport.proofs.jose import sign_vc_jwt

        if mandatory:
            raise InputError("a vc+jwt takes no mandatory pointers: it is shown whole", where=where)
        return sign_vc_jwt(unsigned, signer, issued_at=issued_at, loader=loader, where=where)

    def derive(
        self,
        secured: Mapping[str, Any] | str,
        reveal: Sequence[str],
        *,
        holder: Signer | None = None,
        nonce: str | None = None,
        audience: str | None = None,
        issued_at: datetime | None = None,
        expires: datetime | None = None,
        loader: DocumentLoader | None = None,
    ) -> str:
        """A vc+jwt cannot be partially disclosed.

        Raises:
            InputError: always.
        """
        raise InputError("a vc+jwt cannot be partially disclosed: its signature covers all")

    def verify(
        self,
        secured: Mapping[str, Any] | str,
        *,
        resolver: DidResolver,
        expect: ProofExpectation,
        loader: DocumentLoader | None = None,
        require_key_binding: bool = False,
    ) -> Verified:
        """Verify a ``vc+jwt`` (or, for ``authentication``, a ``vp+jwt``) token."""
        from passeport.proofs.jose import verify_jwt

        if expect.proof_purpose == "authentication":
            result = verify_jwt(
                str(secured),
                resolver=resolver,
                now=expect.now,
                expect="presentation",
                nonce=expect.challenge,
                audience=expect.domain,
                max_clock_skew=expect.max_clock_skew,
                max_age=expect.max_age,
            )
        else:
            result = verify_jwt(
                str(secured),
                resolver=resolver,
                now=expect.now,
                expect="credential",
                max_clock_skew=expect.max_clock_skew,
            )
        return _verified(result)

    def confirm(
        self,
        secured: Mapping[str, Any] | str,
        *,
        resolver: DidResolver,
        expect: ProofExpectation,
        loader: DocumentLoader | None = None,
    ) -> tuple[ProofOutcome, ...]:
        """Check the token as its holder receives it: the plain verification."""
        return self.verify(secured, resolver=resolver, expect=expect, loader=loader).outcomes


@dataclass(frozen=True, slots=True)
class SdJwtMechanism:
    """SD-JWT VC: disclosable claims, bound to the holder's key (``cnf``) when it is known."""

    name: str = "sd-jwt"
    label: str = "SD-JWT"
    media_type: str = f"application/{DC_SD_JWT}"
    media_types: tuple[str, ...] = (f"application/{DC_SD_JWT}", f"application/{VC_SD_JWT}")
    presentation_media_type: None = None
    key_algorithms: frozenset[KeyAlgorithm] = _ALL_KEYS
    derives: bool = True
    enveloping: bool = True
    takes_mandatory: bool = True
    signs_presentations: bool = False
    file_suffix: str = ".sd-jwt"
    format_id: str = DC_SD_JWT
    status_list_suite: str | None = None
    cryptosuite: None = None

    def accepts(self, key: PublicKey) -> bool:
        """Tell whether ``key`` signs JWS here (EdDSA, ES256, ES384)."""
        return key.algorithm in self.key_algorithms

    def recognizes(self, secured: Any) -> bool:
        """Tell whether ``secured`` is an SD-JWT (``<jwt>~<disclosure>~...~``)."""
        return isinstance(secured, str) and "~" in secured

    def binds_holder_key(self, secured: Any) -> bool:
        """Tell whether the SD-JWT names its holder's key (``cnf``): only that key presents it."""
        if not isinstance(secured, str):
            return False
        try:
            claims = parse_compact(secured.strip().split("~", 1)[0]).claims()
        except InputError:
            return False
        return "cnf" in claims

    def is_holder_form(self, secured: Any) -> bool:
        """An SD-JWT without Key Binding is checked by verifiers as it is."""
        return False

    def secure(
        self,
        unsigned: Mapping[str, Any],
        signer: Signer,
        *,
        issued_at: datetime | None = None,
        mandatory: Sequence[str] = (),
        holder: str | None = None,
        loader: DocumentLoader | None = None,
        where: str | None = None,
    ) -> str:
        """Issue an SD-JWT VC: the subject's claims disclosable, ``mandatory`` ones in clear.

        ``holder``, a did:key or did:jwk, binds the credential to that key
        (``cnf``); another holder leaves it unbound.
        """
        from passeport.proofs.sdjwt import default_disclosable, holder_jwk, issue_sd_jwt

        bound = isinstance(holder, str) and holder.startswith(("did:key:", "did:jwk:"))
        return issue_sd_jwt(
            unsigned,
            signer,
            disclosable=default_disclosable(unsigned, mandatory=mandatory),
            holder_jwk=holder_jwk(str(holder)) if bound else None,
            issued_at=issued_at,
            loader=loader,
            where=where,
        )

    def derive(
        self,
        secured: Mapping[str, Any] | str,
        reveal: Sequence[str],
        *,
        holder: Signer | PrivateKey | None = None,
        nonce: str | None = None,
        audience: str | None = None,
        issued_at: datetime | None = None,
        expires: datetime | None = None,
        loader: DocumentLoader | None = None,
    ) -> str:
        """Keep the disclosures ``reveal`` needs; with ``holder``, add a Key Binding JWT.

        See :func:`proofs.sdjwt.present_sd_jwt`.
        """
        from passeport.proofs.sdjwt import present_sd_jwt

        return present_sd_jwt(
            str(secured),
            reveal,
            holder_key=holder,
            nonce=nonce,
            audience=audience,
            issued_at=issued_at,
            expires=expires,
        )

    def verify(
        self,
        secured: Mapping[str, Any] | str,
        *,
        resolver: DidResolver,
        expect: ProofExpectation,
        loader: DocumentLoader | None = None,
        require_key_binding: bool = False,
    ) -> Verified:
        """Verify an SD-JWT (with its Key Binding JWT bound to the expected challenge)."""
        from passeport.proofs.sdjwt import verify_sd_jwt

        result = verify_sd_jwt(
            str(secured),
            resolver=resolver,
            now=expect.now,
            nonce=expect.challenge,
            audience=expect.domain,
            require_key_binding=require_key_binding,
            max_age=expect.max_age,
            max_clock_skew=expect.max_clock_skew,
        )
        return _verified(result)

    def confirm(
        self,
        secured: Mapping[str, Any] | str,
        *,
        resolver: DidResolver,
        expect: ProofExpectation,
        loader: DocumentLoader | None = None,
    ) -> tuple[ProofOutcome, ...]:
        """Check the SD-JWT as its holder receives it: no Key Binding expected."""
        return self.verify(secured, resolver=resolver, expect=expect, loader=loader).outcomes


BUILTIN: Final = (
    DataIntegrityMechanism(EDDSA_RDFC_2022, _ED),
    DataIntegrityMechanism(EDDSA_JCS_2022, _ED),
    DataIntegrityMechanism(ECDSA_RDFC_2019, _CURVES),
    DataIntegrityMechanism(ECDSA_JCS_2019, _CURVES),
    DataIntegrityMechanism(ECDSA_SD_2023, _CURVES, status_list_suite=ECDSA_RDFC_2019.name),
    VcJwtMechanism(),
    SdJwtMechanism(),
)
"""The mechanisms :mod:`proofs.mechanism` registers, in the order they are listed."""
