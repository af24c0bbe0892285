"""``passeport key import``: a key made elsewhere (JWK, PEM) becomes a key file that signs."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from typer.testing import CliRunner

from passeport.cli import app
from passeport.did import read_key_file
from passeport.did.foreign import read_private_key
from passeport.did.jwk import private_to_jwk
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import InputError, KeyFormatError

runner = CliRunner()
SEED = bytes(range(32))


def _pem(key: object, password: bytes | None = None, *, traditional: bool = False) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    form = (
        serialization.PrivateFormat.TraditionalOpenSSL
        if traditional
        else serialization.PrivateFormat.PKCS8
    )
    return key.private_bytes(serialization.Encoding.PEM, form, encryption)  # type: ignore[attr-defined]


def _keys() -> list[tuple[str, bytes, PrivateKey]]:
    ed = ed25519.Ed25519PrivateKey.from_private_bytes(SEED)
    p256 = ec.derive_private_key(12345678901234567890, ec.SECP256R1())
    p384 = ec.derive_private_key(98765432109876543210, ec.SECP384R1())
    ours_ed = PrivateKey.from_raw(KeyAlgorithm.ED25519, SEED)
    ours_p256 = PrivateKey.from_raw(KeyAlgorithm.P256, (12345678901234567890).to_bytes(32, "big"))
    ours_p384 = PrivateKey.from_raw(KeyAlgorithm.P384, (98765432109876543210).to_bytes(48, "big"))
    return [
        ("ed25519.pem", _pem(ed), ours_ed),
        ("p256.pem", _pem(p256), ours_p256),
        ("p256-sec1.pem", _pem(p256, traditional=True), ours_p256),
        ("p384.pem", _pem(p384), ours_p384),
        ("p256.jwk", json.dumps(private_to_jwk(ours_p256)).encode(), ours_p256),
        ("ed25519.jwk", json.dumps(private_to_jwk(ours_ed)).encode(), ours_ed),
    ]


@pytest.mark.parametrize(("name", "data", "expected"), _keys(), ids=[k[0] for k in _keys()])
def test_each_form_reads_the_same_key(name: str, data: bytes, expected: PrivateKey) -> None:
    assert read_private_key(data, where=name) == expected


def test_import_writes_a_private_key_file_that_signs(tmp_path: Path) -> None:
    source = tmp_path / "p256.pem"
    source.write_bytes(_pem(ec.derive_private_key(42, ec.SECP256R1())))
    ran = runner.invoke(app, ["key", "import", str(source), "-o", str(tmp_path / "k.json")])
    assert ran.exit_code == 0, ran.output
    pair = read_key_file(tmp_path / "k.json")
    assert pair.algorithm is KeyAlgorithm.P256 and pair.controller in ran.stdout
    assert stat.S_IMODE((tmp_path / "k.json").stat().st_mode) == 0o600
    again = runner.invoke(app, ["key", "import", str(source), "-o", str(tmp_path / "k.json")])
    assert again.exit_code != 0  # never replaced without --force
    assert read_key_file(tmp_path / "k.json") == pair


def test_an_encrypted_pem_needs_its_passphrase(tmp_path: Path) -> None:
    data = _pem(ed25519.Ed25519PrivateKey.from_private_bytes(SEED), b"s3cret passphrase")
    with pytest.raises(InputError, match="set PASSEPORT_KEY_PASSPHRASE"):
        read_private_key(data, where="k.pem")
    with pytest.raises(InputError, match="wrong passphrase"):
        read_private_key(data, where="k.pem", password=b"another")
    key = read_private_key(data, where="k.pem", password=b"s3cret passphrase")
    assert key == PrivateKey.from_raw(KeyAlgorithm.ED25519, SEED)


@pytest.mark.parametrize(
    ("data", "error", "said"),
    [
        (b'{"kty": "OKP", "crv": "Ed25519", "x": "AA"}', KeyFormatError, "private member 'd'"),
        (
            b"-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n",
            KeyFormatError,
            "a PEM CERTIFICATE, not a private key",
        ),
        (
            b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n",
            InputError,
            "damaged or unreadable",
        ),
        (b"ssh-ed25519 AAAA", InputError, "neither a JWK"),
        (b"[1, 2]", InputError, "not a JWK"),
    ],
)
def test_what_is_not_a_private_key_is_said_in_one_line(
    data: bytes, error: type[Exception], said: str
) -> None:
    with pytest.raises(error, match=said) as raised:
        read_private_key(data, where="k")
    assert str(raised.value).startswith("k: ") and "\n" not in str(raised.value)


def test_a_key_type_we_do_not_sign_with_is_named() -> None:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(KeyFormatError, match="a RSA key: passeport signs with Ed25519"):
        read_private_key(_pem(rsa_key), where="k")
    k1 = ec.generate_private_key(ec.SECP256K1())
    with pytest.raises(KeyFormatError, match="secp256k1"):
        read_private_key(_pem(k1), where="k")


def test_a_missing_key_file_is_named(tmp_path: Path) -> None:
    from passeport.did.foreign import read_private_key_file

    with pytest.raises(InputError, match=r"nope\.pem: no such file"):
        read_private_key_file(tmp_path / "nope.pem")
