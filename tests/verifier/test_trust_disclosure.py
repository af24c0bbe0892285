"""Accreditation rests only on what a holder discloses: a withheld code or type is never assumed.

The attacks of issue 10, hole 2: a certifier accredited for RNCP00001 only signs
an ecdsa-sd-2023 (or SD-JWT) diploma for RNCP35288; its holder shows the
diploma's title and hides its code, and asks the recruiter's trust list to call
it "accredited". Each attack is built end to end (issue, derive or present,
verify with a trust list); revealing the code is the positive case.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

import pytest

from passeport._io import dump_json
from passeport.contexts import bundled_loader, canonicalize_nquads
from passeport.did import public_to_jwk
from passeport.issuer.templates import render
from passeport.proofs import sd_primitives as sd
from passeport.proofs._sd_proof_value import (
    BaseProofValue,
    DerivedProofValue,
    parse_proof_value,
    serialize_proof_value,
)
from passeport.proofs.ecdsa_sd import ECDSA_SD_2023, derive
from passeport.proofs.engine import ProofOptions, add_proof
from passeport.proofs.sdjwt import default_disclosable, issue_sd_jwt, present_sd_jwt
from passeport.proofs.shown import always_shown
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment, Policy, TrustList, VerificationResult, verify_credential
from passeport.verifier import verify_presentation as verify_vp
from passeport.verifier.result import Outcome
from tests.conftest import FIXED_NOW, ROOT
from tests.wallet._helpers import FAST_KDF, PASSPHRASE, ed25519, p256

NOW: Final = FIXED_NOW
ISSUED: Final = NOW - timedelta(days=1)
CERTIFIER: Final = p256(31)  # signs ecdsa-sd-2023 and SD-JWT
HOLDER: Final = ed25519(32)
CHALLENGE, DOMAIN = "offre-7", "rh.example"
ACHIEVEMENT: Final = "/credentialSubject/achievement"
NAME: Final = f"{ACHIEVEMENT}/name"
# Pointers into the template's diploma: alignment 0 is the RNCP fiche, 1 the EQF level
# (code "6"), 2.. the blocs de compétences (RNCP35288BC01...).
CODE: Final = f"{ACHIEVEMENT}/alignment/0/targetCode"
LEVEL: Final = f"{ACHIEVEMENT}/alignment/1/targetCode"


def _diploma(subject: str = HOLDER.controller) -> dict[str, Any]:
    """The example diploma (RNCP35288) as the issuer's template renders it, unsigned."""
    data = json.loads((ROOT / "examples" / "issuer" / "diploma.json").read_text("utf-8"))
    data["holder"]["id"] = subject
    return render(
        "diploma",
        data,
        issuer={"id": CERTIFIER.controller, "name": "Université Exemple"},
        credential_id="urn:uuid:5b0c1f6e-2d4a-4c3b-9e8f-000000000010",
        issued_at=ISSUED,
    )


UNSIGNED: Final = _diploma()
SIGNED: Final = sign_document(
    UNSIGNED,
    CERTIFIER,
    suite="ecdsa-sd-2023",
    mandatory=always_shown(UNSIGNED),
    created=ISSUED,
)


def _trust(codes: list[str] | None = None, types: list[str] | None = None) -> TrustList:
    entry: dict[str, Any] = {"did": CERTIFIER.controller, "name": "Université Exemple"}
    if codes is not None:
        entry["codes"] = codes
    if types is not None:
        entry["types"] = types
    return TrustList.from_json({"name": "Recruteur", "issuers": [entry]})


OTHER_CODE: Final = _trust(["RNCP00001"], ["OpenBadgeCredential"])  # the issue's trust list
RIGHT_CODE: Final = _trust(["RNCP35288"], ["OpenBadgeCredential"])


def _verify(document: Any, trust: TrustList, **policy: Any) -> VerificationResult:
    return verify_credential(document, policy=Policy(trust=trust, at=NOW, **policy))


def _failed(result: VerificationResult) -> set[str]:
    return {c.code for c in result.failures()}


def _withheld(result: VerificationResult) -> list[str]:
    return [
        c.message
        for c in result.failures()
        if c.code == "trust.code" and "discloses no certification code" in c.message
    ]


# --- ecdsa-sd-2023 ------------------------------------------------------------------------------


def test_the_whole_diploma_is_not_accredited_for_its_code() -> None:
    whole = derive(SIGNED, ["/credentialSubject"])
    result = _verify(whole, OTHER_CODE)
    assert _failed(result) == {"trust.code"}, result.failures()
    assert any("RNCP35288" in c.message for c in result.failures())
    assert result.summary["standing"] == "not-accredited"
    accredited = _verify(whole, RIGHT_CODE)
    assert accredited.verified, accredited.failures()
    assert accredited.summary["standing"] == "accredited"


@pytest.mark.parametrize(
    "reveal",
    [
        [NAME],  # the issue's attack: the title, no code
        [NAME, LEVEL],  # a code-shaped value that is no certification code ("6")
        [f"{ACHIEVEMENT}/achievementType", f"{ACHIEVEMENT}/description"],
        ["/credentialSubject/identifier/0/identityHash"],  # no achievement shown at all
    ],
    ids=["title", "title-and-level", "type-and-description", "no-achievement"],
)
@pytest.mark.parametrize("trust", [OTHER_CODE, RIGHT_CODE], ids=["other-code", "right-code"])
def test_a_derived_diploma_hiding_its_code_is_never_accredited(
    reveal: list[str], trust: TrustList
) -> None:
    shown = derive(SIGNED, reveal)
    assert "RNCP35288" not in json.dumps({k: v for k, v in shown.items() if k != "proof"})
    result = _verify(shown, trust)
    assert not result.verified
    assert _failed(result) == {"trust.code"}, result.failures()
    assert _withheld(result), result.failures()
    assert result.summary["standing"] == "not-accredited"
    passed = {c.code for c in result.checks if c.outcome is Outcome.PASSED}
    assert {"proof.signature", "trust.issuer", "trust.type"} <= passed  # genuine, not forged


@pytest.mark.parametrize(
    ("pointer", "read_at"),
    [
        (CODE, CODE),
        (f"{ACHIEVEMENT}/alignment/0/targetUrl", f"{ACHIEVEMENT}/alignment/0/targetUrl"),
        # a bloc (RNCP35288BC01), alone in the disclosed alignments
        (f"{ACHIEVEMENT}/alignment/2/targetCode", f"{ACHIEVEMENT}/alignment/0/targetCode"),
        (f"{ACHIEVEMENT}/humanCode", f"{ACHIEVEMENT}/humanCode"),
        (f"{ACHIEVEMENT}/criteria", f"{ACHIEVEMENT}/criteria/id"),
    ],
)
def test_a_derived_diploma_revealing_its_code_is_judged_on_it(pointer: str, read_at: str) -> None:
    shown = derive(SIGNED, [NAME, pointer])
    accredited = _verify(shown, RIGHT_CODE)
    assert accredited.verified, accredited.failures()
    assert accredited.summary["standing"] == "accredited"
    [code_check] = [c for c in accredited.checks if c.code == "trust.code"]
    assert "RNCP35288" in code_check.message and code_check.pointer == read_at
    refused = _verify(shown, OTHER_CODE)
    assert _failed(refused) == {"trust.code"}
    assert not _withheld(refused)  # refused for the code it shows, not for hiding one
    assert refused.summary["standing"] == "not-accredited"


@pytest.mark.parametrize("pointer", [f"{ACHIEVEMENT}/humanCode", f"{ACHIEVEMENT}/criteria"])
def test_an_issuer_accredited_for_no_code_is_refused_each_code_it_shows(pointer: str) -> None:
    no_codes = _trust(None, ["OpenBadgeCredential"])
    assert _failed(_verify(derive(SIGNED, ["/credentialSubject"]), no_codes)) == {"trust.code"}
    shown = derive(SIGNED, [NAME, pointer])  # the code only where the trust check once did not look
    result = _verify(shown, no_codes)
    assert _failed(result) == {"trust.code"} and not _withheld(result)
    assert result.summary["standing"] == "not-accredited"


def test_the_wallet_presentation_of_the_issue_hides_the_code_and_is_not_accredited(
    tmp_path: Path,
) -> None:
    """``wallet present ID --reveal .../achievement/name``, then ``verify --trust``."""
    from passeport.wallet import Wallet, add, present

    wallet = Wallet.create(tmp_path / "w.sqlite", PASSPHRASE, key=HOLDER, kdf=FAST_KDF)
    [outcome] = add(
        wallet, [("diploma.json", dump_json(SIGNED))], env=Environment(clock=lambda: NOW)
    )
    assert outcome.status == "added", outcome
    held = str(outcome.id)

    def presented(reveal: list[str]) -> VerificationResult:
        vp = present(
            wallet, [held], reveal=reveal, challenge=CHALLENGE, domain=DOMAIN, now=NOW
        ).document
        policy = Policy(trust=OTHER_CODE, at=NOW, challenge=CHALLENGE, domain=DOMAIN)
        return verify_vp(vp, policy=policy)

    hidden = presented([NAME])
    assert not hidden.verified
    assert _failed(hidden) == {"trust.code"}, hidden.failures()
    credentials: Any = hidden.summary["credentials"]
    assert credentials[0]["standing"] == "not-accredited"
    assert _withheld(hidden)
    shown = presented([NAME, CODE])
    assert _failed(shown) == {"trust.code"} and not _withheld(shown)
    assert any("RNCP35288" in c.message for c in shown.failures())


# --- types ----------------------------------------------------------------------------------------


def _derive_leaving_out(secured: dict[str, Any], reveal: list[str], hidden: str) -> dict[str, Any]:
    """Derive as ecdsa-sd-2023 does, but leave out the statements containing ``hidden``.

    A holder holds a signature for every non-mandatory statement, so they can
    disclose any subset of them, even one the reference selection (which keeps
    the types along each path) would not produce. Here: the credential's type.
    """
    loader = bundled_loader()
    parsed = parse_proof_value(secured["proof"]["proofValue"])
    assert isinstance(parsed, BaseProofValue)
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    mandatory = list(parsed.mandatory_pointers)
    combined = mandatory + reveal
    grouping = sd.canonicalize_and_group(
        unsecured,
        sd.hmac_label_map_function(parsed.hmac_key, hash_name="sha256"),
        {"mandatory": mandatory, "selective": reveal, "combined": combined},
        loader,
        hash_name="sha256",
    )
    groups = grouping.groups
    kept = [i for i, line in groups["combined"].matching.items() if hidden not in line]
    assert len(kept) == len(groups["combined"].matching) - 1
    assert not any(hidden in line for line in groups["mandatory"].matching.values())
    signatures = tuple(
        signature
        for signature, absolute in zip(
            parsed.signatures, groups["mandatory"].non_matching, strict=True
        )
        if absolute in groups["selective"].matching and absolute in kept
    )
    mandatory_indexes = tuple(
        relative
        for relative, absolute in enumerate(kept)
        if absolute in groups["mandatory"].matching
    )
    lines = [line for line in groups["combined"].deskolemized if hidden not in line]
    canonical = canonicalize_nquads("".join(lines), hash_name="sha256")
    label_map = {v: grouping.label_map[k] for k, v in canonical.labels.items()}
    value = DerivedProofValue(
        parsed.base_signature, parsed.public_key, signatures, label_map, mandatory_indexes
    )
    document: dict[str, Any] = sd.select_json_ld(unsecured, combined) or {}
    document["type"] = [t for t in document["type"] if t != hidden.strip("#>")]
    document["proof"] = {**secured["proof"], "proofValue": serialize_proof_value(value)}
    return document


def test_hiding_the_credential_type_does_not_escape_a_type_restriction() -> None:
    # A foreign ecdsa-sd-2023 issuer that, unlike ours (proofs.sign), lets the holder hide
    # /type: the spec's algorithm alone, with no mandatory pointer.
    options = ProofOptions(created=ISSUED)
    signed = add_proof(UNSIGNED, suite=ECDSA_SD_2023, signer=CERTIFIER, options=options)
    endorsements_only = _trust(["RNCP35288"], ["EndorsementCredential"])
    reveal = ["/issuer", CODE]
    whole = _verify(derive(signed, reveal), endorsements_only)
    assert _failed(whole) == {"trust.type"}
    shown = _derive_leaving_out(signed, reveal, "#OpenBadgeCredential>")
    assert shown["type"] == ["VerifiableCredential"]
    result = _verify(shown, endorsements_only)
    assert "proof.signature" not in _failed(result)  # the disclosure is genuine
    assert _failed(result) == {"trust.type"}, result.failures()
    [check] = [c for c in result.checks if c.code == "trust.type"]
    assert "discloses no type that Université Exemple may attest" in check.message
    assert result.summary["standing"] == "not-accredited"


# --- SD-JWT VC ------------------------------------------------------------------------------------


def _sd_jwt(reveal: list[str]) -> str:
    issued = issue_sd_jwt(
        UNSIGNED,
        CERTIFIER,
        disclosable=default_disclosable(UNSIGNED),
        holder_jwk=public_to_jwk(HOLDER.public_key),
        issued_at=ISSUED,
    )
    return present_sd_jwt(
        issued, reveal, holder_key=HOLDER, nonce=CHALLENGE, audience=DOMAIN, issued_at=NOW
    )


@pytest.mark.parametrize(
    "reveal", [[NAME], ["/credentialSubject/identifier/0"]], ids=["title", "no-achievement"]
)
@pytest.mark.parametrize("trust", [OTHER_CODE, RIGHT_CODE], ids=["other-code", "right-code"])
def test_an_sd_jwt_withholding_its_code_is_never_accredited(
    reveal: list[str], trust: TrustList
) -> None:
    result = _verify(_sd_jwt(reveal), trust, challenge=CHALLENGE, domain=DOMAIN)
    assert _failed(result) == {"trust.code"}, result.failures()
    assert _withheld(result)
    assert result.summary["standing"] == "not-accredited"


def test_an_sd_jwt_disclosing_its_code_is_judged_on_it() -> None:
    token = _sd_jwt([NAME, CODE])
    accredited = _verify(token, RIGHT_CODE, challenge=CHALLENGE, domain=DOMAIN)
    assert accredited.verified, accredited.failures()
    assert accredited.summary["standing"] == "accredited"
    refused = _verify(token, OTHER_CODE, challenge=CHALLENGE, domain=DOMAIN)
    assert _failed(refused) == {"trust.code"} and not _withheld(refused)


def test_the_disclosed_credential_is_what_is_judged() -> None:
    """On the plain JSON: without its alignments the diploma loses its accreditation."""
    hidden = copy.deepcopy(UNSIGNED)
    achievement = hidden["credentialSubject"]["achievement"]
    for key in ("alignment", "humanCode", "criteria"):
        achievement.pop(key, None)
    from passeport.verifier.trust import standing

    assert standing(UNSIGNED, RIGHT_CODE, now=NOW) == "accredited"
    assert standing(hidden, RIGHT_CODE, now=NOW) == "not-accredited"
    assert standing(hidden, _trust(None, None), now=NOW) == "accredited"  # no code to show
