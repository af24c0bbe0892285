"""A credential its own presenter signed is a declaration, whatever its subject says.

A holder may sign a credential with no subject id (or about another DID) and
present it: its issuer is then the presenter, and the verdict must never show
it as guaranteed by a known issuer, with or without a trust list.
"""

from __future__ import annotations

from typing import Any

import pytest

from passeport.proofs.sign import sign_document
from passeport.verifier import Policy, TrustList, verify_presentation
from tests.verifier.test_holder_optional import (
    EXAMPLES_V2,
    HOLDER,
    ISSUER,
    NOW,
    POLICY,
    SIGNED_AT,
    VC_V2,
    _presentation,
)


def _own(subject: dict[str, Any]) -> dict[str, Any]:
    document = {
        "@context": [VC_V2, EXAMPLES_V2],
        "type": ["VerifiableCredential"],
        "issuer": HOLDER.controller,
        "validFrom": "2025-07-01T00:00:00Z",
        "credentialSubject": subject,
    }
    return dict(sign_document(document, HOLDER, created=SIGNED_AT))


@pytest.mark.parametrize(
    "subject", [{"name": "Camille"}, {"id": "did:example:someone", "name": "Camille"}]
)
def test_a_credential_the_presenter_signed_is_declared_not_guaranteed(
    subject: dict[str, Any],
) -> None:
    result = verify_presentation(_presentation(_own(subject), signer=HOLDER), policy=POLICY)
    (summary,) = result.summary["credentials"]
    assert summary["standing"] == "self-declared"
    assert result.credentials[0].facts is not None
    assert str(result.credentials[0].facts.guarantee) != "guaranteed"
    trusting = Policy(
        at=NOW,
        challenge="offre-42",
        domain="rh.example",
        trust=TrustList.from_json(
            {"name": "rh", "issuers": [{"did": ISSUER.controller, "name": "Université"}]}
        ),
    )
    judged = verify_presentation(_presentation(_own(subject), signer=HOLDER), policy=trusting)
    assert not judged.verified
    assert any(c.code == "trust.self_issued" for c in judged.failures())
