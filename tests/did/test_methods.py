"""did.key, did.jwk_method and did.web: DIDs and the documents they resolve to."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from passeport.did import (
    KeyAlgorithm,
    decode_private,
    did_jwk,
    did_jwk_document,
    did_key,
    did_key_document,
    did_web,
    did_web_document,
    did_web_url,
    public_to_jwk,
)
from passeport.did.jwk_method import did_jwk_public_key
from passeport.did.key import did_key_public_key
from passeport.did.web import parse_did_web_document
from passeport.errors import KeyFormatError, ResolutionError
from tests.did._data import ALGORITHMS, DIDWEB, INTEROP_KEYS, fixed_key, load_json

RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "capabilityDelegation",
    "capabilityInvocation",
)


@pytest.mark.parametrize("path", sorted(INTEROP_KEYS.glob("*.json")), ids=lambda p: p.stem)
def test_interop_dids_and_documents(path: Path) -> None:
    data = load_json(path)
    public = decode_private(data["secretKeyMultibase"]).public_key
    if data["did"].startswith("did:key:"):
        assert did_key(public) == data["did"]
        assert did_key_document(data["did"]) == data["didDocument"]
        assert data["didDocument"]["verificationMethod"][0]["id"] == data["verificationMethod"]
    else:
        assert did_web("university.example") == data["did"]
        document = did_web_document(data["did"], public)
        assert document == data["didDocument"]
        assert document == load_json(DIDWEB / "university.example.json")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_did_key_round_trip(algorithm: KeyAlgorithm) -> None:
    public = fixed_key(algorithm).public_key
    did = did_key(public)
    assert did_key_public_key(did) == public
    document = did_key_document(did)
    methods: Any = document["verificationMethod"]
    vm_id = methods[0]["id"]
    assert vm_id == did + "#" + did.removeprefix("did:key:")
    assert all(document[r] == [vm_id] for r in RELATIONSHIPS)


@pytest.mark.parametrize(
    "did",
    ["did:web:example.com", "did:key:", "did:key:z6Mk#frag", "did:key:zzzz", "did:key:abc"],
)
def test_bad_did_key(did: str) -> None:
    with pytest.raises((ResolutionError, KeyFormatError)):
        did_key_document(did)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_did_jwk_round_trip(algorithm: KeyAlgorithm) -> None:
    public = fixed_key(algorithm).public_key
    did = did_jwk(public)
    value = did.removeprefix("did:jwk:")
    assert "=" not in value
    decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    jwk = public_to_jwk(public)
    assert decoded == json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode()
    assert did_jwk_public_key(did) == public
    document = did_jwk_document(did)
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/jwk/v1",
    ]
    assert document["verificationMethod"] == [
        {"id": did + "#0", "type": "JsonWebKey", "controller": did, "publicKeyJwk": jwk}
    ]
    assert all(document[r] == [did + "#0"] for r in RELATIONSHIPS)
    assert document["keyAgreement"] == [did + "#0"]  # no "use": the spec lists it too


def _jwk_did(jwk: Mapping[str, object]) -> str:
    body = json.dumps(jwk, separators=(",", ":")).encode()
    return "did:jwk:" + base64.urlsafe_b64encode(body).decode().rstrip("=")


def test_did_jwk_use_sig_has_only_signing_relationships() -> None:
    jwk = {**public_to_jwk(fixed_key(KeyAlgorithm.P256).public_key), "use": "sig"}
    document = did_jwk_document(_jwk_did(jwk))
    assert "keyAgreement" not in document
    assert all(r in document for r in RELATIONSHIPS)


def test_did_jwk_spec_example_resolves() -> None:
    """The P-256 example of the did:jwk spec (its JWK is not in sorted order)."""
    did = (
        "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6"
        "OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
    )
    document = did_jwk_document(did)
    methods: Any = document["verificationMethod"]
    assert methods[0]["publicKeyJwk"]["crv"] == "P-256"


def test_did_jwk_context_defines_its_terms() -> None:
    bundled = resources.files("passeport.contexts").joinpath("bundled", "jwk-v1.jsonld")
    context = bundled.read_text("utf-8")
    assert '"JsonWebKey"' in context
    assert '"publicKeyJwk"' in context


@pytest.mark.parametrize(
    ("did", "error"),
    [
        ("did:key:z6Mk", ResolutionError),
        ("did:jwk:", ResolutionError),
        ("did:jwk:!!!", KeyFormatError),
        ("did:jwk:" + base64.urlsafe_b64encode(b"[1]").decode().rstrip("="), KeyFormatError),
        ("did:jwk:" + base64.urlsafe_b64encode(b"\xff\xfe").decode().rstrip("="), KeyFormatError),
        (_jwk_did({"kty": "oct", "k": "AAAA"}), KeyFormatError),
    ],
)
def test_bad_did_jwk(did: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        did_jwk_document(did)


def test_did_jwk_refuses_private_material() -> None:
    from passeport.did import private_to_jwk

    jwk = private_to_jwk(fixed_key(KeyAlgorithm.ED25519))
    with pytest.raises(KeyFormatError, match="private key material"):
        did_jwk_document(_jwk_did(jwk))


@pytest.mark.parametrize(
    ("host", "path", "did", "url"),
    [
        ("w3c-ccg.github.io", None, "did:web:w3c-ccg.github.io",
         "https://w3c-ccg.github.io/.well-known/did.json"),
        ("w3c-ccg.github.io", "user/alice", "did:web:w3c-ccg.github.io:user:alice",
         "https://w3c-ccg.github.io/user/alice/did.json"),
        ("example.com:3000", "/user/alice/", "did:web:example.com%3A3000:user:alice",
         "https://example.com:3000/user/alice/did.json"),
    ],
)  # fmt: skip
def test_did_web_spec_examples(host: str, path: str | None, did: str, url: str) -> None:
    assert did_web(host, path) == did
    assert did_web_url(did) == url


@pytest.mark.parametrize("host", ["", "exa mple.com", "example.com/x", "-bad.com", "a:b:c"])
def test_did_web_bad_host(host: str) -> None:
    with pytest.raises(ValueError):
        did_web(host)


@pytest.mark.parametrize(
    "did",
    [
        "did:key:z6Mk",
        "did:web:",
        "did:web:example.com#key-1",
        "did:web:example.com:..:etc",
        "did:web:example.com::x",
        "did:web:exa%2Fmple.com",
    ],
)
def test_did_web_bad_did(did: str) -> None:
    with pytest.raises(ResolutionError):
        did_web_url(did)


def test_parse_did_web_document() -> None:
    did, url = "did:web:example.com", "https://example.com/.well-known/did.json"
    good = json.dumps({"id": did}).encode()
    assert parse_did_web_document(did, good, max_bytes=1000, url=url) == {"id": did}
    for body, fragment in [
        (good, "larger than 10 bytes"),
        (b"{not json", "not valid JSON"),
        (b"[]", "not a JSON object"),
        (json.dumps({"id": "did:web:evil.example"}).encode(), "is not 'did:web:example.com'"),
    ]:
        limit = 10 if fragment.startswith("larger") else 1000
        with pytest.raises(ResolutionError) as caught:
            parse_did_web_document(did, body, max_bytes=limit, url=url)
        assert str(caught.value).startswith(url + ": ")
        assert fragment in str(caught.value)


def test_did_web_document_bad_fragment() -> None:
    with pytest.raises(ValueError):
        did_web_document(
            "did:web:example.com", fixed_key(KeyAlgorithm.P256).public_key, fragment=""
        )
