"""Attacks on the expansion plans: a document that makes a plan, then others (issue 17).

A long-running ``passeport serve`` or a batch shares one document loader, and
so one cache of expansion plans (:mod:`passeport.contexts._plans`), across
requests: an attacker chooses the document that makes a plan, then sends
others of its shape. Each test here makes plans with chosen documents, then
expands others, and compares the result with pyld's own expansion without
plans, byte for byte (``json.dumps``: ``-0.0`` is not ``0.0``, ``1`` is not
``1.0`` nor ``true``), and, where it matters, the canonical N-Quads, the
errors, the warnings and the verifier's verdict. They pass when the cache is
sound.

Holes found this way (each test failed before its fix in ``_plans.py``):

- a signed zero: ``-0.0 == 0.0`` in Python, so both shared a plan's key and
  the second document was filled with the first's zero (``"-0.0E0"`` and
  ``"0.0E0"`` differ in N-Quads under an ``xsd:double`` term);
- a context that names another by a relative URL (``["b", {...}]``): the
  terms it reaches were read before pyld had resolved the URL in place, so a
  prefix it defines was missing and a compact IRI using it was taken for an
  absolute IRI, filled as such from another document's plan;
- the same with the bundled contexts alone: a document naming ODRL as
  ``https://www.w3.org/ns/x/../odrl.jsonld`` (pyld removes the dot segments
  and loads ODRL) hid ODRL's prefixes, so ``odrl:use`` at an ``@id`` spot was
  filled as ``<odrl:use>`` instead of ``<http://www.w3.org/ns/odrl/2/use>``.

Found and left to its owner (a strict xfail at the end): pyld's ``@import``
merges the importing context into the imported document, which the loader
serves from a process-wide cache, so one request changes the VC 2.0 context
for every later one.
"""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
import threading
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Final

import pytest

from passeport.contexts import _pyld, bundled_loader
from passeport.contexts.expand import expand as safe_expand
from passeport.contexts.loader import DocumentLoader
from passeport.contexts.rdfc import canonicalize
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment, Policy, verify_credential
from tests.contexts._paths import leaves, set_at
from tests.verifier.status_helpers import key

DIPLOMA: Final = json.loads(
    resources.files("passeport").joinpath("samples", "diploma.json").read_text("utf-8")
)
VECTORS: Final = Path(__file__).resolve().parents[1] / "data" / "vectors"
V1: Final = "https://www.w3.org/2018/credentials/v1"
V2: Final = "https://www.w3.org/ns/credentials/v2"
UNDEFINED: Final = "https://www.w3.org/ns/credentials/undefined-terms/v2"
EXAMPLES_V1: Final = "https://www.w3.org/2018/credentials/examples/v1"
EXAMPLES_V2: Final = "https://www.w3.org/ns/credentials/examples/v2"
ODRL: Final = "https://www.w3.org/ns/odrl.jsonld"
STATUS_2021: Final = "https://w3id.org/vc/status-list/2021/v1"
PASSEPORT: Final = "https://w3id.org/passeport/v1"
DI_V2: Final = "https://w3id.org/security/data-integrity/v2"
PROBE: Final = "x-passeport-probe-4d1c:"
ISSUER: Final = key(1)
NOW: Final = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SIGNED_AT: Final = datetime(2025, 7, 1, tzinfo=UTC)
JSONLD: Final[Any] = _pyld.jsonld  # type: ignore[attr-defined]  # pyld, as _pyld loaded it

# Values at an @id spot, a literal spot or a type spot that make expansion act differently.
ATTACK_VALUES: Final = (
    "did:example:zz",
    "did:",
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "urn:",
    "urn:uuid:9a1f1c7e-0000-4000-8000-000000000001",
    "https://example.org/a",
    "https://example.org//a",
    "http:",
    "http://",
    "//example.org/x",
    "./x",
    "../x",
    "?q=1",
    "#x",
    "",
    ":",
    ":x",
    "_:",
    "_:b0",
    "_:c14n0",
    "_:a b",
    "a b:c",
    "did:example:a b",
    "did:example:<a>",
    "did:example:a\n",
    "@id",
    "@type",
    "@json",
    "@none",
    "@vocab",
    "@foo",
    "@foo:bar",
    "@foo://bar",
    "schema:name",
    "xsd:string",
    "odrl:use",
    "sec:proof",
    "cred:issuer",
    "use",
    "assertionMethod",
    "authentication",
    "https://w3id.org/security#assertionMethod",
    "VerifiableCredential",
    "OpenBadgeCredential",
    "Achievement",
    "AchievementSubject",
    "JsonSchema",
    "id",
    "type",
    "name",
    "proof",
    "fr",
    "2025-07-01T00:00:00Z",
    "https://www.w3.org/ns/credentials/issuer-dependent#x",
    "https://www.w3.org/ns/credentials/undefined-term#x",
    "mailto:a@example.org",
    "x-passeport-probe-4d1c",
    PROBE,
    PROBE + "0",
    PROBE + "3",
    V2,
    ODRL,
)

BENIGN: Final = ("Alice", "did:example:benign", "https://example.org/benign", "urn:x:benign")


def _plain_loader(extra: dict[str, Any] | None = None) -> DocumentLoader:
    """A loader with plans off: pyld's own expansion, with the same contexts."""
    loader = DocumentLoader(extra=dict(extra or {}))
    shared, by_id, processed, _ = loader._resolved
    object.__setattr__(loader, "_resolved", (shared, by_id, processed, None))
    return loader


def _outcome(run: Any) -> tuple[Any, ...]:
    dropped: list[str | None] = []
    try:
        expanded = run(dropped.append)
    except Exception as exc:  # compared by kind and message with the other run
        return ("error", type(exc).__name__, str(exc))
    return ("ok", json.dumps(expanded), dropped)


def _plain(document: Any, loader: DocumentLoader) -> tuple[Any, ...]:
    options = loader.pyld_options()
    options["contextResolver"].plans = None
    return _outcome(lambda on: _pyld.expand(copy.deepcopy(document), options, on))


def _planned(document: Any, loader: DocumentLoader) -> tuple[Any, ...]:
    return _outcome(lambda on: _pyld.expand(document, loader.pyld_options(), on))


def _plans(loader: DocumentLoader) -> Any:
    return loader.pyld_options()["contextResolver"].plans


def _same(document: Any, loader: DocumentLoader) -> None:
    planned = _planned(document, loader)
    assert planned == _plain(document, loader), json.dumps(document)[:300]


def _leaves(value: Any) -> list[tuple[Any, ...]]:
    """The path of every scalar outside ``@context``."""
    return leaves(value, strings_only=False)


def _set(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    set_at(changed, path, value)
    return changed


def _canonical(document: Any, loader: DocumentLoader) -> tuple[Any, ...]:
    try:
        found = canonicalize(copy.deepcopy(document), loader)
    except Exception as exc:
        return ("error", type(exc).__name__, str(exc))
    return ("ok", found.nquads, found.warnings)


def _safe(document: Any, loader: DocumentLoader) -> tuple[Any, ...]:
    try:
        found = safe_expand(copy.deepcopy(document), loader)
    except Exception as exc:
        return ("error", type(exc).__name__, str(exc))
    return ("ok", json.dumps(found.expanded), found.warnings)


# --- seeds: one document of each family of bundled contexts ---------------------------------


def _vector(*parts: str) -> Any:
    return json.loads(VECTORS.joinpath(*parts).read_text("utf-8"))


def _vc11_odrl() -> dict[str, Any]:
    return {
        "@context": [V1, EXAMPLES_V1, ODRL, STATUS_2021],
        "id": "urn:uuid:00000000-0000-4000-8000-000000000011",
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "issuer": {"id": "did:example:issuer", "name": "Université"},
        "issuanceDate": "2025-07-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:subject",
            "degree": {"type": "BachelorDegree", "name": "Licence"},
        },
        "credentialStatus": {
            "id": "https://example.org/status/1#94567",
            "type": "StatusList2021Entry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://example.org/status/1",
        },
        "termsOfUse": {
            "type": "Policy",
            "uid": "https://example.org/policy/1",
            "permission": [
                {
                    "assigner": "did:example:issuer",
                    "target": "https://example.org/asset",
                    "action": "use",
                }
            ],
            "prohibition": [{"target": "https://example.org/asset", "action": "odrl:archive"}],
        },
    }


def _passeport_employment() -> dict[str, Any]:
    return {
        "@context": [V2, PASSEPORT],
        "type": ["VerifiableCredential", "EmploymentCredential"],
        "issuer": "did:example:employer",
        "validFrom": "2025-07-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:worker",
            "employment": {
                "type": "Employment",
                "employer": "did:example:employer",
                "jobTitle": "Soudeuse",
                "startDate": "2020-01-01",
                "tasks": ["souder", "contrôler"],
            },
        },
    }


def _json_schema_credential() -> dict[str, Any]:
    return {
        "@context": [V2],
        "id": "https://example.org/schemas/1",
        "type": ["VerifiableCredential", "JsonSchemaCredential"],
        "issuer": "did:example:issuer",
        "credentialSubject": {
            "id": "https://example.org/schemas/1#s",
            "type": "JsonSchema",
            "jsonSchema": {
                "$id": "https://example.org/schemas/1.json",
                "@id": "did:example:inside",
                "@value": "inside",
                "@context": "https://www.w3.org/ns/credentials/v2",
                "properties": {"n": {"type": "number", "minimum": -0.0}},
            },
        },
        "cnf": {"kid": "did:example:holder#k", "jwk": {"kty": "OKP", "x": "abc", "@id": "x:y"}},
    }


def _keywords_document() -> dict[str, Any]:
    """Keywords as members: @included, @reverse, @graph, @list, @set, @nest, value objects."""
    return {
        "@context": [V2, EXAMPLES_V2],
        "@id": "did:example:top",
        "@type": "VerifiableCredential",
        "issuer": {"@id": "did:example:issuer"},
        "name": {"@value": "Diplôme", "@language": "fr"},
        "description": [
            {"@value": "Degree", "@language": "en-GB"},
            {"@value": "2025", "@type": "http://www.w3.org/2001/XMLSchema#gYear"},
        ],
        "credentialSubject": {
            "@id": "did:example:subject",
            "@nest": {"alumniOf": "did:example:school"},
            "degree": {"@list": ["a", "did:example:b", {"@id": "_:l0"}]},
            "@reverse": {"credentialSubject": {"@id": "did:example:other"}},
            "@included": [{"@id": "_:inc", "name": "inclus"}],
        },
        "evidence": {"@set": [{"@id": "https://example.org/e", "@type": "Evidence"}]},
        "@included": [{"@id": "did:example:issuer", "name": "Émetteur"}],
    }


SEEDS: Final = {
    "ob3 diploma": lambda: copy.deepcopy(DIPLOMA),
    "citizenship sd base": lambda: _vector("ecdsa-sd-2023", "prc", "addSignedSDBase.json"),
    "status list": lambda: _vector(
        "bitstring-status-list", "example-credential-with-revocation-and-suspension-entries.json"
    ),
    "ed25519-2020 signed": lambda: _vector("ed25519-signature-2020", "signedEdSig.json"),
    "vc 1.1 odrl": _vc11_odrl,
    "passeport employment": _passeport_employment,
    "json literals": _json_schema_credential,
    "keywords": _keywords_document,
}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_each_attack_value_after_a_plan_of_each_seed(name: str) -> None:
    """The seed makes the plan; every leaf in turn takes attack values; then neighbours do."""
    seed = SEEDS[name]()
    loader = DocumentLoader()
    _same(seed, loader)
    _same(seed, loader)
    rng = random.Random(name)
    paths = _leaves(seed)
    pairs = [(path, value) for path in paths for value in ATTACK_VALUES]
    rng.shuffle(pairs)
    for path, value in pairs[:240]:
        document = _set(seed, path, value)
        neighbour = _set(document, rng.choice(paths), rng.choice(BENIGN))
        _planned(neighbour, loader)  # the attacker's document makes the key's plan
        _same(document, loader)
    assert _plans(loader).filled > 0


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_plans_made_by_attack_documents_then_used_for_honest_ones(name: str) -> None:
    """The attacker makes plans with odd values; honest documents of the same key follow."""
    seed = SEEDS[name]()
    loader = DocumentLoader()
    rng = random.Random(f"honest {name}")
    paths = _leaves(seed)
    for _ in range(60):
        path = rng.choice(paths)
        attack = _set(seed, path, rng.choice(ATTACK_VALUES))
        _planned(attack, loader)
        _planned(attack, loader)
        for value in BENIGN:
            _same(_set(attack, rng.choice(paths), value), loader)
            _same(_set(seed, path, value), loader)


# --- holes found ---------------------------------------------------------------------------

_DOUBLE_CONTEXT: Final[dict[str, Any]] = {
    "https://example.org/ctx/double": {
        "@context": {
            "score": {
                "@id": "https://example.org/score",
                "@type": "http://www.w3.org/2001/XMLSchema#double",
            },
            "count": "https://example.org/count",
        }
    }
}


def _scored(score: Any, subject: str = "did:example:s") -> dict[str, Any]:
    return {
        "@context": [V2, "https://example.org/ctx/double"],
        "type": "VerifiableCredential",
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": subject, "score": score, "count": score},
    }


def test_a_negative_zero_is_not_filled_with_the_zero_of_the_plan() -> None:
    loader = bundled_loader(_DOUBLE_CONTEXT)
    plain = _plain_loader(_DOUBLE_CONTEXT)
    _planned(_scored(0.0, "did:example:a"), loader)  # the attacker's zero makes the plan
    _planned(_scored(0.0, "did:example:b"), loader)
    for score in (-0.0, 0.0, 0.5, -0.5, 1e300, -1e-300):
        document = _scored(score, "did:example:c")
        _same(document, loader)
        assert _canonical(document, loader) == _canonical(document, plain), score
    negative = _canonical(_scored(-0.0, "did:example:d"), loader)
    assert '"-0.0E0"^^<http://www.w3.org/2001/XMLSchema#double>' in negative[1]


@pytest.mark.parametrize("values", [(1, 1.0), (1.0, 1), (True, 1), (1, True), (0, False)])
def test_numbers_equal_in_python_are_not_one_value(values: tuple[Any, Any]) -> None:
    loader = bundled_loader(_DOUBLE_CONTEXT)
    first, second = values
    _planned(_scored(first, "did:example:a"), loader)
    _planned(_scored(first, "did:example:b"), loader)
    _same(_scored(second, "did:example:c"), loader)


_RELATIVE: Final[dict[str, Any]] = {
    "https://example.org/ctx/a": {
        "@context": ["b", {"knows": {"@id": "https://example.org/knows", "@type": "@id"}}]
    },
    "https://example.org/ctx/b": {"@context": {"acme": "https://evil.example/acme/"}},
    "https://example.org/ctx/c": {
        "@context": {"knows": {"@id": "https://example.org/knows", "@type": "@id"}}
    },
}


def _knows(context: str, value: str) -> dict[str, Any]:
    return {
        "@context": [V2, context],
        "type": "VerifiableCredential",
        "issuer": "urn:example:issuer",
        "credentialSubject": {"id": "urn:example:subject", "knows": value},
    }


def test_a_prefix_from_a_context_named_by_a_relative_url_is_a_term() -> None:
    """The shape is learned with context c; context a reaches b by the relative URL "b"."""
    loader = bundled_loader(copy.deepcopy(_RELATIVE))
    plain = _plain_loader(copy.deepcopy(_RELATIVE))
    _same(_knows("https://example.org/ctx/c", "https://ok.example/1"), loader)
    _same(_knows("https://example.org/ctx/a", "https://ok.example/2"), loader)
    for value in ("acme:bob", "acme://bob", "https://ok.example/3", "acme:"):
        document = _knows("https://example.org/ctx/a", value)
        _same(document, loader)
        assert _canonical(document, loader) == _canonical(document, plain), value


@pytest.mark.parametrize("scoped", ["b", "./b", "../ctx/b", "https://example.org/ctx/b"])
def test_a_prefix_from_a_type_scoped_context_named_by_a_relative_url_is_a_term(
    scoped: str,
) -> None:
    knows = {"@id": "https://example.org/knows", "@type": "@id"}
    extra: dict[str, Any] = {
        "https://example.org/ctx/i": {
            "@context": {
                "knows": knows,
                "Thing": {"@id": "https://example.org/Thing", "@context": scoped},
            }
        },
        "https://example.org/ctx/b": {"@context": {"acme": "https://evil.example/acme/"}},
        "https://example.org/ctx/c": {
            "@context": {"knows": knows, "Thing": "https://example.org/Thing"}
        },
    }
    loader = bundled_loader(copy.deepcopy(extra))

    def document(context: str, value: str) -> dict[str, Any]:
        found = _knows(context, value)
        found["credentialSubject"]["type"] = "Thing"
        return found

    _same(document("https://example.org/ctx/c", "https://ok.example/1"), loader)
    _same(document("https://example.org/ctx/i", "https://ok.example/2"), loader)
    _same(document("https://example.org/ctx/i", "acme:bob"), loader)


@pytest.mark.parametrize(
    "spelling",
    [
        "https://www.w3.org/ns/x/../odrl.jsonld",
        "https://www.w3.org/ns/./odrl.jsonld",
        "https://www.w3.org/ns/odrl.jsonld",
    ],
)
def test_a_bundled_context_named_with_dot_segments_brings_its_prefixes(spelling: str) -> None:
    """pyld loads ``.../x/../odrl.jsonld`` as ODRL: its ``odrl`` prefix makes compact IRIs.

    No registered context needed: the attacker's documents alone (this hole was the worst).
    """
    loader = DocumentLoader()
    plain = _plain_loader()

    def document(value: str) -> dict[str, Any]:
        return {
            "@context": [V2, spelling],
            "type": "VerifiableCredential",
            "issuer": "did:example:issuer",
            "credentialSubject": {"id": "did:example:s", "target": value},
        }

    _same(document("https://ok.example/1"), loader)
    _same(document("https://ok.example/2"), loader)
    for value in ("odrl:use", "schema:Person", "xsd:string", "dct:title", "https://ok.example/3"):
        _same(document(value), loader)
        assert _canonical(document(value), loader) == _canonical(document(value), plain)


# --- terms as prefixes, @vocab coercion, keywords ------------------------------------------


@pytest.mark.parametrize("prefix", ["did", "urn", "https", "http", "_", "mailto", "x-passeport"])
def test_a_registered_context_that_makes_a_scheme_a_term(prefix: str) -> None:
    extra: dict[str, Any] = {
        "https://example.org/ctx/scheme": {
            "@context": {
                prefix: "https://evil.example/scheme/",
                "knows": {"@id": "https://example.org/knows", "@type": "@id"},
                "likes": {"@id": "https://example.org/likes", "@type": "@vocab"},
            }
        }
    }
    loader = bundled_loader(extra)

    def document(value: str) -> dict[str, Any]:
        return {
            "@context": [V2, "https://example.org/ctx/scheme"],
            "type": "VerifiableCredential",
            "issuer": value,
            "credentialSubject": {"id": value, "knows": value, "likes": value},
        }

    _same(document("tag:example.org,2025:a"), loader)
    _same(document("tag:example.org,2025:b"), loader)
    for value in (*ATTACK_VALUES, f"{prefix}:x", f"{prefix}://x", prefix):
        _same(document(value), loader)


def test_vocab_coerced_values_odrl_action_and_proof_purpose() -> None:
    loader = DocumentLoader()
    seed = _vc11_odrl()
    action = ("termsOfUse", "permission", 0, "action")
    _same(_set(seed, action, "http://www.w3.org/ns/odrl/2/use"), loader)
    _same(_set(seed, action, "http://www.w3.org/ns/odrl/2/play"), loader)
    for value in ("use", "play", "odrl:use", "odrl:", "Policy", "uid", "type", "_:x", "did:x"):
        _same(_set(seed, action, value), loader)
    proof = {
        "@context": [V2],
        "type": "VerifiableCredential",
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:s"},
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2025-07-01T00:00:00Z",
            "verificationMethod": "did:example:issuer#key-1",
            "proofPurpose": "https://w3id.org/security#assertionMethod",
            "proofValue": "z1111",
        },
    }
    _same(proof, loader)
    for value in ("assertionMethod", "authentication", "sec:assertionMethod", "https://x/y", ""):
        _same(_set(proof, ("proof", "proofPurpose"), value), loader)
        _same(_set(proof, ("proof", "verificationMethod"), value), loader)


# --- order, repetition, numbers, contexts deeper in the document ---------------------------


def test_documents_differing_only_in_the_order_of_members() -> None:
    loader = DocumentLoader()
    seed = copy.deepcopy(DIPLOMA)
    _same(seed, loader)
    reordered = dict(reversed(list(seed.items())))
    reordered["credentialSubject"] = dict(reversed(list(seed["credentialSubject"].items())))
    _same(reordered, loader)
    _same(_set(reordered, ("credentialSubject", "id"), "did:example:other"), loader)


def test_the_same_string_at_two_places_gives_pyld_s_dataset() -> None:
    loader = DocumentLoader()
    plain = _plain_loader()
    seed = copy.deepcopy(DIPLOMA)
    seed["issuer"] = {"id": "did:example:issuer", "name": "École"}
    seed["credentialSubject"]["id"] = "did:example:subject"
    _same(seed, loader)
    for shared in ("did:example:issuer", "_:b0", "_:c14n0", "https://example.org/same"):
        document = _set(_set(seed, ("issuer", "id"), shared), ("credentialSubject", "id"), shared)
        _same(document, loader)
        assert _canonical(document, loader) == _canonical(document, plain), shared


def test_a_context_deeper_in_the_document_is_part_of_the_key() -> None:
    loader = DocumentLoader()

    def document(inner: str, value: str) -> dict[str, Any]:
        return {
            "@context": [V2],
            "type": "VerifiableCredential",
            "issuer": "did:example:issuer",
            "credentialSubject": {"@context": inner, "id": "did:example:s", "action": value},
        }

    _same(document(ODRL, "http://www.w3.org/ns/odrl/2/use"), loader)
    _same(document(ODRL, "http://www.w3.org/ns/odrl/2/play"), loader)
    for inner in (ODRL, EXAMPLES_V2, UNDEFINED, V1, STATUS_2021):
        for value in ("use", "odrl:use", "https://example.org/x", "did:x"):
            _same(document(inner, value), loader)


def test_vc_1_1_and_vc_2_0_documents_of_one_shape() -> None:
    """The VC 2.0 rule on protected terms (strict) depends on the first context only."""
    loader = DocumentLoader()

    def document(first: str, second: str, subject: str) -> dict[str, Any]:
        return {
            "@context": [first, second],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": {"id": subject, "name": "N"},
        }

    contexts = (V1, V2, EXAMPLES_V1, EXAMPLES_V2, ODRL, UNDEFINED)
    for first in contexts:
        for second in contexts:
            _same(document(first, second, "did:example:a"), loader)
            _same(document(first, second, "did:example:b"), loader)
            _same(document(first, second, "schema:b"), loader)


# --- what the checks report: errors, warnings, verdicts ------------------------------------


def test_errors_and_issuer_dependent_warnings_are_those_of_plain_expansion() -> None:
    loader = DocumentLoader()
    plain = _plain_loader()
    seed = {
        "@context": [V2, UNDEFINED],
        "type": ["VerifiableCredential", "Couleur"],
        "issuer": "did:example:issuer",
        "credentialSubject": {"id": "did:example:s", "couleur": "bleu", "lien": {"id": "did:x"}},
    }
    _safe(seed, loader)
    _safe(seed, loader)
    for path in _leaves(seed):
        for value in ATTACK_VALUES:
            document = _set(seed, path, value)
            assert _safe(document, loader) == _safe(document, plain), (path, value)


def _signed_diploma(subject: str) -> dict[str, Any]:
    document = copy.deepcopy(DIPLOMA)
    document["validFrom"] = "2025-07-01T00:00:00Z"
    document["issuer"] = {"id": ISSUER.controller, "name": "Université Exemple"}
    document["credentialSubject"]["id"] = subject
    return dict(sign_document(document, ISSUER, suite="eddsa-rdfc-2022", created=SIGNED_AT))


def test_no_verdict_changes_after_plans_made_by_an_attacker() -> None:
    env = Environment(loader=DocumentLoader())
    plain = Environment(loader=_plain_loader())
    policy = Policy(at=NOW)
    honest = _signed_diploma("did:example:holder")
    rng = random.Random(5)
    paths = [path for path in _leaves(honest) if path[0] != "proof"]
    for _ in range(6):  # the attacker's documents of the shape make plans
        attack = _set(honest, rng.choice(paths), rng.choice(ATTACK_VALUES))
        verify_credential(attack, policy=policy, env=env)
    assert verify_credential(honest, policy=policy, env=env).verified
    tampered = []
    for value in ("schema:holder", "did:", "_:b0", "did:example:holder ", "did:example:other"):
        tampered.append(_set(honest, ("credentialSubject", "id"), value))
    for path in rng.sample(paths, 12):
        tampered.append(_set(honest, path, rng.choice(ATTACK_VALUES)))
    for document in tampered:
        found = verify_credential(document, policy=policy, env=env)
        expected = verify_credential(document, policy=policy, env=plain)
        assert found.verified == expected.verified
        assert not found.verified or document == honest


def test_threads_making_and_filling_plans_at_once() -> None:
    loader = DocumentLoader()
    rng = random.Random(3)
    paths = _leaves(DIPLOMA)
    documents = [
        _set(DIPLOMA, rng.choice(paths), rng.choice(ATTACK_VALUES + BENIGN)) for _ in range(48)
    ]
    expected = [_plain(document, loader) for document in documents]
    failures: list[int] = []
    start = threading.Barrier(4)

    def run(offset: int) -> None:
        start.wait()
        for n in range(len(documents)):
            index = (offset * 7 + n) % len(documents)
            if _planned(documents[index], loader) != expected[index]:
                failures.append(index)

    threads = [threading.Thread(target=run, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures


# --- the CPU side: what a document of a new shape or key costs -----------------------------


def _count_expansions(loader: DocumentLoader, documents: list[Any]) -> int:
    calls = [0]
    original = JSONLD.JsonLdProcessor.expand

    def counting(self: Any, input_: Any, options: Any) -> Any:
        calls[0] += 1
        return original(self, input_, options)

    JSONLD.JsonLdProcessor.expand = counting
    try:
        for document in documents:
            _planned(document, loader)
    finally:
        JSONLD.JsonLdProcessor.expand = original
    return calls[0]


def test_a_document_of_a_new_shape_costs_a_bounded_number_of_expansions() -> None:
    """An attacker's stream of new shapes or new keys, each seen once, then twice.

    A shape or a key seen once costs pyld's expansion only: plans are made
    from its second document. The second document of a new shape costs
    pyld's expansion, the probes that learn its kinds (two rounds here: the
    lone node's id lands nowhere) and the probe of its plan: 4 expansions; the
    second document of a new key of a known shape, 2. Measured on a
    verification (eddsa-rdfc-2022, OB 3.0 diploma) before plans waited for a
    second document, a stream of new shapes cost about 1.8 times the
    verification without plans, and new keys about 1.2 times.
    """
    loader = DocumentLoader()
    shapes = []
    for n in range(10):
        body = copy.deepcopy(DIPLOMA)
        contexts = body.pop("@context")
        body["credentialSubject"][f"extra{n}"] = "x"  # a member of its own: a new shape
        lone = {"id": "did:example:lone"}  # a free-floating node: dropped, a second round
        shapes.append({"@context": [*contexts, UNDEFINED], "@graph": [body, lone]})
    assert _count_expansions(loader, shapes) == len(shapes)  # each seen once: as without plans
    assert len(_plans(loader)._plans) == 0
    assert _count_expansions(loader, shapes) == 4 * len(shapes)
    assert len(_plans(loader)._plans) == len(shapes)  # not vacuous: each made its plan
    seed = _set(DIPLOMA, ("credentialSubject", "id"), "did:example:seed")
    _planned(seed, loader)
    _planned(_set(seed, ("credentialSubject", "id"), "did:example:seed2"), loader)
    keys = [_set(seed, ("credentialSubject", "id"), f"genre:p{n}") for n in range(10)]
    assert _count_expansions(loader, keys) == len(keys)  # "genre" is a term: a new key
    assert _count_expansions(loader, keys) == 2 * len(keys)  # its second document: a plan
    assert _count_expansions(loader, keys) == 0  # and the next document of each key is filled


# --- outside the plans: pyld changes the loader's context documents in place ----------------

_IMPORT_POISON: Final = """
import json
from passeport.contexts.expand import expand
from passeport.contexts.loader import DocumentLoader
V2 = "https://www.w3.org/ns/credentials/v2"
attack = {
    "@context": [{"@import": V2, "couleur": "https://evil.example/couleur"}],
    "type": "VerifiableCredential",
}
try:
    expand(attack, DocumentLoader())
except Exception:
    pass
honest = {
    "@context": [V2],
    "type": "VerifiableCredential",
    "credentialSubject": {"couleur": "bleu"},
}
try:
    expand(honest, DocumentLoader())
    print("accepted")
except Exception:
    print("refused")
"""


def test_an_imported_context_is_not_changed_for_later_documents() -> None:
    """A term an attacker's embedded context adds through @import stays out of V2.

    pyld's @import merges the importing context into the imported document
    (``import_ctx.update(ctx)``): the loader hands pyld a copy of the bundled
    document, or one request would add terms to VC 2.0 for the whole process.
    """
    found = subprocess.run(
        [sys.executable, "-c", _IMPORT_POISON],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert found.stdout.strip() == "refused", found.stderr
