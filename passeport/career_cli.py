"""``passeport wallet declare, request-validation, declarations, gap, infer``: career services.

The skills passport's own services, for the holder (issue 18): record a job,
a skill or a training as a declaration, ask an employer or a training body
to validate it, see the gap between one's credentials and a target job with
the certifications that would fill it, and the skills one's career suggests.

These commands join the wallet's (``passeport wallet ...``): :func:`register`
adds them to its typer app. They live in the shell, not in ``wallet/cli.py``,
because they also use the issuer's templates (a declaration is rendered from
them), which the wallet package does not import.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer

from passeport.verifier.cli import CacheOption, LangOption, OfflineOption
from passeport.wallet.cli import (
    ForceOption,
    JsonOption,
    WalletOption,
    echo_json,
    open_wallet,
    refuse_existing,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from passeport.wallet import Wallet
    from passeport.wallet.career import JobProfile
    from passeport.wallet.inference import InferredSkill

__all__ = ["CAREER_MESSAGES", "register"]


class Declarable(StrEnum):
    """What a holder may declare."""

    EXPERIENCE = "experience"
    SKILL = "skill"
    TRAINING = "training"


_SAID: Final = {
    "declared": "{title} declared as {id}: a declaration, signed by you; every verifier, "
    "listing and CV shows it as declared, never as guaranteed",
    "ask": "To have it validated: passeport wallet request-validation {id} -o request.json",
    "request": "validation request written to {path}; send it to whoever can vouch for it: "
    "they answer with passeport issue {template} --from-declared {path}",
    "validated": "validated by {by}",
    "endorsed": "endorsed by {by}",
    "waiting": "waiting for a validation",
    "no declarations": "You have declared nothing yet (passeport wallet declare).",
    "inferred": "~ {label} — inferred: {reasons}",
    "nothing inferred": "Your credentials suggest no skill you do not already hold.",
    "no referential": "Give --referential (job profiles, a ROME fiche or the ROME data) to "
    "infer skills from the jobs you held.",
    "kept": "{label} kept as your declaration {id}",
    "keep": "Keep them as your declarations with --keep.",
    "no name": "your name is not in your credentials: give it with --name",
}
CAREER_MESSAGES: Final = tuple(_SAID.values())
"""The message ids of these commands (their French is in locale/fr/LC_MESSAGES/career.po)."""

ReferentialOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--referential",
        help="Job profiles by ROME code to infer skills from the jobs you held: a job file, "
        "a folder of them, a ROME 4.0 fiche, or the ROME 4.0 CSV open data (repeatable).",
    ),
]
MinMonthsOption = Annotated[
    int,
    typer.Option("--min-months", min=0, help="How long a job is held before it suggests skills."),
]


def _words(lang: str | None) -> Callable[[str], str]:
    from passeport.i18n import language_of, translator

    return translator(language_of(lang))


def declare(
    kind: Annotated[Declarable, typer.Argument(help="experience, skill or training.")],
    data: Annotated[
        Path,
        typer.Option(
            help="What you declare (JSON, the fields of the issuer's template).", dir_okay=False
        ),
    ],
    wallet: WalletOption = None,
    cache: CacheOption = None,
    offline: OfflineOption = False,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Record a job, a skill or a training yourself: declared until someone validates it."""
    from passeport._io import read_json_file
    from passeport.issuer.declared import declaration
    from passeport.issuer.issue import new_credential_id
    from passeport.proofs.dates import utc_now
    from passeport.verifier.cli import environment
    from passeport.wallet.declarations import declare as sign_declaration

    opened = open_wallet(wallet)
    unsigned = declaration(
        str(kind),
        read_json_file(data),
        holder=opened.did,
        credential_id=new_credential_id(),
        issued_at=utc_now(),
        where=str(data),
    )
    outcome = sign_declaration(
        opened, unsigned, env=environment(cache, offline=offline), where=str(data)
    )
    if as_json:
        echo_json(outcome.to_json())
        return
    t = _words(lang)
    title = outcome.info.title if outcome.info is not None else str(kind)
    typer.echo(t(_SAID["declared"]).format(title=title, id=outcome.id))
    typer.echo(t(_SAID["ask"]).format(id=outcome.id))


def request_validation(
    credential: Annotated[str, typer.Argument(help="Your declaration's id (or its start).")],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="Request file to write (JSON).", dir_okay=False),
    ],
    to: Annotated[
        str | None, typer.Option(help="Whom you ask (an employer, a training body).")
    ] = None,
    message: Annotated[str | None, typer.Option(help="A word for them.")] = None,
    wallet: WalletOption = None,
    force: ForceOption = False,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Write a request asking an employer or a training body to validate your declaration."""
    from passeport._io import dump_json, write_atomic
    from passeport.wallet.declarations import validation_request

    refuse_existing(output, force=force)
    request = validation_request(open_wallet(wallet), credential, to=to, message=message)
    write_atomic(output, dump_json(request), overwrite=force)
    template = _template_of(request)
    declared = request.get("declaration")
    if as_json:
        named = declared.get("id") if isinstance(declared, dict) else None
        echo_json({"request": str(output), "declaration": named, "template": template})
        return
    typer.echo(_words(lang)(_SAID["request"]).format(path=output, template=template))


def _template_of(request: object) -> str:
    from passeport.verifier.facts import Kind, facts_of

    declared = request.get("declaration") if isinstance(request, dict) else None
    if not isinstance(declared, dict):
        return "experience"
    kind = facts_of(declared, standing="self-declared", verified=True).kind
    return {Kind.SKILL: "skill", Kind.TRAINING: "training"}.get(kind, "experience")


def declarations(
    wallet: WalletOption = None,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """List what you declared, and which of it an employer or a trainer has validated."""
    from passeport.wallet.declarations import LinkKind, is_declaration, validations

    opened = open_wallet(wallet)
    links = validations(opened)
    declared = [e for e in opened.entries() if is_declaration(e.info)]
    if as_json:
        echo_json(
            [
                {
                    "id": e.id,
                    "title": e.info.title,
                    "links": [link.to_json() for link in links if link.declared == e.id],
                }
                for e in declared
            ]
        )
        return
    t = _words(lang)
    if not declared:
        typer.echo(t(_SAID["no declarations"]))
        return
    for entry in declared:
        said = [
            t(_SAID["validated" if link.kind is LinkKind.VALIDATED else "endorsed"]).format(
                by=link.by
            )
            for link in links
            if link.declared == entry.id
        ]
        typer.echo(f"{entry.id} {entry.info.title or ''}: {'; '.join(said) or t(_SAID['waiting'])}")


def _referential(paths: list[Path] | None, job: JobProfile | None) -> dict[str, JobProfile]:
    from passeport.wallet.referentials import read_referential

    found: dict[str, JobProfile] = {}
    for path in paths or ():
        found.update(read_referential(path))
    if job is not None and job.rome:
        found.setdefault(job.rome, job)
    return found


def gap(
    job: Annotated[
        Path,
        typer.Option(
            "--job",
            help="The target job: a job profile (JSON) or a ROME 4.0 fiche métier (JSON).",
            dir_okay=False,
        ),
    ],
    catalogue: Annotated[
        Path | None,
        typer.Option(
            help="Certifications to suggest: a catalogue (JSON) or a folder of France "
            "Compétences' RNCP/RS CSV export.",
        ),
    ] = None,
    referential: ReferentialOption = None,
    min_months: MinMonthsOption = 6,
    wallet: WalletOption = None,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Compare your credentials with a target job: what is covered, how surely, what is missing.

    Each required skill is covered by a guaranteed credential (signed by its
    issuer), a declared one (signed by you) or only inferred from your career;
    for what is missing, the catalogue's certifications that would cover it,
    most useful first.
    """
    from passeport.i18n import language_of
    from passeport.wallet.gap import skills_gap
    from passeport.wallet.referentials import read_catalogue, read_job

    target = read_job(job)
    chosen = read_catalogue(catalogue) if catalogue is not None else None
    found = skills_gap(
        open_wallet(wallet),
        target,
        catalogue=chosen,
        referential=_referential(referential, target),
        min_months=min_months,
    )
    if as_json:
        echo_json(found.to_json())
        return
    for line in found.lines(language_of(lang)):
        typer.echo(line)


def infer(
    referential: ReferentialOption = None,
    job: Annotated[
        Path | None,
        typer.Option("--job", help="A job profile to infer from too.", dir_okay=False),
    ] = None,
    keep: Annotated[
        bool,
        typer.Option("--keep", help="Keep every skill proposed as your own declaration."),
    ] = False,
    name: Annotated[str | None, typer.Option(help="Your name, for what --keep declares.")] = None,
    min_months: MinMonthsOption = 6,
    wallet: WalletOption = None,
    as_json: JsonOption = False,
    lang: LangOption = None,
) -> None:
    """Show the skills your jobs and trainings suggest (inferred), and keep those you agree with."""
    from passeport.i18n import language_of
    from passeport.wallet._holdings import holdings
    from passeport.wallet.inference import infer as infer_skills
    from passeport.wallet.referentials import read_job

    chosen = language_of(lang)
    t = _words(chosen)
    opened = open_wallet(wallet)
    held, _ = holdings(opened)
    fiches = _referential(referential, read_job(job) if job is not None else None)
    proposed = infer_skills(held, fiches, min_months=min_months)
    kept: list[dict[str, str]] = []
    if keep and proposed:
        holder = name or next((h.facts.holder_name for h in held if h.facts.holder_name), None)
        if not holder:
            from passeport.errors import InputError

            raise InputError(t(_SAID["no name"]), where="--name")
        kept = _keep(opened, proposed, holder)
    if as_json:
        echo_json({"inferred": [s.to_json() for s in proposed], "kept": kept})
        return
    if not fiches:
        typer.echo(t(_SAID["no referential"]))
    if not proposed:
        typer.echo(t(_SAID["nothing inferred"]))
    for skill in proposed:
        reasons = "; ".join(reason.text(chosen) for reason in skill.reasons)
        typer.echo(t(_SAID["inferred"]).format(label=skill.label, reasons=reasons))
    for item in kept:
        typer.echo(t(_SAID["kept"]).format(**item))
    if proposed and not keep:
        typer.echo(t(_SAID["keep"]))


def _keep(opened: Wallet, proposed: Sequence[InferredSkill], holder: str) -> list[dict[str, str]]:
    """Declare each inferred skill (a skill credential signed by the holder); return them."""
    from passeport.issuer.declared import declaration
    from passeport.issuer.issue import new_credential_id
    from passeport.proofs.dates import utc_now
    from passeport.wallet.career import Framework
    from passeport.wallet.declarations import declare as sign_declaration

    kept: list[dict[str, str]] = []
    for skill in proposed:
        reason = skill.reasons[0]
        achievement: dict[str, object] = {
            "name": skill.label,
            "criteria": "Déduit "
            + "; ".join(r.text("fr") for r in skill.reasons)
            + ", puis déclaré par son titulaire.",
        }
        if skill.framework is Framework.ESCO:
            achievement["esco"] = skill.code
        if reason.code:
            achievement["rome"] = reason.code
        data: dict[str, object] = {"holder": {"name": holder}, "achievement": achievement}
        if reason.title and reason.code:
            data["role"] = reason.title
        unsigned = declaration(
            "skill",
            data,
            holder=opened.did,
            credential_id=new_credential_id(),
            issued_at=utc_now(),
            where=skill.label,
        )
        outcome = sign_declaration(opened, unsigned, where=skill.label)
        kept.append({"label": skill.label, "id": outcome.id or ""})
    return kept


def register(app: typer.Typer) -> None:
    """Add the career commands to the wallet's typer app (``passeport wallet ...``)."""
    app.command()(declare)
    app.command("request-validation")(request_validation)
    app.command()(declarations)
    app.command()(gap)
    app.command()(infer)
