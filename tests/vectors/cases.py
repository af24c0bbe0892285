"""Load the W3C cryptosuite vectors of ``shared/vectors`` as declarative cases."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import VECTORS


@dataclass(frozen=True)
class VectorCase:
    """One vector: a suite, a key, an input and the expected intermediate results."""

    id: str
    suite: str
    hash_name: str
    files: dict[str, str]
    spec_section: str
    deterministic: bool

    def text(self, role: str) -> str:
        """Return the text of the file that plays ``role``."""
        return (VECTORS / self.files[role]).read_text("utf-8")

    def json(self, role: str) -> Any:
        """Return the parsed JSON file that plays ``role``."""
        return json.loads(self.text(role))


def hash_and_sign_cases() -> list[VectorCase]:
    """Return the eddsa-* and ecdsa-{rdfc,jcs}-2019 cases of ``vectors/index.json``."""
    index = json.loads((VECTORS / "index.json").read_text("utf-8"))
    cases = []
    for case in index["cases"]:
        suite = case.get("cryptosuite", "")
        if suite not in {"eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-jcs-2019"}:
            continue
        if "canonicalDocument" not in case:  # the proof set/chain case: see test_proof_sets
            continue
        files = {
            k: v for k, v in case.items() if isinstance(v, str) and v.endswith((".json", ".txt"))
        }
        cases.append(
            VectorCase(
                id=case["id"],
                suite=suite,
                hash_name="sha384" if case.get("hash") == "SHA-384" else "sha256",
                files=files,
                spec_section=case.get("spec_section", ""),
                deterministic=bool(case.get("signatureDeterministic")),
            )
        )
    return cases


def key_path(case: VectorCase) -> Path:
    """Return the key file of ``case``."""
    return VECTORS / case.files["key"]
