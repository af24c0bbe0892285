"""Where verification data comes from (Environment) and what is acceptable (Policy)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Self

from passeport.contexts import DocumentLoader, bundled_loader
from passeport.did.resolve import CacheDirFetcher, DidResolver, Fetcher, NoNetwork
from passeport.proofs.dates import utc_now
from passeport.proofs.engine import ProofExpectation
from passeport.proofs.mechanism import mechanisms
from passeport.verifier.bitstring import StatusListCache
from passeport.verifier.trustlist import TrustList

__all__ = ["DEFAULT_SUITES", "Environment", "Policy", "assertion_expectation", "now_of"]

DEFAULT_SUITES: frozenset[str] = frozenset(m.name for m in mechanisms())
"""The securing mechanisms built in (every one registered when this module is imported)."""


def _registered() -> frozenset[str]:
    return frozenset(m.name for m in mechanisms())


@dataclass(frozen=True, slots=True, kw_only=True)
class Environment:
    """Injected services: the context loader, the fetcher (did:web, status lists), the clock.

    The defaults work offline and never open a socket. ``status_lists`` keeps
    the status lists this environment decoded and verified: reuse one
    environment to verify many credentials against the same lists.
    """

    loader: DocumentLoader = field(default_factory=bundled_loader)
    fetcher: Fetcher = field(default_factory=NoNetwork)
    clock: Callable[[], datetime] = utc_now
    status_lists: StatusListCache = field(default_factory=StatusListCache)

    def with_cache(self, root: Path) -> Self:
        """Return this environment reading URLs from ``root`` first (DESIGN.md cache layout)."""
        return replace(self, fetcher=CacheDirFetcher(root, fallback=self.fetcher))

    def resolver(self) -> DidResolver:
        """Return a DID resolver that fetches through this environment."""
        return DidResolver(fetcher=self.fetcher)


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """Acceptance rules of one verification.

    Args:
        challenge: the challenge the presentation proof must carry.
        domain: the domain the presentation proof must carry.
        at: the time to verify at (default: the environment's clock).
        suites: the securing mechanisms accepted, by name (default: every
            one registered in :mod:`proofs.mechanism` when the policy is made).
        max_clock_skew: tolerance on validity periods and proof dates.
        unchecked_is_failure: whether a status or schema check that could not
            be made (status list unreachable offline, say) blocks the verdict;
            an unchecked proof or key binding always does.
        require_holder_binding: whether a presented credential whose subjects
            are named by DIDs, none of them the holder's, fails (the default;
            without ``holder``, optional in VC 2.0, the presenter is the DID
            that signed the presentation); ``False`` makes it a warning, for a
            verifier that accepts
            credentials presented on someone else's behalf.
        max_age: how old a presentation may be (from its proof's ``created``,
            or an SD-JWT key binding's ``iat``); ``None`` sets no bound beyond
            the ``expires`` the holder chose.
        trust: the accredited issuers, their credential types and codes.
        accept_self_issued: whether, with a trust list, a credential its holder
            issued about themselves passes as a declaration (it is always shown
            as self-declared, never as accredited); by default it fails.
        schemas: JSON Schemas available offline, by URL (``credentialSchema``).
        issuer_delegation: issuers whose proofs are made with the keys of
            another DID, by issuer id: ``{"https://univ.example":
            "did:key:z6Mk..."}`` accepts, for credentials (and status lists)
            whose ``issuer`` is ``https://univ.example``, proofs by a key of
            that DID, and says so in a warning. Empty by default: a proof's
            verification method must be controlled by the issuer itself. Name
            only a delegation the issuer publishes (on its site, in a
            registry), never one read from the credential it vouches for.
        receiving: verify as the credential's holder receives it from its
            issuer: a form only the holder uses (an ``ecdsa-sd-2023`` base
            proof) is confirmed by its mechanism instead of refused, an
            enveloped credential needs no Key Binding and is accepted
            whatever ``suites`` lists. The wallet (on import) and the issuer
            (after signing) verify so.
    """

    challenge: str | None = None
    domain: str | None = None
    at: datetime | None = None
    suites: frozenset[str] = field(default_factory=_registered)
    max_clock_skew: timedelta = timedelta(minutes=5)
    unchecked_is_failure: bool = True
    require_holder_binding: bool = True
    max_age: timedelta | None = None
    trust: TrustList | None = None
    accept_self_issued: bool = False
    schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    issuer_delegation: Mapping[str, str] = field(default_factory=dict)
    receiving: bool = False


def now_of(policy: Policy, env: Environment) -> datetime:
    """Return the instant to verify at: the policy's, else the environment's clock."""
    return policy.at or env.clock()


def assertion_expectation(issuer: str | None, policy: Policy, now: datetime) -> ProofExpectation:
    """Return what an issuer's ``assertionMethod`` proof must satisfy under ``policy``."""
    return ProofExpectation(
        proof_purpose="assertionMethod",
        # The issuer's own keys, unless the policy states whose keys sign for it.
        controller=policy.issuer_delegation.get(issuer, issuer) if issuer else issuer,
        now=now,
        max_clock_skew=policy.max_clock_skew,
        suites=policy.suites,
    )
