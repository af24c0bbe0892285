"""Open Badges 3.0 objects for the templates: profiles, identity objects, alignments, achievements.

Spec: https://www.imsglobal.org/spec/ob/v3p0/ (data model 3.0.3, on VC 2.0).
Every object carries its ``type``, so that the type-scoped terms of the OB 3.0.3
context apply to its members. Where OB 3.0 has an extensible enumeration
(AchievementType, AlignmentTargetType, IdentifierTypeEnum) the values it lacks
are ``ext:`` terms, as its "Extending Enumerated Vocabularies" rules ask.

The French and European frameworks appear as alignments:

- a certification's fiche in France Compétences' registers: ``targetFramework``
  ``"RNCP"`` or ``"RS"``, ``targetCode`` ``RNCP37674``, ``targetUrl``
  ``https://www.francecompetences.fr/recherche/rncp/37674/``, ``targetType``
  ``ext:Certification``;
- each bloc de compétences it certifies: same framework and URL, ``targetCode``
  ``RNCP37674BC01``, ``targetType`` ``ext:SkillBlock``;
- its level in the French national framework, which since 2019 numbers its
  levels as the European Qualifications Framework does: ``targetFramework``
  ``"EQF"``, ``targetCode`` ``"6"``, ``targetType`` ``ext:EQFLevel``;
- an ESCO skill or occupation: ``targetFramework`` ``"ESCO"``, ``targetUrl`` the
  ESCO URI, ``targetType`` ``ext:Skill`` or ``ext:Occupation``;
- a ROME 4.0 fiche métier of France Travail: ``targetFramework`` ``"ROME"``,
  ``targetCode`` ``M1805``, ``targetType`` ``ext:Occupation``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, Final

from passeport._json import JsonObject, JsonValue
from passeport.issuer._fields import Place
from passeport.proofs.dates import format_datetime

__all__ = [
    "OB_V3",
    "PASSEPORT_V1",
    "VC_V2",
    "Issuance",
    "achievement_credential",
    "alignment",
    "block_alignment",
    "code_alignment",
    "code_url",
    "endorsement_credential",
    "eqf_alignment",
    "esco_alignment",
    "identity_objects",
    "nonempty",
    "profile",
    "rome_alignment",
    "stable_id",
]

VC_V2: Final = "https://www.w3.org/ns/credentials/v2"
OB_V3: Final = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
PASSEPORT_V1: Final = "https://w3id.org/passeport/v1"

_FRANCE_COMPETENCES: Final = "https://www.francecompetences.fr/recherche"
_EQF_LEVELS: Final = "https://europa.eu/europass/en/description-eight-eqf-levels"
_ROME_FICHE: Final = "https://candidat.francetravail.fr/metierscope/fiche-metier"


def profile(member: Mapping[str, Any]) -> JsonObject:
    """Return an OB 3.0 ``Profile`` from ``id`` (optional), ``name``, ``url`` and ``email``."""
    out: JsonObject = {}
    if member.get("id"):
        out["id"] = member["id"]
    out["type"] = ["Profile"]
    for key in ("name", "url", "email"):
        if member.get(key):
            out[key] = member[key]
    return out


def identity_objects(holder: Mapping[str, Any]) -> list[JsonValue]:
    """Return the holder's OB 3.0 ``IdentityObject``\\ s: name, date of birth, email (plain text).

    OB 3.0 lists ``name`` and ``emailAddress`` among its identifier types; the
    date of birth is the extension type ``ext:dateOfBirth`` (the name of the
    Profile property that OB 3.0 has for it). Each is its own object, so that
    a holder can leave the date of birth out of a selective-disclosure
    presentation.
    """
    found: list[JsonValue] = []
    for key, identity_type in (
        ("name", "name"),
        ("birthDate", "ext:dateOfBirth"),
        ("email", "emailAddress"),
    ):
        value = holder.get(key)
        if value:
            found.append(
                {
                    "type": "IdentityObject",
                    "identityType": identity_type,
                    "hashed": False,
                    "identityHash": str(value),
                }
            )
    return found


def alignment(
    *, target_type: str, framework: str, name: str, url: str, code: str | None = None
) -> JsonObject:
    """Return an OB 3.0 ``Alignment``."""
    out: JsonObject = {"type": ["Alignment"], "targetType": target_type}
    out["targetFramework"] = framework
    if code is not None:
        out["targetCode"] = code
    out["targetName"] = name
    out["targetUrl"] = url
    return out


def code_url(code: str) -> str:
    """Return France Compétences' page of an RNCP/RS fiche, ``…/rncp/37674/``."""
    register = "rncp" if code.startswith("RNCP") else "rs"
    return f"{_FRANCE_COMPETENCES}/{register}/{code[len(register) :]}/"


def _register(code: str) -> str:
    return "RNCP" if code.startswith("RNCP") else "RS"


def code_alignment(code: str, title: str) -> JsonObject:
    """Return the alignment to a certification's RNCP/RS fiche."""
    return alignment(
        target_type="ext:Certification",
        framework=_register(code),
        code=code,
        name=title,
        url=code_url(code),
    )


def block_alignment(code: str, block: str, name: str) -> JsonObject:
    """Return the alignment to one bloc de compétences (``RNCP37674BC01``) of fiche ``code``."""
    return alignment(
        target_type="ext:SkillBlock",
        framework=_register(code),
        code=block,
        name=name,
        url=code_url(code),
    )


def eqf_alignment(level: int) -> JsonObject:
    """Return the alignment to a qualification level (French niveau = EQF level)."""
    return alignment(
        target_type="ext:EQFLevel",
        framework="EQF",
        code=str(level),
        name=f"Niveau {level} (cadre européen des certifications)",
        url=_EQF_LEVELS,
    )


def esco_alignment(uri: str, name: str, *, occupation: bool) -> JsonObject:
    """Return the alignment to an ESCO skill or occupation, named ``name``."""
    return alignment(
        target_type="ext:Occupation" if occupation else "ext:Skill",
        framework="ESCO",
        name=name,
        url=uri,
    )


def rome_alignment(code: str) -> JsonObject:
    """Return the alignment to a ROME fiche métier of France Travail (``M1805``)."""
    return alignment(
        target_type="ext:Occupation",
        framework="ROME",
        code=code,
        name=f"Fiche ROME {code}",
        url=f"{_ROME_FICHE}/{code}",
    )


def stable_id(*parts: str) -> str:
    """Return a ``urn:uuid`` (UUID v5) determined by ``parts``: the same inputs, the same id."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, chr(31).join(parts))}"


def nonempty(members: Sequence[tuple[str, JsonValue | None]]) -> JsonObject:
    """Return an object of the members whose value is not None, in order."""
    return {key: value for key, value in members if value is not None}


# Credentials -----------------------------------------------------------------------------------

_DEFAULT_TYPE: Final = {
    "diploma": "Diploma",
    "certification": "Certificate",
    "skill": "Competency",
    "prevention": "Certificate",
}


@dataclass(frozen=True, slots=True)
class Issuance:
    """What one render shares: the credential's id, its issuer, the issue time, the data's place."""

    credential_id: str
    issuer: Mapping[str, Any]
    issued_at: datetime
    place: Place

    def of(self, *keys: str | int) -> Place:
        """Return the place of the data member at ``keys``."""
        place = self.place
        for key in keys:
            place = place.child(key)
        return place

    @property
    def valid_from(self) -> str:
        """Return the issue time as ``validFrom`` writes it."""
        return format_datetime(self.issued_at)

    def head(self, credential_type: str, *contexts: str) -> JsonObject:
        """Return ``@context``, ``id`` and ``type`` of a credential of ``credential_type``."""
        return {
            "@context": [VC_V2, OB_V3, *contexts],
            "id": self.credential_id,
            "type": ["VerifiableCredential", credential_type],
        }


def _start_of(day: date | datetime) -> datetime:
    if isinstance(day, datetime):
        return day
    return datetime.combine(day, time(0, 0), UTC)


def _awarded(checked: Mapping[str, Any], at: Issuance) -> datetime:
    value = checked.get("awardedDate")
    if value is None:
        return at.issued_at
    awarded = _start_of(value)
    if awarded > at.issued_at:
        at.of("awardedDate").fail(
            f"{format_datetime(awarded)} is after the credential's issue date "
            f"({at.valid_from}); a credential attests what is already obtained"
        )
    return awarded


def _valid_until(
    checked: Mapping[str, Any], awarded: datetime, at: Issuance, *, required: bool
) -> str | None:
    duration, until = checked.get("validity"), checked.get("validUntil")
    if duration is not None and until is not None:
        at.of("validUntil").fail('give "validity" or "validUntil", not both')
    if duration is None and until is None:
        if required:
            at.of("validity").fail(
                'missing required field "validity" (a duration such as P24M) or "validUntil": '
                "a safety training expires"
            )
        return None
    if duration is not None:
        key, end = "validity", _start_of(duration.after(awarded.date()))
    elif isinstance(until, datetime):
        key, end = "validUntil", until
    else:
        key, end = "validUntil", datetime.combine(checked["validUntil"], time(23, 59, 59), UTC)
    if end <= at.issued_at:
        at.of(key).fail(
            f"the credential would expire ({format_datetime(end)}) before its issue date "
            f"({at.valid_from})"
        )
    return format_datetime(end)


def _registered(template: str, achievement: Mapping[str, Any], at: Issuance) -> list[JsonValue]:
    """Check code, level and blocks together; return their alignments."""
    code, level, blocks = (achievement.get(key) for key in ("code", "level", "blocks"))
    found: list[JsonValue] = []
    if code is not None:
        if template == "diploma" and not code.startswith("RNCP"):
            at.of("achievement", "code").fail(
                f"{code}: a diploma is registered in the RNCP; the RS lists certifications "
                "and habilitations (use the certification template)"
            )
        found.append(code_alignment(code, achievement["name"]))
    if level is not None:
        if code is not None and code.startswith("RS"):
            at.of("achievement", "level").fail(f"{code}: fiches of the RS have no level")
        found.append(eqf_alignment(level))
    for index, block in enumerate(blocks or ()):
        if code is None:
            at.of("achievement", "blocks").fail(
                "blocs de compétences belong to an RNCP/RS fiche: give achievement.code"
            )
        block_code = block["code"] if block["code"][0] != "B" else f"{code}{block['code']}"
        if not block_code.startswith(f"{code}BC"):
            at.of("achievement", "blocks", index, "code").fail(
                f"{block_code} is not a block of {code}"
            )
        found.append(block_alignment(code, block_code, block["name"]))
    return found


def achievement_credential(template: str, checked: Mapping[str, Any], at: Issuance) -> JsonObject:
    """Return the OpenBadgeCredential of a diploma, certification, skill or prevention training."""
    issuer = at.issuer
    achievement = checked["achievement"]
    code = achievement.get("code")
    alignments = _registered(template, achievement, at)
    if "esco" in achievement:
        alignments.append(
            esco_alignment(achievement["esco"], achievement["name"], occupation=False)
        )
    if "rome" in achievement:
        alignments.append(rome_alignment(achievement["rome"]))
    if template == "skill" and not alignments:
        at.of("achievement", "esco").fail(
            'a skill is aligned to a framework: give "esco" (an ESCO skill URI), "rome" '
            "(a ROME code), or both"
        )
    criteria: JsonObject = {"id": code_url(code)} if code else {}
    if "criteria" in achievement:
        criteria["narrative"] = achievement["criteria"]
    if not criteria:
        at.of("achievement", "criteria").fail(
            'missing required field "criteria": how the achievement is earned (only a '
            "certification code, whose fiche gives the criteria, makes it optional)"
        )
    awarded = _awarded(checked, at)
    valid_until = (
        _valid_until(checked, awarded, at, required=template == "prevention")
        if template in ("certification", "prevention")
        else None
    )
    name = achievement["name"]
    built = nonempty(
        [
            ("id", achievement.get("id") or stable_id(issuer["id"], template, code or name)),
            ("type", ["Achievement"]),
            ("achievementType", achievement.get("achievementType", _DEFAULT_TYPE[template])),
            ("name", name),
            ("description", achievement.get("description", name)),
            ("criteria", criteria),
            ("humanCode", code),
            ("fieldOfStudy", achievement.get("fieldOfStudy")),
            ("specialization", achievement.get("specialization")),
            ("creditsAvailable", achievement.get("credits")),
            ("alignment", alignments or None),
        ]
    )
    holder = checked["holder"]
    trainer = checked.get("trainingBody")
    subject = nonempty(
        [
            ("id", holder.get("id")),
            ("type", ["AchievementSubject"]),
            ("identifier", identity_objects(holder)),
            ("achievement", built),
            ("role", checked.get("role")),
            ("licenseNumber", checked.get("licenseNumber")),
            ("source", profile(trainer) if trainer else None),
        ]
    )
    return nonempty(
        [
            *at.head("OpenBadgeCredential").items(),
            ("name", name),
            ("issuer", profile(issuer)),
            ("validFrom", at.valid_from),
            ("validUntil", valid_until),
            ("awardedDate", format_datetime(awarded)),
            ("credentialSubject", subject),
        ]
    )


def endorsement_credential(checked: Mapping[str, Any], at: Issuance) -> JsonObject:
    """Return the EndorsementCredential of an endorsement of ``endorsed``."""
    return {
        **at.head("EndorsementCredential"),
        "name": checked.get("name", f"Recommandation de {at.issuer['name']}"),
        "issuer": profile(at.issuer),
        "validFrom": at.valid_from,
        "credentialSubject": {
            "id": checked["endorsed"],
            "type": ["EndorsementSubject"],
            "endorsementComment": checked["comment"],
        },
    }
