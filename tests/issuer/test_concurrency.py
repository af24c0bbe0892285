"""Batches that meet: one at a time per profile, no file the registry does not know, no orphans.

Two ``passeport issue --csv`` on one profile and one CSV used to race: both
signed the same rows, one was refused by the registry after its workers had
written their files, which then held credentials that verified and could
not be revoked. A ``kill -9`` of a batch left its workers, fork server and
resource tracker waiting forever.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from passeport.errors import InputError
from passeport.issuer import batch as batch_module
from passeport.issuer.batch import LOCK_FILE, issue_batch, profile_lock, staged_name
from passeport.issuer.profile import Profile
from passeport.issuer.registry import Registry
from tests.issuer._helpers import ISSUED_AT, class_rows, make_profile

_LINUX = sys.platform.startswith("linux")


def _cli(*args: str | Path, cwd: Path, piped: bool = True) -> subprocess.Popen[str]:
    """Start the console script in its own session; unpiped, what outlives it cannot hang us."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    output = subprocess.PIPE if piped else subprocess.DEVNULL
    return subprocess.Popen(
        [sys.executable, "-m", "passeport", *map(str, args)],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=output,
        text=True,
        start_new_session=True,
    )


def _finish(process: subprocess.Popen[str], timeout: float = 240) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    return process.returncode, out, err


def _credential_id(path: Path) -> str:
    text = path.read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return str(document["id"])


def _files(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if not p.name.startswith("."))


def _all_known(profile: Profile, out: Path) -> list[str]:
    """Return the ids of the credential files in ``out``, asserting that the registry knows each."""
    ids = [_credential_id(path) for path in _files(out)]
    with profile.open_registry() as registry:
        unknown = [i for i in ids if registry.find(i) is None]
    assert not unknown, f"{len(unknown)} file(s) hold credentials the registry does not know"
    return ids


# One batch at a time -------------------------------------------------------------------------


def test_a_second_batch_on_the_profile_is_refused_naming_the_first(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 3)
    with profile_lock(profile.directory):
        assert (profile.directory / LOCK_FILE).read_text().strip() == str(os.getpid())
        with pytest.raises(InputError) as caught:
            issue_batch(profile, "diploma", rows, tmp_path / "out", workers=1)
    assert str(caught.value) == (
        f"{profile.directory}: another batch is running on this profile (pid {os.getpid()}); "
        "run this one when it ends, or give --wait"
    )
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    # Released: the next batch runs.
    summary = issue_batch(profile, "diploma", rows, tmp_path / "out", workers=1)
    assert summary.issued == 3
    assert (profile.directory / LOCK_FILE).stat().st_mode & 0o777 == 0o600


def test_with_wait_a_second_batch_runs_when_the_first_ends(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 3)
    held, release = threading.Event(), threading.Event()

    def first() -> None:
        with profile_lock(profile.directory):
            held.set()
            release.wait(30)

    holder = threading.Thread(target=first)
    holder.start()
    try:
        assert held.wait(30)
        threading.Timer(0.5, release.set).start()
        started = time.monotonic()
        summary = issue_batch(profile, "diploma", rows, tmp_path / "out", workers=1, wait=True)
        assert time.monotonic() - started >= 0.4  # it waited for the first to end
        assert summary.issued == 3
    finally:
        release.set()
        holder.join()


def test_the_command_says_who_holds_the_profile_and_exits_2(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    class_rows(tmp_path / "class.csv", 3)
    with profile_lock(profile.directory):
        code, _out, err = _finish(
            _cli(
                "issue",
                "diploma",
                "--issuer",
                "univ",
                "--csv",
                "class.csv",
                "-o",
                "out",
                cwd=tmp_path,
            )
        )
    assert code == 2, err
    assert err.strip().splitlines() == [
        f"passeport: univ: another batch is running on this profile (pid {os.getpid()}); "
        "run this one when it ends, or give --wait"
    ]
    assert not (tmp_path / "out").exists() or not _files(tmp_path / "out")


@pytest.mark.parametrize("wait", [False, True], ids=["refused", "waiting"])
def test_two_real_batches_at_once_leave_only_credentials_the_registry_knows(
    tmp_path: Path, wait: bool
) -> None:
    profile = make_profile(tmp_path / "univ")
    class_rows(tmp_path / "class.csv", 50)
    command = ["issue", "diploma", "--issuer", "univ", "--csv", "class.csv", "-o", "out"]
    command += ["--workers", "2", "--json", *(["--wait"] if wait else [])]
    runs = [_cli(*command, cwd=tmp_path) for _ in range(2)]
    results = [_finish(run) for run in runs]
    codes = sorted(code for code, _, _ in results)
    if wait:
        assert codes == [0, 0], [err for _, _, err in results]
        summaries = sorted(
            (json.loads(out)["issued"], json.loads(out)["skipped"]) for _, out, _ in results
        )
        assert summaries == [(0, 50), (50, 0)]
    else:
        # Refused (2) when they met, both done (0) when the first ended before the other began.
        assert codes in ([0, 2], [0, 0]), [err for _, _, err in results]
        for (code, _, err), other in zip(results, reversed(runs), strict=True):
            if code == 2:
                assert f"another batch is running on this profile (pid {other.pid})" in err
    ids = _all_known(profile, tmp_path / "out")
    assert len(ids) == 50 and len(set(ids)) == 50
    assert not [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]
    with profile.open_registry() as registry:
        assert registry.count() == 50
    # Every file can be revoked.
    code, _, err = _finish(
        _cli("status", "revoke", _files(tmp_path / "out")[0], "--issuer", "univ", cwd=tmp_path)
    )
    assert code == 0, err


# The order of writes --------------------------------------------------------------------------


class _Refused(InputError):
    """The registry refusing a chunk (a row another issuer recorded first, a full disk)."""


@pytest.mark.parametrize("workers", [1, 2])
def test_no_file_appears_for_a_chunk_the_registry_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 12)
    out = tmp_path / "out"
    real_add = Registry.add
    calls: list[int] = []

    def refusing_add(self: Registry, records: Any) -> None:
        records = list(records)
        calls.append(len(records))
        # When the registry is asked, the chunk's credentials are on disk, but hidden.
        assert not [
            p
            for p in _files(out)
            if p.name.startswith("did-example-") and _credential_id(p) in {r.id for r in records}
        ]
        if len(calls) == 2:
            raise _Refused("a credential id or batch row is already recorded")
        real_add(self, records)

    monkeypatch.setattr(Registry, "add", refusing_add)
    with pytest.raises(_Refused):
        issue_batch(
            profile, "diploma", rows, out, workers=workers, chunk_size=3, issued_at=ISSUED_AT
        )
    monkeypatch.undo()
    ids = _all_known(profile, out)
    assert len(ids) == 3  # the first chunk only
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no staged file left
    resumed = issue_batch(profile, "diploma", rows, out, workers=workers, issued_at=ISSUED_AT)
    assert (resumed.issued, resumed.skipped, resumed.failed) == (9, 3, 0)
    assert len(_all_known(profile, out)) == 12


def test_staged_files_a_killed_batch_left_are_put_in_place_or_removed(tmp_path: Path) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 3)
    out = tmp_path / "out"
    issue_batch(profile, "diploma", rows, out, workers=1, issued_at=ISSUED_AT)
    recorded = _files(out)[0]
    credential_id = _credential_id(recorded)
    mark = batch_module._profile_mark(profile)
    # Killed after the registry recorded it, before the rename.
    staged = out / staged_name(recorded.name, credential_id, mark)
    os.replace(recorded, staged)
    # Killed before the registry recorded it, and in the middle of a write.
    unknown = out / staged_name("row-abc.json", "urn:uuid:0000-unknown", mark)
    unknown.write_text("{}")
    half = out / f".{unknown.name}.x1y2z3"
    half.write_text("{")
    theirs = out / staged_name("row-abc.json", "urn:uuid:0000-theirs", "ffffffff")
    theirs.write_text("{}")  # another profile's batch, writing into the same folder
    summary = issue_batch(profile, "diploma", rows, out, workers=1, issued_at=ISSUED_AT)
    assert (summary.issued, summary.skipped, summary.failed) == (0, 3, 0)
    assert _credential_id(recorded) == credential_id
    assert not staged.exists() and not unknown.exists() and not half.exists()
    assert theirs.exists()


# kill -9 ------------------------------------------------------------------------------------


def _session(sid: int) -> list[tuple[int, str]]:
    """Return the live processes (pid, command) of session ``sid``, read from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue  # ended meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        state, session = fields[0], int(fields[3])
        if session == sid and state not in ("Z", "X"):  # a zombie is dead, awaiting its reaper
            found.append((int(entry), command))
    return found


@pytest.fixture
def sessions() -> Iterator[list[int]]:
    """Kill whatever remains of the sessions a test started, even when it fails."""
    started: list[int] = []
    yield started
    for sid in started:
        for pid, _ in _session(sid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not _LINUX, reason="reads /proc")
def test_kill_9_of_a_batch_leaves_no_process_behind(tmp_path: Path, sessions: list[int]) -> None:
    profile = make_profile(tmp_path / "univ")
    class_rows(tmp_path / "class.csv", 400)
    command = ["issue", "diploma", "--issuer", "univ", "--csv", "class.csv", "-o", "out"]
    batch = _cli(*command, "--workers", "2", cwd=tmp_path, piped=False)
    sessions.append(batch.pid)
    deadline = time.monotonic() + 120
    # The batch, the resource tracker, the fork server and two workers, signing.
    while (
        len(_session(batch.pid)) < 5
        or not (tmp_path / "out").exists()
        or not any(
            p.name.endswith(".part") or not p.name.startswith(".")
            for p in (tmp_path / "out").iterdir()
        )
    ):
        assert batch.poll() is None, "the batch ended before it could be killed"
        assert time.monotonic() < deadline, _session(batch.pid)
        time.sleep(0.05)
    children = _session(batch.pid)
    assert any("forkserver" in command for _, command in children), children
    os.kill(batch.pid, signal.SIGKILL)
    batch.wait(30)
    deadline = time.monotonic() + 10
    while _session(batch.pid):
        assert time.monotonic() < deadline, f"left behind: {_session(batch.pid)}"
        time.sleep(0.1)
    # What it wrote is known to the registry; the next run cleans up and ends the work.
    _all_known(profile, tmp_path / "out")
    with profile_lock(profile.directory):  # the kernel released the dead batch's lock
        pass
