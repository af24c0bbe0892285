"""Latency of ``passeport verify`` on a five-credential presentation, in a cold process.

The baseline is the start-up of a bare Python interpreter, measured in the same
run, so that the ratio says how many interpreter start-ups one cold
verification costs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs.sign import sign_document

__all__ = ["bench_cold_verify"]


def _pair(seed: int) -> KeyPair:
    return KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([seed]) * 32))


def _presentation(count: int) -> dict[str, Any]:
    text = resources.files("passeport").joinpath("samples", "diploma.json").read_text("utf-8")
    issuer, holder = _pair(51), _pair(52)
    credentials = []
    for n in range(count):
        diploma = json.loads(text)
        diploma["id"] = f"urn:uuid:00000000-0000-4000-8000-{n:012d}"
        diploma["credentialSubject"]["id"] = holder.controller
        credentials.append(sign_document(diploma, issuer))
    vp = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": credentials,
    }
    return dict(
        sign_document(vp, holder, challenge="c-1", domain="jobs.example", created=datetime.now(UTC))
    )


def _seconds(command: list[str], folder: str, env: dict[str, str] | None = None) -> float:
    start = (
        time.perf_counter()
    )  # run from the temporary folder: "-m" puts the cwd first on sys.path
    subprocess.run(command, check=False, capture_output=True, env=env, cwd=folder)
    return time.perf_counter() - start


def bench_cold_verify(
    *, credentials: int = 5, runs: int = 5, against: str | None = None
) -> dict[str, Any]:
    """Return the median time of a cold ``passeport verify``, and its ratio to Python start-up.

    ``against`` is another checkout of passeport (a folder put first on
    ``PYTHONPATH``, for instance ``git worktree add /tmp/base HEAD``): its cold
    verification is measured in the same rounds, interleaved, so that a
    loaded machine weighs on both alike.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vp.json"
        path.write_text(json.dumps(_presentation(credentials)), "utf-8")
        command = [sys.executable, "-m", "passeport", "verify", str(path), "--offline", "--json"]
        command += ["--challenge", "c-1", "--domain", "jobs.example"]
        check = subprocess.run(command, check=False, capture_output=True, text=True, cwd=folder)
        if check.returncode != 0:
            raise RuntimeError(f"the presentation did not verify: {check.stdout[-500:]}")
        other = None if against is None else {**os.environ, "PYTHONPATH": against}
        times: dict[str, list[float]] = {"startup": [], "verify": [], "against": []}
        for _ in range(runs):
            times["startup"].append(_seconds([sys.executable, "-c", "pass"], folder))
            times["verify"].append(_seconds(command, folder))
            if other is not None:
                times["against"].append(_seconds(command, folder, other))
    baseline, latency = statistics.median(times["startup"]), statistics.median(times["verify"])
    result: dict[str, Any] = {
        "credentials": credentials,
        "runs": runs,
        "python_startup_s": round(baseline, 4),
        "cold_verify_s": round(latency, 3),
        "cold_verify_spread_s": [round(min(times["verify"]), 3), round(max(times["verify"]), 3)],
        "ratio_to_startup": round(latency / baseline, 1),
    }
    if other is not None:
        before = statistics.median(times["against"])
        result |= {
            "against": against,
            "against_cold_verify_s": round(before, 3),
            "ratio_to_against": round(latency / before, 3),
        }
    return result
