"""The validity period of a credential (VC 2.0 validFrom/validUntil, VC 1.1 dates).

Specs: https://www.w3.org/TR/vc-data-model-2.0/#validity-period and
https://www.w3.org/TR/vc-data-model-1.1/#expiration .
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from passeport.errors import InputError
from passeport.proofs.engine import parse_datetime
from passeport.proofs.model import is_date_time_stamp
from passeport.proofs.outcome import Outcome
from passeport.verifier.env import Policy
from passeport.verifier.result import Check

__all__ = ["VC_V1", "VC_V2", "credential_version", "validity_checks"]

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"


def credential_version(document: Mapping[str, Any]) -> str | None:
    """Return "2.0" or "1.1" after the document's first ``@context``, or None for neither."""
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    return {VC_V2: "2.0", VC_V1: "1.1"}.get(first) if isinstance(first, str) else None


def validity_checks(
    document: Mapping[str, Any],
    version: str | None,
    policy: Policy,
    now: datetime,
    credential: int | None,
    base: str,
) -> list[Check]:
    """Check the validity period of a credential at ``now``, within the policy's clock skew.

    VC 2.0 uses ``validFrom``/``validUntil``; VC 1.1 (``version`` "1.1")
    ``issuanceDate`` (required) and ``expirationDate``. Unreadable dates, and
    VC 2.0 dates that are not ``dateTimeStamp`` values (no time zone), are
    ``validity.malformed``; otherwise the credential is ``validity.not_yet_valid``,
    ``validity.expired`` or passes ``validity.period``. ``credential`` and
    ``base`` place the checks inside a presentation.
    """
    start_key, end_key = (
        ("issuanceDate", "expirationDate") if version == "1.1" else ("validFrom", "validUntil")
    )
    checks: list[Check] = []
    start = end = None
    for key in (start_key, end_key):
        if key not in document:
            continue
        try:
            if version != "1.1" and not is_date_time_stamp(document[key]):
                # VC 2.0 4.9: an XML Schema dateTimeStamp, its time zone included.
                raise InputError(
                    f"{str(document[key])[:60]!r} is not an XML Schema dateTimeStamp "
                    '(like "2025-07-01T00:00:00Z": a date, a "T", a time and a time zone)'
                )
            moment = parse_datetime(document[key], pointer=f"{base}/{key}")
        except InputError as exc:
            checks.append(
                Check(
                    "validity.malformed", Outcome.FAILED, exc.message, credential, f"{base}/{key}"
                )
            )
            continue
        if key == start_key:
            start = moment
        else:
            end = moment
    if version == "1.1" and start_key not in document:
        checks.append(
            Check(
                "validity.malformed",
                Outcome.FAILED,
                "a VC 1.1 credential needs an issuanceDate",
                credential,
                f"{base}/{start_key}",
            )
        )
    skew = policy.max_clock_skew
    if start is not None and start - now > skew:
        checks.append(
            Check(
                "validity.not_yet_valid",
                Outcome.FAILED,
                f"not valid before {document[start_key]}",
                credential,
                f"{base}/{start_key}",
            )
        )
    if end is not None and now - end > skew:
        checks.append(
            Check(
                "validity.expired",
                Outcome.FAILED,
                f"expired on {document[end_key]}",
                credential,
                f"{base}/{end_key}",
            )
        )
    if not checks:
        span = " to ".join(str(document[k]) for k in (start_key, end_key) if k in document)
        message = (
            f"valid at the time of verification ({span})" if span else "no validity period stated"
        )
        checks.append(Check("validity.period", Outcome.PASSED, message, credential, base or None))
    return checks
