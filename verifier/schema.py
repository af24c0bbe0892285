"""``credentialSchema`` of type ``JsonSchema`` (W3C VC JSON Schema), checked offline.

The caller gives the schemas it holds as a mapping from URL to schema; nothing
is ever fetched. All of them form one registry, so a schema may ``$ref`` another
by its URL or its ``$id`` (the VC 2.0 presentation schema refers to the
credential schema that way). The draft is the one the schema's ``$schema``
declares, 2020-12 when it declares none.

Checks, one per ``credentialSchema`` entry (none when the credential has none):

- ``schema.valid`` PASSED: the credential matches the schema.
- ``schema.invalid`` FAILED: it does not; ``pointer`` is the RFC 6901 pointer of
  the first mismatching value (jsonschema's most relevant error).
- ``schema.unavailable`` UNCHECKED: the schema is not among those given, or is
  not a usable JSON Schema (broken schema, unresolvable ``$ref``).
- ``schema.unsupported`` UNCHECKED: another type of schema (for instance
  ``JsonSchemaCredential`` or the 1.1 ``JsonSchemaValidator2018``), an
  unknown ``$schema`` draft, or an entry without ``id`` and ``type`` (which
  the data model's ``input.member`` check, :mod:`verifier.shape`, fails besides).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import validators
from jsonschema.exceptions import SchemaError, best_match
from referencing import Registry, Resource
from referencing.exceptions import CannotDetermineSpecification, Unresolvable
from referencing.jsonschema import DRAFT202012, UnknownDialect, specification_with

from passeport.verifier.result import Check, Outcome

__all__ = ["JSON_SCHEMA", "schema_checks"]

JSON_SCHEMA = "JsonSchema"
_MAX_DETAIL = 160
_SCHEMA_ERRORS = (
    SchemaError,
    Unresolvable,
    CannotDetermineSpecification,
    UnknownDialect,
    RecursionError,
    TypeError,
    ValueError,
)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= _MAX_DETAIL else line[: _MAX_DETAIL - 1] + "…"


def _registry(schemas: Mapping[str, Any]) -> Registry[Any]:
    """Register every schema under its URL and under its ``$id``, skipping unusable ones."""
    resources: list[tuple[str, Resource[Any]]] = []
    for url, schema in schemas.items():
        try:
            resource = Resource.from_contents(schema, default_specification=DRAFT202012)
        except _SCHEMA_ERRORS:
            continue
        resources.append((url, resource))
        own_id = resource.id()
        if own_id and own_id != url:
            resources.append((own_id, resource))
    registry: Registry[Any] = Registry().with_resources(resources)
    return registry.crawl()


def _validate(
    credential: Mapping[str, Any], schema_id: str, schemas: Mapping[str, Any], base: str
) -> tuple[Outcome, str, str, str | None]:
    """Return (outcome, code, message, pointer) for one schema."""
    schema = schemas[schema_id]
    dialect = schema.get("$schema") if isinstance(schema, Mapping) else None
    if dialect is not None:
        try:
            if not isinstance(dialect, str):
                raise UnknownDialect(dialect)
            specification_with(dialect)
        except UnknownDialect:
            return (
                Outcome.UNCHECKED,
                "schema.unsupported",
                f"schema not checked: {schema_id} declares the unknown JSON Schema "
                f"draft {_one_line(str(dialect))}",
                None,
            )
    try:
        validator_class = validators.validator_for(schema, default=validators.Draft202012Validator)
        validator_class.check_schema(schema)
        validator = validator_class(schema, registry=_registry(schemas))
        error = best_match(validator.iter_errors(credential))
    except _SCHEMA_ERRORS as exc:
        detail = exc.message if isinstance(exc, SchemaError) else str(exc) or type(exc).__name__
        return (
            Outcome.UNCHECKED,
            "schema.unavailable",
            f"schema not checked: {schema_id} is not a usable JSON Schema ({_one_line(detail)})",
            None,
        )
    if error is None:
        return (
            Outcome.PASSED,
            "schema.valid",
            f"the credential matches the schema {schema_id}",
            None,
        )
    pointer = base + "".join(f"/{_escape(str(part))}" for part in error.absolute_path)
    return (
        Outcome.FAILED,
        "schema.invalid",
        f"the credential does not match the schema {schema_id} at {pointer or 'its root'}: "
        f"{_one_line(error.message)}",
        pointer,
    )


def schema_checks(
    credential: Mapping[str, Any],
    *,
    index: int | None,
    base: str,
    schemas: Mapping[str, Mapping[str, Any]],
) -> list[Check]:
    """Validate a credential against each ``credentialSchema`` available offline.

    Args:
        credential: the credential (or presentation) as a JSON object.
        index: the credential's index in a presentation (None when alone).
        base: the JSON pointer of the credential in the input.
        schemas: the schemas held, by URL; a ``$ref`` may name any of them.

    Returns:
        One check per ``credentialSchema`` entry; see the module for the codes.
    """
    declared = credential.get("credentialSchema")
    if declared is None:
        return []
    many = isinstance(declared, list)
    entries: list[Any] = declared if isinstance(declared, list) else [declared]
    checks: list[Check] = []
    for position, entry in enumerate(entries):
        at = f"{base}/credentialSchema" + (f"/{position}" if many else "")
        schema_id = entry.get("id") if isinstance(entry, Mapping) else None
        raw_type = entry.get("type") if isinstance(entry, Mapping) else None
        types = [t for t in (raw_type if isinstance(raw_type, list) else [raw_type]) if t]
        if not isinstance(schema_id, str) or not types:
            checks.append(
                Check(
                    "schema.unsupported",
                    Outcome.UNCHECKED,
                    "schema not checked: the credentialSchema entry has no id and type",
                    index,
                    at,
                )
            )
        elif JSON_SCHEMA not in types:
            names = ", ".join(str(t) for t in types)
            checks.append(
                Check(
                    "schema.unsupported",
                    Outcome.UNCHECKED,
                    f"schema not checked: {schema_id} is of type {_one_line(names)}, "
                    f"only {JSON_SCHEMA} is supported",
                    index,
                    at,
                )
            )
        elif schema_id not in schemas:
            checks.append(
                Check(
                    "schema.unavailable",
                    Outcome.UNCHECKED,
                    f"schema not checked: {schema_id} is not available offline",
                    index,
                    at,
                )
            )
        else:
            outcome, code, message, pointer = _validate(credential, schema_id, schemas, base)
            checks.append(
                Check(code, outcome, message, index, at if pointer is None else pointer or None)
            )
    return checks
