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
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from contexts import DocumentLoader
from did.resolve import CacheDirFetcher
from did.web import did_web_url
from issuer._permutation import KeyedPermutation, permutation_for
from issuer.profile import MIN_LIST_SIZE, Profile
from issuer.registry import CredentialRecord, CredentialState, Registry, StatusListRecord
from passeport._io import dump_json, write_atomic
from passeport._json import JsonObject
from passeport.errors import InputError
from proofs.dates import format_datetime, utc_now
from proofs.sign import sign_document

__all__ = [
    "LIST_CREDENTIAL_TYPE",
    "MIN_LIST_SIZE",
    "PURPOSES",
    "KeyedPermutation",
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
    ecdsa-sd-2023 (whose base proofs verifiers refuse): the same P-256 or
    P-384 key signs it with ecdsa-rdfc-2019.

    >>> list_suite("ecdsa-sd-2023"), list_suite("eddsa-rdfc-2022")
    ('ecdsa-rdfc-2019', 'eddsa-rdfc-2022')
    """
    return "ecdsa-rdfc-2019" if suite == "ecdsa-sd-2023" else suite


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
    return sign_document(
        document, profile.key, suite=list_suite(profile.suite), created=valid_from, loader=loader
    )


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
    with Registry.open(profile.registry_path) as registry:
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


def publish_status(
    profile: Profile,
    out_dir: Path,
    *,
    at: datetime | None = None,
    valid_for: timedelta | None = None,
    ttl: timedelta | None = None,
) -> list[Path]:
    """Write every signed status list credential (and the did:web document) under ``out_dir``.

    Files follow the cache layout of DESIGN.md (``https://HOST/PATH`` is
    ``out_dir/HOST/PATH``), so the folder can be served as static files or
    given to a verifier as ``--cache``. Each file is written atomically.

    Args:
        at: the lists' ``validFrom`` and proof date (default: now).
        valid_for: when given, the lists' ``validUntil`` is ``at + valid_for``.
        ttl: when given, how long verifiers may keep a list (``ttl``, in ms).

    Returns:
        The files written.

    Raises:
        InputError: the registry cannot be read, or ``out_dir`` cannot be written.
    """
    at = at or utc_now()
    mirror = CacheDirFetcher(out_dir)
    with Registry.open(profile.registry_path) as registry:
        documents = current_lists(
            profile,
            registry,
            at=at,
            valid_until=at + valid_for if valid_for is not None else None,
            ttl=ttl,
        )
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
        write_atomic(path, dump_json(document))
        written.append(path)
    return written
