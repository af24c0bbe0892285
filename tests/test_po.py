"""The quick catalog reader gives Babel's messages, or leaves the file to Babel (issue 17)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from babel.messages.pofile import read_po as babel_read_po
from hypothesis import given, settings
from hypothesis import strategies as st

from passeport import i18n
from passeport._po import read_po, translations
from tests.conftest import ROOT

CATALOGS = sorted((ROOT / "passeport" / "locale").rglob("*.po"))
HEADER = 'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def _babel(data: bytes) -> list[tuple[object, object]]:
    """Babel's messages, the header aside (Babel writes it again from its fields)."""
    return [(m.id, m.string) for m in babel_read_po(io.BytesIO(data), locale="fr") if m.id]


def _same_as_babel(data: bytes) -> None:
    found = translations(data)
    if found is not None:
        assert [(i, s) for i, s in found if i] == _babel(data)
    assert [(i, s) for i, s in read_po(data, locale="fr") if i] == _babel(data)


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: p.name)
def test_every_catalog_shipped_is_read_quickly_and_as_babel_reads_it(path: Path) -> None:
    data = path.read_bytes()
    assert translations(data) is not None, "a catalog the quick reader leaves to Babel"
    _same_as_babel(data)


def test_the_catalog_of_a_language_is_babel_s() -> None:
    table: dict[str, str] = {}
    for path in sorted(CATALOGS, key=lambda p: p.name):
        for message in babel_read_po(io.BytesIO(path.read_bytes()), locale="fr"):
            if message.id and isinstance(message.id, str) and message.string:
                table.setdefault(str(message.id), str(message.string))
    assert dict(i18n.catalog("fr")) == table


@pytest.mark.parametrize(
    "text",
    [
        'msgid "a"\nmsgstr "b"\n',
        'msgid "a"\nmsgstr ""\n"b"\n"c"\n\nmsgid "d"\nmsgstr "e"\n',
        'msgid ""\n"long "\n"id"\nmsgstr "x"\n',
        '# comment\n#, fuzzy\n#: file.py:3\nmsgid "a"\nmsgstr "fuzzy but used"\n',
        'msgid "a"\nmsgstr ""\n\nmsgid "a"\nmsgstr "second"\n',  # the first message stays
        'msgid "a"\nmsgstr "first"\nmsgid "a"\nmsgstr "second"\n',
        'msgid  "two spaces"  \nmsgstr\t"tab"\n',
        'msgid "quote " inside"\nmsgstr "x"\n',
        'msgid "escape \\" here"\nmsgstr "x"\n',
        'msgid "newline\\n"\nmsgstr "x\\t"\n',
        'msgctxt "menu"\nmsgid "a"\nmsgstr "b"\n',
        'msgid "one"\nmsgid_plural "many"\nmsgstr[0] "un"\nmsgstr[1] "des"\n',
        '#~ msgid "old"\n#~ msgstr "vieux"\nmsgid "a"\nmsgstr "b"\n',
        'msgid "a"\n# between\nmsgstr "b"\n',
        'msgid "a"\n',
        '"orphan"\nmsgid "a"\nmsgstr "b"\n',
        "msgid unquoted\nmsgstr x\n",
        'msgid "a"\r\nmsgstr "b"\r\n',
        'msgid "a\u2028b"\nmsgstr "c"\n',
        '\u00a0msgid "nbsp"\nmsgstr "x"\n',
        '\ufeffmsgid "bom"\nmsgstr "x"\n',
        'msgid "a"\nmsgstr "b"\n#-#-#-#-# conflict\n',
        '#: \u2068file name.py\u2069:3\nmsgid "a"\nmsgstr "b"\n',
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=ISO-8859-1\\n"\n\n'
        'msgid "é"\nmsgstr "è"\n',
        'msgid "é"\nmsgstr "è"\n',
        "",
    ],
)
def test_each_form_is_read_as_babel_reads_it_or_left_to_it(text: str) -> None:
    _same_as_babel((HEADER + text).encode("utf-8"))
    _same_as_babel(text.encode("utf-8"))


def test_what_is_left_to_babel_is_what_it_alone_reads() -> None:
    for text in ('msgctxt "m"\nmsgid "a"\nmsgstr "b"\n', 'msgid "\\""\nmsgstr "b"\n'):
        assert translations(text.encode()) is None
    assert translations('msgid "é"\nmsgstr "è"\n'.encode("latin-1")) is None
    assert translations(b'msgid "a"\nmsgstr "b"\n') == [("a", "b")]


_PIECES = st.sampled_from(
    [
        'msgid "a"',
        'msgid "b c"',
        'msgid ""',
        'msgstr "x"',
        'msgstr ""',
        '"more"',
        '"q\\"uote"',
        "# note",
        "#, fuzzy",
        "#~ old",
        'msgctxt "c"',
        'msgid_plural "p"',
        'msgstr[0] "z"',
        "",
        "  ",
        "junk",
        '"é è"',
    ]
)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(_PIECES, max_size=12))
def test_any_arrangement_is_read_as_babel_reads_it(lines: list[str]) -> None:
    with contextlib.redirect_stdout(io.StringIO()):  # Babel's warnings about broken files
        _same_as_babel("\n".join(lines).encode("utf-8"))
