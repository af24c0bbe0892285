"""Credential status: Bitstring Status List v1.0 entries, checked against their lists.

Each ``BitstringStatusListEntry`` of a credential points at a status list
credential; that list is fetched through the environment's fetcher, its own
proof, validity and issuer are verified, then the bit (or, for ``statusSize``
greater than 1, the value) at ``statusListIndex`` is read. A verified list is
not a verdict on the credential: the bit is. Decoded lists are kept in a small
LRU keyed by the list URL and the SHA-256 of ``encodedList``, so that checking
many credentials against one large list decompresses it once.

A list speaks only for itself and only while it is valid:

- its ``id`` must be the ``statusListCredential`` URL it was fetched for, so
  that another list of the same issuer (an older one, or the list of other
  credentials) served at that URL by a cache or a network path fails
  (``status.list_url``);
- its ``issuer`` must be the credential's, and its proof by that issuer, so
  that a list signed by anyone else cannot clear a bit (``status.list_issuer``,
  ``status.list_proof``);
- past its ``validUntil`` it fails (``status.list_expired``): the issuer said
  not to rely on it any longer, so it is never read, even under a policy that
  lets unchecked statuses pass;
- it is read in its plain VC 2.0 form only: a member the checks read (its
  ``validUntil``, say) written under a full or compact IRI, an alias or inside
  an ``@included`` node would be signed all the same but unseen here, so such
  a list fails (``status.list_malformed``).

Every status message names the list and how fresh it is: ``as of`` its
``validFrom``, and its ``validUntil``, or, for an undated list, when it was
fetched.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/ .
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from passeport._io import parse_json
from passeport._json import id_of
from passeport.errors import InputError, ResolutionError
from passeport.proofs.dates import format_datetime, later
from passeport.proofs.engine import parse_datetime, proofs_of, verify_proofs
from passeport.proofs.mechanism import data_integrity_suites
from passeport.proofs.outcome import Outcome
from passeport.verifier.bitstring import (
    MAX_DECODED_BYTES,
    Bitstring,
    StatusListCache,
    VerifiedList,
    decode_status_list,
)
from passeport.verifier.env import Environment, Policy, assertion_expectation, now_of
from passeport.verifier.result import Check
from passeport.verifier.validity import VC_V2, credential_version, validity_checks

__all__ = [
    "DEFAULT_TTL_MS",
    "MAX_DECODED_BYTES",
    "MAX_LIST_CREDENTIAL_BYTES",
    "MIN_LIST_BITS",
    "Bitstring",
    "LiveFetcher",
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
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
LIST_CONTEXTS = frozenset({VC_V2, DATA_INTEGRITY_V2})  # neither defines an alias of another

# verify_list(list_credential, issuer, policy, env, pointer) -> checks on the list itself
ListVerifier = Callable[[Mapping[str, Any], str | None, Policy, Environment, str], list[Check]]


@runtime_checkable
class LiveFetcher(Protocol):
    """A fetcher some of whose documents change in place, and which can tell cheaply when.

    An issuer's server answers its own status lists from its registry as it
    stands (:class:`issuer.statuslist.LiveStatusFetcher`). A verified list is
    kept only with the revision it was fetched at, so a status change is seen
    by the next verification, not after the list's ``ttl``.
    """

    def fetch(self, url: str, *, max_bytes: int) -> bytes:
        """Return the document at ``url``, or raise ResolutionError naming ``url``."""
        ...

    def revision(self, url: str) -> Hashable | None:
        """Return what changes whenever the document at ``url`` does (None: not a live URL).

        Raises:
            ResolutionError: the revision cannot be read, naming ``url``.
        """
        ...


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _plain_form_problem(list_credential: Mapping[str, Any]) -> str | None:
    """Return why a list credential is not in the plain VC 2.0 form the checks read, or None.

    An RDF-canonicalized proof covers what the members mean, and the same
    statement can be written under a full or compact IRI, an alias defined by
    an added context, or in an ``@included`` node; the checks read the plain
    member names, so any other writing is refused rather than left unseen.
    With the VC 2.0 context alone (protected, and defining each member read
    here once), a member name without ``@`` or ``:`` has one meaning.
    """
    context = list_credential.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if (
        not contexts
        or contexts[0] != VC_V2
        or not all(isinstance(c, str) and c in LIST_CONTEXTS for c in contexts)
    ):
        return f"its @context is not the VC 2.0 context ({VC_V2}) alone"
    # The proofs are read by their own checks (a JCS proof repeats the @context).
    pending: list[tuple[str, Any, str]] = [
        (name, value, "")
        for name, value in list_credential.items()
        if name not in ("@context", "proof")
    ]
    while pending:
        name, value, parent = pending.pop()
        if name.startswith("@") or ":" in name:
            return f"it writes a member as {name!r} (in {parent or 'the list credential'})"
        here = f"{parent}/{name}"
        items = [value]
        while items:  # arrays nest (JSON-LD flattens them): walk every level
            item = items.pop()
            if isinstance(item, list):
                items.extend(item)
            elif isinstance(item, Mapping):
                pending.extend((str(key), inner, here) for key, inner in item.items())
    return None


def _freshness(loaded: VerifiedList) -> str:
    """Say how fresh a list is: its validFrom and validUntil, or when it was fetched."""
    if loaded.published is not None:
        said = f"as of {loaded.published}"
    else:
        said = f"as fetched at {format_datetime(loaded.verified_at)} (the list is undated)"
    if loaded.valid_until is not None:
        said += f", valid until {loaded.valid_until}"
    return said


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
        Check.of(o)
        for o in verify_proofs(
            list_credential,
            expect=expect,
            resolver=env.resolver(),
            loader=env.loader,
            suites=data_integrity_suites(),
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
        until = later(now, timedelta(milliseconds=min(ttl, DEFAULT_TTL_MS * 288)))
    else:
        until = later(now, timedelta(milliseconds=DEFAULT_TTL_MS))
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
    live = env.fetcher if isinstance(env.fetcher, LiveFetcher) else None
    try:
        revision = live.revision(url) if live is not None else None
        found = cache.fresh((url, revision, policy.suites, policy.max_clock_skew, verify_list), now)
        if found is not None:
            return found
        # BITSTRING-STATUS-LIST 3.2 (validate): dereference statusListCredential.
        body = env.fetcher.fetch(url, max_bytes=MAX_LIST_CREDENTIAL_BYTES)
    except ResolutionError as exc:
        return [
            (
                "status.unchecked",
                Outcome.UNCHECKED,
                f"status unknown: {where} could not be obtained ({exc.message})",
            )
        ]
    key = (url, revision, policy.suites, policy.max_clock_skew, verify_list)
    try:
        list_credential = parse_json(body, where=where)
    except InputError:
        list_credential = None
    if not isinstance(list_credential, Mapping):
        return [("status.list_malformed", Outcome.FAILED, f"{where} is not a JSON object")]
    unplain = _plain_form_problem(list_credential)
    if unplain is not None:
        return [
            (
                "status.list_malformed",
                Outcome.FAILED,
                f"{where} is not in the plain VC 2.0 form its checks read: {unplain}",
            )
        ]
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
    # 3.2 step 4 dereferences statusListCredential: what comes back must be the list
    # credential of that URL (BITSTRING-STATUS-LIST 2.2: its id), not another list
    # of the same issuer served in its place.
    list_id = list_credential.get("id")
    if list_id != url:
        shown = f"the list {list_id}" if isinstance(list_id, str) else "a list without an id"
        problems.append(
            (
                "status.list_url",
                Outcome.FAILED,
                f"{where} is {shown}, not the list at that URL: refused",
            )
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
    published, valid_until = list_credential.get("validFrom"), list_credential.get("validUntil")
    verified = VerifiedList(
        url,
        list_issuer,
        purposes,
        bitstring,
        now,
        _fresh_until(list_credential, now),
        published if isinstance(published, str) else None,
        valid_until if isinstance(valid_until, str) else None,
    )
    # A live list kept under a revision it no longer has would hide a change: keep
    # it only when its revision did not move while it was fetched and verified.
    try:
        unchanged = live is None or live.revision(url) == revision
    except ResolutionError:
        unchanged = False
    if unchanged:
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
    # 3.2: the list must come from the credential's issuer, for the entry's purpose;
    # a list signed by anyone else cannot clear (or set) a bit of its credentials.
    problems: list[tuple[str, Outcome, str]] = []
    if issuer is None:
        problems.append(
            (
                "status.list_issuer",
                Outcome.FAILED,
                f"the credential names no issuer, so {where} cannot speak for it",
            )
        )
    elif loaded.issuer != issuer:
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
    per = f"per {where}, {_freshness(loaded)}"
    # 3.2: the status, by purpose.
    if entry.purpose == "revocation":
        if value:
            return [("status.revoked", Outcome.FAILED, f"revoked by the issuer, {per}")]
        return [("status.revocation", Outcome.PASSED, f"not revoked, {per}")]
    if entry.purpose == "suspension":
        if value:
            return [("status.suspended", Outcome.FAILED, f"suspended by the issuer, {per}")]
        return [("status.suspension", Outcome.PASSED, f"not suspended, {per}")]
    text = dict(entry.messages).get(value)
    shown = f'"{text}"' if text is not None else f"status {value:#x} (no message given)"
    return [("status.message", Outcome.PASSED, f"the issuer's status message is {shown}, {per}")]


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
    expired, issued by someone else, of the wrong purpose, or another list than
    the one at its URL fails; otherwise the bit decides (``status.revoked``,
    ``status.suspended``, or a passed ``status.revocation``/``status.suspension``/
    ``status.message``), in a message naming the list and its date.

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
