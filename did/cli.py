"""``passeport key``: create a signing key with its DID, and show a key file's public side."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from passeport.did.keyfile import KeyPair, read_key_file, write_key_file
from passeport.did.keys import KeyAlgorithm
from passeport.did.web import did_web_url

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True, help="Create and inspect signing keys and their DIDs.")


class KeyType(StrEnum):
    """Key types as the command line spells them."""

    ED25519 = "ed25519"
    P256 = "p256"
    P384 = "p384"


_ALGORITHMS = {
    KeyType.ED25519: KeyAlgorithm.ED25519,
    KeyType.P256: KeyAlgorithm.P256,
    KeyType.P384: KeyAlgorithm.P384,
}


def _summary(pair: KeyPair) -> str:
    public = pair.to_document(include_secret=False)
    return "\n".join(
        [
            f"DID:                 {pair.controller}",
            f"verification method: {pair.verification_method}",
            f"type:                {pair.algorithm}",
            f"publicKeyMultibase:  {public['publicKeyMultibase']}",
        ]
    )


OutputOption = Annotated[
    Path, typer.Option("--output", "-o", help="Where to write the key file (mode 0600).")
]
DidOption = Annotated[str, typer.Option("--did", help="DID method: key, jwk or web:HOST[:PATH].")]
OverwriteOption = Annotated[
    bool, typer.Option("--force", "--overwrite", help="Replace an existing key file.")
]


def _save(make: Callable[[], KeyPair], output: Path, *, overwrite: bool) -> None:
    """Make the key pair (its DID method may be refused), write it 0600, say what it is."""
    try:
        pair = make()
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--did") from None
    write_key_file(output, pair, overwrite=overwrite)
    typer.echo(_summary(pair))
    if pair.controller.startswith("did:web:"):
        typer.echo(f"Publish the DID document at {did_web_url(pair.controller)}")


@app.command()
def new(
    output: OutputOption,
    key_type: Annotated[
        KeyType, typer.Option("--type", help="Signature algorithm.")
    ] = KeyType.ED25519,
    did: DidOption = "key",
    overwrite: OverwriteOption = False,
) -> None:
    """Create a new signing key and its DID, saved to a private key file."""
    _save(lambda: KeyPair.generate(_ALGORITHMS[key_type], method=did), output, overwrite=overwrite)


@app.command("import")
def import_(
    source: Annotated[
        Path,
        typer.Argument(help="A private key made elsewhere: a JWK with 'd', or a PEM file."),
    ],
    output: OutputOption,
    did: DidOption = "key",
    overwrite: OverwriteOption = False,
) -> None:
    """Import a signing key you already have (JWK or PEM) as a passeport key file.

    Ed25519, P-256 and P-384 keys, in a private JWK or a PEM file (PKCS#8 or
    SEC 1); an encrypted PEM key is opened with PASSEPORT_KEY_PASSPHRASE.
    """
    from passeport.did.foreign import read_private_key_file

    secret = os.environ.get("PASSEPORT_KEY_PASSPHRASE")
    private = read_private_key_file(source, password=secret.encode("utf-8") if secret else None)
    _save(lambda: KeyPair.from_private_key(private, method=did), output, overwrite=overwrite)


@app.command()
def show(
    key_file: Annotated[Path, typer.Argument(help="A key file made by 'passeport key new'.")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the public key document as JSON.")
    ] = False,
) -> None:
    """Show the DID and public key of a key file; the secret is never printed."""
    pair = read_key_file(key_file)
    if as_json:
        typer.echo(json.dumps(pair.to_document(include_secret=False), indent=2))
    else:
        typer.echo(_summary(pair))
