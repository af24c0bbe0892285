"""Checks of the codes and values the templates take from French and European frameworks.

France Compétences' RNCP and RS codes and their blocs de compétences, ROME
codes of France Travail, ESCO skill and occupation URIs, ISO 8601 durations
(how long a safety training stays valid) and Open Badges 3.0 achievement
types. Each check takes a JSON value and its :class:`~issuer._fields.Place`
and returns the normalized value, or raises the InputError naming the place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from passeport._json import JsonValue
from passeport.issuer._fields import LIST_SEPARATOR, Place, json_type, pattern
from passeport.verifier.trustlist import CODE_IN_TEXT

__all__ = [
    "ACHIEVEMENT_TYPES",
    "Duration",
    "achievement_type",
    "block_code",
    "cell_blocks",
    "certification_code",
    "duration",
    "esco_occupation",
    "esco_skill",
    "rome",
]


def certification_code(value: object, place: Place) -> str:
    """Check an RNCP or RS code of France Compétences; return it as ``RNCP37674`` / ``RS5678``.

    ``"rncp 37674"``, ``"RNCP-37674"`` and ``"RNCP037674"`` read as ``RNCP37674``,
    as the verifier's trust lists read them (:func:`verifier.trustlist.normalize_code`).
    """
    if not isinstance(value, str):
        place.fail(f"expected an RNCP or RS code (e.g. RNCP37674, RS5678), got {json_type(value)}")
    match = CODE_IN_TEXT.fullmatch(value.strip())
    if match is None or int(match[2]) == 0:
        place.fail(f'"{value}" is not an RNCP or RS code (RNCP or RS then digits, e.g. RNCP37674)')
    return f"{match[1].upper()}{int(match[2])}"


_BLOCK = re.compile(r"(?:(RNCP|RS)[ -]?0*(\d+))?[ -]?BC[ -]?(\d{2})", re.IGNORECASE)


def block_code(value: object, place: Place) -> str:
    """Check the code of a bloc de compétences: ``RNCP37674BC01``, or ``BC01`` for short.

    The short form is completed with the certification's code by the template.
    """
    if not isinstance(value, str):
        place.fail(f"expected a block code (e.g. RNCP37674BC01), got {json_type(value)}")
    match = _BLOCK.fullmatch(value.strip())
    if match is None:
        place.fail(f'"{value}" is not a bloc de compétences code (e.g. RNCP37674BC01 or BC01)')
    prefix = f"{match[1].upper()}{int(match[2])}" if match[1] else ""
    return f"{prefix}BC{match[3]}"


def cell_blocks(cell: str, place: Place) -> JsonValue:
    """Read a CSV cell of blocks, ``CODE: name | CODE: name``."""
    blocks: list[JsonValue] = []
    for index, item in enumerate(part.strip() for part in cell.split(LIST_SEPARATOR)):
        if not item:
            continue
        code, colon, name = item.partition(":")
        if not colon:
            place.child(index).fail(f'"{item}" is not "CODE: name" (e.g. "BC01: Concevoir…")')
        blocks.append({"code": code.strip(), "name": name.strip()})
    return blocks


rome = pattern(
    r"[A-N]\d{4}", "a ROME code (a letter A to N and 4 digits, e.g. M1805)", fold=str.upper
)
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
esco_skill = pattern(
    rf"http://data\.europa\.eu/esco/skill/(?:{_UUID}|[A-Z]\d+(?:\.\d+)*)",
    "an ESCO skill URI (http://data.europa.eu/esco/skill/…)",
)
esco_occupation = pattern(
    rf"http://data\.europa\.eu/esco/(?:occupation/{_UUID}|isco/C\d{{1,4}})",
    "an ESCO occupation URI (http://data.europa.eu/esco/occupation/…)",
)

_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?")


@dataclass(frozen=True, slots=True)
class Duration:
    """A calendar duration, ISO 8601 ``PnYnMnWnD`` (no time part)."""

    years: int
    months: int
    days: int

    def after(self, start: date) -> date:
        """Return ``start`` plus this duration; a day past the month's end becomes its last day."""
        total = start.year * 12 + (start.month - 1) + self.years * 12 + self.months
        year, month = divmod(total, 12)
        last = (date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1) - date.resolution).day
        return date(year, month + 1, min(start.day, last)) + self.days * date.resolution


def duration(value: object, place: Place) -> Duration:
    """Check an ISO 8601 duration in years, months, weeks and days (``P24M``, ``P2Y``)."""
    if not isinstance(value, str):
        place.fail(f"expected an ISO 8601 duration (e.g. P24M), got {json_type(value)}")
    match = _DURATION.fullmatch(value.strip().upper())
    if match is None or not any(match.groups()):
        place.fail(f'"{value}" is not an ISO 8601 duration in years, months or days (e.g. P24M)')
    years, months, weeks, days = (int(group or 0) for group in match.groups())
    total_days = (years * 12 + months) * 31 + weeks * 7 + days
    if total_days == 0:
        place.fail(f'"{value}" is a zero duration')
    if total_days > 100 * 366:
        place.fail(f'"{value}" is longer than a hundred years')
    return Duration(years, months, weeks * 7 + days)


# Open Badges 3.0, AchievementType (an extensible enumeration: "ext:" terms are allowed)
ACHIEVEMENT_TYPES = frozenset(
    """Achievement ApprenticeshipCertificate Assessment Assignment AssociateDegree Award Badge
    BachelorDegree Certificate CertificateOfCompletion Certification CommunityService Competency
    Course CoCurricular Degree Diploma DoctoralDegree Fieldwork GeneralEducationDevelopment
    JourneymanCertificate LearningProgram License Membership ProfessionalDoctorate
    QualityAssuranceCredential MasterCertificate MasterDegree MicroCredential ResearchDoctorate
    SecondarySchoolDiploma""".split()  # noqa: SIM905 (a word list reads better as words)
)
_EXT_TERM = re.compile(r"ext:[A-Za-z0-9._-]+")


def achievement_type(value: object, place: Place) -> str:
    """Check an Open Badges 3.0 AchievementType, or an ``ext:`` extension term."""
    if not isinstance(value, str):
        place.fail(f"expected an Open Badges achievement type, got {json_type(value)}")
    stripped = value.strip()
    if stripped not in ACHIEVEMENT_TYPES and not _EXT_TERM.fullmatch(stripped):
        place.fail(
            f'"{value}" is not an Open Badges 3.0 achievement type (e.g. Diploma, Certificate, '
            'License, Competency, MasterDegree, or an "ext:" term)'
        )
    return stripped
