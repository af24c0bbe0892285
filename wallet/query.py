"""Answering a verifier's request from the wallet: DCQL and DIF Presentation Exchange 2.0.

Specs: OpenID for Verifiable Presentations 1.0, section 6 (Digital Credentials
Query Language, in :mod:`wallet._dcql`) and section 7 (claims path pointers,
here), https://openid.net/specs/openid-4-verifiable-presentations-1_0.html ;
DIF Presentation Exchange 2.0,
https://identity.foundation/presentation-exchange/spec/v2.0.0/ (in
:mod:`wallet._pe`).

:func:`answer` reads either kind of request and returns an :class:`Answer`:
which held credential answers which query, and the JSON pointers of the
claims to reveal. Credentials that are revoked, suspended, expired, not yet
valid or failed verification are never chosen; among the rest the wallet
prefers verified ones, then the fewest flags, then the most recent. When a
query cannot be answered, :class:`UnmetRequest` names it and says why each
candidate fell short.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from passeport._json import JsonObject
from passeport.errors import InputError, WalletError
from passeport.wallet._jsonpath import Located
from passeport.wallet._records import Flag, HeldCredential, WalletEntry
from passeport.wallet.store import Wallet

__all__ = ["Answer", "Match", "UnmetRequest", "answer", "candidates", "claim_pointers"]

UNUSABLE: Final = frozenset(
    {Flag.REVOKED, Flag.SUSPENDED, Flag.EXPIRED, Flag.NOT_YET_VALID, Flag.NOT_VERIFIED}
)


class UnmetRequest(WalletError):
    """No held credential (or combination) answers a query; ``unmet`` names the queries."""

    def __init__(self, message: str, *, unmet: Sequence[str], where: str | None = None) -> None:
        super().__init__(message, where=where)
        self.unmet = tuple(unmet)


@dataclass(frozen=True, slots=True)
class Match:
    """A held credential chosen for one query.

    ``reveal`` lists JSON pointers into the credential's claims to disclose
    (with selective disclosure; the issuer's mandatory claims come along), or
    is None for the whole credential. ``limit_disclosure`` is True when the
    request requires selective disclosure.
    """

    query_id: str
    held: HeldCredential
    reveal: tuple[str, ...] | None
    limit_disclosure: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """The credentials that answer a request; ``definition_id`` is set for a PE definition."""

    matches: tuple[Match, ...]
    kind: str  # "dcql" or "pe"
    definition_id: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(slots=True)
class Pool:
    """The wallet's usable credentials in order of preference, decrypted lazily (one connection)."""

    wallet: Wallet
    entries: list[WalletEntry]
    excluded: dict[str, tuple[Flag, ...]]
    _cache: dict[str, HeldCredential] = field(default_factory=dict)

    def load(self, entries: Sequence[WalletEntry]) -> Iterator[HeldCredential]:
        """Yield the given credentials decrypted, in order, reading each at most once."""
        wanted = [e for e in entries if e.id not in self._cache]
        with contextlib.closing(self.wallet.credentials(wanted)) as pending:
            for entry in entries:
                if entry.id not in self._cache:
                    for held in pending:
                        self._cache[held.id] = held
                        if held.id == entry.id:
                            break
                cached = self._cache.get(entry.id)
                if cached is not None:
                    yield cached


def candidates(wallet: Wallet, *, now: datetime, only: Sequence[str] = ()) -> Pool:
    """Return the credentials a request may use, best first; ``only`` restricts to those ids.

    Raises:
        WalletError: an id in ``only`` that names no credential.
    """
    chosen = {wallet.resolve(reference) for reference in only}
    usable: list[tuple[WalletEntry, int]] = []
    excluded: dict[str, tuple[Flag, ...]] = {}
    for entry in wallet.entries():
        if chosen and entry.id not in chosen:
            continue
        flags = entry.info.flags_at(now)
        bad = tuple(f for f in flags if f in UNUSABLE)
        if bad:
            excluded[entry.id] = bad
            continue
        usable.append((entry, len(flags)))
    # Most recent first, then (stable) verified first and fewest flags first.
    usable.sort(key=lambda pair: pair[0].info.valid_from or pair[0].info.added_at, reverse=True)
    usable.sort(key=lambda pair: (not pair[0].info.verification.verified, pair[1]))
    return Pool(wallet, [entry for entry, _ in usable], excluded)


def _exact(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def claim_pointers(
    document: Any, path: Sequence[str | int | None], values: Sequence[Any] | None = None
) -> list[Located] | None:
    """Apply a DCQL claims path pointer (OpenID4VP 7.1); None when it selects nothing.

    With ``values``, only the selected values equal (same JSON type) to one of them count.
    """
    current = [Located((), document)]
    # OpenID4VP 7.1: process the components left to right, from the root.
    for component in path:
        following: list[Located] = []
        for found in current:
            value = found.value
            if isinstance(component, str):
                # step 1: a string selects that key of every selected object.
                if not isinstance(value, dict):
                    return None
                if component in value:
                    following.append(Located((*found.location, component), value[component]))
            elif component is None:
                # step 2: null selects every element of every selected array.
                if not isinstance(value, list):
                    return None
                following.extend(
                    Located((*found.location, index), item) for index, item in enumerate(value)
                )
            else:
                # step 3: an index selects that element of every selected array.
                if not isinstance(value, list):
                    return None
                if 0 <= component < len(value):
                    following.append(Located((*found.location, component), value[component]))
        # step 4: an empty selection ends processing: the claim is absent.
        if not following:
            return None
        current = following
    if values is not None:
        current = [f for f in current if any(_exact(f.value, v) for v in values)]
    return current or None


def answer(
    wallet: Wallet,
    request: Mapping[str, Any],
    *,
    now: datetime,
    only: Sequence[str] = (),
    where: str | None = None,
) -> Answer:
    """Choose the held credentials that answer ``request`` (DCQL or a PE 2.0 definition).

    A DCQL query is ``{"credentials": [...], "credential_sets": [...]}`` (or
    wrapped as ``{"dcql_query": ...}``); a PE definition has
    ``input_descriptors`` (or is wrapped as ``{"presentation_definition": ...}``).
    ``only`` restricts the choice to those credential ids.

    Raises:
        InputError: a malformed request (naming the JSON pointer).
        UnmetRequest: a query or descriptor no held credential satisfies (named).
    """
    if not isinstance(request, Mapping):
        raise InputError("a request is a JSON object", where=where)
    pool = candidates(wallet, now=now, only=only)
    from passeport.wallet._dcql import answer_dcql

    if isinstance(request.get("dcql_query"), Mapping):
        return answer_dcql(request["dcql_query"], pool, where)
    if "credentials" in request:
        return answer_dcql(request, pool, where)
    definition: JsonObject | None = None
    if isinstance(request.get("presentation_definition"), dict):
        definition = request["presentation_definition"]
    elif "input_descriptors" in request:
        definition = dict(request)
    if definition is None:
        raise InputError(
            "neither a DCQL query (credentials) nor a Presentation Exchange definition "
            "(input_descriptors)",
            where=where,
        )
    from passeport.wallet._pe import answer_definition

    return answer_definition(definition, pool, where)
