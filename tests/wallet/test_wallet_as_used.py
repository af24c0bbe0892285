"""``passeport wallet add`` and ``search`` as a person uses them: stray files, accents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from passeport.errors import WalletError
from passeport.wallet import Wallet
from tests.cli.test_wallet_cli import run, write
from tests.wallet._helpers import SOMEONE_ELSE, diploma_document, new_wallet, signed


def test_add_a_folder_with_a_readme_adds_the_credentials_and_lists_what_it_skipped(
    tmp_path: Path,
) -> None:
    wallet: Wallet = new_wallet(tmp_path)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox, "a.json", signed(diploma_document(number=1)))
    write(inbox, "b.json", signed(diploma_document(number=2)))
    write(inbox, "README.txt", "Mes diplômes.\n")
    added = run(tmp_path, "add", inbox, "--offline")
    assert added.exit_code == 0, added.output
    lines = added.stdout.splitlines()
    assert any(
        line.startswith(f"{inbox / 'a.json'}: ") and " ajoutée sous " in line for line in lines
    )
    assert any(
        line.startswith(f"{inbox / 'b.json'}: ") and " ajoutée sous " in line for line in lines
    )
    assert f"{inbox / 'README.txt'}: skipped: neither JSON" in added.stdout
    assert len(wallet.entries()) == 2
    as_json = run(tmp_path, "add", inbox, "--offline", "--json")
    assert as_json.exit_code == 0
    assert [o["status"] for o in json.loads(as_json.stdout)] == [
        "skipped",  # README.txt sorts first
        "duplicate",
        "duplicate",
    ]


def test_same_id_from_another_issuer_is_kept(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    mine = write(tmp_path, "a.json", signed(diploma_document()))
    theirs = write(tmp_path, "b.json", signed(diploma_document(), signer=SOMEONE_ELSE))
    added = run(tmp_path, "add", mine, theirs, "--offline", "--json")
    assert added.exit_code == 0, added.output
    assert [o["status"] for o in json.loads(added.stdout)] == ["added", "added"]
    assert len(wallet.entries()) == 2


def test_search_ignores_accents_and_case_and_not_the_holder(tmp_path: Path) -> None:
    new_wallet(tmp_path)
    assert run(tmp_path, "add", write(tmp_path, "d.json", signed(diploma_document())), "--offline")
    for words in ("developpeur", "DÉVELOPPEUR WEB", "Developpeur"):
        found = run(tmp_path, "search", words, "--json")
        assert found.exit_code == 0, found.output
        assert [row["title"] for row in json.loads(found.stdout)] == [
            "Titre professionnel Développeur web et web mobile"
        ], words
    holder = json.loads(run(tmp_path, "list", "--json").stdout)[0]["subject"]
    part = holder.removeprefix("did:key:")[4:10]
    assert json.loads(run(tmp_path, "search", part, "--json").stdout) == []


def test_show_names_a_credential_by_prefix_or_by_its_own_id_and_says_when_it_is_ambiguous(
    tmp_path: Path,
) -> None:
    wallet = new_wallet(tmp_path)
    mine = write(tmp_path, "a.json", signed(diploma_document()))
    theirs = write(tmp_path, "b.json", signed(diploma_document(), signer=SOMEONE_ELSE))
    assert run(tmp_path, "add", mine, theirs, "--offline").exit_code == 0
    ids = sorted(entry.id for entry in wallet.entries())
    # Two credentials with the same own id (from two issuers): that id is ambiguous.
    own = diploma_document()["id"]
    with pytest.raises(WalletError, match="names several credentials"):
        wallet.resolve(own)
    # A one-character prefix is enough when it is unique, and lists them when it is not.
    first = ids[0][0]
    if ids[1][0] == first:
        with pytest.raises(WalletError, match="names several credentials"):
            wallet.resolve(first)
    else:
        assert wallet.resolve(first) == ids[0]
    with pytest.raises(WalletError, match="no credential"):
        wallet.resolve("urn:uuid:00000000-0000-4000-8000-000000000000")


def test_show_finds_a_credential_by_its_own_id(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    assert run(tmp_path, "add", write(tmp_path, "a.json", signed(diploma_document())), "--offline")
    [entry] = wallet.entries()
    assert wallet.resolve(diploma_document()["id"]) == entry.id
    shown = run(tmp_path, "show", diploma_document()["id"], "--json")
    assert shown.exit_code == 0, shown.output
