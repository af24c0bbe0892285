"""An issuer key that never leaves a hardware module: a signer over PKCS#11.

The key is named by a PKCS#11 URI (RFC 7512)::

    pkcs11:token=Passeport;object=issuer-2026?module-path=/usr/lib/softhsm/libsofthsm2.so

- path attributes: ``token`` (the token label), ``object`` (the key label),
  ``id`` (the key's ``CKA_ID``, percent-encoded bytes); ``type`` may only be
  ``private``; others (``manufacturer``, ``serial``...) are ignored;
- query attributes: ``module-path`` (the PKCS#11 library, else
  ``PASSEPORT_PKCS11_MODULE``) and ``pin-source`` (``file:/path`` of a file
  holding the PIN). The PIN itself comes from ``PASSEPORT_PKCS11_PIN`` or the
  pin-source file: a URI with ``pin-value`` is refused, since a profile keeps
  its URI on disk.

Ed25519 keys sign with ``CKM_EDDSA`` (SoftHSM2 2.6 and most current HSMs);
P-256 and P-384 keys with ``CKM_ECDSA`` over the SHA-256 or SHA-384 digest
computed here, the token returning raw ``r || s``, which is the form every
suite and JOSE algorithm of passeport wants. A :class:`TokenKey` is a
:class:`proofs.suite.Signer`: it signs Data Integrity proofs and JWS alike.

The token is opened lazily, once per process and token (a PKCS#11 session
does not survive ``fork``, and login belongs to the whole process), and the
signing calls of threads are serialised on that session.
The public key is read from the token's public key object with the same
label or id.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Self, TypeVar
from urllib.parse import unquote_to_bytes

from passeport.did.keys import KeyAlgorithm, PublicKey
from passeport.errors import KeyFormatError, SigningError

__all__ = [
    "MODULE_ENV",
    "PIN_ENV",
    "Pkcs11Uri",
    "TokenKey",
    "close_sessions",
    "is_pkcs11_uri",
]

PIN_ENV: Final = "PASSEPORT_PKCS11_PIN"
MODULE_ENV: Final = "PASSEPORT_PKCS11_MODULE"
_MAX_PIN_FILE: Final = 1024

# DER of the curves' object identifiers in CKA_EC_PARAMS.
_CURVE_OIDS: Final = {
    bytes.fromhex("06082a8648ce3d030107"): KeyAlgorithm.P256,  # 1.2.840.10045.3.1.7
    bytes.fromhex("06052b81040022"): KeyAlgorithm.P384,  # 1.3.132.0.34
    bytes.fromhex("06032b6570"): KeyAlgorithm.ED25519,  # 1.3.101.112
    b"\x13\x0cedwards25519": KeyAlgorithm.ED25519,  # PKCS#11 3.0 also allows the curve's name
}
_DIGESTS: Final = {KeyAlgorithm.P256: hashlib.sha256, KeyAlgorithm.P384: hashlib.sha384}


def is_pkcs11_uri(value: str) -> bool:
    """Tell whether ``value`` is a PKCS#11 URI.

    >>> is_pkcs11_uri("pkcs11:token=T;object=k"), is_pkcs11_uri("key.json")
    (True, False)
    """
    return value[:7].lower() == "pkcs11:"


@dataclass(frozen=True, slots=True)
class Pkcs11Uri:
    """The parts of a PKCS#11 URI that find a signing key (RFC 7512)."""

    text: str
    token: str | None = None
    object: str | None = None
    id: bytes | None = None
    module_path: str | None = None
    pin_source: str | None = None

    @classmethod
    def parse(cls, text: str) -> Self:
        """Read a ``pkcs11:`` URI.

        >>> Pkcs11Uri.parse("pkcs11:token=My%20HSM;object=k1;id=%01%02").id
        b'\\x01\\x02'

        Raises:
            ValueError: not a PKCS#11 URI, a repeated or malformed attribute, a
                ``pin-value`` (the PIN is never stored), a ``type`` other than
                ``private``, or no ``object`` nor ``id`` to find the key by.
        """
        if not is_pkcs11_uri(text):
            raise ValueError(f"{text!r} is not a PKCS#11 URI (pkcs11:token=...;object=...)")
        path, _, query = text[7:].partition("?")
        found: dict[str, bytes] = {}
        for part, separator in ((path, ";"), (query, "&")):
            for item in filter(None, part.split(separator)):
                name, equals, value = item.partition("=")
                name = name.strip().lower()
                if not equals or not name:
                    raise ValueError(f"PKCS#11 URI: {item!r} is not name=value")
                if name in found:
                    raise ValueError(f"PKCS#11 URI: {name} is given twice")
                found[name] = unquote_to_bytes(value)
        if "pin-value" in found:
            raise ValueError(
                f"PKCS#11 URI: pin-value would store the PIN; set {PIN_ENV} "
                "or give pin-source=file:/path instead"
            )
        if found.get("type", b"private") != b"private":
            raise ValueError("PKCS#11 URI: type must be private (the signing key)")

        def text_of(name: str) -> str | None:
            value = found.get(name)
            if value is None:
                return None
            try:
                return value.decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError(f"PKCS#11 URI: {name} is not UTF-8") from None

        uri = cls(
            text=text,
            token=text_of("token"),
            object=text_of("object"),
            id=found.get("id"),
            module_path=text_of("module-path"),
            pin_source=text_of("pin-source"),
        )
        if uri.object is None and uri.id is None:
            raise ValueError("PKCS#11 URI: name the key with object=LABEL or id=...")
        return uri


def _unwrap_octet_string(data: bytes) -> bytes:
    """Return the point inside CKA_EC_POINT's DER OCTET STRING (or ``data`` if bare)."""
    if len(data) >= 2 and data[0] == 0x04:
        length, start = data[1], 2
        if length & 0x80:
            size = length & 0x7F
            length, start = int.from_bytes(data[2 : 2 + size], "big"), 2 + size
        if start + length == len(data):
            return data[start:]
    return data


_TRANSIENT: Final = ("GeneralError", "DeviceError", "UserPinNotInitialized", "TokenNotRecognised")
_ATTEMPTS: Final = 5


_T = TypeVar("_T")


def _retrying(call: Callable[[], _T]) -> _T:
    """Run ``call``, again after a pause when the token reports a transient error.

    A file-backed token (SoftHSM2) read while another process writes it
    answers ``CKR_GENERAL_ERROR`` or a wrong state for a moment. A wrong
    PIN is never retried: tokens lock after a few.
    """
    for attempt in range(_ATTEMPTS):
        try:
            return call()
        except Exception as exc:
            if type(exc).__name__ not in _TRANSIENT or attempt == _ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


_libraries: dict[tuple[int, str], Any] = {}
_libraries_lock = threading.Lock()


def _pkcs11() -> Any:
    try:
        import pkcs11
    except ImportError:
        raise KeyFormatError(
            "PKCS#11 support is not installed: pip install 'passeport[hsm]'", where="key"
        ) from None
    return pkcs11


_sessions: dict[tuple[int, str, str | None], tuple[Any, threading.Lock]] = {}


def _logged_in(
    module: str, label: str | None, pin: Callable[[], str]
) -> tuple[Any, threading.Lock]:
    """Return this process's logged-in session with a token, opening it once.

    PKCS#11 login belongs to the application, not the session: every key of
    one token shares one session, and its signing calls one lock.
    """
    key = (os.getpid(), module, label)
    with _libraries_lock:
        found = _sessions.get(key)
    if found is not None:
        return found
    secret = pin()

    def login() -> Any:
        return _library(module).get_token(token_label=label).open(user_pin=secret)

    opened = (_retrying(login), threading.Lock())
    with _libraries_lock:
        return _sessions.setdefault(key, opened)


def close_sessions() -> None:
    """Close this process's sessions with every token, which logs it out of them."""
    with _libraries_lock:
        mine = [key for key in _sessions if key[0] == os.getpid()]
        closing = [_sessions.pop(key)[0] for key in mine]
    for session in closing:
        session.close()


def _library(module: str) -> Any:
    pkcs11 = _pkcs11()
    with _libraries_lock:
        key = (os.getpid(), module)
        if key not in _libraries:
            _libraries[key] = pkcs11.lib(module)
        return _libraries[key]


class TokenKey:
    """A signing key held in a PKCS#11 token, named by a URI: a :class:`proofs.suite.Signer`.

    Build one with :meth:`open`; ``controller`` and ``verification_method``
    are the DID and the verification method the profile gives it.
    """

    def __init__(
        self,
        uri: Pkcs11Uri,
        public_key: PublicKey,
        *,
        controller: str,
        verification_method: str,
        module: str,
    ) -> None:
        """Hold what is known of the key; the token is opened at the first signature."""
        self.uri = uri
        self._public_key = public_key
        self.controller = controller
        self.verification_method = verification_method
        self._module = module
        self._opened: tuple[Any, threading.Lock, Any] | None = None  # session, lock, key

    @property
    def public_key(self) -> PublicKey:
        """The public half of the key, as the token gave it."""
        return self._public_key

    @property
    def algorithm(self) -> KeyAlgorithm:
        """The key's algorithm."""
        return self._public_key.algorithm

    def __repr__(self) -> str:
        return f"TokenKey({self.uri.text!r}, {self.algorithm})"

    @staticmethod
    def module_of(uri: Pkcs11Uri) -> str:
        """Return the PKCS#11 library of ``uri``: its module-path, else ``PASSEPORT_PKCS11_MODULE``.

        Raises:
            KeyFormatError: neither names a library file.
        """
        module = uri.module_path or os.environ.get(MODULE_ENV)
        if not module:
            raise KeyFormatError(
                f"no PKCS#11 library: add module-path=... to the URI or set {MODULE_ENV}",
                where=uri.text,
            )
        if not Path(module).is_file():
            raise KeyFormatError(f"no PKCS#11 library at {module}", where=uri.text)
        return module

    @classmethod
    def read_public_key(cls, uri: str | Pkcs11Uri) -> PublicKey:
        """Read the public key of the key ``uri`` names from its token (no PIN needed).

        Raises:
            KeyFormatError: a malformed URI, no library, token or key, or a key
                that is not Ed25519, P-256 or P-384.
        """
        parsed = uri if isinstance(uri, Pkcs11Uri) else _parse(uri)
        pkcs11 = _pkcs11()
        Attribute = pkcs11.Attribute
        ObjectClass = pkcs11.ObjectClass

        module = cls.module_of(parsed)

        def read() -> tuple[bytes, bytes]:
            token = _library(module).get_token(token_label=parsed.token)
            with token.open() as session:
                found = session.get_key(object_class=ObjectClass.PUBLIC_KEY, **_search(parsed))
                return bytes(found[Attribute.EC_PARAMS]), bytes(found[Attribute.EC_POINT])

        try:
            params, wrapped = _retrying(read)
            point = _unwrap_octet_string(wrapped)
        except pkcs11.PKCS11Error as exc:
            raise KeyFormatError(
                f"cannot read the public key from the token: {_describe(exc)}", where=parsed.text
            ) from None
        algorithm = _CURVE_OIDS.get(params)
        if algorithm is None:
            raise KeyFormatError(
                "the token's key is not Ed25519, P-256 or P-384", where=parsed.text
            )
        return PublicKey.from_raw(algorithm, point)

    @classmethod
    def open(
        cls,
        uri: str,
        *,
        controller: str,
        verification_method: str,
        public_key: PublicKey | None = None,
    ) -> Self:
        """Return the signer of the key ``uri`` names.

        Args:
            public_key: the key the profile expects; when given the token is
                not read now, and a token key that differs is refused at the
                first signature.

        Raises:
            KeyFormatError: a malformed URI, or (without ``public_key``) the
                public key cannot be read from the token.
        """
        parsed = _parse(uri)
        module = cls.module_of(parsed)
        key = public_key if public_key is not None else cls.read_public_key(parsed)
        return cls(
            parsed,
            key,
            controller=controller,
            verification_method=verification_method,
            module=module,
        )

    def _pin(self) -> str:
        pin = os.environ.get(PIN_ENV)
        if pin:
            return pin
        source = self.uri.pin_source
        if source:
            path = source[5:] if source.startswith("file:") else source
            try:
                with open(path, "rb") as handle:
                    data = handle.read(_MAX_PIN_FILE)
            except OSError as exc:
                raise SigningError(
                    f"cannot read the PIN file: {exc.strerror}", where=self.uri.text
                ) from None
            return data.decode("utf-8", "replace").strip("\r\n")
        raise SigningError(
            f"the token needs a PIN: set {PIN_ENV} or add pin-source=file:/path to the URI",
            where=self.uri.text,
        )

    def _private_key(self) -> tuple[threading.Lock, Any]:
        pkcs11 = _pkcs11()
        ObjectClass = pkcs11.ObjectClass

        key = (os.getpid(), self._module, self.uri.token)
        with _libraries_lock:
            current = _sessions.get(key)
        if self._opened is not None and current is not None and self._opened[0] is current[0]:
            return self._opened[1], self._opened[2]
        on_token = self.read_public_key(self.uri)
        if on_token != self._public_key:
            raise KeyFormatError(
                f"the token's key is not {self.verification_method}'s key", where=self.uri.text
            )
        try:
            session, lock = _logged_in(self._module, self.uri.token, self._pin)
            search = _search(self.uri)
            with lock:
                private = _retrying(
                    lambda: session.get_key(object_class=ObjectClass.PRIVATE_KEY, **search)
                )
        except pkcs11.PKCS11Error as exc:
            raise SigningError(
                f"cannot use the token: {_describe(exc)}", where=self.uri.text
            ) from None
        self._opened = (session, lock, private)
        return lock, private

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` in the token: Ed25519 raw, or ECDSA raw ``r || s`` over its digest.

        Raises:
            SigningError: no PIN, a wrong PIN, or the token refuses to sign.
        """
        pkcs11 = _pkcs11()
        Mechanism = pkcs11.Mechanism

        algorithm = self.algorithm
        lock, private = self._private_key()
        with lock:
            try:
                if algorithm is KeyAlgorithm.ED25519:
                    signature = private.sign(data, mechanism=Mechanism.EDDSA)
                else:
                    digest = _DIGESTS[algorithm](data).digest()
                    signature = private.sign(digest, mechanism=Mechanism.ECDSA)
            except pkcs11.PKCS11Error as exc:
                raise SigningError(
                    f"the token refused to sign: {_describe(exc)}", where=self.uri.text
                ) from None
        return bytes(signature)


def _parse(uri: str) -> Pkcs11Uri:
    try:
        return Pkcs11Uri.parse(uri)
    except ValueError as exc:
        raise KeyFormatError(str(exc), where="key") from None


def _search(uri: Pkcs11Uri) -> dict[str, Any]:
    search: dict[str, Any] = {}
    if uri.object is not None:
        search["label"] = uri.object
    if uri.id is not None:
        search["id"] = uri.id
    return search


def _describe(exc: Exception) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
