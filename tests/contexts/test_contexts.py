"""The bundled loader, safe expansion, RDFC-1.0 with its work limit, and JCS."""

from __future__ import annotations

import copy
import hashlib
import json
import time
from importlib import resources

import pytest

from passeport.contexts import (
    ISSUER_DEPENDENT,
    _pyld,
    bundled_documents,
    bundled_loader,
    canonicalize,
    canonicalize_nquads,
    collect_warnings,
    expand,
    jcs,
)
from passeport.contexts.loader import DocumentLoader
from passeport.errors import ContextError, InputError
from tests.conftest import DBJS, SHARED, load_json

DIPLOMA = load_json(DBJS / "inputs" / "diploma-ob3-v2.json")
LOADER = bundled_loader()


def test_every_shared_context_is_bundled_byte_exact() -> None:
    # tests/data/contexts/index.json: the sha256 of each official context document.
    index = load_json(SHARED / "contexts" / "index.json")
    for url, entry in index.items():
        assert url in bundled_documents()
        data = resources.files("passeport.contexts").joinpath("bundled", entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert LOADER.load(url) == json.loads(data)


def test_remote_context_is_refused_with_its_url() -> None:
    with pytest.raises(ContextError, match=r"https://evil\.example/ctx.*not bundled"):
        LOADER.load("https://evil.example/ctx")


def test_registered_context_is_served() -> None:
    loader = bundled_loader({"https://example.org/ctx": b'{"@context": {"x": "https://e.org/x"}}'})
    document = {"@context": "https://example.org/ctx", "x": 1}
    assert "<https://e.org/x>" in canonicalize(document, loader).nquads


def test_bundled_contexts_cannot_be_replaced() -> None:
    with pytest.raises(ContextError, match="cannot be replaced"):
        bundled_loader({"https://www.w3.org/ns/credentials/v2": {"@context": {}}})


def test_undefined_term_names_its_pointer() -> None:
    document = copy.deepcopy(DIPLOMA)
    document["credentialSubject"]["achievement"]["nickname"] = "x"
    with pytest.raises(ContextError) as caught:
        canonicalize(document, LOADER, where="d.json")
    assert caught.value.pointer == "/credentialSubject/achievement/nickname"
    assert str(caught.value).startswith("d.json: /credentialSubject/achievement/nickname: term")


@pytest.mark.parametrize(("pointer", "value"), [("id", "relative/id"), ("type", "rel/type")])
def test_relative_iris_are_refused(pointer: str, value: str) -> None:
    document = copy.deepcopy(DIPLOMA)
    document[pointer] = value if pointer == "id" else ["VerifiableCredential", value]
    with pytest.raises(ContextError, match="not an absolute IRI"):
        canonicalize(document, LOADER)


def test_issuer_dependent_terms_are_warnings() -> None:
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/undefined-terms/v2",
        ],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"favouriteColour": "blue"},
    }
    result = expand(document, LOADER)
    assert any("favouriteColour" in w and "issuer-dependent" in w for w in result.warnings)
    assert "undefined-term#favouriteColour" in json.dumps(result.expanded)
    assert ISSUER_DEPENDENT.startswith("https://www.w3.org/ns/credentials/")


def test_context_changed_in_place_is_reprocessed() -> None:
    document = {"@context": {"name": "https://schema.org/name"}, "name": "Camille"}
    first = canonicalize(document, LOADER).nquads
    document["@context"]["name"] = "https://example.org/name"  # type: ignore[index]
    assert canonicalize(document, LOADER).nquads != first


def test_poison_graph_is_refused_quickly() -> None:
    clique = "".join(
        f"_:b{i} <http://e/p> _:b{j} .\n" for i in range(10) for j in range(10) if i != j
    )
    start = time.perf_counter()
    with pytest.raises(ContextError, match="work limit"):
        canonicalize_nquads(clique)
    assert time.perf_counter() - start < 1.0


def test_small_symmetric_graphs_still_canonicalize() -> None:
    rings = "".join(f"_:a{i} <http://e/p> _:a{(i + 1) % 20} .\n" for i in range(20))
    assert canonicalize_nquads(rings).nquads.count("_:c14n") == 40


def test_sha384_changes_blank_node_labels_only_when_hashing_matters() -> None:
    document = {"@context": {"p": "https://e.org/p"}, "p": {"p": "x"}}
    assert canonicalize(document, LOADER, hash_name="sha384").nquads


def test_not_nquads() -> None:
    with pytest.raises(InputError):
        canonicalize_nquads("this is not n-quads")


def test_jcs_refuses_what_has_no_canonical_form() -> None:
    assert jcs.canonicalize({"b": 1, "a": [1.0, "é"]}) == '{"a":[1,"é"],"b":1}'.encode()
    with pytest.raises(InputError):
        jcs.canonicalize({"x": float("nan")})


def test_document_without_context_is_refused() -> None:
    with pytest.raises(ContextError, match="no @context"):
        canonicalize({"name": "x"}, LOADER)


def test_a_type_scoped_context_changed_in_place_is_reprocessed() -> None:
    scoped = {"grade": "https://example.org/v1#grade"}
    document = {
        "@context": {
            "@version": 1.1,
            "Result": {"@id": "https://example.org/v1#Result", "@context": scoped},
            "result": "https://example.org/v1#result",
        },
        "result": {"@type": "Result", "grade": "A"},
    }
    first = canonicalize(document, LOADER).nquads
    assert canonicalize(document, LOADER).nquads == first
    scoped["grade"] = "https://example.org/v2#grade"
    second = canonicalize(document, LOADER).nquads
    assert "v2#grade" in second and "v1#grade" not in second


def test_scoped_contexts_are_processed_once_across_documents() -> None:
    calls = 0
    original = _pyld.jsonld.JsonLdProcessor._process_context

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return original(self, *args, **kwargs)

    text = resources.files("passeport").joinpath("samples", "diploma.json").read_text("utf-8")
    sample = json.loads(text)
    loader = bundled_loader()
    canonicalize(sample, loader)
    _pyld.jsonld.JsonLdProcessor._process_context = counting
    try:
        canonicalize(sample, loader)
    finally:
        _pyld.jsonld.JsonLdProcessor._process_context = original
    assert calls == 0


def test_a_canonical_form_is_remembered_by_exact_json_per_loader() -> None:
    loader = DocumentLoader()
    document = {"@context": {"name": "https://schema.org/name"}, "name": "Camille"}
    first = canonicalize(document, loader)
    assert len(loader.canonical_forms) == 1
    again = canonicalize(json.loads(json.dumps(document)), loader)
    assert again == first and len(loader.canonical_forms) == 1
    again.labels.clear()  # callers get their own copy: the memo is not harmed
    assert canonicalize(document, loader).labels == first.labels
    document["name"] = "Dominique"
    assert "Dominique" in canonicalize(document, loader).nquads
    assert len(loader.canonical_forms) == 2
    assert canonicalize(document, loader, hash_name="sha384").nquads
    assert len(loader.canonical_forms) == 3
    assert len(DocumentLoader().canonical_forms) == 0  # another loader, another memo


def test_a_remembered_form_still_reports_its_warnings() -> None:
    loader = DocumentLoader()
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/undefined-terms/v2",
        ],
        "type": ["VerifiableCredential"],
        "credentialSubject": {"favouriteColour": "blue"},
    }
    canonicalize(document, loader)
    with collect_warnings() as found:
        canonicalize(document, loader)
    assert any("favouriteColour" in w for w in found)
