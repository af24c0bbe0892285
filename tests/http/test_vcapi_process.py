"""A VC-API client against ``passeport serve`` over HTTPS, a real uvicorn process (issue 14).

The server runs as users run it (``python -m passeport serve --config
serve.toml --certfile --keyfile``) on 127.0.0.1, with a certificate made
here that the client trusts and nothing else. Through the VC-API routes the
client issues with each of the five cryptosuites, derives a disclosure,
revokes one credential and verifies them all. Every wait is bounded; sockets
may reach 127.0.0.1 only (pytest-socket), so this runs in CI like any test.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.http.test_vcapi import ISSUERS, TOKENS, alumni, environ, make_profiles

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

START_TIMEOUT = 60.0  # seconds for the process to answer its first request
REQUEST_TIMEOUT = 60.0


def self_signed(folder: Path) -> tuple[Path, Path]:
    """Write a self-signed certificate for 127.0.0.1 (and its P-256 key) into ``folder``."""
    key = ec.derive_private_key(0x5EC0DE, ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "passeport test server")])
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x1234)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * 30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = folder / "server.pem", folder / "server.key"
    certfile.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    keyfile.chmod(0o600)
    return certfile, keyfile


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Running:
    """The server process and a client that trusts its certificate only."""

    def __init__(self, process: subprocess.Popen[bytes], base: str, certfile: Path) -> None:
        self.process = process
        self.base = base
        trusted = ssl.create_default_context(cafile=str(certfile))
        self.client = httpx.Client(
            base_url=base, verify=trusted, timeout=REQUEST_TIMEOUT, trust_env=False
        )

    def post(self, path: str, body: Any, issuer: str | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {TOKENS[issuer]}"} if issuer else {}
        return self.client.post(path, json=body, headers=headers)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    root = tmp_path_factory.mktemp("served")
    make_profiles(root)
    certfile, keyfile = self_signed(root)
    port = _free_port()
    log = (root / "server.log").open("wb")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "passeport", "serve"),
            *("--config", str(root / "serve.toml"), "--offline"),
            *("--host", "127.0.0.1", "--port", str(port)),
            *("--certfile", str(certfile), "--keyfile", str(keyfile)),
        ],
        cwd=root,
        env={**os.environ, **environ()},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    served = Running(process, f"https://127.0.0.1:{port}", certfile)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, (root / "server.log").read_text()
            try:
                if served.client.get("/openapi.json", timeout=2.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer in time"
            time.sleep(0.2)
        yield served
    finally:
        served.client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def test_the_server_speaks_https_only_to_who_trusts_it(running: Running) -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{running.base}/openapi.json", timeout=10.0, trust_env=False)  # system CAs
    plain = running.base.replace("https://", "http://")
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{plain}/openapi.json", timeout=10.0, trust_env=False)


def test_a_vcapi_client_issues_derives_revokes_and_verifies(running: Running) -> None:
    issued: dict[str, dict[str, Any]] = {}
    for name, (_, _, suite) in ISSUERS.items():
        options = {"mandatoryPointers": ["/credentialSubject/alumniOf"]} if name == "sd" else {}
        credential = alumni()
        credential["credentialSubject"]["name"] = "Alex Martin"
        response = running.post(
            f"/issuers/{name}/credentials/issue",
            {"credential": credential, "options": options},
            issuer=name,
        )
        assert response.status_code == 201, response.text
        issued[name] = response.json()["verifiableCredential"]
        assert issued[name]["proof"]["cryptosuite"] == suite

    derived = running.post(
        "/credentials/derive",
        {
            "verifiableCredential": issued.pop("sd"),
            "options": {"selectivePointers": ["/credentialSubject/id"]},
        },
    )
    assert derived.status_code == 201, derived.text
    assert "name" not in derived.json()["credentialSubject"]
    issued["sd"] = derived.json()

    for name, credential in issued.items():
        verified = running.post("/credentials/verify", {"verifiableCredential": credential})
        assert verified.status_code == 200, (name, verified.json()["errors"])
        assert verified.json()["verified"] is True

    revocation = {
        "credentialId": issued["p384"]["id"],
        "credentialStatus": {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"},
        "status": True,
    }
    assert running.post("/issuers/p384/credentials/status", revocation).status_code == 401
    changed = running.post("/issuers/p384/credentials/status", revocation, issuer="p384")
    assert changed.status_code == 200 and changed.json()["status"] == "revoked"

    refused = running.post("/credentials/verify", {"verifiableCredential": issued["p384"]})
    assert refused.status_code == 400
    assert refused.json()["problemDetails"][0]["title"] == "status.revoked"
    proof_only = running.post(
        "/credentials/verify",
        {"verifiableCredential": issued["p384"], "options": {"checks": ["proof"]}},
    )
    assert proof_only.status_code == 200
    others = running.post("/credentials/verify", {"verifiableCredential": issued["edj"]})
    assert others.status_code == 200  # one issuer's change touches no other's lists
