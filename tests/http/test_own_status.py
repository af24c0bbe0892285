"""An issuer's server verifies its own credentials against the lists it serves (issue 10, hole 5).

``passeport serve --issuer X --cache public/``: after a revocation through
``POST /credentials/status``, ``GET /status/...`` shows the bit set; the next
``POST /credentials/verify`` must say revoked too, whatever an old published
copy in the cache folder or the environment's list cache remember.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from passeport.app import create_app
from passeport.issuer import issue, publish_status
from passeport.issuer.statuslist import reinstate, suspend
from passeport.verifier import Environment, decode_status_list
from tests.issuer._helpers import HOST, ISSUED_AT, example, make_profile

TOKEN = "s3cret-token-of-the-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
NOW = ISSUED_AT + timedelta(minutes=1)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Server:
    """A served issuer with an old published copy of its lists in the cache folder."""

    def __init__(self, tmp_path: Path, *, cache: bool = True) -> None:
        self.profile = make_profile(tmp_path / "univ")
        self.credential: dict[str, Any] = issue(
            self.profile, "diploma", example("diploma"), issued_at=ISSUED_AT
        )
        public = tmp_path / "public"
        public.mkdir()
        if cache:
            publish_status(self.profile, public, at=ISSUED_AT)  # before any change
        self.clock = Clock(NOW)
        self.env = Environment(clock=self.clock).with_cache(public)
        self.client = TestClient(
            create_app(env=self.env, issuer=self.profile.directory, token=TOKEN)
        )

    def verify(self) -> tuple[bool, dict[str, str]]:
        response = self.client.post(
            "/credentials/verify", json={"verifiableCredential": self.credential}
        )
        body = response.json()
        assert response.status_code == (200 if body["verified"] else 400), response.text
        status = {
            r["code"]: r["message"] for r in body["details"] if r["code"].startswith("status")
        }
        return body["verified"], status

    def change(self, status: str) -> None:
        request = {"credentialId": self.credential["id"], "credentialStatus": [{"status": status}]}
        response = self.client.post("/credentials/status", json=request, headers=AUTH)
        assert response.status_code == 200, response.text

    def served_bit(self, purpose: str) -> bool:
        [entry] = [e for e in self.credential["credentialStatus"] if e["statusPurpose"] == purpose]
        response = self.client.get("/status/" + entry["statusListCredential"].rsplit("/", 1)[1])
        assert response.status_code == 200
        encoded = response.json()["credentialSubject"]["encodedList"]
        return decode_status_list(encoded).bit(int(entry["statusListIndex"]))


@pytest.fixture
def server(tmp_path: Path) -> Server:
    return Server(tmp_path)


def test_a_revocation_through_the_route_is_seen_by_the_next_verify(server: Server) -> None:
    verified, status = server.verify()
    assert verified and set(status) == {"status.revocation", "status.suspension"}
    server.change("revoked")
    assert server.served_bit("revocation")
    verified, status = server.verify()
    assert not verified
    assert "status.revoked" in status
    assert "as of 2026-01-15T12:01:00Z" in status["status.revoked"]


def test_a_change_made_outside_the_server_is_seen_too(server: Server) -> None:
    assert server.verify()[0]
    suspend(server.profile, server.credential["id"], reason="inquiry")  # the CLI, say
    verified, status = server.verify()
    assert not verified and "status.suspended" in status
    reinstate(server.profile, server.credential["id"])
    assert server.verify()[0]


def test_verifying_again_without_a_change_reuses_the_verified_lists(server: Server) -> None:
    for _ in range(3):
        assert server.verify()[0]
    assert server.env.status_lists.verifications == 2  # one revocation, one suspension list
    server.change("suspended")
    assert not server.verify()[0]
    assert server.env.status_lists.verifications == 3  # only the changed list again


def test_the_served_lists_and_the_verified_ones_are_the_same(server: Server) -> None:
    [entry] = [
        e for e in server.credential["credentialStatus"] if e["statusPurpose"] == "revocation"
    ]
    served = server.client.get("/status/" + entry["statusListCredential"].rsplit("/", 1)[1]).json()
    assert served["id"] == entry["statusListCredential"]
    assert served["validFrom"] == "2026-01-15T12:01:00Z"
    assert served["validUntil"] == "2026-01-16T12:01:00Z"
    _, status = server.verify()
    assert status["status.revocation"].endswith(
        "as of 2026-01-15T12:01:00Z, valid until 2026-01-16T12:01:00Z"
    )


def test_an_issuer_server_needs_no_cache_for_its_own_credentials(tmp_path: Path) -> None:
    bare = Server(tmp_path, cache=False)
    verified, status = bare.verify()
    assert verified, status
    assert not (tmp_path / "public" / HOST).exists()


def test_a_stale_copy_in_the_cache_never_speaks_for_the_issuer(tmp_path: Path) -> None:
    server = Server(tmp_path)
    server.change("revoked")
    stale = json.loads((tmp_path / "public" / HOST / "status" / "revocation-1").read_text())
    assert "revocation-1" in stale["id"]  # the copy from before is still there...
    assert not server.verify()[0]  # ...and is not what the server reads
    server.clock.now += timedelta(days=30)  # long past the stale copy's validUntil
    verified, status = server.verify()
    assert not verified and "status.revoked" in status
