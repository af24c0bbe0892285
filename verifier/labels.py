"""What each check is, in a few words a person reads (the ``--details`` table).

A :class:`~passeport.verifier.result.Check` has a stable code
(``proof.signature``) for programs and a sentence for whoever debugs it. The
table of checks shows, before that sentence, what the check is about in the
reader's language: ``signature``, ``révocation``, ``titulaire``. A code
without a label of its own is named by its family (``status.*`` is the
status), then shown as is.

>>> check_label("status.revoked", "fr"), check_label("proof.signature", "en")
('révocation', 'signature')
>>> check_label("status.something_new", "fr"), check_label("zzz.new", "fr")
('statut (liste de statut)', 'zzz.new')
"""

from __future__ import annotations

from typing import Final

from passeport.i18n import translator

__all__ = ["CHECK_LABELS", "LABEL_MESSAGES", "check_label"]

CHECK_LABELS: Final = {
    "input.credential": "form of the credential",
    "input.context": "contexts (@context)",
    "input.envelope": "envelope",
    "input.issuer": "issuer named",
    "input.member": "typed members (status, evidence...)",
    "input.jsonld": "JSON-LD reading",
    "input.shape": "form of the document",
    "input.subject": "subject of the credential",
    "input.terms": "terms of the vocabulary",
    "input.type": "type of the document",
    "input.vct": "credential type (vct)",
    "options.at": "date of verification",
    "proof.alg": "signature algorithm",
    "proof.base": "signed base (selective disclosure)",
    "proof.chain": "chain of proofs",
    "proof.challenge": "challenge of the presentation",
    "proof.claims": "signed claims",
    "proof.context": "proof contexts",
    "proof.controller": "key controlled by the issuer",
    "proof.created": "date of the signature",
    "proof.domain": "domain of the presentation",
    "proof.expired": "end of the proof",
    "proof.issuer": "issuer of the signature",
    "proof.key_type": "type of key",
    "proof.malformed": "form of the proof",
    "proof.missing": "presence of a proof",
    "proof.not_yet_valid": "start of the proof",
    "proof.purpose": "purpose of the proof",
    "proof.signature": "signature",
    "proof.suite": "cryptographic suite",
    "proof.typ": "token type (typ)",
    "proof.verification_method": "signing key",
    "presentation.age": "age of the presentation",
    "holder.binding": "holder",
    "holder.missing": "holder named",
    "disclosure.conflict": "disclosed fields (conflict)",
    "disclosure.digests": "disclosed fields (digests)",
    "disclosure.duplicate": "disclosed fields (duplicate)",
    "disclosure.hash_alg": "disclosed fields (hash)",
    "disclosure.malformed": "disclosed fields (form)",
    "disclosure.reserved": "disclosed fields (reserved names)",
    "disclosure.unreferenced": "disclosed fields (unreferenced)",
    "validity.expired": "validity period",
    "validity.malformed": "validity dates",
    "validity.not_yet_valid": "validity period",
    "validity.period": "validity period",
    "status.revocation": "revocation",
    "status.revoked": "revocation",
    "status.suspension": "suspension",
    "status.suspended": "suspension",
    "status.message": "status message",
    "status.unchecked": "status (not checked)",
    "status.unsupported": "status (unsupported kind)",
    "status.malformed": "status entry",
    "status.purpose_mismatch": "status list purpose",
    "status.index_out_of_range": "status list index",
    "status.list_url": "status list address",
    "status.list_issuer": "status list issuer",
    "status.list_proof": "status list signature",
    "status.list_validity": "status list dates",
    "status.list_expired": "status list dates",
    "status.list_malformed": "status list form",
    "status.list_too_short": "status list length",
    "schema.valid": "schema",
    "schema.invalid": "schema",
    "schema.unavailable": "schema (unavailable)",
    "schema.unsupported": "schema (unsupported kind)",
    "trust.issuer": "issuer on the trust list",
    "trust.code": "accreditation for the code",
    "trust.type": "accreditation for the type",
    "trust.self_issued": "declared by the holder",
    "related.malformed": "related resources",
    "related.digest": "related resources (digest)",
    "cv.text": "text of the CV",
    "cv.guarantee": "marks of the CV",
    "cv.withheld": "fields withheld by the CV",
}
"""Message ids of the labels, by check code."""

_FAMILIES: Final = {
    "input": "form of the document",
    "options": "options of the verification",
    "proof": "proof",
    "presentation": "presentation",
    "holder": "holder",
    "disclosure": "disclosed fields",
    "key_binding": "holder's key",
    "validity": "validity period",
    "status": "status (status list)",
    "schema": "schema",
    "trust": "trust list",
    "related": "related resources",
    "model": "data model",
}

LABEL_MESSAGES: Final = tuple(dict.fromkeys((*CHECK_LABELS.values(), *_FAMILIES.values())))
"""Every label's message id (their French is checked by a test)."""


def check_label(code: str, lang: str) -> str:
    """Return what the check ``code`` is about, in ``lang``; the code itself if unknown."""
    t = translator(lang)
    label = CHECK_LABELS.get(code) or _FAMILIES.get(code.split(".", 1)[0])
    return t(label) if label else code
