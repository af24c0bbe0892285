"""The ``passeport`` command: assembles each role's commands, and nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from passeport.did import cli as did_cli
from passeport.errors import InputError, PasseportError
from passeport.issuer import cli as issuer_cli
from passeport.proofs import cli as proofs_cli
from passeport.verifier import cli as verifier_cli
from passeport.verifier.cli import CacheOption, OfflineOption, TrustOption
from passeport.wallet import cli as wallet_cli

__all__ = ["app", "main"]

app = typer.Typer(
    name="passeport",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,  # usage errors as Click's plain "Error: ..." line, no panel
    help="The skills passport: sign, hold and verify W3C Verifiable Credentials.",
)


def _version(shown: bool) -> None:
    if shown:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("passeport")
        except PackageNotFoundError:  # run from a checkout that was never installed
            from passeport import __version__ as number
        typer.echo(f"passeport {number}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """The skills passport: sign, hold and verify W3C Verifiable Credentials."""


app.add_typer(
    did_cli.app, name="key", help="Create and show key files (did:key, did:jwk, did:web)."
)
app.add_typer(
    issuer_cli.app, name="issuer", help="Create and show issuer profiles (certifiers, employers)."
)
app.add_typer(
    issuer_cli.status_app, name="status", help="Revoke, suspend, reinstate; publish status lists."
)
app.add_typer(
    wallet_cli.app,
    name="wallet",
    help="Your wallet: keep credentials encrypted, present them to a recruiter.",
)
app.command()(proofs_cli.sign)
app.command()(proofs_cli.derive)
app.command()(verifier_cli.verify)
app.command()(issuer_cli.issue)


@app.command()
def demo(
    folder: Annotated[Path | None, typer.Argument(help="Where to write the story's files.")] = None,
) -> None:
    """Run the whole story on the example data, from certifier to wallet to recruiter."""
    from passeport.demo import run_demo

    raise typer.Exit(run_demo(folder))


@app.command()
def serve(
    issuer: Annotated[
        Path | None,
        typer.Option(
            help="Issuer profile folder to serve (issuing and status routes).", file_okay=False
        ),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    cache: CacheOption = None,
    trust: TrustOption = None,
    offline: OfflineOption = False,
    max_body: Annotated[int, typer.Option(help="Largest request body accepted, in bytes.")] = (
        1024 * 1024
    ),
) -> None:
    """Serve the HTTP API: verification for everyone, issuing and status with --issuer.

    The bearer token of the issuing and status routes is read from
    PASSEPORT_API_TOKEN.
    """
    import os

    import uvicorn

    from passeport.app import create_app
    from passeport.did.fetch import CachingFetcher, HttpsFetcher, NoNetwork
    from passeport.verifier import Environment, Policy, TrustList

    if not 1 <= port <= 65535:
        raise InputError(f"{port} is not a port number (1 to 65535)", where="--port")
    _can_listen(host, port)
    token = os.environ.get("PASSEPORT_API_TOKEN")
    if issuer is not None and not token:
        raise typer.BadParameter(
            "set PASSEPORT_API_TOKEN to the bearer token that issuing requires",
            param_hint="--issuer",
        )
    fetcher = NoNetwork() if offline else CachingFetcher(inner=HttpsFetcher(timeout=5.0))
    env = Environment(fetcher=fetcher)
    if cache is not None:
        env = env.with_cache(cache)
    policy = Policy(trust=TrustList.read(trust) if trust is not None else None)
    application = create_app(env=env, policy=policy, issuer=issuer, token=token, max_body=max_body)
    uvicorn.run(application, host=host, port=port, log_level="info")


def _can_listen(host: str, port: int) -> None:
    """Refuse, in one line, an address this process cannot listen on (in use, not ours)."""
    import socket

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(f"cannot listen on {host}:{port}: {reason}", where="--port") from None


def main() -> None:
    """Console-script entry point; the one place that turns our errors into exit code 2."""
    try:
        app()
    except PasseportError as exc:
        typer.echo(f"passeport: {exc}", err=True)
        raise SystemExit(2) from None
