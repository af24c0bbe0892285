"""``passeport issue --csv/--jsonl`` as people meet it: nothing to issue, French spreadsheets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_issuer_cli import run
from tests.issuer._helpers import class_rows


@pytest.fixture
def univ(tmp_path: Path) -> Path:
    folder = tmp_path / "univ"
    ran = run("issuer", "init", folder, "--name", "Université Exemple", "--did", "web:univ.example")
    assert ran.code == 0, ran.stdout + ran.stderr
    return folder


@pytest.mark.parametrize(
    ("option", "name", "content", "message"),
    [
        ("--csv", "str.csv", '"str"\n', 'unknown column "str" in the header (expected: '),
        ("--csv", "empty.csv", "holder.name\n", "no row after the header: nothing to issue"),
        ("--jsonl", "empty.jsonl", "", "no line: nothing to issue"),
    ],
)
def test_a_batch_that_issues_nothing_exits_2_with_one_line(
    univ: Path, tmp_path: Path, option: str, name: str, content: str, message: str
) -> None:
    source = tmp_path / name
    source.write_text(content, "utf-8")
    ran = run("issue", "diploma", "--issuer", univ, option, source, "-o", tmp_path / "out")
    assert ran.code == 2
    [line] = ran.stderr.splitlines()
    assert line.startswith(f"passeport: {source}: {message}")
    assert "written" not in ran.stdout


def test_a_misspelled_column_is_one_line_not_one_per_row(univ: Path, tmp_path: Path) -> None:
    rows = class_rows(tmp_path / "class.csv", 6)
    rows.write_text(rows.read_text("utf-8").replace("awardedDate", "awardDate", 1), "utf-8")
    ran = run("issue", "diploma", "--issuer", univ, "--csv", rows, "-o", tmp_path / "out")
    assert ran.code == 2
    [line] = ran.stderr.splitlines()
    assert '"awardDate"' in line and "awardedDate" in line


def test_a_french_spreadsheet_is_read_and_the_summary_says_how(univ: Path, tmp_path: Path) -> None:
    rows = class_rows(tmp_path / "class.csv", 3, bad={1: {"holder.name": "Hélène Dupré"}})
    text = rows.read_text("utf-8").replace(",", ";")  # quoted cells keep theirs, as semicolons
    rows.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    ran = run("issue", "diploma", "--issuer", univ, "--csv", rows, "-o", tmp_path / "out")
    assert ran.code == 0, ran.stderr
    [said] = ran.stderr.splitlines()  # one line, in the language of the command
    assert "class.csv" in said and "Windows-1252" in said
    as_json = run(
        "issue", "diploma", "--issuer", univ, "--csv", rows, "-o", tmp_path / "out", "--json"
    )
    summary = json.loads(as_json.stdout)
    assert (summary["skipped"], summary["encoding"], summary["delimiter"]) == (3, "cp1252", ";")
