"""The did:web method: a DID document hosted over HTTPS at a well-known place.

Spec: https://w3c-ccg.github.io/did-method-web/. ``did:web:example.com`` lives at
``https://example.com/.well-known/did.json``; ``did:web:example.com:users:alice``
at ``https://example.com/users/alice/did.json``; a port is written ``%3A``.
This module builds DIDs, URLs and documents and checks a fetched body; the
fetching itself belongs to the caller's :class:`did.resolve.Fetcher`.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import quote, unquote

from passeport._io import parse_json
from passeport._json import JsonObject
from passeport.did._document import MULTIKEY_V1, SIGNING_RELATIONSHIPS, single_key_document
from passeport.did.keys import PublicKey
from passeport.did.multikey import encode_public
from passeport.errors import InputError, ResolutionError

__all__ = ["did_web", "did_web_document", "did_web_url", "parse_did_web_document"]

_PREFIX: Final = "did:web:"
_HOST: Final = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::[0-9]{1,5})?"
)
_SEGMENT: Final = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=@%-]+")


def _check_segment(segment: str, did: str) -> str:
    if not _SEGMENT.fullmatch(segment) or segment in (".", ".."):
        raise ResolutionError(f"{did!r}: invalid did:web path segment {segment!r}")
    return segment


def did_web(host: str, path: str | None = None) -> str:
    """Return the did:web DID for ``host`` (optionally ``host:port``) and an optional path.

    ``did_web("example.com:8443", "users/alice")`` is
    ``did:web:example.com%3A8443:users:alice``.

    Raises:
        ValueError: ``host`` is not a host name, or ``path`` has an empty or dot segment.
    """
    if not _HOST.fullmatch(host):
        raise ValueError(f"{host!r} is not a host name (with an optional :port)")
    did = _PREFIX + host.lower().replace(":", "%3A")
    if path is not None and path.strip("/"):
        for segment in path.strip("/").split("/"):
            encoded = quote(segment, safe="")
            if not segment or segment in (".", ".."):
                raise ValueError(f"{path!r}: empty or dot path segment")
            did += ":" + encoded
    return did


def did_web_url(did: str) -> str:
    """Return the HTTPS URL where the document of a did:web DID is hosted (did:web 3.2.1).

    Raises:
        ResolutionError: ``did`` is not a valid did:web DID.
    """
    if not isinstance(did, str) or not did.startswith(_PREFIX):
        raise ResolutionError(f"{did!r} is not a did:web DID")
    if any(c in did for c in "#?/"):
        raise ResolutionError(f"{did!r} is not a plain did:web DID (no path, query or fragment)")
    # did:web 3.2.1 step 1-2: split on ":", the first segment is the host.
    host_part, *segments = did[len(_PREFIX) :].split(":")
    # Step 3: percent-decode the port separator.
    host = unquote(host_part)
    if not _HOST.fullmatch(host):
        raise ResolutionError(f"{did!r}: {host!r} is not a host name")
    # Step 4-5: path segments, or /.well-known when there are none; then /did.json.
    path = "/".join(_check_segment(s, did) for s in segments) if segments else ".well-known"
    return f"https://{host.lower()}/{path}/did.json"


def did_web_document(did: str, public: PublicKey, *, fragment: str = "key-1") -> JsonObject:
    """Return the DID document to host for ``did``, with ``public`` as Multikey ``did#fragment``.

    The method is listed under authentication, assertionMethod, capabilityDelegation
    and capabilityInvocation.

    Raises:
        ResolutionError: ``did`` is not a valid did:web DID.
        ValueError: ``fragment`` is empty or contains ``#``.
    """
    did_web_url(did)
    if not fragment or "#" in fragment:
        raise ValueError(f"invalid fragment {fragment!r}")
    method: JsonObject = {
        "id": f"{did}#{fragment}",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": encode_public(public),
    }
    return single_key_document(
        did, context=MULTIKEY_V1, method=method, relationships=SIGNING_RELATIONSHIPS
    )


def parse_did_web_document(did: str, body: bytes, *, max_bytes: int, url: str) -> JsonObject:
    """Check a fetched did:web body: size, UTF-8 JSON object, and ``id`` equal to ``did``.

    Raises:
        ResolutionError: naming ``url``, when any check fails.
    """
    if len(body) > max_bytes:
        raise ResolutionError(f"DID document is larger than {max_bytes} bytes", where=url)
    try:
        document = parse_json(body, where=url, max_bytes=max_bytes)
    except InputError as exc:
        reason = f"DID document for {did} is not valid JSON: {exc.message}"
        raise ResolutionError(reason, where=url) from None
    if not isinstance(document, dict):
        raise ResolutionError(f"DID document for {did} is not a JSON object", where=url)
    if document.get("id") != did:
        raise ResolutionError(
            f"DID document id {str(document.get('id'))[:80]!r} is not {did!r}", where=url
        )
    return document
