"""The VC Data Model rules a document must follow: what is refused at signing, failed at verifying.

Specs: https://www.w3.org/TR/vc-data-model-2.0/ (4.3 Contexts: the first
``@context`` is the base context; 4.8 Credential Subject; 4.9 Validity Period,
``dateTimeStamp``; 4.10 Status; 4.11 Data Schemas; 5.3 Integrity of Related
Resources; 5.4 Refreshing; 5.5 Terms of Use; 5.6 Evidence) and
https://www.w3.org/TR/vc-data-model-1.1/ (its base context, the same members).

One set of rules for both roles: :func:`proofs.sign.sign_document` refuses the
first :class:`Problem` found (a :class:`~passeport.errors.SigningError` naming
its JSON pointer), the verifier reports each one as a failed check under the
problem's code. The signer reads the document as written; the verifier reads
what the signature covers (``verifier.view``), so a member spelled under its
IRI is judged all the same.

Codes:

- ``input.context``: no ``@context``, or its first item is not the VC 2.0 (or
  VC 1.1) base context: ``[examples/v2, v2]`` is not a credential.
- ``input.subject``: a credential without ``credentialSubject``, with an
  empty list, or with an empty subject object (it claims nothing about anyone).
- ``input.member``: a ``credentialStatus``, ``termsOfUse``, ``evidence``,
  ``refreshService`` or ``credentialSchema`` item that is not an object with a
  ``type`` (each item of a list); a ``credentialSchema`` without ``id``.
- ``related.malformed``: a ``relatedResource`` entry without ``id`` (or with
  the ``id`` of another entry), without ``digestSRI`` nor ``digestMultibase``,
  or whose digest cannot be read (:mod:`proofs.digests`).
- ``related.digest``: a ``relatedResource`` naming a bundled context whose
  digest does not match the bytes bundled here (:func:`context_digest_problems`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any, Final

from passeport.errors import ContextError, InputError
from passeport.proofs.digests import RelatedDigests, related_digests

__all__ = [
    "TYPED_MEMBERS",
    "VC_V1",
    "VC_V2",
    "Problem",
    "RelatedResource",
    "bundled_context_bytes",
    "context_digest_problems",
    "context_problem",
    "is_date_time_stamp",
    "model_problems",
    "related_resources",
    "subject_problems",
    "typed_member_problems",
]

VC_V1: Final = "https://www.w3.org/2018/credentials/v1"
VC_V2: Final = "https://www.w3.org/ns/credentials/v2"

TYPED_MEMBERS: Final = (
    "credentialStatus",
    "termsOfUse",
    "evidence",
    "refreshService",
    "credentialSchema",
)
"""The members of a credential whose every object must say its ``type``."""

_PRESENTATION_TYPED: Final = ("termsOfUse",)
_SHOWN: Final = 80
# XML Schema 1.1 dateTimeStamp (VC 2.0 4.9): a time zone is required.
_DATE_TIME_STAMP: Final = re.compile(
    r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|(24:00:00(\.0+)?))"
    r"(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One rule a document breaks: the check code, a sentence, the JSON pointer (``""``: root)."""

    code: str
    message: str
    pointer: str


@dataclass(frozen=True, slots=True)
class RelatedResource:
    """A well-formed ``relatedResource`` entry: the resource's id and the digests it must match."""

    id: str
    digests: RelatedDigests
    pointer: str


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _items(value: Any, pointer: str) -> list[tuple[Any, str]]:
    """Return each item of a member with its pointer (a single value is a set of one)."""
    if isinstance(value, list):
        return [(item, f"{pointer}/{index}") for index, item in enumerate(value)]
    return [(value, pointer)]


def _is_presentation(document: Mapping[str, Any]) -> bool:
    types = document.get("type", [])
    return "VerifiablePresentation" in (types if isinstance(types, list) else [types])


def is_date_time_stamp(value: Any) -> bool:
    """Tell whether ``value`` is an XML Schema ``dateTimeStamp`` (a time zone is required).

    >>> is_date_time_stamp("2025-07-01T00:00:00Z"), is_date_time_stamp("2025-07-01T00:00:00")
    (True, False)
    """
    if not isinstance(value, str) or _DATE_TIME_STAMP.fullmatch(value) is None:
        return False
    if value[4] != "-":
        return True  # a year before 0001 or after 9999: beyond Python's calendar
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("T24:00:00", "T23:59:59"))
    except ValueError:
        return False  # 31 February: the pattern allows 31 days in every month
    return True


def context_problem(document: Mapping[str, Any]) -> Problem | None:
    """Return the problem of the document's ``@context``: its first item must be a base context.

    A document that names the VC 2.0 base context must name it first (the
    VC 1.1 one likewise); the Data Integrity context is never slipped in
    before it or in its place.
    """
    context = document.get("@context")
    if context is None:
        return Problem(
            "input.context",
            f"the document has no @context; its first item must be {VC_V2} (or {VC_V1} for VC 1.1)",
            "/@context",
        )
    items = context if isinstance(context, list) else [context]
    first = items[0] if items else None
    if first in (VC_V2, VC_V1):
        return None
    for base in (VC_V2, VC_V1):
        if base in items:
            return Problem(
                "input.context",
                f"the first @context must be {base}, not {_shown(first)} "
                f"({base} comes at position {items.index(base)})",
                "/@context",
            )
    return Problem(
        "input.context",
        f"the first @context is {_shown(first)}, neither {VC_V2} (VC 2.0) nor {VC_V1} (VC 1.1)",
        "/@context",
    )


def subject_problems(document: Mapping[str, Any]) -> list[Problem]:
    """Return the problems of a credential's ``credentialSubject`` (none when it names one)."""
    pointer = "/credentialSubject"
    subject = document.get("credentialSubject")
    if subject is None:
        return [
            Problem(
                "input.subject",
                "the credential has no credentialSubject (a verifiable credential must have one)",
                pointer,
            )
        ]
    if isinstance(subject, list) and not subject:
        return [
            Problem(
                "input.subject",
                "the credentialSubject is empty (a verifiable credential must name a subject)",
                pointer,
            )
        ]
    problems: list[Problem] = []
    for item, at in _items(subject, pointer):
        if isinstance(item, Mapping) and not item:
            problems.append(
                Problem(
                    "input.subject",
                    "a credentialSubject is an empty object (it makes no claim about anyone)",
                    at,
                )
            )
        elif not isinstance(item, Mapping | str):
            problems.append(
                Problem(
                    "input.subject",
                    f"a credentialSubject must be an object or an IRI, not {_shown(item)}",
                    at,
                )
            )
    return problems


def _type_missing(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return not items or not all(isinstance(item, str) and item for item in items)


def typed_member_problems(
    document: Mapping[str, Any], *, presentation: bool = False
) -> list[Problem]:
    """Return each ``credentialStatus``/``termsOfUse``/... item that says no ``type``.

    A presentation has only ``termsOfUse`` among them. ``credentialSchema``
    also needs its ``id``, the URL of the schema.
    """
    problems: list[Problem] = []
    for member in _PRESENTATION_TYPED if presentation else TYPED_MEMBERS:
        if member not in document:
            continue
        pointer = f"/{member}"
        value = document[member]
        if isinstance(value, list) and not value:
            problems.append(
                Problem("input.member", f"{member} is an empty list (give one or more)", pointer)
            )
            continue
        for item, at in _items(value, pointer):
            if not isinstance(item, Mapping):
                problems.append(
                    Problem(
                        "input.member",
                        f"each {member} must be an object with a type, not {_shown(item)}",
                        at,
                    )
                )
                continue
            if _type_missing(item.get("type")):
                problems.append(
                    Problem(
                        "input.member",
                        f"this {member} object says no type (each {member} must specify its type)",
                        f"{at}/type",
                    )
                )
            if member == "credentialSchema" and not isinstance(item.get("id"), str):
                problems.append(
                    Problem(
                        "input.member",
                        "a credentialSchema must give its id (the URL of the schema)",
                        f"{at}/id",
                    )
                )
    return problems


def related_resources(
    document: Mapping[str, Any],
) -> tuple[tuple[RelatedResource, ...], tuple[Problem, ...]]:
    """Read the ``relatedResource`` entries: those well formed, and the problems of the others.

    Each entry needs a string ``id``, unique among the entries, and a
    ``digestSRI`` or a ``digestMultibase`` (or both) that reads
    (:func:`proofs.digests.related_digests`); ``mediaType`` is optional.
    """
    if "relatedResource" not in document:
        return (), ()
    value = document["relatedResource"]
    pointer = "/relatedResource"
    if isinstance(value, list) and not value:
        return (), (Problem("related.malformed", "relatedResource is an empty list", pointer),)
    found: list[RelatedResource] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for item, at in _items(value, pointer):
        if not isinstance(item, Mapping):
            problems.append(
                Problem(
                    "related.malformed",
                    f"a relatedResource must be an object with an id and a digest, "
                    f"not {_shown(item)}",
                    at,
                )
            )
            continue
        resource_id = item.get("id")
        if not isinstance(resource_id, str) or not resource_id:
            problems.append(Problem("related.malformed", "a relatedResource has no id", f"{at}/id"))
            continue
        if resource_id in seen:
            problems.append(
                Problem(
                    "related.malformed",
                    f"relatedResource {_shown(resource_id)} is listed twice "
                    "(each id must be unique)",
                    f"{at}/id",
                )
            )
            continue
        seen.add(resource_id)
        if item.get("digestSRI") is None and item.get("digestMultibase") is None:
            problems.append(
                Problem(
                    "related.malformed",
                    f"relatedResource {_shown(resource_id)} has no digestSRI nor "
                    "digestMultibase (each entry needs one, to pin the resource)",
                    at,
                )
            )
            continue
        try:
            digests = related_digests(
                digest_sri=item.get("digestSRI"), digest_multibase=item.get("digestMultibase")
            )
        except InputError as exc:
            member = "digestSRI" if exc.message.startswith("digestSRI") else "digestMultibase"
            problems.append(
                Problem(
                    "related.malformed",
                    f"relatedResource {_shown(resource_id)}: {exc.message}",
                    f"{at}/{member}",
                )
            )
            continue
        found.append(RelatedResource(resource_id, digests, at))
    return tuple(found), tuple(problems)


@cache
def _manifest() -> Mapping[str, Mapping[str, str]]:
    text = resources.files("passeport.contexts").joinpath("bundled", "manifest.json").read_text()
    manifest: dict[str, dict[str, str]] = json.loads(text)
    return manifest


@cache
def _bundled_file(name: str, sha256: str, url: str) -> bytes:
    data = resources.files("passeport.contexts").joinpath("bundled", name).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ContextError(
            f"bundled context {name} does not match its pinned sha256; the installation is corrupt",
            where=url,
        )
    return data


def bundled_context_bytes(url: str) -> bytes | None:
    """Return the exact bytes of the context bundled for ``url``, or None when none is.

    Raises:
        ContextError: the bundled file does not match its pinned sha256.
    """
    entry = _manifest().get(url)  # only bundled files are kept in memory, never other URLs
    if entry is None:
        return None
    return _bundled_file(entry["file"], entry["sha256"], url)


def context_digest_problems(found: Sequence[RelatedResource]) -> list[Problem]:
    """Return a ``related.digest`` problem for each bundled context whose digest differs.

    The contexts used are the bundled ones, byte for byte: a credential that
    pins another version of one would not mean, here, what its issuer meant.
    """
    problems: list[Problem] = []
    for resource in found:
        data = bundled_context_bytes(resource.id)
        if data is not None and not resource.digests.matches(data):
            problems.append(
                Problem(
                    "related.digest",
                    f"the context {resource.id} does not match the digest its relatedResource "
                    "gives (another version than the one bundled here)",
                    resource.pointer,
                )
            )
    return problems


def model_problems(document: Mapping[str, Any]) -> tuple[Problem, ...]:
    """Return every problem of ``document`` (a credential or, by its type, a presentation).

    Reads the JSON as written, offline: a related resource other than a
    bundled context is not fetched (the verifier checks it when it can).
    """
    presentation = _is_presentation(document)
    problems: list[Problem] = []
    found_context = context_problem(document)
    if found_context is not None:
        problems.append(found_context)
    if not presentation:
        problems.extend(subject_problems(document))
    problems.extend(typed_member_problems(document, presentation=presentation))
    if not presentation:
        found, related = related_resources(document)
        problems.extend(related)
        problems.extend(context_digest_problems(found))
    return tuple(problems)
