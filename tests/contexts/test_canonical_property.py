"""Canonical N-Quads hold for any string, number and IRI, and sign, derive and verify (issue 20).

Strings over the whole Unicode range, numbers at the edges of IEEE doubles and
IRIs with every ASCII character are put in a credential; its canonical N-Quads
must parse under the N-Quads grammar (a strict line parser written here, apart
from the one in ``contexts``), follow the RDFC-1.0 escaping rules
(https://www.w3.org/TR/rdf-canon/ canonical n-quads form; https://www.w3.org/TR/n-quads/),
give the value back, and the credential must round-trip through sign, derive
and verify for every suite, or be refused with a pointer.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passeport.contexts import bundled_loader, canonicalize
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import ContextError, SigningError
from passeport.proofs import derive
from passeport.proofs.sign import sign_document
from passeport.verifier import Policy, verify_credential

LOADER: Final = bundled_loader()
ED: Final = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([21]) * 32))
P256: Final = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.P256, bytes([21]) * 32))
SUITES: Final = (
    ("eddsa-rdfc-2022", ED),
    ("eddsa-jcs-2022", ED),
    ("ecdsa-rdfc-2019", P256),
    ("ecdsa-jcs-2019", P256),
    ("ecdsa-sd-2023", P256),
)
CREATED: Final = datetime(2025, 1, 1, tzinfo=UTC)
POLICY: Final = Policy(at=datetime(2026, 1, 15, tzinfo=UTC))
P: Final = "<https://www.w3.org/ns/credentials/examples#p>"

# --- A strict canonical N-Quads line parser (N-Quads grammar, canonical layout) --------
IRIREF: Final = r'<[^\x00-\x20<>"{}|^`\\]*>'
BNODE: Final = r"_:c14n[0-9]+"
# Canonical literals: ECHAR for " \ tab LF CR backspace form feed, UCHAR (upper-case hex)
# for the other C0 controls and U+007F, every other character raw.
LITERAL: Final = (
    r'"(?:[^"\\\x00-\x1f\x7f]|\\[tbnrf"\\]|\\u00(?:0[0-7]|0B|0E|0F|1[0-9A-F]|7F))*"'
    rf"(?:\^\^{IRIREF}|@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)?"
)
LINE: Final = re.compile(
    rf"(?:{IRIREF}|{BNODE}) {IRIREF} (?:{IRIREF}|{BNODE}|{LITERAL})(?: (?:{IRIREF}|{BNODE}))? \.\n"
)
ECHAR: Final = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "\\": "\\"}


def _lines(nquads: str) -> list[str]:
    assert nquads.endswith("\n")
    lines = [line + "\n" for line in nquads.split("\n")[:-1]]
    for line in lines:
        assert LINE.fullmatch(line), f"not a canonical N-Quads statement: {line!r}"
    assert lines == sorted(lines)
    assert "^^<http://www.w3.org/2001/XMLSchema#string>" not in nquads
    return lines


def _unescape(lexical: str) -> str:
    return re.sub(
        r"\\(?:u([0-9A-F]{4})|(.))",
        lambda m: chr(int(m.group(1), 16)) if m.group(1) else ECHAR[m.group(2)],
        lexical,
    )


def _value_of_p(nquads: str) -> str:
    (line,) = [line for line in _lines(nquads) if f" {P} " in line]
    term = line.split(f" {P} ", 1)[1].removesuffix(" .\n")
    return term


def _credential(pair: KeyPair, subject: dict[str, Any]) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "type": ["VerifiableCredential"],
        "issuer": pair.controller,
        "credentialSubject": subject,
    }


def _round_trip(subject: dict[str, Any]) -> None:
    """Sign with every suite, derive for ecdsa-sd-2023, write as JSON, read and verify."""
    for suite, pair in SUITES:
        signed = sign_document(
            _credential(pair, subject), pair, suite=suite, loader=LOADER, created=CREATED
        )
        if suite == "ecdsa-sd-2023":
            signed = derive(signed, ["/issuer", "/credentialSubject"], loader=LOADER)
        received = json.loads(json.dumps(signed, ensure_ascii=False))
        result = verify_credential(received, policy=POLICY)
        assert result.verified, (suite, result.failures())


SPECIAL: Final = [chr(c) for c in [*range(0x20), 0x7F, 0x85, 0xA0, 0x2028, 0x2029, 0xFEFF]]
TEXT: Final = st.one_of(
    st.text(
        st.one_of(
            st.characters(exclude_categories=["Cs"]),  # the whole range but lone surrogates
            st.sampled_from([*SPECIAL, '"', "\\", "\u0301", "\U0001f600"]),
        ),
        max_size=12,
    ),
    st.sampled_from(["_:c14n0", "<a> .", '"\\u0041"', "a\u2028b\u0085c\u000bd"]),
)


@settings(max_examples=40, deadline=None)
@given(TEXT)
def test_any_string_is_escaped_as_rdfc_requires(text: str) -> None:
    nquads = canonicalize(_credential(ED, {"p": text}), LOADER).nquads
    term = _value_of_p(nquads)
    assert term.startswith('"') and term.endswith('"')
    assert _unescape(term[1:-1]) == text


@settings(max_examples=8, deadline=None)
@given(TEXT)
def test_any_string_signs_derives_and_verifies_with_every_suite(text: str) -> None:
    _round_trip({"p": text, "q": [text, "x" + text]})


def test_a_lone_surrogate_is_refused_with_its_pointer() -> None:
    with pytest.raises(ContextError) as refused:
        canonicalize(_credential(ED, {"p": "a\ud800"}), LOADER)
    assert refused.value.pointer == "/credentialSubject/p"


# --- Numbers at the edges of IEEE 754 doubles -----------------------------------------
EDGES: Final = [
    0,
    -0.0,
    1e-6,
    -1e-6,
    1e-7,
    5e-324,
    2.2250738585072014e-308,
    0.1,
    1.5,
    2**53 - 1,
    -(2**53 - 1),
    2**53,
    2**53 + 1,
    float(2**53),
    1e16,
    1e21,
    1.7976931348623157e308,
    10**400,
]
NUMBERS: Final = st.one_of(
    st.sampled_from(EDGES),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
)


def _refused_when_signing(number: int | float) -> bool:
    if isinstance(number, int):
        return abs(number) >= 2**53
    return (number != 0 and abs(number) < 1e-6) or (
        number.is_integer() and 2**53 <= abs(number) < 1e21
    )


@settings(max_examples=40, deadline=None)
@given(NUMBERS)
def test_any_number_canonicalizes_to_an_xsd_literal(number: int | float) -> None:
    document = _credential(ED, {"p": number})
    if isinstance(number, int) and abs(number) >= 2**1024:  # beyond every double
        with pytest.raises(ContextError):
            canonicalize(document, LOADER)
        return
    term = _value_of_p(canonicalize(document, LOADER).nquads)
    integer = re.fullmatch(r'"(-?[0-9]+)"\^\^<http://www.w3.org/2001/XMLSchema#integer>', term)
    double = re.fullmatch(
        r'"(-?[0-9]\.[0-9]+E-?[0-9]+)"\^\^<http://www.w3.org/2001/XMLSchema#double>', term
    )
    # JSON-LD 1.1 toRdf: integer-valued and below 1e21 is an xsd:integer, else an xsd:double.
    if isinstance(number, int) or (number.is_integer() and abs(number) < 1e21):
        assert integer is not None, term
        assert int(integer.group(1)) == int(number)
    else:
        assert double is not None, term
        # %.15E as jsonld.js and pyld write it: 16 significant digits, correctly rounded.
        written, exact = Decimal(double.group(1)), Decimal(number)
        assert abs(written - exact) <= abs(exact) * Decimal("5e-16")


@settings(max_examples=12, deadline=None)
@given(NUMBERS)
def test_any_number_signs_with_every_suite_or_is_refused_saying_where(
    number: int | float,
) -> None:
    if _refused_when_signing(number):
        for suite, pair in SUITES:
            with pytest.raises(SigningError) as refused:
                sign_document(_credential(pair, {"p": number}), pair, suite=suite, loader=LOADER)
            assert refused.value.pointer == "/credentialSubject/p"
            assert "write it as a string" in refused.value.message
        return
    _round_trip({"p": number})


# --- IRIs with every ASCII character --------------------------------------------------
NOT_IN_IRIREF: Final = re.compile(r'[\x00-\x20<>"{}|^`\\]')


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(max_codepoint=0x7F), max_size=6))
def test_any_iri_is_valid_nquads_or_refused_with_its_pointer(tail: str) -> None:
    iri = "https://example.com/" + tail
    document = _credential(ED, {"p": {"id": iri}})
    if NOT_IN_IRIREF.search(iri):
        with pytest.raises(ContextError) as refused:
            canonicalize(document, LOADER)
        assert refused.value.pointer == "/credentialSubject/p/id"
        with pytest.raises((SigningError, ContextError)) as not_signed:
            sign_document(document, ED, suite="eddsa-rdfc-2022", loader=LOADER)
        assert not_signed.value.pointer == "/credentialSubject/p/id"
        return
    assert _value_of_p(canonicalize(document, LOADER).nquads) == f"<{iri}>"


@settings(max_examples=6, deadline=None)
@given(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=6))
def test_any_valid_iri_signs_derives_and_verifies_with_every_suite(tail: str) -> None:
    iri = "https://example.com/" + tail
    if NOT_IN_IRIREF.search(iri):
        return
    _round_trip({"p": {"id": iri}})
