"""The rules issue 20 added: canonical escapes, N-Quads lines, IRIs, @direction, numbers, dates.

Spec: https://www.w3.org/TR/rdf-canon/ (canonical n-quads form),
https://www.w3.org/TR/n-quads/ (grammar), https://www.rfc-editor.org/rfc/rfc8785 .
Each test fails without its fix; the differential cases against the JavaScript
reference are in ``tests/interop/test_differential.py``.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from passeport.contexts import (
    bundled_loader,
    canonicalize,
    canonicalize_nquads,
    expand,
    jcs,
)
from passeport.contexts.expand import compact
from passeport.contexts.portable import check_portable
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import ContextError, InputError, SigningError
from passeport.proofs import derive
from passeport.proofs.sign import sign_document
from passeport.verifier import Policy, verify_credential
from tests.conftest import DBJS, load_json

LOADER = bundled_loader()
EXAMPLES = [
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/ns/credentials/examples/v2",
]
P = "<https://www.w3.org/ns/credentials/examples#p>"
ED = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([22]) * 32))
P256 = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.P256, bytes([22]) * 32))
CREATED = datetime(2025, 1, 1, tzinfo=UTC)
POLICY = Policy(at=datetime(2026, 1, 15, tzinfo=UTC))


def _doc(subject: Any, **members: Any) -> dict[str, Any]:
    return {
        "@context": list(EXAMPLES),
        "type": ["VerifiableCredential"],
        "issuer": ED.controller,
        "credentialSubject": subject,
        **members,
    }


def _p(document: dict[str, Any]) -> str:
    (line,) = [x for x in canonicalize(document, LOADER).lines() if f" {P} " in x]
    return line.split(f" {P} ", 1)[1].removesuffix(" .\n")


# --- 1. Control characters in literals --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("a\u0001\b\f\u000b\u007f", '"a\\u0001\\b\\f\\u000B\\u007F"'),
        ("tab\tand\u0002", '"tab\\tand\\u0002"'),
        ('\n\r"\\', '"\\n\\r\\"\\\\"'),
        ("\u0000\u001f\u000e", '"\\u0000\\u001F\\u000E"'),
        # Not C0 controls: written as they are.
        ("\u0080\u0085\u2028\u2029\u00a0é", '"\u0080\u0085\u2028\u2029\u00a0é"'),
    ],
)
def test_control_characters_are_escaped_as_rdfc_requires(text: str, written: str) -> None:
    assert _p(_doc({"p": text})) == written


def test_the_escapes_reach_the_blank_node_hashes() -> None:
    # Two nodes told apart only by a control character: the hash of each blank node's
    # quads (RDFC-1.0 4.6) must see the escaped form too, or labels differ elsewhere.
    case = load_json(DBJS / "differential" / "cases.json")["cases"][0]
    assert case["name"] == "control-chars"
    assert canonicalize(case["unsigned"], LOADER).nquads == case["js_nquads"]


# --- 5. Lines end at LF only ------------------------------------------------------------


def test_canonical_lines_split_on_lf_only() -> None:
    lines = canonicalize(_doc({"p": "a\u2028b\u0085c\u000bd\u001ce\u2029"}), LOADER).lines()
    assert all(line.endswith(" .\n") for line in lines)
    assert len(lines) == 4


def test_nquads_are_read_with_every_escape_and_raw_separators() -> None:
    text = f'_:x {P} "a\u2028b\\u000Bc\\bd\\U0001F600\u0085" .\n'
    canonical = canonicalize_nquads(text)
    assert canonical.nquads == f'_:c14n0 {P} "a\u2028b\\u000Bc\\bd\U0001f600\u0085" .\n'
    with pytest.raises(InputError, match="line 2"):
        canonicalize_nquads(text + "<a> <b> .\n")
    with pytest.raises(InputError):
        canonicalize_nquads(f'_:x {P} "\\uD800" .\n')


@pytest.mark.parametrize("character", ["\u2028", "\u2029", "\u0085", "\u001c", "\u000b"])
def test_ecdsa_sd_signs_and_derives_with_line_separators(character: str) -> None:
    document = _doc({"p": f"a{character}b", "q": "other"}, issuer=P256.controller)
    signed = sign_document(document, P256, suite="ecdsa-sd-2023", loader=LOADER, created=CREATED)
    derived = derive(signed, ["/issuer", "/credentialSubject/p"], loader=LOADER)
    assert derived["credentialSubject"] == {"p": f"a{character}b"}
    assert verify_credential(derived, policy=POLICY).verified


# --- 2. IRIs that N-Quads forbids; 3. @direction ----------------------------------------


@pytest.mark.parametrize("character", [*'{}<>"|^`\\', " ", "\u0000", "\u001f"])
def test_iris_with_characters_nquads_forbids_are_refused(character: str) -> None:
    document = _doc({"p": {"id": f"https://example.com/a{character}b"}})
    with pytest.raises(ContextError) as refused:
        canonicalize(document, LOADER)
    assert refused.value.pointer == "/credentialSubject/p/id"
    with pytest.raises(ContextError):
        expand(document, LOADER)


def test_a_datatype_or_a_property_iri_is_checked_too() -> None:
    typed = _doc({"p": {"@value": "v", "@type": "https://example.com/{t}"}})
    with pytest.raises(ContextError, match="N-Quads"):
        canonicalize(typed, LOADER)
    spaced = _doc({"a b": "v"})
    spaced["@context"] = [*EXAMPLES, {"@vocab": "https://example.com/"}]
    with pytest.raises(ContextError) as refused:
        canonicalize(spaced, LOADER)
    assert refused.value.pointer == "/credentialSubject/a b"


def test_direction_is_refused_with_its_pointer() -> None:
    document = _doc({"p": {"@value": "v", "@language": "ar", "@direction": "rtl"}})
    with pytest.raises(ContextError, match="@direction") as refused:
        canonicalize(document, LOADER)
    assert refused.value.pointer == "/credentialSubject/p/@direction"
    # A default direction set in the context is refused too.
    defaulted = _doc({"p": "v"})
    defaulted["@context"] = [*EXAMPLES, {"@direction": "rtl"}]
    with pytest.raises(ContextError, match="@direction"):
        canonicalize(defaulted, LOADER)


def test_a_malformed_language_tag_is_refused() -> None:
    with pytest.raises(ContextError, match="language tag") as refused:
        canonicalize(_doc({"p": {"@value": "v", "@language": "en US"}}), LOADER)
    assert refused.value.pointer == "/credentialSubject/p/@language"


def test_a_property_mapped_to_a_blank_node_is_refused() -> None:
    document = _doc({"q": "v"})
    document["@context"] = [*EXAMPLES, {"q": "_:q"}]
    with pytest.raises(ContextError, match="blank node"):
        canonicalize(document, LOADER)


# --- 6. Open Badges GeoCoordinates: compaction keeps the type-scoped context -------------


def test_compaction_names_a_type_by_its_term_with_a_scoped_context() -> None:
    case = next(
        c
        for c in load_json(DBJS / "differential" / "cases.json")["cases"]
        if c["name"] == "sd-ob3-geo"
    )
    document = case["unsigned"]
    expanded = expand(document, LOADER).expanded
    plain: Any = compact(expanded, document["@context"], LOADER)
    assert plain["issuer"]["address"]["geo"]["type"] == "geo"  # JSON-LD 1.1's choice
    with pytest.raises(ContextError, match="latitude"):
        canonicalize(plain, LOADER)
    compacted: Any = compact(expanded, document["@context"], LOADER, round_trip=True)
    assert compacted["issuer"]["address"]["geo"]["type"] == "GeoCoordinates"
    # Expanded again, the compacted form means what the credential meant.
    again = copy.deepcopy(compacted)
    assert canonicalize(again, LOADER).nquads == canonicalize(document, LOADER).nquads


# --- 4. JCS numbers -----------------------------------------------------------------------


def test_jcs_reads_integers_beyond_2_53_as_the_doubles_they_are() -> None:
    assert jcs.canonicalize({"p": 10**16}) == b'{"p":10000000000000000}'
    assert jcs.canonicalize({"p": 2**53}) == b'{"p":9007199254740992}'
    assert jcs.canonicalize([-(2**60), 10**21]) == b"[-1152921504606847000,1e+21]"
    with pytest.raises(InputError, match="not exactly an IEEE 754 double"):
        jcs.canonicalize({"p": 2**53 + 1})
    with pytest.raises(InputError):
        jcs.canonicalize({"p": 10**400})
    with pytest.raises(InputError):
        jcs.canonicalize({"p": "\ud800"})


# --- 4, 8. What an issuer refuses to sign -------------------------------------------------


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (1e-7, "below 1e-6"),
        (-5e-324, "below 1e-6"),
        (2**53, "2\\*\\*53 or more"),
        (-(2**53), "2\\*\\*53 or more"),
        (1e16, "2\\*\\*53 or more"),
        (2**53 + 1, "not exactly an IEEE 754 double"),
        (10**400, "not exactly an IEEE 754 double"),
        (float("inf"), "not a JSON number"),
    ],
)
def test_numbers_other_implementations_misread_are_refused(value: Any, reason: str) -> None:
    with pytest.raises(SigningError, match=reason) as refused:
        check_portable(_doc({"p": [1, {"q": value}]}))
    assert refused.value.pointer == "/credentialSubject/p/1/q"
    assert "write it as a string" in refused.value.message


@pytest.mark.parametrize("value", [0, -0.0, 1e-6, 0.5, 2**53 - 1, 1e21, 1e300, True, "1e-7"])
def test_numbers_every_implementation_reads_alike_are_signed(value: Any) -> None:
    check_portable(_doc({"p": value}))


@pytest.mark.parametrize(
    ("members", "pointer"),
    [
        ({"validFrom": "2020-01-01t00:00:00z"}, "/validFrom"),
        ({"validFrom": "2020-01-01"}, "/validFrom"),
        ({"validUntil": "2020-01-01T00:00:00"}, "/validUntil"),  # no time zone
        ({"validUntil": "2020-02-30T00:00:00Z"}, "/validUntil"),
        ({"validFrom": 2020}, "/validFrom"),
        ({"id": "_:b1"}, "/id"),
        ({"id": "relative/x"}, "/id"),
        ({"credentialSubject": {"id": "_:b1"}}, "/credentialSubject/id"),
        ({"credentialSubject": {"p": {"id": "https://e.com/{x}"}}}, "/credentialSubject/p/id"),
        ({"credentialSubject": {"p": {"@value": "v", "@direction": "rtl"}}}, None),
    ],
)
def test_what_the_verifier_would_refuse_is_not_signed(
    members: dict[str, Any], pointer: str | None
) -> None:
    document = _doc({"p": "x"}, **members)
    with pytest.raises(SigningError) as refused:
        sign_document(document, ED, loader=LOADER, created=CREATED)
    assert refused.value.pointer == (pointer or "/credentialSubject/p/@direction")


def test_a_vc_1_1_credential_needs_an_issuance_date_to_be_signed() -> None:
    document = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuer": ED.controller,
        "credentialSubject": {"id": P256.controller},
    }
    with pytest.raises(SigningError) as refused:
        sign_document(document, ED, loader=LOADER, created=CREATED)
    assert refused.value.pointer == "/issuanceDate"
    dated = {**document, "issuanceDate": "2025-01-01T00:00:00Z"}
    assert verify_credential(
        sign_document(dated, ED, loader=LOADER, created=CREATED), policy=POLICY
    ).verified


def test_good_dates_and_ids_are_signed_and_verify() -> None:
    document = _doc(
        {"id": P256.controller, "p": "x"},
        id="urn:uuid:2f1e6b3c-0000-4000-8000-000000000000",
        validFrom="2025-01-01T00:00:00.5+02:00",
        validUntil="2030-01-01T00:00:00Z",
    )
    signed = sign_document(document, ED, loader=LOADER, created=CREATED)
    assert verify_credential(signed, policy=POLICY).verified


def test_a_presentation_does_not_answer_for_the_credentials_it_carries() -> None:
    odd = _doc({"p": 1e-7})  # signed elsewhere, by someone else
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [odd],
    }
    check_portable(presentation)
    presentation["id"] = "_:vp"
    with pytest.raises(SigningError):
        check_portable(presentation)


def test_embedded_contexts_are_not_read_as_data() -> None:
    document = _doc({"@context": {"id": "@id", "n": {"@id": "https://e.com/n"}}, "n": 5})
    check_portable(document)
    sign_document(document, ED, loader=LOADER, created=CREATED)
