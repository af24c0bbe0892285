"""The verdict in words: one sentence per credential that an HR reader understands.

:func:`verdict_of` turns a credential's checks into one :class:`Verdict`,
the word a recruiter acts on (authentic, forged, revoked, suspended,
expired, not accredited, unknown issuer, presented by someone else, could
not be checked); :func:`sentence` says what the credential proves
(:class:`~passeport.verifier.facts.CredentialFacts`) and that verdict, in
French or English, from the message catalogs of :mod:`passeport.i18n`.

>>> from passeport.verifier.facts import CredentialFacts, Guarantee, Kind
>>> facts = CredentialFacts(Kind.DIPLOMA, Guarantee.GUARANTEED, "accredited",
...     title="Licence professionnelle Métiers de l'informatique", level="6",
...     codes=("RNCP35288",), awarded="2025-07-04T00:00:00Z",
...     issuer_listed_name="Université Exemple", holder_name="Camille Martin")
>>> print(sentence(facts, Verdict.AUTHENTIC, "fr", status_checked=True))
Diplôme « Licence professionnelle Métiers de l'informatique » (RNCP35288, niveau 6), délivré \
le 4 juillet 2025 à Camille Martin par Université Exemple, organisme accrédité pour cette \
certification : authentique, non révoqué.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from passeport._json import JsonObject
from passeport.i18n import LANGUAGES, format_date, translator
from passeport.verifier.facts import CredentialFacts, Guarantee, Kind
from passeport.verifier.result import Check, Outcome

__all__ = [
    "MESSAGES",
    "CredentialReport",
    "Verdict",
    "report_of",
    "sentence",
    "verdict_of",
    "verdict_words",
]


class Verdict(StrEnum):
    """The one word a recruiter acts on, for one credential (the worst finding wins)."""

    AUTHENTIC = "authentic"
    HOLDER_COPY = "holder-copy"
    FORGED = "forged"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    NOT_THE_HOLDER = "not-the-holder"
    NOT_VALIDLY_PRESENTED = "not-validly-presented"
    SELF_DECLARED = "self-declared"
    UNKNOWN_ISSUER = "unknown-issuer"
    NOT_ACCREDITED = "not-accredited"
    UNCHECKED = "unchecked"
    NOT_VERIFIED = "not-verified"


# In order of gravity: the first that applies is the verdict.
_FAILED_RULES: Final[tuple[tuple[tuple[str, ...], Verdict], ...]] = (
    (("proof.base",), Verdict.HOLDER_COPY),
    (("proof.", "input.", "disclosure.", "key_binding.signature"), Verdict.FORGED),
    (("status.revoked",), Verdict.REVOKED),
    (("status.suspended",), Verdict.SUSPENDED),
    (("validity.expired",), Verdict.EXPIRED),
    (("validity.not_yet_valid",), Verdict.NOT_YET_VALID),
    (("holder.binding", "key_binding."), Verdict.NOT_THE_HOLDER),
    (("trust.self_issued",), Verdict.SELF_DECLARED),
    (("trust.issuer",), Verdict.UNKNOWN_ISSUER),
    (("trust.",), Verdict.NOT_ACCREDITED),
)


def verdict_of(checks: Iterable[Check], *, unchecked_is_failure: bool = True) -> Verdict:
    """Return the verdict of one credential from its checks.

    >>> verdict_of([Check("proof.signature", Outcome.PASSED, "ok"),
    ...             Check("status.revoked", Outcome.FAILED, "revoked")])
    <Verdict.REVOKED: 'revoked'>
    """
    listed = list(checks)
    failed = [c.code for c in listed if c.outcome is Outcome.FAILED]
    for prefixes, verdict in _FAILED_RULES:
        if any(code.startswith(prefixes) for code in failed):
            return verdict
    if failed:
        return Verdict.NOT_VERIFIED
    if unchecked_is_failure and any(c.outcome is Outcome.UNCHECKED for c in listed):
        return Verdict.UNCHECKED
    return Verdict.AUTHENTIC


# The message ids of each kind's sentence (translated in passeport/locale).
_KIND_SENTENCE: Final = {
    Kind.DIPLOMA: "Diploma {title}{details}, awarded{date}{holder} by {issuer}{standing}",
    Kind.CERTIFICATION: (
        "Certification {title}{details}, awarded{date}{holder} by {issuer}{standing}"
    ),
    Kind.SKILL: "Skill {title}{details}, attested{date}{holder} by {issuer}{standing}",
    Kind.SAFETY_TRAINING: (
        "Safety training {title}{details}, passed{date}{holder}{until}, "
        "attested by {issuer}{standing}"
    ),
    Kind.ENDORSEMENT: "Endorsement {title}{holder}, by {issuer}{standing}",
    Kind.OTHER: "Credential {title}, issued{date}{holder} by {issuer}{standing}",
}
_TRAINING_SENTENCE: Final = (
    "Training {title}{details}, followed{dates}{holder}{provider}, attested by {issuer}{standing}"
)
_MODALITY: Final = {"presentiel": "in person", "distanciel": "remote", "mixte": "blended"}
_DECLARED_WORDS: Final = "declarative, not guaranteed (the holder's own signature holds)"
_JOB_SENTENCE: Final = (
    "Job {title} at {employer}, from {start} to {end}{holder}, attested by {issuer}{standing}"
)
_CURRENT_JOB_SENTENCE: Final = (
    "Job {title} at {employer}, since {start}{holder}, attested by {issuer}{standing}"
)
_STANDING: Final = {
    "accredited": ", a body accredited for this certification",
    "self-declared": " (declared by the holders themselves)",
}
_VERDICT: Final = {
    Verdict.HOLDER_COPY: (
        "NOT A PRESENTATION: the holder's own copy, to disclose from; ask for a presentation"
    ),
    Verdict.FORGED: "FORGED or altered (its signature or its form does not hold)",
    Verdict.REVOKED: "REVOKED by its issuer",
    Verdict.SUSPENDED: "SUSPENDED by its issuer",
    Verdict.EXPIRED: "EXPIRED since {date}",
    Verdict.NOT_YET_VALID: "NOT YET VALID",
    Verdict.NOT_THE_HOLDER: "presented by SOMEONE ELSE than its holder",
    Verdict.NOT_VALIDLY_PRESENTED: "NOT VALIDLY PRESENTED: the presentation itself does not hold",
    Verdict.SELF_DECLARED: "a DECLARATION by the holder, which your trust list does not accept",
    Verdict.UNKNOWN_ISSUER: "authentic, but its issuer is NOT ON YOUR TRUST LIST",
    Verdict.NOT_ACCREDITED: (
        "authentic, but its issuer is NOT ACCREDITED for this by your trust list"
    ),
    Verdict.UNCHECKED: "COULD NOT BE CHECKED ({reason})",
    Verdict.NOT_VERIFIED: "NOT VERIFIED",
}


_WORD: Final = {
    Verdict.AUTHENTIC: "authentic",
    Verdict.HOLDER_COPY: "the holder's own copy",
    Verdict.FORGED: "forged or altered",
    Verdict.REVOKED: "revoked",
    Verdict.SUSPENDED: "suspended",
    Verdict.EXPIRED: "expired",
    Verdict.NOT_YET_VALID: "not yet valid",
    Verdict.NOT_THE_HOLDER: "presented by someone else",
    Verdict.NOT_VALIDLY_PRESENTED: "not validly presented",
    Verdict.SELF_DECLARED: "declared by the holder",
    Verdict.UNKNOWN_ISSUER: "issuer not on your trust list",
    Verdict.NOT_ACCREDITED: "issuer not accredited for this",
    Verdict.UNCHECKED: "could not be checked",
    Verdict.NOT_VERIFIED: "not verified",
}


def verdict_words(verdict: Verdict, lang: str, *, status_checked: bool = False) -> str:
    """Return the verdict in a few words (``authentique, non révoqué``, ``révoqué``).

    >>> verdict_words(Verdict.REVOKED, "fr"), verdict_words(Verdict.AUTHENTIC, "en")
    ('révoqué', 'authentic')
    """
    t = translator(lang)
    if verdict is Verdict.AUTHENTIC and status_checked:
        return t("authentic, not revoked")
    return t(_WORD[verdict])


def _unchecked_reason(checks: Iterable[Check], lang: str) -> str:
    t = translator(lang)
    codes = [c.code for c in checks if c.outcome is Outcome.UNCHECKED]
    if any(code.startswith("status.") for code in codes):
        return t("its status list could not be read, offline or unreachable")
    if any(code.startswith("schema.") for code in codes):
        return t("its schema could not be read")
    return t("a check could not be made")


def sentence(
    facts: CredentialFacts,
    verdict: Verdict,
    lang: str,
    *,
    status_checked: bool = False,
    checks: Iterable[Check] = (),
) -> str:
    """Return one sentence: what the credential proves, by whom, and the verdict.

    Args:
        status_checked: whether a status list was read and the credential is
            not revoked (the sentence then says "not revoked").
        checks: the credential's checks, to say why it could not be checked.
    """
    t = translator(lang)
    unknown = t("(not disclosed)")
    quoted = t("“{text}”")  # the signer's words, set apart from ours
    details = [*facts.codes]
    if facts.level:
        details.append(t("level {level}").format(level=facts.level))
    detail = f" ({', '.join(details)})" if details else ""
    if facts.issuer_listed_name:  # the recruiter's own name for that key
        issuer = facts.issuer_listed_name
    elif facts.issuer_name:
        issuer = t("{name} (name not verified)").format(name=quoted.format(text=facts.issuer_name))
    else:
        issuer = facts.issuer or unknown
    standing = t(_STANDING[facts.standing]) if facts.standing in _STANDING else ""
    title = quoted.format(text=facts.title) if facts.title else unknown
    if facts.kind is Kind.TRAINING:
        text = _training_sentence(facts, t, lang, title=title, issuer=issuer, standing=standing)
    elif facts.kind is Kind.JOB:
        holder = t(", held by {name}").format(name=facts.holder_name) if facts.holder_name else ""
        template = _JOB_SENTENCE if facts.ended else _CURRENT_JOB_SENTENCE
        text = t(template).format(
            title=title,
            employer=quoted.format(text=facts.employer) if facts.employer else issuer,
            start=format_date(facts.started, lang) or unknown,
            end=format_date(facts.ended, lang) or unknown,
            holder=holder,
            issuer=issuer,
            standing=standing,
        )
    else:
        fragment = " by {name}" if facts.kind is Kind.SAFETY_TRAINING else " to {name}"
        holder = t(fragment).format(name=facts.holder_name) if facts.holder_name else ""
        until = ""
        if facts.valid_until and facts.kind is Kind.SAFETY_TRAINING:
            until = t(", valid until {date}").format(date=format_date(facts.valid_until, lang))
        # The date it was earned (awardedDate), never the date it was signed;
        # said only when disclosed (an attestation has no other date than its own).
        when = facts.awarded or (facts.valid_from if facts.kind is Kind.OTHER else None)
        date = t(" on {date}").format(date=format_date(when, lang)) if when else ""
        text = t(_KIND_SENTENCE[facts.kind]).format(
            title=title,
            details=detail,
            date=date,
            holder=holder,
            until=until,
            issuer=issuer,
            standing=standing,
        )
    if verdict is Verdict.AUTHENTIC and facts.guarantee is Guarantee.DECLARED:
        # A declaration's signature is the holder's own: it holds, and guarantees nothing.
        words = t(_DECLARED_WORDS)
    elif verdict is Verdict.AUTHENTIC:
        words = verdict_words(verdict, lang, status_checked=status_checked)
    else:
        words = t(_VERDICT[verdict]).format(
            date=format_date(facts.valid_until, lang) or unknown,
            reason=_unchecked_reason(checks, lang),
        )
    return t("{sentence}: {verdict}.").format(sentence=text, verdict=words)


def _training_sentence(
    facts: CredentialFacts,
    t: Callable[[str], str],
    lang: str,
    *,
    title: str,
    issuer: str,
    standing: str,
) -> str:
    """Say a training followed: its hours, modality, what it prepares, its dates and body."""
    details: list[str] = [*facts.codes]
    if facts.hours is not None:
        hours = f"{facts.hours:g}" if lang == "en" else f"{facts.hours:g}".replace(".", ",")
        details.append(t("{hours} h").format(hours=hours))
    if facts.modality in _MODALITY:
        details.append(t(_MODALITY[facts.modality]))
    details.extend(t("prepares {code}").format(code=code) for code in facts.prepares)
    start, end = format_date(facts.started, lang), format_date(facts.ended, lang)
    if start and end and start != end:
        dates = t(" from {start} to {end}").format(start=start, end=end)
    elif end or start or facts.awarded:
        dates = t(" on {date}").format(date=end or start or format_date(facts.awarded, lang))
    else:
        dates = ""
    holder = t(" by {name}").format(name=facts.holder_name) if facts.holder_name else ""
    named = {facts.issuer_name, facts.issuer_listed_name}
    provider = (
        t(" with {name}").format(name=t("“{text}”").format(text=facts.provider))
        if facts.provider and facts.provider not in named
        else ""
    )
    return t(_TRAINING_SENTENCE).format(
        title=title,
        details=f" ({', '.join(details)})" if details else "",
        dates=dates,
        holder=holder,
        provider=provider,
        issuer=issuer,
        standing=standing,
    )


MESSAGES: Final = (
    *_KIND_SENTENCE.values(),
    _TRAINING_SENTENCE,
    *_MODALITY.values(),
    _DECLARED_WORDS,
    "{hours} h",
    "prepares {code}",
    " from {start} to {end}",
    " with {name}",
    _JOB_SENTENCE,
    _CURRENT_JOB_SENTENCE,
    *_STANDING.values(),
    *_VERDICT.values(),
    *_WORD.values(),
    "authentic, not revoked",
    "its status list could not be read, offline or unreachable",
    "its schema could not be read",
    "a check could not be made",
    "(not disclosed)",
    "level {level}",
    " on {date}",
    ", held by {name}",
    " to {name}",
    " by {name}",
    "“{text}”",
    "{name} (name not verified)",
    ", valid until {date}",
    "{sentence}: {verdict}.",
)
"""Every message id this module speaks (a test checks each has its French translation)."""


@dataclass(frozen=True, slots=True)
class CredentialReport:
    """One credential of a verification, for a reader: what it proves and the verdict.

    ``index`` is its place in the presentation (None for a lone credential).
    ``status_checked`` says a status list was read and the credential is not
    revoked or suspended there.
    """

    index: int | None
    facts: CredentialFacts
    verdict: Verdict
    status_checked: bool = False
    checks: tuple[Check, ...] = ()

    def sentence(self, lang: str = "fr") -> str:
        """Return the sentence a recruiter reads (French by default)."""
        return sentence(
            self.facts,
            self.verdict,
            lang,
            status_checked=self.status_checked,
            checks=self.checks,
        )

    def to_json(self) -> JsonObject:
        """Return the documented JSON form: index, verdict, facts and the sentence per language."""
        return {
            "index": self.index,
            "verdict": str(self.verdict),
            "statusChecked": self.status_checked,
            "facts": self.facts.to_json(),
            "sentence": {lang: self.sentence(lang) for lang in LANGUAGES},
        }


def report_of(
    index: int | None,
    facts: CredentialFacts,
    checks: Iterable[Check],
    *,
    unchecked_is_failure: bool = True,
) -> CredentialReport:
    """Return the report of credential ``index`` from every check of its verification."""
    listed = tuple(checks)
    mine = tuple(c for c in listed if c.credential == index)
    verdict = verdict_of(mine, unchecked_is_failure=unchecked_is_failure)
    if (
        index is not None
        and verdict is Verdict.AUTHENTIC
        and any(c.credential is None and c.outcome is Outcome.FAILED for c in listed)
    ):
        # Inside a presentation that fails (replayed, altered, another holder's),
        # no credential is "authentic" to the reader: it was not validly presented.
        verdict = Verdict.NOT_VALIDLY_PRESENTED
    status_checked = any(
        c.code.startswith("status.") and c.outcome is Outcome.PASSED for c in mine
    ) and not any(c.code.startswith("status.") and c.outcome is not Outcome.PASSED for c in mine)
    return CredentialReport(index, facts, verdict, status_checked, mine)
