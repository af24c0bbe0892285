"""Batch issuance: one credential per CSV or JSON Lines row, on every core, resumable.

How a batch runs:

1. The file is read once to count its rows and to refuse it whole if it cannot
   be parsed (encoding, CSV syntax, header), or if its header names a column
   the template does not know, or if it holds no row at all.
2. The parent process turns rows into template data, computes each row's key
   (SHA-256 of the template name and the row's canonical JSON), and skips rows
   whose key the registry already holds: a resumed batch never issues a row
   twice. Rows are then cut into chunks; each chunk gets its status entries
   from the registry in one transaction (so concurrent issuers never share an
   index) and the signed status lists its credentials point at.
3. Worker processes (:mod:`issuer._workers`, started once per batch, each
   keeping its processed JSON-LD contexts for the whole batch, and each
   ending when the batch process ends, even killed) render, sign and verify
   each credential of a chunk and write it, complete, to a hidden staging
   file beside its destination. A row that fails is reported with its row
   number and the others go on.
4. The parent puts the chunk's staging files on disk (one ``syncfs`` of
   their file system where Linux offers it, else an ``fsync`` of each: see
   :mod:`issuer._durable`), records the chunk's credentials in the registry
   in one transaction (with ``syncfs``, that commit is put on disk too),
   then renames each staging file to ``OUT/<name>.json`` (``.jwt`` or
   ``.sd-jwt`` for a token): a credential file exists only once the
   registry knows the credential, so that it can be revoked, and the
   registry never knows a credential whose file a crash, even a power cut,
   could lose (a file a crash left staged is put in place by the next
   batch). A chunk the registry refuses has its staging files removed.

One batch runs at a time on a profile: it holds an OS lock on the profile's
``batch.lock`` for its whole run, and a second batch is refused, naming the
process that holds it, or waits for it (``wait``). Staging files that a
killed batch left (they carry the profile's mark) are put in place at the
start of the next batch if the registry recorded their credential, and
removed otherwise.

Row numbers are the file's line numbers: a CSV header is row 1, so the first
graduate is row 2, as a spreadsheet shows it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, Final

from passeport._json import JsonObject
from passeport.contexts import DocumentLoader, bundled_loader
from passeport.errors import InputError, PasseportError, SigningError
from passeport.issuer._durable import StagingFlush
from passeport.issuer._rows import Row, RowFile, describe, format_of, open_rows, read_rows
from passeport.issuer._workers import (
    Chunk,
    Done,
    Job,
    process_context,
    run_chunk,
    start_server,
    start_worker,
    worker_chunk,
)
from passeport.issuer.issue import check_suite, new_credential_id, verification_documents
from passeport.issuer.profile import SQLITE_REGISTRY, Profile
from passeport.issuer.registry import Registry
from passeport.issuer.statuslist import allocate_status
from passeport.issuer.templates import TEMPLATE_NAMES, columns, data_from_row, subject_id
from passeport.proofs.dates import utc_now
from passeport.proofs.mechanism import mechanism_named

__all__ = [
    "LOCK_FILE",
    "BatchSummary",
    "ProgressCallback",
    "RowFailure",
    "issue_batch",
    "profile_lock",
    "row_key",
    "staged_name",
]

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(rows_done, rows_total)`` while a batch runs."""

_MAX_CHUNK: Final = 50
_SLUG: Final = re.compile(r"[^A-Za-z0-9._-]+")
LOCK_FILE: Final = "batch.lock"
"""The file of a profile folder that a running batch holds locked."""
_STAGED: Final = ".part"


@dataclass(frozen=True, slots=True)
class RowFailure:
    """A row that was not issued, and why (the message names the file and row)."""

    row: int
    message: str


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """What a batch did: rows issued, skipped as already issued, and failed."""

    source: str
    template: str
    out_dir: str
    rows: int
    issued: int
    skipped: int
    failures: tuple[RowFailure, ...]
    seconds: float
    encoding: str = "utf-8"
    delimiter: str | None = None

    @property
    def read_as(self) -> str:
        """How the file was read: ``CSV, semicolon-separated, Windows-1252``."""
        return describe(self.encoding, self.delimiter)

    @property
    def failed(self) -> int:
        """The number of rows that failed."""
        return len(self.failures)

    @property
    def per_second(self) -> float:
        """Credentials issued per second."""
        return self.issued / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> JsonObject:
        """Return the summary as JSON (the CLI's ``--json``)."""
        return {
            "source": self.source,
            "template": self.template,
            "outDir": self.out_dir,
            "rows": self.rows,
            "issued": self.issued,
            "skipped": self.skipped,
            "failed": self.failed,
            "seconds": round(self.seconds, 3),
            "perSecond": round(self.per_second, 1),
            "failures": [{"row": f.row, "message": f.message} for f in self.failures],
            "encoding": self.encoding,
            "delimiter": self.delimiter,
        }


def row_key(template: str, content: Mapping[str, Any]) -> str:
    """Return the stable key of a batch row: SHA-256 of the template and the row's JSON."""
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{template}\n{canonical}".encode()).hexdigest()


def _output_name(subject: str | None, key: str, suite: str) -> str:
    """Name a row's file after its holder and row key; a token gets the suffix wallets read."""
    slug = _SLUG.sub("-", subject or "").strip("-.")[:60]
    suffix = mechanism_named(suite).file_suffix
    return f"{slug}-{key[:12]}{suffix}" if slug else f"row-{key[:12]}{suffix}"


# One batch at a time per profile, and the files a killed batch left ----------------------


def _lock_holder(fd: int) -> str:
    """Return `` (pid N)`` for the process that wrote its pid in the lock file, if it did."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {text})" if text.isdigit() else ""


@contextlib.contextmanager
def profile_lock(directory: Path, *, wait: bool = False) -> Iterator[None]:
    """Hold the profile's batch lock (an OS lock, released even if the process is killed).

    Raises:
        InputError: another batch holds it (without ``wait``), or the lock
            file cannot be created.
    """
    try:
        import fcntl
    except ImportError:  # no flock (Windows): batches on one profile are not serialized
        yield
        return
    path = directory / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by workers
    except OSError as exc:
        raise InputError(f"cannot create the lock file: {exc.strerror}", where=str(path)) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                f"another batch is running on this profile{_lock_holder(fd)}; "
                "run this one when it ends, or give --wait",
                where=str(directory),
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _profile_mark(profile: Profile) -> str:
    """Return the mark of a profile's staging files (8 hex digits of its folder's path)."""
    return hashlib.sha256(str(profile.directory.resolve()).encode()).hexdigest()[:8]


def staged_name(output: str, credential_id: str, mark: str) -> str:
    """Return the hidden file a credential is written to before the registry records it."""
    return f".{output}.{credential_id.removeprefix('urn:uuid:')}.{mark}{_STAGED}"


def _recover(out_dir: Path, mark: str, registry: Registry) -> None:
    """Put in place the staged files of recorded credentials a killed batch left; drop the rest.

    Only files with this profile's mark are touched: another profile may
    write into the same folder.
    """
    suffix = f".{mark}{_STAGED}"
    try:
        names = [entry.name for entry in os.scandir(out_dir) if entry.name.startswith(".")]
    except OSError:
        return
    for name in names:
        path = out_dir / name
        if name.endswith(suffix):
            output, _, uuid = name[1 : -len(suffix)].rpartition(".")
            final = out_dir / output
            if output and registry.find(f"urn:uuid:{uuid}") is not None:
                with contextlib.suppress(OSError):  # else: reported when its row comes
                    os.replace(path, final)  # the registry's credential for that row
                continue
        elif f"{suffix}." not in name:  # not a temporary file of write_atomic's either
            continue
        with contextlib.suppress(OSError):
            os.unlink(path)


# The batch --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    total: int
    progress: ProgressCallback | None
    done: int = 0
    issued: int = 0
    skipped: int = 0
    failures: list[RowFailure] = field(default_factory=list)

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.progress is not None and rows:
            self.progress(self.done, self.total)


@dataclass(slots=True)
class _Batch:
    profile: Profile
    registry: Registry
    template: str
    suite: str
    fmt: str
    source: Path
    out_dir: Path
    issued_at: datetime
    loader: DocumentLoader
    tally: _Tally
    mark: str
    flush: StagingFlush
    seen: dict[str, int] = field(default_factory=dict)
    lists: dict[int, dict[str, bytes]] = field(default_factory=dict)
    pending: dict[int, Job] = field(default_factory=dict)  # by row number: handed to workers

    def prepare(self, rows: Sequence[Row]) -> list[tuple[Row, str, JsonObject]]:
        """Convert rows to data; report bad ones, skip those already issued or repeated.

        A row already issued is not converted again: its file is named after
        the holder its record keeps.
        """
        keyed: list[tuple[Row, str]] = []
        for row in rows:
            where = f"{self.source.name} row {row.number}"
            if row.problem is not None:
                self.tally.failures.append(RowFailure(row.number, f"{where}: {row.problem}"))
                continue
            key = row_key(self.template, row.content)
            if key in self.seen:
                self.tally.failures.append(
                    RowFailure(row.number, f"{where}: repeats row {self.seen[key]}")
                )
                continue
            self.seen[key] = row.number
            keyed.append((row, key))
        issued = self.registry.find_rows([key for _, key in keyed])
        fresh = []
        for row, key in keyed:
            where = f"{self.source.name} row {row.number}"
            record = issued.get(key)
            if record is not None:
                output = _output_name(record.subject, key, self.suite)
                if (self.out_dir / output).is_file():
                    self.tally.skipped += 1
                else:
                    self.tally.failures.append(
                        RowFailure(
                            row.number,
                            f"{where}: already issued as {record.id}, "
                            f"but {output} is missing from {self.out_dir}",
                        )
                    )
                continue
            try:
                if self.fmt == "csv":
                    data = data_from_row(self.template, row.content, where=where)
                else:
                    data = dict(row.content)
            except PasseportError as exc:
                self.tally.failures.append(RowFailure(row.number, str(exc.located(where))))
                continue
            fresh.append((row, key, data))
        self.tally.advance(len(rows) - len(fresh))
        return fresh

    def chunk(self, fresh: list[tuple[Row, str, JsonObject]]) -> Chunk:
        """Allocate status entries for ``fresh`` rows and package them for a worker."""
        slots = allocate_status(self.profile, self.registry, len(fresh), at=self.issued_at)
        documents: dict[str, bytes] = {}
        for list_id in sorted({slot.list_id for slot in slots}):
            if list_id not in self.lists:
                self.lists[list_id] = verification_documents(
                    self.profile, self.registry, {list_id}, at=self.issued_at, loader=self.loader
                )
            documents.update(self.lists[list_id])
        jobs = []
        for (row, key, data), slot in zip(fresh, slots, strict=True):
            credential_id = new_credential_id()
            output = _output_name(subject_id(data), key, self.suite)
            job = Job(
                row.number,
                f"{self.source.name} row {row.number}",
                key,
                data,
                credential_id,
                slot,
                output,
                staged_name(output, credential_id, self.mark),
            )
            self.pending[row.number] = job
            jobs.append(job)
        return Chunk(
            self.template, self.suite, self.issued_at, str(self.out_dir), documents, tuple(jobs)
        )

    def record(self, done: list[Done]) -> None:
        """Flush a chunk's staged files, record them, then put them in place, then count them.

        A credential is recorded only once its staged file is on disk, and
        its file appears only after the registry committed its record; a
        staged file that cannot be flushed fails its row, and if the registry
        refuses the chunk, its staged files are removed.
        """
        jobs = [self.pending.pop(item.number) for item in done]
        rows = list(zip(done, jobs, strict=True))
        written = [job for item, job in rows if item.record is not None]
        try:
            unflushed = self.flush.flush(self.out_dir / job.staged for job in written)
        except BaseException:
            self.discard(written)
            raise
        issued: list[tuple[Done, Job]] = []
        for item, job in rows:
            error = unflushed.get(self.out_dir / job.staged)
            if item.record is None or error is not None:
                if error is not None:
                    self.discard([job])
                    reason = f"cannot write {self.out_dir / job.output}: {error.strerror or error}"
                    item = Done(item.number, None, f"{job.where}: {reason}")
                self.tally.failures.append(RowFailure(item.number, item.error or "failed"))
            else:
                issued.append((item, job))
        try:
            self.registry.add([item.record for item, _ in issued if item.record is not None])
        except BaseException:
            self.discard([job for _, job in issued])
            raise
        if issued:
            self.flush.settle()  # the registry's commit on disk before any file appears
        for item, job in issued:
            target = self.out_dir / job.output
            try:
                os.replace(self.out_dir / job.staged, target)
            except OSError as exc:  # recorded: the next run puts the staged file in place
                reason = exc.strerror or str(exc)
                self.tally.failures.append(
                    RowFailure(
                        item.number,
                        f"{job.where}: issued as {job.credential_id}, but cannot write {target}: "
                        f"{reason}; run the same command again",
                    )
                )
            else:
                self.tally.issued += 1
        self.tally.advance(len(done))

    def discard(self, jobs: Iterable[Job]) -> None:
        """Remove the staged files of ``jobs`` (credentials the registry does not know)."""
        for job in jobs:
            self.pending.pop(job.number, None)
            with contextlib.suppress(OSError):
                os.unlink(self.out_dir / job.staged)


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def issue_batch(
    profile: Profile,
    template: str,
    rows: Path,
    out_dir: Path,
    *,
    suite: str | None = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
    issued_at: datetime | None = None,
    row_format: str | None = None,
    chunk_size: int | None = None,
    wait: bool = False,
) -> BatchSummary:
    """Issue one credential per row of a CSV or JSON Lines file into ``out_dir``.

    A CSV row goes through the template's column mapping; a JSON Lines row is
    the template's data itself. A CSV file's separator (comma, semicolon or
    tab) and encoding (UTF-8, with or without a byte order mark, else
    Windows-1252) are detected; the summary says which. Bad rows are
    reported (file, row number, JSON pointer) and the others issued. Rows
    already issued by an earlier run are skipped, so an interrupted batch is
    resumed by running it again. One batch runs at a time on a profile.

    Args:
        workers: processes that sign (default: every core; 1 signs in this process).
        progress: called as ``progress(rows_done, rows_total)``.
        issued_at: the issuance instant of every credential (default: now).
        row_format: ``csv`` or ``jsonl`` (default: from the file name's suffix).
        chunk_size: rows handed to a worker at once (default: up to 50).
        wait: wait for another batch running on the profile to end, instead
            of refusing to start.

    Raises:
        InputError: the file cannot be read as a whole (missing, not text,
            malformed CSV, no header or a column the template does not know) or
            holds no row, ``out_dir`` cannot be written, or the
            registry cannot be used, or a worker cannot open the profile, or
            another batch is running on the profile (without ``wait``).
        SigningError: a worker process died (the rows recorded so far stay issued).
        ValueError: an unknown template or suite, or ``workers`` below 1.
    """
    if template not in TEMPLATE_NAMES:
        raise ValueError(f"unknown template {template!r} (known: {', '.join(TEMPLATE_NAMES)})")
    suite = suite or profile.suite
    check_suite(suite)
    workers = workers if workers is not None else os.cpu_count() or 1
    if workers < 1:
        raise ValueError("workers must be at least 1")
    context = process_context() if workers > 1 else None
    if context is not None:
        start_server(context)  # it imports the issuer while this process reads the rows
    source = open_rows(rows, format_of(rows, row_format))
    _check_source(source, template)
    fmt, total = source.format, source.rows
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder: {exc.strerror}", where=str(out_dir)) from None
    size = chunk_size or max(1, min(_MAX_CHUNK, total // (workers * 4) or 1))
    started = time.perf_counter()
    tally = _Tally(total, progress)
    mark = _profile_mark(profile)
    with (
        profile_lock(profile.directory, wait=wait),
        profile.open_registry() as registry,
        # Opened before any staging file is written: a failed write-back is reported to it.
        StagingFlush.open(out_dir, registry_folder=_sqlite_folder(profile)) as flush,
    ):
        _recover(out_dir, mark, registry)
        batch = _Batch(
            profile,
            registry,
            template,
            suite,
            fmt,
            rows,
            out_dir,
            issued_at or utc_now(),
            bundled_loader(),
            tally,
            mark,
            flush,
        )
        try:
            if context is None:
                for source_rows in _chunks(read_rows(source), size):
                    fresh = batch.prepare(source_rows)
                    if fresh:
                        batch.record(run_chunk(batch.chunk(fresh), profile, batch.loader))
            else:
                _run_pool(batch, source, size, workers, context)
        finally:
            batch.discard(list(batch.pending.values()))  # chunks never recorded (interrupted)
    tally.failures.sort(key=lambda failure: failure.row)
    return BatchSummary(
        source=str(rows),
        template=template,
        out_dir=str(out_dir),
        rows=total,
        issued=tally.issued,
        skipped=tally.skipped,
        failures=tuple(tally.failures),
        seconds=time.perf_counter() - started,
        encoding=source.encoding,
        delimiter=source.delimiter,
    )


def _sqlite_folder(profile: Profile) -> Path | None:
    """Return the folder of the profile's SQLite registry, None for a server registry."""
    return profile.directory if profile.registry_kind == SQLITE_REGISTRY else None


def _check_source(source: RowFile, template: str) -> None:
    """Refuse, once for the whole file, a CSV header the template does not know, or no rows."""
    known = columns(template)
    unknown = [name for name in source.header if name not in known]
    if unknown:
        names = ", ".join(f'"{name}"' for name in unknown)
        noun = "column" if len(unknown) == 1 else "columns"
        raise InputError(
            f"unknown {noun} {names} in the header (expected: {', '.join(sorted(known))})",
            where=str(source.path),
        )
    if source.rows == 0:
        what = "no row after the header" if source.format == "csv" else "no line"
        raise InputError(f"{what}: nothing to issue", where=str(source.path))


def _run_pool(
    batch: _Batch, source: RowFile, size: int, workers: int, context: BaseContext
) -> None:
    """Keep ``workers`` processes busy with chunks; record chunks as they complete.

    Chunks that complete while the previous ones are recorded are recorded
    together: one flush to disk and one registry transaction for all of them.
    """
    in_flight: set[Future[list[Done]]] = set()
    # Workers read the other end of this pipe: it closes when this process ends,
    # however it ends, and they end with it (see _workers.start_worker).
    lifeline, keep_alive = context.Pipe(duplex=False)
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=start_worker,
        initargs=(str(batch.profile.directory), lifeline),
    )
    try:

        def collect() -> None:
            finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            in_flight.difference_update(finished)
            done: list[Done] = []
            broken = False
            for future in finished:
                try:
                    done.extend(future.result())
                except BrokenProcessPool:
                    broken = True
            if done:
                batch.record(done)
            if broken:
                raise SigningError(
                    "a signing process stopped unexpectedly (out of memory?); rows already "
                    "issued are kept: run the same command again to resume",
                    where=str(source.path),
                )

        for source_rows in _chunks(read_rows(source), size):
            fresh = batch.prepare(source_rows)
            if not fresh:
                continue
            in_flight.add(pool.submit(worker_chunk, batch.chunk(fresh)))
            while len(in_flight) >= 2 * workers + 1:
                collect()
        while in_flight:
            collect()
    finally:
        with contextlib.suppress(Exception):
            pool.shutdown(wait=True, cancel_futures=True)
        keep_alive.close()
        lifeline.close()
