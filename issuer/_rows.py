"""Reading batch rows: a CSV file (header, then one row per credential) or JSON Lines.

A file that cannot be read as a whole (missing, not UTF-8, malformed CSV, no
or duplicate header) is refused with an :class:`~passeport.errors.InputError`;
a row that cannot be read is returned with its problem, so that the batch
reports it and goes on. Row numbers are line numbers: a CSV header is row 1.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from passeport._io import parse_json
from passeport.errors import InputError

__all__ = ["Row", "count_rows", "format_of", "read_rows"]


@dataclass(frozen=True, slots=True)
class Row:
    """One row: its line number, its content, and why it cannot be used, if so."""

    number: int
    content: Any  # dict[str, str] (CSV) or any JSON value (JSON Lines)
    problem: str | None = None


def format_of(path: Path, fmt: str | None) -> str:
    """Return ``csv`` or ``jsonl``: ``fmt`` if given, else from the file name's suffix.

    Raises:
        InputError: neither.
    """
    if fmt is None:
        fmt = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(path.suffix.lower())
    if fmt not in ("csv", "jsonl"):
        raise InputError("rows must be a CSV (.csv) or JSON Lines (.jsonl) file", where=str(path))
    return fmt


def _open(path: Path) -> Any:
    try:
        return path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputError("no such file", where=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from None


def _csv_rows(path: Path) -> Iterator[Row]:
    with _open(path) as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
            if header is None or not any(name.strip() for name in header):
                raise InputError("no header row (the column names)", where=str(path))
            names = [name.strip() for name in header]
            duplicates = sorted({n for n in names if names.count(n) > 1})
            if duplicates:
                raise InputError(
                    f"column {duplicates[0]!r} appears twice in the header", where=str(path)
                )
            end = reader.line_num
            for values in reader:
                number, end = end + 1, reader.line_num
                if not any(value.strip() for value in values):
                    continue
                problem = None
                if len(values) != len(names):
                    problem = f"has {len(values)} fields but the header has {len(names)} columns"
                yield Row(number, dict(zip(names, values, strict=False)), problem)
        except csv.Error as exc:
            raise InputError(
                f"malformed CSV at line {reader.line_num}: {exc}", where=str(path)
            ) from None
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", where=str(path)) from None


def _jsonl_rows(path: Path) -> Iterator[Row]:
    with _open(path) as handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    content = parse_json(line, where=None)
                except InputError as exc:  # a line of its own: its column says where
                    yield Row(number, None, exc.message.replace("at line 1, column", "at column"))
                    continue
                problem = None if isinstance(content, dict) else "is not a JSON object"
                yield Row(number, content, problem)
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", where=str(path)) from None


def read_rows(path: Path, fmt: str) -> Iterator[Row]:
    """Yield the rows of ``path`` (``fmt`` is ``csv`` or ``jsonl``), skipping blank lines.

    Raises:
        InputError: the file cannot be read as a whole (raised while iterating).
    """
    return _csv_rows(path) if fmt == "csv" else _jsonl_rows(path)


def count_rows(path: Path, fmt: str) -> int:
    """Count the rows of ``path``, reading it whole (so that a broken file is refused first)."""
    return sum(1 for _ in read_rows(path, fmt))
