"""Every JSON reader refuses a member named twice: two parsers must never read two documents.

Python's ``json.loads`` keeps the last of two members of the same name where
other parsers keep the first or refuse: a credential, token or DID document
holding ``"issuer"`` twice would be read one way here and another way
elsewhere. Every JSON input goes through :func:`passeport._io.parse_json`,
which refuses it; this file checks that no reader goes around it and that
each kind of untrusted input meets it.
"""

from __future__ import annotations

import ast
import base64
from pathlib import Path
from typing import Final

import pytest

from passeport.errors import PasseportError
from tests.conftest import ROOT

TWICE: Final = "appears twice in a JSON object"
PACKAGES: Final = ("contexts", "did", "proofs", "verifier", "issuer", "wallet", "passeport")
# Files that call the json module's readers, and why that is safe there.
TRUSTED_READERS: Final = {
    "passeport/_io.py": "parse_json itself",
    "contexts/loader.py": "the bundled contexts and their manifest, pinned by sha256",
    "proofs/model.py": "the bundled contexts' manifest",
    "passeport/demo.py": "a deep copy of a document it built (json.loads(json.dumps(...)))",
}


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _readers(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("loads", "load", "JSONDecoder", "raw_decode")
            and isinstance(node.value, ast.Name)
            and node.value.id in ("json", "orjson", "ujson", "simplejson")
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.id}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "json":
            names = {alias.name for alias in node.names}
            if names & {"loads", "load", "JSONDecoder"}:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} from json import ...")
    return found


def test_no_json_reader_goes_around_parse_json() -> None:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if str(path.relative_to(ROOT)) not in TRUSTED_READERS:
                found += _readers(path)
    assert not found, "read JSON with passeport._io.parse_json:\n" + "\n".join(found)


def _refused(action: object) -> str:
    assert callable(action)
    with pytest.raises(PasseportError) as caught:
        action()
    assert TWICE in str(caught.value), caught.value
    return str(caught.value)


CREDENTIAL: Final = (
    '{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "VerifiableCredential", '
    '"issuer": "did:example:accredited", "issuer": "did:example:forger", "credentialSubject": {}}'
)


def test_a_credential_or_presentation_as_text() -> None:
    from passeport.verifier import verify_any

    _refused(lambda: verify_any(CREDENTIAL))
    _refused(lambda: verify_any(CREDENTIAL.encode()))


def test_a_jwt_header_or_payload() -> None:
    from passeport.verifier import verify_any

    header = _b64('{"alg": "EdDSA", "typ": "vc+jwt"}')
    line = _refused(lambda: verify_any(f"{header}.{_b64(CREDENTIAL)}.AAAA"))
    assert 'payload: member "issuer"' in line
    twice = _b64('{"alg": "EdDSA", "alg": "none", "typ": "vc+jwt"}')
    _refused(lambda: verify_any(f"{twice}.{_b64('{}')}.AAAA"))


def test_an_sd_jwt_disclosure() -> None:
    from passeport.proofs._disclosures import decode_disclosure

    _refused(lambda: decode_disclosure(_b64('["salt", "address", {"city": "a", "city": "b"}]')))


def test_a_did_document_fetched_for_did_web_or_a_did_jwk() -> None:
    from passeport.did.jwk_method import did_jwk_document
    from passeport.did.web import parse_did_web_document

    body = b'{"id": "did:web:univ.example", "id": "did:web:forger.example"}'
    url = "https://univ.example/.well-known/did.json"
    _refused(lambda: parse_did_web_document("did:web:univ.example", body, max_bytes=10**5, url=url))
    x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    jwk = f'{{"kty": "OKP", "crv": "Ed25519", "x": "{x}", "x": "AA"}}'
    _refused(lambda: did_jwk_document("did:jwk:" + _b64(jwk)))


def test_a_credential_added_to_the_wallet(tmp_path: Path) -> None:
    from passeport.wallet import add
    from tests.wallet._helpers import env, new_wallet, policy

    wallet = new_wallet(tmp_path)
    _refused(lambda: add(wallet, [("twice.json", CREDENTIAL)], policy=policy(), env=env()))
    assert wallet.entries() == []


def test_a_trust_list_a_key_file_and_a_batch_line(tmp_path: Path) -> None:
    from passeport.did.keyfile import read_key_file
    from passeport.issuer.batch import issue_batch
    from passeport.verifier import TrustList
    from tests.issuer._helpers import example, make_profile

    (tmp_path / "trust.json").write_text('{"issuers": [], "issuers": []}')
    _refused(lambda: TrustList.read(tmp_path / "trust.json"))
    (tmp_path / "key.json").write_text('{"id": "a", "id": "b"}')
    _refused(lambda: read_key_file(tmp_path / "key.json"))
    import json

    line = json.dumps(example("diploma"), ensure_ascii=False)
    (tmp_path / "rows.jsonl").write_text(
        line[:-1] + ', "awardedDate": "2020-01-01"}\n' + line + "\n"
    )
    summary = issue_batch(
        make_profile(tmp_path / "univ"),
        "diploma",
        tmp_path / "rows.jsonl",
        tmp_path / "out",
        workers=1,
    )
    assert summary.issued == 1
    [failure] = summary.failures
    assert failure.row == 1 and TWICE in failure.message
