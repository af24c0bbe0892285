"""A holder with a diploma, a first-aid training and a declared skill, and their CV.

The diploma is signed for selective disclosure (ecdsa-sd-2023) and shown in
part (her name, title, kind, code and level, never her birth date); the
training is signed whole (eddsa-rdfc-2022) and expires; the skill is the
holder's own declaration. Keys from fixed seeds, time fixed.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from passeport.verifier import Policy, TrustList
from passeport.wallet import CvDocument, Presentation, Wallet, add, make_cv, present
from tests.conftest import FIXED_NOW
from tests.wallet._helpers import (
    HOLDER,
    TRAINER,
    UNIVERSITY,
    diploma_document,
    env,
    first_aid_document,
    new_wallet,
    policy,
    selective,
    signed,
)

CHALLENGE: Final = "c-cv"
DOMAIN: Final = "rh.example"
TITLE: Final = "Développeur web et web mobile"
REVEAL: Final = (
    "/credentialSubject/identifier/0",
    "/credentialSubject/achievement/name",
    "/credentialSubject/achievement/achievementType",
    "/credentialSubject/achievement/alignment",
    "/awardedDate",
)
TRUST: Final = TrustList.from_json(
    {
        "name": "Certificateurs de test",
        "issuers": [
            {"did": TRAINER.controller, "name": "Centre de formation", "codes": ["RNCP37674"]},
            {"did": UNIVERSITY.controller, "name": "Organisme SST"},
        ],
    }
)


def diploma() -> dict[str, Any]:
    """The diploma: named issuer, award date, level, two blocks; signed for disclosure."""
    document = diploma_document()
    document["issuer"] = {"id": TRAINER.controller, "name": "Centre de formation Exemple"}
    document["awardedDate"] = "2025-07-04T00:00:00Z"
    alignments = document["credentialSubject"]["achievement"]["alignment"]
    for code, name in (("RNCP37674BC01", "Développer le front-end"), ("RNCP37674BC02", "Back-end")):
        alignments.append(
            {
                "type": ["Alignment"],
                "targetType": "ext:SkillBlock",
                "targetFramework": "RNCP",
                "targetCode": code,
                "targetName": name,
                "targetUrl": "https://www.francecompetences.fr/recherche/rncp/37674/",
            }
        )
    return selective(document)


def first_aid() -> dict[str, Any]:
    """A first-aid training from a named body, shown whole; valid until 2027."""
    document = first_aid_document()
    document["issuer"] = {"id": UNIVERSITY.controller, "name": "Organisme SST"}
    document["credentialSubject"]["source"] = {
        "type": ["Profile"],
        "id": UNIVERSITY.controller,
        "name": "Organisme SST",
    }
    document["awardedDate"] = "2025-06-20T00:00:00Z"
    achievement = document["credentialSubject"]["achievement"]
    achievement["id"] = "urn:uuid:00000000-0000-4000-8000-00000000aaaa"  # no certification code
    achievement["criteria"] = {"narrative": "Formation initiale de 14 heures."}
    return signed(document)


def declared_skill() -> dict[str, Any]:
    """A skill the holder declares about themselves (issuer = subject)."""
    document = copy.deepcopy(diploma_document(number=7, title="Gestion de projet agile"))
    achievement = document["credentialSubject"]["achievement"]
    achievement["achievementType"] = "Competency"
    achievement["id"] = "urn:uuid:00000000-0000-4000-8000-00000000bbbb"
    achievement["criteria"] = {"narrative": "Un an d'animation des cérémonies Scrum."}
    del achievement["alignment"]
    document["credentialSubject"]["identifier"] = document["credentialSubject"]["identifier"][:1]
    document["issuer"] = HOLDER.controller
    return signed(document, signer=HOLDER)


@dataclass
class Holder:
    """A wallet, its presentation, and the CV made of it."""

    wallet: Wallet
    presentation: Presentation
    cv: CvDocument


def holder(tmp_path: Path, **options: Any) -> Holder:
    """Fill a wallet, present everything (the diploma in part), make the CV with ``options``."""
    wallet = new_wallet(tmp_path)
    sources = [
        (f"c{i}.json", json.dumps(document))
        for i, document in enumerate((diploma(), first_aid(), declared_skill()))
    ]
    outcomes = add(wallet, sources, policy=Policy(at=FIXED_NOW, accept_self_issued=True), env=env())
    assert all(o.status == "added" for o in outcomes), [o.reason for o in outcomes]
    presented = present(
        wallet,
        [str(o.id) for o in outcomes],
        reveal=REVEAL,
        challenge=CHALLENGE,
        domain=DOMAIN,
        now=FIXED_NOW,
    )
    options.setdefault("trust", TRUST)
    made = make_cv(presented, wallet, env=env(), now=FIXED_NOW, **options)
    return Holder(wallet, presented, made)


def recruiter(*, trust: TrustList | None = TRUST, challenge: str | None = CHALLENGE) -> Policy:
    """The recruiter's rules: their trust list, the challenge they gave, at the fixed time."""
    return Policy(
        challenge=challenge, domain=DOMAIN, trust=trust, at=FIXED_NOW, accept_self_issued=True
    )


__all__ = [
    "CHALLENGE",
    "DOMAIN",
    "REVEAL",
    "TITLE",
    "TRUST",
    "Holder",
    "declared_skill",
    "diploma",
    "first_aid",
    "holder",
    "policy",
    "recruiter",
]
