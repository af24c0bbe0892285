"""The encrypted wallet store: one SQLite file, every credential sealed with AES-256-GCM.

Layout of the file (nothing about a credential is in clear)::

    meta(name, value)     format, scrypt parameters and salt, the wrapped data key,
                          the sealed holder key
    credentials(id, id_index, content_index, info, body)
                          id: a random record id; *_index: keyed digests (HMAC) of
                          the credential's issuer and id, and of its content, for
                          duplicates; info: the
                          sealed listing metadata; body: the sealed credential (both
                          CBOR inside the seal: read faster than JSON)

Everything read back is authenticated: the sealed values by AES-GCM, and the
record id and both indexes as the associated data of the sealed metadata, so
that changing a byte of any of them makes the record fail its integrity
check when it is read (``corrupt store``), instead of quietly breaking
duplicate detection. A wallet of the first format (``passeport-wallet/1``,
whose indexes were not authenticated) is upgraded when it is first opened:
each index is computed again from the authenticated credential, and the
metadata sealed again with the indexes. What the file cannot tell is a
record deleted, or the whole file (or one record) put back as it was
earlier: that would need a counter kept outside the file.

Writes run in ``BEGIN IMMEDIATE`` transactions with a busy timeout, so several
processes or threads may add at once without losing a credential; a duplicate
is caught by the unique indexes, inside the same transaction. Files (the
wallet and its backups) are created with mode 0600 and never half-written.
The file handling is in :mod:`wallet._sqlite`, the backup format in
:mod:`wallet._backup`.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Self

from passeport._json import JsonObject
from passeport.did.keyfile import KeyPair
from passeport.errors import InputError, WalletError
from passeport.wallet._backup import (
    BACKUP_FORMAT,
    backup_items,
    holder_from,
    read_backup,
    write_backup,
)
from passeport.wallet._crypto import DataKey, KdfParams, unwrap_key, wrap_key
from passeport.wallet._records import (
    CredentialInfo,
    HeldCredential,
    NewCredential,
    Stored,
    WalletEntry,
)
from passeport.wallet._sqlite import (
    collector_paused,
    connect,
    create_file,
    dumps,
    loads,
    pack,
    publish_file,
    session,
    unpack,
)

__all__ = ["BACKUP_FORMAT", "STORE_FORMAT", "Wallet"]

STORE_FORMAT: Final = "passeport-wallet/2"
_FIRST_FORMAT: Final = "passeport-wallet/1"  # indexes not authenticated: upgraded when opened
_SCHEMA: Final = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE credentials (
    id TEXT PRIMARY KEY,
    id_index BLOB UNIQUE,
    content_index BLOB NOT NULL UNIQUE,
    info BLOB NOT NULL,
    body BLOB NOT NULL
);
"""


def _field(value: bytes | None) -> bytes:
    return b"\xff\xff" if value is None else len(value).to_bytes(2, "big") + value


def _info_aad(record_id: str, id_index: bytes | None, content_index: bytes) -> bytes:
    """Bind sealed metadata to its record id and to both indexes of its row."""
    return (
        b"passeport-wallet/2/info:"
        + _field(record_id.encode("utf-8"))
        + _field(id_index)
        + _field(content_index)
    )


def _first_info_aad(record_id: str) -> bytes:
    return b"passeport-wallet/info:" + record_id.encode("ascii")


def _index(value: object, what: str) -> bytes | None:
    """Return a stored index: bytes or NULL (a text would not be found by duplicate lookups)."""
    if value is None or isinstance(value, bytes):
        return value
    raise WalletError(f"corrupt store: {what} fails its integrity check")


def _body_aad(record_id: str) -> bytes:
    return b"passeport-wallet/body:" + record_id.encode("ascii")


_HOLDER_AAD: Final = b"passeport-wallet/holder"


def _holder_document(pair: KeyPair) -> bytes:
    return dumps(pair.to_document(include_secret=True))


@dataclass(frozen=True, slots=True)
class Wallet:
    """An unlocked wallet: its file, its data key and its holder's key pair.

    Build one with :meth:`create` or :meth:`open`; the constructor does no
    I/O. Each operation opens its own short SQLite connection, so one
    ``Wallet`` may be shared by threads and several processes may use the file.
    """

    path: Path
    key: DataKey
    holder: KeyPair

    @property
    def did(self) -> str:
        """The holder's DID."""
        return self.holder.controller

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        *,
        key: KeyPair | None = None,
        kdf: KdfParams | None = None,
    ) -> Self:
        """Create a wallet file (mode 0600) for ``key`` (default: a new Ed25519 did:key).

        Raises:
            WalletError: a wallet already exists at ``path``, or the passphrase is empty.
            InputError: the folder cannot be written.
        """
        if os.path.lexists(path):
            raise WalletError("a wallet already exists here", where=str(path))
        holder = key or KeyPair.generate("Ed25519")
        params = kdf or KdfParams.fresh()
        data_key = DataKey.generate()
        wrapped = wrap_key(passphrase, params, data_key.secret)
        temporary = create_file(path)
        try:
            connection = connect(temporary)
            try:
                connection.executescript(_SCHEMA)
                sealed = data_key.seal(_holder_document(holder), _HOLDER_AAD)
                connection.executemany(
                    "INSERT INTO meta (name, value) VALUES (?, ?)",
                    [
                        ("format", STORE_FORMAT),
                        ("kdf", json.dumps(params.to_json())),
                        ("data_key", wrapped),
                        ("holder", sealed.hex()),
                    ],
                )
            finally:
                connection.close()
            publish_file(temporary, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        return cls(path=path, key=data_key, holder=holder)

    @classmethod
    def open(cls, path: Path, passphrase: str) -> Self:
        """Unlock the wallet at ``path``.

        Raises:
            WalletError: no wallet there, not a wallet, "wrong passphrase", or a corrupt store.
        """
        where = str(path)
        if not path.is_file():
            raise WalletError(
                "no wallet here (create one with: passeport wallet init)", where=where
            )
        with session(path, write=False) as connection:
            try:
                rows = dict(connection.execute("SELECT name, value FROM meta").fetchall())
            except sqlite3.DatabaseError:
                raise WalletError("not a passeport wallet", where=where) from None
        if rows.get("format") not in (STORE_FORMAT, _FIRST_FORMAT):
            raise WalletError("not a passeport wallet (unknown format)", where=where)
        params = KdfParams.from_json(loads(str(rows.get("kdf", "")).encode(), "kdf"))
        try:
            data_key = DataKey(unwrap_key(passphrase, params, rows.get("data_key")))
            sealed = bytes.fromhex(str(rows.get("holder", "")))
        except WalletError as exc:
            raise exc.located(where) from None
        except ValueError:
            raise WalletError("corrupt store: the holder key", where=where) from None
        holder = data_key.open(sealed, _HOLDER_AAD, what="the holder key")
        wallet = cls(path=path, key=data_key, holder=holder_from(holder, where))
        if rows.get("format") == _FIRST_FORMAT:
            try:
                wallet._upgrade()
            except WalletError as exc:
                raise exc.located(where) from None
        return wallet

    def _upgrade(self) -> None:
        """Authenticate the indexes of a first-format wallet: computed again, then sealed.

        The first format did not authenticate the indexes, so they are not
        trusted: each is computed from the credential and its metadata, which
        are authenticated, and the metadata sealed again with them.
        """
        with session(self.path, write=True) as connection:
            found = connection.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
            if found is None or found[0] != _FIRST_FORMAT:
                return  # another process upgraded it meanwhile
            rows = connection.execute(
                "SELECT id, info, body FROM credentials ORDER BY rowid"
            ).fetchall()
            for record_id, sealed_info, sealed_body in rows:
                record_id = str(record_id)
                what = f"credential {record_id}"
                info_row = self.key.open(sealed_info, _first_info_aad(record_id), what=what)
                info = CredentialInfo.from_row(unpack(info_row, what))
                held = self._held(record_id, info, sealed_body)
                credential = held.credential
                if not isinstance(credential, dict | str):
                    raise WalletError(f"corrupt store: {what} has no credential")
                try:
                    digest = NewCredential.of(info, credential, held.claims).digest
                except InputError:
                    raise WalletError(f"corrupt store: {what} cannot be read") from None
                id_index = self._id_index(info)
                content_index = self.key.blind(b"content:" + digest)
                sealed = self.key.seal(info_row, _info_aad(record_id, id_index, content_index))
                connection.execute(
                    "UPDATE credentials SET id_index = ?, content_index = ?, info = ? WHERE id = ?",
                    (id_index, content_index, sealed, record_id),
                )
            connection.execute("UPDATE meta SET value = ? WHERE name = 'format'", (STORE_FORMAT,))

    # --- credentials -------------------------------------------------------------------------

    def put(self, items: Sequence[NewCredential]) -> list[Stored]:
        """Store prepared credentials in one transaction; duplicates are reported, not stored.

        A duplicate has the same content as one already stored (or earlier in
        ``items``), or the same issuer and credential ``id``: two issuers may
        well give the same ``id`` to different credentials, and both are kept.
        Callers normally use :func:`wallet.add`, which verifies first.
        """
        results: list[Stored] = []
        with session(self.path, write=True) as connection:
            for item in items:
                id_index = self._id_index(item.info)
                content_index = self.key.blind(b"content:" + item.digest)
                found = connection.execute(
                    "SELECT id, id_index, content_index, info FROM credentials "
                    "WHERE content_index = ? OR id_index = ?",
                    (content_index, id_index),
                ).fetchone()
                if found is not None:
                    self._entry(*found)  # a duplicate of what is really there
                    results.append(Stored(str(found[0]), duplicate=True))
                    continue
                record_id = secrets.token_hex(6)
                while connection.execute(
                    "SELECT 1 FROM credentials WHERE id = ?", (record_id,)
                ).fetchone():
                    record_id = secrets.token_hex(6)
                info = self.key.seal(
                    pack(item.info.to_row()), _info_aad(record_id, id_index, content_index)
                )
                body = self.key.seal(
                    pack({"credential": item.credential, "claims": item.claims}),
                    _body_aad(record_id),
                )
                connection.execute(
                    "INSERT INTO credentials (id, id_index, content_index, info, body) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (record_id, id_index, content_index, info, body),
                )
                results.append(Stored(record_id, duplicate=False))
        return results

    def _id_index(self, info: CredentialInfo) -> bytes | None:
        """Blind the credential's identity, its issuer and ``id`` (None without an ``id``)."""
        if not info.credential_id:
            return None
        identity = json.dumps([info.issuer or "", info.credential_id], ensure_ascii=False)
        return self.key.blind(b"issuer-id:" + identity.encode("utf-8"))

    def entries(self) -> list[WalletEntry]:
        """Return every credential's listing metadata, oldest first (decrypts the infos only)."""
        with session(self.path, write=False) as connection:
            rows = connection.execute(
                "SELECT id, id_index, content_index, info FROM credentials ORDER BY rowid"
            ).fetchall()
        with collector_paused():
            return [self._entry(*row) for row in rows]

    def _entry(
        self, record_id: object, id_index: object, content_index: object, sealed: object
    ) -> WalletEntry:
        """Open a row's metadata; its id and indexes are authenticated with it."""
        record_id = str(record_id)
        what = f"credential {record_id}"
        content = _index(content_index, what)
        if content is None or not isinstance(sealed, bytes):
            raise WalletError(f"corrupt store: {what} fails its integrity check")
        aad = _info_aad(record_id, _index(id_index, what), content)
        data = self.key.open(sealed, aad, what=what)
        return WalletEntry(record_id, CredentialInfo.from_row(unpack(data, what)))

    def resolve(self, reference: str) -> str:
        """Return the record id that ``reference`` names.

        A wallet id, a unique prefix of one, or the credential's own ``id``
        (``urn:uuid:...``) as its issuer wrote it.

        Raises:
            WalletError: no such credential, or a prefix shared by several.
        """
        text = reference.strip().lower()
        if not text or any(c not in "0123456789abcdef" for c in text):
            # The credential's own id (urn:uuid:..., https://...), as its issuer wrote it.
            named = [e.id for e in self.entries() if e.info.credential_id == reference.strip()]
            if len(named) == 1:
                return named[0]
            if named:
                shown = ", ".join(sorted(named))
                raise WalletError(f"{reference!r} names several credentials: {shown}")
            raise WalletError(
                f"no credential {reference!r} in the wallet (give a wallet id, or the "
                "credential's own id)"
            )
        with session(self.path, write=False) as connection:
            rows = connection.execute(
                "SELECT id FROM credentials WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT 6",
                (len(text), text),
            ).fetchall()
        if not rows:
            raise WalletError(f"no credential {reference!r} in the wallet")
        if len(rows) > 1:
            shown = ", ".join(str(row[0])[:12] for row in rows[:5])
            more = ", ..." if len(rows) > 5 else ""
            raise WalletError(
                f"{reference!r} names several credentials ({shown}{more}); give more characters"
            )
        return str(rows[0][0])

    def credential(self, reference: str) -> HeldCredential:
        """Return one credential, decrypted.

        Raises:
            WalletError: as :meth:`resolve`, or a corrupt record.
        """
        record_id = self.resolve(reference)
        found = list(self.credentials([record_id]))
        if not found:
            raise WalletError(f"no credential {reference!r} in the wallet")
        return found[0]

    def credentials(
        self, wanted: Sequence[str | WalletEntry]
    ) -> Generator[HeldCredential, None, None]:
        """Yield the given credentials decrypted, in order, lazily; ids not found are skipped.

        Give entries (from :meth:`entries`) rather than ids to skip opening
        their metadata again. Rows are read in growing batches, so a caller
        that stops early reads little and one that reads all pays few queries.
        """
        connection = connect(self.path)
        try:
            position, size = 0, 8
            while position < len(wanted):
                batch = wanted[position : position + size]
                position, size = position + size, min(size * 4, 512)
                ids = [item if isinstance(item, str) else item.id for item in batch]
                marks = ",".join("?" * len(ids))
                rows = {
                    str(row[0]): row
                    for row in connection.execute(
                        "SELECT id, id_index, content_index, info, body FROM credentials "
                        f"WHERE id IN ({marks})",
                        ids,
                    )
                }
                opened: list[HeldCredential] = []
                with collector_paused():
                    for item, record_id in zip(batch, ids, strict=True):
                        if record_id not in rows:
                            continue
                        *sealed_info, body_blob = rows[record_id]
                        # Entries come from entries(), which opened (authenticated) them.
                        info = (
                            self._entry(*sealed_info).info if isinstance(item, str) else item.info
                        )
                        opened.append(self._held(record_id, info, body_blob))
                yield from opened
        except sqlite3.DatabaseError as exc:
            raise WalletError(f"the wallet file is unusable: {exc}", where=str(self.path)) from None
        finally:
            connection.close()

    def _held(self, record_id: str, info: CredentialInfo, sealed: bytes) -> HeldCredential:
        what = f"credential {record_id}"
        body = unpack(self.key.open(sealed, _body_aad(record_id), what=what), what)
        if not isinstance(body, dict) or "credential" not in body:
            raise WalletError(f"corrupt store: {what} has no credential")
        claims = body.get("claims")
        return HeldCredential(
            record_id, info, body["credential"], claims if isinstance(claims, dict) else {}
        )

    def update(self, changes: Sequence[tuple[str, CredentialInfo]]) -> None:
        """Replace the listing metadata of credentials (after a fresh verification), at once.

        Each row is authenticated before it is sealed again: an altered index
        is refused, never sealed as if it were right.

        Raises:
            WalletError: a corrupt record.
        """
        with session(self.path, write=True) as connection:
            for record_id, info in changes:
                row = connection.execute(
                    "SELECT id, id_index, content_index, info FROM credentials WHERE id = ?",
                    (record_id,),
                ).fetchone()
                if row is None:
                    continue  # removed meanwhile
                self._entry(*row)  # authenticates the row's indexes, which are bytes
                aad = _info_aad(record_id, row[1], row[2])
                connection.execute(
                    "UPDATE credentials SET info = ? WHERE id = ?",
                    (self.key.seal(pack(info.to_row()), aad), record_id),
                )

    def remove(self, reference: str) -> str:
        """Delete one credential; return its record id.

        Raises:
            WalletError: as :meth:`resolve`.
        """
        record_id = self.resolve(reference)
        with session(self.path, write=True) as connection:
            connection.execute("DELETE FROM credentials WHERE id = ?", (record_id,))
        return record_id

    # --- backups -----------------------------------------------------------------------------

    def export_backup(
        self, path: Path, passphrase: str, *, kdf: KdfParams | None = None, overwrite: bool = False
    ) -> int:
        """Write the whole wallet (holder key included) to one encrypted file; return the count.

        The file is JSON: a header (format, scrypt parameters) and the gzipped
        content sealed with AES-256-GCM under the backup passphrase's key,
        the header as associated data. Written atomically, mode 0600.

        Raises:
            InputError: ``path`` exists (without ``overwrite``) or cannot be written.
            WalletError: an empty backup passphrase, or a corrupt record.
        """
        entries = self.entries()
        items: list[JsonObject] = []
        ids = [entry.id for entry in entries]
        for held in self.credentials(ids):
            items.append(
                {
                    "info": held.info.to_json(),
                    "credential": held.credential,
                    "claims": held.claims,
                }
            )
        write_backup(path, passphrase, self.holder, items, kdf=kdf, overwrite=overwrite)
        return len(items)

    @classmethod
    def restore(
        cls,
        backup: Path,
        backup_passphrase: str,
        path: Path,
        passphrase: str,
        *,
        kdf: KdfParams | None = None,
    ) -> Self:
        """Create a wallet at ``path`` from a backup: same holder key, same credentials.

        Raises:
            WalletError: wrong backup passphrase, a corrupt backup, or a wallet already at ``path``.
        """
        holder, items = read_backup(backup, backup_passphrase)
        new = backup_items(items, str(backup))
        created = cls.create(path, passphrase, key=holder, kdf=kdf)
        try:
            created.put(new)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(path)  # never a half-restored wallet
            raise
        return created

    def import_backup(self, backup: Path, backup_passphrase: str) -> list[Stored]:
        """Add a backup's credentials to this wallet (same holder only); duplicates are skipped.

        Raises:
            WalletError: wrong backup passphrase, a corrupt backup, or another holder's backup.
        """
        holder, items = read_backup(backup, backup_passphrase)
        if holder.controller != self.did:
            raise WalletError(
                f"this backup belongs to {holder.controller}, this wallet to {self.did}",
                where=str(backup),
            )
        return self.put(backup_items(items, str(backup)))
