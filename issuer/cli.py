"""``passeport issuer``, ``passeport issue`` and ``passeport status``: the certifier's commands.

Errors of the toolkit (bad data, unknown credential...) propagate as
:class:`passeport.errors.PasseportError`, which the shell turns into one line
and exit code 2; usage errors are Click's, also exit 2. A batch with failed
rows exits 1.

The ``status`` commands live in :mod:`issuer._cli_status`; this module exports
their ``status_app``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from passeport.issuer._cli_common import IssuerOption, JsonOption, echo_json
from passeport.issuer._cli_status import status_app

if TYPE_CHECKING:
    from passeport.issuer.batch import BatchSummary
    from passeport.issuer.profile import Profile

__all__ = ["app", "issue", "status_app"]

app = typer.Typer(no_args_is_help=True, help="Create and show issuer profiles.")

SUITES = (
    "eddsa-rdfc-2022",
    "eddsa-jcs-2022",
    "ecdsa-rdfc-2019",
    "ecdsa-jcs-2019",
    "ecdsa-sd-2023",
)
"""A profile's default suites (Data Integrity); ecdsa-sd-2023 lets holders disclose a part."""
ISSUE_SUITES = (*SUITES, "vc-jwt", "sd-jwt")
"""What one issuance may use: also a vc+jwt, or an SD-JWT VC (selectively disclosable)."""


class KeyType(StrEnum):
    """Key types an issuer may choose."""

    ED25519 = "ed25519"
    P256 = "p256"


_ALGORITHMS = {KeyType.ED25519: "Ed25519", KeyType.P256: "P-256"}


def _check_suite(suite: str | None, known: tuple[str, ...] = SUITES) -> None:
    from passeport.errors import InputError

    if suite is not None and suite not in known:
        raise InputError(f'unknown suite "{suite}" (expected one of: {", ".join(known)})')


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="The folder to create for the profile.")],
    name: Annotated[str, typer.Option(help="The issuer's name, as credentials will show it.")],
    did: Annotated[
        str, typer.Option(help="DID method: key, or web:HOST[:PATH] for a did:web you host.")
    ] = "key",
    key_type: Annotated[KeyType, typer.Option("--type", help="Signature algorithm.")] = (
        KeyType.ED25519
    ),
    status_base: Annotated[
        str | None,
        typer.Option(
            help="URL under which status lists are published (default for did:web: "
            "https://HOST/status/)."
        ),
    ] = None,
    suite: Annotated[
        str | None, typer.Option(help=f"Default cryptosuite: {', '.join(SUITES)}.")
    ] = None,
    list_size: Annotated[
        int, typer.Option(help="Entries per status list (at least 131072).")
    ] = 131_072,
    as_json: JsonOption = False,
) -> None:
    """Create an issuer profile: name, signing key and DID, registry, status list settings."""
    from passeport.did.web import did_web_url
    from passeport.errors import InputError
    from passeport.issuer.profile import Profile

    _check_suite(suite)
    try:
        profile = Profile.create(
            directory,
            name=name,
            did=did,
            key_type=_ALGORITHMS[key_type],
            status_base=status_base,
            suite=suite,
            list_size=list_size,
        )
    except ValueError as exc:
        raise InputError(str(exc), where=str(directory)) from None
    hosted = did_web_url(profile.did) if profile.did.startswith("did:web:") else None
    if as_json:
        echo_json({**_profile_json(profile), "didDocumentUrl": hosted})
        return
    typer.echo(_describe(profile))
    if hosted is not None:
        typer.echo(
            f"Host {directory / 'did.json'} at {hosted} ('passeport status publish' writes it too)."
        )


def _profile_json(profile: Profile) -> dict[str, object]:
    return {"directory": str(profile.directory), **profile.to_json()}


def _describe(profile: Profile) -> str:
    return "\n".join(
        [
            f"issuer:              {profile.name}",
            f"DID:                 {profile.did}",
            f"verification method: {profile.verification_method}",
            f"suite:               {profile.suite}",
            f"status lists:        {profile.status_base} ({profile.list_size} entries each)",
            f"profile folder:      {profile.directory}",
        ]
    )


@app.command()
def show(
    directory: Annotated[Path, typer.Argument(help="The profile folder.", file_okay=False)],
    as_json: JsonOption = False,
) -> None:
    """Show an issuer profile and how many credentials it has issued; no secret is printed."""
    from passeport.issuer.profile import Profile
    from passeport.issuer.registry import Registry

    profile = Profile.open(directory)
    with Registry.open(profile.registry_path) as registry:
        count, lists = registry.count(), registry.lists()
    if as_json:
        echo_json({**_profile_json(profile), "credentials": count, "statusLists": len(lists)})
        return
    typer.echo(_describe(profile))
    typer.echo(f"credentials issued:  {count} in {len(lists)} status list(s)")


def issue(
    template: Annotated[
        str,
        typer.Argument(
            help="diploma, certification, skill, experience, prevention or endorsement."
        ),
    ],
    issuer: IssuerOption,
    data: Annotated[
        Path | None, typer.Option(help="One credential's data (JSON).", dir_okay=False)
    ] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="A CSV file, one credential per row.", dir_okay=False),
    ] = None,
    jsonl: Annotated[
        Path | None,
        typer.Option("--jsonl", help="A JSON Lines file, one credential per line.", dir_okay=False),
    ] = None,
    suite: Annotated[
        str | None,
        typer.Option(help=f"Cryptosuite (default: the profile's): {', '.join(ISSUE_SUITES)}."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Where to write: a file (one credential) or a folder (batch)."
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Processes signing a batch (default: every core).", min=1)
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print JSON: the batch summary, or the id and file of one credential."
        ),
    ] = False,
) -> None:
    """Issue signed credentials from a template: one from --data, one per row of --csv/--jsonl."""
    from passeport.errors import InputError
    from passeport.issuer.templates import TEMPLATE_NAMES

    if template not in TEMPLATE_NAMES:
        expected = ", ".join(TEMPLATE_NAMES)
        raise InputError(f'unknown template "{template}" (expected one of: {expected})')
    _check_suite(suite, ISSUE_SUITES)
    sources = [s for s in (data, csv_file, jsonl) if s is not None]
    if len(sources) != 1:
        raise typer.BadParameter("give exactly one of --data, --csv or --jsonl")
    if data is not None:
        _issue_one(template, issuer, data, suite=suite, output=output, as_json=as_json)
        return
    if output is None:
        raise typer.BadParameter("a batch needs an output folder", param_hint="-o")
    summary = _issue_many(
        template,
        issuer,
        sources[0],
        row_format="csv" if csv_file is not None else "jsonl",
        suite=suite,
        output=output,
        workers=workers,
        as_json=as_json,
    )
    raise typer.Exit(1 if summary.failed else 0)


def _issue_one(
    template: str,
    issuer: Path,
    data: Path,
    *,
    suite: str | None,
    output: Path | None,
    as_json: bool,
) -> None:
    from passeport._io import dump_json, read_json_file, write_atomic
    from passeport.errors import InputError
    from passeport.issuer.issue import enveloped_token, issued_id
    from passeport.issuer.issue import issue as issue_credential
    from passeport.issuer.profile import Profile

    profile = Profile.open(issuer)
    if output is not None and output.is_dir():
        raise InputError(
            "is a folder; -o names the credential's file (a folder is for --csv or --jsonl)",
            where=str(output),
        )
    document = read_json_file(data)
    if not isinstance(document, dict):
        raise InputError("expected a JSON object", where=str(data))
    credential = issue_credential(profile, template, document, suite=suite, where=str(data))
    token = enveloped_token(credential)  # vc-jwt, sd-jwt: the token is what holders keep
    text = dump_json(credential) if token is None else token + "\n"
    credential_id = issued_id(credential)
    if output is None:
        typer.echo(text, nl=False)  # the credential itself: JSON, or the token
    else:
        write_atomic(output, text)
        if as_json:
            echo_json(
                {
                    "id": credential_id,
                    "template": template,
                    "suite": suite or profile.suite,
                    "output": str(output),
                }
            )
    typer.echo(
        f"issued {credential_id} ({template}, {suite or profile.suite})"
        + (f" -> {output}" if output is not None else ""),
        err=True,
    )


def _issue_many(
    template: str,
    issuer: Path,
    rows: Path,
    *,
    row_format: str,
    suite: str | None,
    output: Path,
    workers: int | None,
    as_json: bool,
) -> BatchSummary:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from passeport.issuer.batch import issue_batch
    from passeport.issuer.profile import Profile

    profile = Profile.open(issuer)
    errors = Console(stderr=True)
    with Progress(
        TextColumn("issuing {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=errors,
        disable=not errors.is_terminal,
        transient=True,
    ) as bar:
        task = bar.add_task(rows.name, total=None)
        try:
            summary = issue_batch(
                profile,
                template,
                rows,
                output,
                suite=suite,
                workers=workers,
                row_format=row_format,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except KeyboardInterrupt:
            bar.stop()
            typer.echo(
                "interrupted: run the same command again to resume "
                "(rows already issued are skipped, never issued twice)",
                err=True,
            )
            raise typer.Exit(130) from None
    if as_json:
        echo_json(summary.to_json())
        return summary
    for failure in summary.failures:
        typer.echo(failure.message, err=True)
    _print_summary(summary)
    return summary


def _print_summary(summary: BatchSummary) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Text, not markup: a file name may hold brackets.
    table = Table(title=Text(f"{summary.template} credentials from {summary.source}"))
    table.add_column("issued", justify="right")
    table.add_column("skipped (already issued)", justify="right")
    table.add_column("failed", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("per second", justify="right")
    table.add_row(
        str(summary.issued),
        str(summary.skipped),
        str(summary.failed),
        f"{summary.seconds:.1f}",
        f"{summary.per_second:.0f}",
    )
    Console(width=100).print(table)
    typer.echo(f"credentials written to {summary.out_dir}")
