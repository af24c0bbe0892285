"""Reading a PDF CV back: its attached presentation and settings, and its text.

A PDF CV made by ``passeport wallet cv -o cv.pdf`` attaches two files
(the document's ``/EmbeddedFiles``): :data:`PRESENTATION_FILE`, the signed
presentation exactly as signed, and :data:`SETTINGS_FILE`, the holder's
:class:`~passeport.verifier.cv.CvSettings`. Its visible text is compared with
the CV made again from the verified presentation as far as that text can be
extracted (pypdf): the words and their order, not the layout, the fonts or
the shapes of the glyphs.

pypdf is the one library called here; any of its errors on a malformed file
becomes an :class:`~passeport.errors.InputError` naming the file.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Final

from passeport._io import MAX_INPUT_BYTES, parse_json, read_text_file
from passeport._json import JsonObject
from passeport.errors import InputError
from passeport.verifier.cv import CvSettings

__all__ = [
    "MAX_PAGES",
    "PRESENTATION_FILE",
    "SETTINGS_FILE",
    "is_pdf",
    "read_document",
    "read_pdf",
]

PRESENTATION_FILE: Final = "presentation.json"
SETTINGS_FILE: Final = "cv.json"
MAX_PAGES: Final = 50
"""A CV longer than this is refused before its text is read."""


def is_pdf(data: bytes) -> bool:
    """Tell whether ``data`` starts as a PDF file does (``%PDF-``)."""
    return data[:5] == b"%PDF-"


def read_document(path: Path, *, max_bytes: int = MAX_INPUT_BYTES) -> str | bytes:
    """Read what a recruiter was handed: the bytes of a PDF CV, else UTF-8 text.

    Raises:
        InputError: a missing, unreadable or oversized file, or text that is
            not UTF-8; naming the path.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(5)
    except OSError:
        head = b""  # read_text_file says why, in one line
    if not is_pdf(head):
        return read_text_file(path, max_bytes=max_bytes)
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"file is {size} bytes, larger than the {max_bytes}-byte limit", where=str(path)
        )
    return path.read_bytes()


def _one(attachments: dict[str, list[bytes]], name: str, where: str | None) -> bytes:
    found = attachments.get(name, [])
    if len(found) != 1:
        listed = ", ".join(sorted(attachments)) or "none"
        raise InputError(
            f"a PDF CV attaches exactly one {name} (attached: {listed[:200]})", where=where
        )
    return found[0]


def read_pdf(data: bytes, *, where: str | None) -> tuple[JsonObject, CvSettings, str]:
    """Return the attached presentation, the settings and the text of every page.

    Raises:
        InputError: not a readable PDF, more than :data:`MAX_PAGES` pages,
            attachments missing or twice, or their content unreadable.
    """
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data), strict=False)
        if len(reader.pages) > MAX_PAGES:
            raise InputError(f"a CV of more than {MAX_PAGES} pages (refused)", where=where)
        attachments = {name: list(items) for name, items in reader.attachments.items()}
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many kinds on a malformed file; none may leak
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise InputError(f"not a readable PDF: {reason}", where=where) from None
    document: Any = parse_json(_one(attachments, PRESENTATION_FILE, where), where=where)
    if not isinstance(document, dict):
        raise InputError(f"the attached {PRESENTATION_FILE} is no JSON object", where=where)
    carried = parse_json(_one(attachments, SETTINGS_FILE, where), where=where)
    return document, CvSettings.from_json(carried, where=where), text
