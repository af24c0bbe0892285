"""Sign a credential or a presentation with a signer: the recipe behind ``passeport sign``.

A signer is anything that signs bytes and names its verification method
(:class:`proofs.suite.Signer`): a key file's :class:`~did.keyfile.KeyPair`,
or a key held in an HSM or a cloud KMS. The signer's DID fills ``issuer``
(credential) or ``holder`` (presentation) when absent; a different value
already there is refused, since the proof would then never verify against
that issuer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from passeport._json import JsonObject, id_of
from passeport.contexts import DocumentLoader
from passeport.errors import InputError, PasseportError, SigningError
from passeport.proofs.dates import utc_now
from passeport.proofs.engine import ProofOptions, add_proof
from passeport.proofs.model import model_problems
from passeport.proofs.registry import DEFAULT_SUITE, suite_named
from passeport.proofs.shown import with_always_shown
from passeport.proofs.suite import Cryptosuite, Signer, controller_of, is_deriving

__all__ = ["sign_document"]


def sign_document(
    document: Mapping[str, Any],
    key: Signer,
    *,
    suite: str | Cryptosuite = DEFAULT_SUITE,
    challenge: str | None = None,
    domain: str | None = None,
    created: datetime | None = None,
    expires: datetime | None = None,
    loader: DocumentLoader | None = None,
    where: str | None = None,
    mandatory: Sequence[str] = (),
) -> JsonObject:
    """Return ``document`` signed with ``key`` (any :class:`~proofs.suite.Signer`) by ``suite``.

    A presentation is signed for ``authentication`` (with ``challenge`` and
    ``domain`` when given), a credential for ``assertionMethod``.
    ``expires`` dates the end of the proof: for a presentation, the holder's
    word on until when it holds (a verifier refuses it afterwards). With a
    selective-disclosure suite (``ecdsa-sd-2023``) the result carries a base
    proof for the holder, and ``mandatory`` lists the JSON pointers every
    disclosure must keep; what a verifier's checks read is always added
    (:func:`proofs.shown.always_shown`: type, issuer, validity dates, status,
    each subject's id and type), so a holder can never hide it.

    Raises:
        InputError: the document is not a credential or presentation object,
            ``mandatory`` is given to a suite without mandatory pointers, a
            challenge or domain to a credential, or a mandatory pointer is
            malformed or matches nothing.
        SigningError: ``issuer``/``holder`` names someone else, the key does
            not fit the suite, a presentation is given to a selective-disclosure
            suite, ``expires`` is not after ``created``, or the document breaks
            a rule of the VC Data Model (:mod:`proofs.model`: its first
            ``@context`` is not the base context, a credential without subject,
            a ``credentialStatus``/``termsOfUse``/... without ``type``, a
            malformed ``relatedResource``).
        ContextError: a term is not defined by the document's contexts.
    """
    if not isinstance(document, Mapping):
        raise InputError("expected a JSON object", where=where)
    types = document.get("type", [])
    types = types if isinstance(types, list) else [types]
    is_presentation = "VerifiablePresentation" in types
    if not is_presentation and "VerifiableCredential" not in types:
        raise InputError(
            'type must include "VerifiableCredential" or "VerifiablePresentation"',
            where=where,
            pointer="/type",
        )
    chosen = suite_named(suite) if isinstance(suite, str) else suite
    suite = chosen.name
    deriving = is_deriving(chosen)
    if mandatory and not deriving:
        raise InputError(
            f"{suite} takes no mandatory pointers (a selective-disclosure suite does)",
            where=where,
        )
    if deriving and is_presentation:
        raise SigningError(
            f"{suite} secures credentials for selective disclosure; "
            "sign a presentation with another suite",
            where=where,
        )
    member = "holder" if is_presentation else "issuer"
    unsigned = dict(document)
    present = id_of(unsigned.get(member))
    controller = controller_of(key)
    if member not in unsigned:
        unsigned[member] = controller
    elif present != controller:
        raise SigningError(
            f"{member} is {present!r} but the key belongs to {controller}; "
            "sign with the issuer's key or remove the member",
            where=where,
            pointer=f"/{member}",
        )
    # VC 2.0: what a verifier fails is not signed (proofs/model.py has the rules).
    problems = model_problems(unsigned)
    if problems:
        first = problems[0]
        raise SigningError(
            f"{first.message}; it cannot be signed", where=where, pointer=first.pointer
        )
    options = ProofOptions(
        proof_purpose="authentication" if is_presentation else "assertionMethod",
        created=created or utc_now(),
        expires=expires,
        challenge=challenge,
        domain=domain,
    )
    if not is_presentation and (challenge or domain):
        raise InputError("a challenge and a domain apply to presentations only", where=where)
    if deriving:
        mandatory = with_always_shown(unsigned, mandatory)
    try:
        return add_proof(
            unsigned,
            suite=chosen,
            signer=key,
            options=options,
            loader=loader,
            mandatory=mandatory,
        )
    except PasseportError as exc:
        raise exc.located(where) if where else exc from None
