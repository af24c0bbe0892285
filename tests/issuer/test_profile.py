"""Issuer profiles: the folder a certifier creates once, with its key, DID and registry."""

from __future__ import annotations

import doctest
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

import passeport.issuer.profile
from passeport.did import KeyAlgorithm, PrivateKey, did_web_document, read_key_file
from passeport.errors import InputError, KeyFormatError
from passeport.issuer.profile import MIN_LIST_SIZE, Profile, status_base_for
from passeport.issuer.registry import Registry
from tests.issuer._helpers import HOST, make_profile


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_did_web_profile_has_everything_and_reopens(tmp_path: Path) -> None:
    folder = tmp_path / "univ"
    profile = make_profile(folder)
    assert profile.did == f"did:web:{HOST}"
    assert profile.verification_method == f"did:web:{HOST}#key-1"
    assert profile.status_base == f"https://{HOST}/status/"
    assert profile.suite == "eddsa-rdfc-2022"
    assert profile.list_size == MIN_LIST_SIZE
    assert sorted(p.name for p in folder.iterdir()) == [
        "did.json",
        "key.json",
        "permutation.key",
        "profile.json",
        "registry.sqlite",
    ]
    assert _mode(folder) == 0o700
    assert _mode(folder / "key.json") == 0o600
    assert _mode(folder / "permutation.key") == 0o600
    assert read_key_file(folder / "key.json").private_key == profile.key.private_key
    hosted = json.loads((folder / "did.json").read_text())
    assert hosted == did_web_document(profile.did, profile.key.public_key)
    settings = (folder / "profile.json").read_text()
    assert "secretKeyMultibase" not in settings and profile.secret.hex() not in settings
    assert profile.secret.hex() not in repr(profile)
    with profile.open_registry() as registry:
        assert registry.count() == 0

    again = Profile.open(folder)
    assert again == profile


def test_did_web_with_a_path_and_a_p256_key(tmp_path: Path) -> None:
    profile = Profile.create(
        tmp_path / "p",
        name="Lycée",
        did="web:example.org:lycee",
        key_type=KeyAlgorithm.P256,
    )
    assert profile.did == "did:web:example.org:lycee"
    assert profile.status_base == "https://example.org/lycee/status/"
    assert profile.suite == "ecdsa-rdfc-2019"
    assert status_base_for("did:key:z6Mk") is None


def test_did_key_needs_a_status_base(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--status-base"):
        Profile.create(tmp_path / "a", name="Employer", did="key")
    assert not (tmp_path / "a").exists()
    profile = Profile.create(
        tmp_path / "b", name="Employer", did="key", status_base="https://jobs.example/lists"
    )
    assert profile.did.startswith("did:key:z6Mk")
    assert profile.status_base == "https://jobs.example/lists/"
    assert profile.did_document() is None
    assert not (tmp_path / "b" / "did.json").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"list_size": MIN_LIST_SIZE - 1}, "at least 131072"),
        ({"list_size": 1000}, "at least 131072"),
        ({"suite": "ecdsa-rdfc-2019"}, "cannot sign with a Ed25519 key"),
        ({"suite": "nope-2099"}, "unknown cryptosuite"),
        ({"did": "jwk"}, "an issuer uses key or web"),
        ({"did": "web:bad host"}, "not a host name"),
        ({"status_base": "http://univ.example/status/"}, "https URL"),
        ({"name": "  "}, "needs a name"),
    ],
)
def test_bad_settings_are_refused_and_leave_nothing(
    tmp_path: Path, options: dict[str, object], message: str
) -> None:
    settings: dict[str, object] = {"name": "Univ", "did": f"web:{HOST}", **options}
    with pytest.raises(ValueError, match=message):
        Profile.create(tmp_path / "univ", **settings)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_an_existing_profile_is_never_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / "univ"
    first = make_profile(folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with pytest.raises(InputError, match="refusing to overwrite a profile"):
        make_profile(folder, seed=9)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert Profile.open(folder) == first
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="not an empty folder"):
        make_profile(tmp_path / "file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "univ"]
    # Said first, whatever else is wrong: a did:key without a status base, say.
    with pytest.raises(InputError, match="refusing to overwrite a profile"):
        Profile.create(folder, name="Autre", did="key")


def test_an_empty_folder_becomes_a_profile(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    make_profile(folder)
    assert (folder / "profile.json").is_file()


def test_a_failure_midway_leaves_no_half_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise InputError("disk full", where="key.json")

    monkeypatch.setattr(passeport.issuer.profile, "write_key_file", broken)
    with pytest.raises(InputError, match="disk full"):
        make_profile(tmp_path / "univ")
    assert list(tmp_path.iterdir()) == []


def test_open_refuses_what_is_not_a_sound_profile(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not an issuer profile"):
        Profile.open(tmp_path)
    folder = tmp_path / "univ"
    make_profile(folder)
    settings = json.loads((folder / "profile.json").read_text())

    (folder / "profile.json").write_text(json.dumps({**settings, "listSize": 4096}))
    with pytest.raises(InputError, match="at least 131072"):
        Profile.open(folder)
    (folder / "profile.json").write_text(json.dumps({**settings, "name": 3}))
    with pytest.raises(InputError, match="/name: missing or not a string"):
        Profile.open(folder)
    (folder / "profile.json").write_text(json.dumps({**settings, "format": "other"}))
    with pytest.raises(InputError, match="not a profile file"):
        Profile.open(folder)
    (folder / "profile.json").write_text(json.dumps(settings))

    other = make_profile(tmp_path / "other", did="web:other.example", seed=3)
    (folder / "key.json").unlink()
    (folder / "key.json").write_bytes((tmp_path / "other" / "key.json").read_bytes())
    with pytest.raises(KeyFormatError, match="not to the profile's"):
        Profile.open(folder)
    assert other.did != settings["did"]


def test_the_permutation_secret_is_checked(tmp_path: Path) -> None:
    folder = tmp_path / "univ"
    make_profile(folder)
    (folder / "permutation.key").write_text("not hex\n")
    with pytest.raises(InputError, match=r"permutation\.key: not a hexadecimal secret"):
        Profile.open(folder)
    (folder / "permutation.key").write_text("abcd\n")
    with pytest.raises(InputError, match="shorter than 16 bytes"):
        Profile.open(folder)


def test_a_generated_key_is_new_each_time(tmp_path: Path) -> None:
    one = Profile.create(tmp_path / "a", name="A", did=f"web:{HOST}")
    two = Profile.create(tmp_path / "b", name="B", did=f"web:{HOST}")
    assert one.key.private_key != two.key.private_key
    assert one.secret != two.secret and len(one.secret) == 32
    fixed = PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes(32))
    three = Profile.create(tmp_path / "c", name="C", did="web:c.example", private_key=fixed)
    assert three.key.private_key == fixed


def test_every_role_opens_the_registry_through_the_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issuing, batches, status changes, publishing, live lists and the CLI use open_registry().

    The registry is moved out of the profile folder behind the seam: a call
    site still opening ``registry_path`` itself finds no database there.
    """
    from typer.testing import CliRunner

    from passeport.issuer import cli as issuer_cli
    from passeport.issuer.batch import issue_batch
    from passeport.issuer.issue import issue
    from passeport.issuer.statuslist import LiveStatusFetcher, publish_status, revoke
    from tests.issuer._helpers import EXAMPLES, ISSUED_AT, example

    profile = make_profile(tmp_path / "univ")
    moved = tmp_path / "elsewhere.sqlite"
    profile.registry_path.rename(moved)
    opened: list[bool] = []

    def elsewhere(directory: Path, *, create: bool) -> Registry:
        assert directory == profile.directory
        opened.append(create)
        return Registry.open(moved, create=create)

    kinds = {**passeport.issuer.profile.REGISTRY_KINDS, "sqlite": elsewhere}
    monkeypatch.setattr(passeport.issuer.profile, "REGISTRY_KINDS", kinds)
    credential = issue(profile, "diploma", example("diploma"), issued_at=ISSUED_AT)
    summary = issue_batch(
        profile, "diploma", EXAMPLES / "class.csv", tmp_path / "out", workers=1, issued_at=ISSUED_AT
    )
    assert summary.issued > 0 and summary.failed == 0
    revoke(profile, str(credential["id"]), reason="fraud")
    publish_status(profile, tmp_path / "public", at=ISSUED_AT)
    entries: Any = credential["credentialStatus"]
    url = str(entries[0]["statusListCredential"])
    live = LiveStatusFetcher(profile=profile, clock=lambda: ISSUED_AT)
    assert live.document(url) is not None and live.revision(url) is not None
    shown = CliRunner().invoke(issuer_cli.app, ["show", str(profile.directory), "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["credentials"] == summary.issued + 1
    assert not profile.registry_path.exists()
    assert len(opened) >= 6 and not any(opened)


def test_the_registry_setting_names_a_known_implementation(tmp_path: Path) -> None:
    folder = tmp_path / "univ"
    profile = make_profile(folder)
    assert profile.registry_kind == "sqlite" and "registry" not in profile.to_json()
    settings = json.loads((folder / "profile.json").read_text())
    (folder / "profile.json").write_text(json.dumps({**settings, "registry": "sqlite"}))
    assert Profile.open(folder) == profile
    for unknown in ("postgresql", ["sqlite"], 3):
        (folder / "profile.json").write_text(json.dumps({**settings, "registry": unknown}))
        with pytest.raises(InputError, match=r"/registry: unknown registry .* \(known: sqlite, "):
            Profile.open(folder)


def test_docstring_examples_run() -> None:
    failures, tried = doctest.testmod(passeport.issuer.profile)
    assert tried > 0 and failures == 0
