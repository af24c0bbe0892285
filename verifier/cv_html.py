"""A CV as one self-contained HTML page, and reading such a page back.

The page has no script and loads nothing: inline CSS, the QR code as inline
SVG. It carries two things besides what it shows:

- the signed presentation, as HTML-escaped JSON text inside
  ``<template id="passeport-presentation">``. A template's content is inert
  (never rendered, never run, not in the accessibility tree) and it is not a
  script element, so the page holds no ``<script>`` at all: mail filters and
  sanitizers that strip scripts keep it, and "no script" holds to the letter.
  Escaping is plain HTML escaping (``&lt;``, ``&gt;``, ``&amp;``), which every
  HTML parser undoes; no credential text can open an element there.
- the holder's :class:`~passeport.verifier.cv.CvSettings` as JSON in
  ``<meta name="passeport-cv" content="...">``.

The page is a pure function of these two: :func:`render_html` makes it, and
the verifier makes it again from what it verified and compares the bytes
(:mod:`passeport.verifier.cv_check`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from html.parser import HTMLParser
from typing import Any, Final

from passeport._io import parse_json
from passeport._json import JsonObject
from passeport.errors import InputError
from passeport.verifier.cv import MARK_SYMBOLS, Cv, CvLine, CvSettings, qr_runs

__all__ = [
    "PRESENTATION_ID",
    "SETTINGS_NAME",
    "presentation_from_html",
    "read_page",
    "render_html",
    "visible_text",
]

PRESENTATION_ID: Final = "passeport-presentation"
SETTINGS_NAME: Final = "passeport-cv"

# Colours keep a contrast of at least 4.5:1 on their background (WCAG 2.1 AA, 1.4.3).
_CSS: Final = """
:root{--ink:#1b1f24;--muted:#4a5260;--accent:#1d3a6e;--line:#c9d1dc}
*{box-sizing:border-box}
body{font-family:"Segoe UI",Roboto,"Helvetica Neue",Arial,"DejaVu Sans",sans-serif;
color:var(--ink);background:#fff;line-height:1.45;margin:0;padding:2.5rem 1.25rem}
.cv{max-width:50rem;margin:0 auto}
header{border-bottom:3px solid var(--accent);padding-bottom:1rem;margin-bottom:1.5rem}
h1{font-size:2.1rem;margin:0;color:var(--accent);letter-spacing:.01em}
.subtitle{font-size:1.1rem;margin:.2rem 0 .4rem;color:var(--ink)}
.summary{margin:0;color:var(--muted);font-size:.95rem}
h2{font-size:1.15rem;text-transform:uppercase;letter-spacing:.06em;color:var(--accent);
border-bottom:1px solid var(--line);padding-bottom:.25rem;margin:1.8rem 0 .8rem}
h3{font-size:1rem;margin:1.1rem 0 .5rem;color:var(--ink)}
ul.lines{list-style:none;margin:0;padding:0}
li.line{margin:0 0 .9rem;padding:0 0 .9rem;border-bottom:1px dotted var(--line)}
li.line:last-child{border-bottom:none}
.head{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;gap:.3rem 1rem}
.title{font-weight:700;font-size:1.05rem;margin:0}
.mark{font-size:.8rem;font-weight:600;border-radius:1rem;padding:.05rem .6rem;border:1px solid;
white-space:nowrap}
.mark-accredited{color:#17602c;background:#edf7ef;border-color:#17602c}
.mark-issuer{color:#1d4f91;background:#eef3fa;border-color:#1d4f91}
.mark-declared{color:#6e4400;background:#fdf6e9;border-color:#6e4400}
.mark-unverified{color:#a01818;background:#fcefef;border-color:#a01818}
.details{margin:.25rem 0 0;color:var(--muted)}
.details span+span::before{content:" · "}
.withheld{margin:.2rem 0 0;font-size:.85rem;font-style:italic;color:var(--muted)}
footer{margin-top:2.2rem;border-top:3px solid var(--accent);padding-top:.6rem}
footer h2{border-bottom:none;margin-top:.6rem}
.check{display:flex;gap:1.2rem;align-items:center}
.check svg{flex:none;width:8.5rem;height:8.5rem}
.check p{margin:.3rem 0}
.verify{font-weight:600}
.note{font-size:.85rem;color:var(--muted)}
@page{size:A4;margin:15mm}
@media print{body{padding:0;font-size:10.5pt}.cv{max-width:none}
li.line,footer{break-inside:avoid}h2,h3{break-after:avoid}}
"""


def _qr_svg(cv: Cv) -> str:
    size, runs = qr_runs(cv.qr_payload)
    path = "".join(f"M{x} {y}h{n}v1h-{n}z" for x, y, n in runs)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'role="img" aria-labelledby="cv-qr-alt">'
        f'<title id="cv-qr-alt">{escape(cv.qr_alt)}</title>'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>'
    )


def _line(line: CvLine) -> str:
    details = "".join(f"<span>{escape(item)}</span>" for item in line.details)
    withheld = (
        f'\n<p class="withheld">{escape(line.withheld_words)}</p>' if line.withheld_words else ""
    )
    return (
        f'<li class="line">\n<div class="head"><p class="title">{escape(line.title)}</p>'
        f'<span class="mark mark-{line.mark}"><span aria-hidden="true">'
        f"{MARK_SYMBOLS[line.mark]}</span> {escape(line.mark_words)}</span></div>\n"
        f'<p class="details">{details}</p>{withheld}\n</li>'
    )


def render_html(cv: Cv, presentation: Mapping[str, Any]) -> str:
    """Return the CV page: what ``cv`` shows, its settings, and ``presentation`` embedded."""
    body: list[str] = []
    for section in cv.sections:
        heading = f"cv-{section.key}"
        body.append(
            f'<section aria-labelledby="{heading}">\n<h2 id="{heading}">'
            f"{escape(section.heading)}</h2>"
        )
        for group in section.groups:
            if group.heading:
                body.append(f"<h3>{escape(group.heading)}</h3>")
            body.append('<ul class="lines">')
            body.extend(_line(line) for line in group.lines)
            body.append("</ul>")
        body.append("</section>")
    embedded = escape(json.dumps(presentation, ensure_ascii=False, separators=(",", ":")), False)
    settings = escape(cv.settings.carried())
    return f"""<!DOCTYPE html>
<html lang="{cv.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="passeport">
<meta name="{SETTINGS_NAME}" content="{settings}">
<title>{escape(cv.heading)} — {escape(cv.subtitle)}</title>
<style>{_CSS}</style>
</head>
<body>
<div class="cv">
<header>
<h1>{escape(cv.heading)}</h1>
<p class="subtitle">{escape(cv.subtitle)}</p>
<p class="summary">{escape(cv.summary)}</p>
</header>
<main>
{chr(10).join(body)}
</main>
<footer aria-labelledby="cv-check">
<h2 id="cv-check">{escape(cv.verify_heading)}</h2>
<div class="check">
{_qr_svg(cv)}
<div>
<p class="verify">{escape(cv.verify_line)}</p>
<p class="note">{escape(cv.note)}</p>
</div>
</div>
</footer>
</div>
<template id="{PRESENTATION_ID}">{embedded}</template>
</body>
</html>
"""


class _Reader(HTMLParser):
    """Find the settings meta and the presentation template, and the page's visible text."""

    _HIDDEN: Final = frozenset({"template", "style", "title", "script", "head", "svg"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.settings: list[str | None] = []
        self.templates: list[list[str]] = []
        self.inside_template = 0
        self.nested = False
        self.hidden = 0
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self.inside_template:
            self.nested = True  # an element inside the carrier: not a page we made
        if tag == "meta" and values.get("name") == SETTINGS_NAME:
            self.settings.append(values.get("content"))
        if tag == "template":
            if values.get("id") == PRESENTATION_ID and not self.inside_template:
                self.templates.append([])
                self.inside_template += 1
                self.hidden += 1
                return
            if self.inside_template:
                self.inside_template += 1
        if tag in self._HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "template" and self.inside_template:
            self.inside_template -= 1
            self.hidden = max(0, self.hidden - 1)
            return
        if tag in self._HIDDEN:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data: str) -> None:
        if self.inside_template == 1 and self.templates:
            self.templates[-1].append(data)
        elif not self.hidden:
            self.visible.append(data)


def _parsed(text: str, where: str | None) -> _Reader:
    reader = _Reader()
    try:
        reader.feed(text)
        reader.close()
    except (ValueError, AssertionError) as exc:  # html.parser gives up on some malformed input
        raise InputError(f"not readable HTML: {exc}", where=where) from None
    return reader


def visible_text(page: str) -> str:
    """Return the words a reader sees on ``page`` (outside head, style, SVG and templates).

    Each element's text is a word apart from the next (the CV's details are
    separated by CSS, not by text).

    >>> visible_text("<p>Diplôme <b>Licence</b></p><template>hidden</template>")
    'Diplôme Licence'
    """
    return " ".join(" ".join(_parsed(page, None).visible).split())


def read_page(text: str, *, where: str | None) -> tuple[JsonObject, CvSettings]:
    """Return the presentation and the settings a CV page carries.

    Raises:
        InputError: no carrier or more than one, elements inside the
            template, content that is not a JSON object, or settings that
            :meth:`CvSettings.from_json` refuses; ``where`` names the file.
    """
    reader = _parsed(text, where)
    label = f'<template id="{PRESENTATION_ID}">'
    if not reader.templates:
        raise InputError(f"an HTML page without a signed presentation ({label})", where=where)
    if len(reader.templates) > 1:
        raise InputError(f"{len(reader.templates)} elements {label}; expected one", where=where)
    if reader.nested:
        raise InputError(f"the element {label} holds markup, not only JSON text", where=where)
    content = "".join(reader.templates[0])
    if not content.strip():
        raise InputError(f"the element {label} is empty", where=where)
    try:
        document: Any = parse_json(content, where=where)
    except InputError as exc:
        raise InputError(
            f"the embedded presentation is not JSON: {exc.message}", where=where
        ) from None
    if not isinstance(document, dict):
        raise InputError(f"the element {label} holds no JSON object", where=where)
    meta = f'<meta name="{SETTINGS_NAME}">'
    if len(reader.settings) != 1 or reader.settings[0] is None:
        raise InputError(f"expected one {meta} with its content (the CV settings)", where=where)
    try:
        carried = parse_json(reader.settings[0], where=where)
    except InputError as exc:
        raise InputError(f"the CV settings are not JSON: {exc.message}", where=where) from None
    return document, CvSettings.from_json(carried, where=where)


def presentation_from_html(text: str, *, where: str | None) -> JsonObject:
    """Return the presentation a CV page embeds (see :func:`read_page`)."""
    return read_page(text, where=where)[0]
