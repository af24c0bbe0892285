"""Bitstring Status List v1.0, the issuer's side: indexes, entries, list credentials, changes.

Spec: https://www.w3.org/TR/vc-bitstring-status-list/ .

Every credential gets two entries, one ``revocation`` and one ``suspension``,
pointing at the two list credentials of one status list
(``{status base}revocation-N`` and ``{status base}suspension-N``).

Indexes are spread at random over the list, for herd privacy (spec 6.1): a
list's counter hands out positions 0, 1, 2... in a write transaction, so that
concurrent issuers never share one and none is ever reused, and a keyed
permutation of ``[0, size)`` (:mod:`issuer._permutation`) turns each position
into the index, so an outsider cannot tell the order of issuance from the
indexes.

Published lists carry ``validFrom`` (when they were signed) and ``validUntil``
(a week later by default): a verifier refuses a list past its ``validUntil``,
so a copy from before a revocation cannot be replayed for ever; publish again
before then. An issuer's server answers its own lists live from the registry
(:class:`LiveStatusFetcher`), signed on request.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from passeport._io import PUBLIC, dump_json, write_atomic
from passeport._json import JsonObject
from passeport.contexts import DocumentLoader
from passeport.did.resolve import CacheDirFetcher, Fetcher
from passeport.did.web import did_web_url
from passeport.errors import InputError, ResolutionError
from passeport.issuer._permutation import KeyedPermutation, permutation_for
from passeport.issuer.profile import MIN_LIST_SIZE, Profile
from passeport.issuer.registry import CredentialRecord, CredentialState, Registry, StatusListRecord
from passeport.proofs.dates import format_datetime, utc_now
from passeport.proofs.mechanism import mechanism_named

__all__ = [
    "DEFAULT_LIST_VALIDITY",
    "LIST_CREDENTIAL_TYPE",
    "LIVE_LIST_VALIDITY",
    "MIN_LIST_SIZE",
    "PURPOSES",
    "KeyedPermutation",
    "LiveStatusFetcher",
    "StatusSlot",
    "allocate_status",
    "current_lists",
    "encode_status_list",
    "list_urls",
    "permutation_for",
    "publish_status",
    "reinstate",
    "revoke",
    "status_list_credential",
    "suspend",
]

PURPOSES: Final = ("revocation", "suspension")
LIST_CREDENTIAL_TYPE: Final = "BitstringStatusListCredential"
VC_V2: Final = "https://www.w3.org/ns/credentials/v2"
# How long a published list holds (its validUntil): a copy from before a revocation is
# refused once it has passed, so this is the longest a replayed list can hide one.
DEFAULT_LIST_VALIDITY: Final = timedelta(days=7)
# A list served live is signed on each request: it need not hold long.
LIVE_LIST_VALIDITY: Final = timedelta(days=1)


def list_urls(profile: Profile, list_id: int) -> tuple[str, str]:
    """Return the revocation and suspension list URLs of list ``list_id``."""
    return (
        f"{profile.status_base}revocation-{list_id}",
        f"{profile.status_base}suspension-{list_id}",
    )


@dataclass(frozen=True, slots=True)
class StatusSlot:
    """Where one credential's status lives: its list, position, and index per purpose."""

    list_id: int
    position: int
    revocation_index: int
    suspension_index: int
    revocation_url: str
    suspension_url: str

    def entries(self) -> list[JsonObject]:
        """Return the credential's ``credentialStatus``: a revocation and a suspension entry."""
        # BITSTRING-STATUS-LIST 2.1: id, type, statusPurpose, statusListIndex (a string
        # holding an integer), statusListCredential (the list credential's URL).
        return [
            {
                "id": f"{url}#{index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": str(index),
                "statusListCredential": url,
            }
            for purpose, url, index in (
                ("revocation", self.revocation_url, self.revocation_index),
                ("suspension", self.suspension_url, self.suspension_index),
            )
        ]


def allocate_status(
    profile: Profile, registry: Registry, count: int, *, at: datetime | None = None
) -> list[StatusSlot]:
    """Reserve status entries for ``count`` new credentials; they are never given again.

    Raises:
        InputError: the registry cannot be written.
    """
    positions = registry.allocate(
        count,
        size=profile.list_size,
        urls=lambda list_id: list_urls(profile, list_id),
        now=format_datetime(at or utc_now()),
    )
    lists = {status_list.id: status_list for status_list in registry.lists()} if positions else {}
    permutations: dict[tuple[int, str], KeyedPermutation] = {}
    slots = []
    for list_id, position in positions:
        status_list = lists[list_id]
        for purpose in PURPOSES:
            if (list_id, purpose) not in permutations:
                permutations[list_id, purpose] = permutation_for(
                    profile.secret, list_id, purpose, status_list.size
                )
        slots.append(
            StatusSlot(
                list_id,
                position,
                permutations[list_id, "revocation"].index(position),
                permutations[list_id, "suspension"].index(position),
                status_list.revocation_url,
                status_list.suspension_url,
            )
        )
    return slots


def encode_status_list(set_indexes: Iterable[int], size: int) -> str:
    """Return the ``encodedList`` of a ``size``-bit list with ``set_indexes`` set.

    BITSTRING-STATUS-LIST 3.3 (generate): bit 0 is the left-most bit of byte 0;
    the bitstring is GZIP-compressed, then multibase-encoded as base64url
    without padding (prefix ``u``).

    Raises:
        ValueError: ``size`` is below 131,072 bits or an index is outside the list.
    """
    if size < MIN_LIST_SIZE:
        raise ValueError(f"a status list holds at least {MIN_LIST_SIZE} entries (got {size})")
    # Step 1-2: a zeroed bitstring of at least 16 KiB, whole bytes.
    bits = bytearray((size + 7) // 8)
    # Step 3: set the bit of every entry with the status.
    for index in set_indexes:
        if not 0 <= index < size:
            raise ValueError(f"index {index} is outside a list of {size} entries")
        bits[index >> 3] |= 0x80 >> (index & 7)
    # Step 4: GZIP (fixed mtime, so that equal lists give equal bytes), then base64url.
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def list_suite(suite: str) -> str:
    """Return the suite that signs status lists for an issuer whose credentials use ``suite``.

    A status list is read whole by every verifier, so it is never signed with
    a selective-disclosure suite such as ecdsa-sd-2023 (whose base proofs
    verifiers refuse): the mechanism names another (ecdsa-rdfc-2019, for the
    same P-256 or P-384 key).

    >>> list_suite("ecdsa-sd-2023"), list_suite("eddsa-rdfc-2022")
    ('ecdsa-rdfc-2019', 'eddsa-rdfc-2022')

    Raises:
        ValueError: an unknown suite.
    """
    return mechanism_named(suite).status_list_suite or suite


def status_list_credential(
    profile: Profile,
    status_list: StatusListRecord,
    purpose: str,
    set_indexes: Iterable[int],
    *,
    valid_from: datetime,
    valid_until: datetime | None = None,
    ttl: timedelta | None = None,
    loader: DocumentLoader | None = None,
) -> JsonObject:
    """Return the signed ``BitstringStatusListCredential`` of one list and purpose.

    Raises:
        ValueError: an unknown purpose, or a list smaller than 131,072 entries.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unknown status purpose {purpose!r}")
    url = status_list.url(purpose)
    # BITSTRING-STATUS-LIST 2.2: the list credential and its BitstringStatusList subject.
    subject: JsonObject = {
        "id": f"{url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": encode_status_list(set_indexes, status_list.size),
    }
    if ttl is not None:
        subject["ttl"] = int(ttl.total_seconds() * 1000)
    document: JsonObject = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": profile.issuer(),
        "validFrom": format_datetime(valid_from),
    }
    if valid_until is not None:
        document["validUntil"] = format_datetime(valid_until)
    document["credentialSubject"] = subject
    signed = mechanism_named(list_suite(profile.suite)).secure(
        document, profile.key, issued_at=valid_from, loader=loader
    )
    if not isinstance(signed, dict):
        raise InputError(f"{profile.suite}: a status list needs a Data Integrity suite")
    return signed


def current_lists(
    profile: Profile,
    registry: Registry,
    list_ids: Iterable[int] | None = None,
    *,
    at: datetime,
    valid_until: datetime | None = None,
    ttl: timedelta | None = None,
    loader: DocumentLoader | None = None,
) -> dict[str, JsonObject]:
    """Return the signed list credentials, by URL, of ``list_ids`` (default: every list)."""
    wanted = None if list_ids is None else set(list_ids)
    documents: dict[str, JsonObject] = {}
    for status_list in registry.lists():
        if wanted is not None and status_list.id not in wanted:
            continue
        for purpose in PURPOSES:
            documents[status_list.url(purpose)] = status_list_credential(
                profile,
                status_list,
                purpose,
                registry.set_bits(status_list.id, purpose),
                valid_from=at,
                valid_until=valid_until,
                ttl=ttl,
                loader=loader,
            )
    return documents


def _change(
    profile: Profile,
    credential_id: str,
    *,
    to: CredentialState,
    allowed_from: frozenset[CredentialState],
    reason: str | None,
    at: datetime | None,
) -> CredentialRecord:
    with profile.open_registry() as registry:
        found = registry.transition(
            credential_id,
            to=to,
            allowed_from=allowed_from,
            reason=reason,
            at=format_datetime(at or utc_now()),
        )
        if found is None:
            raise InputError("no such credential in this issuer's registry", where=credential_id)
        if found.state not in allowed_from:
            when = f" on {found.changed}" if found.changed else ""
            why = f" ({found.reason})" if found.reason else ""
            if found.state is CredentialState.REVOKED:
                raise InputError(
                    f"was revoked{when}{why}; revocation is final"
                    + ("" if to is CredentialState.REVOKED else " and cannot be undone"),
                    where=credential_id,
                )
            if to is CredentialState.ACTIVE:
                raise InputError(
                    "is not suspended; there is nothing to reinstate", where=credential_id
                )
            raise InputError(f"is already {found.state}{when}{why}", where=credential_id)
        changed = registry.find(credential_id)
    assert changed is not None
    return changed


def revoke(
    profile: Profile, credential_id: str, *, reason: str | None = None, at: datetime | None = None
) -> CredentialRecord:
    """Revoke a credential for good; its revocation bit is set at the next publication.

    Raises:
        InputError: unknown credential, or already revoked.
    """
    return _change(
        profile,
        credential_id,
        to=CredentialState.REVOKED,
        allowed_from=frozenset({CredentialState.ACTIVE, CredentialState.SUSPENDED}),
        reason=reason,
        at=at,
    )


def suspend(
    profile: Profile, credential_id: str, *, reason: str | None = None, at: datetime | None = None
) -> CredentialRecord:
    """Suspend a credential until it is reinstated.

    Raises:
        InputError: unknown, already suspended, or revoked credential.
    """
    return _change(
        profile,
        credential_id,
        to=CredentialState.SUSPENDED,
        allowed_from=frozenset({CredentialState.ACTIVE}),
        reason=reason,
        at=at,
    )


def reinstate(
    profile: Profile, credential_id: str, *, reason: str | None = None, at: datetime | None = None
) -> CredentialRecord:
    """Lift a suspension. A revoked credential is never reinstated: revocation is final.

    Raises:
        InputError: unknown, not suspended, or revoked credential.
    """
    return _change(
        profile,
        credential_id,
        to=CredentialState.ACTIVE,
        allowed_from=frozenset({CredentialState.SUSPENDED}),
        reason=reason,
        at=at,
    )


def _check_validity(valid_for: timedelta, ttl: timedelta | None) -> None:
    if valid_for <= timedelta(0):
        raise ValueError(f"a status list must hold for some time (valid_for={valid_for})")
    if ttl is not None and ttl < timedelta(0):
        raise ValueError(f"a negative ttl means nothing (ttl={ttl})")


def publish_status(
    profile: Profile,
    out_dir: Path,
    *,
    at: datetime | None = None,
    valid_for: timedelta = DEFAULT_LIST_VALIDITY,
    ttl: timedelta | None = None,
) -> list[Path]:
    """Write every signed status list credential (and the did:web document) under ``out_dir``.

    Files follow the cache layout of DESIGN.md (``https://HOST/PATH`` is
    ``out_dir/HOST/PATH``), so the folder can be served as static files or
    given to a verifier as ``--cache``. Each file is written atomically.
    Verifiers refuse the lists after their ``validUntil``: publish again
    before then (and after every status change).

    Args:
        at: the lists' ``validFrom`` and proof date (default: now).
        valid_for: how long the lists hold: their ``validUntil`` is
            ``at + valid_for`` (default: :data:`DEFAULT_LIST_VALIDITY`).
        ttl: when given, how long verifiers may keep a list (``ttl``, in ms).

    Returns:
        The files written.

    Raises:
        InputError: the registry cannot be read, or ``out_dir`` cannot be written.
        ValueError: ``valid_for`` is not positive, or ``ttl`` is negative.
    """
    _check_validity(valid_for, ttl)
    at = at or utc_now()
    mirror = CacheDirFetcher(out_dir)
    with profile.open_registry() as registry:
        documents = current_lists(profile, registry, at=at, valid_until=at + valid_for, ttl=ttl)
    did_document = profile.did_document()
    if did_document is not None:
        documents[did_web_url(profile.did)] = did_document
    written: list[Path] = []
    for url, document in documents.items():
        path = mirror.path_for(url)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create a folder: {exc.strerror}", where=str(path)) from None
        write_atomic(path, dump_json(document), mode=PUBLIC)  # served to every verifier
        written.append(path)
    return written


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveStatusFetcher:
    """A fetcher answering an issuer's own status lists from its registry as it stands now.

    Each list URL under the profile's status base is signed on request from
    the registry (valid from the clock's now for ``valid_for``), and the
    profile's did:web URL is its DID document; any other URL goes to
    ``fallback``. An issuer's server verifies against these, the very lists it
    serves, so a stale published copy or cache never speaks for it.
    :meth:`revision` tells the verifier's list cache when a list changed
    (:class:`verifier.status.LiveFetcher`), so a status change is seen by the
    next verification.
    """

    profile: Profile
    fallback: Fetcher | None = None
    clock: Callable[[], datetime] = utc_now
    valid_for: timedelta = LIVE_LIST_VALIDITY
    ttl: timedelta | None = None
    loader: DocumentLoader | None = None

    def _did_url(self) -> str | None:
        did = self.profile.did
        return did_web_url(did) if did.startswith("did:web:") else None

    def owns(self, url: str) -> bool:
        """Tell whether ``url`` is this issuer's to answer (a status list URL or its did:web)."""
        return url.startswith(self.profile.status_base) or url == self._did_url()

    def _find(self, registry: Registry, url: str) -> tuple[StatusListRecord, str] | None:
        for status_list in registry.lists():
            for purpose in PURPOSES:
                if status_list.url(purpose) == url:
                    return status_list, purpose
        return None

    def document(self, url: str) -> JsonObject | None:
        """Return the signed list credential (or the DID document) at ``url``; None if none.

        Raises:
            InputError: the registry cannot be read.
            ValueError: ``valid_for`` is not positive, or ``ttl`` is negative.
        """
        if url == self._did_url():
            return self.profile.did_document()
        if not url.startswith(self.profile.status_base):
            return None
        _check_validity(self.valid_for, self.ttl)
        with self.profile.open_registry() as registry:
            found = self._find(registry, url)
            if found is None:
                return None
            status_list, purpose = found
            set_bits = registry.set_bits(status_list.id, purpose)
        now = self.clock()
        return status_list_credential(
            self.profile,
            status_list,
            purpose,
            set_bits,
            valid_from=now,
            valid_until=now + self.valid_for,
            ttl=self.ttl,
            loader=self.loader,
        )

    def revision(self, url: str) -> bytes | None:
        """Return a digest of the bits set in the list at ``url`` (None: not one of its lists).

        Raises:
            ResolutionError: the registry cannot be read.
        """
        if not url.startswith(self.profile.status_base):
            return None
        try:
            with self.profile.open_registry() as registry:
                found = self._find(registry, url)
                if found is None:
                    return None
                status_list, purpose = found
                set_bits = registry.set_bits(status_list.id, purpose)
        except InputError as exc:
            raise ResolutionError(f"cannot read the issuer's registry: {exc}", where=url) from None
        return hashlib.sha256(",".join(map(str, set_bits)).encode("ascii")).digest()

    def fetch(self, url: str, *, max_bytes: int) -> bytes:
        """Return the live document at ``url`` when it is this issuer's, else ask ``fallback``.

        Raises:
            ResolutionError: one of its URLs with no list behind it, a body over
                ``max_bytes``, the registry unreadable, or, from ``fallback``,
                any other URL not obtained.
        """
        if not self.owns(url):
            if self.fallback is None:
                raise ResolutionError("not one of this issuer's documents", where=url)
            return self.fallback.fetch(url, max_bytes=max_bytes)
        try:
            document = self.document(url)
        except InputError as exc:
            raise ResolutionError(f"cannot read the issuer's registry: {exc}", where=url) from None
        if document is None:
            raise ResolutionError("no status list at this URL in the issuer's registry", where=url)
        body = json.dumps(document).encode("utf-8")
        if len(body) > max_bytes:
            raise ResolutionError(f"larger than {max_bytes} bytes", where=url)
        return body
