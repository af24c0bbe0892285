"""Proof configuration templates and N-Quads rewriting give what the plain path gives (issue 17).

- :func:`proofs._proof_config.canonical_config` returns, for every
  configuration, the canonical N-Quads that ``canonicalize`` returns: on many
  generated configurations seen several times (so that templates are made
  and used), and on those a template must not serve (aliases of
  ``created``, several blank nodes, ``created`` read as an IRI or JSON,
  values to escape, a changed context);
- :func:`proofs._sd_labels.rewrite_lines` rewrites as :func:`rewrite_terms`
  does, line by line, on generated N-Quads;
- the template is used: a signature then a verification of known shapes
  canonicalize no proof configuration the plain way.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passeport.contexts import DocumentLoader, bundled_loader, canonicalize
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import PasseportError
from passeport.proofs import _proof_config, ecdsa_sd
from passeport.proofs import sd_primitives as sd
from passeport.proofs._proof_config import canonical_config
from passeport.proofs._sd_labels import rewrite_lines, rewrite_terms
from passeport.proofs.ecdsa_sd import derive
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment, Policy, verify_credential

V2: Final = "https://www.w3.org/ns/credentials/v2"
OB3: Final = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
METHOD: Final = "did:key:zDnaekGZTbQBerwcehBSXLqAg6s55hVEBms1zFy89VHXtJSa#key-1"
DIPLOMA: Final = json.loads(
    resources.files("passeport").joinpath("samples", "diploma.json").read_text("utf-8")
)


def _config(created: Any, **members: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "@context": [V2, OB3],
        "type": "DataIntegrityProof",
        "cryptosuite": "ecdsa-sd-2023",
        "created": created,
        "verificationMethod": METHOD,
        "proofPurpose": "assertionMethod",
    }
    config.update(members)
    return config


def _plain(config: dict[str, Any], loader: DocumentLoader, hash_name: str) -> str | type:
    loader.canonical_forms.clear()
    try:
        return canonicalize(config, loader, hash_name=hash_name).nquads
    except PasseportError as exc:
        return type(exc)


def _templated(config: dict[str, Any], loader: DocumentLoader, hash_name: str) -> str | type:
    loader.canonical_forms.clear()
    try:
        return canonical_config(config, loader, hash_name)
    except PasseportError as exc:
        return type(exc)


def _same_each_time(configs: list[dict[str, Any]], hash_name: str = "sha256") -> None:
    """Canonicalize each configuration three times with templates: always the plain result."""
    loader = bundled_loader()
    for _ in range(3):
        for config in configs:
            expected = _plain(config, loader, hash_name)
            assert _templated(config, loader, hash_name) == expected, config


_SAFE = st.text("0123456789TZ:-+.abcXYZ", min_size=1, max_size=64)
_ANY_TEXT = st.text(max_size=20)
_CREATED = st.one_of(
    _SAFE,
    _ANY_TEXT,
    st.integers(),
    st.none(),
    st.lists(_SAFE, max_size=2),
    st.just("2025-01-01T00:00:00Z"),
)
_EXTRA = st.dictionaries(
    st.sampled_from(["expires", "challenge", "domain", "nonce", "name", "proofValue"]),
    st.one_of(_SAFE, _ANY_TEXT, st.just("2025-01-01T00:00:00Z")),
    max_size=2,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    created=st.lists(_CREATED, min_size=1, max_size=4),
    extra=_EXTRA,
    method=st.sampled_from([METHOD, "did:example:issuer#k", "https://example.org/k"]),
    purpose=st.sampled_from(["assertionMethod", "authentication"]),
    hash_name=st.sampled_from(["sha256", "sha384"]),
)
def test_generated_configurations_canonicalize_as_plain(
    created: list[Any], extra: dict[str, Any], method: str, purpose: str, hash_name: str
) -> None:
    configs = [
        _config(value, verificationMethod=method, proofPurpose=purpose, **extra)
        for value in created
    ]
    _same_each_time(configs, hash_name)


@pytest.mark.parametrize(
    "members",
    [
        # created twice under two terms of one IRI: a dataset has the quad once
        {
            "@context": [
                V2,
                {
                    "made": {
                        "@id": "http://purl.org/dc/terms/created",
                        "@type": "http://www.w3.org/2001/XMLSchema#dateTime",
                    }
                },
            ]
        },
        # created read as an IRI, then as JSON
        {
            "@context": [
                V2,
                {"created": {"@id": "http://purl.org/dc/terms/created", "@type": "@id"}},
            ]
        },
        {
            "@context": [
                V2,
                {"created": {"@id": "http://purl.org/dc/terms/created", "@type": "@json"}},
            ]
        },
        # a second blank node: labels decided by hashes of the values
        {"nested": {"type": "Thing"}},
        {"@context": [V2, {"@vocab": "https://example.org/v#"}], "other": {"created": "x"}},
        {"type": ["DataIntegrityProof", "Other"]},
        {"@context": [OB3, V2]},
    ],
)
def test_configurations_a_template_must_not_serve(members: dict[str, Any]) -> None:
    configs = []
    for second in range(4):
        config = _config(f"2025-01-01T00:00:0{second}Z", **members)
        if "made" in json.dumps(members):
            config["made"] = config["created"] if second % 2 else "2025-01-01T00:00:00Z"
        configs.append(config)
    _same_each_time(configs)


def test_values_to_escape_and_odd_types_take_the_plain_path() -> None:
    values: list[Any] = [
        "2025-01-01T00:00:00Z",
        'a"b',
        "a\\b",
        "a\nb",
        "é",
        "x" * 65,
        "",
        "x-passeport-created-7f3e2b",
        True,
        1.5,
        {"@value": "2025"},
    ]
    _same_each_time([_config(value) for value in values])


def test_a_member_order_or_type_change_is_another_key() -> None:
    first = _config("2025-01-01T00:00:00Z")
    reordered = dict(reversed(list(first.items())))
    as_list = _config("2025-01-01T00:00:01Z", type=["DataIntegrityProof"])
    _same_each_time([first, first, reordered, reordered, as_list, as_list, first])


def test_templates_are_per_loader() -> None:
    other = bundled_loader(
        {
            "https://example.org/ctx": {
                "@context": {"created": "https://example.org/made", "proofPurpose": "@type"}
            }
        }
    )
    config = _config("2025-01-01T00:00:00Z", **{"@context": [V2, "https://example.org/ctx"]})
    loader = bundled_loader()
    for when in range(3):
        config["created"] = f"2025-01-01T00:00:0{when}Z"
        assert _templated(config, loader, "sha256") == _plain(config, loader, "sha256")
        assert _templated(config, other, "sha256") == _plain(config, other, "sha256")


def _count_plain_configurations(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Return the list of configurations canonicalized the plain way from now on."""
    plain_calls: list[Any] = []
    real = _proof_config.canonicalize

    def counting(document: Any, *args: Any, **kwargs: Any) -> Any:
        plain_calls.append(document)
        return real(document, *args, **kwargs)

    monkeypatch.setattr(_proof_config, "canonicalize", counting)
    return plain_calls


def test_sign_and_verify_use_the_template(monkeypatch: pytest.MonkeyPatch) -> None:
    loader = bundled_loader()
    pair = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.P256, bytes([9]) * 32))
    start = datetime(2025, 1, 1, tzinfo=UTC)
    derived = []
    for n in range(4):
        document = copy.deepcopy(DIPLOMA)
        document["credentialSubject"]["id"] = f"did:example:graduate{n}"
        base = sign_document(
            document,
            key=pair,
            suite="ecdsa-sd-2023",
            mandatory=("/issuer",),
            loader=loader,
            created=start + timedelta(seconds=n),
        )
        derived.append(derive(base, ["/credentialSubject/name"], loader=loader))
    env, policy = Environment(loader=loader), Policy()
    assert all(verify_credential(item, policy=policy, env=env).verified for item in derived)
    plain_calls = _count_plain_configurations(monkeypatch)
    for item in derived:
        loader.canonical_forms.clear()
        assert verify_credential(item, policy=policy, env=env).verified
    assert plain_calls == []
    # the template changes nothing: a changed created still fails
    tampered = copy.deepcopy(derived[0])
    tampered["proof"]["created"] = "2025-01-01T00:00:09Z"
    assert not verify_credential(tampered, policy=policy, env=env).verified
    assert ecdsa_sd.canonical_config is canonical_config


_IRI = st.sampled_from(["<http://a/b>", "<urn:bnid:x1>", "<http://x/_:b0>", "<urn:bnid:_r_0>"])
_BLANK = st.sampled_from(["_:b0", "_:c14n1", "_:u3x-Y", "_:_r_2"])
_LITERAL = st.builds(
    lambda text, tail: json.dumps(text) + tail,
    st.text(alphabet='ab _:"<>urn:bnid\\', max_size=12),
    st.sampled_from(["", "^^<http://www.w3.org/2001/XMLSchema#string>", "@en"]),
)


@settings(max_examples=300, deadline=None)
@given(
    subject=st.one_of(_IRI, _BLANK),
    obj=st.one_of(_IRI, _BLANK, _LITERAL),
    graph=st.one_of(st.just(""), _IRI, _BLANK),
)
def test_rewrite_lines_is_rewrite_terms(subject: str, obj: str, graph: str) -> None:
    line = f"{subject} <http://p/q> {obj} {graph + ' ' if graph else ''}.\n"
    lines = [line, line.replace("_:", "", 1), line]

    def relabel(token: str) -> str:
        return "_:Z" + token[2:] if token.startswith("_:") else token

    def deskolemize(token: str) -> str:
        start = "<urn:bnid:"
        return "_:" + token[len(start) : -1] if token.startswith(start) else token

    for marker, replace in (("_:", relabel), ("<urn:bnid:", deskolemize)):
        assert rewrite_lines(lines, marker, replace) == [
            rewrite_terms(item, replace) for item in lines
        ]

    def skolemize(token: str) -> str:
        return f"<urn:bnid:{token[2:]}>" if token.startswith("_:") else token

    assert sd.skolemize_nquads(lines) == [rewrite_terms(item, skolemize) for item in lines]
    assert sd.deskolemize_nquads(lines) == [rewrite_terms(item, deskolemize) for item in lines]


@pytest.mark.parametrize(
    ("suite", "algorithm"),
    [("eddsa-rdfc-2022", KeyAlgorithm.ED25519), ("ecdsa-rdfc-2019", KeyAlgorithm.P256)],
)
def test_rdfc_suites_hash_configurations_from_templates_as_plain(
    suite: str, algorithm: KeyAlgorithm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rdfc suites sign and verify the same bytes with the configuration templates."""
    from passeport.proofs.registry import suite_named
    from passeport.proofs.suite import rdfc_transform

    loader = bundled_loader()
    pair = KeyPair.from_private_key(PrivateKey.from_raw(algorithm, bytes([9]) * 32))
    chosen = suite_named(suite)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    signed = []
    for n in range(5):
        document = copy.deepcopy(DIPLOMA)
        document["credentialSubject"]["id"] = f"did:example:graduate{n}"
        signed.append(
            sign_document(
                document, pair, suite=suite, loader=loader, created=start + timedelta(hours=n)
            )
        )
    for item in signed:
        config = {**item["proof"], "@context": item["@context"]}
        config.pop("proofValue")
        hash_name = "sha256"
        assert chosen.config_transform is not None
        assert chosen.config_transform(config, loader, hash_name) == rdfc_transform(
            config, loader, hash_name
        )
    plain_calls = _count_plain_configurations(monkeypatch)
    env, policy = Environment(loader=loader), Policy()
    for item in signed:
        loader.canonical_forms.clear()
        assert verify_credential(item, policy=policy, env=env).verified
    assert plain_calls == []  # every configuration came from its template
    tampered = copy.deepcopy(signed[0])
    tampered["proof"]["created"] = "2025-01-01T00:00:09Z"
    assert not verify_credential(tampered, policy=policy, env=env).verified
