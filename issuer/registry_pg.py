"""The issuer registry on PostgreSQL: one database shared by many processes and machines.

The embedded SQLite file stays the default; a national issuer with several
batch machines and ``passeport serve --workers N`` processes points its
profile at a PostgreSQL database instead (``passeport issuer init DIR
--registry postgresql://HOST/DB``). The registry logic is the same
:class:`issuer.registry.Registry`, over a psycopg 3 connection in autocommit
mode, with the same portable statements (:mod:`issuer._sql`); what only
PostgreSQL has is here:

- **versioned migrations**: ``schema_migrations`` lists the versions applied;
  opening a registry applies the missing ones, in one transaction under an
  advisory lock, so that processes starting together never migrate twice.
  Version 1 is the schema SQLite has; later versions only add.
- **audit**: every credential row records the database role that issued it
  and every status change the role and client (``application_name``: host
  and process) that made it, filled by the server itself
  (:meth:`PostgresRegistry.audit`).
- **concurrency**: the status list being allocated from is read ``FOR
  UPDATE``, so allocators queue on its row; positions stay unique (a counter
  moved by compare-and-set in a transaction) and indexes random (the keyed
  permutation of :mod:`issuer._permutation`). A process that dies between
  allocation and recording leaves a gap, never a duplicate.

The password is never part of the profile: the URL may not hold one; it
comes from ``PASSEPORT_REGISTRY_PASSWORD``, or libpq's own ``PGPASSWORD``,
``~/.pgpass`` or service file.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Self
from urllib.parse import urlsplit, urlunsplit

from passeport.errors import InputError
from passeport.issuer._sql import SCHEMA, Dialect
from passeport.issuer.registry import Registry

__all__ = [
    "MIGRATIONS",
    "PASSWORD_ENV",
    "AuditEntry",
    "PostgresRegistry",
    "check_registry_url",
    "is_postgres_url",
]

PASSWORD_ENV: Final = "PASSEPORT_REGISTRY_PASSWORD"
_SCHEMES: Final = ("postgresql", "postgres")
_CONNECT_TIMEOUT_S: Final = 10
_MIGRATION_LOCK: Final = 0x70617373  # "pass": the advisory lock that serialises migrations

MIGRATIONS: Final[tuple[tuple[str, ...], ...]] = (
    # 1: the schema SQLite has, stamped as SQLite stamps it.
    (
        *SCHEMA,
        "INSERT INTO registry_meta (name, value) VALUES ('schema', '1') ON CONFLICT DO NOTHING",
    ),
    # 2: who issued each credential and who changed each state, filled by the server.
    (
        "ALTER TABLE credentials ADD COLUMN issued_by VARCHAR(128) NOT NULL DEFAULT current_user",
        "ALTER TABLE credentials ADD COLUMN issued_from VARCHAR(256) "
        "DEFAULT current_setting('application_name')",
        "ALTER TABLE status_changes ADD COLUMN changed_by VARCHAR(128) NOT NULL "
        "DEFAULT current_user",
        "ALTER TABLE status_changes ADD COLUMN changed_from VARCHAR(256) "
        "DEFAULT current_setting('application_name')",
    ),
    # 3: batches spread over several machines: chunks of rows, claimed under a lease.
    (
        """CREATE TABLE batch_chunks (
            batch VARCHAR(64) NOT NULL,
            chunk INTEGER NOT NULL,
            first_row INTEGER NOT NULL,
            row_count INTEGER NOT NULL,
            state VARCHAR(16) NOT NULL DEFAULT 'pending',
            worker VARCHAR(256),
            lease_until TIMESTAMPTZ,
            claims INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (batch, chunk)
        )""",
    ),
)
"""The schema versions, oldest first: version ``n`` is ``MIGRATIONS[n - 1]``."""


def is_postgres_url(value: str) -> bool:
    """Tell whether a profile's ``registry`` setting names a PostgreSQL database.

    >>> is_postgres_url("postgresql://db.example/passeport"), is_postgres_url("sqlite")
    (True, False)
    """
    return value.split("://", 1)[0].lower() in _SCHEMES and "://" in value


def check_registry_url(url: str) -> str:
    """Return ``url`` if it names a PostgreSQL database without a password.

    Raises:
        ValueError: not a ``postgresql://`` URL, or one holding a password (a
            profile never stores one: use ``PASSEPORT_REGISTRY_PASSWORD``).
    """
    if not is_postgres_url(url):
        raise ValueError(f"registry {url!r}: expected sqlite or postgresql://HOST/DATABASE")
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError as exc:
        raise ValueError(f"registry URL: {exc}") from None
    if password is not None or "password=" in parts.query.lower():
        raise ValueError(
            f"the registry URL holds a password: remove it and set {PASSWORD_ENV} "
            "(or use ~/.pgpass); a profile never stores one"
        )
    return url


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = (f"{parts.username}@" if parts.username else "") + host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One state change as the server recorded it: by which role, from which client."""

    state: str
    reason: str | None
    at: str
    by: str
    client: str | None


class PostgresRegistry(Registry):
    """A :class:`Registry` on PostgreSQL (open it with :meth:`connect`)."""

    @classmethod
    def connect(cls, url: str, *, create: bool = False, application: str | None = None) -> Self:
        """Connect to the registry database at ``url``, applying missing migrations.

        Args:
            create: create the tables in an empty database (else an empty
                database is refused as not a registry).
            application: the client name the audit columns record (default:
                ``passeport HOST pid N``).

        Raises:
            InputError: psycopg missing, the server unreachable or refusing the
                login, or not a passeport registry (naming the URL, without password).
        """
        try:
            check_registry_url(url)
        except ValueError as exc:
            raise InputError(str(exc), where="registry") from None
        where = _redacted(url)
        try:
            import psycopg
        except ImportError:
            raise InputError(
                "PostgreSQL support is not installed: pip install 'passeport[postgres]'",
                where=where,
            ) from None
        options: dict[str, Any] = {
            "autocommit": True,
            "connect_timeout": _CONNECT_TIMEOUT_S,
            "application_name": application
            or f"passeport {socket.gethostname()} pid {os.getpid()}"[:63],
        }
        password = os.environ.get(PASSWORD_ENV)
        if password:
            options["password"] = password
        try:
            connection = psycopg.connect(url, **options)
        except psycopg.Error as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"cannot connect to the registry: {message}", where=where) from None
        dialect = Dialect.for_module(psycopg, row_lock=" FOR UPDATE")
        registry = cls(connection, dialect=dialect, where=where)
        try:
            registry.migrate(create=create)
            registry._check_schema()
        except BaseException:
            connection.close()
            raise
        return registry

    def migrate(self, *, create: bool = False) -> int:
        """Apply the migrations this database lacks; return its schema version.

        Raises:
            InputError: an empty database without ``create``, or a database
                migrated by a newer passeport.
        """
        with self._write() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
            cursor.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")
            if not cursor.fetchone()[0]:
                if not create:
                    raise InputError(
                        "not a passeport registry (no schema_migrations table); "
                        "create it with 'passeport issuer init --registry'",
                        where=self._where,
                    )
                cursor.execute(
                    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                    "applied TIMESTAMPTZ NOT NULL DEFAULT now())"
                )
            cursor.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            version = int(cursor.fetchone()[0])
            if version > len(MIGRATIONS):
                raise InputError(
                    f"registry schema version {version} is newer than this passeport "
                    f"({len(MIGRATIONS)}): upgrade passeport",
                    where=self._where,
                )
            for number in range(version + 1, len(MIGRATIONS) + 1):
                for statement in MIGRATIONS[number - 1]:
                    cursor.execute(statement)
                cursor.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (number,))
            return len(MIGRATIONS)

    def create_schema(self) -> None:
        """Create the tables when missing (every migration applied)."""
        self.migrate(create=True)

    def bind(self, fingerprint: str) -> None:
        """Tie this database to one issuer profile: the first binds it, others must match.

        Every machine must use the same profile (key and permutation secret):
        a status position is turned into an index by the profile's keyed
        permutation, so two secrets over one counter would give two
        credentials the same index. ``fingerprint`` names the profile without
        revealing its secret (:meth:`Profile.registry_fingerprint`).

        Raises:
            InputError: the database belongs to another profile.
        """
        with self._write() as cursor:
            cursor.execute(
                "INSERT INTO registry_meta (name, value) VALUES ('profile', %s) "
                "ON CONFLICT DO NOTHING",
                (fingerprint,),
            )
            cursor.execute("SELECT value FROM registry_meta WHERE name = 'profile'")
            bound = cursor.fetchone()[0]
        if bound != fingerprint:
            raise InputError(
                "this registry belongs to another issuer profile (another key or permutation "
                "secret): copy the first profile folder to each machine instead of running "
                "'passeport issuer init' again",
                where=self._where,
            )

    def schema_version(self) -> int:
        """Return the highest migration applied."""
        with self._cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            return int(cursor.fetchone()[0])

    # Batches over several machines (issuer.distributed) --------------------------------------

    def plan_chunks(self, batch: str, rows: int, chunk_rows: int) -> None:
        """Cut batch ``batch`` of ``rows`` rows into chunks, unless a machine already did."""
        with self._write() as cursor:
            cursor.execute("SELECT 1 FROM batch_chunks WHERE batch = %s LIMIT 1", (batch,))
            if cursor.fetchone() is not None:
                return
            for number, first in enumerate(range(0, rows, chunk_rows)):
                cursor.execute(
                    "INSERT INTO batch_chunks (batch, chunk, first_row, row_count) "
                    "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    (batch, number, first, min(chunk_rows, rows - first)),
                )

    def claim_chunk(
        self, batch: str, worker: str, lease_seconds: float
    ) -> tuple[int, int, int, str | None] | None:
        """Claim a pending chunk nobody holds (or whose lease ran out) for ``lease_seconds``.

        Returns ``(chunk, first row, row count, previous holder)``, or None
        when no chunk can be claimed now. Concurrent claimers skip each
        other's locked rows (``FOR UPDATE SKIP LOCKED``): two never get the same chunk.
        """
        with self._write() as cursor:
            cursor.execute(
                "SELECT chunk, first_row, row_count, worker FROM batch_chunks "
                "WHERE batch = %s AND state = 'pending' "
                "AND (lease_until IS NULL OR lease_until < clock_timestamp()) "
                "ORDER BY chunk LIMIT 1 FOR UPDATE SKIP LOCKED",
                (batch,),
            )
            row = cursor.fetchone()
            if row is None:
                return None
            cursor.execute(
                "UPDATE batch_chunks SET worker = %s, claims = claims + 1, "
                "lease_until = clock_timestamp() + make_interval(secs => %s) "
                "WHERE batch = %s AND chunk = %s",
                (worker, lease_seconds, batch, row[0]),
            )
            return int(row[0]), int(row[1]), int(row[2]), row[3]

    def renew_lease(self, batch: str, chunk: int, worker: str, lease_seconds: float) -> bool:
        """Extend ``worker``'s lease on a chunk; False if another worker has taken it."""
        with self._cursor() as cursor:
            cursor.execute(
                "UPDATE batch_chunks SET lease_until = clock_timestamp() + "
                "make_interval(secs => %s) WHERE batch = %s AND chunk = %s AND worker = %s "
                "AND state = 'pending'",
                (lease_seconds, batch, chunk, worker),
            )
            return bool(cursor.rowcount == 1)

    def finish_chunk(self, batch: str, chunk: int) -> None:
        """Mark a chunk done (its rows are in the registry, or reported as failed)."""
        with self._cursor() as cursor:
            cursor.execute(
                "UPDATE batch_chunks SET state = 'done', lease_until = NULL "
                "WHERE batch = %s AND chunk = %s",
                (batch, chunk),
            )

    def chunks_left(self, batch: str) -> int:
        """Return how many chunks of ``batch`` are not done (claimed or not)."""
        with self._cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM batch_chunks WHERE batch = %s AND state <> 'done'", (batch,)
            )
            return int(cursor.fetchone()[0])

    def chunk_claims(self, batch: str) -> dict[int, tuple[str | None, int]]:
        """Return each chunk's last holder and how many times it was claimed."""
        with self._cursor() as cursor:
            cursor.execute(
                "SELECT chunk, worker, claims FROM batch_chunks WHERE batch = %s", (batch,)
            )
            return {int(r[0]): (r[1], int(r[2])) for r in cursor.fetchall()}

    def audit(self, credential_id: str) -> list[AuditEntry]:
        """Return the state changes of ``credential_id`` with who made them, oldest first."""
        with self._cursor() as cursor:
            cursor.execute(
                "SELECT state, reason, at, changed_by, changed_from FROM status_changes "
                "WHERE credential_id = %s ORDER BY seq",
                (credential_id,),
            )
            rows: Sequence[Any] = cursor.fetchall()
        return [AuditEntry(*row) for row in rows]

    def issued_by(self, credential_id: str) -> tuple[str, str | None] | None:
        """Return the role and client that recorded ``credential_id``, or None if unknown."""
        with self._cursor() as cursor:
            cursor.execute(
                "SELECT issued_by, issued_from FROM credentials WHERE id = %s", (credential_id,)
            )
            row = cursor.fetchone()
        return None if row is None else (str(row[0]), row[1])
