"""``passeport status``: revoke, suspend or reinstate credentials, and publish the status lists.

:mod:`issuer.cli` exports ``status_app``; errors propagate as there (one line, exit 2).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from passeport.issuer._cli_common import IssuerOption, JsonOption, echo_json

__all__ = ["status_app"]

status_app = typer.Typer(
    no_args_is_help=True,
    help="Revoke, suspend or reinstate credentials, and publish the status lists.",
)

CredentialArgument = Annotated[
    str, typer.Argument(help="The credential's id (urn:uuid:...) or a file holding the credential.")
]
ReasonOption = Annotated[str | None, typer.Option(help="Why, kept in the registry.")]


def _credential_id(value: str) -> str:
    """Return the id ``value`` names: an id, or a file holding the credential (JSON or token)."""
    from passeport._io import parse_json, read_text_file
    from passeport.errors import InputError
    from passeport.issuer.issue import issued_id, token_credential_id

    path = Path(value)
    if ":" in value and not path.is_file():
        return value
    text = read_text_file(path)
    if text.lstrip().startswith("{"):
        document = parse_json(text, where=value)
        found = issued_id(document) if isinstance(document, dict) else None
    else:
        found = token_credential_id(text)
    if found is None:
        raise InputError("the credential has no id", where=value, pointer="/id")
    return found


def _change(
    action: str, credential: str, issuer: Path, reason: str | None, *, as_json: bool
) -> None:
    from passeport.issuer import statuslist
    from passeport.issuer.profile import Profile

    profile = Profile.open(issuer)
    credential_id = _credential_id(credential)
    change = {
        "revoke": statuslist.revoke,
        "suspend": statuslist.suspend,
        "reinstate": statuslist.reinstate,
    }[action]
    record = change(profile, credential_id, reason=reason)
    if as_json:
        echo_json(
            {
                "id": credential_id,
                "state": str(record.state),
                "changed": record.changed,
                "reason": record.reason,
            }
        )
        return
    typer.echo(
        f"{credential_id} is now {record.state}"
        + (f" ({reason})" if reason else "")
        + "; run 'passeport status publish' so that verifiers see it"
    )


@status_app.command()
def revoke(
    credential: CredentialArgument,
    issuer: IssuerOption,
    reason: ReasonOption = None,
    as_json: JsonOption = False,
) -> None:
    """Revoke a credential for good (a diploma obtained by fraud, say)."""
    _change("revoke", credential, issuer, reason, as_json=as_json)


@status_app.command()
def suspend(
    credential: CredentialArgument,
    issuer: IssuerOption,
    reason: ReasonOption = None,
    as_json: JsonOption = False,
) -> None:
    """Suspend a credential until it is reinstated."""
    _change("suspend", credential, issuer, reason, as_json=as_json)


@status_app.command()
def reinstate(
    credential: CredentialArgument,
    issuer: IssuerOption,
    reason: ReasonOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lift a suspension; a revoked credential stays revoked."""
    _change("reinstate", credential, issuer, reason, as_json=as_json)


@status_app.command()
def publish(
    issuer: IssuerOption,
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="Folder to write, one file per URL.", file_okay=False),
    ],
    valid_days: Annotated[
        float,
        typer.Option(
            help=(
                "Days the lists hold (validUntil); verifiers refuse them afterwards, "
                "so publish again before then."
            ),
        ),
    ] = 7.0,  # issuer.statuslist.DEFAULT_LIST_VALIDITY, not imported: keeps --help fast
    ttl_minutes: Annotated[
        float | None, typer.Option(help="Minutes verifiers may keep a list (ttl).", min=0)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Write the signed status lists (and the did:web document) ready to be served as files.

    The lists hold for a week unless --valid-days says otherwise: publish them
    again before then, and after every revocation or suspension.
    """
    from passeport.issuer.profile import Profile
    from passeport.issuer.statuslist import publish_status

    if valid_days <= 0:
        raise typer.BadParameter("the lists must hold for some time", param_hint="--valid-days")
    profile = Profile.open(issuer)
    written = publish_status(
        profile,
        output,
        valid_for=timedelta(days=valid_days),
        ttl=timedelta(minutes=ttl_minutes) if ttl_minutes is not None else None,
    )
    if as_json:
        echo_json({"outDir": str(output), "files": [str(path) for path in written]})
        return
    for path in written:
        typer.echo(str(path))
    typer.echo(f"{len(written)} file(s) written under {output}", err=True)
