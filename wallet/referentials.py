"""Read the public referentials as published: ROME 4.0, ESCO, RNCP and RS.

A user points :func:`read_job` and :func:`read_catalogue` at the real files;
each becomes a :class:`~wallet.career.JobProfile` or a
:class:`~wallet.career.Catalogue`. What is read, and from which columns:

**ROME 4.0** (France Travail, https://francetravail.io, open data on
data.gouv.fr). The JSON *fiche métier* of the ROME 4.0 APIs, in either of the
two shapes they return: ``{"code", "libelle", "competencesMobilisees",
"competencesMobiliseesPrincipales", "competencesMobiliseesEmergentes"}``
(each competence ``{"type", "code", "libelle", "codeOgr"}``), or ``{"code",
"metier": {"code", "libelle"}, "groupesCompetencesMobilisees": [{"enjeu",
"competences": [...]}], "groupesSavoirs": [{"categorieSavoirs", "savoirs":
[...]}]}``. A competence's identity is its OGR code (``codeOgr``, else
``code``); the principal and the grouped competences are essential, the
emerging ones and the knowledge (``SAVOIR``) are not. And the CSV open data
(``unix_*_v460_utf8.csv``, comma-separated): ``unix_referentiel_code_rome``
(``code_rome``, ``libelle_rome``), ``unix_coherence_item`` (``code_rome``,
``code_ogr``) or else ``unix_liens_rome_referentiels`` (``code_rome``,
``code_ogr``), ``unix_referentiel_competence`` (``code_ogr``,
``libelle_competence``) and, if present, ``unix_referentiel_savoir``
(``code_ogr_savoir``, ``libelle_savoir``): a fiche's items that are neither
a competence nor a knowledge (contexts, sectors) are left out.

**ESCO** (the European Commission's CSV download, any language):
``occupations_xx.csv`` (``conceptUri``, ``preferredLabel``, ``code``),
``occupationSkillRelations_xx.csv`` (``occupationUri``, ``relationType``
``essential``/``optional``, ``skillUri``) and ``skills_xx.csv``
(``conceptUri``, ``preferredLabel``): :func:`esco_job`.

**RNCP and RS** (France Compétences' CSV export on data.gouv.fr, "export
fiches CSV"): the ``..._Standard.csv`` file (``Numero_Fiche``,
``Intitule``, ``Nomenclature_Europe_Niveau`` such as ``NIV5``, ``Actif``
``ACTIVE``/``INACTIVE``), ``..._Blocs_De_Compétences.csv``
(``Numero_Fiche``, ``Bloc_Competences_Code``, ``Bloc_Competences_Libelle``)
and, if present, ``..._Rome.csv`` (``Numero_Fiche``, ``Codes_Rome_Code``):
:func:`rncp_catalogue`. The export maps no block to ESCO or ROME skills: a
job profile asking for blocks is matched directly, one asking for ESCO
skills only through a catalogue that adds the mapping.

These column names were checked against public code and documentation that
reads those exports (not against the publishers' own specifications, which
were not reachable from here); a missing column is named in the error.

CSV files are read as UTF-8 (a byte order mark is skipped) or else
Windows-1252, comma-, semicolon-, tab- or pipe-separated (sniffed from the
header line).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from passeport._io import read_json_file
from passeport.errors import InputError
from passeport.wallet.career import (
    Catalogue,
    Certification,
    CertificationBlock,
    Framework,
    JobProfile,
    RequiredSkill,
    normalize_block,
    normalize_certification,
)

__all__ = [
    "esco_job",
    "read_catalogue",
    "read_job",
    "read_referential",
    "rncp_catalogue",
    "rome_job",
    "rome_jobs",
]

_ROME_CODE: Final = re.compile(r"[A-N]\d{4}")
_DELIMITERS: Final = ",;\t|"
_MAX_CSV_BYTES: Final = 512 * 1024 * 1024


# CSV ----------------------------------------------------------------------------------------


def _decoded(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", where=str(path)) from None
    if size > _MAX_CSV_BYTES:
        raise InputError(f"larger than {_MAX_CSV_BYTES} bytes", where=str(path))
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _rows(path: Path, required: Sequence[str]) -> Iterator[dict[str, str]]:
    """Yield each row of a CSV file as column -> stripped text; refuse missing columns."""
    text = _decoded(path)
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in _DELIMITERS}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        names = [name.strip() for name in next(reader)]
    except StopIteration:
        raise InputError("empty CSV file", where=str(path)) from None
    except csv.Error as exc:
        raise InputError(f"not a CSV file ({exc})", where=str(path)) from None
    missing = [column for column in required if column not in names]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)} (found: {', '.join(names[:20])})",
            where=str(path),
        )
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(names):
                raise InputError(f"row {number} has more cells than the header", where=str(path))
            yield {name: cell.strip() for name, cell in zip(names, cells, strict=False)}
    except csv.Error as exc:
        raise InputError(f"unreadable CSV ({exc})", where=str(path)) from None


def _one(folder: Path, patterns: Sequence[str], *, required: bool = True) -> Path | None:
    """Return the one file of ``folder`` whose name contains one of ``patterns`` (case-blind)."""
    for pattern in patterns:
        found = sorted(
            p for p in folder.iterdir() if p.is_file() and pattern.lower() in p.name.lower()
        )
        found = [p for p in found if p.suffix.lower() == ".csv"]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            raise InputError(f"several files match {pattern!r}: {names}", where=str(folder))
    if required:
        raise InputError(
            f"no CSV file named like {' or '.join(repr(p) for p in patterns)}", where=str(folder)
        )
    return None


# ROME 4.0 -----------------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else None


def _rome_items(value: Any, *, essential: bool) -> Iterator[RequiredSkill]:
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, Mapping):
            continue
        code = item.get("codeOgr", item.get("code"))
        code = (
            str(code).strip() if isinstance(code, str | int) and not isinstance(code, bool) else ""
        )
        label = _text(item.get("libelle"))
        if code.isdigit() and label:
            kind = str(item.get("type") or "").upper()
            yield RequiredSkill(Framework.ROME, code, label, essential and kind != "SAVOIR")


def rome_job(document: Any, *, where: str | None = None) -> JobProfile:
    """Return the job profile of one ROME 4.0 *fiche métier* (JSON, either API shape).

    Raises:
        InputError: no ROME code, no title, or no competence at all.
    """
    if not isinstance(document, Mapping):
        raise InputError("expected a ROME 4.0 fiche (a JSON object)", where=where)
    metier = document.get("metier")
    metier = metier if isinstance(metier, Mapping) else {}
    code = _text(document.get("code")) or _text(metier.get("code"))
    title = _text(document.get("libelle")) or _text(metier.get("libelle"))
    if not code or not _ROME_CODE.fullmatch(code) or not title:
        raise InputError(
            'not a ROME 4.0 fiche métier (expected "code" like M1805 and "libelle")', where=where
        )
    found: dict[str, RequiredSkill] = {}

    def keep(skills: Iterator[RequiredSkill]) -> None:
        for skill in skills:
            known = found.get(skill.code)
            if known is None or (skill.essential and not known.essential):
                found[skill.code] = skill

    principal = document.get("competencesMobiliseesPrincipales")
    keep(_rome_items(principal, essential=True))
    keep(_rome_items(document.get("competencesMobilisees"), essential=not principal))
    keep(_rome_items(document.get("competencesMobiliseesEmergentes"), essential=False))
    for group in document.get("groupesCompetencesMobilisees") or ():
        if isinstance(group, Mapping):
            keep(_rome_items(group.get("competences"), essential=True))
    for group in document.get("groupesSavoirs") or ():
        if isinstance(group, Mapping):
            keep(_rome_items(group.get("savoirs"), essential=False))
    if not found:
        raise InputError(f"the ROME fiche {code} lists no competence", where=where)
    return JobProfile(
        title=title,
        skills=tuple(found.values()),
        rome=code,
        rome_label=title,
        source=f"ROME 4.0, fiche {code} (France Travail)",
    )


def rome_jobs(folder: Path) -> dict[str, JobProfile]:
    """Return every fiche of the ROME 4.0 CSV open data in ``folder``, by ROME code.

    Raises:
        InputError: a file or a column missing (named).
    """
    codes = _one(folder, ("unix_referentiel_code_rome",))
    links = _one(folder, ("unix_coherence_item", "unix_liens_rome_referentiels"))
    competences = _one(folder, ("unix_referentiel_competence",))
    knowledge = _one(folder, ("unix_referentiel_savoir",), required=False)
    assert codes is not None and links is not None and competences is not None
    labels: dict[str, tuple[str, bool]] = {}
    for row in _rows(competences, ("code_ogr", "libelle_competence")):
        if row["code_ogr"].isdigit() and row["libelle_competence"]:
            labels[row["code_ogr"]] = (row["libelle_competence"], True)
    if knowledge is not None:
        for row in _rows(knowledge, ("code_ogr_savoir", "libelle_savoir")):
            if row["code_ogr_savoir"].isdigit() and row["libelle_savoir"]:
                labels.setdefault(row["code_ogr_savoir"], (row["libelle_savoir"], False))
    titles = {
        row["code_rome"]: row["libelle_rome"]
        for row in _rows(codes, ("code_rome", "libelle_rome"))
        if _ROME_CODE.fullmatch(row["code_rome"])
    }
    skills: dict[str, dict[str, RequiredSkill]] = {}
    for row in _rows(links, ("code_rome", "code_ogr")):
        code, ogr = row["code_rome"], row["code_ogr"]
        if code in titles and ogr in labels:
            label, essential = labels[ogr]
            skills.setdefault(code, {})[ogr] = RequiredSkill(Framework.ROME, ogr, label, essential)
    return {
        code: JobProfile(
            title=title,
            skills=tuple(skills[code].values()),
            rome=code,
            rome_label=title,
            source=f"ROME 4.0 open data, fiche {code} (France Travail)",
        )
        for code, title in titles.items()
        if skills.get(code)
    }


# ESCO ---------------------------------------------------------------------------------------


def esco_job(occupation: str, folder: Path) -> JobProfile:
    """Return the job profile of an ESCO occupation (its URI or its preferred label).

    Reads ``occupations_*.csv``, ``occupationSkillRelations_*.csv`` and
    ``skills_*.csv`` of an ESCO CSV download in ``folder``.

    Raises:
        InputError: a file or a column missing, or no such occupation.
    """
    occupations = _one(folder, ("occupations_",))
    relations = _one(folder, ("occupationSkillRelations",))
    skills_file = _one(folder, ("skills_",))
    assert occupations is not None and relations is not None and skills_file is not None
    wanted = occupation.strip()
    found: dict[str, str] | None = None
    for row in _rows(occupations, ("conceptUri", "preferredLabel")):
        if wanted in (row["conceptUri"], row["preferredLabel"]):
            found = row
            break
    if found is None:
        raise InputError(f"no ESCO occupation {wanted!r}", where=str(occupations))
    uri = found["conceptUri"]
    related: dict[str, bool] = {}
    for row in _rows(relations, ("occupationUri", "relationType", "skillUri")):
        if row["occupationUri"] == uri:
            related[row["skillUri"]] = row["relationType"].lower() == "essential"
    labels = {
        row["conceptUri"]: row["preferredLabel"]
        for row in _rows(skills_file, ("conceptUri", "preferredLabel"))
        if row["conceptUri"] in related
    }
    skills = tuple(
        RequiredSkill(Framework.ESCO, skill, labels.get(skill, skill), essential)
        for skill, essential in related.items()
    )
    if not skills:
        raise InputError(f"the ESCO occupation {uri} has no skill", where=str(relations))
    return JobProfile(
        title=found["preferredLabel"],
        skills=skills,
        esco=uri,
        source=f"ESCO, occupation {found.get('code') or uri}",
    )


# RNCP and RS --------------------------------------------------------------------------------


def _level(text: str) -> int | None:
    digits = "".join(c for c in text if c.isdigit())
    return int(digits) if digits and 1 <= int(digits) <= 8 else None


def rncp_catalogue(folder: Path) -> Catalogue:
    """Return the certifications of France Compétences' CSV export in ``folder``.

    Raises:
        InputError: a file or a column missing (named).
    """
    standard = _one(folder, ("_standard",))
    blocks_file = _one(folder, ("_blocs",))
    rome_file = _one(folder, ("_rome",), required=False)
    assert standard is not None and blocks_file is not None
    blocks: dict[str, list[CertificationBlock]] = {}
    for row in _rows(blocks_file, ("Numero_Fiche", "Bloc_Competences_Code")):
        code = normalize_certification(row["Numero_Fiche"])
        block = normalize_block(row["Bloc_Competences_Code"])
        if code and block and block.startswith(f"{code}BC"):
            title = row.get("Bloc_Competences_Libelle") or block
            blocks.setdefault(code, []).append(CertificationBlock(block, title))
    romes: dict[str, list[str]] = {}
    if rome_file is not None:
        for row in _rows(rome_file, ("Numero_Fiche", "Codes_Rome_Code")):
            code = normalize_certification(row["Numero_Fiche"])
            rome = row["Codes_Rome_Code"].upper()
            if code and _ROME_CODE.fullmatch(rome) and rome not in romes.get(code, []):
                romes.setdefault(code, []).append(rome)
    certifications: dict[str, Certification] = {}
    for row in _rows(standard, ("Numero_Fiche", "Intitule")):
        code = normalize_certification(row["Numero_Fiche"])
        if not code or not row["Intitule"] or code in certifications:
            continue
        certifications[code] = Certification(
            code=code,
            title=" ".join(row["Intitule"].split()),
            level=None
            if code.startswith("RS")
            else _level(row.get("Nomenclature_Europe_Niveau", "")),
            rome=tuple(romes.get(code, ())),
            blocks=tuple(blocks.get(code, ())),
            active=row.get("Actif", "ACTIVE").upper() != "INACTIVE",
        )
    return Catalogue(
        tuple(certifications.values()),
        name="RNCP / RS (France Compétences)",
        source=f"France Compétences export, {standard.name}",
    )


# Entry points -------------------------------------------------------------------------------


def read_job(path: Path) -> JobProfile:
    """Read a target job: a job profile (JSON) or a ROME 4.0 *fiche métier* (JSON).

    Raises:
        InputError: an unreadable file, or a JSON of neither shape.
    """
    document = read_json_file(path)
    if isinstance(document, Mapping) and any(k in document for k in ("skills", "title", "format")):
        return JobProfile.from_json(document, where=str(path))
    if isinstance(document, Mapping) and any(
        key in document
        for key in ("competencesMobilisees", "groupesCompetencesMobilisees", "metier")
    ):
        return rome_job(document, where=str(path))
    raise InputError(
        'neither a job profile ("format": "passeport-job/1", with "skills") nor a ROME 4.0 '
        "fiche métier",
        where=str(path),
    )


def read_referential(path: Path) -> dict[str, JobProfile]:
    """Read job profiles by ROME code: a job file, or a folder of them, or the ROME CSV data.

    A folder holding ``unix_referentiel_code_rome*.csv`` is read as the
    ROME 4.0 open data; any other folder as job files (``*.json``). Profiles
    without a ROME code are left out.

    Raises:
        InputError: as :func:`read_job` and :func:`rome_jobs`.
    """
    if path.is_dir():
        if any("unix_referentiel_code_rome" in p.name for p in path.iterdir()):
            return rome_jobs(path)
        jobs = [read_job(p) for p in sorted(path.glob("*.json"))]
    else:
        jobs = [read_job(path)]
    return {job.rome: job for job in jobs if job.rome}


def read_catalogue(path: Path) -> Catalogue:
    """Read a certification catalogue: its JSON form, or a folder of the RNCP/RS CSV export.

    Raises:
        InputError: an unreadable file or folder, or one of neither shape.
    """
    if path.is_dir():
        return rncp_catalogue(path)
    return Catalogue.from_json(read_json_file(path), where=str(path))
