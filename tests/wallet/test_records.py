"""The wallet's values: listing metadata, its flags and its search filters."""

from __future__ import annotations

import doctest
from datetime import timedelta

import pytest

import passeport.wallet._records
from passeport.wallet import CredentialFormat, CredentialInfo, Verification, WalletEntry
from tests.conftest import FIXED_NOW

AT = "2025-07-01T12:00:00Z"


def _entry(**info: object) -> WalletEntry:
    return WalletEntry(
        "5e1f0a9c2b7d",
        CredentialInfo(CredentialFormat.LDP_VC, AT, Verification(AT, True), **info),  # type: ignore[arg-type]
    )


DIPLOMA = _entry(
    types=("VerifiableCredential", "OpenBadgeCredential"),
    title="Développeur web et web mobile",
    issuer="did:web:univ.example",
    issuer_name="Université Exemple",
    subject="did:key:z6MkHolder",
)
SST = _entry(
    types=("VerifiableCredential", "OpenBadgeCredential"),
    title="Secouriste du travail",
    issuer="did:key:z6MksstQ2wF1",
    issuer_name="Organisme de formation",
    subject="did:key:z6MkqSsTholder",
)
TOKEN = _entry(vct="https://credentials.example/FirstAid", title="Premiers secours")


@pytest.mark.parametrize(
    ("entry", "filters", "expected"),
    [
        (DIPLOMA, {}, True),
        (DIPLOMA, {"kind": "openbadge"}, True),
        (DIPLOMA, {"kind": "Employment"}, False),
        (TOKEN, {"kind": "firstaid"}, True),
        (DIPLOMA, {"issuer": "UNIVERSITÉ"}, True),
        (DIPLOMA, {"issuer": "univ.example"}, True),
        (DIPLOMA, {"issuer": "employeur"}, False),
        (DIPLOMA, {"text": "web développeur"}, True),
        (DIPLOMA, {"text": "web plombier"}, False),
        (DIPLOMA, {"text": "developpeur"}, True),  # accents and case do not count
        (DIPLOMA, {"text": "DÉVELOPPEUR Web"}, True),
        (DIPLOMA, {"text": "universite"}, True),  # its issuer's name
        (DIPLOMA, {"text": "univ.example"}, True),  # its issuer's DID (did:web)
        (DIPLOMA, {"text": "openbadgecredential"}, True),  # its type
        (DIPLOMA, {"issuer": "universite exemple"}, True),
        (DIPLOMA, {"kind": "OPENBADGE"}, True),
        (DIPLOMA, {"text": "5e1f"}, False),  # not its record id: `wallet show` takes that
        (DIPLOMA, {"text": "z6mkholder"}, False),  # not its holder's DID
        (DIPLOMA, {"text": "holder"}, False),
        (SST, {"text": "sst"}, False),  # the subject's and the did:key issuer's letters
        (SST, {"issuer": "sst"}, True),  # --issuer takes any part of the DID, as asked
        (SST, {"text": "secouriste"}, True),
        (SST, {"text": "organisme"}, True),
        (DIPLOMA, {"kind": "openbadge", "issuer": "employeur"}, False),
    ],
)
def test_filters_all_apply(entry: WalletEntry, filters: dict[str, str], expected: bool) -> None:
    assert entry.matches(**filters) is expected  # type: ignore[arg-type]


def test_expiring_within_counts_days_from_now() -> None:
    until = (FIXED_NOW + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    training = _entry(valid_until=until)
    assert training.matches(expiring_within=30, now=FIXED_NOW)
    assert not training.matches(expiring_within=5, now=FIXED_NOW)
    assert not training.matches(expiring_within=30, now=FIXED_NOW + timedelta(days=11))  # gone
    assert not DIPLOMA.matches(expiring_within=3650, now=FIXED_NOW)  # never expires
    with pytest.raises(ValueError, match="give now"):
        training.matches(expiring_within=30)


def test_docstring_examples_run() -> None:
    failures, tried = doctest.testmod(passeport.wallet._records)
    assert tried > 0 and failures == 0
