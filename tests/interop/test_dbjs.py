"""Credentials and presentations signed by Digital Bazaar's libraries get the same verdict here.

See ``shared/interop/dbjs/README.md``: each ``outputs/X.json`` has that
implementation's verdict in ``outputs/verify-X.json``.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from passeport.verifier import Environment, Policy, verify_any
from tests.conftest import DBJS, FIXED_NOW, load_json

OUT = DBJS / "outputs"

# (file, policy arguments, needs the did:web cache)
CASES: list[object] = [
    *[
        (f"diploma-{s}{t}.json", {}, False)
        for s in (
            "eddsa-rdfc-2022",
            "eddsa-jcs-2022",
            "ecdsa-rdfc-2019-p256",
            "ecdsa-rdfc-2019-p384",
            "ecdsa-jcs-2019",
        )
        for t in ("", "-tampered")
    ],
    ("diploma-eddsa-rdfc-2022-didweb.json", {}, True),
    ("diploma-eddsa-rdfc-2022-didweb-tampered.json", {}, True),
    ("diploma-proof-set.json", {}, False),
    ("diploma-proof-set-one-bad.json", {}, False),
    ("diploma-v1-eddsa-rdfc-2022.json", {}, False),
    ("skill-eddsa-rdfc-2022.json", {}, False),
    ("vp.json", {"challenge": "8f3b2c1d", "domain": "recruiter.example"}, False),
    # The base-proof files are left out: dbjs "verified" them with the holder's base-proof
    # check, which a verifier must refuse (proof.base); tests/proofs covers them.
    ("diploma-ecdsa-sd-2023-derived.json", {}, False),
    ("diploma-ecdsa-sd-2023-derived-tampered.json", {}, False),
    ("vp-ecdsa.json", {"challenge": "abc"}, False),
]


# Where we refuse by design what dbjs accepts: the check that refuses it.
# vp-ecdsa.json presents a credential about another DID than its holder's; dbjs
# makes no holder-binding check, we fail it unless the policy allows it.
BY_DESIGN: dict[str, tuple[str, dict[str, object]]] = {
    "vp-ecdsa.json": ("holder.binding", {"require_holder_binding": False}),
}


def _verdict(name: str) -> bool:
    return bool(load_json(OUT / f"verify-{name}")["verified"])


def our_verdict(name: str) -> bool:
    """Return the verdict we give by default: dbjs's, except where BY_DESIGN says."""
    return False if name in BY_DESIGN else _verdict(name)


def _cache(tmp_path: Path) -> Path:
    target = tmp_path / "cache" / "university.example" / ".well-known" / "did.json"
    target.parent.mkdir(parents=True)
    shutil.copy(DBJS / "didweb" / "university.example.json", target)
    return tmp_path / "cache"


def _id(case: object) -> str:
    values = getattr(case, "values", case)
    return str(values[0])  # type: ignore[index]


@pytest.mark.parametrize(("name", "policy", "didweb"), CASES, ids=[_id(c) for c in CASES])
def test_same_verdict_as_dbjs(
    name: str, policy: dict[str, object], didweb: bool, tmp_path: Path
) -> None:
    env = Environment(clock=lambda: FIXED_NOW)
    if didweb:
        env = env.with_cache(_cache(tmp_path))
    result = verify_any(load_json(OUT / name), policy=Policy(**policy), env=env)  # type: ignore[arg-type]
    assert result.verified is our_verdict(name), result.failures()
    if name in BY_DESIGN:
        code, lenient = BY_DESIGN[name]
        assert {c.code for c in result.failures()} == {code}
        relaxed = Policy(**policy, **lenient)  # type: ignore[arg-type]
        assert verify_any(load_json(OUT / name), policy=relaxed, env=env).verified is _verdict(name)


def test_tampered_copies_fail_on_the_signature() -> None:
    result = verify_any(
        load_json(OUT / "diploma-eddsa-rdfc-2022-tampered.json"),
        env=Environment(clock=lambda: FIXED_NOW),
    )
    assert [c.code for c in result.failures()] == ["proof.signature"]


def test_didweb_without_its_document_is_unchecked_offline() -> None:
    # dbjs: "cannot resolve did:web:university.example#key-1" (verify-didweb-no-dir.json)
    assert _verdict("didweb-no-dir.json") is False
    result = verify_any(
        load_json(OUT / "diploma-eddsa-rdfc-2022-didweb.json"),
        env=Environment(clock=lambda: FIXED_NOW),
    )
    assert not result.verified
    assert [(c.code, str(c.outcome)) for c in result.failures()] == [
        ("proof.verification_method", "unchecked")
    ]


def test_expired_skill_fails_as_in_dbjs() -> None:
    assert _verdict("skill-expired.json") is False
    result = verify_any(
        load_json(OUT / "skill-eddsa-rdfc-2022.json"),
        policy=Policy(at=datetime(2031, 1, 1, tzinfo=UTC)),
    )
    assert [c.code for c in result.failures()] == ["validity.expired"]


@pytest.mark.parametrize(
    ("name", "policy", "code"),
    [
        (
            "vp-wrong-challenge.json",
            {"challenge": "00000000", "domain": "recruiter.example"},
            "proof.challenge",
        ),
        (
            "vp-wrong-domain.json",
            {"challenge": "8f3b2c1d", "domain": "evil.example"},
            "proof.domain",
        ),
    ],
)
def test_presentation_replay_is_refused(name: str, policy: dict[str, str], code: str) -> None:
    assert _verdict(name) is False
    result = verify_any(
        load_json(OUT / "vp.json"),
        policy=Policy(**policy),  # type: ignore[arg-type]
        env=Environment(clock=lambda: FIXED_NOW),
    )
    presentation_failures = [c.code for c in result.failures() if c.credential is None]
    assert presentation_failures == [code]


@pytest.mark.parametrize(
    "name", ["spec-vector-eddsa-rdfc-2022.json", "spec-vector-eddsa-jcs-2022.json"]
)
def test_spec_vectors_resigned_there_are_unchecked_without_their_controller(name: str) -> None:
    # The W3C vectors name https://vc.example/issuers/5678#... as verification method:
    # an HTTPS controller document that no one serves, so the proof cannot be checked.
    result = verify_any(load_json(OUT / name), env=Environment(clock=lambda: FIXED_NOW))
    assert [(c.code, str(c.outcome)) for c in result.failures()] == [
        ("proof.verification_method", "unchecked")
    ]
