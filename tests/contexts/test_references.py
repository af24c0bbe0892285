"""Every bundled context is its reference copy, byte for byte; JSON-LD errors read as sentences.

The reference copies are in ``tests/data/contexts`` (provenance in its
``index.json`` and in ``tests/data/README.md``). A bundled context edited by
hand, or fetched from another revision (the old ODRL context of issue 14,
whose ``id`` and ``type`` clash with the protected terms of
``credentials/v1``), fails here.
"""

from __future__ import annotations

import copy
import hashlib
import json
from importlib import resources
from typing import Any, Final

import pytest

from passeport.contexts import bundled_loader, canonicalize, expand
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import ContextError
from passeport.proofs.sign import sign_document
from passeport.verifier import Policy, verify_any
from tests.conftest import DBJS, FIXED_NOW, SHARED, load_json

REFERENCES: Final = SHARED / "contexts"
MANIFEST: Final = json.loads(
    resources.files("passeport.contexts").joinpath("bundled", "manifest.json").read_text("utf-8")
)
OWN: Final = {"https://w3id.org/passeport/v1"}  # passeport's own context: no reference elsewhere
ED: Final = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([51]) * 32))


def _bundled(name: str) -> bytes:
    return resources.files("passeport.contexts").joinpath("bundled", name).read_bytes()


@pytest.mark.parametrize("url", sorted(set(MANIFEST) - OWN))
def test_each_bundled_context_is_its_reference_copy(url: str) -> None:
    name = MANIFEST[url]["file"]
    reference = (REFERENCES / name).read_bytes()
    assert _bundled(name) == reference, f"{name} differs from tests/data/contexts/{name}"
    assert hashlib.sha256(reference).hexdigest() == MANIFEST[url]["sha256"]


def test_the_manifest_and_the_reference_index_agree() -> None:
    index = load_json(REFERENCES / "index.json")
    assert set(index) == set(MANIFEST) - OWN
    for url, entry in index.items():
        assert (MANIFEST[url]["file"], MANIFEST[url]["sha256"]) == (entry["file"], entry["sha256"])
        assert len((REFERENCES / entry["file"]).read_bytes()) == entry["bytes"]


def test_the_odrl_context_is_the_one_json_ld_processors_use() -> None:
    odrl = json.loads(_bundled("odrl.jsonld"))["@context"]
    assert odrl["uid"] == "@id" and odrl["type"] == "@type" and "id" not in odrl


def test_the_vc_1_1_examples_context_expands_with_the_protected_base_terms() -> None:
    credential = load_json(DBJS / "outputs" / "diploma-v1-eddsa-rdfc-2022.json")
    expand(credential, bundled_loader())
    result = verify_any(credential, policy=Policy(at=FIXED_NOW))
    assert result.verified, result.failures()


def _protected_clash() -> dict[str, Any]:
    credential: dict[str, Any] = load_json(DBJS / "outputs" / "diploma-v1-eddsa-rdfc-2022.json")
    credential["@context"] = [*credential["@context"], {"id": {"@id": "https://evil.example/id"}}]
    return credential


def _plain(text: str) -> None:
    """A sentence: no pyld tuple repr, type line or details dump."""
    assert "('" not in text and "Type:" not in text and "Details:" not in text and "\n" not in text


def test_a_pyld_error_is_a_sentence_when_expanding_or_canonicalizing() -> None:
    for action in (expand, canonicalize):
        with pytest.raises(ContextError) as caught:
            action(_protected_clash(), bundled_loader())
        _plain(str(caught.value))
        assert "tried to redefine a protected term" in caught.value.message


def test_a_pyld_error_is_a_sentence_in_every_check_and_when_signing() -> None:
    result = verify_any(_protected_clash(), policy=Policy(at=FIXED_NOW))
    assert not result.verified
    for check in result.failures():
        _plain(check.message)
    assert any("protected term" in c.message for c in result.failures())
    unsigned = copy.deepcopy(_protected_clash())
    for member in ("proof", "issuer"):
        unsigned.pop(member)
    with pytest.raises(ContextError) as caught:
        sign_document(unsigned, ED)
    _plain(str(caught.value))


def test_an_invalid_version_is_a_sentence_too() -> None:
    document = {"@context": [{"@version": 2.0}], "https://e.example/p": 1}
    with pytest.raises(ContextError) as caught:
        expand(document, bundled_loader())
    _plain(str(caught.value))
    assert "Unsupported JSON-LD version" in caught.value.message
