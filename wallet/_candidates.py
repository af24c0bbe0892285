"""What answering a verifier's request works with: the usable credentials, and the answer.

:func:`candidates` orders the wallet's usable credentials into a :class:`Pool`
(never revoked, suspended, expired, not yet valid or failed ones); the DCQL
(:mod:`wallet._dcql`) and Presentation Exchange (:mod:`wallet._pe`) matchers
choose from it and return an :class:`Answer` (one :class:`Match` per query), or raise
:class:`UnmetRequest`. :mod:`wallet.query` reads the request and picks the
matcher.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from passeport.errors import WalletError
from passeport.wallet._records import Flag, HeldCredential, WalletEntry
from passeport.wallet.store import Wallet

__all__ = ["UNUSABLE", "Answer", "Match", "Pool", "UnmetRequest", "candidates"]

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
