"""The options that several ``passeport wallet`` commands share, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from verifier.cli import CacheOption, OfflineOption

__all__ = [
    "CacheOption",
    "ChallengeOption",
    "CredentialsArgument",
    "DomainOption",
    "JsonOption",
    "OfflineOption",
    "RequestOption",
    "RevealOption",
    "WalletOption",
]

WalletOption = Annotated[
    Path | None,
    typer.Option(
        "--wallet",
        envvar="PASSEPORT_WALLET",
        help="Wallet file (default: your data folder, or $PASSEPORT_WALLET).",
        dir_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ChallengeOption = Annotated[str, typer.Option(help="The challenge the recruiter gave you.")]
DomainOption = Annotated[str, typer.Option(help="The recruiter's domain.")]
CredentialsArgument = Annotated[
    list[str] | None, typer.Argument(help="Credential ids to present (or use --request).")
]
RevealOption = Annotated[
    list[str] | None,
    typer.Option(
        "--reveal",
        help="JSON pointer of what to show, e.g. /credentialSubject/achievement/name (repeatable).",
    ),
]
RequestOption = Annotated[
    Path | None,
    typer.Option(
        help="The recruiter's request: DCQL query or Presentation Exchange definition (JSON).",
        dir_okay=False,
    ),
]
