"""Reading batch rows: a CSV file (header, then one row per credential) or JSON Lines.

A CSV file may come from any spreadsheet: its separator (comma, semicolon or
tab) is detected with :class:`csv.Sniffer`, and its encoding is UTF-8 (with or
without a byte order mark) or else Windows-1252, as a French spreadsheet saves
it. JSON Lines is UTF-8, as JSON is. :func:`open_rows` reads the file whole
once: a file that cannot be read as a whole (missing, undecodable, malformed
CSV, no or duplicate header) is refused with an
:class:`~passeport.errors.InputError`; a row that cannot be read is returned
with its problem, so that the batch reports it and goes on. Row numbers are
line numbers: a CSV header is row 1.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

from passeport._io import parse_json
from passeport.errors import InputError

__all__ = ["Row", "RowFile", "describe", "format_of", "open_rows", "read_rows"]

_DELIMITERS: Final = ",;\t"
_SAMPLE: Final = 64 * 1024
_UTF8_BOM: Final = b"\xef\xbb\xbf"
_ENCODING_NAMES: Final = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "cp1252": "Windows-1252",
}
_DELIMITER_NAMES: Final = {",": "comma", ";": "semicolon", "\t": "tab"}


@dataclass(frozen=True, slots=True)
class Row:
    """One row: its line number, its content, and why it cannot be used, if so."""

    number: int
    content: Any  # dict[str, str] (CSV) or any JSON value (JSON Lines)
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class RowFile:
    """A rows file read once: its format, how it is encoded and separated, its header, its rows.

    ``encoding`` is a Python codec name (``utf-8``, ``utf-8-sig``, ``cp1252``);
    ``delimiter`` and ``header`` are those of a CSV file (None and () for JSON Lines).
    """

    path: Path
    format: str
    encoding: str
    rows: int
    delimiter: str | None = None
    header: tuple[str, ...] = ()

    def describe(self) -> str:
        """Say in a few words how the file was read: ``CSV, semicolon-separated, Windows-1252``."""
        return describe(self.encoding, self.delimiter)


def describe(encoding: str, delimiter: str | None) -> str:
    """Say how a rows file was read; ``delimiter`` is None for JSON Lines."""
    name = _ENCODING_NAMES.get(encoding, encoding)
    if delimiter is None:
        return f"JSON Lines, {name}"
    separator = _DELIMITER_NAMES.get(delimiter, repr(delimiter))
    return f"CSV, {separator}-separated, {name}"


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


def _open(path: Path, encoding: str) -> IO[str]:
    try:
        return path.open(encoding=encoding, newline="")
    except FileNotFoundError:
        raise InputError("no such file", where=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from None


def _starts_with_bom(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(_UTF8_BOM)) == _UTF8_BOM
    except FileNotFoundError:
        raise InputError("no such file", where=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from None


def _delimiter(sample: str) -> str:
    """Detect the CSV separator among comma, semicolon and tab (comma when nothing tells)."""
    if len(sample) >= _SAMPLE and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # whole lines only
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:  # one column, or lines too irregular to tell: the header line decides
        header = sample.splitlines()[0] if sample.strip() else ""
        counts = {d: header.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _csv_rows(path: Path, encoding: str, delimiter: str) -> Iterator[Row | tuple[str, ...]]:
    """Yield the header (a tuple), then the rows."""
    with _open(path, encoding) as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        try:
            header = next(reader, None)
            if header is None or not any(name.strip() for name in header):
                raise InputError("no header row (the column names)", where=str(path))
            names = [name.strip().lstrip("\ufeff").strip() for name in header]
            duplicates = sorted({n for n in names if names.count(n) > 1})
            if duplicates:
                raise InputError(
                    f"column {duplicates[0]!r} appears twice in the header", where=str(path)
                )
            yield tuple(names)
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


def _jsonl_rows(path: Path, encoding: str) -> Iterator[Row]:
    with _open(path, encoding) as handle:
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


def _scan(path: Path, fmt: str, encoding: str) -> RowFile:
    """Read ``path`` whole with ``encoding``; raise UnicodeDecodeError if it does not fit."""
    if fmt == "jsonl":
        return RowFile(path, fmt, encoding, sum(1 for _ in _jsonl_rows(path, encoding)))
    with _open(path, encoding) as handle:
        delimiter = _delimiter(handle.read(_SAMPLE))
    header: tuple[str, ...] = ()
    count = 0
    for item in _csv_rows(path, encoding, delimiter):
        if isinstance(item, tuple):
            header = item
        else:
            count += 1
    return RowFile(path, fmt, encoding, count, delimiter, header)


def open_rows(path: Path, fmt: str) -> RowFile:
    """Read ``path`` (``fmt`` is ``csv`` or ``jsonl``) whole: detect how, check it, count its rows.

    A CSV file is UTF-8 (a byte order mark is skipped) or else Windows-1252;
    JSON Lines is UTF-8.

    Raises:
        InputError: the file cannot be read as a whole: missing, not text in
            those encodings, malformed CSV, no header or a repeated column.
    """
    bom = _starts_with_bom(path)
    encoding = "utf-8-sig" if bom else "utf-8"
    try:
        return _scan(path, fmt, encoding)
    except UnicodeDecodeError as exc:
        if bom or fmt == "jsonl":
            raise InputError(f"not UTF-8 text (byte {exc.start})", where=str(path)) from None
    try:
        return _scan(path, fmt, "cp1252")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"neither UTF-8 nor Windows-1252 text (byte {exc.start})", where=str(path)
        ) from None


def read_rows(source: RowFile) -> Iterator[Row]:
    """Yield the rows of a file :func:`open_rows` read, skipping blank lines.

    Raises:
        InputError: the file changed since and can no longer be read (raised while iterating).
    """
    try:
        if source.format == "jsonl":
            yield from _jsonl_rows(source.path, source.encoding)
            return
        for item in _csv_rows(source.path, source.encoding, source.delimiter or ","):
            if isinstance(item, Row):
                yield item
    except UnicodeDecodeError as exc:
        raise InputError(
            f"no longer {_ENCODING_NAMES[source.encoding]} text (byte {exc.start})",
            where=str(source.path),
        ) from None
