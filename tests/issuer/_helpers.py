"""Shared fixtures of the issuer tests: fixed-key profiles, fixed clocks, example data."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.issuer.profile import Profile
from passeport.verifier import Environment
from tests.conftest import ROOT

VC_V2 = "https://www.w3.org/ns/credentials/v2"
ISSUED_AT = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
HOST = "univ.example"
EXAMPLES = ROOT / "examples" / "issuer"


def make_profile(
    folder: Path,
    *,
    seed: int = 7,
    did: str = f"web:{HOST}",
    key_type: KeyAlgorithm = KeyAlgorithm.ED25519,
    status_base: str | None = None,
) -> Profile:
    """Create a profile whose key and permutation secret come from ``seed``."""
    return Profile.create(
        folder,
        name="Université Exemple",
        did=did,
        private_key=PrivateKey.from_raw(key_type, bytes([seed]) * 32),
        secret=bytes([seed + 1]) * 32,
        status_base=status_base,
    )


def example(template: str) -> dict[str, Any]:
    """Return the data of ``examples/issuer/TEMPLATE.json``."""
    data: dict[str, Any] = json.loads((EXAMPLES / f"{template}.json").read_text("utf-8"))
    return data


def diploma(n: int) -> dict[str, Any]:
    """Return the example diploma's data for graduate number ``n`` (a DID of their own)."""
    data = example("diploma")
    data["holder"] = {"id": f"did:example:graduate{n}", "name": f"Graduate {n}"}
    return data


def class_rows(
    path: Path, count: int, *, bad: Mapping[int, Mapping[str, str]] | None = None
) -> Path:
    """Write a CSV of ``count`` graduates modelled on class.csv; ``bad`` overrides rows (1-based).

    Returns ``path``; row ``n`` of the data is line ``n + 1`` of the file.
    """
    with (EXAMPLES / "class.csv").open(encoding="utf-8", newline="") as handle:
        model = list(csv.DictReader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(model[0]))
        writer.writeheader()
        for n in range(1, count + 1):
            row = dict(model[n % len(model)])
            row["holder.id"] = f"did:example:graduate{n}"
            row["holder.name"] = f"Graduate {n}"
            row.update((bad or {}).get(n, {}))
            writer.writerow(row)
    return path


def offline(cache: Path, at: datetime = ISSUED_AT + timedelta(minutes=1)) -> Environment:
    """Return an offline environment reading ``cache`` (a published folder) at ``at``."""
    return Environment(clock=lambda: at).with_cache(cache)
