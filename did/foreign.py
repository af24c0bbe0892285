"""Keys made elsewhere: a private JWK or a PEM file, read as a :class:`PrivateKey`.

An issuer often has its signing key already, from an HSM export, OpenSSL or
another toolkit. ``passeport key import`` reads it once and writes our key
file. Accepted: a JWK with its private member ``d`` (OKP Ed25519, EC P-256 or
P-384), or a PEM private key (PKCS#8, SEC 1 ``EC PRIVATE KEY``), encrypted or
not. Anything else (a public key, RSA, another curve, a certificate) is
refused in one line that says what was found.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from passeport._io import parse_json
from passeport.did.jwk import private_from_jwk
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import InputError, KeyFormatError

__all__ = ["MAX_FOREIGN_KEY_BYTES", "read_private_key", "read_private_key_file"]

MAX_FOREIGN_KEY_BYTES: Final = 64 * 1024
"""The largest key file read: a key is a few hundred bytes."""


def read_private_key(data: bytes, *, where: str, password: bytes | None = None) -> PrivateKey:
    """Return the private key held in ``data``: a private JWK or a PEM private key.

    Args:
        data: the file's bytes.
        where: the file's name, for messages.
        password: the passphrase of an encrypted PEM key.

    Raises:
        InputError: too large, neither JSON nor PEM, or an encrypted key without
            (or with a wrong) passphrase.
        KeyFormatError: a public key only, or a key type passeport does not sign with.
    """
    if len(data) > MAX_FOREIGN_KEY_BYTES:
        raise InputError(f"larger than {MAX_FOREIGN_KEY_BYTES} bytes: not a key", where=where)
    text = data.lstrip()
    if text.startswith((b"{", b"[")):
        document = parse_json(data, where=where)
        if not isinstance(document, dict):
            raise InputError("not a JWK (a JSON object)", where=where)
        if "d" not in document:
            raise KeyFormatError("a public JWK: the private member 'd' is missing", where=where)
        return private_from_jwk(document, where=where)
    if text.startswith(b"-----BEGIN"):
        return _from_pem(data, where=where, password=password)
    raise InputError("neither a JWK (JSON) nor a PEM private key", where=where)


def read_private_key_file(path: Path, *, password: bytes | None = None) -> PrivateKey:
    """Return the private key held in the file ``path`` (see :func:`read_private_key`).

    Raises:
        InputError: a missing or unreadable file, or as :func:`read_private_key`.
        KeyFormatError: as :func:`read_private_key`.
    """
    where = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FOREIGN_KEY_BYTES + 1)
    except FileNotFoundError:
        raise InputError("no such file", where=where) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=where) from None
    return read_private_key(data, where=where, password=password)


def _from_pem(data: bytes, *, where: str, password: bytes | None) -> PrivateKey:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    if b"PRIVATE KEY-----" not in data:
        kind = data.split(b"-----BEGIN ", 1)[1].split(b"-----", 1)[0].decode("ascii", "replace")
        raise KeyFormatError(f"a PEM {kind[:40]}, not a private key", where=where)
    try:
        key = load_pem_private_key(data, password=password)
    except TypeError:  # encrypted without a password, or a password for a clear key
        if password is None:
            raise InputError(
                "an encrypted key: set PASSEPORT_KEY_PASSPHRASE to its passphrase", where=where
            ) from None
        raise InputError(
            "this key is not encrypted: unset PASSEPORT_KEY_PASSPHRASE", where=where
        ) from None
    except UnsupportedAlgorithm as exc:
        raise KeyFormatError(f"a key type passeport cannot read ({exc})", where=where) from None
    except ValueError:
        if password is not None and b"ENCRYPTED" in data:
            raise InputError("wrong passphrase for this encrypted key", where=where) from None
        raise InputError("a damaged or unreadable PEM private key", where=where) from None
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return PrivateKey.from_raw(KeyAlgorithm.ED25519, key.private_bytes_raw())
    if isinstance(key, ec.EllipticCurvePrivateKey):
        curves = {"secp256r1": KeyAlgorithm.P256, "secp384r1": KeyAlgorithm.P384}
        algorithm = curves.get(key.curve.name)
        if algorithm is None:
            raise KeyFormatError(
                f"an EC key on {key.curve.name}: passeport signs with P-256 or P-384", where=where
            )
        size = (key.curve.key_size + 7) // 8
        secret = key.private_numbers().private_value.to_bytes(size, "big")
        return PrivateKey.from_raw(algorithm, secret)
    kind = type(key).__name__.removeprefix("_").replace("PrivateKey", "")
    raise KeyFormatError(f"a {kind} key: passeport signs with Ed25519, P-256 or P-384", where=where)
