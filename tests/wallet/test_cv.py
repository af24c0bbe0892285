"""The holder's CV as a recruiter reads it: facts in words, sections of a French CV, marks.

What the page shows comes from what was signed and disclosed; what was
withheld is counted, never shown; no JSON path, no identifier of a
credential; the page runs nothing and loads nothing, and carries the signed
presentation in an inert template.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from passeport.errors import InputError
from passeport.i18n import catalog
from passeport.verifier.cv import (
    CV_MESSAGES,
    CvSettings,
    Mark,
    cv_of,
    esco_skills,
    pdf_drawable,
    qr_runs,
)
from passeport.verifier.cv_html import read_page, visible_text
from passeport.verifier.facts import CredentialFacts, Guarantee, Kind
from passeport.wallet import make_cv
from passeport.wallet.cv import withheld_fields
from tests.wallet._cv_helpers import TITLE, Holder, holder


class _Tags(HTMLParser):
    """Every start tag and its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser.tags


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Holder:
    return holder(tmp_path_factory.mktemp("cv"))


def test_the_page_reads_as_a_french_cv(made: Holder) -> None:
    page = made.cv.html()
    shown = visible_text(page)
    assert page.startswith('<!DOCTYPE html>\n<html lang="fr">')
    assert "<h1>Camille Martin</h1>" in page  # her name, as disclosed
    order = [
        shown.index(heading)
        for heading in ("Diplômes", "Compétences", "Prévention et sécurité", "Vérifier ce CV")
    ]
    assert order == sorted(order)
    # The diploma's facts, in words: title, issuer, code, level, the award date.
    assert (
        f"{TITLE} ✔ Garanti par un organisme accrédité Centre de formation Exemple RNCP37674 "
        "Niveau 5 Obtenu le 4 juillet 2025 4 champs non communiqués" in shown
    )
    # Not the date it was signed (1 July 2025), nor any issuance timestamp.
    assert "1er juillet 2025" not in shown and "2025-07-01" not in shown
    # Skills grouped by framework: the RNCP blocks of the diploma, then the others.
    assert "Blocs de compétences RNCP Développer le front-end" in shown
    assert "Autres compétences Gestion de projet agile ○ Déclaré par le titulaire" in shown
    # The training says until when it holds.
    assert "Valable jusqu'au 1er juillet 2027" in shown
    assert "✓ Garanti par un émetteur connu" in shown
    assert "Pour vérifier ce CV, lancez : passeport verify cv.html" in shown


def test_nothing_withheld_nor_technical_is_shown(made: Holder) -> None:
    shown = visible_text(made.cv.html())
    for hidden in ("1999-04-02", "ext:BirthDate", "Validation des blocs", "Titre professionnel de"):
        assert hidden not in shown, hidden
    for technical in ("urn:uuid", "identifier[", "achievement.", "targetUrl", "did:key", "{"):
        assert technical not in shown, technical


def test_the_page_runs_nothing_and_loads_nothing(made: Holder) -> None:
    page = made.cv.html()
    tags = _tags(page)
    names = {tag for tag, _ in tags}
    assert "script" not in names and "<script" not in page.lower()
    assert not {"link", "img", "iframe", "object", "embed", "base", "form"} & names
    assert not re.search(r"\b(src|href|action)=", page)
    assert "url(" not in page and "@import" not in page
    assert not any(name.startswith("on") for _, attrs in tags for name in attrs)
    # The QR code is inline SVG with a text alternative naming what it says.
    (svg,) = [attrs for tag, attrs in tags if tag == "svg"]
    assert svg["role"] == "img" and svg["aria-labelledby"] == "cv-qr-alt"
    assert '<title id="cv-qr-alt">QR code : passeport verify cv.html</title>' in page


def test_the_presentation_travels_exactly_and_inertly(made: Holder) -> None:
    page = made.cv.html()
    document, settings = read_page(page, where="cv.html")
    assert document == made.presentation.document
    assert settings == made.cv.settings
    assert settings.marks == (Mark.ACCREDITED, Mark.ISSUER, Mark.DECLARED)
    assert settings.withheld == (4, 0, 0)
    templates = [attrs for tag, attrs in _tags(page) if tag == "template"]
    assert templates == [{"id": "passeport-presentation"}]


def test_every_credential_text_is_escaped(tmp_path: Path) -> None:
    from tests.wallet import _cv_helpers

    evil = "</template><script>alert(1)</script> & <b>gras</b>"
    original = _cv_helpers.diploma_document

    def diploma_document(**kwargs: Any) -> dict[str, Any]:
        return original(**{**kwargs, "title": evil})

    _cv_helpers.diploma_document = diploma_document  # type: ignore[assignment]
    try:
        made = holder(tmp_path)
    finally:
        _cv_helpers.diploma_document = original  # type: ignore[assignment]
    page = made.cv.html()
    assert (
        "&lt;/template&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;gras&lt;/b&gt;"
        in page
    )
    names = [tag for tag, _ in _tags(page)]
    assert "script" not in names and "b" not in names and names.count("template") == 1
    document, _ = read_page(page, where="cv.html")
    assert json.dumps(document, ensure_ascii=False).count(evil.replace('"', '\\"')) >= 1


def test_english_and_a_verification_page_on_request(tmp_path: Path) -> None:
    made = holder(tmp_path, lang="en", verify_url="https://verif.example/cv")
    page = made.cv.html()
    shown = visible_text(page)
    assert '<html lang="en">' in page
    assert "Diplomas" in shown and "Awarded July 4, 2025" in shown and "Level 5" in shown
    assert "Guaranteed by an accredited body" in shown and "4 fields not disclosed" in shown
    assert (
        "To check this CV, drop this file on https://verif.example/cv (address given by the "
        "candidate)." in shown
    )
    assert "QR code: https://verif.example/cv" in page
    assert "Diplômes" not in shown


def test_without_a_trust_list_no_line_claims_accreditation(tmp_path: Path) -> None:
    made = holder(tmp_path, trust=None)
    assert made.cv.settings.marks == (Mark.ISSUER, Mark.ISSUER, Mark.DECLARED)
    assert "accrédité" not in visible_text(made.cv.html())


def test_settings_a_cv_cannot_carry_are_refused() -> None:
    for bad in (
        {"lang": "de"},
        {"verify_url": "javascript:alert(1)"},
        {"verify_url": 'https://x.example/"><b>'},
        {"verify_url": "https://x.example/" + "a" * 400},
        {"filename": "../cv.pdf"},
        {"marks": (Mark.ISSUER,), "withheld": ()},
        {"marks": (Mark.ISSUER,), "withheld": (-1,)},
    ):
        with pytest.raises(InputError, match="CV settings"):
            CvSettings(**bad).check(where="cv.html")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="expected the members"):
        CvSettings.from_json({"lang": "fr"}, where="cv.html")
    with pytest.raises(InputError, match="unknown mark"):
        CvSettings.from_json(
            {
                "lang": "fr",
                "verifyUrl": None,
                "filename": "cv.pdf",
                "marks": ["gold"],
                "withheld": [0],
            },
        )
    with pytest.raises(InputError, match="wrong type"):
        CvSettings.from_json(
            {
                "lang": "fr",
                "verifyUrl": None,
                "filename": "cv.pdf",
                "marks": ["issuer"],
                "withheld": [True],
            },
        )


def test_each_kind_has_its_section_and_its_date() -> None:
    def facts(kind: Kind, **values: Any) -> CredentialFacts:
        return CredentialFacts(kind, Guarantee.GUARANTEED, "unknown", issuer_name="X", **values)

    lines = [
        facts(Kind.ENDORSEMENT, title="Recommandation"),
        facts(
            Kind.JOB,
            title="Développeuse",
            employer="Atelier",
            started="2024-09-02",
            ended="2025-08-29",
            rome=("M1805",),
        ),
        facts(Kind.CERTIFICATION, title="Titre pro", codes=("RNCP37674",), awarded="2025-10-17"),
        facts(Kind.SKILL, title="Python", rome=("M1805",), awarded="2025-09-30"),
        facts(Kind.SKILL, title="SQL"),
        facts(Kind.OTHER, title="Attestation", valid_from="2025-01-01T00:00:00Z"),
    ]
    settings = CvSettings(marks=(Mark.ISSUER,) * 6, withheld=(0,) * 6)
    cv = cv_of({}, lines, settings, esco=((), (), (), (), ("SQL (ESCO)",), ()))
    assert [s.heading for s in cv.sections] == [
        "Certifications",
        "Expériences professionnelles",
        "Compétences",
        "Recommandations",
        "Autres attestations",
    ]
    job = cv.sections[1].groups[0].lines[0]
    assert job.details == (
        "Atelier",
        "Du 2 septembre 2024 au 29 août 2025",
        "ROME M1805",
        "Attesté par X",
    )
    skills = cv.sections[2].groups
    assert [(g.heading, [line.title for line in g.lines]) for g in skills] == [
        ("Compétences ESCO", ["SQL"]),
        ("Métiers du ROME", ["Python"]),
    ]
    assert skills[0].lines[0].details == ("X", "ESCO : SQL (ESCO)")
    assert cv.sections[4].groups[0].lines[0].details == ("X", "Émise le 1er janvier 2025")
    # Nothing disclosed about the holder: the header says so rather than invent one.
    assert cv.heading == "Nom non communiqué"


def test_esco_alignments_are_read() -> None:
    credential = {
        "credentialSubject": {
            "employment": {
                "alignment": [
                    {"targetFramework": "ESCO", "targetName": "développeur web"},
                    {"targetFramework": "ROME", "targetCode": "M1805"},
                ]
            }
        }
    }
    assert esco_skills(credential) == ("développeur web",)


def test_a_pdf_draws_only_what_its_fonts_hold() -> None:
    assert pdf_drawable("Zoë Œuvre — « été » 山") == "Zoë Œuvre — « été » ?"
    assert pdf_drawable("e\u0301") == "é"


def test_the_qr_code_is_the_payloads() -> None:
    import segno

    size, runs = qr_runs("https://verif.example/cv")
    matrix = segno.make("https://verif.example/cv", error="m", micro=False).matrix
    assert size == len(matrix) + 8
    dark = {(x, y) for x, y, n in runs for x in range(x, x + n)}
    assert dark == {(x + 4, y + 4) for y, row in enumerate(matrix) for x, v in enumerate(row) if v}


def test_every_word_of_the_cv_has_its_french() -> None:
    french = catalog("fr")
    assert [message for message in CV_MESSAGES if message not in french] == []


def test_make_cv_refuses_settings_it_cannot_carry(made: Holder, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="verification address"):
        make_cv(made.presentation, made.wallet, verify_url="ftp://x.example/")


def test_withheld_fields_count_what_is_left_out_and_nothing_else() -> None:
    held = {
        "@context": ["x"],
        "type": ["VerifiableCredential"],
        "proof": {"a": 1},
        "credentialSubject": {
            "identifier": [{"n": "Camille"}, {"n": "1999"}, {"n": "c@x"}],
            "achievement": {"name": "Licence", "description": "…", "alignment": [{"c": 1}]},
        },
    }
    assert withheld_fields(held, held) == 0
    shown = {
        "credentialSubject": {"identifier": [{"n": "Camille"}], "achievement": {"name": "Licence"}}
    }
    assert withheld_fields(held, shown) == 4  # two identities, the description, the alignment
    assert withheld_fields(held, {}) == 1  # the subject, whole


@pytest.mark.parametrize(
    "name",
    ["passeport.verifier.cv", "passeport.verifier.cv_html", "passeport.wallet.cv"],
)
def test_docstring_examples_run(name: str) -> None:
    import doctest
    import importlib

    failures, tried = doctest.testmod(importlib.import_module(name))
    assert tried > 0 and failures == 0
