"""The verification page over HTTP: a form, an upload, the verdict in French, nothing kept.

End to end through the application (``create_app``, its body limit
included) with multipart uploads, as a browser without JavaScript sends them.
Accessibility is checked here on the markup (labels, landmarks, headings,
language, contrast of the stylesheet's colours); tests/test_browser.py runs
axe-core on it in a real browser.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from passeport.app import create_app
from passeport.i18n import catalog
from passeport.verifier.page import PAGE_MESSAGES
from tests.wallet._cv_helpers import TITLE, TRUST, Holder, holder, recruiter
from tests.wallet._helpers import env


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Holder:
    return holder(tmp_path_factory.mktemp("page"))


@pytest.fixture(scope="module")
def client() -> TestClient:
    policy = recruiter(challenge=None)
    return TestClient(create_app(env=env(), policy=policy, max_body=512 * 1024))


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._label: str | None = None
        self.labels: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if tag == "label":
            self._label = values.get("for")

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._label:
            self.labels[self._label] = self.labels.get(self._label, "") + data


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def _words(page: str) -> str:
    return " ".join(" ".join(_parse(page).text).split())


def test_the_form_is_accessible_and_needs_no_script(client: TestClient) -> None:
    answer = client.get("/")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    page = answer.text
    parsed = _parse(page)
    names = [tag for tag, _ in parsed.tags]
    assert '<html lang="fr">' in page and "<title>" in page
    assert names.count("h1") == 1 and {"header", "main", "footer"} <= set(names)
    assert "script" not in names
    (form,) = [attrs for tag, attrs in parsed.tags if tag == "form"]
    assert form["method"] == "post" and form["enctype"] == "multipart/form-data"
    inputs = [attrs for tag, attrs in parsed.tags if tag == "input"]
    assert {attrs["id"] for attrs in inputs} == {"file", "challenge", "domain"}
    for attrs in inputs:  # every field has its label and its hint
        assert parsed.labels[str(attrs["id"])].strip()
        assert attrs["aria-describedby"] == f"{attrs['id']}-hint"
    assert "@media print" in page and ":focus-visible" in page
    assert "Vérifier un CV" in page
    assert "Rien de ce que vous envoyez n'est conservé" in _words(page)


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, two: str) -> float:
    high, low = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_colours_of_text_have_a_contrast_of_at_least_4_5(client: TestClient) -> None:
    from passeport.verifier import cv_html, page

    for css in (page._CSS, cv_html._CSS):
        colours = set(re.findall(r"#[0-9a-fA-F]{6}\b", css)) - {"#ffffff"}
        backgrounds = {"#fff": "#ffffff", "#fcefef": "#fcefef", "#edf7ef": "#edf7ef"}
        for colour in colours:
            if colour.lower() in {"#c9d1dc", "#6b7480", "#b35900"} | set(backgrounds.values()):
                continue  # rules, borders and the focus ring: not text
            if colour.lower() in {"#eef3fa", "#fdf6e9"}:
                continue  # backgrounds of the marks
            for background in ("#ffffff", "#fcefef", "#edf7ef", "#eef3fa", "#fdf6e9"):
                assert _contrast(colour, background) >= 4.5, (colour, background)


@pytest.mark.parametrize("name", ["cv.html", "cv.pdf"])
def test_a_cv_dropped_on_the_page_gets_its_verdict_in_french(
    client: TestClient, made: Holder, name: str
) -> None:
    data = made.cv.pdf() if name.endswith(".pdf") else made.cv.html().encode("utf-8")
    answer = client.post("/", files={"file": (name, data, "application/octet-stream")})
    assert answer.status_code == 200, answer.text
    words = _words(answer.text)
    assert "✔ VÉRIFIÉ" in words and f"Fichier : {name}" in words
    assert f"« {TITLE} »" in words and "Camille Martin" in words
    how = "caractère par caractère" if name.endswith(".html") else "autant que le texte du PDF"
    assert how in words
    assert "Toutes les vérifications, une par une" in words and "cv.text" in words
    assert "script" not in [tag for tag, _ in _parse(answer.text).tags]


def test_an_edited_cv_is_not_verified_and_the_page_says_why(
    client: TestClient, made: Holder
) -> None:
    forged = made.cv.html().replace(TITLE, "Docteur en médecine", 1).encode("utf-8")
    answer = client.post("/", files={"file": ("cv.html", forged)})
    assert answer.status_code == 200
    words = _words(answer.text)
    assert "✘ NON VÉRIFIÉ" in words
    assert "Le texte visible du CV a été modifié après sa signature" in words
    assert "« Docteur en médecine" in words


def test_a_presentation_file_and_the_challenge_typed_in(client: TestClient, made: Holder) -> None:
    data = json.dumps(made.presentation.document).encode("utf-8")
    typed = {"challenge": "c-cv", "domain": "rh.example"}
    answer = client.post("/", files={"file": ("vp.json", data)}, data=typed)
    assert "✔ VÉRIFIÉ" in _words(answer.text)
    wrong = client.post("/", files={"file": ("vp.json", data)}, data={"challenge": "c-other"})
    assert "✘ NON VÉRIFIÉ" in _words(wrong.text)


def test_english_on_request(client: TestClient, made: Holder) -> None:
    assert '<html lang="en">' in client.get("/?lang=en").text
    answer = client.post("/?lang=en", files={"file": ("cv.pdf", made.cv.pdf())})
    words = _words(answer.text)
    assert '<html lang="en">' in answer.text and "✔ VERIFIED" in words
    assert 'action="/?lang=en"' in answer.text


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"hello", "not a readable JWT"),
        (b"%PDF-1.7\nnot a pdf", "not a readable PDF"),
        (b"<!DOCTYPE html><html><body>no cv</body></html>", "without a signed presentation"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_gets_a_400_page_saying_why(
    client: TestClient, data: bytes, reason: str
) -> None:
    answer = client.post("/", files={"file": ("x.bin", data)})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    words = _words(answer.text)
    assert "Ce fichier n'a pas pu être lu" in words and reason in words and "x.bin" in words


def test_no_file_is_a_400_page(client: TestClient) -> None:
    answer = client.post("/", data={"challenge": "x"})
    assert answer.status_code == 400
    assert "Aucun fichier n'a été envoyé." in _words(answer.text)


def test_the_body_limit_holds_for_uploads(client: TestClient) -> None:
    answer = client.post("/", files={"file": ("big.pdf", b"%PDF-" + b"0" * (600 * 1024))})
    assert answer.status_code == 413


def test_nothing_is_kept(client: TestClient, made: Holder, tmp_path: Path) -> None:
    import tempfile

    before = set(Path(tempfile.gettempdir()).iterdir())
    client.post("/", files={"file": ("cv.pdf", made.cv.pdf())})
    after = set(Path(tempfile.gettempdir()).iterdir())
    assert after - before == set()
    assert client.get("/").text == client.get("/").text  # no trace of the upload


def test_a_trust_list_on_the_server_checks_the_marks(made: Holder) -> None:
    lenient = TestClient(create_app(env=env(), policy=recruiter(trust=None, challenge=None)))
    answer = lenient.post("/", files={"file": ("cv.html", made.cv.html().encode("utf-8"))})
    words = _words(answer.text)
    assert "✔ VÉRIFIÉ" in words
    assert "sans liste de confiance, ce n'a pas été vérifié" in words
    strict = TestClient(create_app(env=env(), policy=recruiter(trust=TRUST, challenge=None)))
    answer = strict.post("/", files={"file": ("cv.html", made.cv.html().encode("utf-8"))})
    assert "liste de confiance" not in _words(answer.text).split("Toutes les vérifications")[0]


def test_every_word_of_the_page_has_its_french() -> None:
    french = catalog("fr")
    assert [message for message in PAGE_MESSAGES if message not in french] == []


def test_a_mark_the_server_does_not_grant_is_said_on_its_line(
    client: TestClient, made: Holder
) -> None:
    import dataclasses

    from passeport.verifier import verify_any
    from passeport.verifier.cv import Mark, cv_of, esco_of_presentation
    from passeport.verifier.cv_html import render_html

    settings = dataclasses.replace(
        made.cv.settings, marks=(Mark.ACCREDITED, Mark.ACCREDITED, Mark.DECLARED)
    )
    result = verify_any(made.cv.html(), policy=recruiter(), env=env())
    document = made.presentation.document
    cv = cv_of(
        document,
        [report.facts for report in result.credentials],
        settings,
        esco=esco_of_presentation(document, env().loader),
    )
    forged = render_html(cv, document).encode("utf-8")
    words = _words(client.post("/", files={"file": ("cv.html", forged)}).text)
    assert "✘ NON VÉRIFIÉ" in words
    assert (
        "Attestation 2 — le CV dit qu'un organisme accrédité le garantit, mais il ne montre "
        "aucun code de certification" in words
    )
