"""The W3C ``ecdsa-sd-2023`` vectors, step by step, base proof to verification.

Spec: https://www.w3.org/TR/vc-di-ecdsa/ , "Representation: ecdsa-sd-2023"
(``employ/``) and "Additional Example for Representation: ecdsa-sd-2023"
(``prc/``). The vectors' ECDSA signatures are deterministic (RFC 6979), as
ours are, so every byte is reproduced: the base proofValue, the derived
proofValue and both signed documents. ``prc/`` takes ``addSignedSDBase.json``
minus its proof as input (see the vectors README, "Known upstream
inconsistency").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest

from passeport.contexts import bundled_loader, canonicalize
from passeport.did.keys import PrivateKey
from passeport.did.multikey import decode_base58btc, decode_private, decode_public, encode_base58btc
from passeport.did.resolve import DidResolver
from passeport.proofs import ProofExpectation, verify_proofs
from passeport.proofs import sd_primitives as sd
from passeport.proofs.ecdsa_sd import (
    ECDSA_SD_2023,
    BaseProofValue,
    DerivedProofValue,
    derive,
    parse_proof_value,
)
from passeport.proofs.outcome import Outcome
from passeport.proofs.registry import DATA_INTEGRITY_SUITES
from passeport.proofs.suite import KeySigner
from tests.conftest import FIXED_NOW, VECTORS, load_json

SPEC = "https://www.w3.org/TR/vc-di-ecdsa/#representation-ecdsa-sd-2023"
LOADER = bundled_loader()
KEYS = load_json(VECTORS / "ecdsa-sd-2023" / "SDKeyMaterial.json")


@dataclass(frozen=True)
class SdCase:
    """One ``ecdsa-sd-2023`` vector folder, driven by ``vectors/index.json``."""

    id: str
    roles: dict[str, str]

    def json(self, role: str) -> Any:
        return load_json(VECTORS / self.roles[role])

    def text(self, role: str) -> str:
        return (VECTORS / self.roles[role]).read_text("utf-8")

    @cached_property
    def signed(self) -> dict[str, Any]:
        return dict(self.json("addSignedSDBase"))

    @property
    def unsecured(self) -> dict[str, Any]:
        return {k: v for k, v in self.signed.items() if k != "proof"}

    @property
    def mandatory(self) -> list[str]:
        return list(self.json("mandatoryPointers"))

    @property
    def selective(self) -> list[str]:
        return list(self.json("selectivePointers"))


def _cases() -> list[SdCase]:
    index = load_json(VECTORS / "index.json")
    cases = []
    for case in index["cases"]:
        if case.get("cryptosuite") != "ecdsa-sd-2023":
            continue
        roles = {k: v for k, v in case.items() if isinstance(v, str) and v.endswith(".json")}
        for stage in ("base", "derive", "verify"):
            roles.update(case[stage])
        cases.append(SdCase(case["id"], roles))
    return cases


CASES = _cases()
HMAC_KEY = bytes.fromhex(KEYS["hmacKeyString"])
ISSUER: PrivateKey = decode_private(KEYS["baseKeyPair"]["secretKeyMultibase"])
PROOF_KEY: PrivateKey = decode_private(KEYS["proofKeyPair"]["secretKeyMultibase"])
HMAC_LABELS = sd.hmac_label_map_function(HMAC_KEY, hash_name="sha256")

pytestmark = pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])


def _map(entries: dict[str, Any]) -> dict[Any, Any]:
    """Read the vectors' ``{"dataType": "Map", "value": [[k, v], ...]}`` encoding."""
    assert entries["dataType"] == "Map"
    return {key: value for key, value in entries["value"]}


def _random(case: SdCase) -> str:
    """The UUID the vector's skolemization used, so that our skolem ids are the same."""
    text = json.dumps(case.json("derivedAllGroupData")["skolemized"]["expanded"])
    return text.split("urn:bnid:_", 1)[1].split("_", 1)[0]


def test_key_material_is_consistent(case: SdCase) -> None:
    assert ISSUER.public_key == decode_public(KEYS["baseKeyPair"]["publicKeyMultibase"])
    assert PROOF_KEY.public_key == decode_public(KEYS["proofKeyPair"]["publicKeyMultibase"])
    assert case.id in {"ecdsa-sd-2023/employ", "ecdsa-sd-2023/prc"}


def test_pointer_values(case: SdCase) -> None:
    for entry in case.json("addPointerValues"):
        paths = sd.parse_pointer(entry["pointer"])
        selection = sd.select_json_ld(case.unsecured, [entry["pointer"]])
        value: Any = selection
        for path in paths:
            value = value[path]
        assert value == entry["value"], SPEC


def test_canonical_and_hmac_relabelled_nquads(case: SdCase) -> None:
    assert canonicalize(case.unsecured, LOADER).lines() == case.json("addBaseDocCanon")
    labelled = sd.label_replacement_canonicalize_json_ld(
        case.unsecured, HMAC_LABELS, LOADER, hash_name="sha256"
    )
    assert labelled.nquads == case.json("addBaseDocHMACCanon"), SPEC


def test_base_transformation_splits_mandatory_statements(case: SdCase) -> None:
    grouping = sd.canonicalize_and_group(
        case.unsecured, HMAC_LABELS, {"mandatory": case.mandatory}, LOADER, hash_name="sha256"
    )
    expected = case.json("addBaseTransform")
    assert expected["mandatoryPointers"] == case.mandatory
    assert grouping.groups["mandatory"].matching == _map(expected["mandatory"])
    assert grouping.groups["mandatory"].non_matching == _map(expected["nonMandatory"])
    assert grouping.nquads == case.json("addBaseDocHMACCanon")


def test_proof_configuration_and_hashes(case: SdCase) -> None:
    config = case.json("addProofConfig")
    canonical = canonicalize(config, LOADER).nquads
    assert canonical == case.text("addProofConfigCanon")
    hashes = case.json("addHashData")
    assert hashlib.sha256(canonical.encode()).hexdigest() == hashes["proofHash"]
    mandatory = _map(case.json("addBaseTransform")["mandatory"]).values()
    assert sd.hash_mandatory(mandatory, hash_name="sha256").hex() == hashes["mandatoryHash"]


def test_base_signatures_are_reproduced(case: SdCase) -> None:
    hashes = case.json("addHashData")
    raw = case.json("addRawBaseSignatureInfo")
    public_key = decode_base58btc(raw["publicKey"])
    assert public_key == b"\x80\x24" + PROOF_KEY.public_key.raw_bytes()
    proof_hash, mandatory_hash = (bytes.fromhex(hashes[k]) for k in ("proofHash", "mandatoryHash"))
    to_sign = proof_hash + public_key + mandatory_hash
    assert ISSUER.sign(to_sign).hex() == raw["baseSignature"], "RFC 6979 base signature"
    non_mandatory = _map(case.json("addBaseTransform")["nonMandatory"]).values()
    signatures = [PROOF_KEY.sign(line.encode()).hex() for line in non_mandatory]
    assert signatures == raw["signatures"]


def test_base_proof_value_and_signed_document_are_reproduced(case: SdCase) -> None:
    config = case.json("addProofConfig")
    proof_value = ECDSA_SD_2023.create_proof_value(
        case.unsecured,
        config,
        KeySigner(ISSUER, config["verificationMethod"]),
        loader=LOADER,
        mandatory=case.mandatory,
        hmac_key=HMAC_KEY,
        proof_key=PROOF_KEY,
    )
    proof = {k: v for k, v in config.items() if k != "@context"}
    assert {**case.unsecured, "proof": {**proof, "proofValue": proof_value}} == case.signed, SPEC


def test_base_proof_value_parses_to_the_recovered_data(case: SdCase) -> None:
    parsed = parse_proof_value(case.signed["proof"]["proofValue"])
    assert isinstance(parsed, BaseProofValue)
    recovered = case.json("derivedRecoveredBaseData")
    assert parsed.base_signature.hex() == recovered["baseSignature"]
    assert encode_base58btc(parsed.public_key) == recovered["proofPublicKey"]
    assert parsed.hmac_key.hex() == recovered["hmacKey"]
    assert [s.hex() for s in parsed.signatures] == recovered["signatures"]
    assert list(parsed.mandatory_pointers) == recovered["mandatoryPointers"]


def test_skolemization_and_groups(case: SdCase) -> None:
    data = case.json("derivedAllGroupData")
    expanded, compact = sd.skolemize_compact(case.unsecured, LOADER, random=_random(case))
    assert expanded == data["skolemized"]["expanded"]
    assert compact == data["skolemized"]["compact"]
    assert sd.to_deskolemized_nquads(compact, LOADER) == data["deskolemizedNQuads"]
    grouping = sd.canonicalize_and_group(
        case.unsecured,
        HMAC_LABELS,
        {
            "mandatory": case.mandatory,
            "selective": case.selective,
            "combined": case.mandatory + case.selective,
        },
        LOADER,
        hash_name="sha256",
        random=_random(case),
    )
    assert grouping.label_map == _map(data["labelMap"])
    assert grouping.nquads == data["nquads"]
    for name, group in data["groups"].items():
        ours = grouping.groups[name]
        assert ours.matching == _map(group["matching"]), name
        assert ours.non_matching == _map(group["nonMatching"]), name
        assert sorted(ours.deskolemized) == sorted(group["deskolemizedNQuads"]), name
    indexes = case.json("derivedGroupIndexes")
    assert list(grouping.groups["combined"].matching) == indexes["combinedIndexes"]
    assert list(grouping.groups["mandatory"].matching) == indexes["mandatoryIndexes"]
    assert list(grouping.groups["mandatory"].non_matching) == indexes["nonMandatoryIndexes"]
    assert list(grouping.groups["selective"].matching) == indexes["selectiveIndexes"]


def test_derived_document_is_reproduced(case: SdCase) -> None:
    derived: dict[str, Any] = derive(case.signed, case.selective, loader=LOADER)
    assert derived == case.json("derivedRevealDocument"), SPEC
    assert {k: v for k, v in derived.items() if k != "proof"} == case.json("derivedUnsignedReveal")
    parsed = parse_proof_value(derived["proof"]["proofValue"])
    assert isinstance(parsed, DerivedProofValue)
    disclosure = case.json("derivedDisclosureData")
    assert parsed.base_signature.hex() == disclosure["baseSignature"]
    assert encode_base58btc(parsed.public_key) == disclosure["publicKey"]
    assert [s.hex() for s in parsed.signatures] == disclosure["signatures"]
    assert dict(parsed.label_map) == _map(disclosure["labelMap"])
    assert list(parsed.mandatory_indexes) == disclosure["mandatoryIndexes"]
    assert (
        disclosure["mandatoryIndexes"]
        == case.json("derivedAdjMandatoryIndexes")["adjMandatoryIndexes"]
    )
    adjusted = case.json("derivedAdjSignatures")
    assert [s.hex() for s in parsed.signatures] == adjusted["filteredSignatures"]


def test_verify_data(case: SdCase) -> None:
    reveal = case.json("derivedRevealDocument")
    parsed = parse_proof_value(reveal["proof"]["proofValue"])
    assert isinstance(parsed, DerivedProofValue)
    expected = case.json("verifyDerivedProofValue")
    assert [list(item) for item in parsed.label_map.items()] == expected["labelMap"]
    assert [s.hex() for s in parsed.signatures] == expected["signatures"]
    unsecured = {k: v for k, v in reveal.items() if k != "proof"}
    labelled = sd.label_replacement_canonicalize_json_ld(
        unsecured, sd.label_map_function(parsed.label_map), LOADER, hash_name="sha256"
    )
    assert labelled.nquads == case.json("verifyNQuads")
    verify_data = case.json("verifyCreateVerifyData")
    wanted = set(parsed.mandatory_indexes)
    mandatory = [line for i, line in enumerate(labelled.nquads) if i in wanted]
    non_mandatory = [line for i, line in enumerate(labelled.nquads) if i not in wanted]
    assert non_mandatory == verify_data["nonMandatory"]
    assert sd.hash_mandatory(mandatory, hash_name="sha256").hex() == verify_data["mandatoryHash"]
    config = {k: v for k, v in reveal["proof"].items() if k != "proofValue"}
    proof_hash = hashlib.sha256(
        canonicalize({**config, "@context": reveal["@context"]}, LOADER).nquads.encode()
    ).hexdigest()
    assert proof_hash == verify_data["proofHash"]


def test_derived_proof_verifies_through_the_engine(case: SdCase) -> None:
    outcomes = verify_proofs(
        case.json("derivedRevealDocument"),
        expect=ProofExpectation(now=FIXED_NOW),
        resolver=DidResolver(),
        loader=LOADER,
        suites=DATA_INTEGRITY_SUITES,
    )
    assert [(o.code, o.outcome) for o in outcomes] == [("proof.signature", Outcome.PASSED)]


def test_base_proof_is_refused_by_the_verifier_and_confirmed_by_the_holder(case: SdCase) -> None:
    outcomes = verify_proofs(
        case.signed,
        expect=ProofExpectation(now=FIXED_NOW),
        resolver=DidResolver(),
        loader=LOADER,
        suites=DATA_INTEGRITY_SUITES,
    )
    assert [(o.code, o.outcome) for o in outcomes] == [("proof.base", Outcome.FAILED)]
    config = {**case.json("addProofConfig")}
    assert ECDSA_SD_2023.confirm_proof_value(
        case.unsecured, config, case.signed["proof"]["proofValue"], ISSUER.public_key, loader=LOADER
    )
