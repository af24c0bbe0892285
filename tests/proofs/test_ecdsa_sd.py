"""ecdsa-sd-2023 as issuer, holder and recruiter use it: sign, derive, verify, tamper.

Spec: https://www.w3.org/TR/vc-di-ecdsa/#ecdsa-sd-2023 . The W3C vectors are
in ``tests/vectors/test_ecdsa_sd_vectors.py``; here are round trips, the
refusals, and Digital Bazaar's credentials (``shared/interop/dbjs``).
"""

from __future__ import annotations

import contextlib
import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from passeport.contexts import bundled_loader
from passeport.did.keyfile import KeyPair, write_key_file
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import InputError, PasseportError, SigningError
from passeport.proofs import (
    ECDSA_SD_2023,
    EDDSA_RDFC_2022,
    KeySigner,
    Outcome,
    ProofOptions,
    add_proof,
    verify_base,
)
from passeport.proofs import cli as proofs_cli
from passeport.proofs import derive as derive_disclosure
from passeport.proofs import sd_primitives as sd
from passeport.proofs.ecdsa_sd import (
    BaseProofValue,
    DerivedProofValue,
    parse_proof_value,
    serialize_proof_value,
)
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment, Policy, verify_any, verify_credential
from tests.conftest import DBJS, FIXED_NOW, VECTORS, load_json

LOADER = bundled_loader()
ENV = Environment(clock=lambda: FIXED_NOW)
CREATED = datetime(2025, 7, 1, 12, tzinfo=UTC)
MANDATORY = ("/issuer", "/validFrom")
BASE_REASON = "a base proof is not for verifiers; the holder must derive a disclosure proof"


def _pair(algorithm: KeyAlgorithm, fill: int) -> KeyPair:
    size = 48 if algorithm is KeyAlgorithm.P384 else 32
    return KeyPair.from_private_key(PrivateKey.from_raw(algorithm, bytes([fill]) * size))


ISSUER = _pair(KeyAlgorithm.P256, 0x21)
ISSUER_384 = _pair(KeyAlgorithm.P384, 0x22)


def _diploma(pair: KeyPair, *, name: str = "Camille Martin") -> dict[str, Any]:
    document: dict[str, Any] = load_json(DBJS / "inputs" / "diploma-ob3-v2.json")
    document["issuer"] = {"id": pair.controller, "type": ["Profile"], "name": "Université Exemple"}
    document["credentialSubject"]["name"] = name
    document["credentialSubject"]["achievement"]["alignment"] = [
        {
            "type": ["Alignment"],
            "targetName": "RNCP37674",
            "targetUrl": "https://www.francecompetences.fr/recherche/rncp/37674/",
        },
        {
            "type": ["Alignment"],
            "targetName": "ESCO 2512",
            "targetUrl": "https://esco.ec.europa.eu/en/classification/occupation?uri=2512",
        },
    ]
    return document


def _sign(document: dict[str, Any], pair: KeyPair, mandatory: tuple[str, ...] = MANDATORY) -> Any:
    return sign_document(
        document, pair, suite="ecdsa-sd-2023", created=CREATED, mandatory=mandatory, loader=LOADER
    )


SIGNED = _sign(_diploma(ISSUER), ISSUER)


def derive(secured: Any, reveal: list[str], *, loader: Any = LOADER) -> dict[str, Any]:
    """:func:`proofs.derive`, typed loosely for the tests' JSON indexing."""
    derived: dict[str, Any] = derive_disclosure(secured, reveal, loader=loader)
    return derived


def _codes(result: Any) -> list[tuple[str, str]]:
    return [(c.code, str(c.outcome)) for c in result.failures()]


def _bytes(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    "reveal",
    [
        [],
        ["/credentialSubject/name"],
        ["/credentialSubject/achievement/name", "/credentialSubject/achievement/achievementType"],
        ["/credentialSubject/achievement"],
        ["/credentialSubject", "/name", "/id"],
        ["/credentialSubject/creditsEarned", "/credentialSubject/activityEndDate"],
    ],
)
def test_derived_disclosures_verify(reveal: list[str]) -> None:
    derived = derive(SIGNED, reveal, loader=LOADER)
    result = verify_credential(derived, env=ENV)
    if "credentialSubject" in derived:
        assert result.verified, result.failures()
    else:  # VC 2.0: a credential without credentialSubject is not one (issue 20)
        assert _codes(result) == [("input.subject", "failed")]
    assert derived["issuer"] == SIGNED["issuer"]
    assert derived["validFrom"] == SIGNED["validFrom"]
    assert parse_proof_value(derived["proof"]["proofValue"]).__class__ is DerivedProofValue


def test_undisclosed_values_appear_nowhere_in_the_derived_bytes() -> None:
    # The employment authorization of the W3C vectors carries a birth date.
    document: dict[str, Any] = load_json(VECTORS / "ecdsa-sd-2023/employ/employmentAuth.json")
    document["issuer"] = {"id": ISSUER.controller}
    signed = _sign(document, ISSUER, ("/issuer",))
    derived = derive(signed, ["/credentialSubject/givenName", "/validFrom"], loader=LOADER)
    data = _bytes(derived)
    assert b"JOHN" in data
    for hidden in ("1999-07-17", "birthDate", "Bahamas", "SMITH", "999-999-999", "83627465"):
        assert hidden.encode() not in data, hidden
        assert hidden.encode() in _bytes(signed)
    assert verify_credential(derived, env=ENV).verified


def test_one_element_of_an_array_can_be_revealed() -> None:
    derived = derive(SIGNED, ["/credentialSubject/achievement/alignment/1"], loader=LOADER)
    alignment = derived["credentialSubject"]["achievement"]["alignment"]
    assert alignment == [SIGNED["credentialSubject"]["achievement"]["alignment"][1]]
    assert b"RNCP37674" not in _bytes(derived)
    assert verify_credential(derived, env=ENV).verified
    both = derive(SIGNED, ["/credentialSubject/achievement/alignment"], loader=LOADER)
    assert len(both["credentialSubject"]["achievement"]["alignment"]) == 2
    assert verify_credential(both, env=ENV).verified


@pytest.mark.parametrize(
    "pointer",
    [
        "/credentialSubject/0/name",
        "/credentialSubject/0/type/0",
        "/credentialSubject/0/achievement/alignment/1/targetName",
        "/type/1",
    ],
)
def test_pointers_are_written_against_the_credential_as_it_is(pointer: str) -> None:
    # JSON-LD compaction would turn these one-element arrays into plain values.
    document = _diploma(ISSUER)
    document["credentialSubject"] = [document["credentialSubject"]]
    signed = _sign(document, ISSUER)
    derived = derive(signed, [pointer, "/credentialSubject/0/type"], loader=LOADER)
    assert verify_credential(derived, env=ENV).verified
    expected: Any = signed
    for path in sd.parse_pointer(pointer):
        expected = expected[path]
    assert json.dumps(expected, ensure_ascii=False).encode() in _bytes(derived)


def test_align_pointer() -> None:
    original = {"a": ["x"], "b": {"c": 1}, "d": [{"e": 2}, {"e": 3}]}
    compacted = {"a": "x", "b": [{"c": 1}], "d": [{"e": 2}, {"e": 3}]}
    assert sd.align_pointer("/a/0", original, compacted) == "/a"
    assert sd.align_pointer("/b/c", original, compacted) == "/b/0/c"
    assert sd.align_pointer("/d/1/e", original, compacted) == "/d/1/e"
    assert sd.align_pointer("/a/1", original, compacted) == "/a/1"  # unresolved: as written
    assert sd.align_pointer("/zz", original, compacted) == "/zz"
    assert sd.align_pointer("/x~1y", {"x/y": 1}, {"x/y": 1}) == "/x~1y"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("credentialSubject", "name"), "Mallory"),
        (("credentialSubject", "achievement", "name"), "Doctor of Medicine"),
        (("issuer", "name"), "Université Contrefaite"),  # mandatory
        (("validFrom",), "2020-01-01T00:00:00Z"),  # mandatory
    ],
)
def test_changing_a_disclosed_value_fails(path: tuple[str, ...], value: str) -> None:
    derived = derive(
        SIGNED, ["/credentialSubject/name", "/credentialSubject/achievement/name"], loader=LOADER
    )
    tampered = copy.deepcopy(derived)
    target = tampered
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert _codes(verify_credential(tampered, env=ENV)) == [("proof.signature", "failed")]


def test_adding_back_an_undisclosed_statement_fails() -> None:
    derived = derive(SIGNED, ["/credentialSubject/name"], loader=LOADER)
    derived["credentialSubject"]["creditsEarned"] = 120
    assert _codes(verify_credential(derived, env=ENV)) == [("proof.signature", "failed")]


def test_a_statement_or_proof_from_another_credential_does_not_fit() -> None:
    other = _sign(_diploma(ISSUER, name="Dominique Petit"), ISSUER)
    reveal = ["/credentialSubject/name"]
    mine, theirs = derive(SIGNED, reveal, loader=LOADER), derive(other, reveal, loader=LOADER)
    assert verify_credential(theirs, env=ENV).verified
    swapped = copy.deepcopy(mine)
    swapped["credentialSubject"]["name"] = theirs["credentialSubject"]["name"]
    assert _codes(verify_credential(swapped, env=ENV)) == [("proof.signature", "failed")]
    grafted = {**mine, "proof": theirs["proof"]}
    assert _codes(verify_credential(grafted, env=ENV)) == [("proof.signature", "failed")]


def test_a_base_proof_given_to_a_verifier_fails_with_its_own_reason() -> None:
    result = verify_credential(SIGNED, env=ENV)
    assert _codes(result) == [("proof.base", "failed")]
    assert result.failures()[0].message == BASE_REASON
    assert result.failures()[0].pointer == "/proof/proofValue"


def test_the_holder_confirms_a_base_proof() -> None:
    outcomes = verify_base(SIGNED, loader=LOADER)
    assert [(o.code, o.outcome) for o in outcomes] == [("proof.signature", Outcome.PASSED)]
    tampered = copy.deepcopy(SIGNED)
    tampered["credentialSubject"]["creditsEarned"] = 121
    assert [o.outcome for o in verify_base(tampered, loader=LOADER)] == [Outcome.FAILED]
    derived = derive(SIGNED, ["/credentialSubject/name"], loader=LOADER)
    failed = verify_base(derived, loader=LOADER)
    assert [o.outcome for o in failed] == [Outcome.FAILED]
    assert "a base proof is expected" in failed[0].message


def test_p384_issuer_keys_hash_with_sha384() -> None:
    signed = _sign(_diploma(ISSUER_384), ISSUER_384)
    base = parse_proof_value(signed["proof"]["proofValue"])
    assert isinstance(base, BaseProofValue)
    assert (len(base.base_signature), len(base.hmac_key)) == (96, 48)
    assert [o.outcome for o in verify_base(signed, loader=LOADER)] == [Outcome.PASSED]
    derived = derive(signed, ["/credentialSubject/name"], loader=LOADER)
    disclosed = parse_proof_value(derived["proof"]["proofValue"])
    assert isinstance(disclosed, DerivedProofValue)
    assert all(len(label) == 65 for label in disclosed.label_map.values())  # u + 64 chars
    assert verify_credential(derived, env=ENV).verified
    derived["credentialSubject"]["name"] = "Mallory"
    assert _codes(verify_credential(derived, env=ENV)) == [("proof.signature", "failed")]


def test_pointer_errors_name_the_pointer() -> None:
    with pytest.raises(InputError) as missing:
        derive(SIGNED, ["/credentialSubject/birthDate"], loader=LOADER)
    assert missing.value.pointer == "/credentialSubject/birthDate"
    assert "/credentialSubject/birthDate" in str(missing.value)
    assert str(missing.value) == (
        "/credentialSubject/birthDate: the pointer matches nothing in the credential"
    )
    with pytest.raises(InputError, match="must start with"):
        derive(SIGNED, ["credentialSubject"], loader=LOADER)
    with pytest.raises(InputError, match="invalid"):
        derive(SIGNED, ["/credentialSubject/a~2b"], loader=LOADER)
    with pytest.raises(InputError) as mandatory:
        _sign(_diploma(ISSUER), ISSUER, ("/credentialSubject/nope",))
    assert mandatory.value.pointer == "/credentialSubject/nope"


def test_what_cannot_be_derived() -> None:
    # The spec's algorithm alone, as another issuer may sign: no mandatory pointer at all.
    signer = KeySigner(ISSUER.private_key, ISSUER.verification_method)
    options = ProofOptions(created=CREATED)
    nothing = add_proof(_diploma(ISSUER), suite=ECDSA_SD_2023, signer=signer, options=options)
    with pytest.raises(InputError, match="nothing to disclose"):
        derive(nothing, [], loader=LOADER)
    # VC 2.0 requires credentialSubject: a disclosure without it is no credential (issue 20).
    issuer_only = derive(nothing, ["/issuer"], loader=LOADER)
    if "credentialSubject" not in issuer_only:
        assert _codes(verify_credential(issuer_only, env=ENV)) == [("input.subject", "failed")]
    both = derive(nothing, ["/issuer", "/credentialSubject/name"], loader=LOADER)
    assert verify_credential(both, env=ENV).verified
    derived = derive(SIGNED, ["/name"], loader=LOADER)
    with pytest.raises(InputError, match="already has a derived proof"):
        derive(derived, ["/name"], loader=LOADER)
    other = _pair(KeyAlgorithm.P256, 1)
    ecdsa: Any = sign_document(_diploma(other), other, suite="ecdsa-rdfc-2019", created=CREATED)
    with pytest.raises(InputError, match="no ecdsa-sd-2023 proof"):
        derive(ecdsa, ["/name"], loader=LOADER)
    moved = {k: v for k, v in SIGNED.items() if k != "credentialSubject"}
    with pytest.raises(InputError, match="matches nothing"):
        derive(moved, ["/credentialSubject/name"], loader=LOADER)


def test_signing_refusals() -> None:
    with pytest.raises(InputError, match="ecdsa-rdfc-2019 takes no mandatory pointers"):
        sign_document(_diploma(ISSUER), ISSUER, suite="ecdsa-rdfc-2019", mandatory=["/issuer"])
    signer = KeySigner(ISSUER.private_key, ISSUER.verification_method)
    with pytest.raises(SigningError, match="no mandatory pointers"):
        add_proof(_diploma(ISSUER), suite=EDDSA_RDFC_2022, signer=signer, mandatory=["/issuer"])
    ed = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes(32)))
    with pytest.raises(SigningError, match="Ed25519"):
        add_proof(
            _diploma(ed),
            suite=ECDSA_SD_2023,
            signer=KeySigner(ed.private_key, ed.verification_method),
        )
    chained = add_proof(
        _diploma(ISSUER),
        suite=EDDSA_RDFC_2022,
        signer=KeySigner(ed.private_key, "did:x#1"),
        options=ProofOptions(id="urn:p1"),
    )
    with pytest.raises(SigningError, match="cannot be chained"):
        chain = ProofOptions(previous_proof="urn:p1")
        add_proof(chained, suite=ECDSA_SD_2023, signer=signer, options=chain)
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
    }
    with pytest.raises(SigningError, match="sign a presentation with another suite"):
        sign_document(presentation, ISSUER, suite="ecdsa-sd-2023")


def test_add_proof_without_mandatory_pointers() -> None:
    signer = KeySigner(ISSUER.private_key, ISSUER.verification_method)
    options = ProofOptions(created=CREATED)
    signed: Any = add_proof(_diploma(ISSUER), suite=ECDSA_SD_2023, signer=signer, options=options)
    assert signed["proof"]["cryptosuite"] == "ecdsa-sd-2023"
    base = parse_proof_value(signed["proof"]["proofValue"])
    assert isinstance(base, BaseProofValue) and base.mandatory_pointers == ()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda v: "z" + v[1:], "must start with 'u'"),
        (lambda v: v + "!", "not base64url"),
        (lambda v: "u" + sd.encode_base64url(b"\xd9\x5d\x02" + b"\x80"), "no ecdsa-sd-2023 header"),
        (
            lambda v: "u" + sd.encode_base64url(sd.decode_base64url(v[1:]) + b"\x00"),
            "bytes after",
        ),
        (lambda v: "u" + sd.encode_base64url(b"\xd9\x5d\x01\x81\x01"), "five components"),
        (lambda v: "u" + sd.encode_base64url(b"\xd9\x5d\x01\xff"), "indefinite or reserved"),
    ],
)
def test_malformed_proof_values_are_named(mutate: Any, message: str) -> None:
    derived = derive(SIGNED, ["/name", "/credentialSubject/name"], loader=LOADER)
    bad = mutate(derived["proof"]["proofValue"])
    with pytest.raises(InputError, match=message):
        parse_proof_value(bad)
    derived["proof"]["proofValue"] = bad
    result = verify_credential(derived, env=ENV)
    assert _codes(result) == [("proof.signature", "failed")]
    assert "proof value unreadable" in result.failures()[0].message


DERIVED_FOR_FUZZ = derive(SIGNED, ["/credentialSubject/name", "/credentialSubject/achievement"])


def _corrupt(data: st.DataObject, raw: bytes) -> bytes:
    """Flip, insert or delete one byte of ``raw``, or cut it short."""
    index = data.draw(st.integers(0, len(raw) - 1), label="index")
    action = data.draw(st.sampled_from(["flip", "insert", "delete", "truncate"]), label="action")
    byte = bytes([data.draw(st.integers(0, 255), label="byte")])
    if action == "flip":
        return raw[:index] + bytes([raw[index] ^ (byte[0] or 1)]) + raw[index + 1 :]
    if action == "insert":
        return raw[:index] + byte + raw[index:]
    if action == "delete":
        return raw[:index] + raw[index + 1 :]
    return raw[:index]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_corrupted_derived_proof_values_raise_only_our_errors_and_never_verify(
    data: st.DataObject,
) -> None:
    value = DERIVED_FOR_FUZZ["proof"]["proofValue"]
    corrupted = "u" + sd.encode_base64url(_corrupt(data, sd.decode_base64url(value[1:])))
    with contextlib.suppress(InputError):
        parse_proof_value(corrupted)
    tampered = copy.deepcopy(DERIVED_FOR_FUZZ)
    tampered["proof"]["proofValue"] = corrupted
    assert not verify_credential(tampered, env=ENV).verified


@settings(max_examples=150, deadline=None)
@given(header=st.sampled_from([b"\xd9\x5d\x00", b"\xd9\x5d\x01"]), payload=st.binary(max_size=64))
def test_any_bytes_after_the_header_raise_only_input_errors(header: bytes, payload: bytes) -> None:
    try:
        parsed = parse_proof_value("u" + sd.encode_base64url(header + payload))
    except InputError:
        return
    kind = BaseProofValue if header.endswith(b"\x00") else DerivedProofValue
    assert isinstance(parsed, kind)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_deriving_from_a_corrupted_base_proof_raises_only_our_errors(data: st.DataObject) -> None:
    base = copy.deepcopy(SIGNED)
    raw = sd.decode_base64url(base["proof"]["proofValue"][1:])
    base["proof"]["proofValue"] = "u" + sd.encode_base64url(_corrupt(data, raw))
    with contextlib.suppress(PasseportError):
        derived = derive(base, ["/credentialSubject/name"])
        outcomes = verify_base(base, loader=LOADER)
        if all(o.outcome is Outcome.PASSED for o in outcomes):
            assert verify_credential(derived, env=ENV).verified


def test_component_sizes_are_checked() -> None:
    parsed = parse_proof_value(derive(SIGNED, ["/name"], loader=LOADER)["proof"]["proofValue"])
    assert isinstance(parsed, DerivedProofValue)
    short = DerivedProofValue(
        parsed.base_signature[:10],
        parsed.public_key,
        parsed.signatures,
        parsed.label_map,
        parsed.mandatory_indexes,
    )
    with pytest.raises(InputError, match="base signature"):
        parse_proof_value(serialize_proof_value(short))
    with pytest.raises(InputError, match="c14nN"):
        sd.compress_label_map({"b0": "uAAAA"})


def test_a_label_map_that_merges_blank_nodes_is_refused() -> None:
    derived = derive(SIGNED, ["/credentialSubject/achievement/alignment"], loader=LOADER)
    assert verify_credential(derived, env=ENV).verified
    parsed = parse_proof_value(derived["proof"]["proofValue"])
    assert isinstance(parsed, DerivedProofValue) and len(parsed.label_map) >= 2
    first = next(iter(parsed.label_map.values()))
    merged = DerivedProofValue(
        parsed.base_signature,
        parsed.public_key,
        parsed.signatures,
        dict.fromkeys(parsed.label_map, first),
        parsed.mandatory_indexes,
    )
    derived["proof"]["proofValue"] = serialize_proof_value(merged)
    assert _codes(verify_credential(derived, env=ENV)) == [("proof.signature", "failed")]


def test_blank_nodes_are_relabelled_term_by_term() -> None:
    line = '_:c14n0 <https://schema.org/text> "see _:c14n0 and <urn:bnid:x>" _:c14n1 .\n'
    assert sd.relabel_blank_nodes([line], {"c14n0": "uA", "c14n1": "uB"}) == [
        '_:uA <https://schema.org/text> "see _:c14n0 and <urn:bnid:x>" _:uB .\n'
    ]
    skolem = sd.skolemize_nquads([line])
    assert skolem == [
        '<urn:bnid:c14n0> <https://schema.org/text> "see _:c14n0 and <urn:bnid:x>" '
        "<urn:bnid:c14n1> .\n"
    ]
    assert sd.deskolemize_nquads(skolem) == [line]


def test_selection_keeps_ids_types_and_array_order() -> None:
    document = {
        "@context": "https://example.org/",
        "id": "urn:x",
        "type": "T",
        "list": [{"id": "_:b0", "type": "A", "v": 1}, "two", {"type": "C", "v": 3}],
        "a/b": {"c~d": 5},
    }
    selection = sd.select_json_ld(document, ["/list/2/v", "/list/0", "/a~1b/c~0d"])
    assert selection == {
        "@context": "https://example.org/",
        "id": "urn:x",
        "type": "T",
        "list": [{"id": "_:b0", "type": "A", "v": 1}, {"type": "C", "v": 3}],
        "a/b": {"c~d": 5},
    }
    assert sd.select_json_ld(document, []) is None
    assert sd.select_json_ld(document, [""]) == document
    assert sd.parse_pointer("/a/0/~1/10") == ["a", 0, "/", 10]


LEAVES = [
    "/name",
    "/credentialSubject/name",
    "/credentialSubject/creditsEarned",
    "/credentialSubject/activityEndDate",
    "/credentialSubject/achievement/name",
    "/credentialSubject/achievement/description",
    "/credentialSubject/achievement/fieldOfStudy",
    "/credentialSubject/achievement/criteria/narrative",
    "/credentialSubject/achievement/alignment/0/targetName",
]


@settings(max_examples=12, deadline=None)
@given(st.sets(st.sampled_from(LEAVES), min_size=1, max_size=4))
def test_any_reveal_set_verifies_and_hides_the_rest(reveal: set[str]) -> None:
    derived = derive(SIGNED, sorted(reveal), loader=LOADER)
    result = verify_credential(derived, env=ENV)
    if "credentialSubject" in derived:
        assert result.verified, result.failures()
    else:  # VC 2.0: a credential without credentialSubject is not one (issue 20)
        assert _codes(result) == [("input.subject", "failed")]
    data = _bytes(derived)
    signed = _bytes({k: v for k, v in SIGNED.items() if k != "proof"})
    for pointer in set(LEAVES) - reveal:
        value: Any = SIGNED
        for path in sd.parse_pointer(pointer):
            value = value[path]
        # A value that occurs once in the credential (ids and types are always shown).
        if isinstance(value, str) and signed.count(value.encode()) == 1:
            assert value.encode() not in data, pointer


# --- Digital Bazaar's credentials (shared/interop/dbjs), same verdicts ---------------------

OUT = DBJS / "outputs"


@pytest.mark.parametrize("name", ["derived", "derived-tampered"])
def test_dbjs_derived_credentials_get_their_verdict(name: str, tmp_path: Path) -> None:
    verdict = load_json(OUT / f"verify-diploma-ecdsa-sd-2023-{name}.json")["verified"]
    env = ENV.with_cache(tmp_path)  # the lead's interop setup; did:key needs no cache
    result = verify_credential(load_json(OUT / f"diploma-ecdsa-sd-2023-{name}.json"), env=env)
    assert result.verified is verdict, result.failures()


@pytest.mark.parametrize("name", ["base", "base-tampered"])
def test_dbjs_base_credentials_hold_for_the_holder_only(name: str) -> None:
    document = load_json(OUT / f"diploma-ecdsa-sd-2023-{name}.json")
    verdict = load_json(OUT / f"verify-diploma-ecdsa-sd-2023-{name}.json")["verified"]
    confirmed = all(o.outcome is Outcome.PASSED for o in verify_base(document, loader=LOADER))
    assert confirmed is verdict
    assert _codes(verify_credential(document, env=ENV)) == [("proof.base", "failed")]


def test_our_derivation_of_their_base_is_their_derived_credential() -> None:
    base = load_json(OUT / "diploma-ecdsa-sd-2023-base.json")
    reveal = ["/credentialSubject/name", "/credentialSubject/achievement/name"]
    derived = derive(base, reveal, loader=LOADER)
    expected = load_json(OUT / "diploma-ecdsa-sd-2023-derived.json")
    assert json.dumps(derived, sort_keys=False) == json.dumps(expected, sort_keys=False)


def test_dbjs_presentation_holding_a_derived_credential_verifies() -> None:
    policy = Policy(challenge="8f3b2c1d", domain="recruiter.example")
    result = verify_any(load_json(OUT / "vp.json"), policy=policy, env=ENV)
    assert result.verified is load_json(OUT / "verify-vp.json")["verified"] is True


# --- passeport sign --suite ecdsa-sd-2023 --mandatory ..., passeport derive ---------------

CLI = typer.Typer()
CLI.command()(proofs_cli.sign)
CLI.command()(proofs_cli.derive)


def test_cli_sign_derive_verify(tmp_path: Path) -> None:
    write_key_file(tmp_path / "k.json", ISSUER)
    diploma = _diploma(ISSUER)
    (tmp_path / "c.json").write_text(json.dumps(diploma), "utf-8")
    runner = CliRunner()
    args = ["sign", str(tmp_path / "c.json"), "--key", str(tmp_path / "k.json")]
    args += ["--suite", "ecdsa-sd-2023", "--mandatory", "/issuer", "--mandatory", "/validFrom"]
    signed = runner.invoke(CLI, [*args, "-o", str(tmp_path / "s.json")])
    assert signed.exit_code == 0, signed.output
    base = load_json(tmp_path / "s.json")
    parsed = parse_proof_value(base["proof"]["proofValue"])
    # What a verifier's checks read is always added to what --mandatory names (proofs.shown).
    always = ("/type", "/credentialSubject/id", "/credentialSubject/type")
    assert isinstance(parsed, BaseProofValue) and parsed.mandatory_pointers == MANDATORY + always
    out = tmp_path / "d.json"
    reveal = ["--reveal", "/credentialSubject/name"]
    derived = runner.invoke(CLI, ["derive", str(tmp_path / "s.json"), *reveal, "-o", str(out)])
    assert derived.exit_code == 0, derived.output
    disclosure = load_json(out)
    assert "achievement" not in disclosure["credentialSubject"]
    signed_at = Policy(at=datetime.fromisoformat(disclosure["proof"]["created"]))
    assert verify_credential(disclosure, policy=signed_at, env=ENV).verified
    to_stdout = runner.invoke(CLI, ["derive", str(tmp_path / "s.json"), "--reveal", "/name"])
    assert json.loads(to_stdout.stdout)["name"] == diploma["name"]


def test_cli_errors_are_one_line_and_name_the_pointer(tmp_path: Path) -> None:
    write_key_file(tmp_path / "k.json", ISSUER)
    (tmp_path / "c.json").write_text(json.dumps(_diploma(ISSUER)), "utf-8")
    runner = CliRunner()
    base = ["sign", str(tmp_path / "c.json"), "--key", str(tmp_path / "k.json")]
    refused = runner.invoke(CLI, [*base, "--suite", "ecdsa-rdfc-2019", "--mandatory", "/issuer"])
    assert isinstance(refused.exception, InputError)
    signed = runner.invoke(CLI, [*base, "--suite", "ecdsa-sd-2023", "-o", str(tmp_path / "s.json")])
    assert signed.exit_code == 0, signed.output
    missing = runner.invoke(
        CLI, ["derive", str(tmp_path / "s.json"), "--reveal", "/credentialSubject/nope"]
    )
    error = missing.exception
    assert isinstance(error, InputError) and error.pointer == "/credentialSubject/nope"
    line = str(error)
    assert "\n" not in line
    assert line.startswith(f"{tmp_path / 's.json'}: /credentialSubject/nope: ")
    assert not (tmp_path / "d.json").exists()


@pytest.mark.parametrize(
    ("cbor", "said"),
    [
        (b"\x81" * 100_000 + b"\x00", "nested deeper than 3 levels"),
        (b"\x81\xc2\x41\x00", "tags, floats and simple values"),
        (b"\x81\xfb" + b"\x00" * 8, "tags, floats and simple values"),
        (b"\x9f\x00\xff", "indefinite"),
        (b"\x85\x5b" + (2**62).to_bytes(8, "big"), "longer than the value"),
        (b"\x9b" + (2**62).to_bytes(8, "big"), "longer than the value"),
        (b"\x81\x19\x00", "truncated"),
        (b"\x81\x42\x00", "string is longer than the value"),
    ],
)
def test_a_crafted_cbor_proof_value_is_refused_before_decoding(cbor: bytes, said: str) -> None:
    from passeport.errors import InputError
    from passeport.proofs._sd_proof_value import BASE_HEADER
    from passeport.proofs.sd_primitives import encode_base64url

    with pytest.raises(InputError, match=said):
        parse_proof_value("u" + encode_base64url(BASE_HEADER + cbor))
