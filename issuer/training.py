"""The ``training`` template: the certificate of completion a training body issues.

The passport's first content is every training followed, certified or not,
funded by the personal training account (CPF) or not. Its credential is an
Open Badges 3.0 ``OpenBadgeCredential`` (https://www.imsglobal.org/spec/ob/v3p0/)
like the other achievements, whose achievement is a ``CertificateOfCompletion``
(an OB 3.0 AchievementType):

- the training's title, description and the ESCO skills it aims at
  (alignments ``ext:Skill``) are the achievement's;
- the holder's dates of attendance are the OB 3.0 ``activityStartDate`` and
  ``activityEndDate`` of the subject, and ``awardedDate`` is the day it was
  completed (the end date unless said otherwise);
- the training body is the subject's ``source`` (an OB 3.0 ``Profile``; by
  default the issuer), with its French identifiers as OB 3.0
  ``otherIdentifier`` entries: ``ext:NDA`` (numéro de déclaration d'activité,
  11 digits), ``ext:Qualiopi`` (the Qualiopi certificate's number) and
  ``ext:SIRET`` (14 digits);
- what OB 3.0 lacks is the subject's ``training``, a ``Training`` node of the
  project context (``https://w3id.org/passeport/v1``): ``durationHours`` (a
  number), ``modality`` (``presentiel``, ``distanciel`` or ``mixte``),
  ``cpfFunded`` (a boolean) and ``preparedCertification``, an OB 3.0
  ``Alignment`` to the RNCP or RS fiche the training prepares for.

The prepared certification is kept out of the achievement on purpose: a
training that *prepares* RNCP37674 does not award it, and a verifier (and a
trust list) reads the achievement's codes as the certifications it awards.

Data (``*`` required)::

    holder*          id (a DID), name*, birthDate (date), email
    achievement*     name*, description, criteria (how it is completed;
                     default: a sentence saying it was followed to its end),
                     achievementType (default CertificateOfCompletion), id,
                     skills (list of {esco*: ESCO skill URI, name*}; CSV:
                     "URI: name | URI: name")
    startDate*       date the holder started (YYYY-MM-DD)
    endDate*         date the holder completed it
    awardedDate      moment of completion (default: endDate)
    hours*           duration in hours (a number; "7,5" in a CSV)
    modality         presentiel, distanciel or mixte (also read: présentiel,
                     à distance, en ligne, hybride...)
    cpf              funded by the CPF: true/false (CSV: oui/non)
    prepares         {code*: RNCP or RS code, name}: the certification prepared
    trainingBody     {name*, id (URI), url, nda, qualiopi, siret} (default: the issuer)
    validates        the declaration it validates (see :mod:`issuer._evidence`)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any, Final

from passeport._json import JsonObject, JsonValue
from passeport.issuer import _fields as f
from passeport.issuer import _ob3 as ob
from passeport.issuer._codes import esco_skill
from passeport.issuer._fields import Field, Group, Place
from passeport.proofs.dates import format_datetime

__all__ = [
    "ACHIEVEMENT_TYPE",
    "MODALITIES",
    "SKILL",
    "boolean",
    "cell_boolean",
    "cell_skills",
    "modality",
    "nda",
    "siret",
    "training_credential",
]

ACHIEVEMENT_TYPE: Final = "CertificateOfCompletion"
"""The OB 3.0 AchievementType of a training's certificate of completion."""

MODALITIES: Final = ("presentiel", "distanciel", "mixte")
"""How a training is followed: on site, remotely, or both (the CPF's three modalities)."""

_MODALITY_WORDS: Final = {
    "presentiel": "presentiel",
    "en presentiel": "presentiel",
    "sur site": "presentiel",
    "on site": "presentiel",
    "in person": "presentiel",
    "distanciel": "distanciel",
    "a distance": "distanciel",
    "en ligne": "distanciel",
    "formation a distance": "distanciel",
    "foad": "distanciel",
    "remote": "distanciel",
    "online": "distanciel",
    "mixte": "mixte",
    "hybride": "mixte",
    "blended": "mixte",
    "multimodal": "mixte",
}
_TRUE: Final = frozenset({"true", "oui", "yes", "vrai", "1", "o", "y"})
_FALSE: Final = frozenset({"false", "non", "no", "faux", "0", "n"})
_DEFAULT_CRITERIA: Final = (
    "Formation suivie jusqu'à son terme, attestée par l'organisme de formation."
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(plain.replace("-", " ").replace("'", " ").split())


def modality(value: object, place: Place) -> str:
    """Check how a training was followed; return ``presentiel``, ``distanciel`` or ``mixte``."""
    text = f.text(value, place)
    found = _MODALITY_WORDS.get(_fold(text))
    if found is None:
        place.fail(f'"{value}" is not a modality (expected: {", ".join(MODALITIES)})')
    return found


def boolean(value: object, place: Place) -> bool:
    """Check a JSON boolean."""
    if not isinstance(value, bool):
        place.fail(f"expected true or false, got {f.json_type(value)}")
    return value


def cell_boolean(cell: str, place: Place) -> JsonValue:
    """Read a CSV cell holding yes or no (``oui``/``non``, ``true``/``false``, ``1``/``0``)."""
    folded = _fold(cell)
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    place.fail(f'"{cell}" is not yes or no (oui/non, true/false)')


def _digits(count: int, what: str) -> f.Check:
    def check(value: object, place: Place) -> str:
        text = value if isinstance(value, str) else None
        if text is None:
            place.fail(f"expected {what} ({count} digits), got {f.json_type(value)}")
        digits = "".join(text.split())
        if len(digits) != count or not digits.isascii() or not digits.isdigit():
            place.fail(f'"{value}" is not {what} ({count} digits)')
        return digits

    return check


nda = _digits(11, "a numéro de déclaration d'activité")
siret = _digits(14, "a SIRET number")

SKILL: Final = Group(
    {"esco": Field(esco_skill, required=True), "name": Field(f.text, required=True)}
)
"""One ESCO skill a training aims at."""


def cell_skills(cell: str, place: Place) -> JsonValue:
    """Read a CSV cell of skills, ``URI: name | URI: name``."""
    skills: list[JsonValue] = []
    for index, item in enumerate(part.strip() for part in cell.split(f.LIST_SEPARATOR)):
        if not item:
            continue
        uri, colon, name = item.partition(": ")
        if not colon:
            place.child(index).fail(f'"{item}" is not "URI: name" (an ESCO skill and its name)')
        skills.append({"esco": uri.strip(), "name": name.strip()})
    return skills


def _identifiers(body: Mapping[str, Any]) -> list[JsonValue]:
    found: list[JsonValue] = []
    for key, kind in (("nda", "ext:NDA"), ("qualiopi", "ext:Qualiopi"), ("siret", "ext:SIRET")):
        if body.get(key):
            found.append(
                {"type": "IdentifierEntry", "identifier": body[key], "identifierType": kind}
            )
    return found


def _source(body: Mapping[str, Any]) -> JsonObject:
    source = ob.profile(body)
    identifiers = _identifiers(body)
    if identifiers:
        source["otherIdentifier"] = identifiers
    return source


def _start_of(day: date | datetime) -> datetime:
    return day if isinstance(day, datetime) else datetime.combine(day, time(0, 0), UTC)


def _dates(checked: Mapping[str, Any], at: ob.Issuance) -> tuple[date, date, datetime]:
    """Check the dates of attendance and completion; return start, end and award."""
    start, end = checked["startDate"], checked["endDate"]
    today = at.issued_at.date()
    if end < start:
        at.of("endDate").fail(f"the training ends ({end}) before it starts ({start})")
    if end > today:
        at.of("endDate").fail(
            f"{end} is after the issue date ({today}); attest a training once it is completed"
        )
    awarded = _start_of(checked.get("awardedDate") or end)
    if awarded > at.issued_at:
        at.of("awardedDate").fail(
            f"{format_datetime(awarded)} is after the credential's issue date ({at.valid_from})"
        )
    if awarded.date() < start:
        at.of("awardedDate").fail(f"completed ({awarded.date()}) before it started ({start})")
    return start, end, awarded


def training_credential(checked: Mapping[str, Any], at: ob.Issuance) -> JsonObject:
    """Return the OpenBadgeCredential of a training followed (checked data; see the module)."""
    issuer = at.issuer
    achievement = checked["achievement"]
    start, end, awarded = _dates(checked, at)
    name = achievement["name"]
    alignments: list[JsonValue] = [
        ob.esco_alignment(skill["esco"], skill["name"], occupation=False)
        for skill in achievement.get("skills", ())
    ]
    built = ob.nonempty(
        [
            ("id", achievement.get("id") or ob.stable_id(issuer["id"], "training", name)),
            ("type", ["Achievement"]),
            ("achievementType", achievement.get("achievementType", ACHIEVEMENT_TYPE)),
            ("name", name),
            ("description", achievement.get("description", name)),
            ("criteria", {"narrative": achievement.get("criteria", _DEFAULT_CRITERIA)}),
            ("alignment", alignments or None),
        ]
    )
    prepared = checked.get("prepares")
    hours = checked["hours"]
    training = ob.nonempty(
        [
            ("type", ["Training"]),
            ("durationHours", hours),
            ("modality", checked.get("modality")),
            ("cpfFunded", checked.get("cpf")),
            (
                "preparedCertification",
                ob.code_alignment(
                    prepared["code"], prepared.get("name") or f"Certification {prepared['code']}"
                )
                if prepared
                else None,
            ),
        ]
    )
    holder = checked["holder"]
    body = checked.get("trainingBody") or {"id": issuer["id"], "name": issuer["name"]}
    subject = ob.nonempty(
        [
            ("id", holder.get("id")),
            ("type", ["AchievementSubject"]),
            ("identifier", ob.identity_objects(holder)),
            ("achievement", built),
            ("activityStartDate", start.isoformat()),
            ("activityEndDate", end.isoformat()),
            ("source", _source(body)),
            ("training", training),
        ]
    )
    return {
        **at.head("OpenBadgeCredential", ob.PASSEPORT_V1),
        "name": name,
        "issuer": ob.profile(issuer),
        "validFrom": at.valid_from,
        "awardedDate": format_datetime(awarded),
        "credentialSubject": subject,
    }
