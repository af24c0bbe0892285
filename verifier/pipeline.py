"""The verification pipeline for credentials and presentations.

Every check runs, even after a failure, and each becomes a
:class:`~verifier.result.Check`: proofs (with the issuer or holder as the
expected controller), validity period, holder binding, challenge and domain.

Specs: https://www.w3.org/TR/vc-data-model-2.0/#verification ,
https://www.w3.org/TR/vc-data-integrity/#verify-proof .
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from passeport._io import parse_json
from passeport._json import JsonObject, id_of
from passeport.contexts import collect_warnings
from passeport.contexts.limits import check_document
from passeport.errors import InputError, PasseportError
from passeport.proofs._jws import read_jwt, token_read
from passeport.proofs.engine import (
    ProofExpectation,
    ProofOutcome,
    proofs_of,
    verify_proofs,
)
from passeport.proofs.mechanism import (
    data_integrity_suites,
    mechanism_for,
    mechanism_for_media_type,
    mechanism_named,
)
from passeport.proofs.outcome import Outcome
from passeport.verifier.env import Environment, Policy, assertion_expectation, now_of
from passeport.verifier.enveloped import (
    secured_credential,
    secured_kind,
    secured_presentation,
    token_kind,
)
from passeport.verifier.facts import CredentialFacts, Guarantee, Kind, facts_of
from passeport.verifier.related import related_checks
from passeport.verifier.result import Check, VerificationResult
from passeport.verifier.shape import shape_checks
from passeport.verifier.status import status_checks
from passeport.verifier.trust import is_self_issued, standing, trust_checks
from passeport.verifier.validity import credential_version, validity_checks
from passeport.verifier.verdict import CredentialReport, report_of
from passeport.verifier.view import signed_view

__all__ = ["verify_any", "verify_credential", "verify_presentation"]


def _types(document: Mapping[str, Any]) -> list[str]:
    value = document.get("type", [])
    items = value if isinstance(value, list) else [value]
    return [t for t in items if isinstance(t, str)]


def _name_of(value: Any) -> str | None:
    if isinstance(value, Mapping):
        name = value.get("name")
        if isinstance(name, str):
            return name
        if isinstance(name, list) and name and isinstance(name[0], Mapping):
            first = name[0].get("@value")
            return first if isinstance(first, str) else None
    return None


def _sound(checks: list[Check]) -> bool:
    """Tell whether the credential's form and proofs hold (a standing means nothing otherwise)."""
    return all(
        check.outcome is Outcome.PASSED
        for check in checks
        if check.code.startswith(("input.", "proof.", "disclosure.", "key_binding."))
    )


def _one_id(value: Any) -> str | None:
    """Return the one party ``value`` names (``issuer``, ``holder``), or None.

    A member written twice (say under its term and its IRI) is a list in the
    signed view: it names one party only if every item names the same one.
    """
    items = value if isinstance(value, list) else [value]
    ids = {id_of(item) for item in items}
    return ids.pop() if len(ids) == 1 else None


def _subjects(document: Mapping[str, Any]) -> list[Any]:
    subject = document.get("credentialSubject")
    return subject if isinstance(subject, list) else [subject] if subject is not None else []


_REEXPRESSED = (
    "written with full IRIs, compact IRIs, aliases or value objects; "
    "checked as its signature reads it (compacted against the verifier's contexts)"
)


def _proof_outcomes(
    signed: Mapping[str, Any],
    expect: ProofExpectation,
    policy: Policy,
    env: Environment,
    base: str,
) -> tuple[ProofOutcome, ...]:
    """Verify the embedded proofs; a holder receiving a base proof confirms it instead."""
    if policy.receiving:
        mechanism = mechanism_for(signed)
        if mechanism is not None and mechanism.is_holder_form(signed):
            resolver = env.resolver()
            return mechanism.confirm(signed, resolver=resolver, loader=env.loader, expect=expect)
    return verify_proofs(
        signed,
        expect=expect,
        resolver=env.resolver(),
        loader=env.loader,
        suites=data_integrity_suites(),
        pointer=base,
    )


def _credential_checks(
    document: Any,
    policy: Policy,
    env: Environment,
    credential: int | None,
    base: str,
    presenters: frozenset[str] = frozenset(),
    *,
    reports: bool = True,
) -> tuple[list[Check], JsonObject, list[str], CredentialFacts | None]:
    """Check one credential; ``presenters`` are who present it (the holder, the signers).

    A credential its own presenter issued is a declaration, whatever its
    subject says: it is never shown as guaranteed. Without ``reports``, the
    checks are the same, but what it proves (its facts) is not read.
    """
    now = now_of(policy, env)
    envelope: list[Check] | None = None
    secured_format: str | None = None
    if isinstance(document, str) or secured_kind(document) == "credential":
        # VC-JOSE-COSE / SD-JWT: the envelope is the proof; the credential is inside.
        with collect_warnings() as envelope_noticed:
            envelope, decoded, secured_format = secured_credential(
                document, env=env, policy=policy, now=now, credential=credential, base=base
            )
        if decoded is None:
            return envelope, {"kind": "credential", "format": secured_format}, [], None
        document = decoded
    if not isinstance(document, Mapping):
        return (
            [
                Check(
                    "input.credential",
                    Outcome.FAILED,
                    "the credential is not a JSON object (other formats are not read here)",
                    credential,
                    base or None,
                )
            ],
            {},
            [],
            None,
        )
    checks: list[Check] = []
    signed = document
    reexpressed = False
    try:
        # Checks read what was signed, however it is spelled (verifier/view.py);
        # the proofs below verify the document exactly as it was handed over.
        view = signed_view(document, env.loader)
        document, reexpressed = view.document, view.reexpressed
    except PasseportError as exc:
        pointer = exc.pointer or base or None
        checks.append(Check("input.jsonld", Outcome.FAILED, exc.message, credential, pointer))
    version = credential_version(signed)  # as written: the view has the verifier's contexts
    types = _types(document)
    issuer = _one_id(document.get("issuer"))
    if "VerifiableCredential" not in types:
        checks.append(
            Check(
                "input.type",
                Outcome.FAILED,
                'type does not include "VerifiableCredential"',
                credential,
                f"{base}/type",
            )
        )
    if issuer is None:
        checks.append(
            Check(
                "input.issuer",
                Outcome.FAILED,
                "the credential names no issuer",
                credential,
                f"{base}/issuer",
            )
        )
    checks.extend(shape_checks(signed, document, credential=credential, base=base))
    label = "" if credential is None else f"credential {credential}: "
    warnings: list[str] = []
    if envelope is None:
        expect = assertion_expectation(issuer, policy, now)
        if expect.controller != issuer:
            warnings.append(
                f"{label}the issuer {issuer} is taken to sign with the keys of "
                f"{expect.controller} (a delegation the policy states)"
            )
        with collect_warnings() as noticed:
            outcomes = _proof_outcomes(signed, expect, policy, env, base)
        checks.extend(Check.of(outcome, credential) for outcome in outcomes)
    else:
        noticed = envelope_noticed
        checks.extend(envelope)
    warnings.extend(f"{label}{text}" for text in noticed)
    if reexpressed:
        warnings.append(f"{label}{_REEXPRESSED}")
    related, unchecked = related_checks(document, env=env, credential=credential, base=base)
    checks.extend(related)
    warnings.extend(f"{label}{text}" for text in unchecked)
    checks.extend(validity_checks(document, version, policy, now, credential, base))
    checks.extend(status_checks(document, credential=credential, base=base, policy=policy, env=env))
    declared = is_self_issued(document) or (issuer is not None and issuer in presenters)
    if policy.trust is not None:
        checks.extend(
            trust_checks(
                document,
                policy.trust,
                index=credential,
                base=base,
                self_issued=declared,
                now=now,
                accept_self_issued=policy.accept_self_issued,
            )
        )
    if "credentialSchema" in document:
        from passeport.verifier.schema import schema_checks  # lazy: jsonschema is heavy to import

        checks.extend(schema_checks(document, index=credential, base=base, schemas=policy.schemas))
    subject_ids = [s for s in (id_of(x) for x in _subjects(document)) if s]
    summary: JsonObject = {
        "kind": "credential",
        "version": version,
        "id": id_of(document),
        "type": list(types),
        "issuer": issuer,
        "issuerName": _name_of(document.get("issuer")),
        "standing": (
            ("self-declared" if declared else standing(document, policy.trust, now=now))
            if _sound(checks)
            else "unverified"
        ),
        "subject": subject_ids[0] if subject_ids else None,
        "subjects": list(subject_ids),
        "validFrom": document.get("validFrom", document.get("issuanceDate")),
        "validUntil": document.get("validUntil", document.get("expirationDate")),
        "proofs": (
            [secured_format]
            if secured_format is not None
            else [p.get("cryptosuite") for p in proofs_of(signed)]
        ),
    }
    if not reports:
        return checks, summary, warnings, None
    proofs = summary["proofs"]
    listed = policy.trust.issuer(issuer) if policy.trust is not None and issuer else None
    facts = facts_of(
        document,
        standing=str(summary["standing"]),
        verified=_sound(checks),
        selective=isinstance(proofs, list) and any(_derives(name) for name in proofs),
        listed_name=listed.name if listed is not None else None,
    )
    summary["facts"] = facts.to_json()
    return checks, summary, warnings, facts


def _derives(name: Any) -> bool:
    """Tell whether a credential secured by ``name`` may be a holder's partial disclosure."""
    if not isinstance(name, str):
        return False
    try:
        return mechanism_named(name).derives
    except ValueError:
        found = mechanism_for_media_type(name)
        return found is not None and found.derives


def _reports(
    facts: list[tuple[int | None, CredentialFacts | None]], checks: list[Check], policy: Policy
) -> tuple[CredentialReport, ...]:
    # A credential that could not be read still has its line: nothing proven, and why.
    unreadable = CredentialFacts(Kind.OTHER, Guarantee.UNVERIFIABLE, "unverified")
    return tuple(
        report_of(
            index, found or unreadable, checks, unchecked_is_failure=policy.unchecked_is_failure
        )
        for index, found in facts
    )


def _did_of(value: str) -> str:
    return value.split("#", 1)[0]


def _signers(outcomes: tuple[ProofOutcome, ...]) -> frozenset[str]:
    """Return the DIDs whose keys made the proofs, each proof verified in every respect.

    A key is taken for its DID only when that DID's document lists it under
    ``authentication`` and nothing about its proof failed (purpose, dates,
    challenge, domain, signature).
    """
    flawed = {o.verification_method for o in outcomes if o.outcome is not Outcome.PASSED}
    return frozenset(
        _did_of(o.verification_method)
        for o in outcomes
        if o.code == "proof.signature"
        and o.outcome is Outcome.PASSED
        and o.verification_method is not None
        and o.verification_method not in flawed
    )


def _binding_check(
    holder: str | None,
    signers: frozenset[str],
    summary: JsonObject,
    index: int,
    base: str,
    policy: Policy,
) -> Check | str | None:
    """Return the holder-binding check of one presented credential (or a warning).

    A credential whose subjects are named by DIDs is bound to who presents
    it: the ``holder`` the presentation names (its proof must be the
    holder's), or, when it names none (``holder`` is optional in VC 2.0),
    the DIDs whose keys signed the presentation for ``authentication``.
    About someone else, or with no presenter shown at all, it fails (unless
    the policy relaxes it, then it is a warning). A subject without an id,
    or whose id is no DID, is a bearer credential: nothing to bind (a
    warning). An SD-JWT VC binds through its key (``cnf``), checked with its
    key binding.
    """
    subjects = summary.get("subjects")
    ids = [s for s in subjects if isinstance(s, str)] if isinstance(subjects, list) else []
    if not ids:
        return None
    presenters = frozenset({_did_of(holder)}) if holder is not None else signers
    about = ", ".join(ids)
    bound = presenters & {_did_of(s) for s in ids}
    if bound:
        message = (
            "the credential is about the holder who presents it"
            if holder is not None
            else f"the credential is about {', '.join(sorted(bound))}, who signed the "
            "presentation (it names no holder)"
        )
        return Check("holder.binding", Outcome.PASSED, message, index, base)
    if not any(s.startswith("did:") for s in ids):
        return f"credential {index} is about {about}, which names nobody the holder can prove to be"
    if holder is not None:
        reason = f"the credential is about {about}, not the holder {holder} who presents it"
    elif presenters:
        reason = (
            f"the credential is about {about}, not {', '.join(sorted(presenters))} who signed "
            "the presentation (it names no holder)"
        )
    else:
        reason = (
            f"the credential is about {about}, and the presentation names no holder nor "
            "carries a verified proof of who presents it"
        )
    if policy.require_holder_binding:
        return Check("holder.binding", Outcome.FAILED, reason, index, f"{base}/credentialSubject")
    return f"credential {index}: {reason} (not bound to who presents it)"


def _credentials_spelled(signed: Mapping[str, Any], view: Mapping[str, Any]) -> list[Check]:
    """Refuse a presentation whose credentials the signature holds under another spelling."""

    def count(document: Mapping[str, Any]) -> int:
        value = document.get("verifiableCredential")
        return len(value) if isinstance(value, list) else 0 if value is None else 1

    if count(signed) == count(view):
        return []
    return [
        Check(
            "input.shape",
            Outcome.FAILED,
            "the presentation holds credentials under another name than verifiableCredential; "
            "write them there",
            None,
            "",
        )
    ]


def verify_credential(
    document: Mapping[str, Any] | str,
    *,
    policy: Policy | None = None,
    env: Environment | None = None,
    reports: bool = True,
) -> VerificationResult:
    """Verify one credential and return every check made on it.

    ``reports=False`` is for callers that read only the checks and the
    verdict (an issuer verifying what it just signed): every check runs
    the same and ``verified`` is the same, but what the credential proves is
    not put into words for people (``credentials`` is empty and the summary
    has no ``facts``), which saves a sixth of the work.

    >>> from passeport.verifier import verify_credential
    >>> verify_credential({"@context": ["https://www.w3.org/ns/credentials/v2"]}).verified
    False
    """
    policy = policy or Policy()
    env = env or Environment()
    checks, summary, warnings, facts = _credential_checks(
        document, policy, env, None, "", reports=reports
    )
    return VerificationResult(
        tuple(checks),
        policy.unchecked_is_failure,
        summary,
        tuple(warnings),
        _reports([(None, facts)], checks, policy) if reports else (),
    )


def verify_presentation(
    document: Mapping[str, Any] | str,
    *,
    policy: Policy | None = None,
    env: Environment | None = None,
    reports: bool = True,
) -> VerificationResult:
    """Verify a presentation, its proof (holder, challenge, domain) and each credential in it.

    ``reports=False``: the same checks and verdict, without the people's
    reports (as for :func:`verify_credential`).
    """
    policy = policy or Policy()
    env = env or Environment()
    checks: list[Check] = []
    envelope: list[Check] | None = None
    if isinstance(document, str) or secured_kind(document) == "presentation":
        envelope, decoded, secured_format = secured_presentation(
            document, env=env, policy=policy, now=now_of(policy, env)
        )
        if decoded is None:
            summary: JsonObject = {"kind": "presentation", "format": secured_format}
            return VerificationResult(tuple(envelope), policy.unchecked_is_failure, summary)
        document = decoded
    if not isinstance(document, Mapping):
        raise InputError("a presentation must be a JSON object")
    signed = document
    try:
        view = signed_view(document, env.loader)
    except PasseportError as exc:
        checks.append(Check("input.jsonld", Outcome.FAILED, exc.message, None, exc.pointer))
    else:
        document = view.document
        if view.reexpressed:
            checks.extend(_credentials_spelled(signed, document))
    if "VerifiablePresentation" not in _types(document):
        checks.append(
            Check(
                "input.type",
                Outcome.FAILED,
                'type does not include "VerifiablePresentation"',
                None,
                "/type",
            )
        )
    holder = _one_id(document.get("holder"))
    now = now_of(policy, env)
    expect = ProofExpectation(
        proof_purpose="authentication",
        controller=holder,
        now=now,
        challenge=policy.challenge,
        domain=policy.domain,
        max_clock_skew=policy.max_clock_skew,
        suites=policy.suites,
        max_age=policy.max_age,
    )
    # VC 2.0: holder is optional; the binding below reads who signed instead.
    checks.extend(shape_checks(signed, document, credential=None, base="", presentation=True))
    signers: frozenset[str] = frozenset()
    if envelope is None:
        with collect_warnings() as noticed:
            outcomes = verify_proofs(
                signed,
                expect=expect,
                resolver=env.resolver(),
                loader=env.loader,
                suites=data_integrity_suites(),
            )
        checks.extend(Check.of(outcome) for outcome in outcomes)
        signers = _signers(outcomes)
    else:
        noticed = []
        checks.extend(envelope)
    raw = signed.get("verifiableCredential", [])
    credentials = raw if isinstance(raw, list) else [raw]
    summaries: list[Any] = []
    all_facts: list[tuple[int | None, CredentialFacts | None]] = []
    warnings: list[str] = list(noticed)
    for index, credential in enumerate(credentials):
        base = (
            f"/verifiableCredential/{index}" if isinstance(raw, list) else "/verifiableCredential"
        )
        presenters = signers | ({holder} if holder else set())
        cred_checks, summary, cred_warnings, facts = _credential_checks(
            credential, policy, env, index, base, presenters, reports=reports
        )
        all_facts.append((index, facts))
        checks.extend(cred_checks)
        warnings.extend(w for w in cred_warnings if w not in warnings)
        summaries.append(summary)
        binding = _binding_check(holder, signers, summary, index, base, policy)
        if isinstance(binding, Check):
            checks.append(binding)
        elif binding is not None:
            warnings.append(binding)
    summary_vp: JsonObject = {"kind": "presentation", "holder": holder, "credentials": summaries}
    return VerificationResult(
        tuple(checks),
        policy.unchecked_is_failure,
        summary_vp,
        tuple(warnings),
        _reports(all_facts, checks, policy) if reports else (),
    )


def _read_token(token: str, where: str | None) -> tuple[Any, JsonObject]:
    """Decode a token's JWT (an SD-JWT's issuer-signed one), or refuse it as unreadable."""
    try:
        return read_jwt(token.split("~", 1)[0])
    except InputError as exc:
        raise InputError(f"not a readable JWT or SD-JWT: {exc.message}", where=where) from None


def verify_any(
    document: Mapping[str, Any] | str | bytes,
    *,
    policy: Policy | None = None,
    env: Environment | None = None,
    where: str | None = None,
    reports: bool = True,
) -> VerificationResult:
    """Verify a credential or a presentation: parsed JSON, JSON text, a JWT, an SD-JWT, a CV.

    This reads what a person handed over (a file, a request body), so input
    that cannot be read at all is refused rather than reported: text that is
    neither JSON nor a JWT whose header and payload decode. A token that reads
    but does not verify (bad signature, refused ``alg``, tampered disclosure)
    is a result with failed checks, as are unreadable credentials inside a
    presentation. A CV from ``passeport wallet cv`` (an HTML page, or PDF
    bytes) is verified as the presentation it carries, and its visible text
    must be what was signed (:func:`passeport.verifier.cv_check.verify_cv`).

    Raises:
        InputError: not JSON nor a readable JWT/SD-JWT, a page without exactly
            one embedded presentation, neither a credential
            nor a presentation, or a document beyond the bounds of JSON-LD
            processing (:mod:`passeport.contexts.limits`); ``where`` names the input.

    ``reports=False``: the same checks and verdict, without the people's
    reports (see :func:`verify_credential`).
    """
    if isinstance(document, bytes) and document[:5] == b"%PDF-":  # a PDF CV (verifier/cv_check.py)
        from passeport.verifier.cv_check import verify_cv

        return verify_cv(document, verify=verify_presentation, policy=policy, env=env, where=where)
    if isinstance(document, bytes):
        try:
            document = document.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", where=where) from None
    if isinstance(document, str) and document.lstrip()[:9].lower().startswith(
        ("<!doctype", "<html")
    ):  # a CV page: its presentation, and that it shows what was signed (verifier/cv_check.py)
        from passeport.verifier.cv_check import verify_cv

        return verify_cv(document, verify=verify_presentation, policy=policy, env=env, where=where)
    if isinstance(document, str):
        token = document.strip()
        if token and not token.startswith(("{", "[")):  # a token (as secured_kind reads it)
            jws, claims = _read_token(token, where)
            verify = (
                verify_credential
                if "~" in token or token_kind(jws.header, claims) == "credential"
                else verify_presentation
            )
            if "~" in token:
                return verify(token, policy=policy, env=env, reports=reports)
            with token_read(token, jws, claims):  # the verifier decodes it once
                return verify(token, policy=policy, env=env, reports=reports)
        document = parse_json(document, where=where)
    if not isinstance(document, Mapping):
        raise InputError("expected a JSON object (a credential or a presentation)", where=where)
    check_document(document, where=where)  # before any JSON-LD work: a bad input, exit 2
    types = _types(document)
    if "VerifiablePresentation" in types or secured_kind(document) == "presentation":
        return verify_presentation(document, policy=policy, env=env, reports=reports)
    return verify_credential(document, policy=policy, env=env, reports=reports)
