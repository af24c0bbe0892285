"""``passeport sign`` and ``passeport derive``: add a proof with a key file, disclose a part."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Final

import typer

from passeport._io import dump_json, parse_json, read_json_file, read_text_file, write_atomic
from passeport.errors import PasseportError

__all__ = ["derive", "sign"]

# Data Integrity suites, signed by proofs.sign.sign_document. Other securing
# mechanisms (VC-JOSE, SD-JWT) add their own tuple and a branch in sign().
DATA_INTEGRITY: Final = (
    "eddsa-rdfc-2022",
    "eddsa-jcs-2022",
    "ecdsa-rdfc-2019",
    "ecdsa-jcs-2019",
    "ecdsa-sd-2023",
)
SUITES: Final = (*DATA_INTEGRITY,)


def _write(text: str, output: Path | None, note: str) -> None:
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_atomic(output, text)
        typer.echo(f"{note} -> {output}", err=True)


def sign(
    file: Annotated[Path, typer.Argument(help="The credential or presentation to sign (JSON).")],
    key: Annotated[Path, typer.Option("--key", help="Key file (Multikey JSON) of the signer.")],
    suite: Annotated[
        str, typer.Option(help=f"Cryptosuite: {', '.join(SUITES)}.")
    ] = "eddsa-rdfc-2022",
    mandatory: Annotated[
        list[str] | None,
        typer.Option(
            "--mandatory",
            help="JSON pointer the holder must always disclose (ecdsa-sd-2023; repeatable).",
        ),
    ] = None,
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
        document,
        pair,
        suite=suite,
        challenge=challenge,
        domain=domain,
        where=str(file),
        mandatory=tuple(mandatory or ()),
    )
    _write(dump_json(signed), output, f"signed with {suite} by {pair.verification_method}")


def derive(
    file: Annotated[
        Path, typer.Argument(help="A credential you hold, signed with ecdsa-sd-2023 (JSON).")
    ],
    reveal: Annotated[
        list[str] | None,
        typer.Option(
            "--reveal",
            help="JSON pointer of what to disclose, e.g. /credentialSubject/name (repeatable).",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where to write; default stdout.")
    ] = None,
) -> None:
    """Keep only what you choose to show from a credential; it still verifies."""
    from proofs.ecdsa_sd import derive as derive_disclosure

    where = str(file)
    document = parse_json(read_text_file(file), where=where)
    try:
        derived = derive_disclosure(document, tuple(reveal or ()))
    except PasseportError as exc:
        raise exc.located(where) from None
    shown = len(reveal or ())
    _write(dump_json(derived), output, f"derived a disclosure of {shown} pointer(s)")
