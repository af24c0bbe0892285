"""Dates at the ends of the calendar give a verdict, never an OverflowError (issue 11).

A proof ``expires`` on 9999-12-31T23:59:59Z raised OverflowError when the
clock skew was added to it: the library raised instead of returning a result,
and the CLI printed a traceback. Every format's date checks are run here at
the ends of the calendar, with the widest skew and age a policy can hold.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pytest

from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs.dates import later
from passeport.proofs.jose import sign_vc_jwt
from passeport.proofs.sdjwt import holder_jwk, issue_sd_jwt, present_sd_jwt
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment, Policy, verify_any
from tests.cli.test_cli import SAMPLE

ISSUER: Final = KeyPair.from_private_key(
    PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([61]) * 32)
)
HOLDER: Final = KeyPair.from_private_key(
    PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([62]) * 32)
)
LAST: Final = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
FIRST: Final = datetime(1, 1, 1, tzinfo=UTC)
CREDENTIAL: Final = json.loads(SAMPLE.read_text("utf-8"))
NOW: Final = datetime(2026, 12, 1, tzinfo=UTC)  # the sample holds from 2026-07-01
ENV: Final = Environment(clock=lambda: NOW)


def _documents() -> dict[str, Any]:
    signed = sign_document(CREDENTIAL, ISSUER, created=NOW, expires=LAST)
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [signed],
    }
    sd_jwt = issue_sd_jwt(
        CREDENTIAL, ISSUER, holder_jwk=holder_jwk(HOLDER.controller), issued_at=NOW
    )
    return {
        "proof expires in 9999": signed,
        "presentation made in 9999": sign_document(
            presentation, HOLDER, challenge="c", domain="d", created=LAST - timedelta(days=1)
        ),
        "presentation made in year 1": sign_document(
            presentation, HOLDER, challenge="c", domain="d", created=FIRST + timedelta(days=1)
        ),
        "vc+jwt from year 1 to 9999": sign_vc_jwt(
            CREDENTIAL, ISSUER, issued_at=FIRST + timedelta(days=1), expires=LAST
        ),
        "sd-jwt key binding in 9999": present_sd_jwt(
            sd_jwt,
            [],
            holder_key=HOLDER,
            nonce="c",
            audience="d",
            issued_at=LAST - timedelta(days=1),
            expires=LAST,
        ),
    }


DOCUMENTS: Final = _documents()


def test_a_proof_expiring_at_the_end_of_the_calendar_verifies() -> None:
    result = verify_any(DOCUMENTS["proof expires in 9999"], env=ENV)
    assert result.verified, result.failures()


def test_validity_dates_at_the_ends_of_the_calendar_are_verdicts() -> None:
    document = copy.deepcopy(CREDENTIAL)
    document["validFrom"], document["validUntil"] = "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"
    result = verify_any(sign_document(document, ISSUER, created=NOW), env=ENV)
    assert result.verified, result.failures()


@pytest.mark.parametrize("at", [None, LAST, FIRST], ids=["now", "9999", "year 1"])
@pytest.mark.parametrize("skew", [timedelta(minutes=5), timedelta.max], ids=["5 min", "max"])
@pytest.mark.parametrize("max_age", [None, timedelta(days=1), timedelta.max])
@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_date_check_gives_a_result_at_the_ends_of_the_calendar(
    name: str, at: datetime | None, skew: timedelta, max_age: timedelta | None
) -> None:
    policy = Policy(at=at, max_clock_skew=skew, max_age=max_age, challenge="c", domain="d")
    result = verify_any(DOCUMENTS[name], policy=policy, env=ENV)
    assert result.checks


def test_later_saturates_at_the_ends_of_the_calendar() -> None:
    assert later(LAST, timedelta(minutes=5)) == datetime.max.replace(tzinfo=UTC)
    assert later(FIRST, -timedelta(minutes=5)) == datetime.min.replace(tzinfo=UTC)
    assert later(NOW, timedelta(days=1)) == NOW + timedelta(days=1)
