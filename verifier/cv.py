"""Reading the signed presentation out of a holder's HTML CV.

A CV made by ``passeport wallet cv`` carries its presentation verbatim in
``<script type="application/vp+json" id="passeport-presentation">``. Only that
embedded JSON is verified: the visible page is a rendering of it and is not
signed, so editing the visible text changes nothing in a verdict, and editing
the embedded JSON breaks its proof.
"""

from __future__ import annotations

from typing import Any, Final

from passeport._io import parse_json
from passeport._json import JsonObject
from passeport.errors import InputError

__all__ = ["presentation_from_html"]

SCRIPT_TYPE: Final = "application/vp+json"
SCRIPT_ID: Final = "passeport-presentation"


def presentation_from_html(text: str, *, where: str | None) -> JsonObject:
    """Return the presentation embedded in a CV page (HTML text).

    Raises:
        InputError: no such script element, more than one, or one whose content
            is not a JSON object; ``where`` names the file.
    """
    from html.parser import HTMLParser  # stdlib, but only CVs need it

    class _Finder(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.found: list[list[str]] = []
            self.inside = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag != "script":
                return
            values = dict(attrs)
            kind = (values.get("type") or "").strip().lower()
            if kind == SCRIPT_TYPE and values.get("id") == SCRIPT_ID:
                self.found.append([])
                self.inside = True

        def handle_endtag(self, tag: str) -> None:
            if tag == "script":
                self.inside = False

        def handle_data(self, data: str) -> None:
            if self.inside:
                self.found[-1].append(data)

    finder = _Finder()
    try:
        finder.feed(text)
        finder.close()
    except (ValueError, AssertionError) as exc:  # html.parser gives up on some malformed input
        raise InputError(f"not readable HTML: {exc}", where=where) from None
    label = f'<script type="{SCRIPT_TYPE}" id="{SCRIPT_ID}">'
    if not finder.found:
        raise InputError(f"an HTML page without a signed presentation ({label})", where=where)
    if len(finder.found) > 1:
        raise InputError(f"{len(finder.found)} elements {label}; expected exactly one", where=where)
    content = "".join(finder.found[0])
    if not content.strip():
        raise InputError(f"the element {label} is empty", where=where)
    try:
        document: Any = parse_json(content, where=where)
    except InputError as exc:
        reason = f"the embedded presentation is not JSON: {exc.message}"
        raise InputError(reason, where=where) from None
    if not isinstance(document, dict):
        raise InputError(f"the element {label} holds no JSON object", where=where)
    return document
