"""A batch spread over several machines: chunks of rows claimed from the PostgreSQL registry.

Every machine runs :func:`distributed_batch` on the same rows file, with its
own copy of the profile folder (same key and secret, same PostgreSQL
registry). The batch's id is the SHA-256 of the template and the file, so
the machines find each other's plan without talking:

1. the first machine cuts the rows into chunks (``batch_chunks``); the others
   find the plan made;
2. each machine claims a pending chunk (``FOR UPDATE SKIP LOCKED``: two never
   get the same one) under a lease it renews while it works (a thread with its
   own connection), issues the chunk's rows with :func:`issue_batch` (its
   workers, its staging files, its registry records), then marks the chunk
   done;
3. a machine that dies stops renewing: once its lease has run out, another
   machine claims the chunk again. The rows the dead machine recorded are
   skipped (the registry knows their row keys), the others issued; credentials
   it recorded but had not yet put in place in a shared output folder are put
   in place from its staging files.

The result is the one machine's result: one credential per row, the same file
names (a file is named after its data and row key, not after who signed it),
every status index given once. A machine whose lease ran out while it was
still alive (a network partition longer than the lease) only loses its
duplicate rows to the registry's unique row keys.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Final

from passeport.errors import InputError
from passeport.issuer._rows import Row, RowFile, format_of, open_rows, read_rows
from passeport.issuer.batch import (
    BatchSummary,
    RowFailure,
    _profile_mark,
    issue_batch,
    staged_name,
)
from passeport.issuer.profile import Profile
from passeport.issuer.registry import Registry
from passeport.issuer.registry_pg import PostgresRegistry

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "DEFAULT_LEASE_SECONDS",
    "DistributedSummary",
    "batch_id",
    "distributed_batch",
]

DEFAULT_CHUNK_ROWS: Final = 500
DEFAULT_LEASE_SECONDS: Final = 120.0


@dataclass(frozen=True, slots=True)
class DistributedSummary:
    """What one machine did of a distributed batch."""

    batch: str
    worker: str
    chunks: tuple[int, ...]
    issued: int
    skipped: int
    failures: tuple[RowFailure, ...]
    seconds: float


def batch_id(template: str, rows: Path) -> str:
    """Return the id every machine computes for the same template and rows file."""
    digest = hashlib.sha256(f"{template}\n".encode())
    try:
        with rows.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", where=str(rows)) from None
    return digest.hexdigest()[:32]


def _write_chunk(source: RowFile, rows: list[Row], path: Path) -> None:
    """Write ``rows`` as a file of the source's format (UTF-8, commas), content unchanged."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        if source.format == "csv":
            writer = csv.DictWriter(handle, fieldnames=list(source.header))
            writer.writeheader()
            writer.writerows(row.content for row in rows)
        else:
            for row in rows:
                handle.write(json.dumps(row.content, ensure_ascii=False) + "\n")


def _adopt(out_dir: Path, mark: str, registry: Registry) -> None:
    """Put in place the staged files of a dead machine whose credentials the registry recorded.

    Files it had not recorded are left alone: that machine removes them when it
    runs again, and a machine only presumed dead may still record them.
    """
    suffix = staged_name("", "", mark)[2:]  # ".<mark>.part"
    with contextlib.suppress(OSError):
        for entry in os.scandir(out_dir):
            if not entry.name.startswith(".") or not entry.name.endswith(suffix):
                continue
            output, _, uuid = entry.name[1 : -len(suffix)].rpartition(".")
            if output and registry.find(f"urn:uuid:{uuid}") is not None:
                with contextlib.suppress(OSError):
                    os.replace(out_dir / entry.name, out_dir / output)


class _Lease:
    """Renew a chunk's lease from a thread with its own connection while the chunk is issued."""

    def __init__(self, profile: Profile, batch: str, chunk: int, worker: str, seconds: float):
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(profile, batch, chunk, worker, seconds), daemon=True
        )

    def _run(self, profile: Profile, batch: str, chunk: int, worker: str, seconds: float) -> None:
        with contextlib.suppress(Exception), profile.open_registry() as registry:
            assert isinstance(registry, PostgresRegistry)
            while not self._stop.wait(seconds / 3):
                if not registry.renew_lease(batch, chunk, worker, seconds):
                    return

    def __enter__(self) -> _Lease:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def distributed_batch(
    profile: Profile,
    template: str,
    rows: Path,
    out_dir: Path,
    *,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
    workers: int | None = None,
    issued_at: datetime | None = None,
    row_format: str | None = None,
    worker: str | None = None,
    on_claim: Callable[[int], None] | None = None,
) -> DistributedSummary:
    """Take part in the batch of ``rows`` with the other machines sharing the registry.

    Returns when every chunk is done, by this machine or another; the summary
    tells this machine's part. Failed rows are reported with their row
    numbers in ``rows``.

    Args:
        chunk_rows: the rows of a chunk (used by the machine that cuts the batch).
        lease_seconds: how long a claim holds without renewal; a dead machine's
            chunk is claimed again after it.
        workers: local worker processes per chunk (default: every core).
        worker: this machine's name in the claims (default: host and process).
        on_claim: called with each chunk number claimed (progress, tests).

    Raises:
        InputError: the profile's registry is not PostgreSQL, or the rows file
            cannot be read.
    """
    if chunk_rows < 1 or lease_seconds <= 0:
        raise ValueError("chunk_rows and lease_seconds must be positive")
    started = time.perf_counter()
    source = open_rows(rows, format_of(rows, row_format))
    batch = batch_id(template, rows)
    name = worker or f"{socket.gethostname()} pid {os.getpid()}"
    name = f"{name}|{_profile_mark(profile)}"  # where its staging files are found
    all_rows: list[Row] | None = None
    issued = skipped = 0
    failures: list[RowFailure] = []
    done: list[int] = []
    scratch = Path(tempfile.mkdtemp(prefix="passeport-chunk-"))
    try:
        with profile.open_registry() as registry:
            if not isinstance(registry, PostgresRegistry):
                raise InputError(
                    "a batch over several machines needs a PostgreSQL registry "
                    "(passeport issuer init --registry postgresql://...)",
                    where=str(profile.directory),
                )
            registry.plan_chunks(batch, source.rows, chunk_rows)
            while True:
                claim = registry.claim_chunk(batch, name, lease_seconds)
                if claim is None:
                    if registry.chunks_left(batch) == 0:
                        break
                    time.sleep(min(1.0, lease_seconds / 4))  # others hold the rest
                    continue
                chunk, first, count, previous = claim
                if on_claim is not None:
                    on_claim(chunk)
                if previous is not None and previous != name and "|" in previous:
                    _adopt(out_dir, previous.rsplit("|", 1)[1], registry)
                if all_rows is None:
                    all_rows = list(read_rows(source))
                part = all_rows[first : first + count]
                with _Lease(profile, batch, chunk, name, lease_seconds):
                    summary = _issue_chunk(
                        profile, template, source, part, scratch / f"{chunk}", out_dir,
                        workers=workers, issued_at=issued_at,
                    )  # fmt: skip
                registry.finish_chunk(batch, chunk)
                done.append(chunk)
                if summary is not None:
                    issued += summary[0]
                    skipped += summary[1]
                    failures.extend(summary[2])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    failures.sort(key=lambda failure: failure.row)
    return DistributedSummary(
        batch=batch,
        worker=name,
        chunks=tuple(done),
        issued=issued,
        skipped=skipped,
        failures=tuple(failures),
        seconds=time.perf_counter() - started,
    )


def _issue_chunk(
    profile: Profile,
    template: str,
    source: RowFile,
    part: list[Row],
    folder: Path,
    out_dir: Path,
    *,
    workers: int | None,
    issued_at: datetime | None,
) -> tuple[int, int, list[RowFailure]] | None:
    """Issue the rows ``part`` through :func:`issue_batch`; failures keep their source rows."""
    failures = [
        RowFailure(row.number, f"{source.path.name} row {row.number}: {row.problem}")
        for row in part
        if row.problem is not None
    ]
    good = [row for row in part if row.problem is None]
    if not good:
        return 0, 0, failures
    folder.mkdir()
    path = folder / f"rows.{source.format}"
    _write_chunk(source, good, path)
    numbers = {
        written.number: row.number
        for written, row in zip(read_rows(open_rows(path, source.format)), good, strict=True)
    }
    summary: BatchSummary = issue_batch(
        profile,
        template,
        path,
        out_dir,
        workers=workers,
        issued_at=issued_at,
        row_format=source.format,
        wait=True,
    )
    for failure in summary.failures:
        number = numbers.get(failure.row, failure.row)
        message = failure.message.replace(
            f"{path.name} row {failure.row}", f"{source.path.name} row {number}"
        )
        failures.append(replace(failure, row=number, message=message))
    return summary.issued, summary.skipped, failures
