"""The in-memory time-to-live cache in front of another fetcher."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from passeport.did.fetch import CachingFetcher, StaticFetcher
from passeport.errors import ResolutionError
from tests.conftest import FIXED_NOW

URL = "https://university.example/status/1"


class Clock:
    def __init__(self) -> None:
        self.now = FIXED_NOW

    def __call__(self) -> datetime:
        return self.now


class Counting:
    """A fetcher that counts its calls and serves a body that can change."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.calls = 0

    def fetch(self, url: str, *, max_bytes: int) -> bytes:
        self.calls += 1
        if url != URL:
            raise ResolutionError("not here", where=url)
        return self.body


def test_a_body_is_kept_for_its_time_to_live() -> None:
    inner, clock = Counting(b"one"), Clock()
    fetcher = CachingFetcher(inner=inner, ttl=timedelta(seconds=60), clock=clock)
    assert fetcher.fetch(URL, max_bytes=100) == b"one"
    inner.body = b"two"
    clock.now += timedelta(seconds=59)
    assert fetcher.fetch(URL, max_bytes=100) == b"one"
    clock.now += timedelta(seconds=2)
    assert fetcher.fetch(URL, max_bytes=100) == b"two"
    assert inner.calls == fetcher.fetches == 2


def test_errors_are_not_remembered() -> None:
    inner = Counting(b"x")
    fetcher = CachingFetcher(inner=inner, clock=Clock())
    for _ in range(2):
        with pytest.raises(ResolutionError, match="not here"):
            fetcher.fetch("https://elsewhere.example/x", max_bytes=100)
    assert inner.calls == 2


def test_the_size_limit_still_applies_to_a_kept_body() -> None:
    fetcher = CachingFetcher(inner=StaticFetcher({URL: b"0123456789"}), clock=Clock())
    fetcher.fetch(URL, max_bytes=100)
    with pytest.raises(ResolutionError, match="larger than 5 bytes"):
        fetcher.fetch(URL, max_bytes=5)


def test_least_recently_used_urls_are_dropped_first() -> None:
    documents = {f"https://h.example/{n}": bytes([n]) for n in range(3)}
    inner = StaticFetcher(documents)
    fetcher = CachingFetcher(inner=inner, max_entries=2, clock=Clock())
    for url in documents:
        fetcher.fetch(url, max_bytes=10)
    fetcher.fetch("https://h.example/2", max_bytes=10)
    fetcher.fetch("https://h.example/0", max_bytes=10)  # was dropped: fetched again
    assert fetcher.fetches == 4
    fetcher.forget()
    fetcher.fetch("https://h.example/2", max_bytes=10)
    assert fetcher.fetches == 5
