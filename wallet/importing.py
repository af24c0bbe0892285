"""Adding credentials to the wallet: read them, verify them, keep the verdict, store them.

Accepted: Data Integrity credentials (JSON; a file may hold one credential or
an array of them), VC-JOSE-COSE ``vc+jwt`` compact strings and SD-JWT VCs
(``<jwt>~<disclosure>~...~``); a text file may hold several compact strings.

Every credential is verified before it is stored, with the caller's
:class:`~verifier.Environment` and :class:`~verifier.Policy`:

- a credential whose signature fails (tampered) or that cannot be read is
  refused, always;
- one whose signature cannot be checked (issuer DID unobtainable offline) is
  refused unless ``force``, which keeps it flagged ``unverified``;
- any other outcome is stored with its verdict: expired, revoked, suspended,
  and a status list that could not be read (``status-unknown``) are flags
  shown by ``wallet list``, not reasons to lose a credential the holder owns.

An ``ecdsa-sd-2023`` credential arrives with its issuer's *base* proof,
which verifiers refuse by design; the holder confirms it here with
:func:`proofs.ecdsa_sd.verify_base` instead of the verifier's proof check.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from passeport._io import parse_json, read_text_file
from passeport._json import JsonObject
from passeport.errors import InputError
from proofs.dates import format_datetime
from proofs.engine import ProofExpectation, proofs_of
from proofs.outcome import Outcome
from verifier import Check, Environment, Policy, VerificationResult, verify_credential
from wallet._describe import ECDSA_SD, describe, id_of
from wallet._records import (
    CredentialFormat,
    CredentialInfo,
    Flag,
    NewCredential,
    Verification,
)
from wallet.store import Wallet

__all__ = ["AddOutcome", "ProgressCallback", "add", "add_files", "credential_sources", "refresh"]

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` as credentials are verified."""

# Failed proof checks that date the signature (JWT exp/nbf, a proof's expires) rather than
# show tampering: the credential is kept and flagged, as an expired credential is.
_DATED: Final = frozenset({"proof.expired", "proof.not_yet_valid"})
# Failed checks that mean tampering or an unreadable credential: never stored.
_REFUSING: Final = ("proof.", "input.", "disclosure.")
_FILE_SUFFIXES: Final = frozenset({".json", ".jsonld", ".jwt", ".sd-jwt", ".sdjwt", ".txt", ".vc"})


@dataclass(frozen=True, slots=True)
class AddOutcome:
    """What happened to one credential given to :func:`add`.

    ``status`` is ``added``, ``duplicate`` (``id`` is the copy already held)
    or ``refused`` (``reason`` says why; nothing was stored).
    """

    where: str
    status: str
    id: str | None
    info: CredentialInfo | None
    result: VerificationResult | None
    reason: str | None = None

    def to_json(self) -> JsonObject:
        """Return the outcome as ``wallet add --json`` prints it."""
        return {
            "source": self.where,
            "status": self.status,
            "id": self.id,
            "reason": self.reason,
            "verification": self.result.to_json() if self.result else None,
            "flags": [str(flag) for flag in self.info.flags] if self.info else [],
        }


@dataclass(frozen=True, slots=True)
class _Parsed:
    format: CredentialFormat
    credential: JsonObject | str
    where: str


def credential_sources(paths: Sequence[Path]) -> list[tuple[str, str]]:
    """Return ``(where, text)`` for each file, and for each credential file inside a folder.

    A folder contributes its non-hidden files ending in .json, .jsonld, .jwt,
    .sd-jwt, .sdjwt, .txt or .vc, in name order (not recursively).

    Raises:
        InputError: a missing or unreadable path, or a folder holding no
            credential file, naming it.
    """
    found: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            files = [
                child
                for child in sorted(path.iterdir())
                if child.is_file()
                and not child.name.startswith(".")
                and child.suffix.lower() in _FILE_SUFFIXES
            ]
            if not files:
                suffixes = ", ".join(sorted(_FILE_SUFFIXES))
                raise InputError(f"a folder without credential files ({suffixes})", where=str(path))
            found.extend((str(child), read_text_file(child)) for child in files)
        else:
            found.append((str(path), read_text_file(path)))
    return found


def _parse(text: str, where: str) -> list[_Parsed]:
    """Split one input into credentials and tell their formats apart."""
    stripped = text.strip()
    if not stripped:
        raise InputError("empty: no credential here", where=where)
    if stripped[0] in "[{":
        value = parse_json(text, where=where)  # the text as given: its line numbers
        items = value if isinstance(value, list) else [value]
        out: list[_Parsed] = []
        for index, item in enumerate(items):
            label = f"{where}[{index}]" if isinstance(value, list) else where
            if not isinstance(item, dict):
                raise InputError("a credential must be a JSON object", where=label)
            out.append(_Parsed(CredentialFormat.LDP_VC, item, label))
        return out
    tokens = stripped.split()
    out = []
    for index, token in enumerate(tokens):
        label = f"{where}[{index}]" if len(tokens) > 1 else where
        if "~" in token:
            out.append(_Parsed(CredentialFormat.SD_JWT, token, label))
        elif token.count(".") == 2:
            out.append(_Parsed(CredentialFormat.JWT_VC, token, label))
        else:
            raise InputError(
                "neither JSON, a vc+jwt nor an SD-JWT (compact serialization)", where=label
            )
    return out


def _is_base_proof(document: Mapping[str, Any]) -> bool:
    from proofs.ecdsa_sd import BaseProofValue, parse_proof_value

    for proof in proofs_of(document):
        if proof.get("cryptosuite") == ECDSA_SD:
            try:
                return isinstance(parse_proof_value(proof.get("proofValue")), BaseProofValue)
            except InputError:
                return False
    return False


def _verify_data_integrity(
    document: JsonObject, policy: Policy, env: Environment
) -> VerificationResult:
    """Verify a Data Integrity credential; confirm an ecdsa-sd-2023 base proof as its holder."""
    result = verify_credential(document, policy=policy, env=env)
    if not _is_base_proof(document):
        return result
    from proofs.ecdsa_sd import verify_base

    issuer = id_of(document.get("issuer"))
    expect = ProofExpectation(
        proof_purpose="assertionMethod",
        controller=issuer,
        now=policy.at or env.clock(),
        max_clock_skew=policy.max_clock_skew,
        suites=policy.suites,
    )
    outcomes = verify_base(document, resolver=env.resolver(), loader=env.loader, expect=expect)
    confirmed = [Check(o.code, o.outcome, o.message, None, o.pointer) for o in outcomes]
    others = [c for c in result.checks if not c.code.startswith("proof.")]
    return replace(result, checks=(*confirmed, *others))


def _verification(result: VerificationResult, at: str) -> Verification:
    failed = tuple(c.code for c in result.checks if c.outcome is Outcome.FAILED)
    unchecked = tuple(c.code for c in result.checks if c.outcome is Outcome.UNCHECKED)
    messages = tuple(f"{c.code}: {c.message}" for c in result.failures())
    return Verification(at, result.verified, failed, unchecked, messages)


def _refusal(result: VerificationResult, *, force: bool) -> str | None:
    """Why the credential may not be stored, or None (a dated signature is kept, flagged)."""
    for check in result.checks:
        if check.code in _DATED:
            continue
        if check.outcome is Outcome.FAILED and check.code.startswith(_REFUSING):
            return f"refused, {check.code}: {check.message}"
    if not any(c.code.startswith("proof.") for c in result.checks):
        return "refused: the credential carries no proof"
    if not force:
        for check in result.checks:
            if check.outcome is Outcome.UNCHECKED and check.code.startswith("proof."):
                return (
                    f"refused, {check.code}: {check.message} "
                    "(give a cache holding the issuer's DID document, "
                    "or force to keep it unverified)"
                )
    return None


def _verify(
    kind: CredentialFormat, credential: JsonObject | str, policy: Policy, env: Environment
) -> tuple[VerificationResult, JsonObject | None]:
    if isinstance(credential, dict):
        return _verify_data_integrity(credential, policy, env), credential
    from wallet._jose import verify_token

    return verify_token(kind, str(credential).strip(), policy, env)


def _prepare(
    parsed: _Parsed,
    wallet: Wallet,
    policy: Policy,
    env: Environment,
    *,
    force: bool,
    memo: dict[str, tuple[str, ...]],
) -> tuple[NewCredential | None, AddOutcome]:
    at = format_datetime(policy.at or env.clock())
    credential = parsed.credential
    if isinstance(credential, str):
        credential = credential.strip()
    result, document = _verify(parsed.format, credential, policy, env)
    reason = _refusal(result, force=force)
    if reason is not None or document is None:
        why = reason or "refused: the credential cannot be read"
        return None, AddOutcome(parsed.where, "refused", None, None, result, why)
    info = describe(
        parsed.format,
        document,
        _verification(result, at),
        holder=wallet.holder,
        token=credential if isinstance(credential, str) else None,
        added_at=at,
        loader=env.loader,
        memo=memo,
    )
    claims = document if isinstance(credential, str) else {}
    return NewCredential.of(info, credential, claims), AddOutcome(
        parsed.where, "added", None, info, result
    )


def add(
    wallet: Wallet,
    sources: Sequence[tuple[str, str]],
    *,
    policy: Policy | None = None,
    env: Environment | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> list[AddOutcome]:
    """Verify and store credentials given as ``(where, text)`` pairs; one outcome each.

    Everything accepted is stored in one transaction. ``force`` keeps
    credentials whose signature could not be checked, flagged ``unverified``;
    it never keeps a credential whose signature fails. ``progress`` is called
    as ``progress(verified, total)`` after each credential is verified.

    Raises:
        InputError: an input that is not a credential at all (naming it).
    """
    policy = policy or Policy()
    env = env or Environment()
    memo: dict[str, tuple[str, ...]] = {}
    parsed = [item for where, text in sources for item in _parse(text, where)]
    prepared = []
    for item in parsed:
        prepared.append(_prepare(item, wallet, policy, env, force=force, memo=memo))
        if progress is not None:
            progress(len(prepared), len(parsed))
    to_store = [new for new, _ in prepared if new is not None]
    stored = iter(wallet.put(to_store))
    outcomes: list[AddOutcome] = []
    for new, outcome in prepared:
        if new is None:
            outcomes.append(outcome)
            continue
        kept = next(stored)
        status = "duplicate" if kept.duplicate else "added"
        reason = "already in the wallet" if kept.duplicate else None
        outcomes.append(replace(outcome, status=status, id=kept.id, reason=reason))
    return outcomes


def add_files(
    wallet: Wallet,
    paths: Sequence[Path],
    *,
    policy: Policy | None = None,
    env: Environment | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> list[AddOutcome]:
    """Read files and folders (see :func:`credential_sources`), then :func:`add` them."""
    sources = credential_sources(paths)
    return add(wallet, sources, policy=policy, env=env, force=force, progress=progress)


def refresh(
    wallet: Wallet,
    *,
    policy: Policy | None = None,
    env: Environment | None = None,
    progress: ProgressCallback | None = None,
) -> int:
    """Verify every held credential again (status lists, validity) and store the new verdicts.

    Status lists are fetched once per list through ``env``. Returns how many
    credentials were checked; ``progress(checked, total)`` follows them.
    """
    policy = policy or Policy()
    env = env or Environment()
    at = format_datetime(policy.at or env.clock())
    changes: list[tuple[str, CredentialInfo]] = []
    entries = wallet.entries()
    for index, held in enumerate(wallet.credentials(entries), start=1):
        if isinstance(held.credential, dict | str):
            result, _ = _verify(held.info.format, held.credential, policy, env)
            verification = _verification(result, at)
            flags: list[Flag] = [f for f in held.info.flags if f is not Flag.UNVERIFIED]
            if any(c.startswith("proof.") for c in verification.unchecked):
                flags.append(Flag.UNVERIFIED)
            info = replace(held.info, verification=verification, flags=tuple(flags))
            changes.append((held.id, info))
        if progress is not None:
            progress(index, len(entries))
    wallet.update(changes)
    return len(changes)
