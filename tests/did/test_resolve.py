"""did.resolve: fetchers, DID documents, verification methods and the resolver."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passeport.did import (
    CacheDirFetcher,
    DidDocument,
    DidResolver,
    HttpsFetcher,
    KeyAlgorithm,
    NoNetwork,
    StaticFetcher,
    did_jwk,
    did_key,
    did_web_document,
    encode_public,
    public_to_jwk,
)
from passeport.errors import KeyFormatError, PasseportError, ResolutionError
from tests.did._data import ALGORITHMS, DIDWEB, fixed_key

WEB_DID = "did:web:university.example"
WEB_URL = "https://university.example/.well-known/did.json"
WEB_BODY = (DIDWEB / "university.example.json").read_bytes()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_resolve_did_key(algorithm: KeyAlgorithm) -> None:
    public = fixed_key(algorithm).public_key
    did = did_key(public)
    resolver = DidResolver()
    vm_id = f"{did}#{encode_public(public)}"
    document, method = resolver.resolve_verification_method(vm_id)
    assert document.id == did
    assert method.public_key == public
    assert method.type == "Multikey"
    assert method.controller == did
    assert document.authorizes(vm_id, "assertionMethod")
    assert document.authorizes("#" + encode_public(public), "authentication")
    assert resolver.resolve(did) is document  # cached


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_resolve_did_jwk(algorithm: KeyAlgorithm) -> None:
    public = fixed_key(algorithm).public_key
    did = did_jwk(public)
    document, method = DidResolver().resolve_verification_method(did + "#0")
    assert method.public_key == public
    assert method.type == "JsonWebKey"
    assert document.authorizes(did + "#0", "assertionMethod")


def test_resolve_did_web_with_static_fetcher() -> None:
    resolver = DidResolver(fetcher=StaticFetcher({WEB_URL: WEB_BODY}))
    document, method = resolver.resolve_verification_method(WEB_DID + "#key-1")
    assert method.public_key.algorithm is KeyAlgorithm.ED25519
    assert document.authorizes("#key-1", "assertionMethod")
    assert not document.authorizes("#key-2", "assertionMethod")


def test_resolve_did_web_with_cache_dir(tmp_path: Path) -> None:
    public = fixed_key(KeyAlgorithm.P384).public_key
    did = "did:web:example.com%3A8443:issuers:uni"
    target = tmp_path / "example.com:8443" / "issuers" / "uni" / "did.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(did_web_document(did, public, fragment="k")))
    (tmp_path / "university.example" / ".well-known").mkdir(parents=True)
    (tmp_path / "university.example" / ".well-known" / "did.json").write_bytes(WEB_BODY)
    resolver = DidResolver(fetcher=CacheDirFetcher(tmp_path))
    assert resolver.resolve_verification_method(did + "#k")[1].public_key == public
    assert resolver.resolve(WEB_DID).id == WEB_DID


def test_cache_dir_falls_back_then_fails(tmp_path: Path) -> None:
    fetcher = CacheDirFetcher(tmp_path, fallback=StaticFetcher({WEB_URL: WEB_BODY}))
    assert fetcher.fetch(WEB_URL, max_bytes=100_000) == WEB_BODY
    with pytest.raises(ResolutionError, match="not in the cache directory"):
        CacheDirFetcher(tmp_path).fetch(WEB_URL, max_bytes=100_000)
    with pytest.raises(ResolutionError, match="not available offline"):
        CacheDirFetcher(tmp_path, fallback=NoNetwork()).fetch(WEB_URL, max_bytes=100_000)


@pytest.mark.parametrize(
    "url",
    [
        "http://university.example/did.json",
        "https://university.example/../secret/did.json",
        "https://university.example/a/%2e%2e/did.json",
        "https://university.example/a/%2Fetc/did.json",
        "https://university.example/did.json?x=1",
        "https://user@university.example/did.json",
        "https://university.example/",
        "file:///etc/passwd",
    ],
)
def test_cache_dir_refuses_escapes(tmp_path: Path, url: str) -> None:
    with pytest.raises(ResolutionError):
        CacheDirFetcher(tmp_path).fetch(url, max_bytes=1000)


def test_cache_dir_refuses_symlink_out_and_large_files(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    root = tmp_path / "cache"
    (root / "h.example").mkdir(parents=True)
    (root / "h.example" / "link.json").symlink_to(outside)
    (root / "h.example" / "big.json").write_bytes(b" " * 2000)
    fetcher = CacheDirFetcher(root)
    with pytest.raises(ResolutionError, match="outside the cache"):
        fetcher.fetch("https://h.example/link.json", max_bytes=1000)
    with pytest.raises(ResolutionError, match="larger than 1000 bytes"):
        fetcher.fetch("https://h.example/big.json", max_bytes=1000)


def test_no_network_message() -> None:
    with pytest.raises(ResolutionError) as caught:
        DidResolver().resolve(WEB_DID)
    assert str(caught.value) == (
        f"{WEB_URL}: not available offline; pass a cache directory or allow HTTPS"
    )


def test_static_fetcher_errors() -> None:
    fetcher = StaticFetcher({WEB_URL: WEB_BODY})
    with pytest.raises(ResolutionError, match="not in the static document set"):
        fetcher.fetch("https://other.example/did.json", max_bytes=10_000)
    with pytest.raises(ResolutionError, match="larger than 10 bytes"):
        fetcher.fetch(WEB_URL, max_bytes=10)


def test_resolver_size_limit() -> None:
    resolver = DidResolver(fetcher=StaticFetcher({WEB_URL: WEB_BODY}), max_bytes=100)
    with pytest.raises(ResolutionError, match="larger than 100 bytes"):
        resolver.resolve(WEB_DID)


def test_did_web_document_with_wrong_id() -> None:
    body = WEB_BODY.replace(b'"id": "did:web:university.example"', b'"id": "did:web:x.example"')
    with pytest.raises(ResolutionError, match=r"is not 'did:web:university\.example'"):
        DidResolver(fetcher=StaticFetcher({WEB_URL: body})).resolve(WEB_DID)


@pytest.mark.parametrize(
    ("did", "fragment"),
    [
        ("did:example:123", "DID method 'example' is not supported"),
        ("did:ion:abc", "'ion' is not supported"),
        ("https://example.com", "is not a DID"),
        ("did:", "is not a DID"),
        ("did:key:z6Mk#z6Mk", "is a DID URL"),
    ],
)
def test_unresolvable(did: str, fragment: str) -> None:
    with pytest.raises(ResolutionError) as caught:
        DidResolver().resolve(did)
    assert fragment in str(caught.value)


def test_unknown_method_names_the_did() -> None:
    with pytest.raises(ResolutionError) as caught:
        DidResolver().resolve("did:example:123")
    assert str(caught.value).startswith("did:example:123: ")


def test_verification_method_not_found() -> None:
    did = did_key(fixed_key(KeyAlgorithm.ED25519).public_key)
    with pytest.raises(ResolutionError, match="is not in the DID document"):
        DidResolver().resolve_verification_method(did + "#nope")
    with pytest.raises(ResolutionError, match="#fragment"):
        DidResolver().resolve_verification_method(did)


def _document(method: Mapping[str, Any], did: str = "did:web:a.example") -> DidDocument:
    return DidDocument(
        id=did,
        document={"id": did, "verificationMethod": [dict(method)], "assertionMethod": ["#k"]},
    )


def test_controller_mismatch_is_refused() -> None:
    method = {
        "id": "#k",
        "type": "Multikey",
        "controller": "did:web:evil.example",
        "publicKeyMultibase": encode_public(fixed_key(KeyAlgorithm.P256).public_key),
    }
    with pytest.raises(ResolutionError, match=r"has controller 'did:web:evil\.example'"):
        _document(method).verification_method("#k")


def test_relative_ids_and_legacy_types() -> None:
    ed = fixed_key(KeyAlgorithm.ED25519).public_key
    p256 = fixed_key(KeyAlgorithm.P256).public_key
    did = "did:web:a.example"
    legacy: Any = {
        "id": "#k",
        "type": "Ed25519VerificationKey2020",
        "controller": did,
        "publicKeyMultibase": encode_public(ed),
    }
    jws: Any = {
        "id": "#j",
        "type": "JsonWebKey2020",
        "controller": did,
        "publicKeyJwk": public_to_jwk(p256),
    }
    document = DidDocument(
        id=did,
        document={"id": did, "verificationMethod": [legacy], "authentication": [jws]},
    )
    method = document.verification_method(did + "#k")
    assert (method.id, method.public_key) == (did + "#k", ed)
    assert document.verification_method("#j").public_key == p256  # embedded in a relationship
    assert document.authorizes(did + "#j", "authentication")
    assert not document.authorizes("#k", "authentication")
    assert not document.authorizes("#j", "assertionMethod")


@pytest.mark.parametrize(
    ("method", "fragment"),
    [
        ({"type": "RsaVerificationKey2018"}, "unsupported verification method type"),
        ({"type": "Multikey"}, "no publicKeyMultibase"),
        ({"type": "JsonWebKey", "publicKeyJwk": "x"}, "no publicKeyJwk"),
        ({"type": "Multikey", "publicKeyMultibase": "zzz"}, ""),
        (
            {
                "type": "Ed25519VerificationKey2020",
                "publicKeyMultibase": encode_public(fixed_key(KeyAlgorithm.P256).public_key),
            },
            "holds a P-256 key",
        ),
    ],
)
def test_bad_verification_methods(method: dict[str, object], fragment: str) -> None:
    vm = {"id": "#k", "controller": "did:web:a.example", **method}
    with pytest.raises(KeyFormatError) as caught:
        _document(vm).verification_method("#k")
    assert fragment in str(caught.value)
    assert str(caught.value).startswith("did:web:a.example#k: ")


@pytest.mark.parametrize(
    "url", ["http://example.com/did.json", "ftp://example.com/x", "https://evil.example/did.json"]
)
def test_https_fetcher_refuses_before_connecting(url: str) -> None:
    fetcher = HttpsFetcher(allow_hosts=frozenset({"example.com"}))
    with pytest.raises(ResolutionError) as caught:
        fetcher.fetch(url, max_bytes=1000)
    assert str(caught.value).startswith(url + ": ")


# HttpsFetcher's reading, limits and errors: tests/did/test_fetch_network.py (local servers).


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.sampled_from(["did:key:", "did:jwk:", "did:web:", "did:", ""]),
    rest=st.text(max_size=60),
)
def test_only_our_errors_escape_resolution(prefix: str, rest: str) -> None:
    resolver = DidResolver(fetcher=StaticFetcher({}))
    with contextlib.suppress(PasseportError):
        resolver.resolve(prefix + rest)
    with contextlib.suppress(PasseportError):
        resolver.resolve_verification_method(prefix + rest + "#0")
