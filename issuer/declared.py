"""Declarations, then their validation: the holder declares, an employer or a trainer validates.

The passport lets a holder first record a job, a skill or a training as
*declarative*: a credential filled from the same templates, whose issuer is
the holder (:func:`declaration`; the holder's wallet signs it with its own
key, see :mod:`wallet.declarations`). Every verifier reads a credential whose
issuer is its subject as the holder's declaration, never as guaranteed
(:func:`verifier.trust.standing` says ``self-declared``).

The holder then asks whoever can vouch for it to validate it. The wallet
writes a *validation request*, a JSON object::

    {"type": "ValidationRequest",
     "format": "passeport-validation-request/1",
     "declaration": {... the declared credential, signed by the holder ...},
     "requestedBy": {"id": "did:key:...", "name": "Camille Martin"},
     "to": "Employeur Exemple SA",            (optional: whom it is meant for)
     "message": "...",                        (optional)
     "created": "2026-01-15T12:00:00Z"}

Who asks is who signed the declaration: :func:`read_request` verifies its
signature, offline for a did:key or did:jwk holder, and refuses a
declaration that does not verify, that is not self-issued, or whose signer
is not the one named in ``requestedBy``.

The issuer reviews the fields (:func:`validation_data` reads them back into
the template's data, :func:`review` lists them with what a correction
changed) and, when it agrees, issues its own credential from that data. It
names the declaration it validates (``validates``: the declaration's id and
the SHA-256 multihash of its JCS form), written as the credential's
``evidence`` (:mod:`issuer._evidence`), so that the holder's wallet can link
the two and prefer the validated one. An ``endorsement`` of the declaration
(its subject is the declaration's id) works the same way.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from passeport._json import JsonObject, JsonValue
from passeport.errors import InputError
from passeport.issuer._evidence import declaration_digest
from passeport.issuer.templates import render
from passeport.verifier import Environment, Policy, verify_credential
from passeport.verifier.facts import Kind, facts_of
from passeport.verifier.trust import is_self_issued

__all__ = [
    "DECLARED_TEMPLATES",
    "REQUEST_FORMAT",
    "ReviewLine",
    "ValidationRequest",
    "declaration",
    "read_request",
    "review",
    "validation_data",
]

REQUEST_FORMAT: Final = "passeport-validation-request/1"
"""The ``format`` of a validation request this module reads (and the wallet writes)."""

DECLARED_TEMPLATES: Final = ("experience", "skill", "training")
"""The templates a holder may declare: a job held, a skill, a training followed."""

_KIND_TEMPLATE: Final = {Kind.JOB: "experience", Kind.SKILL: "skill", Kind.TRAINING: "training"}
_DEFAULT_CRITERIA: Final = "Déclaré par son titulaire, qui en répond."
_DEFAULT_COMMENT: Final = "Déclaration relue et confirmée."


def _fail(message: str, where: str | None, pointer: str | None = None) -> InputError:
    return InputError(message, where=where, pointer=pointer)


def declaration(
    template: str,
    data: Mapping[str, Any],
    *,
    holder: str,
    credential_id: str,
    issued_at: datetime,
    where: str | None = None,
) -> JsonObject:
    """Return the holder's unsigned declaration: ``template`` filled from ``data``, issuer = holder.

    The data is that of the template (:mod:`issuer.templates`); the holder's
    DID is filled in (a different ``holder.id`` is refused), a skill or a
    training without ``criteria`` says it is declared, a declared job names
    its employer and a declared training its training body (the issuer would
    otherwise be taken for them).

    Raises:
        InputError: a template that cannot be declared, or data that does not
            fit it (naming ``where`` and a JSON pointer).
    """
    if template not in DECLARED_TEMPLATES:
        raise _fail(
            f'"{template}" cannot be declared (expected one of: {", ".join(DECLARED_TEMPLATES)})',
            where,
        )
    if not isinstance(data, Mapping):
        raise _fail("expected a JSON object", where)
    filled: dict[str, Any] = copy.deepcopy(dict(data))
    person = filled.get("holder")
    if not isinstance(person, dict):
        raise _fail('missing required field "holder" (at least your name)', where, "/holder")
    given = person.get("id")
    if given is not None and given != holder:
        raise _fail(
            f"{given} is not your DID ({holder}): a declaration is about its holder",
            where,
            "/holder/id",
        )
    person["id"] = holder
    if template == "experience":
        job = filled.get("employment")
        if isinstance(job, dict) and job.get("employer") is None:
            raise _fail(
                'a declared job names its employer ("employer": {"name": ...})',
                where,
                "/employment/employer",
            )
    if template == "training" and filled.get("trainingBody") is None:
        raise _fail(
            'a declared training names its training body ("trainingBody": {"name": ...})',
            where,
            "/trainingBody",
        )
    achievement = filled.get("achievement")
    if template in ("skill", "training") and isinstance(achievement, dict):
        achievement.setdefault("criteria", _DEFAULT_CRITERIA)
    name = person.get("name")
    return render(
        template,
        filled,
        issuer={"id": holder, "name": name if isinstance(name, str) and name.strip() else holder},
        credential_id=credential_id,
        issued_at=issued_at,
        where=where,
    )


@dataclass(frozen=True, slots=True)
class ValidationRequest:
    """A holder's request to validate a declaration, read and checked (see :func:`read_request`).

    ``template`` is the template the declaration was made from; ``digest``
    is the declaration's ``digestMultibase`` (SHA-256 of its JCS form).
    """

    declaration: JsonObject
    holder: str
    holder_name: str | None
    template: str
    digest: str
    to: str | None = None
    message: str | None = None
    created: str | None = None

    @property
    def id(self) -> str:
        """The declaration's own id (``urn:uuid:...``)."""
        return str(self.declaration["id"])


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def read_request(
    document: Any, *, where: str | None = None, env: Environment | None = None
) -> ValidationRequest:
    """Read a validation request and check its declaration: signed by who asks, about them.

    Raises:
        InputError: not a validation request, or a declaration that does not
            verify (its failed checks named), is not self-issued, was signed by
            someone else than ``requestedBy``, or is of no declarable kind.
    """
    if not isinstance(document, Mapping):
        raise _fail("expected a validation request (a JSON object)", where)
    if document.get("type") != "ValidationRequest" or document.get("format") != REQUEST_FORMAT:
        raise _fail(
            f'not a validation request (expected "type": "ValidationRequest" and "format": '
            f'"{REQUEST_FORMAT}"; the holder writes one with passeport wallet request-validation)',
            where,
        )
    declared = document.get("declaration")
    if not isinstance(declared, Mapping) or not isinstance(declared.get("id"), str):
        raise _fail(
            "the request holds no declaration (a credential with its id)", where, "/declaration"
        )
    asker = document.get("requestedBy")
    holder = _text(asker.get("id")) if isinstance(asker, Mapping) else None
    if holder is None:
        raise _fail(
            'the request does not say who asks ("requestedBy": {"id": DID})', where, "/requestedBy"
        )
    result = verify_credential(declared, policy=Policy(), env=env or Environment())
    if not result.verified:
        failed = ", ".join(sorted({check.code for check in result.failures()}))
        raise _fail(
            f"the declaration does not verify ({failed}): it was not validated",
            where,
            "/declaration",
        )
    if not is_self_issued(declared):
        raise _fail(
            "not a declaration: its issuer is not its subject (a credential someone else "
            "issued is validated by its issuer, not again)",
            where,
            "/declaration/issuer",
        )
    issuer = declared.get("issuer")
    signer = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if signer != holder:
        raise _fail(
            f"the declaration was signed by {signer}, not by {holder} who asks",
            where,
            "/requestedBy/id",
        )
    kind = facts_of(declared, standing="self-declared", verified=True).kind
    template = _KIND_TEMPLATE.get(kind)
    if template is None:
        raise _fail(f"a declaration of kind {kind} cannot be validated", where, "/declaration")
    return ValidationRequest(
        declaration=dict(declared),
        holder=holder,
        holder_name=_text(asker.get("name")) if isinstance(asker, Mapping) else None,
        template=template,
        digest=declaration_digest(declared, where=where),
        to=_text(document.get("to")),
        message=_text(document.get("message")),
        created=_text(document.get("created")),
    )


# Reading a declaration back into its template's data -----------------------------------------


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _organization(value: Any) -> JsonObject | None:
    if not isinstance(value, Mapping) or not _text(value.get("name")):
        return None
    found: JsonObject = {"name": str(value["name"])}
    for key in ("id", "url"):
        if _text(value.get(key)):
            found[key] = str(value[key])
    return found


def _alignments(node: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [a for a in _items(node.get("alignment")) if isinstance(a, Mapping)]


def _person(subject: Mapping[str, Any], holder: str) -> JsonObject:
    person: JsonObject = {"id": holder}
    kinds = {"name": "name", "ext:dateOfBirth": "birthDate", "emailAddress": "email"}
    for identity in _items(subject.get("identifier")):
        if isinstance(identity, Mapping) and identity.get("identityType") in kinds:
            value = _text(identity.get("identityHash"))
            if value:
                person.setdefault(kinds[str(identity["identityType"])], value)
    if "name" not in person and _text(subject.get("name")):
        person["name"] = str(subject["name"])
    return person


def _experience_data(subject: Mapping[str, Any], holder: JsonObject) -> JsonObject:
    job = subject.get("employment")
    job = job if isinstance(job, Mapping) else {}
    employment: JsonObject = {}
    for key in ("jobTitle", "startDate", "endDate", "contractType", "workLocation"):
        if _text(job.get(key)):
            employment[key] = str(job[key])
    tasks: list[JsonValue] = [str(t) for t in _items(job.get("tasks")) if _text(t)]
    if tasks:
        employment["tasks"] = tasks
    employer = _organization(job.get("employer"))
    if employer is not None:
        employment["employer"] = employer
    for alignment in _alignments(job):
        if alignment.get("targetFramework") == "ROME" and _text(alignment.get("targetCode")):
            employment["rome"] = str(alignment["targetCode"])
        if alignment.get("targetFramework") == "ESCO" and _text(alignment.get("targetUrl")):
            employment["esco"] = str(alignment["targetUrl"])
    return {"holder": {"id": holder["id"], "name": holder.get("name")}, "employment": employment}


def _achievement_data(achievement: Mapping[str, Any], template: str) -> JsonObject:
    found: JsonObject = {}
    for key in ("name", "description", "achievementType"):
        if _text(achievement.get(key)):
            found[key] = str(achievement[key])
    criteria = achievement.get("criteria")
    if isinstance(criteria, Mapping) and _text(criteria.get("narrative")):
        found["criteria"] = str(criteria["narrative"])
    skills: list[JsonValue] = []
    for alignment in _alignments(achievement):
        framework, url = alignment.get("targetFramework"), _text(alignment.get("targetUrl"))
        if framework == "ESCO" and url and template == "skill":
            found["esco"] = url
        elif framework == "ESCO" and url:
            skills.append({"esco": url, "name": _text(alignment.get("targetName")) or url})
        elif framework == "ROME" and _text(alignment.get("targetCode")) and template == "skill":
            found["rome"] = str(alignment["targetCode"])
    if skills:
        found["skills"] = skills
    return found


def _training_data(subject: Mapping[str, Any], data: JsonObject) -> None:
    for key, member in (("startDate", "activityStartDate"), ("endDate", "activityEndDate")):
        if _text(subject.get(member)):
            data[key] = str(subject[member])
    node = subject.get("training")
    node = node if isinstance(node, Mapping) else {}
    hours = node.get("durationHours")
    if isinstance(hours, int | float) and not isinstance(hours, bool):
        data["hours"] = hours
    if _text(node.get("modality")):
        data["modality"] = str(node["modality"])
    if isinstance(node.get("cpfFunded"), bool):
        data["cpf"] = bool(node["cpfFunded"])
    prepared = node.get("preparedCertification")
    if isinstance(prepared, Mapping) and _text(prepared.get("targetCode")):
        prepares: JsonObject = {"code": str(prepared["targetCode"])}
        if _text(prepared.get("targetName")):
            prepares["name"] = str(prepared["targetName"])
        data["prepares"] = prepares
    body = _organization(subject.get("source"))
    if body is not None:
        source = subject["source"]
        kinds = {"ext:NDA": "nda", "ext:Qualiopi": "qualiopi", "ext:SIRET": "siret"}
        for entry in _items(source.get("otherIdentifier")):
            if isinstance(entry, Mapping) and entry.get("identifierType") in kinds:
                value = _text(entry.get("identifier"))
                if value:
                    body[kinds[str(entry["identifierType"])]] = value
        data["trainingBody"] = body


def _declared_data(request: ValidationRequest) -> JsonObject:
    """Return the template data the declaration was made from (as far as it reads back)."""
    declared = request.declaration
    subject = next(
        (s for s in _items(declared.get("credentialSubject")) if isinstance(s, Mapping)), {}
    )
    holder = _person(subject, request.holder)
    if request.template == "experience":
        return _experience_data(subject, holder)
    achievement = subject.get("achievement")
    data: JsonObject = {
        "holder": holder,
        "achievement": _achievement_data(
            achievement if isinstance(achievement, Mapping) else {}, request.template
        ),
    }
    if _text(declared.get("awardedDate")):
        data["awardedDate"] = str(declared["awardedDate"])
    if request.template == "skill" and _text(subject.get("role")):
        data["role"] = str(subject["role"])
    if request.template == "training":
        _training_data(subject, data)
    return data


def _merged(base: Any, change: Any) -> Any:
    if isinstance(base, dict) and isinstance(change, Mapping):
        merged = dict(base)
        for key, value in change.items():
            merged[key] = _merged(base.get(key), value)
        return merged
    return copy.deepcopy(change)


def validation_data(
    request: ValidationRequest,
    template: str,
    *,
    corrections: Mapping[str, Any] | None = None,
    where: str | None = None,
) -> JsonObject:
    """Return the data to issue ``template`` from: the declared fields, corrected, ``validates``.

    ``template`` is the declaration's own template, or ``endorsement`` (the
    endorsement's subject is then the declaration; ``corrections`` may give
    its ``comment`` and ``name``). A correction replaces a declared field
    (objects are merged member by member; ``null`` removes a field); it may
    not change whom the credential is about.

    Raises:
        InputError: a template that does not fit the declaration, or a
            correction of the holder's DID.
    """
    validates: JsonObject = {"id": request.id, "digestMultibase": request.digest}
    if template == "endorsement":
        data: JsonObject = {"endorsed": request.id, "comment": _DEFAULT_COMMENT}
        data.update(dict(corrections or {}))
        data["validates"] = validates
        return data
    if template != request.template:
        raise _fail(
            f"the declaration is a {request.template}: validate it with "
            f"'passeport issue {request.template}' (or 'endorsement')",
            where,
        )
    data = _merged(_declared_data(request), dict(corrections or {}))
    person = data.get("holder")
    if not isinstance(person, Mapping) or person.get("id") != request.holder:
        raise _fail(
            f"a validation is about the holder who declared it ({request.holder}); "
            "the holder's DID cannot be corrected",
            where,
            "/holder/id",
        )
    cleaned = _without_nulls(data)
    assert isinstance(cleaned, dict)
    cleaned["validates"] = validates
    return cleaned


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


@dataclass(frozen=True, slots=True)
class ReviewLine:
    """One field the issuer reviews: its path, the value to sign, and the value declared.

    ``value`` is None for a declared field a correction removed, ``declared``
    None for a field the holder did not declare (a correction added it).
    """

    path: str
    value: str | None
    declared: str | None

    @property
    def corrected(self) -> bool:
        """Whether the issuer's correction changed what the holder declared."""
        return self.value != self.declared


def _flat(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, Mapping):
        found: dict[str, str] = {}
        for key, child in value.items():
            found.update(_flat(child, f"{prefix}.{key}" if prefix else str(key)))
        return found
    if isinstance(value, list):
        if all(not isinstance(item, Mapping | list) for item in value):
            return {prefix: " | ".join(str(item) for item in value)}
        found = {}
        for index, item in enumerate(value):
            found.update(_flat(item, f"{prefix}.{index}"))
        return found
    if isinstance(value, bool):
        return {prefix: "true" if value else "false"}
    return {prefix: str(value)}


def review(request: ValidationRequest, data: Mapping[str, Any]) -> list[ReviewLine]:
    """Return what the issuer signs, field by field, beside what the holder declared.

    For an endorsement (``data`` with ``endorsed``), the declared fields come
    first, as they are (what is endorsed), then the endorsement's own.
    """
    declared = _flat(_declared_data(request))
    shown = _flat({k: v for k, v in data.items() if k != "validates"})
    if "endorsed" in data:
        lines = [ReviewLine(path, value, value) for path, value in declared.items()]
        return lines + [ReviewLine(path, value, value) for path, value in shown.items()]
    lines = [ReviewLine(path, value, declared.get(path)) for path, value in shown.items()]
    lines.extend(
        ReviewLine(path, None, value) for path, value in declared.items() if path not in shown
    )
    return lines
