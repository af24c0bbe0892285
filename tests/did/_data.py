"""Paths to the test vectors and interop keys, and fixed-seed keys for the did tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from passeport.did import KeyAlgorithm, PrivateKey

SHARED = Path(__file__).resolve().parents[1] / "data"  # see tests/data/README.md
VECTORS = SHARED / "vectors"
INTEROP_KEYS = SHARED / "interop" / "dbjs" / "keys"
DIDWEB = SHARED / "interop" / "dbjs" / "didweb"

ALGORITHMS = tuple(KeyAlgorithm)


def load_json(path: Path) -> Any:
    """Read a JSON file."""
    return json.loads(path.read_text("utf-8"))


def fixed_key(algorithm: KeyAlgorithm, seed: int = 7) -> PrivateKey:
    """Return a deterministic private key for ``algorithm``."""
    size = 48 if algorithm is KeyAlgorithm.P384 else 32
    return PrivateKey.from_raw(algorithm, bytes([seed]) * size)
