"""Keys in a hardware module: an issuer profile on SoftHSM2 signs every suite its key allows.

The token lives in a temporary folder (``SOFTHSM2_CONF``); its keys are
imported from fixed seeds, so the Ed25519 signatures can be compared with the
software key's. Without SoftHSM2 (Debian: ``apt-get install softhsm2``) or
python-pkcs11 the tests are skipped, unless ``PASSEPORT_REQUIRE_HSM=1`` (CI).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import InputError, KeyFormatError, SigningError
from passeport.issuer import issue
from passeport.issuer.hsm import MODULE_ENV, PIN_ENV, Pkcs11Uri, TokenKey, close_sessions
from passeport.issuer.profile import Profile
from passeport.issuer.statuslist import publish_status
from passeport.proofs.ecdsa_sd import derive
from passeport.proofs.mechanism import mechanisms
from passeport.proofs.sign import sign_document
from passeport.verifier import verify_credential
from tests.issuer._helpers import ISSUED_AT, class_rows, example, offline

PIN = "4321"
_PINS = ("--pin", PIN, "--so-pin", "87654321")
SEEDS = {KeyAlgorithm.ED25519: 11, KeyAlgorithm.P256: 12, KeyAlgorithm.P384: 13}
LABELS = {KeyAlgorithm.ED25519: "ed", KeyAlgorithm.P256: "p256", KeyAlgorithm.P384: "p384"}
_PARAMS = {
    KeyAlgorithm.ED25519: bytes.fromhex("06032b6570"),
    KeyAlgorithm.P256: bytes.fromhex("06082a8648ce3d030107"),
    KeyAlgorithm.P384: bytes.fromhex("06052b81040022"),
}


def _module() -> str | None:
    found = sorted(
        glob.glob("/usr/lib/softhsm/libsofthsm2.so")
        + glob.glob("/usr/lib/*/softhsm/libsofthsm2.so")
        + glob.glob("/usr/local/lib/softhsm/libsofthsm2.so")
    )
    return found[0] if found else None


def _unavailable(reason: str) -> None:
    if os.environ.get("PASSEPORT_REQUIRE_HSM") == "1":
        pytest.fail(f"SoftHSM2 required (PASSEPORT_REQUIRE_HSM=1): {reason}")
    pytest.skip(reason)


def _octet_string(data: bytes) -> bytes:
    assert len(data) < 128
    return bytes([0x04, len(data)]) + data


def _import(session: Any, algorithm: KeyAlgorithm, private: PrivateKey) -> None:
    from pkcs11 import Attribute, KeyType, ObjectClass

    key_type = KeyType.EC_EDWARDS if algorithm is KeyAlgorithm.ED25519 else KeyType.EC
    public = private.public_key
    if algorithm is KeyAlgorithm.ED25519:
        point = public.raw_bytes()
    else:
        from cryptography.hazmat.primitives import serialization

        point = public._key.public_bytes(  # the uncompressed point, as tokens hold it
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    common = {
        Attribute.KEY_TYPE: key_type,
        Attribute.TOKEN: True,
        Attribute.LABEL: LABELS[algorithm],
        Attribute.ID: bytes([SEEDS[algorithm]]),
        Attribute.EC_PARAMS: _PARAMS[algorithm],
    }
    session.create_object(
        {
            **common,
            Attribute.CLASS: ObjectClass.PRIVATE_KEY,
            Attribute.PRIVATE: True,
            Attribute.SENSITIVE: True,
            Attribute.SIGN: True,
            Attribute.VALUE: private.raw_bytes(),
        }
    )
    session.create_object(
        {
            **common,
            Attribute.CLASS: ObjectClass.PUBLIC_KEY,
            Attribute.VERIFY: True,
            Attribute.EC_POINT: _octet_string(point),
        }
    )


@pytest.fixture(scope="module")
def token() -> Iterator[str]:
    """Yield the module path of a SoftHSM2 token ``passeport`` holding the three keys."""
    module = _module()
    if module is None or shutil.which("softhsm2-util") is None:
        _unavailable("SoftHSM2 is not installed")
        return
    try:
        import pkcs11
    except ImportError:
        _unavailable("python-pkcs11 is not installed")
        return
    folder = Path(tempfile.mkdtemp(prefix="softhsm"))
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    before = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    try:
        subprocess.run(
            ["softhsm2-util", "--init-token", "--free", "--label", "passeport", *_PINS],
            check=True,
            capture_output=True,
            timeout=60,
        )
        lib = pkcs11.lib(module)
        with lib.get_token(token_label="passeport").open(rw=True, user_pin=PIN) as session:
            for algorithm in SEEDS:
                _import(session, algorithm, _software(algorithm))
        yield module
    finally:
        if before is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = before
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PIN_ENV, PIN)


def _uri(module: str, algorithm: KeyAlgorithm, extra: str = "") -> str:
    return f"pkcs11:token=passeport;object={LABELS[algorithm]}{extra}?module-path={module}"


def _software(algorithm: KeyAlgorithm) -> PrivateKey:
    size = 48 if algorithm is KeyAlgorithm.P384 else 32
    return PrivateKey.from_raw(algorithm, bytes([SEEDS[algorithm]]) * size)


# The URI ---------------------------------------------------------------------------------


def test_a_pkcs11_uri_is_read_as_rfc_7512_says() -> None:
    uri = Pkcs11Uri.parse(
        "pkcs11:token=My%20HSM;object=issuer;id=%01%ff;type=private;manufacturer=X"
        "?module-path=/lib/p11.so&pin-source=file:/run/pin"
    )
    assert (uri.token, uri.object, uri.id) == ("My HSM", "issuer", b"\x01\xff")
    assert (uri.module_path, uri.pin_source) == ("/lib/p11.so", "file:/run/pin")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pkcs11:token=T;object=k?pin-value=1234", PIN_ENV),
        ("pkcs11:token=T;object=k;type=public", "type must be private"),
        ("pkcs11:token=T", "object=LABEL or id"),
        ("pkcs11:token=T;object=a;object=b", "twice"),
        ("pkcs11:token=T;object", "name=value"),
        ("file:key.json", "not a PKCS#11 URI"),
    ],
)
def test_a_bad_pkcs11_uri_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Pkcs11Uri.parse(text)


def test_a_uri_without_a_library_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODULE_ENV, raising=False)
    with pytest.raises(KeyFormatError, match=MODULE_ENV):
        TokenKey.read_public_key("pkcs11:token=T;object=k")
    with pytest.raises(KeyFormatError, match="no PKCS#11 library"):
        TokenKey.read_public_key("pkcs11:token=T;object=k?module-path=/nonexistent.so")


# Signing in the token --------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", list(SEEDS))
def test_the_token_key_is_the_seeded_key(token: str, pin: None, algorithm: KeyAlgorithm) -> None:
    public = TokenKey.read_public_key(_uri(token, algorithm))
    assert public == _software(algorithm).public_key
    signer = TokenKey.open(_uri(token, algorithm), controller="did:x", verification_method="x#1")
    data = b"dipl\xc3\xb4me"
    signature = signer.sign(data)
    assert public.verify(signature, data)
    assert not public.verify(signature, data + b"!")
    if algorithm is KeyAlgorithm.ED25519:
        assert signature == _software(algorithm).sign(data)  # deterministic: the same bytes
    else:
        assert len(signature) == {KeyAlgorithm.P256: 64, KeyAlgorithm.P384: 96}[algorithm]
    close_sessions()
    assert public.verify(signer.sign(data), data)  # a new session after close


def test_a_key_found_by_id(token: str, pin: None) -> None:
    uri = f"pkcs11:token=passeport;id=%0c?module-path={token}"
    assert TokenKey.read_public_key(uri) == _software(KeyAlgorithm.P256).public_key


def test_no_pin_a_wrong_pin_and_a_pin_file(
    token: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(PIN_ENV, raising=False)
    close_sessions()  # logged out: the PIN is asked again
    uri = _uri(token, KeyAlgorithm.P256)
    signer = TokenKey.open(uri, controller="did:x", verification_method="x#1")
    with pytest.raises(SigningError, match=PIN_ENV):
        signer.sign(b"x")
    monkeypatch.setenv(PIN_ENV, "0000")
    with pytest.raises(SigningError, match="cannot use the token: PinIncorrect"):
        signer.sign(b"x")
    monkeypatch.delenv(PIN_ENV)
    (tmp_path / "pin").write_text(PIN + "\n")
    from_file = TokenKey.open(
        f"pkcs11:token=passeport;object=p256?module-path={token}&pin-source=file:{tmp_path}/pin",
        controller="did:x",
        verification_method="x#1",
    )
    assert from_file.public_key.verify(from_file.sign(b"x"), b"x")


def test_a_missing_key_is_one_line(token: str, pin: None) -> None:
    with pytest.raises(KeyFormatError, match="cannot read the public key") as caught:
        TokenKey.read_public_key(f"pkcs11:token=passeport;object=nope?module-path={token}")
    assert "\n" not in str(caught.value)


def test_a_token_key_that_is_not_the_profiles_is_refused(token: str, pin: None) -> None:
    signer = TokenKey.open(
        _uri(token, KeyAlgorithm.P256),
        controller="did:x",
        verification_method="x#1",
        public_key=_software(KeyAlgorithm.P384).public_key,
    )
    with pytest.raises(KeyFormatError, match="not x#1's key"):
        signer.sign(b"x")


@pytest.mark.parametrize("algorithm", list(SEEDS))
def test_data_integrity_with_the_token_matches_the_software_key(
    token: str, pin: None, algorithm: KeyAlgorithm
) -> None:
    from passeport.did.keyfile import KeyPair

    pair = KeyPair.from_private_key(_software(algorithm), method="key")
    signer = TokenKey.open(
        _uri(token, algorithm),
        controller=pair.controller,
        verification_method=pair.verification_method,
    )
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": pair.controller,
        "credentialSubject": {"id": "did:example:graduate"},
    }
    suite = "eddsa-jcs-2022" if algorithm is KeyAlgorithm.ED25519 else "ecdsa-jcs-2019"
    signed = sign_document(document, signer, suite=suite, created=ISSUED_AT)
    result = verify_credential(signed)
    failed = {c.code for c in result.failures()}
    assert "proof.signature" in {c.code for c in result.checks} - failed, result.to_json()
    if algorithm is KeyAlgorithm.ED25519:
        assert signed == sign_document(document, pair, suite=suite, created=ISSUED_AT)


# An issuer profile on the token ----------------------------------------------------------


def _suites(algorithm: KeyAlgorithm) -> list[str]:
    public = _software(algorithm).public_key
    return [m.name for m in mechanisms() if m.accepts(public)]


def test_every_key_type_allows_suites() -> None:
    assert set(_suites(KeyAlgorithm.ED25519)) >= {"eddsa-rdfc-2022", "eddsa-jcs-2022", "vc-jwt"}
    assert set(_suites(KeyAlgorithm.P256)) >= {"ecdsa-rdfc-2019", "ecdsa-sd-2023", "sd-jwt"}
    assert "ecdsa-sd-2023" in _suites(KeyAlgorithm.P384)


@pytest.mark.parametrize("algorithm", list(SEEDS))
def test_a_profile_on_the_token_signs_every_suite_its_key_allows(
    tmp_path: Path, token: str, pin: None, algorithm: KeyAlgorithm
) -> None:
    profile = Profile.create(
        tmp_path / "univ",
        name="Université Exemple",
        did="web:univ.example",
        key_uri=_uri(token, algorithm),
        secret=b"s" * 32,
    )
    assert not (tmp_path / "univ" / "key.json").exists()  # the private key stays in the token
    settings = json.loads((tmp_path / "univ" / "profile.json").read_text("utf-8"))
    assert settings["key"] == _uri(token, algorithm)
    assert settings["keyType"] == str(algorithm)
    profile = Profile.open(tmp_path / "univ")
    assert isinstance(profile.key, TokenKey)
    issued = {}
    for suite in _suites(algorithm):
        issued[suite] = issue(
            profile, "diploma", example("diploma"), suite=suite, issued_at=ISSUED_AT
        )
    public = tmp_path / "public"
    publish_status(profile, public, at=ISSUED_AT)  # the status lists, signed in the token too
    for suite, credential in issued.items():
        shown: Any = credential
        if suite == "ecdsa-sd-2023":
            shown = derive(credential, ["/credentialSubject/achievement/name"])
        result = verify_credential(shown, env=offline(public))
        assert result.verified, (suite, result.to_json())


_BATCH = """
import json, sys
from datetime import UTC, datetime
from pathlib import Path
from passeport.issuer import Profile, issue_batch

summary = issue_batch(
    Profile.open(Path(sys.argv[1])), "diploma", Path(sys.argv[2]), Path(sys.argv[3]), workers=2,
    issued_at=datetime(2026, 1, 15, 12, tzinfo=UTC),
)
print(json.dumps([summary.issued, [f.message for f in summary.failures]]))
"""


def test_a_batch_signs_in_the_token_from_its_workers(tmp_path: Path, token: str, pin: None) -> None:
    """Worker processes each open the token (a new process, as a user runs a batch)."""
    profile = Profile.create(
        tmp_path / "univ",
        name="Université Exemple",
        did="web:univ.example",
        key_uri=_uri(token, KeyAlgorithm.P256),
        secret=b"s" * 32,
    )
    rows = class_rows(tmp_path / "rows.csv", 12)
    done = subprocess.run(
        [sys.executable, "-c", _BATCH, str(profile.directory), str(rows), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [12, []], done.stdout
    publish_status(profile, tmp_path / "public", at=ISSUED_AT)
    for path in (tmp_path / "out").iterdir():
        credential = json.loads(path.read_text("utf-8"))
        assert verify_credential(credential, env=offline(tmp_path / "public")).verified


def test_a_profile_whose_token_key_was_replaced_is_refused(
    tmp_path: Path, token: str, pin: None
) -> None:
    Profile.create(
        tmp_path / "univ",
        name="Université Exemple",
        did="web:univ.example",
        key_uri=_uri(token, KeyAlgorithm.P256),
        secret=b"s" * 32,
    )
    path = tmp_path / "univ" / "profile.json"
    settings = json.loads(path.read_text("utf-8"))
    settings["key"] = _uri(token, KeyAlgorithm.P384)  # another key, same DID and public key
    path.write_text(json.dumps(settings), "utf-8")
    profile = Profile.open(tmp_path / "univ")
    with pytest.raises(KeyFormatError, match=r"not did:web:univ\.example#key-1's key"):
        issue(profile, "diploma", example("diploma"), issued_at=ISSUED_AT)
    settings["key"] = "pkcs11:token=passeport"
    path.write_text(json.dumps(settings), "utf-8")
    with pytest.raises((InputError, KeyFormatError), match="object=LABEL or id"):
        Profile.open(tmp_path / "univ")


def test_a_transient_token_error_is_retried_but_never_a_wrong_pin() -> None:
    """A file-backed token read during another process's write answers GeneralError a moment."""
    from passeport.issuer.hsm import _retrying

    class GeneralError(Exception):
        pass

    class PinIncorrect(Exception):
        pass

    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise GeneralError
        return "signed"

    assert _retrying(flaky) == "signed" and len(calls) == 3

    def wrong_pin() -> str:
        calls.append(1)
        raise PinIncorrect

    calls.clear()
    with pytest.raises(PinIncorrect):
        _retrying(wrong_pin)
    assert len(calls) == 1  # a token locks after a few wrong PINs


def test_issuer_init_with_a_key_uri_keeps_the_key_in_the_token(
    tmp_path: Path, token: str, pin: None
) -> None:
    from typer.testing import CliRunner

    from passeport.cli import app

    folder = tmp_path / "univ"
    arguments = ["issuer", "init", str(folder), "--name", "Université Exemple"]
    arguments += ["--did", "web:univ.example", "--key-uri", _uri(token, KeyAlgorithm.P256)]
    ran = CliRunner().invoke(app, arguments)
    assert ran.exit_code == 0, ran.output
    assert not (folder / "key.json").exists()  # the private key never leaves the token
    profile = Profile.open(folder)
    assert isinstance(profile.key, TokenKey)
    credential = issue(profile, "skill", example("skill"), issued_at=ISSUED_AT)
    publish_status(profile, tmp_path / "public", at=ISSUED_AT)
    assert verify_credential(credential, env=offline(tmp_path / "public")).verified
    missing = CliRunner().invoke(
        app, [*arguments[:3], str(tmp_path / "other"), *arguments[4:-1], "pkcs11:token=nope"]
    )
    assert missing.exit_code != 0 and not (tmp_path / "other" / "profile.json").exists()
