"""Making a batch's staging files durable, a chunk at a time, before the registry records them.

A batch writes each credential to a hidden staging file; the registry records
a chunk's credentials only once their files are on disk, so that a power cut
never leaves a recorded credential without its file (the next batch puts
staged files of recorded credentials in place). Flushing each file with
``fsync`` costs a disk round trip per credential; :class:`StagingFlush`
flushes a whole chunk at once with Linux's ``syncfs`` on the output folder's
file system, which reports a failed write-back (5.8 and later) to a handle
opened before the files were written.

When ``syncfs`` is missing (another system, an older kernel) or reports a
failure, each file is flushed with ``fsync`` instead, so that a file that
cannot be written is named and fails its row alone. After a reported
failure a batch keeps to ``fsync``: the failure may concern a file of a chunk
still being written, which a later ``syncfs`` would no longer report.

Then :meth:`StagingFlush.settle` puts an SQLite registry's last commit on
disk (one ``syncfs`` of the registry's file system) before the files are
put in place: SQLite in write-ahead mode with ``synchronous=NORMAL`` makes a
commit durable only at its next checkpoint, and a power cut could otherwise
keep a renamed file and lose the record that makes it revocable. Without
``syncfs``, and for a server registry (PostgreSQL commits durably), the
registry's own durability applies.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Self

__all__ = ["StagingFlush", "syncfs"]


@functools.cache
def syncfs() -> Callable[[int], int] | None:
    """Return Linux's ``syncfs``, where it reports write-back errors (5.8 and later), else None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        release = tuple(int(part) for part in os.uname().release.split(".")[:2])
    except ValueError:
        return None
    if release < (5, 8):  # before 5.8, syncfs says nothing of a failed write-back
        return None
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    found: Callable[[int], int] = function
    return found


class StagingFlush:
    """Flush staging files to disk, a chunk at a time (use it as a context manager)."""

    def __init__(self, handle: int | None, registry_handle: int | None = None) -> None:
        """Wrap open handles on the output folder and on an SQLite registry's folder; no I/O.

        A None ``handle`` flushes file by file; a None ``registry_handle``
        leaves the registry's commits to the registry.
        """
        self._handle = handle
        self._registry_handle = registry_handle
        self.together = handle is not None
        """Whether the next flush is one ``syncfs`` (False once one reported a failure)."""

    @classmethod
    def open(cls, folder: Path, *, registry_folder: Path | None = None) -> Self:
        """Open ``folder`` for flushing; call it before any staging file is written there.

        Args:
            registry_folder: the folder of an SQLite registry whose commits
                :meth:`settle` puts on disk.
        """
        if syncfs() is None:
            return cls(None)
        try:
            handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return cls(None)
        if registry_folder is None:
            return cls(handle)
        try:
            registry_handle = os.open(registry_folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            return cls(handle)
        return cls(handle, registry_handle)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the handles."""
        for handle in (self._handle, self._registry_handle):
            if handle is not None:
                with contextlib.suppress(OSError):
                    os.close(handle)
        self._handle = self._registry_handle = None

    def flush(self, paths: Iterable[Path]) -> dict[Path, OSError]:
        """Put ``paths`` (files written since :meth:`open`) on disk; return those that failed."""
        paths = list(paths)
        if not paths:
            return {}
        call = syncfs()
        if self.together and self._handle is not None and call is not None:
            if call(self._handle) == 0:
                return {}
            self.together = False  # name the files concerned, now and from now on
        failed: dict[Path, OSError] = {}
        for path in paths:  # an fsync reports a failed write-back of its own file
            try:
                fd = os.open(path, os.O_WRONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                failed[path] = exc
        return failed

    def settle(self) -> None:
        """Put an SQLite registry's last commit on disk (with ``syncfs`` only).

        A failure reported on the output folder's file system may concern a
        staging file being written, so the next flushes then go file by file.
        """
        call = syncfs()
        if call is None or self._registry_handle is None:
            return
        failed = call(self._registry_handle) != 0
        if (
            failed
            and self._handle is not None
            and _same_file_system(self._handle, self._registry_handle)
        ):
            self.together = False


def _same_file_system(first: int, second: int) -> bool:
    try:
        return os.fstat(first).st_dev == os.fstat(second).st_dev
    except OSError:
        return True
