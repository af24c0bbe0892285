"""Batch issuance of a generated graduating class: ``issue_batch`` on every core.

The CSV repeats ``examples/issuer/class.csv`` with a DID and a name of their
own per graduate. Each row is rendered as an Open Badges diploma, given its
two status entries, signed with eddsa-rdfc-2022 and verified before it is
written and recorded. Machines are shared and noisy, so the batch rate comes
with a baseline measured in the same run: the same render + sign + verify in
this process, one credential after another (what one core can do). The
``efficiency`` is the batch rate over that baseline times the workers: 1.0
would be a perfect use of every core with nothing spent on CSV reading,
allocation, writing and recording. ``cpu_ms_per_row`` is the CPU time the
batch took, its process and its workers together (on Linux, where the fork
server's accounts of the workers it reaped can be read), per row: the wall
time on a dedicated machine is about that times the rows over the cores,
whereas a shared machine inflates the wall time. The resume figure re-runs
the batch, which then skips every row.
"""

from __future__ import annotations

import csv
import os
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from passeport.contexts import bundled_loader
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.issuer import Profile, issue_batch
from passeport.issuer.issue import (
    issue_signed,
    new_credential_id,
    verification_documents,
    verification_environment,
)
from passeport.issuer.statuslist import allocate_status
from passeport.issuer.templates import data_from_row

__all__ = ["bench_batch"]

CLASS_CSV = Path(__file__).resolve().parent.parent / "examples" / "issuer" / "class.csv"
ISSUED_AT = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def _write_class(path: Path, rows: int) -> list[dict[str, str]]:
    with CLASS_CSV.open(encoding="utf-8", newline="") as handle:
        model = list(csv.DictReader(handle))
    written = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(model[0]))
        writer.writeheader()
        for n in range(rows):
            row = dict(model[n % len(model)])
            row["holder.id"] = f"did:example:graduate{n}"
            row["holder.name"] = f"Graduate {n}"
            writer.writerow(row)
            written.append(row)
    return written


def _baseline(profile: Profile, row: dict[str, str], *, count: int) -> float:
    """Return credentials per second for render + sign + verify in this process."""
    loader = bundled_loader()
    data = data_from_row("diploma", row, where="baseline")
    with profile.open_registry() as registry:
        slots = allocate_status(profile, registry, count + 1, at=ISSUED_AT)
        documents = verification_documents(profile, registry, {1}, at=ISSUED_AT, loader=loader)
    env = verification_environment(documents, loader=loader, at=ISSUED_AT)

    def one(slot_index: int) -> None:
        issue_signed(
            profile,
            "diploma",
            data,
            credential_id=new_credential_id(),
            slot=slots[slot_index],
            suite=profile.suite,
            issued_at=ISSUED_AT,
            env=env,
        )

    one(count)  # warm the context caches
    started = time.perf_counter()
    for index in range(count):
        one(index)
    return count / (time.perf_counter() - started)


def _cpu_seconds() -> float | None:
    """Return the CPU seconds of this process, its fork server and the workers that one reaped.

    None where the fork server's accounts cannot be read (no /proc).
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    total = usage.ru_utime + usage.ru_stime
    from multiprocessing import forkserver

    pid = getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)
    if pid is None:
        return total  # no fork server yet
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # utime, stime, then cutime, cstime: the workers it waited for.
    ticks = sum(int(value) for value in fields[11:15])
    return total + ticks / os.sysconf("SC_CLK_TCK")


def bench_batch(rows: int = 10_000, *, workers: int | None = None) -> dict[str, Any]:
    """Issue a ``rows``-row class with ``issue_batch`` and return its figures."""
    workers = workers or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="passeport-bench-") as temp:
        root = Path(temp)
        profile = Profile.create(
            root / "univ",
            name="Université Exemple",
            did="web:univ.example",
            private_key=PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([71]) * 32),
        )
        model = _write_class(root / "class.csv", rows)
        baseline = _baseline(profile, model[0], count=min(200, max(20, rows // 50)))
        cpu_before = _cpu_seconds()
        summary = issue_batch(profile, "diploma", root / "class.csv", root / "out", workers=workers)
        cpu_after = _cpu_seconds()
        started = time.perf_counter()
        resumed = issue_batch(profile, "diploma", root / "class.csv", root / "out", workers=workers)
        resume_seconds = time.perf_counter() - started
        written = sum(1 for _ in (root / "out").glob("*.json"))
    return {
        "rows": rows,
        "workers": workers,
        "issued": summary.issued,
        "failed": summary.failed,
        "files": written,
        "seconds": round(summary.seconds, 2),
        "issued_per_s": round(summary.per_second, 1),
        "baseline_one_core_per_s": round(baseline, 1),
        "efficiency": round(summary.per_second / (baseline * workers), 3),
        "cpu_ms_per_row": (
            None
            if cpu_before is None or cpu_after is None
            else round((cpu_after - cpu_before) * 1000 / rows, 2)
        ),
        "resume_seconds": round(resume_seconds, 2),
        "resume_skipped": resumed.skipped,
    }
