"""The verification page and the CV in a real browser: drawn, and checked for accessibility.

Headless Chromium (Debian's ``chromium``) draws the page and the CV to PNG
files in a temporary folder, and pdftoppm (poppler-utils) the PDF CV. The
accessibility checker is axe-core (from the npm registry, ``npm install
axe-core``): the engine most automated RGAA / WCAG audits run, here on the
rules of WCAG 2.0 and 2.1, levels A and AA. It runs inside the same
Chromium, with no WebDriver and no socket: the page is loaded from a file
with axe-core after it, and Chromium's ``--dump-dom`` gives back the
violations axe-core wrote into the page. CI installs all three
(``.ci/run``); without them these tests are skipped.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = next(
    (
        found
        for name in ("chromium", "chromium-browser", "google-chrome")
        if (found := shutil.which(name))
    ),
    None,
)
AXE = Path(os.environ.get("PASSEPORT_AXE_JS", "/opt/axe-core/node_modules/axe-core/axe.min.js"))
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no headless Chromium here")
_FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-extensions",
)
_RUNNER = """<script>%s</script><script>
axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                   resultTypes: ['violations']})
  .then(function (r) { report(r.violations.map(function (v) {
    return {id: v.id, impact: v.impact, nodes: v.nodes.map(function (n) {
      return n.target.join(' '); })}; })); })
  .catch(function (e) { report({error: String(e)}); });
function report(value) {
  var p = document.createElement('pre'); p.id = 'axe-result';
  p.textContent = JSON.stringify(value); document.body.appendChild(p); }
</script>"""


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *_FLAGS, *args], capture_output=True, text=True, timeout=120, check=False
    )


def _violations(page: str, folder: Path, name: str) -> Any:
    if not AXE.is_file():
        pytest.skip(f"axe-core not installed ({AXE}; npm install --prefix /opt/axe-core axe-core)")
    path = folder / f"{name}.axe.html"
    path.write_text(page.replace("</body>", _RUNNER % AXE.read_text("utf-8") + "</body>"), "utf-8")
    done = _chromium("--virtual-time-budget=20000", "--dump-dom", path.as_uri())
    found = re.search(r'<pre id="axe-result">(.*?)</pre>', done.stdout, re.DOTALL)
    assert found, done.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))


def _screenshot(page: str, folder: Path, name: str) -> Path:
    source = folder / f"{name}.html"
    source.write_text(page, "utf-8")
    picture = folder / f"{name}.png"
    done = _chromium(f"--screenshot={picture}", "--window-size=1200,1600", source.as_uri())
    assert picture.is_file(), done.stderr[-2000:]
    return picture


def _is_a_drawn_png(picture: Path) -> None:
    data = picture.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000  # text, colours and a QR code, not a blank page


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    from fastapi.testclient import TestClient

    from passeport.app import create_app
    from tests.wallet._cv_helpers import TITLE, holder, recruiter
    from tests.wallet._helpers import env

    made = holder(tmp_path_factory.mktemp("browser"), verify_url="https://verif.example/")
    client = TestClient(create_app(env=env(), policy=recruiter(challenge=None)))
    forged = made.cv.html().replace(TITLE, "Docteur en médecine", 1).encode("utf-8")
    return {
        "form": client.get("/").text,
        "verdict": client.post("/", files={"file": ("cv.pdf", made.cv.pdf())}).text,
        "refused": client.post("/", files={"file": ("cv.html", forged)}).text,
        "error": client.post("/", files={"file": ("x.txt", b"hello")}).text,
        "form-en": client.get("/?lang=en").text,
        "cv": made.cv.html(),
        "pdf": made.cv.pdf().decode("latin-1"),
    }


@pytest.mark.parametrize("name", ["form", "verdict", "refused", "error", "form-en", "cv"])
def test_each_page_has_no_wcag_2_1_aa_violation(
    pages: dict[str, str], tmp_path: Path, name: str
) -> None:
    assert _violations(pages[name], tmp_path, name) == []


def test_axe_core_does_find_what_is_wrong(pages: dict[str, str], tmp_path: Path) -> None:
    broken = (
        pages["form"]
        .replace('<html lang="fr">', "<html>")
        .replace('<label for="file">', '<label for="nothing">')
    )
    found = {violation["id"] for violation in _violations(broken, tmp_path, "broken")}
    assert {"html-has-lang", "label"} <= found


@pytest.mark.parametrize("name", ["form", "verdict", "cv"])
def test_the_pages_are_drawn(pages: dict[str, str], tmp_path: Path, name: str) -> None:
    _is_a_drawn_png(_screenshot(pages[name], tmp_path, name))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="no pdftoppm (poppler-utils) here")
def test_the_pdf_is_drawn(pages: dict[str, str], tmp_path: Path) -> None:
    source = tmp_path / "cv.pdf"
    source.write_bytes(pages["pdf"].encode("latin-1"))
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(source), str(tmp_path / "cv")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (picture,) = sorted(tmp_path.glob("cv-*.png"))
    _is_a_drawn_png(picture)
