"""The Data Integrity proof engine: add and verify ``DataIntegrityProof`` proofs.

Spec: https://www.w3.org/TR/vc-data-integrity/ (4.2 Add Proof, 4.3 Add
Proof Set/Chain, 4.4 Verify Proof, 4.5 Verify Proof Sets and Chains) with the
suite-specific steps of https://www.w3.org/TR/vc-di-eddsa/ and
https://www.w3.org/TR/vc-di-ecdsa/ (proof configuration and verification).

Everything general to Data Integrity lives here once: proof options and
their checks, proof purposes with ``challenge`` and ``domain``, ``created``
and ``expires``, proof sets and chains, and the check that the verification
method belongs to the expected controller (the issuer or the holder) and is
listed under the proof purpose's relationship in its DID document.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from passeport._json import JsonObject
from passeport.contexts import DocumentLoader, bundled_loader
from passeport.contexts.portable import check_portable
from passeport.did.resolve import DidResolver
from passeport.errors import (
    ContextError,
    InputError,
    PasseportError,
    SigningError,
)
from passeport.proofs._copy import copy_json
from passeport.proofs.checks import (
    ProofExpectation,
    ProofOutcome,
    check_options,
    fail,
    resolve_method,
)
from passeport.proofs.dates import (
    AGE_CHECK,
    format_datetime,
    parse_datetime,
    presentation_age,
    utc_now,
)
from passeport.proofs.outcome import Outcome
from passeport.proofs.suite import BaseProofPresented, Cryptosuite, Signer, is_deriving

__all__ = [
    "DATA_INTEGRITY_V2",
    "ProofExpectation",
    "ProofOptions",
    "ProofOutcome",
    "add_proof",
    "format_datetime",
    "parse_datetime",
    "proofs_of",
    "verify_proofs",
]

DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProofOptions:
    """Options of a proof to add (VC-DATA-INTEGRITY 2.1 Proofs).

    ``created`` defaults to the current time; pass ``include_created=False``
    to omit it (it is optional in Data Integrity). ``expires``, when given,
    must come after it: for a presentation it is the holder's word on until
    when the presentation holds, which every verifier enforces.
    """

    proof_purpose: str = "assertionMethod"
    created: datetime | None = None
    include_created: bool = True
    expires: datetime | None = None
    challenge: str | None = None
    domain: str | None = None
    nonce: str | None = None
    id: str | None = None
    previous_proof: str | Sequence[str] | None = None


PROOF_MEMBERS: Final = frozenset(
    {
        "@context",
        "id",
        "type",
        "cryptosuite",
        "proofPurpose",
        "verificationMethod",
        "created",
        "expires",
        "domain",
        "challenge",
        "nonce",
        "proofValue",
        "previousProof",
    }
)
"""The members a DataIntegrityProof may have (https://www.w3.org/TR/vc-data-integrity/#proofs)."""


def proofs_of(document: Mapping[str, Any]) -> list[JsonObject]:
    """Return the proofs of ``document`` as a list (a single proof is a set of one)."""
    proof = document.get("proof")
    if proof is None:
        return []
    items = proof if isinstance(proof, list) else [proof]
    return [dict(item) if isinstance(item, Mapping) else {"": item} for item in items]


def _context_list(document: Mapping[str, Any]) -> list[Any]:
    context = document.get("@context")
    if context is None:
        return []
    return list(context) if isinstance(context, list) else [context]


def _with_data_integrity_context(document: JsonObject) -> JsonObject:
    """Add the Data Integrity context to a VC 1.1 document that lacks it.

    VC 2.0's context defines ``DataIntegrityProof`` and its properties; the
    1.1 context does not, so its proof terms would be undefined. Only a
    document whose first context is VC 1.1's gets it: any other document
    without either context is refused, never completed behind its author's
    back (``[examples/v2]`` would otherwise be signed as if it were VC 2.0).

    Raises:
        SigningError: the document's contexts do not define the proof.
    """
    contexts = _context_list(document)
    if VC_V2 in contexts or DATA_INTEGRITY_V2 in contexts or not contexts:
        return document  # no @context: plain JSON, for a JCS suite
    if contexts[0] != VC_V1:
        raise SigningError(
            f"the document's @context defines no DataIntegrityProof: its first @context "
            f"must be {VC_V2} (or {VC_V1}), or it must list {DATA_INTEGRITY_V2}",
            pointer="/@context",
        )
    updated = dict(document)
    updated["@context"] = [*contexts, DATA_INTEGRITY_V2]
    return updated


def add_proof(
    document: Mapping[str, Any],
    *,
    suite: Cryptosuite,
    signer: Signer,
    options: ProofOptions | None = None,
    loader: DocumentLoader | None = None,
    clock: Callable[[], datetime] = utc_now,
    mandatory: Sequence[str] = (),
) -> JsonObject:
    """Return a copy of ``document`` with one more ``DataIntegrityProof``.

    An existing proof makes a proof set (each proof signs the document without
    proofs) or, with ``options.previous_proof``, a chain. ``mandatory`` lists
    the JSON pointers a selective-disclosure suite (``ecdsa-sd-2023``) always
    discloses, exactly as given, as the spec's algorithm does; sign a
    credential with :func:`proofs.sign.sign_document`, which adds what a
    verifier's checks read (:mod:`proofs.shown`).

    Raises:
        SigningError: the key type does not fit the suite, the options are
            inconsistent, or ``mandatory`` is given to a suite without them.
        InputError: a mandatory pointer is malformed or matches nothing.
        ContextError: a property of the document is not defined by its
            contexts, or a context is unknown.
    """
    options = options or ProofOptions()
    loader = loader or bundled_loader()
    if not isinstance(document, Mapping):
        raise InputError("the document to sign must be a JSON object")
    check_portable(document)  # what other implementations read differently (issue 20)
    if mandatory and not is_deriving(suite):
        raise SigningError(
            f"{suite.name} has no mandatory pointers (only a selective-disclosure suite has)"
        )
    if not suite.accepts(signer.public_key):
        raise SigningError(f"{suite.name} cannot sign with a {signer.public_key.algorithm} key")
    secured: JsonObject = _with_data_integrity_context(copy_json(dict(document)))
    existing = proofs_of(secured)
    unsecured = {k: v for k, v in secured.items() if k != "proof"}

    # VC-DI-EDDSA 3.2.5 / VC-DI-ECDSA 3.3.5 proof configuration, step 1-5.
    config: JsonObject = {"type": "DataIntegrityProof", "cryptosuite": suite.name}
    created = options.created or clock()
    if options.include_created:
        config["created"] = format_datetime(created)
    if options.expires is not None:
        # VC-DATA-INTEGRITY 2.1: expires dates the end of the proof's validity.
        if format_datetime(options.expires) <= format_datetime(created):
            raise SigningError("the proof would expire before it is created (expires)")
        config["expires"] = format_datetime(options.expires)
    config["verificationMethod"] = signer.verification_method
    config["proofPurpose"] = options.proof_purpose
    if options.id is not None:
        config["id"] = options.id
    if options.challenge is not None:
        config["challenge"] = options.challenge
    if options.domain is not None:
        config["domain"] = options.domain
    if options.nonce is not None:
        config["nonce"] = options.nonce
    if options.previous_proof is not None:
        previous = options.previous_proof
        config["previousProof"] = (
            list(previous)
            if isinstance(previous, Sequence) and not isinstance(previous, str)
            else previous
        )
        # VC-DATA-INTEGRITY 4.3 (add proof chain): sign with the named proofs.
        unsecured = dict(unsecured)
        unsecured["proof"] = _previous_proofs(existing, config["previousProof"], where=None)
    # Step 6: the proof configuration takes the document's @context.
    config_with_context = dict(config)
    if "@context" in secured:
        config_with_context["@context"] = secured["@context"]
    if is_deriving(suite):
        proof_value = suite.create_proof_value(
            unsecured, config_with_context, signer, loader=loader, mandatory=tuple(mandatory)
        )
    else:
        proof_value = suite.create_proof_value(
            unsecured, config_with_context, signer, loader=loader
        )
    keep_context = suite.name.endswith("-jcs-2022") or suite.name.endswith("-jcs-2019")
    proof: JsonObject = dict(config_with_context if keep_context else config)
    proof["proofValue"] = proof_value
    # VC-DATA-INTEGRITY 4.2 step 5-6: a proof set keeps every earlier proof.
    secured["proof"] = [*existing, proof] if existing else proof
    return secured


def _is_previous_proof(value: Any) -> bool:
    """Tell whether ``value`` is a ``previousProof``: a string or a non-empty list of strings."""
    if isinstance(value, str):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)


def _previous_proofs(
    proofs: Sequence[Mapping[str, Any]], previous: Any, *, where: str | None
) -> Any:
    if not _is_previous_proof(previous):
        raise InputError(
            "previousProof must be a proof id or a non-empty list of proof ids (strings)",
            where=where,
        )
    wanted = [previous] if isinstance(previous, str) else list(previous)
    found = []
    for proof_id in wanted:
        match = [p for p in proofs if p.get("id") == proof_id]
        if not match:
            raise InputError(f'previousProof "{proof_id}" names no proof of the set', where=where)
        found.append(dict(match[0]))
    return found[0] if isinstance(previous, str) else found


def _age(proof: Mapping[str, Any], expect: ProofExpectation, where: str) -> list[ProofOutcome]:
    """Return the ``presentation.age`` outcome of a proof (none for an unreadable date)."""
    try:
        created = parse_datetime(proof["created"]) if "created" in proof else None
    except InputError:
        return []  # proof.malformed, from check_options
    try:
        expires = parse_datetime(proof["expires"]) if "expires" in proof else None
    except InputError:
        expires = None
    found = presentation_age(
        created,
        now=expect.now,
        max_age=expect.max_age,
        skew=expect.max_clock_skew,
        expires=expires,
        challenged=expect.challenge is not None,
    )
    if found is None:
        return []  # created in the future: proof.created, from check_options
    outcome, message = found
    pointer = f"{where}/created" if created is not None else where
    return [replace(fail(AGE_CHECK, message, pointer, proof), outcome=outcome)]


def verify_proofs(
    document: Mapping[str, Any],
    *,
    expect: ProofExpectation,
    resolver: DidResolver,
    loader: DocumentLoader | None = None,
    suites: Mapping[str, Cryptosuite],
    pointer: str = "",
) -> tuple[ProofOutcome, ...]:
    """Verify every proof of ``document``; return one or more outcomes per proof.

    ``suites`` are the cryptosuites known, by name (the registry's
    :func:`proofs.mechanism.data_integrity_suites`, say); a proof of another
    is a failed ``proof.suite`` outcome.
    Every proof of a set must verify (VC-DATA-INTEGRITY 4.5). Nothing raises
    for a bad proof: a malformed proof, an unknown suite or a bad signature is
    a failed outcome, an unobtainable DID document an unchecked one.
    """
    loader = loader or bundled_loader()
    proofs = proofs_of(document)
    if not proofs:
        return (
            ProofOutcome(
                "proof.missing", Outcome.FAILED, "the document has no proof", pointer or None
            ),
        )
    single = not isinstance(document.get("proof"), list)
    outcomes: list[ProofOutcome] = []
    for index, proof in enumerate(proofs):
        where = f"{pointer}/proof" if single else f"{pointer}/proof/{index}"
        outcomes.extend(
            _verify_one(document, proof, proofs, expect, resolver, loader, suites, where)
        )
    return tuple(outcomes)


def _verify_one(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    all_proofs: Sequence[Mapping[str, Any]],
    expect: ProofExpectation,
    resolver: DidResolver,
    loader: DocumentLoader,
    suites: Mapping[str, Cryptosuite],
    where: str,
) -> list[ProofOutcome]:
    results: list[ProofOutcome] = []
    # VC-DATA-INTEGRITY 4.4 step 3-4: the proof must be well formed.
    for member in ("type", "verificationMethod", "proofPurpose", "proofValue"):
        if not isinstance(proof.get(member), str):
            return [
                fail(
                    "proof.malformed",
                    f"the proof has no {member} string",
                    f"{where}/{member}",
                    proof,
                )
            ]
    if proof["type"] != "DataIntegrityProof":
        return [
            fail(
                "proof.suite",
                f'proof type "{proof["type"]}" is not supported',
                f"{where}/type",
                proof,
            )
        ]
    # The proof options are RDF-canonicalized with the document's contexts, so
    # an option written as an IRI or an alias would sign the same and go
    # unread ("expires" renamed would never expire): only the members of
    # DataIntegrityProof are accepted, under their own names.
    unknown = sorted(member for member in proof if member not in PROOF_MEMBERS)
    if unknown:
        return [
            fail(
                "proof.malformed",
                f'the proof has a member "{unknown[0]}" that is not a DataIntegrityProof '
                "option (VC Data Integrity 2.1); options must be written under their own names",
                f"{where}/{unknown[0]}",
                proof,
            )
        ]
    # VC-DATA-INTEGRITY 2.1: previousProof is a string or a list of strings.
    if "previousProof" in proof and not _is_previous_proof(proof["previousProof"]):
        return [
            fail(
                "proof.malformed",
                "previousProof must be a proof id or a non-empty list of proof ids (strings), "
                f"not {json.dumps(proof['previousProof'], default=str)[:60]}",
                f"{where}/previousProof",
                proof,
            )
        ]
    name = proof.get("cryptosuite")
    suite = suites.get(name) if isinstance(name, str) else None
    if suite is None or (expect.suites is not None and name not in expect.suites):
        return [
            fail(
                "proof.suite",
                f'cryptosuite "{name}" is not accepted here',
                f"{where}/cryptosuite",
                proof,
            )
        ]
    vm_id: str = proof["verificationMethod"]

    # VC-DATA-INTEGRITY 4.4 step 10: the proof purpose must be the expected one.
    if proof["proofPurpose"] != expect.proof_purpose:
        results.append(
            fail(
                "proof.purpose",
                f'proof purpose is "{proof["proofPurpose"]}", expected "{expect.proof_purpose}"',
                f"{where}/proofPurpose",
                proof,
            )
        )
    results.extend(check_options(proof, expect, where))
    if expect.proof_purpose == "authentication" or expect.max_age is not None:
        results.extend(_age(proof, expect, where))

    # Verification method: resolvable, controlled by the expected party, authorized.
    method, found = resolve_method(
        vm_id,
        controller=expect.controller,
        relationship=str(proof["proofPurpose"]),
        resolver=resolver,
        suite=name,
        pointer=f"{where}/verificationMethod",
    )
    results.extend(found)
    if method is None:
        return results
    if not suite.accepts(method.public_key):
        results.append(
            fail(
                "proof.key_type",
                f"{name} does not use {method.public_key.algorithm} keys",
                f"{where}/verificationMethod",
                proof,
            )
        )
        return results

    # VC-DI-EDDSA 3.2.2 / VC-DI-ECDSA 3.3.2 verify proof.
    unsecured: JsonObject = {k: v for k, v in document.items() if k != "proof"}
    options: JsonObject = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in options:
        proof_context = _context_list(options)
        if _context_list(document)[: len(proof_context)] != proof_context:
            results.append(
                fail(
                    "proof.context",
                    "the proof's @context is not a prefix of the document's @context",
                    f"{where}/@context",
                    proof,
                )
            )
            return results
        unsecured["@context"] = options["@context"]
    elif "@context" in document:
        options["@context"] = document["@context"]
    if "previousProof" in proof:
        try:
            unsecured["proof"] = _previous_proofs(all_proofs, proof["previousProof"], where=None)
        except InputError as exc:
            results.append(fail("proof.chain", exc.message, f"{where}/previousProof", proof))
            return results
    try:
        valid = suite.verify_proof_value(
            unsecured, options, proof["proofValue"], method.public_key, loader=loader
        )
    except BaseProofPresented as exc:
        # VC-DI-ECDSA 3.6.7: a verifier checks derived proofs only.
        results.append(fail("proof.base", exc.message, f"{where}/proofValue", proof))
        return results
    except ContextError as exc:
        results.append(
            fail("proof.context", f"cannot canonicalize: {exc}", exc.pointer or where, proof)
        )
        return results
    except PasseportError as exc:
        results.append(
            fail("proof.signature", f"proof value unreadable: {exc}", f"{where}/proofValue", proof)
        )
        return results
    if valid:
        results.append(
            ProofOutcome(
                "proof.signature",
                Outcome.PASSED,
                f"{name} signature verifies, by a key of {method.controller}",
                where,
                name,
                vm_id,
            )
        )
    else:
        results.append(
            fail(
                "proof.signature",
                f"{name} signature does not verify: the document or proof changed since signing",
                f"{where}/proofValue",
                proof,
            )
        )
    return results
