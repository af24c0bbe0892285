"""The holder's CV: a signed presentation a recruiter reads as a CV, in HTML or PDF.

:func:`make_cv` takes a presentation the wallet signed (:func:`present`) and
lays it out as a French CV (:mod:`passeport.verifier.cv`): the candidate's
name as disclosed, then diplômes, certifications, expériences
professionnelles, compétences, prévention, recommandations, each line with
its facts and a small mark (guaranteed by an accredited body, by a known
issuer, declared by the holder, or not verified). What the holder withheld
is counted, never shown.

The wallet sets what a signature cannot say, the :class:`CvSettings`:

- each line's mark, from the wallet's own verification of the presentation
  (``trust``: the trust list that says who is accredited; without one no line
  says "accredited");
- how many fields each credential withheld, by comparing what is presented
  with the credential held (ecdsa-sd-2023: the members left out; SD-JWT:
  the disclosures left out; a whole credential: none);
- the language, and how to check the CV: a verification page's address
  (``verify_url``) or the command ``passeport verify FILE``.

:meth:`CvDocument.html` and :meth:`CvDocument.pdf` give the file; the
recruiter's ``passeport verify`` makes the CV again from what it verified and
compares (:mod:`passeport.verifier.cv_check`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote

from passeport._json import JsonObject
from passeport.errors import PasseportError
from passeport.verifier import Environment, Policy, TrustList, verify_presentation
from passeport.verifier.cv import Cv, CvSettings, Mark, cv_of, esco_of_presentation
from passeport.verifier.verdict import CredentialReport, Verdict
from passeport.wallet._records import Flag

if TYPE_CHECKING:
    from passeport.wallet.present import Presentation, PresentedCredential
    from passeport.wallet.store import Wallet

__all__ = ["CvDocument", "make_cv", "withheld_fields"]

# What the wallet noted about a credential that makes it "not verified" on a CV.
_UNVERIFIED_FLAGS: Final = frozenset(
    {
        Flag.EXPIRED,
        Flag.NOT_YET_VALID,
        Flag.REVOKED,
        Flag.SUSPENDED,
        Flag.UNVERIFIED,
        Flag.NOT_VERIFIED,
    }
)
_FAILING: Final = frozenset(
    {
        Verdict.FORGED,
        Verdict.HOLDER_COPY,
        Verdict.REVOKED,
        Verdict.SUSPENDED,
        Verdict.EXPIRED,
        Verdict.NOT_YET_VALID,
        Verdict.NOT_THE_HOLDER,
    }
)
_UNCOUNTED: Final = frozenset({"@context", "proof", "type"})


@dataclass(frozen=True, slots=True)
class CvDocument:
    """A CV ready to be written: what it shows, and the presentation it carries.

    ``notes`` tell the holder what the CV says that they may not expect (a
    line marked "not verified" because it could not be checked here).
    """

    cv: Cv
    presentation: JsonObject
    notes: tuple[str, ...] = ()

    @property
    def settings(self) -> CvSettings:
        """The holder's settings the file carries."""
        return self.cv.settings

    def html(self) -> str:
        """Return the CV as one self-contained HTML page (no script, nothing loaded)."""
        from passeport.verifier.cv_html import render_html

        return render_html(self.cv, self.presentation)

    def pdf(self) -> bytes:
        """Return the CV as an A4 PDF, the presentation attached."""
        from passeport.wallet.cv_pdf import render_pdf

        return render_pdf(self.cv, self.presentation)


def _covers(original: Any, shown: Any) -> bool:
    """Tell whether ``shown`` is ``original`` with parts left out (nothing added or changed)."""
    if isinstance(shown, Mapping):
        return isinstance(original, Mapping) and all(
            key in original and _covers(original[key], value) for key, value in shown.items()
        )
    if isinstance(shown, list):
        return isinstance(original, list) and all(
            any(_covers(item, value) for item in original) for value in shown
        )
    return bool(original == shown)


def withheld_fields(original: Any, shown: Any) -> int:
    """Count the fields of ``original`` (a credential held) that ``shown`` (presented) leaves out.

    A member left out counts once, whatever it holds (a whole identity
    object is one field); ``@context``, ``type`` and the proof do not count.
    Items of a list are matched to the items shown that they cover.

    >>> held = {"name": "Licence", "identifier": [{"n": "Camille"}, {"n": "2003-04-12"}],
    ...         "achievement": {"name": "Licence", "level": 6}}
    >>> withheld_fields(held, {"name": "Licence", "achievement": {"name": "Licence"}})
    2
    >>> withheld_fields(held, {"identifier": [{"n": "2003-04-12"}], "achievement": {}})
    4
    """
    if isinstance(original, Mapping):
        if not isinstance(shown, Mapping):
            return 0
        count = 0
        for key, value in original.items():
            if key in _UNCOUNTED:
                continue
            count += withheld_fields(value, shown[key]) if key in shown else 1
        return count
    if isinstance(original, list):
        if not isinstance(shown, list):
            return 0
        remaining = list(shown)
        count = 0
        for item in original:
            match = next((i for i, value in enumerate(remaining) if _covers(item, value)), None)
            if match is None:
                count += 1
            else:
                count += withheld_fields(item, remaining.pop(match))
        return count
    return 0


def _disclosures(token: str) -> int:
    """Count the disclosures of an SD-JWT (``jwt~d1~d2~`` or with a key binding JWT)."""
    parts = token.strip().split("~")
    return sum(1 for part in parts[1:] if part and "." not in part)


def _presented_token(entry: Any) -> str | None:
    url = entry.get("id") if isinstance(entry, Mapping) else entry
    if isinstance(url, str) and url.startswith("data:") and "," in url:
        return unquote(url.split(",", 1)[1])
    return url if isinstance(url, str) else None


def _withheld(wallet: Wallet, item: PresentedCredential, entry: Any) -> int:
    if item.disclosure == "whole":
        return 0
    try:
        held = wallet.credential(item.id)
    except PasseportError:
        return 0
    if isinstance(held.credential, str):
        token = _presented_token(entry)
        if token is None:
            return 0
        return max(0, _disclosures(held.credential) - _disclosures(token))
    return withheld_fields(held.credential, entry)


def _mark(report: CredentialReport, item: PresentedCredential | None) -> Mark:
    flags = set(item.flags) if item is not None else set()
    facts = report.facts
    if flags & _UNVERIFIED_FLAGS or report.verdict in _FAILING or facts.standing == "unverified":
        return Mark.UNVERIFIED
    if facts.standing == "self-declared":
        return Mark.DECLARED
    if facts.standing == "accredited" and facts.codes:
        return Mark.ACCREDITED
    return Mark.ISSUER


def make_cv(
    presentation: Presentation,
    wallet: Wallet,
    *,
    lang: str = "fr",
    verify_url: str | None = None,
    filename: str = "cv.html",
    trust: TrustList | None = None,
    env: Environment | None = None,
    now: datetime | None = None,
) -> CvDocument:
    """Lay out a presentation the wallet signed as a CV.

    Args:
        presentation: what :func:`passeport.wallet.present` returned.
        verify_url: the address of a verification page (``passeport serve``)
            the CV tells the reader to drop it on; otherwise it gives the command.
        filename: the file's name, for the command the CV gives.
        trust: the trust list that says which issuers are accredited (the
            "accredited body" mark); the recruiter checks it against theirs.
        env: where the wallet's verification reads DID documents and status lists.
        now: the instant of that verification (default: the environment's clock).

    Raises:
        InputError: a language, address or file name a CV cannot carry.
    """
    document = presentation.document
    policy = Policy(trust=trust, at=now)
    environment = env or Environment()
    result = verify_presentation(document, policy=policy, env=environment)
    raw = document.get("verifiableCredential", [])
    entries: Sequence[Any] = raw if isinstance(raw, list) else [raw]
    items = presentation.credentials
    marks: list[Mark] = []
    withheld: list[int] = []
    notes: list[str] = []
    for index, report in enumerate(result.credentials):
        item = items[index] if index < len(items) else None
        mark = _mark(report, item)
        marks.append(mark)
        entry = entries[index] if index < len(entries) else None
        withheld.append(_withheld(wallet, item, entry) if item is not None else 0)
        if mark is Mark.UNVERIFIED:
            title = report.facts.title or f"credential {index + 1}"
            notes.append(
                f"{title}: marked 'not verified' on the CV ({report.verdict}); "
                "give --cache or go online if it could not be checked here"
            )
    settings = CvSettings(
        lang=lang,
        verify_url=verify_url,
        filename=filename,
        marks=tuple(marks),
        withheld=tuple(withheld),
    ).check(where="CV")
    facts = [report.facts for report in result.credentials]
    esco = esco_of_presentation(document, environment.loader)
    return CvDocument(cv_of(document, facts, settings, esco=esco), document, tuple(notes))
