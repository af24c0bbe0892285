"""The registry of securing mechanisms: the built-ins, and a toy one registered from outside.

The toy ``toy-jws`` (an Ed25519 JWS of the credential, media type
``application/toy+jws``) is defined here, not in the package: the issuer,
the wallet and the verifier handle it through the registry alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from passeport._json import JsonObject
from passeport.contexts import DocumentLoader
from passeport.did.keys import KeyAlgorithm, PublicKey
from passeport.did.resolve import DidResolver
from passeport.errors import InputError, PasseportError
from passeport.issuer import issue, publish_status
from passeport.issuer.issue import enveloped_token
from passeport.proofs._jws import (
    encode_compact,
    json_bytes,
    parse_compact,
    signer_of,
    verify_signature,
)
from passeport.proofs.checks import ProofExpectation, ProofOutcome, Verified
from passeport.proofs.jose import prepare_document
from passeport.proofs.mechanism import (
    data_integrity_suites,
    default_suite,
    mechanism_for,
    mechanism_for_media_type,
    mechanism_named,
    mechanisms,
    register,
    unregister,
)
from passeport.proofs.outcome import Outcome
from passeport.proofs.suite import Signer
from passeport.verifier import Environment, Policy, verify_any, verify_presentation
from passeport.wallet import CredentialFormat, add, present
from tests.conftest import FIXED_NOW
from tests.issuer._helpers import ISSUED_AT, example, make_profile, offline
from tests.wallet._helpers import CREATED, UNIVERSITY, diploma_document, env, new_wallet, policy

TOY_TYP = "toy+jws"


@dataclass(frozen=True, slots=True)
class ToyJws:
    """An enveloping mechanism: the credential as the payload of an Ed25519 JWS, typ toy+jws."""

    name: str = "toy-jws"
    label: str = "toy JWS"
    media_type: str = f"application/{TOY_TYP}"
    media_types: tuple[str, ...] = (f"application/{TOY_TYP}",)
    presentation_media_type: str | None = None
    key_algorithms: frozenset[KeyAlgorithm] = frozenset({KeyAlgorithm.ED25519})
    derives: bool = False
    enveloping: bool = True
    takes_mandatory: bool = False
    signs_presentations: bool = False
    file_suffix: str = ".toy"
    format_id: str | None = None
    status_list_suite: str | None = None
    cryptosuite: None = None

    def accepts(self, key: PublicKey) -> bool:
        return key.algorithm in self.key_algorithms

    def recognizes(self, secured: Any) -> bool:
        if not isinstance(secured, str):
            return False
        try:
            return parse_compact(secured.strip()).header.get("typ") == TOY_TYP
        except InputError:
            return False

    def binds_holder_key(self, secured: Any) -> bool:
        return False

    def is_holder_form(self, secured: Any) -> bool:
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
        document = prepare_document(unsigned, signer, kind="credential", loader=loader, where=where)
        header = {"alg": "EdDSA", "kid": signer.verification_method, "typ": TOY_TYP}
        return encode_compact(header, json_bytes(document), signer_of(signer))

    def derive(self, secured: Any, reveal: Sequence[str], **options: Any) -> str:
        raise InputError("a toy JWS is shown whole")

    def verify(
        self,
        secured: Mapping[str, Any] | str,
        *,
        resolver: DidResolver,
        expect: ProofExpectation,
        loader: DocumentLoader | None = None,
        require_key_binding: bool = False,
    ) -> Verified:
        try:
            jws = parse_compact(str(secured).strip())
            kid = str(jws.header.get("kid"))
            key = resolver.resolve(kid.split("#")[0]).verification_method(kid).public_key
        except PasseportError as exc:
            failed = ProofOutcome("proof.malformed", Outcome.FAILED, exc.message)
            return Verified((failed,), None, TOY_TYP)
        ok = verify_signature(jws, key, alg="EdDSA")
        outcome = ProofOutcome(
            "proof.signature",
            Outcome.PASSED if ok else Outcome.FAILED,
            "toy signature verifies" if ok else "toy signature does not verify",
            None,
            self.name,
            kid,
        )
        document: JsonObject = jws.claims()
        return Verified((outcome,), document, TOY_TYP, json_ld=True, verification_method=kid)

    def confirm(
        self,
        secured: Mapping[str, Any] | str,
        *,
        resolver: DidResolver,
        expect: ProofExpectation,
        loader: DocumentLoader | None = None,
    ) -> tuple[ProofOutcome, ...]:
        return self.verify(secured, resolver=resolver, expect=expect, loader=loader).outcomes


@pytest.fixture
def toy() -> Iterator[ToyJws]:
    mechanism = ToyJws()
    register(mechanism)
    try:
        yield mechanism
    finally:
        unregister(mechanism.name)


def test_the_built_in_mechanisms_declare_what_they_are() -> None:
    names = [m.name for m in mechanisms()]
    assert names[:7] == [
        "eddsa-rdfc-2022",
        "eddsa-jcs-2022",
        "ecdsa-rdfc-2019",
        "ecdsa-jcs-2019",
        "ecdsa-sd-2023",
        "vc-jwt",
        "sd-jwt",
    ]
    assert set(data_integrity_suites()) == set(names[:5])
    sd, jwt, sd_jwt = (mechanism_named(n) for n in ("ecdsa-sd-2023", "vc-jwt", "sd-jwt"))
    assert sd.derives and sd.takes_mandatory and not sd.enveloping and sd.media_type is None
    assert sd.status_list_suite == "ecdsa-rdfc-2019"
    assert (
        not jwt.derives and jwt.enveloping and jwt.presentation_media_type == "application/vp+jwt"
    )
    assert sd_jwt.derives and sd_jwt.file_suffix == ".sd-jwt"
    assert mechanism_for_media_type("application/vc+sd-jwt") is sd_jwt
    assert mechanism_for_media_type("APPLICATION/DC+SD-JWT") is sd_jwt
    assert mechanism_for_media_type("application/vp+jwt", presentation=True) is jwt
    assert mechanism_for_media_type("application/json") is None
    assert default_suite(KeyAlgorithm.P384) == "ecdsa-rdfc-2019"
    with pytest.raises(ValueError, match='unknown cryptosuite "bbs-2023" \\(known: eddsa-rdfc'):
        mechanism_named("bbs-2023")


def test_a_name_or_media_type_is_registered_once(toy: ToyJws) -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(toy)
    with pytest.raises(ValueError, match="application/vc\\+jwt is already registered"):
        register(ToyJws(name="toy-2", media_types=("application/vc+jwt",)))
    with pytest.raises(ValueError, match="unknown cryptosuite"):
        unregister("toy-2")


def test_the_toy_is_forgotten_once_unregistered() -> None:
    register(ToyJws())
    unregister("toy-jws")
    assert "toy-jws" not in {m.name for m in mechanisms()}
    assert mechanism_for_media_type("application/toy+jws") is None


def test_the_issuer_issues_with_a_registered_mechanism(tmp_path: Path, toy: ToyJws) -> None:
    profile = make_profile(tmp_path / "univ")
    issued = issue(profile, "skill", example("skill"), suite=toy.name, issued_at=ISSUED_AT)
    assert str(issued["id"]).startswith("data:application/toy+jws,")
    token = enveloped_token(issued)
    assert token is not None and mechanism_for(token) is toy
    publish_status(profile, tmp_path / "web", at=ISSUED_AT)
    # The verifier reads the envelope and the token alike, and runs every other check on it.
    for given in (issued, token):
        result = verify_any(given, env=offline(tmp_path / "web"))
        assert result.verified, result.failures()
        assert {c.code for c in result.checks} >= {"proof.signature", "status.revocation"}


def test_the_wallet_adds_and_presents_it_and_the_verifier_accepts(
    tmp_path: Path, toy: ToyJws
) -> None:
    token = toy.secure(diploma_document(), UNIVERSITY, issued_at=CREATED)
    wallet = new_wallet(tmp_path)
    (outcome,) = add(wallet, [("diploma.toy", token)], policy=policy(), env=env())
    assert outcome.status == "added", outcome.reason
    held = wallet.credential(str(outcome.id))
    assert held.info.format is CredentialFormat.ENVELOPED
    assert held.info.suites == ("toy-jws",)
    shown = present(
        wallet,
        [str(outcome.id)],
        reveal=["/credentialSubject/achievement/name"],
        challenge="c-1",
        domain="rh.example",
        now=FIXED_NOW,
    )
    assert shown.credentials[0].disclosure == "whole"
    assert "toy JWS cannot be partially disclosed" in shown.notes[0]
    vp: dict[str, Any] = shown.document
    item = vp["verifiableCredential"][0]
    assert item["id"] == f"data:application/toy+jws,{token}"
    verdict = verify_presentation(
        shown.document,
        policy=Policy(challenge="c-1", domain="rh.example", at=FIXED_NOW),
        env=env(),
    )
    assert verdict.verified, verdict.failures()


def test_a_forged_toy_token_is_refused_everywhere(tmp_path: Path, toy: ToyJws) -> None:
    token = toy.secure(diploma_document(), UNIVERSITY, issued_at=CREATED)
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    result = verify_any(forged, policy=Policy(at=FIXED_NOW), env=env())
    assert not result.verified and "proof.signature" in {c.code for c in result.failures()}
    wallet = new_wallet(tmp_path)
    (outcome,) = add(wallet, [("forged.toy", forged)], policy=policy(), env=env())
    assert outcome.status == "refused"
    # A verifier that does not list the toy refuses it, as it would any other suite.
    strict = Policy(at=FIXED_NOW, suites=frozenset({"vc-jwt"}))
    assert "proof.suite" in {c.code for c in verify_any(token, policy=strict, env=env()).failures()}


def test_the_verifier_names_no_unregistered_toy(tmp_path: Path) -> None:
    token = ToyJws().secure(diploma_document(), UNIVERSITY, issued_at=CREATED)
    envelope = {
        "@context": "https://www.w3.org/ns/credentials/v2",
        "type": "EnvelopedVerifiableCredential",
        "id": f"data:application/toy+jws,{token}",
    }
    result = verify_any(envelope, policy=Policy(at=FIXED_NOW), env=Environment())
    assert "input.envelope" in {c.code for c in result.failures()}


def test_every_built_in_mechanism_signs_with_a_signer_that_keeps_its_key(
    tmp_path: Path,
) -> None:
    """A key in an HSM or a KMS: only public_key, verification_method and sign() (issue 13)."""
    from passeport.did.keyfile import KeyPair
    from passeport.did.keys import PrivateKey

    class Remote:
        def __init__(self, pair: KeyPair) -> None:
            self.public_key = pair.public_key
            self.verification_method = pair.verification_method
            self._sign = pair.private_key.sign

        def sign(self, data: bytes) -> bytes:
            return bytes(self._sign(data))

    for mechanism in mechanisms():
        algorithm = min(mechanism.key_algorithms, key=list(KeyAlgorithm).index)
        pair = KeyPair.from_private_key(PrivateKey.from_raw(algorithm, bytes([9]) * 32))
        remote = Remote(pair)
        assert not hasattr(remote, "private_key")
        unsigned = {**diploma_document(), "issuer": pair.controller}
        mandatory = ("/issuer",) if mechanism.takes_mandatory else ()
        secured: Any = mechanism.secure(unsigned, remote, issued_at=CREATED, mandatory=mandatory)
        if mechanism.derives:
            secured = mechanism.derive(secured, ["/credentialSubject/achievement/name"])
        result = verify_any(secured, policy=Policy(at=FIXED_NOW), env=env())
        assert result.verified, (mechanism.name, result.failures())
