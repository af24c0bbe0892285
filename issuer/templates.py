"""Credential templates: the unsigned VC 2.0 credential of each kind, filled from checked data.

Seven templates, each a function of a data object (a JSON file, or one CSV row
read by :func:`data_from_row`). Six are 1EdTech Open Badges 3.0 credentials
(https://www.imsglobal.org/spec/ob/v3p0/, context 3.0.3, on VC 2.0):

==============  ======================================  ==========================
template        type (besides VerifiableCredential)     subject
==============  ======================================  ==========================
diploma         OpenBadgeCredential                     AchievementSubject
certification   OpenBadgeCredential                     AchievementSubject
skill           OpenBadgeCredential                     AchievementSubject
prevention      OpenBadgeCredential                     AchievementSubject
endorsement     EndorsementCredential                   EndorsementSubject
experience      EmploymentCredential (passeport/v1)     ``employment``: Employment
training        OpenBadgeCredential (passeport/v1)      AchievementSubject, ``training``
==============  ======================================  ==========================

The training template (a training body's certificate of completion: hours,
modality, CPF funding, the certification it prepares) is told in
:mod:`issuer.training`. Experience, skill, training and endorsement also
take ``validates``, the holder's declaration they validate
(:mod:`issuer._evidence`), written as the credential's ``evidence``.

The issuer is an OB 3.0 ``Profile``. The output has no ``credentialStatus``
and no ``proof``: the issuer adds status entries, then signs. Every property
emitted is defined by the VC 2.0 context, the OB 3.0.3 context or the
project's context (safe expansion refuses any other).

Data (``*`` required; dates are ISO 8601: ``YYYY-MM-DD``, or a date-time with
its time zone where "moment" is said)::

    holder*          id (a DID), name*, birthDate (date), email
                     (experience: id, name* only)
    achievement*     diploma, certification, skill, prevention:
                     name*, description, criteria (markdown: how it is earned;
                     required unless a code links the fiche, which then is the
                     criteria), achievementType (OB 3.0 AchievementType or an
                     "ext:" term), id (URI; default: a UUID v5 of the issuer,
                     template and code or name)
                     diploma, certification: code (RNCP for a diploma, RNCP or
                     RS for a certification, where it is required), level (1-8,
                     the French niveau = the EQF level; none for an RS fiche),
                     blocks (list of {code*, name*}: blocs de compétences,
                     RNCP37674BC01 or BC01), fieldOfStudy, specialization,
                     credits (ECTS)
                     skill: esco (ESCO skill URI), rome (ROME code, e.g.
                     M1805), at least one of them
                     prevention: code (RS or RNCP)
    awardedDate      moment obtained; not after issuance; default: issuance
    validity         certification, prevention: ISO 8601 duration (P24M) from
                     awardedDate; or validUntil (moment; a date means the end
                     of that day, UTC); prevention needs one of the two
    trainingBody     prevention: {name*, id (URI), url}: who trained and
                     assessed (OB 3.0 ``source``)
    licenseNumber    prevention: the certificate's number
    role             skill: the job in which the skill was shown
    employment*      experience: jobTitle*, startDate* (date), endDate (date;
                     none for a current job), employer ({name*, id, url};
                     default: the issuer), tasks (list), contractType (CDI,
                     CDD, apprentissage...), workLocation, rome, esco (ESCO
                     occupation URI)
    endorsed*        endorsement: the URI endorsed (a credential's urn:uuid,
                     a claim, or a DID)
    comment*         endorsement: the endorsement (markdown)
    name             endorsement: the credential's name

Refused: unknown members (named, to catch typos), wrong types, malformed
dates, codes, URIs, DIDs and emails, an end before its start, dates after
issuance, a credential already expired when issued. RNCP/RS codes are
normalized as the verifier's trust lists read them: ``rncp 37674``,
``RNCP-37674`` and ``RNCP037674`` all become ``RNCP37674``; ROME codes are
upper-cased.

How OB 3.0 carries the French frameworks (RNCP/RS fiche, blocs de
compétences, level, ESCO, ROME) is told in :mod:`issuer._ob3`. The holder's
name, date of birth and email are OB 3.0 ``IdentityObject``\\ s in
``credentialSubject.identifier``, one each (so a presentation can leave the
date of birth out); ``credentialSubject.id`` is the holder's DID when known.
Text the templates write themselves (level names, default names) is French.

CSV: one row per credential; a column is a data path joined by dots
(``holder.name``, ``achievement.code``, ``employment.startDate``); an empty
cell is an absent field; lists (``employment.tasks``) separate items with
``|``; ``achievement.blocks`` holds ``CODE: name | CODE: name``; numbers may
use a decimal comma. :func:`columns` lists a template's columns.

The project context, ``https://w3id.org/passeport/v1`` (bundled as
``contexts/bundled/passeport-v1.jsonld``, JSON-LD 1.1, ``@protected``), defines
what OB 3.0 and VC 2.0 lack for work experience, under
``https://w3id.org/passeport/vocab#``: the credential type
``EmploymentCredential``; the subject property ``employment``; the type
``Employment``, whose scoped terms are ``jobTitle``, ``employer`` (a node,
here an OB 3.0 Profile), ``startDate`` and ``endDate`` (``xsd:date``),
``tasks`` (a set of texts), ``contractType`` and ``workLocation`` (texts).
A later incompatible change gets a new URL (``/v2``); this one never changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from passeport._json import JsonObject, JsonValue
from passeport.errors import InputError
from passeport.issuer import _codes as c
from passeport.issuer import _fields as f
from passeport.issuer import _ob3 as ob
from passeport.issuer import training as tr
from passeport.issuer._evidence import VALIDATES, evidence_of
from passeport.issuer._fields import Field, Group, Place

__all__ = ["TEMPLATE_NAMES", "columns", "data_from_row", "render", "subject_id"]

TEMPLATE_NAMES: Final[tuple[str, ...]] = (
    "diploma",
    "certification",
    "skill",
    "experience",
    "prevention",
    "endorsement",
    "training",
)

_TEXT = Field(f.text)
_DATE = Field(f.day)
_MOMENT = Field(f.moment)
_HOLDER = Group(
    {
        "id": Field(f.did),
        "name": Field(f.text, required=True),
        "birthDate": _DATE,
        "email": Field(f.email),
    },
    required=True,
)
_PERSON = Group({"id": Field(f.did), "name": Field(f.text, required=True)}, required=True)
_ORGANIZATION = Group(
    {"name": Field(f.text, required=True), "id": Field(f.uri), "url": Field(f.url)}
)
_BLOCK = Group({"code": Field(c.block_code, required=True), "name": Field(f.text, required=True)})
_BASE: Final[dict[str, Field | Group]] = {
    "id": Field(f.uri),
    "name": Field(f.text, required=True),
    "description": _TEXT,
    "criteria": _TEXT,
    "achievementType": Field(c.achievement_type),
}
_REGISTERED: Final[dict[str, Field | Group]] = {
    "code": Field(c.certification_code),
    "level": Field(f.integer(1, 8), cell=f.cell_integer),
    "blocks": Field(f.items(_BLOCK), cell=c.cell_blocks),
    "fieldOfStudy": _TEXT,
    "specialization": _TEXT,
    "credits": Field(f.number(0, 1000), cell=f.cell_number),
}
_VALIDITY: Final[dict[str, Field | Group]] = {
    "validity": Field(c.duration),
    "validUntil": _MOMENT,
}


def _achievement(**extra: Field | Group) -> Group:
    return Group({**_BASE, **extra}, required=True)


_SPECS: Final[dict[str, Group]] = {
    "diploma": Group(
        {"holder": _HOLDER, "achievement": _achievement(**_REGISTERED), "awardedDate": _MOMENT}
    ),
    "certification": Group(
        {
            "holder": _HOLDER,
            "achievement": _achievement(
                **{**_REGISTERED, "code": Field(c.certification_code, required=True)}
            ),
            "awardedDate": _MOMENT,
            **_VALIDITY,
        }
    ),
    "skill": Group(
        {
            "holder": _HOLDER,
            "achievement": _achievement(esco=Field(c.esco_skill), rome=Field(c.rome)),
            "awardedDate": _MOMENT,
            "role": _TEXT,
            "validates": VALIDATES,
        }
    ),
    "experience": Group(
        {
            "holder": _PERSON,
            "employment": Group(
                {
                    "jobTitle": Field(f.text, required=True),
                    "employer": _ORGANIZATION,
                    "startDate": Field(f.day, required=True),
                    "endDate": _DATE,
                    "tasks": Field(f.texts, cell=f.cell_texts),
                    "contractType": _TEXT,
                    "workLocation": _TEXT,
                    "rome": Field(c.rome),
                    "esco": Field(c.esco_occupation),
                },
                required=True,
            ),
            "validates": VALIDATES,
        }
    ),
    "prevention": Group(
        {
            "holder": _HOLDER,
            "achievement": _achievement(code=Field(c.certification_code)),
            "awardedDate": _MOMENT,
            **_VALIDITY,
            "trainingBody": _ORGANIZATION,
            "licenseNumber": _TEXT,
        }
    ),
    "endorsement": Group(
        {
            "endorsed": Field(f.uri, required=True),
            "comment": Field(f.text, required=True),
            "name": _TEXT,
            "validates": VALIDATES,
        }
    ),
    "training": Group(
        {
            "holder": _HOLDER,
            "achievement": _achievement(
                skills=Field(f.items(tr.SKILL), cell=tr.cell_skills),
            ),
            "startDate": Field(f.day, required=True),
            "endDate": Field(f.day, required=True),
            "awardedDate": _MOMENT,
            "hours": Field(f.number(0.5, 10_000), required=True, cell=f.cell_number),
            "modality": Field(tr.modality),
            "cpf": Field(tr.boolean, cell=tr.cell_boolean),
            "prepares": Group({"code": Field(c.certification_code, required=True), "name": _TEXT}),
            "trainingBody": Group(
                {
                    "name": Field(f.text, required=True),
                    "id": Field(f.uri),
                    "url": Field(f.url),
                    "nda": Field(tr.nda),
                    "qualiopi": _TEXT,
                    "siret": Field(tr.siret),
                }
            ),
            "validates": VALIDATES,
        }
    ),
}
_ISSUER = Group(
    {
        "id": Field(f.did, required=True),
        "name": Field(f.text, required=True),
        "url": Field(f.url),
        "email": Field(f.email),
    }
)
_URN_UUID = re.compile(r"urn:uuid:[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


def _spec(template: str, where: str | None) -> Group:
    try:
        return _SPECS[template]
    except KeyError:
        raise InputError(
            f'unknown template "{template}" (expected one of: {", ".join(TEMPLATE_NAMES)})',
            where=where,
        ) from None


def columns(template: str) -> tuple[str, ...]:
    """Return the CSV columns (data paths joined by dots) that ``template`` accepts."""
    return f.paths(_spec(template, None))


def data_from_row(template: str, row: Mapping[str, str], *, where: str) -> JsonObject:
    """Turn one flat CSV row (column -> text) into the data object `render` takes.

    Raises:
        InputError: unknown template or column, or a cell that cannot be read
            (``where`` and the pointer into the data name it).
    """
    return f.from_row(_spec(template, where), row, where=where)


def subject_id(data: Mapping[str, Any]) -> str | None:
    """Return the holder DID in the data, if any (an endorsement's ``endorsed`` DID)."""
    holder = data.get("holder")
    if isinstance(holder, Mapping) and isinstance(holder.get("id"), str):
        return str(holder["id"]).strip()
    endorsed = data.get("endorsed")
    if isinstance(endorsed, str) and endorsed.strip().startswith("did:"):
        return endorsed.strip()
    return None


def render(
    template: str,
    data: Mapping[str, Any],
    *,
    issuer: Mapping[str, Any],
    credential_id: str,
    issued_at: datetime,
    where: str | None = None,
) -> JsonObject:
    """Return the unsigned VC 2.0 credential for `template` filled from `data`.

    Args:
        issuer: ``{"id": DID, "name": ..., "url"?: ..., "email"?: ...}``, rendered
            as an OB 3.0 Profile.
        credential_id: the credential's ``urn:uuid:…``.
        issued_at: the issue time (timezone-aware): ``validFrom``, and the
            default ``awardedDate``.
        where: the file or row the data comes from, for error messages.

    Raises:
        InputError: unknown template, or data (or issuer profile) that does not
            fit the template; ``where`` and a JSON pointer into the data name it.
        ValueError: ``credential_id`` is not a ``urn:uuid`` or ``issued_at`` is naive.

    >>> from datetime import UTC, datetime
    >>> credential = render(
    ...     "endorsement",
    ...     {"endorsed": "did:example:camille", "comment": "Rigoureuse et fiable."},
    ...     issuer={"id": "did:example:employeur", "name": "Employeur Exemple SA"},
    ...     credential_id="urn:uuid:2f9c8a64-5b1e-4c7d-9a3f-6e0b1d2c4a58",
    ...     issued_at=datetime(2026, 1, 15, 12, 0, tzinfo=UTC),
    ... )
    >>> credential["type"], credential["validFrom"]
    (['VerifiableCredential', 'EndorsementCredential'], '2026-01-15T12:00:00Z')
    >>> render("skill", {"holder": {"name": "Camille Martin"}}, issuer=credential["issuer"],
    ...        credential_id=credential["id"], issued_at=datetime.now(UTC), where="skill.json")
    Traceback (most recent call last):
    passeport.errors.InputError: skill.json: /achievement: missing required field "achievement"
    """
    spec = _spec(template, where)
    if not _URN_UUID.fullmatch(credential_id):
        raise ValueError(f"credential_id must be a urn:uuid, got {credential_id!r}")
    if issued_at.tzinfo is None:
        raise ValueError("issued_at must be timezone-aware")
    issued_at = issued_at.astimezone(UTC).replace(microsecond=0)
    checked = f.read(spec, data, Place(where))
    profile = f.read(_ISSUER, issuer, Place("issuer profile"))
    issuance = ob.Issuance(credential_id, profile, issued_at, Place(where))
    if template == "experience":
        credential = _experience(checked, issuance)
    elif template == "endorsement":
        credential = ob.endorsement_credential(checked, issuance)
    elif template == "training":
        credential = tr.training_credential(checked, issuance)
    else:
        credential = ob.achievement_credential(template, checked, issuance)
    if "validates" in checked:
        credential["evidence"] = evidence_of(checked["validates"])
    return credential


def _experience(checked: Mapping[str, Any], at: ob.Issuance) -> JsonObject:
    """Return the EmploymentCredential (project context) of an experience."""
    issuer = at.issuer
    job = checked["employment"]
    start, end = job["startDate"], job.get("endDate")
    today = at.issued_at.date()
    if start > today:
        at.of("employment", "startDate").fail(
            f"{start} is after the issue date ({today}); attest a job once it has started"
        )
    if end is not None and end < start:
        at.of("employment", "endDate").fail(f"the job ends ({end}) before it starts ({start})")
    if end is not None and end > today:
        at.of("employment", "endDate").fail(
            f"{end} is after the issue date ({today}); leave endDate out for a current job"
        )
    employer = job.get("employer") or {"id": issuer["id"], "name": issuer["name"]}
    alignments: list[JsonValue] = []
    if "rome" in job:
        alignments.append(ob.rome_alignment(job["rome"]))
    if "esco" in job:
        alignments.append(ob.esco_alignment(job["esco"], job["jobTitle"], occupation=True))
    employment = ob.nonempty(
        [
            ("type", ["Employment"]),
            ("jobTitle", job["jobTitle"]),
            ("employer", ob.profile(employer)),
            ("startDate", start.isoformat()),
            ("endDate", end.isoformat() if end is not None else None),
            ("contractType", job.get("contractType")),
            ("workLocation", job.get("workLocation")),
            ("tasks", job.get("tasks")),
            ("alignment", alignments or None),
        ]
    )
    holder = checked["holder"]
    subject = ob.nonempty(
        [("id", holder.get("id")), ("name", holder["name"]), ("employment", employment)]
    )
    return {
        **at.head("EmploymentCredential", ob.PASSEPORT_V1),
        "name": f"{job['jobTitle']}, {employer['name']}",
        "issuer": ob.profile(issuer),
        "validFrom": at.valid_from,
        "credentialSubject": subject,
    }
