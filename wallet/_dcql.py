"""Digital Credentials Query Language: a DCQL query answered from the wallet.

Spec: OpenID for Verifiable Presentations 1.0, section 6,
https://openid.net/specs/openid-4-verifiable-presentations-1_0.html :
credential queries by format, ``meta`` (``type_values``, ``vct_values``) and
claims (paths and values), ``claim_sets`` (the first that can be met, 6.4.1),
``credential_sets`` (options, ``required``), ``multiple`` and
``require_cryptographic_holder_binding``. Claims paths are applied by
:func:`claim_pointers` (section 7, claims path pointers).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from passeport.errors import InputError
from passeport.wallet._candidates import Answer, Match, Pool, UnmetRequest
from passeport.wallet._jsonpath import Located
from passeport.wallet._records import CredentialFormat, Flag, WalletEntry

__all__ = ["answer_dcql", "claim_pointers"]

_DCQL_FORMATS: Final = {
    CredentialFormat.LDP_VC: frozenset({"ldp_vc"}),
    CredentialFormat.JWT_VC: frozenset({"jwt_vc_json"}),
    CredentialFormat.SD_JWT: frozenset({"dc+sd-jwt", "vc+sd-jwt"}),
}
_ID: Final = re.compile(r"[A-Za-z0-9_-]+")


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


@dataclass(frozen=True, slots=True)
class _Claim:
    id: str | None
    path: tuple[str | int | None, ...]
    values: tuple[Any, ...] | None

    def label(self) -> str:
        return ".".join("[*]" if c is None else str(c) for c in self.path)


@dataclass(frozen=True, slots=True)
class _CredentialQuery:
    id: str
    format: str
    meta: Mapping[str, Any]
    claims: tuple[_Claim, ...] | None
    claim_sets: tuple[tuple[str, ...], ...] | None
    multiple: bool
    binding: bool


def _require(condition: bool, message: str, pointer: str, where: str | None) -> None:
    if not condition:
        raise InputError(message, where=where, pointer=pointer)


def _ids_in(value: Any, known: set[Any]) -> bool:
    """Whether ``value`` is a non-empty array of ids, all in ``known``."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, str) and item in known for item in value)
    )


def _parse_claim(value: Any, pointer: str, where: str | None) -> _Claim:
    _require(isinstance(value, dict), "a claims query is an object", pointer, where)
    path = value.get("path")
    _require(
        isinstance(path, list)
        and bool(path)
        and all(c is None or isinstance(c, str) or (type(c) is int and c >= 0) for c in path),
        "path must be a non-empty array of names, indexes (0 or more) and null",
        f"{pointer}/path",
        where,
    )
    values = value.get("values")
    if values is not None:
        _require(
            isinstance(values, list)
            and bool(values)
            and all(isinstance(v, str | int | bool) for v in values),
            "values must be a non-empty array of strings, integers or booleans",
            f"{pointer}/values",
            where,
        )
    claim_id = value.get("id")
    if claim_id is not None:
        _require(
            isinstance(claim_id, str) and bool(_ID.fullmatch(claim_id)),
            "a claim id is a non-empty string of letters, digits, _ and -",
            f"{pointer}/id",
            where,
        )
    return _Claim(claim_id, tuple(path), tuple(values) if values is not None else None)


def _parse_query(value: Any, pointer: str, where: str | None) -> _CredentialQuery:
    _require(isinstance(value, dict), "a credential query is an object", pointer, where)
    query_id = value.get("id")
    _require(
        isinstance(query_id, str) and bool(_ID.fullmatch(query_id)),
        "id must be a non-empty string of letters, digits, _ and -",
        f"{pointer}/id",
        where,
    )
    kind = value.get("format")
    _require(
        isinstance(kind, str) and bool(kind), "format must be a string", f"{pointer}/format", where
    )
    meta = value.get("meta", {})
    _require(isinstance(meta, dict), "meta must be an object", f"{pointer}/meta", where)
    claims = None
    if "claims" in value:
        raw = value["claims"]
        _require(
            isinstance(raw, list) and bool(raw),
            "claims must be a non-empty array",
            f"{pointer}/claims",
            where,
        )
        claims = tuple(_parse_claim(c, f"{pointer}/claims/{i}", where) for i, c in enumerate(raw))
    claim_sets = None
    if "claim_sets" in value:
        raw_sets = value["claim_sets"]
        known = {c.id for c in claims or () if c.id}
        _require(
            claims is not None
            and all(c.id for c in claims)
            and isinstance(raw_sets, list)
            and bool(raw_sets)
            and all(_ids_in(s, known) for s in raw_sets),
            "claim_sets must be non-empty arrays of the ids of this query's claims "
            "(every claim then needs an id)",
            f"{pointer}/claim_sets",
            where,
        )
        claim_sets = tuple(tuple(s) for s in raw_sets)
    multiple = value.get("multiple", False)
    binding = value.get("require_cryptographic_holder_binding", True)
    _require(isinstance(multiple, bool), "multiple must be a boolean", f"{pointer}/multiple", where)
    _require(
        isinstance(binding, bool),
        "require_cryptographic_holder_binding must be a boolean",
        f"{pointer}/require_cryptographic_holder_binding",
        where,
    )
    return _CredentialQuery(query_id, kind, meta, claims, claim_sets, multiple, binding)


def _meta_fits(query: _CredentialQuery, entry: WalletEntry) -> bool:
    info = entry.info
    type_values = query.meta.get("type_values")
    if isinstance(type_values, list) and info.format is not CredentialFormat.SD_JWT:
        types, expanded = info.types, info.expanded_types
        if not any(
            isinstance(s, list) and all(t in types or t in expanded for t in s) for s in type_values
        ):
            return False
    vct_values = query.meta.get("vct_values")
    return not (isinstance(vct_values, list) and info.vct not in vct_values)


def _claims_fit(query: _CredentialQuery, document: Any) -> tuple[str, ...] | str:
    """Return the pointers to reveal, or the label of the first claim missing."""
    if query.claims is None:
        return ()
    found: dict[int, list[Located]] = {}
    missing: str | None = None
    for index, claim in enumerate(query.claims):
        located = claim_pointers(document, claim.path, claim.values)
        if located is None:
            missing = missing or claim.label()
        else:
            found[index] = located
    if query.claim_sets is None:
        if missing is not None:
            return missing
        chosen = list(range(len(query.claims)))
    else:
        index_of = {c.id: i for i, c in enumerate(query.claims)}
        # OpenID4VP 6.4.1: the first claim set (in the verifier's order) that can be met.
        options = [[index_of[i] for i in s] for s in query.claim_sets]
        usable = [option for option in options if all(i in found for i in option)]
        if not usable:
            return missing or query.claims[0].label()
        chosen = usable[0]
    pointers: list[str] = []
    for index in chosen:
        pointers.extend(f.pointer for f in found[index] if f.pointer not in pointers)
    return tuple(pointers)


def _unmet_reason(query: _CredentialQuery, why: Counter[str]) -> str:
    detail = "; ".join(f"{count} {reason}" for reason, count in why.most_common())
    return f'no credential answers query "{query.id}" ({query.format})' + (
        f": {detail}" if detail else ": the wallet holds none"
    )


def answer_dcql(request: Mapping[str, Any], pool: Pool, where: str | None) -> Answer:
    """Answer a DCQL query (OpenID4VP 6) from ``pool``.

    Raises:
        InputError: a malformed query (naming the JSON pointer).
        UnmetRequest: a credential query or a required credential set that
            no held credential satisfies (named, with why each candidate fell short).
    """
    raw = request.get("credentials")
    if not isinstance(raw, list) or not raw:
        raise InputError(
            "credentials must be a non-empty array", where=where, pointer="/credentials"
        )
    queries = [_parse_query(q, f"/credentials/{i}", where) for i, q in enumerate(raw)]
    ids = [q.id for q in queries]
    _require(
        len(set(ids)) == len(ids), "credential query ids must be unique", "/credentials", where
    )
    sets = request.get("credential_sets")
    if sets is not None:
        _require(
            isinstance(sets, list)
            and bool(sets)
            and all(
                isinstance(s, dict)
                and isinstance(s.get("options"), list)
                and s["options"]
                and all(_ids_in(o, set(ids)) for o in s["options"])
                and isinstance(s.get("required", True), bool)
                for s in sets
            ),
            "credential_sets must be objects whose options list ids of credential queries",
            "/credential_sets",
            where,
        )
    results: dict[str, list[Match]] = {}
    reasons: dict[str, str] = {}

    def solve(query: _CredentialQuery) -> list[Match]:
        if query.id in results:
            return results[query.id]
        why: Counter[str] = Counter()
        fitting: list[WalletEntry] = []
        for entry in pool.entries:
            if query.format not in _DCQL_FORMATS[entry.info.format]:
                why["in another format"] += 1
            elif not _meta_fits(query, entry):
                why["of other types"] += 1
            elif query.binding and (
                Flag.OTHER_HOLDER in entry.info.flags or Flag.UNBOUND in entry.info.flags
            ):
                why["not bound to the holder (holder binding required)"] += 1
            else:
                fitting.append(entry)
        for flags in pool.excluded.values():
            why[f"unusable ({', '.join(map(str, flags))})"] += 1
        matches: list[Match] = []
        for held in pool.load(fitting):
            fit = _claims_fit(query, held.document)
            if isinstance(fit, str):
                why[f"without the claim {fit}"] += 1
                continue
            matches.append(Match(query.id, held, fit))
            if not query.multiple:
                break
        results[query.id] = matches
        if not matches:
            reasons[query.id] = _unmet_reason(query, why)
        return matches

    by_id = {q.id: q for q in queries}
    chosen: list[str] = []
    if sets is None:
        for query in queries:
            solve(query)
        unmet = [q.id for q in queries if not results[q.id]]
        if unmet:
            raise UnmetRequest("; ".join(reasons[q] for q in unmet), unmet=unmet, where=where)
        chosen = ids
    else:
        for index, credential_set in enumerate(sets):
            options = credential_set["options"]
            picked = next((o for o in options if all(solve(by_id[q]) for q in o)), None)
            if picked is not None:
                chosen.extend(q for q in picked if q not in chosen)
            elif credential_set.get("required", True):
                unmet = sorted({q for o in options for q in o if not results.get(q)})
                detail = "; ".join(reasons[q] for q in unmet if q in reasons)
                raise UnmetRequest(
                    f"credential set {index} (options {options}) cannot be met: {detail}",
                    unmet=unmet,
                    where=where,
                )
    matches = tuple(m for q in chosen for m in results[q])
    return Answer(matches, "dcql")
