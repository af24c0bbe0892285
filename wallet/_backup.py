"""Wallet backups: the whole wallet, holder key included, in one encrypted file.

The file is JSON: a header (format, scrypt parameters) and the gzipped
content sealed with AES-256-GCM under the backup passphrase's key, the header
as associated data, so that neither can be altered undetected. Nothing in it
is in clear but the header. Written atomically, mode 0600.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from passeport._io import parse_json, write_atomic
from passeport._json import JsonObject
from passeport.did.keyfile import KeyPair
from passeport.errors import InputError, KeyFormatError, WalletError
from passeport.wallet._crypto import KdfParams, open_sealed, seal
from passeport.wallet._records import CredentialInfo, NewCredential
from passeport.wallet._sqlite import dumps, loads

__all__ = ["BACKUP_FORMAT", "backup_items", "holder_from", "read_backup", "write_backup"]

BACKUP_FORMAT: Final = "passeport-wallet-backup/1"
_MAX_BACKUP_BYTES: Final = 1 << 30


def holder_from(data: bytes, where: str) -> KeyPair:
    """Read the holder's key document (from the store or a backup).

    Raises:
        WalletError: not a key document.
    """
    try:
        return KeyPair.from_document(loads(data, "the holder key"), where=where)
    except KeyFormatError as exc:
        raise WalletError(f"corrupt store: the holder key: {exc.message}", where=where) from None


def write_backup(
    path: Path,
    passphrase: str,
    holder: KeyPair,
    items: Sequence[JsonObject],
    *,
    kdf: KdfParams | None = None,
    overwrite: bool = False,
) -> None:
    """Seal ``holder`` and ``items`` under ``passphrase`` into the backup file ``path``.

    Raises:
        InputError: ``path`` exists (without ``overwrite``) or cannot be written.
        WalletError: an empty passphrase.
    """
    content = gzip.compress(
        dumps({"holder": holder.to_document(include_secret=True), "credentials": list(items)}),
        mtime=0,
    )
    params = kdf or KdfParams.fresh()
    header: JsonObject = {"format": BACKUP_FORMAT, "kdf": params.to_json()}
    sealed = seal(params.derive(passphrase), content, dumps(header))
    document = {**header, "sealed": sealed.hex()}
    write_atomic(path, dumps(document) + b"\n", mode=0o600, overwrite=overwrite)


def read_backup(path: Path, passphrase: str) -> tuple[KeyPair, list[JsonObject]]:
    """Open a backup: return its holder key and its credential items.

    Raises:
        InputError: the file cannot be read, or is larger than 1 GiB.
        WalletError: not a backup, a wrong backup passphrase, or a corrupt backup.
    """
    where = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(_MAX_BACKUP_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read the backup: {exc.strerror}", where=where) from None
    if len(data) > _MAX_BACKUP_BYTES:
        raise InputError("the backup is larger than 1 GiB", where=where)
    try:
        document = parse_json(data, where=where, max_bytes=_MAX_BACKUP_BYTES)
    except InputError as exc:
        reason = f"not a passeport wallet backup ({exc.message})"
        raise WalletError(reason, where=where) from None
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise WalletError("not a passeport wallet backup", where=where)
    params = KdfParams.from_json(document.get("kdf"))
    header: JsonObject = {"format": BACKUP_FORMAT, "kdf": document.get("kdf")}
    try:
        sealed = bytes.fromhex(str(document.get("sealed", "")))
    except ValueError:
        raise WalletError("corrupt backup: the content is not hexadecimal", where=where) from None
    try:
        content = open_sealed(params.derive(passphrase), sealed, dumps(header), what="backup")
    except WalletError:
        raise WalletError("wrong backup passphrase (or altered backup)", where=where) from None
    try:
        plain = loads(gzip.decompress(content), "the backup")
    except (OSError, EOFError):
        raise WalletError("corrupt backup: cannot decompress", where=where) from None
    if not isinstance(plain, dict) or not isinstance(plain.get("credentials"), list):
        raise WalletError("corrupt backup: no credentials", where=where)
    holder = holder_from(dumps(plain.get("holder")), where)
    return holder, [c for c in plain["credentials"] if isinstance(c, dict)]


def backup_items(items: Sequence[JsonObject], where: str) -> list[NewCredential]:
    """Return a backup's items ready to be stored again.

    Raises:
        WalletError: a malformed item.
    """
    out: list[NewCredential] = []
    for item in items:
        credential = item.get("credential")
        claims = item.get("claims")
        if not isinstance(credential, dict | str) or not isinstance(claims, dict):
            raise WalletError("corrupt backup: a credential is malformed", where=where)
        out.append(NewCredential.of(CredentialInfo.from_json(item.get("info")), credential, claims))
    return out
