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

import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from passeport.verifier.cli import (
    AllowHostOption,
    CacheOption,
    LangOption,
    OfflineOption,
    duration_option,
    environment,
)

if TYPE_CHECKING:
    from datetime import datetime

    from passeport.wallet import AddOutcome, Presentation, Wallet, WalletEntry

__all__ = ["app", "default_wallet_path"]

app = typer.Typer(
    no_args_is_help=True,
    help="Your wallet: keep credentials encrypted, present them to a recruiter.",
)

MAX_VALIDITY: Final = timedelta(days=3660)
"""The longest a presentation may hold (--valid-for)."""
CV_VALIDITY: Final = timedelta(days=90)
"""How long a CV's presentation holds by default: it is sent by e-mail and read later."""

WalletOption = Annotated[
    Path | None,
    typer.Option(
        "--wallet",
        envvar="PASSEPORT_WALLET",
        help="Wallet file (default: your data folder, or $PASSEPORT_WALLET).",
        dir_okay=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
ChallengeOption = Annotated[str, typer.Option(help="The challenge the recruiter gave you.")]
DomainOption = Annotated[str, typer.Option(help="The recruiter's domain.")]
CredentialsArgument = Annotated[
    list[str] | None, typer.Argument(help="Credential ids to present (or use --request).")
]
RevealOption = Annotated[
    list[str] | None,
    typer.Option(
        "--reveal",
        help="JSON pointer of what to show, e.g. /credentialSubject/achievement/name (repeatable).",
    ),
]
RequestOption = Annotated[
    Path | None,
    typer.Option(
        help="The recruiter's request: DCQL query or Presentation Exchange definition (JSON).",
        dir_okay=False,
    ),
]
AllowUnverifiedOption = Annotated[
    bool,
    typer.Option(
        "--allow-unverified",
        help="Present a credential even though it does not verify (revoked, expired...); "
        "the recruiter's check will say so.",
    ),
]
AllowOtherSubjectOption = Annotated[
    bool,
    typer.Option(
        "--allow-other-subject",
        help="Present a credential about someone else (not your DID); "
        "the recruiter's check will say so.",
    ),
]

ValidForOption = Annotated[
    timedelta | None,
    typer.Option(
        "--valid-for",
        metavar="AGE",
        parser=duration_option(
            at_most=MAX_VALIDITY, too_long="a presentation holds for 3660d at most"
        ),
        help="How long the presentation holds from now, e.g. 30d, 12h, 90m.",
    ),
]

_ALARMS = frozenset({"expired", "revoked", "suspended", "not-verified", "unverified"})
_COLUMNS: Final[tuple[dict[str, Any], ...]] = (
    {"no_wrap": True},
    {"ratio": 1, "overflow": "fold"},
    {"no_wrap": True},
    {"no_wrap": True},
)


def default_wallet_path(environ: Mapping[str, str], home: Path) -> Path:
    """Return where the wallet lives by default: the XDG data folder, else ~/.local/share."""
    base = environ.get("XDG_DATA_HOME") or str(home / ".local" / "share")
    return Path(base) / "passeport" / "wallet.sqlite"


def wallet_path(wallet: Path | None) -> Path:
    """Return the wallet file: the one given, else the default for this user."""
    return wallet or default_wallet_path(os.environ, Path.home())


def passphrase(
    *, confirm: bool, variable: str = "PASSEPORT_PASSPHRASE", label: str = "Wallet passphrase"
) -> str:
    """Return the passphrase in ``$variable``, else ask for it (hidden, twice if ``confirm``).

    Without a terminal, the passphrase is read as a line (two if ``confirm``)
    from the standard input, so that a program can pipe it in.

    Raises:
        InputError: none given (an empty variable and nothing to read, or the
            question abandoned), or the two entries differ; the message says
            how to give the passphrase; or a new one (``confirm``) too weak
            to protect a key (:func:`_strong`).
    """
    from passeport.errors import InputError

    given = os.environ.get(variable)
    if given:
        return _strong(given, label) if confirm else given
    where = label.lower()
    how = f"set {variable}, or run the command in a terminal to be asked"
    if not sys.stdin.isatty():
        lines = [sys.stdin.readline().rstrip("\r\n") for _ in range(2 if confirm else 1)]
        if not lines[0]:
            raise InputError(f"none given and no terminal to ask it on: {how}", where=where)
        if lines[-1] != lines[0]:
            raise InputError("the two entries differ", where=where)
        return _strong(lines[0], label) if confirm else lines[0]
    try:
        text: str = typer.prompt(label, hide_input=True, confirmation_prompt=confirm)
    except typer.Abort:  # the question abandoned (Ctrl-D, Ctrl-C)
        raise InputError(f"none given: {how}", where=where) from None
    return _strong(text, label) if confirm else text


MIN_PASSPHRASE: Final = 12
"""The fewest characters a new passphrase may have (a wallet or a backup holds a private key)."""


def _strong(secret: str, label: str) -> str:
    """Return a new passphrase that is long and varied enough, or refuse it and say how.

    The wallet's key is derived from it with scrypt, which slows down every
    guess but cannot save ``123456``: a new passphrase has at least
    :data:`MIN_PASSPHRASE` characters, not all of the same kind or repeated.

    Raises:
        InputError: naming the passphrase and what makes a good one.
    """
    from passeport.errors import InputError

    advice = "four or five unrelated words make a good one"
    if len(secret) < MIN_PASSPHRASE:
        raise InputError(
            f"too short: at least {MIN_PASSPHRASE} characters; {advice}", where=label.lower()
        )
    if len(set(secret)) < 5 or secret.isdigit():
        raise InputError(
            f"too easy to guess (too few different characters); {advice}", where=label.lower()
        )
    return secret


ForceOption = Annotated[
    bool, typer.Option("--force", "--overwrite", help="Replace the -o file if it exists.")
]


def refuse_existing(path: Path, *, force: bool) -> None:
    """Refuse to write over ``path`` unless ``force``: nothing is replaced by surprise.

    Raises:
        InputError: ``path`` exists and ``force`` is false.
    """
    from passeport.errors import InputError

    if not force and (path.exists() or path.is_symlink()):
        raise InputError("already exists; give --force to replace it", where=str(path))


def open_wallet(wallet: Path | None) -> Wallet:
    """Open and unlock the wallet file (see :func:`wallet_path`)."""
    from passeport.wallet import Wallet

    return Wallet.open(wallet_path(wallet), passphrase(confirm=False))


def build_presentation(
    wallet: Path | Wallet | None,
    credentials: list[str] | None,
    *,
    reveal: list[str] | None,
    request: Path | None,
    challenge: str,
    domain: str,
    valid_for: timedelta | None,
    allow_unverified: bool,
    allow_other_subject: bool,
) -> Presentation:
    """Open the wallet (unless given open) and build the presentation ``present`` and ``cv`` write.

    A credential the wallet refuses to present (it does not verify, or it is
    about someone else) ends the command: one line per refusal on stderr,
    exit 1, nothing written.
    """
    from passeport._io import read_json_file
    from passeport.wallet import PresentationRefused, present

    if not challenge.strip() or not domain.strip():
        raise typer.BadParameter("give the recruiter's --challenge and --domain")
    opened = wallet if wallet is not None and not isinstance(wallet, Path) else open_wallet(wallet)
    asked = read_json_file(request) if request is not None else None
    if credentials:  # a validated declaration gives its place to what validates it
        from passeport.wallet.declarations import preferred, validations

        entries = opened.entries()
        credentials = preferred(credentials, validations(opened, entries), entries)
    try:
        return present(
            opened,
            tuple(credentials or ()),
            request=asked,
            reveal=tuple(reveal or ()),
            challenge=challenge,
            domain=domain,
            valid_for=valid_for,
            allow_unverified=allow_unverified,
            allow_other_subject=allow_other_subject,
            where=str(request) if request is not None else None,
        )
    except PresentationRefused as refused:
        for reason in refused.reasons:
            typer.echo(f"passeport: refused: {reason}", err=True)
        raise typer.Exit(1) from None


@contextlib.contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """Show a progress bar on stderr (when it is a terminal) for a long verification."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    errors = Console(stderr=True)
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=errors, disable=not errors.is_terminal, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def echo_json(value: Any) -> None:
    """Print ``value`` as indented JSON, non-ASCII characters kept as they are."""
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _language(lang: str | None) -> str:
    from passeport.i18n import language_of

    return language_of(lang)


def _words(lang: str | None) -> Callable[[str], str]:
    from passeport.i18n import translator

    return translator(_language(lang))


def print_outcomes(outcomes: Sequence[AddOutcome], *, lang: str = "fr") -> None:
    """Print one line per file ``add`` read: added, already held, or refused and why."""
    from passeport.i18n import translator

    t = translator(lang)
    for outcome in outcomes:
        info = outcome.info
        if outcome.status == "refused" or info is None:
            typer.echo(f"{outcome.where}: {outcome.reason}")
            continue
        verdict = t("verified" if info.verification.verified else "NOT verified")
        flags = ", ".join(t(_FLAG_WORDS.get(str(flag), str(flag))) for flag in outcome.flags)
        title = info.title or t("credential")
        what = _ADDED.get(outcome.status, _ADDED["added"])
        line = t(what).format(where=outcome.where, title=title, id=outcome.id, verdict=verdict)
        typer.echo(line[:-1] + (f"; {flags})" if flags else ")"))
        for message in info.verification.messages:
            typer.echo(f"    {message}")
    flagged = {str(flag) for outcome in outcomes for flag in outcome.flags}
    for flag, advice in _ADVICE.items():
        if flag in flagged:
            typer.echo(t(advice))


_ADDED: Final = {
    "added": "{where}: {title} added as {id} ({verdict})",
    "duplicate": "{where}: {title} already held as {id} ({verdict})",
    "kept": "{where}: {title} kept as {id} ({verdict})",
}

_ADVICE: Final = {
    "other-holder": "A credential marked 'about someone else' names another DID as its holder: "
    "a recruiter will refuse it from you. Ask its issuer to issue it to your DID "
    "(passeport wallet did).",
    "unbound": "A credential 'bound to no holder' can be shown by anyone who has a copy: "
    "a recruiter cannot tell it is yours.",
}
_SHOWN: Final = ("shown whole", "only what is asked ({how})")
_SAID: Final = {
    "for": " for {queries}",
    "note": "note: {note}",
    "presentation": "presentation written to {path}",
    "submission": "presentation submission written to {path}",
    "created": "wallet created: {path}",
    "did": "your DID: {did}",
    "give": "Give this DID to whoever issues you a credential (school, employer, "
    "training body): they write it as the holder.",
    "removed": "removed {id}",
    "exported": "{count} credential(s) and your key saved to {path}",
    "restored": "{added} credential(s) restored into {path} ({duplicates} already there)",
}


_HEADERS: Final = ("id", "credential", "valid", "status")
_FLAG_WORDS: Final = {
    "expired": "expired",
    "not-yet-valid": "not yet valid",
    "revoked": "revoked",
    "suspended": "suspended",
    "status-unknown": "status unknown",
    "unverified": "signature not checked",
    "not-verified": "a check does not hold",
    "other-holder": "about someone else",
    "unbound": "bound to no holder",
}
"""What each :class:`~passeport.wallet.Flag` is called in the listing (a test checks all are)."""
_LIST_LIMIT: Final = 50
"""How many credentials ``wallet list`` shows by default: the most recently added."""
_NOT_SHOWN: Final = (
    "{hidden} older credential(s) not shown, only the {shown} most recent: --all shows them"
)

WALLET_MESSAGES: Final = (
    *_HEADERS,
    *_FLAG_WORDS.values(),
    *_ADDED.values(),
    *_SAID.values(),
    *_SHOWN,
    *_ADVICE.values(),
    "credential",
    "verified",
    "NOT verified",
    "{count} credential(s)",
    _NOT_SHOWN,
)
"""The message ids ``wallet list`` and ``wallet search`` speak (their French is checked)."""


def print_entries(
    entries: Sequence[WalletEntry],
    now: datetime,
    *,
    lang: str = "fr",
    notes: Mapping[str, Sequence[str]] | None = None,
    total: int | None = None,
) -> None:
    """Print the credentials as a table (flags as of ``now``), then how many there are.

    A declaration (issuer = subject) is said declarative; ``notes`` add lines
    by record id (which declaration a credential validates, and the reverse).
    ``total`` counts those ``entries`` was cut from (the older ones): a line
    says how many are not shown, and how to see them.
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from passeport.i18n import translator

    t = translator(lang)
    console = Console(highlight=False, emoji=False, soft_wrap=not sys.stdout.isatty())
    table = Table(show_header=True, header_style="bold", expand=True)
    for header, options in zip(_HEADERS, _COLUMNS, strict=True):
        table.add_column(t(header), **options)
    for entry in entries:
        info = entry.info
        types = [t for t in info.types if t != "VerifiableCredential"] or [info.vct or ""]
        dates = "\n→ ".join(d[:10] for d in (info.valid_from, info.valid_until) if d)
        # Text, not markup: titles and names come from issuers, brackets and all.
        what = Text(info.title or ", ".join(types), style="bold")
        issuer = info.issuer_name or info.issuer
        if issuer:
            what.append(f"\n{issuer}")
        if info.title:
            what.append(f"\n{', '.join(types)}", style="dim")
        status = Text(t("verified" if info.verification.verified else "NOT verified"))
        for flag in info.flags_at(now):
            said = t(_FLAG_WORDS.get(str(flag), str(flag)))
            status.append(f"\n{said}", style="red" if flag in _ALARMS else "")
        if info.issuer is not None and info.issuer == info.subject:  # the holder's declaration
            status.append("\n" + t("declarative"), style="yellow")
        for note in (notes or {}).get(entry.id, ()):
            status.append(f"\n{note}")
        table.add_row(Text(entry.id), what, Text(dates), status)
    console.print(table)
    count = len(entries) if total is None else total
    console.print(t("{count} credential(s)").format(count=count))
    if count > len(entries):
        console.print(t(_NOT_SHOWN).format(hidden=count - len(entries), shown=len(entries)))


def print_presentation(
    result: Presentation, output: Path, written: Path | None, *, lang: str = "fr"
) -> None:
    """Print what ``present`` showed of each credential, its notes, and the files it wrote."""
    from passeport.i18n import translator

    t = translator(lang)
    for item in result.credentials:
        answered = t(" for {queries}").format(queries=", ".join(item.queries))
        flags = ", ".join(t(_FLAG_WORDS.get(str(flag), str(flag))) for flag in item.flags)
        title = item.title or t("credential")
        whole = item.disclosure == "whole"
        shown = t(_SHOWN[0]) if whole else t(_SHOWN[1]).format(how=item.disclosure)
        line = f"{item.id} {title}{answered if item.queries else ''}: {shown}"
        typer.echo(line + (f" [{flags}]" if flags else ""))
    for note in result.notes:
        typer.echo(t("note: {note}").format(note=note))
    typer.echo(t("presentation written to {path}").format(path=output))
    if written is not None:
        typer.echo(t("presentation submission written to {path}").format(path=written))


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
    lang: LangOption = None,
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
    t = _words(lang)
    typer.echo(t(_SAID["created"]).format(path=path))
    typer.echo(t(_SAID["did"]).format(did=created.did))
    typer.echo(t(_SAID["give"]))


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
    allow_host: AllowHostOption = None,
    keep_unverified: Annotated[
        bool,
        typer.Option(
            "--keep-unverified",
            help="Also keep credentials that do not verify (revoked, expired, unreachable "
            "issuer...), marked NOT verified; a tampered one is never kept.",
        ),
    ] = False,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Check credentials you received and keep those that verify in your wallet.

    A credential that does not verify is refused (exit 1), one line saying
    why, unless --keep-unverified.
    """
    from passeport.wallet import add_files

    opened = open_wallet(wallet)
    env = environment(cache, offline=offline, allow_hosts=allow_host)
    with progress_bar("verifying") as progress:
        outcomes = add_files(
            opened, files, env=env, keep_unverified=keep_unverified, progress=progress
        )
    if as_json:
        echo_json([outcome.to_json() for outcome in outcomes])
    else:
        print_outcomes(outcomes, lang=_language(lang))
        from passeport.wallet.declarations import link_notes, validations

        added = {o.id for o in outcomes if o.status == "added"}
        for record, said in link_notes(validations(opened), _language(lang)).items():
            for note in said if record in added else ():
                typer.echo(f"{record}: {note}")  # links a validation to its declaration
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
    lang: str | None,
    limit: int | None = None,
) -> None:
    from passeport.i18n import language_of
    from passeport.proofs.dates import utc_now

    opened = open_wallet(wallet)
    if refresh or cache is not None:
        from passeport.wallet.importing import refresh as refresh_all

        with progress_bar("verifying again") as progress:
            env = environment(cache, offline=offline or not refresh)
            refresh_all(opened, env=env, progress=progress)
    now = utc_now()
    every = opened.entries()
    entries = [
        e
        for e in every
        if e.matches(kind=kind, issuer=issuer, text=text, expiring_within=expiring, now=now)
    ]
    if as_json:  # one credential a line, each written out member by member (issue 17)
        from passeport.wallet._records import listing_line

        lines = ",\n".join("  " + listing_line(e, now) for e in entries)
        typer.echo(f"[\n{lines}\n]" if lines else "[]")
        return
    from passeport.wallet.declarations import link_notes, validations

    shown = entries if limit is None else entries[len(entries) - min(limit, len(entries)) :]
    links = link_notes(validations(opened, every), language_of(lang))
    print_entries(shown, now, lang=language_of(lang), notes=links, total=len(entries))


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
    lang: LangOption = None,
    limit: Annotated[
        int,
        typer.Option(help="Show the N most recently added (--json lists them all).", min=0),
    ] = _LIST_LIMIT,
    show_all: Annotated[bool, typer.Option("--all", help="Show every credential.")] = False,
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
        lang=lang,
        limit=None if show_all else limit,
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
    lang: LangOption = None,
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
        lang=lang,
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
    lang: LangOption = None,
) -> None:
    """Delete a credential from your wallet."""
    removed = open_wallet(wallet).remove(credential)
    if as_json:
        echo_json({"removed": removed})
    else:
        typer.echo(_words(lang)(_SAID["removed"]).format(id=removed))


@app.command("export")
def export_(
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="Backup file to write (0600).", dir_okay=False),
    ],
    wallet: WalletOption = None,
    overwrite: Annotated[
        bool, typer.Option("--force", "--overwrite", help="Replace the file.")
    ] = False,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Save your whole wallet, keys included, to one encrypted backup file.

    The backup's own passphrase is read from PASSEPORT_BACKUP_PASSPHRASE,
    else asked for (twice); the wallet's from PASSEPORT_PASSPHRASE.
    """
    opened = open_wallet(wallet)
    secret = passphrase(
        confirm=True, variable="PASSEPORT_BACKUP_PASSPHRASE", label="Backup passphrase"
    )
    count = opened.export_backup(output, secret, overwrite=overwrite)
    if as_json:
        echo_json({"backup": str(output), "credentials": count})
    else:
        typer.echo(_words(lang)(_SAID["exported"]).format(count=count, path=output))


@app.command("import")
def import_(
    backup: Annotated[
        Path, typer.Argument(help="A backup made by 'passeport wallet export'.", dir_okay=False)
    ],
    wallet: WalletOption = None,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Restore a backup: into a new wallet, or merged into yours (same DID).

    The backup's passphrase is read from PASSEPORT_BACKUP_PASSPHRASE, else
    asked for; the wallet's from PASSEPORT_PASSPHRASE.
    """
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
        restored_line = _words(lang)(_SAID["restored"])
        typer.echo(restored_line.format(added=added, path=path, duplicates=duplicates))


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
    force: ForceOption = False,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Build a signed presentation for one recruiter, showing only what is asked.

    It is refused (exit 1) when a credential does not verify or is about
    someone else, unless you allow it. Without --valid-for it has no end
    date: the recruiter's own rules decide how old is too old.
    """
    from passeport._io import dump_json, write_atomic

    refuse_existing(output, force=force)  # before anything is signed
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
    written: Path | None = None
    if result.submission is not None:  # a Presentation Exchange answer: its submission too
        written = submission or output.with_name(f"{output.stem}.submission.json")
        refuse_existing(written, force=force)
    write_atomic(output, dump_json(result.document), mode=0o600, overwrite=force)
    if written is not None:
        write_atomic(written, dump_json(result.submission), mode=0o600, overwrite=force)
    if as_json:
        written_to = {"presentation": str(output), "submission": str(written) if written else None}
        echo_json({**written_to, **result.summary()})
        return
    print_presentation(result, output, written, lang=_language(lang))


@app.command()
def cv(
    challenge: ChallengeOption,
    domain: DomainOption,
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            help="CV file to write: cv.html (a web page) or cv.pdf (a document to print).",
            dir_okay=False,
        ),
    ],
    credentials: CredentialsArgument = None,
    reveal: RevealOption = None,
    request: RequestOption = None,
    verify_url: Annotated[
        str | None,
        typer.Option(
            "--verify-url",
            help="Address of a verification page (passeport serve) the CV tells the reader "
            "to drop it on; otherwise it gives the command passeport verify.",
        ),
    ] = None,
    lang: LangOption = None,
    trust: Annotated[
        Path | None,
        typer.Option(
            help="Trust list (JSON) saying which issuers are accredited: their lines are "
            "marked so.",
            dir_okay=False,
        ),
    ] = None,
    cache: CacheOption = None,
    offline: OfflineOption = False,
    valid_for: ValidForOption = None,
    allow_unverified: AllowUnverifiedOption = False,
    allow_other_subject: AllowOtherSubjectOption = False,
    wallet: WalletOption = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Write your CV, as a web page or a PDF, that a recruiter can read and verify.

    Each line shows what a credential proves and who vouches for it; what you
    withhold is counted, never shown. The signed presentation travels inside
    the file. It holds for 90 days unless --valid-for says otherwise. It is
    refused (exit 1) when a credential does not verify or is about someone
    else, unless you allow it.
    """
    from passeport._io import write_atomic
    from passeport.i18n import language_of
    from passeport.verifier.trustlist import TrustList
    from passeport.wallet.cv import make_cv

    kind = output.suffix.lower()  # .pdf: a PDF; any other name: a web page
    from passeport.errors import InputError
    from passeport.verifier.cv import CvSettings

    try:  # before anything is signed
        CvSettings(verify_url=verify_url, filename=output.name).check()
    except InputError as exc:
        raise typer.BadParameter(exc.message, param_hint="--verify-url, -o") from None
    refuse_existing(output, force=force)
    trust_list = TrustList.read(trust) if trust is not None else None
    opened = open_wallet(wallet)
    result = build_presentation(
        opened,
        credentials,
        reveal=reveal,
        request=request,
        challenge=challenge,
        domain=domain,
        valid_for=valid_for or CV_VALIDITY,
        allow_unverified=allow_unverified,
        allow_other_subject=allow_other_subject,
    )
    made = make_cv(
        result,
        opened,
        lang=language_of(lang),
        verify_url=verify_url,
        filename=output.name,
        trust=trust_list,
        env=environment(cache, offline=offline),
    )
    data = made.pdf() if kind == ".pdf" else made.html()
    write_atomic(output, data, mode=0o600, overwrite=force)
    if as_json:
        echo_json({"cv": str(output), **result.summary(), "settings": made.settings.to_json()})
        return
    for note in (*result.notes, *made.notes):
        typer.echo(f"note: {note}", err=True)
    typer.echo(f"{len(result.credentials)} credential(s) in {output}")
    typer.echo(f"to check it: passeport verify {output}")
