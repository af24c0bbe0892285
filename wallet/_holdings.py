"""What the wallet's credentials prove about skills: the material of the gap and of inference.

:func:`holdings` reads each credential the wallet holds and that verified
when it was added, through its signed view and the verifier's facts
(:func:`passeport.verifier.facts.facts_of`), into a :class:`Holding`: its
kind, whether it is guaranteed (signed by someone else) or declared (signed
by the holder), its ESCO skills, blocks, certification codes and ROME codes.
A declaration validated by another credential the wallet holds
(:func:`wallet.declarations.validations`) gives way to it; an endorsement of a
declaration is kept beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from passeport.contexts import DocumentLoader, bundled_loader
from passeport.errors import PasseportError
from passeport.proofs.dates import utc_now
from passeport.verifier.facts import CredentialFacts, Guarantee, Kind, facts_of
from passeport.verifier.trust import is_self_issued
from passeport.verifier.view import signed_view
from passeport.wallet._records import Flag, HeldCredential
from passeport.wallet.declarations import Link, LinkKind, validations
from passeport.wallet.store import Wallet

__all__ = ["Holding", "holding_of", "holdings"]


@dataclass(frozen=True, slots=True)
class Holding:
    """One credential held, as the gap reads it.

    ``id`` is the wallet's record id, ``credential_id`` the credential's own;
    ``esco`` the ESCO skills it aligns to (URI, name); ``endorses`` the ids
    an endorsement's subjects name.
    """

    id: str
    credential_id: str | None
    facts: CredentialFacts
    esco: tuple[tuple[str, str], ...] = ()
    endorses: tuple[str, ...] = ()

    @property
    def guarantee(self) -> Guarantee:
        """Guaranteed (someone else signed it) or declared (the holder did)."""
        return self.facts.guarantee


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _esco_skills(document: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for subject in _items(document.get("credentialSubject")):
        achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
        if not isinstance(achievement, Mapping):
            continue
        for alignment in _items(achievement.get("alignment")):
            if not isinstance(alignment, Mapping) or alignment.get("targetFramework") != "ESCO":
                continue
            if alignment.get("targetType") == "ext:Occupation":
                continue
            url, name = alignment.get("targetUrl"), alignment.get("targetName")
            if isinstance(url, str) and "/esco/skill/" in url:
                found.setdefault(url, name if isinstance(name, str) else url)
    return tuple(found.items())


def holding_of(held: HeldCredential, loader: DocumentLoader | None = None) -> Holding | None:
    """Return what one held credential proves, or None when it cannot be read."""
    document = held.document
    if not isinstance(document, Mapping):
        return None
    try:
        view = signed_view(document, loader or bundled_loader()).document
    except PasseportError:
        return None
    standing = "self-declared" if is_self_issued(view) else "unknown"
    facts = facts_of(view, standing=standing, verified=True)
    endorses: tuple[str, ...] = ()
    if facts.kind is Kind.ENDORSEMENT:
        endorses = tuple(
            str(s["id"])
            for s in _items(view.get("credentialSubject"))
            if isinstance(s, Mapping) and isinstance(s.get("id"), str)
        )
    return Holding(held.id, held.info.credential_id, facts, _esco_skills(view), endorses)


_OUT: Final = frozenset(
    {
        Flag.EXPIRED,
        Flag.NOT_YET_VALID,
        Flag.REVOKED,
        Flag.SUSPENDED,
        Flag.UNVERIFIED,
        Flag.NOT_VERIFIED,
        Flag.OTHER_HOLDER,
    }
)
"""What keeps a held credential out of the gap: it no longer holds, or is about someone else."""


def holdings(
    wallet: Wallet, *, now: datetime | None = None
) -> tuple[tuple[Holding, ...], tuple[Link, ...]]:
    """Return what each credential of the wallet that holds proves, and the declarations' links.

    Left out: a credential that did not verify when added (or last
    refreshed), has expired at ``now`` (default: now), is revoked or
    suspended, or is about someone else; and a validated declaration, since
    the credential that validates it says the same, guaranteed.
    """
    moment = now or utc_now()
    links = validations(wallet)
    superseded = {link.declared for link in links if link.kind is LinkKind.VALIDATED}
    entries = [
        e
        for e in wallet.entries()
        if e.info.verification.verified
        and e.id not in superseded
        and _OUT.isdisjoint(e.info.flags_at(moment))
    ]
    loader = bundled_loader()
    found = [holding_of(held, loader) for held in wallet.credentials(entries)]
    return tuple(h for h in found if h is not None), links
