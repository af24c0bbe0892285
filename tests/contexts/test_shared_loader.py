"""Threads verifying with one new loader all get the verdict each gets alone (issue 17).

``passeport serve`` answers from a thread pool, with one loader for every
request: its first requests process the contexts, learn shapes and make
plans at the same time. Credentials of four suites, eight threads, new
loaders each round.
"""

from __future__ import annotations

import copy
import json
import threading
from importlib import resources
from typing import Any, Final

from passeport.contexts.loader import DocumentLoader
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.proofs.ecdsa_sd import derive
from passeport.proofs.sign import sign_document
from passeport.verifier import Environment, Policy, verify_credential

ED: Final = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([5]) * 32))
P256: Final = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.P256, bytes([5]) * 32))
SUITES: Final = ("eddsa-rdfc-2022", "ecdsa-rdfc-2019", "eddsa-jcs-2022", "ecdsa-sd-2023")


def _credentials() -> list[dict[str, Any]]:
    text = resources.files("passeport").joinpath("samples", "diploma.json").read_text("utf-8")
    diploma = json.loads(text)
    loader = DocumentLoader()
    signed = []
    for n in range(16):
        document = copy.deepcopy(diploma)
        document["credentialSubject"]["id"] = f"did:example:t{n}"
        document["credentialSubject"]["name"] = f"Fil {n}"
        suite = SUITES[n % len(SUITES)]
        key = ED if suite.startswith("eddsa") else P256
        if suite == "ecdsa-sd-2023":
            base = sign_document(document, key, suite=suite, mandatory=("/issuer",), loader=loader)
            signed.append(derive(base, ["/credentialSubject/name"], loader=loader))
        else:
            signed.append(sign_document(document, key, suite=suite, loader=loader))
    tampered = copy.deepcopy(signed[0])
    tampered["credentialSubject"]["name"] = "Quelqu'un d'autre"
    return [*signed, tampered]


def test_threads_sharing_a_new_loader_get_the_verdicts_they_get_alone() -> None:
    credentials = _credentials()
    policy = Policy()
    alone = [
        verify_credential(c, policy=policy, env=Environment(loader=DocumentLoader())).verified
        for c in credentials
    ]
    assert alone == [True] * 16 + [False]
    for _ in range(3):
        env = Environment(loader=DocumentLoader())
        found: dict[int, bool] = {}

        def run(offset: int, env: Environment = env, found: dict[int, bool] = found) -> None:
            for step in range(len(credentials)):
                index = (offset + step) % len(credentials)
                result = verify_credential(credentials[index], policy=policy, env=env)
                found[index] = result.verified

        threads = [threading.Thread(target=run, args=(offset,)) for offset in range(0, 16, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert [found[index] for index in range(len(credentials))] == alone
