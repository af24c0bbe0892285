"""The holder's CV page: what it shows, what it hides, and the presentation it carries."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from passeport.wallet import Presentation, Wallet, add, present, render_cv
from tests.conftest import FIXED_NOW
from tests.wallet._helpers import diploma_document, env, new_wallet, policy, selective, signed

CHALLENGE = "c-cv-1"
DOMAIN = "recrutement.example"
MALICIOUS = "</script><script>alert(1)</script> & <b>gras</b>"


def _fill(wallet: Wallet, *documents: dict[str, Any]) -> list[str]:
    sources = [(f"c{i}.json", json.dumps(d)) for i, d in enumerate(documents)]
    outcomes = add(wallet, sources, policy=policy(), env=env())
    assert all(o.status == "added" for o in outcomes), [o.reason for o in outcomes]
    return [str(o.id) for o in outcomes]


def _present(wallet: Wallet, ids: list[str], *reveal: str) -> Presentation:
    return present(wallet, ids, reveal=reveal, challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)


class _Scripts(HTMLParser):
    """Every script element: its attributes and its raw content."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.tags: list[str] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "script":
            self.scripts.append((dict(attrs), ""))
            self._open = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._open = False

    def handle_data(self, data: str) -> None:
        if self._open:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def _parse(page: str) -> _Scripts:
    parser = _Scripts()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture
def selective_cv(tmp_path: Path) -> tuple[Presentation, str]:
    wallet = new_wallet(tmp_path)
    (diploma,) = _fill(wallet, selective(diploma_document()))
    result = _present(
        wallet,
        [diploma],
        "/credentialSubject/achievement/name",
        "/credentialSubject/achievement/achievementType",
    )
    return result, render_cv(result.document, result.credentials, title="Camille — CV")


def test_the_page_shows_what_was_disclosed_and_nothing_else(
    selective_cv: tuple[Presentation, str],
) -> None:
    result, page = selective_cv
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="fr">' in page
    assert "<h1>Camille — CV</h1>" in page
    assert "<h2 " in page and ">Développeur web et web mobile</h2>" in page
    assert "OpenBadgeCredential" in page
    assert "Diploma" in page
    assert str(result.document["holder"]) in page
    assert "selective disclosure" in page
    assert "passeport verify CV.html --challenge … --domain …" in page
    for hidden in ("1999-04-02", "Camille Martin", "RNCP37674", "Validation des blocs"):
        assert hidden not in page, hidden
    # Self-contained: no JavaScript, nothing fetched from elsewhere.
    parsed = _parse(page)
    assert [attrs for attrs, _ in parsed.scripts] == [
        {"type": "application/vp+json", "id": "passeport-presentation"}
    ]
    assert not {"link", "img", "iframe", "object", "embed"} & set(parsed.tags)
    assert not re.search(r"\b(src|href)=", page)
    assert "url(" not in page and "@import" not in page


def test_the_embedded_presentation_round_trips_exactly(
    selective_cv: tuple[Presentation, str],
) -> None:
    result, page = selective_cv
    (script,) = _parse(page).scripts
    assert json.loads(script[1]) == result.document


def test_credential_text_is_escaped_everywhere(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    document = diploma_document(title=MALICIOUS)
    document["name"] = "<!--<script>"
    (diploma,) = _fill(wallet, signed(document))
    result = _present(wallet, [diploma])
    page = render_cv(result.document, result.credentials, title="<i>moi</i>")
    # Shown escaped...
    shown = "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;gras&lt;/b&gt;"
    assert f">{shown}</h2>" in page
    assert "&lt;!--&lt;script&gt;" in page
    assert "<title>&lt;i&gt;moi&lt;/i&gt;</title>" in page
    # ...never as markup: one script element, the one the page put there, and no <b>.
    parsed = _parse(page)
    assert len(parsed.scripts) == 1 and "b" not in parsed.tags and "i" in parsed.tags
    visible, embedded_part = page.split(
        '<script type="application/vp+json" id="passeport-presentation">'
    )
    assert "<script" not in visible and "<b>" not in visible and "<!--" not in visible
    assert embedded_part.count("</script>") == 1
    # The JSON cannot close its element, and still decodes to the exact presentation.
    embedded = parsed.scripts[0][1]
    assert "</" not in embedded and "<!--" not in embedded
    assert "<\\/script>" in embedded
    assert json.loads(embedded) == result.document
    assert (
        json.loads(embedded)["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"]
        == MALICIOUS
    )


def test_a_page_without_summaries_still_reads_the_presentation(
    selective_cv: tuple[Presentation, str],
) -> None:
    result, _ = selective_cv
    page = render_cv(result.document)
    assert "Développeur web et web mobile" in page
    assert "Verifiable CV" in page
    assert "selective disclosure" not in page


def test_enveloped_tokens_are_shown_from_their_claims_and_disclosures(tmp_path: Path) -> None:
    from tests.wallet.test_jose import sd_jwt, vc_jwt

    wallet = new_wallet(tmp_path)
    sources = [("a.txt", vc_jwt(7)), ("b.txt", sd_jwt(8))]
    outcomes = add(wallet, sources, policy=policy(), env=env())
    assert all(o.status == "added" for o in outcomes), [o.reason for o in outcomes]
    whole, partial = (str(o.id) for o in outcomes)
    result = _present(wallet, [whole, partial], "/credentialSubject/achievement")
    page = render_cv(result.document, result.credentials)
    visible = page.split('<script type="application/vp+json"')[0]
    articles = visible.split("<article")[1:]
    assert len(articles) == 2
    vc, sd = articles
    assert ">Développeur web et web mobile</h2>" in vc and "OpenBadgeCredential" in vc
    assert "1999-04-02" in vc  # a vc+jwt goes whole, and the page says so
    assert "document complet / whole document" in vc
    assert ">Développeur web et web mobile" in sd and "(SD-JWT)" in sd
    assert "<dt>achievement.id</dt>" in sd and "_sd" not in sd and "1999-04-02" not in sd
