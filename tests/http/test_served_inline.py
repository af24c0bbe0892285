"""The short way verifies small bodies on the event loop's thread, and stops when one is costly.

Handing each verification to a thread and back cost a third of the served
overhead (issue 17); in one process the threads only take turns anyway. A
document costly to verify must not hold the loop again and again: after one
over :data:`passeport.app.INLINE_BUDGET`, the short way verifies in threads for
a pause that doubles at each further one. Verifying may wait on the network
(a status list over HTTPS): then every body goes to a thread.
"""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

import passeport.app
from passeport.app import (
    INLINE_BUDGET,
    INLINE_MAX_BYTES,
    INLINE_MAX_PAUSE,
    INLINE_PAUSE,
    DirectRoutes,
    create_app,
)
from passeport.did.fetch import CacheDirFetcher, CachingFetcher, HttpsFetcher, StaticFetcher
from passeport.verifier import Environment
from tests.http.test_served_fast import NOW
from tests.http.test_verify_api import SIGNED

PATH = "/credentials/verify"


class _Clock:
    """Monotonic time and the thread's CPU time, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.cpu = 0.0

    def namespace(self) -> SimpleNamespace:
        return SimpleNamespace(monotonic=lambda: self.now, thread_time=lambda: self.cpu)


def _post(direct: DirectRoutes, body: dict[str, Any], *, length: int | None) -> None:
    headers = [(b"content-type", b"application/json")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    scope = {
        "type": "http",
        "method": "POST",
        "path": PATH,
        "root_path": "",
        "headers": headers,
        passeport.app.PARSED_BODY: body,
    }
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    asyncio.run(direct(scope, receive, send))  # type: ignore[arg-type]
    assert sent[0]["status"] == 200


def _recording(seen: list[str], clock: _Clock | None = None, cost: float = 0.0) -> DirectRoutes:
    def route(body: object) -> JSONResponse:
        seen.append("loop" if threading.current_thread() is threading.main_thread() else "thread")
        if clock is not None:
            clock.cpu += cost
        return JSONResponse({"verified": True})

    async def usual(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the short way was not taken")

    return DirectRoutes(usual, {PATH: route}, inline_max_bytes=1000)


def test_small_bodies_are_verified_on_the_loop_s_thread() -> None:
    seen: list[str] = []
    direct = _recording(seen)
    _post(direct, {"verifiableCredential": {}}, length=1000)
    _post(direct, {"verifiableCredential": {}}, length=1001)  # larger: a thread
    _post(direct, {"verifiableCredential": {}}, length=None)  # chunked: a thread
    assert seen == ["loop", "thread", "thread"]


def test_a_costly_verification_sends_the_next_ones_to_threads_for_longer_each_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = _Clock()
    monkeypatch.setattr(passeport.app, "time", clock.namespace())
    seen: list[str] = []
    direct = _recording(seen, clock, cost=2 * INLINE_BUDGET)
    small = {"verifiableCredential": {}}
    _post(direct, small, length=10)  # costly, on the loop: a pause of INLINE_PAUSE
    clock.now += INLINE_PAUSE - 0.01
    _post(direct, small, length=10)
    clock.now += 0.01
    _post(direct, small, length=10)  # the pause is over; costly again: twice as long
    clock.now += 2 * INLINE_PAUSE - 0.01
    _post(direct, small, length=10)
    assert seen == ["loop", "thread", "loop", "thread"]
    for _ in range(12):  # sent again and again, it holds the loop once per longest pause
        clock.now += INLINE_MAX_PAUSE
        _post(direct, small, length=10)
    assert direct.threads_until - clock.now == INLINE_MAX_PAUSE
    seen.clear()
    clock.now += INLINE_MAX_PAUSE + 1  # long clean: the next pause is short again
    _post(direct, small, length=10)
    clock.now += INLINE_PAUSE
    _post(direct, small, length=10)
    assert seen == ["loop", "loop"]


def test_a_verification_within_budget_keeps_the_loop() -> None:
    clock = _Clock()
    seen: list[str] = []
    direct = _recording(seen, clock, cost=INLINE_BUDGET / 2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passeport.app, "time", clock.namespace())
        for _ in range(3):
            _post(direct, {"verifiableCredential": {}}, length=10)
    assert seen == ["loop"] * 3


def _inline(env: Environment) -> int:
    application = create_app(env=env)
    direct = application.app
    assert isinstance(direct, DirectRoutes)
    return direct.inline_max_bytes


def test_only_an_environment_off_the_network_verifies_on_the_loop(tmp_path: Path) -> None:
    https = HttpsFetcher(timeout=5.0)
    assert _inline(Environment()) == INLINE_MAX_BYTES
    assert _inline(Environment(fetcher=StaticFetcher({}))) == INLINE_MAX_BYTES
    assert _inline(Environment().with_cache(tmp_path)) == INLINE_MAX_BYTES
    assert _inline(Environment(fetcher=https)) == 0
    assert _inline(Environment(fetcher=CachingFetcher(inner=https))) == 0
    assert _inline(Environment(fetcher=CacheDirFetcher(tmp_path, fallback=https))) == 0


def test_threads_and_the_loop_answer_alike(tmp_path: Path) -> None:
    """The same bodies, answered on the loop (offline) and in threads (network allowed)."""
    cached = CacheDirFetcher(tmp_path, fallback=CachingFetcher(inner=HttpsFetcher(timeout=1.0)))
    on_loop = TestClient(create_app(env=Environment(clock=lambda: NOW)))
    in_threads = TestClient(create_app(env=Environment(clock=lambda: NOW, fetcher=cached)))
    tampered = json.loads(json.dumps(SIGNED).replace("Camille", "Someone"))
    statuses = set()
    for body in (
        {"verifiableCredential": SIGNED},
        {"verifiableCredential": tampered},
        {"verifiableCredential": SIGNED, "options": {"challange": "x"}},
    ):
        data = json.dumps(body).encode()
        headers = {"content-type": "application/json"}
        one = on_loop.post(PATH, content=data, headers=headers)
        other = in_threads.post(PATH, content=data, headers=headers)
        assert (one.status_code, one.json()) == (other.status_code, other.json())
        assert one.headers["content-type"] == other.headers["content-type"]
        statuses.add(one.status_code)
    assert statuses == {200, 400}


@pytest.mark.parametrize(("options", "logged"), [([], True), (["--no-access-log"], False)])
def test_serve_writes_an_access_log_unless_told_not_to(
    monkeypatch: pytest.MonkeyPatch, options: list[str], logged: bool
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from passeport.cli import app

    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **given: started.append(given))
    monkeypatch.setattr("passeport.cli._can_listen", lambda host, port: None)
    done = CliRunner().invoke(app, ["serve", "--offline", *options])
    assert done.exit_code == 0, done.output
    assert started[0]["access_log"] is logged
    assert started[0]["log_level"] == "info"
