"""File input and output shared by every command: located errors, atomic writes.

Every file the toolkit writes goes through :func:`write_atomic`: written to a
temporary file beside its destination, flushed, then renamed, so that it
never exists half-written. Files are private (mode 0600: credentials hold
names, birth dates and e-mails) unless the caller says that they are meant
to be public (:data:`PUBLIC`: status lists, DID documents), and then the
process's umask still applies.

A leaf module like ``errors.py``: it imports nothing of the project but the
error tree, so every package may use it.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import sys
import tempfile
from itertools import accumulate
from pathlib import Path
from typing import Any, Final

from passeport.errors import InputError

__all__ = [
    "MAX_INPUT_BYTES",
    "MAX_JSON_DEPTH",
    "PRIVATE",
    "PUBLIC",
    "dump_json",
    "link_exclusive",
    "parse_json",
    "read_json_file",
    "read_text_file",
    "write_atomic",
]

MAX_INPUT_BYTES = 16 * 1024 * 1024
MAX_JSON_DEPTH = 100
"""How deep arrays and objects may nest in any JSON input (a credential nests about 10)."""
PRIVATE: Final = 0o600
"""The mode of every file holding personal data or secrets: credentials, wallets, keys, CVs."""
PUBLIC: Final = 0o644
"""The mode of files meant to be published (status lists, DID documents), less the umask."""


def read_text_file(path: Path, *, max_bytes: int = MAX_INPUT_BYTES) -> str:
    """Read a UTF-8 text file, refusing missing, unreadable or oversized files.

    Raises:
        InputError: naming the path.
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                f"file is {size} bytes, larger than the {max_bytes}-byte limit", where=str(path)
            )
        return path.read_text("utf-8")
    except FileNotFoundError:
        raise InputError("no such file", where=str(path)) from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", where=str(path)) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", where=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from None


class _DuplicateKey(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for name, _ in pairs:
            if name in seen:
                raise _DuplicateKey(name)
            seen.add(name)
    return result


def _not_json(constant: str) -> Any:
    raise ValueError(constant)


# JSON strings (removed whole first: brackets inside them do not count), and what is
# not a bracket.
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _too_deep(text: str, max_depth: int) -> bool:
    """Tell whether the JSON ``text`` nests arrays and objects more than ``max_depth`` deep."""
    if text.count("[") + text.count("{") <= max_depth:
        return False  # the common case, counted in C
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0) > max_depth


def parse_json(
    data: str | bytes,
    *,
    where: str | None,
    max_bytes: int = MAX_INPUT_BYTES,
    max_depth: int = MAX_JSON_DEPTH,
) -> Any:
    """Parse JSON text: the one reader of every JSON input (files, HTTP bodies, token parts).

    Strict RFC 8259: text larger than ``max_bytes``, nesting deeper than
    ``max_depth`` arrays and objects, a member name twice in one object, and
    ``NaN`` or ``Infinity`` are refused, as are bytes that are not UTF-8. A
    syntax error names the line and column.

    >>> parse_json('{"a": [1, 2]}', where="x.json")
    {'a': [1, 2]}
    >>> parse_json('{"a": 1, "a": 2}', where="x.json")
    Traceback (most recent call last):
    passeport.errors.InputError: x.json: member "a" appears twice in a JSON object
    >>> parse_json("[" * 200 + "]" * 200, where="x.json")
    Traceback (most recent call last):
    passeport.errors.InputError: x.json: JSON nested more than 100 levels deep (refused)

    Raises:
        InputError: naming ``where``.
    """
    if len(data) > max_bytes:
        raise InputError(f"JSON text larger than the {max_bytes}-byte limit", where=where)
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", where=where) from None
    try:
        value = json.loads(data, object_pairs_hook=_no_duplicates, parse_constant=_not_json)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}", where=where
        ) from None
    except _DuplicateKey as exc:
        name = exc.name if len(exc.name) <= 40 else exc.name[:40] + "..."
        reason = f"member {json.dumps(name)} appears twice in a JSON object"
        raise InputError(reason, where=where) from None
    except RecursionError:
        raise InputError(
            f"JSON nested more than {max_depth} levels deep (refused)", where=where
        ) from None
    except ValueError as exc:  # NaN, Infinity, -Infinity; an integer of too many digits
        if "int_max_str_digits" in str(exc) or "integer string conversion" in str(exc):
            limit = sys.get_int_max_str_digits()
            reason = f"an integer of more than {limit} digits (refused)"
            raise InputError(reason, where=where) from None
        raise InputError(f"{exc} is not a JSON value", where=where) from None
    if _too_deep(data, max_depth):
        raise InputError(f"JSON nested more than {max_depth} levels deep (refused)", where=where)
    return value


def read_json_file(path: Path, *, max_bytes: int = MAX_INPUT_BYTES) -> Any:
    """Read and parse a JSON file with :func:`parse_json`.

    Raises:
        InputError: missing, unreadable, oversized or malformed file, naming it.
    """
    return parse_json(read_text_file(path, max_bytes=max_bytes), where=str(path))


def dump_json(value: Any) -> str:
    """Serialize ``value`` as indented JSON with a final newline, keeping non-ASCII text."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _umask() -> int:
    """Return the process's umask without changing it (read from /proc on Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o077)  # elsewhere: read it by setting it, to the strictest value
    os.umask(current)
    return current


def write_atomic(
    path: Path, data: str | bytes, *, mode: int = PRIVATE, overwrite: bool = True
) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    The file never exists half-written (a crash leaves the old file or none,
    and at worst a hidden temporary file beside it), and it is created with
    ``mode``: :data:`PRIVATE` (0600, even under a umask of 022 or 0) unless
    the file is meant for everyone (:data:`PUBLIC`). The umask may only take
    permissions away, and the mode is set before any byte is written.

    Raises:
        InputError: the file exists and ``overwrite`` is false, or the folder
            cannot be written.
    """
    if not overwrite and path.exists():
        raise InputError("already exists; refusing to overwrite it", where=str(path))
    folder = path.parent if str(path.parent) else Path(".")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)  # mode 0600
    except OSError as exc:
        raise InputError(f"cannot write in {folder}: {exc.strerror}", where=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode & ~_umask() & 0o777)
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if not overwrite and path.exists():
            raise InputError("already exists; refusing to overwrite it", where=str(path))
        try:
            os.replace(temp_name, path)
        except OSError as exc:
            raise InputError(f"cannot write: {exc.strerror or exc}", where=str(path)) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def link_exclusive(temporary: Path, path: Path) -> None:
    """Move the complete file ``temporary`` to ``path`` unless ``path`` exists.

    Raises:
        FileExistsError: ``path`` exists (it is never clobbered).
        OSError: the move failed otherwise.
    """
    try:
        # link() fails if path appeared meanwhile, where replace() would clobber it.
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS):
            raise
        # A file system without hard links: fall back to check-then-rename.
        if os.path.lexists(path):
            raise FileExistsError(errno.EEXIST, "file exists", str(path)) from exc
        os.replace(temporary, path)
