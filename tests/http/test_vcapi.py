"""The VC-API routes through FastAPI's TestClient: issue, derive, status, verify (issue 14).

Five issuers share one server, each with its key and cryptosuite
(Ed25519: eddsa-rdfc-2022 and eddsa-jcs-2022; P-256: ecdsa-rdfc-2019 and
ecdsa-sd-2023; P-384: ecdsa-jcs-2019), read from a ``serve.toml``. Every
route is called in the VC-API shape, and every refusal is a 4xx naming its
reason, never a 500.

Spec: https://w3c-ccg.github.io/vc-api/ .
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from passeport.app import create_app
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import InputError
from passeport.i18n import catalog
from passeport.issuer import Profile
from passeport.issuer.credential import VC_API_TEMPLATE, issue_credential
from passeport.issuer.service import ServedIssuer, ServiceConfig, issuer_option, read_config
from passeport.proofs.jose import sign_vc_jwt
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment
from passeport.verifier.vcapi import CheckSelection
from tests.conftest import ROOT

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
VC_V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
TOKENS = {name: f"token-of-{name}-0123456789" for name in ("ed", "edj", "p256", "p384", "sd")}
# name: (key type, seed, cryptosuite configured in serve.toml)
ISSUERS: dict[str, tuple[KeyAlgorithm, int, str]] = {
    "ed": (KeyAlgorithm.ED25519, 31, "eddsa-rdfc-2022"),
    "edj": (KeyAlgorithm.ED25519, 32, "eddsa-jcs-2022"),
    "p256": (KeyAlgorithm.P256, 33, "ecdsa-rdfc-2019"),
    "p384": (KeyAlgorithm.P384, 34, "ecdsa-jcs-2019"),
    "sd": (KeyAlgorithm.P256, 35, "ecdsa-sd-2023"),
}
DIPLOMA = json.loads((ROOT / "examples" / "issuer" / "diploma.json").read_text("utf-8"))


def alumni(**extra: Any) -> dict[str, Any]:
    """The VC-API test suites' credential: an alumnus of Example University."""
    return {
        "@context": [VC_V2, EXAMPLES_V2],
        "type": ["VerifiableCredential", "ExampleAlumniCredential"],
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "alumniOf": {"id": "did:example:c276e12ec21ebfeb1f712ebc6f1", "name": "Example U"},
        },
        **extra,
    }


def auth(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[name]}"}


def make_profiles(root: Path) -> None:
    """Create the five issuer profiles (fixed keys and secrets) and a serve.toml naming them."""
    lines = ['default = "ed"', ""]
    for name, (algorithm, seed, suite) in ISSUERS.items():
        size = 48 if algorithm is KeyAlgorithm.P384 else 32
        Profile.create(
            root / name,
            name=f"Issuer {name}",
            did=f"web:{name}.example",
            private_key=PrivateKey.from_raw(algorithm, bytes([seed]) * size),
            secret=bytes([seed + 1]) * 32,
        )
        lines += [
            f"[issuers.{name}]",
            f'profile = "{name}"',
            f'cryptosuite = "{suite}"',
            f'token_env = "TOKEN_{name.upper()}"',
            "",
        ]
    (root / "serve.toml").write_text("\n".join(lines), encoding="utf-8")


def environ() -> dict[str, str]:
    return {f"TOKEN_{name.upper()}": token for name, token in TOKENS.items()}


class Server:
    """The five issuers served by one application, with a fixed clock."""

    def __init__(self, root: Path) -> None:
        make_profiles(root)
        self.root = root
        self.config = read_config(root / "serve.toml", environ=environ())
        self.env = Environment(clock=lambda: NOW)
        self.client = TestClient(create_app(env=self.env, issuers=self.config))

    def issue(self, name: str, credential: Any, **options: Any) -> Any:
        response = self.client.post(
            f"/issuers/{name}/credentials/issue",
            json={"credential": credential, "options": options},
            headers=auth(name),
        )
        return response

    def issued(self, name: str, credential: Any | None = None, **options: Any) -> dict[str, Any]:
        response = self.issue(name, credential or alumni(), **options)
        assert response.status_code == 201, response.text
        found: dict[str, Any] = response.json()["verifiableCredential"]
        return found

    def verify(self, credential: Any, **options: Any) -> Any:
        body = {"verifiableCredential": credential, "options": options}
        return self.client.post("/credentials/verify", json=body)

    def allocated(self, name: str) -> int:
        with self.config.named(name).profile.open_registry() as registry:  # type: ignore[union-attr]
            return sum(status_list.allocated for status_list in registry.lists())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Server:
    return Server(tmp_path_factory.mktemp("vcapi"))


# --- POST /issuers/{name}/credentials/issue -------------------------------------------


@pytest.mark.parametrize("name", sorted(ISSUERS))
def test_each_issuer_signs_with_its_key_and_suite(server: Server, name: str) -> None:
    options = {"mandatoryPointers": ["/credentialSubject/alumniOf"]} if name == "sd" else {}
    credential = server.issued(name, **options)
    proof = credential["proof"]
    assert proof["cryptosuite"] == ISSUERS[name][2]
    assert proof["verificationMethod"].startswith(f"did:web:{name}.example#")
    assert proof["created"] == "2026-01-15T12:00:00Z"  # the server's clock
    assert credential["issuer"] == f"did:web:{name}.example"
    purposes = [entry["statusPurpose"] for entry in credential["credentialStatus"]]
    assert purposes == ["revocation", "suspension"]
    with server.config.named(name).profile.open_registry() as registry:  # type: ignore[union-attr]
        record = registry.find(credential["id"])
    assert record is not None and record.template == VC_API_TEMPLATE
    assert record.subject == "did:example:ebfeb1f712ebc6f1c276e12ec21"
    if name != "sd":  # a base proof is for the holder; its disclosures are verified below
        verified = server.verify(credential)
        assert verified.status_code == 200, verified.json()["errors"]


def test_the_default_issuer_answers_without_its_name(server: Server) -> None:
    response = server.client.post(
        "/credentials/issue", json={"credential": alumni(), "options": {}}, headers=auth("ed")
    )
    assert response.status_code == 201, response.text
    assert response.json()["verifiableCredential"]["issuer"] == "did:web:ed.example"
    other = server.client.post(
        "/credentials/issue", json={"credential": alumni()}, headers=auth("p256")
    )
    assert other.status_code == 401  # the default issuer's token, not another's


def test_templates_stay_an_extension_on_every_route(server: Server) -> None:
    response = server.client.post(
        "/issuers/p384/credentials/issue",
        json={"template": "diploma", "data": DIPLOMA},
        headers=auth("p384"),
    )
    assert response.status_code == 201, response.text
    credential = response.json()["verifiableCredential"]
    assert credential["proof"]["cryptosuite"] == "ecdsa-jcs-2019"  # the configured suite
    assert server.verify(credential).status_code == 200


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/issuers/p256/credentials/issue", {}),
        ("/issuers/p256/credentials/issue", {"Authorization": "Bearer nope"}),
        ("/issuers/p256/credentials/issue", auth("ed")),  # another issuer's token
        ("/issuers/p256/credentials/issue", {"Authorization": TOKENS["p256"]}),  # no "Bearer"
        ("/issuers/p256/credentials/status", auth("sd")),
        ("/credentials/status", {}),
    ],
)
def test_issuing_and_status_need_the_issuers_own_token(
    server: Server, path: str, headers: dict[str, str]
) -> None:
    response = server.client.post(path, json={"credential": alumni()}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_an_unknown_issuer_is_404(server: Server) -> None:
    for path in ("/issuers/nobody/credentials/issue", "/issuers/nobody/credentials/status"):
        response = server.client.post(path, json={}, headers=auth("ed"))
        assert response.status_code == 404 and "nobody" in response.json()["detail"]
    assert server.client.get("/issuers/nobody/did.json").status_code == 404


REFUSED: dict[str, tuple[Any, dict[str, Any], str]] = {
    "not a credential": (
        {**alumni(), "type": ["ExampleAlumniCredential"]},
        {},
        'type must include "VerifiableCredential"',
    ),
    "a presentation": (
        {"@context": [VC_V2], "type": ["VerifiablePresentation"]},
        {},
        "a presentation is signed by its holder",
    ),
    "already secured": (
        alumni(proof={"type": "DataIntegrityProof"}),
        {},
        "already has a proof",
    ),
    "its own status": (
        alumni(credentialStatus={"type": "BitstringStatusListEntry"}),
        {},
        "leave credentialStatus out",
    ),
    "another issuer": (
        alumni(issuer="https://university.example/issuers/565049"),
        {},
        "not this issuer's did:web:ed.example",
    ),
    "an issuer that names no one": (alumni(issuer=5), {}, "the issuer is 5, not"),
    "another issuer as an object": (
        alumni(issuer={"id": "did:web:p256.example", "name": "P"}),
        {},
        "/issuer: the issuer is 'did:web:p256.example'",
    ),
    "an undefined term": (
        {
            "@context": ["https://www.w3.org/2018/credentials/v1"],
            "type": ["VerifiableCredential"],
            "issuanceDate": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:al", "nickname": "Al"},
        },
        {},
        "nickname",
    ),
    "a remote context": (
        {**alumni(), "@context": [VC_V2, "https://unknown.example/context.jsonld"]},
        {},
        "unknown.example",
    ),
    "mandatory pointers to a suite without them": (
        alumni(),
        {"mandatoryPointers": ["/credentialSubject/alumniOf"]},
        "eddsa-rdfc-2022 takes no mandatory pointers",
    ),
    "two ids": (
        alumni(id="urn:uuid:0b7e1b4c-7c1f-4f55-9a84-7a8d2c9d1e01"),
        {"credentialId": "urn:example:other"},
        "options.credentialId: differs from the credential's id",
    ),
    "an id with a space": (alumni(), {"credentialId": "urn:example:a b"}, "without spaces"),
    "a proof dated tomorrow": (
        alumni(),
        {"created": "2026-01-16T12:00:00Z"},
        "options.created: 2026-01-16T12:00:00Z is in the future",
    ),
    "a proof date that is no date": (alumni(), {"created": "yesterday"}, "options.created"),
    "another kind of status": (
        alumni(),
        {"credentialStatus": {"type": "StatusList2021Entry"}},
        "options.credentialStatus.type",
    ),
    "an unknown option": (alumni(), {"suite": "eddsa-jcs-2022"}, "options.suite: Extra inputs"),
    "a credential in a string": (json.dumps(alumni()), {}, "credential: Input should be"),
    "a malformed validFrom": (alumni(validFrom="2026-01-15"), {}, "validFrom"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_credential_that_must_not_be_signed_is_400_with_the_reason(
    server: Server, case: str
) -> None:
    credential, options, reason = REFUSED[case]
    before = server.allocated("ed")
    response = server.issue("ed", credential, **options)
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert any(reason in error for error in errors), errors
    if case not in {"an undefined term", "a remote context", "a malformed validFrom"}:
        assert server.allocated("ed") == before  # refused before a status entry was spent


def test_an_id_is_issued_once(server: Server) -> None:
    credential = alumni(id="urn:uuid:5a1d3f9e-2b4c-4d6e-8f01-23456789abcd")
    assert server.issue("p256", credential).status_code == 201
    again = server.issue("p256", credential)
    assert again.status_code == 400
    assert again.json()["errors"] == [
        "urn:uuid:5a1d3f9e-2b4c-4d6e-8f01-23456789abcd: a credential with this id was already "
        "issued"
    ]


def test_a_credential_without_an_id_is_recorded_under_credential_id(server: Server) -> None:
    credential = server.issued("p256", credentialId="urn:example:registrar:42")
    assert "id" not in credential  # VC-API: credentialId identifies a credential without id
    change = {
        "credentialId": "urn:example:registrar:42",
        "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "suspension"},
        "status": True,
    }
    done = server.client.post("/issuers/p256/credentials/status", json=change, headers=auth("p256"))
    assert done.status_code == 200 and done.json()["status"] == "suspended"
    assert server.verify(credential).json()["errors"][0].startswith("status.suspended")


def test_a_credential_without_any_id_gets_one_to_be_revoked_by(server: Server) -> None:
    credential = server.issued("edj")
    assert credential["id"].startswith("urn:uuid:")


def test_created_dates_the_proof_and_challenge_domain_are_ignored(server: Server) -> None:
    credential = server.issued(
        "p384", created="2025-12-01T08:00:00Z", challenge="c-1", domain="jobs.example"
    )
    assert credential["proof"]["created"] == "2025-12-01T08:00:00Z"
    assert "challenge" not in credential["proof"] and "domain" not in credential["proof"]
    assert server.verify(credential).status_code == 200


def test_the_validity_period_is_the_callers(server: Server) -> None:
    """A credential valid from next month, or already expired, is signed as written."""
    later = server.issued("ed", alumni(validFrom="2026-02-15T00:00:00Z"))
    expired = server.issued("ed", alumni(validUntil="2026-01-01T00:00:00Z"))
    assert server.verify(later).json()["errors"][0].startswith("validity.not_yet_valid")
    assert server.verify(expired).json()["errors"][0].startswith("validity.expired")


@pytest.mark.parametrize("name", ["ed", "p384"])
def test_a_vc_1_1_credential_gets_the_status_context_for_its_entries(
    server: Server, name: str
) -> None:
    """The VC 1.1 context does not define BitstringStatusListEntry: its own context is added."""
    v1 = {
        "@context": ["https://www.w3.org/2018/credentials/v1"],
        "type": ["VerifiableCredential"],
        "issuanceDate": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:al"},
    }
    credential = server.issued(name, v1)
    assert credential["@context"][:2] == [
        "https://www.w3.org/2018/credentials/v1",
        "https://www.w3.org/ns/credentials/status/v1",
    ]
    verified = server.verify(credential)
    assert verified.status_code == 200, verified.json()["errors"]
    assert [r["value"] for r in verified.json()["results"]["credentialStatus"]] == [0, 0]


def test_the_library_refuses_what_the_route_refuses(server: Server) -> None:
    profile = server.config.named("ed").profile  # type: ignore[union-attr]
    with pytest.raises(InputError, match="not a credential"):
        issue_credential(profile, "{}", now=NOW)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="a proof date needs a time zone"):
        issue_credential(profile, alumni(), issued_at=datetime(2026, 1, 1), now=NOW)


# --- POST /credentials/derive ------------------------------------------------------------


@pytest.fixture(scope="module")
def base(server: Server) -> dict[str, Any]:
    """An ecdsa-sd-2023 credential whose issuer made the alumnus' university mandatory."""
    credential = alumni()
    credential["credentialSubject"]["name"] = "Alex Martin"
    credential["credentialSubject"]["birthDate"] = "2000-05-04"
    return server.issued("sd", credential, mandatoryPointers=["/credentialSubject/alumniOf"])


def test_derive_discloses_the_chosen_and_mandatory_claims_only(
    server: Server, base: dict[str, Any]
) -> None:
    body = {
        "verifiableCredential": base,
        "options": {"selectivePointers": ["/credentialSubject/name"]},
    }
    response = server.client.post("/credentials/derive", json=body)  # open: no token
    assert response.status_code == 201, response.text
    derived = response.json()  # VC-API: the derived credential itself
    subject = derived["credentialSubject"]
    assert subject["name"] == "Alex Martin" and subject["alumniOf"]["name"] == "Example U"
    assert "birthDate" not in subject and "2000-05-04" not in response.text
    verified = server.verify(derived)
    assert verified.status_code == 200, verified.json()["errors"]
    assert verified.json()["credentials"][0]["facts"]["selective"] is True


DERIVE_REFUSED: dict[str, tuple[Any, Any, str]] = {
    "a proof that covers everything": ("ed", ["/credentialSubject/id"], "cannot disclose a part"),
    "a disclosure already": ("derived", ["/credentialSubject/id"], "not a base proof"),
    "a string": ("string", [], "not a credential"),
    "a pointer to nothing": ("sd", ["/credentialSubject/nothing"], "/credentialSubject/nothing"),
    "a bad pointer": ("sd", ["credentialSubject"], "credentialSubject"),
    "a broken base proof": ("broken", ["/credentialSubject/name"], "damaged proofValue"),
    "a pointer that is not a string": ("sd", [7], "selectivePointers.0: Input should be"),
}


@pytest.mark.parametrize("case", sorted(DERIVE_REFUSED))
def test_what_cannot_be_derived_is_400_with_the_reason(
    server: Server, base: dict[str, Any], case: str
) -> None:
    source, pointers, reason = DERIVE_REFUSED[case]
    credential: Any
    if source == "ed":
        credential = server.issued("ed")
    elif source == "derived":
        body = {"verifiableCredential": base, "options": {"selectivePointers": pointers}}
        credential = server.client.post("/credentials/derive", json=body).json()
    elif source == "string":
        credential = json.dumps(base)
    elif source == "broken":
        credential = copy.deepcopy(base)
        credential["proof"]["proofValue"] = base["proof"]["proofValue"][:60]
    else:
        credential = base
    body = {"verifiableCredential": credential, "options": {"selectivePointers": pointers}}
    response = server.client.post("/credentials/derive", json=body)
    assert response.status_code == 400, response.text
    assert any(reason in error for error in response.json()["errors"]), response.json()


# --- POST /credentials/status --------------------------------------------------------------


def status_change(credential_id: str, purpose: str, status: bool, **entry: str) -> dict[str, Any]:
    return {
        "credentialId": credential_id,
        "credentialStatus": {
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            **entry,
        },
        "status": status,
    }


def test_a_revocation_in_the_vcapi_shape_is_final_and_seen_by_verify(server: Server) -> None:
    credential = server.issued("p384")
    route = "/issuers/p384/credentials/status"
    entry = credential["credentialStatus"][0]
    change = status_change(
        credential["id"],
        "revocation",
        True,
        statusListIndex=entry["statusListIndex"],
        statusListCredential=entry["statusListCredential"],
        id=entry["id"],
    )
    done = server.client.post(route, json=change, headers=auth("p384"))
    assert done.status_code == 200, done.text
    assert done.json() == {
        "credentialId": credential["id"],
        "status": "revoked",
        "reason": None,
        "changed": True,
    }
    again = server.client.post(route, json=change, headers=auth("p384"))
    assert again.status_code == 200 and again.json()["changed"] is False  # setting, not toggling
    undo = status_change(credential["id"], "revocation", False)
    refused = server.client.post(route, json=undo, headers=auth("p384"))
    assert refused.status_code == 409 and "revocation is final" in refused.json()["errors"][0]
    verified = server.verify(credential)
    assert verified.status_code == 400
    body = verified.json()
    assert body["verified"] is False
    revocation, suspension = body["results"]["credentialStatus"]
    assert (revocation["verified"], revocation["value"]) == (False, 1)
    assert (suspension["verified"], suspension["value"]) == (True, 0)
    assert body["problemDetails"][0]["title"] == "status.revoked"
    assert body["problemDetails"][0]["type"].endswith("status-list#STATUS_VERIFICATION_ERROR")


@pytest.mark.parametrize("name", ["edj", "p256", "p384"])
def test_every_issuers_change_is_seen_by_the_next_verify(server: Server, name: str) -> None:
    """The verifier keeps a list while its revision holds: each issuer's lists tell theirs."""
    credential = server.issued(name)
    assert server.verify(credential).status_code == 200  # its lists are now in the cache
    change = status_change(credential["id"], "suspension", True)
    route = f"/issuers/{name}/credentials/status"
    assert server.client.post(route, json=change, headers=auth(name)).status_code == 200
    assert server.verify(credential).json()["errors"][0].startswith("status.suspended")
    change["status"] = False
    assert server.client.post(route, json=change, headers=auth(name)).status_code == 200
    assert server.verify(credential).status_code == 200


def test_a_suspension_is_set_then_cleared(server: Server) -> None:
    credential = server.issued("sd", mandatoryPointers=[])
    route = "/issuers/sd/credentials/status"
    lifted = status_change(credential["id"], "suspension", False)
    nothing = server.client.post(route, json=lifted, headers=auth("sd"))
    assert nothing.status_code == 200 and nothing.json()["changed"] is False
    suspended = status_change(credential["id"], "suspension", True)
    assert server.client.post(route, json=suspended, headers=auth("sd")).json()["changed"]
    derived = server.client.post(
        "/credentials/derive", json={"verifiableCredential": credential}
    ).json()
    assert server.verify(derived).json()["errors"][0].startswith("status.suspended")
    done = server.client.post(route, json=lifted, headers=auth("sd"))
    assert done.json() == {
        "credentialId": credential["id"],
        "status": "active",
        "reason": None,
        "changed": True,
    }
    assert server.verify(derived).status_code == 200


def test_a_status_request_that_does_not_fit_is_refused(server: Server) -> None:
    credential = server.issued("edj")
    route = "/issuers/edj/credentials/status"
    entry = credential["credentialStatus"][1]
    wrong_index = status_change(credential["id"], "suspension", True, statusListIndex="0")
    wrong_list = status_change(
        credential["id"],
        "revocation",
        True,
        statusListCredential=entry["statusListCredential"],  # the suspension list's URL
    )
    for change in (wrong_index, wrong_list):
        response = server.client.post(route, json=change, headers=auth("edj"))
        assert response.status_code == 400 and "not this credential's" in response.text
    unknown = status_change("urn:uuid:nobody", "revocation", True)
    assert server.client.post(route, json=unknown, headers=auth("edj")).status_code == 404
    # Each issuer's registry is its own: another issuer knows nothing of this credential.
    elsewhere = status_change(credential["id"], "revocation", True)
    response = server.client.post(
        "/issuers/ed/credentials/status", json=elsewhere, headers=auth("ed")
    )
    assert response.status_code == 404
    for bad in (
        {**status_change(credential["id"], "suspension", True), "status": "yes"},
        {**status_change(credential["id"], "suspension", True), "status": 1},
        {**wrong_index, "credentialStatus": {"type": "StatusList2021Entry"}},
        {**wrong_index, "credentialStatus": {"type": "BitstringStatusListEntry"}},
        status_change(credential["id"], "message", True),
    ):
        response = server.client.post(route, json=bad, headers=auth("edj"))
        assert response.status_code == 400, response.text
    assert server.verify(credential).status_code == 200  # nothing changed


def test_the_lists_and_did_documents_of_each_issuer_are_served(server: Server) -> None:
    credential = server.issued("p256")
    url = credential["credentialStatus"][0]["statusListCredential"]
    served = server.client.get("/issuers/p256/status/" + url.rsplit("/", 1)[1])
    assert served.status_code == 200 and served.json()["id"] == url
    assert served.headers["content-type"] == "application/vc+ld+json"
    document = server.client.get("/issuers/p256/did.json")
    assert document.status_code == 200 and document.json()["id"] == "did:web:p256.example"
    assert server.client.get("/.well-known/did.json").json()["id"] == "did:web:ed.example"
    assert server.client.get("/issuers/p256/status/revocation-999").status_code == 404


# --- POST /credentials/verify and /presentations/verify ----------------------------------


@pytest.fixture(scope="module")
def revoked(server: Server) -> dict[str, Any]:
    credential = server.issued("ed")
    change = status_change(credential["id"], "revocation", True)
    response = server.client.post("/credentials/status", json=change, headers=auth("ed"))
    assert response.status_code == 200
    return credential


def test_checks_choose_what_decides_and_every_check_is_still_reported(
    server: Server, revoked: dict[str, Any]
) -> None:
    assert server.verify(revoked).status_code == 400
    for checks in (["proof"], ["proof", "expiration"], []):
        response = server.verify(revoked, checks=checks)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["verified"] is True and body["errors"] == [] and body["problemDetails"] == []
        assert any(w.startswith("status.revoked: not counted") for w in body["warnings"])
        left = [d for d in body["details"] if d["code"] == "status.revoked"]
        assert left and left[0]["counted"] is False and left[0]["outcome"] == "failed"
        assert "credentialStatus" not in body["results"]
        assert body["credentials"][0]["verdict"] == "revoked"  # the typed verdict says all
    response = server.verify(revoked, checks=["proof", "credentialStatus"])
    assert response.status_code == 400


def test_checks_never_turn_off_the_proof(server: Server) -> None:
    tampered = copy.deepcopy(server.issued("p256"))
    tampered["credentialSubject"]["alumniOf"]["name"] = "Another U"
    for checks in (["credentialStatus"], [], ["proof"]):
        response = server.verify(tampered, checks=checks)
        assert response.status_code == 400
        body = response.json()
        assert [p["title"] for p in body["problemDetails"]] == ["proof.signature"]
        assert (
            body["problemDetails"][0]["type"]
            == "https://w3id.org/security#PROOF_VERIFICATION_ERROR"
        )
        assert body["results"]["proof"][0]["verified"] is False


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"checks": ["signature"]}, "options.checks: unknown check 'signature'"),
        ({"expectedProofPurpose": "authentication"}, "checks assertionMethod proofs"),
        ({"challenge": "c-1"}, "options.challenge: a challenge and a domain bind"),
        ({"domain": "jobs.example"}, "options.domain: a challenge and a domain bind"),
        ({"at": "2025-01-01T00:00:00Z"}, "options.at: this server verifies at its own time"),
    ],
)
def test_options_that_cannot_be_honoured_are_400(
    server: Server, options: dict[str, Any], reason: str
) -> None:
    response = server.verify(server.issued("ed"), **options)
    assert response.status_code == 400
    assert response.json() == {"verified": False, "errors": [response.json()["errors"][0]]}
    assert reason in response.json()["errors"][0]


def test_the_vcapi_result_shape(server: Server) -> None:
    credential = server.issued("ed", alumni(validUntil="2027-01-01T00:00:00Z"))
    response = server.verify(
        credential,
        checks=["proof", "credentialStatus", "validUntil"],
        expectedProofPurpose="assertionMethod",
        returnCredential=True,
        returnResults=True,
        returnProblemDetails=True,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["credential"] == credential
    results = body["results"]
    assert results["proof"] == [{"verified": True, "input": credential["proof"]}]
    assert [r["value"] for r in results["credentialStatus"]] == [0, 0]
    assert results["validUntil"] == {"verified": True, "input": "2027-01-01T00:00:00Z"}
    assert "validFrom" not in results  # the credential has none
    assert {"verified", "problemDetails", "results", "checks", "warnings", "errors"} <= set(body)
    assert {"summary", "credentials", "details"} <= set(body)  # this toolkit's verdict
    assert "credential" not in server.verify(credential).json()


def _vp(credential: dict[str, Any], holder: KeyPair, **extra: Any) -> dict[str, Any]:
    presentation = {
        "@context": [VC_V2],
        "type": ["VerifiablePresentation"],
        "holder": holder.controller,
        "verifiableCredential": [credential],
    }
    return dict(sign_document(presentation, holder, created=NOW, **extra))


def test_a_presentation_result_has_the_vcapi_shape(server: Server) -> None:
    holder = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, b"\x29" * 32))
    mine = alumni()
    mine["credentialSubject"]["id"] = holder.controller
    vp = _vp(server.issued("p256", mine), holder, challenge="c-42", domain="jobs.example")
    options = {"challenge": "c-42", "domain": "jobs.example", "returnPresentation": True}
    response = server.client.post(
        "/presentations/verify", json={"verifiablePresentation": vp, "options": options}
    )
    assert response.status_code == 200, response.json()["errors"]
    body = response.json()
    assert body["verifiablePresentation"] == vp
    results = body["results"]
    assert results["challenge"] == {"valid": True, "input": "c-42"}
    assert results["domain"] == {"valid": True, "input": "jobs.example"}
    assert results["holder"] == {"valid": True, "input": holder.controller}
    assert results["proof"] == [{"valid": True, "input": vp["proof"]}]
    replayed = {"challenge": "c-43", "domain": "jobs.example", "checks": ["proof"]}
    response = server.client.post(
        "/presentations/verify", json={"verifiablePresentation": vp, "options": replayed}
    )
    assert response.status_code == 400
    assert response.json()["results"]["challenge"] == {"valid": False, "input": "c-43"}
    purpose = {"expectedProofPurpose": "assertionMethod"}
    response = server.client.post(
        "/presentations/verify", json={"verifiablePresentation": vp, "options": purpose}
    )
    assert response.status_code == 400 and "checks authentication proofs" in response.text


@pytest.mark.parametrize(
    "text",
    [
        "json",
        " json with spaces",
        "presentation json",
        '"a JSON string of a string"',
        "<!doctype html><html></html>",
        "not.a.token with spaces",
    ],
)
def test_a_credential_given_as_text_is_refused_never_read(server: Server, text: str) -> None:
    credential = server.issued("ed")
    holder = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, b"\x2a" * 32))
    value = {
        "json": json.dumps(credential),
        " json with spaces": "  \n" + json.dumps(credential) + "\n",
        "presentation json": json.dumps(_vp(credential, holder)),
    }.get(text, text)
    for route, member in (
        ("/credentials/verify", "verifiableCredential"),
        ("/presentations/verify", "verifiablePresentation"),
    ):
        response = server.client.post(route, json={member: value})
        assert response.status_code == 400, response.text
        assert response.json() == {
            "verified": False,
            "errors": [
                f"{member}: not a credential: a string here must be a vc+jwt or SD-JWT token; "
                "send a JSON credential as a JSON object, not as text"
            ],
        }


def test_a_token_given_as_a_string_is_still_verified(server: Server) -> None:
    issuer = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.P256, b"\x2b" * 32))
    token = sign_vc_jwt(alumni(issuer=issuer.controller, validFrom="2026-01-01T00:00:00Z"), issuer)
    response = server.verify(token)
    assert response.status_code == 200, response.json()["errors"]
    assert response.json()["results"]["proof"] == [{"verified": True, "input": token}]
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert server.verify(tampered).status_code == 400


def test_the_openapi_document_lists_every_vcapi_route(server: Server) -> None:
    paths = set(server.client.get("/openapi.json").json()["paths"])
    assert {
        "/credentials/issue",
        "/credentials/status",
        "/credentials/derive",
        "/credentials/verify",
        "/presentations/verify",
        "/issuers/{name}/credentials/issue",
        "/issuers/{name}/credentials/status",
        "/issuers/{name}/status/{list_name}",
        "/issuers/{name}/did.json",
        "/status/{name}",
        "/.well-known/did.json",
    } <= paths


def test_a_verifier_only_server_has_no_issuing_routes() -> None:
    client = TestClient(create_app())
    assert client.post("/credentials/issue", json={"credential": alumni()}).status_code == 404
    paths = set(client.get("/openapi.json").json()["paths"])
    assert "/credentials/derive" in paths and "/credentials/status" not in paths


def test_check_names_map_to_areas() -> None:
    selection = CheckSelection.of(["credentialStatus", "validUntil"])
    assert selection.counts("status.revoked") and selection.counts("validity.expired")
    assert not selection.counts("schema.invalid")
    assert selection.counts("proof.signature") and selection.counts("holder.binding")
    assert selection.counts("trust.issuer")  # the server's own trust list always counts


# --- the issuers' configuration ------------------------------------------------------------


def test_the_config_file_names_each_issuers_suite_and_tokens(server: Server) -> None:
    config = server.config
    assert [i.name for i in config.issuers] == list(ISSUERS)
    assert [i.suite for i in config.issuers] == [suite for _, _, suite in ISSUERS.values()]
    assert config.default_issuer is config.named("ed")
    assert "token-of" not in repr(config)  # tokens never shown


@pytest.fixture
def desk(server: Server, tmp_path: Path) -> Iterator[Path]:
    """A folder with a link to the ed issuer's profile, for configuration files."""
    (tmp_path / "ed").symlink_to(server.root / "ed")
    yield tmp_path


CONFIG_REFUSED: dict[str, tuple[str, str]] = {
    "not TOML": ("issuers = [", "not a TOML file"),
    "no issuer": ('default = "ed"', "no [issuers.NAME] table"),
    "an unknown setting": ('[issuers.ed]\nprofile = "ed"\nport = 1\n', "unknown setting 'port'"),
    "an unknown top setting": ('host = "x"\n[issuers.ed]\nprofile = "ed"\n', "'host'"),
    "no profile": ("[issuers.ed]\ntoken_env = 'T'\n", '"profile" (the issuer profile folder)'),
    "not a profile": ('[issuers.ed]\nprofile = "nowhere"\ntoken_env = "T"\n', "not an issuer"),
    "no token": ('[issuers.ed]\nprofile = "ed"\n', 'issuer "ed" has no bearer token'),
    "an unset variable": ('[issuers.ed]\nprofile = "ed"\ntoken_env = "UNSET"\n', "UNSET"),
    "a suite for another key": (
        '[issuers.ed]\nprofile = "ed"\ntoken_env = "T"\ncryptosuite = "ecdsa-rdfc-2019"\n',
        "ecdsa-rdfc-2019 cannot sign with the Ed25519 key",
    ),
    "an unknown suite": (
        '[issuers.ed]\nprofile = "ed"\ntoken_env = "T"\ncryptosuite = "rsa-2000"\n',
        'unknown cryptosuite "rsa-2000"',
    ),
    "a name unfit for a URL": ('[issuers."é d"]\nprofile = "ed"\ntoken_env = "T"\n', "in a URL"),
    "a default that is not served": (
        'default = "x"\n[issuers.ed]\nprofile = "ed"\ntoken_env = "T"\n',
        'the default issuer "x"',
    ),
    "a short token": ('[issuers.ed]\nprofile = "ed"\ntoken_env = "SHORT"\n', "shorter than 16"),
}


@pytest.mark.parametrize("case", sorted(CONFIG_REFUSED))
def test_a_wrong_config_file_is_refused_in_one_line(desk: Path, case: str) -> None:
    text, reason = CONFIG_REFUSED[case]
    path = desk / "serve.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_config(path, environ={"T": "a-token-long-enough-1", "SHORT": "short"})
    assert reason in str(caught.value) and "\n" not in str(caught.value)
    assert str(caught.value).startswith(str(path))


def test_tokens_written_in_the_file_need_a_private_file(desk: Path) -> None:
    path = desk / "serve.toml"
    path.write_text('[issuers.ed]\nprofile = "ed"\ntokens = ["a-token-long-enough-1"]\n')
    path.chmod(0o644)
    with pytest.raises(InputError, match="holds bearer tokens but others may read it"):
        read_config(path, environ={})
    path.chmod(0o600)
    [served] = read_config(path, environ={}).issuers
    assert served.tokens == ("a-token-long-enough-1",)


def test_issuer_options_and_names(server: Server, tmp_path: Path) -> None:
    folder = server.root / "p256"
    named = issuer_option(f"univ={folder}", token="a-token-long-enough-1")
    assert (named.name, named.suite) == ("univ", "ecdsa-rdfc-2019")
    assert issuer_option(str(folder), token="a-token-long-enough-1").name == "p256"
    with pytest.raises(InputError, match="set PASSEPORT_API_TOKEN"):
        issuer_option(str(folder), token=None)
    with pytest.raises(InputError, match="cannot name an issuer in a URL"):
        issuer_option(f"Univ Ex={folder}", token="a-token-long-enough-1")
    both = ServiceConfig((named,))
    with pytest.raises(InputError, match="univ given twice"):
        both.merged(ServiceConfig((named,)))
    with pytest.raises(ValueError, match="no issuer to serve"):
        from passeport.issuer import api as issuer_api

        issuer_api.router(ServiceConfig())
    served = ServedIssuer.open("x", folder, tokens=["a-token-long-enough-1"])
    assert served.suite == "ecdsa-rdfc-2019"


def test_serve_builds_the_issuers_and_https_from_its_options(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from passeport.cli import app
    from tests.http.test_vcapi_process import self_signed

    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **options: started.append(options))
    monkeypatch.setattr("passeport.cli._can_listen", lambda host, port: None)
    for name, value in environ().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PASSEPORT_API_TOKEN", "a-token-long-enough-1")
    certfile, keyfile = self_signed(tmp_path)
    arguments = [
        *("serve", "--config", str(server.root / "serve.toml")),
        *("--issuer", f"extra={server.root / 'sd'}", "--offline"),
        *("--certfile", str(certfile), "--keyfile", str(keyfile)),
    ]
    done = CliRunner().invoke(app, arguments)
    assert done.exit_code == 0, done.output
    assert started[0]["ssl_certfile"] == str(certfile)
    assert started[0]["ssl_keyfile"] == str(keyfile)
    assert "émetteur extra (did:web:sd.example, ecdsa-rdfc-2019) : https://" in done.output
    assert "(par défaut : https://127.0.0.1:8000/credentials/issue)" in done.output


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        (["--certfile", "CERT"], "--certfile: HTTPS needs --keyfile too"),
        (["--keyfile", "KEY"], "--keyfile: HTTPS needs --certfile too"),
        (["--certfile", "KEY", "--keyfile", "CERT"], "not a PEM certificate and its private key"),
        (["--certfile", "NONE", "--keyfile", "KEY"], "no such file (--certfile)"),
        (["--issuer", "FOLDER"], "set PASSEPORT_API_TOKEN"),
        (["--config", "CONFIG"], "not a TOML file"),
    ],
)
def test_serve_refuses_bad_options_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: list[str], reason: str
) -> None:
    from tests.cli.test_safe_input import run
    from tests.http.test_vcapi_process import self_signed

    certfile, keyfile = self_signed(tmp_path)
    (tmp_path / "serve.toml").write_text("issuers = [")
    paths = {
        "CERT": str(certfile),
        "KEY": str(keyfile),
        "NONE": str(tmp_path / "none.pem"),
        "FOLDER": str(tmp_path),
        "CONFIG": str(tmp_path / "serve.toml"),
    }
    done = run("serve", "--port", "1", *(paths.get(o, o) for o in options), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("passeport: ") and reason in lines[0], lines
    assert "Traceback" not in done.stderr


def test_every_word_serve_says_has_its_french() -> None:
    import string

    from passeport.cli import SERVE_MESSAGES

    french = catalog("fr")
    for message in SERVE_MESSAGES:
        assert message in french, message
        fields = sorted(n for _, n, _, _ in string.Formatter().parse(message) if n)
        assert fields == sorted(n for _, n, _, _ in string.Formatter().parse(french[message]) if n)


def test_a_cli_issuer_and_a_single_folder_still_work(server: Server) -> None:
    """``create_app(issuer=FOLDER, token=...)``, as before: served alone and as its default."""
    client = TestClient(
        create_app(
            env=Environment(clock=lambda: NOW),
            issuer=server.root / "p256",
            token="a-token-long-enough-1",
        )
    )
    response = client.post(
        "/credentials/issue",
        json={"credential": alumni()},
        headers={"Authorization": "Bearer a-token-long-enough-1"},
    )
    assert response.status_code == 201
    assert (
        client.post(
            "/issuers/p256/credentials/issue",
            json={"credential": alumni()},
            headers={"Authorization": "Bearer a-token-long-enough-1"},
        ).status_code
        == 201
    )
    with pytest.raises(InputError, match="shorter than 16"):
        create_app(issuer=server.root / "p256", token="short")


def test_the_readme_serve_toml_is_what_read_config_reads(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    text = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "serve.toml"
    path.write_text(text.replace('"..."', '"a-token-long-enough-1"'), encoding="utf-8")
    path.chmod(0o600)
    for name, algorithm in (("univ", KeyAlgorithm.ED25519), ("afpa", KeyAlgorithm.P256)):
        Profile.create(
            tmp_path / name,
            name=name,
            did=f"web:{name}.example",
            private_key=PrivateKey.from_raw(algorithm, bytes([40 + len(name)]) * 32),
        )
    config = read_config(path, environ={"UNIV_TOKEN": "another-token-long-enough"})
    assert [(i.name, i.suite) for i in config.issuers] == [
        ("univ", "eddsa-rdfc-2022"),
        ("afpa", "ecdsa-sd-2023"),
    ]
    assert config.default_issuer is config.named("univ")


def test_the_vcapi_module_examples_run() -> None:
    import doctest

    from passeport.verifier import vcapi

    failures, tried = doctest.testmod(vcapi)
    assert tried > 0 and failures == 0
