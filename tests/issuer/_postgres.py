"""A throwaway PostgreSQL cluster for the tests: initdb + pg_ctl on a unix socket in /tmp.

The cluster runs as an unprivileged user (``nobody`` when the tests run as
root, since PostgreSQL refuses root), listens on no TCP port, and is removed
at the end of the session. ``PASSEPORT_TEST_POSTGRES=postgresql://...`` uses
an existing server instead (each test creates its own database there).

Without the PostgreSQL binaries (Debian: ``apt-get install postgresql``, which
puts them in ``/usr/lib/postgresql/N/bin``) or psycopg, the tests are
skipped, unless ``PASSEPORT_REQUIRE_POSTGRES=1`` (as in CI), where they fail.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_counter = itertools.count(1)
_INITDB = ("--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C")
_WAIT = ("-w", "-t", "60", "start")


def _unavailable(reason: str) -> None:
    if os.environ.get("PASSEPORT_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL required (PASSEPORT_REQUIRE_POSTGRES=1): {reason}")
    pytest.skip(reason)


def _bin_dir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    return ["runuser", "-u", owner, "--", *command] if owner else command


class Unavailable(Exception):
    """No PostgreSQL can be started here (the reason is the message)."""


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a cluster in a new folder of /tmp and yield its admin URL; remove it afterwards.

    Raises:
        Unavailable: no binaries, or the cluster did not start.
    """
    bin_dir = _bin_dir()
    if bin_dir is None:
        raise Unavailable("no PostgreSQL binaries (initdb) here")
    owner = "nobody" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="pg", dir="/tmp"))  # short: a socket path is < 108 bytes
    if owner:
        shutil.chown(base, owner)
    data = base / "data"
    log = base / "log"
    try:
        subprocess.run(
            _as_owner(
                [str(bin_dir / "initdb"), "-D", str(data), "-U", "passeport", *_INITDB], owner
            ),
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = f"-k {base} -c listen_addresses='' -F -c max_connections=200"
        subprocess.run(
            _as_owner(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, *_WAIT],
                owner,
            ),
            check=True,
            capture_output=True,
            timeout=90,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        shutil.rmtree(base, ignore_errors=True)
        raise Unavailable(
            f"cannot start PostgreSQL: {exc} {detail.decode(errors='replace')[-500:]}"
        ) from None
    try:
        yield f"postgresql://passeport@/postgres?host={base}"
    finally:
        subprocess.run(
            _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], owner),
            capture_output=True,
            timeout=60,
            check=False,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Yield the admin URL of a running PostgreSQL server (a fresh cluster by default)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[test]')")
    given = os.environ.get("PASSEPORT_TEST_POSTGRES")
    if given:
        yield given
        return
    try:
        cluster = throwaway_cluster()
        url = cluster.__enter__()
    except Unavailable as exc:
        _unavailable(str(exc))
        return
    try:
        yield url
    finally:
        cluster.__exit__(None, None, None)


def _with_database(url: str, database: str) -> str:
    head, _, query = url.partition("?")
    scheme_host = head.rsplit("/", 1)[0]
    return f"{scheme_host}/{database}" + (f"?{query}" if query else "")


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """Yield the URL of a new, empty database on the test server, dropped afterwards."""
    import psycopg

    name = f"passeport_test_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(postgres_server, name)
    finally:
        with psycopg.connect(postgres_server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
