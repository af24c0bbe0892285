"""Verifying a CV file (HTML or PDF): its presentation, and that it shows what was signed.

:func:`verify_cv` reads the presentation and the holder's settings out of
the file, verifies the presentation as any other, then makes the CV again
from what it verified (:func:`passeport.verifier.cv.cv_of`) and compares:

- ``cv.text``, about the file: an HTML page must be exactly, character for
  character, the page made again; a PDF's text, as far as it can be
  extracted, must be the CV's words in their order (the layout, the fonts
  and the images are not compared, and the message says so). A CV whose
  visible text was edited after signing fails here, as does one whose
  attached presentation was swapped for another (the text no longer fits);
  an edited presentation fails its proof.
- ``cv.withheld``, per credential, only when it fails: a count of withheld
  fields for a credential shown whole (nothing of it can have been withheld).
- ``cv.guarantee``, per credential: the mark the holder put on its line
  must hold for this verifier. "Declared by the holder" only for a
  declaration, "guaranteed by a known issuer" only for what someone else
  signed, "guaranteed by an accredited body" only when the recruiter's trust
  list accredits its issuer for the code it shows; without a trust list that
  last mark cannot be checked and a warning says so. "Not verified" always
  holds.

The counts of withheld fields are otherwise the holder's word: a signature
cannot say what it hides. They are compared like every other word of the
page, so they cannot be changed after the CV was made without failing
``cv.text``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Final, Protocol

from passeport._json import JsonObject
from passeport.errors import InputError
from passeport.verifier.cv import Cv, Mark, cv_of, esco_of_presentation
from passeport.verifier.env import Environment, Policy
from passeport.verifier.facts import CredentialFacts
from passeport.verifier.result import Check, Outcome, VerificationResult

__all__ = ["CHECK_MESSAGES", "UNCHECKED_MARKS", "PresentationVerifier", "said", "verify_cv"]

_SAME_HTML: Final = "the page shows exactly what was signed (compared character for character)"
_SAME_PDF: Final = (
    "the PDF shows what was signed, as far as its text can be extracted "
    "(its words and their order; not its layout, fonts or images)"
)
_EDITED: Final = (
    "the CV's visible text was changed after it was signed: it shows {shown} "
    "where the signed presentation says {signed}"
)
_EDITED_PDF: Final = (
    "the PDF's text was changed after it was signed: it shows {shown} where the signed "
    "presentation says {signed} (compared as far as its text can be extracted)"
)
_PAGE_EDITED: Final = (
    "the CV page was changed after it was signed, outside its visible words "
    "(markup, style or embedded data)"
)
_MISFIT: Final = (
    "the CV's settings do not fit its presentation: another presentation was put in the file"
)
_NOTHING: Final = "nothing"
_WHOLE: Final = "the CV says fields of it were withheld, but it was shown whole"
_MARK_HOLDS: Final = {
    Mark.ACCREDITED: "the CV's mark holds: guaranteed by a body your trust list accredits for it",
    Mark.ISSUER: "the CV's mark holds: guaranteed by its issuer, not by the holder",
    Mark.DECLARED: "the CV's mark holds: declared by the holder",
    Mark.UNVERIFIED: "the CV itself says it is not verified",
}
_MARK_FAILS: Final = {
    "self-declared": "the CV says someone else guarantees it, but the holder declared it",
    "not-declared": "the CV says the holder declared it, but it was signed by someone else",
    "not-accredited": (
        "the CV says an accredited body guarantees it, but your trust list does not accredit "
        "its issuer for it"
    ),
    "no-code": ("the CV says an accredited body guarantees it, but it shows no certification code"),
    "unverified": "the CV vouches for it, but it does not verify",
}
UNCHECKED_MARKS: Final = (
    "the CV says some lines are guaranteed by an accredited body: "
    "without a trust list this was not checked"
)
"""The warning of a CV whose accreditation marks no trust list could check."""

CHECK_MESSAGES: Final = (
    _SAME_HTML,
    _SAME_PDF,
    _EDITED,
    _EDITED_PDF,
    _PAGE_EDITED,
    _MISFIT,
    _NOTHING,
    _WHOLE,
    "“{text}”",
    *_MARK_HOLDS.values(),
    *_MARK_FAILS.values(),
    UNCHECKED_MARKS,
)
"""Every message id of the CV checks (a test checks each has its French translation)."""

_SNIPPET: Final = 8  # words of context shown around a difference


def _snippet(words: Sequence[str]) -> str:
    text = " ".join(words)
    text = "".join(c if c.isprintable() else " " for c in text)
    return f"“{text[:117] + '…' if len(text) > 120 else text}”" if text else _NOTHING


def _difference(shown: str, signed: str) -> tuple[str, str]:
    """Return the first place where the words shown differ from the words signed."""
    a, b = shown.split(), signed.split()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            if i1 == i2 and j1 == j2:
                continue
            grow = max(0, 3 - max(i2 - i1, j2 - j1))
            return (
                _snippet(a[max(0, i1 - grow) : min(i2 + grow, i1 + _SNIPPET)]),
                _snippet(b[max(0, j1 - grow) : min(j2 + grow, j1 + _SNIPPET)]),
            )
    return _NOTHING, _NOTHING


def _without_spaces(text: str) -> str:
    return "".join(text.split())


def _text_check(kind: str, shown: str, cv: Cv, presentation: Mapping[str, Any]) -> Check:
    """Compare the file with the CV made again from the verified presentation."""
    if kind == "pdf":
        signed = " ".join(cv.text())
        if _without_spaces(shown) == _without_spaces(signed):
            return Check("cv.text", Outcome.PASSED, _SAME_PDF)
        before, after = _difference(shown, signed)
        message = _EDITED_PDF.format(shown=before, signed=after)
        return Check("cv.text", Outcome.FAILED, message)
    from passeport.verifier.cv_html import render_html, visible_text

    expected = render_html(cv, presentation)
    page = shown.removeprefix("\ufeff").replace("\r\n", "\n")
    if page == expected:
        return Check("cv.text", Outcome.PASSED, _SAME_HTML)
    seen, made = visible_text(page), visible_text(expected)
    if seen == made:
        return Check("cv.text", Outcome.FAILED, _PAGE_EDITED)
    before, after = _difference(seen, made)
    return Check("cv.text", Outcome.FAILED, _EDITED.format(shown=before, signed=after))


def _mark_check(index: int, mark: Mark, facts: CredentialFacts, policy: Policy) -> Check | None:
    """Return whether the holder's mark on line ``index`` holds for this verifier."""
    standing = facts.standing
    fails: str | None = None
    if mark is Mark.UNVERIFIED:
        fails = None
    elif standing == "unverified":
        fails = "unverified"
    elif mark is Mark.DECLARED:
        fails = None if standing == "self-declared" else "not-declared"
    elif standing == "self-declared":
        fails = "self-declared"
    elif mark is Mark.ACCREDITED:
        if standing == "unknown" and policy.trust is None:
            return None  # cannot be checked: a warning says so
        if standing != "accredited":
            fails = "not-accredited"
        elif not facts.codes:
            fails = "no-code"
    if fails is not None:
        return Check("cv.guarantee", Outcome.FAILED, _MARK_FAILS[fails], index)
    return Check("cv.guarantee", Outcome.PASSED, _MARK_HOLDS[mark], index)


class PresentationVerifier(Protocol):
    """What verifies a presentation (:func:`passeport.verifier.verify_presentation`)."""

    def __call__(
        self, document: JsonObject, *, policy: Policy | None, env: Environment | None
    ) -> VerificationResult:
        """Verify ``document`` under ``policy`` with ``env``."""
        ...


def verify_cv(
    data: str | bytes,
    *,
    verify: PresentationVerifier,
    policy: Policy | None = None,
    env: Environment | None = None,
    where: str | None = None,
) -> VerificationResult:
    """Verify a CV file: the presentation it carries, and that it shows what was signed.

    Call :func:`passeport.verifier.verify_any`, which hands a CV here with
    ``verify``, its own presentation verifier (given, not imported: the
    pipeline imports this module).

    ``data`` is the file: a PDF (bytes starting ``%PDF-``) or an HTML page
    (text, or UTF-8 bytes). The result is the presentation's, with the
    checks ``cv.text`` and ``cv.guarantee`` added, and ``summary["cv"]``
    saying the file's format and how it was compared (``exact`` for HTML,
    ``extracted-text`` for PDF).

    Raises:
        InputError: a file that is no CV made by passeport (no presentation
            or settings in it, unreadable PDF or HTML); ``where`` names it.
    """
    from passeport.verifier.cv_pdf import is_pdf, read_pdf
    from passeport.verifier.verdict import report_of

    policy = policy or Policy()
    env = env or Environment()
    if isinstance(data, bytes) and is_pdf(data):
        kind = "pdf"
        presentation, settings, shown = read_pdf(data, where=where)
    else:
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"not UTF-8 text (byte {exc.start})", where=where) from None
        from passeport.verifier.cv_html import read_page

        kind = "html"
        presentation, settings = read_page(data, where=where)
        shown = data
    result = verify(presentation, policy=policy, env=env)
    facts = [report.facts for report in result.credentials]
    checks = list(result.checks)
    warnings = list(result.warnings)
    if len(settings.marks) != len(facts):
        checks.append(Check("cv.text", Outcome.FAILED, _MISFIT))
    else:
        esco = esco_of_presentation(presentation, env.loader)
        cv = cv_of(presentation, facts, settings, esco=esco)
        checks.append(_text_check(kind, shown, cv, presentation))
        unchecked = False
        for index, (mark, found) in enumerate(zip(settings.marks, facts, strict=True)):
            if settings.withheld[index] and not found.selective:
                checks.append(Check("cv.withheld", Outcome.FAILED, _WHOLE, index))
            check = _mark_check(index, mark, found, policy)
            if check is None:
                unchecked = unchecked or mark is Mark.ACCREDITED
                continue
            checks.append(check)
        if unchecked:
            warnings.append(UNCHECKED_MARKS)
    reports = tuple(
        report_of(
            report.index,
            report.facts,
            checks,
            unchecked_is_failure=policy.unchecked_is_failure,
        )
        for report in result.credentials
    )
    summary = dict(result.summary)
    summary["cv"] = {
        "format": kind,
        "comparison": "extracted-text" if kind == "pdf" else "exact",
        "settings": settings.to_json(),
    }
    return replace(
        result,
        checks=tuple(checks),
        summary=summary,
        warnings=tuple(warnings),
        credentials=reports,
    )


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        f"(?P<{part}>.*)" if odd else re.escape(part) for odd, part in _alternate(parts)
    )
    return re.compile(regex, re.DOTALL)


def _alternate(parts: Sequence[str]) -> list[tuple[bool, str]]:
    return [(index % 2 == 1, part) for index, part in enumerate(parts)]


def said(check: Check, lang: str) -> str:
    """Return a CV check's sentence in ``lang`` (the quoted words of the file stay as they are)."""
    from passeport.i18n import translator

    t = translator(lang)
    message = check.message
    for template in (_EDITED, _EDITED_PDF):
        found = _pattern(template).fullmatch(message)
        if found:
            values = {
                name: t(_NOTHING) if value == _NOTHING else _requote(value, t("“{text}”"))
                for name, value in found.groupdict().items()
            }
            return t(template).format(**values)
    return t(message)


def _requote(value: str, quotes: str) -> str:
    """Quote the file's words as ``lang`` quotes (« » in French)."""
    if value.startswith("“") and value.endswith("”"):
        return quotes.format(text=value[1:-1])
    return value
