"""One environment fetches, verifies and decodes a status list once while it is fresh."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from passeport.proofs.outcome import Outcome
from passeport.verifier import Environment, Policy, verify_credential
from tests.conftest import FIXED_NOW
from tests.verifier.status_helpers import (
    credential,
    encode_bits,
    entry,
    key,
    list_credential,
    publish,
)

ISSUER = key(1)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _setup(tmp_path: Path, **list_options: object) -> tuple[Environment, Clock]:
    publish(tmp_path, list_credential(encode_bits([9]), signer=ISSUER, **list_options))  # type: ignore[arg-type]
    clock = Clock(FIXED_NOW)
    return Environment(clock=clock).with_cache(tmp_path), clock


def _status(env: Environment, index: int) -> list[tuple[str, Outcome]]:
    result = verify_credential(credential(entry(index), signer=ISSUER), env=env)
    return [(c.code, c.outcome) for c in result.checks if c.code.startswith("status.")]


def test_many_credentials_cost_one_list_verification(tmp_path: Path) -> None:
    env, _ = _setup(tmp_path)
    for index in range(20):
        expected = "status.revoked" if index == 9 else "status.revocation"
        assert _status(env, index)[0][0] == expected
    assert env.status_lists.verifications == 1
    assert env.status_lists.decodes == 1


def test_without_ttl_a_list_is_reused_for_five_minutes(tmp_path: Path) -> None:
    env, clock = _setup(tmp_path)
    _status(env, 1)
    publish(tmp_path, list_credential(encode_bits([1]), signer=ISSUER))  # revoked meanwhile
    clock.now += timedelta(minutes=4)
    assert _status(env, 1) == [("status.revocation", Outcome.PASSED)]
    clock.now += timedelta(minutes=2)
    assert _status(env, 1) == [("status.revoked", Outcome.FAILED)]
    assert env.status_lists.verifications == 2


def test_the_list_ttl_is_honoured(tmp_path: Path) -> None:
    env, clock = _setup(tmp_path, ttl=1_000)
    _status(env, 1)
    publish(tmp_path, list_credential(encode_bits([1]), signer=ISSUER, ttl=1_000))
    clock.now += timedelta(milliseconds=999)
    assert _status(env, 1) == [("status.revocation", Outcome.PASSED)]
    clock.now += timedelta(milliseconds=2)
    assert _status(env, 1) == [("status.revoked", Outcome.FAILED)]


def test_a_list_is_never_reused_past_its_valid_until(tmp_path: Path) -> None:
    until = FIXED_NOW + timedelta(minutes=1)  # sooner than the default 5-minute reuse
    env, clock = _setup(tmp_path, valid_until=until.isoformat().replace("+00:00", "Z"))
    assert _status(env, 1) == [("status.revocation", Outcome.PASSED)]
    clock.now += timedelta(minutes=7)  # past validUntil and the 5-minute clock skew
    assert _status(env, 1) == [("status.list_expired", Outcome.FAILED)]


def test_an_earlier_instant_does_not_reuse_a_later_verification(tmp_path: Path) -> None:
    env, _ = _setup(tmp_path)
    _status(env, 1)
    earlier = verify_credential(
        credential(entry(1), signer=ISSUER),
        env=env,
        policy=Policy(at=FIXED_NOW - timedelta(seconds=1)),
    )
    assert [c.code for c in earlier.checks if c.code.startswith("status.")] == ["status.revocation"]
    assert env.status_lists.verifications == 2


def test_a_new_environment_sees_a_newly_published_list(tmp_path: Path) -> None:
    env, _ = _setup(tmp_path)
    _status(env, 1)
    publish(tmp_path, list_credential(encode_bits([1]), signer=ISSUER))
    fresh = Environment(clock=lambda: FIXED_NOW).with_cache(tmp_path)
    assert _status(fresh, 1) == [("status.revoked", Outcome.FAILED)]


def test_an_unreachable_list_is_not_remembered(tmp_path: Path) -> None:
    clock = Clock(FIXED_NOW)
    env = Environment(clock=clock).with_cache(tmp_path)
    assert _status(env, 1) == [("status.unchecked", Outcome.UNCHECKED)]
    publish(tmp_path, list_credential(encode_bits(), signer=ISSUER))
    assert _status(env, 1) == [("status.revocation", Outcome.PASSED)]
