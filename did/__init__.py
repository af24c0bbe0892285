"""Keys, their encodings (Multikey, JWK) and DIDs (did:key, did:jwk, did:web).

Everything here works offline; did:web resolution reads documents through an
injected :class:`Fetcher` (:class:`NoNetwork` by default). Errors raised are
:class:`passeport.errors.KeyFormatError`, :class:`~passeport.errors.ResolutionError`
and :class:`~passeport.errors.InputError`.

>>> from passeport.did import KeyAlgorithm, PrivateKey, did_key
>>> key = PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes(32))
>>> did_key(key.public_key)
'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from passeport._lazy import lazy_package

if TYPE_CHECKING:
    from passeport.did.jwk import private_from_jwk, private_to_jwk, public_from_jwk, public_to_jwk
    from passeport.did.jwk_method import did_jwk, did_jwk_document
    from passeport.did.key import did_key, did_key_document
    from passeport.did.keyfile import KeyPair, read_key_file, write_key_file
    from passeport.did.keys import KeyAlgorithm, PrivateKey, PublicKey
    from passeport.did.multikey import (
        decode_base58btc,
        decode_private,
        decode_public,
        encode_base58btc,
        encode_private,
        encode_public,
    )
    from passeport.did.resolve import (
        CacheDirFetcher,
        CachingFetcher,
        DidDocument,
        DidResolver,
        Fetcher,
        HttpsFetcher,
        NoNetwork,
        StaticFetcher,
        VerificationMethod,
    )
    from passeport.did.web import did_web, did_web_document, did_web_url

__all__ = [
    "CacheDirFetcher",
    "CachingFetcher",
    "DidDocument",
    "DidResolver",
    "Fetcher",
    "HttpsFetcher",
    "KeyAlgorithm",
    "KeyPair",
    "NoNetwork",
    "PrivateKey",
    "PublicKey",
    "StaticFetcher",
    "VerificationMethod",
    "decode_base58btc",
    "decode_private",
    "decode_public",
    "did_jwk",
    "did_jwk_document",
    "did_key",
    "did_key_document",
    "did_web",
    "did_web_document",
    "did_web_url",
    "encode_base58btc",
    "encode_private",
    "encode_public",
    "private_from_jwk",
    "private_to_jwk",
    "public_from_jwk",
    "public_to_jwk",
    "read_key_file",
    "write_key_file",
]

_SOURCES: dict[str, str] = {
    "CacheDirFetcher": "resolve",
    "CachingFetcher": "resolve",
    "DidDocument": "resolve",
    "DidResolver": "resolve",
    "Fetcher": "resolve",
    "HttpsFetcher": "resolve",
    "KeyAlgorithm": "keys",
    "KeyPair": "keyfile",
    "NoNetwork": "resolve",
    "PrivateKey": "keys",
    "PublicKey": "keys",
    "StaticFetcher": "resolve",
    "VerificationMethod": "resolve",
    "decode_base58btc": "multikey",
    "decode_private": "multikey",
    "decode_public": "multikey",
    "did_jwk": "jwk_method",
    "did_jwk_document": "jwk_method",
    "did_key": "key",
    "did_key_document": "key",
    "did_web": "web",
    "did_web_document": "web",
    "did_web_url": "web",
    "encode_base58btc": "multikey",
    "encode_private": "multikey",
    "encode_public": "multikey",
    "private_from_jwk": "jwk",
    "private_to_jwk": "jwk",
    "public_from_jwk": "jwk",
    "public_to_jwk": "jwk",
    "read_key_file": "keyfile",
    "write_key_file": "keyfile",
}
"""The module defining each public name ("jcs:" for a submodule itself)."""


lazy_package(__name__, _SOURCES)
