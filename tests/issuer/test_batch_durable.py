"""Batch issuance on disk: staging files flushed a chunk at a time, before the registry records.

The order that keeps a power cut from leaving a recorded credential without
its file, or a file the registry does not know: staged files on disk, then
the registry's commit, then (its commit on disk too) the renames into place.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import passeport.issuer._durable as durable
import passeport.issuer._workers as workers
from passeport.issuer.batch import issue_batch
from passeport.issuer.registry import CredentialRecord, Registry
from tests.issuer._helpers import ISSUED_AT, class_rows, make_profile

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

Event = tuple[str, Any]


def _path_of(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


def _watch(
    monkeypatch: pytest.MonkeyPatch, out: Path, *, syncfs: Callable[[int], int] | None
) -> list[Event]:
    """Log, in order: flushes (with the staged files then present), registry adds, renames."""
    events: list[Event] = []

    def staged_now() -> set[str]:
        return (
            {p.name for p in out.iterdir() if p.name.endswith(".part")} if out.exists() else set()
        )

    if syncfs is None:
        monkeypatch.setattr(durable, "syncfs", lambda: None)
    else:
        fake = syncfs

        def logged(fd: int) -> int:
            events.append(("syncfs", staged_now()))
            return fake(fd)

        monkeypatch.setattr(durable, "syncfs", lambda: logged)
    real_fsync, real_add, real_replace = os.fsync, Registry.add, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", Path(_path_of(fd)).name))
        real_fsync(fd)

    def add(self: Registry, records: Any) -> None:
        records = list(records)
        events.append(("add", [record.id for record in records]))
        real_add(self, records)

    def replace(source: Any, target: Any) -> None:
        events.append(("replace", (Path(source).name, Path(target).name)))
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(Registry, "add", add)
    monkeypatch.setattr(os, "replace", replace)
    return events


def _uuid(staged: str) -> str:
    return staged.rsplit(".", 3)[-3]


def _check_order(events: list[Event], *, together: bool) -> None:
    """Each recorded credential's staged file is flushed before it is recorded, renamed after."""
    flushed: set[str] = set()  # credential uuids whose staged file is on disk
    recorded: set[str] = set()
    settled: set[str] = set()  # recorded, and the commit flushed after
    for kind, value in events:
        if kind == "syncfs":
            flushed |= {_uuid(name) for name in value}
            settled |= recorded
        elif kind == "fsync" and value.endswith(".part"):
            flushed.add(_uuid(value))
        elif kind == "add":
            ids = {credential_id.removeprefix("urn:uuid:") for credential_id in value}
            assert ids <= flushed, "a credential recorded before its staged file was flushed"
            recorded |= ids
        elif kind == "replace" and value[0].endswith(".part"):
            uuid = _uuid(value[0])
            assert uuid in recorded, "a file put in place before the registry recorded it"
            if together:
                assert uuid in settled, "a file put in place before the commit was flushed"


def test_staged_files_are_flushed_a_chunk_at_a_time_before_they_are_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 7)
    out = tmp_path / "out"
    events = _watch(monkeypatch, out, syncfs=lambda fd: 0)
    summary = issue_batch(
        profile, "diploma", rows, out, workers=1, chunk_size=3, issued_at=ISSUED_AT
    )
    monkeypatch.undo()
    assert (summary.issued, summary.failed) == (7, 0)
    _check_order(events, together=True)
    # One flush for the chunk's files, one for the registry's commit: three chunks.
    assert [kind for kind, _ in events].count("syncfs") == 6
    assert not [value for kind, value in events if kind == "fsync" and value.endswith(".part")]


def test_without_syncfs_each_staged_file_is_fsynced_before_it_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 5)
    out = tmp_path / "out"
    events = _watch(monkeypatch, out, syncfs=None)
    summary = issue_batch(
        profile, "diploma", rows, out, workers=1, chunk_size=2, issued_at=ISSUED_AT
    )
    monkeypatch.undo()
    assert (summary.issued, summary.failed) == (5, 0)
    _check_order(events, together=False)
    assert len([v for kind, v in events if kind == "fsync" and v.endswith(".part")]) == 5


def test_after_a_failed_syncfs_a_file_whose_write_back_failed_is_not_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The failure syncfs reports while the first chunk is recorded may be that
    # of a file of the next chunk, being written meanwhile: from then on every
    # file is flushed on its own, so its fsync names it.
    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 6)
    out = tmp_path / "out"
    answers = iter([-1])
    events = _watch(monkeypatch, out, syncfs=lambda fd: next(answers, 0))
    logged_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        if Path(_path_of(fd)).name.startswith(".did-example-graduate3-"):  # row 4, 2nd chunk
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        logged_fsync(fd)

    monkeypatch.setattr(os, "fsync", failing_fsync)
    summary = issue_batch(
        profile, "diploma", rows, out, workers=1, chunk_size=2, issued_at=ISSUED_AT
    )
    monkeypatch.undo()
    assert (summary.issued, summary.failed) == (5, 1)
    [failure] = summary.failures
    assert failure.row == 4
    assert failure.message.startswith(f"class.csv row 4: cannot write {out}/did-example-graduate3-")
    assert failure.message.endswith("Input/output error")
    kinds = [kind for kind, _ in events]
    # One flush together, then file by file; each commit still put on disk.
    assert kinds.count("syncfs") == 1 + kinds.count("add") == 4
    _check_order(events, together=False)
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]
    with profile.open_registry() as registry:
        assert registry.count() == 5
    resumed = issue_batch(profile, "diploma", rows, out, workers=1, issued_at=ISSUED_AT)
    assert (resumed.issued, resumed.skipped, resumed.failed) == (1, 5, 0)


def test_a_staged_file_is_private_whatever_the_umask(tmp_path: Path) -> None:
    from passeport.issuer._workers import _write_new

    previous = os.umask(0)
    try:
        _write_new(tmp_path / ".x.part", b"{}", target=tmp_path / "x.json")
    finally:
        os.umask(previous)
    assert (tmp_path / ".x.part").stat().st_mode & 0o777 == 0o600


def test_a_staged_file_is_never_written_over(tmp_path: Path) -> None:
    from passeport.errors import InputError
    from passeport.issuer._workers import _write_new

    (tmp_path / ".x.part").write_bytes(b"theirs")
    with pytest.raises(InputError, match=f"cannot write {tmp_path}/x.json: File exists"):
        _write_new(tmp_path / ".x.part", b"ours", target=tmp_path / "x.json")
    assert (tmp_path / ".x.part").read_bytes() == b"theirs"


def test_chunks_share_a_verification_environment_only_for_the_same_lists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Any] = []
    real = workers.verification_environment

    def counting(documents: Any, **kwargs: Any) -> Any:
        made.append(dict(documents))
        return real(documents, **kwargs)

    monkeypatch.setattr(workers, "verification_environment", counting)
    monkeypatch.setattr(workers, "_LAST_ENVIRONMENT", {})  # an earlier test's, same bytes
    # Two profiles in one process, the same instant, the same list URLs: their
    # lists differ (each signs its own), so the second batch must not verify
    # its credentials against the first one's lists.
    first = make_profile(tmp_path / "first", seed=7)
    second = make_profile(tmp_path / "second", seed=9)
    rows = class_rows(tmp_path / "class.csv", 6)
    for profile, out in ((first, tmp_path / "out1"), (second, tmp_path / "out2")):
        summary = issue_batch(
            profile, "diploma", rows, out, workers=1, chunk_size=2, issued_at=ISSUED_AT
        )
        assert (summary.issued, summary.failed) == (6, 0)
        for path in out.glob("*.json"):
            credential = json.loads(path.read_text("utf-8"))
            with profile.open_registry() as registry:
                record = registry.find(credential["id"])
            assert isinstance(record, CredentialRecord)
    assert len(made) == 2  # three chunks each, one environment per profile's lists
    assert made[0].keys() == made[1].keys() and made[0] != made[1]


def test_a_resumed_batch_does_not_convert_the_rows_already_issued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import passeport.issuer.batch as batch

    profile = make_profile(tmp_path / "univ")
    rows = class_rows(tmp_path / "class.csv", 4)
    out = tmp_path / "out"
    issue_batch(profile, "diploma", rows, out, workers=1, issued_at=ISSUED_AT)
    (rows.parent / "more.csv").write_text(
        rows.read_text("utf-8")
        + class_rows(tmp_path / "x.csv", 5).read_text("utf-8").splitlines()[-1]
        + "\n",
        "utf-8",
    )
    converted: list[str] = []
    real = batch.data_from_row

    def spy(template: str, row: Any, *, where: str) -> Any:
        converted.append(where)
        return real(template, row, where=where)

    monkeypatch.setattr(batch, "data_from_row", spy)
    summary = issue_batch(
        profile, "diploma", rows.parent / "more.csv", out, workers=1, issued_at=ISSUED_AT
    )
    assert (summary.issued, summary.skipped, summary.failed) == (1, 4, 0)
    assert converted == ["more.csv row 6"]
    assert len(list(out.glob("*.json"))) == 5
