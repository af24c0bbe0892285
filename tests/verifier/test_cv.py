"""CVs (HTML pages) at the verifier: only the embedded, signed presentation is verified.

The verdict concerns the presentation in ``<script type="application/vp+json"
id="passeport-presentation">``: the visible text of the page is not signed, so
editing it changes nothing in the verdict (a recruiter must read the verified
data, e.g. ``passeport verify --json``), while editing the embedded JSON breaks
the holder's proof.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from passeport.errors import InputError
from passeport.verifier import Policy, VerificationResult, verify_any
from passeport.verifier.cv import presentation_from_html
from passeport.wallet import add, present, render_cv
from tests.conftest import FIXED_NOW
from tests.wallet._helpers import diploma_document, env, new_wallet, policy, selective

CHALLENGE = "c-cv-2"
DOMAIN = "rh.example"
TITLE = "Développeur web et web mobile"
SCRIPT = '<script type="application/vp+json" id="passeport-presentation">'


@pytest.fixture(scope="module")
def cv(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """A presentation of a selectively disclosed diploma, and its CV page."""
    wallet = new_wallet(tmp_path_factory.mktemp("cv"))
    source = ("d.json", json.dumps(selective(diploma_document())))
    (outcome,) = add(wallet, [source], policy=policy(), env=env())
    assert outcome.status == "added", outcome.reason
    result = present(
        wallet,
        [str(outcome.id)],
        reveal=("/credentialSubject/achievement/name",),
        challenge=CHALLENGE,
        domain=DOMAIN,
        now=FIXED_NOW,
    )
    return result.document, render_cv(result.document, result.credentials)


def _verify(page: str | bytes, challenge: str = CHALLENGE) -> VerificationResult:
    rules = Policy(challenge=challenge, domain=DOMAIN, at=FIXED_NOW)
    return verify_any(page, policy=rules, env=env(), where="cv.html")


def test_extraction_gives_back_the_presentation(cv: tuple[dict[str, Any], str]) -> None:
    document, page = cv
    assert presentation_from_html(page, where="cv.html") == document
    # Case and attribute order do not matter to an HTML parser.
    other = page.replace(SCRIPT, '<SCRIPT id="passeport-presentation" type="Application/VP+JSON">')
    assert presentation_from_html(other, where="cv.html") == document


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda p: p.replace(SCRIPT, "<script>"), "without a signed presentation"),
        (lambda p: p.replace(SCRIPT, '<script type="application/json" id="x">'), "without"),
        (lambda p: p.replace("</body>", f"{SCRIPT}{{}}</script></body>"), "2 elements"),
        (lambda p: p.replace(SCRIPT, SCRIPT + "{,"), "not JSON: malformed JSON at line 1"),
        (lambda p: p.split(SCRIPT)[0] + SCRIPT + "[1, 2]</script>", "holds no JSON object"),
        (lambda p: p.split(SCRIPT)[0] + SCRIPT + "  </script>", "is empty"),
    ],
)
def test_extraction_errors_name_the_file(
    cv: tuple[dict[str, Any], str], edit: Any, message: str
) -> None:
    _, page = cv
    with pytest.raises(InputError, match=message) as caught:
        presentation_from_html(edit(page), where="cv.html")
    assert str(caught.value).startswith("cv.html: ")
    assert "\n" not in str(caught.value)
    with pytest.raises(InputError, match=message):  # the same through verify_any
        _verify(edit(page))


def test_a_cv_verifies_with_its_challenge_only(cv: tuple[dict[str, Any], str]) -> None:
    _, page = cv
    verdict = _verify(page)
    assert verdict.verified, verdict.failures()
    assert _verify(page.encode("utf-8")).verified
    assert _verify("\n  <html>" + page.split("<html lang=\"fr\">", 1)[1]).verified
    assert not _verify(page, challenge="c-someone-else").verified


def test_the_verdict_concerns_the_embedded_presentation_not_the_visible_text(
    cv: tuple[dict[str, Any], str],
) -> None:
    _, page = cv
    visible, embedded = page.split(SCRIPT)
    assert f">{TITLE}</h2>" in visible
    forged = visible.replace(f">{TITLE}</h2>", ">Docteur en médecine</h2>") + SCRIPT + embedded
    verdict = _verify(forged)
    # Still verified: the visible text is not signed; what is verified is the JSON,
    # which still says the true title.
    assert verdict.verified, verdict.failures()
    shown = presentation_from_html(forged, where="cv.html")["verifiableCredential"]
    assert json.dumps(shown, ensure_ascii=False).count(TITLE) == 1
    assert "Docteur en médecine" not in json.dumps(shown, ensure_ascii=False)


def test_a_cv_whose_embedded_json_was_edited_fails(cv: tuple[dict[str, Any], str]) -> None:
    _, page = cv
    visible, embedded = page.split(SCRIPT)
    assert embedded.count(TITLE) == 1
    tampered = visible + SCRIPT + embedded.replace(TITLE, "Docteur en médecine")
    verdict = _verify(tampered)
    assert not verdict.verified
    assert verdict.failures()


def test_only_a_whole_page_is_read_as_a_cv() -> None:
    with pytest.raises(InputError, match="not a readable JWT") as caught:
        verify_any("<p>hello</p>", where="x.html")
    assert "signed presentation" not in str(caught.value)
