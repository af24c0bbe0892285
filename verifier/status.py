"""Credential status: Bitstring Status List v1.0 entries, checked against their lists.

Each ``BitstringStatusListEntry`` of a credential points at a status list
credential; that list is fetched through the environment's fetcher, its own
proof, validity and issuer are verified, then the bit (or, for ``statusSize``
greater than 1, the value) at ``statusListIndex`` is read. A verified list is
not a verdict on the credential: the bit is. Decoded lists are kept in a small
LRU keyed by the list URL and the SHA-256 of ``encodedList``, so that checking
many credentials against one large list decompresses it once.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/ .
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from passeport.errors import InputError, ResolutionError
from proofs.engine import parse_datetime, proofs_of, verify_proofs
from proofs.outcome import Outcome
from verifier._values import assertion_expectation, id_of, now_of
from verifier.bitstring import (
    MAX_DECODED_BYTES,
    Bitstring,
    StatusListCache,
    VerifiedList,
    decode_status_list,
)
from verifier.env import Environment, Policy
from verifier.result import Check
from verifier.validity import credential_version, validity_checks

__all__ = [
    "DEFAULT_TTL_MS",
    "MAX_DECODED_BYTES",
    "MAX_LIST_CREDENTIAL_BYTES",
    "MIN_LIST_BITS",
    "Bitstring",
    "StatusListCache",
    "decode_status_list",
    "status_checks",
    "verify_list_credential",
]

DEFAULT_TTL_MS = 300_000  # how long a verified list is reused when it states no ttl
MIN_LIST_BITS = 131_072  # BITSTRING-STATUS-LIST 2.1: at least 16 KiB, uncompressed
MAX_LIST_CREDENTIAL_BYTES = 4 * 1024 * 1024
ENTRY_TYPE = "BitstringStatusListEntry"
CHECKED_PURPOSES = ("revocation", "suspension", "message")

# verify_list(list_credential, issuer, policy, env, pointer) -> checks on the list itself
ListVerifier = Callable[[Mapping[str, Any], str | None, Policy, Environment, str], list[Check]]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def verify_list_credential(
    list_credential: Mapping[str, Any],
    issuer: str | None,
    policy: Policy,
    env: Environment,
    pointer: str,
) -> list[Check]:
    """Verify a status list credential's proofs (by ``issuer``) and validity period.

    Returns the pipeline's proof and validity checks on the list, pointers
    relative to the list credential itself.
    """
    now = now_of(policy, env)
    expect = assertion_expectation(issuer, policy, now)
    checks = [
        Check(o.code, o.outcome, o.message, None, o.pointer)
        for o in verify_proofs(
            list_credential, expect=expect, resolver=env.resolver(), loader=env.loader
        )
    ]
    version = credential_version(list_credential)
    checks.extend(validity_checks(list_credential, version, policy, now, None, ""))
    return checks


@dataclass(frozen=True, slots=True)
class _Entry:
    purpose: str
    index: int
    size: int
    url: str
    messages: tuple[tuple[int, str], ...]


def _parse_entry(entry: Mapping[str, Any]) -> _Entry | str:
    """Return the entry's fields, or why it is malformed."""
    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str) or not purpose:
        return "the status entry has no statusPurpose"
    raw_index = entry.get("statusListIndex")
    if isinstance(raw_index, str) and raw_index.isascii() and raw_index.isdigit():
        index = int(raw_index)
    elif isinstance(raw_index, int) and not isinstance(raw_index, bool) and raw_index >= 0:
        index = raw_index
    else:
        return "the status entry's statusListIndex is not a non-negative integer"
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return "the status entry's statusListCredential is not an http(s) URL"
    raw_size = entry.get("statusSize", 1)
    if isinstance(raw_size, bool) or not isinstance(raw_size, int) or not 1 <= raw_size <= 8:
        return "the status entry's statusSize is not an integer from 1 to 8"
    messages: list[tuple[int, str]] = []
    for item in _as_list(entry.get("statusMessage", [])):
        if not isinstance(item, Mapping):
            return "the status entry's statusMessage is malformed"
        status, message = item.get("status"), item.get("message")
        try:
            value = int(status, 16) if isinstance(status, str) else None
        except ValueError:
            value = None
        if value is None or not isinstance(message, str):
            return "the status entry's statusMessage is malformed"
        messages.append((value, message))
    return _Entry(purpose, index, raw_size, url, tuple(messages))


def _fresh_until(list_credential: Mapping[str, Any], now: datetime) -> datetime:
    """Return until when a verified list may be reused: its ``ttl``, its validity, its proofs."""
    subject = list_credential.get("credentialSubject")
    ttl = subject.get("ttl") if isinstance(subject, Mapping) else None
    # BITSTRING-STATUS-LIST 2.2: ttl is in milliseconds; without it we keep 5 minutes.
    if isinstance(ttl, int) and not isinstance(ttl, bool) and ttl >= 0:
        until = now + timedelta(milliseconds=min(ttl, DEFAULT_TTL_MS * 288))
    else:
        until = now + timedelta(milliseconds=DEFAULT_TTL_MS)
    ends = [list_credential.get("validUntil"), list_credential.get("expirationDate")]
    ends.extend(p.get("expires") for p in proofs_of(list_credential))
    for end in ends:
        if isinstance(end, str):
            try:
                until = min(until, parse_datetime(end))
            except InputError:
                continue
    return until


def _load_list(
    url: str,
    where: str,
    policy: Policy,
    env: Environment,
    verify_list: ListVerifier,
    cache: StatusListCache,
) -> VerifiedList | list[tuple[str, Outcome, str]]:
    """Fetch, verify and decode the list at ``url``, or say what is wrong with it (``where``)."""
    now = now_of(policy, env)
    key = (url, policy.suites, policy.max_clock_skew, verify_list)
    found = cache.fresh(key, now)
    if found is not None:
        return found
    # BITSTRING-STATUS-LIST 3.2 (validate): dereference statusListCredential.
    try:
        body = env.fetcher.fetch(url, max_bytes=MAX_LIST_CREDENTIAL_BYTES)
    except ResolutionError as exc:
        return [
            (
                "status.unchecked",
                Outcome.UNCHECKED,
                f"status unknown: {where} could not be obtained ({exc.message})",
            )
        ]
    try:
        list_credential = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        list_credential = None
    if not isinstance(list_credential, Mapping):
        return [("status.list_malformed", Outcome.FAILED, f"{where} is not a JSON object")]
    # 3.2: the list's proofs and validity must hold, by the list's own issuer.
    list_issuer = id_of(list_credential.get("issuer"))
    problems: list[tuple[str, Outcome, str]] = []
    for check in verify_list(list_credential, list_issuer, policy, env, ""):
        if check.outcome is Outcome.PASSED:
            continue
        if check.code == "validity.expired":
            problems.append(("status.list_expired", Outcome.FAILED, f"{where} {check.message}"))
        elif check.code.startswith("validity."):
            problems.append(
                ("status.list_validity", Outcome.FAILED, f"{where} is not valid: {check.message}")
            )
        elif check.outcome is Outcome.UNCHECKED:
            problems.append(
                (
                    "status.unchecked",
                    Outcome.UNCHECKED,
                    f"status unknown: {where} could not be checked: {check.message}",
                )
            )
        else:
            problems.append(
                ("status.list_proof", Outcome.FAILED, f"{where} is not authentic: {check.message}")
            )
    if "BitstringStatusListCredential" not in _as_list(list_credential.get("type")):
        problems.append(
            (
                "status.list_malformed",
                Outcome.FAILED,
                f"{where} is not a BitstringStatusListCredential",
            )
        )
    subject = list_credential.get("credentialSubject")
    encoded_list = subject.get("encodedList") if isinstance(subject, Mapping) else None
    if not isinstance(encoded_list, str):
        problems.append(("status.list_malformed", Outcome.FAILED, f"{where} has no encodedList"))
    if problems:
        return problems
    assert isinstance(subject, Mapping) and isinstance(encoded_list, str)
    try:
        # 3.2: expand the bitstring (3.4).
        bitstring = cache.decode(url, encoded_list)
    except InputError as exc:
        return [("status.list_malformed", Outcome.FAILED, f"{where} cannot be read: {exc.message}")]
    # 3.2: the list must be at least 16 KiB, uncompressed.
    if bitstring.length < MIN_LIST_BITS:
        return [
            (
                "status.list_too_short",
                Outcome.FAILED,
                f"{where} holds {bitstring.length} bits, fewer than the {MIN_LIST_BITS} required",
            )
        ]
    purposes = tuple(str(p) for p in _as_list(subject.get("statusPurpose")))
    verified = VerifiedList(
        url, list_issuer, purposes, bitstring, now, _fresh_until(list_credential, now)
    )
    cache.keep(key, verified)
    return verified


def _entry_checks(
    entry: _Entry,
    issuer: str | None,
    policy: Policy,
    env: Environment,
    verify_list: ListVerifier,
    cache: StatusListCache,
) -> list[tuple[str, Outcome, str]]:
    where = f"the status list at {entry.url} (index {entry.index})"
    loaded = _load_list(entry.url, where, policy, env, verify_list, cache)
    if isinstance(loaded, list):
        return loaded
    # 3.2: the list must come from the credential's issuer, for the entry's purpose.
    problems: list[tuple[str, Outcome, str]] = []
    if loaded.issuer != issuer:
        problems.append(
            (
                "status.list_issuer",
                Outcome.FAILED,
                f"{where} is issued by {loaded.issuer}, not by the credential's issuer {issuer}",
            )
        )
    if entry.purpose not in loaded.purposes:
        shown = ", ".join(loaded.purposes) or "none"
        problems.append(
            (
                "status.purpose_mismatch",
                Outcome.FAILED,
                f"{where} is for {shown}, not for {entry.purpose} as the credential says",
            )
        )
    if problems:
        return problems
    bitstring = loaded.bitstring
    # 3.2: the entry must lie inside the list.
    entries = bitstring.length // entry.size
    if entry.index >= entries:
        return [
            (
                "status.index_out_of_range",
                Outcome.FAILED,
                f"{where}: the index is outside the list, which has {entries} entries",
            )
        ]
    value = bitstring.value(entry.index, entry.size)
    # 3.2: the status, by purpose.
    if entry.purpose == "revocation":
        if value:
            return [("status.revoked", Outcome.FAILED, f"revoked by the issuer, per {where}")]
        return [("status.revocation", Outcome.PASSED, f"not revoked, per {where}")]
    if entry.purpose == "suspension":
        if value:
            return [("status.suspended", Outcome.FAILED, f"suspended by the issuer, per {where}")]
        return [("status.suspension", Outcome.PASSED, f"not suspended, per {where}")]
    text = dict(entry.messages).get(value)
    shown = f'"{text}"' if text is not None else f"status {value:#x} (no message given)"
    return [
        ("status.message", Outcome.PASSED, f"the issuer's status message is {shown}, per {where}")
    ]


def status_checks(
    document: Mapping[str, Any],
    *,
    credential: int | None,
    base: str,
    policy: Policy,
    env: Environment,
    verify_list: ListVerifier | None = None,
    cache: StatusListCache | None = None,
) -> list[Check]:
    """Check every ``credentialStatus`` entry of a credential; one check per entry.

    A list that cannot be fetched gives an unchecked ``status.unchecked``
    (the policy decides whether that blocks the verdict); a list that is forged,
    expired, issued by someone else or of the wrong purpose fails; otherwise the
    bit decides (``status.revoked``, ``status.suspended``, or a passed
    ``status.revocation``/``status.suspension``/``status.message``).

    Args:
        credential: the credential's index in a presentation (None when alone).
        base: the JSON pointer of the credential in the input.
        verify_list: verifies the list credential itself (default:
            :func:`verify_list_credential`).
        cache: where decoded and verified lists are kept (default: the
            environment's, so that one environment verifies a list once while
            it is fresh).
    """
    if "credentialStatus" not in document:
        return []
    verify_list = verify_list or verify_list_credential
    cache = cache or env.status_lists
    issuer = id_of(document.get("issuer"))
    raw = document["credentialStatus"]
    entries = raw if isinstance(raw, list) else [raw]
    checks: list[Check] = []
    for position, entry in enumerate(entries):
        pointer = (
            f"{base}/credentialStatus/{position}"
            if isinstance(raw, list)
            else f"{base}/credentialStatus"
        )
        if not isinstance(entry, Mapping):
            results = [("status.malformed", Outcome.FAILED, "a status entry is not a JSON object")]
        elif ENTRY_TYPE not in _as_list(entry.get("type")):
            shown = entry.get("type")
            results = [
                (
                    "status.unsupported",
                    Outcome.UNCHECKED,
                    f"status unknown: status entries of type {shown} are not checked here",
                )
            ]
        else:
            parsed = _parse_entry(entry)
            if isinstance(parsed, str):
                results = [("status.malformed", Outcome.FAILED, parsed)]
            elif parsed.purpose not in CHECKED_PURPOSES:
                results = [
                    (
                        "status.unsupported",
                        Outcome.UNCHECKED,
                        f'status unknown: the purpose "{parsed.purpose}" of index {parsed.index} '
                        f"in the status list at {parsed.url} is not checked here",
                    )
                ]
            else:
                results = _entry_checks(parsed, issuer, policy, env, verify_list, cache)
        checks.extend(
            Check(code, outcome, msg, credential, pointer) for code, outcome, msg in results
        )
    return checks
