"""``passeport serve --workers N``: several processes answer, each building the same service.

The server runs as users run it, on 127.0.0.1 with a free port; the test
waits (bounded) for it to answer, counts the worker processes under it, and
checks that every answer comes from a worker that verifies as the library
does. The processes are stopped whatever happens.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import DBJS
from tests.http.test_vcapi_process import _free_port

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

START_TIMEOUT = 60.0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts processes through /proc")
def test_two_workers_answer_verifications(tmp_path: Path) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "passeport", "serve", "--offline", "--workers", "2"]
    log = tmp_path / "serve.log"
    with log.open("wb") as said:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path,
            env={**os.environ, "NO_COLOR": "1"},
            stdout=subprocess.DEVNULL,
            stderr=said,
        )
    credential = json.loads((DBJS / "outputs" / "diploma-eddsa-rdfc-2022.json").read_text())
    try:
        deadline = time.monotonic() + START_TIMEOUT
        answers: list[httpx.Response] = []
        while time.monotonic() < deadline and len(answers) < 6:
            try:
                answers.append(
                    httpx.post(
                        f"http://127.0.0.1:{port}/credentials/verify",
                        json={"verifiableCredential": credential},
                        timeout=10.0,
                    )
                )
            except httpx.TransportError:
                assert process.poll() is None, log.read_text()
                time.sleep(0.2)
        assert len(answers) == 6, "the server did not answer in time"
        assert all(a.status_code == 200 and a.json()["verified"] for a in answers)
        assert len(_children(process.pid)) >= 2  # two workers (and uvicorn's helpers)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def test_a_bad_worker_count_is_one_line_and_exit_2(tmp_path: Path) -> None:
    ran = subprocess.run(
        [sys.executable, "-m", "passeport", "serve", "--offline", "--workers", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert ran.returncode == 2
    assert ran.stderr == "passeport: --workers: 0 workers: give 1 to 64\n"
