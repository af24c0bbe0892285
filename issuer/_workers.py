"""The worker side of batch issuance: chunks of rows signed in separate processes.

:mod:`issuer.batch` prepares each :class:`Chunk` in the parent (rows turned
into data, status entries allocated, status lists signed) and records what
comes back; a worker process, started once per batch by
:func:`start_worker`, renders, signs and verifies each row of a chunk and
writes its credential, complete, to the row's hidden staging file
(:func:`run_chunk`): the parent renames it into place once the registry has
recorded it. A row that fails comes back as a :class:`Done` with its
message; the other rows go on.

A staging file is created exclusively (its name holds the credential's
fresh id) and private (mode 0600) before its first byte; the batch process
makes a chunk's files durable before it records them
(:mod:`issuer._durable`). A worker killed while writing leaves the staging
file of a credential the registry never recorded, which the next batch
removes.

A worker ends with the batch process, however that ends (``kill -9``
included): it watches a pipe whose other end only the batch process holds.
Once the workers are gone, multiprocessing's fork server and resource
tracker, which wait for their clients' pipes to close, end too.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from passeport._io import PRIVATE, dump_json
from passeport._json import JsonObject
from passeport.contexts import DocumentLoader, bundled_loader
from passeport.errors import InputError, PasseportError
from passeport.issuer.issue import enveloped_token, issue_signed, verification_environment
from passeport.issuer.profile import Profile
from passeport.issuer.registry import CredentialRecord
from passeport.issuer.statuslist import StatusSlot
from passeport.verifier import Environment

__all__ = [
    "Chunk",
    "Done",
    "Job",
    "process_context",
    "run_chunk",
    "start_server",
    "start_worker",
    "worker_chunk",
]


@dataclass(frozen=True, slots=True)
class Job:
    """One row to issue: its number and place, key, data, id, status slot and file names.

    ``output`` is the credential's file; ``staged`` the hidden file it is
    written to until the registry has recorded it.
    """

    number: int
    where: str
    key: str
    data: JsonObject
    credential_id: str
    slot: StatusSlot
    output: str
    staged: str


@dataclass(frozen=True, slots=True)
class Chunk:
    """Rows handed to a worker at once, with what they share (and the lists they point at)."""

    template: str
    suite: str
    issued_at: datetime
    out_dir: str
    documents: Mapping[str, bytes]
    jobs: tuple[Job, ...]


@dataclass(frozen=True, slots=True)
class Done:
    """What became of one row: the record of its credential, or the error naming the row."""

    number: int
    record: CredentialRecord | None
    error: str | None


def run_chunk(chunk: Chunk, profile: Profile, loader: DocumentLoader) -> list[Done]:
    """Issue every row of ``chunk``; write each credential, complete, to its staging file."""
    folder = Path(chunk.out_dir)
    env = _environment(chunk, loader)
    done: list[Done] = []
    for job in chunk.jobs:
        try:
            issued = issue_signed(
                profile,
                chunk.template,
                job.data,
                credential_id=job.credential_id,
                slot=job.slot,
                suite=chunk.suite,
                issued_at=chunk.issued_at,
                env=env,
                where=job.where,
                row_key=job.key,
            )
            token = enveloped_token(issued.credential)
            text = dump_json(issued.credential) if token is None else token + "\n"
            _write_new(folder / job.staged, text.encode("utf-8"), target=folder / job.output)
        except PasseportError as exc:
            done.append(Done(job.number, None, str(exc.located(job.where))))
        else:
            done.append(Done(job.number, issued.record, None))
    return done


def _environment(chunk: Chunk, loader: DocumentLoader) -> Environment:
    """Return the verification environment of ``chunk``, the same for chunks that share it.

    Chunks pointing at the same signed status lists (the same bytes) at the
    same instant share one environment, so that each list is verified and
    decoded once per worker rather than once per chunk.
    """
    key = (id(loader), chunk.issued_at, tuple(sorted(chunk.documents.items())))
    kept = _LAST_ENVIRONMENT.get("last")  # one read: another thread may replace it meanwhile
    if kept is None or kept[0] != key:
        env = verification_environment(chunk.documents, loader=loader, at=chunk.issued_at)
        kept = _LAST_ENVIRONMENT["last"] = (key, env)  # env keeps the loader, and so its id
    return kept[1]


# Per process: the last environment made, with its key.
_LAST_ENVIRONMENT: dict[str, tuple[tuple[Any, ...], Environment]] = {}


def _write_new(path: Path, payload: bytes, *, target: Path) -> None:
    """Create ``path`` (private, exclusively) holding ``payload``; remove it if that fails.

    Raises:
        InputError: naming ``target``, the file the staging file stands for.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE)
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    try:
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)  # a network file system may report a failed write here
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise _cannot_write(target, exc) from None


def _cannot_write(target: Path, exc: OSError) -> InputError:
    return InputError(f"cannot write {target}: {exc.strerror or exc}")


_WORKER: dict[str, Any] = {}  # per worker process: its profile and document loader


def _end_with(lifeline: Connection) -> None:
    """Wait until the batch process's end of ``lifeline`` closes, then end this process."""
    while True:
        try:
            lifeline.recv_bytes()
        except (EOFError, OSError):
            os._exit(1)


def start_worker(directory: str, lifeline: Connection | None = None) -> None:
    """Open the profile once per worker process, with a loader kept for the whole batch.

    A profile the worker cannot open is kept as the error of every chunk it
    is given (an initializer that raises would break the pool with a
    traceback instead of our one-line error). With ``lifeline``, the read end
    of a pipe whose write end only the batch process holds, the worker ends
    as soon as that process does, even killed; it would otherwise wait for
    work forever, and keep multiprocessing's fork server and resource tracker
    alive with it.
    """
    if lifeline is not None:
        threading.Thread(target=_end_with, args=(lifeline,), name="lifeline", daemon=True).start()
    try:
        _WORKER["profile"] = Profile.open(Path(directory))
    except PasseportError as exc:
        _WORKER["error"] = exc
    _WORKER["loader"] = bundled_loader()


def worker_chunk(chunk: Chunk) -> list[Done]:
    """Run ``chunk`` in a worker started by :func:`start_worker`.

    Raises:
        PasseportError: the worker could not open the profile.
    """
    if "error" in _WORKER:
        raise _WORKER["error"]
    return run_chunk(chunk, _WORKER["profile"], _WORKER["loader"])


def process_context() -> BaseContext:
    """Return how to start workers: never a plain fork of this (threaded, SQLite-holding) process.

    A forkserver starts one clean process that has imported the issuer, and
    forks workers from it; where there is none, workers are spawned.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def start_server(context: BaseContext) -> None:
    """Start ``context``'s fork server now, to import the issuer while the batch reads its rows.

    Nothing to do when workers are spawned; a server that cannot start is
    reported when the first worker is started.
    """
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        with contextlib.suppress(OSError):
            forkserver.ensure_running()
