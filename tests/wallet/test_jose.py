"""vc+jwt and SD-JWT credentials in the wallet: verified at import, disclosed with Key Binding."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from passeport.did.jwk import public_to_jwk
from passeport.proofs.jose import sign_vc_jwt
from passeport.proofs.outcome import Outcome
from passeport.proofs.sdjwt import default_disclosable, issue_sd_jwt
from passeport.verifier import Policy, verify_presentation
from passeport.verifier.enveloped import secured_credential
from passeport.wallet import (
    AddOutcome,
    CredentialFormat,
    Flag,
    PresentationRefused,
    Wallet,
    add,
    present,
    refresh,
)
from tests.conftest import FIXED_NOW
from tests.wallet._helpers import (
    CREATED,
    HOLDER,
    SOMEONE_ELSE,
    UNIVERSITY,
    diploma_document,
    env,
    new_wallet,
    policy,
)

CHALLENGE = "c-77aa"
DOMAIN = "recrutement.example"
OB_VCT = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"


def vc_jwt(number: int = 1) -> str:
    """A diploma secured as vc+jwt by the university."""
    return sign_vc_jwt(diploma_document(number=number), UNIVERSITY, issued_at=CREATED)


def sd_jwt(number: int = 2, *, holder: Any = HOLDER) -> str:
    """A diploma secured as an SD-JWT VC, every subject claim disclosable, bound to ``holder``."""
    claims = diploma_document(number=number)
    counter = iter(range(1000))
    return issue_sd_jwt(
        claims,
        UNIVERSITY,
        disclosable=default_disclosable(claims),
        holder_jwk=public_to_jwk(holder.public_key) if holder is not None else None,
        salt=lambda: f"salt-{next(counter)}",
        issued_at=CREATED,
    )


def _add(wallet: Wallet, *tokens: str) -> list[AddOutcome]:
    sources = [(f"t{i}.txt", token) for i, token in enumerate(tokens)]
    return add(wallet, sources, policy=policy(), env=env())


def _tamper_payload(token: str) -> str:
    jwt, _, rest = token.partition("~")
    header, payload, signature = jwt.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["validFrom"] = "2020-01-01T00:00:00Z"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return ".".join([header, forged, signature]) + (f"~{rest}" if rest or "~" in token else "")


def test_a_vc_jwt_is_verified_and_stored(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    (outcome,) = _add(wallet, vc_jwt())
    assert outcome.status == "added", outcome.reason
    held = wallet.credential(str(outcome.id))
    assert held.info.format is CredentialFormat.JWT_VC and held.info.suites == ("vc-jwt",)
    assert held.info.verification.verified and held.info.flags == ()
    assert held.credential == vc_jwt()
    assert held.document["credentialSubject"]["achievement"]["name"] == (  # type: ignore[index,call-overload]
        "Développeur web et web mobile"
    )
    assert vc_jwt()[:40] not in wallet.path.read_bytes().decode("latin-1")


def test_an_sd_jwt_is_verified_and_stored(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    (outcome,) = _add(wallet, sd_jwt())
    assert outcome.status == "added", outcome.reason
    info = wallet.credential(str(outcome.id)).info
    assert info.format is CredentialFormat.SD_JWT and info.disclosure == "sd-jwt"
    assert info.vct == OB_VCT and info.flags == ()
    assert info.subject == HOLDER.controller


def test_several_tokens_in_one_file_and_duplicates(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    path = tmp_path / "tokens.txt"
    path.write_text(f"{vc_jwt()}\n{sd_jwt()}\n{vc_jwt()}\n")
    outcomes = add(wallet, [(str(path), path.read_text())], policy=policy(), env=env())
    assert [o.status for o in outcomes] == ["added", "added", "duplicate"]
    assert [o.where for o in outcomes] == [f"{path}[0]", f"{path}[1]", f"{path}[2]"]


@pytest.mark.parametrize("make", [vc_jwt, sd_jwt], ids=["vc+jwt", "sd-jwt"])
def test_tampered_tokens_are_refused(tmp_path: Path, make: Any) -> None:
    (outcome,) = _add(new_wallet(tmp_path), _tamper_payload(make()))
    assert outcome.status == "refused"
    assert outcome.reason is not None and "proof.signature" in outcome.reason


def test_a_tampered_disclosure_is_refused(tmp_path: Path) -> None:
    parts = sd_jwt().split("~")
    parts[3] = parts[3][:-2] + ("A" if parts[3][-2] != "A" else "B") + parts[3][-1]
    (outcome,) = _add(new_wallet(tmp_path), "~".join(parts))
    assert outcome.status == "refused"
    assert outcome.reason is not None and "disclosure." in outcome.reason


def test_an_sd_jwt_bound_to_another_key_is_flagged(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    theirs, unbound = _add(wallet, sd_jwt(3, holder=SOMEONE_ELSE), sd_jwt(4, holder=None))
    assert theirs.info is not None and theirs.info.flags == (Flag.OTHER_HOLDER,)
    assert unbound.info is not None and unbound.info.flags == ()  # the subject is the holder


def test_refresh_verifies_tokens_again(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    _add(wallet, vc_jwt(), sd_jwt())
    assert refresh(wallet, policy=policy(), env=env()) == 2
    assert all(e.info.verification.verified for e in wallet.entries())


def _envelope_token(item: dict[str, Any]) -> str:
    assert item["type"] == "EnvelopedVerifiableCredential"
    media, _, token = str(item["id"]).partition(",")
    assert media in ("data:application/dc+sd-jwt", "data:application/vc+jwt")
    return token


def test_an_sd_jwt_is_presented_with_chosen_disclosures_and_key_binding(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    (outcome,) = _add(wallet, sd_jwt())
    query = {
        "credentials": [
            {
                "id": "diploma",
                "format": "dc+sd-jwt",
                "meta": {"vct_values": [OB_VCT]},
                "claims": [
                    {"path": ["credentialSubject", "achievement", "name"]},
                    {"path": ["credentialSubject", "achievement", "alignment", 1, "targetCode"]},
                ],
            }
        ]
    }
    result = present(wallet, request=query, challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    assert [(c.id, c.disclosure) for c in result.credentials] == [(outcome.id, "sd-jwt")]
    vp: dict[str, Any] = result.document
    (item,) = vp["verifiableCredential"]
    token = _envelope_token(item)
    original = sd_jwt().split("~")[1:-1]
    shown = token.split("~")[1:-1]
    assert set(shown) < set(original) and len(shown) < len(original) // 2
    strict = Policy(challenge=CHALLENGE, domain=DOMAIN, at=FIXED_NOW)
    checks, document, _ = secured_credential(token, env=env(), policy=strict, now=FIXED_NOW)
    assert all(c.outcome is Outcome.PASSED for c in checks), checks
    assert {"key_binding.signature", "key_binding.sd_hash"} <= {c.code for c in checks}
    assert document is not None
    subject = document["credentialSubject"]
    assert subject["achievement"]["name"] == "Développeur web et web mobile"  # type: ignore[index,call-overload]
    text = json.dumps(document, ensure_ascii=False)
    for secret in ("1999-04-02", "Camille Martin", "RNCP37674", "Titre professionnel de niveau"):
        assert secret not in text
    other = Policy(challenge="other", domain=DOMAIN, at=FIXED_NOW)
    replay, _, _ = secured_credential(token, env=env(), policy=other, now=FIXED_NOW)
    assert any(c.outcome is Outcome.FAILED for c in replay)
    verdict = verify_presentation(vp, policy=strict, env=env())
    assert verdict.verified, verdict.failures()
    assert {"key_binding.signature", "holder.binding"} <= {c.code for c in verdict.checks}
    assert not verify_presentation(vp, policy=other, env=env()).verified


def test_a_vc_jwt_is_presented_whole(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    (outcome,) = _add(wallet, vc_jwt())
    result = present(
        wallet,
        [str(outcome.id)],
        reveal=["/credentialSubject/achievement/name"],
        challenge=CHALLENGE,
        domain=DOMAIN,
        now=FIXED_NOW,
    )
    vp: dict[str, Any] = result.document
    assert _envelope_token(vp["verifiableCredential"][0]) == vc_jwt()
    assert result.credentials[0].disclosure == "whole"
    assert "vc+jwt cannot be partially disclosed" in result.notes[0]
    verdict = verify_presentation(
        vp, policy=Policy(challenge=CHALLENGE, domain=DOMAIN, at=FIXED_NOW), env=env()
    )
    assert verdict.verified, verdict.failures()


def test_an_sd_jwt_about_someone_else_is_refused_even_bound_to_the_holders_key(
    tmp_path: Path,
) -> None:
    wallet = new_wallet(tmp_path)
    claims = diploma_document(number=5, subject=SOMEONE_ELSE.controller)
    token = issue_sd_jwt(
        claims,
        UNIVERSITY,
        disclosable=default_disclosable(claims),
        holder_jwk=public_to_jwk(HOLDER.public_key),
        issued_at=CREATED,
    )
    (outcome,) = _add(wallet, token)
    assert outcome.status == "added", outcome.reason
    with pytest.raises(PresentationRefused, match=f"is about {SOMEONE_ELSE.controller}"):
        present(wallet, [str(outcome.id)], challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)


def test_valid_for_dates_the_key_binding_jwt_and_the_presentation(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    (outcome,) = _add(wallet, sd_jwt())
    result = present(
        wallet,
        [str(outcome.id)],
        challenge=CHALLENGE,
        domain=DOMAIN,
        now=FIXED_NOW,
        valid_for=timedelta(hours=12),
    )
    vp: dict[str, Any] = result.document
    token = _envelope_token(vp["verifiableCredential"][0])
    kb_payload = token.rsplit("~", 1)[1].split(".")[1]
    kb = json.loads(base64.urlsafe_b64decode(kb_payload + "=" * (-len(kb_payload) % 4)))
    end = FIXED_NOW + timedelta(hours=12)
    assert kb["exp"] == int(end.timestamp()) and kb["iat"] == int(FIXED_NOW.timestamp())
    assert vp["proof"]["expires"] == "2026-01-16T00:00:00Z"
    within = Policy(challenge=CHALLENGE, domain=DOMAIN, at=FIXED_NOW + timedelta(minutes=3))
    assert verify_presentation(vp, policy=within, env=env()).verified
    plain = present(wallet, [str(outcome.id)], challenge=CHALLENGE, domain=DOMAIN, now=FIXED_NOW)
    plain_vp: dict[str, Any] = plain.document
    plain_token = _envelope_token(plain_vp["verifiableCredential"][0])
    plain_kb = plain_token.rsplit("~", 1)[1].split(".")[1]
    assert "exp" not in json.loads(base64.urlsafe_b64decode(plain_kb + "=" * (-len(plain_kb) % 4)))


def test_an_unbound_sd_jwt_is_presented_with_valid_for_on_the_presentation_only(
    tmp_path: Path,
) -> None:
    wallet = new_wallet(tmp_path)
    (outcome,) = _add(wallet, sd_jwt(4, holder=None))
    result = present(
        wallet,
        [str(outcome.id)],
        challenge=CHALLENGE,
        domain=DOMAIN,
        now=FIXED_NOW,
        valid_for=timedelta(days=1),
    )
    vp: dict[str, Any] = result.document
    assert _envelope_token(vp["verifiableCredential"][0]).endswith("~")  # no KB-JWT to date
    assert vp["proof"]["expires"] == "2026-01-16T12:00:00Z"
