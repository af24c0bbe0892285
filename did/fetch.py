"""Fetchers: where documents named by an https URL come from (did:web, status lists).

Nothing here opens a socket unless the caller builds an :class:`HttpsFetcher`
(:mod:`did.https`: public addresses only, one deadline, a size cap).
:class:`CacheDirFetcher` reads the cache layout of DESIGN.md (``https://HOST/PATH``
is ``DIR/HOST/PATH``); :class:`CachingFetcher` keeps what another fetcher
returned in memory for a time to live, for long-running verifiers.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote, urlsplit

from passeport.errors import ResolutionError

if TYPE_CHECKING:
    from passeport.did.https import HttpsFetcher

__all__ = [
    "CacheDirFetcher",
    "CachingFetcher",
    "Fetcher",
    "HttpsFetcher",
    "NoNetwork",
    "StaticFetcher",
]


class Fetcher(Protocol):
    """Where documents named by an HTTPS URL come from (did:web, status lists)."""

    def fetch(self, url: str, *, max_bytes: int) -> bytes:
        """Return the document at ``url``, or raise ResolutionError naming ``url``."""
        ...


def __getattr__(name: str) -> object:
    """Import :class:`HttpsFetcher` on first use: http.client and ssl, not for who stays offline."""
    if name == "HttpsFetcher":
        from passeport.did.https import HttpsFetcher

        return HttpsFetcher
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True, slots=True)
class NoNetwork:
    """A fetcher that fetches nothing: the offline default."""

    def fetch(self, url: str, *, max_bytes: int) -> bytes:
        """Raise ResolutionError: nothing is available offline."""
        raise ResolutionError(
            "not available offline; pass a cache directory or allow HTTPS", where=url
        )


@dataclass(frozen=True, slots=True)
class StaticFetcher:
    """A fetcher over a fixed mapping from URL to body, for tests and embedders."""

    documents: Mapping[str, bytes]

    def fetch(self, url: str, *, max_bytes: int) -> bytes:
        """Return the body stored for ``url``.

        Raises:
            ResolutionError: ``url`` is not in the mapping, or its body exceeds ``max_bytes``.
        """
        try:
            body = self.documents[url]
        except KeyError:
            raise ResolutionError("not in the static document set", where=url) from None
        if len(body) > max_bytes:
            raise ResolutionError(f"larger than {max_bytes} bytes", where=url)
        return bytes(body)


def _cache_parts(url: str) -> tuple[str, list[str]]:
    """Split an https URL into (host, path segments), refusing anything that could escape."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise ResolutionError("only https URLs can be fetched", where=url)
    if parts.query or parts.fragment or parts.username or parts.password or not parts.hostname:
        raise ResolutionError("URL with credentials, query or fragment refused", where=url)
    host = parts.netloc.lower()
    if host.startswith(".") or any(c in host for c in "/\\\x00"):
        raise ResolutionError("invalid host", where=url)
    segments = [unquote(s) for s in parts.path.split("/")[1:]]
    if not segments or any(
        s in ("", ".", "..") or any(c in s for c in "/\\\x00") for s in segments
    ):
        raise ResolutionError("path with empty, '.' or '..' segments refused", where=url)
    return host, segments


@dataclass(frozen=True, slots=True)
class CacheDirFetcher:
    """A fetcher reading ``https://HOST/PATH`` from the file ``root/HOST/PATH``.

    A URL missing from the directory goes to ``fallback`` when one is given.
    ``..`` segments, non-https URLs and files outside ``root`` are refused.
    """

    root: Path
    fallback: Fetcher | None = None

    def path_for(self, url: str) -> Path:
        """Return the file that mirrors ``url`` (it may not exist).

        Raises:
            ResolutionError: ``url`` is not https, or has a path that could escape ``root``.
        """
        host, segments = _cache_parts(url)
        return self.root.joinpath(host, *segments)

    def fetch(self, url: str, *, max_bytes: int) -> bytes:
        """Return the cached body of ``url``, or ask ``fallback``.

        Raises:
            ResolutionError: not cached (and no fallback), too large, unreadable, or refused.
        """
        path = self.path_for(url)
        try:
            root = self.root.resolve()
            real = path.resolve()
            if not real.is_relative_to(root):
                raise ResolutionError("cached file points outside the cache directory", where=url)
            if not real.is_file():
                if self.fallback is not None:
                    return self.fallback.fetch(url, max_bytes=max_bytes)
                raise ResolutionError(f"not in the cache directory {self.root}", where=url)
            if real.stat().st_size > max_bytes:
                raise ResolutionError(f"larger than {max_bytes} bytes", where=url)
            with real.open("rb") as handle:
                body = handle.read(max_bytes + 1)
        except OSError as exc:
            raise ResolutionError(f"cannot read {path}: {exc.strerror}", where=url) from exc
        if len(body) > max_bytes:
            raise ResolutionError(f"larger than {max_bytes} bytes", where=url)
        return body


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class _Kept:
    body: bytes
    until: datetime


@dataclass(slots=True, kw_only=True)
class CachingFetcher:
    """Keep what ``inner`` returned in memory for ``ttl``, at most ``max_entries`` URLs.

    Wrap an :class:`HttpsFetcher` with it in a long-running process (an HR
    system, ``passeport serve``) so that did:web documents and status lists are
    downloaded once per time to live. Errors are not remembered.
    """

    inner: Fetcher
    ttl: timedelta = timedelta(minutes=5)
    max_entries: int = 256
    clock: Callable[[], datetime] = _utc_now
    fetches: int = 0
    _kept: OrderedDict[str, _Kept] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def fetch(self, url: str, *, max_bytes: int) -> bytes:
        """Return the body of ``url``, from memory while it is younger than ``ttl``.

        Raises:
            ResolutionError: as the inner fetcher, or the kept body exceeds ``max_bytes``.
        """
        now = self.clock()
        with self._lock:
            kept = self._kept.get(url)
            if kept is not None and now < kept.until:
                self._kept.move_to_end(url)
                if len(kept.body) > max_bytes:
                    raise ResolutionError(f"larger than {max_bytes} bytes", where=url)
                return kept.body
        body = self.inner.fetch(url, max_bytes=max_bytes)
        with self._lock:
            self.fetches += 1
            self._kept[url] = _Kept(body, now + self.ttl)
            self._kept.move_to_end(url)
            while len(self._kept) > self.max_entries:
                self._kept.popitem(last=False)
        return body

    def forget(self, url: str | None = None) -> None:
        """Drop ``url`` (or everything) from memory."""
        with self._lock:
            if url is None:
                self._kept.clear()
            else:
                self._kept.pop(url, None)
