"""The ``passeport`` command: assembles each role's commands, and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from did import cli as did_cli
from passeport.errors import PasseportError
from proofs import cli as proofs_cli
from verifier import cli as verifier_cli

__all__ = ["app", "main"]

app = typer.Typer(
    name="passeport",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    help="The skills passport: sign, hold and verify W3C Verifiable Credentials.",
)
app.add_typer(
    did_cli.app, name="key", help="Create and show key files (did:key, did:jwk, did:web)."
)
app.command()(proofs_cli.sign)
app.command()(verifier_cli.verify)


@app.command()
def demo(
    folder: Annotated[Path | None, typer.Argument(help="Where to write the story's files.")] = None,
) -> None:
    """Run the whole story on sample data: keys, signing with every suite, verification."""
    from passeport.demo import run_demo

    raise typer.Exit(run_demo(folder))


def main() -> None:
    """Console-script entry point; the one place that turns our errors into exit code 2."""
    try:
        app()
    except PasseportError as exc:
        typer.echo(f"passeport: {exc}", err=True)
        raise SystemExit(2) from None
