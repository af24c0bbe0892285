"""Sign and verify throughput per cryptosuite on a typical diploma credential.

Run ``python -m benchmarks [--seconds S] [--json]``. Machines are shared and
noisy, so each figure is also given as a ratio against a baseline measured in
the same run: one raw Ed25519 signature of the same credential's JCS bytes
(no JSON-LD, no canonicalization). A change that lowers a ratio needs a reason.
"""

from __future__ import annotations

import argparse
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

SIZES = {KeyAlgorithm.ED25519: 32, KeyAlgorithm.P256: 32, KeyAlgorithm.P384: 48}


def _rate(action: Callable[[], Any], seconds: float) -> float:
    """Return how many times per second ``action`` runs (after one warm-up call)."""
    action()
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        action()
        count += 1
    return count / elapsed


def main() -> None:
    """Measure and print the table (or JSON)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()

    text = resources.files("passeport").joinpath("samples", "diploma.json").read_text("utf-8")
    diploma = json.loads(text)
    diploma["credentialSubject"]["id"] = "did:example:camille"
    env = Environment()
    policy = Policy()

    base_key = PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes(range(32)))
    raw = jcs.canonicalize(diploma)
    baseline = _rate(lambda: base_key.sign(raw), args.seconds)

    rows = []
    for suite, algorithm in PLAN:
        pair = KeyPair.from_private_key(
            PrivateKey.from_raw(algorithm, bytes([3]) * SIZES[algorithm])
        )
        signed = sign_document(copy.deepcopy(diploma), pair, suite=suite)
        assert verify_credential(signed, policy=policy, env=env).verified
        sign_rate = _rate(lambda p=pair, s=suite: sign_document(diploma, p, suite=s), args.seconds)
        verify_rate = _rate(
            lambda d=signed: verify_credential(d, policy=policy, env=env), args.seconds
        )
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
    if args.json:
        print(
            json.dumps(
                {"baseline_raw_ed25519_sign_per_s": round(baseline, 1), "suites": rows}, indent=2
            )
        )
        return
    print(f"baseline: raw Ed25519 signature of the diploma's JCS bytes: {baseline:,.0f}/s\n")
    header = ("suite", "key", "sign/s", "verify/s", "sign ratio", "verify ratio")
    print(f"{header[0]:<17}{header[1]:<9}{header[2]:>9}{header[3]:>10}{header[4]:>12}{header[5]:>14}")
    for row in rows:
        print(
            f"{row['suite']:<17}{row['key']:<9}{row['sign_per_s']:>9,.0f}{row['verify_per_s']:>10,.0f}"
            f"{row['sign_ratio']:>12.4f}{row['verify_ratio']:>14.4f}"
        )


if __name__ == "__main__":
    main()
