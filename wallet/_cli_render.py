"""How ``passeport wallet`` prints: JSON, progress bars, and what add, list and present did."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from passeport.wallet import AddOutcome, Presentation, WalletEntry

__all__ = [
    "echo_json",
    "print_entries",
    "print_outcomes",
    "print_presentation",
    "progress_bar",
]

_ALARMS = frozenset({"expired", "revoked", "suspended", "not-verified", "unverified"})


@contextlib.contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """Show a progress bar on stderr (when it is a terminal) for a long verification."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    errors = Console(stderr=True)
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=errors, disable=not errors.is_terminal, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def echo_json(value: Any) -> None:
    """Print ``value`` as indented JSON, non-ASCII characters kept as they are."""
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))


def print_outcomes(outcomes: Sequence[AddOutcome]) -> None:
    """Print one line per file ``add`` read: added, already held, or refused and why."""
    for outcome in outcomes:
        info = outcome.info
        if outcome.status == "refused" or info is None:
            typer.echo(f"{outcome.where}: {outcome.reason}")
            continue
        verdict = "verified" if info.verification.verified else "NOT verified"
        flags = ", ".join(map(str, outcome.flags))
        title = info.title or "credential"
        what = {"duplicate": "already held as", "kept": "kept as"}.get(outcome.status, "added as")
        typer.echo(
            f"{outcome.where}: {title} {what} {outcome.id} ({verdict}"
            + (f"; {flags}" if flags else "")
            + ")"
        )
        for message in info.verification.messages:
            typer.echo(f"    {message}")


def print_entries(entries: Sequence[WalletEntry], now: datetime) -> None:
    """Print the credentials as a table (flags as of ``now``), then how many there are."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False, emoji=False, soft_wrap=not sys.stdout.isatty())
    table = Table(show_header=True, header_style="bold", expand=True)
    table.add_column("id", no_wrap=True)
    table.add_column("type")
    table.add_column("title", ratio=2)
    table.add_column("issuer", ratio=1)
    table.add_column("valid", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for entry in entries:
        info = entry.info
        types = [t for t in info.types if t != "VerifiableCredential"] or [info.vct or ""]
        dates = "\n→ ".join(d[:10] for d in (info.valid_from, info.valid_until) if d)
        # Text, not markup: titles and names come from issuers, brackets and all.
        status = Text("verified" if info.verification.verified else "NOT verified")
        for flag in info.flags_at(now):
            status.append(f"\n{flag}", style="red" if flag in _ALARMS else "")
        table.add_row(
            Text(entry.id),
            Text(", ".join(types)),
            Text(info.title or ""),
            Text(info.issuer_name or info.issuer or ""),
            Text(dates),
            status,
        )
    console.print(table)
    console.print(f"{len(entries)} credential(s)")


def print_presentation(result: Presentation, output: Path, written: Path | None) -> None:
    """Print what ``present`` showed of each credential, its notes, and the files it wrote."""
    for item in result.credentials:
        answered = f" for {', '.join(item.queries)}" if item.queries else ""
        flagged = f" [{', '.join(map(str, item.flags))}]" if item.flags else ""
        typer.echo(f"{item.id} {item.title or ''}{answered}: {item.disclosure}{flagged}")
    for note in result.notes:
        typer.echo(f"note: {note}")
    typer.echo(f"presentation -> {output}")
    if written is not None:
        typer.echo(f"presentation submission -> {written}")
