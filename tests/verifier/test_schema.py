"""credentialSchema of type JsonSchema, validated offline with the VC 2.0 schemas."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from passeport.verifier.result import Outcome
from passeport.verifier.schema import schema_checks
from tests.conftest import VECTORS, load_json

SCHEMAS = VECTORS / "vc-data-model-2.0" / "schema"
VC_DIR = SCHEMAS / "verifiable-credential"
VP_DIR = SCHEMAS / "verifiable-presentation"
VC_SCHEMA: dict[str, Any] = load_json(VC_DIR / "verifiable-credential-schema.json")
VP_SCHEMA: dict[str, Any] = load_json(VP_DIR / "verifiable-presentation-schema.json")
VC_ID = VC_SCHEMA["$id"]
VP_ID = VP_SCHEMA["$id"]
# Held under other URLs than their $id: references by $id must still resolve.
HELD = {"https://cache.example/vc.json": VC_SCHEMA, "https://cache.example/vp.json": VP_SCHEMA}
DEGREE_ID = "https://univ.example/schemas/degree.json"
DEGREE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": DEGREE_ID,
    "allOf": [{"$ref": VC_ID}],
    "type": "object",
    "properties": {
        "credentialSubject": {
            "type": "object",
            "required": ["degree"],
            "properties": {
                "degree": {
                    "type": "object",
                    "required": ["type"],
                    "properties": {"type": {"const": "BachelorDegree"}},
                }
            },
        }
    },
}


def examples(folder: Path) -> list[Path]:
    return sorted(folder.glob("example-*.json"))


def with_schema(document: dict[str, Any], entry: Any) -> dict[str, Any]:
    result = copy.deepcopy(document)
    result["credentialSchema"] = entry
    return result


def degree() -> dict[str, Any]:
    document: dict[str, Any] = load_json(VC_DIR / "example-4.json")
    document.pop("credentialSchema", None)
    return document


@pytest.mark.parametrize("path", examples(VC_DIR), ids=lambda p: p.name)
def test_vc_examples_match_the_vc_schema(path: Path) -> None:
    document = with_schema(load_json(path), {"id": VC_ID, "type": "JsonSchema"})
    [only] = schema_checks(document, index=None, base="", schemas={VC_ID: VC_SCHEMA})
    assert (only.code, only.outcome) == ("schema.valid", Outcome.PASSED), only.message


@pytest.mark.parametrize("path", examples(VP_DIR), ids=lambda p: p.name)
def test_vp_examples_match_the_vp_schema_through_the_registry(path: Path) -> None:
    document = with_schema(
        load_json(path), {"id": "https://cache.example/vp.json", "type": "JsonSchema"}
    )
    [only] = schema_checks(document, index=None, base="", schemas=HELD)
    assert (only.code, only.outcome) == ("schema.valid", Outcome.PASSED), only.message


def test_vp_with_a_bad_credential_inside_fails_through_the_reference() -> None:
    document = with_schema(
        load_json(VP_DIR / "example-2.json"), {"id": VP_ID, "type": "JsonSchema"}
    )
    del document["verifiableCredential"][0]["credentialSubject"]
    [only] = schema_checks(
        document, index=None, base="", schemas={VP_ID: VP_SCHEMA, VC_ID: VC_SCHEMA}
    )
    assert (only.code, only.outcome) == ("schema.invalid", Outcome.FAILED)


def test_credential_schema_referring_to_another_schema() -> None:
    schemas = {DEGREE_ID: DEGREE_SCHEMA, VC_ID: VC_SCHEMA}
    document = with_schema(degree(), [{"id": DEGREE_ID, "type": "JsonSchema"}])
    [only] = schema_checks(document, index=1, base="/verifiableCredential/1", schemas=schemas)
    assert (only.code, only.outcome, only.credential) == ("schema.valid", Outcome.PASSED, 1)
    assert only.pointer == "/verifiableCredential/1/credentialSchema/0"


def test_invalid_credential_names_the_pointer() -> None:
    document = with_schema(degree(), {"id": DEGREE_ID, "type": "JsonSchema"})
    document["credentialSubject"]["degree"]["type"] = "MasterDegree"
    schemas = {DEGREE_ID: DEGREE_SCHEMA, VC_ID: VC_SCHEMA}
    [only] = schema_checks(document, index=0, base="/verifiableCredential/0", schemas=schemas)
    assert (only.code, only.outcome) == ("schema.invalid", Outcome.FAILED)
    assert only.pointer == "/verifiableCredential/0/credentialSubject/degree/type"
    assert DEGREE_ID in only.message and "\n" not in only.message


def test_invalid_at_the_root_of_a_lone_credential() -> None:
    document = with_schema(degree(), {"id": VC_ID, "type": "JsonSchema"})
    del document["credentialSubject"]
    [only] = schema_checks(document, index=None, base="", schemas={VC_ID: VC_SCHEMA})
    assert (only.code, only.outcome, only.pointer) == ("schema.invalid", Outcome.FAILED, None)
    assert "credentialSubject" in only.message and "its root" in only.message


def test_pointer_escapes_and_long_messages_are_cut() -> None:
    schema = {"properties": {"a/b~c": {"type": "string"}}}
    document = with_schema({"a/b~c": {"x": "y" * 500}}, {"id": "s", "type": "JsonSchema"})
    [only] = schema_checks(document, index=None, base="", schemas={"s": schema})
    assert only.pointer == "/a~1b~0c"
    assert len(only.message) < 300


def test_no_credential_schema_no_check() -> None:
    assert schema_checks(degree(), index=None, base="", schemas={VC_ID: VC_SCHEMA}) == []


def test_schema_not_available_offline() -> None:
    document = with_schema(
        degree(), {"id": "https://elsewhere.example/s.json", "type": "JsonSchema"}
    )
    [only] = schema_checks(document, index=None, base="", schemas={})
    assert (only.code, only.outcome) == ("schema.unavailable", Outcome.UNCHECKED)
    assert only.pointer == "/credentialSchema"
    assert "not available offline" in only.message


@pytest.mark.parametrize(
    "entry",
    [
        {"id": "https://univ.example/s.json", "type": "JsonSchemaCredential"},
        {"id": "https://example.org/examples/degree.json", "type": "JsonSchemaValidator2018"},
        {"type": "JsonSchema"},
        {"id": "https://univ.example/s.json"},
        "https://univ.example/s.json",
    ],
)
def test_unsupported_entries(entry: Any) -> None:
    document = with_schema(degree(), entry)
    [only] = schema_checks(document, index=None, base="", schemas={VC_ID: VC_SCHEMA})
    assert (only.code, only.outcome) == ("schema.unsupported", Outcome.UNCHECKED)


def test_vector_example_with_a_1_1_schema_type_is_unsupported() -> None:
    document = load_json(VC_DIR / "example-18.json")
    [only] = schema_checks(document, index=None, base="", schemas={})
    assert (only.code, only.outcome) == ("schema.unsupported", Outcome.UNCHECKED)
    assert "JsonSchemaValidator2018" in only.message


def test_one_check_per_entry() -> None:
    entries = [
        {"id": VC_ID, "type": "JsonSchema"},
        {"id": "https://elsewhere.example/s.json", "type": "JsonSchema"},
        {"id": "https://univ.example/s.json", "type": "JsonSchemaCredential"},
    ]
    checks = schema_checks(
        with_schema(degree(), entries), index=None, base="", schemas={VC_ID: VC_SCHEMA}
    )
    assert [(c.code, c.pointer) for c in checks] == [
        ("schema.valid", "/credentialSchema/0"),
        ("schema.unavailable", "/credentialSchema/1"),
        ("schema.unsupported", "/credentialSchema/2"),
    ]


def test_declared_draft_is_used() -> None:
    # Draft 4 reads exclusiveMaximum as a boolean; 2020-12 would refuse the schema.
    schema = {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "properties": {"n": {"maximum": 3, "exclusiveMaximum": True}},
    }
    document = with_schema({"n": 3}, {"id": "s", "type": "JsonSchema"})
    [only] = schema_checks(document, index=None, base="", schemas={"s": schema})
    assert (only.code, only.pointer) == ("schema.invalid", "/n")


def test_unknown_draft_is_unsupported() -> None:
    schema = {"$schema": "https://example.org/my-draft", "type": "object"}
    document = with_schema({}, {"id": "s", "type": "JsonSchema"})
    [only] = schema_checks(document, index=None, base="", schemas={"s": schema})
    assert (only.code, only.outcome) == ("schema.unsupported", Outcome.UNCHECKED)
    assert "my-draft" in only.message


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "no-such-type"},
        {"properties": 5},
        {"$ref": "https://elsewhere.example/missing.json"},
        {"$ref": "#/$defs/missing"},
        {"$schema": 5},
    ],
)
def test_broken_schema_is_unchecked_never_a_traceback(schema: dict[str, Any]) -> None:
    document = with_schema({"a": 1}, {"id": "s", "type": "JsonSchema"})
    [only] = schema_checks(document, index=None, base="", schemas={"s": schema})
    assert only.outcome is Outcome.UNCHECKED
    assert only.code in {"schema.unavailable", "schema.unsupported"}
    assert "\n" not in only.message


def test_an_unusable_schema_held_besides_does_not_matter() -> None:
    schemas = {VC_ID: VC_SCHEMA, "other": {"$schema": "https://example.org/my-draft"}}
    document = with_schema(degree(), {"id": VC_ID, "type": "JsonSchema"})
    [only] = schema_checks(document, index=None, base="", schemas=schemas)
    assert only.code == "schema.valid"
