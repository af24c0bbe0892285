"""The options that several ``passeport wallet`` commands share, declared once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Final

import typer

from passeport.verifier.cli import CacheOption, OfflineOption

__all__ = [
    "AllowOtherSubjectOption",
    "AllowUnverifiedOption",
    "CacheOption",
    "ChallengeOption",
    "CredentialsArgument",
    "DomainOption",
    "JsonOption",
    "OfflineOption",
    "RequestOption",
    "RevealOption",
    "ValidForOption",
    "WalletOption",
    "parse_validity",
]

MAX_VALIDITY: Final = timedelta(days=3660)

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
AllowUnverifiedOption = Annotated[
    bool,
    typer.Option(
        "--allow-unverified",
        help="Present a credential even though it does not verify (revoked, expired...); "
        "the recruiter's check will say so.",
    ),
]
AllowOtherSubjectOption = Annotated[
    bool,
    typer.Option(
        "--allow-other-subject",
        help="Present a credential about someone else (not your DID); "
        "the recruiter's check will say so.",
    ),
]


def parse_validity(text: str) -> timedelta:
    """Read how long a presentation holds: 30d, 12h, 90m, 2w, 1d12h.

    The units are those of :func:`proofs.dates.parse_duration` (and of
    ``verify --max-age``).

    >>> parse_validity("30d"), parse_validity(" 90m ")
    (datetime.timedelta(days=30), datetime.timedelta(seconds=5400))

    Raises:
        typer.BadParameter: not a duration, zero, or longer than ten years (exit 2).
    """
    from passeport.errors import InputError
    from passeport.proofs.dates import parse_duration

    try:
        age = parse_duration(text)
    except InputError as exc:
        raise typer.BadParameter(exc.message) from None
    if age > MAX_VALIDITY:
        raise typer.BadParameter(f"{text.strip()[:40]!r}: a presentation holds for 3660d at most")
    return age


ValidForOption = Annotated[
    timedelta | None,
    typer.Option(
        "--valid-for",
        metavar="AGE",
        parser=parse_validity,
        help="How long the presentation holds from now, e.g. 30d, 12h, 90m.",
    ),
]
