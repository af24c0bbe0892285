"""``passeport verify``: a recruiter's verdict on a credential or presentation."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

if TYPE_CHECKING:
    from passeport.proofs.dates import PresentationAge
    from passeport.verifier.env import Environment
    from passeport.verifier.result import Check, VerificationResult

__all__ = [
    "AllowHostOption",
    "CacheOption",
    "LangOption",
    "MaxAgeOption",
    "OfflineOption",
    "TrustOption",
    "duration_option",
    "environment",
    "render",
    "verify",
]


def _existing_folder(value: Path | None) -> Path | None:
    """Refuse a cache folder that is not there: nothing would ever be found in it."""
    from passeport.errors import InputError

    if value is not None and not value.is_dir():
        reason = "not a folder" if value.exists() else "no such folder"
        raise InputError(f"{reason} (--cache)", where=str(value))
    return value


# Shared with ``passeport serve`` and ``passeport wallet``, as are duration_option and environment.
CacheOption = Annotated[
    Path | None,
    typer.Option(
        help="Folder mirroring URLs (did:web, status lists).",
        callback=_existing_folder,  # one line for a file or nothing, not Click's usage box
    ),
]
TrustOption = Annotated[
    Path | None, typer.Option(help="Trust list (JSON) of accredited issuers.", dir_okay=False)
]
OfflineOption = Annotated[bool, typer.Option("--offline", help="Never use the network.")]


def _host_entries(values: list[str] | None) -> list[str] | None:
    """Refuse, in one line, an ``--allow-host`` that is not HOST[:PORT]."""
    if not values:  # did.https brings http.client and ssl: only for who fetches
        return values
    from passeport.did.https import parse_host_entry
    from passeport.errors import InputError

    for value in values:
        try:
            parse_host_entry(value)
        except ValueError as exc:
            raise InputError(str(exc), where="--allow-host") from None
    return values


AllowHostOption = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-host",
        metavar="HOST[:PORT]",
        help="Fetch from HOST[:PORT] even though its address is private or local (a local "
        "deployment, a conformance run); repeatable. Otherwise only public addresses are "
        "fetched.",
        callback=_host_entries,
    ),
]


def _known_language(value: str | None) -> str | None:
    """Refuse a ``--lang`` we do not speak (a usage error, exit 2)."""
    from passeport.i18n import LANGUAGES

    if value is not None and value not in LANGUAGES:
        raise typer.BadParameter(f"{value!r}: choose fr or en")
    return value


LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        metavar="fr|en",
        help="Language of what is printed (default: your locale's if French or English, "
        "else French).",
        callback=_known_language,
    ),
]
"""``--lang`` of the commands that print for people (``wallet list``, ``issue``...).

Pass its value to :func:`passeport.i18n.language_of`: unset, the locale decides.
"""


def duration_option(
    *, at_most: timedelta | None = None, too_long: str = ""
) -> Callable[[str], timedelta]:
    """Return the parser of a duration option such as 30d, 12h, 90m or 1d12h.

    The units are those of :func:`proofs.dates.parse_duration`. A bad
    duration, or one longer than ``at_most`` (``too_long`` says why), is a
    usage error (exit 2).

    >>> duration_option()("30d"), duration_option(at_most=timedelta(days=1))(" 90m ")
    (datetime.timedelta(days=30), datetime.timedelta(seconds=5400))
    """

    def parse(text: str) -> timedelta:
        from passeport.errors import InputError
        from passeport.proofs.dates import parse_duration

        try:
            span = parse_duration(text)
        except InputError as exc:
            raise typer.BadParameter(exc.message) from None
        if at_most is not None and span > at_most:
            raise typer.BadParameter(f"{text.strip()[:40]!r}: {too_long}")
        return span

    return parse


def environment(
    cache: Path | None, *, offline: bool, allow_hosts: Sequence[str] | None = None
) -> Environment:
    """Return the verification environment: HTTPS unless ``offline``, ``cache`` first.

    HTTPS reaches public addresses only, and the ``allow_hosts`` (HOST[:PORT]) named.
    """
    from passeport.did.fetch import Fetcher, NoNetwork
    from passeport.verifier.env import Environment

    fetcher: Fetcher = NoNetwork()
    if not offline:  # http.client and ssl: only for who fetches
        from passeport.did.fetch import HttpsFetcher

        fetcher = HttpsFetcher(timeout=5.0, allow_private=frozenset(allow_hosts or ()))
    env = Environment(fetcher=fetcher)
    return env.with_cache(cache) if cache is not None else env


MaxAgeOption = Annotated[
    timedelta | None,
    typer.Option(
        "--max-age",
        metavar="AGE",
        parser=duration_option(),
        help="Refuse a presentation made longer ago than AGE, e.g. 30d, 12h, 90m.",
    ),
]

_STANDING = {
    "accredited": "[green]accredited issuer[/]: guaranteed by a body on your trust list",
    "not-accredited": "[red]issuer not accredited[/] for this by your trust list",
    "self-declared": "[yellow]self-declared[/]: the holder states it, nobody vouches for it",
    "unknown": "accreditation not checked (no --trust list given)",
    "unverified": "[red]not guaranteed[/]: its signature or its form does not hold",
}
_MARKS = {"passed": ("✔", "green"), "failed": ("✘", "red"), "unchecked": ("?", "yellow")}


def verify(
    file: Annotated[
        Path,
        typer.Argument(
            help="Credential or presentation: JSON, vc+jwt, SD-JWT, or a CV (cv.html, "
            "cv.pdf): its signed presentation, and that it shows what was signed."
        ),
    ],
    challenge: Annotated[
        str | None, typer.Option(help="The challenge you gave the candidate.")
    ] = None,
    domain: Annotated[
        str | None, typer.Option(help="Your domain, as given to the candidate.")
    ] = None,
    max_age: MaxAgeOption = None,
    cache: CacheOption = None,
    trust: TrustOption = None,
    offline: OfflineOption = False,
    allow_host: AllowHostOption = None,
    accept_self_issued: Annotated[
        bool,
        typer.Option(
            "--accept-self-issued",
            help="With --trust, accept what the candidate declared (shown as self-declared).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="fr|en",
            help="Language of the verdict (default: your locale's if French or English, "
            "else French).",
        ),
    ] = None,
    details: Annotated[
        bool, typer.Option("--details", help="Also print every check, one by one.")
    ] = False,
) -> None:
    """Check a credential or presentation and print who signed it and whether it holds."""
    from passeport.verifier import Policy, verify_any
    from passeport.verifier.cv_pdf import read_document
    from passeport.verifier.trustlist import TrustList

    env = environment(cache, offline=offline, allow_hosts=allow_host)
    text = read_document(file)  # text, or the bytes of a PDF CV
    trust_list = TrustList.read(trust) if trust is not None else None
    policy = Policy(
        challenge=challenge,
        domain=domain,
        max_age=max_age,
        trust=trust_list,
        accept_self_issued=accept_self_issued,
    )
    from passeport.i18n import LANGUAGES, language_of

    if lang is not None and lang not in LANGUAGES:
        raise typer.BadParameter(f"{lang!r}: choose fr or en", param_hint="--lang")
    result = verify_any(text, policy=policy, env=env, where=str(file))
    render(result, as_json=as_json, source=str(file), lang=language_of(lang), details=details)
    raise typer.Exit(0 if result.verified else 1)


def render(
    result: VerificationResult,
    *,
    as_json: bool,
    source: str,
    lang: str = "fr",
    details: bool = False,
) -> None:
    """Print a result: JSON for programs; for people, the verdict in words, then the details.

    People read, in ``lang``: the verdict, who presented it, one sentence per
    credential saying what it proves and whether it holds, the warnings; the
    table of every check only with ``details``.
    """
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from passeport.i18n import translator

    t = translator(lang)
    console = Console(highlight=False, emoji=False, soft_wrap=not sys.stdout.isatty())
    summary = result.summary
    if result.verified:
        verdict = f"[bold green]{t('VERIFIED')}[/]"
    else:
        verdict = f"[bold red]{t('NOT VERIFIED')}[/]"
    console.print(f"{verdict}  {escape(source)}")
    if summary.get("kind") == "presentation":
        holder = str(summary.get("holder"))
        console.print(escape(t("presented by {holder}").format(holder=holder)))
    for check in result.checks:  # a presentation's, or a lone SD-JWT key binding's
        if check.code == "presentation.age" and check.credential is None:
            console.print(f"  {escape(_said(check, lang))}")
    presented = summary.get("kind") == "presentation"
    for check in result.failures():  # what fails the presentation itself, first
        if check.credential is None and (presented or not result.credentials):
            mark, colour = _MARKS[str(check.outcome)]
            about = t("the presentation: {reason}") if presented else "{reason}"
            reason = _said(check, lang)
            console.print(f"[{colour}]{mark}[/] ", Text(about.format(reason=reason)))
    failing = [r for r in result.credentials if r.verdict != "authentic"]
    if presented and failing:
        count = t("{failing} of {total} credentials do not hold:")
        console.print(escape(count.format(failing=len(failing), total=len(result.credentials))))
    # On a terminal a wrapped sentence hangs under its own text; piped, one line each.
    lines = Table.grid(padding=(0, 1))
    lines.add_column(no_wrap=True)
    lines.add_column()
    for report in result.credentials:
        mark, colour = _MARKS["passed" if report.verdict == "authentic" else "failed"]
        if report.verdict == "unchecked":
            mark, colour = _MARKS["unchecked"]
        if console.is_terminal:
            lines.add_row(Text(mark, style=colour), Text(report.sentence(lang)))
        else:
            console.print(f"[{colour}]{mark}[/] ", Text(report.sentence(lang)))
    if lines.row_count:
        console.print(lines)
    for warning in result.warnings:  # may quote the document: one line, no control characters
        line = "".join(c if c.isprintable() else " " for c in t(warning))
        console.print(f"[yellow]{escape(t('warning:'))}[/] ", Text(" ".join(line.split())))
    if not details:
        console.print(escape(t("Every check, one by one: add --details.")))
        return
    _details(console, result, lang)


def _details(console: Any, result: VerificationResult, lang: str) -> None:
    """Print what each credential says and the table of every check, in ``lang``."""
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    from passeport.i18n import format_date, translator
    from passeport.verifier.labels import check_label

    t = translator(lang)
    summary = result.summary
    presented = summary.get("kind") == "presentation"
    for index, cred in enumerate(_credential_summaries(summary)):
        listed = cred.get("type")
        named_types = listed if isinstance(listed, list) else []
        types = ", ".join(str(x) for x in named_types if x != "VerifiableCredential")
        types = types or t("credential")
        if presented:
            types = t("credential {number}: {types}").format(number=index + 1, types=types)
        issuer = cred.get("issuer")
        name = cred.get("issuerName")
        named = f"{name} — " if isinstance(name, str) else ""
        standing = t(_STANDING.get(str(cred.get("standing")), _STANDING["unknown"]))
        console.print(escape(types))
        console.print(f"  {escape(t('issuer:'))} {escape(f'{named}{issuer}')}")
        console.print(f"  {escape(t('standing:'))} {standing}")
        if cred.get("subject"):
            console.print(f"  {escape(t('subject:'))} {escape(str(cred.get('subject')))}")
        start, end = (cred.get(k) for k in ("validFrom", "validUntil"))
        if start or end:
            since = format_date(str(start), lang) if start else None
            until = format_date(str(end), lang) if end else None
            if since and until:
                dates = t("from {start} to {end}").format(start=since, end=until)
            elif since:
                dates = t("from {start}").format(start=since)
            else:
                dates = t("until {end}").format(end=until)
            console.print(f"  {escape(t('valid:'))} {escape(dates)}")
    table = Table(show_header=True, header_style="bold")
    table.add_column("")
    table.add_column(t("check"))
    table.add_column(t("where"))
    table.add_column(t("detail (technical)"))
    for check in result.checks:
        mark, colour = _MARKS[str(check.outcome)]
        where = ""
        if check.credential is not None:
            where = t("credential {number}").format(number=check.credential + 1)
        label = Text(check_label(check.code, lang))
        label.append(f"\n{check.code}", style="dim")
        # What a credential says is printed as text, never read as markup.
        table.add_row(f"[{colour}]{mark}[/]", label, where, Text(_said(check, lang)))
    console.print(table)


def _credential_summaries(summary: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = summary.get("credentials") if summary.get("kind") == "presentation" else [summary]
    return [c for c in found if isinstance(c, Mapping)] if isinstance(found, list) else []


_AGO: Final = {
    ("", False): "presented just now ({when})",  # count 0
    ("minute", False): "presented {count} minute ago ({when})",
    ("minute", True): "presented {count} minutes ago ({when})",
    ("hour", False): "presented {count} hour ago ({when})",
    ("hour", True): "presented {count} hours ago ({when})",
    ("day", False): "presented {count} day ago ({when})",
    ("day", True): "presented {count} days ago ({when})",
}
_SPANS: Final = {
    ("day", False): "{count} day",
    ("day", True): "{count} days",
    ("hour", False): "{count} hour",
    ("hour", True): "{count} hours",
    ("minute", False): "{count} minute",
    ("minute", True): "{count} minutes",
    ("second", False): "{count} second",
    ("second", True): "{count} seconds",
}
_REPLAY: Final = "; no challenge was checked, so this could be a copy presented again (replay)"
_TOO_OLD: Final = "{presented}: older than the {limit} this verifier accepts"
_UNDATED: Final = "the presentation is not dated: its age is unknown"
_UNDATED_TOO_OLD: Final = (
    "the presentation is not dated, so it cannot be shown to be younger "
    "than the {limit} this verifier accepts"
)
_AGE_MESSAGES: Final = (
    *_AGO.values(),
    *_SPANS.values(),
    "{date} at {time} UTC",
    ", valid until {date}",
    _REPLAY,
    _TOO_OLD,
    _UNDATED,
    _UNDATED_TOO_OLD,
)


def _said(check: Check, lang: str) -> str:
    """Return a check's sentence in ``lang``: the presentation's age is said in words."""
    from passeport.proofs.dates import AGE_CHECK, PresentationAge

    if check.code.startswith("cv."):  # a CV file's checks (verifier/cv_check.py)
        from passeport.verifier.cv_check import said

        return said(check, lang)
    age = PresentationAge.read(check.message) if check.code == AGE_CHECK else None
    if age is None:  # other checks keep their English sentence (the details table)
        return check.message
    return _age_words(age, lang)


def _age_words(age: PresentationAge, lang: str) -> str:
    """Say how old a presentation is, until when it holds and whether it may be replayed."""
    from passeport.i18n import format_date, translator

    t = translator(lang)

    def instant(moment: datetime) -> str:
        day = format_date(moment, lang)
        return t("{date} at {time} UTC").format(date=day, time=moment.strftime("%H:%M"))

    def span(limit: timedelta) -> str:
        seconds = int(limit.total_seconds())
        for name, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
            if seconds >= size and seconds % size == 0:
                count = seconds // size
                return t(_SPANS[name, count != 1]).format(count=count)
        return str(limit)

    replay = "" if age.challenged else t(_REPLAY)
    if age.dated is None:
        if age.limit is not None:
            return t(_UNDATED_TOO_OLD).format(limit=span(age.limit))
        return t(_UNDATED) + replay
    count, unit = age.ago
    presented = t(_AGO[unit, unit != "" and count != 1]).format(
        count=count, when=instant(age.dated)
    )
    if age.limit is not None:
        return t(_TOO_OLD).format(presented=presented, limit=span(age.limit))
    until = ""
    if age.expires is not None:
        until = t(", valid until {date}").format(date=instant(age.expires))
    return presented + until + replay


RENDER_MESSAGES: Final = (
    *_AGE_MESSAGES,
    "VERIFIED",
    "NOT VERIFIED",
    "presented by {holder}",
    "warning:",
    "Every check, one by one: add --details.",
    "the presentation: {reason}",
    "{failing} of {total} credentials do not hold:",
    *_STANDING.values(),
    "credential",
    "credential {number}: {types}",
    "credential {number}",
    "issuer:",
    "standing:",
    "subject:",
    "valid:",
    "from {start} to {end}",
    "from {start}",
    "until {end}",
    "check",
    "where",
    "detail (technical)",
)
"""The message ids :func:`render` speaks (their French is checked by a test)."""
