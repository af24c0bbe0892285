"""What a credential proves, in the terms an HR reader uses, read only from what was signed.

The pipeline hands :func:`facts_of` the credential's signed view
(:mod:`passeport.verifier.view`), so every fact here is a value the signature
covers and the holder disclosed: a withheld value is absent, never guessed.

The kind is read from the credential's own vocabulary: an Open Badges 3.0
achievement (``achievementType``; a ``Certificate`` from a training body
(``source``) with an end of validity is a health-and-safety training; a
``CertificateOfCompletion`` or a ``Course``, or a subject with a ``training``
node of the passeport context, is a training followed, whose hours, modality
and prepared certification are read from that node), an
``EmploymentCredential`` (a job held), an ``EndorsementCredential``. Codes and
levels come from the alignments the issuer signed: ``ext:Certification``
(RNCP or RS fiche), ``ext:SkillBlock`` (bloc de compétences), ``ext:EQFLevel``
(niveau), ROME occupations.

Spec: https://www.imsglobal.org/spec/ob/v3p0/ (Achievement, Alignment,
IdentityObject), https://www.w3.org/TR/vc-data-model-2.0/ .
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from passeport._json import JsonObject, id_of
from passeport.verifier.trust import certification_codes

__all__ = ["Block", "CredentialFacts", "Guarantee", "Kind", "facts_of"]

_DIPLOMA_TYPES: Final = frozenset(
    {
        "Diploma",
        "Degree",
        "AssociateDegree",
        "BachelorDegree",
        "MasterDegree",
        "DoctoralDegree",
        "GeneralEducationDevelopment",
        "SecondarySchoolDiploma",
        "ProfessionalDoctorate",
        "ResearchDoctorate",
    }
)
_SKILL_TYPES: Final = frozenset({"Competency", "Achievement", "Badge", "Assignment", "Assessment"})
_TRAINING_TYPES: Final = frozenset({"CertificateOfCompletion", "Course", "LearningProgram"})


class Kind(StrEnum):
    """What kind of line of a CV a credential is."""

    DIPLOMA = "diploma"
    CERTIFICATION = "certification"
    SKILL = "skill"
    JOB = "job"
    SAFETY_TRAINING = "safety-training"
    TRAINING = "training"  # a training followed (certificate of completion)
    ENDORSEMENT = "endorsement"
    OTHER = "other"


class Guarantee(StrEnum):
    """Who vouches for the facts: the three labels a reader must never confuse."""

    GUARANTEED = "guaranteed"  # signed by its issuer, and the signature holds
    DECLARED = "declared"  # signed by the holder about themselves
    UNVERIFIABLE = "unverifiable"  # the signature, the form or a check does not hold
    # Proposed by the holder's wallet from a career (a job's ROME code, a training):
    # signed by nobody, never the outcome of a verification (passeport.wallet.inference).
    INFERRED = "inferred"


@dataclass(frozen=True, slots=True)
class Block:
    """A bloc de compétences of an RNCP or RS fiche."""

    code: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class CredentialFacts:
    """The facts one credential proves, as signed and disclosed.

    Dates are as signed (ISO 8601). ``awarded`` is when the holder earned
    it, not when the credential was signed; ``valid_until`` is the end of a
    training's validity (safety trainings expire). ``standing`` is the
    issuer's, under the recruiter's trust list (see
    :func:`passeport.verifier.trust.standing`, or ``"unverified"``).
    ``issuer_name`` is the name the signer gave itself; ``issuer_listed_name``
    the one the recruiter's trust list gives its key, the only one to trust.
    ``started`` and ``ended`` are a job's dates, or a training's dates of
    attendance; ``hours``, ``modality`` (``presentiel``, ``distanciel``,
    ``mixte``), ``prepares`` (the RNCP/RS codes it prepares for, which it
    does not award) and ``provider`` (the training body) are a training's.
    """

    kind: Kind
    guarantee: Guarantee
    standing: str
    title: str | None = None
    level: str | None = None
    codes: tuple[str, ...] = ()
    blocks: tuple[Block, ...] = ()
    rome: tuple[str, ...] = ()
    awarded: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    issuer: str | None = None
    issuer_name: str | None = None
    holder: str | None = None
    holder_name: str | None = None
    issuer_listed_name: str | None = None
    employer: str | None = None
    started: str | None = None
    ended: str | None = None
    selective: bool = False
    hours: float | None = None
    modality: str | None = None
    prepares: tuple[str, ...] = ()
    provider: str | None = None

    def to_json(self) -> JsonObject:
        """Return the documented JSON form (camelCase members; absent facts are null).

        >>> facts = CredentialFacts(Kind.DIPLOMA, Guarantee.GUARANTEED, "unknown",
        ...                         title="Licence", codes=("RNCP35288",))
        >>> facts.to_json()["codes"], facts.to_json()["kind"]
        (['RNCP35288'], 'diploma')
        """
        return {
            "kind": str(self.kind),
            "guarantee": str(self.guarantee),
            "standing": self.standing,
            "title": self.title,
            "level": self.level,
            "codes": list(self.codes),
            "blocks": [{"code": b.code, "name": b.name} for b in self.blocks],
            "rome": list(self.rome),
            "awarded": self.awarded,
            "validFrom": self.valid_from,
            "validUntil": self.valid_until,
            "issuer": self.issuer,
            "issuerName": self.issuer_name,
            "holder": self.holder,
            "holderName": self.holder_name,
            "issuerListedName": self.issuer_listed_name,
            "employer": self.employer,
            "started": self.started,
            "ended": self.ended,
            "selective": self.selective,
            "hours": self.hours,
            "modality": self.modality,
            "prepares": list(self.prepares),
            "provider": self.provider,
        }


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


# Letters that draw nothing (Hangul fillers, the braille blank): read as spaces,
# they cannot pad a fake line out to the terminal's edge.
_FILLERS: Final = frozenset("\u115f\u1160\u2800\u3164\uffa0")
_LONGEST: Final = 160  # a title or a name longer than this is cut: the verdict stays in sight


def _clean(text: str) -> str:
    """Return ``text`` on one line, without control or bidirectional formatting characters.

    A title or a name is the signer's text: written to a terminal or a page
    as it is, a line break or a right-to-left override could draw a second,
    fake verdict line (``✔ ... : authentique.``) under the real one.

    >>> _clean("Licence\\n✔ Master : authentique.\\u202e")
    'Licence ✔ Master : authentique.'
    """
    if text.isprintable() and _FILLERS.isdisjoint(text):
        # Most text: no control, format or separator character to drop (a C-speed test;
        # the character walk below cost half a millisecond a credential).
        line = " ".join(text.split())
        return line if len(line) <= _LONGEST else line[: _LONGEST - 1].rstrip() + "…"
    kept = "".join(
        " " if char.isspace() or char in _FILLERS else char
        for char in text
        if char.isspace() or unicodedata.category(char) not in ("Cc", "Cf", "Co", "Cs")
    )
    line = " ".join(kept.split())
    return line if len(line) <= _LONGEST else line[: _LONGEST - 1].rstrip() + "…"


def _text(value: Any) -> str | None:
    """Return a string value (cleaned), or the first string of a list or language map."""
    if isinstance(value, str):
        return _clean(value) or None
    if isinstance(value, list):
        for item in value:
            found = _text(item)
            if found:
                return found
    if isinstance(value, Mapping):
        for item in value.values():
            if isinstance(item, str):
                return _clean(item) or None
    return None


def _types(value: Any) -> set[str]:
    return (
        {t for t in _items(value.get("type")) if isinstance(t, str)}
        if isinstance(value, Mapping)
        else set()
    )


def _alignments(achievement: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for item in _items(achievement.get("alignment")):
        if isinstance(item, Mapping):
            yield item


def _holder_name(subject: Mapping[str, Any]) -> str | None:
    for identity in _items(subject.get("identifier")):
        if (
            isinstance(identity, Mapping)
            and identity.get("identityType") == "name"
            and identity.get("hashed") in (False, "false", None)
        ):
            name = _text(identity.get("identityHash"))
            if name:
                return name
    return _text(subject.get("name"))


def _kind(types: set[str], subject: Mapping[str, Any], achievement: Mapping[str, Any]) -> Kind:
    if "EmploymentCredential" in types or isinstance(subject.get("employment"), Mapping):
        return Kind.JOB
    if "EndorsementCredential" in types:
        return Kind.ENDORSEMENT
    if isinstance(subject.get("training"), Mapping):
        return Kind.TRAINING
    if not achievement:
        return Kind.OTHER
    achievement_type = _text(achievement.get("achievementType")) or ""
    if achievement_type in _TRAINING_TYPES:
        return Kind.TRAINING
    if achievement_type in _DIPLOMA_TYPES:
        return Kind.DIPLOMA
    if achievement_type in _SKILL_TYPES:
        return Kind.SKILL
    if achievement_type in ("Certificate", "Certification", "License"):
        if subject.get("source") is not None or subject.get("licenseNumber") is not None:
            return Kind.SAFETY_TRAINING
        return Kind.CERTIFICATION
    return Kind.OTHER


def _hours(value: Any) -> float | None:
    """Return a training's duration in hours, a positive number as signed (or a numeric text)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, int | float) and 0 < value < 1e6:
        return float(value)
    return None


def _training(subject: Mapping[str, Any]) -> tuple[float | None, str | None, tuple[str, ...]]:
    """Return the hours, modality and prepared certifications of a subject's ``training``."""
    node = subject.get("training")
    if not isinstance(node, Mapping):
        return None, None, ()
    prepared: list[str] = []
    for item in _items(node.get("preparedCertification")):
        code = _text(item.get("targetCode")) if isinstance(item, Mapping) else _text(item)
        if code and code not in prepared:
            prepared.append(code)
    return _hours(node.get("durationHours")), _text(node.get("modality")), tuple(prepared)


def _guarantee(standing: str) -> Guarantee:
    if standing == "self-declared":
        return Guarantee.DECLARED
    if standing in ("unverified", "not-accredited"):
        return Guarantee.UNVERIFIABLE
    return Guarantee.GUARANTEED


def facts_of(
    document: Mapping[str, Any],
    *,
    standing: str,
    verified: bool,
    selective: bool = False,
    listed_name: str | None = None,
) -> CredentialFacts:
    """Return what ``document`` (a credential's signed view) proves.

    Args:
        standing: the issuer's standing under the recruiter's trust list.
        verified: whether every check on the credential held; if not, the
            facts are labelled unverifiable whatever the standing.
        selective: whether the holder disclosed only a part of it.
        listed_name: the issuer's name on the recruiter's trust list, if listed.

    >>> facts = facts_of({"type": ["VerifiableCredential", "OpenBadgeCredential"],
    ...     "issuer": {"id": "did:web:univ.example", "name": "Université Exemple"},
    ...     "credentialSubject": {"achievement": {"achievementType": "BachelorDegree",
    ...         "name": "Licence", "alignment": [{"targetType": "ext:EQFLevel",
    ...         "targetCode": "6"}]}}}, standing="unknown", verified=True)
    >>> facts.kind, facts.title, facts.level, facts.issuer_name
    (<Kind.DIPLOMA: 'diploma'>, 'Licence', '6', 'Université Exemple')
    """
    types = _types(document)
    subjects = [s for s in _items(document.get("credentialSubject")) if isinstance(s, Mapping)]
    subject: Mapping[str, Any] = subjects[0] if subjects else {}
    achievement_value = subject.get("achievement")
    achievement: Mapping[str, Any] = (
        achievement_value if isinstance(achievement_value, Mapping) else {}
    )
    employment_value = subject.get("employment")
    employment: Mapping[str, Any] = (
        employment_value if isinstance(employment_value, Mapping) else {}
    )
    codes: list[str] = []
    blocks: list[Block] = []
    rome: list[str] = []
    level: str | None = None
    for alignment in [*_alignments(achievement), *_alignments(employment)]:
        target = _text(alignment.get("targetType"))
        code = _text(alignment.get("targetCode"))
        framework = _text(alignment.get("targetFramework"))
        if not code:
            continue
        # A disclosure may show the framework without the target type: read either.
        if target == "ext:SkillBlock":
            blocks.append(Block(code, _text(alignment.get("targetName"))))
        elif target == "ext:EQFLevel" or framework == "EQF":
            level = code
        elif (target == "ext:Certification" or framework in ("RNCP", "RS")) and code not in codes:
            codes.append(code)
        elif framework == "ROME" and code not in rome:
            rome.append(code)
    # The codes the trust check judges, read the same way (alignments, fiche
    # URLs, humanCode, criteria), so the sentence names what accreditation rests on.
    codes.extend(code for code in certification_codes(document) if code not in codes)
    issuer = document.get("issuer")
    employer = employment.get("employer")
    title = (
        _text(achievement.get("name"))
        or _text(employment.get("jobTitle"))
        or _text(document.get("name"))
    )
    stand = standing if verified else "unverified"
    hours, modality, prepares = _training(subject)
    source = subject.get("source")
    return CredentialFacts(
        kind=_kind(types, subject, achievement),
        guarantee=_guarantee(stand),
        standing=stand,
        title=title,
        level=level,
        codes=tuple(codes),
        blocks=tuple(blocks),
        rome=tuple(rome),
        awarded=_text(document.get("awardedDate")),
        valid_from=_text(document.get("validFrom")) or _text(document.get("issuanceDate")),
        valid_until=_text(document.get("validUntil")) or _text(document.get("expirationDate")),
        issuer=_text(id_of(issuer)),
        issuer_name=_text(issuer.get("name")) if isinstance(issuer, Mapping) else None,
        holder=_text(id_of(subject)) if subject else None,
        holder_name=_holder_name(subject) if subject else None,
        issuer_listed_name=_text(listed_name),
        employer=_text(employer.get("name")) if isinstance(employer, Mapping) else None,
        started=_text(employment.get("startDate")) or _text(subject.get("activityStartDate")),
        ended=_text(employment.get("endDate")) or _text(subject.get("activityEndDate")),
        selective=selective,
        hours=hours,
        modality=modality,
        prepares=prepares,
        provider=_text(source.get("name")) if isinstance(source, Mapping) else None,
    )
