"""What the signer refuses because the VC Data Model forbids it (issue 14), and the rules' reader.

Spec: https://www.w3.org/TR/vc-data-model-2.0/ (contexts, credentialSubject,
validity dates, the typed members, integrity of related resources). The
verifier's side of the same rules is in ``tests/verifier/test_data_model.py``.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any, Final

import pytest

from passeport.contexts import bundled_documents
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import SigningError
from passeport.proofs import EDDSA_JCS_2022, EDDSA_RDFC_2022, KeySigner, ProofOptions, add_proof
from passeport.proofs.digests import multibase_of, sri_of
from passeport.proofs.jose import sign_vc_jwt, sign_vp_jwt
from passeport.proofs.model import (
    TYPED_MEMBERS,
    VC_V1,
    VC_V2,
    _bundled_file,
    bundled_context_bytes,
    context_problem,
    is_date_time_stamp,
    model_problems,
)
from passeport.proofs.sdjwt import issue_sd_jwt
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment, verify_any

ED: Final = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([41]) * 32))
CREATED: Final = datetime(2025, 7, 1, tzinfo=UTC)
EXAMPLES_V2: Final = "https://www.w3.org/ns/credentials/examples/v2"
EXAMPLES_V1: Final = "https://www.w3.org/2018/credentials/examples/v1"
ENV: Final = Environment(clock=lambda: datetime(2026, 1, 15, tzinfo=UTC))


def _credential(**members: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": [VC_V2, EXAMPLES_V2],
        "type": ["VerifiableCredential"],
        "validFrom": "2025-07-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:camille", "name": "Camille"},
    }
    document.update(members)
    return {k: v for k, v in document.items() if v is not None}


def _refused(document: dict[str, Any]) -> SigningError:
    with pytest.raises(SigningError) as caught:
        sign_document(document, ED, created=CREATED, where="cred.json")
    return caught.value


def test_a_well_formed_credential_is_signed_and_verifies() -> None:
    signed = sign_document(_credential(), ED, created=CREATED)
    assert verify_any(signed, env=ENV).verified


@pytest.mark.parametrize(
    ("subject", "pointer"),
    [(None, "/credentialSubject"), ({}, "/credentialSubject"), ([], "/credentialSubject")],
    ids=["absent", "empty object", "empty list"],
)
def test_a_credential_without_subject_is_refused(subject: Any, pointer: str) -> None:
    document = _credential()
    if subject is None:
        del document["credentialSubject"]
    else:
        document["credentialSubject"] = subject
    error = _refused(document)
    assert error.pointer == pointer and "cannot be signed" in str(error)
    assert str(error).startswith("cred.json: /credentialSubject:")


@pytest.mark.parametrize(
    "context",
    [
        [EXAMPLES_V2],
        [EXAMPLES_V2, VC_V2],
        EXAMPLES_V2,
        ["https://w3id.org/security/data-integrity/v2", VC_V2],
        [EXAMPLES_V1, VC_V1],
    ],
    ids=["examples alone", "examples first", "a string", "DI first", "v1 not first"],
)
def test_a_first_context_other_than_the_base_is_refused_never_completed(context: Any) -> None:
    error = _refused(_credential(**{"@context": context}))
    assert error.pointer == "/@context" and "first @context" in error.message


def test_a_presentation_whose_first_context_is_not_the_base_is_refused() -> None:
    vp = {"@context": [EXAMPLES_V2, VC_V2], "type": ["VerifiablePresentation"]}
    assert _refused(vp).pointer == "/@context"


def test_add_proof_no_longer_appends_the_data_integrity_context_to_examples() -> None:
    signer = KeySigner(ED.private_key, ED.verification_method)
    document = _credential(**{"@context": [EXAMPLES_V2], "issuer": ED.controller})
    with pytest.raises(SigningError, match="defines no DataIntegrityProof") as caught:
        add_proof(document, suite=EDDSA_RDFC_2022, signer=signer)
    assert caught.value.pointer == "/@context"
    # VC 1.1 still gets it: its base context does not define the proof.
    v1 = _credential(
        **{"@context": [VC_V1, EXAMPLES_V1], "issuanceDate": "2025-07-01T00:00:00Z"},
        validFrom=None,
        issuer=ED.controller,
    )
    signed: Any = add_proof(v1, suite=EDDSA_RDFC_2022, signer=signer, options=ProofOptions())
    assert signed["@context"][-1] == "https://w3id.org/security/data-integrity/v2"
    # Plain JSON (no @context at all) is still signed by a JCS suite, as Data Integrity allows.
    plain: Any = add_proof({"n": 1}, suite=EDDSA_JCS_2022, signer=signer)
    assert "@context" not in plain and plain["proof"]["cryptosuite"] == "eddsa-jcs-2022"


@pytest.mark.parametrize("member", ["validFrom", "validUntil"])
@pytest.mark.parametrize("value", ["2025-07-01T00:00:00", "2025-07-01", "2025-07-01t00:00:00z"])
def test_dates_that_are_not_date_time_stamps_are_refused(member: str, value: str) -> None:
    error = _refused(_credential(**{member: value}))
    assert error.pointer == f"/{member}" and "dateTimeStamp" in error.message


@pytest.mark.parametrize("member", TYPED_MEMBERS)
@pytest.mark.parametrize(
    ("value", "pointer"),
    [
        ({"id": "https://example.org/x"}, "/type"),
        (
            [{"id": "https://example.org/x", "type": "Ex"}, {"id": "https://example.org/y"}],
            "/1/type",
        ),
        ({"id": "https://example.org/x", "type": []}, "/type"),
        ("https://example.org/x", ""),
        ([], ""),
    ],
    ids=["object", "second of a list", "empty type", "a bare IRI", "empty list"],
)
def test_typed_members_without_type_are_refused(member: str, value: Any, pointer: str) -> None:
    error = _refused(_credential(**{member: value}))
    assert error.pointer == f"/{member}{pointer}"


def test_a_credential_schema_needs_its_id() -> None:
    error = _refused(_credential(credentialSchema={"type": "JsonSchema"}))
    assert error.pointer == "/credentialSchema/id"


def test_a_presentations_terms_of_use_need_a_type() -> None:
    vp = {
        "@context": [VC_V2, EXAMPLES_V2],
        "type": ["VerifiablePresentation"],
        "termsOfUse": [{"type": "Ex"}, {"id": "https://example.org/t"}],
    }
    assert _refused(vp).pointer == "/termsOfUse/1/type"


def _context_entry(url: str = VC_V2, **digests: Any) -> dict[str, Any]:
    return {"id": url, **digests}


def test_related_resources_pinning_the_bundled_contexts_are_signed() -> None:
    v2 = bundled_context_bytes(VC_V2)
    examples = bundled_context_bytes(EXAMPLES_V2)
    assert v2 is not None and examples is not None
    related = [
        _context_entry(digestSRI=sri_of(v2)),
        _context_entry(EXAMPLES_V2, digestMultibase=multibase_of(examples, "sha2-256")),
        {
            "id": "https://univ.example/logo.png",
            "digestSRI": sri_of(b"png"),
            "mediaType": "image/png",
        },
    ]
    signed = sign_document(_credential(relatedResource=related), ED, created=CREATED)
    assert signed["relatedResource"] == related


@pytest.mark.parametrize(
    ("entry", "pointer", "words"),
    [
        ({"digestSRI": "sha384-x"}, "/0/id", "no id"),
        ({"id": "https://univ.example/a"}, "/0", "no digestSRI nor digestMultibase"),
        ({"id": "https://univ.example/a", "digestSRI": "sha384-AAAA"}, "/0/digestSRI", "bytes"),
        ({"id": "https://univ.example/a", "digestSRI": "md5-AAAA"}, "/0/digestSRI", "no digest"),
        ({"id": "https://univ.example/a", "digestMultibase": "zzz"}, "/0/digestMultibase", ""),
        ({"id": "https://univ.example/a", "digestMultibase": 5}, "/0/digestMultibase", "string"),
        ("https://univ.example/a", "/0", "object"),
    ],
)
def test_malformed_related_resources_are_refused(entry: Any, pointer: str, words: str) -> None:
    error = _refused(_credential(relatedResource=[entry]))
    assert error.pointer == f"/relatedResource{pointer}" and words in error.message


def test_a_related_resource_listed_twice_is_refused() -> None:
    entry = {"id": "https://univ.example/a", "digestSRI": sri_of(b"a")}
    error = _refused(_credential(relatedResource=[entry, dict(entry)]))
    assert error.pointer == "/relatedResource/1/id" and "twice" in error.message


def test_a_context_pinned_to_other_bytes_than_the_bundled_ones_is_refused() -> None:
    entry = _context_entry(digestSRI=sri_of(b'{"@context": {}}'))
    error = _refused(_credential(relatedResource=entry))
    assert error.pointer == "/relatedResource" and "another version" in error.message


def test_the_first_problem_is_refused_and_every_one_is_listed() -> None:
    document = _credential(
        **{"@context": [EXAMPLES_V2, VC_V2]}, credentialSubject={}, evidence={"id": "urn:x:1"}
    )
    assert [p.code for p in model_problems(document)] == [
        "input.context",
        "input.subject",
        "input.member",
    ]
    assert _refused(copy.deepcopy(document)).pointer == "/@context"


def test_the_string_context_of_the_base_is_a_base() -> None:
    assert context_problem({"@context": VC_V2}) is None
    assert context_problem({}) is not None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-07-01T00:00:00Z", True),
        ("2025-07-01T00:00:00.123+02:00", True),
        ("-0044-03-15T12:00:00-14:00", True),
        ("2025-07-01T00:00:00", False),
        ("2025-07-01", False),
        ("2025-02-31T00:00:00Z", False),
        ("2025-07-01T00:00:00+15:00", False),
        ("2025-07-01t00:00:00z", False),
        (20250701, False),
    ],
)
def test_date_time_stamps(value: Any, expected: bool) -> None:
    assert is_date_time_stamp(value) is expected


def test_enveloping_signers_refuse_the_same() -> None:
    with pytest.raises(SigningError, match="credentialSubject") as caught:
        sign_vc_jwt(_credential(credentialSubject=None), ED, where="cred.json")
    assert caught.value.pointer == "/credentialSubject"
    with pytest.raises(SigningError, match="credentialStatus"):
        issue_sd_jwt(_credential(credentialStatus={"id": "https://univ.example/s#1"}), ED)
    vp = {"@context": [EXAMPLES_V2, VC_V2], "type": ["VerifiablePresentation"]}
    with pytest.raises(SigningError, match="first @context"):
        sign_vp_jwt(vp, ED)


def test_only_bundled_contexts_are_kept_in_memory() -> None:
    # A credential may name any number of URLs: asking for them must not grow a cache.
    for n in range(200):
        assert bundled_context_bytes(f"https://univ.example/resource/{n}") is None
    assert _bundled_file.cache_info().currsize <= len(bundled_documents())
