"""Atomic writes and located JSON reading, the leaf helpers every package uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from passeport._io import read_json_file, write_atomic
from passeport.errors import InputError


def test_a_write_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_atomic(target, "{}")
    write_atomic(target, '{"a": 1}')
    assert read_json_file(target) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_a_folder_in_the_way_is_a_clear_error_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "out.json").mkdir()
    with pytest.raises(InputError, match="cannot write") as caught:
        write_atomic(tmp_path / "out.json", "{}")
    assert str(tmp_path / "out.json") in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]  # no temporary left


def test_refusing_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "key.json"
    write_atomic(target, "secret", mode=0o600)
    assert target.stat().st_mode & 0o777 == 0o600
    with pytest.raises(InputError, match="refusing to overwrite"):
        write_atomic(target, "other", overwrite=False)
    assert target.read_text() == "secret"


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "a": 1,\n  oops\n}')
    with pytest.raises(InputError) as caught:
        read_json_file(bad)
    assert "bad.json" in str(caught.value) and "line 3" in str(caught.value)
