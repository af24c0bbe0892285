"""Words for people, in French first: message catalogs and dates.

Every sentence shown to a recruiter, a holder or a certifier is written in
English in the code (the message id) and translated in a gettext catalog,
``passeport/locale/<lang>/LC_MESSAGES/*.po`` (one file per domain: the
commands, the CV...). The catalogs are read as Babel reads them, once, when a language
is first asked for; English is the ids themselves. A leaf module, like
``passeport.errors``: every package may import it, and it imports nothing of
the project but its catalog reader, the leaf ``passeport._po``.

>>> t = translator("fr")
>>> t("authentic")
'authentique'
>>> format_date("2025-07-04T00:00:00Z", "fr"), format_date("2025-07-04", "en")
('4 juillet 2025', 'July 4, 2025')
>>> format_date("2025-07-01", "fr")
'1er juillet 2025'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Final

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "catalog", "format_date", "language_of", "translator"]

LANGUAGES: Final = ("fr", "en")
DEFAULT_LANGUAGE: Final = "fr"

Translate = Callable[[str], str]


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """Return the translations of ``lang`` (message id -> text); English has none.

    Raises:
        ValueError: a language other than those of :data:`LANGUAGES`.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r} (known: {', '.join(LANGUAGES)})")
    if lang == "en":
        return {}
    from passeport._po import read_po  # Babel only for what this quick reader leaves it

    folder = resources.files("passeport").joinpath("locale", lang, "LC_MESSAGES")
    table: dict[str, str] = {}
    # One catalog per domain (passeport.po, cv.po...), read in name order; a
    # message id translated twice keeps its first translation.
    for path in sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".po")),
        key=lambda entry: entry.name,
    ):
        for message_id, string in read_po(path.read_bytes(), locale=lang):
            if message_id and isinstance(message_id, str) and string:
                table.setdefault(str(message_id), str(string))
    return table


def translator(lang: str) -> Translate:
    """Return the function that translates a message id into ``lang`` (the id if untranslated)."""
    table = catalog(lang)
    return lambda message: table.get(message, message)


def language_of(choice: str | None = None) -> str:
    """Return the language to speak: ``choice``, else the locale's if known, else French.

    The locale is read from ``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` (the first
    set) when a command runs, never at import; ``C`` or a language we do not
    speak means French.
    """
    if choice:
        return choice if choice in LANGUAGES else DEFAULT_LANGUAGE
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if not value:
            continue
        code = value.split("_", 1)[0].split(".", 1)[0].lower()
        # The first locale set decides; C or POSIX says nothing of a language.
        return code if code in LANGUAGES else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


def format_date(value: str | date | datetime | None, lang: str) -> str | None:
    """Return a date as people write it (``4 juillet 2025``), or ``value`` if unreadable."""
    if value is None:
        return None
    moment: date
    if isinstance(value, datetime | date):
        moment = value.date() if isinstance(value, datetime) else value
    else:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            try:
                moment = date.fromisoformat(value[:10])
            except ValueError:
                return value
    from babel.dates import format_date as babel_format_date

    text = str(babel_format_date(moment, format="long", locale=lang))
    if lang == "fr" and moment.day == 1:
        text = "1er" + text[1:]  # le 1er juillet: the French ordinal of the first day
    return text
