"""Sign and verify throughput per cryptosuite on a typical diploma credential.

The baseline, measured in the same run, is one raw Ed25519 signature of the
same credential's JCS bytes (no JSON-LD, no canonicalization).
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable
from importlib import resources
from typing import Any

from contexts import jcs
from did.keyfile import KeyPair
from did.keys import KeyAlgorithm, PrivateKey
from passeport.demo import PLAN
from proofs.sign import sign_document
from verifier import Environment, Policy, verify_credential

__all__ = ["bench_suites"]

SIZES = {KeyAlgorithm.ED25519: 32, KeyAlgorithm.P256: 32, KeyAlgorithm.P384: 48}


def _rate(action: Callable[[], Any], seconds: float) -> float:
    """Return how many times per second ``action`` runs (after one warm-up call)."""
    action()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        action()
        count += 1
    return count / elapsed


def bench_suites(*, seconds: float = 1.0) -> dict[str, Any]:
    """Return sign and verify rates per suite, with their ratios to the baseline."""
    text = resources.files("passeport").joinpath("samples", "diploma.json").read_text("utf-8")
    diploma = json.loads(text)
    diploma["credentialSubject"]["id"] = "did:example:camille"
    env = Environment()
    policy = Policy()

    base_key = PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes(range(32)))
    raw = jcs.canonicalize(diploma)
    baseline = _rate(lambda: base_key.sign(raw), seconds)

    rows = []
    for suite, algorithm in PLAN:
        pair = KeyPair.from_private_key(
            PrivateKey.from_raw(algorithm, bytes([3]) * SIZES[algorithm])
        )
        signed = sign_document(copy.deepcopy(diploma), pair, suite=suite)
        assert verify_credential(signed, policy=policy, env=env).verified
        sign_rate = _rate(lambda p=pair, s=suite: sign_document(diploma, p, suite=s), seconds)
        verify_rate = _rate(lambda d=signed: verify_credential(d, policy=policy, env=env), seconds)
        rows.append(
            {
                "suite": suite,
                "key": str(algorithm),
                "sign_per_s": round(sign_rate, 1),
                "verify_per_s": round(verify_rate, 1),
                "sign_ratio": round(sign_rate / baseline, 5),
                "verify_ratio": round(verify_rate / baseline, 5),
            }
        )
    return {"baseline_raw_ed25519_sign_per_s": round(baseline, 1), "suites": rows}
