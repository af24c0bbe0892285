"""``wallet list`` shows the most recent credentials, says how many it leaves out (issue 17)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passeport.wallet import Wallet
from passeport.wallet._records import (
    CredentialFormat,
    CredentialInfo,
    Flag,
    Verification,
    WalletEntry,
    listing_line,
)
from tests.cli.test_wallet_cli import run, write
from tests.wallet._helpers import diploma_document, new_wallet, signed

TITLES = ["Comptable", "Boulanger", "Menuisier", "Fleuriste", "Plombier"]


def _filled(tmp_path: Path) -> Wallet:
    wallet = new_wallet(tmp_path)
    files = [
        write(tmp_path, f"c{n}.json", signed(diploma_document(number=n + 1, title=title)))
        for n, title in enumerate(TITLES)
    ]
    for path in files:  # one at a time: the order added is the order listed
        assert run(tmp_path, "add", path, "--offline").exit_code == 0
    return wallet


def test_the_table_shows_the_most_recent_and_says_how_many_are_left_out(tmp_path: Path) -> None:
    _filled(tmp_path)
    result = run(tmp_path, "list", "--limit", "2")
    assert result.exit_code == 0, result.output
    assert "Fleuriste" in result.stdout and "Plombier" in result.stdout
    assert not any(title in result.stdout for title in TITLES[:3])
    assert "5 attestation(s)" in result.stdout
    assert (
        "3 attestation(s) plus ancienne(s) non affichée(s), seulement les 2 plus récentes : "
        "--all les affiche toutes"
    ) in result.stdout
    english = run(tmp_path, "list", "--limit", "2", "--lang", "en")
    assert "3 older credential(s) not shown, only the 2 most recent: --all shows them" in (
        english.stdout
    )


def test_all_shows_everything_and_no_line_is_added(tmp_path: Path) -> None:
    _filled(tmp_path)
    result = run(tmp_path, "list", "--limit", "2", "--all")
    assert result.exit_code == 0, result.output
    assert all(title in result.stdout for title in TITLES)
    assert "non affichée" not in result.stdout
    within = run(tmp_path, "list")  # five are fewer than the default limit
    assert all(title in within.stdout for title in TITLES) and "non affichée" not in within.stdout


def test_filters_apply_before_the_limit(tmp_path: Path) -> None:
    _filled(tmp_path)
    result = run(tmp_path, "list", "--limit", "1", "--text", "Comptable")
    assert result.exit_code == 0, result.output
    assert "Comptable" in result.stdout and "non affichée" not in result.stdout
    assert "1 attestation(s)" in result.stdout


def test_json_lists_every_credential_one_a_line(tmp_path: Path) -> None:
    _filled(tmp_path)
    result = run(tmp_path, "list", "--json", "--limit", "1")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["title"].split()[-1] for row in rows] == TITLES
    assert result.stdout.count("\n") == len(TITLES) + 2  # "[", one line each, "]"
    new_wallet(tmp_path, name="empty.sqlite")
    empty = run(tmp_path, "list", "--json", PASSEPORT_WALLET=str(tmp_path / "empty.sqlite"))
    assert empty.exit_code == 0 and json.loads(empty.stdout) == []


def test_a_negative_limit_is_a_usage_error(tmp_path: Path) -> None:
    new_wallet(tmp_path)
    result = run(tmp_path, "list", "--limit", "-1")
    assert result.exit_code == 2


_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ['"', "\\", "\n", "é", "→", "\x00", "\u2028", "%s", "\udcff"]
)
_SOME = st.none() | _TEXT
_ODD = st.integers() | st.floats() | st.booleans() | st.lists(_TEXT, max_size=2)
_LISTED = st.tuples() | st.lists(_TEXT | _ODD, max_size=3).map(tuple)
_CODES = st.lists(_TEXT, max_size=3).map(tuple)  # read by flags_at: texts
_WHEN = st.sampled_from([None, "2025-01-01T00:00:00Z", "2999-12-31T23:59:59Z", "garbage"])


@st.composite
def _entries(draw: st.DrawFn) -> WalletEntry:
    """Listing metadata as the store reads it back: any value in any member."""
    value = draw(st.sampled_from([_SOME, _SOME, _SOME, _ODD]))
    check = Verification(
        draw(_TEXT | _ODD),
        draw(st.booleans() | st.none() | st.integers()),
        draw(_CODES | st.sampled_from([("status.revoked",), ("validity.expired", "x")])),
        draw(_CODES | st.just(("status.list",))),
        draw(_LISTED),
    )
    info = CredentialInfo(
        draw(st.sampled_from(list(CredentialFormat))),
        draw(_TEXT | _ODD),
        check,
        draw(value),
        draw(_LISTED),
        draw(_LISTED),
        draw(_SOME),
        draw(value),
        draw(_SOME),
        draw(_SOME),
        draw(_SOME),
        draw(_WHEN),
        draw(_WHEN),
        tuple(draw(st.lists(st.sampled_from(list(Flag)), max_size=3))),
        draw(_SOME),
        draw(_LISTED),
    )
    return WalletEntry(draw(st.sampled_from(["a1b2c3d4e5f6", 'é"\\'])), info)


@settings(max_examples=400, deadline=None)
@given(entry=_entries())
def test_a_json_line_is_json_dumps_of_the_listing(entry: WalletEntry) -> None:
    """``listing_line`` writes out member by member what json.dumps wrote (issue 17)."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    info = entry.info
    row = {"id": entry.id, **info.to_json(), "flags": [str(f) for f in info.flags_at(now)]}
    try:
        expected = json.dumps(row, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        with pytest.raises(type(exc)):
            listing_line(entry, now)
        return
    assert listing_line(entry, now) == expected
