"""VC Data Model 1.1 JWTs: the credential or presentation rebuilt from the JWT claims.

Spec: https://www.w3.org/TR/vc-data-model-1.1/#jwt-decoding (6.3.1.2): the
``vc`` (``vp``) claim is the document; ``iss`` sets ``issuer`` (``holder``),
``nbf`` ``issuanceDate``, ``exp`` ``expirationDate``, ``jti`` ``id`` and
``sub`` ``credentialSubject.id``. Private to :mod:`proofs.jose`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from passeport._json import JsonObject
from passeport.errors import InputError
from passeport.proofs._jws import numeric_date
from passeport.proofs.checks import ProofOutcome
from passeport.proofs.dates import format_datetime, parse_datetime
from passeport.proofs.outcome import Outcome

__all__ = ["decode_vc11"]


def _fail(code: str, message: str) -> ProofOutcome:
    return ProofOutcome(code, Outcome.FAILED, message, None, "vc-jwt", None)


def _same_instant(existing: Any, moment: datetime) -> bool:
    try:
        return int(parse_datetime(existing).timestamp()) == int(moment.timestamp())
    except InputError:
        return False


def decode_vc11(
    claims: Mapping[str, Any], kind: str
) -> tuple[JsonObject | None, list[ProofOutcome]]:
    """Rebuild the credential (``kind`` "credential") or presentation of a VC 1.1 JWT.

    Returns None and a failed outcome when the ``vc``/``vp`` claim is not an
    object; a JWT claim that contradicts the member it sets is a failed
    ``proof.claims`` outcome (the claim wins, as the spec says it sets it).
    """
    # VC-DATA-MODEL-1.1 6.3.1.2 step 1-2: a new object with the vc (vp) claim's content.
    inner = claims.get("vp" if kind == "presentation" else "vc")
    if not isinstance(inner, dict):
        return None, [_fail("proof.malformed", f"the {kind} claim is not a JSON object")]
    document: JsonObject = copy.deepcopy(inner)
    outcomes: list[ProofOutcome] = []

    def conflict(claim: str, member: str, value: Any, existing: Any) -> None:
        message = f'JWT claim "{claim}" is {value!r} but the {kind} says {member} is {existing!r}'
        outcomes.append(_fail("proof.claims", message[:300]))

    # Step 3: the JWT claims set the members they stand for.
    if "iss" in claims:
        member = "holder" if kind == "presentation" else "issuer"
        current = document.get(member)
        if isinstance(current, dict):
            if "id" in current and current["id"] != claims["iss"]:
                conflict("iss", f"{member}.id", claims["iss"], current["id"])
            current["id"] = claims["iss"]
        else:
            if current is not None and current != claims["iss"]:
                conflict("iss", member, claims["iss"], current)
            document[member] = claims["iss"]
    if "jti" in claims:
        if "id" in document and document["id"] != claims["jti"]:
            conflict("jti", "id", claims["jti"], document["id"])
        document["id"] = claims["jti"]
    if kind == "credential":
        for claim, member in (("nbf", "issuanceDate"), ("exp", "expirationDate")):
            if claim not in claims:
                continue
            try:
                moment = numeric_date(claims[claim], name=claim)
            except InputError as exc:
                outcomes.append(_fail("proof.malformed", exc.message))
                continue
            if member in document and not _same_instant(document[member], moment):
                conflict(claim, member, format_datetime(moment), document[member])
            document[member] = format_datetime(moment)
        if "sub" in claims:
            subject = document.get("credentialSubject")
            if isinstance(subject, dict):
                if "id" in subject and subject["id"] != claims["sub"]:
                    conflict("sub", "credentialSubject.id", claims["sub"], subject["id"])
                subject["id"] = claims["sub"]
            elif subject is None:
                document["credentialSubject"] = {"id": claims["sub"]}
            else:
                outcomes.append(
                    _fail("proof.claims", 'JWT claim "sub" cannot name several subjects')
                )
    return document, outcomes
