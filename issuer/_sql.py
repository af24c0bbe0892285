"""The SQL of the issuer registry, written once for SQLite and PostgreSQL.

Storage is SQL behind one thin layer (:mod:`issuer.registry`). SQLite (stdlib
``sqlite3``) is the embedded default; the same statements run on PostgreSQL
for an issuer with several workers. To keep it so:

- every statement is written once, here, in the SQL common to both engines
  (``CREATE TABLE IF NOT EXISTS``, ``VARCHAR``/``INTEGER``, ``LIMIT``; no
  ``INSERT OR``, ``REPLACE``, ``AUTOINCREMENT``, ``PRAGMA``, ``RETURNING``,
  ``GLOB`` or ``rowid``); ``tests/issuer/test_registry.py`` checks it;
- parameters are written ``?`` (DB-API ``qmark``) and converted to the
  driver's ``paramstyle`` (``%s`` for psycopg, with literal ``%`` doubled) by
  :class:`Dialect`;
- transactions are explicit statements on an autocommit connection: the
  dialect's ``begin_write`` (``BEGIN IMMEDIATE`` on SQLite, which takes the
  write lock at once so that concurrent allocators queue instead of failing;
  ``BEGIN`` on PostgreSQL), then ``COMMIT`` or ``ROLLBACK``;
- a status list's counter moves by compare-and-set (``UPDATE ... WHERE id = ?
  AND allocated = ?``), and a state change likewise (``WHERE id = ? AND
  state = ?``); a conflict retries the transaction, which is what makes them
  safe under PostgreSQL's row locks as under SQLite's file lock.

For PostgreSQL, :mod:`issuer.registry_pg` opens the connection, adds the
PostgreSQL-only parts (versioned migrations, audit columns, the row lock of
:attr:`Dialect.row_lock`) and hands it to :class:`issuer.registry.Registry`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Final, Protocol, Self

__all__ = [
    "POSTGRESQL_BEGIN",
    "SCHEMA",
    "SQLITE",
    "STATEMENTS",
    "Connection",
    "Cursor",
    "Dialect",
]

POSTGRESQL_BEGIN: Final = "BEGIN"

SCHEMA: Final[tuple[str, ...]] = (
    """CREATE TABLE IF NOT EXISTS registry_meta (
        name VARCHAR(64) PRIMARY KEY,
        value VARCHAR(255) NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS status_lists (
        id INTEGER PRIMARY KEY,
        size INTEGER NOT NULL,
        allocated INTEGER NOT NULL,
        created VARCHAR(40) NOT NULL,
        revocation_url VARCHAR(2048) NOT NULL,
        suspension_url VARCHAR(2048) NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS credentials (
        id VARCHAR(512) PRIMARY KEY,
        template VARCHAR(64) NOT NULL,
        subject VARCHAR(2048),
        list_id INTEGER NOT NULL REFERENCES status_lists (id),
        revocation_index INTEGER NOT NULL,
        suspension_index INTEGER NOT NULL,
        issued VARCHAR(40) NOT NULL,
        valid_from VARCHAR(40),
        valid_until VARCHAR(40),
        row_key VARCHAR(64) UNIQUE,
        state VARCHAR(16) NOT NULL,
        changed VARCHAR(40),
        reason VARCHAR(1000)
    )""",
    "CREATE INDEX IF NOT EXISTS credentials_by_list ON credentials (list_id, state)",
    """CREATE TABLE IF NOT EXISTS status_changes (
        credential_id VARCHAR(512) NOT NULL REFERENCES credentials (id),
        seq INTEGER NOT NULL,
        state VARCHAR(16) NOT NULL,
        reason VARCHAR(1000),
        at VARCHAR(40) NOT NULL,
        PRIMARY KEY (credential_id, seq)
    )""",
)

_COLUMNS: Final = (
    "id, template, subject, list_id, revocation_index, suspension_index, issued, "
    "valid_from, valid_until, row_key, state, changed, reason"
)

STATEMENTS: Final[Mapping[str, str]] = {
    "meta_get": "SELECT value FROM registry_meta WHERE name = ?",
    "meta_put": "INSERT INTO registry_meta (name, value) VALUES (?, ?)",
    "last_list": (
        "SELECT id, size, allocated, created, revocation_url, suspension_url "
        "FROM status_lists ORDER BY id DESC LIMIT 1"
    ),
    "all_lists": (
        "SELECT id, size, allocated, created, revocation_url, suspension_url "
        "FROM status_lists ORDER BY id"
    ),
    "new_list": (
        "INSERT INTO status_lists (id, size, allocated, created, revocation_url, suspension_url) "
        "VALUES (?, ?, 0, ?, ?, ?)"
    ),
    "take": "UPDATE status_lists SET allocated = ? WHERE id = ? AND allocated = ?",
    "add": f"INSERT INTO credentials ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "find": f"SELECT {_COLUMNS} FROM credentials WHERE id = ?",
    "find_row": f"SELECT {_COLUMNS} FROM credentials WHERE row_key = ?",
    "count": "SELECT COUNT(*) FROM credentials",
    "in_state": (
        "SELECT revocation_index, suspension_index FROM credentials WHERE list_id = ? AND state = ?"
    ),
    "set_state": (
        "UPDATE credentials SET state = ?, changed = ?, reason = ? WHERE id = ? AND state = ?"
    ),
    "changes": "SELECT COUNT(*) FROM status_changes WHERE credential_id = ?",
    "log_change": (
        "INSERT INTO status_changes (credential_id, seq, state, reason, at) VALUES (?, ?, ?, ?, ?)"
    ),
    "history": "SELECT state, reason, at FROM status_changes WHERE credential_id = ? ORDER BY seq",
}


class Cursor(Protocol):
    """The part of a DB-API 2.0 cursor the registry uses."""

    @property
    def rowcount(self) -> int:
        """Rows changed by the last statement."""
        ...

    def execute(self, operation: str, parameters: Sequence[Any] = ..., /) -> Any:
        """Run one statement."""
        ...

    def fetchone(self) -> Any:
        """Return the next row or None."""
        ...

    def fetchall(self) -> Any:
        """Return the remaining rows."""
        ...

    def close(self) -> None:
        """Release the cursor."""
        ...


class Connection(Protocol):
    """The part of a DB-API 2.0 connection the registry uses (in autocommit mode)."""

    def cursor(self) -> Any:
        """Return a new cursor."""
        ...

    def close(self) -> None:
        """Close the connection."""
        ...


@dataclass(frozen=True, slots=True)
class Dialect:
    """How one database engine differs: parameter style, write-transaction start, errors."""

    name: str
    paramstyle: str
    begin_write: str
    error: type[Exception]
    integrity_error: type[Exception]
    row_lock: str = ""
    """Appended to the read of the list being allocated from (``FOR UPDATE`` on PostgreSQL).

    SQLite's ``BEGIN IMMEDIATE`` already queues writers; on PostgreSQL the
    row lock makes concurrent allocators wait for each other instead of
    failing their compare-and-set and retrying.
    """

    @classmethod
    def for_module(
        cls, module: ModuleType, *, begin_write: str = POSTGRESQL_BEGIN, row_lock: str = ""
    ) -> Self:
        """Return the dialect of a DB-API 2.0 driver module (``paramstyle``, ``Error``...)."""
        return cls(
            module.__name__,
            module.paramstyle,
            begin_write,
            module.Error,
            module.IntegrityError,
            row_lock,
        )

    def sql(self, statement: str) -> str:
        """Return ``statement`` (written with ``?`` parameters) in this driver's style.

        >>> Dialect("pg", "format", "BEGIN", Exception, Exception).sql("SELECT ? WHERE 1 % 2")
        'SELECT %s WHERE 1 %% 2'
        """
        if self.paramstyle == "qmark":
            return statement
        if self.paramstyle in ("format", "pyformat"):
            return statement.replace("%", "%%").replace("?", "%s")
        raise ValueError(f"paramstyle {self.paramstyle!r} is not supported")


SQLITE: Final = Dialect.for_module(sqlite3, begin_write="BEGIN IMMEDIATE")
