"""Adding credentials to the wallet: read them, verify them, keep the verdict, store them.

Accepted: Data Integrity credentials (JSON; a file may hold one credential or
an array of them), VC-JOSE-COSE ``vc+jwt`` compact strings and SD-JWT VCs
(``<jwt>~<disclosure>~...~``); a text file may hold several compact strings.

Every credential is verified before it is stored, with the caller's
:class:`~verifier.Environment` and :class:`~verifier.Policy`, and only what
verifies is stored:

- a credential whose signature fails (tampered), that cannot be read, or
  that carries no proof is refused, always;
- any other credential that does not verify (revoked, suspended, expired,
  not yet valid, a signature or a status list that could not be checked, an
  issuer that is not trusted...) is refused too, its :class:`AddOutcome`
  saying ``refused`` and why in one line, and nothing is stored for it;
- ``keep_unverified=True`` keeps those (never a failed signature), with
  status ``kept``: stored with their failed verdict, listed as NOT verified
  with their flags, and :func:`wallet.present` refuses to present them unless
  told to (:class:`wallet.PresentationRefused`).

Verification is the verifier's, with a policy that says the holder is
receiving the credential (:attr:`verifier.Policy.receiving`): an
``ecdsa-sd-2023`` credential arrives with its issuer's *base* proof, which
verifiers refuse by design, and the holder confirms it through its securing
mechanism (:mod:`proofs.mechanism`) instead; an enveloped credential needs
no Key Binding yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from passeport._io import parse_json, read_text_file
from passeport._json import JsonObject
from passeport.errors import InputError
from passeport.proofs.dates import format_datetime, parse_datetime
from passeport.proofs.mechanism import mechanism_for
from passeport.proofs.outcome import Outcome
from passeport.verifier import Environment, Policy, VerificationResult, verify_credential
from passeport.wallet._describe import describe
from passeport.wallet._records import (
    CredentialFormat,
    CredentialInfo,
    Flag,
    NewCredential,
    Verification,
)
from passeport.wallet.store import Wallet

__all__ = ["AddOutcome", "ProgressCallback", "add", "add_files", "credential_sources", "refresh"]

ProgressCallback = Callable[[int, int], None]
"""Called as ``progress(done, total)`` as credentials are verified."""

# Failed proof checks that date the signature (JWT exp/nbf, a proof's expires) rather than
# show tampering: refused as an expired credential is, and kept on request as it is.
_DATED: Final = frozenset({"proof.expired", "proof.not_yet_valid"})
# Failed checks that mean tampering or an unreadable credential: never stored.
_TAMPERED: Final = ("proof.", "input.", "disclosure.")
_KEEP_HINT: Final = "keep it anyway, marked not verified, with --keep-unverified"
_FILE_SUFFIXES: Final = frozenset({".json", ".jsonld", ".jwt", ".sd-jwt", ".sdjwt", ".txt", ".vc"})


@dataclass(frozen=True, slots=True)
class AddOutcome:
    """What happened to one credential given to :func:`add`.

    ``status`` is ``added`` (verified and stored), ``kept`` (stored although
    it does not verify, as ``keep_unverified`` asked; ``reason`` says why it
    does not), ``duplicate`` (``id`` is the copy already held), ``refused``
    (``reason`` says why, in one line; nothing was stored) or ``skipped`` (a
    file of a folder that holds no credential; ``reason`` says why).
    """

    where: str
    status: str
    id: str | None
    info: CredentialInfo | None
    result: VerificationResult | None
    reason: str | None = None

    @property
    def flags(self) -> tuple[Flag, ...]:
        """The credential's flags as of its verification (revoked, other-holder...)."""
        if self.info is None:
            return ()
        return self.info.flags_at(parse_datetime(self.info.verification.at))

    def to_json(self) -> JsonObject:
        """Return the outcome as ``wallet add --json`` prints it."""
        return {
            "source": self.where,
            "status": self.status,
            "id": self.id,
            "reason": self.reason,
            "verification": self.result.to_json() if self.result else None,
            "flags": [str(flag) for flag in self.flags],
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
        # A compact serialization: a JWS (three parts) or an SD-JWT (with ~).
        mechanism = mechanism_for(token) if "~" in token or token.count(".") == 2 else None
        if mechanism is None:
            raise InputError(
                "neither JSON, a vc+jwt nor an SD-JWT (compact serialization)", where=label
            )
        out.append(_Parsed(CredentialFormat.of(mechanism), token, label))
    return out


def _verification(result: VerificationResult, at: str) -> Verification:
    failed = tuple(c.code for c in result.checks if c.outcome is Outcome.FAILED)
    unchecked = tuple(c.code for c in result.checks if c.outcome is Outcome.UNCHECKED)
    messages = tuple(f"{c.code}: {c.message}" for c in result.failures())
    return Verification(at, result.verified, failed, unchecked, messages)


def _why_not(result: VerificationResult) -> str:
    """One line: the first check that failed (else could not be made), and the others' codes."""
    failures = sorted(result.failures(), key=lambda c: c.outcome is not Outcome.FAILED)
    if not failures:
        return "not verified"
    first, *others = failures
    also = f"; also {', '.join(dict.fromkeys(c.code for c in others))}" if others else ""
    return f"{first.code}: {first.message}{also}"


def _refusal(result: VerificationResult, *, keep_unverified: bool) -> str | None:
    """Why the credential may not be stored, or None."""
    for check in result.checks:
        if check.code in _DATED:
            continue
        if check.outcome is Outcome.FAILED and check.code.startswith(_TAMPERED):
            return f"refused, {check.code}: {check.message}"
    if not any(c.code.startswith("proof.") for c in result.checks):
        return "refused: the credential carries no proof"
    if not result.verified and not keep_unverified:
        return f"refused, {_why_not(result)} ({_KEEP_HINT})"
    return None


def _verify(
    kind: CredentialFormat, credential: JsonObject | str, policy: Policy, env: Environment
) -> tuple[VerificationResult, JsonObject | None]:
    """Verify as the holder receiving the credential; return the result and the document."""
    if isinstance(credential, dict):
        received = replace(policy, receiving=True)
        return verify_credential(credential, policy=received, env=env), credential
    from passeport.wallet._jose import verify_token

    return verify_token(kind, str(credential).strip(), policy, env)


def _prepare(
    parsed: _Parsed,
    wallet: Wallet,
    policy: Policy,
    env: Environment,
    *,
    keep_unverified: bool,
    memo: dict[str, tuple[str, ...]],
) -> tuple[NewCredential | None, AddOutcome]:
    at = format_datetime(policy.at or env.clock())
    credential = parsed.credential
    if isinstance(credential, str):
        credential = credential.strip()
    result, document = _verify(parsed.format, credential, policy, env)
    reason = _refusal(result, keep_unverified=keep_unverified)
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
    if result.verified:
        outcome = AddOutcome(parsed.where, "added", None, info, result)
    else:
        outcome = AddOutcome(parsed.where, "kept", None, info, result, _why_not(result))
    return NewCredential.of(info, credential, claims), outcome


def add(
    wallet: Wallet,
    sources: Sequence[tuple[str, str]],
    *,
    policy: Policy | None = None,
    env: Environment | None = None,
    keep_unverified: bool = False,
    progress: ProgressCallback | None = None,
) -> list[AddOutcome]:
    """Verify and store credentials given as ``(where, text)`` pairs; one outcome each.

    Only credentials that verify are stored (status ``added``); the others
    are ``refused``, each outcome saying why, and nothing is stored for them.
    ``keep_unverified`` stores those that do not verify for another reason
    than a failed signature or an unreadable document (status ``kept``,
    listed as NOT verified, and refused by :func:`wallet.present` unless it
    is told otherwise). Everything stored is stored in one transaction.
    ``progress`` is called as ``progress(verified, total)`` after each
    credential is verified.

    Raises:
        InputError: an input that is not a credential at all (naming it).
    """
    parsed = [item for where, text in sources for item in _parse(text, where)]
    return _add(
        wallet,
        parsed,
        policy=policy or Policy(),
        env=env or Environment(),
        keep_unverified=keep_unverified,
        progress=progress,
    )


def _add(
    wallet: Wallet,
    parsed: Sequence[_Parsed | AddOutcome],
    *,
    policy: Policy,
    env: Environment,
    keep_unverified: bool,
    progress: ProgressCallback | None,
) -> list[AddOutcome]:
    """Verify and store parsed credentials; outcomes given (files skipped) stay in their place."""
    memo: dict[str, tuple[str, ...]] = {}
    credentials = [item for item in parsed if isinstance(item, _Parsed)]
    prepared: list[tuple[NewCredential | None, AddOutcome]] = []
    verified = 0
    for item in parsed:
        if isinstance(item, AddOutcome):
            prepared.append((None, item))
            continue
        prepared.append(
            _prepare(item, wallet, policy, env, keep_unverified=keep_unverified, memo=memo)
        )
        verified += 1
        if progress is not None:
            progress(verified, len(credentials))
    to_store = [new for new, _ in prepared if new is not None]
    stored = iter(wallet.put(to_store))
    outcomes: list[AddOutcome] = []
    for new, outcome in prepared:
        if new is None:
            outcomes.append(outcome)
            continue
        kept = next(stored)
        if kept.duplicate:
            outcome = replace(outcome, status="duplicate", reason="already in the wallet")
        outcomes.append(replace(outcome, id=kept.id))
    return outcomes


def _skipped(where: str, reason: str) -> AddOutcome:
    return AddOutcome(where, "skipped", None, None, None, reason)


def _folder(path: Path) -> list[_Parsed | AddOutcome]:
    """Parse the credential files of a folder; every other file is skipped, saying why."""
    suffixes = ", ".join(sorted(_FILE_SUFFIXES))
    found: list[_Parsed | AddOutcome] = []
    for child in sorted(path.iterdir()):
        if child.name.startswith("."):
            continue  # hidden: .DS_Store and the like are not the holder's
        where = str(child)
        if not child.is_file():
            found.append(_skipped(where, "skipped: a folder (folders are not read recursively)"))
        elif child.suffix.lower() not in _FILE_SUFFIXES:
            found.append(_skipped(where, f"skipped: not a credential file ({suffixes})"))
        else:
            try:
                found.extend(_parse(read_text_file(child), where))
            except InputError as exc:  # the file, or an item of it, is not a credential
                found.append(_skipped(where, f"skipped: {exc.message}"))
    if not any(isinstance(item, _Parsed) for item in found):
        first = next((o for o in found if isinstance(o, AddOutcome)), None)
        why = f"; {Path(first.where).name}: {first.reason}" if first is not None else ""
        raise InputError(f"a folder without credential files ({suffixes}){why}", where=str(path))
    return found


def add_files(
    wallet: Wallet,
    paths: Sequence[Path],
    *,
    policy: Policy | None = None,
    env: Environment | None = None,
    keep_unverified: bool = False,
    progress: ProgressCallback | None = None,
) -> list[AddOutcome]:
    """Read files and folders, then verify and store their credentials as :func:`add` does.

    A file named here must hold credentials. In a folder (not read
    recursively, hidden files ignored), every file that does not hold a
    credential, a README for one, is ``skipped``: its outcome says why, and
    the folder's credentials are added all the same.

    Raises:
        InputError: a missing or unreadable file, one that is not a credential,
            or a folder without any credential, naming it.
    """
    parsed: list[_Parsed | AddOutcome] = []
    for path in paths:
        if path.is_dir():
            parsed.extend(_folder(path))
        else:
            parsed.extend(_parse(read_text_file(path), str(path)))
    return _add(
        wallet,
        parsed,
        policy=policy or Policy(),
        env=env or Environment(),
        keep_unverified=keep_unverified,
        progress=progress,
    )


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
