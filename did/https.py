"""HTTPS fetching: the one place where passeport opens a connection to another host.

The URLs fetched (a did:web DID, a ``statusListCredential``) are chosen by
whoever wrote the credential, so a verifier, a wallet or ``passeport serve``
must neither reach its own network for them (server-side request forgery),
nor say how a connection failed (a port-scan oracle), nor be held long by a
slow server. SECURITY.md, "Network fetches", lists the tests.

- Addresses: the host is resolved once and every address must be public
  (:func:`is_public_address`), unless the operator named the host, or the
  address, in ``allow_private``. The connection goes to an address that was
  checked, while TLS (SNI, certificate) and ``Host`` stay on the name: no
  second resolution, hence no DNS-rebinding window.
- Redirects: https only, at most ``max_redirects``, each hop checked as the
  first URL.
- One deadline per fetch (``timeout``) covers the wait for a slot, the name
  lookup, connecting, TLS, every redirect and every byte; at most
  ``max_concurrent`` fetches run at once through one fetcher.
- Size: a ``Content-Length`` above the cap is refused before reading, and the
  body is read up to the cap plus one byte. No compressed encoding is asked
  for, and one sent anyway is refused.
- Errors: once the URL itself is accepted, every failure reads "cannot
  fetch". The reason goes to the ``passeport.fetch`` logger (warning) and is
  added as a note to the exception, never into its message.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final, NoReturn
from urllib.parse import urljoin, urlsplit

from passeport.errors import ResolutionError

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

__all__ = ["CANNOT_FETCH", "HttpsFetcher", "is_public_address", "parse_host_entry"]

_LOG: Final = logging.getLogger("passeport.fetch")
_MIB: Final = 1024 * 1024
_CHUNK: Final = 64 * 1024
_REDIRECTS: Final = frozenset({301, 302, 303, 307, 308})
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")
_HOST_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_:")
CANNOT_FETCH: Final = "cannot fetch"
"""The message of every failure after the URL is accepted: the same for any cause."""

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public_address(address: Address) -> bool:
    """Say whether ``address`` is a public unicast address, one a fetch may reach by default.

    Refused: loopback, private (RFC 1918, ULA), shared (CGNAT 100.64/10),
    link-local (cloud metadata 169.254.169.254), multicast, reserved,
    unspecified (0.0.0.0, ::), documentation and benchmarking ranges, site-local,
    Teredo, and IPv6 forms that carry a refused IPv4 address (IPv4-mapped
    ``::ffff:127.0.0.1``, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``).

    >>> is_public_address(ipaddress.ip_address("::ffff:127.0.0.1"))
    False
    >>> is_public_address(ipaddress.ip_address("192.0.2.10")), is_public_address(
    ...     ipaddress.ip_address("8.8.8.8"))
    (False, True)
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public_address(address.ipv4_mapped)
        if address in _NAT64:
            return is_public_address(ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF))
        if address.sixtofour is not None and not is_public_address(address.sixtofour):
            return False
        if address.teredo is not None or address.is_site_local or address.scope_id:
            return False
    if (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    ):
        return False
    return address.is_global


def _ip(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _host_key(host: str) -> str:
    """Return a host name as entries compare it: lower case, no trailing dot, IPs normalised."""
    host = host.lower()
    if host.endswith("."):
        host = host[:-1]
    address = _ip(host)
    return str(address) if address is not None else host


def parse_host_entry(entry: str) -> tuple[str, int | None]:
    """Read ``HOST``, ``HOST:PORT``, ``[IPV6]`` or ``[IPV6]:PORT`` into (host, port or None).

    Raises:
        ValueError: not a host with an optional port from 1 to 65535.
    """
    text = entry.strip()
    port_text: str | None = None
    if text.startswith("["):
        host, closed, rest = text[1:].partition("]")
        if not closed or (rest and not rest.startswith(":")):
            raise ValueError(f"{entry!r} is not HOST[:PORT]")
        port_text = rest[1:] if rest else None
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    else:
        host = text
    if ":" in host and _ip(host) is None:
        raise ValueError(f"{entry!r} is not HOST[:PORT]")
    key = _host_key(host)
    if not key or any(c not in _HOST_CHARS for c in key.lower()):
        raise ValueError(f"{entry!r} is not HOST[:PORT]")
    if port_text is None:
        return key, None
    if not port_text.isascii() or not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"{entry!r}: the port must be a number from 1 to 65535")
    return key, int(port_text)


class _Deadline:
    """The instant a fetch must be over by (monotonic clock)."""

    __slots__ = ("end",)

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        """Return the seconds left; raise TimeoutError when there are none."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the deadline of the fetch passed")
        return left


class _DeadlineSocket(ssl.SSLSocket):
    """A TLS socket whose every blocking call ends by the fetch's deadline, not per read.

    A server sending one byte at a time never lets a per-read timeout fire;
    here each read, write and handshake step gets only the time left.
    """

    deadline: _Deadline | None = None

    def _bound(self) -> None:
        if self.deadline is not None:
            self.settimeout(self.deadline.remaining())

    def do_handshake(self, block: bool = False) -> None:
        self._bound()
        super().do_handshake(block)

    def read(self, len: int = 1024, buffer: WriteableBuffer | None = None) -> bytes:
        self._bound()
        return super().read(len, buffer)

    def send(self, data: ReadableBuffer, flags: int = 0) -> int:
        self._bound()
        return super().send(data, flags)


class _Slot:
    """One of a fetcher's concurrent fetches: released when its last holder lets go.

    A name lookup that outlives its fetch (the resolver's own timeouts are
    long) keeps the slot until it ends, so lingering lookups stay bounded too.
    """

    def __init__(self, semaphore: threading.BoundedSemaphore) -> None:
        self._semaphore = semaphore
        self._holders = 1
        self._lock = threading.Lock()

    def share(self) -> None:
        with self._lock:
            self._holders += 1

    def release(self) -> None:
        with self._lock:
            self._holders -= 1
            last = self._holders == 0
        if last:
            self._semaphore.release()


_Found = list[tuple[Address, tuple[object, ...], int]]


def _lookup(host: str, port: int, deadline: _Deadline, slot: _Slot) -> _Found:
    """Resolve ``host`` once, within the deadline: (address, socket address, family) each."""
    literal = _ip(host)
    if literal is not None:
        if literal.version == 4:
            return [(literal, (str(literal), port), socket.AF_INET)]
        return [(literal, (str(literal), port, 0, 0), socket.AF_INET6)]
    answers: list[list[tuple[int, tuple[object, ...]]] | BaseException] = []
    done = threading.Event()

    def work() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            answers.append([(int(info[0]), tuple(info[4])) for info in infos])
        except OSError as exc:
            answers.append(exc)
        except Exception as exc:  # UnicodeError on a label too long, say: the lookup failed
            answers.append(OSError(f"cannot look up {host}: {exc!r}"))
        finally:
            done.set()
            slot.release()

    slot.share()
    try:
        threading.Thread(target=work, name="passeport-fetch-lookup", daemon=True).start()
    except RuntimeError as exc:  # no thread left to start
        slot.release()
        raise OSError(f"cannot look up {host}: {exc}") from exc
    if not done.wait(deadline.remaining()):
        raise TimeoutError(f"looking up {host} took longer than the deadline")
    answer = answers[0]
    if isinstance(answer, BaseException):
        raise answer
    found: _Found = []
    for family, sockaddr in answer:
        address = _ip(str(sockaddr[0]))
        if address is None or family not in (socket.AF_INET, socket.AF_INET6):
            raise OSError(f"{host} resolves to an address that is not IP: {sockaddr[0]!r}")
        found.append((address, sockaddr, family))
    if not found:
        raise OSError(f"{host} resolves to no address")
    return found


class _Connection(http.client.HTTPConnection):
    """HTTPS to an address already checked, with SNI, certificate and ``Host`` on the name."""

    default_port = 443

    def __init__(
        self,
        host: str,
        port: int,
        *,
        addresses: Iterable[tuple[tuple[object, ...], int]],
        context: ssl.SSLContext,
        deadline: _Deadline,
    ) -> None:
        super().__init__(host, port)
        self._addresses = list(addresses)
        self._context = context
        self._deadline = deadline

    def connect(self) -> None:
        """Connect to the first checked address that answers, then shake hands over TLS."""
        error: OSError = OSError("no address to connect to")
        for sockaddr, family in self._addresses:
            raw = socket.socket(family, socket.SOCK_STREAM)
            try:
                raw.settimeout(self._deadline.remaining())
                raw.connect(sockaddr)
                tls = self._context.wrap_socket(
                    raw, server_hostname=self.host, do_handshake_on_connect=False
                )
            except OSError as exc:
                raw.close()
                if isinstance(exc, TimeoutError):
                    raise
                error = exc
                continue
            try:
                if isinstance(tls, _DeadlineSocket):
                    tls.deadline = self._deadline
                tls.do_handshake()
            except BaseException:
                tls.close()
                raise
            self.sock = tls
            return
        raise error


def _context(cafile: Path | None) -> ssl.SSLContext:
    """Return a TLS client context (certificates and host names checked) with deadline sockets."""
    context = ssl.create_default_context(cafile=None if cafile is None else str(cafile))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.sslsocket_class = _DeadlineSocket
    return context


@dataclass(slots=True)
class _State:
    """What a fetcher builds for itself: the slots for concurrent fetches, the TLS context."""

    slots: threading.BoundedSemaphore
    context: ssl.SSLContext | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Refused(Exception):
    """A reason to give up on a fetch, said only to the log."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpsFetcher:
    """A fetcher that downloads over HTTPS, from public addresses only unless told otherwise.

    Only callers who construct one explicitly touch the network.

    Args:
        timeout: seconds one fetch may take in all (waiting for a slot, name
            lookup, connection, TLS, redirects and body), not per read.
        max_bytes: the largest body accepted (the smaller of this and the
            caller's ``max_bytes`` applies).
        allow_hosts: when set, the only host names that may be fetched at all.
        allow_private: ``HOST``, ``HOST:PORT`` or ``[IPV6]:PORT`` entries that
            may be reached although their address is not public (a local
            deployment, a conformance run); an IP entry also allows any name
            that resolves to it. Empty by default: private, loopback,
            link-local and reserved addresses are refused.
        cafile: certificates to trust instead of the system's (a private PKI, tests).
        max_redirects: the most redirects followed in one fetch.
        max_concurrent: the most fetches running at once through this
            fetcher; one more waits for a slot until its deadline.
    """

    timeout: float = 5.0
    max_bytes: int = _MIB
    allow_hosts: frozenset[str] | None = None
    allow_private: frozenset[str] = frozenset()
    cafile: Path | None = None
    max_redirects: int = 3
    max_concurrent: int = 8
    _private: tuple[tuple[str, int | None], ...] = field(init=False, repr=False, compare=False)
    _state: _State = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Check the settings and read the ``allow_private`` entries.

        Raises:
            ValueError: a non-positive timeout, limit or count, or an entry that is not HOST[:PORT].
        """
        if self.timeout <= 0 or self.max_bytes <= 0 or self.max_concurrent <= 0:
            raise ValueError("timeout, max_bytes and max_concurrent must be positive")
        if self.max_redirects < 0:
            raise ValueError("max_redirects cannot be negative")
        if isinstance(self.allow_private, str):
            raise TypeError("allow_private is a set of HOST[:PORT] entries, not one string")
        entries = tuple(parse_host_entry(entry) for entry in sorted(self.allow_private))
        object.__setattr__(self, "_private", entries)
        object.__setattr__(self, "_state", _State(threading.BoundedSemaphore(self.max_concurrent)))

    def check_url(self, url: str) -> None:
        """Refuse ``url`` unless it is https, without credentials, on an allowed host.

        Raises:
            ResolutionError: naming ``url``.
        """
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise ResolutionError("not a valid URL", where=url) from None
        if parts.scheme.lower() != "https" or not parts.hostname:
            raise ResolutionError("only https URLs can be fetched", where=url)
        if parts.username is not None or parts.password is not None:
            raise ResolutionError("URL with credentials refused", where=url)
        if any(c not in _HOST_CHARS for c in parts.hostname.lower()):
            raise ResolutionError("the host is not an ASCII host name or IP address", where=url)
        if port == 0:
            raise ResolutionError("port 0 refused", where=url)
        if self.allow_hosts is not None and _host_key(parts.hostname) not in {
            _host_key(h) for h in self.allow_hosts
        }:
            raise ResolutionError(f"host {parts.hostname!r} is not allowed", where=url)

    def may_reach(self, host: str, port: int, address: Address) -> bool:
        """Say whether a fetch from ``host:port`` may connect to ``address``."""
        if is_public_address(address):
            return True
        key = _host_key(host)
        for allowed, allowed_port in self._private:
            if allowed_port is not None and allowed_port != port:
                continue
            if allowed == key or _ip(allowed) == address:
                return True
        return False

    def fetch(self, url: str, *, max_bytes: int) -> bytes:
        """Download ``url``; at most ``min(max_bytes, self.max_bytes)`` bytes, within ``timeout``.

        Raises:
            ResolutionError: naming ``url``: refused URL (the reason said), too
                many fetches in progress, or "cannot fetch" for any other cause
                (refused address, network, TLS, HTTP status, redirect, size,
                deadline), the reason logged on ``passeport.fetch``.
        """
        self.check_url(url)
        deadline = _Deadline(self.timeout)
        state = self._state
        if not state.slots.acquire(timeout=self.timeout):
            _LOG.warning(
                "%s: too many fetches in progress (%d)", _printable(url), self.max_concurrent
            )
            raise ResolutionError("too many fetches in progress", where=url)
        slot = _Slot(state.slots)
        try:
            return self._follow(url, min(max_bytes, self.max_bytes), deadline, slot)
        except (_Refused, OSError, ValueError, http.client.HTTPException) as exc:
            _fail(url, exc)
        finally:
            slot.release()

    def _tls(self) -> ssl.SSLContext:
        state = self._state
        with state.lock:
            if state.context is None:
                state.context = _context(self.cafile)
            return state.context

    def _follow(self, url: str, limit: int, deadline: _Deadline, slot: _Slot) -> bytes:
        """Fetch ``url``, following at most ``max_redirects`` redirects, each checked again."""
        current = url
        for _hop in range(self.max_redirects + 1):
            outcome = self._once(current, limit, deadline, slot)
            if isinstance(outcome, bytes):
                return outcome
            target = urljoin(current, outcome)
            try:
                self.check_url(target)
            except ResolutionError as exc:
                raise _Refused(f"redirect to {target}: {exc.message}") from None
            current = target
        raise _Refused(f"more than {self.max_redirects} redirects")

    def _once(self, url: str, limit: int, deadline: _Deadline, slot: _Slot) -> bytes | str:
        """Make one request: the body, or the ``Location`` of a redirect."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or 443
        addresses = _lookup(host, port, deadline, slot)
        for address, _sockaddr, _family in addresses:
            if not self.may_reach(host, port, address):
                named = "" if _host_key(host) == str(address) else f"{host} resolves to "
                raise _Refused(
                    f"{named}{address}, not a public address: allow it with --allow-host "
                    f"(allow_private) if it is yours"
                )
        connection = _Connection(
            host,
            port,
            addresses=[(sockaddr, family) for _address, sockaddr, family in addresses],
            context=self._tls(),
            deadline=deadline,
        )
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                "GET",
                target,
                headers={
                    "Accept": "application/did+json, application/json;q=0.9, */*;q=0.1",
                    "Accept-Encoding": "identity",
                    "Connection": "close",
                    "User-Agent": "passeport",
                },
            )
            # With "Connection: close" the response owns the socket: close both.
            with connection.getresponse() as response:
                if response.status in _REDIRECTS:
                    location = response.getheader("Location")
                    if not location:
                        raise _Refused(f"HTTP status {response.status} without a Location")
                    return location
                if response.status != 200:
                    raise _Refused(f"HTTP status {response.status}")
                return _body(response, limit)
        finally:
            connection.close()


def _body(response: http.client.HTTPResponse, limit: int) -> bytes:
    """Read a response body of at most ``limit`` bytes, uncompressed."""
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding != "identity":
        raise _Refused(f"content encoding {encoding[:40]!r} refused (identity asked)")
    announced = response.getheader("Content-Length")
    if announced is not None and announced.strip().isdigit() and int(announced) > limit:
        raise _Refused(f"announces {int(announced)} bytes, more than {limit}")
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = response.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise _Refused(f"larger than {limit} bytes")


def _printable(text: str) -> str:
    """Return ``text`` on one line of printable characters, shortened: it may come from a server."""
    return "".join(c if c.isprintable() else " " for c in " ".join(text.split()))[:300]


def _fail(url: str, cause: BaseException) -> NoReturn:
    """Raise the one error callers see, the cause logged and noted but never in the message."""
    reason = _printable(str(cause)) or type(cause).__name__
    if isinstance(cause, TimeoutError):
        reason = f"timed out ({reason})"
    _LOG.warning("%s: %s: %s", _printable(url), CANNOT_FETCH, reason)
    error = ResolutionError(CANNOT_FETCH, where=url)
    error.add_note(f"passeport.fetch: {reason}")
    raise error from cause
