"""``passeport demo``: the story so far, on sample data, end to end.

A training body signs a diploma with each cryptosuite and key type, a
recruiter verifies each one offline, a forged copy is caught, and the holder
presents the diploma for one job offer with a challenge and a domain.
"""

from __future__ import annotations

import json
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from did.keyfile import KeyPair, write_key_file
from did.keys import KeyAlgorithm
from passeport._io import dump_json, write_atomic
from proofs.sign import sign_document
from verifier import Policy, verify_any

__all__ = ["PLAN", "run_demo"]

PLAN: tuple[tuple[str, KeyAlgorithm], ...] = (  # every suite with every key type it takes
    ("eddsa-rdfc-2022", KeyAlgorithm.ED25519),
    ("eddsa-jcs-2022", KeyAlgorithm.ED25519),
    ("ecdsa-rdfc-2019", KeyAlgorithm.P256),
    ("ecdsa-rdfc-2019", KeyAlgorithm.P384),
    ("ecdsa-jcs-2019", KeyAlgorithm.P256),
    ("ecdsa-jcs-2019", KeyAlgorithm.P384),
)


def _sample(name: str) -> Any:
    return json.loads(resources.files("passeport").joinpath("samples", name).read_text("utf-8"))


def run_demo(folder: Path | None = None) -> int:
    """Run the demo in ``folder`` (a new temporary folder by default); return the exit code."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, emoji=False)
    root = folder or Path(tempfile.mkdtemp(prefix="passeport-demo-"))
    root.mkdir(parents=True, exist_ok=True)
    console.print(f"[bold]passeport demo[/] — files in {root}\n")

    holder = KeyPair.generate(KeyAlgorithm.ED25519)
    write_key_file(root / "holder.key.json", holder, overwrite=True)
    diploma = _sample("diploma.json")
    diploma["credentialSubject"]["id"] = holder.controller

    table = Table(title="A training body signs, a recruiter verifies (offline)")
    for column in ("suite", "key", "signed", "verified", "forged copy rejected"):
        table.add_column(column)
    all_good = True
    first_signed: dict[str, Any] | None = None
    for suite, algorithm in PLAN:
        issuer = KeyPair.generate(algorithm)
        tag = f"{suite}-{algorithm.lower()}"
        write_key_file(root / f"issuer-{tag}.key.json", issuer, overwrite=True)
        signed = sign_document(diploma, issuer, suite=suite)
        write_atomic(root / f"diploma-{tag}.json", dump_json(signed))
        verified = verify_any(signed).verified
        forged = json.loads(json.dumps(signed))
        forged["credentialSubject"]["achievement"]["name"] = "Master en informatique"
        rejected = not verify_any(forged).verified
        all_good &= verified and rejected
        first_signed = first_signed or signed
        table.add_row(suite, str(algorithm), "✔", _mark(verified), _mark(rejected))
    console.print(table)

    assert first_signed is not None
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [first_signed],
    }
    vp = sign_document(presentation, holder, challenge="offre-2026-042", domain="recruteur.example")
    write_atomic(root / "presentation.json", dump_json(vp))
    good = verify_any(vp, policy=Policy(challenge="offre-2026-042", domain="recruteur.example"))
    replay = verify_any(vp, policy=Policy(challenge="another-offer", domain="recruteur.example"))
    console.print("\n[bold]The holder presents the diploma for one job offer[/]")
    console.print(f"  with the recruiter's challenge and domain: {_mark(good.verified)} verified")
    console.print(
        f"  replayed for another offer:                {_mark(not replay.verified)} rejected"
    )
    all_good &= good.verified and not replay.verified
    console.print(
        f"\nTry: passeport verify {root / 'presentation.json'} "
        "--challenge offre-2026-042 --domain recruteur.example"
    )
    return 0 if all_good else 1


def _mark(ok: bool) -> str:
    return "[green]✔[/]" if ok else "[red]✘[/]"
