"""The Data Integrity engine's check codes, each seen passing and failing.

Spec: https://www.w3.org/TR/vc-data-integrity/#verify-proof (4.4) and
https://www.w3.org/TR/vc-data-integrity/#verify-proof-sets-and-chains (4.5).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from passeport.did import (
    DidResolver,
    KeyAlgorithm,
    KeyPair,
    PrivateKey,
    StaticFetcher,
    did_web_document,
)
from passeport.errors import SigningError
from passeport.proofs import (
    ECDSA_RDFC_2019,
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    KeySigner,
    Outcome,
    ProofOptions,
    add_proof,
)
from passeport.proofs.engine import ProofExpectation, format_datetime, verify_proofs
from passeport.proofs.registry import DATA_INTEGRITY_SUITES
from tests.conftest import DBJS, load_json

CREATED = datetime(2025, 7, 1, 12, tzinfo=UTC)
NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
ED = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([5]) * 32))
P256 = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.P256, bytes([6]) * 32))
OFFLINE = DidResolver()


def _unsigned(pair: KeyPair = ED) -> dict[str, Any]:
    document: dict[str, Any] = load_json(DBJS / "inputs" / "diploma-ob3-v2.json")
    document["issuer"] = {"id": pair.controller, "type": ["Profile"], "name": "Université"}
    return document


def _sign(
    document: dict[str, Any], pair: KeyPair = ED, suite: Any = EDDSA_RDFC_2022, **options: Any
) -> Any:
    options.setdefault("created", CREATED)
    return add_proof(
        document,
        suite=suite,
        signer=KeySigner(pair.private_key, pair.verification_method),
        options=ProofOptions(**options),
    )


SIGNED = _sign(_unsigned())


def _outcomes(document: Any, resolver: DidResolver = OFFLINE, **expect: Any) -> dict[str, Outcome]:
    expect.setdefault("now", NOW)
    found = verify_proofs(
        document, expect=ProofExpectation(**expect), resolver=resolver, suites=DATA_INTEGRITY_SUITES
    )
    return {o.code: o.outcome for o in found}


def _failed(document: Any, resolver: DidResolver = OFFLINE, **expect: Any) -> set[str]:
    found = _outcomes(document, resolver, **expect)
    return {code for code, outcome in found.items() if outcome is Outcome.FAILED}


def test_a_good_proof_passes_every_check() -> None:
    assert _outcomes(SIGNED, controller=ED.controller) == {"proof.signature": Outcome.PASSED}


def test_proof_missing() -> None:
    unsigned = {k: v for k, v in SIGNED.items() if k != "proof"}
    assert _failed(unsigned) == {"proof.missing"}
    assert "proof.missing" not in _outcomes(SIGNED)


@pytest.mark.parametrize(
    ("member", "value"),
    [("proofValue", None), ("type", 7), ("verificationMethod", None), ("created", "yesterday")],
)
def test_proof_malformed(member: str, value: Any) -> None:
    broken = copy.deepcopy(SIGNED)
    if value is None:
        del broken["proof"][member]
    else:
        broken["proof"][member] = value
    assert "proof.malformed" in _failed(broken)
    assert "proof.malformed" not in _outcomes(SIGNED)


def test_proof_suite() -> None:
    other_type = copy.deepcopy(SIGNED)
    other_type["proof"]["type"] = "Ed25519Signature2020"
    assert _failed(other_type) == {"proof.suite"}
    unknown = copy.deepcopy(SIGNED)
    unknown["proof"]["cryptosuite"] = "eddsa-2099"
    assert _failed(unknown) == {"proof.suite"}
    assert _failed(SIGNED, suites=frozenset({"ecdsa-rdfc-2019"})) == {"proof.suite"}
    assert _outcomes(SIGNED, suites=frozenset({"eddsa-rdfc-2022"})) == {
        "proof.signature": Outcome.PASSED
    }


def test_proof_purpose() -> None:
    assert _failed(SIGNED, proof_purpose="authentication") == {"proof.purpose"}
    signed = _sign(_unsigned(), proof_purpose="authentication")
    assert _outcomes(signed, proof_purpose="authentication") == {
        "proof.signature": Outcome.PASSED,
        "presentation.age": Outcome.PASSED,  # a holder's proof: the verdict shows its age
    }


def test_proof_controller() -> None:
    assert _failed(SIGNED, controller=P256.controller) == {"proof.controller"}
    assert "proof.controller" not in _outcomes(SIGNED, controller=ED.controller)


def test_proof_verification_method() -> None:
    did = "did:web:certif.example"
    web = KeyPair(ED.private_key, did, f"{did}#key-1")
    signed = _sign(_unsigned(web), web)
    url = "https://certif.example/.well-known/did.json"
    document = did_web_document(did, ED.public_key)

    def resolver(doc: Any) -> DidResolver:
        return DidResolver(fetcher=StaticFetcher({url: json.dumps(doc).encode()}))

    assert _outcomes(signed, resolver(document)) == {"proof.signature": Outcome.PASSED}
    # Not obtainable offline: unchecked, not failed.
    assert _outcomes(signed) == {"proof.verification_method": Outcome.UNCHECKED}
    # Obtained, but the method may not make assertions.
    narrowed = {**document, "assertionMethod": []}
    assert _failed(signed, resolver(narrowed)) == {"proof.verification_method"}
    # A method the document does not hold at all.
    elsewhere = copy.deepcopy(signed)
    elsewhere["proof"]["verificationMethod"] = f"{did}#key-9"
    assert _failed(elsewhere, resolver(document)) == {"proof.verification_method"}
    # A DID without a fragment names no method.
    bare = copy.deepcopy(SIGNED)
    bare["proof"]["verificationMethod"] = ED.controller
    assert _failed(bare) == {"proof.verification_method"}


def test_proof_key_type() -> None:
    swapped = copy.deepcopy(SIGNED)
    swapped["proof"]["verificationMethod"] = P256.verification_method
    assert _failed(swapped) == {"proof.key_type"}
    assert "proof.key_type" not in _outcomes(SIGNED)


def test_proof_context() -> None:
    jcs = _sign(_unsigned(), suite=EDDSA_JCS_2022)
    assert _outcomes(jcs) == {"proof.signature": Outcome.PASSED}
    moved = copy.deepcopy(jcs)
    moved["proof"]["@context"] = ["https://www.w3.org/ns/credentials/examples/v2"]
    assert _failed(moved) == {"proof.context"}
    undefined = copy.deepcopy(SIGNED)
    undefined["credentialSubject"]["nickname"] = "Cam"
    assert _failed(undefined) == {"proof.context"}


def test_proof_chain() -> None:
    first = _sign(_unsigned(), id="urn:proof:1")
    chained = _sign(
        first, P256, suite=ECDSA_RDFC_2019, id="urn:proof:2", previous_proof="urn:proof:1"
    )
    assert _outcomes(chained) == {"proof.signature": Outcome.PASSED}
    broken = copy.deepcopy(chained)
    broken["proof"][1]["previousProof"] = "urn:proof:0"
    assert _failed(broken) == {"proof.chain"}


def test_proof_created_and_expired() -> None:
    future = _sign(_unsigned(), created=NOW + timedelta(hours=1))
    assert _failed(future) == {"proof.created"}
    skewed = _sign(_unsigned(), created=NOW + timedelta(minutes=4))
    assert _outcomes(skewed) == {"proof.signature": Outcome.PASSED}
    expired = _sign(_unsigned(), expires=NOW - timedelta(days=1))
    assert _failed(expired) == {"proof.expired"}
    current = _sign(_unsigned(), expires=NOW + timedelta(days=1))
    assert _outcomes(current) == {"proof.signature": Outcome.PASSED}


def test_proof_challenge_and_domain() -> None:
    signed = _sign(_unsigned(), challenge="c-1", domain="rh.example")
    assert _outcomes(signed, challenge="c-1", domain="rh.example") == {
        "proof.challenge": Outcome.PASSED,
        "proof.domain": Outcome.PASSED,
        "proof.signature": Outcome.PASSED,
    }
    assert _failed(signed, challenge="c-2", domain="other.example") == {
        "proof.challenge",
        "proof.domain",
    }
    assert _failed(SIGNED, challenge="c-1") == {"proof.challenge"}


def test_proof_signature() -> None:
    tampered = copy.deepcopy(SIGNED)
    tampered["credentialSubject"]["name"] = "Mallory"
    assert _failed(tampered) == {"proof.signature"}
    unreadable = copy.deepcopy(SIGNED)
    unreadable["proof"]["proofValue"] = "z0OIl"
    assert _failed(unreadable) == {"proof.signature"}


def test_every_proof_of_a_set_is_reported() -> None:
    both = _sign(SIGNED, P256, suite=ECDSA_RDFC_2019)
    assert [
        o.pointer
        for o in verify_proofs(
            both, expect=ProofExpectation(now=NOW), resolver=OFFLINE, suites=DATA_INTEGRITY_SUITES
        )
    ] == [
        "/proof/0",
        "/proof/1",
    ]
    both["proof"][1]["proofValue"] = both["proof"][0]["proofValue"]
    assert _failed(both) == {"proof.signature"}


# Issue 10, hole 7: a presentation proof is dated by its created, bounded by the
# verifier's max_age and the holder's expires, and the verdict shows its age.


def _presented(**options: Any) -> Any:
    options.setdefault("created", NOW - timedelta(days=3))
    return _sign(_unsigned(), proof_purpose="authentication", **options)


def _age(document: Any, **expect: Any) -> tuple[Outcome, str] | None:
    expect.setdefault("now", NOW)
    expect.setdefault("proof_purpose", "authentication")
    found = verify_proofs(
        document, expect=ProofExpectation(**expect), resolver=OFFLINE, suites=DATA_INTEGRITY_SUITES
    )
    ages = [(o.outcome, o.message) for o in found if o.code == "presentation.age"]
    assert len(ages) <= 1
    return ages[0] if ages else None


def test_a_presentation_proof_shows_its_age() -> None:
    shown = _age(_presented())
    assert shown is not None and shown[0] is Outcome.PASSED
    assert shown[1].startswith("presented 3 days ago (2026-01-12 12:00 UTC)")
    assert _failed(_presented(), proof_purpose="authentication") == set()
    # A credential's proof dates its issuance, not a presentation: no age.
    assert "presentation.age" not in _outcomes(SIGNED)


def test_without_a_challenge_the_age_says_it_could_be_a_replay() -> None:
    bare = _age(_presented())
    assert bare is not None and "replay" in bare[1]
    challenged = _age(_presented(challenge="c-1"), challenge="c-1")
    assert challenged is not None and "replay" not in challenged[1]


def test_max_age_refuses_an_old_presentation() -> None:
    old = _presented(created=NOW - timedelta(days=40))
    assert _failed(old, proof_purpose="authentication") == set()  # no bound by default
    refused = _age(old, max_age=timedelta(days=30))
    assert refused == (
        Outcome.FAILED,
        "presented 40 days ago (2025-12-06 12:00 UTC): "
        "older than the 30 days this verifier accepts",
    )
    assert _failed(old, proof_purpose="authentication", max_age=timedelta(days=30)) == {
        "presentation.age"
    }
    assert _failed(old, proof_purpose="authentication", max_age=timedelta(days=41)) == set()


def test_max_age_tolerates_the_clock_skew_only() -> None:
    edge = _presented(created=NOW - timedelta(days=30, minutes=4))
    assert _failed(edge, proof_purpose="authentication", max_age=timedelta(days=30)) == set()
    beyond = _presented(created=NOW - timedelta(days=30, minutes=6))
    assert _failed(beyond, proof_purpose="authentication", max_age=timedelta(days=30)) == {
        "presentation.age"
    }


def test_an_undated_presentation_cannot_meet_a_max_age() -> None:
    undated = _sign(_unsigned(), proof_purpose="authentication", include_created=False)
    assert "created" not in undated["proof"]
    assert _age(undated) == (
        Outcome.PASSED,
        "the presentation is not dated: its age is unknown; no challenge was checked, "
        "so this could be a copy presented again (replay)",
    )
    failed = _age(undated, max_age=timedelta(days=30))
    assert failed is not None and failed[0] is Outcome.FAILED and "not dated" in failed[1]


def test_the_holders_expires_ends_the_presentation() -> None:
    made = NOW - timedelta(days=3)
    lapsed = _presented(created=made, expires=made + timedelta(days=1))
    assert _failed(lapsed, proof_purpose="authentication") == {"proof.expired"}
    live = _presented(created=made, expires=made + timedelta(days=30))
    assert _failed(live, proof_purpose="authentication") == set()
    shown = _age(live)
    assert shown is not None and "valid until 2026-02-11 12:00 UTC" in shown[1]
    # The verifier's bound holds whatever the holder says.
    assert _failed(live, proof_purpose="authentication", max_age=timedelta(days=1)) == {
        "presentation.age"
    }


@pytest.mark.parametrize(
    "change",
    [
        lambda proof: proof.update(created=format_datetime(NOW)),
        lambda proof: proof.pop("created"),
        lambda proof: proof.pop("expires"),
        lambda proof: proof.update(expires=format_datetime(NOW + timedelta(days=365))),
    ],
    ids=["created-refreshed", "created-removed", "expires-removed", "expires-extended"],
)
def test_the_dates_of_a_presentation_are_signed(change: Any) -> None:
    made = NOW - timedelta(days=40)
    lapsed = _presented(created=made, expires=made + timedelta(days=1))
    forged = copy.deepcopy(lapsed)
    change(forged["proof"])
    for bound in (None, timedelta(days=30)):
        assert "proof.signature" in _failed(forged, proof_purpose="authentication", max_age=bound)


def test_a_presentation_dated_in_the_future_fails_once() -> None:
    future = _presented(created=NOW + timedelta(hours=1))
    assert _failed(future, proof_purpose="authentication") == {"proof.created"}
    assert _age(future) is None
    skewed = _age(_presented(created=NOW + timedelta(minutes=4)))
    assert skewed is not None and skewed[1].startswith("presented just now")


def test_max_age_bounds_any_proof_it_is_asked_of() -> None:
    assert _failed(SIGNED, max_age=timedelta(days=30)) == {"presentation.age"}
    assert _failed(SIGNED, max_age=timedelta(days=365)) == set()


def test_a_proof_cannot_expire_before_it_is_created() -> None:
    with pytest.raises(SigningError, match="expire before"):
        _presented(created=NOW, expires=NOW)
    with pytest.raises(SigningError, match="expire before"):
        _presented(created=NOW, expires=NOW - timedelta(days=1))
