"""A holder's wallet of 10,000 credentials: listing it and answering a recruiter's request.

The wallet is built once (credentials signed with ``eddsa-jcs-2022``, the
cheapest suite to sign, one in a hundred with ``ecdsa-sd-2023`` so that the
Presentation Exchange request, which requires selective disclosure, has
answers deep in the wallet; then added through :func:`wallet.add`, which verifies
each one). Timed afterwards, on the unlocked wallet: listing (every sealed
record's metadata decrypted, flags computed), answering the example DCQL and
Presentation Exchange requests (``examples/requests``), a DCQL query nobody
satisfies (every candidate opened: the worst case), and a whole presentation
(answer, then sign); then ``passeport wallet list`` in a new process, as a
table and as JSON (the CLI path, start-up included). Unlocking (scrypt at its
default cost) is timed apart, on another wallet: the one measured has a cheap KDF.
The same-run baseline is raw AES-256-GCM opening of as many records of the
same size, without JSON or SQLite.
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
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from benchmarks.cold import compiled_env
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs.sign import sign_document
from passeport.wallet import KdfParams, UnmetRequest, Wallet, add, answer, present

__all__ = ["bench_wallet"]

_REQUESTS = Path(__file__).resolve().parent.parent / "examples" / "requests"
_PASSPHRASE = "benchmark passphrase"
_TITLES = ("Développeur web et web mobile", "Technicien supérieur de maintenance", "Comptable")
_TRAININGS = ("Sauveteur Secouriste du Travail", "Habilitation électrique B1V", "CACES R489")


def _key(n: int, algorithm: KeyAlgorithm = KeyAlgorithm.ED25519) -> KeyPair:
    return KeyPair.from_private_key(PrivateKey.from_raw(algorithm, bytes([n]) * 32))


def _credential(number: int, holder: str) -> dict[str, Any]:
    """A diploma (one in three) or a training certificate, OB 3.0 as the issuer shapes them."""
    diploma = number % 3 == 0
    pick = number // 3
    title = _TITLES[pick % len(_TITLES)] if diploma else _TRAININGS[pick % len(_TRAININGS)]
    alignment = [
        {
            "type": ["Alignment"],
            "targetType": "ext:Certification",
            "targetFramework": "RNCP",
            "targetCode": "RNCP37674",
            "targetName": title,
            "targetUrl": "https://www.francecompetences.fr/recherche/rncp/37674/",
        },
        {
            "type": ["Alignment"],
            "targetType": "ext:EQFLevel",
            "targetFramework": "EQF",
            "targetCode": str(5 + number % 3),
            "targetName": "Niveau européen",
            "targetUrl": "https://europa.eu/europass/en/description-eight-eqf-levels",
        },
    ]
    achievement: dict[str, Any] = {
        "id": f"https://training.example/achievements/{number % 50}",
        "type": ["Achievement"],
        "achievementType": "Diploma" if diploma else "Certificate",
        "name": title,
        "description": f"Credential number {number} of the benchmark wallet.",
        "criteria": {"narrative": "Assessed by a jury."},
    }
    if diploma:
        achievement["alignment"] = alignment
    document: dict[str, Any] = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"urn:uuid:00000000-0000-4000-9000-{number:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title,
        "validFrom": f"2025-{1 + number % 12:02d}-01T00:00:00Z",
        "credentialSubject": {
            "id": holder,
            "type": ["AchievementSubject"],
            "achievement": achievement,
        },
    }
    if not diploma:
        document["validUntil"] = f"{2030 + number % 5}-06-30T23:59:59Z"
    return document


def _timed(function: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def bench_wallet(count: int = 10_000, *, against: str | None = None) -> dict[str, Any]:
    """Return list and request-answering times (seconds) on a wallet of ``count`` credentials.

    ``against``: another checkout, whose ``wallet list`` is measured beside (:func:`_cli_listing`).
    """
    issuer, holder, sd_issuer = _key(71), _key(72), _key(73, KeyAlgorithm.P256)
    created = datetime(2025, 1, 1, tzinfo=UTC)
    dcql = json.loads((_REQUESTS / "job-application.dcql.json").read_text("utf-8"))
    definition = json.loads((_REQUESTS / "job-application.pe.json").read_text("utf-8"))
    nobody = {
        "credentials": [
            {
                "id": "doctorate",
                "format": "ldp_vc",
                "meta": {"type_values": [["OpenBadgeCredential"]]},
                "claims": [
                    {
                        "path": ["credentialSubject", "achievement", "name"],
                        "values": ["Doctorat en médecine"],
                    }
                ],
            }
        ]
    }
    with tempfile.TemporaryDirectory() as folder:
        Wallet.create(Path(folder) / "empty.sqlite", _PASSPHRASE, key=holder)
        start = time.perf_counter()  # unlocking: scrypt at its default cost, on purpose slow
        Wallet.open(Path(folder) / "empty.sqlite", _PASSPHRASE)
        unlock = time.perf_counter() - start
        # The wallet measured has a cheap KDF: the figures are the listing's, unlock apart.
        path = Path(folder) / "wallet.sqlite"
        opened = Wallet.create(path, _PASSPHRASE, key=holder, kdf=KdfParams.fresh(n=2**10))
        start = time.perf_counter()
        texts = []
        for n in range(count):
            document = _credential(n, holder.controller)
            if n % 100 == 50:  # one in a hundred allows selective disclosure
                signed = sign_document(
                    document,
                    sd_issuer,
                    suite="ecdsa-sd-2023",
                    created=created,
                    mandatory=("/issuer", "/validFrom"),
                )
            else:
                signed = sign_document(document, issuer, suite="eddsa-jcs-2022", created=created)
            texts.append((f"c{n}.json", json.dumps(signed)))
        signing = time.perf_counter() - start
        start = time.perf_counter()
        for first in range(0, count, 1000):
            outcomes = add(opened, texts[first : first + 1000])
            refused = [o.reason for o in outcomes if o.status != "added"]
            if refused:
                raise RuntimeError(f"benchmark credential refused: {refused[0]}")
        adding = time.perf_counter() - start
        now = datetime.now(UTC)
        size = len(opened.entries())

        def listing() -> None:
            for entry in opened.entries():
                entry.info.flags_at(now)

        def unmet() -> None:
            try:
                answer(opened, nobody, now=now)
            except UnmetRequest:
                return
            raise RuntimeError("the unmet query was answered")

        cli = _cli_listing(path, against=against)
        results = {
            "credentials": size,
            "file_bytes": path.stat().st_size,
            "unlock_s": round(unlock, 4),
            "sign_setup_s": round(signing, 2),
            "add_per_s": round(count / adding, 1),
            "list_s": round(_timed(listing, 3), 4),
            "answer_dcql_s": round(_timed(lambda: answer(opened, dcql, now=now), 3), 4),
            "answer_pe_s": round(_timed(lambda: answer(opened, definition, now=now), 3), 4),
            "answer_unmet_s": round(_timed(unmet, 3), 4),
            "present_dcql_s": round(
                _timed(
                    lambda: present(
                        opened, request=dcql, challenge="c", domain="d.example", now=now
                    ),
                    3,
                ),
                4,
            ),
            **cli,
        }
    record = os.urandom(600)
    key = AESGCM(os.urandom(32))
    sealed = [(nonce := os.urandom(12), key.encrypt(nonce, record, b"")) for _ in range(count)]
    baseline = _timed(lambda: [key.decrypt(n, c, b"") for n, c in sealed], 3)
    results["baseline_raw_aes_gcm_open_s"] = round(baseline, 4)
    results["list_ratio"] = round(baseline / results["list_s"], 4)
    return results


def _cli_listing(path: Path, runs: int = 7, against: str | None = None) -> dict[str, Any]:
    """Return the wall time of ``passeport wallet list`` in a new process (median of ``runs``).

    As a table (the most recent by default) and as JSON (every credential),
    start-up and imports included, from compiled bytecode
    (:func:`benchmarks.cold.compiled_env`), with the CPU seconds beside; the
    wallet's KDF is cheap, so that unlocking (``unlock_s``, scrypt at its
    default cost) is not counted. ``against`` (another checkout) lists the
    same wallet in the same rounds, alternately first and second.
    """
    command = [sys.executable, "-m", "passeport", "wallet", "list", "--wallet", str(path)]
    folder = str(path.parent)
    settings = {"PASSEPORT_PASSPHRASE": _PASSPHRASE, "COLUMNS": "100"}
    envs = {"": {**compiled_env(folder), **settings}}
    if against is not None:
        envs["against_"] = {**compiled_env(folder, against), **settings}
    results: dict[str, Any] = {}
    for name, extra in (("cli_list_table", []), ("cli_list_json", ["--json"])):
        walls: dict[str, list[float]] = {key: [] for key in envs}
        cpus: dict[str, list[float]] = {key: [] for key in envs}
        for round_ in range(runs + 1):  # the first round compiles the bytecode: not counted
            for key in sorted(envs, reverse=round_ % 2 == 1):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                done = subprocess.run(  # from the wallet's folder: "-m" puts the cwd on sys.path
                    [*command, *extra], capture_output=True, env=envs[key], check=False, cwd=folder
                )
                wall = time.perf_counter() - start
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if done.returncode != 0:
                    raise RuntimeError(f"wallet list failed: {done.stderr[-300:]!r}")
                if round_:
                    walls[key].append(wall)
                    cpus[key].append(
                        after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
                    )
        for key in envs:
            results[f"{key}{name}_s"] = round(statistics.median(walls[key]), 3)
            results[f"{key}{name}_cpu_s"] = round(statistics.median(cpus[key]), 3)
        if against is not None:
            ratio = statistics.median(walls[""]) / statistics.median(walls["against_"])
            results[f"{name}_ratio_to_against"] = round(ratio, 3)
    if against is not None:
        results["against"] = against
    return results


if __name__ == "__main__":
    print(json.dumps(bench_wallet(), indent=2))
