"""How ``passeport wallet`` finds and unlocks the wallet, and reaches the network.

The file is ``--wallet`` (Typer reads ``$PASSEPORT_WALLET`` into it), else the
XDG data folder; passphrases come from the environment, else a hidden prompt.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from passeport.verifier import Environment
    from passeport.wallet import Presentation, Wallet

__all__ = [
    "build_presentation",
    "default_wallet_path",
    "environment",
    "open_wallet",
    "passphrase",
    "wallet_path",
]


def default_wallet_path(environ: Mapping[str, str], home: Path) -> Path:
    """Return where the wallet lives by default: the XDG data folder, else ~/.local/share."""
    base = environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    return Path(base) / "passeport" / "wallet.sqlite"


def wallet_path(wallet: Path | None) -> Path:
    """Return the wallet file: the one given, else the default for this user."""
    return wallet or default_wallet_path(os.environ, Path.home())


def passphrase(
    *, confirm: bool, variable: str = "PASSEPORT_PASSPHRASE", label: str = "Wallet passphrase"
) -> str:
    """Return the passphrase in ``$variable``, else ask for it (hidden, twice if ``confirm``)."""
    given = os.environ.get(variable)
    if given:
        return given
    text: str = typer.prompt(label, hide_input=True, confirmation_prompt=confirm)
    return text


def open_wallet(wallet: Path | None) -> Wallet:
    """Open and unlock the wallet file (see :func:`wallet_path`)."""
    from passeport.wallet import Wallet

    return Wallet.open(wallet_path(wallet), passphrase(confirm=False))


def environment(cache: Path | None, *, offline: bool) -> Environment:
    """Return the verification environment: HTTPS unless ``offline``, ``cache`` first."""
    from passeport.did.fetch import HttpsFetcher, NoNetwork
    from passeport.verifier import Environment

    env = Environment(fetcher=NoNetwork() if offline else HttpsFetcher(timeout=5.0))
    return env.with_cache(cache) if cache is not None else env


def build_presentation(
    wallet: Path | None,
    credentials: list[str] | None,
    *,
    reveal: list[str] | None,
    request: Path | None,
    challenge: str,
    domain: str,
    valid_for: timedelta | None,
    allow_unverified: bool,
    allow_other_subject: bool,
) -> Presentation:
    """Open the wallet and build the presentation ``present`` and ``cv`` write.

    A credential the wallet refuses to present (it does not verify, or it is
    about someone else) ends the command: one line per refusal on stderr,
    exit 1, nothing written.
    """
    from passeport._io import read_json_file
    from passeport.wallet import PresentationRefused, present

    if not challenge.strip() or not domain.strip():
        raise typer.BadParameter("give the recruiter's --challenge and --domain")
    opened = open_wallet(wallet)
    asked = read_json_file(request) if request is not None else None
    try:
        return present(
            opened,
            tuple(credentials or ()),
            request=asked,
            reveal=tuple(reveal or ()),
            challenge=challenge,
            domain=domain,
            valid_for=valid_for,
            allow_unverified=allow_unverified,
            allow_other_subject=allow_other_subject,
            where=str(request) if request is not None else None,
        )
    except PresentationRefused as refused:
        for reason in refused.reasons:
            typer.echo(f"passeport: refused: {reason}", err=True)
        raise typer.Exit(1) from None
