"""The referentials read as their publishers export them: ROME 4.0, ESCO, RNCP and RS.

The files below are small, made here, in the published shapes (file names,
columns, separators and encodings of the exports); their OGR codes and
labels are test data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from passeport.errors import InputError
from passeport.wallet.career import Catalogue, Framework, JobProfile, RequiredSkill
from passeport.wallet.referentials import (
    esco_job,
    read_catalogue,
    read_job,
    read_referential,
    rncp_catalogue,
    rome_job,
    rome_jobs,
)
from tests.career._helpers import CATALOGUE, JOB, PYTHON, SQL

ROME_METIER = {  # ROME 4.0 - Métiers: /metiers/metier/{code}
    "obsolete": False,
    "code": "M1805",
    "libelle": "Études et développement informatique",
    "competencesMobilisees": [
        {
            "type": "MACRO-SAVOIR-FAIRE",
            "code": "1",
            "libelle": "Concevoir une application",
            "codeOgr": "120001",
        },
        {
            "type": "SAVOIR",
            "code": "2",
            "libelle": "Langages de programmation",
            "codeOgr": "120002",
        },
        {
            "type": "COMPETENCE-DETAILLEE",
            "code": "3",
            "libelle": "Tester un logiciel",
            "codeOgr": "120003",
        },
    ],
    "competencesMobiliseesPrincipales": [
        {
            "type": "MACRO-SAVOIR-FAIRE",
            "code": "1",
            "libelle": "Concevoir une application",
            "codeOgr": "120001",
        },
    ],
    "competencesMobiliseesEmergentes": [
        {
            "type": "COMPETENCE-DETAILLEE",
            "code": "4",
            "libelle": "Intégrer une IA",
            "codeOgr": "120004",
        },
    ],
}
ROME_FICHE = {  # ROME 4.0 - Fiches métiers: /fiches-rome/fiche-metier/{code}
    "obsolete": False,
    "code": "M1805",
    "metier": {"code": "M1805", "libelle": "Études et développement informatique"},
    "groupesCompetencesMobilisees": [
        {
            "enjeu": {"code": "15", "libelle": "Conception"},
            "competences": [
                {"type": "COMPETENCE-DETAILLEE", "code": "120003", "libelle": "Tester un logiciel"},
            ],
        }
    ],
    "groupesSavoirs": [
        {
            "categorieSavoirs": {"code": "2", "libelle": "Domaines d'expertise"},
            "savoirs": [
                {"type": "SAVOIR", "code": "120002", "libelle": "Langages de programmation"}
            ],
        }
    ],
}


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_the_sample_job_and_catalogue_read() -> None:
    job = read_job(JOB)
    assert job.rome == "M1805" and job.level == 5
    assert (
        RequiredSkill(Framework.ESCO, PYTHON, "Python (programmation informatique)") in job.skills
    )
    assert [s.code for s in job.skills if s.framework is Framework.BLOCK] == [
        "RNCP37674BC01",
        "RNCP37674BC02",
    ]
    assert "SAMPLE" in (job.source or "")
    catalogue = read_catalogue(CATALOGUE)
    dwwm = catalogue.certification("RNCP37674")
    assert dwwm is not None and dwwm.level == 5 and dwwm.rome == ("M1805",)
    back_end = dwwm.block("RNCP37674BC02")
    assert back_end is not None and (Framework.ESCO, SQL) in back_end.skills
    # The JSON forms read back as they were written.
    assert JobProfile.from_json(job.to_json()) == job
    assert Catalogue.from_json(catalogue.to_json()) == catalogue


@pytest.mark.parametrize("shape", [ROME_METIER, ROME_FICHE], ids=["metier", "fiche"])
def test_a_rome_fiche_metier_as_the_apis_return_it(
    tmp_path: Path, shape: dict[str, object]
) -> None:
    path = tmp_path / "M1805.json"
    path.write_text(json.dumps(shape), "utf-8")
    job = read_job(path)
    assert (job.rome, job.title) == ("M1805", "Études et développement informatique")
    skills = {s.code: s for s in job.skills}
    assert all(s.framework is Framework.ROME for s in job.skills)
    assert skills["120003"].label == "Tester un logiciel"
    assert not skills["120002"].essential  # a knowledge (SAVOIR)
    if shape is ROME_METIER:
        assert skills["120001"].essential and not skills["120003"].essential
        assert not skills["120004"].essential  # emerging
    else:
        assert skills["120003"].essential


def test_the_rome_open_data_csv(tmp_path: Path) -> None:
    _write(
        tmp_path / "unix_referentiel_code_rome_v460_utf8.csv",
        "code_rome,code_fiche_metier,libelle_rome,code_rome_parent\n"
        'M1805,1234,"Études et développement informatique",M1805\n'
        "A1101,1001,Conduite d'engins agricoles,A1101\n",
    )
    _write(
        tmp_path / "unix_coherence_item_v460_utf8.csv",
        "code_rome,code_ogr,coeur_metier\nM1805,120001,Principale\nM1805,120002,\n"
        "M1805,999999,\nA1101,120009,\n",
    )
    _write(
        tmp_path / "unix_referentiel_competence_v460_utf8.csv",
        "code_ogr,nature,libelle_competence,definition\n"
        '120001,MACRO-SAVOIR-FAIRE,"Concevoir une application, la tester",\n',
    )
    _write(
        tmp_path / "unix_referentiel_savoir_v460_utf8.csv",
        "code_ogr_savoir,libelle_savoir,categorie_savoir\n120002,Langages de programmation,x\n",
    )
    jobs = rome_jobs(tmp_path)
    assert set(jobs) == {"M1805"}  # A1101's only item is neither a competence nor a knowledge
    skills = {s.code: s for s in jobs["M1805"].skills}
    assert skills == {
        "120001": RequiredSkill(Framework.ROME, "120001", "Concevoir une application, la tester"),
        "120002": RequiredSkill(Framework.ROME, "120002", "Langages de programmation", False),
    }
    assert set(read_referential(tmp_path)) == {"M1805"}


def test_the_esco_csv_download(tmp_path: Path) -> None:
    occupation = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
    _write(
        tmp_path / "occupations_fr.csv",
        "conceptType,conceptUri,iscoGroup,preferredLabel,altLabels,hiddenLabels,status,"
        "modifiedDate,regulatedProfessionNote,scopeNote,definition,inScheme,description,code\n"
        f'Occupation,{occupation},2512,développeur logiciels,"dev\nprogrammeur",,released,'
        "2024-01-25,,,,,Les développeurs...,2512.4\n",
    )
    _write(
        tmp_path / "occupationSkillRelations_fr.csv",
        "occupationUri,relationType,skillType,skillUri\n"
        f"{occupation},essential,knowledge,{PYTHON}\n"
        f"{occupation},optional,knowledge,{SQL}\n"
        "http://data.europa.eu/esco/occupation/other,essential,knowledge,http://x\n",
    )
    _write(
        tmp_path / "skills_fr.csv",
        "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,"
        "status,modifiedDate,scopeNote,definition,inScheme,description\n"
        f"KnowledgeSkillCompetence,{PYTHON},knowledge,sector-specific,Python,,,released,,,,,\n"
        f"KnowledgeSkillCompetence,{SQL},knowledge,sector-specific,SQL,,,released,,,,,\n",
    )
    for name in (occupation, "développeur logiciels"):
        job = esco_job(name, tmp_path)
        assert job.esco == occupation and job.title == "développeur logiciels"
        assert job.skills == (
            RequiredSkill(Framework.ESCO, PYTHON, "Python"),
            RequiredSkill(Framework.ESCO, SQL, "SQL", False),
        )
    with pytest.raises(InputError, match="no ESCO occupation"):
        esco_job("astronaute", tmp_path)


def test_the_rncp_export_as_france_competences_publishes_it(tmp_path: Path) -> None:
    """Semicolons and Windows-1252, as a French export opened in a spreadsheet may be."""
    _write(
        tmp_path / "export_fiches_CSV_2025_01_06_Standard.csv",
        "Id_Fiche;Numero_Fiche;Intitule;Abrege_Libelle;Abrege_Intitule;Nomenclature_Europe_Niveau;"
        "Nomenclature_Europe_Intitule;Actif\n"
        "1;RNCP37674;Développeur web et web mobile;TP;Titre professionnel;NIV5;Niveau 5;ACTIVE\n"
        "2;RNCP31114;Ancien titre;TP;Titre professionnel;NIV5;Niveau 5;INACTIVE\n"
        "3;RS5678;Sauveteur secouriste du travail;CS;Certification;;;ACTIVE\n",
        "cp1252",
    )
    _write(
        tmp_path / "export_fiches_CSV_2025_01_06_Blocs_De_Compétences.csv",
        "Numero_Fiche;Bloc_Competences_Code;Bloc_Competences_Libelle\n"
        "RNCP37674;RNCP37674BC01;Développer la partie front-end\n"
        "RNCP37674;RNCP37674BC02;Développer la partie back-end\n"
        "RNCP37674;RNCP99999BC01;Un bloc d'une autre fiche\n",
        "cp1252",
    )
    _write(
        tmp_path / "export_fiches_CSV_2025_01_06_Rome.csv",
        "\ufeffNumero_Fiche;Codes_Rome_Code;Codes_Rome_Libelle\nRNCP37674;M1805;Études\n",
    )
    catalogue = rncp_catalogue(tmp_path)
    assert read_catalogue(tmp_path) == catalogue
    dwwm = catalogue.certification("RNCP37674")
    assert dwwm is not None and dwwm.level == 5 and dwwm.rome == ("M1805",)
    assert [b.code for b in dwwm.blocks] == ["RNCP37674BC01", "RNCP37674BC02"]
    assert dwwm.blocks[0].title == "Développer la partie front-end"
    old = catalogue.certification("RNCP31114")
    assert old is not None and not old.active
    sst = catalogue.certification("RS5678")
    assert sst is not None and sst.level is None


def test_a_missing_column_or_file_is_named(tmp_path: Path) -> None:
    _write(tmp_path / "x_Standard.csv", "Numero_Fiche;Titre\nRNCP1;X\n")
    _write(tmp_path / "x_Blocs.csv", "Numero_Fiche;Bloc_Competences_Code\n")
    with pytest.raises(InputError, match="missing column\\(s\\) Intitule") as caught:
        rncp_catalogue(tmp_path)
    assert caught.value.where is not None and caught.value.where.endswith("x_Standard.csv")
    with pytest.raises(InputError, match="unix_referentiel_code_rome"):
        rome_jobs(tmp_path)


@pytest.mark.parametrize(
    ("document", "pointer", "words"),
    [
        ({"title": "X", "skills": [{"esco": "python", "label": "P"}]}, "/skills/0/esco", "ESCO"),
        ({"title": "X", "skills": [{"label": "P"}]}, "/skills/0", "exactly one"),
        ({"title": "X", "skills": [{"block": "BC01", "label": "P"}]}, "/skills/0/block", "bloc"),
        ({"title": "X", "skills": []}, "/skills", "non-empty list"),
        ({"title": "X", "rome": "Z9999", "skills": [{"rome": "1", "label": "P"}]}, "/rome", "ROME"),
        ({"title": "X", "skils": []}, "/skils", "unknown member"),
        (
            {"title": "X", "skills": [{"rome": "1", "label": "A"}, {"rome": "1", "label": "B"}]},
            "/skills/1",
            "twice",
        ),
        ({"format": "passeport-job/2", "title": "X", "skills": []}, "/format", "not the format"),
    ],
)
def test_a_bad_job_profile_is_named(
    tmp_path: Path, document: dict[str, object], pointer: str, words: str
) -> None:
    path = tmp_path / "job.json"
    path.write_text(json.dumps(document), "utf-8")
    with pytest.raises(InputError, match=words) as caught:
        read_job(path)
    assert caught.value.pointer == pointer and caught.value.where == str(path)


def test_a_catalogue_block_belongs_to_its_certification(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.json"
    path.write_text(
        json.dumps(
            {
                "certifications": [
                    {
                        "code": "RNCP37674",
                        "title": "T",
                        "blocks": [{"code": "RNCP1BC01", "title": "B"}],
                    }
                ]
            }
        ),
        "utf-8",
    )
    with pytest.raises(InputError, match="is not a block of RNCP37674") as caught:
        read_catalogue(path)
    assert caught.value.pointer == "/certifications/0/blocks/0/code"
    short = {
        "certifications": [
            {"code": "rncp 37674", "title": "T", "blocks": [{"code": "BC02", "title": "B"}]}
        ]
    }
    path.write_text(json.dumps(short), "utf-8")
    [certification] = read_catalogue(path).certifications
    assert certification.code == "RNCP37674" and certification.blocks[0].code == "RNCP37674BC02"


def test_neither_a_job_nor_a_fiche_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}', "utf-8")
    with pytest.raises(InputError, match="neither a job profile"):
        read_job(path)
    path.write_text(json.dumps({"metier": {"code": "M1805", "libelle": "X"}}), "utf-8")
    with pytest.raises(InputError, match="lists no competence"):
        rome_job(json.loads(path.read_text("utf-8")), where=str(path))
