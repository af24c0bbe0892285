"""The declaration a credential validates: the ``validates`` data member and its ``evidence``.

A holder may first record a job, a skill or a training as a declaration
(signed by their own key, see :mod:`issuer.declared`); an employer or a
training body who reviews it and agrees issues its own credential, which
names the declaration it validates. That reference is a VC 2.0 ``evidence``
entry (https://www.w3.org/TR/vc-data-model-2.0/#evidence), typed with the
Open Badges 3.0 ``Evidence`` class: its ``id`` is the declaration's own id
(``urn:uuid:...``) and its ``digestMultibase`` the SHA-256 multihash of the
declaration's JCS form (RFC 8785), so that the holder's wallet links the two
only when the declaration is the very one the issuer read.

Data (templates experience, skill, training, endorsement)::

    validates        {id*: the declaration's id (a URI), digestMultibase*:
                     its digest (a multibase multihash, "u" + base64url)}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from passeport._json import JsonValue
from passeport.contexts import jcs
from passeport.errors import InputError
from passeport.issuer import _fields as f
from passeport.issuer._fields import Field, Group, Place
from passeport.proofs.digests import multibase_of, related_digests

__all__ = ["EVIDENCE_NAME", "VALIDATES", "declaration_digest", "evidence_of"]

EVIDENCE_NAME: Final = "Déclaration du titulaire, relue et validée par l'émetteur"
"""The name of the evidence entry (French: the templates write French)."""


def _digest(value: object, place: Place) -> str:
    """Check a ``digestMultibase`` value of an accepted hash function."""
    text = f.text(value, place)
    try:
        related_digests(digest_multibase=text)
    except InputError as exc:
        place.fail(f"not a digest of the declaration ({exc.message})")
    return text


VALIDATES: Final = Group(
    {"id": Field(f.uri, required=True), "digestMultibase": Field(_digest, required=True)}
)
"""The ``validates`` data member: which declaration the credential validates."""


def declaration_digest(declaration: Mapping[str, Any], *, where: str | None = None) -> str:
    """Return the ``digestMultibase`` of a declaration: SHA-256 of its JCS form, base64url.

    Raises:
        InputError: the declaration has no canonical JSON form (NaN, a lone surrogate...).
    """
    return multibase_of(jcs.canonicalize(dict(declaration), where=where), "sha2-256")


def evidence_of(validates: Mapping[str, Any]) -> list[JsonValue]:
    """Return the ``evidence`` member naming the declaration validated (checked data)."""
    return [
        {
            "id": validates["id"],
            "type": ["Evidence"],
            "name": EVIDENCE_NAME,
            "digestMultibase": validates["digestMultibase"],
        }
    ]
