"""``passeport wallet cv``: the presentation of ``wallet present``, as a readable HTML CV.

The page embeds the signed presentation (see :mod:`wallet.cv`); a recruiter
checks it with ``passeport verify CV.html --challenge C --domain D``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Final

import typer

from passeport.wallet._cli_open import build_presentation
from passeport.wallet._cli_options import (
    AllowOtherSubjectOption,
    AllowUnverifiedOption,
    ChallengeOption,
    CredentialsArgument,
    DomainOption,
    JsonOption,
    RequestOption,
    RevealOption,
    ValidForOption,
    WalletOption,
)
from passeport.wallet._cli_render import echo_json

__all__ = ["CV_VALIDITY", "cv"]

CV_VALIDITY: Final = timedelta(days=90)
"""How long a CV's presentation holds by default: it is sent by e-mail and read later."""


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
    valid_for: ValidForOption = None,
    allow_unverified: AllowUnverifiedOption = False,
    allow_other_subject: AllowOtherSubjectOption = False,
    wallet: WalletOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write a CV (HTML) a recruiter can read and verify: a signed presentation inside.

    The presentation holds for 90 days unless --valid-for says otherwise. It
    is refused (exit 1) when a credential does not verify or is about
    someone else, unless you allow it.
    """
    from passeport._io import write_atomic
    from passeport.wallet.cv import render_cv

    if output.suffix.lower() == ".pdf":
        typer.echo("PDF is not supported; write CV.html", err=True)
        raise typer.Exit(2)
    result = build_presentation(
        wallet,
        credentials,
        reveal=reveal,
        request=request,
        challenge=challenge,
        domain=domain,
        valid_for=valid_for or CV_VALIDITY,
        allow_unverified=allow_unverified,
        allow_other_subject=allow_other_subject,
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
