"""``passeport demo``: the whole story, certifier to recruiter, on the example data.

1. A university signs a graduating class (one diploma per CSV row, on every
   core) and Camille's diploma, with ecdsa-sd-2023 so that she can disclose
   only part of it; a training body signs her first-aid certificate; her
   employer attests her job. Each publishes its status lists and DID document.
2. Camille keeps the three credentials in her encrypted wallet, each verified
   on import.
3. A recruiter asks (a DCQL request) for a diploma, title, level and
   certification code only, and a first-aid training; Camille's wallet
   answers with a presentation signed for this offer. Her birth date is not
   in it.
4. The recruiter verifies it offline, against a trust list of accredited
   certifiers: each issuer is accredited for the code it discloses. A replay
   for another offer and a forged copy are refused, and the diploma shown
   without its code is not accredited: a withheld code is never assumed.
   Camille also sends her CV, as a web page (cv.html) and a PDF (cv.pdf):
   both verify, and a copy whose visible text was edited does not.
5. The university later finds the diploma was obtained by fraud and revokes
   it: the same presentation no longer verifies.
6. Finally every cryptosuite signs and verifies with every key type it takes.
7. The skills passport's own services: a training body certifies a training
   Camille followed (35 h, remote, funded by her CPF); she declares an
   internship herself (declarative, never shown as guaranteed), asks her
   employer to validate it, and the employer signs it after reviewing it: her
   wallet links the two and prefers the validated one. She declares a skill;
   her employer attests another. Her wallet then measures the gap to a
   sample target job: what is guaranteed, declared, inferred from her career,
   missing, and the sample catalogue's certifications that would fill it.

Every step is checked; the exit code is 0 only when each outcome is the
expected one. The story is told in French, or in English (``--lang en``);
its words are the ids of :data:`DEMO_MESSAGES`, translated in ``demo.po``.
"""

from __future__ import annotations

import copy
import json
import re
import tempfile
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from passeport._io import dump_json, read_json_file, write_atomic
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm
from passeport.errors import InputError
from passeport.i18n import translator
from passeport.proofs.dates import utc_now
from passeport.proofs.mechanism import mechanism_named, mechanisms
from passeport.verifier import Environment, Policy, TrustList, VerificationResult, verify_any

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["DEMO_MESSAGES", "PLAN", "run_demo"]

# The story's choices, taken from the registry of securing mechanisms: every
# mechanism with every key type it takes, and the university's diploma secured
# by the first one that lets its holder disclose a part of a JSON credential.
PLAN: tuple[tuple[str, KeyAlgorithm], ...] = tuple(
    (m.name, algorithm)
    for m in mechanisms()
    for algorithm in sorted(m.key_algorithms, key=list(KeyAlgorithm).index)
)
DIPLOMA_SUITE: str = next(
    m.name
    for m in mechanisms()
    if m.derives and not m.enveloping and KeyAlgorithm.P256 in m.key_algorithms
)
# The examples ship inside the package (passeport/examples, a link to the repository's
# examples folder): the demo runs from any directory, in a checkout or an installation.
EXAMPLES = Path(str(resources.files("passeport").joinpath("examples")))
_READS = (
    ("issuer", "class.csv"),
    ("issuer", "diploma.json"),
    ("issuer", "prevention.json"),
    ("issuer", "experience.json"),
    ("requests", "job-application.dcql.json"),
    ("trust", "trust-list.json"),
    ("issuer", "training.json"),
    ("issuer", "skill.json"),
    ("jobs", "developpeur-web.json"),
    ("catalogue", "certifications.json"),
)
CHALLENGE, DOMAIN = "offre-2026-042", "recrutement.example"
PASSPHRASE = "demo: never use a passphrase written in a program"

# What her wallet did with each file she gave it (wallet.AddOutcome.status).
_ADDED = {
    "added": "verified, added to her wallet",
    "kept": "kept in her wallet, although it does not verify",
    "duplicate": "already in her wallet",
    "refused": "refused by her wallet",
    "skipped": "skipped: not a credential",
}
# An issuer's standing on the recruiter's trust list (summary["standing"]).
_STANDINGS = {
    "accredited": "accredited",
    "not-accredited": "not accredited",
    "self-declared": "self-declared",
    "unknown": "not checked (no trust list)",
    "unverified": "not guaranteed",
}
_TITLES = (
    "0. Camille creates her wallet",
    "1. Certifiers and employers sign",
    "2. Camille keeps them in her wallet",
    "3. A recruiter asks; Camille's wallet answers",
    "4. The recruiter verifies, offline",
    "4b. Camille sends her CV, as a web page and as a PDF",
    "5. The diploma was obtained by fraud",
    "6. Every cryptosuite, every key type",
    "7. Her skills passport: trainings, declarations, the gap to a job",
)
_COLUMNS = ("suite", "key", "signed: verified", "forged: refused")
_EXPECTED = (
    "encrypted wallet camille.wallet; her DID: {did}",
    "the university signs its graduating class: {issued} diplomas, {refused} refused, "
    "every one verified before it was written",
    "Camille's diploma ({suite}), first-aid certificate and job attestation are signed",
    "each publishes its status lists and did:web document (folder web/)",
    "{where}: {status}",
    "her birth date and e-mail are nowhere in the presentation",
    "the presentation verifies: signed by Camille, for this offer",
    "issuers' standing on the recruiter's trust list: {standings}",
    "the diploma shown without its certification code: not accredited "
    "(a withheld code is never assumed)",
    "replayed for another offer: refused",
    "a copy with its diploma title changed: refused",
    "{name}: her CV verifies, and shows what was signed",
    "a copy of cv.html whose diploma was edited to read Master: refused (cv.text)",
    "the university revokes it; the same presentation now fails (status.revoked)",
    "a training followed, certified by its training body (35 h, remote, CPF)",
    "she declares her internship herself: verified as declarative, never as guaranteed",
    "her employer reviews and validates it; her wallet links the two and prefers the validated one",
    "the gap to a sample job: guaranteed, declared, inferred and missing skills, and "
    "the certifications that would fill it",
)
_SHOWN = (
    "whole: its issuer did not sign it for selective disclosure",
    "selective disclosure: only what was asked",
)
_SAID = (
    "the files are in {folder}",
    "Try:",
    "the presentation sent to the recruiter (its diploma has been revoked since)",
    "her CV (its diploma has been revoked since)",
    "her skills gap (passphrase: see passeport/demo.py)",
    "The story holds.",
    "Failed.",
)
DEMO_MESSAGES: tuple[str, ...] = (
    *_TITLES,
    *_EXPECTED,
    *_ADDED.values(),
    *_STANDINGS.values(),
    *_SHOWN,
    *_COLUMNS,
    *_SAID,
)
"""The message ids ``passeport demo`` speaks (their French is checked)."""


def _example(*parts: str) -> Any:
    path = EXAMPLES.joinpath(*parts)
    if not path.is_file():
        raise InputError("example missing from this installation of passeport", where=str(path))
    return read_json_file(path)


def _mark(ok: bool) -> str:
    return "[green]✔[/]" if ok else "[red]✘[/]"


def _hanging(console: Console, mark: str, text: str, *, indent: int = 2) -> None:
    """Print ``mark text`` indented, its wrapped lines aligned under ``text``'s start.

    ``mark`` is rich markup (a coloured ✔); ``text`` is printed as it is.
    """
    from rich.text import Text

    head = Text.from_markup(" " * indent + (f"{mark} " if mark else ""))
    width = max(console.width - head.cell_len, 20)
    for number, line in enumerate(Text(text).wrap(console, width)):
        line.rstrip()
        lead = head if number == 0 else Text(" " * head.cell_len)
        console.print(Text.assemble(lead, line), soft_wrap=True)


# A line the library indents and marks itself (a gap line): its indentation, its
# mark (✔ ✘ ○ ~ →, or a rank "1."), then its text, which wraps under its own start.
_MARKED = re.compile(r"( *)((?:[✔✘○~→]|\d+\.)(?= ))? ?(.*)", re.DOTALL)


class _Story:
    """The story's shared state, its language and its running verdict."""

    def __init__(self, root: Path, console: Console, lang: str) -> None:
        self.root = root
        self.console = console
        self.lang = lang
        self.t = translator(lang)
        self.all_good = True

    def expect(self, label: str, ok: bool, **fields: object) -> None:
        """Print a step's outcome (``label``, a message id, filled with ``fields``)."""
        self.all_good &= ok
        _hanging(self.console, _mark(ok), self.t(label).format(**fields))

    def title(self, title: str) -> None:
        """Open a section of the story."""
        from rich.markup import escape

        self.console.rule(f"[bold]{escape(self.t(title))}")

    def say(self, line: str) -> None:
        """Print a line said by the library (a sentence, a gap line), kept indented."""
        found = _MARKED.fullmatch(line)
        spaces, mark, text = found.groups() if found else ("", None, line)
        if mark:
            from rich.markup import escape

            mark = escape(mark)
        _hanging(self.console, mark or "", text, indent=2 + len(spaces))

    def web(self) -> Environment:
        """Return the recruiter's offline environment: the published files as a cache."""
        return Environment().with_cache(self.root / "web")


def _issuers(story: _Story, holder: str) -> dict[str, Any]:
    """Create the three issuers and sign Camille's credentials; return them and the profiles."""
    from passeport.issuer import Profile, issue, issue_batch, publish_status

    story.title("1. Certifiers and employers sign")
    univ = Profile.create(
        story.root / "universite",
        name="Université Exemple",
        did="web:univ.example",
        key_type=KeyAlgorithm.P256,
        suite=DIPLOMA_SUITE,
    )
    training = Profile.create(
        story.root / "formation", name="Organisme de formation Exemple", did="web:formation.example"
    )
    employer = Profile.create(
        story.root / "employeur", name="Employeur Exemple SA", did="web:employeur.example"
    )
    summary = issue_batch(univ, "diploma", EXAMPLES / "issuer" / "class.csv", story.root / "promo")
    story.expect(
        "the university signs its graduating class: {issued} diplomas, {refused} refused, "
        "every one verified before it was written",
        summary.issued > 0 and not summary.failures,
        issued=summary.issued,
        refused=len(summary.failures),
    )
    person = {"id": holder, "name": "Camille Martin"}
    diploma_data = copy.deepcopy(_example("issuer", "diploma.json"))
    diploma_data["holder"].update(person)
    diploma = issue(univ, "diploma", diploma_data)
    first_aid_data = _example("issuer", "prevention.json")
    first_aid_data["holder"] = dict(person)
    first_aid = issue(training, "prevention", first_aid_data)
    job_data = _example("issuer", "experience.json")
    job_data["holder"] = dict(person)
    job = issue(employer, "experience", job_data)
    credentials = {"diploma": diploma, "first-aid": first_aid, "job": job}
    (story.root / "camille").mkdir()
    for name, credential in credentials.items():
        write_atomic(story.root / "camille" / f"{name}.json", dump_json(credential))
    story.expect(
        "Camille's diploma ({suite}), first-aid certificate and job attestation are signed",
        True,
        suite=DIPLOMA_SUITE,
    )
    for profile in (univ, training, employer):
        publish_status(profile, story.root / "web")
    story.expect("each publishes its status lists and did:web document (folder web/)", True)
    return {"univ": univ, "credentials": credentials}


def _wallet(story: _Story) -> Any:
    """Camille's wallet, created first: its DID is what her credentials are about."""
    from passeport.wallet import Wallet

    story.title("0. Camille creates her wallet")
    wallet = Wallet.create(story.root / "camille.wallet", PASSPHRASE)
    story.expect("encrypted wallet camille.wallet; her DID: {did}", True, did=wallet.did)
    return wallet


def _keep(story: _Story, wallet: Any, credentials: dict[str, Any]) -> None:
    """Camille adds her three credentials; each is verified before it is kept."""
    from passeport.wallet import add

    story.title("2. Camille keeps them in her wallet")
    sources = [(f"{name}.json", dump_json(value)) for name, value in credentials.items()]
    for outcome in add(wallet, sources, env=story.web()):
        status = story.t(_ADDED[outcome.status]) if outcome.status in _ADDED else outcome.status
        story.expect(
            "{where}: {status}", outcome.status == "added", where=outcome.where, status=status
        )


def _asking_for_codes(request: dict[str, Any]) -> dict[str, Any]:
    """Add each certification's code and award date to what the request asks.

    Accreditation rests on the code, and a recruiter reads the award date.

    A trust list accredits certifiers for certification codes; a credential
    that does not disclose its code cannot show that accreditation.
    """
    for query in request["credentials"]:
        query["claims"].append(
            {"id": "code", "path": ["credentialSubject", "achievement", "humanCode"]}
        )
        # ... and when it was obtained: the verdict says the award date, never the signing's.
        query["claims"].append({"id": "awarded", "path": ["awardedDate"]})
        for claim_set in query.get("claim_sets", []):
            claim_set.extend(("code", "awarded"))
    return request


def _present(story: _Story, wallet: Any) -> dict[str, Any]:
    from passeport.wallet import present

    story.title("3. A recruiter asks; Camille's wallet answers")
    request = _asking_for_codes(_example("requests", "job-application.dcql.json"))
    presentation = present(wallet, request=request, challenge=CHALLENGE, domain=DOMAIN)
    vp = presentation.document
    path = story.root / "presentation.json"
    write_atomic(path, dump_json(vp))
    for item in presentation.credentials:
        shown = story.t(_SHOWN[0] if item.disclosure == "whole" else _SHOWN[1])
        story.say(f"{item.title} — {shown}")
    text = path.read_text("utf-8")
    story.expect(
        "her birth date and e-mail are nowhere in the presentation",
        "2003-04-12" not in text and "@etu.univ.example" not in text,
    )
    return vp


def _recruiter(story: _Story, vp: dict[str, Any], diploma: dict[str, Any]) -> VerificationResult:
    from passeport.verifier.cli import render

    story.title("4. The recruiter verifies, offline")
    trust = TrustList.read(EXAMPLES / "trust" / "trust-list.json")
    policy = Policy(challenge=CHALLENGE, domain=DOMAIN, trust=trust)
    result = verify_any(vp, policy=policy, env=story.web())
    render(result, as_json=False, source="presentation.json", lang=story.lang)
    story.expect("the presentation verifies: signed by Camille, for this offer", result.verified)
    standings = [c.get("standing") for c in result.summary.get("credentials", [])]  # type: ignore[union-attr]
    said = [story.t(_STANDINGS.get(str(standing), str(standing))) for standing in standings]
    story.expect(
        "issuers' standing on the recruiter's trust list: {standings}",
        bool(standings) and all(standing == "accredited" for standing in standings),
        standings=", ".join(said),
    )
    untold = mechanism_named(DIPLOMA_SUITE).derive(diploma, ["/credentialSubject/achievement/name"])
    hidden = verify_any(untold, policy=Policy(trust=trust), env=story.web())
    story.expect(
        "the diploma shown without its certification code: not accredited "
        "(a withheld code is never assumed)",
        not hidden.verified
        and hidden.summary.get("standing") == "not-accredited"
        and {c.code for c in hidden.failures()} == {"trust.code"},
    )
    replay = verify_any(
        vp, policy=Policy(challenge="another-offer", domain=DOMAIN), env=story.web()
    )
    story.expect("replayed for another offer: refused", not replay.verified)
    forged = copy.deepcopy(vp)
    forged["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"] = "Doctorat"
    tampered = verify_any(forged, policy=policy, env=story.web())
    story.expect("a copy with its diploma title changed: refused", not tampered.verified)
    return result


# What Camille's CV shows of her diploma: her name, the title, its kind, code, level,
# blocks and award date; her birth date and e-mail stay in her wallet.
CV_REVEAL = (
    "/credentialSubject/identifier/0",
    "/credentialSubject/achievement/name",
    "/credentialSubject/achievement/achievementType",
    "/credentialSubject/achievement/humanCode",
    "/credentialSubject/achievement/alignment",
    "/awardedDate",
)


def _cv(story: _Story, wallet: Any) -> None:
    """Camille sends her CV (HTML and PDF); the recruiter checks both, and an edited copy."""
    from passeport.wallet import make_cv, present

    story.title("4b. Camille sends her CV, as a web page and as a PDF")
    ids = [entry.id for entry in wallet.entries()]
    presented = present(wallet, ids, reveal=CV_REVEAL, challenge=CHALLENGE, domain=DOMAIN)
    trust = TrustList.read(EXAMPLES / "trust" / "trust-list.json")
    policy = Policy(challenge=CHALLENGE, domain=DOMAIN, trust=trust)
    for name in ("cv.html", "cv.pdf"):
        made = make_cv(presented, wallet, filename=name, trust=trust, env=story.web())
        data: str | bytes = made.pdf() if name.endswith(".pdf") else made.html()
        write_atomic(story.root / name, data)
        checked = verify_any(
            data if isinstance(data, bytes) else data.encode("utf-8"),
            policy=policy,
            env=story.web(),
            where=name,
        )
        story.expect(
            "{name}: her CV verifies, and shows what was signed", checked.verified, name=name
        )
    page = (story.root / "cv.html").read_text("utf-8")
    title = "Licence professionnelle"
    edited = verify_any(page.replace(title, "Master", 1), policy=policy, env=story.web())
    story.expect(
        "a copy of cv.html whose diploma was edited to read Master: refused (cv.text)",
        not edited.verified and "cv.text" in {c.code for c in edited.failures()},
    )


def _fraud(story: _Story, univ: Any, diploma: dict[str, Any], vp: dict[str, Any]) -> None:
    from passeport.issuer import publish_status, revoke

    story.title("5. The diploma was obtained by fraud")
    revoke(univ, str(diploma["id"]), reason="diplôme obtenu par fraude")
    publish_status(univ, story.root / "web")
    policy = Policy(challenge=CHALLENGE, domain=DOMAIN)
    result = verify_any(vp, policy=policy, env=story.web())
    codes = {c.code for c in result.failures()}
    story.expect(
        "the university revokes it; the same presentation now fails (status.revoked)",
        not result.verified and "status.revoked" in codes,
    )


def _suites(story: _Story, holder: dict[str, Any]) -> None:
    from rich.table import Table

    story.title("6. Every cryptosuite, every key type")
    diploma = json.loads(json.dumps(holder))
    diploma.pop("issuer", None)  # each key below signs as itself, and is named the issuer
    table = Table()
    for column in _COLUMNS:
        table.add_column(story.t(column))
    for suite, algorithm in PLAN:
        mechanism = mechanism_named(suite)
        issuer = KeyPair.generate(algorithm)
        mandatory = ("/issuer",) if mechanism.takes_mandatory else ()
        unsigned = {**diploma, "issuer": issuer.controller}
        signed: Any = mechanism.secure(unsigned, issuer, mandatory=mandatory)
        if mechanism.derives:
            signed = mechanism.derive(signed, ["/credentialSubject/achievement/name"])
        if isinstance(signed, str):
            forged: Any = signed[:-4] + ("AAAA" if not signed.endswith("AAAA") else "BBBB")
        else:
            forged = copy.deepcopy(signed)
            forged["credentialSubject"]["achievement"]["name"] = "Master en informatique"
        verified = verify_any(signed).verified
        refused = not verify_any(forged).verified
        story.all_good &= verified and refused
        table.add_row(suite, str(algorithm), _mark(verified), _mark(refused))
    story.console.print(table)


# Camille's internship, which she declares herself before her employer validates it.
INTERNSHIP = {
    "holder": {"name": "Camille Martin"},
    "employment": {
        "jobTitle": "Développeuse web (stage)",
        "employer": {"name": "Employeur Exemple SA", "url": "https://employeur.example"},
        "startDate": "2024-03-04",
        "endDate": "2024-08-30",
        "rome": "M1805",
        "tasks": ["Intégration d'interfaces en HTML et CSS", "Tests de non-régression"],
    },
}
JAVASCRIPT = {
    "holder": {"name": "Camille Martin"},
    "achievement": {
        "name": "JavaScript",
        "esco": "http://data.europa.eu/esco/skill/3cd569a2-4f88-4c1e-9995-8dce8c5e51a7",
        "criteria": "Interfaces web écrites en JavaScript pendant mon alternance.",
    },
}


def _career(story: _Story, wallet: Any) -> None:
    """Trainings followed, a declaration validated by the employer, and the gap to a job."""
    from passeport.issuer import Profile, issue, publish_status
    from passeport.issuer.declared import declaration, read_request, validation_data
    from passeport.issuer.issue import new_credential_id
    from passeport.verifier.facts import Guarantee, Kind
    from passeport.wallet import add
    from passeport.wallet.declarations import declare, preferred, validation_request, validations
    from passeport.wallet.gap import skills_gap
    from passeport.wallet.referentials import read_catalogue, read_job

    story.title("7. Her skills passport: trainings, declarations, the gap to a job")
    folder = story.root / "camille"
    person = {"id": wallet.did, "name": "Camille Martin"}
    training_body = Profile.open(story.root / "formation")
    employer = Profile.open(story.root / "employeur")
    training = issue(
        training_body, "training", {**_example("issuer", "training.json"), "holder": person}
    )
    python = issue(employer, "skill", {**_example("issuer", "skill.json"), "holder": person})
    for profile in (training_body, employer):
        publish_status(profile, story.root / "web")
    write_atomic(folder / "training.json", dump_json(training))
    checked = verify_any(training, env=story.web())
    [report] = checked.credentials
    story.say(report.sentence(story.lang))
    story.expect(
        "a training followed, certified by its training body (35 h, remote, CPF)",
        checked.verified and report.facts.kind is Kind.TRAINING,
    )
    unsigned = declaration(
        "experience",
        INTERNSHIP,
        holder=wallet.did,
        credential_id=new_credential_id(),
        issued_at=utc_now(),
    )
    record = str(declare(wallet, unsigned, env=story.web()).id)  # its id in her wallet
    held = wallet.credential(record).credential
    write_atomic(folder / "internship.declared.json", dump_json(held))
    own = verify_any(held, env=story.web())
    story.say(own.credentials[0].sentence(story.lang))
    story.expect(
        "she declares her internship herself: verified as declarative, never as guaranteed",
        own.verified and own.credentials[0].facts.guarantee is Guarantee.DECLARED,
    )
    request = validation_request(wallet, record, to="Employeur Exemple SA")
    write_atomic(folder / "internship.request.json", dump_json(request))
    asked = read_request(request, where="internship.request.json", env=story.web())
    validated = issue(employer, "experience", validation_data(asked, "experience"))
    publish_status(employer, story.root / "web")
    write_atomic(folder / "internship.validated.json", dump_json(validated))
    [outcome] = add(wallet, [("internship.validated.json", dump_json(validated))], env=story.web())
    links = validations(wallet)
    story.expect(
        "her employer reviews and validates it; her wallet links the two and prefers the "
        "validated one",
        outcome.status == "added"
        and any(link.declared == record and link.by == outcome.id for link in links)
        and preferred([record], links) == [outcome.id],
    )
    skill = declaration(
        "skill",
        JAVASCRIPT,
        holder=wallet.did,
        credential_id=new_credential_id(),
        issued_at=utc_now(),
    )
    declare(wallet, skill, env=story.web())
    sources = [
        (f"{name}.json", dump_json(value))
        for name, value in (("training", training), ("python", python))
    ]
    add(wallet, sources, env=story.web())
    job = read_job(EXAMPLES / "jobs" / "developpeur-web.json")
    gap = skills_gap(
        wallet, job, catalogue=read_catalogue(EXAMPLES / "catalogue" / "certifications.json")
    )
    for line in gap.lines(story.lang):
        story.say(line)
    counts = gap.counts()
    story.expect(
        "the gap to a sample job: guaranteed, declared, inferred and missing skills, and "
        "the certifications that would fill it",
        all(counts[label] > 0 for label in ("guaranteed", "declared", "inferred", "missing"))
        and bool(gap.suggestions)
        and gap.suggestions[0].certification.code == "RNCP37674",
    )


def run_demo(folder: Path | None = None, *, lang: str = "fr") -> int:
    """Run the story in ``folder`` (a new temporary folder by default); return the exit code.

    Everything is said in ``lang`` (``fr`` or ``en``), the recruiter's verdict included.
    """
    from rich.console import Console
    from rich.markup import escape

    console = Console(highlight=False, emoji=False)
    for parts in _READS:  # before anything is written
        if not EXAMPLES.joinpath(*parts).is_file():
            raise InputError(
                "example missing from this installation of passeport",
                where=str(EXAMPLES.joinpath(*parts)),
            )
    root = folder or Path(tempfile.mkdtemp(prefix="passeport-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise InputError("the demo needs an empty folder", where=str(root))
    story = _Story(root, console, lang)
    t = story.t
    where = t("the files are in {folder}").format(folder=root)
    console.print(f"[bold]passeport demo[/] — {escape(where)}\n", soft_wrap=True)

    wallet = _wallet(story)
    issued = _issuers(story, wallet.did)
    _keep(story, wallet, issued["credentials"])
    vp = _present(story, wallet)
    _recruiter(story, vp, issued["credentials"]["diploma"])
    _cv(story, wallet)
    _fraud(story, issued["univ"], issued["credentials"]["diploma"], vp)
    sample = _example("issuer", "diploma.json")
    _suites(story, _unsigned_diploma(sample))
    _career(story, wallet)
    _hint(story)
    if story.all_good:
        console.print(f"[bold green]{escape(t('The story holds.'))}[/]")
    else:
        console.print(f"[bold red]{escape(t('Failed.'))}[/]")
    return 0 if story.all_good else 1


def _hint(story: _Story) -> None:
    """Print the commands that replay the recruiter's checks, one option group a line."""
    from shlex import quote

    from passeport.i18n import language_of

    def at(*parts: str) -> str:
        return quote(str(story.root.joinpath(*parts)))

    def example(*parts: str) -> str:
        return quote(str(EXAMPLES.joinpath(*parts)))

    # The commands speak the locale's language: ask for the demo's when they differ.
    lang = "" if language_of() == story.lang else f" --lang {story.lang}"
    commands = (
        (
            "the presentation sent to the recruiter (its diploma has been revoked since)",
            f"passeport verify {at('presentation.json')}{lang}",
            f"--challenge {CHALLENGE} --domain {DOMAIN}",
            f"--cache {at('web')} --offline",
        ),
        (
            "her CV (its diploma has been revoked since)",
            f"passeport verify {at('cv.pdf')}{lang}",
            f"--trust {example('trust', 'trust-list.json')}",
            f"--cache {at('web')} --offline",
        ),
        (
            "her skills gap (passphrase: see passeport/demo.py)",
            f"passeport wallet gap --wallet {at('camille.wallet')}{lang}",
            f"--job {example('jobs', 'developpeur-web.json')}",
            f"--catalogue {example('catalogue', 'certifications.json')}",
        ),
    )
    lines = ["", story.t("Try:")]
    for comment, command, *options in commands:
        lines.append(f"  # {story.t(comment)}")
        lines.append(f"  {command} \\")
        lines.extend(f"      {option} \\" for option in options[:-1])
        lines.append(f"      {options[-1]}")
    # Never wrapped by rich: a long path stays on its line, and the command copies whole.
    for line in lines:
        story.console.print(line, markup=False, soft_wrap=True)


def _unsigned_diploma(data: dict[str, Any]) -> dict[str, Any]:
    """Render the example diploma with a throwaway issuer, for the suite table."""
    from passeport.issuer import render

    return render(
        "diploma",
        data,
        issuer={"id": "did:example:issuer", "name": "Démo"},
        credential_id="urn:uuid:8a9c7b4e-0000-4000-8000-000000000001",
        issued_at=utc_now() - timedelta(days=1),
    )
