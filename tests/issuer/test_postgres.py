"""The registry on a real PostgreSQL server: same API as SQLite, migrations, audit, concurrency.

The server is a throwaway cluster (:mod:`tests.issuer._postgres`); without
PostgreSQL binaries here the tests are skipped (CI installs them and requires them).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from passeport.did.keys import PrivateKey
from passeport.errors import InputError
from passeport.issuer.batch import issue_batch
from passeport.issuer.profile import Profile
from passeport.issuer.registry import CredentialRecord, CredentialState
from passeport.issuer.registry_pg import (
    MIGRATIONS,
    PASSWORD_ENV,
    PostgresRegistry,
    check_registry_url,
)
from passeport.issuer.statuslist import allocate_status, revoke, suspend
from tests.issuer._helpers import ISSUED_AT, class_rows, make_profile
from tests.issuer._postgres import postgres_server, postgres_url

__all__ = ["postgres_server", "postgres_url"]

NOW = "2026-01-15T12:00:00Z"
SIZE = 131_072


def _urls(list_id: int) -> tuple[str, str]:
    return (f"https://u.example/status/r-{list_id}", f"https://u.example/status/s-{list_id}")


def _record(n: int, list_id: int, position: int, row_key: str | None = None) -> CredentialRecord:
    return CredentialRecord(
        id=f"urn:uuid:{n:08d}-0000-4000-8000-000000000000",
        template="diploma",
        subject=f"did:example:{n}",
        list_id=list_id,
        revocation_index=position,
        suspension_index=position,
        issued=NOW,
        row_key=row_key,
    )


def _pg_profile(folder: Path, url: str, seed: int = 7) -> Profile:
    return Profile.create(
        folder,
        name="Université Exemple",
        did="web:univ.example",
        private_key=PrivateKey.from_raw("Ed25519", bytes([seed]) * 32),
        secret=bytes([seed + 1]) * 32,
        registry=url,
    )


# Opening, migrations -------------------------------------------------------------------------


def test_an_empty_database_is_not_a_registry_unless_created(postgres_url: str) -> None:
    with pytest.raises(InputError, match="not a passeport registry"):
        PostgresRegistry.connect(postgres_url)
    with PostgresRegistry.connect(postgres_url, create=True) as registry:
        assert registry.schema_version() == len(MIGRATIONS) == 3
    with PostgresRegistry.connect(postgres_url) as registry:  # reopened: nothing to migrate
        assert registry.count() == 0


def test_an_old_schema_is_migrated_on_open(postgres_url: str) -> None:
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as raw:  # a version-1 registry
        raw.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied DATE)")
        for statement in MIGRATIONS[0]:
            raw.execute(statement)
        raw.execute("INSERT INTO schema_migrations VALUES (1, now())")
        raw.execute(
            "INSERT INTO status_lists VALUES (1, 131072, 1, %s, 'https://r', 'https://s')", (NOW,)
        )
        raw.execute(
            "INSERT INTO credentials (id, template, list_id, revocation_index, suspension_index, "
            "issued, state) VALUES ('urn:old', 'diploma', 1, 0, 0, %s, 'active')",
            (NOW,),
        )
    with PostgresRegistry.connect(postgres_url) as registry:
        assert registry.schema_version() == 3
        found = registry.find("urn:old")
        assert found is not None and found.state is CredentialState.ACTIVE
        assert registry.issued_by("urn:old") is not None  # the audit column, filled by default


def test_a_newer_schema_is_refused(postgres_url: str) -> None:
    PostgresRegistry.connect(postgres_url, create=True).close()
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as raw:
        raw.execute("INSERT INTO schema_migrations (version) VALUES (99)")
    with pytest.raises(InputError, match="newer than this passeport"):
        PostgresRegistry.connect(postgres_url)


def test_concurrent_openers_migrate_once(postgres_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        versions = pool.map(_open_and_version, [postgres_url] * 4)
    assert versions == [3, 3, 3, 3]


def _open_and_version(url: str) -> int:
    with PostgresRegistry.connect(url, create=True) as registry:
        return registry.schema_version()


def test_a_password_in_the_url_is_refused() -> None:
    with pytest.raises(ValueError, match=PASSWORD_ENV):
        check_registry_url("postgresql://issuer:secret@db.example/passeport")
    with pytest.raises(ValueError, match=PASSWORD_ENV):
        check_registry_url("postgresql://db.example/passeport?password=secret")
    with pytest.raises(ValueError, match="postgresql://"):
        check_registry_url("mysql://db.example/passeport")
    assert (
        check_registry_url("postgresql://issuer@db.example/p") == "postgresql://issuer@db.example/p"
    )


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    url = f"postgresql://nobody@/nowhere?host={tmp_path}"
    with pytest.raises(InputError, match="cannot connect to the registry") as caught:
        PostgresRegistry.connect(url)
    assert "\n" not in str(caught.value)


# The Registry API, as on SQLite --------------------------------------------------------------


def test_the_registry_api_on_postgres(postgres_url: str) -> None:
    with PostgresRegistry.connect(postgres_url, create=True) as registry:
        slots = registry.allocate(3, size=SIZE, urls=_urls, now=NOW)
        assert slots == [(1, 0), (1, 1), (1, 2)]
        registry.add(_record(n, *slot, row_key=f"row{n}") for n, slot in enumerate(slots))
        assert registry.count() == 3
        assert registry.find(_record(1, 1, 1).id) == _record(1, 1, 1, row_key="row1")
        assert set(registry.find_rows(["row0", "row2", "nope"])) == {"row0", "row2"}
        with pytest.raises(InputError, match="already recorded"):
            registry.add([_record(1, 1, 1)])
        assert registry.count() == 3  # all or none
        revoked = registry.transition(
            _record(1, 1, 1).id,
            to=CredentialState.REVOKED,
            allowed_from=frozenset({CredentialState.ACTIVE}),
            reason="fraude",
            at=NOW,
        )
        assert revoked is not None and revoked.state is CredentialState.ACTIVE
        assert registry.set_bits(1, "revocation") == [1]
        assert [c.state for c in registry.history(_record(1, 1, 1).id)] == ["revoked"]
        [entry] = registry.audit(_record(1, 1, 1).id)
        assert (entry.state, entry.reason, entry.by) == ("revoked", "fraude", "passeport")
        assert entry.client is not None and f"pid {os.getpid()}" in entry.client
        assert registry.lists()[0].revocation_url == "https://u.example/status/r-1"


def test_a_full_list_starts_the_next(postgres_url: str) -> None:
    with PostgresRegistry.connect(postgres_url, create=True) as registry:
        registry.allocate(SIZE - 1, size=SIZE, urls=_urls, now=NOW)
        slots = registry.allocate(3, size=SIZE, urls=_urls, now=NOW)
        assert slots == [(1, SIZE - 1), (2, 0), (2, 1)]


def test_a_profile_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    profile = _pg_profile(tmp_path / "p", postgres_url)
    settings = json.loads((tmp_path / "p" / "profile.json").read_text("utf-8"))
    assert settings["registry"] == postgres_url
    assert not (tmp_path / "p" / "registry.sqlite").exists()
    reopened = Profile.open(tmp_path / "p")
    with reopened.open_registry() as registry:
        assert isinstance(registry, PostgresRegistry)
        [slot] = allocate_status(profile, registry, 1, at=ISSUED_AT)
        registry.add([_record(1, slot.list_id, slot.revocation_index)])
    revoke(reopened, _record(1, 0, 0).id, reason="erreur", at=ISSUED_AT)
    with reopened.open_registry() as registry:
        assert registry.set_bits(slot.list_id, "revocation") == [slot.revocation_index]


def test_a_profile_refuses_a_password_in_its_registry_url(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=PASSWORD_ENV):
        _pg_profile(tmp_path / "p", "postgresql://u:pw@db.example/x")
    assert not (tmp_path / "p").exists()
    make_profile(tmp_path / "q")
    path = tmp_path / "q" / "profile.json"
    settings = json.loads(path.read_text("utf-8"))
    settings["registry"] = "postgresql://u:pw@db.example/x"
    path.write_text(json.dumps(settings), "utf-8")
    with pytest.raises(InputError, match=PASSWORD_ENV):
        Profile.open(tmp_path / "q")


# Concurrency: several processes, one database ------------------------------------------------

_PROCESSES = 4
_PER_PROCESS = 2500
_CHUNK = 50


def _issue_records(args: tuple[str, int]) -> list[str]:
    """Allocate and record ``_PER_PROCESS`` credentials in chunks, as a batch issuer does."""
    folder, worker = args
    profile = Profile.open(Path(folder))
    ids: list[str] = []
    with profile.open_registry() as registry:
        for start in range(0, _PER_PROCESS, _CHUNK):
            slots = allocate_status(profile, registry, _CHUNK, at=ISSUED_AT)
            records = []
            for offset, slot in enumerate(slots):
                n = worker * _PER_PROCESS + start + offset
                records.append(
                    CredentialRecord(
                        id=f"urn:uuid:{n:08d}-0000-4000-8000-{worker:012d}",
                        template="diploma",
                        subject=None,
                        list_id=slot.list_id,
                        revocation_index=slot.revocation_index,
                        suspension_index=slot.suspension_index,
                        issued=NOW,
                        row_key=f"w{worker}-{n}",
                    )
                )
            if start == _CHUNK * 3 and worker == 0:
                continue  # allocated and never recorded, as by a process that died: a gap
            registry.add(records)
            ids.extend(r.id for r in records)
    return ids


def test_concurrent_issuers_never_share_an_index(tmp_path: Path, postgres_url: str) -> None:
    profile = _pg_profile(tmp_path / "p", postgres_url)
    context = multiprocessing.get_context("spawn")
    began = time.monotonic()
    with context.Pool(_PROCESSES) as pool:
        results = pool.map(_issue_records, [(str(profile.directory), w) for w in range(_PROCESSES)])
    elapsed = time.monotonic() - began
    issued = [i for ids in results for i in ids]
    assert len(issued) == _PROCESSES * _PER_PROCESS - _CHUNK  # one chunk left as a gap
    with profile.open_registry() as registry:
        assert registry.count() == len(issued)
        missing = [i for i in issued if registry.find(i) is None]
        assert not missing
        assert registry.lists()[0].allocated == _PROCESSES * _PER_PROCESS
    import psycopg

    with psycopg.connect(postgres_url) as raw:
        rows = raw.execute(
            "SELECT list_id, revocation_index, suspension_index FROM credentials"
        ).fetchall()
    revocation = Counter((r[0], r[1]) for r in rows)
    suspension = Counter((r[0], r[2]) for r in rows)
    assert max(revocation.values()) == 1 and max(suspension.values()) == 1
    indexes = sorted(r[1] for r in rows)
    assert indexes[-1] - indexes[0] > SIZE // 2  # spread over the list, not 0, 1, 2...
    assert elapsed < 60


def _batch_on(args: tuple[str, str, str]) -> tuple[int, int]:
    folder, rows, out = args
    summary = issue_batch(
        Profile.open(Path(folder)), "diploma", Path(rows), Path(out), workers=1, issued_at=ISSUED_AT
    )
    return summary.issued, summary.failed


def test_batches_on_several_machines_share_one_database(tmp_path: Path, postgres_url: str) -> None:
    """Three profile folders (three machines), one key, one database: disjoint indexes."""
    machines = [_pg_profile(tmp_path / f"m{m}", postgres_url) for m in range(3)]
    jobs = []
    for m, profile in enumerate(machines):
        rows = class_rows(tmp_path / f"rows{m}.csv", 40)
        text = rows.read_text("utf-8").replace("graduate", f"m{m}-graduate")
        rows.write_text(text, "utf-8")
        jobs.append((str(profile.directory), str(rows), str(tmp_path / f"out{m}")))
    context = multiprocessing.get_context("spawn")
    with context.Pool(3) as pool:
        results = pool.map(_batch_on, jobs)
    assert results == [(40, 0)] * 3
    seen: Counter[tuple[str, int]] = Counter()
    with machines[0].open_registry() as registry:
        assert registry.count() == 120
        for m in range(3):
            for path in (tmp_path / f"out{m}").iterdir():
                document = json.loads(path.read_text("utf-8"))
                assert registry.find(document["id"]) is not None
                for entry in document["credentialStatus"]:
                    seen[entry["statusListCredential"], int(entry["statusListIndex"])] += 1
    assert len(seen) == 240 and max(seen.values()) == 1
    suspend(machines[1], document["id"], reason="contrôle", at=datetime(2026, 2, 1, tzinfo=UTC))


# The command line ----------------------------------------------------------------------------


def _passeport(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "passeport", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_issuer_init_with_a_postgres_registry(tmp_path: Path, postgres_url: str) -> None:
    folder = tmp_path / "p"
    done = _passeport(
        "issuer", "init", str(folder), "--name", "Univ", "--did", "web:univ.example",
        "--registry", postgres_url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads((folder / "profile.json").read_text("utf-8"))["registry"] == postgres_url
    with Profile.open(folder).open_registry() as registry:
        assert isinstance(registry, PostgresRegistry) and registry.schema_version() == 3
    refused = _passeport(
        "issuer", "init", str(tmp_path / "q"), "--name", "Univ", "--did", "web:univ.example",
        "--registry", "postgresql://u:secret@db.example/x",
    )  # fmt: skip
    assert refused.returncode == 2
    assert PASSWORD_ENV in refused.stderr and "Traceback" not in refused.stderr
    assert "secret" not in refused.stderr.replace("u:secret", "")
    assert not (tmp_path / "q").exists()


# A batch over several machines ---------------------------------------------------------------

_MACHINE = """
import json, sys, time
from datetime import datetime, UTC
from pathlib import Path
from passeport.issuer.distributed import distributed_batch
from passeport.issuer.profile import Profile

folder, rows, out, name, slow = sys.argv[1:6]
summary = distributed_batch(
    Profile.open(Path(folder)), "diploma", Path(rows), Path(out), chunk_rows=10,
    lease_seconds=1.5, workers=1, issued_at=datetime(2026, 1, 15, 12, tzinfo=UTC), worker=name,
    on_claim=(lambda chunk: time.sleep(float(slow))),
)
print(json.dumps({"issued": summary.issued, "skipped": summary.skipped,
                  "failed": len(summary.failures), "chunks": list(summary.chunks)}))
"""


def _machine(folder: Path, rows: Path, out: Path, name: str, slow: float) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _MACHINE, str(folder), str(rows), str(out), name, str(slow)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_batch_over_machines_survives_a_killed_one(tmp_path: Path, postgres_url: str) -> None:
    import csv

    from passeport.issuer.batch import row_key
    from passeport.issuer.distributed import batch_id

    rows = class_rows(tmp_path / "rows.csv", 90)
    reference = issue_batch(
        make_profile(tmp_path / "alone"), "diploma", rows, tmp_path / "alone-out", workers=1,
        issued_at=ISSUED_AT,
    )  # fmt: skip
    assert reference.issued == 90
    expected = sorted(p.name for p in (tmp_path / "alone-out").iterdir())
    machines = [_pg_profile(tmp_path / f"m{m}", postgres_url) for m in range(3)]
    out = tmp_path / "shared-out"  # one output folder, as on a shared file system
    victim = _machine(machines[0].directory, rows, out, "victim", 0.4)
    with machines[0].open_registry() as registry:
        assert isinstance(registry, PostgresRegistry)
        batch = batch_id("diploma", rows)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the victim holds its second chunk: kill it
            held = [w for w, _ in registry.chunk_claims(batch).values() if w and "victim" in w]
            if len(held) >= 2:
                break
            time.sleep(0.02)
        victim.kill()
        victim.communicate(timeout=30)
        others = [_machine(machines[m].directory, rows, out, f"m{m}", 0) for m in (1, 2)]
        results = []
        for process in others:
            stdout, stderr = process.communicate(timeout=120)
            assert process.returncode == 0, stderr
            results.append(json.loads(stdout))
        claims = registry.chunk_claims(batch)
        assert registry.chunks_left(batch) == 0
        assert registry.count() == 90
    assert victim.returncode != 0
    assert sum(r["failed"] for r in results) == 0
    retaken = [c for c, (holder, times) in claims.items() if times >= 2]
    assert retaken and all("victim" not in str(claims[c][0]) for c in retaken)
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == expected
    with rows.open(encoding="utf-8", newline="") as handle:
        keys = {row_key("diploma", row) for row in csv.DictReader(handle)}
    import psycopg

    with psycopg.connect(postgres_url) as raw:
        recorded = raw.execute("SELECT row_key, list_id, revocation_index FROM credentials")
        found = recorded.fetchall()
    assert {r[0] for r in found} == keys and len(found) == 90
    assert len({(r[1], r[2]) for r in found}) == 90
    with Profile.open(machines[1].directory).open_registry() as registry:
        for path in out.iterdir():
            if not path.name.startswith("."):
                assert registry.find(json.loads(path.read_text("utf-8"))["id"]) is not None


def test_a_batch_over_machines_needs_postgres(tmp_path: Path) -> None:
    from passeport.issuer.distributed import distributed_batch

    profile = make_profile(tmp_path / "p")
    rows = class_rows(tmp_path / "rows.csv", 3)
    with pytest.raises(InputError, match="needs a PostgreSQL registry"):
        distributed_batch(profile, "diploma", rows, tmp_path / "out")


def test_the_registry_benchmark_runs(postgres_server: str) -> None:
    from benchmarks.registry import bench_registry

    result = bench_registry(
        credentials=200, signed_rows=3, processes=(1, 2), url=postgres_server, lead_seconds=0.2
    )
    assert [row["processes"] for row in result["rows"]] == [1, 2]
    assert all(row["registry_per_s"] > 0 and row["issued_per_s"] > 0 for row in result["rows"])


def test_a_dead_machines_recorded_credentials_are_put_in_place(tmp_path: Path) -> None:
    """Recorded but not yet renamed when the machine died: another machine renames it."""
    from passeport.issuer.batch import staged_name
    from passeport.issuer.distributed import _adopt

    profile = make_profile(tmp_path / "p")
    out = tmp_path / "out"
    out.mkdir()
    with profile.open_registry() as registry:
        [slot] = allocate_status(profile, registry, 1, at=ISSUED_AT)
        recorded = _record(1, slot.list_id, slot.revocation_index)
        registry.add([recorded])
        (out / staged_name("a.json", recorded.id, "deadbeef")).write_text("{}")
        (out / staged_name("b.json", _record(2, 1, 2).id, "deadbeef")).write_text("{}")
        (out / staged_name("c.json", recorded.id, "0badf00d")).write_text("{}")
        _adopt(out, "deadbeef", registry)
    names = sorted(p.name for p in out.iterdir())
    assert "a.json" in names  # recorded: put in place
    assert staged_name("b.json", _record(2, 1, 2).id, "deadbeef") in names  # not recorded: left
    assert staged_name("c.json", recorded.id, "0badf00d") in names  # another machine's: left
    assert len(names) == 3


# Servers and batches at once -----------------------------------------------------------------

_TOKEN = "s3cret-token-of-the-tests"


def _serve_and_issue(args: tuple[str, int]) -> list[str]:
    """An issuing server (the app of ``passeport serve``) answering 4 clients at once."""
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    from passeport.app import create_app
    from tests.issuer._helpers import diploma

    folder, count = args
    client = TestClient(create_app(issuer=Path(folder), token=_TOKEN))
    auth = {"Authorization": f"Bearer {_TOKEN}"}

    def one(n: int) -> str:
        data = diploma(n)
        data["holder"]["id"] = f"did:example:{os.getpid()}-{n}"
        response = client.post(
            "/credentials/issue", json={"template": "diploma", "data": data}, headers=auth
        )
        assert response.status_code == 201, response.text
        return str(response.json()["verifiableCredential"]["id"])

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(count)))


def test_servers_and_batches_issue_into_one_database(tmp_path: Path, postgres_url: str) -> None:
    servers = [_pg_profile(tmp_path / f"s{m}", postgres_url) for m in range(2)]
    batches = [_pg_profile(tmp_path / f"b{m}", postgres_url) for m in range(2)]
    jobs = []
    for m, profile in enumerate(batches):
        rows = class_rows(tmp_path / f"rows{m}.csv", 40)
        rows.write_text(rows.read_text("utf-8").replace("graduate", f"b{m}-graduate"), "utf-8")
        jobs.append((str(profile.directory), str(rows), str(tmp_path / f"out{m}")))
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        served = pool.map_async(_serve_and_issue, [(str(p.directory), 30) for p in servers])
        batched = pool.map_async(_batch_on, jobs)
        ids = [i for chunk in served.get(timeout=300) for i in chunk]
        assert batched.get(timeout=300) == [(40, 0), (40, 0)]
    for m in range(2):
        ids += [json.loads(p.read_text("utf-8"))["id"] for p in (tmp_path / f"out{m}").iterdir()]
    assert len(set(ids)) == len(ids) == 140
    with servers[0].open_registry() as registry:
        assert registry.count() == 140
        assert all(registry.find(i) is not None for i in ids)
    import psycopg

    with psycopg.connect(postgres_url) as raw:
        found = raw.execute("SELECT list_id, revocation_index, suspension_index FROM credentials")
        rows_found = found.fetchall()
    assert len({(r[0], r[1]) for r in rows_found}) == len({(r[0], r[2]) for r in rows_found}) == 140


def test_a_database_serves_one_profile_only(tmp_path: Path, postgres_url: str) -> None:
    """Two permutation secrets over one counter would give two credentials one index."""
    first = _pg_profile(tmp_path / "a", postgres_url)
    _pg_profile(tmp_path / "copy", postgres_url)  # the same profile on another machine
    with pytest.raises(InputError, match="belongs to another issuer profile"):
        _pg_profile(tmp_path / "b", postgres_url, seed=9)
    assert not (tmp_path / "b").exists()
    path = tmp_path / "copy" / "permutation.key"
    path.write_text((b"x" * 32).hex())
    with pytest.raises(InputError, match="belongs to another issuer profile"):
        Profile.open(tmp_path / "copy").open_registry()
    with first.open_registry() as registry:
        assert registry.count() == 0


def test_the_command_shares_a_batch_between_machines(tmp_path: Path, postgres_url: str) -> None:
    """Two machines run ``passeport issue --shared`` on one file: every row issued once."""
    profile = _pg_profile(tmp_path / "univ", postgres_url, seed=41)
    rows = class_rows(tmp_path / "rows.csv", 30)
    out = tmp_path / "out"
    command = ["issue", "diploma", "--issuer", str(profile.directory), "--csv", str(rows)]
    command += ["-o", str(out), "--shared", "--workers", "1", "--json"]
    env = {**os.environ, "NO_COLOR": "1"}
    machines = [
        subprocess.Popen(
            [sys.executable, "-m", "passeport", *command],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    said = [machine.communicate(timeout=120) for machine in machines]
    assert [m.returncode for m in machines] == [0, 0], said
    parts = [json.loads(stdout) for stdout, _ in said]
    assert sum(part["issued"] for part in parts) == 30
    assert len({part["worker"] for part in parts}) == 2
    files = list(out.iterdir())
    assert len(files) == 30
    with profile.open_registry() as registry:
        assert registry.count() == 30
    again = _passeport(*command[:-1])  # every row done: this machine finds nothing left
    assert again.returncode == 0 and "lots -, 0 délivrée(s)" in again.stdout  # nothing left
    refused = _passeport(*command, "--suite", "eddsa-jcs-2022")
    assert refused.returncode == 2 and "--suite" in refused.stderr
