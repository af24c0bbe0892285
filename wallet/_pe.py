"""DIF Presentation Exchange 2.0: match a presentation definition against the wallet.

Spec: https://identity.foundation/presentation-exchange/spec/v2.0.0/ (5 Presentation
Definition, 5.1 Input Descriptor, 5.1.1.1 fields, 6 Submission Requirements,
8 Input Evaluation).

Departures, chosen for what verifiers write in practice: a field's path may
select several values (``[*]``); the field holds when any of them passes the
``filter``, and all that pass are disclosed (the spec reads only the first
match, which would make filters over arrays useless). ``predicate`` is not
supported (no zero-knowledge proofs here) and is refused by name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from passeport.errors import InputError
from passeport.proofs.engine import proofs_of
from passeport.wallet._candidates import Answer, Match, Pool, UnmetRequest
from passeport.wallet._jsonpath import JsonPath, Located
from passeport.wallet._records import CredentialFormat, HeldCredential, WalletEntry

if TYPE_CHECKING:
    import jsonschema

__all__ = ["answer_definition"]

_FORMAT_NAMES: Final = {
    CredentialFormat.LDP_VC: ("ldp_vc", "ldp", "di_vc"),
    CredentialFormat.JWT_VC: ("jwt_vc_json", "jwt_vc", "jwt"),
    CredentialFormat.SD_JWT: ("dc+sd-jwt", "vc+sd-jwt"),
}


@dataclass(frozen=True, slots=True)
class _Field:
    label: str
    paths: tuple[JsonPath, ...]
    validator: jsonschema.protocols.Validator | None
    optional: bool

    def find(self, document: Any) -> list[Located] | None:
        # PE 8 step 1: the first path that yields a value the filter accepts.
        for path in self.paths:
            found = path.find(document)
            if self.validator is not None:
                found = [f for f in found if self.validator.is_valid(f.value)]
            if found:
                return found
        return None


@dataclass(frozen=True, slots=True)
class _Descriptor:
    id: str
    groups: tuple[str, ...]
    formats: Mapping[str, Any] | None
    fields: tuple[_Field, ...]
    limit_disclosure: str | None


def _need(condition: bool, message: str, pointer: str, where: str | None) -> None:
    if not condition:
        raise InputError(message, where=where, pointer=pointer)


def _field(value: Any, pointer: str, where: str | None) -> _Field:
    _need(isinstance(value, dict), "a field is an object", pointer, where)
    _need(
        "predicate" not in value,
        "predicate is not supported (no zero-knowledge proofs)",
        f"{pointer}/predicate",
        where,
    )
    paths = value.get("path")
    _need(
        isinstance(paths, list) and bool(paths) and all(isinstance(p, str) for p in paths),
        "path must be a non-empty array of JSONPath strings",
        f"{pointer}/path",
        where,
    )
    parsed = tuple(
        JsonPath.parse(p, where=where, pointer=f"{pointer}/path/{i}") for i, p in enumerate(paths)
    )
    validator = None
    if "filter" in value:
        import jsonschema  # here, not at import: only a filter needs it (90 ms)

        schema = value["filter"]
        _need(
            isinstance(schema, dict),
            "filter must be a JSON Schema object",
            f"{pointer}/filter",
            where,
        )
        try:
            jsonschema.Draft7Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise InputError(
                f"filter is not a valid JSON Schema: {exc.message}",
                where=where,
                pointer=f"{pointer}/filter",
            ) from None
        validator = jsonschema.Draft7Validator(
            schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
        )
    optional = value.get("optional", False)
    _need(isinstance(optional, bool), "optional must be a boolean", f"{pointer}/optional", where)
    label = value.get("id") or value.get("name") or paths[0]
    return _Field(str(label), parsed, validator, optional)


def _descriptor(value: Any, pointer: str, where: str | None) -> _Descriptor:
    _need(isinstance(value, dict), "an input descriptor is an object", pointer, where)
    descriptor_id = value.get("id")
    _need(
        isinstance(descriptor_id, str) and bool(descriptor_id),
        "an input descriptor needs an id",
        f"{pointer}/id",
        where,
    )
    groups = value.get("group", [])
    _need(
        isinstance(groups, list) and all(isinstance(g, str) for g in groups),
        "group must be an array of strings",
        f"{pointer}/group",
        where,
    )
    formats = value.get("format")
    _need(
        formats is None or isinstance(formats, dict),
        "format must be an object",
        f"{pointer}/format",
        where,
    )
    constraints = value.get("constraints", {})
    _need(
        isinstance(constraints, dict),
        "constraints must be an object",
        f"{pointer}/constraints",
        where,
    )
    limit = constraints.get("limit_disclosure")
    _need(
        limit in (None, "required", "preferred"),
        'limit_disclosure is "required" or "preferred"',
        f"{pointer}/constraints/limit_disclosure",
        where,
    )
    raw = constraints.get("fields", [])
    _need(isinstance(raw, list), "fields must be an array", f"{pointer}/constraints/fields", where)
    fields = tuple(_field(f, f"{pointer}/constraints/fields/{i}", where) for i, f in enumerate(raw))
    return _Descriptor(descriptor_id, tuple(groups), formats, fields, limit)


def _format_fits(formats: Mapping[str, Any] | None, held: HeldCredential) -> bool:
    if formats is None:
        return True
    for name in _FORMAT_NAMES[held.info.format]:
        if name not in formats:
            continue
        wanted = formats[name] if isinstance(formats[name], dict) else {}
        if held.info.format is CredentialFormat.LDP_VC:
            proofs = proofs_of(held.document)
            proof_types = wanted.get("proof_type")
            if isinstance(proof_types, list) and not any(
                p.get("type") in proof_types for p in proofs
            ):
                return False
            suites = wanted.get("cryptosuite")
            if isinstance(suites, list) and not any(p.get("cryptosuite") in suites for p in proofs):
                return False
        return True
    return False


def _fit(descriptor: _Descriptor, held: HeldCredential) -> tuple[str, ...] | str | None:
    """Return the pointers to reveal (None: the whole credential), or why it does not fit."""
    pointers: list[str] = []
    for item in descriptor.fields:
        found = item.find(held.document)
        if found is None:
            if item.optional:
                continue
            return f"without a value matching field {item.label}"
        pointers.extend(f.pointer for f in found if f.pointer not in pointers)
    if descriptor.limit_disclosure is None:
        return None
    return tuple(pointers)


def _pick(
    rule: Mapping[str, Any], met: Sequence[str], total: int, pointer: str, where: str | None
) -> list[str] | None:
    """Apply a requirement's rule to the satisfiable members ``met`` (of ``total``)."""
    kind = rule.get("rule")
    if kind == "all":
        return list(met) if len(met) == total else None
    _need(kind == "pick", 'rule is "all" or "pick"', f"{pointer}/rule", where)
    count, low, high = rule.get("count"), rule.get("min"), rule.get("max")
    if isinstance(count, int):
        return list(met[:count]) if len(met) >= count else None
    low = low if isinstance(low, int) else 0
    high = high if isinstance(high, int) else len(met)
    return list(met[:high]) if len(met) >= low else None


def answer_definition(definition: Mapping[str, Any], pool: Pool, where: str | None) -> Answer:
    """Answer a presentation definition; each chosen descriptor gets one credential."""
    definition_id = definition.get("id")
    _need(
        isinstance(definition_id, str) and bool(definition_id),
        "a presentation definition needs an id",
        "/id",
        where,
    )
    raw = definition.get("input_descriptors")
    if not isinstance(raw, list) or not raw:
        raise InputError(
            "input_descriptors must be a non-empty array", where=where, pointer="/input_descriptors"
        )
    descriptors = [_descriptor(d, f"/input_descriptors/{i}", where) for i, d in enumerate(raw)]
    by_id = {d.id: d for d in descriptors}
    _need(
        len(by_id) == len(descriptors),
        "input descriptor ids must be unique",
        "/input_descriptors",
        where,
    )
    shared_formats = definition.get("format")
    solved: dict[str, Match | None] = {}
    reasons: dict[str, str] = {}

    def solve(descriptor: _Descriptor) -> Match | None:
        if descriptor.id in solved:
            return solved[descriptor.id]
        why: Counter[str] = Counter()
        formats = descriptor.formats if descriptor.formats is not None else shared_formats
        found: Match | None = None
        for flags in pool.excluded.values():
            why[f"unusable ({', '.join(map(str, flags))})"] += 1
        wanted = formats if isinstance(formats, dict) else None
        # What the sealed metadata tells is checked first: no credential opened for nothing.
        fitting: list[WalletEntry] = []
        for entry in pool.entries:
            if wanted is not None and not any(
                name in wanted for name in _FORMAT_NAMES[entry.info.format]
            ):
                why["in another format"] += 1
            elif descriptor.limit_disclosure == "required" and entry.info.disclosure is None:
                why["that cannot be partially disclosed (limit_disclosure is required)"] += 1
            else:
                fitting.append(entry)
        for held in pool.load(fitting):
            if not _format_fits(wanted, held):
                why["of another proof type or cryptosuite"] += 1
                continue
            fit = _fit(descriptor, held)
            if isinstance(fit, str):
                why[fit] += 1
                continue
            limit = descriptor.limit_disclosure == "required"
            found = Match(descriptor.id, held, fit, limit_disclosure=limit)
            break
        solved[descriptor.id] = found
        if found is None:
            detail = "; ".join(f"{n} {reason}" for reason, n in why.most_common())
            reasons[descriptor.id] = (
                f'no credential satisfies input descriptor "{descriptor.id}": '
                f"{detail or 'the wallet holds none'}"
            )
        return found

    requirements = definition.get("submission_requirements")
    if requirements is None:
        chosen = [d.id for d in descriptors]
        unmet = [d for d in chosen if solve(by_id[d]) is None]
        if unmet:
            raise UnmetRequest("; ".join(reasons[d] for d in unmet), unmet=unmet, where=where)
    else:
        _need(
            isinstance(requirements, list) and bool(requirements),
            "submission_requirements must be a non-empty array",
            "/submission_requirements",
            where,
        )

        def evaluate(requirement: Any, pointer: str) -> list[str] | None:
            # PE 6.1: a requirement draws from a group, or from nested requirements.
            _need(
                isinstance(requirement, dict),
                "a submission requirement is an object",
                pointer,
                where,
            )
            if "from" in requirement:
                members = [d for d in descriptors if requirement["from"] in d.groups]
                met = [d.id for d in members if solve(d) is not None]
                return _pick(requirement, met, len(members), pointer, where)
            nested = requirement.get("from_nested")
            _need(
                isinstance(nested, list) and bool(nested),
                "a submission requirement needs from or from_nested",
                pointer,
                where,
            )
            results = [evaluate(n, f"{pointer}/from_nested/{i}") for i, n in enumerate(nested)]
            kept = [r for r in results if r is not None]
            picked = _pick(
                requirement, [str(i) for i in range(len(kept))], len(nested), pointer, where
            )
            if picked is None:
                return None
            return [d for i in picked for d in kept[int(i)]]

        chosen = []
        for index, requirement in enumerate(requirements):
            got = evaluate(requirement, f"/submission_requirements/{index}")
            if got is None:
                name = requirement.get("name") if isinstance(requirement, dict) else None
                unmet = [d for d in reasons]
                detail = "; ".join(reasons.values())
                label = f' "{name}"' if isinstance(name, str) else f" {index}"
                raise UnmetRequest(
                    f"submission requirement{label} cannot be met"
                    + (f": {detail}" if detail else ""),
                    unmet=unmet or [str(index)],
                    where=where,
                )
            chosen.extend(d for d in got if d not in chosen)
    matches = tuple(m for d in chosen if (m := solved.get(d)) is not None)
    return Answer(matches, "pe", definition_id=str(definition_id))
