"""``passeport wallet cv``: the presentation of ``wallet present``, as a readable HTML CV.

The page embeds the signed presentation (see :mod:`wallet.cv`); a recruiter
checks it with ``passeport verify CV.html --challenge C --domain D``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from wallet._cli_open import open_wallet
from wallet._cli_render import echo_json

__all__ = ["cv"]


def cv(
    challenge: Annotated[str, typer.Option(help="The challenge the recruiter gave you.")],
    domain: Annotated[str, typer.Option(help="The recruiter's domain.")],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="CV file to write (HTML).", dir_okay=False),
    ],
    credentials: Annotated[
        list[str] | None, typer.Argument(help="Credential ids to present (or use --request).")
    ] = None,
    reveal: Annotated[
        list[str] | None,
        typer.Option(
            "--reveal",
            help="JSON pointer of what to show, e.g. "
            "/credentialSubject/achievement/name (repeatable).",
        ),
    ] = None,
    request: Annotated[
        Path | None,
        typer.Option(
            help="The recruiter's request: DCQL query or Presentation Exchange definition (JSON).",
            dir_okay=False,
        ),
    ] = None,
    title: Annotated[str | None, typer.Option(help="Heading of the page.")] = None,
    wallet: Annotated[
        Path | None,
        typer.Option(
            "--wallet",
            envvar="PASSEPORT_WALLET",
            help="Wallet file (default: your data folder, or $PASSEPORT_WALLET).",
            dir_okay=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Write a CV (HTML) a recruiter can read and verify: a signed presentation inside."""
    from passeport._io import read_json_file, write_atomic
    from wallet import present as build
    from wallet.cv import render_cv

    if output.suffix.lower() == ".pdf":
        typer.echo("PDF is not supported; write CV.html", err=True)
        raise typer.Exit(2)
    if not challenge.strip() or not domain.strip():
        raise typer.BadParameter("give the recruiter's --challenge and --domain")
    opened = open_wallet(wallet)
    asked = read_json_file(request) if request is not None else None
    result = build(
        opened,
        tuple(credentials or ()),
        request=asked,
        reveal=tuple(reveal or ()),
        challenge=challenge,
        domain=domain,
        where=str(request) if request is not None else None,
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
