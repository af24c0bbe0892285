"""The PDF CV: a real A4 PDF, fonts embedded, its words readable, the presentation attached."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from passeport.verifier.cv import PDF_ALPHABET, CvSettings, cv_of
from passeport.verifier.cv_pdf import read_pdf
from passeport.verifier.facts import CredentialFacts, Guarantee, Kind
from passeport.wallet.cv_pdf import render_pdf
from tests.wallet._cv_helpers import Holder, holder


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Holder:
    return holder(tmp_path_factory.mktemp("pdf"), filename="cv.pdf")


def test_a_real_a4_pdf_with_its_fonts(made: Holder) -> None:
    data = made.cv.pdf()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    fonts = page["/Resources"]["/Font"]
    names = {str(fonts[key].get_object()["/BaseFont"]) for key in fonts}
    assert all("DejaVuSans" in name for name in names), names  # embedded subsets
    assert reader.metadata is not None and reader.metadata.title == (
        "Camille Martin — Curriculum vitæ vérifiable"
    )
    assert len(data) < 200_000


def test_its_text_reads_back_with_every_accent(made: Holder) -> None:
    text = " ".join(PdfReader(io.BytesIO(made.cv.pdf())).pages[0].extract_text().split())
    for words in (
        "Camille Martin",
        "Curriculum vitæ vérifiable",
        "Diplômes",
        "Développeur web et web mobile",
        "✔ Garanti par un organisme accrédité",
        "Obtenu le 4 juillet 2025",
        "Prévention et sécurité",
        "Valable jusqu'au 1er juillet 2027",
        "○ Déclaré par le titulaire",
        "Pour vérifier ce CV, lancez : passeport verify cv.pdf",
    ):
        assert words in text, words
    assert "1999-04-02" not in text and "urn:uuid" not in text


def test_the_presentation_and_settings_are_attached(made: Holder) -> None:
    reader = PdfReader(io.BytesIO(made.cv.pdf()))
    assert sorted(reader.attachments) == ["cv.json", "presentation.json"]
    (presentation,) = reader.attachments["presentation.json"]
    assert json.loads(presentation) == made.presentation.document
    document, settings, _ = read_pdf(made.cv.pdf(), where="cv.pdf")
    assert document == made.presentation.document and settings == made.cv.settings


def test_the_same_cv_gives_the_same_bytes(made: Holder) -> None:
    assert made.cv.pdf() == made.cv.pdf()


def test_a_long_cv_runs_over_pages_and_a_foreign_script_is_drawn_as_question_marks() -> None:
    facts = [
        CredentialFacts(
            Kind.SKILL,
            Guarantee.GUARANTEED,
            "unknown",
            title=f"Compétence {i} — 山田 Łódź Ζωή",
            issuer_name="Organisme",
        )
        for i in range(40)
    ]
    cv = cv_of({}, facts, CvSettings(marks=("issuer",) * 40, withheld=(2,) * 40))  # type: ignore[arg-type]
    data = render_pdf(cv, {"type": ["VerifiablePresentation"]})
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 3
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Compétence 39 — ?? Łódź Ζωή" in text
    assert "".join(text.split()) == "".join(" ".join(cv.text()).replace("山田", "??").split())


def test_the_fonts_hold_every_character_of_the_alphabet() -> None:
    import unicodedata

    from fontTools.ttLib import TTFont

    folder = Path(__file__).resolve().parents[2] / "wallet" / "fonts"
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        cmap = TTFont(folder / name).getBestCmap()
        missing = [
            hex(code)
            for low, high in PDF_ALPHABET
            for code in range(low, high + 1)
            if unicodedata.category(chr(code)) != "Cn" and code not in cmap
        ]
        assert missing == [], name
    assert (folder / "LICENSE").read_text("utf-8").count("Bitstream") >= 2
