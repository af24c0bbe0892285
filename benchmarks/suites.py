"""Sign and verify throughput per cryptosuite on a typical diploma credential, per CPU-second.

The baseline, measured in the same run, is one raw Ed25519 signature of the
same credential's JCS bytes (no JSON-LD, no canonicalization).

``ecdsa-sd-2023`` (P-256) gets a third rate: the issuer signs a base proof
with ``/issuer`` and ``/validFrom`` mandatory, the holder derives a
disclosure revealing the achievement's name, and the verifier checks that
derived credential (verifiers refuse base proofs).
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from functools import partial
from importlib import resources
from typing import Any

from passeport.contexts import DocumentLoader, bundled_loader, jcs
from passeport.demo import PLAN
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs.ecdsa_sd import derive
from passeport.proofs.jose import sign_vc_jwt
from passeport.proofs.mechanism import mechanism_named
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment, Policy, verify_any, verify_credential

__all__ = ["bench_suites"]

SIZES = {KeyAlgorithm.ED25519: 32, KeyAlgorithm.P256: 32, KeyAlgorithm.P384: 48}
SD_SUITE = "ecdsa-sd-2023"
SD_MANDATORY = ("/issuer", "/validFrom")
SD_REVEAL = ("/credentialSubject/achievement/name",)


def _unseen(action: Callable[[], Any], loader: DocumentLoader) -> Callable[[], Any]:
    """Run ``action`` on a document never canonicalized before: the loader's memo is emptied.

    The loader remembers canonical forms by exact JSON (a credential signed then
    verified in one process is canonicalized once); these rates are for a
    document seen for the first time, as by a recruiter.
    """

    def run() -> Any:
        loader.canonical_forms.clear()
        return action()

    return run


def _rate(action: Callable[[], Any], seconds: float) -> float:
    """Return how many times ``action`` runs per CPU-second (after one warm-up call).

    CPU time of this process, as issue 17's table counts: on a shared machine,
    the time other processes take is not charged to the suite.
    """
    action()
    count, start = 0, time.process_time()
    while (elapsed := time.process_time() - start) < seconds:
        action()
        count += 1
    return count / elapsed


def bench_suites(*, seconds: float = 1.0) -> dict[str, Any]:
    """Return sign and verify rates per suite (derive too for sd), with ratios to the baseline."""
    text = resources.files("passeport").joinpath("samples", "diploma.json").read_text("utf-8")
    diploma = json.loads(text)
    diploma["credentialSubject"]["id"] = "did:example:camille"
    loader = bundled_loader()
    env = Environment(loader=loader)
    policy = Policy()

    base_key = PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes(range(32)))
    raw = jcs.canonicalize(diploma)
    baseline = _rate(lambda: base_key.sign(raw), seconds)

    def row(suite: str, algorithm: KeyAlgorithm, **rates: float) -> dict[str, Any]:
        entry: dict[str, Any] = {"suite": suite, "key": str(algorithm)}
        entry.update({f"{name}_per_s": round(rate, 1) for name, rate in rates.items()})
        entry.update({f"{name}_ratio": round(rate / baseline, 5) for name, rate in rates.items()})
        return entry

    rows = []
    for suite, algorithm in PLAN:
        if suite == SD_SUITE or mechanism_named(suite).enveloping:
            continue  # measured below (ecdsa-sd-2023, vc-jwt): they need their own steps
        pair = _key_pair(algorithm)
        signed = sign_document(copy.deepcopy(diploma), pair, suite=suite, loader=loader)
        assert verify_credential(signed, policy=policy, env=env).verified
        sign = partial(sign_document, diploma, pair, suite=suite, loader=loader)
        verify = partial(verify_credential, signed, policy=policy, env=env)
        sign_rate = _rate(_unseen(sign, loader), seconds)
        verify_rate = _rate(_unseen(verify, loader), seconds)
        rows.append(row(suite, algorithm, sign=sign_rate, verify=verify_rate))

    # ecdsa-sd-2023: base proof (issuer), derived proof (holder), derived verified (verifier).
    pair = _key_pair(KeyAlgorithm.P256)
    base = sign_document(copy.deepcopy(diploma), pair, suite=SD_SUITE, mandatory=SD_MANDATORY)
    derived = derive(base, SD_REVEAL, loader=env.loader)
    assert verify_credential(derived, policy=policy, env=env).verified
    sign = partial(
        sign_document, diploma, pair, suite=SD_SUITE, mandatory=SD_MANDATORY, loader=loader
    )
    sign_rate = _rate(_unseen(sign, loader), seconds)
    derive_rate = _rate(_unseen(partial(derive, base, SD_REVEAL, loader=loader), loader), seconds)
    verify = partial(verify_credential, derived, policy=policy, env=env)
    verify_rate = _rate(_unseen(verify, loader), seconds)
    rows.append(
        row(SD_SUITE, KeyAlgorithm.P256, sign=sign_rate, verify=verify_rate, derive=derive_rate)
    )
    # vc-jwt (VC-JOSE-COSE): JWS over the credential's JSON, after the JSON-LD term check.
    pair = _key_pair(KeyAlgorithm.ED25519)
    token = sign_vc_jwt(diploma, pair, loader=loader)
    assert verify_any(token, policy=policy, env=env).verified
    sign_rate = _rate(_unseen(partial(sign_vc_jwt, diploma, pair, loader=loader), loader), seconds)
    verify = partial(verify_any, token, policy=policy, env=env)
    verify_rate = _rate(_unseen(verify, loader), seconds)
    rows.append(row("vc-jwt", KeyAlgorithm.ED25519, sign=sign_rate, verify=verify_rate))
    return {"baseline_raw_ed25519_sign_per_s": round(baseline, 1), "suites": rows}


def _key_pair(algorithm: KeyAlgorithm) -> KeyPair:
    return KeyPair.from_private_key(PrivateKey.from_raw(algorithm, bytes([3]) * SIZES[algorithm]))
