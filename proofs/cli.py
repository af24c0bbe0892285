"""``passeport sign``: add a Data Integrity proof with a key file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from passeport._io import dump_json, read_json_file, write_atomic

__all__ = ["sign"]

SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-jcs-2019")


def sign(
    file: Annotated[Path, typer.Argument(help="The credential or presentation to sign (JSON).")],
    key: Annotated[Path, typer.Option("--key", help="Key file (Multikey JSON) of the signer.")],
    suite: Annotated[
        str, typer.Option(help=f"Cryptosuite: {', '.join(SUITES)}.")
    ] = "eddsa-rdfc-2022",
    challenge: Annotated[str | None, typer.Option(help="Challenge (presentations).")] = None,
    domain: Annotated[str | None, typer.Option(help="Domain (presentations).")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where to write; default stdout.")
    ] = None,
) -> None:
    """Sign a credential or presentation with your key, filling in the issuer or holder."""
    from did.keyfile import read_key_file
    from proofs.sign import sign_document

    if suite not in SUITES:
        raise typer.BadParameter(
            f'"{suite}" is not one of {", ".join(SUITES)}', param_hint="--suite"
        )
    document = read_json_file(file)
    pair = read_key_file(key)
    signed = sign_document(
        document, pair, suite=suite, challenge=challenge, domain=domain, where=str(file)
    )
    text = dump_json(signed)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomic(output, text)
        typer.echo(f"signed with {suite} by {pair.verification_method} -> {output}", err=True)
