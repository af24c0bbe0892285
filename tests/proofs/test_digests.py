"""``digestSRI`` and ``digestMultibase``: read, computed and matched (issue 14).

Specs: https://www.w3.org/TR/SRI/#the-integrity-attribute ,
https://www.w3.org/TR/vc-data-integrity/#resource-integrity ,
https://www.w3.org/TR/vc-data-model-2.0/#integrity-of-related-resources .
"""

from __future__ import annotations

import base64
import doctest
import hashlib
import importlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passeport.errors import InputError
from passeport.proofs.digests import (
    MULTIHASH_FUNCTIONS,
    SRI_ALGORITHMS,
    multibase_of,
    related_digests,
    sri_of,
)

DATA = b'{"@context": {"name": "https://schema.org/name"}}'


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize("algorithm", SRI_ALGORITHMS)
def test_sri_values_match_what_they_hash(algorithm: str) -> None:
    value = sri_of(DATA, algorithm)
    assert value == f"{algorithm}-{_b64(hashlib.new(algorithm, DATA).digest())}"
    claim = related_digests(digest_sri=value)
    assert claim.matches(DATA) and not claim.matches(DATA + b" ")


@pytest.mark.parametrize("function", MULTIHASH_FUNCTIONS)
def test_multibase_values_match_what_they_hash(function: str) -> None:
    value = multibase_of(DATA, function)
    assert value.startswith("u")
    claim = related_digests(digest_multibase=value)
    assert claim.matches(DATA) and not claim.matches(DATA[:-1])


def test_the_multihash_of_a_known_value() -> None:
    # sha2-256 multihash: 0x12 0x20 then the digest; base58btc "z" and base64url "u" both read.
    raw = bytes([0x12, 0x20]) + hashlib.sha256(b"hello").digest()
    assert multibase_of(b"hello", "sha2-256") == "u" + base64.urlsafe_b64encode(
        raw
    ).decode().rstrip("=")
    z = "zQmRN6wdp1S2A5EtjW9A3M1vKSBuQQGcgvuhoMUoEz4iiT5"
    assert related_digests(digest_multibase=z).matches(b"hello")


def test_sri_takes_the_strongest_algorithm_and_ignores_unknown_ones() -> None:
    # SRI: only sha512 counts here; a wrong sha256 beside it does not matter...
    value = f"{sri_of(b'other', 'sha256')} {sri_of(DATA, 'sha512')} md5-AAAA sha999-AAAA"
    assert related_digests(digest_sri=value).matches(DATA)
    # ...but a right sha256 beside a wrong sha512 does not pass.
    value = f"{sri_of(DATA, 'sha256')} {sri_of(b'other', 'sha512')}"
    assert not related_digests(digest_sri=value).matches(DATA)
    # Two sha384 values: either resource is accepted (SRI's alternatives).
    both = f"{sri_of(b'other')} {sri_of(DATA)}?ct=application/ld+json"
    assert related_digests(digest_sri=both).matches(DATA)


def test_sri_reads_the_url_safe_alphabet_and_no_padding() -> None:
    raw = hashlib.sha384(DATA).digest()
    url_safe = "sha384-" + base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert related_digests(digest_sri=url_safe).matches(DATA)


def test_every_multibase_value_must_match() -> None:
    good, bad = multibase_of(DATA), multibase_of(b"other")
    assert related_digests(digest_multibase=[good, multibase_of(DATA, "sha3-256")]).matches(DATA)
    assert not related_digests(digest_multibase=[good, bad]).matches(DATA)


def test_both_members_must_hold() -> None:
    claim = related_digests(digest_sri=sri_of(DATA), digest_multibase=multibase_of(b"other"))
    assert not claim.matches(DATA)
    claim = related_digests(digest_sri=sri_of(b"other"), digest_multibase=multibase_of(DATA))
    assert not claim.matches(DATA)


def _multihash(code: int, digest: bytes) -> str:
    """Return the hex multibase of a multihash (varint code, varint size, digest)."""
    prefix = bytes([code]) if code < 0x80 else bytes([code & 0x7F | 0x80, code >> 7])
    return "f" + prefix.hex() + bytes([len(digest)]).hex() + digest.hex()


@pytest.mark.parametrize(
    ("members", "words"),
    [
        ({}, "no digestSRI nor digestMultibase"),
        ({"digest_sri": 42}, "string"),
        ({"digest_sri": []}, "string"),
        ({"digest_sri": "sha384"}, "not an SRI hash expression"),
        ({"digest_sri": "sha384-!!!!"}, "not an SRI hash expression"),
        ({"digest_sri": "sha384-AAAA"}, "holds 3 bytes"),
        ({"digest_sri": "md5-AAAA sha1-AAAA"}, "no digest of sha256"),
        ({"digest_sri": "sha384-A"}, "not valid base64"),
        ({"digest_multibase": "not multibase"}, "not a multibase multihash"),
        ({"digest_multibase": "z"}, "not a multibase multihash"),
        ({"digest_multibase": _multihash(0x00, b"hello")}, "uses identity"),
        ({"digest_multibase": _multihash(0xD5, b"\x00" * 16)}, "uses md5"),
        ({"digest_multibase": _multihash(0x11, b"\x00" * 20)}, "uses sha1"),
        ({"digest_multibase": _multihash(0x13, b"\x00" * 16)}, "truncated sha2-512"),
        ({"digest_multibase": "f1220" + "00" * 31}, "not a multibase multihash"),
        ({"digest_multibase": [multibase_of(DATA)] * 17}, "more than 16"),
    ],
)
def test_unreadable_digests_are_input_errors_naming_the_member(
    members: dict[str, Any], words: str
) -> None:
    with pytest.raises(InputError, match="digest") as caught:
        related_digests(**members)
    assert words in caught.value.message and "\n" not in str(caught.value)


def test_unknown_algorithms_are_misuse() -> None:
    with pytest.raises(ValueError, match="md5"):
        sri_of(DATA, "md5")
    with pytest.raises(ValueError, match="sha1"):
        multibase_of(DATA, "sha1")


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=80), st.binary(max_size=40).map(lambda b: "u" + b.hex())))
def test_any_text_either_reads_or_is_an_input_error(text: str) -> None:
    for members in ({"digest_sri": text}, {"digest_multibase": text}):
        try:
            claim = related_digests(**members)
        except InputError:
            continue
        assert not claim.matches(b"\x00never the resource\x00")


@pytest.mark.parametrize("name", ["passeport.proofs.digests", "passeport.proofs.model"])
def test_the_docstring_examples_run(name: str) -> None:
    failures, tried = doctest.testmod(importlib.import_module(name))
    assert tried > 0 and failures == 0
