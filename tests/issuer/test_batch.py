"""Batch issuance: bad rows named, the rest issued, resumable, atomic outputs, every core."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import pytest

import passeport.issuer.batch
from passeport.errors import InputError
from passeport.issuer.batch import issue_batch, row_key
from passeport.issuer.statuslist import publish_status
from passeport.verifier import verify_credential
from tests.issuer._helpers import EXAMPLES, ISSUED_AT, class_rows, make_profile, offline


class Interrupted(Exception):
    """Stands for Ctrl-C or a crash in the middle of a batch."""


def _outputs(folder: Path) -> dict[str, dict[str, Any]]:
    return {p.name: json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))}


def _leftovers(folder: Path) -> list[str]:
    """Temporary files a half-written output would leave."""
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_the_graduating_class_on_two_workers(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    out = tmp_path / "out"
    seen: list[tuple[int, int]] = []
    summary = issue_batch(
        profile,
        "diploma",
        EXAMPLES / "class.csv",
        out,
        workers=2,
        chunk_size=3,
        issued_at=ISSUED_AT,
        progress=lambda done, total: seen.append((done, total)),
    )
    rows = len((EXAMPLES / "class.csv").read_text("utf-8").strip().splitlines()) - 1
    assert (summary.rows, summary.issued, summary.skipped, summary.failed) == (rows, rows, 0, 0)
    assert seen[-1] == (rows, rows) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    outputs = _outputs(out)
    assert len(outputs) == rows
    assert len({c["id"] for c in outputs.values()}) == rows
    # Named after the holder's DID when there is one; rows without one get "row-".
    assert sum(name.startswith("did-key-z6Mk") for name in outputs) >= rows - 3
    assert any(name.startswith("row-") for name in outputs)
    publish_status(profile, tmp_path / "public", at=ISSUED_AT)
    env = offline(tmp_path / "public")
    for name, credential in outputs.items():
        assert verify_credential(credential, env=env).verified, name
    with profile.open_registry() as registry:
        assert registry.count() == rows
    assert summary.to_json()["issued"] == rows and summary.per_second > 0


def test_bad_rows_are_named_and_the_others_issued(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(
        tmp_path / "class.csv",
        10,
        bad={
            3: {"achievement.code": "XYZ"},
            6: {"awardedDate": "2025-13-45"},
            8: {"holder.name": ""},
        },
    )
    with rows.open("a", encoding="utf-8") as handle:
        handle.write("did:example:extra,Too,Few\n")
    summary = issue_batch(
        profile, "diploma", rows, tmp_path / "out", workers=1, issued_at=ISSUED_AT
    )
    assert (summary.issued, summary.failed) == (7, 4)
    messages = [f.message for f in summary.failures]
    # Graduate n is on line n + 1 (the header is row 1), as a spreadsheet shows it.
    assert [f.row for f in summary.failures] == [4, 7, 9, 12]
    assert messages[0].startswith("class.csv row 4: /achievement/code: ")
    assert messages[1].startswith("class.csv row 7: /awardedDate: ")
    assert messages[2].startswith("class.csv row 9: /holder/name: ")
    assert messages[3] == "class.csv row 12: has 3 fields but the header has 10 columns"
    assert len(_outputs(tmp_path / "out")) == 7


def test_a_repeated_row_is_not_issued_twice(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 3)
    lines = rows.read_text("utf-8").splitlines(keepends=True)
    rows.write_text("".join([*lines, lines[2]]), "utf-8")
    summary = issue_batch(
        profile, "diploma", rows, tmp_path / "out", workers=1, issued_at=ISSUED_AT
    )
    assert summary.issued == 3
    assert [(f.row, f.message) for f in summary.failures] == [(5, "class.csv row 5: repeats row 3")]


def test_an_interrupted_batch_resumes_without_issuing_a_row_twice(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 23, bad={5: {"achievement.code": "XYZ"}})
    out = tmp_path / "out"

    def stop_after_ten(done: int, total: int) -> None:
        if done >= 10:
            raise Interrupted

    with pytest.raises(Interrupted):
        issue_batch(
            profile,
            "diploma",
            rows,
            out,
            workers=1,
            chunk_size=4,
            issued_at=ISSUED_AT,
            progress=stop_after_ten,
        )
    first = _outputs(out)
    assert 0 < len(first) < 22
    resumed = issue_batch(profile, "diploma", rows, out, workers=1, issued_at=ISSUED_AT)
    assert resumed.skipped == len(first)
    assert resumed.issued == 22 - len(first) and resumed.failed == 1
    everything = _outputs(out)
    assert len(everything) == 22
    # What was written before the interruption is untouched.
    assert all(everything[name] == credential for name, credential in first.items())
    with profile.open_registry() as registry:
        assert registry.count() == 22
        assert all(registry.find(c["id"]) is not None for c in everything.values())
    again = issue_batch(profile, "diploma", rows, out, workers=2, issued_at=ISSUED_AT)
    assert (again.issued, again.skipped, again.failed) == (0, 22, 1)


def test_an_interrupted_pool_resumes(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 30)
    out = tmp_path / "out"

    def stop(done: int, total: int) -> None:
        if done >= 5:
            raise Interrupted

    with pytest.raises(Interrupted):
        issue_batch(profile, "diploma", rows, out, workers=2, chunk_size=5, progress=stop)
    assert not _leftovers(out)
    resumed = issue_batch(profile, "diploma", rows, out, workers=2, chunk_size=5)
    assert resumed.issued + resumed.skipped == 30 and resumed.failed == 0
    assert len(_outputs(out)) == 30
    with profile.open_registry() as registry:
        assert registry.count() == 30


def test_a_failed_write_leaves_no_partial_file_and_no_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 6)
    out = tmp_path / "out"
    real_open, real_write = os.open, os.write
    staging: set[int] = set()

    def tracking_open(path: Any, flags: int, mode: int = 0o777, **kwargs: Any) -> int:
        fd = real_open(path, flags, mode, **kwargs)
        if Path(path).name.startswith(".did-example-graduate3-"):  # its staging file
            staging.add(fd)
        return fd

    def failing_write(fd: int, data: Any) -> int:
        if fd in staging:
            staging.discard(fd)
            real_write(fd, bytes(data)[:100])  # the disk fills up half-way
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "open", tracking_open)
    monkeypatch.setattr(os, "write", failing_write)
    summary = issue_batch(profile, "diploma", rows, out, workers=1, issued_at=ISSUED_AT)
    monkeypatch.undo()
    assert (summary.issued, summary.failed) == (5, 1)
    [failure] = summary.failures
    assert failure.row == 4
    assert failure.message.startswith(f"class.csv row 4: cannot write {out}/did-example-graduate3-")
    assert failure.message.endswith("No space left on device")
    assert not _leftovers(out)
    assert not any(name.startswith("did-example-graduate3-") for name in _outputs(out))
    with profile.open_registry() as registry:
        assert registry.count() == 5
    resumed = issue_batch(profile, "diploma", rows, out, workers=1, issued_at=ISSUED_AT)
    assert (resumed.issued, resumed.skipped, resumed.failed) == (1, 5, 0)
    assert len(_outputs(out)) == 6


def test_a_recorded_credential_whose_file_cannot_be_put_in_place_is_put_there_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 4)
    out = tmp_path / "out"
    real_replace = os.replace

    def failing_replace(source: Any, target: Any) -> None:
        if Path(target).name.startswith("did-example-graduate2-"):  # staged, recorded, then this
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    summary = issue_batch(profile, "diploma", rows, out, workers=1, issued_at=ISSUED_AT)
    monkeypatch.undo()
    assert (summary.issued, summary.failed) == (3, 1)
    [failure] = summary.failures
    assert failure.row == 3 and "class.csv row 3: issued as urn:uuid:" in failure.message
    assert failure.message.endswith("No space left on device; run the same command again")
    [staged] = _leftovers(out)  # recorded, hidden, private until the next run
    assert (out / staged).stat().st_mode & 0o777 == 0o600
    resumed = issue_batch(profile, "diploma", rows, out, workers=1, issued_at=ISSUED_AT)
    assert (resumed.issued, resumed.skipped, resumed.failed) == (0, 4, 0)
    assert not _leftovers(out)
    outputs = _outputs(out)
    with profile.open_registry() as registry:
        assert registry.count() == 4
        assert all(registry.find(c["id"]) is not None for c in outputs.values())


def test_a_recorded_row_whose_file_vanished_is_reported(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 3)
    out = tmp_path / "out"
    issue_batch(profile, "diploma", rows, out, workers=1, issued_at=ISSUED_AT)
    victim = sorted(out.iterdir())[0]
    victim.unlink()
    summary = issue_batch(profile, "diploma", rows, out, workers=1, issued_at=ISSUED_AT)
    assert (summary.issued, summary.skipped) == (0, 2)
    [failure] = summary.failures
    assert "already issued as urn:uuid:" in failure.message
    assert f"but {victim.name} is missing" in failure.message


@pytest.mark.parametrize(("suite", "suffix"), [("vc-jwt", ".jwt"), ("sd-jwt", ".sd-jwt")])
def test_a_batch_of_tokens(tmp_path: Path, suite: str, suffix: str) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 4)
    out = tmp_path / "out"
    summary = issue_batch(
        profile, "diploma", rows, out, workers=2, suite=suite, issued_at=ISSUED_AT
    )
    assert (summary.issued, summary.failed) == (4, 0)
    tokens = sorted(out.iterdir())
    assert [p.suffix for p in tokens] == [suffix] * 4 and not _outputs(out)
    publish_status(profile, tmp_path / "public", at=ISSUED_AT)
    env = offline(tmp_path / "public")
    for path in tokens:
        assert verify_credential(path.read_text("utf-8").strip(), env=env).verified, path.name
    again = issue_batch(profile, "diploma", rows, out, workers=1, suite=suite, issued_at=ISSUED_AT)
    assert (again.issued, again.skipped) == (0, 4)


def test_json_lines(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    skill = json.loads((EXAMPLES / "skill.json").read_text("utf-8"))
    lines = [
        json.dumps({**skill, "holder": {"id": "did:example:a", "name": "A"}}),
        "",
        "{not json",
        json.dumps([1, 2]),
        json.dumps({**skill, "holder": {"id": "did:example:b", "name": "B"}, "colour": "red"}),
        json.dumps({**skill, "holder": {"id": "did:example:c", "name": "C"}}),
    ]
    source = tmp_path / "skills.jsonl"
    source.write_text("\n".join(lines) + "\n", "utf-8")
    summary = issue_batch(profile, "skill", source, tmp_path / "out", workers=1)
    assert summary.issued == 2
    assert [(f.row, f.message.split(":")[0:2]) for f in summary.failures] == [
        (3, ["skills.jsonl row 3", " malformed JSON at column 2"]),
        (4, ["skills.jsonl row 4", " is not a JSON object"]),
        (5, ["skills.jsonl row 5", " /colour"]),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "no header row"),
        (b"holder.name,holder.name\nA,B\n", "column 'holder.name' appears twice"),
        (b"holder.name\n\x81\x8d\n", "neither UTF-8 nor Windows-1252"),
        (b"\xef\xbb\xbfholder.name\n\xe9\n", "not UTF-8"),  # a BOM says UTF-8
        (
            b'"str"\n',
            'unknown column "str" in the header \\(expected: achievement.achievementType, ',
        ),
        (b"holder.id,holder.name\n\n \n", "no row after the header: nothing to issue"),
        (b'holder.name\n"unterminated\n', "malformed CSV"),
    ],
)
def test_unreadable_files_are_refused_whole(tmp_path: Path, content: bytes, message: str) -> None:
    profile = make_profile(tmp_path / "univ")
    source = tmp_path / "class.csv"
    source.write_bytes(content)
    with pytest.raises(InputError, match=message):
        issue_batch(profile, "diploma", source, tmp_path / "out", workers=1)
    assert not (tmp_path / "out").exists()


def test_misuse(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    with pytest.raises(InputError, match="no such file"):
        issue_batch(profile, "diploma", tmp_path / "none.csv", tmp_path / "out")
    with pytest.raises(InputError, match="CSV"):
        issue_batch(profile, "diploma", tmp_path / "rows.txt", tmp_path / "out")
    with pytest.raises(ValueError, match="unknown template"):
        issue_batch(profile, "passport", EXAMPLES / "class.csv", tmp_path / "out")
    with pytest.raises(ValueError, match="workers"):
        issue_batch(profile, "diploma", EXAMPLES / "class.csv", tmp_path / "out", workers=0)


def test_a_worker_that_cannot_open_the_profile_is_one_clear_error(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    (profile.directory / "profile.json").write_text("{}", "utf-8")  # after the parent read it
    rows = class_rows(tmp_path / "class.csv", 4)
    with pytest.raises(InputError, match="not a profile file") as caught:
        issue_batch(profile, "diploma", rows, tmp_path / "out", workers=2, issued_at=ISSUED_AT)
    assert str(caught.value).startswith(str(profile.directory / "profile.json"))
    assert not list((tmp_path / "out").glob("*.json"))


def _killed(chunk: object) -> None:
    """Stands for a signing process killed by the system (out of memory, say)."""
    os._exit(9)


def test_a_dead_worker_stops_the_batch_with_a_way_to_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from passeport.errors import SigningError

    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 4)
    monkeypatch.setattr(passeport.issuer.batch, "worker_chunk", _killed)
    with pytest.raises(SigningError, match="run the same command again to resume") as caught:
        issue_batch(profile, "diploma", rows, tmp_path / "out", workers=2, issued_at=ISSUED_AT)
    assert str(caught.value).startswith(f"{rows}: a signing process stopped unexpectedly")


def test_row_keys_are_stable() -> None:
    assert row_key("diploma", {"a": "1", "b": "2"}) == row_key("diploma", {"b": "2", "a": "1"})
    assert row_key("diploma", {"a": "1"}) != row_key("skill", {"a": "1"})
    assert row_key("diploma", {"a": "1"}) != row_key("diploma", {"a": "1 "})
    assert passeport.issuer.batch.row_key is row_key


def test_an_empty_json_lines_file_issues_nothing_and_says_so(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    for content in ("", "\n\n"):
        source = tmp_path / "skills.jsonl"
        source.write_text(content, "utf-8")
        with pytest.raises(InputError, match="no line: nothing to issue") as caught:
            issue_batch(profile, "skill", source, tmp_path / "out", workers=1)
        assert str(caught.value).startswith(str(source))
    assert not (tmp_path / "out").exists()


def test_a_misspelled_column_is_reported_once_for_the_file(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 5)
    text = rows.read_text("utf-8").replace("holder.name", "holder.nmae", 1)
    rows.write_text(text, "utf-8")
    with pytest.raises(InputError) as caught:
        issue_batch(profile, "diploma", rows, tmp_path / "out", workers=1, issued_at=ISSUED_AT)
    message = str(caught.value)
    assert "\n" not in message and message.count("holder.nmae") == 1
    assert message.startswith(f'{rows}: unknown column "holder.nmae" in the header (expected: ')
    assert "holder.name" in message
    assert not (tmp_path / "out").exists()


def _french(rows: Path, *, encoding: str, delimiter: str, bom: bool = False) -> Path:
    """Rewrite a class CSV as a French spreadsheet saves it."""
    with rows.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    with rows.open("w", encoding=encoding, newline="") as handle:
        if bom:
            handle.write("\ufeff")
        csv.writer(handle, delimiter=delimiter, lineterminator="\r\n").writerows(table)
    return rows


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom", "read_as"),
    [
        ("cp1252", ";", False, "CSV, semicolon-separated, Windows-1252"),
        ("utf-8", ";", True, "CSV, semicolon-separated, UTF-8 with BOM"),
        ("utf-8", "\t", False, "CSV, tab-separated, UTF-8"),
        ("cp1252", ",", False, "CSV, comma-separated, Windows-1252"),
        ("utf-8", ",", True, "CSV, comma-separated, UTF-8 with BOM"),
    ],
)
def test_csv_files_from_a_french_spreadsheet(
    tmp_path: Path, encoding: str, delimiter: str, bom: bool, read_as: str
) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(
        tmp_path / "class.csv", 4, bad={2: {"holder.name": "Éloïse Lefèvre; née Brûlé"}}
    )
    plain = {
        json.dumps(c["credentialSubject"], sort_keys=True)
        for c in _outputs_of(make_profile(tmp_path / "other"), rows, tmp_path / "plain").values()
    }
    _french(rows, encoding=encoding, delimiter=delimiter, bom=bom)
    summary = issue_batch(
        profile, "diploma", rows, tmp_path / "out", workers=1, issued_at=ISSUED_AT
    )
    assert (summary.issued, summary.failed, summary.read_as) == (4, 0, read_as)
    assert summary.to_json()["encoding"] == {"cp1252": "cp1252"}.get(
        encoding, "utf-8-sig" if bom else "utf-8"
    )
    outputs = _outputs(tmp_path / "out")
    assert any(
        "Éloïse Lefèvre; née Brûlé" in json.dumps(c, ensure_ascii=False) for c in outputs.values()
    )
    # The same credentials' subjects as from the UTF-8, comma-separated file.
    assert {json.dumps(c["credentialSubject"], sort_keys=True) for c in outputs.values()} == plain


def _outputs_of(profile: Any, rows: Path, out: Path) -> dict[str, dict[str, Any]]:
    summary = issue_batch(profile, "diploma", rows, out, workers=1, issued_at=ISSUED_AT)
    assert summary.read_as == "CSV, comma-separated, UTF-8" and summary.issued == 4
    return _outputs(out)


def test_a_one_column_file_and_a_semicolon_inside_quotes(tmp_path: Path) -> None:
    from passeport.issuer._rows import open_rows, read_rows

    one = tmp_path / "one.csv"
    one.write_bytes(b"holder.name\r\nA\r\nB; C\r\n")
    source = open_rows(one, "csv")
    assert (source.delimiter, source.header, source.rows) == (",", ("holder.name",), 2)
    assert [r.content for r in read_rows(source)] == [{"holder.name": "A"}, {"holder.name": "B; C"}]
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('holder.id;holder.name\n"did:example:a";"Martin, Camille"\n', "cp1252")
    source = open_rows(quoted, "csv")
    assert source.delimiter == ";"
    decimals = tmp_path / "decimals.csv"  # French decimal commas, unquoted, in every row
    decimals.write_text("holder.name;achievement.credits\nA;12,5\nB;7,5\n", "cp1252")
    assert open_rows(decimals, "csv").delimiter == ";"
    commas = tmp_path / "commas.csv"  # and semicolons inside a comma-separated file's cells
    commas.write_text("holder.id,holder.name\ndid:a,Dupont; Jean\ndid:b,Martin; Paul\n", "utf-8")
    assert open_rows(commas, "csv").delimiter == ","
    assert [r.content for r in read_rows(source)] == [
        {"holder.id": "did:example:a", "holder.name": "Martin, Camille"}
    ]
