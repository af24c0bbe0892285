"""A CV as a PDF: an A4 document a recruiter prints, with the signed presentation attached.

Laid out with fpdf2: a maintained, pure-Python library (its dependencies,
fontTools, Pillow and defusedxml, install as wheels everywhere) that embeds
and subsets TrueType fonts, writes a ToUnicode map (so the text can be read
back, :mod:`passeport.verifier.cv_pdf`) and attaches files to a document
(``/EmbeddedFiles``), all through its public API. The fonts are DejaVu Sans,
shipped in ``wallet/fonts`` (free licence, see the LICENSE there): every
French accent, œ, « », and Latin, Greek and Cyrillic names; a character
they lack is drawn ``?`` (:func:`passeport.verifier.cv.pdf_drawable`).

The text is drawn in the order of :meth:`passeport.verifier.cv.Cv.text`
and nothing else is text (the QR code is drawn as squares), which is what
``passeport verify cv.pdf`` compares. Two files are attached: the
presentation as signed (``presentation.json``) and the holder's settings
(``cv.json``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from passeport.verifier.cv import MARK_SYMBOLS, SEPARATOR, Cv, CvLine, Mark, pdf_drawable, qr_runs
from passeport.verifier.cv_pdf import PRESENTATION_FILE, SETTINGS_FILE

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = ["render_pdf"]

_FONT: Final = "DejaVu"
_MARGIN: Final = 18.0  # mm
_ACCENT: Final = (29, 58, 110)
_INK: Final = (27, 31, 36)
_MUTED: Final = (74, 82, 96)
_RULE: Final = (201, 209, 220)
_MARK_COLOURS: Final = {
    Mark.ACCREDITED: (23, 96, 44),
    Mark.ISSUER: (29, 79, 145),
    Mark.DECLARED: (110, 68, 0),
    Mark.UNVERIFIED: (160, 24, 24),
}
_QR_SIZE: Final = 32.0  # mm


def _fonts() -> Path:
    return Path(str(resources.files("passeport.wallet").joinpath("fonts")))


def _created(presentation: Mapping[str, Any]) -> datetime:
    """The presentation's own date, so that the same CV gives the same bytes."""
    proof = presentation.get("proof")
    proof = proof[0] if isinstance(proof, list) and proof else proof
    created = proof.get("created") if isinstance(proof, Mapping) else None
    if isinstance(created, str):
        try:
            moment = datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime(2000, 1, 1, tzinfo=UTC)


class _Writer:
    """Draws a CV on A4 pages, top to bottom."""

    def __init__(self, cv: Cv) -> None:
        from fpdf import FPDF

        self.cv = cv
        pdf = FPDF(orientation="portrait", unit="mm", format="A4")
        pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
        pdf.set_auto_page_break(auto=True, margin=_MARGIN)
        fonts = _fonts()
        pdf.add_font(_FONT, "", str(fonts / "DejaVuSans.ttf"))
        pdf.add_font(_FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
        pdf.set_lang(cv.lang)
        pdf.set_title(pdf_drawable(f"{cv.heading} — {cv.subtitle}"))
        pdf.set_author(pdf_drawable(cv.heading))
        pdf.set_subject(pdf_drawable(cv.subtitle))
        pdf.set_creator("passeport")
        pdf.set_producer("passeport")
        pdf.set_display_mode(zoom="fullwidth")
        self.pdf: FPDF = pdf

    @property
    def width(self) -> float:
        return float(self.pdf.epw)

    def text(
        self,
        words: str,
        *,
        size: float,
        bold: bool = False,
        colour: tuple[int, int, int] = _INK,
        height: float | None = None,
        width: float = 0,
        after: float = 0,
    ) -> None:
        pdf = self.pdf
        pdf.set_font(_FONT, "B" if bold else "", size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(
            width,
            height or size * 0.45,
            pdf_drawable(words),
            align="L",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        if after:
            pdf.ln(after)

    def rule(self, colour: tuple[int, int, int], thickness: float, after: float = 2) -> None:
        pdf = self.pdf
        pdf.set_draw_color(*colour)
        pdf.set_line_width(thickness)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + self.width, pdf.get_y())
        pdf.ln(after)

    def room(self, needed: float) -> None:
        """Start a new page unless ``needed`` millimetres are left on this one."""
        pdf = self.pdf
        if pdf.get_y() + needed > pdf.h - pdf.b_margin:
            pdf.add_page()

    def header(self) -> None:
        cv = self.cv
        self.text(cv.heading, size=22, bold=True, colour=_ACCENT, height=10)
        self.text(cv.subtitle, size=12, height=6)
        self.text(cv.summary, size=9, colour=_MUTED, height=4.6, after=2)
        self.rule(_ACCENT, 0.8, after=3)

    def _line_height(self, line: CvLine, title_width: float) -> float:
        pdf = self.pdf
        pdf.set_font(_FONT, "B", 10.5)
        title = self._height(line.title, title_width, 5)
        pdf.set_font(_FONT, "", 9)
        details = self._height(SEPARATOR.join(line.details), 0, 4.4)
        return title + details + (4.4 if line.withheld_words else 0) + 3

    def _height(self, words: str, width: float, height: float) -> float:
        """Return how tall ``words`` would be in the current font (nothing drawn)."""
        lines = self.pdf.multi_cell(
            width, height, pdf_drawable(words), dry_run=True, output="LINES"
        )
        return height * len(lines) if isinstance(lines, list) else height

    def line(self, line: CvLine) -> None:
        pdf = self.pdf
        mark = f"{MARK_SYMBOLS[line.mark]} {line.mark_words}"
        pdf.set_font(_FONT, "B", 8)
        mark_width = pdf.get_string_width(pdf_drawable(mark)) + 4
        title_width = self.width - mark_width - 3
        self.room(self._line_height(line, title_width))
        top = pdf.get_y()
        self.text(line.title, size=10.5, bold=True, height=5, width=title_width)
        bottom = pdf.get_y()
        # The mark, on the right of the title's first line: drawn after the title, read after it.
        pdf.set_xy(pdf.l_margin + self.width - mark_width, top + 0.4)
        colour = _MARK_COLOURS[line.mark]
        pdf.set_draw_color(*colour)
        pdf.set_text_color(*colour)
        pdf.set_line_width(0.25)
        pdf.set_font(_FONT, "B", 8)
        pdf.cell(mark_width, 4.2, pdf_drawable(mark), border=1, align="C")
        pdf.set_xy(pdf.l_margin, max(bottom, top + 5))
        if line.details:
            self.text(SEPARATOR.join(line.details), size=9, colour=_MUTED, height=4.4)
        if line.withheld_words:
            self.text(line.withheld_words, size=8.5, colour=_MUTED, height=4.4)
        pdf.ln(3)

    def sections(self) -> None:
        for section in self.cv.sections:
            self.room(22)  # a heading is never alone at the foot of a page
            self.pdf.ln(2)
            self.text(section.heading, size=12.5, bold=True, colour=_ACCENT, height=6.5)
            self.rule(_RULE, 0.3, after=2.5)
            for group in section.groups:
                if group.heading:
                    self.room(18)
                    self.text(group.heading, size=10.5, bold=True, height=5.5, after=1)
                for line in group.lines:
                    self.line(line)

    def footer(self) -> None:
        cv, pdf = self.cv, self.pdf
        self.room(_QR_SIZE + 22)
        pdf.ln(3)
        self.rule(_ACCENT, 0.8, after=2)
        self.text(cv.verify_heading, size=12.5, bold=True, colour=_ACCENT, height=6.5, after=2)
        top = pdf.get_y()
        size, runs = qr_runs(cv.qr_payload)
        module = _QR_SIZE / size
        pdf.set_fill_color(0, 0, 0)
        for x, y, n in runs:  # a hair wider, so that no seam shows between runs
            pdf.rect(
                pdf.l_margin + x * module,
                top + y * module,
                n * module + 0.02,
                module + 0.02,
                style="F",
            )
        text_x = pdf.l_margin + _QR_SIZE + 6
        pdf.set_xy(text_x, top + 4)
        pdf.set_left_margin(text_x)
        self.text(cv.verify_line, size=10, bold=True, height=5, after=2)
        self.text(cv.note, size=8.5, colour=_MUTED, height=4.2)
        pdf.set_left_margin(_MARGIN)
        pdf.set_y(max(pdf.get_y(), top + _QR_SIZE))

    def attach(self, presentation: Mapping[str, Any]) -> None:
        when = _created(presentation)
        self.pdf.set_creation_date(when)
        self.pdf.embed_file(
            bytes=json.dumps(presentation, ensure_ascii=False, indent=2).encode("utf-8"),
            basename=PRESENTATION_FILE,
            mime_type="application/json",
            modification_date=when,
            desc="The signed presentation (W3C Verifiable Presentation) this CV shows",
            compress=True,
        )
        self.pdf.embed_file(
            bytes=self.cv.settings.carried().encode("utf-8"),
            basename=SETTINGS_FILE,
            mime_type="application/json",
            modification_date=when,
            desc="How the CV was laid out: language, marks, how to check it",
            compress=True,
        )


def render_pdf(cv: Cv, presentation: Mapping[str, Any]) -> bytes:
    """Return the CV as PDF bytes (A4), ``presentation`` and the settings attached."""
    writer = _Writer(cv)
    writer.pdf.add_page()
    writer.header()
    writer.sections()
    writer.footer()
    writer.attach(presentation)
    return bytes(writer.pdf.output())
