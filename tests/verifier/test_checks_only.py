"""``reports=False`` and the token read once: the same checks and verdict, on a corpus.

The corpus: every signed JSON document of ``tests/data`` (spec vectors and
other implementations' outputs), the demo's diploma signed by every suite
and key the demo uses (each with its own subject), tampered copies of each,
SD-JWT and ``vc+jwt`` tokens, a base proof received by its holder, and a
presentation holding them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from passeport.contexts import bundled_loader
from passeport.demo import PLAN
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import PasseportError
from passeport.proofs import _jws
from passeport.proofs.jose import sign_vc_jwt
from passeport.proofs.mechanism import mechanism_named
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment, Policy, VerificationResult, verify_any
from passeport.verifier.pipeline import verify_credential, verify_presentation

DATA = Path(__file__).parent.parent / "data"
SIGNED_AT = datetime(2026, 8, 1, tzinfo=UTC)
AT = datetime(2026, 9, 1, tzinfo=UTC)
ENV = Environment(loader=bundled_loader())
SIZES = {KeyAlgorithm.ED25519: 32, KeyAlgorithm.P256: 32, KeyAlgorithm.P384: 48}


def _pair(algorithm: KeyAlgorithm) -> KeyPair:
    return KeyPair.from_private_key(PrivateKey.from_raw(algorithm, bytes([7]) * SIZES[algorithm]))


def _diploma(n: int) -> dict[str, Any]:
    text = resources.files("passeport").joinpath("samples", "diploma.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    document["id"] = f"urn:uuid:6a0e0f4e-1c8f-4d0a-9b1e-{n:012d}"
    document["credentialSubject"]["id"] = f"did:example:graduate{n}"
    document["credentialSubject"]["name"] = f"Diplômée numéro {n}"
    document.pop("issuer", None)
    return document


def _tampered(value: Any) -> Any:
    if isinstance(value, str):  # a token: one payload character changed
        head, payload, rest = value.split(".", 2)
        middle = len(payload) // 2
        swapped = "A" if payload[middle] != "A" else "B"
        return f"{head}.{payload[:middle]}{swapped}{payload[middle + 1 :]}.{rest}"
    changed = copy.deepcopy(value)
    subject = changed.get("credentialSubject")
    if isinstance(subject, dict):
        subject["name"] = "Quelqu'un d'autre"
    else:
        changed["validUntil"] = "2020-01-01T00:00:00Z"
    return changed


@cache
def _signed() -> tuple[tuple[str, Any], ...]:
    """Return (name, credential) pairs: each suite of the demo, signed on its own diploma."""
    found: list[tuple[str, Any]] = []
    for n, (suite, algorithm) in enumerate(PLAN):
        pair = _pair(algorithm)
        document = _diploma(n)
        if suite == "vc-jwt":
            signed: Any = sign_vc_jwt(document, key=pair, issued_at=SIGNED_AT, loader=ENV.loader)
        elif mechanism_named(suite).enveloping:
            signed = mechanism_named(suite).secure(
                document, pair, issued_at=SIGNED_AT, loader=ENV.loader
            )
        else:
            signed = sign_document(
                document, pair, suite=suite, created=SIGNED_AT, loader=ENV.loader
            )
        found.append((f"{suite}-{algorithm}", signed))
    return tuple(found)


def _files() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for path in sorted(DATA.rglob("*.json")):
        try:
            value = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, ValueError):
            continue
        if isinstance(value, dict) and "proof" in value:
            found.append((str(path.relative_to(DATA)), value))
    return found


def _corpus() -> list[tuple[str, Any]]:
    signed = list(_signed())
    cases = [*_files(), *signed]
    cases += [(f"tampered {name}", _tampered(value)) for name, value in signed]
    presented = [value for _, value in signed if isinstance(value, dict)]
    cases.append(
        (
            "presentation",
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
                "verifiableCredential": presented,
            },
        )
    )
    return cases


CORPUS = _corpus()


def _outcome(verify: Callable[[], VerificationResult]) -> Any:
    try:
        return verify()
    except PasseportError as exc:
        return str(exc)


def _without_facts(summary: Any) -> Any:
    if isinstance(summary, dict):
        return {k: _without_facts(v) for k, v in summary.items() if k != "facts"}
    if isinstance(summary, list):
        return [_without_facts(item) for item in summary]
    return summary


@pytest.mark.parametrize("case", CORPUS, ids=[name for name, _ in CORPUS])
@pytest.mark.parametrize("receiving", [False, True], ids=["recruiter", "holder"])
def test_checks_only_has_every_check_and_the_same_verdict(
    case: tuple[str, Any], receiving: bool
) -> None:
    _, value = case
    policy = Policy(at=AT, receiving=receiving)
    full = _outcome(lambda: verify_any(copy.deepcopy(value), policy=policy, env=ENV))
    bare = _outcome(lambda: verify_any(copy.deepcopy(value), policy=policy, env=ENV, reports=False))
    if isinstance(full, str):
        assert bare == full
        return
    assert isinstance(bare, VerificationResult)
    assert bare.verified is full.verified
    assert bare.checks == full.checks
    assert bare.warnings == full.warnings
    assert _without_facts(bare.summary) == _without_facts(full.summary)
    assert bare.credentials == ()
    assert full.credentials  # the full result does put them into words


def test_the_corpus_holds_verified_and_refused_credentials() -> None:
    verdicts = set()
    for _, value in CORPUS:
        result = _outcome(lambda v=value: verify_any(copy.deepcopy(v), policy=Policy(at=AT)))
        verdicts.add(result.verified if isinstance(result, VerificationResult) else "error")
    assert {True, False} <= verdicts


@pytest.mark.parametrize(
    "case",
    [c for c in CORPUS if isinstance(c[1], str)],
    ids=[name for name, value in CORPUS if isinstance(value, str)],
)
def test_a_token_read_once_gives_the_verdict_of_a_token_read_anew(case: tuple[str, Any]) -> None:
    """verify_any hands its decoded token over; verify_credential decodes it itself."""
    _, token = case
    policy = Policy(at=AT)
    try:
        once = verify_any(token, policy=policy, env=ENV).to_json()
    except PasseportError:
        return  # unreadable: refused before any verification
    anew = verify_credential(token, policy=policy, env=ENV).to_json()
    assert once == anew


def test_a_vc_jwt_is_decoded_once(monkeypatch: pytest.MonkeyPatch) -> None:
    token = dict(_signed())["vc-jwt-Ed25519"]
    calls: list[bytes] = []
    parse = _jws.parse_json

    def counting(data: Any, *, where: str | None) -> Any:
        calls.append(data)
        return parse(data, where=where)

    monkeypatch.setattr(_jws, "parse_json", counting)
    assert verify_any(token, policy=Policy(at=AT), env=ENV).verified
    assert len(calls) == 2  # its header and its claims, once each


def test_a_token_handed_over_goes_to_one_reader_only() -> None:
    token = dict(_signed())["vc-jwt-Ed25519"]
    jws, claims = _jws.read_jwt(token)
    with _jws.token_read(token, jws, claims):
        first = _jws.read_jwt(token)
        second = _jws.read_jwt(token)
    assert first[1] is claims
    assert second[1] == claims and second[1] is not claims


def test_a_presentation_checks_only() -> None:
    vp = dict(CORPUS)["presentation"]
    full = verify_presentation(vp, policy=Policy(at=AT), env=ENV)
    bare = verify_presentation(vp, policy=Policy(at=AT), env=ENV, reports=False)
    assert bare.checks == full.checks and bare.verified is full.verified
