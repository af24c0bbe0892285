"""A context that redefines a protected term is refused, whichever comes first.

JSON-LD 1.1 refuses a context that redefines a protected term, and pyld did
so when the protected definition came first. It did not when it came after:
a document defining ``issuer`` (or ``credentialSubject``, ``validUntil``...)
its own way before the type-scoped context of ``VerifiableCredential``
protects its own lost the redefinition without a word, so a credential
could carry a context that says one thing to a reader of its JSON and
another to its signature, and still verify. VC Data Model 2.0 asks for an
error whenever a context redefines a term a protected definition holds.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pytest

from passeport.contexts import bundled_loader, canonicalize, expand
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import ContextError
from passeport.proofs.sign import sign_document
from passeport.verifier import Policy, verify_credential
from tests.conftest import FIXED_NOW

VC_V2: Final = "https://www.w3.org/ns/credentials/v2"
ISSUER: Final = KeyPair.from_private_key(
    PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([61]) * 32)
)
CREATED: Final = datetime(2026, 1, 10, tzinfo=UTC)

# Terms the VerifiableCredential type-scoped context protects, each defined elsewhere.
TYPE_SCOPED: Final[dict[str, Any]] = {
    "issuer": {"@id": "https://evil.example/issuer", "@type": "@id"},
    "credentialSubject": {"@id": "https://evil.example/about", "@type": "@id"},
    "validUntil": {"@id": "https://evil.example/until"},
    "credentialStatus": {"@id": "https://evil.example/status", "@type": "@id"},
    "evidence": "https://evil.example/evidence",
}


def _document(extra: Any = None) -> dict[str, Any]:
    contexts: list[Any] = [VC_V2] if extra is None else [VC_V2, extra]
    return {
        "@context": contexts,
        "id": "urn:uuid:7d3b1e4c-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential"],
        "issuer": ISSUER.controller,
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2030-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:camille", "name": "Camille Martin"},
    }


def _plain(text: str) -> None:
    """A sentence: no pyld tuple repr, type line or details dump."""
    assert "('" not in text and "Type:" not in text and "Details:" not in text
    assert "\n" not in text


@pytest.mark.parametrize("term", sorted(TYPE_SCOPED))
def test_a_term_the_credential_type_protects_cannot_be_defined_before_it(term: str) -> None:
    document = _document({term: TYPE_SCOPED[term]})
    for action in (expand, canonicalize):
        with pytest.raises(ContextError) as caught:
            action(document, bundled_loader())
        _plain(str(caught.value))
        assert f'tried to redefine a protected term ("{term}")' in caught.value.message


def test_a_top_level_protected_term_is_still_refused_and_named() -> None:
    with pytest.raises(ContextError) as caught:
        expand(_document({"name": "https://evil.example/name"}), bundled_loader())
    _plain(str(caught.value))
    assert 'tried to redefine a protected term ("name")' in caught.value.message


def test_a_type_of_ones_own_cannot_redefine_a_protected_term_either() -> None:
    # "Diplome" sorts before "VerifiableCredential": its scoped context is applied first.
    document = _document(
        {"Diplome": {"@id": "https://evil.example/Diplome", "@context": TYPE_SCOPED}}
    )
    document["type"] = ["VerifiableCredential", "Diplome"]
    with pytest.raises(ContextError, match="tried to redefine a protected term"):
        expand(document, bundled_loader())


def test_the_same_definition_again_is_no_redefinition() -> None:
    same = {"issuer": {"@id": "https://www.w3.org/2018/credentials#issuer", "@type": "@id"}}
    assert expand(_document(same), bundled_loader()).expanded == (
        expand(_document(), bundled_loader()).expanded
    )


def test_signing_refuses_it() -> None:
    with pytest.raises(ContextError, match=r"tried to redefine a protected term \(\"issuer\"\)"):
        sign_document(_document({"issuer": TYPE_SCOPED["issuer"]}), ISSUER, created=CREATED)


def _signed_then_redefined(term: str) -> dict[str, Any]:
    """A credential signed as it should be, then given a context that redefines ``term``.

    The RDF-canonicalized signature covers what the protected definitions say,
    which the added context did not change: it verified.
    """
    signed = sign_document(_document(), ISSUER, created=CREATED)
    tampered: dict[str, Any] = copy.deepcopy(dict(signed))
    tampered["@context"] = [VC_V2, {term: TYPE_SCOPED[term]}]
    return tampered


@pytest.mark.parametrize("term", sorted(TYPE_SCOPED))
def test_a_signed_credential_given_such_a_context_fails_verification(term: str) -> None:
    signed = sign_document(_document(), ISSUER, created=CREATED)
    assert verify_credential(signed, policy=Policy(at=FIXED_NOW)).verified
    result = verify_credential(_signed_then_redefined(term), policy=Policy(at=FIXED_NOW))
    assert not result.verified
    failures = result.failures()
    for check in failures:
        _plain(check.message)
    assert any(f'protected term ("{term}")' in check.message for check in failures), failures


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "passeport", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
        env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"},
    )


def test_the_command_line_refuses_to_sign_it_and_fails_to_verify_it(tmp_path: Path) -> None:
    (tmp_path / "key.json").write_text(json.dumps(ISSUER.to_document(include_secret=True)))
    unsigned = _document({"issuer": TYPE_SCOPED["issuer"]})
    (tmp_path / "unsigned.json").write_text(json.dumps(unsigned))
    signing = _run("sign", "unsigned.json", "--key", "key.json", cwd=tmp_path)
    assert signing.returncode == 2, signing.stderr
    [line] = signing.stderr.strip().splitlines()
    assert line.startswith("passeport: unsigned.json: ")
    assert line.endswith(
        'tried to redefine a protected term ("issuer") (protected term redefinition)'
    )
    (tmp_path / "tampered.json").write_text(json.dumps(_signed_then_redefined("issuer")))
    checking = _run("verify", "tampered.json", "--offline", "--lang", "en", cwd=tmp_path)
    assert checking.returncode == 1, checking.stdout + checking.stderr
    assert "Traceback" not in checking.stderr and "('" not in checking.stdout


@pytest.mark.parametrize(
    ("status_context", "entry"),
    [
        ("https://w3id.org/vc/status-list/2021/v1", "StatusList2021Entry"),
        ("https://www.w3.org/ns/credentials/status/v1", "BitstringStatusListEntry"),
    ],
)
def test_vc_1_1_keeps_json_ld_own_rule_for_its_common_contexts(
    status_context: str, entry: str
) -> None:
    # The 1.1 examples (with ODRL) and the status contexts overlap with the protected
    # type-scoped definitions, which win as JSON-LD says; other implementations read
    # these credentials, so must we (their signed meaning is what the verifier reads).
    document = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://www.w3.org/2018/credentials/examples/v1",
            status_context,
        ],
        "type": ["VerifiableCredential"],
        "issuer": "did:example:issuer",
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:2", "degree": {"type": "BachelorDegree"}},
        "credentialStatus": {
            "id": "https://status.example/1#4",
            "type": entry,
            "statusPurpose": "revocation",
            "statusListIndex": "4",
            "statusListCredential": "https://status.example/1",
        },
    }
    assert expand(document, bundled_loader()).expanded
