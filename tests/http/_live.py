"""A real uvicorn on 127.0.0.1 for the HTTP tests, started in a thread and always stopped."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn


@contextlib.contextmanager
def live_server(app: Any, options: dict[str, Any]) -> Iterator[int]:
    """Serve ``app`` with uvicorn ``options`` on a free port of 127.0.0.1; yield the port."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="critical", **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(10)
