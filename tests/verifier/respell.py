"""Re-express a member of a JSON-LD document without changing what it signs (for attack tests).

An RDF-canonicalized signature covers the document's meaning. Each function
here rewrites one member so that its RDF is unchanged (the signature still
verifies) but its JSON spelling differs: a full IRI, a compact IRI, an alias
term from an added context, or a keyword instead of ``id``/``type``. The
member's value is replaced by its expanded form, which needs no context.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from passeport.contexts import bundled_loader, expand

CRED = "https://www.w3.org/2018/credentials#"
OB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"

# The term -> IRI of each member an attack renames (those the checks read).
IRIS: dict[str, str] = {
    "credentialStatus": f"{CRED}credentialStatus",
    "credentialSubject": f"{CRED}credentialSubject",
    "validFrom": f"{CRED}validFrom",
    "validUntil": f"{CRED}validUntil",
    "issuer": f"{CRED}issuer",
    "holder": f"{CRED}holder",
    "verifiableCredential": f"{CRED}verifiableCredential",
    "achievement": f"{OB}achievement",
    "alignment": f"{OB}alignment",
    "targetCode": f"{OB}targetCode",
    "id": "@id",
    "type": "@type",
}

WAYS = ("iri", "compact", "alias", "keyword")


def _expanded_at(document: dict[str, Any], path: list[str | int]) -> Any:
    """Return the expanded node object at ``path`` (member names and array indexes)."""
    node: Any = expand(document, bundled_loader()).expanded[0]
    raw: Any = document
    for step in path:
        if isinstance(step, int):
            node, raw = node[step], raw[step]
            continue
        raw = raw[step]
        values = node[IRIS[step]]
        node = values if isinstance(raw, list) else values[0]
    return node


def respell(
    document: dict[str, Any], path: list[str | int], member: str, way: str
) -> dict[str, Any]:
    """Return a copy of ``document`` whose ``member`` of the node at ``path`` is spelled ``way``.

    ``way`` is ``"iri"`` (the full IRI), ``"compact"`` (``p:local`` with an
    added prefix), ``"alias"`` (a new term from an added inline context) or
    ``"keyword"`` (``@id``/``@type`` for ``id``/``type``; the full IRI for
    other members).
    """
    result = copy.deepcopy(document)
    node: Any = result
    for step in path:
        node = node[step]
    iri = IRIS[member]
    expanded = _expanded_at(document, path)
    # id and type keep their values: types are looked up as terms (a type-scoped
    # context applies only to a type written as its term).
    value = node[member] if iri.startswith("@") else expanded[iri]
    if iri.startswith("@") or way == "keyword" or way == "iri":
        name = iri
    elif way == "compact":
        prefix, local = iri.rsplit("#", 1)
        _add_context(result, {f"zz{member}p": f"{prefix}#"})  # one prefix per member
        name = f"zz{member}p:{local}"
    elif way == "alias":
        name = f"zz{member}"  # one alias per member: two must not redefine each other
        _add_context(result, {name: iri})
    else:
        raise ValueError(way)
    del node[member]
    node[name] = value
    return result


def _add_context(document: dict[str, Any], definitions: dict[str, str]) -> None:
    context = document["@context"]
    document["@context"] = [*(context if isinstance(context, list) else [context]), definitions]


Respell = Callable[[dict[str, Any]], dict[str, Any]]
