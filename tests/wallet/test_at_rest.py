"""Data at rest: every byte the wallet reads back is authenticated; personal data files are 0600.

The wallet's blind indexes (``id_index``, ``content_index``) used to be stored
beside the sealed records without authentication: a changed byte went
unnoticed, and duplicate detection quietly stopped working. Issued
credentials, signed and derived documents were written 0644, readable by
every user of the machine, even under a umask of 077.
"""

from __future__ import annotations

import ast
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from passeport._json import JsonObject
from passeport.errors import WalletError
from passeport.wallet import Wallet, add
from passeport.wallet._records import CredentialFormat, CredentialInfo, NewCredential, Verification
from passeport.wallet._sqlite import pack, unpack
from passeport.wallet.store import (
    _FIRST_FORMAT,
    STORE_FORMAT,
    _first_info_aad,
    _info_aad,
)
from tests.cli.test_cli import one_line_error, run
from tests.conftest import ROOT
from tests.issuer._helpers import EXAMPLES, class_rows
from tests.wallet._helpers import (
    PASSPHRASE,
    diploma_document,
    env,
    first_aid_document,
    new_wallet,
    policy,
    signed,
)

COLUMNS = ("id", "id_index", "content_index", "info", "body")


def _add(wallet: Wallet, *documents: dict[str, Any]) -> list[str]:
    sources = [(f"cred{i}.json", json.dumps(d)) for i, d in enumerate(documents)]
    outcomes = add(wallet, sources, policy=policy(), env=env())
    assert all(o.status == "added" for o in outcomes), [o.reason for o in outcomes]
    return [str(o.id) for o in outcomes]


def _filled(tmp_path: Path) -> Wallet:
    """A wallet with a credential that has an id and one that has none (no id index)."""
    wallet = new_wallet(tmp_path)
    anonymous = first_aid_document()
    del anonymous["id"]
    _add(wallet, signed(diploma_document()), signed(anonymous))
    return wallet


def _small(tmp_path: Path) -> Wallet:
    """Two small records, one with a credential id and one without, stored as they come."""
    wallet = new_wallet(tmp_path)
    at = "2026-01-15T12:00:00Z"
    items = []
    for number, credential_id in enumerate(("urn:uuid:0000-1", None)):
        info = CredentialInfo(
            CredentialFormat.LDP_VC,
            at,
            Verification(at, True),
            credential_id=credential_id,
            issuer="did:example:issuer",
            title="Habilitation électrique",
        )
        document: JsonObject = {"id": credential_id, "name": "Camille Martin", "n": number}
        items.append(NewCredential.of(info, document, document))
    assert not any(stored.duplicate for stored in wallet.put(items))
    return wallet


def _read_everything(wallet: Wallet) -> None:
    """Read back all the wallet holds, as list, show, present and export do."""
    entries = wallet.entries()
    assert len(entries) == 2
    assert len(list(wallet.credentials([e.id for e in entries]))) == 2
    assert len(list(wallet.credentials(entries))) == 2


def _rows(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as connection:
        return list(connection.execute(f"SELECT {', '.join(COLUMNS)} FROM credentials"))


def _fast(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous = OFF")  # a test flips thousands of bytes
    return connection


def _flipped(value: Any, position: int) -> Any:
    if isinstance(value, bytes):
        return value[:position] + bytes([value[position] ^ 0x01]) + value[position + 1 :]
    text = str(value)
    return text[:position] + chr(ord(text[position]) ^ 0x01) + text[position + 1 :]


def test_every_byte_of_every_row_is_authenticated(tmp_path: Path) -> None:
    wallet = _small(tmp_path)
    _read_everything(wallet)
    rows = _rows(wallet.path)
    connection = _fast(wallet.path)
    undetected: list[str] = []
    flips = 0
    try:
        for row in rows:
            record_id = row[0]
            for column, value in zip(COLUMNS, row, strict=True):
                if value is None:
                    continue
                for position in range(len(value)):
                    changed = _flipped(value, position)
                    connection.execute(
                        f"UPDATE credentials SET {column} = ? WHERE id = ?", (changed, record_id)
                    )
                    current_id = changed if column == "id" else record_id
                    try:
                        _read_everything(wallet)
                    except WalletError as exc:
                        assert "corrupt store" in str(exc), exc
                    else:
                        undetected.append(f"{column}[{position}] of {record_id}")
                    connection.execute(
                        f"UPDATE credentials SET {column} = ? WHERE id = ?", (value, current_id)
                    )
                    flips += 1
    finally:
        connection.close()
    assert flips > 500
    assert not undetected, (
        f"{len(undetected)} of {flips} byte flips went unnoticed: {undetected[:5]}"
    )
    _read_everything(wallet)  # put back as it was: read as before


def test_every_byte_of_the_wallets_settings_is_authenticated(tmp_path: Path) -> None:
    wallet = _small(tmp_path)
    with sqlite3.connect(wallet.path) as connection:
        meta = list(connection.execute("SELECT name, value FROM meta ORDER BY name"))
    assert [name for name, _ in meta] == ["data_key", "format", "holder", "kdf"]
    connection = _fast(wallet.path)
    undetected = []
    try:
        for name, value in meta:
            # The sealed holder key is long: its ends and every 16th character are enough.
            every = 16 if name == "holder" else 1
            positions = sorted({*range(0, len(value), every), *range(len(value) - 32, len(value))})
            for position in positions:
                connection.execute(
                    "UPDATE meta SET value = ? WHERE name = ?", (_flipped(value, position), name)
                )
                try:
                    _read_everything(Wallet.open(wallet.path, PASSPHRASE))
                except WalletError:
                    pass  # "wrong passphrase" when the key derivation changed, else corrupt store
                else:
                    undetected.append(f"{name}[{position}]")
                connection.execute("UPDATE meta SET value = ? WHERE name = ?", (value, name))
    finally:
        connection.close()
    assert not undetected, undetected
    _read_everything(Wallet.open(wallet.path, PASSPHRASE))
    # The same salt spelled otherwise (unused bits of its last character set) is not the salt.
    kdf = json.loads(dict(meta)["kdf"])
    assert kdf["salt"].endswith("Q")
    respelled = json.dumps({**kdf, "salt": kdf["salt"][:-1] + "R"})
    with sqlite3.connect(wallet.path) as connection:
        connection.execute("UPDATE meta SET value = ? WHERE name = 'kdf'", (respelled,))
    with pytest.raises(WalletError, match="corrupt store: the scrypt salt is not base64url"):
        Wallet.open(wallet.path, PASSPHRASE)


def test_an_index_added_removed_swapped_or_retyped_is_detected(tmp_path: Path) -> None:
    wallet = _filled(tmp_path)
    (with_id, id_index, content_a), (without_id, none, content_b) = [
        (r[0], r[1], r[2]) for r in _rows(wallet.path)
    ]
    assert id_index is not None and none is None
    changes = [
        ("UPDATE credentials SET id_index = NULL WHERE id = ?", (with_id,)),
        ("UPDATE credentials SET id_index = ? WHERE id = ?", (os.urandom(32), without_id)),
        ("UPDATE credentials SET content_index = ? WHERE id = ?", (content_b + b"!", with_id)),
        (
            "UPDATE credentials SET content_index = hex(content_index) WHERE id = ?",
            (with_id,),
        ),
    ]
    for statement, parameters in changes:
        with sqlite3.connect(wallet.path) as connection:
            before = list(connection.execute("SELECT * FROM credentials ORDER BY id"))
            connection.execute(statement, parameters)
        with pytest.raises(WalletError, match=r"corrupt store: credential \w+ fails its integrity"):
            _read_everything(wallet)
        with sqlite3.connect(wallet.path) as connection:
            connection.execute("DELETE FROM credentials")
            connection.executemany("INSERT INTO credentials VALUES (?, ?, ?, ?, ?)", before)
        _read_everything(wallet)
    # Swapping the two content indexes (each still unique) is seen too.
    with sqlite3.connect(wallet.path) as connection:
        connection.execute("UPDATE credentials SET content_index = x'00' WHERE id = ?", (with_id,))
        connection.execute(
            "UPDATE credentials SET content_index = ? WHERE id = ?", (content_a, without_id)
        )
        connection.execute(
            "UPDATE credentials SET content_index = ? WHERE id = ?", (content_b, with_id)
        )
    with pytest.raises(WalletError, match="integrity"):
        wallet.entries()


def test_a_duplicate_is_only_reported_for_a_row_that_is_what_it_says(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    diploma = signed(diploma_document())
    [stored] = _add(wallet, diploma)
    with sqlite3.connect(wallet.path) as connection:
        info = connection.execute("SELECT info FROM credentials").fetchone()[0]
        connection.execute("UPDATE credentials SET info = ?", (_flipped(info, 40),))
    with pytest.raises(WalletError, match=f"credential {stored} fails its integrity check"):
        add(wallet, [("again.json", json.dumps(diploma))], policy=policy(), env=env())


def test_a_refresh_never_seals_an_altered_index(tmp_path: Path) -> None:
    wallet = _filled(tmp_path)
    entries = wallet.entries()
    with sqlite3.connect(wallet.path) as connection:
        connection.execute(
            "UPDATE credentials SET content_index = ? WHERE id = ?", (os.urandom(32), entries[0].id)
        )
    with pytest.raises(WalletError, match="integrity"):
        wallet.update([(e.id, e.info) for e in entries])
    with pytest.raises(WalletError, match="integrity"):  # still seen, not laundered
        wallet.entries()


def test_the_command_line_says_so_in_one_line_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wallet = _filled(tmp_path)
    record_id, content = _rows(wallet.path)[0][0], _rows(wallet.path)[0][2]
    with sqlite3.connect(wallet.path) as connection:
        connection.execute(
            "UPDATE credentials SET content_index = ? WHERE id = ?",
            (_flipped(content, 5), record_id),
        )
    monkeypatch.setenv("PASSEPORT_PASSPHRASE", PASSPHRASE)
    for command in (["list"], ["show", record_id]):
        line = one_line_error(run("wallet", *command, "--wallet", wallet.path, cwd=tmp_path))
        assert line.endswith(f"corrupt store: credential {record_id} fails its integrity check")


# The first format, whose indexes were not authenticated -----------------------------------


def _as_first_format(wallet: Wallet) -> None:
    """Turn ``wallet`` into what version 1 wrote: metadata sealed under the id alone."""
    with sqlite3.connect(wallet.path) as connection:
        for record_id, id_index, content_index, info in list(
            connection.execute("SELECT id, id_index, content_index, info FROM credentials")
        ):
            what = f"credential {record_id}"
            row = wallet.key.open(info, _info_aad(record_id, id_index, content_index), what=what)
            connection.execute(
                "UPDATE credentials SET info = ? WHERE id = ?",
                (wallet.key.seal(row, _first_info_aad(record_id)), record_id),
            )
        connection.execute("UPDATE meta SET value = ? WHERE name = 'format'", (_FIRST_FORMAT,))


def test_a_first_format_wallet_is_upgraded_and_its_indexes_computed_again(tmp_path: Path) -> None:
    wallet = _filled(tmp_path)
    expected = {row[0]: row[1:3] for row in _rows(wallet.path)}
    _as_first_format(wallet)
    # Version 1 did not see this: an index changed. The upgrade does not trust it.
    victim = next(iter(expected))
    with sqlite3.connect(wallet.path) as connection:
        connection.execute(
            "UPDATE credentials SET content_index = ? WHERE id = ?", (os.urandom(32), victim)
        )
    upgraded = Wallet.open(wallet.path, PASSPHRASE)
    with sqlite3.connect(wallet.path) as connection:
        assert connection.execute("SELECT value FROM meta WHERE name = 'format'").fetchone() == (
            STORE_FORMAT,
        )
    assert {row[0]: row[1:3] for row in _rows(wallet.path)} == expected
    _read_everything(upgraded)
    again = add(
        upgraded,
        [("again.json", json.dumps(signed(diploma_document())))],
        policy=policy(),
        env=env(),
    )
    assert [o.status for o in again] == ["duplicate"]
    assert Wallet.open(wallet.path, PASSPHRASE).entries() == upgraded.entries()  # once only


def test_a_tampered_first_format_wallet_is_refused_not_upgraded(tmp_path: Path) -> None:
    wallet = _filled(tmp_path)
    _as_first_format(wallet)
    record_id, info = _rows(wallet.path)[1][0], _rows(wallet.path)[1][3]
    with sqlite3.connect(wallet.path) as connection:
        connection.execute(
            "UPDATE credentials SET info = ? WHERE id = ?", (_flipped(info, 30), record_id)
        )
    with pytest.raises(WalletError, match=f"credential {record_id} fails its integrity check"):
        Wallet.open(wallet.path, PASSPHRASE)
    with sqlite3.connect(wallet.path) as connection:  # left as it was
        assert connection.execute("SELECT value FROM meta WHERE name = 'format'").fetchone() == (
            _FIRST_FORMAT,
        )


def test_metadata_sealed_for_another_row_is_refused(tmp_path: Path) -> None:
    wallet = _filled(tmp_path)
    (a, ia, ca, info_a, _), (b, ib, cb, _, _) = _rows(wallet.path)
    row = unpack(wallet.key.open(info_a, _info_aad(a, ia, ca), what="a"), "a")
    CredentialInfo.from_row(row)
    with sqlite3.connect(wallet.path) as connection:
        connection.execute(
            "UPDATE credentials SET info = ? WHERE id = ?",
            (wallet.key.seal(pack(row), _info_aad(a, ia, ca)), b),
        )
    with pytest.raises(WalletError, match=f"credential {b} fails its integrity check"):
        wallet.entries()
    del ib, cb


# File modes -----------------------------------------------------------------------------


@pytest.fixture(params=[0o022, 0o000, 0o077], ids=["umask-022", "umask-000", "umask-077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    mask: int = request.param
    previous = os.umask(mask)
    try:
        yield mask
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def _run(*args: str | Path, cwd: Path) -> None:
    from passeport.cli import app

    here = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, [str(a) for a in args])
    finally:
        os.chdir(here)
    assert result.exit_code == 0 and result.exception is None, (result.output, result.exception)


def test_personal_data_files_are_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    _run(
        "issuer",
        "init",
        "univ",
        "--name",
        "Université Exemple",
        "--did",
        "web:univ.example",
        cwd=tmp_path,
    )
    _run(
        "issue",
        "diploma",
        "--issuer",
        "univ",
        "--data",
        EXAMPLES / "diploma.json",
        "-o",
        "one.json",
        cwd=tmp_path,
    )
    class_rows(tmp_path / "class.csv", 3)
    _run(
        "issue",
        "diploma",
        "--issuer",
        "univ",
        "--csv",
        "class.csv",
        "-o",
        "out",
        "--workers",
        "1",
        cwd=tmp_path,
    )
    _run("key", "new", "--type", "p256", "-o", "k.json", cwd=tmp_path)
    sample = ROOT / "passeport" / "samples" / "diploma.json"
    _run(
        "sign", sample, "--key", "k.json", "--suite", "ecdsa-sd-2023", "-o", "sd.json", cwd=tmp_path
    )
    _run("derive", "sd.json", "--reveal", "/credentialSubject", "-o", "shown.json", cwd=tmp_path)
    private = [
        tmp_path / "one.json",
        *sorted((tmp_path / "out").iterdir()),
        tmp_path / "sd.json",
        tmp_path / "shown.json",
        tmp_path / "univ" / "registry.sqlite",
        tmp_path / "k.json",
    ]
    assert len(private) == 8
    assert {str(p.relative_to(tmp_path)): _mode(p) for p in private} == {
        str(p.relative_to(tmp_path)): 0o600 for p in private
    }
    # What is published for every verifier stays readable, unless the umask says otherwise.
    _run("status", "publish", "--issuer", "univ", "-o", "public", cwd=tmp_path)
    published = [p for p in (tmp_path / "public").rglob("*") if p.is_file()]
    assert published and {_mode(p) for p in published} == {0o644 & ~umask}


# Every file is written by passeport._io --------------------------------------------------

# Files created otherwise, each 0600 and exclusive (O_EXCL), for a reason of its own.
_OWN_WRITERS = {
    "did/keyfile.py": "a key file: created 0600, never over an existing key",
    "wallet/_sqlite.py": "the wallet file: created 0600 then filled by SQLite",
    "issuer/registry.py": "the registry database: created 0600 then filled by SQLite",
    "issuer/batch.py": "the batch lock file: 0600, holds a process id",
    "issuer/_workers.py": "batch staging files: created 0600, exclusively, flushed by chunk",
    "issuer/_durable.py": "opens folders and staging files to flush them; writes nothing",
    "passeport/_io.py": "the writer itself",
}
_PACKAGES = ("contexts", "did", "proofs", "verifier", "issuer", "wallet", "passeport")


def _call_name(node: ast.Call) -> str:
    if isinstance(node.func, ast.Attribute):
        owner = node.func.value
        prefix = f"{owner.id}." if isinstance(owner, ast.Name) and owner.id == "os" else ""
        return prefix + node.func.attr
    return getattr(node.func, "id", "")


def _writers(path: Path) -> list[str]:
    """Return the calls in ``path`` that create or write a file, other than write_atomic's own."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
        modes += [
            k.value.value
            for k in node.keywords
            if k.arg == "mode" and isinstance(k.value, ast.Constant)
        ]
        writing = any(isinstance(m, str) and set(m) & set("wax+") for m in modes)
        direct = ("write_text", "write_bytes", "mkstemp", "NamedTemporaryFile", "os.fdopen")
        if name in direct or name == "os.open" or (name == "open" and writing):
            found.append(f"{path}:{node.lineno} {name}")
        elif name == "write_atomic":
            mode = next((k.value for k in node.keywords if k.arg == "mode"), None)
            named = isinstance(mode, ast.Name) and mode.id in ("PRIVATE", "PUBLIC")
            if mode is not None and not named and getattr(mode, "value", None) != 0o600:
                found.append(f"{path}:{node.lineno} write_atomic with mode {ast.unparse(mode)}")
    return found


def test_every_file_is_written_by_the_one_writer() -> None:
    found = []
    for package in _PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if relative in _OWN_WRITERS or "/locale/" in relative:
                continue
            found += _writers(path)
    assert not found, "write through passeport._io.write_atomic:\n" + "\n".join(found)
