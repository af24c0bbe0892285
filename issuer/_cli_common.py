"""What the issuer's command modules share: the --issuer and --json options, JSON output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["IssuerOption", "JsonOption", "echo_json"]

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
IssuerOption = Annotated[
    Path,
    typer.Option(
        "--issuer", help="The issuer profile folder ('passeport issuer init').", file_okay=False
    ),
]


def echo_json(value: object) -> None:
    """Print ``value`` as indented JSON, non-ASCII characters kept as they are."""
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))
