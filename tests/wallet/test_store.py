"""The encrypted store: nothing in clear, wrong passphrase, file modes, concurrency, backups."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from passeport.did.keyfile import KeyPair
from passeport.errors import InputError, WalletError
from passeport.wallet import KdfParams, Wallet, add
from passeport.wallet._crypto import DataKey
from tests.conftest import ROOT
from tests.wallet._helpers import (
    FAST_KDF,
    HOLDER,
    PASSPHRASE,
    SOMEONE_ELSE,
    UNIVERSITY,
    diploma_document,
    env,
    new_wallet,
    policy,
    selective,
    signed,
)


def _add(wallet: Wallet, *documents: dict[str, object]) -> list[str]:
    sources = [(f"cred{i}.json", json.dumps(d)) for i, d in enumerate(documents)]
    outcomes = add(wallet, sources, policy=policy(), env=env())
    assert all(o.status == "added" for o in outcomes), [o.reason for o in outcomes]
    return [str(o.id) for o in outcomes]


def test_nothing_of_a_credential_is_readable_in_the_file(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    diploma = signed(diploma_document(title="Technicien supérieur en méthodes"))
    training = selective(diploma_document(number=2, title="Habilitation électrique B1V"))
    _add(wallet, diploma, training)
    raw = wallet.path.read_bytes()
    secret = KeyPair.to_document(HOLDER, include_secret=True)["secretKeyMultibase"]
    needles = [
        "Technicien supérieur en méthodes",
        "Habilitation",
        "Camille Martin",
        "1999-04-02",
        "RNCP37674",
        "OpenBadgeCredential",
        "urn:uuid:00000000-0000-4000-8000",
        UNIVERSITY.controller,
        HOLDER.controller,
        str(secret),
        "eddsa-rdfc-2022",
        "ecdsa-sd-2023",
        "2025-07-01",
    ]
    for needle in needles:
        for encoded in (needle.encode("utf-8"), needle.encode("utf-16-le")):
            assert encoded not in raw, needle
    assert len(wallet.entries()) == 2


def test_wrong_passphrase_is_a_clear_error(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    with pytest.raises(WalletError) as caught:
        Wallet.open(wallet.path, "not the passphrase")
    assert "wrong passphrase" in str(caught.value)
    assert str(wallet.path) in str(caught.value)
    reopened = Wallet.open(wallet.path, PASSPHRASE)
    assert reopened.did == HOLDER.controller


def test_empty_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WalletError, match="empty"):
        Wallet.create(tmp_path / "w.sqlite", "", kdf=FAST_KDF)


def test_wallet_file_is_created_0600_and_never_over_another(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    assert wallet.path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [wallet.path.name]  # no temporary left
    with pytest.raises(WalletError, match="already exists"):
        Wallet.create(wallet.path, PASSPHRASE, kdf=FAST_KDF)


def test_default_holder_is_a_new_ed25519_did_key(tmp_path: Path) -> None:
    wallet = Wallet.create(tmp_path / "w.sqlite", PASSPHRASE, kdf=FAST_KDF)
    assert wallet.did.startswith("did:key:z6Mk")
    assert Wallet.open(wallet.path, PASSPHRASE).holder == wallet.holder


def test_default_scrypt_cost_is_stored_and_used(tmp_path: Path) -> None:
    params = KdfParams.fresh()
    assert (params.n, params.r, params.p) == (2**17, 8, 1)
    wallet = Wallet.create(tmp_path / "w.sqlite", PASSPHRASE, kdf=KdfParams.fresh(n=2**11))
    with sqlite3.connect(wallet.path) as connection:
        stored = json.loads(
            connection.execute("SELECT value FROM meta WHERE name = 'kdf'").fetchone()[0]
        )
    assert stored["name"] == "scrypt" and stored["n"] == 2**11 and stored["r"] == 8


def test_open_refuses_what_is_not_a_wallet(tmp_path: Path) -> None:
    with pytest.raises(WalletError, match="no wallet here"):
        Wallet.open(tmp_path / "missing.sqlite", PASSPHRASE)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not SQLite at all" * 10)
    with pytest.raises(WalletError):
        Wallet.open(junk, PASSPHRASE)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    with pytest.raises(WalletError, match="not a passeport wallet"):
        Wallet.open(other, PASSPHRASE)


def test_absurd_scrypt_parameters_are_refused(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    with sqlite3.connect(wallet.path) as connection:
        connection.execute(
            "UPDATE meta SET value = ? WHERE name = 'kdf'",
            (json.dumps({"name": "scrypt", "n": 2**40, "r": 8, "p": 1, "salt": "AAAAAAAAAAA"}),),
        )
    with pytest.raises(WalletError, match="out of bounds"):
        Wallet.open(wallet.path, PASSPHRASE)


def test_altered_or_swapped_records_are_detected(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    first, second = _add(wallet, signed(diploma_document()), signed(diploma_document(number=2)))
    with sqlite3.connect(wallet.path) as connection:
        info_a, body_a = connection.execute(
            "SELECT info, body FROM credentials WHERE id = ?", (first,)
        ).fetchone()
        # Move the first record's sealed data under the second id: the id is bound (AAD).
        connection.execute(
            "UPDATE credentials SET info = ?, body = ? WHERE id = ?", (info_a, body_a, second)
        )
    with pytest.raises(WalletError, match=f"credential {second}"):
        wallet.entries()
    with sqlite3.connect(wallet.path) as connection:
        flipped = bytes([info_a[0] ^ 1]) + info_a[1:]
        connection.execute("UPDATE credentials SET info = ? WHERE id = ?", (flipped, first))
    with pytest.raises(WalletError, match="integrity"):
        wallet.credential(first)


def test_each_record_has_its_own_nonce() -> None:
    key = DataKey.generate()
    one, two = key.seal(b"same", b"aad"), key.seal(b"same", b"aad")
    assert one[:12] != two[:12] and one != two
    assert key.open(one, b"aad", what="x") == b"same"
    with pytest.raises(WalletError):
        key.open(one, b"other aad", what="x")
    assert "secret" not in repr(key) and key.secret.hex() not in repr(key)


def test_ids_resolve_by_unique_prefix(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    (record,) = _add(wallet, signed(diploma_document()))
    assert wallet.resolve(record[:4]) == record
    assert wallet.credential(record.upper()).id == record
    for bad in ("abc", "zzzzzz", "ffffffffffff"):
        with pytest.raises(WalletError, match="no credential"):
            wallet.resolve(bad)
    assert wallet.remove(record[:6]) == record
    assert wallet.entries() == []


_CHILD = """
import sys
from pathlib import Path
from tests.wallet._helpers import PASSPHRASE, env, policy
from passeport.wallet import Wallet, add

wallet = Wallet.open(Path(sys.argv[1]), PASSPHRASE)
for name in sys.argv[2:]:
    (outcome,) = add(wallet, [(name, Path(name).read_text())], policy=policy(), env=env())
    assert outcome.status in ("added", "duplicate"), outcome.reason
    print(outcome.status)
"""


def test_concurrent_processes_lose_no_credential(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    processes, per_process = 4, 6
    files: list[list[str]] = []
    for p in range(processes):
        mine = []
        for i in range(per_process):
            path = tmp_path / f"c{p}-{i}.json"
            path.write_text(json.dumps(signed(diploma_document(number=p * 100 + i))))
            mine.append(str(path))
        files.append(mine)
    # Every process also adds one shared credential: stored exactly once.
    shared = tmp_path / "shared.json"
    shared.write_text(json.dumps(signed(diploma_document(number=999))))
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(wallet.path), *mine, str(shared)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for mine in files
    ]
    outputs = [child.communicate(timeout=300) for child in children]
    for child, (_out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    statuses = [line for out, _ in outputs for line in out.split()]
    assert statuses.count("added") == processes * per_process + 1
    assert statuses.count("duplicate") == processes - 1
    held = wallet.entries()
    assert len(held) == processes * per_process + 1
    ids = {e.info.credential_id for e in held}
    assert len(ids) == len(held)


def test_concurrent_threads_lose_no_credential(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    texts = [json.dumps(signed(diploma_document(number=n))) for n in range(24)]

    def worker(mine: list[str]) -> list[str]:
        statuses = []
        for index, text in enumerate(mine):
            (outcome,) = add(wallet, [(f"t{index}", text)], policy=policy(), env=env())
            statuses.append(outcome.status)
        return statuses

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(worker, [texts[i::4] for i in range(4)]))
    assert all(status == "added" for statuses in results for status in statuses)
    assert len(wallet.entries()) == len(texts)


def test_backup_round_trip_keeps_keys_and_credentials(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    _add(wallet, signed(diploma_document()), selective(diploma_document(number=2)))
    backup = tmp_path / "backup.json"
    assert wallet.export_backup(backup, "backup secret", kdf=FAST_KDF) == 2
    assert backup.stat().st_mode & 0o777 == 0o600
    raw = backup.read_bytes()
    secret = str(HOLDER.to_document(include_secret=True)["secretKeyMultibase"])
    for needle in ("Camille", "Développeur", HOLDER.controller, secret, UNIVERSITY.controller):
        assert needle.encode() not in raw
    with pytest.raises(InputError, match="already exists"):
        wallet.export_backup(backup, "backup secret", kdf=FAST_KDF)
    with pytest.raises(WalletError, match="wrong backup passphrase"):
        Wallet.restore(backup, "guess", tmp_path / "new.sqlite", "new pass", kdf=FAST_KDF)
    restored = Wallet.restore(
        backup, "backup secret", tmp_path / "new.sqlite", "new pass", kdf=FAST_KDF
    )
    assert restored.holder == wallet.holder
    before = {e.info.credential_id: e.info for e in wallet.entries()}
    after = {e.info.credential_id: e.info for e in restored.entries()}
    assert before == after
    for entry in wallet.entries():
        original = wallet.credential(entry.id).credential
        match = next(e for e in restored.entries() if e.info == entry.info)
        assert restored.credential(match.id).credential == original
    # Merging the same backup again adds nothing.
    assert all(s.duplicate for s in restored.import_backup(backup, "backup secret"))


def test_backup_tampering_and_other_holders_are_refused(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    _add(wallet, signed(diploma_document()))
    backup = tmp_path / "backup.json"
    wallet.export_backup(backup, "backup secret", kdf=FAST_KDF)
    other = new_wallet(tmp_path, name="other.sqlite", key=SOMEONE_ELSE)
    with pytest.raises(WalletError, match="belongs to"):
        other.import_backup(backup, "backup secret")
    document = json.loads(backup.read_text())
    document["kdf"]["n"] = 2**11  # changing the header breaks the seal (associated data)
    backup.write_text(json.dumps(document))
    with pytest.raises(WalletError, match="wrong backup passphrase"):
        wallet.import_backup(backup, "backup secret")
    backup.write_text("{}")
    with pytest.raises(WalletError, match="not a passeport wallet backup"):
        wallet.import_backup(backup, "backup secret")
