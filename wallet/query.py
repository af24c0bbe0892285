"""Answering a verifier's request from the wallet: DCQL and DIF Presentation Exchange 2.0.

Specs: OpenID for Verifiable Presentations 1.0, sections 6 (Digital Credentials
Query Language) and 7 (claims path pointers), both in :mod:`wallet._dcql`,
https://openid.net/specs/openid-4-verifiable-presentations-1_0.html ;
DIF Presentation Exchange 2.0,
https://identity.foundation/presentation-exchange/spec/v2.0.0/ (in
:mod:`wallet._pe`).

:func:`answer` reads either kind of request and returns an :class:`Answer`:
which held credential answers which query, and the JSON pointers of the
claims to reveal. Credentials that are revoked, suspended, expired, not yet
valid or failed verification are never chosen; among the rest the wallet
prefers verified ones, then the fewest flags, then the most recent. When a
query cannot be answered, :class:`UnmetRequest` names it and says why each
candidate fell short. The choice of candidates and the answer's types are in
:mod:`wallet._candidates`, which both matchers import.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from passeport._json import JsonObject
from passeport.errors import InputError
from passeport.wallet._candidates import Answer, Match, UnmetRequest, candidates
from passeport.wallet._dcql import answer_dcql, claim_pointers
from passeport.wallet._pe import answer_definition
from passeport.wallet.store import Wallet

__all__ = ["Answer", "Match", "UnmetRequest", "answer", "candidates", "claim_pointers"]


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
    return answer_definition(definition, pool, where)
