"""``relatedResource`` at verification: checked when the resource can be had, said when not.

Spec: https://www.w3.org/TR/vc-data-model-2.0/#integrity-of-related-resources
(issue 14). Contexts are compared with the bytes bundled here; other
resources are asked of the environment's fetcher; what cannot be obtained is
a warning, never a passed check.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

import pytest

from passeport.did import StaticFetcher
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import ResolutionError
from passeport.proofs import EDDSA_RDFC_2022, KeySigner, ProofOptions, add_proof
from passeport.proofs.digests import multibase_of, sri_of
from passeport.proofs.model import VC_V2, bundled_context_bytes
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment, VerificationResult, verify_credential
from passeport.verifier.related import MAX_FETCHED, MAX_RESOURCE_BYTES, MAX_WARNINGS

ISSUER: Final = KeyPair.from_private_key(
    PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([44]) * 32)
)
EXAMPLES_V2: Final = "https://www.w3.org/ns/credentials/examples/v2"
CRED: Final = "https://www.w3.org/2018/credentials#"
SIGNED_AT: Final = datetime(2025, 7, 1, tzinfo=UTC)
NOW: Final = datetime(2026, 1, 15, tzinfo=UTC)
LOGO_URL: Final = "https://univ.example/logo.png"
LOGO: Final = b"\x89PNG\r\n\x1a\n the university's logo"


def _v2_bytes() -> bytes:
    data = bundled_context_bytes(VC_V2)
    assert data is not None
    return data


def _credential(related: Any) -> dict[str, Any]:
    return {
        "@context": [VC_V2, EXAMPLES_V2],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER.controller,
        "validFrom": "2025-07-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:camille", "name": "Camille"},
        "relatedResource": related,
    }


def _signed(related: Any) -> dict[str, Any]:
    return dict(sign_document(_credential(related), ISSUER, created=SIGNED_AT))


def _engine_signed(related: Any) -> Any:
    """Sign what passeport's signer refuses, as another implementation could."""
    return add_proof(
        _credential(related),
        suite=EDDSA_RDFC_2022,
        signer=KeySigner(ISSUER.private_key, ISSUER.verification_method),
        options=ProofOptions(created=SIGNED_AT),
    )


def _verify(document: Any, **documents: bytes) -> VerificationResult:
    env = Environment(clock=lambda: NOW, fetcher=StaticFetcher(documents))
    return verify_credential(document, env=env)


def _related(result: VerificationResult) -> list[tuple[str, str, str | None]]:
    return [
        (c.code, str(c.outcome), c.pointer) for c in result.checks if c.code.startswith("related.")
    ]


def test_a_context_pinned_by_its_published_digest_passes() -> None:
    # VC 2.0 "Base Context": the sha256 of credentials/v2 as the Recommendation publishes it.
    published = "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"
    entry = {"id": VC_V2, "digestMultibase": "f1220" + published}
    result = _verify(_signed([entry]))
    assert result.verified, result.failures()
    assert _related(result) == [("related.digest", "passed", "/relatedResource/0")]
    assert any(c.message.startswith("the bundled context") for c in result.checks)


def test_a_context_pinned_to_other_bytes_fails_even_if_signed_elsewhere() -> None:
    entry = {"id": VC_V2, "digestSRI": sri_of(_v2_bytes() + b"\n")}
    result = _verify(_engine_signed([entry]))
    assert not result.verified
    assert _related(result) == [("related.digest", "failed", "/relatedResource/0")]


def test_a_context_is_never_fetched_the_bundled_bytes_decide() -> None:
    # A fetcher serving other bytes for the context URL changes nothing.
    entry = {"id": VC_V2, "digestSRI": sri_of(b"what the network says")}
    result = _verify(_engine_signed([entry]), **{VC_V2: b"what the network says"})
    assert _related(result) == [("related.digest", "failed", "/relatedResource/0")]


def test_a_resource_obtained_through_the_fetcher_is_checked() -> None:
    entry = {"id": LOGO_URL, "digestSRI": sri_of(LOGO), "mediaType": "image/png"}
    signed = _signed([entry])
    good = _verify(signed, **{LOGO_URL: LOGO})
    assert good.verified and _related(good) == [("related.digest", "passed", "/relatedResource/0")]
    changed = _verify(signed, **{LOGO_URL: LOGO + b"!"})
    assert not changed.verified
    assert _related(changed) == [("related.digest", "failed", "/relatedResource/0")]


def test_a_resource_that_cannot_be_obtained_is_a_warning_never_a_pass() -> None:
    entry = {"id": LOGO_URL, "digestMultibase": multibase_of(LOGO)}
    result = _verify(_signed(entry))
    assert result.verified  # the credential's own proof holds; the logo was not used
    assert _related(result) == []
    assert [w for w in result.warnings if LOGO_URL in w and "not checked" in w]


def test_only_https_resources_are_fetched() -> None:
    asked: list[str] = []

    class Recording:
        def fetch(self, url: str, *, max_bytes: int) -> bytes:
            asked.append(url)
            raise ResolutionError("not here", where=url)

    entries = [
        {"id": "urn:uuid:4b1c0a3e-0000-4000-8000-000000000001", "digestSRI": sri_of(b"a")},
        {"id": "http://univ.example/a", "digestSRI": sri_of(b"a")},
        {"id": LOGO_URL, "digestSRI": sri_of(LOGO)},
    ]
    env = Environment(clock=lambda: NOW, fetcher=Recording())
    result = verify_credential(_signed(entries), env=env)
    assert asked == [LOGO_URL]
    assert len([w for w in result.warnings if "not checked" in w]) == 3


def test_at_most_a_few_resources_are_fetched_and_each_is_bounded() -> None:
    sizes: list[int] = []

    class Counting:
        def fetch(self, url: str, *, max_bytes: int) -> bytes:
            sizes.append(max_bytes)
            return LOGO

    entries = [
        {"id": f"https://univ.example/{n}", "digestSRI": sri_of(LOGO)}
        for n in range(MAX_FETCHED + 3)
    ]
    env = Environment(clock=lambda: NOW, fetcher=Counting())
    result = verify_credential(_signed(entries), env=env)
    assert sizes == [MAX_RESOURCE_BYTES] * MAX_FETCHED
    assert len([w for w in result.warnings if f"more than {MAX_FETCHED}" in w]) == 3
    assert result.verified


@pytest.mark.parametrize(
    ("entry", "pointer"),
    [
        ({"digestSRI": sri_of(b"a")}, "/relatedResource/0/id"),
        ({"id": LOGO_URL}, "/relatedResource/0"),
        ({"id": LOGO_URL, "digestSRI": "sha384-AAAA"}, "/relatedResource/0/digestSRI"),
        ({"id": LOGO_URL, "digestMultibase": "uAAAA"}, "/relatedResource/0/digestMultibase"),
    ],
    ids=["no id", "no digest", "short SRI", "not a multihash"],
)
def test_a_malformed_entry_fails(entry: dict[str, Any], pointer: str) -> None:
    result = _verify(_engine_signed([entry]), **{LOGO_URL: LOGO})
    assert not result.verified
    assert _related(result) == [("related.malformed", "failed", pointer)]


def test_an_entry_listed_twice_fails() -> None:
    entry = {"id": LOGO_URL, "digestSRI": sri_of(LOGO)}
    result = _verify(_engine_signed([entry, dict(entry)]), **{LOGO_URL: LOGO})
    assert ("related.malformed", "failed", "/relatedResource/1/id") in _related(result)


def test_a_related_resource_spelled_under_its_iri_is_checked_all_the_same() -> None:
    # Canonicalization signs the meaning: the same entry under the full IRIs of its terms.
    document = _credential(None)
    del document["relatedResource"]
    document[f"{CRED}relatedResource"] = {
        "@id": VC_V2,
        f"{CRED}digestSRI": {"@value": sri_of(b"not the context"), "@type": f"{CRED}sriString"},
    }
    signed = add_proof(
        document,
        suite=EDDSA_RDFC_2022,
        signer=KeySigner(ISSUER.private_key, ISSUER.verification_method),
        options=ProofOptions(created=SIGNED_AT),
    )
    result = _verify(signed)
    assert not result.verified
    assert ("related.digest", "failed", "/relatedResource") in _related(result)


def test_many_unchecked_resources_are_counted_not_listed() -> None:
    entries = [
        {"id": f"urn:example:{n}:" + "x" * 300, "digestSRI": sri_of(LOGO)}
        for n in range(MAX_WARNINGS + 5)
    ]
    result = _verify(_signed(entries))
    assert result.verified
    named = [w for w in result.warnings if w.startswith("relatedResource ")]
    assert len(named) == MAX_WARNINGS and all(len(w) < 250 for w in named)
    assert "5 other related resources not checked" in result.warnings
