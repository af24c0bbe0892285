"""Trust lists wired into the pipeline and the CLI: accredited, not accredited, self-declared."""

from __future__ import annotations

import json
from pathlib import Path

from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs.sign import sign_document
from passeport.verifier import Policy, TrustList, verify_credential
from tests.cli.test_cli import SAMPLE, run

ISSUER = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([21]) * 32))
SIGNED = sign_document(json.loads(SAMPLE.read_text()), ISSUER)


def _trust(codes: list[str], did: str = ISSUER.controller) -> TrustList:
    return TrustList.from_json(
        {"name": "Recruteur", "issuers": [{"did": did, "name": "AFPA Exemple", "codes": codes}]}
    )


def test_accredited_issuer_for_the_code() -> None:
    result = verify_credential(SIGNED, policy=Policy(trust=_trust(["RNCP37674"])))
    assert result.verified, result.failures()
    assert result.summary["standing"] == "accredited"
    assert {"trust.issuer", "trust.code"} <= {c.code for c in result.checks}


def test_issuer_not_accredited_for_the_code_is_untrusted_not_forged() -> None:
    result = verify_credential(SIGNED, policy=Policy(trust=_trust(["RNCP99999"])))
    assert not result.verified
    failed = {c.code for c in result.failures()}
    assert failed == {"trust.code"}
    assert result.summary["standing"] == "not-accredited"


def test_issuer_absent_from_the_trust_list() -> None:
    result = verify_credential(
        SIGNED, policy=Policy(trust=_trust(["RNCP37674"], "did:web:x.example"))
    )
    assert {c.code for c in result.failures()} == {"trust.issuer"}


def test_without_a_trust_list_accreditation_is_not_checked() -> None:
    result = verify_credential(SIGNED)
    assert result.verified
    assert result.summary["standing"] == "unknown"
    assert not any(c.code.startswith("trust.") for c in result.checks)


def test_cli_trust_option(tmp_path: Path) -> None:
    (tmp_path / "vc.json").write_text(json.dumps(SIGNED))
    (tmp_path / "trust.json").write_text(
        json.dumps(
            {
                "name": "Recruteur",
                "issuers": [
                    {"did": ISSUER.controller, "name": "AFPA Exemple", "codes": ["RNCP37674"]}
                ],
            }
        )
    )
    ok = run("verify", "vc.json", "--trust", "trust.json", "--offline", cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout
    assert "organisme accrédité pour cette certification : authentique" in ok.stdout
    (tmp_path / "bad-trust.json").write_text('{"name": "x", "issuers": [{"did": 3}]}')
    bad = run("verify", "vc.json", "--trust", "bad-trust.json", cwd=tmp_path)
    assert bad.returncode == 2 and "bad-trust.json" in bad.stderr


def _declaration() -> dict[str, object]:
    """A credential the holder signed about themselves."""
    unsigned = json.loads(SAMPLE.read_text())
    unsigned.pop("issuer", None)
    unsigned["credentialSubject"]["id"] = ISSUER.controller
    return dict(sign_document(unsigned, ISSUER))


def test_a_self_issued_credential_fails_a_trust_list_by_default() -> None:
    result = verify_credential(_declaration(), policy=Policy(trust=_trust(["RNCP37674"])))
    assert not result.verified
    assert {c.code for c in result.failures()} == {"trust.self_issued"}
    assert result.summary["standing"] == "self-declared"


def test_a_policy_may_accept_self_issued_credentials_as_declarations() -> None:
    policy = Policy(trust=_trust(["RNCP37674"]), accept_self_issued=True)
    result = verify_credential(_declaration(), policy=policy)
    assert result.verified, result.failures()
    [check] = [c for c in result.checks if c.code.startswith("trust.")]
    assert check.code == "trust.self_issued" and "accepted as a declaration" in check.message
    assert result.summary["standing"] == "self-declared"  # never shown as accredited


def test_cli_shows_a_declaration_apart_and_may_accept_it(tmp_path: Path) -> None:
    (tmp_path / "vc.json").write_text(json.dumps(_declaration()))
    trust = {"name": "Recruteur", "issuers": [{"did": "did:web:x.example", "name": "X"}]}
    (tmp_path / "trust.json").write_text(json.dumps(trust))
    refused = run("verify", "vc.json", "--trust", "trust.json", "--offline", cwd=tmp_path)
    assert refused.returncode == 1 and "DÉCLARATION du titulaire" in refused.stdout
    accepted = run(
        "verify", "vc.json", "--trust", "trust.json", "--accept-self-issued", cwd=tmp_path
    )
    assert accepted.returncode == 0, accepted.stdout
    assert "(déclaré par le titulaire lui-même)" in accepted.stdout
    assert "organisme accrédité" not in accepted.stdout


def test_cli_prints_what_a_credential_says_as_text_not_markup(tmp_path: Path) -> None:
    unsigned = json.loads(SAMPLE.read_text())
    unsigned["issuer"] = {"id": ISSUER.controller, "name": "[/b] Evil [bold]Corp"}
    (tmp_path / "vc.json").write_text(json.dumps(sign_document(unsigned, ISSUER)))
    result = run("verify", "vc.json", "--offline", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[/b] Evil [bold]Corp" in result.stdout
