"""HttpsFetcher against local servers on 127.0.0.1: SSRF, one deadline, size, concurrency, errors.

Every server here is a thread on 127.0.0.1 with a certificate made in the
test (a CA of its own, passed to the fetcher as ``cafile``); names other than
IP literals are resolved by a monkeypatched ``socket.getaddrinfo``, so no test
leaves the machine. Deadlines are fractions of a second.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from passeport.did.fetch import HttpsFetcher
from passeport.did.https import is_public_address, parse_host_entry
from passeport.errors import ResolutionError

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

DID_PATH = "/.well-known/did.json"


# --- certificates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificates:
    ca: Path
    chain: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.chain, self.key)
        return context


def _make_certificates(folder: Path) -> Certificates:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    ca_key = ec.derive_private_key(0x5EED_0001, ec.SECP256R1())
    leaf_key = ec.derive_private_key(0x5EED_0002, ec.SECP256R1())
    # The TLS library checks validity against the real clock, not an injected one.
    now = datetime.now(UTC)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "passeport test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    names = [
        x509.DNSName("localhost"),
        x509.DNSName("university.example"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
    ]
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(2)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    paths = Certificates(folder / "ca.pem", folder / "chain.pem", folder / "key.pem")
    paths.ca.write_bytes(ca.public_bytes(pem))
    paths.chain.write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    paths.key.write_bytes(
        leaf_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return _make_certificates(tmp_path_factory.mktemp("tls"))


# --- a local server -----------------------------------------------------------------------------

Handler = Callable[["LocalServer", socket.socket, bytes], None]


class LocalServer:
    """A TLS server on 127.0.0.1 running ``handler`` per request (plain TCP without ``context``).

    ``connections`` counts accepted connections and ``requests`` keeps each
    request's head, so a test can say that nothing reached the server.
    """

    def __init__(self, handler: Handler, *, context: ssl.SSLContext | None, port: int = 0) -> None:
        self.handler = handler
        self.context = context
        self.listener = socket.create_server(("127.0.0.1", port))
        self.listener.settimeout(0.05)
        self.port: int = self.listener.getsockname()[1]
        self.connections = 0
        self.requests: list[bytes] = []
        self.stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._start(self._accept)

    def _start(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
            self._start(self._serve, connection)

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(2.0)
        try:
            if self.context is None:  # plain TCP speaks at once, whatever the client sends
                self.handler(self, connection, b"")
                return
            connection = self.context.wrap_socket(connection, server_side=True)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = connection.recv(4096)
                if not chunk:
                    return
                head += chunk
            with self._lock:
                self.requests.append(head)
            self.handler(self, connection, head)
        except OSError:
            pass
        finally:
            connection.close()

    def url(self, path: str = DID_PATH, host: str = "127.0.0.1") -> str:
        return f"https://{host}:{self.port}{path}"

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        for thread in self._threads:
            thread.join(timeout=3)


def respond(body: bytes, *, status: str = "200 OK", headers: tuple[str, ...] = ()) -> Handler:
    def handler(server: LocalServer, connection: socket.socket, head: bytes) -> None:
        lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", "Connection: close"]
        connection.sendall(("\r\n".join([*lines, *headers]) + "\r\n\r\n").encode() + body)

    return handler


def redirect(location: str) -> Handler:
    return respond(b"", status="302 Found", headers=(f"Location: {location}",))


def silent(server: LocalServer, connection: socket.socket, head: bytes) -> None:
    server.stop.wait(5)


def drip(interval: float, *, in_headers: bool, during: float = 3.0) -> Handler:
    """Send a response one byte at a time, ``interval`` seconds apart, for ``during`` seconds."""

    def handler(server: LocalServer, connection: socket.socket, head: bytes) -> None:
        start = b"HTTP/1.1 200 OK\r\n"
        if not in_headers:
            start += b"Content-Type: application/json\r\n\r\n"
        connection.sendall(start)
        byte = b"X" if in_headers else b" "
        end = time.monotonic() + during
        while time.monotonic() < end and not server.stop.wait(interval):
            connection.sendall(byte)

    return handler


@pytest.fixture
def serve(certificates: Certificates) -> Iterator[Callable[..., LocalServer]]:
    servers: list[LocalServer] = []

    def start(handler: Handler, *, tls: bool = True, port: int = 0) -> LocalServer:
        context = certificates.server_context() if tls else None
        server = LocalServer(handler, context=context, port=port)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def fetcher(certificates: Certificates, *allowed: str, **options: Any) -> HttpsFetcher:
    return HttpsFetcher(cafile=certificates.ca, allow_private=frozenset(allowed), **options)


DOCUMENT = b'{"id": "did:web:example"}'


# --- addresses ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.1.2.3",
        "0.0.0.0",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",  # shared address space (CGNAT)
        "169.254.169.254",  # cloud metadata
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.18.0.1",
        "::",
        "::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",
        "64:ff9b::7f00:1",  # NAT64 to 127.0.0.1
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2001::1",  # Teredo
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "fec0::1",
        "ff02::1",
        "2001:db8::1",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
)
def test_public_addresses_are_reachable(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("entry", "read"),
    [
        ("127.0.0.1:8443", ("127.0.0.1", 8443)),
        ("LocalHost.", ("localhost", None)),
        ("[::1]:8443", ("::1", 8443)),
        ("::1", ("::1", None)),
        ("university.example:443", ("university.example", 443)),
    ],
)
def test_allow_host_entries(entry: str, read: tuple[str, int | None]) -> None:
    assert parse_host_entry(entry) == read


@pytest.mark.parametrize(
    "entry", ["", "a b", "host:0", "host:70000", "host:x", "[::1", "[::1]x", "user@host", "h/p"]
)
def test_bad_allow_host_entries(entry: str) -> None:
    with pytest.raises(ValueError):
        parse_host_entry(entry)
    with pytest.raises(ValueError):
        HttpsFetcher(allow_private=frozenset({entry}))


# --- server-side request forgery ------------------------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",  # 127.0.0.1 in decimal
        "0177.0.0.1",  # in octal
        "127.1",
        "0x7f.0.0.1",
        "[::ffff:127.0.0.1]",
        "0.0.0.0",
    ],
)
def test_a_local_address_is_refused_before_any_connection(
    certificates: Certificates,
    serve: Callable[..., LocalServer],
    host: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = serve(respond(DOCUMENT))
    url = server.url(host=host)
    with pytest.raises(ResolutionError) as caught:
        fetcher(certificates).fetch(url, max_bytes=1000)
    assert str(caught.value) == f"{url}: cannot fetch"
    assert server.connections == 0
    assert "not a public address" in caplog.text


def test_an_allowed_host_is_fetched(
    certificates: Certificates, serve: Callable[..., LocalServer]
) -> None:
    server = serve(respond(DOCUMENT))
    allowed = fetcher(certificates, f"127.0.0.1:{server.port}")
    assert allowed.fetch(server.url(), max_bytes=1000) == DOCUMENT
    head = server.requests[0].decode()
    assert head.startswith(f"GET {DID_PATH} HTTP/1.1\r\n")
    assert f"Host: 127.0.0.1:{server.port}\r\n" in head
    assert "Accept-Encoding: identity\r\n" in head


def test_allowing_one_port_does_not_allow_another(
    certificates: Certificates, serve: Callable[..., LocalServer]
) -> None:
    server = serve(respond(DOCUMENT))
    other = fetcher(certificates, f"127.0.0.1:{server.port + 1}", "localhost:1")
    with pytest.raises(ResolutionError, match="cannot fetch"):
        other.fetch(server.url(), max_bytes=1000)
    assert server.connections == 0


class Names:
    """A stand-in for ``socket.getaddrinfo`` that answers from a table and counts lookups."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int, *args: object, **kwargs: object) -> list[Any]:
        self.lookups.append(host)
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answers: list[Any] = []
        for text in self.table[host]:
            if ipaddress.ip_address(text).version == 4:
                answers.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (text, port)))
            else:
                answers.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (text, port, 0, 0)))
        return answers


def test_a_name_resolving_to_a_private_address_is_refused(
    certificates: Certificates, serve: Callable[..., LocalServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = serve(respond(DOCUMENT))
    names = Names({"university.example": ["127.0.0.1"], "mixed.example": ["8.8.8.8", "127.0.0.1"]})
    monkeypatch.setattr(socket, "getaddrinfo", names)
    for host in ("university.example", "mixed.example"):
        with pytest.raises(ResolutionError, match="cannot fetch"):
            fetcher(certificates).fetch(server.url(host=host), max_bytes=1000)
    assert server.connections == 0
    assert names.lookups == ["university.example", "mixed.example"]


def test_an_allowed_name_is_resolved_once_and_checked_on_its_name(
    certificates: Certificates, serve: Callable[..., LocalServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection goes to the address checked; TLS and Host stay on the name."""
    server = serve(respond(DOCUMENT))
    names = Names({"university.example": ["127.0.0.1"], "wrong.example": ["127.0.0.1"]})
    monkeypatch.setattr(socket, "getaddrinfo", names)
    by_name = fetcher(certificates, "university.example")
    assert by_name.fetch(server.url(host="university.example"), max_bytes=1000) == DOCUMENT
    assert names.lookups == ["university.example"]
    assert f"Host: university.example:{server.port}\r\n" in server.requests[0].decode()
    # An IP entry allows a name resolving to it; the certificate must still match the name.
    by_address = fetcher(certificates, "127.0.0.1")
    assert by_address.fetch(server.url(host="university.example"), max_bytes=1000) == DOCUMENT
    with pytest.raises(ResolutionError, match="cannot fetch"):
        by_address.fetch(server.url(host="wrong.example"), max_bytes=1000)


def test_the_system_trust_applies_without_a_cafile(
    certificates: Certificates, serve: Callable[..., LocalServer]
) -> None:
    server = serve(respond(DOCUMENT))
    untrusting = HttpsFetcher(allow_private=frozenset({f"127.0.0.1:{server.port}"}))
    with pytest.raises(ResolutionError, match="cannot fetch"):
        untrusting.fetch(server.url(), max_bytes=1000)
    assert server.requests == []  # the handshake failed: no request was sent


def test_a_redirect_to_a_private_address_is_refused(
    certificates: Certificates, serve: Callable[..., LocalServer]
) -> None:
    inside = serve(respond(b'{"secret": 1}'))
    targets = [
        inside.url(),
        "https://169.254.169.254/latest/meta-data/",
        f"https://[::1]:{inside.port}/",
        f"http://127.0.0.1:{inside.port}/",
    ]
    for target in targets:
        outside = serve(redirect(target))
        allowed = fetcher(certificates, f"127.0.0.1:{outside.port}")
        with pytest.raises(ResolutionError) as caught:
            allowed.fetch(outside.url(), max_bytes=1000)
        assert str(caught.value) == f"{outside.url()}: cannot fetch"
        assert len(outside.requests) == 1
    assert inside.connections == 0


def test_redirects_are_followed_when_allowed_and_capped(
    certificates: Certificates, serve: Callable[..., LocalServer]
) -> None:
    final = serve(respond(DOCUMENT))
    hop = serve(redirect(final.url()))
    both = fetcher(certificates, f"127.0.0.1:{hop.port}", f"127.0.0.1:{final.port}")
    assert both.fetch(hop.url(), max_bytes=1000) == DOCUMENT
    # Plain http is refused on every hop, even to an allowed host and port.
    downgrade = serve(redirect(final.url().replace("https:", "http:")))
    with pytest.raises(ResolutionError, match="cannot fetch"):
        fetcher(certificates, f"127.0.0.1:{downgrade.port}", f"127.0.0.1:{final.port}").fetch(
            downgrade.url(), max_bytes=1000
        )
    assert final.connections == 1
    relative = serve(redirect("/elsewhere/did.json"))
    looping = fetcher(certificates, f"127.0.0.1:{relative.port}", max_redirects=2)
    with pytest.raises(ResolutionError, match="cannot fetch"):
        looping.fetch(relative.url(), max_bytes=1000)
    assert [r.split(b" ")[1] for r in relative.requests] == [
        DID_PATH.encode(),
        b"/elsewhere/did.json",
        b"/elsewhere/did.json",
    ]


# --- one deadline, sizes, encodings -------------------------------------------------------------


@pytest.mark.parametrize("in_headers", [False, True], ids=["body", "headers"])
def test_a_slow_drip_is_cut_at_the_deadline(
    certificates: Certificates, serve: Callable[..., LocalServer], in_headers: bool
) -> None:
    """A byte every 0.1 s never trips a per-read timeout; the whole fetch gets 0.5 s."""
    server = serve(drip(0.1, in_headers=in_headers))
    slow = fetcher(certificates, f"127.0.0.1:{server.port}", timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ResolutionError, match="cannot fetch"):
        slow.fetch(server.url(), max_bytes=1_000_000)
    assert time.monotonic() - started < 2.0  # the server drips for 3 s


def test_a_silent_server_is_cut_at_the_deadline(
    certificates: Certificates, serve: Callable[..., LocalServer]
) -> None:
    server = serve(silent)
    slow = fetcher(certificates, f"127.0.0.1:{server.port}", timeout=0.3)
    started = time.monotonic()
    with pytest.raises(ResolutionError, match="cannot fetch"):
        slow.fetch(server.url(), max_bytes=1000)
    assert 0.25 < time.monotonic() - started < 2.0  # the server waits 5 s


def test_a_hanging_lookup_is_cut_at_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def hanging(host: str, *args: Any, **kwargs: Any) -> Any:
        release.wait(5)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    started = time.monotonic()
    try:
        with pytest.raises(ResolutionError, match="cannot fetch"):
            HttpsFetcher(timeout=0.3).fetch("https://slow.example/did.json", max_bytes=1000)
        assert time.monotonic() - started < 2.0  # the lookup hangs for 5 s
    finally:
        release.set()


def test_a_name_that_cannot_be_looked_up_is_one_error() -> None:
    for host in ("a" * 64 + ".example", "x..example"):
        url = f"https://{host}/did.json"
        with pytest.raises(ResolutionError) as caught:
            HttpsFetcher(timeout=2.0).fetch(url, max_bytes=1000)
        assert str(caught.value) == f"{url}: cannot fetch"


def test_an_announced_oversized_body_is_refused_before_reading(
    certificates: Certificates, serve: Callable[..., LocalServer]
) -> None:
    def announce(server: LocalServer, connection: socket.socket, head: bytes) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n{")
        server.stop.wait(5)

    server = serve(announce)
    big = fetcher(certificates, f"127.0.0.1:{server.port}", timeout=4.0)
    started = time.monotonic()
    with pytest.raises(ResolutionError, match="cannot fetch"):
        big.fetch(server.url(), max_bytes=1000)
    assert time.monotonic() - started < 2.0  # not read until the deadline


def test_a_body_over_the_cap_is_refused(
    certificates: Certificates, serve: Callable[..., LocalServer], caplog: pytest.LogCaptureFixture
) -> None:
    def unannounced(server: LocalServer, connection: socket.socket, head: bytes) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b" " * 5000)

    server = serve(unannounced)
    capped = fetcher(certificates, f"127.0.0.1:{server.port}", max_bytes=50)
    with pytest.raises(ResolutionError, match="cannot fetch"):
        capped.fetch(server.url(), max_bytes=100_000)
    assert "larger than 50 bytes" in caplog.text
    exact = serve(respond(b"x" * 50))
    assert fetcher(certificates, f"127.0.0.1:{exact.port}").fetch(exact.url(), max_bytes=50)


def test_a_compressed_body_is_refused(
    certificates: Certificates, serve: Callable[..., LocalServer], caplog: pytest.LogCaptureFixture
) -> None:
    import gzip

    bomb = gzip.compress(b" " * 1_000_000)
    server = serve(respond(bomb, headers=("Content-Encoding: gzip",)))
    with pytest.raises(ResolutionError, match="cannot fetch"):
        fetcher(certificates, f"127.0.0.1:{server.port}").fetch(server.url(), max_bytes=100_000)
    assert "content encoding 'gzip' refused" in caplog.text


# --- concurrency --------------------------------------------------------------------------------


def test_concurrent_fetches_are_bounded(
    certificates: Certificates, serve: Callable[..., LocalServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two slots, kept by two hanging lookups even past their fetch: a third waits, then fails."""
    server = serve(respond(DOCUMENT))
    release = threading.Event()
    real = socket.getaddrinfo

    def hanging(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "slow.example":
            release.wait(5)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    bounded = fetcher(certificates, f"127.0.0.1:{server.port}", timeout=0.3, max_concurrent=2)
    errors: list[str] = []

    def hold() -> None:
        try:
            bounded.fetch("https://slow.example/did.json", max_bytes=1000)
        except ResolutionError as exc:
            errors.append(exc.message)

    holders = [threading.Thread(target=hold) for _ in range(2)]
    for holder in holders:
        holder.start()
    for holder in holders:
        holder.join(timeout=3)
    assert errors == ["cannot fetch", "cannot fetch"]
    started = time.monotonic()
    with pytest.raises(ResolutionError, match="too many fetches in progress"):
        bounded.fetch(server.url(), max_bytes=1000)
    assert 0.25 < time.monotonic() - started < 2.0
    assert server.connections == 0
    release.set()
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            assert bounded.fetch(server.url(), max_bytes=1000) == DOCUMENT
            break
        except ResolutionError:
            time.sleep(0.05)
    else:
        pytest.fail("the slots were never given back")


# --- one error for every cause ------------------------------------------------------------------


def _answer_in_clear(server: LocalServer, connection: socket.socket, head: bytes) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")


def test_every_failure_reads_the_same(
    certificates: Certificates,
    serve: Callable[..., LocalServer],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Refused address, closed port, TLS error, silence, HTTP status: one text; the log tells."""
    caplog.set_level(logging.WARNING, logger="passeport.fetch")
    probe = serve(respond(b"", status="404 Not Found"))
    port = probe.port
    url = probe.url()
    allowed = fetcher(certificates, f"127.0.0.1:{port}", timeout=3.0)
    quick = fetcher(certificates, f"127.0.0.1:{port}", timeout=0.3)
    texts: dict[str, str] = {}

    def attempt(kind: str, through: HttpsFetcher) -> None:
        with pytest.raises(ResolutionError) as caught:
            through.fetch(url, max_bytes=1000)
        texts[kind] = str(caught.value)
        assert caught.value.__notes__, kind  # the reason, for a traceback, never the message

    attempt("private", fetcher(certificates))
    attempt("status", allowed)
    probe.close()
    attempt("refused", allowed)
    plain = serve(_answer_in_clear, tls=False, port=port)
    attempt("tls", allowed)
    plain.close()
    serve(silent, port=port)
    attempt("timeout", quick)
    assert set(texts.values()) == {f"{url}: cannot fetch"}, texts
    logged = caplog.text
    for reason in ("not a public address", "HTTP status 404", "timed out"):
        assert reason in logged


def test_a_refused_url_says_why_before_any_network(certificates: Certificates) -> None:
    restricted = fetcher(certificates, allow_hosts=frozenset({"example.com"}))
    for url, reason in [
        ("http://example.com/did.json", "only https URLs can be fetched"),
        ("https://user:pw@example.com/did.json", "URL with credentials refused"),
        ("https://évil.example/did.json", "not an ASCII host name"),
        ("https://evil.example/did.json", "host 'evil.example' is not allowed"),
        ("https://example.com:99999/did.json", "not a valid URL"),
    ]:
        with pytest.raises(ResolutionError) as caught:
            restricted.fetch(url, max_bytes=1000)
        assert str(caught.value).startswith(f"{url}: "), url
        assert reason in str(caught.value), url


# --- through the HTTP service and the command line ----------------------------------------------


def _signed_by(port: int) -> tuple[dict[str, Any], bytes]:
    """A credential signed by did:web:127.0.0.1%3APORT, and that DID's document."""
    from passeport.did.keyfile import KeyPair
    from passeport.did.keys import KeyAlgorithm, PrivateKey
    from passeport.did.web import did_web_document
    from passeport.proofs.sign import sign_document
    from tests.cli.test_cli import SAMPLE

    pair = KeyPair.from_private_key(
        PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([77]) * 32),
        method=f"web:127.0.0.1%3A{port}",
    )
    credential = dict(sign_document(json.loads(SAMPLE.read_text()), pair))
    document = did_web_document(pair.controller, pair.public_key)
    return credential, json.dumps(document).encode()


def test_the_http_verify_route_gives_one_text_for_every_failure(
    certificates: Certificates, serve: Callable[..., LocalServer]
) -> None:
    """No port-scan oracle: an anonymous caller reads the same answer whatever went wrong."""
    from fastapi.testclient import TestClient

    from passeport.app import create_app
    from passeport.verifier import Environment

    first = serve(respond(b"", status="404 Not Found"))
    port = first.port
    credential, document = _signed_by(port)

    switch = Switch(fetcher(certificates))
    client = TestClient(create_app(env=Environment(fetcher=switch)))

    def answer(through: HttpsFetcher) -> Any:
        switch.current = through
        response = client.post("/credentials/verify", json={"verifiableCredential": credential})
        return response.status_code, response.json()

    allowed = fetcher(certificates, f"127.0.0.1:{port}", timeout=3.0)
    quick = fetcher(certificates, f"127.0.0.1:{port}", timeout=0.3)
    answers = {"private": answer(fetcher(certificates)), "status": answer(allowed)}
    first.close()
    answers["refused"] = answer(allowed)
    plain = serve(_answer_in_clear, tls=False, port=port)
    answers["tls"] = answer(allowed)
    plain.close()
    silent_server = serve(silent, port=port)
    answers["timeout"] = answer(quick)
    silent_server.close()
    reference = answers["refused"]
    assert reference[0] == 400
    assert any("cannot fetch" in error for error in reference[1]["errors"]), reference
    for kind, found in answers.items():
        assert found == reference, kind
    # And the same route verifies once the DID document is served from an allowed host.
    serve(respond(document), port=port)
    status, body = answer(allowed)
    assert status == 200 and body["verified"] is True, body["errors"]


@dataclass
class Switch:
    """A fetcher that hands each fetch to ``current``, changed between requests."""

    current: HttpsFetcher

    def fetch(self, url: str, *, max_bytes: int) -> bytes:
        return self.current.fetch(url, max_bytes=max_bytes)


def _free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


def test_verify_and_wallet_add_take_allow_host(
    certificates: Certificates,
    serve: Callable[..., LocalServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from passeport.cli import app
    from tests.wallet._helpers import PASSPHRASE, new_wallet

    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca))  # the system's trust, in tests
    monkeypatch.setenv("PASSEPORT_PASSPHRASE", PASSPHRASE)
    port = _free_port()
    credential, document = _signed_by(port)
    server = serve(respond(document), port=port)
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential))
    runner = CliRunner()
    refused = runner.invoke(app, ["verify", str(path), "--json"])
    assert refused.exit_code == 1, refused.output
    assert server.connections == 0
    allow = ["--allow-host", f"127.0.0.1:{port}"]
    allowed = runner.invoke(app, ["verify", str(path), "--json", *allow])
    assert allowed.exit_code == 0, allowed.output
    assert server.connections == 1
    wallet = new_wallet(tmp_path).path
    added = runner.invoke(app, ["wallet", "add", str(path), "--wallet", str(wallet), *allow])
    assert added.exit_code == 0, added.output
    assert server.connections == 2


def test_a_bad_allow_host_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from passeport.cli import main

    path = tmp_path / "credential.json"
    path.write_text("{}")
    monkeypatch.setattr(sys, "argv", ["passeport", "verify", str(path), "--allow-host", "a b:1"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("passeport: --allow-host: ") and error.count("\n") == 1


def test_serve_builds_its_fetcher_with_allow_host(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from passeport.cli import app

    started: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **options: started.append(application))
    built: list[HttpsFetcher] = []
    real = HttpsFetcher

    def spy(**options: Any) -> HttpsFetcher:
        built.append(real(**options))
        return built[-1]

    monkeypatch.setattr("passeport.did.fetch.HttpsFetcher", spy)
    port = str(_free_port())
    default = CliRunner().invoke(app, ["serve", "--port", port])
    assert default.exit_code == 0, default.output
    allowed = CliRunner().invoke(
        app, ["serve", "--port", port, "--allow-host", "127.0.0.1:8443", "--allow-host", "idp"]
    )
    assert allowed.exit_code == 0, allowed.output
    assert [f.allow_private for f in built] == [frozenset(), frozenset({"127.0.0.1:8443", "idp"})]
    assert built[0].timeout == 5.0 and len(started) == 2
