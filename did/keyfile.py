"""Key files: a signing key with its DID, stored as a Multikey document.

Spec: https://www.w3.org/TR/cid-1.0/#Multikey. A key file is::

    {"@context": "https://w3id.org/security/multikey/v1", "id": VM_ID, "type": "Multikey",
     "controller": DID, "publicKeyMultibase": "z...", "secretKeyMultibase": "z..."}

so keys move between tools. Files are written atomically with mode 0600.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Self

from passeport._io import link_exclusive, parse_json
from passeport._json import JsonObject
from passeport.did.jwk_method import did_jwk, did_jwk_public_key
from passeport.did.key import did_key
from passeport.did.keys import KeyAlgorithm, PrivateKey, PublicKey
from passeport.did.multikey import decode_private, decode_public, encode_private, encode_public
from passeport.did.web import did_web_url
from passeport.errors import InputError, KeyFormatError, PasseportError

__all__ = ["KeyPair", "read_key_file", "write_key_file"]

MULTIKEY_CONTEXT: Final = "https://w3id.org/security/multikey/v1"
_MAX_KEY_FILE_BYTES: Final = 64 * 1024


def _identifiers(public: PublicKey, method: str) -> tuple[str, str]:
    """Return (DID, verification method id) of ``public`` for a ``--did`` method spelling."""
    if method == "key":
        did = did_key(public)
        return did, f"{did}#{encode_public(public)}"
    if method == "jwk":
        did = did_jwk(public)
        return did, f"{did}#0"
    if method.startswith("web:"):
        did = "did:" + method
        did_web_url(did)  # raises ResolutionError on a malformed host or path
        return did, f"{did}#key-1"
    raise ValueError(f"unknown DID method {method!r} (expected key, jwk or web:HOST[:PATH])")


@dataclass(frozen=True, slots=True)
class KeyPair:
    """A private key, the DID that controls it, and its verification method id."""

    private_key: PrivateKey
    controller: str
    verification_method: str

    @classmethod
    def generate(cls, algorithm: KeyAlgorithm | str, *, method: str = "key") -> Self:
        """Generate a key and give it a DID: ``method`` is ``key``, ``jwk`` or ``web:HOST[:PATH]``.

        For did:web, the verification method is ``did#key-1`` and the DID document
        must be hosted separately (see :func:`did.web.did_web_document`).

        Raises:
            ValueError: unknown ``method``.
            ResolutionError: a malformed did:web host or path.
        """
        return cls.from_private_key(PrivateKey.generate(algorithm), method=method)

    @classmethod
    def from_private_key(cls, private_key: PrivateKey, *, method: str = "key") -> Self:
        """Give an existing key a DID, as :meth:`generate` does."""
        did, vm_id = _identifiers(private_key.public_key, method)
        return cls(private_key=private_key, controller=did, verification_method=vm_id)

    @property
    def public_key(self) -> PublicKey:
        """The public key."""
        return self.private_key.public_key

    @property
    def algorithm(self) -> KeyAlgorithm:
        """The key's algorithm."""
        return self.private_key.algorithm

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` with the private key: a key pair is a signer (``proofs.suite.Signer``)."""
        return self.private_key.sign(data)

    def to_document(self, *, include_secret: bool) -> JsonObject:
        """Return the Multikey document; ``secretKeyMultibase`` only with ``include_secret``."""
        document: JsonObject = {
            "@context": MULTIKEY_CONTEXT,
            "id": self.verification_method,
            "type": "Multikey",
            "controller": self.controller,
            "publicKeyMultibase": encode_public(self.public_key),
        }
        if include_secret:
            document["secretKeyMultibase"] = encode_private(self.private_key)
        return document

    @classmethod
    def from_document(cls, document: Mapping[str, object], *, where: str | None = None) -> Self:
        """Load a key pair from a Multikey document holding a secret.

        ``privateKeyMultibase`` (the spelling of the eddsa spec vectors) is accepted
        for ``secretKeyMultibase``. Without ``controller`` and ``id``, the key gets
        its did:key. The public key, when present, must match the secret, and a
        did:key or did:jwk controller must be the DID of that key.

        Raises:
            KeyFormatError: no secret, a bad key, or members that do not agree.
        """
        if not isinstance(document, Mapping):
            raise KeyFormatError("a key file must hold a JSON object", where=where)
        doc_type = document.get("type", "Multikey")
        if doc_type != "Multikey":
            raise KeyFormatError(f"key type {str(doc_type)[:40]!r} is not Multikey", where=where)
        secret = document.get("secretKeyMultibase", document.get("privateKeyMultibase"))
        if not isinstance(secret, str):
            raise KeyFormatError("no secretKeyMultibase: this is not a private key", where=where)
        private_key = decode_private(secret, where=where)
        public_key = private_key.public_key
        published = document.get("publicKeyMultibase")
        if published is not None:
            if not isinstance(published, str):
                raise KeyFormatError("publicKeyMultibase is not a string", where=where)
            if decode_public(published, where=where) != public_key:
                raise KeyFormatError(
                    "publicKeyMultibase does not match secretKeyMultibase", where=where
                )
        controller = document.get("controller")
        vm_id = document.get("id")
        if controller is None and vm_id is None:
            return cls.from_private_key(private_key, method="key")
        if not isinstance(controller, str) or not isinstance(vm_id, str):
            raise KeyFormatError("key file needs both 'id' and 'controller' strings", where=where)
        if vm_id.startswith("#"):
            vm_id = controller + vm_id
        if vm_id.split("#", 1)[0] != controller or "#" not in vm_id:
            raise KeyFormatError(
                f"id {vm_id[:80]!r} is not a verification method of {controller[:80]!r}",
                where=where,
            )
        _check_controller(controller, public_key, where)
        return cls(private_key=private_key, controller=controller, verification_method=vm_id)


def _check_controller(controller: str, public_key: PublicKey, where: str | None) -> None:
    if controller.startswith("did:key:"):
        if controller != did_key(public_key):
            raise KeyFormatError(
                f"controller {controller[:60]!r} is not the did:key of this key", where=where
            )
    elif controller.startswith("did:jwk:"):
        try:
            matches = did_jwk_public_key(controller) == public_key
        except PasseportError:
            matches = False
        if not matches:
            raise KeyFormatError(
                f"controller {controller[:60]!r} is not the did:jwk of this key", where=where
            )
    elif not controller.startswith("did:"):
        raise KeyFormatError(f"controller {controller[:60]!r} is not a DID", where=where)


def read_key_file(path: Path) -> KeyPair:
    """Read a key file written by :func:`write_key_file` (or any Multikey document with a secret).

    Raises:
        InputError: missing or unreadable file, or not JSON (naming ``path``).
        KeyFormatError: a bad or inconsistent key.
    """
    where = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(_MAX_KEY_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError("no such key file", where=where) from None
    except OSError as exc:
        raise InputError(f"cannot read key file: {exc.strerror}", where=where) from exc
    if len(data) > _MAX_KEY_FILE_BYTES:
        raise InputError(f"key file is larger than {_MAX_KEY_FILE_BYTES} bytes", where=where)
    try:
        document = parse_json(data, where=where)
    except InputError as exc:
        raise InputError(f"key file is not valid JSON: {exc.message}", where=where) from None
    if not isinstance(document, dict):
        raise InputError("key file is not a JSON object", where=where)
    return KeyPair.from_document(document, where=where)


def write_key_file(path: Path, pair: KeyPair, *, overwrite: bool = False) -> None:
    """Write ``pair`` (with its secret) to ``path``, atomically and with mode 0600.

    The file is written under a temporary name in the same directory, created
    0600, then renamed; an existing file is kept unless ``overwrite`` is set.

    Raises:
        InputError: ``path`` exists (without ``overwrite``) or cannot be written.
    """
    where = str(path)
    if not overwrite and os.path.lexists(path):
        raise InputError("file exists; refusing to overwrite a key file", where=where)
    body = (json.dumps(pair.to_document(include_secret=True), indent=2) + "\n").encode("utf-8")
    directory = path.parent
    temporary = directory / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise InputError(f"cannot create key file: {exc.strerror}", where=where) from exc
    try:
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            if overwrite:
                os.replace(temporary, path)
            else:
                link_exclusive(temporary, path)
        except FileExistsError:
            raise InputError("file exists; refusing to overwrite a key file", where=where) from None
        except OSError as exc:
            raise InputError(f"cannot write key file: {exc.strerror}", where=where) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
