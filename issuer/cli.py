"""``passeport issuer``, ``passeport issue`` and ``passeport status``: the certifier's commands.

Errors of the toolkit (bad data, unknown credential...) propagate as
:class:`passeport.errors.PasseportError`, which the shell turns into one line
and exit code 2; usage errors are Click's, also exit 2. A batch with failed
rows exits 1.

``app`` holds the profile commands (``passeport issuer``), ``status_app`` the
status commands (``passeport status``: revoke, suspend or reinstate
credentials, publish the status lists); ``issue`` is a command of its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer

from passeport.proofs.mechanism import mechanisms
from passeport.verifier.cli import LangOption

if TYPE_CHECKING:
    from passeport._json import JsonObject
    from passeport.issuer.batch import BatchSummary
    from passeport.issuer.profile import Profile

__all__ = ["ISSUER_MESSAGES", "app", "issue", "status_app"]

app = typer.Typer(no_args_is_help=True, help="Create and show issuer profiles.")
status_app = typer.Typer(
    no_args_is_help=True,
    help="Revoke, suspend or reinstate credentials, and publish the status lists.",
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
IssuerOption = Annotated[
    Path,
    typer.Option(
        "--issuer", help="The issuer profile folder ('passeport issuer init').", file_okay=False
    ),
]
CredentialArgument = Annotated[
    str, typer.Argument(help="The credential's id (urn:uuid:...) or a file holding the credential.")
]
ReasonOption = Annotated[str | None, typer.Option(help="Why, kept in the registry.")]


_ISSUED: Final = "issued {id} ({template}, {suite})"
_ISSUED_TO: Final = "issued {id} ({template}, {suite}) -> {output}"
_INTERRUPTED: Final = (
    "interrupted: run the same command again to resume "
    "(rows already issued are skipped, never issued twice)"
)
_BATCH_TITLE: Final = "{template} credentials from {source}"
_BATCH_COLUMNS: Final = ("issued", "skipped (already issued)", "failed", "seconds", "per second")
_STATES: Final = {"active": "active", "revoked": "revoked", "suspended": "suspended"}
_CHANGED: Final = (
    "{id} is now {state}{reason}; run 'passeport status publish' so that verifiers see it"
)
_HOST: Final = "Host {file} at {url} ('passeport status publish' writes it too)."
_DESCRIBED: Final = (
    ("issuer:", "{name}"),
    ("DID:", "{did}"),
    ("verification method:", "{method}"),
    ("suite:", "{suite}"),
    ("status lists:", "{base} ({size} entries each)"),
    ("profile folder:", "{folder}"),
    ("credentials issued:", "{count} in {lists} status list(s)"),
)
_REVIEW: Final = (
    "Declaration {id} by {holder}, to validate as {template}:",
    "   (declared: {value})",
    "Sign these fields as yours?",
    "review the fields above, then give --yes to sign them (no terminal to ask on)",
    "nothing was signed",
)


ISSUER_MESSAGES: Final = (
    "this machine ({worker}): chunks {chunks}, {issued} issued, {skipped} already done, "
    "{failed} failed, in {seconds:.1f} s",
    _HOST,
    *(text for line in _DESCRIBED for text in line if not text.startswith("{")),
    _ISSUED,
    _ISSUED_TO,
    _INTERRUPTED,
    "read {name} as {how}",
    _BATCH_TITLE,
    *_BATCH_COLUMNS,
    "credentials written to {folder}",
    *_STATES.values(),
    _CHANGED,
    "{count} file(s) written under {folder}",
    *_REVIEW,
)
"""The message ids of the issuer's summaries (``issue``, ``status``); their French is checked."""


def _words(lang: str | None) -> Callable[[str], str]:
    from passeport.i18n import language_of, translator

    return translator(language_of(lang))


def echo_json(value: object) -> None:
    """Print ``value`` as indented JSON, non-ASCII characters kept as they are."""
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))


SUITES = tuple(m.name for m in mechanisms() if not m.enveloping)
"""A profile's default suites (Data Integrity); ecdsa-sd-2023 lets holders disclose a part."""
ISSUE_SUITES = tuple(m.name for m in mechanisms())
"""What one issuance may use: also a vc+jwt, or an SD-JWT VC (selectively disclosable)."""


class KeyType(StrEnum):
    """Key types an issuer may choose."""

    ED25519 = "ed25519"
    P256 = "p256"
    P384 = "p384"


_ALGORITHMS = {KeyType.ED25519: "Ed25519", KeyType.P256: "P-256", KeyType.P384: "P-384"}


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
    registry: Annotated[
        str,
        typer.Option(
            help="sqlite (a file in the folder) or postgresql://[USER@]HOST/DB; the password "
            "comes from PASSEPORT_REGISTRY_PASSWORD or ~/.pgpass, never the profile."
        ),
    ] = "sqlite",
    key_uri: Annotated[
        str | None,
        typer.Option(
            "--key-uri",
            help="Sign with a key held in a hardware module: its PKCS#11 URI (RFC 7512), "
            "e.g. 'pkcs11:token=T;object=K?module-path=/usr/lib/softhsm/libsofthsm2.so'; "
            "the PIN comes from PASSEPORT_PKCS11_PIN or a pin-source file. --type is then "
            "the key's.",
        ),
    ] = None,
    as_json: JsonOption = False,
    lang: LangOption = None,
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
            registry=registry,
            key_uri=key_uri,
        )
    except ValueError as exc:
        raise InputError(str(exc), where=str(directory)) from None
    hosted = did_web_url(profile.did) if profile.did.startswith("did:web:") else None
    if as_json:
        echo_json({**_profile_json(profile), "didDocumentUrl": hosted})
        return
    t = _words(lang)
    typer.echo(_describe(profile, t))
    if hosted is not None:
        typer.echo(t(_HOST).format(file=directory / "did.json", url=hosted))


def _profile_json(profile: Profile) -> dict[str, object]:
    return {"directory": str(profile.directory), **profile.to_json()}


def _describe(profile: Profile, t: Callable[[str], str], **counts: int) -> str:
    """Say what a profile is, one labelled line each, the values aligned."""
    values = {
        "name": profile.name,
        "did": profile.did,
        "method": profile.verification_method,
        "suite": profile.suite,
        "base": profile.status_base,
        "size": profile.list_size,
        "folder": profile.directory,
        **counts,
    }
    lines = [
        (t(label), t(value).format(**values))
        for label, value in _DESCRIBED
        if counts or label != "credentials issued:"
    ]
    width = max(len(label) for label, _ in lines) + 1
    return "\n".join(f"{label:<{width}} {value}" for label, value in lines)


@app.command()
def show(
    directory: Annotated[Path, typer.Argument(help="The profile folder.", file_okay=False)],
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Show an issuer profile and how many credentials it has issued; no secret is printed."""
    from passeport.issuer.profile import Profile

    profile = Profile.open(directory)
    with profile.open_registry() as registry:
        count, lists = registry.count(), registry.lists()
    if as_json:
        echo_json({**_profile_json(profile), "credentials": count, "statusLists": len(lists)})
        return
    typer.echo(_describe(profile, _words(lang), count=count, lists=len(lists)))


def issue(
    template: Annotated[
        str,
        typer.Argument(
            help="diploma, certification, skill, experience, prevention, endorsement or training."
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
        int | None,
        typer.Option(help="Processes signing a batch (default: every core).", min=1, max=1024),
    ] = None,
    wait: Annotated[
        bool,
        typer.Option(help="Wait for another batch running on the profile, instead of stopping."),
    ] = False,
    shared: Annotated[
        bool,
        typer.Option(
            "--shared",
            help="Share this batch with the other machines that run the same command on "
            "the same file and profile (a PostgreSQL registry): each claims chunks of rows.",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", "--overwrite", help="Replace the -o file if it exists."),
    ] = False,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print JSON: the batch summary, or the id and file of one credential."
        ),
    ] = False,
    lang: LangOption = None,
    from_declared: Annotated[
        Path | None,
        typer.Option(
            "--from-declared",
            help="A holder's validation request (passeport wallet request-validation): review "
            "what they declared, then sign it as yours (--data: your corrections).",
            dir_okay=False,
        ),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="With --from-declared: sign without asking.")
    ] = False,
) -> None:
    """Issue signed credentials from a template: one from --data, one per row of --csv/--jsonl."""
    from passeport.errors import InputError
    from passeport.issuer.templates import TEMPLATE_NAMES

    if template not in TEMPLATE_NAMES:
        expected = ", ".join(TEMPLATE_NAMES)
        raise InputError(f'unknown template "{template}" (expected one of: {expected})')
    _check_suite(suite, ISSUE_SUITES)
    if from_declared is not None:
        if csv_file is not None or jsonl is not None:
            raise typer.BadParameter("--from-declared issues one credential: no --csv or --jsonl")
        _issue_one(
            template,
            issuer,
            from_declared,
            suite=suite,
            output=output,
            as_json=as_json,
            force=force,
            lang=lang,
            reviewed=lambda: _reviewed(template, from_declared, data, yes=yes, lang=lang),
        )
        return
    sources = [s for s in (data, csv_file, jsonl) if s is not None]
    if len(sources) != 1:
        raise typer.BadParameter("give exactly one of --data, --csv or --jsonl")
    if data is not None:
        _issue_one(
            template,
            issuer,
            data,
            suite=suite,
            output=output,
            as_json=as_json,
            force=force,
            lang=lang,
        )
        return
    if output is None:
        raise typer.BadParameter("a batch needs an output folder", param_hint="-o")
    if shared:
        if suite is not None:
            raise typer.BadParameter(
                "a shared batch signs with the profile's suite", param_hint="--suite"
            )
        failed = _issue_shared(
            template,
            issuer,
            sources[0],
            row_format="csv" if csv_file is not None else "jsonl",
            output=output,
            workers=workers,
            as_json=as_json,
            lang=lang,
        )
        raise typer.Exit(1 if failed else 0)
    summary = _issue_many(
        template,
        issuer,
        sources[0],
        row_format="csv" if csv_file is not None else "jsonl",
        suite=suite,
        output=output,
        workers=workers,
        as_json=as_json,
        lang=lang,
        wait=wait,
    )
    raise typer.Exit(1 if summary.failed else 0)


_SHARED: Final = (
    "this machine ({worker}): chunks {chunks}, {issued} issued, {skipped} already done, "
    "{failed} failed, in {seconds:.1f} s"
)


def _issue_shared(
    template: str,
    issuer: Path,
    rows: Path,
    *,
    row_format: str,
    output: Path,
    workers: int | None,
    as_json: bool,
    lang: str | None,
) -> int:
    """Take part in a batch shared by machines; return how many of this machine's rows failed."""
    from passeport.issuer.distributed import distributed_batch
    from passeport.issuer.profile import Profile

    summary = distributed_batch(
        Profile.open(issuer), template, rows, output, workers=workers, row_format=row_format
    )
    if as_json:
        echo_json(
            {
                "batch": summary.batch,
                "worker": summary.worker,
                "chunks": list(summary.chunks),
                "issued": summary.issued,
                "skipped": summary.skipped,
                "failed": len(summary.failures),
                "seconds": round(summary.seconds, 3),
            }
        )
        return len(summary.failures)
    for failure in summary.failures:
        typer.echo(failure.message, err=True)
    said = _words(lang)(_SHARED).format(
        worker=summary.worker.split("|", 1)[0],
        chunks=", ".join(map(str, summary.chunks)) or "-",
        issued=summary.issued,
        skipped=summary.skipped,
        failed=len(summary.failures),
        seconds=summary.seconds,
    )
    typer.echo(said)
    return len(summary.failures)


def _issue_one(
    template: str,
    issuer: Path,
    data: Path,
    *,
    suite: str | None,
    output: Path | None,
    as_json: bool,
    force: bool,
    lang: str | None,
    reviewed: Callable[[], JsonObject] | None = None,
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
    if output is not None and not force and output.exists():  # before anything is issued
        raise InputError("already exists; give --force to replace it", where=str(output))
    document = reviewed() if reviewed is not None else read_json_file(data)
    if not isinstance(document, dict):
        raise InputError("expected a JSON object", where=str(data))
    credential = issue_credential(profile, template, document, suite=suite, where=str(data))
    token = enveloped_token(credential)  # vc-jwt, sd-jwt: the token is what holders keep
    text = dump_json(credential) if token is None else token + "\n"
    credential_id = issued_id(credential)
    if output is None:
        typer.echo(text, nl=False)  # the credential itself: JSON, or the token
    else:
        write_atomic(output, text, overwrite=force)
        if as_json:
            echo_json(
                {
                    "id": credential_id,
                    "template": template,
                    "suite": suite or profile.suite,
                    "output": str(output),
                }
            )
    t = _words(lang)
    said = t(_ISSUED) if output is None else t(_ISSUED_TO)
    named = {"id": credential_id, "template": template, "suite": suite or profile.suite}
    typer.echo(said.format(**named, output=output), err=True)


def _reviewed(
    template: str, request: Path, corrections: Path | None, *, yes: bool, lang: str | None
) -> JsonObject:
    """Read a validation request, show the fields to sign (on stderr), and ask before signing."""
    import sys

    from passeport._io import read_json_file
    from passeport.errors import InputError
    from passeport.issuer.declared import read_request, review, validation_data

    asked = read_request(read_json_file(request), where=str(request))
    changes = read_json_file(corrections) if corrections is not None else None
    if changes is not None and not isinstance(changes, dict):
        raise InputError("expected a JSON object (your corrections)", where=str(corrections))
    data = validation_data(asked, template, corrections=changes, where=str(request))
    t = _words(lang)
    holder = f"{asked.holder_name} ({asked.holder})" if asked.holder_name else asked.holder
    typer.echo(t(_REVIEW[0]).format(id=asked.id, holder=holder, template=template), err=True)
    for line in review(asked, data):
        shown = f"  {line.path}: {line.value if line.value is not None else '—'}"
        if line.corrected:
            shown += t(_REVIEW[1]).format(value=line.declared or "—")
        typer.echo(shown, err=True)
    if not yes:
        if not sys.stdin.isatty():
            raise InputError(t(_REVIEW[3]), where=str(request))
        if not typer.confirm(t(_REVIEW[2]), default=False, err=True):
            typer.echo(t(_REVIEW[4]), err=True)
            raise typer.Exit(0)
    return data


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
    lang: str | None,
    wait: bool = False,
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
                wait=wait,
            )
        except KeyboardInterrupt:
            bar.stop()
            typer.echo(_words(lang)(_INTERRUPTED), err=True)
            raise typer.Exit(130) from None
    if as_json:
        echo_json(summary.to_json())
        return summary
    if summary.delimiter not in (None, ",") or summary.encoding != "utf-8":
        said = _words(lang)("read {name} as {how}")  # what was detected
        typer.echo(said.format(name=rows.name, how=summary.read_as), err=True)
    for failure in summary.failures:
        typer.echo(failure.message, err=True)
    _print_summary(summary, _words(lang))
    return summary


def _print_summary(summary: BatchSummary, t: Callable[[str], str]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # Text, not markup: a file name may hold brackets.
    title = t(_BATCH_TITLE).format(template=summary.template, source=summary.source)
    table = Table(title=Text(title))
    for column in _BATCH_COLUMNS:
        table.add_column(t(column), justify="right")
    table.add_row(
        str(summary.issued),
        str(summary.skipped),
        str(summary.failed),
        f"{summary.seconds:.1f}",
        f"{summary.per_second:.0f}",
    )
    Console(width=100).print(table)
    typer.echo(t("credentials written to {folder}").format(folder=summary.out_dir))


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
    action: str,
    credential: str,
    issuer: Path,
    reason: str | None,
    *,
    as_json: bool,
    lang: str | None,
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
    t = _words(lang)
    state = t(_STATES.get(str(record.state), str(record.state)))
    said = t(_CHANGED).format(
        id=credential_id, state=state, reason=f" ({reason})" if reason else ""
    )
    typer.echo(said)


@status_app.command()
def revoke(
    credential: CredentialArgument,
    issuer: IssuerOption,
    reason: ReasonOption = None,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Revoke a credential for good (a diploma obtained by fraud, say)."""
    _change("revoke", credential, issuer, reason, as_json=as_json, lang=lang)


@status_app.command()
def suspend(
    credential: CredentialArgument,
    issuer: IssuerOption,
    reason: ReasonOption = None,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Suspend a credential until it is reinstated."""
    _change("suspend", credential, issuer, reason, as_json=as_json, lang=lang)


@status_app.command()
def reinstate(
    credential: CredentialArgument,
    issuer: IssuerOption,
    reason: ReasonOption = None,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Lift a suspension; a revoked credential stays revoked."""
    _change("reinstate", credential, issuer, reason, as_json=as_json, lang=lang)


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
    lang: LangOption = None,
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
    said = _words(lang)("{count} file(s) written under {folder}")
    typer.echo(said.format(count=len(written), folder=output), err=True)
