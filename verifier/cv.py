"""The CV a recruiter reads: a signed presentation laid out as a French CV.

A CV is a function of two things and nothing else:

- the signed presentation, read as the verification reads it: each line's
  facts (title, issuer, code, level, dates) come from the credential's
  :class:`~passeport.verifier.facts.CredentialFacts`, which hold only what
  was signed and disclosed, with the award date and never the signing time;
- the holder's :class:`CvSettings`, carried in the file next to the
  presentation, unsigned: the language, how to check the CV (a URL or the
  command), the small mark of each line and how many fields each credential
  withheld (a signature cannot say what it hides: the holder counts it).

:func:`cv_of` builds the :class:`Cv`; :mod:`passeport.verifier.cv_html` and the
wallet's PDF writer draw it, and :mod:`passeport.verifier.cv_check` builds it
again from the verified presentation to compare with what a file shows.

Sections follow a French CV: diplômes, certifications, expériences
professionnelles, compétences (RNCP blocks, ESCO, ROME, others), prévention
(with the end of validity), recommandations, then anything else. No JSON path,
no identifier of a credential, nothing withheld is ever shown.

>>> from passeport.verifier.facts import CredentialFacts, Guarantee, Kind
>>> facts = CredentialFacts(Kind.DIPLOMA, Guarantee.GUARANTEED, "accredited",
...     title="Licence professionnelle", level="6", codes=("RNCP35288",),
...     awarded="2025-07-04", issuer_name="Université Exemple", holder_name="Camille Martin")
>>> cv = cv_of({}, [facts], CvSettings(marks=(Mark.ACCREDITED,), withheld=(3,)))
>>> cv.heading, cv.sections[0].heading
('Camille Martin', 'Diplômes')
>>> line = cv.sections[0].groups[0].lines[0]
>>> line.title
'Licence professionnelle'
>>> line.details
('Université Exemple', 'RNCP35288', 'Niveau 6', 'Obtenu le 4 juillet 2025')
>>> line.mark_words, line.withheld_words
('Garanti par un organisme accrédité', '3 champs non communiqués')
"""

from __future__ import annotations

import json
import re
import shlex
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from passeport._json import JsonObject
from passeport.errors import InputError, PasseportError
from passeport.i18n import LANGUAGES, format_date, translator
from passeport.verifier.facts import CredentialFacts, Guarantee, Kind

if TYPE_CHECKING:
    from passeport.contexts.loader import DocumentLoader

__all__ = [
    "CV_MESSAGES",
    "MARK_SYMBOLS",
    "MAX_WITHHELD",
    "PDF_ALPHABET",
    "SEPARATOR",
    "Cv",
    "CvGroup",
    "CvLine",
    "CvSection",
    "CvSettings",
    "Mark",
    "cv_of",
    "esco_of_presentation",
    "esco_skills",
    "pdf_drawable",
    "qr_runs",
]

MAX_WITHHELD: Final = 100_000
"""The largest count of withheld fields a CV may state for one credential."""
_MAX_URL: Final = 300
_FILENAME: Final = re.compile(r"[^\x00-\x1f\x7f/\\\-.][^\x00-\x1f\x7f/\\]{0,99}")
_URL: Final = re.compile(r"https?://[!#-~]+")  # printable ASCII, no space, no quote


class Mark(StrEnum):
    """Who vouches for one line of a CV, as the holder's wallet found it."""

    ACCREDITED = "accredited"  # signed by an issuer accredited for its certification code
    ISSUER = "issuer"  # signed by its issuer (known by its signature)
    DECLARED = "declared"  # signed by the holder about themselves
    UNVERIFIED = "unverified"  # presented although it does not verify


_MARK_WORDS: Final = {
    Mark.ACCREDITED: "Guaranteed by an accredited body",
    Mark.ISSUER: "Guaranteed by a known issuer",
    Mark.DECLARED: "Declared by the holder",
    Mark.UNVERIFIED: "Not verified",
}
SEPARATOR: Final = " · "
"""Between the details of a line (issuer, code, level, date) where they are one run of text."""
MARK_SYMBOLS: Final = {
    Mark.ACCREDITED: "✔",
    Mark.ISSUER: "✓",
    Mark.DECLARED: "○",
    Mark.UNVERIFIED: "✗",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class CvSettings:
    """What the holder chose when making a CV: carried in the file, never signed.

    ``marks`` and ``withheld`` have one item per credential of the
    presentation, in its order. ``filename`` is the name the command line of
    the CV names (``passeport verify cv.pdf``) when there is no ``verify_url``.
    """

    lang: str = "fr"
    verify_url: str | None = None
    filename: str = "cv.pdf"
    marks: tuple[Mark, ...] = ()
    withheld: tuple[int, ...] = ()

    def to_json(self) -> JsonObject:
        """Return the JSON form a CV file carries (``passeport-cv`` in a page, cv.json in a PDF)."""
        return {
            "lang": self.lang,
            "verifyUrl": self.verify_url,
            "filename": self.filename,
            "marks": [str(mark) for mark in self.marks],
            "withheld": list(self.withheld),
        }

    def check(self, *, where: str | None = None) -> CvSettings:
        """Return these settings if each is one a CV may carry.

        Raises:
            InputError: an unknown language or mark, a URL that is not http(s)
                or holds a space, a file name with a folder in it, a count
                below 0 or above :data:`MAX_WITHHELD`, or marks and counts of
                different lengths.
        """
        if self.lang not in LANGUAGES:
            raise InputError(f"CV settings: unknown language {self.lang[:20]!r}", where=where)
        url = self.verify_url
        if url is not None and (len(url) > _MAX_URL or not _URL.fullmatch(url)):
            raise InputError(
                f"CV settings: the verification address must be an http(s) URL of at most "
                f"{_MAX_URL} characters, without spaces or quotes",
                where=where,
            )
        if not _FILENAME.fullmatch(self.filename):
            raise InputError(
                "CV settings: the file name must be a name of at most 100 characters, without "
                "a folder",
                where=where,
            )
        if len(self.marks) != len(self.withheld):
            raise InputError("CV settings: one mark and one count per credential", where=where)
        if any(not 0 <= count <= MAX_WITHHELD for count in self.withheld):
            raise InputError(
                f"CV settings: a count of withheld fields is between 0 and {MAX_WITHHELD}",
                where=where,
            )
        return self

    @classmethod
    def from_json(cls, value: Any, *, where: str | None = None) -> CvSettings:
        """Read the settings a CV file carries.

        Raises:
            InputError: not an object with exactly the members of
                :meth:`to_json`, or a value :meth:`check` refuses.
        """
        members = {"lang", "verifyUrl", "filename", "marks", "withheld"}
        if not isinstance(value, dict) or set(value) != members:
            raise InputError(f"CV settings: expected the members {sorted(members)}", where=where)
        lang, url, name = value["lang"], value["verifyUrl"], value["filename"]
        marks, withheld = value["marks"], value["withheld"]
        if (
            not isinstance(lang, str)
            or not (url is None or isinstance(url, str))
            or not isinstance(name, str)
            or not isinstance(marks, list)
            or not isinstance(withheld, list)
            or not all(isinstance(count, int) and not isinstance(count, bool) for count in withheld)
        ):
            raise InputError("CV settings: a member has the wrong type", where=where)
        try:
            read = tuple(Mark(mark) for mark in marks)
        except ValueError:
            raise InputError("CV settings: an unknown mark", where=where) from None
        settings = cls(
            lang=lang, verify_url=url, filename=name, marks=read, withheld=tuple(withheld)
        )
        return settings.check(where=where)

    def carried(self) -> str:
        """Return the settings as the one-line JSON text a CV file carries."""
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class CvLine:
    """One line of a CV: a credential (or one of its skill blocks), in words."""

    index: int  # the credential's place in the presentation
    title: str
    details: tuple[str, ...]
    mark: Mark
    mark_words: str
    withheld_words: str | None = None

    def text(self) -> tuple[str, ...]:
        """Return the line's words in reading order (the order a PDF draws them).

        The details are one run of text, separated by :data:`SEPARATOR`.
        """
        withheld = (self.withheld_words,) if self.withheld_words else ()
        details = (SEPARATOR.join(self.details),) if self.details else ()
        return (self.title, MARK_SYMBOLS[self.mark], self.mark_words, *details, *withheld)


@dataclass(frozen=True, slots=True)
class CvGroup:
    """Lines under one sub-heading (a framework of skills), or under none."""

    heading: str | None
    lines: tuple[CvLine, ...]


@dataclass(frozen=True, slots=True)
class CvSection:
    """One section of a CV (diplômes, certifications...)."""

    key: str
    heading: str
    groups: tuple[CvGroup, ...]


@dataclass(frozen=True, slots=True)
class Cv:
    """Everything a CV shows, in words of its language, in reading order."""

    lang: str
    heading: str
    subtitle: str
    summary: str
    sections: tuple[CvSection, ...]
    verify_heading: str
    verify_line: str
    qr_payload: str
    qr_alt: str
    note: str
    settings: CvSettings = field(default_factory=CvSettings)

    def text(self) -> tuple[str, ...]:
        """Return every piece of text the CV shows, in the order it is read and drawn."""
        parts: list[str] = [self.heading, self.subtitle, self.summary]
        for section in self.sections:
            parts.append(section.heading)
            for group in section.groups:
                if group.heading:
                    parts.append(group.heading)
                for line in group.lines:
                    parts.extend(line.text())
        parts.extend((self.verify_heading, self.verify_line, self.note))
        return tuple(parts)


# Message ids (English), translated in passeport/locale/fr/LC_MESSAGES/cv.po.
_SECTIONS: Final = (
    ("diplomas", "Diplomas", (Kind.DIPLOMA,)),
    ("certifications", "Certifications", (Kind.CERTIFICATION,)),
    ("jobs", "Work experience", (Kind.JOB,)),
    ("skills", "Skills", (Kind.SKILL,)),
    ("safety", "Health and safety training", (Kind.SAFETY_TRAINING,)),
    ("trainings", "Training followed", (Kind.TRAINING,)),
    ("endorsements", "Recommendations", (Kind.ENDORSEMENT,)),
    ("other", "Other credentials", (Kind.OTHER,)),
)
_GROUPS: Final = {
    "blocks": "RNCP skill blocks",
    "esco": "ESCO skills",
    "rome": "ROME occupations",
    "other": "Other skills",
}
_WORDS: Final = (
    "Verifiable curriculum vitae",
    "Name not disclosed",
    "Title not disclosed",
    "Issuer not named",
    "{count} signed credential",
    "{count} signed credentials",
    "presented on {date}",
    "for {domain}",
    "valid until {date}",
    "Level {level}",
    "Awarded {date}",
    "Attested {date}",
    "Passed {date}",
    "Valid until {date}",
    "From {start} to {end}",
    "Since {start}",
    "Attested by {issuer}",
    "By {issuer}",
    "Issued {date}",
    "Block of {title}",
    "ESCO: {name}",
    "{count} field not disclosed",
    "{count} fields not disclosed",
    "Check this CV",
    "To check this CV, drop this file on {url} (address given by the candidate).",
    "To check this CV, run: passeport verify {file}",
    "QR code: {payload}",
    "This file holds the presentation its holder signed. Checking it verifies the "
    "signatures and that the text shown is what was signed.",
)
CV_MESSAGES: Final = (
    *_MARK_WORDS.values(),
    *(heading for _, heading, _ in _SECTIONS),
    *_GROUPS.values(),
    *_WORDS,
)
"""Every message id a CV speaks (a test checks each has its French translation)."""


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def esco_skills(credential: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the names of the ESCO skills or occupations a credential (its signed view) aligns to.

    >>> esco_skills({"credentialSubject": {"achievement": {"alignment": [
    ...     {"targetFramework": "ESCO", "targetName": "Python", "targetUrl": "http://e/1"}]}}})
    ('Python',)
    """
    found: list[str] = []
    for subject in _items(credential.get("credentialSubject")):
        if not isinstance(subject, Mapping):
            continue
        for holder in ("achievement", "employment"):
            node = subject.get(holder)
            if not isinstance(node, Mapping):
                continue
            for alignment in _items(node.get("alignment")):
                if not isinstance(alignment, Mapping) or alignment.get("targetFramework") != "ESCO":
                    continue
                name = alignment.get("targetName") or alignment.get("targetUrl")
                if isinstance(name, str) and name.strip() and name not in found:
                    found.append(" ".join(name.split()))
    return tuple(found)


def _proof_of(presentation: Mapping[str, Any]) -> Mapping[str, Any]:
    proof = presentation.get("proof")
    if isinstance(proof, list):
        proof = proof[0] if proof else None
    return proof if isinstance(proof, Mapping) else {}


def _clean(value: Any, limit: int = 120) -> str | None:
    if not isinstance(value, str):
        return None
    line = "".join(c if c.isprintable() else " " for c in value)
    line = " ".join(line.split())
    return (line if len(line) <= limit else line[: limit - 1] + "…") or None


class _Words:
    """The CV's words in one language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.t = translator(lang)

    def __call__(self, message: str, **values: Any) -> str:
        return self.t(message).format(**values)

    def date(self, value: str | None) -> str | None:
        return format_date(value, self.lang) if value else None

    def count(self, one: str, many: str, count: int) -> str:
        # French and English: the singular for 0 and 1 in French, for 1 only in English.
        singular = count <= 1 if self.lang == "fr" else count == 1
        return self(one if singular else many, count=count)


def _short(identifier: str) -> str:
    """Return a long identifier (a DID) cut in its middle: a reader compares its ends."""
    return identifier if len(identifier) <= 32 else f"{identifier[:18]}…{identifier[-8:]}"


def _issuer(facts: CredentialFacts, words: _Words) -> str:
    # The name the signer gave itself: the verdict, not the CV, says whether a list confirms it.
    if facts.issuer_name:
        return facts.issuer_name
    if facts.issuer and facts.issuer == facts.holder and facts.holder_name:
        return facts.holder_name  # a declaration: its author is the holder
    return _short(facts.issuer) if facts.issuer else words("Issuer not named")


def _details(facts: CredentialFacts, words: _Words, esco: tuple[str, ...]) -> tuple[str, ...]:
    level = (words("Level {level}", level=facts.level),) if facts.level else ()
    awarded = words.date(facts.awarded)
    rome = tuple(f"ROME {code}" for code in facts.rome)
    named = tuple(words("ESCO: {name}", name=name) for name in esco if name != facts.title)
    issuer = _issuer(facts, words)
    if facts.kind is Kind.JOB:
        start, end = words.date(facts.started), words.date(facts.ended)
        span: tuple[str, ...] = ()
        if start and end:
            span = (words("From {start} to {end}", start=start, end=end),)
        elif start:
            span = (words("Since {start}", start=start),)
        employer = facts.employer or issuer
        attested = (words("Attested by {issuer}", issuer=issuer),) if facts.employer else ()
        return (employer, *span, *rome, *named, *attested)
    if facts.kind is Kind.SAFETY_TRAINING:
        until = words.date(facts.valid_until)
        return (
            issuer,
            *facts.codes,
            *level,
            *((words("Passed {date}", date=awarded),) if awarded else ()),
            *((words("Valid until {date}", date=until),) if until else ()),
        )
    if facts.kind is Kind.SKILL:
        when = (words("Attested {date}", date=awarded),) if awarded else ()
        return (issuer, *facts.codes, *level, *rome, *named, *when)
    if facts.kind is Kind.ENDORSEMENT:
        when = (words("Attested {date}", date=awarded),) if awarded else ()
        return (words("By {issuer}", issuer=issuer), *when)
    if facts.kind is Kind.OTHER:
        # An attestation has no other date than its own: the date it was issued.
        issued = words.date(facts.awarded or facts.valid_from)
        return (issuer, *facts.codes, *((words("Issued {date}", date=issued),) if issued else ()))
    when = (words("Awarded {date}", date=awarded),) if awarded else ()
    return (issuer, *facts.codes, *level, *when)


def _line(
    index: int, facts: CredentialFacts, settings: CvSettings, words: _Words, esco: tuple[str, ...]
) -> CvLine:
    count = settings.withheld[index] if index < len(settings.withheld) else 0
    mark = settings.marks[index] if index < len(settings.marks) else Mark.UNVERIFIED
    withheld = (
        words.count("{count} field not disclosed", "{count} fields not disclosed", count)
        if count
        else None
    )
    return CvLine(
        index,
        facts.title or words("Title not disclosed"),
        _details(facts, words, esco),
        mark,
        words(_MARK_WORDS[mark]),
        withheld,
    )


def _skill_groups(
    indexed: Sequence[tuple[int, CredentialFacts]],
    lines: Mapping[int, CvLine],
    esco: Sequence[tuple[str, ...]],
    words: _Words,
) -> tuple[CvGroup, ...]:
    """Group the skills by framework: RNCP blocks (of every credential), ESCO, ROME, others."""
    blocks: list[CvLine] = []
    for index, facts in indexed:
        parent = lines[index]
        of = facts.codes[0] if facts.codes else facts.title or words("Title not disclosed")
        for block in facts.blocks:
            # RNCP35288BC01 names its certification; BC01 alone is said to be of it.
            details: tuple[str, ...] = (block.code,)
            if not block.code.startswith(of):
                details = (block.code, words("Block of {title}", title=of))
            blocks.append(
                CvLine(index, block.name or block.code, details, parent.mark, parent.mark_words)
            )
    by_framework: dict[str, list[CvLine]] = {"esco": [], "rome": [], "other": []}
    for index, facts in indexed:
        if facts.kind is not Kind.SKILL:
            continue
        if index < len(esco) and esco[index]:
            by_framework["esco"].append(lines[index])
        elif facts.rome:
            by_framework["rome"].append(lines[index])
        elif not facts.blocks:
            by_framework["other"].append(lines[index])
        else:  # a skill attested as blocks of a certification: its blocks say it
            blocks.append(lines[index])
    groups = [CvGroup(words(_GROUPS["blocks"]), tuple(blocks))] if blocks else []
    for key in ("esco", "rome", "other"):
        if by_framework[key]:
            groups.append(CvGroup(words(_GROUPS[key]), tuple(by_framework[key])))
    return tuple(groups)


def cv_of(
    presentation: Mapping[str, Any],
    facts: Sequence[CredentialFacts | None],
    settings: CvSettings,
    *,
    esco: Sequence[tuple[str, ...]] = (),
) -> Cv:
    """Return the CV of a presentation: its credentials' facts laid out, in the settings' language.

    Args:
        presentation: the signed presentation (its proof gives the date, the
            recruiter's domain and the end of validity shown in the summary).
        facts: each credential's facts, in the presentation's order (None for
            one that could not be read: it is shown as such).
        esco: each credential's ESCO alignments (:func:`esco_skills`).
    """
    words = _Words(settings.lang)
    unreadable = CredentialFacts(Kind.OTHER, Guarantee.UNVERIFIABLE, "unverified")
    indexed = [(i, found or unreadable) for i, found in enumerate(facts)]
    esco_of = [esco[i] if i < len(esco) else () for i in range(len(indexed))]
    lines = {i: _line(i, item, settings, words, esco_of[i]) for i, item in indexed}
    sections: list[CvSection] = []
    for key, heading, kinds in _SECTIONS:
        if key == "skills":
            groups = _skill_groups(indexed, lines, esco_of, words)
        else:
            chosen = tuple(lines[i] for i, item in indexed if item.kind in kinds)
            groups = (CvGroup(None, chosen),) if chosen else ()
        if groups:
            sections.append(CvSection(key, words(heading), groups))
    name = next((item.holder_name for _, item in indexed if item.holder_name), None)
    proof = _proof_of(presentation)
    count = len(indexed)
    summary = [
        words.count("{count} signed credential", "{count} signed credentials", count),
    ]
    created = words.date(_clean(proof.get("created")))
    domain = _clean(proof.get("domain"), 80)
    expires = words.date(_clean(proof.get("expires")))
    if created:
        summary.append(words("presented on {date}", date=created))
    if domain:
        summary.append(words("for {domain}", domain=domain))
    if expires:
        summary.append(words("valid until {date}", date=expires))
    if settings.verify_url:
        payload = settings.verify_url
        line = words(
            "To check this CV, drop this file on {url} (address given by the candidate).",
            url=settings.verify_url,
        )
    else:
        named = shlex.quote(settings.filename)  # as typed in a shell
        payload = f"passeport verify {named}"
        line = words("To check this CV, run: passeport verify {file}", file=named)
    return Cv(
        lang=settings.lang,
        heading=name or words("Name not disclosed"),
        subtitle=words("Verifiable curriculum vitae"),
        summary=SEPARATOR.join(summary),
        sections=tuple(sections),
        verify_heading=words("Check this CV"),
        verify_line=line,
        qr_payload=payload,
        qr_alt=words("QR code: {payload}", payload=payload),
        note=words(
            "This file holds the presentation its holder signed. Checking it verifies the "
            "signatures and that the text shown is what was signed."
        ),
        settings=settings,
    )


def esco_of_presentation(
    presentation: Mapping[str, Any], loader: DocumentLoader
) -> tuple[tuple[str, ...], ...]:
    """Return each presented credential's ESCO alignments, read from its signed view.

    A credential that is not a JSON object (an enveloped JWT) or whose view
    cannot be made has none.
    """
    from passeport.verifier.view import signed_view

    found: list[tuple[str, ...]] = []
    for entry in _items(presentation.get("verifiableCredential")):
        if not isinstance(entry, Mapping) or "EnvelopedVerifiableCredential" in _items(
            entry.get("type")
        ):
            found.append(())
            continue
        try:
            view = signed_view(entry, loader).document
        except PasseportError:
            found.append(())
            continue
        found.append(esco_skills(view))
    return tuple(found)


def qr_runs(payload: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """Return a QR code of ``payload``: its size in modules and its dark runs (x, y, length).

    The size includes the quiet zone of 4 modules on each side; each run is a
    horizontal stretch of dark modules. Error correction level M (15 %).

    >>> size, runs = qr_runs("passeport verify cv.pdf")
    >>> size, runs[0]
    (33, (4, 4, 7))
    """
    import segno  # lazy: only CVs draw QR codes

    border = 4
    matrix = segno.make(payload, error="m", micro=False).matrix
    runs: list[tuple[int, int, int]] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((start + border, y + border, x - start))
            else:
                x += 1
    return len(matrix) + 2 * border, tuple(runs)


PDF_ALPHABET: Final = (
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x024F),  # Latin-1, Latin Extended-A and -B
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x04FF),  # Cyrillic
    (0x1E00, 0x1EFB),  # Latin Extended Additional (Vietnamese...)
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x202F, 0x205F),  # narrow no-break space, per mille, guillemets
    (0x20A0, 0x20B5),  # currency signs (€)
    (0x2100, 0x2109),
    (0x210B, 0x2122),  # letterlike symbols (™)
    (0x2190, 0x2193),  # arrows
    (0x2212, 0x2212),  # minus
    (0x25CB, 0x25CB),  # ○
    (0x25CF, 0x25CF),  # ●
    (0x2713, 0x2718),  # ✓ ✔ ✗ ✘
)
"""The characters a PDF CV draws: those of its fonts (wallet/fonts); any other is drawn ``?``."""


def _drawable(char: str) -> bool:
    code = ord(char)
    return unicodedata.category(char) != "Cn" and any(
        low <= code <= high for low, high in PDF_ALPHABET
    )


def pdf_drawable(text: str) -> str:
    """Return ``text`` as a PDF CV draws it: composed (NFC), a character its fonts lack as ``?``.

    The writer draws this, and the check compares the PDF's text with this, so
    a name in a script the fonts do not cover is shown, and compared, the same.

    >>> pdf_drawable("Léa Zoë, Ζωή, 山田")
    'Léa Zoë, Ζωή, ??'
    """
    composed = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    return "".join(char if _drawable(char) else "?" for char in composed)
