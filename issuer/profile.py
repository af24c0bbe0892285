"""Issuer profiles: a folder holding who signs, with which key, and where status lists live.

A profile folder (``passeport issuer init DIR``) holds::

    profile.json      name, DID, verification method, default suite, status list base URL, list size
    key.json          the signing key, a Multikey document (mode 0600), unless the
                      key lives in a hardware module (``"key": "pkcs11:..."`` in
                      profile.json, :mod:`issuer.hsm`)
    permutation.key   the secret of the keyed permutation of status list indexes (mode 0600)
    did.json          the DID document to host, when the DID is a did:web
    registry.sqlite   the registry of issued credentials and status lists

Every role opens the registry through :meth:`Profile.open_registry`: the
profile's ``registry`` setting (``profile.json``, ``"sqlite"`` when absent)
names the implementation in :data:`REGISTRY_KINDS`, or is the URL of a
PostgreSQL database (``postgresql://HOST/DB``, :mod:`issuer.registry_pg`),
shared by the processes and machines that issue for the profile. Its
password is never in the profile: ``PASSEPORT_REGISTRY_PASSWORD`` or libpq's
``~/.pgpass``.

The folder is built under a temporary name beside its destination, then
renamed: a profile is either complete or absent. The folder itself is
private (mode 0700) since it holds the key.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Protocol, Self

from passeport._io import dump_json, read_json_file, read_text_file, write_atomic
from passeport._json import JsonObject
from passeport.did.keyfile import KeyPair, _identifiers, read_key_file, write_key_file
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.did.multikey import decode_public, encode_public
from passeport.did.web import did_web_document, did_web_url
from passeport.errors import InputError, KeyFormatError, ResolutionError
from passeport.issuer.hsm import TokenKey, is_pkcs11_uri
from passeport.issuer.registry import Registry
from passeport.issuer.registry_pg import PostgresRegistry, check_registry_url, is_postgres_url
from passeport.proofs.registry import DEFAULT_SUITE_FOR, suite_named

__all__ = [
    "DEFAULT_SUITES",
    "MIN_LIST_SIZE",
    "PROFILE_FILE",
    "REGISTRY_KINDS",
    "SQLITE_REGISTRY",
    "Profile",
    "RegistryOpener",
    "status_base_for",
]

PROFILE_FILE: Final = "profile.json"
KEY_FILE: Final = "key.json"
SECRET_FILE: Final = "permutation.key"
DID_FILE: Final = "did.json"
REGISTRY_FILE: Final = "registry.sqlite"
FORMAT: Final = "passeport-issuer-profile/1"
MIN_LIST_SIZE: Final = 131_072
"""BITSTRING-STATUS-LIST 2.1: a list holds at least 131,072 entries (16 KiB), for herd privacy."""

SQLITE_REGISTRY: Final = "sqlite"


class RegistryOpener(Protocol):
    """Open the registry of the profile folder ``directory`` (creating it with ``create``)."""

    def __call__(self, directory: Path, *, create: bool) -> Registry: ...


def _open_sqlite(directory: Path, *, create: bool) -> Registry:
    return Registry.open(directory / REGISTRY_FILE, create=create)


REGISTRY_KINDS: Final[Mapping[str, RegistryOpener]] = MappingProxyType(
    {SQLITE_REGISTRY: _open_sqlite}
)
"""The registry implementations a profile's ``registry`` setting may name (or a PostgreSQL URL)."""


def _opener(kind: str, fingerprint: str) -> RegistryOpener:
    """Return how to open the registry a profile's ``registry`` setting names.

    A PostgreSQL registry is bound to the profile of ``fingerprint``
    (:meth:`PostgresRegistry.bind`): machines share one profile, never two.
    """
    if kind in REGISTRY_KINDS:
        return REGISTRY_KINDS[kind]
    url = check_registry_url(kind)

    def open_postgres(directory: Path, *, create: bool) -> Registry:
        registry = PostgresRegistry.connect(url, create=create)
        try:
            registry.bind(fingerprint)
        except BaseException:
            registry.close()
            raise
        return registry

    return open_postgres


DEFAULT_SUITES: Final[dict[KeyAlgorithm, str]] = dict(DEFAULT_SUITE_FOR)


def status_base_for(did: str) -> str | None:
    """Return the default status list base URL of a DID: ``https://HOST[/PATH]/status/``.

    Only a did:web DID names a web host; other DIDs have no default.

    >>> status_base_for("did:web:univ.example")
    'https://univ.example/status/'
    >>> status_base_for("did:web:univ.example:sciences")
    'https://univ.example/sciences/status/'
    """
    if not did.startswith("did:web:"):
        return None
    url = did_web_url(did).removesuffix("did.json").removesuffix(".well-known/")
    return url + "status/"


def _check_status_base(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"status base {url!r} must be an https URL without query or fragment")
    return url if url.endswith("/") else url + "/"


def _check_list_size(size: object) -> int:
    if isinstance(size, bool) or not isinstance(size, int) or size < MIN_LIST_SIZE:
        raise ValueError(
            f"a status list holds at least {MIN_LIST_SIZE} entries (got {size!r}); "
            "smaller lists would let anyone tell credentials apart"
        )
    return size


def _refuse_existing(target: Path) -> None:
    if os.path.lexists(target) and (
        target.is_symlink() or not target.is_dir() or any(target.iterdir())
    ):
        raise InputError(
            "already exists and is not an empty folder; refusing to overwrite a profile",
            where=str(target),
        )


def _token_key(settings: Mapping[str, Any], where: str) -> TokenKey:
    """Return the signer of a profile whose ``key`` is a PKCS#11 URI (the token not yet opened)."""
    uri, multibase = settings.get("key"), settings.get("publicKeyMultibase")
    vm, did = settings.get("verificationMethod"), settings.get("did")
    if not isinstance(uri, str) or not is_pkcs11_uri(uri):
        raise InputError(
            "not a PKCS#11 URI (pkcs11:token=...;object=...)", where=where, pointer="/key"
        )
    if not isinstance(multibase, str):
        raise InputError("missing or not a string", where=where, pointer="/publicKeyMultibase")
    if not isinstance(vm, str) or not isinstance(did, str):
        raise InputError("missing did or verificationMethod", where=where)
    public = decode_public(multibase, where=where)
    return TokenKey.open(uri, controller=did, verification_method=vm, public_key=public)


@dataclass(frozen=True, slots=True)
class Profile:
    """An issuer: its name, key and DID, default suite, and status list settings.

    Build one with :meth:`create` (a new folder) or :meth:`open` (an existing
    one); the constructor itself does no I/O.
    """

    directory: Path
    name: str
    key: KeyPair | TokenKey = field(repr=False)
    suite: str
    status_base: str
    list_size: int
    secret: bytes = field(repr=False)
    registry_kind: str = SQLITE_REGISTRY

    @property
    def did(self) -> str:
        """The issuer's DID."""
        return self.key.controller

    @property
    def verification_method(self) -> str:
        """The id of the verification method that signs."""
        return self.key.verification_method

    @property
    def registry_path(self) -> Path:
        """The SQLite registry file of this profile (when its registry is SQLite)."""
        return self.directory / REGISTRY_FILE

    def open_registry(self) -> Registry:
        """Open this profile's registry, the one seam every role goes through.

        The implementation is the one :data:`REGISTRY_KINDS` lists under the
        profile's ``registry_kind``; use the registry as a context manager.

        Raises:
            InputError: the registry is missing, unreadable or not a passeport registry.
        """
        return _opener(self.registry_kind, self.registry_fingerprint())(
            self.directory, create=False
        )

    def registry_fingerprint(self) -> str:
        """Name this profile (DID, key, permutation secret) without revealing its secret."""
        import hashlib
        import hmac

        bound = f"{self.verification_method}\n{encode_public(self.key.public_key)}"
        return hmac.new(self.secret, bound.encode(), hashlib.sha256).hexdigest()[:32]

    def issuer(self) -> JsonObject:
        """Return the ``issuer`` member that this profile's credentials carry."""
        return {"id": self.did, "name": self.name}

    def did_document(self) -> JsonObject | None:
        """Return the DID document to host when the DID is a did:web, else None."""
        if not self.did.startswith("did:web:"):
            return None
        fragment = self.verification_method.split("#", 1)[1]
        return did_web_document(self.did, self.key.public_key, fragment=fragment)

    def to_json(self) -> JsonObject:
        """Return the public settings as stored in ``profile.json`` (no secret).

        ``registry`` is written only when it is not the default (SQLite), so
        the files of SQLite profiles stay as they were.
        """
        settings: JsonObject = {
            "format": FORMAT,
            "name": self.name,
            "did": self.did,
            "verificationMethod": self.verification_method,
            "keyType": str(self.key.algorithm),
            "suite": self.suite,
            "statusBase": self.status_base,
            "listSize": self.list_size,
        }
        if self.registry_kind != SQLITE_REGISTRY:
            settings["registry"] = self.registry_kind
        if isinstance(self.key, TokenKey):
            settings["key"] = self.key.uri.text
            settings["publicKeyMultibase"] = encode_public(self.key.public_key)
        return settings

    @classmethod
    def create(
        cls,
        directory: Path,
        *,
        name: str,
        did: str = "key",
        key_type: KeyAlgorithm | str = KeyAlgorithm.ED25519,
        status_base: str | None = None,
        suite: str | None = None,
        list_size: int = MIN_LIST_SIZE,
        private_key: PrivateKey | None = None,
        secret: bytes | None = None,
        registry: str = SQLITE_REGISTRY,
        key_uri: str | None = None,
    ) -> Self:
        """Create a new profile folder at ``directory`` and return its profile.

        Args:
            did: ``key`` or ``web:HOST[:PATH]``.
            status_base: the URL under which status lists are published; for a
                did:web issuer it defaults to ``https://HOST[/PATH]/status/``.
            private_key: the signing key (default: a new one of ``key_type``).
            secret: the permutation secret (default: 32 random bytes).
            registry: ``sqlite`` (a file in the folder) or the URL of a
                PostgreSQL database, without password; its tables are created
                when missing.
            key_uri: the PKCS#11 URI of a key held in a hardware module
                (:mod:`issuer.hsm`), instead of a key file.

        Raises:
            InputError: ``directory`` exists and is not empty, or cannot be written.
            ValueError: an unknown DID method or suite, a suite that does not fit
                the key, no status base for a did:key issuer, or a list smaller
                than 131,072 entries.
        """
        _refuse_existing(directory)  # first: the settings do not matter if the folder is taken
        if not name.strip():
            raise ValueError("the issuer needs a name")
        list_size = _check_list_size(list_size)
        if did != "key" and not did.startswith("web:"):
            raise ValueError(f"DID method {did!r}: an issuer uses key or web:HOST[:PATH]")
        pair: KeyPair | TokenKey
        if key_uri is not None:
            if private_key is not None:
                raise ValueError("a profile's key is either in a token or given, not both")
            public = TokenKey.read_public_key(key_uri)
            try:
                controller, method = _identifiers(public, did)
            except ResolutionError as exc:
                raise ValueError(exc.message) from None
            pair = TokenKey.open(
                key_uri, controller=controller, verification_method=method, public_key=public
            )
        else:
            key = private_key or PrivateKey.generate(key_type)
            try:
                pair = KeyPair.from_private_key(key, method=did)
            except ResolutionError as exc:
                raise ValueError(exc.message) from None
        base = status_base or status_base_for(pair.controller)
        if base is None:
            raise ValueError(
                "a did:key issuer has no web host: give the status list base URL "
                "(--status-base https://HOST/status/)"
            )
        base = _check_status_base(base)
        suite = suite or DEFAULT_SUITES[pair.algorithm]
        if not suite_named(suite).accepts(pair.public_key):
            raise ValueError(f"{suite} cannot sign with a {pair.algorithm} key")
        if secret is not None and len(secret) < 16:
            raise ValueError("the permutation secret must be at least 16 bytes")
        if registry not in REGISTRY_KINDS:
            check_registry_url(registry)
        profile = cls(
            directory=directory,
            name=name.strip(),
            key=pair,
            suite=suite,
            status_base=base,
            list_size=list_size,
            secret=secret or secrets.token_bytes(32),
            registry_kind=registry,
        )
        profile._write_folder()
        return profile

    def _write_folder(self) -> None:
        target = self.directory
        _refuse_existing(target)
        parent = target.parent if str(target.parent) else Path(".")
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=parent))
        except OSError as exc:
            raise InputError(f"cannot create a folder: {exc.strerror}", where=str(target)) from None
        try:
            write_atomic(staging / PROFILE_FILE, dump_json(self.to_json()))
            if isinstance(self.key, KeyPair):
                write_key_file(staging / KEY_FILE, self.key)
            write_atomic(staging / SECRET_FILE, self.secret.hex() + "\n", mode=0o600)
            document = self.did_document()
            if document is not None:
                write_atomic(staging / DID_FILE, dump_json(document))
            with _opener(self.registry_kind, self.registry_fingerprint())(staging, create=True):
                pass
            try:
                # rename() replaces an empty folder but never a non-empty one.
                os.rename(staging, target)
            except OSError as exc:
                raise InputError(
                    f"cannot create the profile: {exc.strerror}", where=str(target)
                ) from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    @classmethod
    def open(cls, directory: Path) -> Self:
        """Read the profile in ``directory``.

        Raises:
            InputError: not a profile folder, or a file missing or malformed (naming it).
            KeyFormatError: the key file is unreadable or is not the profile's DID.
        """
        path = directory / PROFILE_FILE
        if not path.is_file():
            raise InputError(
                "not an issuer profile (no profile.json); create one with 'passeport issuer init'",
                where=str(directory),
            )
        settings: Any = read_json_file(path)
        where = str(path)
        if not isinstance(settings, dict) or settings.get("format") != FORMAT:
            raise InputError(f'not a profile file (expected "format": "{FORMAT}")', where=where)

        def text(member: str) -> str:
            value = settings.get(member)
            if not isinstance(value, str) or not value:
                raise InputError("missing or not a string", where=where, pointer=f"/{member}")
            return value

        key = (
            _token_key(settings, where)
            if "key" in settings
            else read_key_file(directory / KEY_FILE)
        )
        if key.controller != text("did") or key.verification_method != text("verificationMethod"):
            raise KeyFormatError(
                f"the key belongs to {key.verification_method}, not to the profile's "
                f"{text('verificationMethod')}",
                where=str(directory / KEY_FILE),
            )
        secret_path = directory / SECRET_FILE
        try:
            secret = bytes.fromhex(read_text_file(secret_path, max_bytes=1024).strip())
        except ValueError:
            raise InputError("not a hexadecimal secret", where=str(secret_path)) from None
        if len(secret) < 16:
            raise InputError("the secret is shorter than 16 bytes", where=str(secret_path))
        try:
            list_size = _check_list_size(settings.get("listSize"))
            status_base = _check_status_base(text("statusBase"))
            suite = text("suite")
            suite_named(suite)
        except ValueError as exc:
            raise InputError(str(exc), where=where) from None
        registry_kind = settings.get("registry", SQLITE_REGISTRY)
        if not isinstance(registry_kind, str) or (
            registry_kind not in REGISTRY_KINDS and not is_postgres_url(registry_kind)
        ):
            raise InputError(
                f"unknown registry {registry_kind!r} (known: "
                f"{', '.join(sorted(REGISTRY_KINDS))}, postgresql://HOST/DATABASE)",
                where=where,
                pointer="/registry",
            )
        if registry_kind not in REGISTRY_KINDS:
            try:
                check_registry_url(registry_kind)
            except ValueError as exc:
                raise InputError(str(exc), where=where, pointer="/registry") from None
        return cls(
            directory=directory,
            name=text("name"),
            key=key,
            suite=suite,
            status_base=status_base,
            list_size=list_size,
            secret=secret,
            registry_kind=registry_kind,
        )
