"""Bitstring Status List v1.0: decoding, the list credential's checks, and the bit."""

from __future__ import annotations

import base64
import copy
import gzip
import json
import shutil
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from passeport.errors import InputError
from passeport.proofs.outcome import Outcome
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment, Policy, verify_any, verify_credential
from passeport.verifier.result import VerificationResult
from passeport.verifier.status import (
    MIN_LIST_BITS,
    Bitstring,
    LiveFetcher,
    StatusListCache,
    decode_status_list,
    status_checks,
)
from tests.conftest import DBJS, FIXED_NOW, VECTORS, load_json
from tests.verifier.status_helpers import (
    LIST_URL,
    credential,
    encode_bits,
    entry,
    environment,
    key,
    list_credential,
    publish,
)

ISSUER = key(1)
OTHER = key(2)
OUT = DBJS / "outputs"
DBJS_LIST_URL = "https://university.example/status/revocation/1"


def _status(result: VerificationResult) -> list[tuple[str, Outcome]]:
    return [(c.code, c.outcome) for c in result.checks if c.code.startswith("status.")]


def _verify(
    tmp_path: Path,
    status: Any,
    listed: dict[str, Any] | bytes | None,
    *,
    policy: Policy | None = None,
) -> VerificationResult:
    if listed is not None:
        publish(tmp_path, listed)
    document = credential(status, signer=ISSUER)
    return verify_credential(document, policy=policy, env=environment(tmp_path, FIXED_NOW))


def _revocation_list(*set_bits: int, **options: Any) -> dict[str, Any]:
    return list_credential(encode_bits(set_bits), signer=options.pop("signer", ISSUER), **options)


# --- decoding -------------------------------------------------------------------------------


def test_bits_are_read_left_to_right_most_significant_first() -> None:
    bits = Bitstring(bytes([0b1000_0001, 0b0100_0000]))
    assert bits.length == 16
    assert [i for i in range(16) if bits.bit(i)] == [0, 7, 9]
    assert bits.value(0, 2) == 0b10
    assert bits.value(3, 2) == 0b01
    assert bits.value(4, 2) == 0b01
    with pytest.raises(IndexError):
        bits.bit(16)
    with pytest.raises(IndexError):
        bits.value(8, 2)


def test_spec_example_decodes_to_131072_clear_bits() -> None:
    example = load_json(VECTORS / "bitstring-status-list" / "example-status-list-credential.json")
    bits = decode_status_list(example["credentialSubject"]["encodedList"])
    assert bits.length == MIN_LIST_BITS
    assert not any(bits.data)


def test_dbjs_list_decodes_as_there() -> None:
    expected = load_json(OUT / "status-decode.json")
    listed = load_json(DBJS / "status" / "revocation-1.json")
    bits = decode_status_list(listed["credentialSubject"]["encodedList"])
    assert bits.length == expected["length"] == MIN_LIST_BITS
    assert [i for i in range(bits.length) if bits.bit(i)] == expected["set"]


@pytest.mark.parametrize(
    "encoded",
    ["", "zabc", "u!!!", "u" + base64.urlsafe_b64encode(b"not gzip").decode().rstrip("=")],
)
def test_malformed_lists_are_input_errors(encoded: str) -> None:
    with pytest.raises(InputError):
        decode_status_list(encoded)


def test_truncated_gzip_is_refused() -> None:
    data = base64.urlsafe_b64encode(gzip.compress(bytes(16_384))[:-12]).decode().rstrip("=")
    with pytest.raises(InputError, match="truncated"):
        decode_status_list("u" + data)


def test_gzip_bomb_is_refused() -> None:
    bomb = encode_bits(raw=bytes(64 * 1024 * 1024))  # 64 MiB of zeros, ~64 KiB compressed
    assert len(bomb) < 200_000
    with pytest.raises(InputError, match="more than"):
        decode_status_list(bomb)


def test_million_entry_list_is_decoded_once_then_looked_up() -> None:
    encoded = encode_bits(range(0, 1_000_000, 997), length=1_000_000)
    cache = StatusListCache()
    start = time.perf_counter()
    hits = sum(cache.decode(LIST_URL, encoded).bit(i * 97) for i in range(10_000))
    elapsed = time.perf_counter() - start
    assert cache.decodes == 1
    assert hits == sum(1 for i in range(10_000) if (i * 97) % 997 == 0)
    assert elapsed < 1.0


def test_a_changed_list_under_the_same_url_is_decoded_again() -> None:
    cache = StatusListCache(max_entries=1)
    assert not cache.decode(LIST_URL, encode_bits()).bit(3)
    assert cache.decode(LIST_URL, encode_bits([3])).bit(3)
    assert cache.decodes == 2


# --- the bit --------------------------------------------------------------------------------


def test_revoked(tmp_path: Path) -> None:
    result = _verify(tmp_path, entry(42), _revocation_list(5, 42))
    assert not result.verified
    assert _status(result) == [("status.revoked", Outcome.FAILED)]
    message = result.checks[-1].message
    assert LIST_URL in message and "42" in message
    assert result.checks[-1].pointer == "/credentialStatus"


def test_clear_bit_passes(tmp_path: Path) -> None:
    result = _verify(tmp_path, entry(7), _revocation_list(5, 42))
    assert result.verified, result.failures()
    assert _status(result) == [("status.revocation", Outcome.PASSED)]
    assert result.checks[-1].message.startswith("not revoked")


def test_suspended_and_not_suspended(tmp_path: Path) -> None:
    listed = _revocation_list(3, purpose="suspension")
    result = _verify(tmp_path, [entry(3, purpose="suspension")], listed)
    assert not result.verified
    assert _status(result) == [("status.suspended", Outcome.FAILED)]
    assert result.checks[-1].pointer == "/credentialStatus/0"
    result = _verify(tmp_path, [entry(4, purpose="suspension")], listed)
    assert _status(result) == [("status.suspension", Outcome.PASSED)]
    assert result.verified


def test_integer_index_is_accepted(tmp_path: Path) -> None:
    status = entry(42)
    status["statusListIndex"] = 42
    result = _verify(tmp_path, status, _revocation_list(42))
    assert _status(result) == [("status.revoked", Outcome.FAILED)]


def test_message_purpose_reports_the_message(tmp_path: Path) -> None:
    # Entry 2 of 2-bit entries is bits 4-5: value 0b10.
    listed = list_credential(encode_bits([4]), signer=ISSUER, purpose="message")
    messages = [
        {"status": "0x0", "message": "pending"},
        {"status": "0x1", "message": "accepted"},
        {"status": "0x2", "message": "under review"},
    ]
    status = entry(2, purpose="message", statusSize=2, statusMessage=messages)
    result = _verify(tmp_path, status, listed)
    assert _status(result) == [("status.message", Outcome.PASSED)]
    assert '"under review"' in result.checks[-1].message
    assert result.verified


def test_index_out_of_range(tmp_path: Path) -> None:
    result = _verify(tmp_path, entry(MIN_LIST_BITS), _revocation_list())
    assert _status(result) == [("status.index_out_of_range", Outcome.FAILED)]
    assert not result.verified


def test_list_too_short(tmp_path: Path) -> None:
    listed = list_credential(encode_bits(length=1024), signer=ISSUER)
    result = _verify(tmp_path, entry(1), listed)
    assert _status(result) == [("status.list_too_short", Outcome.FAILED)]


def test_both_entries_are_checked(tmp_path: Path) -> None:
    suspension_url = "https://university.example/status/2"
    publish(
        tmp_path, _revocation_list(9, purpose="suspension", url=suspension_url), url=suspension_url
    )
    status = [entry(9), entry(9, purpose="suspension", url=suspension_url)]
    result = _verify(tmp_path, status, _revocation_list())
    assert _status(result) == [
        ("status.revocation", Outcome.PASSED),
        ("status.suspended", Outcome.FAILED),
    ]


# --- the list credential itself ------------------------------------------------------------


def test_list_signed_and_issued_by_another_issuer(tmp_path: Path) -> None:
    result = _verify(tmp_path, entry(7), _revocation_list(signer=OTHER))
    assert _status(result) == [("status.list_issuer", Outcome.FAILED)]
    assert OTHER.controller in result.checks[-1].message


def test_list_claiming_the_issuer_but_signed_by_another_key(tmp_path: Path) -> None:
    listed = _revocation_list(signer=OTHER)
    listed["issuer"] = ISSUER.controller  # the signer refuses to sign this, so edit after
    result = _verify(tmp_path, entry(7), listed)
    codes = _status(result)
    assert codes and all(code == ("status.list_proof", Outcome.FAILED) for code in codes)
    assert not result.verified


def test_tampered_list_fails_and_reports_no_bit(tmp_path: Path) -> None:
    listed = _revocation_list()
    listed["credentialSubject"]["encodedList"] = encode_bits([7])
    result = _verify(tmp_path, entry(7), listed)
    assert _status(result) == [("status.list_proof", Outcome.FAILED)]


def test_list_expired(tmp_path: Path) -> None:
    listed = _revocation_list(valid_until="2025-12-31T00:00:00Z")
    result = _verify(tmp_path, entry(7), listed)
    assert _status(result) == [("status.list_expired", Outcome.FAILED)]
    assert "2025-12-31" in result.checks[-1].message


def test_list_not_yet_valid(tmp_path: Path) -> None:
    listed = _revocation_list()
    unsigned = {k: v for k, v in listed.items() if k != "proof"}
    unsigned["validFrom"] = "2027-01-01T00:00:00Z"
    result = _verify(tmp_path, entry(7), sign_document(unsigned, ISSUER, created=FIXED_NOW))
    assert _status(result) == [("status.list_validity", Outcome.FAILED)]
    assert "not valid before 2027-01-01" in result.checks[-1].message
    current = _verify(tmp_path, entry(7), _revocation_list())
    assert _status(current) == [("status.revocation", Outcome.PASSED)]


def test_purpose_mismatch(tmp_path: Path) -> None:
    result = _verify(tmp_path, entry(7, purpose="suspension"), _revocation_list())
    assert _status(result) == [("status.purpose_mismatch", Outcome.FAILED)]


def test_list_that_is_not_json(tmp_path: Path) -> None:
    result = _verify(tmp_path, entry(7), b"<html>")
    assert _status(result) == [("status.list_malformed", Outcome.FAILED)]


# --- entries --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        entry("-1"),
        entry("seven"),
        {**entry(7), "statusListCredential": "ftp://x"},
        {**entry(7), "statusPurpose": None},
        {**entry(7), "statusSize": 0},
        "https://university.example/status/1#7",
    ],
)
def test_malformed_entries_fail(
    tmp_path: Path, status: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The issuer refuses a status without type (proofs/model.py); sign it anyway.
    monkeypatch.setattr("passeport.proofs.sign.model_problems", lambda _document: ())
    result = _verify(tmp_path, status, _revocation_list())
    assert _status(result) == [("status.malformed", Outcome.FAILED)]


def test_unknown_entry_type_is_unchecked(tmp_path: Path) -> None:
    status = {"id": f"{LIST_URL}#7", "type": "https://status.example/OtherStatusEntry"}
    result = _verify(tmp_path, status, None)
    assert _status(result) == [("status.unsupported", Outcome.UNCHECKED)]


def test_unreachable_list_offline_is_unchecked(tmp_path: Path) -> None:
    strict = _verify(tmp_path, entry(7), None)
    assert _status(strict) == [("status.unchecked", Outcome.UNCHECKED)]
    message = strict.checks[-1].message
    assert message.startswith("status unknown") and LIST_URL in message and "(index 7)" in message
    assert not strict.verified
    lenient = _verify(tmp_path, entry(7), None, policy=Policy(unchecked_is_failure=False))
    assert lenient.verified


def test_no_status_no_checks() -> None:
    checks = status_checks(
        {"issuer": "did:example:x"}, credential=None, base="", policy=Policy(), env=Environment()
    )
    assert checks == []


# --- Digital Bazaar's outputs (shared/interop/dbjs) ---------------------------------------


def _dbjs_cache(tmp_path: Path, list_file: Path) -> Environment:
    index = load_json(DBJS / "status" / "index.json")
    assert index[DBJS_LIST_URL] == "revocation-1.json"
    target = tmp_path / "university.example" / "status" / "revocation" / "1"
    target.parent.mkdir(parents=True)
    shutil.copy(list_file, target)
    return Environment(clock=lambda: FIXED_NOW).with_cache(tmp_path)


@pytest.mark.parametrize(
    ("name", "policy", "codes"),
    [
        ("diploma-status-7.json", {}, [("status.revocation", Outcome.PASSED)]),
        ("diploma-status-42.json", {}, [("status.revoked", Outcome.FAILED)]),
        ("vp-revoked.json", {"challenge": "c1"}, [("status.revoked", Outcome.FAILED)]),
    ],
)
def test_same_status_verdict_as_dbjs(
    tmp_path: Path, name: str, policy: dict[str, Any], codes: list[tuple[str, Outcome]]
) -> None:
    env = _dbjs_cache(tmp_path, DBJS / "status" / "revocation-1.json")
    result = verify_any(load_json(OUT / name), policy=Policy(**policy), env=env)
    expected = bool(load_json(OUT / f"verify-{name}")["verified"])
    assert result.verified is expected, result.failures()
    assert _status(result) == codes
    if not expected:
        assert [c.code for c in result.failures()] == ["status.revoked"]


def test_dbjs_without_the_status_directory_is_unchecked() -> None:
    assert load_json(OUT / "verify-diploma-status-7-no-status-dir.json")["verified"] is False
    env = Environment(clock=lambda: FIXED_NOW)
    result = verify_any(load_json(OUT / "diploma-status-7.json"), env=env)
    assert not result.verified
    assert [(c.code, c.outcome) for c in result.failures()] == [
        ("status.unchecked", Outcome.UNCHECKED)
    ]


def test_dbjs_tampered_list_fails_as_there(tmp_path: Path) -> None:
    decoded = load_json(OUT / "status-decode-tampered.json")
    assert decoded["proof"]["verified"] is False
    env = _dbjs_cache(tmp_path, OUT / "status-list-tampered.json")
    result = verify_any(load_json(OUT / "diploma-status-7.json"), env=env)
    assert not result.verified
    # A list that is not authentic is not read further (its purpose was tampered with too).
    assert _status(result) == [("status.list_proof", Outcome.FAILED)]


def test_signed_list_with_an_unreadable_encoded_list(tmp_path: Path) -> None:
    listed = list_credential("uNotGzip", signer=ISSUER)
    result = _verify(tmp_path, entry(7), listed)
    assert _status(result) == [("status.list_malformed", Outcome.FAILED)]


# --- a list speaks only for its own URL, its issuer, its period (issue 10, hole 4) ---------

LIST_2 = "https://university.example/status/2"
LENIENT = Policy(unchecked_is_failure=False)
VALID_UNTIL_IRI = "https://www.w3.org/2018/credentials#validUntil"
XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"


@pytest.mark.parametrize("policy", [Policy(), LENIENT], ids=["strict", "lenient"])
def test_the_issuers_list_for_another_url_cannot_clear_a_revoked_bit(
    tmp_path: Path, policy: Policy
) -> None:
    # List 1 revokes index 7; the issuer's list 2 has it clear. Serve list 2 at URL 1.
    assert _status(_verify(tmp_path, entry(7), _revocation_list(7))) == [
        ("status.revoked", Outcome.FAILED)
    ]
    swapped = _revocation_list(url=LIST_2)
    result = _verify(tmp_path, entry(7), swapped, policy=policy)
    assert not result.verified
    assert _status(result) == [("status.list_url", Outcome.FAILED)]
    message = result.checks[-1].message
    assert LIST_2 in message and LIST_URL in message


def test_a_list_without_an_id_speaks_for_no_url(tmp_path: Path) -> None:
    listed = _revocation_list()
    unsigned = {k: v for k, v in listed.items() if k not in ("proof", "id")}
    result = _verify(tmp_path, entry(7), sign_document(unsigned, ISSUER, created=FIXED_NOW))
    assert _status(result) == [("status.list_url", Outcome.FAILED)]
    assert "without an id" in result.checks[-1].message


def test_the_list_of_the_right_url_passes_and_is_named(tmp_path: Path) -> None:
    result = _verify(tmp_path, entry(7), _revocation_list(5))
    assert _status(result) == [("status.revocation", Outcome.PASSED)]


@pytest.mark.parametrize("policy", [Policy(), LENIENT], ids=["strict", "lenient"])
def test_a_list_by_another_issuer_cannot_clear_a_revoked_bit(
    tmp_path: Path, policy: Policy
) -> None:
    # The issuer revoked index 7; someone else signs a list with it clear.
    forged = _revocation_list(signer=OTHER)
    result = _verify(tmp_path, entry(7), forged, policy=policy)
    assert not result.verified
    assert _status(result) == [("status.list_issuer", Outcome.FAILED)]


def test_a_credential_naming_no_issuer_has_no_list_speaking_for_it(tmp_path: Path) -> None:
    publish(tmp_path, _revocation_list())
    document = {"credentialStatus": entry(7)}
    checks = status_checks(
        document, credential=None, base="", policy=Policy(), env=environment(tmp_path, FIXED_NOW)
    )
    assert [(c.code, c.outcome) for c in checks] == [("status.list_issuer", Outcome.FAILED)]
    assert "names no issuer" in checks[0].message


@pytest.mark.parametrize("policy", [Policy(), LENIENT], ids=["strict", "lenient"])
def test_an_expired_list_never_passes(tmp_path: Path, policy: Policy) -> None:
    listed = _revocation_list(7, valid_until="2025-12-31T00:00:00Z")
    result = _verify(tmp_path, entry(8), listed, policy=policy)
    assert not result.verified
    assert _status(result) == [("status.list_expired", Outcome.FAILED)]


def _iri(listed: dict[str, Any]) -> dict[str, Any]:
    until = listed.pop("validUntil")
    listed[VALID_UNTIL_IRI] = {"@value": until, "@type": XSD_DATETIME}
    return listed


def _alias(listed: dict[str, Any]) -> dict[str, Any]:
    listed["@context"] = [*listed["@context"], {"until": {"@id": VALID_UNTIL_IRI}}]
    listed["until"] = {"@value": listed.pop("validUntil"), "@type": XSD_DATETIME}
    return listed


def _compact_iri(listed: dict[str, Any]) -> dict[str, Any]:
    listed["@context"] = [*listed["@context"], {"cred": "https://www.w3.org/2018/credentials#"}]
    listed["cred:validUntil"] = {"@value": listed.pop("validUntil"), "@type": XSD_DATETIME}
    return listed


def _included(listed: dict[str, Any]) -> dict[str, Any]:
    node = {"id": listed["id"], "type": "VerifiableCredential"}
    listed["@included"] = [{**node, "validUntil": listed.pop("validUntil")}]
    return listed


def _nested_included(listed: dict[str, Any]) -> dict[str, Any]:
    node = {"id": listed["id"], "type": "VerifiableCredential"}
    listed["credentialSubject"]["@included"] = [[{**node, "validUntil": listed.pop("validUntil")}]]
    return listed


@pytest.mark.parametrize(
    "respell",
    [_iri, _alias, _compact_iri, _included, _nested_included],
    ids=["iri", "alias", "compact-iri", "included", "nested-included"],
)
def test_an_expired_list_stays_expired_however_its_valid_until_is_spelled(
    tmp_path: Path, respell: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    # Signed with validUntil past: re-expressed (same RDF, so the proof may still hold),
    # a check reading the member "validUntil" would see none and trust the list.
    listed = respell(copy.deepcopy(_revocation_list(7, valid_until="2025-12-31T00:00:00Z")))
    result = _verify(tmp_path, entry(7), listed, policy=LENIENT)
    assert not result.verified
    codes = _status(result)
    assert codes and all(outcome is Outcome.FAILED for _, outcome in codes), codes
    assert ("status.revocation", Outcome.PASSED) not in codes


def test_an_iri_spelled_list_is_refused_before_its_proof(tmp_path: Path) -> None:
    listed = _iri(copy.deepcopy(_revocation_list(7, valid_until="2025-12-31T00:00:00Z")))
    result = _verify(tmp_path, entry(8), listed)
    assert _status(result) == [("status.list_malformed", Outcome.FAILED)]
    assert VALID_UNTIL_IRI in result.checks[-1].message


def test_a_list_with_the_data_integrity_context_too_is_read(tmp_path: Path) -> None:
    listed = _revocation_list()
    unsigned = {k: v for k, v in listed.items() if k != "proof"}
    unsigned["@context"] = [*unsigned["@context"], "https://w3id.org/security/data-integrity/v2"]
    result = _verify(tmp_path, entry(7), sign_document(unsigned, ISSUER, created=FIXED_NOW))
    assert _status(result) == [("status.revocation", Outcome.PASSED)]


# --- the verdict says how fresh the status is ----------------------------------------------


def test_the_status_message_gives_the_lists_dates(tmp_path: Path) -> None:
    listed = _revocation_list(7, valid_until="2026-02-01T00:00:00Z")
    revoked = _verify(tmp_path, entry(7), listed)
    assert revoked.checks[-1].message == (
        f"revoked by the issuer, per the status list at {LIST_URL} (index 7), "
        "as of 2025-01-01T00:00:00Z, valid until 2026-02-01T00:00:00Z"
    )
    passed = _verify(tmp_path, entry(8), listed)
    assert passed.checks[-1].message.startswith("not revoked, per the status list at")
    assert passed.checks[-1].message.endswith(
        "as of 2025-01-01T00:00:00Z, valid until 2026-02-01T00:00:00Z"
    )


def test_an_undated_list_says_when_it_was_fetched(tmp_path: Path) -> None:
    listed = _revocation_list()
    unsigned = {k: v for k, v in listed.items() if k not in ("proof", "validFrom")}
    result = _verify(tmp_path, entry(7), sign_document(unsigned, ISSUER, created=FIXED_NOW))
    assert _status(result) == [("status.revocation", Outcome.PASSED)]
    assert result.checks[-1].message.endswith(
        "as fetched at 2026-01-15T12:00:00Z (the list is undated)"
    )


def test_the_suspension_and_message_purposes_are_dated_too(tmp_path: Path) -> None:
    listed = _revocation_list(3, purpose="suspension")
    result = _verify(tmp_path, [entry(3, purpose="suspension")], listed)
    assert result.checks[-1].message.endswith("as of 2025-01-01T00:00:00Z")
    message_list = list_credential(encode_bits(), signer=ISSUER, purpose="message")
    result = _verify(tmp_path, entry(1, purpose="message"), message_list)
    assert result.checks[-1].message.endswith("as of 2025-01-01T00:00:00Z")


# --- a live fetcher: a list that changes in place is seen changed at once -----------------


@dataclass
class _LiveLists:
    """A live fetcher over lists the test changes in place; ``moves`` bumps during a fetch."""

    documents: dict[str, dict[str, Any]]
    revisions: dict[str, int] = field(default_factory=dict)
    fetches: int = 0
    moves: bool = False

    def set(self, url: str, document: dict[str, Any]) -> None:
        self.documents[url] = document
        self.revisions[url] = self.revisions.get(url, 0) + 1

    def revision(self, url: str) -> Hashable | None:
        return self.revisions.get(url)

    def fetch(self, url: str, *, max_bytes: int) -> bytes:
        self.fetches += 1
        if self.moves:
            self.revisions[url] = self.revisions.get(url, 0) + 1
        return json.dumps(self.documents[url]).encode("utf-8")


def _live_status(env: Environment) -> list[tuple[str, Outcome]]:
    return _status(verify_credential(credential(entry(7), signer=ISSUER), env=env))


def test_a_live_list_is_reused_until_it_changes_then_read_again() -> None:
    live = _LiveLists({})
    live.set(LIST_URL, _revocation_list())
    assert isinstance(live, LiveFetcher)
    env = Environment(fetcher=live, clock=lambda: FIXED_NOW)
    assert _live_status(env) == [("status.revocation", Outcome.PASSED)]
    assert _live_status(env) == [("status.revocation", Outcome.PASSED)]
    assert live.fetches == 1 and env.status_lists.verifications == 1
    live.set(LIST_URL, _revocation_list(7))  # revoked: well within the list's 5-minute reuse
    assert _live_status(env) == [("status.revoked", Outcome.FAILED)]
    assert live.fetches == 2


def test_a_live_list_that_changed_while_fetched_is_not_kept() -> None:
    live = _LiveLists({}, moves=True)
    live.set(LIST_URL, _revocation_list())
    env = Environment(fetcher=live, clock=lambda: FIXED_NOW)
    assert _live_status(env) == [("status.revocation", Outcome.PASSED)]
    assert _live_status(env) == [("status.revocation", Outcome.PASSED)]
    assert live.fetches == 2 and env.status_lists.verifications == 0
