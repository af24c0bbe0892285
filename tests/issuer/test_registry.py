"""The registry: records round-trip, counters never hand out a position twice, portable SQL."""

from __future__ import annotations

import doctest
import multiprocessing
import re
import sqlite3
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import passeport.issuer._sql
from passeport.errors import InputError
from passeport.issuer.registry import (
    SCHEMA,
    STATEMENTS,
    CredentialRecord,
    CredentialState,
    Dialect,
    Registry,
)

SIZE = 131_072
NOW = "2026-01-15T12:00:00Z"


def _urls(list_id: int) -> tuple[str, str]:
    return (
        f"https://u.example/status/revocation-{list_id}",
        f"https://u.example/status/suspension-{list_id}",
    )


def _record(n: int, *, list_id: int = 1, row_key: str | None = None) -> CredentialRecord:
    return CredentialRecord(
        id=f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        template="diploma",
        subject=f"did:example:{n}",
        list_id=list_id,
        revocation_index=1000 + n,
        suspension_index=2000 + n,
        issued=NOW,
        valid_from=NOW,
        valid_until=None if n % 2 else "2030-01-01T00:00:00Z",
        row_key=row_key,
    )


@pytest.fixture
def registry(tmp_path: Path) -> Any:
    with Registry.open(tmp_path / "r.sqlite", create=True) as opened:
        yield opened


def test_records_round_trip(registry: Registry) -> None:
    registry.allocate(3, size=SIZE, urls=_urls, now=NOW)
    records = [_record(n, row_key=f"{n:064x}" if n else None) for n in range(3)]
    registry.add(records)
    assert registry.count() == 3
    for record in records:
        assert registry.find(record.id) == record
    assert registry.find("urn:uuid:unknown") is None
    found = registry.find_rows([f"{1:064x}", f"{2:064x}", f"{9:064x}"])
    assert found == {f"{1:064x}": records[1], f"{2:064x}": records[2]}
    [status_list] = registry.lists()
    assert (status_list.id, status_list.size, status_list.allocated) == (1, SIZE, 3)
    assert status_list.url("revocation") == _urls(1)[0]
    assert status_list.url("suspension") == _urls(1)[1]
    with pytest.raises(ValueError, match="purpose"):
        status_list.url("message")


def test_no_personal_data_is_stored() -> None:
    [table] = [s for s in SCHEMA if "TABLE IF NOT EXISTS credentials" in s]
    columns = {line.split()[0] for line in table.splitlines()[1:-1]}
    assert columns == {
        "id",
        "template",
        "subject",
        "list_id",
        "revocation_index",
        "suspension_index",
        "issued",
        "valid_from",
        "valid_until",
        "row_key",
        "state",
        "changed",
        "reason",
    }


def test_transitions_and_history(registry: Registry) -> None:
    registry.allocate(1, size=SIZE, urls=_urls, now=NOW)
    record = _record(5)
    registry.add([record])
    everything = frozenset(CredentialState)
    found = registry.transition(
        record.id,
        to=CredentialState.SUSPENDED,
        allowed_from=frozenset({CredentialState.ACTIVE}),
        reason="inquiry",
        at="2026-02-01T00:00:00Z",
    )
    assert found == record
    assert registry.set_bits(1, "suspension") == [2005]
    assert registry.set_bits(1, "revocation") == []
    # Not allowed from the current state: nothing changes.
    unchanged = registry.transition(
        record.id,
        to=CredentialState.ACTIVE,
        allowed_from=frozenset({CredentialState.REVOKED}),
        reason=None,
        at="2026-02-02T00:00:00Z",
    )
    assert unchanged is not None and unchanged.state is CredentialState.SUSPENDED
    registry.transition(
        record.id,
        to=CredentialState.REVOKED,
        allowed_from=everything,
        reason="fraud",
        at="2026-02-03T00:00:00Z",
    )
    now = registry.find(record.id)
    assert now is not None
    assert (now.state, now.reason, now.changed) == (
        CredentialState.REVOKED,
        "fraud",
        "2026-02-03T00:00:00Z",
    )
    assert registry.set_bits(1, "revocation") == [1005]
    assert registry.set_bits(1, "suspension") == []
    assert [(c.state, c.reason) for c in registry.history(record.id)] == [
        (CredentialState.SUSPENDED, "inquiry"),
        (CredentialState.REVOKED, "fraud"),
    ]
    assert (
        registry.transition(
            "urn:uuid:x", to=CredentialState.REVOKED, allowed_from=everything, reason=None, at=NOW
        )
        is None
    )


def test_duplicates_are_refused_all_or_nothing(registry: Registry) -> None:
    registry.allocate(3, size=SIZE, urls=_urls, now=NOW)
    registry.add([_record(1, row_key="a" * 64)])
    with pytest.raises(InputError, match="already recorded"):
        registry.add([_record(2), _record(1)])
    assert registry.find(_record(2).id) is None
    with pytest.raises(InputError, match="already recorded"):
        registry.add([_record(3, row_key="a" * 64)])
    assert registry.count() == 1


def test_allocation_rolls_over_to_a_new_list(registry: Registry) -> None:
    first = registry.allocate(SIZE - 2, size=SIZE, urls=_urls, now=NOW)
    assert first[0] == (1, 0) and first[-1] == (1, SIZE - 3)
    more = registry.allocate(5, size=SIZE, urls=_urls, now=NOW)
    assert more == [(1, SIZE - 2), (1, SIZE - 1), (2, 0), (2, 1), (2, 2)]
    assert [(s.id, s.allocated) for s in registry.lists()] == [(1, SIZE), (2, 3)]
    assert registry.lists()[1].revocation_url.endswith("revocation-2")
    assert registry.allocate(0, size=SIZE, urls=_urls, now=NOW) == []


def test_lists_smaller_than_the_minimum_are_refused(registry: Registry) -> None:
    with pytest.raises(ValueError, match="at least 131072"):
        registry.allocate(1, size=SIZE - 1, urls=_urls, now=NOW)
    with pytest.raises(ValueError, match="negative"):
        registry.allocate(-1, size=SIZE, urls=_urls, now=NOW)
    assert registry.lists() == []


def _allocate_many(path: str, rounds: int, per_round: int) -> list[tuple[int, int]]:
    taken: list[tuple[int, int]] = []
    with Registry.open(Path(path)) as registry:
        for _ in range(rounds):
            taken.extend(registry.allocate(per_round, size=SIZE, urls=_urls, now=NOW))
    return taken


def test_concurrent_threads_never_share_a_position(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    Registry.open(path, create=True).close()
    # Start near the end of list 1 so that threads race across a roll-over too.
    _allocate_many(str(path), 1, SIZE - 150)
    results: list[list[tuple[int, int]]] = []
    lock = threading.Lock()

    def work() -> None:
        taken = _allocate_many(str(path), 20, 3)
        with lock:
            results.append(taken)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [slot for taken in results for slot in taken]
    assert len(every) == 8 * 20 * 3 == len(set(every))
    assert {list_id for list_id, _ in every} == {1, 2}
    assert sorted(every)[:150] == [(1, p) for p in range(SIZE - 150, SIZE)]


def test_concurrent_processes_never_share_a_position(tmp_path: Path) -> None:
    path = tmp_path / "r.sqlite"
    Registry.open(path, create=True).close()
    with ProcessPoolExecutor(
        max_workers=4, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        futures = [pool.submit(_allocate_many, str(path), 25, 4) for _ in range(4)]
        every = [slot for future in futures for slot in future.result()]
    assert len(every) == 400 == len(set(every))
    assert sorted(every) == [(1, p) for p in range(400)]


def test_unusable_databases_are_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no registry database here"):
        Registry.open(tmp_path / "none.sqlite")
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError, match=r"garbage\.sqlite"):
        Registry.open(garbage)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x INTEGER)").connection.close()
    with pytest.raises(InputError, match="not a passeport registry"):
        Registry.open(other)


SQLITE_ONLY = (
    r"\bINSERT\s+OR\b",
    r"\bREPLACE\b",
    r"\bAUTOINCREMENT\b",
    r"\bPRAGMA\b",
    r"\bRETURNING\b",
    r"\bGLOB\b",
    r"\bROWID\b",
    r"\bIMMEDIATE\b",
    r"\bWITHOUT\s+ROWID\b",
    r"`",
    r"\bIFNULL\b",
    r"\bdatetime\(",
)


@pytest.mark.parametrize("statement", [*SCHEMA, *STATEMENTS.values()])
def test_statements_use_sql_common_to_sqlite_and_postgresql(statement: str) -> None:
    for pattern in SQLITE_ONLY:
        assert re.search(pattern, statement, re.IGNORECASE) is None, (pattern, statement)
    assert "%" not in statement and ":" not in statement


def test_parameters_convert_to_the_driver_style() -> None:
    pg = Dialect("psycopg", "format", "BEGIN", Exception, Exception)
    assert pg.sql(STATEMENTS["take"]) == (
        "UPDATE status_lists SET allocated = %s WHERE id = %s AND allocated = %s"
    )
    assert Dialect("x", "pyformat", "BEGIN", Exception, Exception).sql("a ? %") == "a %s %%"
    with pytest.raises(ValueError, match="not supported"):
        Dialect("x", "numeric", "BEGIN", Exception, Exception).sql("?")


class _FormatCursor:
    """A psycopg-like cursor (``%s`` parameters) over sqlite3, to run the converted SQL."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    def execute(self, operation: str, parameters: tuple[Any, ...] = ()) -> Any:
        assert "?" not in operation, operation
        return self._cursor.execute(operation.replace("%s", "?").replace("%%", "%"), parameters)

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> Any:
        return self._cursor.fetchall()

    def close(self) -> None:
        self._cursor.close()


class _FormatConnection:
    def __init__(self, path: Path) -> None:
        self._connection = sqlite3.connect(path, isolation_level=None)

    def cursor(self) -> _FormatCursor:
        return _FormatCursor(self._connection.cursor())

    def close(self) -> None:
        self._connection.close()


def test_the_registry_runs_through_a_format_paramstyle_driver(tmp_path: Path) -> None:
    dialect = Dialect("pglike", "format", "BEGIN", sqlite3.Error, sqlite3.IntegrityError)
    with Registry(_FormatConnection(tmp_path / "r.sqlite"), dialect=dialect) as registry:
        registry.create_schema()
        assert registry.allocate(2, size=SIZE, urls=_urls, now=NOW) == [(1, 0), (1, 1)]
        registry.add([_record(1, row_key="b" * 64)])
        assert registry.find_rows(["b" * 64])["b" * 64] == _record(1, row_key="b" * 64)
        registry.transition(
            _record(1).id,
            to=CredentialState.REVOKED,
            allowed_from=frozenset({CredentialState.ACTIVE}),
            reason="r",
            at=NOW,
        )
        assert registry.set_bits(1, "revocation") == [1001]
        assert len(registry.history(_record(1).id)) == 1


def test_docstring_examples_run() -> None:
    failures, tried = doctest.testmod(passeport.issuer._sql)
    assert tried > 0 and failures == 0
