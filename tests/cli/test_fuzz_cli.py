"""Every file a command reads, mutated or garbage: exit 0, 1 or 2, never a traceback.

For each kind of input (a credential, a presentation, a vc+jwt, an SD-JWT, a
CSV or JSON Lines batch, issuance data, a trust list, a recruiter's request,
a key file) a valid file is mutated by hypothesis: a value replaced by an
extreme one (dates at the ends of the calendar, huge numbers, deep nesting,
long or broken strings), a member removed, the text cut, bytes changed. The
command runs in this process through the console script's entry point
(:func:`passeport.cli.main`), so an unhandled exception fails the test where a
user would see a traceback.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passeport.cli import main
from passeport.did.keyfile import read_key_file
from passeport.proofs.sign import sign_document
from passeport.wallet import KdfParams, Wallet
from tests.cli.test_cli import SAMPLE
from tests.conftest import ROOT

PASSPHRASE = "a passphrase long enough for the fuzz tests"
EXAMPLES = ROOT / "examples"

# Values that broke, or could break, a reader: ends of the calendar, a date without a time
# zone, numbers beyond a float or past Python's 4,300-digit limit, control characters,
# broken surrogates, nesting deeper than any reader allows, long strings.
EXTREME_TEXTS = [
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "2026-01-15T12:00:00",
    "2026-02-30T00:00:00Z",
    "",
    " ",
    "\u0000",
    "did:web:169.254.169.254",
    "did:key:z",
    "https://evil.example/context",
    "urn:uuid:",
    "_:b0",
    "x" * 70_000,
]
RAW_VALUES = [  # JSON texts spliced in as they are
    "1" * 5000,
    "-" + "9" * 4400,
    "1e999",
    "-1e999",
    "1e-999",
    "0.1e400",
    '"\\ud800"',
    '"\\udfff\\ud800"',
    "[" * 120 + "]" * 120,
    '{"a":' * 120 + "1" + "}" * 120,
    "[" * 30 + "{}" + "]" * 30,
    "18446744073709551616",
    "253402300800",
    "-62135596801",
    "true",
    "null",
    "[]",
    "{}",
    '{"@context": "https://evil.example/ctx"}',
    '{"@id": "_:b0", "@type": "@json"}',
]


@dataclass(frozen=True)
class Input:
    """One kind of file and the command that reads it (``{file}`` stands for the file)."""

    name: str
    suffix: str
    arguments: tuple[str, ...]


INPUTS = [
    Input("credential", ".json", ("verify", "{file}", "--offline")),
    Input("presentation", ".json", ("verify", "{file}", "--offline", "--challenge", "c")),
    Input("vc-jwt", ".jwt", ("verify", "{file}", "--offline")),
    Input("sd-jwt", ".sd-jwt", ("verify", "{file}", "--offline")),
    Input("sign", ".json", ("sign", "{file}", "--key", "key.json", "-o", "out/signed.json")),
    Input("key", ".json", ("sign", str(SAMPLE), "--key", "{file}", "-o", "out/signed.json")),
    Input(
        "data",
        ".json",
        (
            "issue",
            "diploma",
            "--issuer",
            "univ",
            "--data",
            "{file}",
            "-o",
            "out/one.json",
            "--force",
        ),
    ),
    Input(
        "csv",
        ".csv",
        (
            "issue",
            "diploma",
            "--issuer",
            "univ",
            "--csv",
            "{file}",
            "-o",
            "out/batch",
            "--workers",
            "1",
        ),
    ),
    Input(
        "jsonl",
        ".jsonl",
        (
            "issue",
            "diploma",
            "--issuer",
            "univ",
            "--jsonl",
            "{file}",
            "-o",
            "out/batch",
            "--workers",
            "1",
        ),
    ),
    Input("trust", ".json", ("verify", "credential.json", "--offline", "--trust", "{file}")),
    Input(
        "wallet-add",
        ".json",
        ("wallet", "add", "{file}", "--offline", "--wallet", "w.wallet", "--keep-unverified"),
    ),
    Input(
        "request",
        ".json",
        (
            "wallet",
            "present",
            "--request",
            "{file}",
            "--wallet",
            "w.wallet",
            "--challenge",
            "c",
            "--domain",
            "d.example",
            "-o",
            "out/vp.json",
            "--force",
        ),
    ),
]


def _run(arguments: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """Run ``passeport ARGUMENTS`` as the console script; return its exit code and output."""
    monkeypatch.setattr(sys, "argv", ["passeport", *arguments])
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            main()
        except SystemExit as exited:
            code = exited.code if isinstance(exited.code, int) else int(exited.code is not None)
        else:
            code = 0
    return code, output.getvalue()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a key, an issuer, a wallet holding a credential, and a seed per input."""
    root = tmp_path_factory.mktemp("fuzz-desk")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        patch.setenv("PASSEPORT_PASSPHRASE", PASSPHRASE)
        for arguments in (
            ["key", "new", "-o", "key.json"],
            ["key", "new", "-o", "holder.json"],
            ["issuer", "init", "univ", "--name", "U", "--did", "web:univ.example"],
            ["sign", str(SAMPLE), "--key", "key.json", "-o", "credential.json"],
            ["sign", str(SAMPLE), "--key", "key.json", "--suite", "vc-jwt", "-o", "seed.jwt"],
            ["sign", str(SAMPLE), "--key", "key.json", "--suite", "sd-jwt", "-o", "seed.sd-jwt"],
        ):
            code, output = _run(arguments, patch)
            assert code == 0, (arguments, output)
        # A wallet with cheap scrypt: `wallet init` would cost half a second per command.
        Wallet.create(
            root / "w.wallet",
            PASSPHRASE,
            key=read_key_file(root / "holder.json"),
            kdf=KdfParams(salt=b"passeport-fuzz!!", n=2**10, r=8, p=1),
        )
        vp = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [json.loads((root / "credential.json").read_text())],
        }
        (root / "vp.json").write_text(json.dumps(vp))
        for line in (
            "sign vp.json --key holder.json --challenge c --domain d -o presentation.json",
            "wallet add credential.json --offline --wallet w.wallet --keep-unverified",
        ):
            code, output = _run(line.split(), patch)
            assert code == 0, output
    (root / "out").mkdir()
    return root


def _rows(csv_text: str) -> str:
    import csv

    reader = csv.DictReader(io.StringIO(csv_text))
    return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in list(reader)[:2])


def _seed(name: str, desk: Path) -> bytes:
    csv_text = "\n".join((EXAMPLES / "issuer" / "class.csv").read_text("utf-8").splitlines()[:3])
    seeds: dict[str, Callable[[], bytes]] = {
        "credential": lambda: (desk / "credential.json").read_bytes(),
        "presentation": lambda: (desk / "presentation.json").read_bytes(),
        "vc-jwt": lambda: (desk / "seed.jwt").read_bytes(),
        "sd-jwt": lambda: (desk / "seed.sd-jwt").read_bytes(),
        "sign": lambda: SAMPLE.read_bytes(),
        "key": lambda: (desk / "key.json").read_bytes(),
        "data": lambda: (EXAMPLES / "issuer" / "diploma.json").read_bytes(),
        "csv": lambda: csv_text.encode(),
        "jsonl": lambda: _rows(csv_text).encode(),
        "trust": lambda: (EXAMPLES / "trust" / "trust-list.json").read_bytes(),
        "wallet-add": lambda: (desk / "credential.json").read_bytes(),
        "request": lambda: (EXAMPLES / "requests" / "job-application.dcql.json").read_bytes(),
    }
    return seeds[name]()


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Return the path of every member and item of a JSON value (the root included)."""
    found = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_places(child, (*path, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_places(child, (*path, index)))
    return found


_MARK = "\u2603SPLICE\u2603"


def _mutate_json(value: Any, rng: random.Random) -> bytes:
    """Replace, remove or wrap one value of ``value``; splice raw JSON text where asked."""
    places = _places(value)
    path = rng.choice(places)
    action = rng.choice(["extreme", "raw", "remove", "wrap", "type"])
    if not path:
        return rng.choice(RAW_VALUES).encode() if action == "raw" else b"[]"
    *parent_path, last = path
    parent = value
    for step in parent_path:
        parent = parent[step]
    if action == "remove":
        del parent[last]
    elif action == "extreme":
        parent[last] = rng.choice(EXTREME_TEXTS)
    elif action == "wrap":
        parent[last] = [parent[last], parent[last]]
    elif action == "type":
        parent[last] = rng.choice([0, -1, 1.5, True, None, [], {}, "", 2**64])
    else:
        parent[last] = _MARK
    text = json.dumps(value, ensure_ascii=rng.random() < 0.5)
    return text.replace(json.dumps(_MARK), rng.choice(RAW_VALUES), 1).encode()


def _mutate_text(data: bytes, rng: random.Random) -> bytes:
    """Cut, flip, insert or duplicate bytes."""
    action = rng.choice(["cut", "flip", "insert", "duplicate", "garbage"])
    where = rng.randrange(len(data) + 1)
    if action == "cut":
        return data[:where]
    if action == "flip" and data:
        index = min(where, len(data) - 1)
        return data[:index] + bytes([data[index] ^ (1 << rng.randrange(8))]) + data[index + 1 :]
    if action == "insert":
        return (
            data[:where]
            + rng.choice([b"\x00", b"\xff", b"~", b".", b",", b'"', b"\n"])
            + data[where:]
        )
    if action == "duplicate":
        return data[:where] + data[where:] * 2
    return bytes(rng.randrange(256) for _ in range(rng.randrange(200)))


def _mutate_token(data: bytes, rng: random.Random) -> bytes:
    """Change one part of a JWT or SD-JWT: its header, payload or a disclosure, as JSON."""
    text = data.decode().strip()
    jwt, sep, rest = text.partition("~")
    parts = jwt.split(".")
    index = rng.randrange(2)
    decoded = json.loads(base64.urlsafe_b64decode(parts[index] + "=" * (-len(parts[index]) % 4)))
    changed = _mutate_json(decoded, rng)
    parts[index] = base64.urlsafe_b64encode(changed).rstrip(b"=").decode()
    return (".".join(parts) + sep + rest).encode()


def _mutate(name: str, data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.3:
        return _mutate_text(data, rng)
    if name in ("vc-jwt", "sd-jwt"):
        return _mutate_token(data, rng)
    if name == "csv":
        lines = data.decode().split("\n")
        row = rng.randrange(len(lines))
        cells = lines[row].split(",")
        cells[rng.randrange(len(cells))] = rng.choice(EXTREME_TEXTS + RAW_VALUES).replace(",", ";")
        lines[row] = ",".join(cells)
        return "\n".join(lines).encode()
    if name == "jsonl":
        lines = [line for line in data.decode().split("\n") if line]
        row = rng.randrange(len(lines))
        lines[row] = _mutate_json(json.loads(lines[row]), rng).decode()
        return ("\n".join(lines) + "\n").encode()
    return _mutate_json(json.loads(data), rng)


@pytest.mark.parametrize("kind", INPUTS, ids=[kind.name for kind in INPUTS])
@settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), rounds=st.integers(1, 3))
def test_mutated_inputs_exit_0_1_or_2_without_a_traceback(
    kind: Input,
    seed: int,
    rounds: int,
    desk: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(seed)
    data = _seed(kind.name, desk)
    for _ in range(rounds):
        try:
            data = _mutate(kind.name, data, rng)
        except (ValueError, UnicodeDecodeError, IndexError):
            data = _mutate_text(data, rng)  # already past reading as JSON or a token
    path = desk / f"input{kind.suffix}"
    path.write_bytes(data)
    monkeypatch.chdir(desk)
    monkeypatch.setenv("PASSEPORT_PASSPHRASE", PASSPHRASE)
    arguments = [argument.replace("{file}", path.name) for argument in kind.arguments]
    code, output = _run(arguments, monkeypatch)
    assert code in (0, 1, 2), f"exit {code}: {output[-2000:]}"
    assert "Traceback" not in output, output[-3000:]


GARBAGE = [b"", b"\xff\xfe\x00{", b"[" * 5000, b"1" * 5000, b"a.b.c~"]


@pytest.mark.parametrize("data", GARBAGE, ids=range(len(GARBAGE)))
@pytest.mark.parametrize("kind", INPUTS, ids=[kind.name for kind in INPUTS])
def test_garbage_inputs_are_refused_in_one_line(
    kind: Input, data: bytes, desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = desk / f"garbage{kind.suffix}"
    path.write_bytes(data)
    monkeypatch.chdir(desk)
    monkeypatch.setenv("PASSEPORT_PASSPHRASE", PASSPHRASE)
    arguments = [argument.replace("{file}", path.name) for argument in kind.arguments]
    code, output = _run(arguments, monkeypatch)
    assert code in (1, 2), f"exit {code}: {output[-2000:]}"
    assert "Traceback" not in output, output[-3000:]


def test_a_proof_expiring_at_the_end_of_the_calendar_verifies(
    desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Issue 11: the clock skew added to 9999-12-31T23:59:59Z raised OverflowError.
    end = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    signed = sign_document(
        json.loads(SAMPLE.read_text("utf-8")), read_key_file(desk / "key.json"), expires=end
    )
    (desk / "lasting.json").write_text(json.dumps(signed))
    monkeypatch.chdir(desk)
    code, output = _run(["verify", "lasting.json", "--offline", "--json"], monkeypatch)
    assert code in (0, 1), output  # the sample's validity period depends on today
    outcomes = {check["code"]: check["outcome"] for check in json.loads(output)["checks"]}
    assert outcomes["proof.signature"] == "passed" and "proof.expired" not in outcomes


def test_the_longest_max_age_is_a_verdict(desk: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The longest duration a timedelta holds, plus the clock skew, overflowed.
    monkeypatch.chdir(desk)
    arguments = ["verify", "presentation.json", "--offline", "--challenge", "c", "--domain", "d"]
    code, output = _run([*arguments, "--max-age", "999999999d", "--json"], monkeypatch)
    assert code in (0, 1), output  # the sample's validity period depends on today
    outcomes = {check["code"]: check["outcome"] for check in json.loads(output)["checks"]}
    assert outcomes["presentation.age"] == "passed"
