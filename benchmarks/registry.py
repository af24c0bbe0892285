"""Issuance on one PostgreSQL registry with 1, 2 and 4 processes.

Two figures per process count, each on a fresh database of one server:

- ``registry_per_s``: status entries allocated and credentials recorded (in
  chunks of 100, as a batch does), no signing: what the database allows;
- ``issued_per_s``: whole batches (render, sign, verify, write, record), one
  per process, each process a "machine" with its own profile folder, one
  worker each: what the issuers achieve together.

All processes start together (after their imports) and the rate is the
credentials of all over the time until the last one ends. Signing is bound
by the cores: with more processes than cores the issued rate stops growing,
while the registry rate shows what the database would allow more machines.
Without ``PASSEPORT_BENCH_POSTGRES`` (a server's admin URL) a throwaway
cluster is started as the tests do (``tests/issuer/_postgres.py``).
"""

from __future__ import annotations

import contextlib
import csv
import multiprocessing
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from passeport.did.keys import PrivateKey
from passeport.issuer import CredentialRecord, Profile, issue_batch
from passeport.issuer.statuslist import allocate_status

__all__ = ["bench_registry"]

ISSUED_AT = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
CLASS_CSV = Path(__file__).resolve().parent.parent / "examples" / "issuer" / "class.csv"
_CHUNK = 100


@contextlib.contextmanager
def _server(url: str | None) -> Iterator[str]:
    given = url or os.environ.get("PASSEPORT_BENCH_POSTGRES")
    if given:
        yield given
        return
    from tests.issuer._postgres import throwaway_cluster

    with throwaway_cluster() as started:
        yield started


def _database(admin: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    head, _, query = admin.partition("?")
    return f"{head.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")


def _profile(folder: Path, url: str) -> Profile:
    return Profile.create(
        folder,
        name="Université Exemple",
        did="web:univ.example",
        private_key=PrivateKey.from_raw("Ed25519", bytes([7]) * 32),
        secret=bytes([8]) * 32,
        registry=url,
    )


def _wait(start_at: float) -> float:
    """Sleep until ``start_at``; return when this process really started (if later)."""
    time.sleep(max(0.0, start_at - time.time()))
    return time.time()


def _record_only(args: tuple[str, int, int, float]) -> tuple[float, float]:
    folder, worker, count, start_at = args
    profile = Profile.open(Path(folder))
    with profile.open_registry() as registry:
        began = _wait(start_at)
        for start in range(0, count, _CHUNK):
            slots = allocate_status(profile, registry, min(_CHUNK, count - start), at=ISSUED_AT)
            registry.add(
                CredentialRecord(
                    id=f"urn:uuid:{worker:08d}-0000-4000-8000-{start + n:012d}",
                    template="diploma",
                    subject=None,
                    list_id=slot.list_id,
                    revocation_index=slot.revocation_index,
                    suspension_index=slot.suspension_index,
                    issued="2026-01-15T12:00:00Z",
                    row_key=f"{worker}-{start + n}",
                )
                for n, slot in enumerate(slots)
            )
    return began, time.time()


def _batch(args: tuple[str, str, str, float]) -> tuple[float, float]:
    folder, rows, out, start_at = args
    profile = Profile.open(Path(folder))
    with profile.open_registry():  # connect before the start, as the records do
        pass
    began = _wait(start_at)
    summary = issue_batch(profile, "diploma", Path(rows), Path(out), workers=1, issued_at=ISSUED_AT)
    if summary.failed:
        raise RuntimeError(summary.failures[0].message)
    return began, time.time()


def _elapsed(spans: Sequence[tuple[float, float]]) -> float:
    return max(end for _, end in spans) - min(begin for begin, _ in spans)


def _write_rows(path: Path, count: int, machine: int) -> None:
    with CLASS_CSV.open(encoding="utf-8", newline="") as handle:
        model = list(csv.DictReader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(model[0]))
        writer.writeheader()
        for n in range(count):
            row = dict(model[n % len(model)])
            row["holder.id"] = f"did:example:m{machine}-graduate{n}"
            row["holder.name"] = f"Graduate {n}"
            writer.writerow(row)


def bench_registry(
    *,
    credentials: int = 20_000,
    signed_rows: int = 400,
    processes: Sequence[int] = (1, 2, 4),
    url: str | None = None,
    lead_seconds: float = 3.0,
) -> dict[str, Any]:
    """Measure the registry and issuance rates with each process count on one PostgreSQL.

    ``credentials`` are recorded in all (split between the processes);
    ``signed_rows`` are signed by each process; the processes start together
    ``lead_seconds`` after they are handed their work (time to import).
    """
    context = multiprocessing.get_context("spawn")
    result: dict[str, Any] = {"cores": os.cpu_count(), "rows": []}
    with _server(url) as admin, tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for count in processes:
            database = _database(admin, f"bench_registry_{count}")
            machines = [_profile(root / f"p{count}-{m}", database) for m in range(count)]
            share = credentials // count
            with context.Pool(count) as pool:
                start_at = time.time() + lead_seconds
                spans = pool.map(
                    _record_only,
                    [(str(machines[m].directory), m, share, start_at) for m in range(count)],
                )
                registry_rate = share * count / _elapsed(spans)
                jobs = []
                for m in range(count):
                    rows = root / f"rows{count}-{m}.csv"
                    _write_rows(rows, signed_rows, m)
                    jobs.append(
                        (str(machines[m].directory), str(rows), str(root / f"out{count}-{m}"))
                    )
                start_at = time.time() + lead_seconds
                spans = pool.map(_batch, [(*job, start_at) for job in jobs])
                issued_rate = signed_rows * count / _elapsed(spans)
            result["rows"].append(
                {
                    "processes": count,
                    "registry_per_s": round(registry_rate),
                    "issued_per_s": round(issued_rate, 1),
                }
            )
    one = result["rows"][0]
    for row in result["rows"]:
        row["registry_speedup"] = round(row["registry_per_s"] / one["registry_per_s"], 2)
        row["issued_speedup"] = round(row["issued_per_s"] / one["issued_per_s"], 2)
    return result
