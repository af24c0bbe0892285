"""Read the translations of a gettext catalog (``.po``) without Babel, as Babel reads them.

Importing Babel and reading the catalogs with it is a tenth of a cold
``passeport verify --json`` (issue 17), whose sentences are also given in
French. The catalogs of :mod:`passeport.i18n` use a small part of the format:
comments, ``msgid`` and ``msgstr`` strings over one or more lines, no escape
outside the header, UTF-8. :func:`translations` reads exactly that part, with
Babel's rules (lines split on newlines only, stripped of ASCII blanks, the
first translation of an id kept by the caller); a file using anything else
(contexts, plurals, obsolete entries, escapes, another charset, a line out of
place) gets None, and is read with Babel, its warnings included. A leaf
module: it imports nothing of the project.
"""

from __future__ import annotations

import io
import re
from typing import Final

__all__ = ["read_po", "translations"]

_BLANKS: Final = " \t\n\r\x0b\x0c"  # what bytes.strip() removes, as Babel strips each line
_CHARSET: Final = re.compile(r"charset=([^\s;\\]*)", re.IGNORECASE)
_UTF8: Final = frozenset({"", "utf-8", "utf8", "charset"})


def _quoted(text: str) -> str | None:
    """Return the content of a quoted ``"..."`` part (Babel strips it first), or None."""
    part = text.strip()
    if len(part) < 2 or part[0] != '"' or part[-1] != '"':
        return None
    return part[1:-1]


def read_po(data: bytes, *, locale: str) -> list[tuple[object, object]]:
    """Return each message of a catalog as (id, string), as Babel's ``read_po`` gives them.

    A plural message's id and string are tuples (Babel reads those files).
    """
    found = translations(data)
    if found is not None:
        return list(found)
    from babel.messages.pofile import read_po as babel_read_po

    return [(m.id, m.string) for m in babel_read_po(io.BytesIO(data), locale=locale)]


def translations(data: bytes) -> list[tuple[str, str]] | None:
    """Return each message of a catalog as (msgid, msgstr), in file order, header included.

    An id given twice keeps its first message, as in a Babel catalog. None
    when the file uses what this reader leaves to Babel (see the module).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    msgid: list[str] | None = None
    msgstr: list[str] | None = None

    def finish() -> bool:
        nonlocal msgid, msgstr
        if msgid is None:
            return True
        if msgstr is None:  # an id without its translation: Babel warns
            return False
        key, value = "".join(msgid), "".join(msgstr)
        msgid = msgstr = None
        if not key:  # a header, each read by Babel: its charset decodes the lines after it
            if any(c.lower() not in _UTF8 for c in _CHARSET.findall(value)):
                return False
        elif "\\" in key or "\\" in value:
            return False  # escapes: Babel's table, which changes between versions
        if key not in seen:  # Babel's catalog keeps the message first read
            seen.add(key)
            found.append((key, value))
        return True

    for raw in text.split("\n"):
        line = raw.strip(_BLANKS)
        if not line:
            continue
        if line[0] == "#":
            if line[1:2] in ("~", "-") or "\u2068" in line or "\u2069" in line:
                return None  # obsolete entries, conflicts, isolates in locations
            if not finish():
                return None
            continue
        if line[0] == '"':
            part = _quoted(line)
            current = msgstr if msgstr is not None else msgid
            if part is None or current is None:
                return None
            current.append(part)
            continue
        keyword, _, argument = line.partition(" ")
        part = _quoted(argument)
        if part is None:
            return None
        if keyword == "msgid":
            if not finish():
                return None
            msgid = [part]
        elif keyword == "msgstr" and msgid is not None and msgstr is None:
            msgstr = [part] if part else []
        else:  # msgctxt, plurals, a keyword out of place
            return None
    return found if finish() else None
