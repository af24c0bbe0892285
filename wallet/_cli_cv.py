"""``passeport wallet cv``: the presentation of ``wallet present``, as a readable HTML CV.

The page embeds the signed presentation (see :mod:`wallet.cv`); a recruiter
checks it with ``passeport verify CV.html --challenge C --domain D``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wallet._cli_open import build_presentation
from wallet._cli_options import (
    ChallengeOption,
    CredentialsArgument,
    DomainOption,
    JsonOption,
    RequestOption,
    RevealOption,
    WalletOption,
)
from wallet._cli_render import echo_json

__all__ = ["cv"]


def cv(
    challenge: ChallengeOption,
    domain: DomainOption,
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="CV file to write (HTML).", dir_okay=False),
    ],
    credentials: CredentialsArgument = None,
    reveal: RevealOption = None,
    request: RequestOption = None,
    title: Annotated[str | None, typer.Option(help="Heading of the page.")] = None,
    wallet: WalletOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write a CV (HTML) a recruiter can read and verify: a signed presentation inside."""
    from passeport._io import write_atomic
    from wallet.cv import render_cv

    if output.suffix.lower() == ".pdf":
        typer.echo("PDF is not supported; write CV.html", err=True)
        raise typer.Exit(2)
    result = build_presentation(
        wallet, credentials, reveal=reveal, request=request, challenge=challenge, domain=domain
    )
    page = render_cv(result.document, result.credentials, title=title)
    write_atomic(output, page, mode=0o600)
    if as_json:
        echo_json({"cv": str(output), **result.summary()})
        return
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    typer.echo(f"{len(result.credentials)} credential(s) in {output}")
    typer.echo(f"to check it: passeport verify {output} --challenge ... --domain ...")
