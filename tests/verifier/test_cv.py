"""CV files at the verifier: the presentation they carry, and that they show what was signed.

Round trips (HTML and PDF) verify; a CV edited after it was made fails with
its own check: visible text changed (``cv.text``), embedded presentation
changed (its proof), presentation swapped for another (``cv.text``), a mark
claiming more than this verifier finds (``cv.guarantee``), a count of
withheld fields on a credential shown whole (``cv.withheld``). A file that is
no CV of ours is refused as input, in one line naming it.
"""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path
from typing import Any

import pytest

from passeport.errors import InputError
from passeport.i18n import catalog
from passeport.verifier import VerificationResult, verify_any
from passeport.verifier.cv import CvSettings, Mark, cv_of, esco_of_presentation
from passeport.verifier.cv_check import CHECK_MESSAGES, UNCHECKED_MARKS, said
from passeport.verifier.cv_html import PRESENTATION_ID, presentation_from_html, render_html
from passeport.verifier.result import Outcome
from passeport.wallet.cv_pdf import render_pdf
from tests.wallet._cv_helpers import TITLE, Holder, holder, recruiter
from tests.wallet._helpers import env

CARRIER = f'<template id="{PRESENTATION_ID}">'


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Holder:
    return holder(tmp_path_factory.mktemp("cv-check"))


@pytest.fixture(scope="module")
def other(tmp_path_factory: pytest.TempPathFactory) -> Holder:
    """Another CV of the same holder: only the training, whole."""
    from passeport.wallet import make_cv, present

    first = holder(tmp_path_factory.mktemp("cv-other"))
    ids = [entry.id for entry in first.wallet.entries()][1:2]
    from tests.conftest import FIXED_NOW
    from tests.wallet._cv_helpers import CHALLENGE, DOMAIN, TRUST

    presented = present(first.wallet, ids, challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    cv = make_cv(presented, first.wallet, trust=TRUST, env=env(), now=FIXED_NOW)
    return Holder(first.wallet, presented, cv)


def _verify(data: str | bytes, **rules: Any) -> VerificationResult:
    return verify_any(data, policy=recruiter(**rules), env=env(), where="cv")


def _failed(result: VerificationResult) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for check in result.failures():
        found.setdefault(check.code, []).append(check.message)
    return found


def _remade(made: Holder, **changes: Any) -> tuple[Any, CvSettings]:
    """The CV made again from the same presentation, with other settings (a forger's)."""
    settings = dataclasses.replace(made.cv.settings, **changes)
    result = verify_any(made.cv.html(), policy=recruiter(), env=env())
    facts = [report.facts for report in result.credentials]
    document = made.presentation.document
    esco = esco_of_presentation(document, env().loader)
    return cv_of(document, facts, settings, esco=esco), settings


def test_html_and_pdf_round_trips_verify(made: Holder) -> None:
    for data, how in ((made.cv.html(), "exact"), (made.cv.pdf(), "extracted-text")):
        result = _verify(data)
        assert result.verified, result.failures()
        assert result.summary["cv"]["comparison"] == how  # type: ignore[index]
        codes = [c.code for c in result.checks if c.code.startswith("cv.")]
        assert codes == ["cv.text", "cv.guarantee", "cv.guarantee", "cv.guarantee"]
        assert [r.verdict for r in result.credentials] == ["authentic"] * 3
    assert _verify(made.cv.html().encode("utf-8")).verified
    assert _verify(made.cv.html().replace("\n", "\r\n")).verified  # a mail client's line ends
    assert not _verify(made.cv.html(), challenge="c-someone-else").verified


def test_without_the_challenge_a_cv_still_verifies(made: Holder) -> None:
    result = _verify(made.cv.pdf(), challenge=None)
    assert result.verified, result.failures()


def test_visible_text_edited_fails_its_own_check(made: Holder) -> None:
    page = made.cv.html()
    visible, carried = page.split(CARRIER)
    forged = visible.replace(TITLE, "Docteur en médecine", 1) + CARRIER + carried
    result = _verify(forged)
    assert not result.verified
    assert list(_failed(result)) == ["cv.text"]  # the presentation itself still holds
    (message,) = _failed(result)["cv.text"]
    assert message.startswith("the CV's visible text was changed after it was signed")
    assert "“Docteur en médecine" in message and f"“{TITLE}" in message
    french = said(next(c for c in result.checks if c.code == "cv.text"), "fr")
    assert french.startswith("le texte visible du CV a été modifié après sa signature")
    assert "« Docteur en médecine" in french


@pytest.mark.parametrize(
    "edit",
    [
        lambda p: p.replace("</body>", "<script>alert(1)</script></body>"),
        lambda p: p.replace("<title>", "<title>Master — "),
        lambda p: p.replace(".mark-accredited{", ".mark-accredited{display:none;"),
        lambda p: p.replace('lang="fr"', 'lang="en"', 1),
    ],
)
def test_markup_edited_outside_the_words_fails_too(made: Holder, edit: Any) -> None:
    result = _verify(edit(made.cv.html()))
    assert _failed(result) == {
        "cv.text": [
            "the CV page was changed after it was signed, outside its visible words "
            "(markup, style or embedded data)"
        ]
    }


def test_embedded_presentation_edited_fails_its_proof(made: Holder) -> None:
    visible, carried = made.cv.html().split(CARRIER)
    assert TITLE in carried
    result = _verify(visible + CARRIER + carried.replace(TITLE, "Docteur en médecine", 1))
    assert not result.verified
    assert any(code.startswith("proof.") for code in _failed(result)), _failed(result)
    assert "cv.text" in _failed(result)


def test_presentation_swapped_for_another_valid_one_fails(made: Holder, other: Holder) -> None:
    assert _verify(other.cv.html()).verified  # the other CV holds on its own
    visible, _ = made.cv.html().split(CARRIER)
    _, carried = other.cv.html().split(CARRIER)
    result = _verify(visible + CARRIER + carried)
    assert not result.verified
    assert "cv.text" in _failed(result)
    # In a PDF: a CV's text with another presentation attached.
    swapped = render_pdf(made.cv.cv, other.presentation.document)
    result = _verify(swapped)
    assert "cv.text" in _failed(result)


def test_pdf_text_edited_fails_as_far_as_its_text_can_be_read(made: Holder) -> None:
    forged_cv, _ = _remade(made)
    section = forged_cv.sections[0]
    line = dataclasses.replace(section.groups[0].lines[0], title="Docteur en médecine")
    group = dataclasses.replace(section.groups[0], lines=(line,))
    forged_cv = dataclasses.replace(
        forged_cv, sections=(dataclasses.replace(section, groups=(group,)), *forged_cv.sections[1:])
    )
    result = _verify(render_pdf(forged_cv, made.presentation.document))
    (message,) = _failed(result)["cv.text"]
    assert message.startswith("the PDF's text was changed after it was signed")
    assert message.endswith("(compared as far as its text can be extracted)")
    assert "Docteur en médecine" in message
    passed = next(c for c in _verify(made.cv.pdf()).checks if c.code == "cv.text")
    assert (
        passed.outcome is Outcome.PASSED and "as far as its text can be extracted" in passed.message
    )


def test_a_mark_claiming_more_than_the_recruiter_finds_fails(made: Holder) -> None:
    # The training marked "accredited" too, page and settings made to agree.
    cv, _ = _remade(made, marks=(Mark.ACCREDITED, Mark.ACCREDITED, Mark.DECLARED))
    forged = render_html(cv, made.presentation.document)
    result = _verify(forged)
    assert _failed(result) == {
        "cv.guarantee": [
            "the CV says an accredited body guarantees it, but it shows no certification code"
        ]
    }
    assert [c.credential for c in result.failures()] == [1]
    # Without a trust list nothing can confirm "accredited": a warning says so.
    lenient = _verify(forged, trust=None)
    assert UNCHECKED_MARKS in lenient.warnings
    # A declaration passed off as guaranteed, and the reverse.
    for marks in (
        (Mark.ISSUER, Mark.ISSUER, Mark.ISSUER),
        (Mark.DECLARED, Mark.ISSUER, Mark.DECLARED),
    ):
        cv, _ = _remade(made, marks=marks)
        result = _verify(render_html(cv, made.presentation.document))
        assert list(_failed(result)) == ["cv.guarantee"], marks
    # Admitting a line is not verified is always allowed.
    cv, _ = _remade(made, marks=(Mark.UNVERIFIED, Mark.ISSUER, Mark.DECLARED))
    assert _verify(render_html(cv, made.presentation.document)).verified


def test_a_count_of_withheld_fields_on_a_whole_credential_fails(made: Holder) -> None:
    cv, _ = _remade(made, withheld=(4, 3, 0))
    result = _verify(render_html(cv, made.presentation.document))
    assert _failed(result) == {
        "cv.withheld": ["the CV says fields of it were withheld, but it was shown whole"]
    }


def test_settings_that_do_not_fit_the_presentation_fail(made: Holder) -> None:
    cv, _ = _remade(made, marks=(Mark.ISSUER,), withheld=(0,))
    result = _verify(render_html(cv, made.presentation.document))
    assert "another presentation was put in the file" in _failed(result)["cv.text"][0]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda p: p.replace(CARRIER, "<template>"), "without a signed presentation"),
        (lambda p: p.replace("</body>", f"{CARRIER}{{}}</template></body>"), "2 elements"),
        (lambda p: p.replace(CARRIER, CARRIER + "<b>x</b>"), "holds markup"),
        (lambda p: p.replace(CARRIER, CARRIER + "{,"), "not JSON: malformed JSON"),
        (lambda p: p.split(CARRIER)[0] + CARRIER + "[1]</template>", "holds no JSON object"),
        (lambda p: p.split(CARRIER)[0] + CARRIER + " </template>", "is empty"),
        (lambda p: p.replace('name="passeport-cv"', 'name="x"'), "CV settings"),
        (
            lambda p: p.replace(
                "&quot;lang&quot;:&quot;fr&quot;", "&quot;lang&quot;:&quot;de&quot;"
            ),
            "unknown language",
        ),
    ],
)
def test_a_file_that_is_no_cv_of_ours_is_refused_in_one_line(
    made: Holder, edit: Any, message: str
) -> None:
    with pytest.raises(InputError, match=message) as caught:
        _verify(edit(made.cv.html()))
    assert str(caught.value).startswith("cv: ") and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n",
        b"%PDF-1.4\n" + b"\x00" * 500,
        b"%PDF-1.3\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF",
    ],
)
def test_an_unreadable_pdf_is_refused_in_one_line(data: bytes) -> None:
    with pytest.raises(InputError) as caught:
        _verify(data)
    assert str(caught.value).startswith("cv: ") and "\n" not in str(caught.value)


def test_a_pdf_without_its_attachments_is_refused(made: Holder) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    with pytest.raises(InputError, match=r"attaches exactly one presentation\.json"):
        _verify(bytes(pdf.output()))
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(made.cv.pdf())))
    writer.add_attachment("presentation.json", b"{}")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(InputError, match=r"exactly one presentation\.json"):
        _verify(out.getvalue())


def test_the_old_script_carrier_is_not_read(made: Holder) -> None:
    page = made.cv.html().replace(
        CARRIER, '<script type="application/vp+json" id="passeport-presentation">'
    )
    with pytest.raises(InputError, match="without a signed presentation"):
        presentation_from_html(page, where="cv.html")


def test_every_message_of_the_checks_has_its_french() -> None:
    french = catalog("fr")
    assert [message for message in CHECK_MESSAGES if message not in french] == []


def test_only_a_whole_page_is_read_as_a_cv() -> None:
    with pytest.raises(InputError, match="not a readable JWT") as caught:
        verify_any("<p>hello</p>", where="x.html")
    assert "signed presentation" not in str(caught.value)


def test_the_written_files_verify_from_disk(made: Holder, tmp_path: Path) -> None:
    from passeport.verifier.cv_pdf import read_document

    (tmp_path / "cv.pdf").write_bytes(made.cv.pdf())
    (tmp_path / "cv.html").write_text(made.cv.html(), "utf-8")
    for name in ("cv.pdf", "cv.html"):
        data = read_document(tmp_path / name)
        assert isinstance(data, bytes if name.endswith("pdf") else str)
        assert _verify(data).verified
    assert json.loads(read_document_text(tmp_path)) == {"a": 1}


def read_document_text(folder: Path) -> str:
    from passeport.verifier.cv_pdf import read_document

    (folder / "x.json").write_text('{"a": 1}', "utf-8")
    found = read_document(folder / "x.json")
    assert isinstance(found, str)
    return found
