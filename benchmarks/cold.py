"""Latency of ``passeport verify`` on a five-credential presentation, in a cold process.

The baseline is the start-up of a bare Python interpreter, measured in the same
run, so that the ratio says how many interpreter start-ups one cold
verification costs.
"""

from __future__ import annotations

import json
import os
import resource
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

__all__ = ["bench_cold_verify", "compiled_env"]


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


def compiled_env(folder: str, checkout: str | None = None) -> dict[str, str]:
    """Return the environment of a measured process: ``checkout`` first, its bytecode kept.

    An installed package runs from compiled bytecode; a checkout read with
    ``PYTHONDONTWRITEBYTECODE`` (or never imported) would be compiled at every
    start, and one never imported (``--against``) would pay it and not the
    other. Each checkout keeps its bytecode in its own folder under ``folder``,
    filled by a first, unmeasured run.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if checkout is not None:
        env["PYTHONPATH"] = checkout
    name = "pyc-" + (checkout or "this").strip("/").replace("/", "_")
    env["PYTHONPYCACHEPREFIX"] = str(Path(folder) / name)
    return env


def _seconds(command: list[str], folder: str, env: dict[str, str]) -> tuple[float, float]:
    """Return the wall and CPU seconds (user + system) of ``command`` in a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()  # from the temporary folder: "-m" puts the cwd first on sys.path
    subprocess.run(command, check=False, capture_output=True, env=env, cwd=folder)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def bench_cold_verify(
    *, credentials: int = 5, runs: int = 11, against: str | None = None
) -> dict[str, Any]:
    """Return the median time of a cold ``passeport verify``, and its ratio to Python start-up.

    ``against`` is another checkout of passeport (a folder put first on
    ``PYTHONPATH``, for instance ``git worktree add /tmp/base HEAD``): its cold
    verification is measured in the same rounds, alternately first and
    second, so that a loaded machine weighs on both alike. Both run from
    compiled bytecode (:func:`compiled_env`); CPU seconds are given beside
    the wall time, which other processes stretch.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vp.json"
        path.write_text(json.dumps(_presentation(credentials)), "utf-8")
        command = [sys.executable, "-m", "passeport", "verify", str(path), "--offline", "--json"]
        command += ["--challenge", "c-1", "--domain", "jobs.example"]
        envs = {"verify": compiled_env(folder)}
        if against is not None:
            envs["against"] = compiled_env(folder, against)
        for name, env in envs.items():  # checks it verifies, and compiles the bytecode
            check = subprocess.run(
                command, check=False, capture_output=True, text=True, cwd=folder, env=env
            )
            if check.returncode != 0:
                raise RuntimeError(
                    f"{name}: the presentation did not verify: {check.stdout[-500:]}"
                )
        startup = [sys.executable, "-c", "pass"]
        walls: dict[str, list[float]] = {"startup": [], "verify": [], "against": []}
        cpus: dict[str, list[float]] = {"verify": [], "against": []}
        for round_ in range(runs):
            walls["startup"].append(_seconds(startup, folder, envs["verify"])[0])
            for name in sorted(envs, reverse=round_ % 2 == 1):
                wall, cpu = _seconds(command, folder, envs[name])
                walls[name].append(wall)
                cpus[name].append(cpu)
    baseline, latency = statistics.median(walls["startup"]), statistics.median(walls["verify"])
    result: dict[str, Any] = {
        "credentials": credentials,
        "runs": runs,
        "python_startup_s": round(baseline, 4),
        "cold_verify_s": round(latency, 3),
        "cold_verify_spread_s": [round(min(walls["verify"]), 3), round(max(walls["verify"]), 3)],
        "cold_verify_cpu_s": round(statistics.median(cpus["verify"]), 3),
        "ratio_to_startup": round(latency / baseline, 1),
    }
    if against is not None:
        before = statistics.median(walls["against"])
        before_cpu = statistics.median(cpus["against"])
        result |= {
            "against": against,
            "against_cold_verify_s": round(before, 3),
            "against_cold_verify_cpu_s": round(before_cpu, 3),
            "ratio_to_against": round(latency / before, 3),
            "cpu_ratio_to_against": round(statistics.median(cpus["verify"]) / before_cpu, 3),
        }
    return result
