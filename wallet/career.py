"""Career projects: a target job and the skills it requires; certifications and their blocks.

Two documented JSON formats, read strictly (an unknown member is named, to
catch a typo), and the values they become. The public referentials' own
export formats (ROME 4.0 of France Travail, ESCO, France Compétences' RNCP
and RS) are read into the same values by :mod:`wallet.referentials`.

**A job profile** (``format`` ``passeport-job/1``)::

    {"format": "passeport-job/1",
     "title": "Développeur / Développeuse web",          required
     "rome": {"code": "M1805", "label": "Études et développement informatique"},
                                                         or "M1805"; optional
     "esco": "http://data.europa.eu/esco/occupation/...", optional
     "level": 5,                                         the EQF level aimed at; optional
     "source": "where the profile comes from",           optional
     "skills": [                                         required, at least one
       {"esco": "http://data.europa.eu/esco/skill/...", "label": "SQL"},
       {"block": "RNCP37674BC02", "label": "Développer la partie back-end ..."},
       {"rome": "123456", "label": "Programmer dans un langage informatique",
        "essential": false}]}

Each required skill is exactly one of: an ESCO skill (its URI), a bloc de
compétences of an RNCP or RS fiche (``RNCP37674BC02``), or a ROME 4.0
competence or knowledge (its OGR code, digits); ``label`` is required,
``essential`` defaults to true.

**A certification catalogue** (``format`` ``passeport-catalogue/1``)::

    {"format": "passeport-catalogue/1",
     "name": "...", "source": "...",                     optional
     "certifications": [
       {"code": "RNCP37674", "title": "...", "level": 5, "rome": ["M1805"],
        "active": true,
        "blocks": [{"code": "RNCP37674BC01", "title": "...",
                    "skills": [{"esco": "http://data.europa.eu/esco/skill/..."},
                               {"rome": "123456"}]}]}]}

``code`` is an RNCP or RS code; ``level`` (1 to 8, none for an RS fiche),
``rome`` (the ROME codes the certification leads to), ``active`` and each
block's ``skills`` (what the block is known to cover: France Compétences
publishes no such mapping, a catalogue adds it) are optional.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, NoReturn, Self

from passeport._json import JsonObject, JsonValue
from passeport.errors import InputError

__all__ = [
    "CATALOGUE_FORMAT",
    "JOB_FORMAT",
    "Catalogue",
    "Certification",
    "CertificationBlock",
    "Framework",
    "JobProfile",
    "RequiredSkill",
    "SkillKey",
    "certification_of_block",
    "normalize_block",
    "normalize_certification",
]

JOB_FORMAT: Final = "passeport-job/1"
CATALOGUE_FORMAT: Final = "passeport-catalogue/1"

_ESCO_SKILL: Final = re.compile(
    r"http://data\.europa\.eu/esco/skill/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}"
    r"-[0-9a-f]{12}|[A-Z]\d+(?:\.\d+)*)"
)
_ESCO_OCCUPATION: Final = re.compile(
    r"http://data\.europa\.eu/esco/(?:occupation/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}"
    r"-[0-9a-f]{4}-[0-9a-f]{12}|isco/C\d{1,4})"
)
_ROME_JOB: Final = re.compile(r"[A-N]\d{4}")
_OGR: Final = re.compile(r"\d{1,9}")
_CERTIFICATION: Final = re.compile(r"(RNCP|RS)[ -]?0*(\d{1,6})", re.IGNORECASE)
_BLOCK: Final = re.compile(r"(RNCP|RS)[ -]?0*(\d{1,6})[ -]?BC[ -]?(\d{2})", re.IGNORECASE)
_MAX_ITEMS: Final = 200_000


class Framework(StrEnum):
    """The referential a skill is named in."""

    ESCO = "esco"  # an ESCO skill URI (http://data.europa.eu/esco/skill/...)
    BLOCK = "block"  # a bloc de compétences of an RNCP/RS fiche (RNCP37674BC01)
    ROME = "rome"  # a ROME 4.0 competence or knowledge, by its OGR code


SkillKey = tuple[Framework, str]
"""A skill's identity: its framework and its code (URI, block code or OGR code)."""


def normalize_certification(text: str) -> str | None:
    """Return an RNCP/RS code as ``RNCP37674`` (``rncp 037674`` reads so), or None.

    >>> normalize_certification("rncp 037674"), normalize_certification("RS5678")
    ('RNCP37674', 'RS5678')
    """
    match = _CERTIFICATION.fullmatch(text.strip())
    if match is None or int(match[2]) == 0:
        return None
    return f"{match[1].upper()}{int(match[2])}"


def normalize_block(text: str) -> str | None:
    """Return a bloc de compétences code as ``RNCP37674BC01``, or None.

    >>> normalize_block("RNCP037674 BC01")
    'RNCP37674BC01'
    """
    match = _BLOCK.fullmatch(text.strip())
    if match is None or int(match[2]) == 0:
        return None
    return f"{match[1].upper()}{int(match[2])}BC{match[3]}"


def certification_of_block(block: str) -> str:
    """Return the fiche a block code belongs to: ``RNCP37674BC01`` -> ``RNCP37674``."""
    return block.split("BC", 1)[0]


class _Reader:
    """Strict reading of a JSON document, naming the file and the JSON pointer of a fault."""

    def __init__(self, where: str | None) -> None:
        self.where = where

    def fail(self, pointer: str, message: str) -> NoReturn:
        raise InputError(message, where=self.where, pointer=pointer or None)

    def object(self, value: Any, pointer: str, known: tuple[str, ...]) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            self.fail(pointer, "expected an object")
        unknown = [key for key in value if key not in known]
        if unknown:
            self.fail(
                f"{pointer}/{unknown[0]}",
                f'unknown member "{unknown[0]}" (expected: {", ".join(known)})',
            )
        return value

    def text(self, value: Any, pointer: str, *, required: bool = True) -> str | None:
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(pointer, "expected a non-empty text")
        return " ".join(value.split())

    def items(self, value: Any, pointer: str, *, required: bool = True) -> list[Any]:
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            self.fail(pointer, "expected a non-empty list")
        if len(value) > _MAX_ITEMS:
            self.fail(pointer, f"more than {_MAX_ITEMS} items")
        return value

    def pattern(self, value: Any, pointer: str, regex: re.Pattern[str], what: str) -> str:
        text = self.text(value, pointer)
        assert text is not None
        if not regex.fullmatch(text):
            self.fail(pointer, f'"{text}" is not {what}')
        return text

    def level(self, value: Any, pointer: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 8:
            self.fail(pointer, "expected a level from 1 to 8")
        return value

    def format(self, value: Any, expected: str) -> None:
        if value is not None and value != expected:
            self.fail("/format", f'"{value}" is not the format "{expected}"')


@dataclass(frozen=True, slots=True)
class RequiredSkill:
    """A skill a job requires, in one referential, with its label."""

    framework: Framework
    code: str
    label: str
    essential: bool = True

    @property
    def key(self) -> SkillKey:
        """The skill's identity (framework, code)."""
        return (self.framework, self.code)

    def to_json(self) -> JsonObject:
        """Return the job profile's form: ``{"esco"|"block"|"rome": code, "label", ...}``."""
        found: JsonObject = {str(self.framework): self.code, "label": self.label}
        if not self.essential:
            found["essential"] = False
        return found


def _skill_key(reader: _Reader, item: Any, pointer: str, known: tuple[str, ...]) -> SkillKey:
    """Read the one referential member of a skill object."""
    member = reader.object(item, pointer, known)
    given = [f for f in Framework if member.get(str(f)) is not None]
    if len(given) != 1:
        reader.fail(pointer, 'give exactly one of "esco", "block" or "rome"')
    framework = given[0]
    at = f"{pointer}/{framework}"
    value = member[str(framework)]
    if framework is Framework.ESCO:
        return framework, reader.pattern(value, at, _ESCO_SKILL, "an ESCO skill URI")
    if framework is Framework.BLOCK:
        text = reader.text(value, at)
        assert text is not None
        code = normalize_block(text)
        if code is None:
            reader.fail(at, f'"{text}" is not a bloc de compétences code (e.g. RNCP37674BC01)')
        return framework, code
    return framework, reader.pattern(value, at, _OGR, "a ROME OGR code (digits)")


@dataclass(frozen=True, slots=True)
class JobProfile:
    """A job and the skills it requires (see the module for its JSON form)."""

    title: str
    skills: tuple[RequiredSkill, ...]
    rome: str | None = None
    rome_label: str | None = None
    esco: str | None = None
    level: int | None = None
    source: str | None = None

    @classmethod
    def from_json(cls, value: Any, *, where: str | None = None) -> Self:
        """Read a job profile (format ``passeport-job/1``).

        Raises:
            InputError: a member missing, unknown or malformed (naming ``where``
                and its JSON pointer).
        """
        reader = _Reader(where)
        known = ("format", "title", "rome", "esco", "level", "source", "skills")
        document = reader.object(value, "", known)
        reader.format(document.get("format"), JOB_FORMAT)
        title = reader.text(document.get("title"), "/title")
        assert title is not None
        rome_value = document.get("rome")
        rome = rome_label = None
        if isinstance(rome_value, Mapping):
            node = reader.object(rome_value, "/rome", ("code", "label"))
            rome = reader.pattern(node.get("code"), "/rome/code", _ROME_JOB, "a ROME code")
            rome_label = reader.text(node.get("label"), "/rome/label", required=False)
        elif rome_value is not None:
            rome = reader.pattern(rome_value, "/rome", _ROME_JOB, "a ROME code (e.g. M1805)")
        esco = None
        if document.get("esco") is not None:
            esco = reader.pattern(
                document["esco"], "/esco", _ESCO_OCCUPATION, "an ESCO occupation URI"
            )
        skills: list[RequiredSkill] = []
        seen: set[SkillKey] = set()
        for index, item in enumerate(reader.items(document.get("skills"), "/skills")):
            at = f"/skills/{index}"
            framework, code = _skill_key(
                reader, item, at, ("esco", "block", "rome", "label", "essential")
            )
            label = reader.text(item.get("label"), f"{at}/label")
            assert label is not None
            essential = item.get("essential", True)
            if not isinstance(essential, bool):
                reader.fail(f"{at}/essential", "expected true or false")
            if (framework, code) in seen:
                reader.fail(at, f"{code} is listed twice")
            seen.add((framework, code))
            skills.append(RequiredSkill(framework, code, label, essential))
        return cls(
            title=title,
            skills=tuple(skills),
            rome=rome,
            rome_label=rome_label,
            esco=esco,
            level=reader.level(document.get("level"), "/level"),
            source=reader.text(document.get("source"), "/source", required=False),
        )

    def to_json(self) -> JsonObject:
        """Return the job profile's JSON form (format ``passeport-job/1``)."""
        found: JsonObject = {"format": JOB_FORMAT, "title": self.title}
        if self.rome:
            found["rome"] = (
                {"code": self.rome, "label": self.rome_label} if self.rome_label else self.rome
            )
        if self.esco:
            found["esco"] = self.esco
        if self.level is not None:
            found["level"] = self.level
        if self.source:
            found["source"] = self.source
        skills: list[JsonValue] = [skill.to_json() for skill in self.skills]
        found["skills"] = skills
        return found


@dataclass(frozen=True, slots=True)
class CertificationBlock:
    """A bloc de compétences, and the skills a catalogue says it covers."""

    code: str
    title: str
    skills: tuple[SkillKey, ...] = ()


@dataclass(frozen=True, slots=True)
class Certification:
    """An RNCP or RS certification: its code, title, level, ROME codes and blocks."""

    code: str
    title: str
    level: int | None = None
    rome: tuple[str, ...] = ()
    blocks: tuple[CertificationBlock, ...] = ()
    active: bool = True

    def block(self, code: str) -> CertificationBlock | None:
        """Return the block ``code`` of this certification, if the catalogue lists it."""
        return next((b for b in self.blocks if b.code == code), None)

    def to_json(self) -> JsonObject:
        """Return the catalogue's JSON form of this certification."""
        found: JsonObject = {"code": self.code, "title": self.title}
        if self.level is not None:
            found["level"] = self.level
        if self.rome:
            rome: list[JsonValue] = [*self.rome]
            found["rome"] = rome
        if not self.active:
            found["active"] = False
        blocks: list[JsonValue] = []
        for block in self.blocks:
            entry: JsonObject = {"code": block.code, "title": block.title}
            if block.skills:
                skills: list[JsonValue] = [{str(f): code} for f, code in block.skills]
                entry["skills"] = skills
            blocks.append(entry)
        if blocks:
            found["blocks"] = blocks
        return found


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Certifications one may prepare to fill a gap (see the module for its JSON form)."""

    certifications: tuple[Certification, ...]
    name: str | None = None
    source: str | None = None

    def certification(self, code: str) -> Certification | None:
        """Return the certification ``code`` (``RNCP37674``), if listed."""
        return next((c for c in self.certifications if c.code == code), None)

    @classmethod
    def from_json(cls, value: Any, *, where: str | None = None) -> Self:
        """Read a catalogue (format ``passeport-catalogue/1``).

        Raises:
            InputError: a member missing, unknown or malformed (naming ``where``
                and its JSON pointer).
        """
        reader = _Reader(where)
        document = reader.object(value, "", ("format", "name", "source", "certifications"))
        reader.format(document.get("format"), CATALOGUE_FORMAT)
        found: list[Certification] = []
        codes: set[str] = set()
        listed = reader.items(document.get("certifications"), "/certifications")
        for index, item in enumerate(listed):
            at = f"/certifications/{index}"
            entry = reader.object(item, at, ("code", "title", "level", "rome", "active", "blocks"))
            text = reader.text(entry.get("code"), f"{at}/code")
            assert text is not None
            code = normalize_certification(text)
            if code is None:
                reader.fail(f"{at}/code", f'"{text}" is not an RNCP or RS code')
            if code in codes:
                reader.fail(f"{at}/code", f"{code} is listed twice")
            codes.add(code)
            title = reader.text(entry.get("title"), f"{at}/title")
            assert title is not None
            rome = tuple(
                reader.pattern(r, f"{at}/rome/{i}", _ROME_JOB, "a ROME code")
                for i, r in enumerate(reader.items(entry.get("rome"), f"{at}/rome", required=False))
            )
            active = entry.get("active", True)
            if not isinstance(active, bool):
                reader.fail(f"{at}/active", "expected true or false")
            blocks: list[CertificationBlock] = []
            raw_blocks = reader.items(entry.get("blocks"), f"{at}/blocks", required=False)
            for b_index, raw in enumerate(raw_blocks):
                b_at = f"{at}/blocks/{b_index}"
                block = reader.object(raw, b_at, ("code", "title", "skills"))
                b_text = reader.text(block.get("code"), f"{b_at}/code")
                assert b_text is not None
                b_code = normalize_block(b_text) or normalize_block(f"{code}{b_text}")
                if b_code is None or certification_of_block(b_code) != code:
                    reader.fail(f"{b_at}/code", f'"{b_text}" is not a block of {code}')
                b_title = reader.text(block.get("title"), f"{b_at}/title")
                assert b_title is not None
                skills = tuple(
                    _skill_key(reader, s, f"{b_at}/skills/{i}", ("esco", "rome", "label"))
                    for i, s in enumerate(
                        reader.items(block.get("skills"), f"{b_at}/skills", required=False)
                    )
                )
                blocks.append(CertificationBlock(b_code, b_title, skills))
            found.append(
                Certification(
                    code,
                    title,
                    reader.level(entry.get("level"), f"{at}/level"),
                    rome,
                    tuple(blocks),
                    active,
                )
            )
        return cls(
            tuple(found),
            name=reader.text(document.get("name"), "/name", required=False),
            source=reader.text(document.get("source"), "/source", required=False),
        )

    def to_json(self) -> JsonObject:
        """Return the catalogue's JSON form (format ``passeport-catalogue/1``)."""
        found: JsonObject = {"format": CATALOGUE_FORMAT}
        if self.name:
            found["name"] = self.name
        if self.source:
            found["source"] = self.source
        certifications: list[JsonValue] = [c.to_json() for c in self.certifications]
        found["certifications"] = certifications
        return found
