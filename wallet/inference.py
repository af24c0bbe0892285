"""Skills inferred from a career: what jobs held and trainings followed suggest, labelled so.

A job held for a while under a ROME code suggests the essential skills the
ROME fiche of that code lists, ESCO skills and ROME competences (never a bloc
de compétences: only a certification awards one) (the *referential*: job
profiles by ROME code,
:func:`wallet.referentials.read_referential`); a training followed suggests
the ESCO skills it aims at. Such a skill is *inferred* (``déduit``):
neither guaranteed (nobody signed it) nor declared (the holder has not said
it). Each comes with its reasons, so the holder can judge it and, if they
agree, keep it as a declaration of their own
(``passeport wallet infer --keep``). A skill the holder already holds,
guaranteed or declared, is not proposed again.

Rules: a job counts from :data:`MIN_MONTHS` months (from its start to its
end, or to ``now`` for a current job; a job whose start is not disclosed
suggests nothing); a declared job suggests as a held one does, and its
reason says it was declared.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from passeport._json import JsonObject, JsonValue
from passeport.i18n import LANGUAGES, translator
from passeport.proofs.dates import utc_now
from passeport.verifier.facts import Guarantee, Kind
from passeport.wallet._holdings import Holding
from passeport.wallet.career import Framework, JobProfile, SkillKey

__all__ = [
    "INFER_MESSAGES",
    "MIN_MONTHS",
    "InferredSkill",
    "Reason",
    "Source",
    "fold",
    "infer",
    "inferred_from",
    "months_held",
]

MIN_MONTHS: Final = 6
"""How long a job is held before it suggests the skills of its ROME fiche."""


class Source(StrEnum):
    """What a skill is inferred from."""

    JOB = "job"
    TRAINING = "training"


_REASONS: Final = {
    (Source.JOB, False): "from the job “{title}” ({code}) held for {months} months",
    (Source.JOB, True): "from the job “{title}” ({code}) you declared, held for {months} months",
    (Source.TRAINING, False): "from the training “{title}” followed ({hours} h)",
    (Source.TRAINING, True): "from the training “{title}” you declared ({hours} h)",
}


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a skill is inferred: the credential (wallet record id) and what it says."""

    source: Source
    credential: str
    title: str | None
    declared: bool = False
    code: str | None = None
    months: int | None = None
    hours: float | None = None

    def text(self, lang: str = "fr") -> str:
        """Return the reason in words, in ``lang``."""
        t = translator(lang)
        hours = f"{self.hours:g}" if self.hours is not None else "?"
        if lang == "fr":
            hours = hours.replace(".", ",")
        return t(_REASONS[(self.source, self.declared)]).format(
            title=self.title or "?", code=self.code or "?", months=self.months, hours=hours
        )

    def to_json(self) -> JsonObject:
        """Return the JSON form, with the reason in each language."""
        return {
            "source": str(self.source),
            "credential": self.credential,
            "title": self.title,
            "declared": self.declared,
            "code": self.code,
            "months": self.months,
            "hours": self.hours,
            "text": {lang: self.text(lang) for lang in LANGUAGES},
        }


@dataclass(frozen=True, slots=True)
class InferredSkill:
    """A skill the career suggests, with every reason for it."""

    framework: Framework
    code: str
    label: str
    reasons: tuple[Reason, ...]

    @property
    def key(self) -> SkillKey:
        """The skill's identity (framework, code)."""
        return (self.framework, self.code)

    def to_json(self) -> JsonObject:
        """Return the JSON form (``guarantee`` is always ``inferred``)."""
        reasons: list[JsonValue] = [reason.to_json() for reason in self.reasons]
        return {
            "framework": str(self.framework),
            "code": self.code,
            "label": self.label,
            "guarantee": str(Guarantee.INFERRED),
            "reasons": reasons,
        }


def _day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def months_held(started: str | None, ended: str | None, now: datetime) -> int | None:
    """Return the whole months from ``started`` to ``ended`` (or ``now``), or None if unknown.

    >>> from datetime import UTC, datetime
    >>> months_held("2024-09-02", "2025-08-29", datetime(2026, 1, 1, tzinfo=UTC))
    11
    >>> months_held("2025-09-01", None, datetime(2026, 1, 1, tzinfo=UTC))
    4
    """
    start = _day(started)
    end = _day(ended) or now.date()
    if start is None or end < start:
        return None
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


def inferred_from(
    holding: Holding,
    referential: Mapping[str, JobProfile],
    *,
    now: datetime,
    min_months: int = MIN_MONTHS,
) -> list[tuple[SkillKey, str, Reason]]:
    """Return the skills one credential suggests: (key, label, reason) each."""
    facts = holding.facts
    declared = holding.guarantee is Guarantee.DECLARED
    found: list[tuple[SkillKey, str, Reason]] = []
    if facts.kind is Kind.JOB:
        months = months_held(facts.started, facts.ended, now)
        if months is None or months < min_months:
            return []
        for code in facts.rome:
            profile = referential.get(code)
            if profile is None:
                continue
            reason = Reason(Source.JOB, holding.id, facts.title, declared, code, months)
            found.extend(
                (skill.key, skill.label, reason)
                for skill in profile.skills
                if skill.essential and skill.framework is not Framework.BLOCK
            )
    elif facts.kind is Kind.TRAINING:
        reason = Reason(Source.TRAINING, holding.id, facts.title, declared, hours=facts.hours)
        found.extend(((Framework.ESCO, uri), name, reason) for uri, name in holding.esco)
    return found


def fold(text: str) -> str:
    """Return ``text`` for comparing names: accents removed, case folded, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def _proven(holdings: Iterable[Holding]) -> tuple[set[SkillKey], set[str]]:
    """Return the ESCO skills held, guaranteed or declared, and the names of the skills held.

    A training suggests; it proves nothing here. A ROME competence has no
    code a skill credential carries: a skill of the same name stands for it.
    """
    listed = [h for h in holdings if h.facts.kind is not Kind.TRAINING]
    esco = {(Framework.ESCO, uri) for holding in listed for uri, _ in holding.esco}
    names = {fold(h.facts.title) for h in listed if h.facts.kind is Kind.SKILL and h.facts.title}
    return esco, names


def infer(
    holdings: Sequence[Holding],
    referential: Mapping[str, JobProfile],
    *,
    now: datetime | None = None,
    min_months: int = MIN_MONTHS,
) -> tuple[InferredSkill, ...]:
    """Return the skills the career suggests and the holder does not hold yet, with reasons."""
    moment = now or utc_now()
    proven, names = _proven(holdings)
    labels: dict[SkillKey, str] = {}
    reasons: dict[SkillKey, list[Reason]] = {}
    for holding in holdings:
        for key, label, reason in inferred_from(
            holding, referential, now=moment, min_months=min_months
        ):
            if key in proven or (key[0] is Framework.ROME and fold(label) in names):
                continue
            labels.setdefault(key, label)
            if reason not in reasons.setdefault(key, []):
                reasons[key].append(reason)
    return tuple(
        InferredSkill(key[0], key[1], labels[key], tuple(found)) for key, found in reasons.items()
    )


INFER_MESSAGES: Final = tuple(_REASONS.values())
"""The message ids this module speaks (their French is checked)."""
