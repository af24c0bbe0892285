"""``passeport wallet``: keep your credentials encrypted, and present them to a recruiter.

The wallet file is ``--wallet PATH``, else ``$PASSEPORT_WALLET``, else
``$XDG_DATA_HOME/passeport/wallet.sqlite`` (``~/.local/share/passeport/...``).
The passphrase is read from ``$PASSEPORT_PASSPHRASE``, else asked for (hidden);
a backup's passphrase from ``$PASSEPORT_BACKUP_PASSPHRASE``, else asked for.

``add`` keeps only what verifies; ``--keep-unverified`` keeps the rest (never a
tampered credential), marked NOT verified. ``present`` and ``cv`` refuse, exit
1, a credential that does not verify or is about someone else, unless
``--allow-unverified`` / ``--allow-other-subject``; ``--valid-for`` says how
long the presentation holds (a CV: 90 days unless told otherwise).

``list`` reads the verdict stored when each credential was added (or last
refreshed) and recomputes what depends on the date (expired, not yet valid):
it never touches the network. ``--refresh`` verifies every credential again,
status lists included (through HTTPS unless ``--offline``; ``--cache DIR``
first), and stores the new verdicts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from passeport.wallet._cli_cv import cv
from passeport.wallet._cli_open import (
    build_presentation,
    default_wallet_path,
    environment,
    open_wallet,
    passphrase,
    wallet_path,
)
from passeport.wallet._cli_options import (
    AllowOtherSubjectOption,
    AllowUnverifiedOption,
    CacheOption,
    ChallengeOption,
    CredentialsArgument,
    DomainOption,
    JsonOption,
    OfflineOption,
    RequestOption,
    RevealOption,
    ValidForOption,
    WalletOption,
)
from passeport.wallet._cli_render import (
    echo_json,
    print_entries,
    print_outcomes,
    print_presentation,
    progress_bar,
)

__all__ = ["app", "default_wallet_path"]

app = typer.Typer(
    no_args_is_help=True,
    help="Your wallet: keep credentials encrypted, present them to a recruiter.",
)


@app.command()
def init(
    wallet: WalletOption = None,
    key: Annotated[
        Path | None,
        typer.Option(
            "--key", help="Use this key file (Multikey JSON) as your identity.", dir_okay=False
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create your wallet, protected by a passphrase, with your own DID."""
    from passeport.did.keyfile import read_key_file
    from passeport.wallet import Wallet

    pair = read_key_file(key) if key is not None else None
    path = wallet_path(wallet)
    created = Wallet.create(path, passphrase(confirm=True), key=pair)
    if as_json:
        echo_json({"wallet": str(path), "did": created.did})
        return
    typer.echo(f"wallet created: {path}")
    typer.echo(f"your DID: {created.did}")


@app.command()
def did(wallet: WalletOption = None, as_json: JsonOption = False) -> None:
    """Print your DID: give it to whoever issues you a credential."""
    opened = open_wallet(wallet)
    if as_json:
        echo_json({"did": opened.did, "verificationMethod": opened.holder.verification_method})
    else:
        typer.echo(opened.did)


@app.command()
def add(
    files: Annotated[
        list[Path], typer.Argument(help="Credential files or folders (JSON, vc+jwt, SD-JWT).")
    ],
    wallet: WalletOption = None,
    cache: CacheOption = None,
    offline: OfflineOption = False,
    keep_unverified: Annotated[
        bool,
        typer.Option(
            "--keep-unverified",
            help="Also keep credentials that do not verify (revoked, expired, unreachable "
            "issuer...), marked NOT verified; a tampered one is never kept.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Check credentials you received and keep those that verify in your wallet.

    A credential that does not verify is refused (exit 1), one line saying
    why, unless --keep-unverified.
    """
    from passeport.wallet import add_files

    opened = open_wallet(wallet)
    env = environment(cache, offline=offline)
    with progress_bar("verifying") as progress:
        outcomes = add_files(
            opened, files, env=env, keep_unverified=keep_unverified, progress=progress
        )
    if as_json:
        echo_json([outcome.to_json() for outcome in outcomes])
    else:
        print_outcomes(outcomes)
    raise typer.Exit(1 if any(o.status == "refused" for o in outcomes) else 0)


def _listing(
    wallet: Path | None,
    *,
    kind: str | None,
    issuer: str | None,
    text: str | None,
    expiring: float | None,
    refresh: bool,
    cache: Path | None,
    offline: bool,
    as_json: bool,
) -> None:
    from passeport.proofs.dates import utc_now
    from passeport.wallet import refresh as refresh_all

    opened = open_wallet(wallet)
    if refresh or cache is not None:
        with progress_bar("verifying again") as progress:
            env = environment(cache, offline=offline or not refresh)
            refresh_all(opened, env=env, progress=progress)
    now = utc_now()
    entries = [
        e
        for e in opened.entries()
        if e.matches(kind=kind, issuer=issuer, text=text, expiring_within=expiring, now=now)
    ]
    if as_json:
        echo_json(
            [
                {"id": e.id, **e.info.to_json(), "flags": [str(f) for f in e.info.flags_at(now)]}
                for e in entries
            ]
        )
        return
    print_entries(entries, now)


@app.command("list")
def list_(
    wallet: WalletOption = None,
    kind: Annotated[str | None, typer.Option("--type", help="Only this credential type.")] = None,
    issuer: Annotated[str | None, typer.Option(help="Only from this issuer (DID or name).")] = None,
    text: Annotated[str | None, typer.Option(help="Only those mentioning these words.")] = None,
    expiring: Annotated[
        float | None, typer.Option(help="Only those expiring within this many days.", min=0)
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Verify everything again (status lists included).")
    ] = False,
    cache: CacheOption = None,
    offline: OfflineOption = False,
    as_json: JsonOption = False,
) -> None:
    """List your credentials: what, from whom, until when, and whether they still hold."""
    _listing(
        wallet,
        kind=kind,
        issuer=issuer,
        text=text,
        expiring=expiring,
        refresh=refresh,
        cache=cache,
        offline=offline,
        as_json=as_json,
    )


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Words to look for (title, issuer, type).")],
    wallet: WalletOption = None,
    kind: Annotated[str | None, typer.Option("--type", help="Only this credential type.")] = None,
    issuer: Annotated[str | None, typer.Option(help="Only from this issuer (DID or name).")] = None,
    expiring: Annotated[
        float | None, typer.Option(help="Only those expiring within this many days.", min=0)
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Find credentials by words in their title, issuer or type."""
    _listing(
        wallet,
        kind=kind,
        issuer=issuer,
        text=text,
        expiring=expiring,
        refresh=False,
        cache=None,
        offline=True,
        as_json=as_json,
    )


@app.command()
def show(
    credential: Annotated[str, typer.Argument(help="Credential id (or its first characters).")],
    wallet: WalletOption = None,
    as_json: JsonOption = True,
) -> None:
    """Show one credential in full, with what the wallet knows about it (JSON)."""
    from passeport.proofs.dates import utc_now

    held = open_wallet(wallet).credential(credential)
    del as_json  # always JSON: the credential is a JSON document
    echo_json(
        {
            "id": held.id,
            "info": held.info.to_json(),
            "flags": [str(f) for f in held.info.flags_at(utc_now())],
            "credential": held.credential,
        }
    )


@app.command()
def remove(
    credential: Annotated[str, typer.Argument(help="Credential id (or its first characters).")],
    wallet: WalletOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete a credential from your wallet."""
    removed = open_wallet(wallet).remove(credential)
    if as_json:
        echo_json({"removed": removed})
    else:
        typer.echo(f"removed {removed}")


@app.command("export")
def export_(
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="Backup file to write (0600).", dir_okay=False),
    ],
    wallet: WalletOption = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace the file.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Save your whole wallet, keys included, to one encrypted backup file."""
    opened = open_wallet(wallet)
    secret = passphrase(
        confirm=True, variable="PASSEPORT_BACKUP_PASSPHRASE", label="Backup passphrase"
    )
    count = opened.export_backup(output, secret, overwrite=overwrite)
    if as_json:
        echo_json({"backup": str(output), "credentials": count})
    else:
        typer.echo(f"{count} credential(s) and your key saved to {output}")


@app.command("import")
def import_(
    backup: Annotated[
        Path, typer.Argument(help="A backup made by 'passeport wallet export'.", dir_okay=False)
    ],
    wallet: WalletOption = None,
    as_json: JsonOption = False,
) -> None:
    """Restore a backup: into a new wallet, or merged into yours (same DID)."""
    from passeport.wallet import Wallet

    path = wallet_path(wallet)
    secret = passphrase(
        confirm=False, variable="PASSEPORT_BACKUP_PASSPHRASE", label="Backup passphrase"
    )
    if path.exists():
        stored = open_wallet(wallet).import_backup(backup, secret)
        added = sum(not s.duplicate for s in stored)
        duplicates = len(stored) - added
    else:
        restored = Wallet.restore(backup, secret, path, passphrase(confirm=True))
        added, duplicates = len(restored.entries()), 0
    if as_json:
        echo_json({"wallet": str(path), "added": added, "duplicates": duplicates})
    else:
        typer.echo(f"{added} credential(s) restored into {path} ({duplicates} already there)")


@app.command()
def present(
    challenge: ChallengeOption,
    domain: DomainOption,
    credentials: CredentialsArgument = None,
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="Presentation file to write.", dir_okay=False),
    ] = Path("presentation.json"),
    reveal: RevealOption = None,
    request: RequestOption = None,
    submission: Annotated[
        Path | None,
        typer.Option(
            help="Where to write the presentation submission (PE requests; default: "
            "next to the presentation).",
            dir_okay=False,
        ),
    ] = None,
    valid_for: ValidForOption = None,
    allow_unverified: AllowUnverifiedOption = False,
    allow_other_subject: AllowOtherSubjectOption = False,
    wallet: WalletOption = None,
    as_json: JsonOption = False,
) -> None:
    """Build a signed presentation for one recruiter, showing only what is asked.

    It is refused (exit 1) when a credential does not verify or is about
    someone else, unless you allow it. Without --valid-for it has no end
    date: the recruiter's own rules decide how old is too old.
    """
    from passeport._io import dump_json, write_atomic

    result = build_presentation(
        wallet,
        credentials,
        reveal=reveal,
        request=request,
        challenge=challenge,
        domain=domain,
        valid_for=valid_for,
        allow_unverified=allow_unverified,
        allow_other_subject=allow_other_subject,
    )
    write_atomic(output, dump_json(result.document), mode=0o600)
    written: Path | None = None
    if result.submission is not None:
        written = submission or output.with_name(f"{output.stem}.submission.json")
        write_atomic(written, dump_json(result.submission), mode=0o600)
    if as_json:
        written_to = {"presentation": str(output), "submission": str(written) if written else None}
        echo_json({**written_to, **result.summary()})
        return
    print_presentation(result, output, written)


app.command("cv")(cv)
