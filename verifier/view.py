"""Read a credential or a presentation as its signature understands it.

An RDF-canonicalized signature (``eddsa-rdfc-2022``, ``ecdsa-rdfc-2019``, a
derived ``ecdsa-sd-2023`` credential) covers the document's meaning, not its
JSON spelling: ``credentialStatus``, its full IRI
``https://www.w3.org/2018/credentials#credentialStatus``, a compact IRI, an
alias term from an added context or a ``{"@value": ...}`` object all sign the
same. A check that read the member ``credentialStatus`` would miss a status
written any other way, and a revoked credential would pass.

So checks never read the document as it was handed over, but its *signed
view*:

- a document in plain form (its contexts are bundled ones, none of which
  gives a checked property a second name, and no member is an IRI, a compact
  IRI, a keyword or a keyword alias) is its own view: for it, each term names
  exactly one property, the one the checks mean, at no cost;
- any other document is expanded (as its signature does) and compacted again
  against the verifier's own contexts (:func:`view_context`), so that every
  property the checks read is under the one name they read, whatever its
  spelling was; the view says it was re-expressed.

The JCS suites and JOSE sign the JSON text itself, so for them the spelling
is pinned by the signature; reading the view costs nothing more there, and
keeps one rule for all formats.

Spec: https://www.w3.org/TR/json-ld11-api/#compaction-algorithm ,
https://www.w3.org/TR/vc-data-integrity/#securing-data-losslessly .
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from passeport._json import JsonObject, JsonValue
from passeport.contexts import DocumentLoader, bundled_documents, expand
from passeport.contexts.expand import compact
from passeport.errors import ContextError

__all__ = ["KEYWORD_ALIASES", "SignedView", "is_plain", "signed_view", "view_context"]

VC_V1: Final = "https://www.w3.org/2018/credentials/v1"
VC_V2: Final = "https://www.w3.org/ns/credentials/v2"
OB_V3: Final = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
PASSEPORT_V1: Final = "https://w3id.org/passeport/v1"
STATUS_LIST_2021: Final = "https://w3id.org/vc/status-list/2021/v1"

KEYWORD_ALIASES: Final = frozenset({"uid"})
"""Terms of bundled contexts that alias a keyword, other than ``id`` and ``type``.

``uid`` is ODRL's alias of ``@id`` (imported by ``credentials/examples/v1``):
a subject written ``{"uid": "did:..."}`` has that id, although it has no
member ``id``. ``tests/verifier/test_view.py`` checks this list against the
bundle.
"""


# Members not walked: the document's own contexts; its proofs, which the proof
# engine reads member by member (and whose JCS form carries an @context scoped
# to the proof); the credentials of a presentation, each verified with its own
# view (their @context is scoped to their own graph).
_OWN_CONTEXTS: Final = frozenset({"@context", "proof", "verifiableCredential"})


@dataclass(frozen=True, slots=True)
class SignedView:
    """A document as the checks read it.

    Attributes:
        document: the members the signature covers, each under the name the
            checks read.
        reexpressed: whether the document was spelled otherwise (full or
            compact IRIs, aliases, value objects) and had to be compacted again.
    """

    document: JsonObject
    reexpressed: bool = False


@cache
def _plain_contexts() -> frozenset[str]:
    # Every bundled context gives each checked property one name only
    # (tests/verifier/test_view.py proves it over the bundle).
    return frozenset(bundled_documents())


def _plain_members(stack: list[Any]) -> bool:
    """Tell whether no member name below the items of ``stack`` is an IRI, a keyword or alias.

    One walk, containers only on the stack (strings and numbers, most of a
    credential, are never pushed): this runs on every credential verified.
    """
    aliases = KEYWORD_ALIASES
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if ":" in key or key.startswith("@") or key in aliases:
                    return False
                if isinstance(child, dict | list):
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(child for child in item if isinstance(child, dict | list))
    return True


def is_plain(document: Mapping[str, Any]) -> bool:
    """Tell whether ``document`` reads the same as JSON and as the signed RDF.

    True when every ``@context`` is a bundled context named by URL and no
    member below is an absolute or compact IRI, a keyword (``@value``,
    ``@graph``, ``@included``, a nested ``@context``, ...) or a keyword alias.

    >>> is_plain({"@context": "https://www.w3.org/ns/credentials/v2", "validUntil": "2030"})
    True
    >>> is_plain({"@context": "https://www.w3.org/ns/credentials/v2",
    ...           "https://www.w3.org/2018/credentials#validUntil": "2020"})
    False
    """
    context = document.get("@context")
    urls = context if isinstance(context, list) else [context]
    if not urls or not all(isinstance(url, str) and url in _plain_contexts() for url in urls):
        return False
    stack: list[Any] = []
    for key, value in document.items():
        if key in _OWN_CONTEXTS:
            continue
        if ":" in key or key.startswith("@") or key in KEYWORD_ALIASES:
            return False
        stack.append(value)
    return _plain_members(stack)


def view_context(document: Mapping[str, Any]) -> list[str]:
    """Return the contexts a re-expressed ``document`` is compacted against.

    The verifier's own: the VC context of the document's version (its first
    ``@context``), then Open Badges 3.0 and the passeport context (2.0), or
    the 2021 status list context (1.1). None of them is taken from the
    document beyond its version, so a context the document adds cannot rename
    what the checks read.
    """
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    if first == VC_V1:
        return [VC_V1, STATUS_LIST_2021]
    return [VC_V2, OB_V3, PASSEPORT_V1]


def signed_view(
    document: Mapping[str, Any], loader: DocumentLoader, *, where: str | None = None
) -> SignedView:
    """Return ``document`` as its signature understands it (see the module docstring).

    A document without ``@context`` (an SD-JWT VC's claims) is not JSON-LD:
    its JSON is what was signed, and it is its own view.

    Raises:
        ContextError: the document does not expand or compact (unknown
            context, undefined term, invalid JSON-LD).
    """
    if "@context" not in document or is_plain(document):
        return SignedView(dict(document))
    expanded = expand(document, loader, where=where).expanded
    context = view_context(document)
    target: JsonValue = [*context]
    compacted = compact(expanded, target, loader, where=where)
    if isinstance(compacted.get("@graph"), list):
        raise ContextError(
            "the document holds several top-level nodes (@graph); one credential or "
            "presentation is expected",
            where=where,
        )
    compacted["@context"] = list(context)
    return SignedView(_strings_of_values(compacted), reexpressed=True)


def _strings_of_values(value: Any) -> Any:
    """Replace each value object holding a string by that string.

    A value the verifier's contexts do not type the same way stays a value
    object after compaction (``{"@value": "RNCP35288", "@language": "fr"}``);
    a check gathering strings (certification codes, dates) would not see it.
    Read as its string, it is checked like any other: a string in a
    ``validUntil`` is taken as the date it spells, never skipped.
    """
    if isinstance(value, list):
        return [_strings_of_values(item) for item in value]
    if isinstance(value, dict):
        if isinstance(value.get("@value"), str):
            return value["@value"]
        return {key: _strings_of_values(child) for key, child in value.items()}
    return value
