"""Adding credentials: verified first, tampered ones refused, verdicts and flags kept."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.did.web import did_web_document
from passeport.errors import InputError
from passeport.verifier import Environment
from passeport.wallet import AddOutcome, CredentialFormat, Flag, Wallet, add, add_files, refresh
from tests.conftest import FIXED_NOW
from tests.verifier.status_helpers import encode_bits, entry, list_credential, publish
from tests.wallet._helpers import (
    HOLDER,
    SOMEONE_ELSE,
    TRAINER,
    UNIVERSITY,
    diploma_document,
    env,
    first_aid_document,
    new_wallet,
    policy,
    selective,
    signed,
)

OB_TYPE = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"


def _one(wallet: Wallet, document: Any, **options: Any) -> AddOutcome:
    text = document if isinstance(document, str) else json.dumps(document)
    options.setdefault("policy", policy())
    options.setdefault("env", env())
    (outcome,) = add(wallet, [("given.json", text)], **options)
    return outcome


def test_a_data_integrity_credential_is_verified_then_stored(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    outcome = _one(wallet, signed(diploma_document()))
    assert outcome.status == "added" and outcome.id and outcome.reason is None
    assert outcome.result is not None and outcome.result.verified
    info = wallet.credential(outcome.id).info
    assert info.format is CredentialFormat.LDP_VC
    assert info.title == "Titre professionnel Développeur web et web mobile"
    assert info.issuer == UNIVERSITY.controller
    assert info.subject == HOLDER.controller
    assert info.types == ("VerifiableCredential", "OpenBadgeCredential")
    assert OB_TYPE in info.expanded_types
    assert info.suites == ("eddsa-rdfc-2022",)
    assert info.disclosure is None
    assert info.verification.verified and info.verification.at == "2026-01-15T12:00:00Z"
    assert info.flags == () and info.flags_at(FIXED_NOW) == ()
    as_json = outcome.to_json()
    assert (as_json["status"], as_json["id"], as_json["flags"]) == ("added", outcome.id, [])
    assert as_json["verification"] == outcome.result.to_json()


def test_progress_follows_each_verification(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    seen: list[tuple[int, int]] = []
    documents = [signed(diploma_document(number=n)) for n in (1, 2, 3)]
    sources = [("many.json", json.dumps(documents))]
    add(wallet, sources, policy=policy(), env=env(), progress=lambda *p: seen.append(p))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    seen.clear()
    assert refresh(wallet, policy=policy(), env=env(), progress=lambda *p: seen.append(p)) == 3
    assert seen == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-jcs-2019"])
def test_other_data_integrity_suites_are_accepted(tmp_path: Path, suite: str) -> None:
    signer = TRAINER if suite.startswith("ecdsa") else UNIVERSITY
    outcome = _one(new_wallet(tmp_path), signed(diploma_document(), signer=signer, suite=suite))
    assert outcome.status == "added", outcome.reason
    assert outcome.info is not None and outcome.info.suites == (suite,)


def test_an_ecdsa_sd_base_proof_is_confirmed_by_the_holder(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    outcome = _one(wallet, selective(diploma_document()))
    assert outcome.status == "added", outcome.reason
    assert outcome.result is not None and outcome.result.verified
    codes = {c.code for c in outcome.result.checks}
    assert "proof.signature" in codes and "proof.base" not in codes
    assert outcome.info is not None and outcome.info.disclosure == "ecdsa-sd-2023"


@pytest.mark.parametrize("selectively", [False, True], ids=["eddsa", "ecdsa-sd-base"])
def test_a_tampered_credential_is_refused(tmp_path: Path, selectively: bool) -> None:
    wallet = new_wallet(tmp_path)
    document = (selective if selectively else signed)(diploma_document())
    tampered = copy.deepcopy(document)
    tampered["credentialSubject"]["achievement"]["name"] = "Docteur en médecine"
    outcome = _one(wallet, tampered)
    assert outcome.status == "refused" and outcome.id is None
    assert outcome.reason is not None and "proof.signature" in outcome.reason
    assert wallet.entries() == []
    forced = _one(wallet, tampered, keep_unverified=True)
    assert forced.status == "refused"  # never kept: a failed signature is tampering
    assert wallet.entries() == []


def test_a_credential_without_proof_is_refused(tmp_path: Path) -> None:
    outcome = _one(new_wallet(tmp_path), diploma_document())
    assert outcome.status == "refused"


def test_duplicates_by_content_and_by_id(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    document = signed(diploma_document())
    first = _one(wallet, document)
    again = _one(wallet, json.dumps(document, indent=4, sort_keys=True))
    assert again.status == "duplicate" and again.id == first.id
    reissued = signed(diploma_document(title="Autre intitulé"))  # same credential id
    assert _one(wallet, reissued).status == "duplicate"
    assert _one(wallet, signed(diploma_document(number=2))).status == "added"
    assert len(wallet.entries()) == 2


def test_the_same_id_from_two_issuers_is_two_credentials(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    university = signed(diploma_document())
    other = signed(diploma_document(title="Titre d'un autre organisme"), signer=SOMEONE_ELSE)
    assert other["id"] == university["id"] and other["issuer"] != university["issuer"]
    first = _one(wallet, university)
    second = _one(wallet, other)
    assert (first.status, second.status) == ("added", "added"), second.reason
    assert first.id != second.id
    held = {e.info.issuer: e.info.credential_id for e in wallet.entries()}
    assert held == {UNIVERSITY.controller: university["id"], SOMEONE_ELSE.controller: other["id"]}
    # In one batch too, and each is still a duplicate of itself.
    batch = new_wallet(tmp_path, name="batch.sqlite")
    texts = [json.dumps(university), json.dumps(other)]
    outcomes = add(
        batch,
        [("a.json", texts[0]), ("b.json", texts[1]), ("c.json", texts[1])],
        policy=policy(),
        env=env(),
    )
    assert [o.status for o in outcomes] == ["added", "added", "duplicate"]


def test_duplicates_in_one_batch(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    text = json.dumps(signed(diploma_document()))
    outcomes = add(wallet, [("a.json", text), ("b.json", text)], policy=policy(), env=env())
    assert [o.status for o in outcomes] == ["added", "duplicate"]
    assert outcomes[0].id == outcomes[1].id


def test_another_holders_credential_is_flagged(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    theirs = _one(wallet, signed(diploma_document(subject=SOMEONE_ELSE.controller)))
    assert theirs.status == "added" and theirs.info is not None
    assert theirs.info.flags == (Flag.OTHER_HOLDER,)
    anyone = _one(wallet, signed(diploma_document(number=2, subject=None)))
    assert anyone.info is not None and anyone.info.flags == (Flag.UNBOUND,)
    mine = _one(wallet, signed(diploma_document(number=3, subject=f"{HOLDER.controller}#x")))
    assert mine.info is not None and mine.info.flags == ()


def test_revoked_unknown_and_expired_are_refused_unless_kept(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    cache = tmp_path / "cache"
    publish(cache, list_credential(encode_bits([7]), signer=UNIVERSITY))
    offline = Environment(clock=lambda: FIXED_NOW).with_cache(cache)
    unreachable = entry(3, url="https://elsewhere.example/status/9")
    failing = {
        "revoked": signed(diploma_document(status=entry(7))),
        "unknown": signed(diploma_document(number=3, status=unreachable)),
        "expired": signed(first_aid_document(valid_until="2025-12-31T23:59:59Z")),
        "both": signed(
            {
                **first_aid_document(number=101, valid_until="2025-12-31T23:59:59Z"),
                "credentialStatus": entry(7),
            }
        ),
    }
    valid = _one(wallet, signed(diploma_document(number=2, status=entry(8))), env=offline)
    assert valid.status == "added" and valid.reason is None
    refused = {name: _one(wallet, document, env=offline) for name, document in failing.items()}
    for outcome in refused.values():
        assert outcome.status == "refused" and outcome.id is None and outcome.info is None
        assert outcome.reason is not None and "\n" not in outcome.reason
        assert outcome.reason.endswith(
            "(keep it anyway, marked not verified, with --keep-unverified)"
        )
    assert str(refused["revoked"].reason).startswith(
        "refused, status.revoked: revoked by the issuer"
    )
    assert str(refused["unknown"].reason).startswith("refused, status.unchecked: ")
    assert "elsewhere.example" in str(refused["unknown"].reason)
    assert str(refused["expired"].reason).startswith("refused, validity.expired: expired on")
    assert "; also status.revoked (keep it" in str(refused["both"].reason)
    assert [e.id for e in wallet.entries()] == [valid.id]  # nothing stored for them

    kept = {
        name: _one(wallet, document, env=offline, keep_unverified=True)
        for name, document in failing.items()
    }
    for outcome in kept.values():
        assert outcome.status == "kept" and outcome.id and outcome.info is not None
        assert outcome.result is not None and not outcome.result.verified
        assert outcome.reason is not None and not outcome.reason.startswith("refused")
        assert not wallet.credential(outcome.id).info.verification.verified
        assert outcome.to_json()["status"] == "kept"
    flags = {e.id: e.info.flags_at(FIXED_NOW) for e in wallet.entries()}
    assert flags[str(valid.id)] == ()
    assert flags[str(kept["revoked"].id)] == (Flag.REVOKED,)
    assert flags[str(kept["unknown"].id)] == (Flag.STATUS_UNKNOWN,)
    assert flags[str(kept["expired"].id)] == (Flag.EXPIRED,)
    assert flags[str(kept["both"].id)] == (Flag.EXPIRED, Flag.REVOKED)
    assert kept["revoked"].to_json()["flags"] == ["revoked"]
    info = wallet.credential(str(kept["unknown"].id)).info
    assert info.verification.unchecked == ("status.unchecked",)
    assert any("elsewhere.example" in m for m in info.verification.messages)


def test_any_other_failure_is_refused_and_kept_marked_not_verified(tmp_path: Path) -> None:
    """Not only status and dates: whatever makes the verifier say no (here, a schema)."""
    wallet = new_wallet(tmp_path)
    document = diploma_document()
    document["credentialSchema"] = {
        "id": "https://schemas.example/diploma.json",
        "type": "JsonSchema",
    }
    outcome = _one(wallet, signed(document))
    assert outcome.status == "refused", outcome.reason
    assert outcome.result is not None and not outcome.result.verified
    assert wallet.entries() == []
    kept = _one(wallet, signed(document), keep_unverified=True)
    assert kept.status == "kept" and kept.info is not None
    assert Flag.NOT_VERIFIED in kept.info.flags_at(FIXED_NOW)


def test_expiry_is_recomputed_at_list_time(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    outcome = _one(wallet, signed(first_aid_document(valid_until="2026-02-01T00:00:00Z")))
    info = wallet.credential(str(outcome.id)).info
    assert info.flags_at(FIXED_NOW) == ()
    assert info.expires_within(30, FIXED_NOW) and not info.expires_within(10, FIXED_NOW)
    later = FIXED_NOW.replace(month=3)
    assert info.flags_at(later) == (Flag.EXPIRED,)
    assert not info.expires_within(30, later)


def test_refresh_sees_a_later_revocation(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    cache = tmp_path / "cache"
    publish(cache, list_credential(encode_bits([]), signer=UNIVERSITY))
    offline = Environment(clock=lambda: FIXED_NOW).with_cache(cache)
    outcome = _one(wallet, signed(diploma_document(status=entry(5))), env=offline)
    assert outcome.info is not None and outcome.info.flags_at(FIXED_NOW) == ()
    publish(cache, list_credential(encode_bits([5]), signer=UNIVERSITY))
    assert refresh(wallet, policy=policy(), env=Environment(clock=lambda: FIXED_NOW)) == 1
    stale = wallet.credential(str(outcome.id)).info
    assert stale.flags_at(FIXED_NOW) == (Flag.STATUS_UNKNOWN,)  # no cache: list unreachable
    refresh(wallet, policy=policy(), env=Environment(clock=lambda: FIXED_NOW).with_cache(cache))
    fresh = wallet.credential(str(outcome.id)).info
    assert fresh.flags_at(FIXED_NOW) == (Flag.REVOKED,)
    assert fresh.title == stale.title and fresh.added_at == stale.added_at


def test_unresolvable_issuer_is_refused_unless_kept(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    web_key = PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([31]) * 32)
    issuer = KeyPair.from_private_key(web_key, method="web:school.example")
    document = signed(diploma_document(), signer=issuer)
    refused = _one(wallet, document)
    assert refused.status == "refused"
    assert refused.reason is not None and "proof.verification_method" in refused.reason
    forced = _one(wallet, document, keep_unverified=True)
    assert forced.status == "kept" and forced.info is not None
    assert Flag.UNVERIFIED in forced.info.flags
    cache = tmp_path / "cache"
    did_document = did_web_document(issuer.controller, issuer.public_key)
    publish(cache, did_document, url="https://school.example/.well-known/did.json")
    other = new_wallet(tmp_path, name="other.sqlite")
    cached = _one(other, document, env=Environment(clock=lambda: FIXED_NOW).with_cache(cache))
    assert cached.status == "added" and cached.info is not None
    assert cached.info.flags == () and cached.info.verification.verified
    # Once the issuer's DID document is at hand, a refresh verifies the forced one.
    refresh(wallet, policy=policy(), env=Environment(clock=lambda: FIXED_NOW).with_cache(cache))
    refreshed = wallet.credential(str(forced.id)).info
    assert refreshed.flags == () and refreshed.verification.verified


def test_files_folders_and_arrays(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(signed(diploma_document(number=1))))
    both = [signed(diploma_document(number=2)), signed(diploma_document(number=3))]
    (folder / "b.json").write_text(json.dumps(both))
    (folder / ".hidden.json").write_text("not even JSON")
    (folder / "notes.md").write_text("ignored")
    single = tmp_path / "single.json"
    single.write_text(json.dumps(signed(diploma_document(number=4))))
    outcomes = add_files(wallet, [folder, single], policy=policy(), env=env())
    assert [(o.where, o.status) for o in outcomes] == [
        (str(folder / "a.json"), "added"),
        (f"{folder / 'b.json'}[0]", "added"),
        (f"{folder / 'b.json'}[1]", "added"),
        (str(folder / "notes.md"), "skipped"),
        (str(single), "added"),
    ]
    (folder / "a.json").unlink()
    (folder / "b.json").unlink()
    with pytest.raises(InputError, match="a folder without credential files") as caught:
        add_files(wallet, [single, folder], policy=policy(), env=env())
    assert str(caught.value).startswith(f"{folder}: ")
    assert "notes.md: skipped: not a credential file" in str(caught.value)
    assert len(wallet.entries()) == 4  # nothing more, nothing less


def test_a_folder_with_stray_files_adds_every_credential_and_says_what_it_skipped(
    tmp_path: Path,
) -> None:
    wallet = new_wallet(tmp_path)
    folder = tmp_path / "inbox"
    (folder / "old").mkdir(parents=True)
    (folder / "a.json").write_text(json.dumps(signed(diploma_document(number=1))))
    (folder / "README.txt").write_text("Mes diplômes, reçus de l'université.\n")
    (folder / "broken.json").write_text('{"@context": ')
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "empty.jwt").write_text("")
    (folder / "z.json").write_text(json.dumps(signed(diploma_document(number=2))))
    seen: list[tuple[int, int]] = []
    outcomes = add_files(
        wallet, [folder], policy=policy(), env=env(), progress=lambda *a: seen.append(a)
    )
    by_name = {Path(o.where).name: o for o in outcomes}
    assert [name for name, o in by_name.items() if o.status == "added"] == ["a.json", "z.json"]
    assert {name: o.reason for name, o in by_name.items() if o.status == "skipped"} == {
        "README.txt": "skipped: neither JSON, a vc+jwt nor an SD-JWT (compact serialization)",
        "broken.json": by_name["broken.json"].reason,
        "empty.jwt": "skipped: empty: no credential here",
        "old": "skipped: a folder (folders are not read recursively)",
        "photo.png": by_name["photo.png"].reason,
    }
    assert "malformed JSON" in str(by_name["broken.json"].reason)
    assert "not a credential file (.json, " in str(by_name["photo.png"].reason)
    assert all(o.to_json()["status"] == "skipped" for o in outcomes if o.id is None)
    assert seen == [(1, 2), (2, 2)]
    assert len(wallet.entries()) == 2
    # A file named on its own must be a credential: no guessing that it was a stray one.
    with pytest.raises(InputError, match="neither JSON") as caught:
        add_files(wallet, [folder / "README.txt"], policy=policy(), env=env())
    assert str(caught.value).startswith(str(folder / "README.txt"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("{", "malformed JSON"),
        ("[1]", "must be a JSON object"),
        ("hello", "neither JSON"),
    ],
)
def test_unreadable_input_names_the_source(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        add(new_wallet(tmp_path), [("bad.txt", text)], policy=policy(), env=env())
    assert str(caught.value).startswith("bad.txt")


def test_malformed_json_is_located_in_the_file_as_given(tmp_path: Path) -> None:
    text = '\n\n{\n  "@context": [\n    "https://www.w3.org/ns/credentials/v2",,\n  ]\n}\n'
    with pytest.raises(InputError, match="at line 5, column 44") as caught:
        add(new_wallet(tmp_path), [("bad.json", text)], policy=policy(), env=env())
    assert str(caught.value).startswith("bad.json: malformed JSON at line 5")


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        add_files(new_wallet(tmp_path), [tmp_path / "nope.json"])
