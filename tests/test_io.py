"""Atomic writes and located JSON reading, the leaf helpers every package uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from passeport._io import MAX_JSON_DEPTH, parse_json, read_json_file, write_atomic
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


# The one JSON reader (issue 12): every JSON input goes through parse_json.


def test_the_readers_docstring_examples_run() -> None:
    import doctest

    import passeport._io

    failures, tried = doctest.testmod(passeport._io)
    assert tried >= 3 and failures == 0


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,
        '{"a":' * 5000 + "1" + "}" * 5000,
        "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),  # parses, still too deep
        '{"a": ' + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "}",
    ],
)
def test_deep_nesting_is_refused_naming_the_file(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_json(text, where="deep.json")
    assert str(caught.value) == (
        f"deep.json: JSON nested more than {MAX_JSON_DEPTH} levels deep (refused)"
    )


def test_nesting_up_to_the_limit_and_brackets_in_strings_are_read() -> None:
    assert parse_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, where=None) is not None
    brackets = '"' + "[{" * 200 + '\\"[' + '"'
    assert parse_json(f"[{brackets}]", where=None) == [json.loads(brackets)]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ('{"a": 1, "b": {"c": 1, "c": 2}}', 'member "c" appears twice in a JSON object'),
        ('{"n": NaN}', "NaN is not a JSON value"),
        ("[Infinity]", "Infinity is not a JSON value"),
        (b"\xff{}", "not UTF-8 text (byte 0)"),
        ("{\n,}", "malformed JSON at line 2, column 1"),
        ("[" + "1," * 100 + "1]", "JSON text larger than the 64-byte limit"),
    ],
)
def test_strict_json_only(data: str | bytes, reason: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_json(data, where="in.json", max_bytes=64 if len(data) > 100 else 1000)
    assert str(caught.value).startswith(f"in.json: {reason}")


def test_a_deep_file_is_refused_by_every_reader(tmp_path: Path) -> None:
    from passeport.did.keyfile import read_key_file
    from passeport.errors import ResolutionError

    deep = '{"a":' * 5000 + "1" + "}" * 5000
    (tmp_path / "deep.json").write_text(deep)
    with pytest.raises(InputError, match="nested more than"):
        read_json_file(tmp_path / "deep.json")
    with pytest.raises(InputError, match="key file is not valid JSON: JSON nested"):
        read_key_file(tmp_path / "deep.json")
    from passeport.did.web import parse_did_web_document

    with pytest.raises(ResolutionError, match="nested more than"):
        parse_did_web_document("did:web:x.example", deep.encode(), max_bytes=10**6, url="u")


def test_a_deep_or_duplicated_token_part_is_refused() -> None:
    from passeport.proofs._jws import b64url_encode, parse_json_object

    with pytest.raises(InputError, match="header: JSON nested more than"):
        parse_json_object(b'{"a":' * 5000 + b"1" + b"}" * 5000, what="header")
    with pytest.raises(InputError, match='header: member "alg" appears twice'):
        parse_json_object(b'{"alg":"EdDSA","alg":"none"}', what="header")
    assert b64url_encode(b"{}") == "e30"


def test_an_http_body_goes_through_the_reader() -> None:
    from starlette.testclient import TestClient

    from passeport.app import create_app

    client = TestClient(create_app())
    deep = '{"verifiableCredential":' * 5000 + "1" + "}" * 5000
    response = client.post(
        "/credentials/verify", content=deep, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "nested more than" in response.json()["detail"]
    twice = '{"verifiableCredential": {}, "verifiableCredential": {}}'
    response = client.post(
        "/credentials/verify", content=twice, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "appears twice" in response.json()["detail"]
