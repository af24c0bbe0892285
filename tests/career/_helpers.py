"""Shared material of the career tests: a holder's wallet, issuers, credentials, at a fixed time."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any, Final

from passeport._io import dump_json
from passeport.issuer import Profile, issue, publish_status
from passeport.issuer.declared import declaration
from passeport.verifier import Environment
from passeport.wallet import AddOutcome, Wallet, add
from passeport.wallet.declarations import declare
from tests.conftest import FIXED_NOW, ROOT
from tests.issuer._helpers import make_profile
from tests.wallet._helpers import new_wallet

EXAMPLES: Final = ROOT / "examples"
JOB: Final = EXAMPLES / "jobs" / "developpeur-web.json"
CATALOGUE: Final = EXAMPLES / "catalogue" / "certifications.json"
LATER: Final = FIXED_NOW + timedelta(minutes=1)
ESCO: Final = "http://data.europa.eu/esco/skill/"
PYTHON: Final = ESCO + "ccd0a1d9-afda-43d9-b901-96344886e14d"
JAVASCRIPT: Final = ESCO + "3cd569a2-4f88-4c1e-9995-8dce8c5e51a7"
SQL: Final = ESCO + "598de5b0-5b58-4ea7-8058-a4bc4d18c742"
CSS: Final = ESCO + "e5d1f825-60ed-4bdd-872a-e748c387f777"

INTERNSHIP: Final[dict[str, Any]] = {
    "holder": {"name": "Camille Martin"},
    "employment": {
        "jobTitle": "Développeuse web (stage)",
        "employer": {"name": "Employeur Exemple SA"},
        "startDate": "2024-03-04",
        "endDate": "2024-08-30",
        "rome": "M1805",
        "tasks": ["Intégration HTML et CSS", "Tests"],
    },
}
DECLARED_SKILL: Final[dict[str, Any]] = {
    "holder": {"name": "Camille Martin"},
    "achievement": {"name": "JavaScript", "esco": JAVASCRIPT},
}


def example(*parts: str) -> dict[str, Any]:
    """Return an example file's JSON (a fresh copy)."""
    data: dict[str, Any] = json.loads(EXAMPLES.joinpath(*parts).read_text("utf-8"))
    return copy.deepcopy(data)


def offline(public: Path | None = None) -> Environment:
    """An offline environment at LATER, reading the published folder ``public`` if given."""
    env = Environment(clock=lambda: LATER)
    return env.with_cache(public) if public is not None else env


class Career:
    """A holder's wallet and two issuers (a training body, an employer) publishing to ``public``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.public = root / "public"
        self.wallet: Wallet = new_wallet(root)
        self.trainer = make_profile(root / "formation", seed=31, did="web:formation.example")
        self.employer = make_profile(root / "employeur", seed=33, did="web:employeur.example")
        self.person = {"id": self.wallet.did, "name": "Camille Martin"}

    def issue(self, profile: Profile, template: str, data: dict[str, Any]) -> dict[str, Any]:
        """Issue ``template`` to the holder at FIXED_NOW and publish the issuer's status lists."""
        credential: dict[str, Any] = issue(profile, template, data, issued_at=FIXED_NOW)
        publish_status(profile, self.public, at=FIXED_NOW)
        return credential

    def keep(self, *credentials: dict[str, Any]) -> list[AddOutcome]:
        """Add credentials to the wallet (verified offline against the published lists)."""
        sources = [(f"c{i}.json", dump_json(c)) for i, c in enumerate(credentials)]
        return add(self.wallet, sources, env=offline(self.public))

    def declare(self, template: str, data: dict[str, Any]) -> str:
        """Declare ``data`` as the holder; return the wallet record id."""
        unsigned = declaration(
            template,
            data,
            holder=self.wallet.did,
            credential_id=f"urn:uuid:00000000-0000-4000-8000-{len(self.wallet.entries()):012d}",
            issued_at=FIXED_NOW,
        )
        outcome = declare(self.wallet, unsigned, env=offline(), issued_at=FIXED_NOW)
        assert outcome.id is not None
        return outcome.id

    def document(self, record: str) -> dict[str, Any]:
        """Return a held credential's document."""
        held = self.wallet.credential(record).credential
        assert isinstance(held, dict)
        return held
