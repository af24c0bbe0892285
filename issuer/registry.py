"""The issuer's registry: issued credentials, their status entries, and the status lists.

A thin storage layer over a DB-API connection: SQLite by default, PostgreSQL
for a national-scale issuer with several workers; the SQL, written once for
both, and how it stays portable, are in :mod:`issuer._sql`.

What is stored per credential is what status management needs: its id, its
subject's DID, the template, the status list and indexes, the dates, the batch
row key, and its current state with the reason and date of the last change
(every change is also kept in ``status_changes``). No name, birth date or other
personal data.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

from passeport.errors import InputError
from passeport.issuer._sql import POSTGRESQL_BEGIN, SCHEMA, SQLITE, STATEMENTS, Connection, Dialect

__all__ = [
    "POSTGRESQL_BEGIN",
    "SCHEMA",
    "SQLITE",
    "STATEMENTS",
    "CredentialRecord",
    "CredentialState",
    "Dialect",
    "Registry",
    "StatusChange",
    "StatusListRecord",
]

MIN_LIST_SIZE: Final = 131_072
_BUSY_TIMEOUT_S: Final = 60.0
_MAX_CONFLICT_RETRIES: Final = 50
_SCHEMA_VERSION: Final = "1"


class CredentialState(StrEnum):
    """Where a credential stands: revocation is final, suspension can be lifted."""

    ACTIVE = "active"
    REVOKED = "revoked"
    SUSPENDED = "suspended"


@dataclass(frozen=True, slots=True)
class StatusListRecord:
    """One status list: a revocation list and a suspension list sharing a counter."""

    id: int
    size: int
    allocated: int
    created: str
    revocation_url: str
    suspension_url: str

    def url(self, purpose: str) -> str:
        """Return the URL of this list's ``revocation`` or ``suspension`` credential."""
        if purpose == "revocation":
            return self.revocation_url
        if purpose == "suspension":
            return self.suspension_url
        raise ValueError(f"unknown status purpose {purpose!r}")


@dataclass(frozen=True, slots=True)
class CredentialRecord:
    """What the registry keeps about one issued credential (no personal data but the DID)."""

    id: str
    template: str
    subject: str | None
    list_id: int
    revocation_index: int
    suspension_index: int
    issued: str
    valid_from: str | None = None
    valid_until: str | None = None
    row_key: str | None = None
    state: CredentialState = CredentialState.ACTIVE
    changed: str | None = None
    reason: str | None = None

    def _values(self) -> tuple[Any, ...]:
        return (
            self.id,
            self.template,
            self.subject,
            self.list_id,
            self.revocation_index,
            self.suspension_index,
            self.issued,
            self.valid_from,
            self.valid_until,
            self.row_key,
            str(self.state),
            self.changed,
            self.reason,
        )

    @classmethod
    def _from_row(cls, row: Sequence[Any]) -> Self:
        values = list(row)
        values[10] = CredentialState(values[10])
        return cls(*values)


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One change of a credential's state, with its reason."""

    state: CredentialState
    reason: str | None
    at: str


def _create_private(path: Path) -> None:
    """Create the database file with mode 0600 (SQLite gives its journals the same mode)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as exc:
        raise InputError(f"cannot create the registry: {exc.strerror}", where=str(path)) from None


class _Conflict(Exception):
    """Another writer moved a counter first: retry the transaction."""


class Registry:
    """The registry over one database connection (use it as a context manager).

    A connection belongs to one thread: threads and processes each open their
    own registry on the same database.
    """

    def __init__(
        self, connection: Connection, *, dialect: Dialect = SQLITE, where: str | None = None
    ) -> None:
        """Wrap an open DB-API connection in autocommit mode; no I/O."""
        self._connection = connection
        self._dialect = dialect
        self._where = where

    @classmethod
    def open(cls, path: Path, *, create: bool = False) -> Self:
        """Open the SQLite registry at ``path`` (creating its tables with ``create``).

        Raises:
            InputError: no registry at ``path`` (without ``create``), or an
                unreadable or corrupt database file.
        """
        where = str(path)
        if not create and not path.is_file():
            raise InputError("no registry database here", where=where)
        if create:
            _create_private(path)
        try:
            connection = sqlite3.connect(
                path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=True
            )
        except sqlite3.Error as exc:
            raise InputError(f"cannot open the registry: {exc}", where=where) from None
        registry = cls(connection, dialect=SQLITE, where=where)
        try:
            # SQLite-only connection setup, outside the portable statements:
            # write-ahead logging lets readers proceed while one writer allocates.
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            if create:
                registry.create_schema()
            registry._check_schema()
        except sqlite3.Error as exc:
            connection.close()
            raise InputError(f"cannot use the registry: {exc}", where=where) from None
        except BaseException:
            connection.close()
            raise
        return registry

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection."""
        self._connection.close()

    def _fail(self, exc: Exception) -> InputError:
        return InputError(f"registry database error: {exc}", where=self._where)

    @contextmanager
    def _cursor(self) -> Iterator[Any]:
        try:
            cursor = self._connection.cursor()
        except self._dialect.error as exc:
            raise self._fail(exc) from None
        try:
            yield cursor
        except self._dialect.integrity_error:
            raise  # the callers decide: a retry, or an error naming what is duplicated
        except self._dialect.error as exc:
            raise self._fail(exc) from None
        finally:
            cursor.close()

    def _run(self, cursor: Any, name: str, parameters: Sequence[Any] = ()) -> Any:
        cursor.execute(self._dialect.sql(STATEMENTS[name]), tuple(parameters))
        return cursor

    @contextmanager
    def _write(self) -> Iterator[Any]:
        """Run the block in one write transaction; roll back on any error."""
        with self._cursor() as cursor:
            cursor.execute(self._dialect.begin_write)
            try:
                yield cursor
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")

    def create_schema(self) -> None:
        """Create the tables when missing and stamp the schema version."""
        with self._write() as cursor:
            for statement in SCHEMA:
                cursor.execute(statement)
            if self._run(cursor, "meta_get", ("schema",)).fetchone() is None:
                self._run(cursor, "meta_put", ("schema", _SCHEMA_VERSION))

    def _check_schema(self) -> None:
        with self._cursor() as cursor:
            try:
                row = self._run(cursor, "meta_get", ("schema",)).fetchone()
            except self._dialect.error:
                row = None
        if row is None or row[0] != _SCHEMA_VERSION:
            raise InputError(
                f"not a passeport registry (schema version {_SCHEMA_VERSION} expected)",
                where=self._where,
            )

    def allocate(
        self, count: int, *, size: int, urls: Callable[[int], tuple[str, str]], now: str
    ) -> list[tuple[int, int]]:
        """Reserve ``count`` new positions, as ``(list id, position)`` pairs, never given before.

        Positions are taken from the last list's counter in one write
        transaction; when the list is full a new one of ``size`` entries
        starts, its revocation and suspension URLs given by ``urls(list_id)``.

        Raises:
            ValueError: ``size`` is below 131,072 or ``count`` is negative.
            InputError: the database cannot be written.
        """
        if isinstance(size, bool) or size < MIN_LIST_SIZE:
            raise ValueError(f"a status list holds at least {MIN_LIST_SIZE} entries (got {size})")
        if count < 0:
            raise ValueError("count must not be negative")
        for _attempt in range(_MAX_CONFLICT_RETRIES):
            try:
                with self._write() as cursor:
                    return self._allocate(cursor, count, size, urls, now)
            except _Conflict:
                continue
            except self._dialect.integrity_error:
                continue  # PostgreSQL: another writer created the same new list first
        raise InputError("too many concurrent allocations; try again", where=self._where)

    def _allocate(
        self,
        cursor: Any,
        count: int,
        size: int,
        urls: Callable[[int], tuple[str, str]],
        now: str,
    ) -> list[tuple[int, int]]:
        slots: list[tuple[int, int]] = []
        while len(slots) < count:
            last_list = STATEMENTS["last_list"] + self._dialect.row_lock
            row = cursor.execute(self._dialect.sql(last_list)).fetchone()
            if row is None or row[2] >= row[1]:
                list_id = 1 if row is None else int(row[0]) + 1
                self._run(cursor, "new_list", (list_id, size, now, *urls(list_id)))
                continue
            list_id, list_size, allocated = int(row[0]), int(row[1]), int(row[2])
            take = min(count - len(slots), list_size - allocated)
            if self._run(cursor, "take", (allocated + take, list_id, allocated)).rowcount != 1:
                raise _Conflict
            slots.extend((list_id, position) for position in range(allocated, allocated + take))
        return slots

    def add(self, records: Iterable[CredentialRecord]) -> None:
        """Record issued credentials, all or none.

        Raises:
            InputError: a credential id or batch row key is already recorded.
        """
        try:
            with self._write() as cursor:
                for record in records:
                    self._run(cursor, "add", record._values())
        except self._dialect.integrity_error as exc:
            raise InputError(
                f"a credential id or batch row is already recorded ({exc})", where=self._where
            ) from None

    def find(self, credential_id: str) -> CredentialRecord | None:
        """Return the record of ``credential_id``, or None."""
        with self._cursor() as cursor:
            row = self._run(cursor, "find", (credential_id,)).fetchone()
        return None if row is None else CredentialRecord._from_row(row)

    def find_rows(self, row_keys: Iterable[str]) -> dict[str, CredentialRecord]:
        """Return the records of the batch rows among ``row_keys`` already issued."""
        found: dict[str, CredentialRecord] = {}
        with self._cursor() as cursor:
            for key in row_keys:
                row = self._run(cursor, "find_row", (key,)).fetchone()
                if row is not None:
                    found[key] = CredentialRecord._from_row(row)
        return found

    def count(self) -> int:
        """Return how many credentials are recorded."""
        with self._cursor() as cursor:
            return int(self._run(cursor, "count").fetchone()[0])

    def lists(self) -> list[StatusListRecord]:
        """Return every status list, oldest first."""
        with self._cursor() as cursor:
            rows = self._run(cursor, "all_lists").fetchall()
        return [StatusListRecord(int(r[0]), int(r[1]), int(r[2]), *r[3:]) for r in rows]

    def set_bits(self, list_id: int, purpose: str) -> list[int]:
        """Return the indexes whose bit is set in list ``list_id`` for ``purpose``."""
        state = {"revocation": CredentialState.REVOKED, "suspension": CredentialState.SUSPENDED}
        with self._cursor() as cursor:
            rows = self._run(cursor, "in_state", (list_id, str(state[purpose]))).fetchall()
        column = 0 if purpose == "revocation" else 1
        return sorted(int(row[column]) for row in rows)

    def transition(
        self,
        credential_id: str,
        *,
        to: CredentialState,
        allowed_from: frozenset[CredentialState],
        reason: str | None,
        at: str,
    ) -> CredentialRecord | None:
        """Move a credential to state ``to`` if it is in ``allowed_from``, atomically.

        Returns the record as it was found (None when unknown); the change was
        made exactly when that record's state is in ``allowed_from``.
        """
        for _attempt in range(_MAX_CONFLICT_RETRIES):
            try:
                with self._write() as cursor:
                    row = self._run(cursor, "find", (credential_id,)).fetchone()
                    if row is None:
                        return None
                    found = CredentialRecord._from_row(row)
                    if found.state not in allowed_from:
                        return found
                    change = (str(to), at, reason, credential_id, str(found.state))
                    if self._run(cursor, "set_state", change).rowcount != 1:
                        raise _Conflict
                    seq = int(self._run(cursor, "changes", (credential_id,)).fetchone()[0]) + 1
                    self._run(cursor, "log_change", (credential_id, seq, str(to), reason, at))
                    return found
            except (_Conflict, self._dialect.integrity_error):
                continue
        raise InputError("too many concurrent status changes; try again", where=self._where)

    def history(self, credential_id: str) -> list[StatusChange]:
        """Return the state changes of ``credential_id``, oldest first."""
        with self._cursor() as cursor:
            rows = self._run(cursor, "history", (credential_id,)).fetchall()
        return [StatusChange(CredentialState(r[0]), r[1], r[2]) for r in rows]
