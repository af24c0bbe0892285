"""The skills gap to a target job: what the wallet covers, how, how surely; what fills the rest.

For each skill a job requires (:class:`~wallet.career.JobProfile`),
:func:`gap_of` lists every way the holder's credentials cover it, best
first:

- ``direct``: a credential aligned to that ESCO skill (a skill attested);
- ``block``: a certification or a diploma listing that bloc de compétences,
  or listing a block the catalogue says covers the skill;
- ``certification``: a whole certification (it lists no block, so it awards
  them all), whose blocks the catalogue knows;
- ``endorsement``: someone endorsed the holder's declaration of it;
- ``job``: a job held under a ROME code whose fiche lists the skill (inferred);
- ``training``: a training followed that aims at the skill (inferred).

Each way is labelled as the verifier labels credentials: *guaranteed*
(signed by its issuer), *declared* (signed by the holder) or *inferred*
(suggested by the career, signed by nobody; :mod:`wallet.inference`). A skill
is covered when it is guaranteed or declared; a skill only inferred is
counted apart, and both it and a missing one get the certifications of the
catalogue that would cover it, best first: those covering the most missing
skills (essential ones first), then those leading to the job's ROME code,
then the nearest level, then by code.

:func:`skills_gap` reads the wallet (:mod:`wallet._holdings`: only what still
holds and is about the holder; a validated declaration gives way to what
validates it); :meth:`Gap.lines` says it in French or English and
:meth:`Gap.to_json` gives it to programs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from passeport._json import JsonObject, JsonValue
from passeport.i18n import translator
from passeport.proofs.dates import utc_now
from passeport.verifier.facts import Guarantee, Kind
from passeport.wallet._holdings import Holding, holdings
from passeport.wallet.career import (
    Catalogue,
    Certification,
    CertificationBlock,
    Framework,
    JobProfile,
    RequiredSkill,
    SkillKey,
    certification_of_block,
)
from passeport.wallet.inference import MIN_MONTHS, Reason, fold, inferred_from
from passeport.wallet.store import Wallet

__all__ = [
    "GAP_MESSAGES",
    "Coverage",
    "Gap",
    "Route",
    "SkillGap",
    "Suggestion",
    "gap_of",
    "skills_gap",
]


class Route(StrEnum):
    """How a credential covers a required skill."""

    DIRECT = "direct"
    BLOCK = "block"
    CERTIFICATION = "certification"
    ENDORSEMENT = "endorsement"
    JOB = "job"
    TRAINING = "training"


_ROUTE_ORDER: Final = tuple(Route)
_GUARANTEE_ORDER: Final = (Guarantee.GUARANTEED, Guarantee.DECLARED, Guarantee.INFERRED)
_PER_SKILL: Final = 3


@dataclass(frozen=True, slots=True)
class Coverage:
    """One way a credential covers a skill: which (wallet record id), how, and how surely."""

    credential: str
    title: str | None
    kind: Kind
    route: Route
    guarantee: Guarantee
    via: str | None = None
    reason: Reason | None = None

    def rank(self) -> tuple[int, int]:
        """Sort key: guaranteed before declared before inferred, then by route."""
        return _GUARANTEE_ORDER.index(self.guarantee), _ROUTE_ORDER.index(self.route)

    def to_json(self) -> JsonObject:
        """Return the JSON form."""
        return {
            "credential": self.credential,
            "title": self.title,
            "kind": str(self.kind),
            "route": str(self.route),
            "guarantee": str(self.guarantee),
            "via": self.via,
            "reason": self.reason.to_json() if self.reason is not None else None,
        }


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A certification that would cover missing skills, through these blocks."""

    certification: Certification
    blocks: tuple[CertificationBlock, ...]
    covers: tuple[SkillKey, ...]
    leads_to_job: bool = False

    def to_json(self) -> JsonObject:
        """Return the JSON form."""
        blocks: list[JsonValue] = [{"code": b.code, "title": b.title} for b in self.blocks]
        covers: list[JsonValue] = [{str(f): code} for f, code in self.covers]
        return {
            "code": self.certification.code,
            "title": self.certification.title,
            "level": self.certification.level,
            "leadsToJob": self.leads_to_job,
            "blocks": blocks,
            "covers": covers,
        }


@dataclass(frozen=True, slots=True)
class SkillGap:
    """One required skill: every way it is covered (best first), and what would cover it."""

    skill: RequiredSkill
    coverage: tuple[Coverage, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def status(self) -> Guarantee | None:
        """The best label among the ways it is covered; None when nothing covers it."""
        return self.coverage[0].guarantee if self.coverage else None

    @property
    def covered(self) -> bool:
        """Whether a guaranteed or a declared credential covers it (inferred is not enough)."""
        return self.status in (Guarantee.GUARANTEED, Guarantee.DECLARED)

    def to_json(self) -> JsonObject:
        """Return the JSON form."""
        coverage: list[JsonValue] = [c.to_json() for c in self.coverage]
        suggestions: list[JsonValue] = [s.to_json() for s in self.suggestions]
        return {
            "skill": self.skill.to_json(),
            "status": str(self.status) if self.status is not None else "missing",
            "covered": self.covered,
            "coverage": coverage,
            "suggestions": suggestions,
        }


_WORDS: Final = {
    "head": "Skills gap to “{title}”{rome}: {covered} of {required} required skills covered — "
    "guaranteed: {guaranteed}, declared: {declared}, inferred: {inferred}, missing: {missing}.",
    "rome": " (ROME {code})",
    "guaranteed": "guaranteed",
    "declared": "declared",
    "inferred": "inferred",
    "missing": "missing",
    "optional": " (optional)",
    "skill": "{mark} {label}{optional} — {status}",
    "by": "{status}: {how}",
    "suggest": "→ {code} “{title}”{level}{blocks}",
    "level": " (level {level})",
    "blocks": ", block {codes}",
    "ranking": "Certifications that would fill the gap, most useful first:",
    "ranked": "{rank}. {code} “{title}”{level}: {count} skill(s) to prove{job}",
    "job": ", leads to this job",
    "none": "Nothing is missing: every required skill is covered.",
    "no catalogue": "Give a catalogue (--catalogue) to see the certifications that fill the gap.",
}
_HOW: Final = {
    Route.DIRECT: "“{title}”",
    Route.BLOCK: "“{title}”, through its block {via}",
    Route.CERTIFICATION: "“{title}”, the whole certification {via}",
    Route.ENDORSEMENT: "your declaration “{title}”, endorsed by {via}",
    Route.JOB: "{reason}",
    Route.TRAINING: "{reason}",
}
_MARKS: Final = {
    Guarantee.GUARANTEED: "✔",
    Guarantee.DECLARED: "○",
    Guarantee.INFERRED: "~",
    None: "✘",
}


@dataclass(frozen=True, slots=True)
class Gap:
    """The gap to one job: each required skill, and the certifications ranked to fill the rest."""

    job: JobProfile
    skills: tuple[SkillGap, ...]
    suggestions: tuple[Suggestion, ...] = ()
    catalogue: bool = False

    @property
    def missing(self) -> tuple[SkillGap, ...]:
        """The required skills nothing covers, not even an inference."""
        return tuple(s for s in self.skills if s.status is None)

    def counts(self) -> dict[str, int]:
        """Return how many skills are required, covered, and under each label."""
        statuses = [s.status for s in self.skills]
        return {
            "required": len(self.skills),
            "covered": sum(s.covered for s in self.skills),
            "guaranteed": statuses.count(Guarantee.GUARANTEED),
            "declared": statuses.count(Guarantee.DECLARED),
            "inferred": statuses.count(Guarantee.INFERRED),
            "missing": statuses.count(None),
        }

    def to_json(self) -> JsonObject:
        """Return the documented JSON form: job, counts, skills, missing, suggestions."""
        skills: list[JsonValue] = [s.to_json() for s in self.skills]
        missing: list[JsonValue] = [s.skill.to_json() for s in self.missing]
        suggestions: list[JsonValue] = [s.to_json() for s in self.suggestions]
        counts: JsonObject = dict(self.counts())
        return {
            "job": self.job.to_json(),
            "counts": counts,
            "skills": skills,
            "missing": missing,
            "suggestions": suggestions,
        }

    def lines(self, lang: str = "fr") -> list[str]:
        """Return the gap in words, one line per skill and suggestion, in ``lang``."""
        t = translator(lang)
        rome = t(_WORDS["rome"]).format(code=self.job.rome) if self.job.rome else ""
        found = [t(_WORDS["head"]).format(title=self.job.title, rome=rome, **self.counts())]
        for item in self.skills:
            status = t(str(item.status) if item.status is not None else "missing")
            best = item.coverage[0] if item.coverage else None
            said = t(_WORDS["skill"]).format(
                mark=_MARKS[item.status],
                label=item.skill.label,
                optional=t(_WORDS["optional"]) if not item.skill.essential else "",
                status=t(_WORDS["by"]).format(status=status, how=_how(best, lang))
                if best is not None
                else status,
            )
            found.append(said)
            for suggestion in item.suggestions:
                found.append("    " + _suggested(suggestion, item.skill, t))
        if not any(s.status is None or not s.covered for s in self.skills):
            found.append(t(_WORDS["none"]))
        elif self.suggestions:
            found.append(t(_WORDS["ranking"]))
            for rank, suggestion in enumerate(self.suggestions, start=1):
                level = suggestion.certification.level
                found.append(
                    "  "
                    + t(_WORDS["ranked"]).format(
                        rank=rank,
                        code=suggestion.certification.code,
                        title=suggestion.certification.title,
                        level=t(_WORDS["level"]).format(level=level) if level else "",
                        count=len(suggestion.covers),
                        job=t(_WORDS["job"]) if suggestion.leads_to_job else "",
                    )
                )
        elif not self.catalogue:
            found.append(t(_WORDS["no catalogue"]))
        return found


def _how(coverage: Coverage, lang: str) -> str:
    reason = coverage.reason.text(lang) if coverage.reason is not None else ""
    return translator(lang)(_HOW[coverage.route]).format(
        title=coverage.title or "?", via=coverage.via or "?", reason=reason
    )


def _suggested(suggestion: Suggestion, skill: RequiredSkill, t: Callable[[str], str]) -> str:
    blocks = [b.code for b in suggestion.blocks if skill.key in _block_keys(b)]
    level = suggestion.certification.level
    return t(_WORDS["suggest"]).format(
        code=suggestion.certification.code,
        title=suggestion.certification.title,
        level=t(_WORDS["level"]).format(level=level) if level else "",
        blocks=t(_WORDS["blocks"]).format(codes=", ".join(blocks)) if blocks else "",
    )


def _block_keys(block: CertificationBlock) -> set[SkillKey]:
    return {(Framework.BLOCK, block.code), *block.skills}


# Computing the gap --------------------------------------------------------------------------


def _held_blocks(holding: Holding, catalogue: Catalogue | None) -> dict[str, tuple[Route, str]]:
    """Return the blocks a credential awards: listed ones, or every block of a whole one."""
    facts = holding.facts
    if facts.kind is Kind.TRAINING:
        return {}  # a training prepares a certification; it does not award it
    found: dict[str, tuple[Route, str]] = {b.code: (Route.BLOCK, b.code) for b in facts.blocks}
    listed = {certification_of_block(code) for code in found}
    for code in facts.codes:
        if code in listed or catalogue is None:
            continue
        certification = catalogue.certification(code)
        for block in certification.blocks if certification else ():
            found.setdefault(block.code, (Route.CERTIFICATION, code))
    return found


def _coverage_of(
    holding: Holding,
    skill: RequiredSkill,
    catalogue: Catalogue | None,
    inferred: Sequence[tuple[SkillKey, str, Reason]],
) -> list[Coverage]:
    facts = holding.facts
    found: list[Coverage] = []

    def add(
        route: Route, guarantee: Guarantee, via: str | None = None, reason: Reason | None = None
    ) -> None:
        found.append(Coverage(holding.id, facts.title, facts.kind, route, guarantee, via, reason))

    esco = {uri for uri, _ in holding.esco}
    if facts.kind is not Kind.TRAINING and skill.framework is Framework.ESCO and skill.code in esco:
        add(Route.DIRECT, holding.guarantee)
    named = facts.kind is Kind.SKILL and facts.title and fold(facts.title) == fold(skill.label)
    if skill.framework is Framework.ROME and named:
        add(Route.DIRECT, holding.guarantee)  # a ROME competence has no code a skill carries
    blocks = _held_blocks(holding, catalogue)
    fiche = certification_of_block(skill.code)
    if skill.framework is Framework.BLOCK:
        if skill.code in blocks:
            route, via = blocks[skill.code]
            add(route, holding.guarantee, via)
        elif (
            facts.kind is not Kind.TRAINING
            and fiche in facts.codes
            and not any(certification_of_block(b) == fiche for b in blocks)
        ):
            add(Route.CERTIFICATION, holding.guarantee, fiche)
    elif catalogue is not None and blocks:
        for certification in catalogue.certifications:
            for block in certification.blocks:
                if block.code in blocks and skill.key in block.skills:
                    add(Route.BLOCK, holding.guarantee, block.code)
    for key, _, reason in inferred:
        if key == skill.key:
            route = Route.JOB if facts.kind is Kind.JOB else Route.TRAINING
            add(route, Guarantee.INFERRED, reason=reason)
    return found


def _endorsed(
    coverage: Sequence[Coverage], holdings: Sequence[Holding], by_id: Mapping[str, Holding]
) -> list[Coverage]:
    """Return the coverage endorsements add: a declared way, vouched for by someone else."""
    found: list[Coverage] = []
    for endorsement in holdings:
        if endorsement.facts.kind is not Kind.ENDORSEMENT or endorsement.guarantee is not (
            Guarantee.GUARANTEED
        ):
            continue
        endorser = endorsement.facts.issuer_name or endorsement.facts.issuer or "?"
        for item in coverage:
            declared = by_id.get(item.credential)
            if (
                declared is not None
                and item.guarantee is Guarantee.DECLARED
                and declared.credential_id in endorsement.endorses
            ):
                found.append(
                    Coverage(
                        endorsement.id,
                        item.title,
                        item.kind,
                        Route.ENDORSEMENT,
                        Guarantee.GUARANTEED,
                        endorser,
                    )
                )
    return found


def _certifications_for(
    skill: RequiredSkill, catalogue: Catalogue
) -> list[tuple[Certification, CertificationBlock]]:
    found: list[tuple[Certification, CertificationBlock]] = []
    for certification in catalogue.certifications:
        if not certification.active:
            continue
        if skill.framework is Framework.BLOCK:
            if certification.code == certification_of_block(skill.code):
                block = certification.block(skill.code) or CertificationBlock(
                    skill.code, skill.label
                )
                found.append((certification, block))
            continue
        for block in certification.blocks:
            if skill.key in block.skills:
                found.append((certification, block))
    return found


def _suggestions(
    job: JobProfile, gaps: Sequence[SkillGap], catalogue: Catalogue
) -> tuple[tuple[Suggestion, ...], dict[SkillKey, tuple[Suggestion, ...]]]:
    """Rank the catalogue's certifications by what they would cover of the unproven skills."""
    wanted = [g.skill for g in gaps if not g.covered]
    covering: dict[
        str, tuple[Certification, dict[str, CertificationBlock], list[RequiredSkill]]
    ] = {}
    for skill in wanted:
        for certification, block in _certifications_for(skill, catalogue):
            entry = covering.setdefault(certification.code, (certification, {}, []))
            entry[1].setdefault(block.code, block)
            if skill not in entry[2]:
                entry[2].append(skill)

    def rank(
        item: tuple[Certification, dict[str, CertificationBlock], list[RequiredSkill]],
    ) -> tuple[int, int, int, int, str]:
        certification, _, skills = item
        leads = bool(job.rome and job.rome in certification.rome)
        level = certification.level
        distance = abs(level - job.level) if level is not None and job.level else (level or 9)
        return (
            -len(skills),
            -sum(s.essential for s in skills),
            0 if leads else 1,
            distance,
            certification.code,
        )

    ranked = sorted(covering.values(), key=rank)
    suggestions = tuple(
        Suggestion(
            certification,
            tuple(blocks.values()),
            tuple(s.key for s in skills),
            bool(job.rome and job.rome in certification.rome),
        )
        for certification, blocks, skills in ranked
    )
    per_skill = {
        skill.key: tuple(s for s in suggestions if skill.key in s.covers)[:_PER_SKILL]
        for skill in wanted
    }
    return suggestions, per_skill


def gap_of(
    job: JobProfile,
    held: Sequence[Holding],
    *,
    catalogue: Catalogue | None = None,
    referential: Mapping[str, JobProfile] | None = None,
    now: datetime | None = None,
    min_months: int = MIN_MONTHS,
) -> Gap:
    """Return the gap between what ``held`` proves and what ``job`` requires.

    ``referential`` gives the ROME fiches a job held suggests skills from
    (the target job is one of them); ``catalogue`` the certifications to
    suggest.
    """
    moment = now or utc_now()
    fiches = dict(referential or {})
    if job.rome:
        fiches.setdefault(job.rome, job)
    by_id = {h.id: h for h in held}
    inferred = {h.id: inferred_from(h, fiches, now=moment, min_months=min_months) for h in held}
    gaps: list[SkillGap] = []
    for skill in job.skills:
        coverage: list[Coverage] = []
        for holding in held:
            if holding.facts.kind is Kind.ENDORSEMENT:
                continue
            coverage.extend(_coverage_of(holding, skill, catalogue, inferred[holding.id]))
        coverage.extend(_endorsed(coverage, held, by_id))
        unique = list(dict.fromkeys(coverage))
        gaps.append(SkillGap(skill, tuple(sorted(unique, key=Coverage.rank))))
    if catalogue is None:
        return Gap(job, tuple(gaps))
    suggestions, per_skill = _suggestions(job, gaps, catalogue)
    gaps = [
        SkillGap(g.skill, g.coverage, per_skill.get(g.skill.key, ()) if not g.covered else ())
        for g in gaps
    ]
    return Gap(job, tuple(gaps), suggestions, catalogue=True)


def skills_gap(
    wallet: Wallet,
    job: JobProfile,
    *,
    catalogue: Catalogue | None = None,
    referential: Mapping[str, JobProfile] | None = None,
    now: datetime | None = None,
    min_months: int = MIN_MONTHS,
) -> Gap:
    """Return the gap between what the wallet holds (and still holds) and ``job``."""
    held, _ = holdings(wallet, now=now)
    return gap_of(
        job, held, catalogue=catalogue, referential=referential, now=now, min_months=min_months
    )


GAP_MESSAGES: Final = (*_WORDS.values(), *_HOW.values())
"""The message ids this module speaks (their French is checked)."""
