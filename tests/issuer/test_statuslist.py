"""Status lists, issuer side: random-looking indexes, never shared, and what verifiers see."""

from __future__ import annotations

import doctest
import itertools
import json
import multiprocessing
import statistics
import threading
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import passeport.issuer._permutation
import passeport.issuer.statuslist
from passeport.did.fetch import StaticFetcher
from passeport.errors import InputError, ResolutionError
from passeport.issuer import cli as issuer_cli
from passeport.issuer.profile import MIN_LIST_SIZE, Profile
from passeport.issuer.registry import CredentialRecord, CredentialState
from passeport.issuer.statuslist import (
    DEFAULT_LIST_VALIDITY,
    LIVE_LIST_VALIDITY,
    KeyedPermutation,
    LiveStatusFetcher,
    StatusSlot,
    allocate_status,
    encode_status_list,
    list_urls,
    permutation_for,
    publish_status,
    reinstate,
    revoke,
    status_list_credential,
    suspend,
)
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment, Policy, decode_status_list, verify_credential
from passeport.verifier.status import LiveFetcher
from tests.issuer._helpers import HOST, ISSUED_AT, VC_V2, make_profile, offline


@pytest.mark.parametrize("size", [1, 2, 3, 7, 16, 100, 257, 1000])
def test_the_permutation_is_a_bijection(size: int) -> None:
    permutation = KeyedPermutation(b"k" * 32, size)
    assert sorted(permutation.index(p) for p in range(size)) == list(range(size))
    with pytest.raises(ValueError, match="outside"):
        permutation.index(size)


def test_a_whole_list_gets_every_index_once() -> None:
    permutation = permutation_for(b"s" * 32, 1, "revocation", MIN_LIST_SIZE)
    indexes = {permutation.index(p) for p in range(MIN_LIST_SIZE)}
    assert indexes == set(range(MIN_LIST_SIZE))


def test_indexes_look_random_and_spread_over_the_list() -> None:
    size = MIN_LIST_SIZE
    permutation = permutation_for(b"s" * 32, 1, "revocation", size)
    first = [permutation.index(p) for p in range(2000)]
    # Not the order of issuance: neighbours in time are far apart in the list.
    assert first != sorted(first)
    steps = [abs(b - a) for a, b in itertools.pairwise(first)]
    assert sum(1 for step in steps if step == 1) < 5
    assert statistics.median(steps) > size / 8
    # Spread: every eighth of the list gets its share (expected 250 each).
    buckets = [0] * 8
    for index in first:
        buckets[index * 8 // size] += 1
    assert min(buckets) > 150 and max(buckets) < 350
    # Keyed: another secret, list or purpose gives another order; the same gives the same.
    assert [permutation_for(b"t" * 32, 1, "revocation", size).index(p) for p in range(50)] != first[
        :50
    ]
    assert [permutation_for(b"s" * 32, 2, "revocation", size).index(p) for p in range(50)] != first[
        :50
    ]
    assert [permutation_for(b"s" * 32, 1, "suspension", size).index(p) for p in range(50)] != first[
        :50
    ]
    assert [permutation_for(b"s" * 32, 1, "revocation", size).index(p) for p in range(50)] == first[
        :50
    ]


def test_bad_permutation_parameters() -> None:
    with pytest.raises(ValueError, match="at least one"):
        KeyedPermutation(b"k" * 32, 0)
    with pytest.raises(ValueError, match="16 to 64 bytes"):
        KeyedPermutation(b"k", 10)


def test_encoded_lists_decode_with_the_verifier() -> None:
    set_bits = [0, 7, 8, 4242, MIN_LIST_SIZE - 1]
    encoded = encode_status_list(set_bits, MIN_LIST_SIZE)
    assert encoded.startswith("u") and "=" not in encoded
    bitstring = decode_status_list(encoded)
    assert bitstring.length == MIN_LIST_SIZE
    assert [i for i in range(MIN_LIST_SIZE) if bitstring.bit(i)] == set_bits
    assert encode_status_list([], MIN_LIST_SIZE) == encode_status_list([], MIN_LIST_SIZE)
    with pytest.raises(ValueError, match="at least 131072"):
        encode_status_list([], MIN_LIST_SIZE - 8)
    with pytest.raises(ValueError, match="outside"):
        encode_status_list([MIN_LIST_SIZE], MIN_LIST_SIZE)


def _slots_in(directory: str, rounds: int) -> list[tuple[int, str, int]]:
    profile = Profile.open(Path(directory))
    found: list[tuple[int, str, int]] = []
    with profile.open_registry() as registry:
        for _ in range(rounds):
            for slot in allocate_status(profile, registry, 2, at=ISSUED_AT):
                found.append((slot.list_id, "revocation", slot.revocation_index))
                found.append((slot.list_id, "suspension", slot.suspension_index))
    return found


def test_allocation_is_unique_across_threads_and_processes(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    results: list[list[tuple[int, str, int]]] = []
    lock = threading.Lock()

    def work() -> None:
        found = _slots_in(str(profile.directory), 15)
        with lock:
            results.append(found)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    # Separate interpreters, as concurrent issuers are (a fork would copy SQLite's lock state).
    with ProcessPoolExecutor(
        max_workers=3, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        futures = [pool.submit(_slots_in, str(profile.directory), 15) for _ in range(3)]
        results.extend(future.result() for future in futures)
    for thread in threads:
        thread.join()
    every = [entry for found in results for entry in found]
    assert len(every) == 7 * 15 * 2 * 2 == len(set(every))
    with profile.open_registry() as registry:
        [status_list] = registry.lists()
    assert status_list.allocated == 7 * 15 * 2


def test_a_full_list_rolls_over(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    with profile.open_registry() as registry:
        first = allocate_status(profile, registry, 5, at=ISSUED_AT)
        registry.allocate(MIN_LIST_SIZE - 6, size=MIN_LIST_SIZE, urls=_urls, now="2026-01-15")
        more = allocate_status(profile, registry, 3, at=ISSUED_AT)
    assert [s.list_id for s in first + more] == [1, 1, 1, 1, 1, 1, 2, 2]
    assert [s.position for s in more] == [MIN_LIST_SIZE - 1, 0, 1]
    assert len({s.revocation_index for s in first + more[:1]}) == 6
    assert more[1].revocation_url == f"https://{HOST}/status/revocation-2"
    assert more[1].suspension_url == f"https://{HOST}/status/suspension-2"


def _urls(list_id: int) -> tuple[str, str]:
    return (f"https://x.example/r{list_id}", f"https://x.example/s{list_id}")


def _credential(profile: Profile, slot: StatusSlot, n: int) -> dict[str, Any]:
    """Sign a small credential carrying ``slot``'s entries and record it."""
    document = {
        "@context": [VC_V2],
        "id": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "type": ["VerifiableCredential"],
        "validFrom": "2026-01-15T12:00:00Z",
        "credentialSubject": {"id": f"did:example:{n}", "name": f"Student {n}"},
        "credentialStatus": slot.entries(),
    }
    signed = sign_document(document, profile.key, created=ISSUED_AT)
    with profile.open_registry() as registry:
        registry.add(
            [
                CredentialRecord(
                    id=str(document["id"]),
                    template="diploma",
                    subject=f"did:example:{n}",
                    list_id=slot.list_id,
                    revocation_index=slot.revocation_index,
                    suspension_index=slot.suspension_index,
                    issued="2026-01-15T12:00:00Z",
                )
            ]
        )
    return dict(signed)


def _codes(credential: dict[str, Any], env: Environment) -> list[str]:
    result = verify_credential(credential, env=env)
    return [check.code for check in result.checks if check.code.startswith("status")]


def test_entries_follow_the_spec(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    with profile.open_registry() as registry:
        [slot] = allocate_status(profile, registry, 1, at=ISSUED_AT)
    revocation, suspension = slot.entries()
    url = f"https://{HOST}/status/revocation-1"
    assert revocation == {
        "id": f"{url}#{slot.revocation_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(slot.revocation_index),
        "statusListCredential": url,
    }
    assert suspension["statusPurpose"] == "suspension"
    assert suspension["statusListCredential"] == f"https://{HOST}/status/suspension-1"


def test_revoke_suspend_reinstate_reach_the_verifier(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    with profile.open_registry() as registry:
        slots = allocate_status(profile, registry, 3, at=ISSUED_AT)
    alice, bob, carol = (_credential(profile, slot, n) for n, slot in enumerate(slots))
    public = tmp_path / "public"

    def published() -> Environment:
        publish_status(profile, public, at=ISSUED_AT)
        return offline(public)

    env = published()
    for credential in (alice, bob, carol):
        assert verify_credential(credential, env=env).verified
        assert _codes(credential, env) == ["status.revocation", "status.suspension"]

    record = revoke(profile, alice["id"], reason="fraud", at=ISSUED_AT)
    assert record.state is CredentialState.REVOKED and record.reason == "fraud"
    suspend(profile, bob["id"], reason="inquiry", at=ISSUED_AT)
    # Not visible before publication: verifiers read the published lists.
    assert verify_credential(alice, env=offline(public)).verified
    env = published()
    assert _codes(alice, env) == ["status.revoked", "status.suspension"]
    assert _codes(bob, env) == ["status.revocation", "status.suspended"]
    assert _codes(carol, env) == ["status.revocation", "status.suspension"]
    assert not verify_credential(alice, env=env).verified
    assert not verify_credential(bob, env=env).verified

    reinstate(profile, bob["id"], reason="cleared", at=ISSUED_AT)
    env = published()
    assert verify_credential(bob, env=env).verified
    with pytest.raises(InputError, match="revocation is final and cannot be undone"):
        reinstate(profile, alice["id"])
    with pytest.raises(InputError, match=r"was revoked on 2026-01-15T12:00:00Z \(fraud\)"):
        suspend(profile, alice["id"])
    with pytest.raises(InputError, match=r"was revoked on .*; revocation is final$"):
        revoke(profile, alice["id"])
    with pytest.raises(InputError, match="is not suspended"):
        reinstate(profile, carol["id"])
    suspend(profile, carol["id"], at=ISSUED_AT)
    with pytest.raises(InputError, match="is already suspended"):
        suspend(profile, carol["id"])
    revoke(profile, carol["id"], reason="fraud too", at=ISSUED_AT)
    env = published()
    assert _codes(carol, env) == ["status.revoked", "status.suspension"]
    with pytest.raises(InputError, match="urn:uuid:nope: no such credential"):
        revoke(profile, "urn:uuid:nope")


def test_published_files_follow_the_cache_layout(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    with profile.open_registry() as registry:
        allocate_status(profile, registry, 1, at=ISSUED_AT)
        registry.allocate(
            MIN_LIST_SIZE, size=MIN_LIST_SIZE, urls=lambda n: list_urls(profile, n), now="x"
        )
    public = tmp_path / "public"
    written = publish_status(
        profile, public, at=ISSUED_AT, valid_for=timedelta(days=7), ttl=timedelta(hours=1)
    )
    relative = sorted(str(path.relative_to(public)) for path in written)
    assert relative == [
        f"{HOST}/.well-known/did.json",
        f"{HOST}/status/revocation-1",
        f"{HOST}/status/revocation-2",
        f"{HOST}/status/suspension-1",
        f"{HOST}/status/suspension-2",
    ]
    assert not [p for p in public.rglob(".*") if p.name != ".well-known"]
    listed = json.loads((public / HOST / "status" / "suspension-2").read_text())
    assert listed["id"] == f"https://{HOST}/status/suspension-2"
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert listed["issuer"]["id"] == profile.did
    assert listed["validFrom"] == "2026-01-15T12:00:00Z"
    assert listed["validUntil"] == "2026-01-22T12:00:00Z"
    subject = listed["credentialSubject"]
    assert subject["statusPurpose"] == "suspension" and subject["ttl"] == 3_600_000
    assert decode_status_list(subject["encodedList"]).length == MIN_LIST_SIZE
    result = verify_credential(listed, env=offline(public))
    assert result.verified, result.to_json()
    expired = offline(public, ISSUED_AT + timedelta(days=8))
    assert not verify_credential(listed, env=expired).verified


def test_a_list_credential_for_a_did_key_issuer(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "co", did="key", status_base="https://jobs.example/s/")
    with profile.open_registry() as registry:
        allocate_status(profile, registry, 1, at=ISSUED_AT)
        [status_list] = registry.lists()
    listed = status_list_credential(profile, status_list, "revocation", [5], valid_from=ISSUED_AT)
    assert verify_credential(listed, env=Environment(clock=lambda: ISSUED_AT)).verified
    with pytest.raises(ValueError, match="purpose"):
        status_list_credential(profile, status_list, "message", [], valid_from=ISSUED_AT)
    written = publish_status(profile, tmp_path / "out", at=ISSUED_AT)
    assert sorted(p.name for p in written) == ["revocation-1", "suspension-1"]


def test_docstring_examples_run() -> None:
    for module in (passeport.issuer.statuslist, passeport.issuer._permutation):
        failures, tried = doctest.testmod(module)
        assert tried > 0 and failures == 0, module.__name__


# --- published lists hold for a while, then are refused (issue 10, hole 4) -----------------


def _status_of(credential: dict[str, Any], env: Environment, **policy: Any) -> list[str]:
    result = verify_credential(credential, env=env, policy=Policy(**policy))
    return [c.code for c in result.checks if c.code.startswith("status") and c.outcome != "passed"]


def test_published_lists_hold_a_week_by_default(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    with profile.open_registry() as registry:
        allocate_status(profile, registry, 1, at=ISSUED_AT)
    publish_status(profile, tmp_path / "public", at=ISSUED_AT)
    listed = json.loads((tmp_path / "public" / HOST / "status" / "revocation-1").read_text())
    assert timedelta(days=7) == DEFAULT_LIST_VALIDITY
    assert listed["validFrom"] == "2026-01-15T12:00:00Z"
    assert listed["validUntil"] == "2026-01-22T12:00:00Z"


@pytest.mark.parametrize("valid_for", [timedelta(0), timedelta(days=-1)])
def test_a_list_must_hold_for_some_time(tmp_path: Path, valid_for: timedelta) -> None:
    profile = make_profile(tmp_path / "univ")
    with pytest.raises(ValueError, match="valid_for"):
        publish_status(profile, tmp_path / "public", at=ISSUED_AT, valid_for=valid_for)


def test_a_copy_from_before_a_revocation_is_refused_once_it_expires(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    with profile.open_registry() as registry:
        [slot] = allocate_status(profile, registry, 1, at=ISSUED_AT)
    alice = _credential(profile, slot, 1)
    stale, public = tmp_path / "stale", tmp_path / "public"
    publish_status(profile, stale, at=ISSUED_AT)  # kept by a cache, replayed by an attacker
    revoke(profile, alice["id"], reason="fraud", at=ISSUED_AT + timedelta(days=1))
    publish_status(profile, public, at=ISSUED_AT + timedelta(days=1))
    day_two = ISSUED_AT + timedelta(days=2)
    assert _status_of(alice, offline(public, day_two)) == ["status.revoked"]
    # Within its week the stale copy still speaks, and says how old it is.
    replayed = verify_credential(alice, env=offline(stale, day_two))
    assert replayed.verified
    assert "as of 2026-01-15T12:00:00Z, valid until 2026-01-22T12:00:00Z" in (
        replayed.checks[-2].message
    )
    # After it, never again, however lenient the verifier.
    later = ISSUED_AT + timedelta(days=8)
    assert _status_of(alice, offline(stale, later)) == ["status.list_expired"] * 2
    assert (
        _status_of(alice, offline(stale, later), unchecked_is_failure=False)
        == ["status.list_expired"] * 2
    )


def test_another_list_of_the_issuer_served_in_place_of_a_list_is_refused(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    with profile.open_registry() as registry:
        [slot] = allocate_status(profile, registry, 1, at=ISSUED_AT)
        registry.allocate(
            MIN_LIST_SIZE, size=MIN_LIST_SIZE, urls=lambda n: list_urls(profile, n), now="x"
        )
    alice = _credential(profile, slot, 1)
    revoke(profile, alice["id"], reason="fraud", at=ISSUED_AT)
    public = tmp_path / "public"
    publish_status(profile, public, at=ISSUED_AT)
    assert _status_of(alice, offline(public)) == ["status.revoked"]
    lists = public / HOST / "status"
    (lists / "revocation-1").write_bytes((lists / "revocation-2").read_bytes())
    result = verify_credential(alice, env=offline(public))
    assert not result.verified
    assert _status_of(alice, offline(public)) == ["status.list_url"]
    assert f"https://{HOST}/status/revocation-2" in result.checks[-2].message


def test_publish_cli_lists_hold_a_week_unless_told(univ_profile: Path, tmp_path: Path) -> None:
    app = issuer_cli.status_app
    ran = CliRunner().invoke(app, ["publish", "--issuer", str(univ_profile), "-o", str(tmp_path)])
    assert ran.exit_code == 0, ran.output
    listed = json.loads((tmp_path / HOST / "status" / "revocation-1").read_text())
    days = _days(listed)
    assert days == DEFAULT_LIST_VALIDITY.days
    out = tmp_path / "short"
    args = ["publish", "--issuer", str(univ_profile), "-o", str(out), "--valid-days", "0.5"]
    assert CliRunner().invoke(app, args).exit_code == 0
    assert _days(json.loads((out / HOST / "status" / "revocation-1").read_text())) == 0.5
    refused = CliRunner().invoke(app, [*args[:-1], "0"])
    assert refused.exit_code == 2 and "--valid-days" in refused.output


def _days(listed: dict[str, Any]) -> float:
    from passeport.proofs.engine import parse_datetime

    span = parse_datetime(listed["validUntil"]) - parse_datetime(listed["validFrom"])
    return span / timedelta(days=1)


@pytest.fixture
def univ_profile(tmp_path: Path) -> Path:
    profile = make_profile(tmp_path / "univ")
    with profile.open_registry() as registry:
        allocate_status(profile, registry, 1, at=ISSUED_AT)
    return profile.directory


# --- an issuer's server answers its own lists live (issue 10, hole 5) ----------------------


def test_live_lists_follow_the_registry_at_once(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    with profile.open_registry() as registry:
        [slot] = allocate_status(profile, registry, 1, at=ISSUED_AT)
    alice = _credential(profile, slot, 1)
    live = LiveStatusFetcher(profile=profile, clock=lambda: ISSUED_AT)
    assert isinstance(live, LiveFetcher)
    url = slot.revocation_url
    before = live.revision(url)
    listed = live.document(url)
    assert listed is not None and listed["id"] == url
    assert listed["validFrom"] == "2026-01-15T12:00:00Z"
    assert listed["validUntil"] == "2026-01-16T12:00:00Z" and LIVE_LIST_VALIDITY.days == 1
    env = Environment(fetcher=live, clock=lambda: ISSUED_AT)
    assert verify_credential(alice, env=env).verified
    revoke(profile, alice["id"], reason="fraud", at=ISSUED_AT)
    assert live.revision(url) != before
    assert live.revision(slot.suspension_url) is not None
    assert _status_of(alice, env) == ["status.revoked"]  # the same environment, at once
    bits = decode_status_list(
        json.loads(live.fetch(url, max_bytes=1 << 20))["credentialSubject"]["encodedList"]
    )
    assert bits.bit(slot.revocation_index)


def test_live_lists_answer_only_the_issuers_urls(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    elsewhere = "https://other.example/status/1"
    live = LiveStatusFetcher(
        profile=profile, fallback=StaticFetcher({elsewhere: b"{}"}), clock=lambda: ISSUED_AT
    )
    assert live.fetch(elsewhere, max_bytes=100) == b"{}"
    assert live.revision(elsewhere) is None
    did_document = json.loads(live.fetch(f"https://{HOST}/.well-known/did.json", max_bytes=1 << 16))
    assert did_document["id"] == profile.did
    with pytest.raises(ResolutionError, match="no status list"):
        live.fetch(f"https://{HOST}/status/revocation-9", max_bytes=1 << 20)
    assert live.document(f"https://{HOST}/status/revocation-9") is None
    with pytest.raises(ResolutionError, match="not one of this issuer's"):
        LiveStatusFetcher(profile=profile).fetch(elsewhere, max_bytes=100)
    with profile.open_registry() as registry:
        allocate_status(profile, registry, 1, at=ISSUED_AT)
    with pytest.raises(ResolutionError, match="larger than"):
        live.fetch(f"https://{HOST}/status/revocation-1", max_bytes=100)


def test_an_unreadable_registry_leaves_the_status_unchecked(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    with profile.open_registry() as registry:
        [slot] = allocate_status(profile, registry, 1, at=ISSUED_AT)
    alice = _credential(profile, slot, 1)
    env = Environment(fetcher=LiveStatusFetcher(profile=profile), clock=lambda: ISSUED_AT)
    profile.registry_path.unlink()
    result = verify_credential(alice, env=env)
    unchecked = [c for c in result.checks if c.code == "status.unchecked"]
    assert len(unchecked) == 2 and not result.verified
    assert "cannot read the issuer's registry" in unchecked[0].message
