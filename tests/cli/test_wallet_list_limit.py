"""``wallet list`` shows the most recent credentials, says how many it leaves out (issue 17)."""

from __future__ import annotations

import json
from pathlib import Path

from passeport.wallet import Wallet
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
