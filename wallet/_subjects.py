"""Whom a held credential is about: the DIDs of its subjects, and whether the holder is one.

VC 2.0 (https://www.w3.org/TR/vc-data-model-2.0/#credential-subject) lets a
credential have several subjects; one named by the holder's DID binds the
credential to the holder. A subject without an ``id`` (or whose id is not a
DID) names nobody the holder could prove to be: the credential is a bearer
one, anyone holding it may present it, and the wallet does not object.

:func:`subject_dids` reads what the listing needs cheaply (the JSON as
written, plus an SD-JWT's ``sub``); :func:`signed_subject_dids` also reads the
Data Integrity credential as its signature understands it
(:func:`verifier.view.signed_view`), so that a subject written under its IRI or an alias term is
seen all the same. The wallet uses the latter before presenting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from passeport._json import id_of
from passeport.contexts import DocumentLoader, bundled_loader
from passeport.errors import PasseportError
from passeport.verifier.view import signed_view
from passeport.wallet._records import Flag

__all__ = ["about_someone_else", "binding_flags", "signed_subject_dids", "subject_dids"]


def _dids(values: Iterable[str | None]) -> tuple[str, ...]:
    found: list[str] = []
    for value in values:
        if value and value.startswith("did:") and value not in found:
            found.append(value)
    return tuple(found)


def subject_dids(
    document: Mapping[str, Any], claims: Mapping[str, Any] | None = None
) -> tuple[str, ...]:
    """Return the DIDs naming the credential's subjects, as written (and a JWT's ``sub``)."""
    subjects = document.get("credentialSubject")
    items = subjects if isinstance(subjects, list) else [subjects]
    ids = [id_of(item) for item in items if isinstance(item, Mapping | str)]
    if claims is not None:
        ids.append(id_of(claims.get("sub")))
    return _dids(ids)


def signed_subject_dids(
    document: Mapping[str, Any], loader: DocumentLoader | None = None
) -> tuple[str, ...]:
    """Return the subject DIDs as written and as the JSON-LD the proof signs reads them.

    A document that cannot be expanded (it verified when it was added, so
    this only happens with a loader lacking its contexts) is read as written.
    """
    written = subject_dids(document)
    if "@context" not in document:
        return written
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    try:
        view = signed_view(unsigned, loader or bundled_loader())
    except PasseportError:
        return written
    return _dids([*written, *subject_dids(view.document)])


def about_someone_else(subjects: Iterable[str], holder: str) -> bool:
    """Return True when subjects are named by DIDs and none of them is ``holder``'s DID.

    A DID URL (``did:...#key-1``) names its DID. No subject DID at all is a
    bearer credential: False.

    >>> about_someone_else(["did:key:z6MkA", "did:key:z6MkB#x"], "did:key:z6MkB")
    False
    >>> about_someone_else(["did:key:z6MkA"], "did:key:z6MkB"), about_someone_else([], "did:key:z")
    (True, False)
    >>> about_someone_else(["urn:uuid:5f1c"], "did:key:z6MkB")  # names no DID: bearer
    False
    """
    named = [subject.split("#", 1)[0].split("?", 1)[0] for subject in _dids(subjects)]
    return bool(named) and holder not in named


def binding_flags(subjects: Sequence[str], holder: str) -> tuple[Flag, ...]:
    """Flag a credential naming no subject DID (bearer), or only DIDs other than ``holder``."""
    if not subjects:
        return (Flag.UNBOUND,)
    return (Flag.OTHER_HOLDER,) if about_someone_else(subjects, holder) else ()
