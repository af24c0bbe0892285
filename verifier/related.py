"""``relatedResource``: each resource a credential pins by digest, checked when it can be read.

Spec: https://www.w3.org/TR/vc-data-model-2.0/#integrity-of-related-resources
("a conforming verifier ... MUST compute the digest of the retrieved resource.
If the digest provided by the issuer does not match ..., [it] MUST produce an
error"). The digests are read by :mod:`proofs.digests`, the entries by
:func:`proofs.model.related_resources`.

Checks, one per entry (none when the credential has no ``relatedResource``):

- ``related.malformed`` FAILED: an entry without ``id``, with the ``id`` of
  another entry, without ``digestSRI`` nor ``digestMultibase``, or with a
  digest that cannot be read.
- ``related.digest`` PASSED / FAILED: the resource was obtained and matches,
  or does not. A JSON-LD context is compared with the bytes bundled here
  (those the verifier uses), never fetched; any other ``https`` resource is
  asked of the environment's fetcher (a cache directory, or the network when
  the caller allows it).

A resource that cannot be obtained (offline, not in the cache, too large, not
an ``https`` URL) is not a check: it is said in a warning, "not checked",
never counted as verified (the first :data:`MAX_WARNINGS` one by one, the
others counted). At most :data:`MAX_FETCHED` resources are fetched per
credential, of at most :data:`MAX_RESOURCE_BYTES` each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from passeport.errors import PasseportError
from passeport.proofs.model import bundled_context_bytes, related_resources
from passeport.proofs.outcome import Outcome
from passeport.verifier.env import Environment
from passeport.verifier.result import Check

__all__ = ["MAX_FETCHED", "MAX_RESOURCE_BYTES", "MAX_WARNINGS", "related_checks"]

MAX_FETCHED: Final = 8
"""How many related resources of one credential are fetched at most (the others: a warning)."""

MAX_RESOURCE_BYTES: Final = 8 * 1024 * 1024
"""The largest related resource fetched (a larger one is not checked: a warning)."""

MAX_WARNINGS: Final = 8
"""How many unchecked resources are named one by one; the others are counted in one warning."""

_SHOWN: Final = 120


def related_checks(
    document: Mapping[str, Any],
    *,
    env: Environment,
    credential: int | None,
    base: str,
) -> tuple[list[Check], list[str]]:
    """Check each ``relatedResource`` of ``document`` (its signed view); return checks, warnings.

    ``credential`` and ``base`` place the checks inside a presentation; the
    warnings name each resource that could not be checked and why.
    """
    found, problems = related_resources(document)
    checks = [
        Check(p.code, Outcome.FAILED, p.message, credential, f"{base}{p.pointer}") for p in problems
    ]
    unchecked: list[str] = []
    fetched = 0
    for resource in found:
        at = f"{base}{resource.pointer}"
        name = resource.id if len(resource.id) <= _SHOWN else resource.id[: _SHOWN - 1] + "…"
        try:
            data = bundled_context_bytes(resource.id)
        except PasseportError as exc:
            unchecked.append(f"relatedResource {name} not checked: {exc.message}")
            continue
        what = f"the bundled context {name}"
        if data is None:
            if not resource.id.startswith("https://"):
                unchecked.append(
                    f"relatedResource {name} not checked: only https resources are fetched"
                )
                continue
            if fetched >= MAX_FETCHED:
                unchecked.append(
                    f"relatedResource {name} not checked: more than {MAX_FETCHED} "
                    "resources to fetch"
                )
                continue
            fetched += 1
            try:
                data = env.fetcher.fetch(resource.id, max_bytes=MAX_RESOURCE_BYTES)
            except PasseportError as exc:
                unchecked.append(
                    f"relatedResource {name} not checked: it could not be obtained ({exc.message})"
                )
                continue
            what = f"the resource {name}"
        if resource.digests.matches(data):
            checks.append(
                Check(
                    "related.digest",
                    Outcome.PASSED,
                    f"{what} matches the digest the credential gives",
                    credential,
                    at,
                )
            )
        else:
            checks.append(
                Check(
                    "related.digest",
                    Outcome.FAILED,
                    f"{what} does not match the digest the credential gives: it is not "
                    "the resource its issuer pinned",
                    credential,
                    at,
                )
            )
    warnings = unchecked[:MAX_WARNINGS]
    if len(unchecked) > MAX_WARNINGS:
        warnings.append(f"{len(unchecked) - MAX_WARNINGS} other related resources not checked")
    return checks, warnings
