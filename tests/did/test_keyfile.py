"""did.keyfile: key pairs, Multikey key documents, and key files on disk."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from passeport.did import (
    DidResolver,
    KeyAlgorithm,
    KeyPair,
    decode_public,
    encode_private,
    encode_public,
    read_key_file,
    write_key_file,
)
from passeport.errors import InputError, KeyFormatError, ResolutionError
from tests.did._data import ALGORITHMS, INTEROP_KEYS, VECTORS, fixed_key, load_json


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("method", ["key", "jwk"])
def test_generated_pairs_resolve(algorithm: KeyAlgorithm, method: str) -> None:
    pair = KeyPair.generate(algorithm, method=method)
    document, vm = DidResolver().resolve_verification_method(pair.verification_method)
    assert document.id == pair.controller
    assert vm.public_key == pair.public_key
    assert document.authorizes(pair.verification_method, "assertionMethod")


def test_did_web_pair() -> None:
    pair = KeyPair.from_private_key(fixed_key(KeyAlgorithm.P256), method="web:example.com:uni")
    assert pair.controller == "did:web:example.com:uni"
    assert pair.verification_method == "did:web:example.com:uni#key-1"
    with pytest.raises(ValueError, match="unknown DID method"):
        KeyPair.generate(KeyAlgorithm.P256, method="ion")
    with pytest.raises(ResolutionError):
        KeyPair.generate(KeyAlgorithm.P256, method="web:bad host")


def test_to_document_shape() -> None:
    key = fixed_key(KeyAlgorithm.ED25519)
    pair = KeyPair.from_private_key(key)
    multikey = encode_public(key.public_key)
    public = {
        "@context": "https://w3id.org/security/multikey/v1",
        "id": f"did:key:{multikey}#{multikey}",
        "type": "Multikey",
        "controller": f"did:key:{multikey}",
        "publicKeyMultibase": multikey,
    }
    assert pair.to_document(include_secret=False) == public
    assert pair.to_document(include_secret=True) == {
        **public,
        "secretKeyMultibase": encode_private(key),
    }
    assert list(pair.to_document(include_secret=True)) == [*public, "secretKeyMultibase"]


@pytest.mark.parametrize("path", sorted(INTEROP_KEYS.glob("*.json")), ids=lambda p: p.stem)
def test_from_interop_key_files(path: Path) -> None:
    data = load_json(path)
    document = {
        "@context": "https://w3id.org/security/multikey/v1",
        "id": data["verificationMethod"],
        "type": "Multikey",
        "controller": data["controller"],
        "publicKeyMultibase": data["publicKeyMultibase"],
        "secretKeyMultibase": data["secretKeyMultibase"],
    }
    pair = KeyPair.from_document(document)
    assert pair.controller == data["did"]
    assert pair.verification_method == data["verificationMethod"]
    assert pair.to_document(include_secret=True) == document


def test_from_eddsa_vector_spelling() -> None:
    data = load_json(VECTORS / "eddsa-rdfc-2022" / "keyPair.json")
    pair = KeyPair.from_document(data)
    assert pair.controller == "did:key:" + data["publicKeyMultibase"]
    assert pair.public_key == decode_public(data["publicKeyMultibase"])


def _document(**changes: object) -> dict[str, object]:
    pair = KeyPair.from_private_key(fixed_key(KeyAlgorithm.P256))
    document: dict[str, object] = dict(pair.to_document(include_secret=True))
    document.update(changes)
    return {k: v for k, v in document.items() if v is not None}


OTHER = KeyPair.from_private_key(fixed_key(KeyAlgorithm.P256, seed=9))


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        (_document(secretKeyMultibase=None), "no secretKeyMultibase"),
        (_document(publicKeyMultibase=encode_public(OTHER.public_key)), "does not match"),
        (_document(controller=OTHER.controller, id=OTHER.verification_method), "not the did:key"),
        (_document(id="did:key:zOther#1"), "is not a verification method of"),
        (_document(id=None), "both 'id' and 'controller'"),
        (_document(type="JsonWebKey"), "is not Multikey"),
        (_document(controller="mailto:x", id="mailto:x#1"), "is not a DID"),
        (_document(secretKeyMultibase="z3u2"), "secret key value"),
    ],
)
def test_bad_key_documents(document: dict[str, object], fragment: str) -> None:
    with pytest.raises(KeyFormatError) as caught:
        KeyPair.from_document(document, where="key.json")
    assert str(caught.value).startswith("key.json: ")
    assert fragment in str(caught.value)


def test_jwk_controller_must_be_this_key() -> None:
    mine = KeyPair.from_private_key(fixed_key(KeyAlgorithm.P256), method="jwk")
    other = KeyPair.from_private_key(fixed_key(KeyAlgorithm.P256, seed=9), method="jwk")
    document = mine.to_document(include_secret=True)
    assert KeyPair.from_document(document) == mine
    document.update(controller=other.controller, id=other.verification_method)
    with pytest.raises(KeyFormatError, match="not the did:jwk"):
        KeyPair.from_document(document)


def test_relative_id_is_made_absolute() -> None:
    pair = KeyPair.from_document(_document(controller="did:web:a.example", id="#key-1"))
    assert pair.verification_method == "did:web:a.example#key-1"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_write_then_read(tmp_path: Path, algorithm: KeyAlgorithm) -> None:
    pair = KeyPair.from_private_key(fixed_key(algorithm))
    path = tmp_path / "key.json"
    write_key_file(path, pair)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_key_file(path) == pair
    assert json.loads(path.read_text())["secretKeyMultibase"] == encode_private(pair.private_key)
    assert [p.name for p in tmp_path.iterdir()] == ["key.json"]  # no temporary left behind


def test_write_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    first = KeyPair.from_private_key(fixed_key(KeyAlgorithm.ED25519))
    second = KeyPair.from_private_key(fixed_key(KeyAlgorithm.ED25519, seed=9))
    write_key_file(path, first)
    with pytest.raises(InputError) as caught:
        write_key_file(path, second)
    assert str(caught.value).startswith(f"{path}: ")
    assert read_key_file(path) == first
    write_key_file(path, second, overwrite=True)
    assert read_key_file(path) == second
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["key.json"]


def test_write_into_missing_directory(tmp_path: Path) -> None:
    path = tmp_path / "nope" / "key.json"
    with pytest.raises(InputError, match="cannot create key file"):
        write_key_file(path, KeyPair.generate(KeyAlgorithm.ED25519))


def test_read_errors(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    with pytest.raises(InputError) as caught:
        read_key_file(missing)
    assert str(caught.value) == f"{missing}: no such key file"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        read_key_file(bad)
    bad.write_text("[]")
    with pytest.raises(InputError, match="not a JSON object"):
        read_key_file(bad)
    bad.write_text(json.dumps({"secretKeyMultibase": "nope"}))
    with pytest.raises(KeyFormatError) as key_error:
        read_key_file(bad)
    assert str(key_error.value).startswith(f"{bad}: ")
    with pytest.raises(InputError, match="cannot read"):
        read_key_file(tmp_path)
