"""The verification page people use: drop a CV or a presentation, read the verdict.

HTML only (the routes are the shell's, :mod:`passeport.upload`): a form that
posts the file (``multipart/form-data``) and works without JavaScript, and
the verdict in words (French by default): verified or not, what the file
shows, one sentence per credential, the warnings, then every check behind a
disclosure element.

Made to be accessible as French public services must be (RGAA 4, that is
WCAG 2.1 AA): a language, a title, landmarks (header, main, footer), one
``h1`` then ``h2``, every field with its label and its hint tied to it,
colours with a contrast of at least 4.5:1, a visible focus, no information
given by colour alone (each verdict has its words and a sign), and a print
stylesheet that prints the verdict without the form.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final

from passeport.i18n import LANGUAGES, translator
from passeport.verifier.result import Check, Outcome, VerificationResult

__all__ = ["PAGE_MESSAGES", "error_page", "form_page", "verdict_page"]

_CSS: Final = """
:root{--ink:#1b1f24;--muted:#4a5260;--accent:#1d3a6e;--ok:#17602c;--ko:#a01818;--line:#c9d1dc}
*{box-sizing:border-box}
body{margin:0;font-family:"Segoe UI",Roboto,"Helvetica Neue",Arial,"DejaVu Sans",sans-serif;
color:var(--ink);background:#fff;line-height:1.5}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.3rem}
header,main,footer{max-width:48rem;margin:0 auto;padding:0 1.25rem}
header{border-bottom:3px solid var(--accent);padding-top:1.5rem;padding-bottom:.8rem}
header p{margin:.2rem 0;color:var(--muted)}
h1{margin:0;color:var(--accent);font-size:1.9rem}
h2{color:var(--accent);font-size:1.3rem;margin:1.8rem 0 .6rem}
form{border:1px solid var(--line);border-radius:.5rem;padding:1rem 1.2rem;margin:1rem 0}
.field{margin:0 0 1rem}
label{display:block;font-weight:600;margin-bottom:.2rem}
.hint{display:block;color:var(--muted);font-size:.9rem;margin-bottom:.3rem}
input[type=text],input[type=file]{font:inherit;width:100%;padding:.45rem;border:1px solid #6b7480;
border-radius:.3rem;background:#fff;color:var(--ink)}
button{font:inherit;font-weight:600;color:#fff;background:var(--accent);border:none;
border-radius:.3rem;padding:.6rem 1.4rem;cursor:pointer}
a{color:var(--accent)}
:focus-visible{outline:3px solid #b35900;outline-offset:2px}
.verdict{font-size:1.4rem;font-weight:700;margin:.4rem 0}
.verified{color:var(--ok)}.failed{color:var(--ko)}
.source{color:var(--muted);margin:0}
ul.lines{padding-left:0;list-style:none}
ul.lines li{margin:.5rem 0;padding-left:1.6rem;text-indent:-1.6rem}
.sign{display:inline-block;width:1.6rem;text-indent:0;font-weight:700}
.visually{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);
white-space:nowrap}
.error{border-left:.3rem solid var(--ko);padding:.5rem 1rem;background:#fcefef}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
summary{cursor:pointer;font-weight:600;margin:1rem 0 .5rem}
footer{border-top:1px solid var(--line);margin-top:2.5rem;padding-top:.6rem;padding-bottom:2rem;
color:var(--muted);font-size:.9rem}
@media print{form,.skip,.again{display:none}header,main,footer{max-width:none}
details{display:block}a{color:var(--ink)}}
"""

_INTRO: Final = (
    "Drop a CV (HTML or PDF) or a presentation file: this page says whether what it shows "
    "was signed, by whom, and whether it still holds."
)
_FILE_HINT: Final = "A CV made by passeport (cv.html, cv.pdf) or a presentation (JSON, JWT)."
_CHALLENGE_HINT: Final = "The challenge you gave the candidate, if you gave one."
_COMPARED: Final = "The text of the CV was compared with what was signed: {how}."
_PDF_HOW: Final = "as far as the text of the PDF can be extracted (its words and their order)"
_OUTCOMES: Final = {
    "passed": "check passed",
    "failed": "check failed",
    "unchecked": "check not made",
}
_SIGNS: Final = {"passed": "✔", "failed": "✘", "unchecked": "?"}
_FORM_WORDS: Final = (
    "Check a CV",
    _INTRO,
    "Skip to the form",
    "Drop the file",
    "File to check",
    _FILE_HINT,
    "Challenge (optional)",
    _CHALLENGE_HINT,
    "Domain (optional)",
    "Your domain, as given to the candidate.",
    "Check the file",
    "Nothing you send is kept: the file is read, checked, and forgotten.",
    "Check another file",
    "Verification",
    "VERIFIED",
    "NOT VERIFIED",
    "File: {name}",
    "The file as a whole",
    "What it proves",
    "Warnings",
    "Every check, one by one",
    "Check",
    "{outcome}: ",
    "Outcome",
    "Where",
    "Detail",
    *_OUTCOMES.values(),
    "credential {index}",
    "the presentation",
    "This file could not be read",
    "No file was sent.",
    _COMPARED,
    "character for character",
    _PDF_HOW,
)
PAGE_MESSAGES: Final = _FORM_WORDS
"""Every message id the page speaks (a test checks each has its French translation)."""


def _lang(lang: str) -> str:
    return lang if lang in LANGUAGES else "fr"


def _page(lang: str, title: str, main: str) -> str:
    t = translator(lang)
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — passeport</title>
<style>{_CSS}</style>
</head>
<body>
<a class="skip" href="#file">{escape(t("Skip to the form"))}</a>
<header>
<h1>{escape(t("Check a CV"))}</h1>
<p>{escape(t(_INTRO))}</p>
</header>
<main>
{main}
</main>
<footer>
<p>{escape(t("Nothing you send is kept: the file is read, checked, and forgotten."))}</p>
</footer>
</body>
</html>
"""


def _form(lang: str, *, again: bool = False) -> str:
    t = translator(lang)
    heading = (
        f'<h2 id="form-title" class="again">{escape(t("Check another file"))}</h2>'
        if again
        else f'<h2 id="form-title">{escape(t("Drop the file"))}</h2>'
    )
    action = "/" if lang == "fr" else f"/?lang={lang}"
    return f"""{heading}
<form method="post" action="{action}" enctype="multipart/form-data" aria-labelledby="form-title">
<div class="field">
<label for="file">{escape(t("File to check"))}</label>
<span class="hint" id="file-hint">{escape(t(_FILE_HINT))}</span>
<input type="file" id="file" name="file" required aria-describedby="file-hint"
accept=".html,.htm,.pdf,.json,.jwt,.txt,text/html,application/pdf,application/json">
</div>
<div class="field">
<label for="challenge">{escape(t("Challenge (optional)"))}</label>
<span class="hint" id="challenge-hint">{escape(t(_CHALLENGE_HINT))}</span>
<input type="text" id="challenge" name="challenge" autocomplete="off"
aria-describedby="challenge-hint">
</div>
<div class="field">
<label for="domain">{escape(t("Domain (optional)"))}</label>
<span class="hint" id="domain-hint">{escape(t("Your domain, as given to the candidate."))}</span>
<input type="text" id="domain" name="domain" autocomplete="off" aria-describedby="domain-hint">
</div>
<button type="submit">{escape(t("Check the file"))}</button>
</form>"""


def form_page(lang: str = "fr") -> str:
    """Return the page with the upload form (``GET /``)."""
    lang = _lang(lang)
    return _page(lang, translator(lang)("Check a CV"), _form(lang))


def error_page(reason: str, lang: str = "fr") -> str:
    """Return the page saying the file could not be read, and why (``reason``, one line)."""
    lang = _lang(lang)
    t = translator(lang)
    main = (
        f'<section aria-labelledby="error-title">\n<h2 id="error-title">'
        f"{escape(t('This file could not be read'))}</h2>\n"
        f'<p class="error">{escape(" ".join(reason.split()))}</p>\n</section>\n'
        f"{_form(lang, again=True)}"
    )
    return _page(lang, t("This file could not be read"), main)


def _said(check: Check, lang: str) -> str:
    if check.code.startswith("cv."):
        from passeport.verifier.cv_check import said

        return said(check, lang)
    return check.message


def _located(check: Check, lang: str) -> str:
    """A check's sentence, after the line it is about when it is about one credential."""
    if check.credential is None:
        return _said(check, lang)
    where = translator(lang)("credential {index}").format(index=check.credential + 1)
    return f"{where} — {_said(check, lang)}"


def _item(outcome: str, words: str, lang: str) -> str:
    """One line of the verdict: a sign for the eye, its word for a screen reader, the sentence."""
    t = translator(lang)
    said = t("{outcome}: ").format(outcome=t(_OUTCOMES[outcome]))
    return (
        f'<li><span class="sign" aria-hidden="true">{_SIGNS[outcome]}</span>'
        f'<span class="visually">{escape(said)}</span>{escape(words[:1].upper() + words[1:])}</li>'
    )


def _lines(items: Sequence[str]) -> str:
    return '<ul class="lines">\n' + "\n".join(items) + "\n</ul>"


def verdict_page(result: VerificationResult, source: str, lang: str = "fr") -> str:
    """Return the page with the verdict on one file, and the form to check another."""
    lang = _lang(lang)
    t = translator(lang)
    ok = result.verified
    word = t("VERIFIED") if ok else t("NOT VERIFIED")
    parts = [
        '<section aria-labelledby="verdict-title">',
        f'<h2 id="verdict-title">{escape(t("Verification"))}</h2>',
        f'<p class="verdict {"verified" if ok else "failed"}">'
        f'<span aria-hidden="true">{"✔" if ok else "✘"}</span> {escape(word)}</p>',
        f'<p class="source">{escape(t("File: {name}").format(name=source))}</p>',
    ]
    cv = result.summary.get("cv")
    if isinstance(cv, dict):
        how = t("character for character") if cv.get("comparison") == "exact" else t(_PDF_HOW)
        parts.append(f"<p>{escape(t(_COMPARED).format(how=how))}</p>")
    # What fails the file itself, and what the CV says of a line that does not hold here.
    whole = [
        c
        for c in result.checks
        if c.outcome is not Outcome.PASSED and (c.credential is None or c.code.startswith("cv."))
    ]
    whole += [c for c in result.checks if c.code == "cv.text" and c.outcome is Outcome.PASSED]
    if whole:
        parts.append(f"<h3>{escape(t('The file as a whole'))}</h3>")
        parts.append(_lines([_item(str(c.outcome), _located(c, lang), lang) for c in whole]))
    if result.credentials:
        parts.append(f"<h3>{escape(t('What it proves'))}</h3>")
        items = []
        for report in result.credentials:
            outcome = "passed" if report.verdict == "authentic" else "failed"
            if report.verdict == "unchecked":
                outcome = "unchecked"
            items.append(_item(outcome, report.sentence(lang), lang))
        parts.append(_lines(items))
    if result.warnings:
        parts.append(f"<h3>{escape(t('Warnings'))}</h3>")
        parts.append(
            _lines([f"<li>{escape(' '.join(t(w).split()))}</li>" for w in result.warnings])
        )
    rows = []
    for check in result.checks:
        where = (
            t("the presentation")
            if check.credential is None
            else t("credential {index}").format(index=check.credential + 1)
        )
        rows.append(
            f"<tr><td>{_SIGNS[str(check.outcome)]} {escape(t(_OUTCOMES[str(check.outcome)]))}</td>"
            f"<td>{escape(check.code)}</td><td>{escape(where)}</td>"
            f"<td>{escape(_said(check, lang))}</td></tr>"
        )
    parts.append(
        f"<details>\n<summary>{escape(t('Every check, one by one'))}</summary>\n"
        f'<table>\n<thead><tr><th scope="col">{escape(t("Outcome"))}</th>'
        f'<th scope="col">{escape(t("Check"))}</th><th scope="col">{escape(t("Where"))}</th>'
        f'<th scope="col">{escape(t("Detail"))}</th></tr></thead>\n<tbody>\n'
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n</details>"
    )
    parts.append("</section>")
    parts.append(_form(lang, again=True))
    return _page(lang, f"{word} — {source}", "\n".join(parts))
