"""Regressions found by walking the README and attacking the issue-17 fast paths.

Each test is one attempt that once gave a traceback, a wrong exit code or a
wrong answer; see each test's docstring.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_issuer_cli import run as run_passeport
from tests.cli.test_wallet_cli import listed, run, write
from tests.issuer._helpers import class_rows
from tests.wallet._helpers import diploma_document, new_wallet, signed


@pytest.mark.parametrize("days", ["inf", "1e300", "99999999999999999999"])
def test_wallet_list_expiring_beyond_the_calendar_is_every_valid_credential(
    tmp_path: Path, days: str
) -> None:
    """``wallet list --expiring inf`` (or a number of days past year 9999) was a traceback.

    ``now + timedelta(days=...)`` raised OverflowError, exit 1, which means
    "verification failed". Every credential still valid expires within so many days.
    """
    new_wallet(tmp_path)
    document = diploma_document(valid_until="9999-12-31T23:59:59Z")
    path = write(tmp_path, "diploma.json", signed(document))
    assert run(tmp_path, "add", path, "--offline").exit_code == 0
    rows = listed(tmp_path, "--expiring", days)
    assert len(rows) == 1 and rows[0]["validUntil"] == "9999-12-31T23:59:59Z"
    table = run(tmp_path, "list", "--expiring", days)
    assert table.exit_code == 0, table.output
    assert "1 attestation(s)" in table.stdout
    assert listed(tmp_path, "--expiring", "5") == []  # and a near horizon still filters


def test_a_number_of_workers_no_process_pool_takes_is_refused_in_one_line(tmp_path: Path) -> None:
    """``issue --csv --workers 99999999999`` was an OverflowError traceback (exit 1).

    typer took any whole number from 1; the process pool's semaphore could not
    hold it. The option is now bounded: one line, exit 2, before any row is read.
    """
    folder = tmp_path / "univ"
    made = run_passeport("issuer", "init", folder, "--name", "U", "--did", "web:univ.example")
    assert made.code == 0, made.stderr
    source = class_rows(tmp_path / "class.csv", 2)
    ran = run_passeport(
        "issue", "diploma", "--issuer", folder, "--csv", source, "-o", tmp_path / "out",
        "--workers", "99999999999",
    )  # fmt: skip
    assert ran.code == 2
    assert "--workers" in ran.stderr and "Traceback" not in ran.stderr + ran.stdout
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_an_integer_of_too_many_digits_is_refused_in_words_people_read() -> None:
    from passeport._io import parse_json
    from passeport.errors import InputError

    with pytest.raises(InputError) as refused:
        parse_json("[" + "9" * 5_000 + "]", where="x.json")
    assert "digits" in str(refused.value)
    assert "set_int_max_str_digits" not in str(refused.value)
