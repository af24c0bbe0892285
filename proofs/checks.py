"""Checks shared by every proof: options (dates, challenge, domain) and the signing key.

Spec: https://www.w3.org/TR/vc-data-integrity/#verify-proof (4.4 steps 10-12
for the options; the verification method must belong to the expected
controller and be listed under the proof purpose's relationship).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from passeport._json import JsonObject
from passeport.did.resolve import DidResolver, VerificationMethod
from passeport.errors import InputError, KeyFormatError, ResolutionError
from passeport.proofs.dates import parse_datetime, utc_now
from passeport.proofs.outcome import Outcome

__all__ = [
    "ProofExpectation",
    "ProofOutcome",
    "Verified",
    "check_options",
    "fail",
    "resolve_method",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProofExpectation:
    """What a verifier expects of the proofs of one document.

    A proof for ``authentication`` (a holder's presentation), or any proof
    when ``max_age`` is set, gets a ``presentation.age`` check: how long
    before ``now`` it was ``created``, failed beyond ``max_age`` (or when
    undated while ``max_age`` is set); ``None`` bounds the age only by the
    proof's own ``expires``.
    """

    proof_purpose: str = "assertionMethod"
    controller: str | None = None  # the issuer (credential) or holder (presentation)
    challenge: str | None = None
    domain: str | None = None
    now: datetime = field(default_factory=utc_now)
    max_clock_skew: timedelta = timedelta(minutes=5)
    suites: frozenset[str] | None = None  # None: every suite the caller passes
    max_age: timedelta | None = None


@dataclass(frozen=True, slots=True)
class ProofOutcome:
    """One check about one proof: a stable code, an outcome and a sentence."""

    code: str
    outcome: Outcome
    message: str
    pointer: str | None = None
    cryptosuite: str | None = None
    verification_method: str | None = None


@dataclass(frozen=True, slots=True)
class Verified:
    """What verifying a secured credential or presentation found, with the document inside.

    ``document`` is what was secured (for an enveloping form, the payload
    without the envelope's own claims), present whenever it could be read,
    even if a check failed: read the outcomes before trusting it. ``form``
    names what was read (a media type such as ``vc+jwt``, or a suite name);
    ``json_ld`` says whether the document is a VC 2.0 JSON-LD document that
    must expand without undefined terms; ``verification_method`` is the key
    that signed, once resolved (the verifier checks it belongs to the party
    the document names).
    """

    outcomes: tuple[ProofOutcome, ...]
    document: JsonObject | None
    form: str | None
    json_ld: bool = False
    verification_method: str | None = None


def fail(code: str, message: str, pointer: str, proof: Mapping[str, Any]) -> ProofOutcome:
    """Return a failed outcome about ``proof`` (its cryptosuite and method kept when strings)."""
    return ProofOutcome(
        code,
        Outcome.FAILED,
        message,
        pointer,
        _str_or_none(proof.get("cryptosuite")),
        _str_or_none(proof.get("verificationMethod")),
    )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _domain_matches(value: Any, expected: str) -> bool:
    if isinstance(value, list):
        return expected in value
    return bool(value == expected)


def check_options(
    proof: Mapping[str, Any], expect: ProofExpectation, where: str
) -> list[ProofOutcome]:
    """Check a proof's dates, challenge and domain against ``expect``; one outcome per finding.

    ``created`` in the future and ``expires`` in the past fail (beyond the
    clock skew); ``challenge`` and ``domain`` pass or fail only when
    ``expect`` names them. ``where`` is the proof's JSON pointer.
    """
    results: list[ProofOutcome] = []
    for member in ("created", "expires"):
        if member not in proof:
            continue
        try:
            moment = parse_datetime(proof[member])
        except InputError as exc:
            results.append(fail("proof.malformed", exc.message, f"{where}/{member}", proof))
            continue
        if member == "expires" and expect.now - moment > expect.max_clock_skew:
            results.append(
                fail(
                    "proof.expired",
                    f"the proof expired at {proof[member]}",
                    f"{where}/expires",
                    proof,
                )
            )
        if member == "created" and moment - expect.now > expect.max_clock_skew:
            results.append(
                fail(
                    "proof.created",
                    f"the proof claims to be created in the future ({proof[member]})",
                    f"{where}/created",
                    proof,
                )
            )
    # VC-DATA-INTEGRITY 4.4 step 11-12: challenge and domain (replay protection).
    if expect.challenge is not None:
        if proof.get("challenge") != expect.challenge:
            results.append(
                fail(
                    "proof.challenge",
                    f"challenge is {_quoted(proof.get('challenge'))}, "
                    f'expected "{expect.challenge}"',
                    f"{where}/challenge",
                    proof,
                )
            )
        else:
            results.append(
                ProofOutcome(
                    "proof.challenge",
                    Outcome.PASSED,
                    "the proof answers the expected challenge",
                    f"{where}/challenge",
                    _str_or_none(proof.get("cryptosuite")),
                    _str_or_none(proof.get("verificationMethod")),
                )
            )
    if expect.domain is not None:
        if not _domain_matches(proof.get("domain"), expect.domain):
            results.append(
                fail(
                    "proof.domain",
                    f'domain is {_quoted(proof.get("domain"))}, expected "{expect.domain}"',
                    f"{where}/domain",
                    proof,
                )
            )
        else:
            results.append(
                ProofOutcome(
                    "proof.domain",
                    Outcome.PASSED,
                    "the proof is bound to the expected domain",
                    f"{where}/domain",
                    _str_or_none(proof.get("cryptosuite")),
                    _str_or_none(proof.get("verificationMethod")),
                )
            )
    return results


def _quoted(value: Any) -> str:
    return "absent" if value is None else f'"{value}"'


def resolve_method(
    vm_id: Any,
    *,
    controller: str | None,
    relationship: str,
    resolver: DidResolver,
    suite: str | None,
    pointer: str | None = None,
    what: str = "verificationMethod",
) -> tuple[VerificationMethod | None, list[ProofOutcome]]:
    """Resolve ``vm_id`` and check that it may sign for ``controller`` under ``relationship``.

    Only a controller document that cannot be obtained (did:web offline, an
    unsupported DID method or an HTTPS controller document, say) is
    unchecked. An identifier without a fragment, a method that the obtained
    document does not hold or whose key is unusable, a method of someone
    other than ``controller`` (when known) or one not listed under
    ``relationship`` fails. The method is None when no key can be used;
    ``what`` names where ``vm_id`` came from in the messages.
    """
    vm = vm_id if isinstance(vm_id, str) else None

    def failed(code: str, message: str) -> ProofOutcome:
        return ProofOutcome(code, Outcome.FAILED, message, pointer, suite, vm)

    if vm is None or "#" not in vm:
        message = f"{what} {str(vm_id)[:80]!r} is not a URL with a #fragment"
        return None, [failed("proof.verification_method", message)]
    try:
        document = resolver.resolve(vm.split("#", 1)[0])
    except ResolutionError as exc:
        message = f"verification method not obtainable: {exc}"
        unchecked = ProofOutcome(
            "proof.verification_method", Outcome.UNCHECKED, message, pointer, suite, vm
        )
        return None, [unchecked]
    except KeyFormatError as exc:
        return None, [failed("proof.verification_method", f"verification method unusable: {exc}")]
    try:
        method = document.verification_method(vm)
    except (ResolutionError, KeyFormatError) as exc:
        return None, [failed("proof.verification_method", f"{what} names no usable key: {exc}")]
    outcomes: list[ProofOutcome] = []
    if controller is not None and method.controller != controller:
        outcomes.append(
            failed("proof.controller", f"signed by {method.controller}, not by {controller}")
        )
    if not document.authorizes(vm, relationship):
        message = f'{vm} is not listed under "{relationship}" in its DID document'
        outcomes.append(failed("proof.verification_method", message))
    return method, outcomes
