"""The ``passeport`` command: assembles each role's commands, and nothing else."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from passeport._coercion import quicken
from passeport.errors import InputError, PasseportError
from passeport.verifier import cli as verifier_cli
from passeport.verifier.cli import AllowHostOption, CacheOption, OfflineOption, TrustOption

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from passeport.issuer.service import ServiceConfig

    app: typer.Typer
    """The whole command, every role's commands (assembled on first use)."""

__all__ = ["app", "main"]

_HELP = "The skills passport: sign, hold and verify W3C Verifiable Credentials."


def _version(shown: bool) -> None:
    if shown:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("passeport")
        except PackageNotFoundError:  # run from a checkout that was never installed
            from passeport import __version__ as number
        typer.echo(f"passeport {number}")
        raise typer.Exit()


def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """The skills passport: sign, hold and verify W3C Verifiable Credentials."""


def demo(
    folder: Annotated[Path | None, typer.Argument(help="Where to write the story's files.")] = None,
    lang: verifier_cli.LangOption = None,
) -> None:
    """Run the whole story on the example data, from certifier to wallet to recruiter."""
    from passeport.demo import run_demo
    from passeport.i18n import language_of

    raise typer.Exit(run_demo(folder, lang=language_of(lang)))


def serve(
    issuer: Annotated[
        list[str] | None,
        typer.Option(
            help="Issuer profile folder to serve, as NAME=FOLDER or FOLDER (repeatable): "
            "its routes are under /issuers/NAME/; the first one also answers "
            "/credentials/issue. Guarded by the token in PASSEPORT_API_TOKEN.",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            help="A TOML file naming the issuers to serve, their profile folders, "
            "cryptosuites and tokens (see the README).",
            dir_okay=False,
        ),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    cache: CacheOption = None,
    trust: TrustOption = None,
    offline: OfflineOption = False,
    allow_host: AllowHostOption = None,
    max_body: Annotated[int, typer.Option(help="Largest request body accepted, in bytes.")] = (
        1024 * 1024
    ),
    certfile: Annotated[
        Path | None,
        typer.Option(help="HTTPS: the server's certificate chain (PEM).", dir_okay=False),
    ] = None,
    keyfile: Annotated[
        Path | None,
        typer.Option(help="HTTPS: the certificate's private key (PEM).", dir_okay=False),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            help="Processes answering requests (one per core uses them all); each "
            "opens the issuers' registries on its own.",
        ),
    ] = 1,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Write a line per request on stdout (client, method, path, status); "
            "on by default.",
        ),
    ] = True,
) -> None:
    """Serve the HTTP API (W3C VC-API): verification for everyone, issuing with --issuer.

    The bearer token of the issuing and status routes of --issuer is read
    from PASSEPORT_API_TOKEN; --config names each issuer's own.
    """
    import json
    import os

    import uvicorn

    from passeport._server import server_options

    if not 1 <= port <= 65535:
        raise InputError(f"{port} is not a port number (1 to 65535)", where="--port")
    if not 1 <= workers <= 64:
        raise InputError(f"{workers} workers: give 1 to 64", where="--workers")
    tls = _tls_files(certfile, keyfile)
    settings: dict[str, Any] = {
        "issuer": list(issuer or ()),
        "config": str(config) if config is not None else None,
        "cache": str(cache) if cache is not None else None,
        "trust": str(trust) if trust is not None else None,
        "offline": offline,
        "allow_host": list(allow_host or ()),
        "max_body": max_body,
    }
    application, issuers = _application(**settings)  # every error said here, before listening
    _can_listen(host, port)
    _announce(issuers, "https" if tls else "http", host, port)
    served: Any = application
    if workers > 1:  # each worker builds the same application from the same settings
        os.environ[_SERVE_SETTINGS] = json.dumps(settings)
        served = "passeport.cli:served_application"
    uvicorn.run(
        served,
        factory=workers > 1,
        workers=workers if workers > 1 else None,
        host=host,
        port=port,
        log_level="info",
        access_log=access_log,
        ssl_certfile=str(tls[0]) if tls else None,
        ssl_keyfile=str(tls[1]) if tls else None,
        **server_options(),  # timeouts and limits against slow or idle clients
    )


_SERVE_SETTINGS = "PASSEPORT_SERVE_SETTINGS"


def _application(
    *,
    issuer: list[str],
    config: str | None,
    cache: str | None,
    trust: str | None,
    offline: bool,
    allow_host: list[str],
    max_body: int,
) -> tuple[Any, Any]:
    """Build the served application and its issuers from ``serve``'s settings (plain values)."""
    import os

    from passeport.app import create_app
    from passeport.did.fetch import CachingFetcher, HttpsFetcher, NoNetwork
    from passeport.issuer.service import TOKEN_VARIABLE, ServiceConfig, issuer_option, read_config
    from passeport.verifier import Environment, Policy, TrustList

    token = os.environ.get(TOKEN_VARIABLE)
    issuers = ServiceConfig(tuple(issuer_option(text, token=token) for text in issuer))
    if config is not None:
        issuers = issuers.merged(read_config(Path(config), environ=os.environ))
    private = frozenset(allow_host)
    fetcher = (
        NoNetwork()
        if offline
        else CachingFetcher(inner=HttpsFetcher(timeout=5.0, allow_private=private))
    )
    env = Environment(fetcher=fetcher)
    if cache is not None:
        env = env.with_cache(Path(cache))
    policy = Policy(trust=TrustList.read(Path(trust)) if trust is not None else None)
    application = create_app(env=env, policy=policy, issuers=issuers, max_body=max_body)
    return application, issuers


def served_application() -> Any:
    """Return the application one ``serve --workers`` process answers with (uvicorn's factory).

    The settings are those ``serve`` checked and left in the environment.
    """
    import os

    from passeport._io import parse_json

    settings = parse_json(os.environ[_SERVE_SETTINGS].encode("utf-8"), where=_SERVE_SETTINGS)
    return _application(**settings)[0]


def _tls_files(certfile: Path | None, keyfile: Path | None) -> tuple[Path, Path] | None:
    """Return the certificate and key files for HTTPS, both or neither, readable, as PEM.

    Raises:
        InputError: one without the other, or a file that is not a PEM
            certificate or key (named), so uvicorn never fails half started.
    """
    if certfile is None and keyfile is None:
        return None
    if certfile is None or keyfile is None:
        given = "--certfile" if certfile is not None else "--keyfile"
        missing = "--keyfile" if certfile is not None else "--certfile"
        raise InputError(f"HTTPS needs {missing} too", where=given)
    import ssl

    for path, option in ((certfile, "--certfile"), (keyfile, "--keyfile")):
        if not path.is_file():
            raise InputError(f"no such file ({option})", where=str(path))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(certfile, keyfile)
    except (ssl.SSLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc.__class__.__name__
        raise InputError(
            f"not a PEM certificate and its private key ({reason})",
            where=f"{certfile} / {keyfile}",
        ) from None
    return certfile, keyfile


_SERVING = "issuer {name} ({did}, {suite}): {url}"
_DEFAULT = "(default: {url})"
_OPEN = "verification for everyone: {url}"
SERVE_MESSAGES = (_SERVING, _DEFAULT, _OPEN)
"""What ``passeport serve`` says to people (translated in locale/fr/LC_MESSAGES/http.po)."""


def _announce(issuers: ServiceConfig, scheme: str, host: str, port: int) -> None:
    """Say on stderr, in the user's language, where each issuer issues."""
    from passeport.i18n import language_of, translator

    t = translator(language_of())
    base = f"{scheme}://{host}:{port}"
    default = issuers.default_issuer
    for served in issuers.issuers:
        line = t(_SERVING).format(
            name=served.name,
            did=served.profile.did,
            suite=served.suite,
            url=f"{base}/issuers/{served.name}/credentials/issue",
        )
        if served is default:
            line += " " + t(_DEFAULT).format(url=f"{base}/credentials/issue")
        typer.echo(line, err=True)
    typer.echo(t(_OPEN).format(url=f"{base}/credentials/verify"), err=True)


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


def _click_error(name: str) -> type[Exception]:
    """Return Click's exception class ``name``, whether typer vendors Click or not."""
    found = next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)
    assert issubclass(found, Exception)
    return found


def main() -> None:
    """Console-script entry point; the one place that turns our errors into exit code 2.

    A misused command (unknown option, bad value, missing argument) says so
    in one line that names the command and where to read its help, exit 2.
    """
    usage_error, click_exception = _click_error("UsageError"), _click_error("ClickException")
    try:
        arguments = sys.argv[1:]
        command = _command_named(arguments)
        code = _assemble(command, _subcommand_named(arguments, command))(
            prog_name="passeport", standalone_mode=False
        )
    except PasseportError as exc:
        typer.echo(f"passeport: {exc}", err=True)
        raise SystemExit(2) from None
    except usage_error as exc:
        misuse: Any = exc  # Click's UsageError: its context and message
        if type(exc).__name__ == "NoArgsIsHelpError":  # a group without its command: its help
            typer.echo(misuse.ctx.get_help())
            raise SystemExit(2) from None
        context = misuse.ctx
        command = context.command_path if context is not None else "passeport"
        message = " ".join(misuse.format_message().split()).rstrip(".")
        typer.echo(f"{command}: {message} (see '{command} --help')", err=True)
        raise SystemExit(2) from None
    except click_exception as exc:
        failure: Any = exc
        message = " ".join(failure.format_message().split())
        typer.echo(f"passeport: {message}", err=True)
        raise SystemExit(failure.exit_code) from None
    except typer.Abort:
        typer.echo("passeport: interrupted", err=True)
        raise SystemExit(130) from None
    raise SystemExit(code if isinstance(code, int) else 0)


def _add_key(application: typer.Typer) -> None:
    from passeport.did import cli as did_cli

    application.add_typer(
        did_cli.app, name="key", help="Create and show key files (did:key, did:jwk, did:web)."
    )


def _add_issuer(application: typer.Typer) -> None:
    from passeport.issuer import cli as issuer_cli

    application.add_typer(
        issuer_cli.app,
        name="issuer",
        help="Create and show issuer profiles (certifiers, employers).",
    )


def _add_status(application: typer.Typer) -> None:
    from passeport.issuer import cli as issuer_cli

    application.add_typer(
        issuer_cli.status_app,
        name="status",
        help="Revoke, suspend, reinstate; publish status lists.",
    )


@functools.cache
def _wallet_app() -> typer.Typer:
    """Return the wallet's commands with the career's, registered once per process."""
    from passeport import career_cli
    from passeport.wallet import cli as wallet_cli

    career_cli.register(wallet_cli.app)  # declare, request-validation, declarations, gap, infer
    return wallet_cli.app


def _add_wallet(application: typer.Typer) -> None:
    application.add_typer(
        _wallet_app(),
        name="wallet",
        help="Your wallet: keep credentials encrypted, present them to a recruiter.",
    )


def _add_sign(application: typer.Typer) -> None:
    from passeport.proofs import cli as proofs_cli

    application.command()(proofs_cli.sign)


def _add_derive(application: typer.Typer) -> None:
    from passeport.proofs import cli as proofs_cli

    application.command()(proofs_cli.derive)


def _add_verify(application: typer.Typer) -> None:
    application.command()(verifier_cli.verify)


def _add_issue(application: typer.Typer) -> None:
    from passeport.issuer import cli as issuer_cli

    application.command()(issuer_cli.issue)


def _mount(application: typer.Typer, command: Callable[..., None]) -> None:
    application.command()(command)


_COMMANDS: dict[str, Callable[[typer.Typer], None]] = {
    "key": _add_key,
    "issuer": _add_issuer,
    "status": _add_status,
    "wallet": _add_wallet,
    "sign": _add_sign,
    "derive": _add_derive,
    "verify": _add_verify,
    "issue": _add_issue,
    "demo": lambda application: _mount(application, demo),
    "serve": lambda application: _mount(application, serve),
}
"""Each top-level command, in the order of ``passeport --help``, and how to mount it."""


class _Command(TyperGroup):
    """The ``passeport`` group: its parameters converted without pydantic (:mod:`._coercion`)."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        quicken(self)  # every subcommand's too, once: typer's rules, a fifth of a cold start
        return super().make_context(info_name, args, parent, **extra)


@functools.cache
def _assemble(only: str | None = None, sub: str | None = None) -> typer.Typer:
    """Return the ``passeport`` command with every role's commands, or with ``only`` that one.

    A command run from the shell mounts only itself (``main``): a cold
    ``passeport verify`` then imports neither the issuer nor the wallet, and
    typer builds one command instead of all of them (issue 17); of a group
    (``wallet``, ``key``...), only its command ``sub`` when it has one so
    named (``wallet list``: one command's options read, not fifty-seven).
    Help, errors and exit codes are those of the whole command.
    """
    application = typer.Typer(
        name="passeport",
        cls=_Command,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        pretty_exceptions_show_locals=False,
        rich_markup_mode=None,  # usage errors as Click's plain "Error: ..." line, no panel
        help=_HELP,
    )
    application.callback(help=_HELP)(_options)
    for name, mount in _COMMANDS.items():
        if only is None or name == only:
            mount(application)
    if only is not None and sub is not None:
        for group in application.registered_groups:
            if group.typer_instance is not None:
                group.typer_instance = _only(group.typer_instance, sub)
    return application


def _only(group: typer.Typer, name: str) -> typer.Typer:
    """Return ``group`` with only its command (or group) ``name``; itself if none is so named."""
    import copy

    from typer.main import get_command_name

    commands = [
        c
        for c in group.registered_commands
        if (c.name or get_command_name(getattr(c.callback, "__name__", ""))) == name
    ]
    groups = [g for g in group.registered_groups if g.name == name]
    if len(commands) + len(groups) != 1:
        return group
    alone = copy.copy(group)
    alone.registered_commands, alone.registered_groups = commands, groups
    return alone


def _command_named(arguments: Sequence[str]) -> str | None:
    """Return the top-level command ``arguments`` run, or None (help, version, unknown)."""
    first = next((a for a in arguments if not a.startswith("-")), None)
    before = arguments[: arguments.index(first)] if first is not None else arguments
    if first not in _COMMANDS or any(a in ("--help", "--version") for a in before):
        return None
    return first


def _subcommand_named(arguments: Sequence[str], command: str | None) -> str | None:
    """Return what follows the top-level ``command`` in ``arguments`` when it is not an option."""
    if command is None:
        return None
    following = arguments[arguments.index(command) + 1 :]
    return following[0] if following and not following[0].startswith("-") else None


def __getattr__(name: str) -> object:
    """Assemble :data:`app` on first use (PEP 562): ``main`` mounts only the command it runs."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    whole = _assemble()
    globals()["app"] = whole
    return whole
