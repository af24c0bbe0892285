"""What the holder declares, and who validated it: declarations, validation requests, links.

A *declaration* is a credential whose issuer is its holder: a job, a skill
or a training the holder records before anyone vouches for it (rendered from
the issuer's templates by :func:`passeport.issuer.declared.declaration`).
:func:`declare` signs it with the wallet's own key and keeps it, verified
like any other credential. Every verifier reads a credential whose issuer is
its subject as the holder's declaration (``self-declared``), never as
guaranteed; :func:`is_declaration` tells it from the wallet's listing.

To have it validated, the holder sends :func:`validation_request` (the
declaration and who asks; format in :mod:`passeport.issuer.declared`) to an
employer or a training body. What comes back is a credential of theirs
naming the declaration in its ``evidence`` (the declaration's id and the
SHA-256 multihash of its JCS form), or an endorsement whose subject is the
declaration. :func:`validations` finds those links among what the wallet
holds: a link holds only when the digest matches the declaration held (the
issuer validated these very words), the validating credential verified when
it was added, its issuer is not the holder, and it is about the same holder.
:func:`preferred` replaces each validated declaration by the credential that
validates it, so that listings and CVs show the guaranteed line instead of
the declared one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from passeport._io import dump_json
from passeport._json import JsonObject
from passeport.contexts import jcs
from passeport.errors import InputError, WalletError
from passeport.proofs.dates import format_datetime, utc_now
from passeport.proofs.digests import related_digests
from passeport.wallet._records import CredentialInfo, HeldCredential, WalletEntry
from passeport.wallet.store import Wallet

if TYPE_CHECKING:  # declaring signs and verifies; listing (validations, link_notes) does neither
    from passeport.verifier import Environment
    from passeport.wallet.importing import AddOutcome

__all__ = [
    "DECLARATIVE",
    "DECLARE_MESSAGES",
    "REQUEST_FORMAT",
    "Link",
    "LinkKind",
    "declare",
    "is_declaration",
    "link_notes",
    "preferred",
    "validation_request",
    "validations",
]

REQUEST_FORMAT: Final = "passeport-validation-request/1"
"""The ``format`` of the validation requests written here (read by the issuer's side)."""


def is_declaration(info: CredentialInfo) -> bool:
    """Tell whether a held credential is its holder's own declaration (issuer = subject)."""
    return info.issuer is not None and info.issuer == info.subject


def _subject_ids(credential: Mapping[str, Any]) -> list[Any]:
    subjects = credential.get("credentialSubject")
    listed = subjects if isinstance(subjects, list) else [subjects]
    return [s.get("id") if isinstance(s, Mapping) else None for s in listed]


def _issuer_id(credential: Mapping[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def declare(
    wallet: Wallet,
    credential: Mapping[str, Any],
    *,
    env: Environment | None = None,
    suite: str | None = None,
    issued_at: datetime | None = None,
    where: str = "declaration",
) -> AddOutcome:
    """Sign ``credential`` (unsigned) as the holder's declaration and keep it in the wallet.

    The credential's issuer and each of its subjects must be the wallet's
    DID; it carries no status (nobody can revoke a declaration but its
    holder, by removing it). It is signed with ``suite`` (default: the Data
    Integrity suite of the wallet key's type) and added as any credential
    is: verified first.

    Raises:
        InputError: a credential that is not the holder's declaration, or one
            the suite refuses to sign.
        WalletError: it did not verify once signed (it is then not kept).
    """
    did = wallet.did
    if _issuer_id(credential) != did:
        raise InputError(
            f"the issuer of a declaration is its holder ({did}), not {_issuer_id(credential)}",
            where=where,
            pointer="/issuer",
        )
    subjects = _subject_ids(credential)
    if not subjects or any(subject != did for subject in subjects):
        raise InputError(
            f"a declaration is about its holder: every credentialSubject.id must be {did}",
            where=where,
            pointer="/credentialSubject",
        )
    if "credentialStatus" in credential or "proof" in credential:
        raise InputError("a declaration is given unsigned and without a status entry", where=where)
    key = wallet.holder
    from passeport.proofs.mechanism import default_suite, mechanism_named
    from passeport.verifier import Environment
    from passeport.wallet.importing import add

    mechanism = mechanism_named(suite or default_suite(key.public_key.algorithm))
    signed = mechanism.secure(
        dict(credential), key, issued_at=issued_at or utc_now(), holder=did, where=where
    )
    text = signed if isinstance(signed, str) else dump_json(signed)
    [outcome] = add(wallet, [(where, text)], env=env or Environment())
    if outcome.status not in ("added", "duplicate"):
        raise WalletError(f"the declaration did not verify once signed: {outcome.reason}")
    return outcome


def validation_request(
    wallet: Wallet,
    reference: str,
    *,
    to: str | None = None,
    message: str | None = None,
    now: datetime | None = None,
) -> JsonObject:
    """Return the request asking someone to validate a declaration the wallet holds.

    Raises:
        WalletError: no such credential.
        InputError: the credential is not this holder's declaration.
    """
    held = wallet.credential(reference)
    if not is_declaration(held.info) or held.info.issuer != wallet.did:
        raise InputError(
            "not one of your declarations (its issuer is not you): only a declaration is "
            "validated; a credential someone issued is already theirs",
            where=reference,
        )
    if not isinstance(held.credential, dict):
        raise InputError("a declaration is a JSON credential, not a token", where=reference)
    subject = held.credential.get("credentialSubject")
    name = _holder_name(subject if isinstance(subject, Mapping) else {})
    request: JsonObject = {
        "type": "ValidationRequest",
        "format": REQUEST_FORMAT,
        "declaration": held.credential,
        "requestedBy": {"id": wallet.did, **({"name": name} if name else {})},
    }
    if to and to.strip():
        request["to"] = to.strip()
    if message and message.strip():
        request["message"] = message.strip()
    request["created"] = format_datetime(now or utc_now())
    return request


def _holder_name(subject: Mapping[str, Any]) -> str | None:
    for identity in subject.get("identifier") or ():
        if isinstance(identity, Mapping) and identity.get("identityType") == "name":
            value = identity.get("identityHash")
            if isinstance(value, str) and value.strip():
                return value.strip()
    name = subject.get("name")
    return name.strip() if isinstance(name, str) and name.strip() else None


class LinkKind(StrEnum):
    """How a credential vouches for a declaration."""

    VALIDATED = "validated"  # the issuer's own credential, naming the declaration as evidence
    ENDORSED = "endorsed"  # an endorsement whose subject is the declaration


@dataclass(frozen=True, slots=True)
class Link:
    """A declaration held (``declared``, a record id) and what vouches for it (``by``)."""

    declared: str
    by: str
    kind: LinkKind

    def to_json(self) -> JsonObject:
        """Return ``{"declared", "by", "kind"}``."""
        return {"declared": self.declared, "by": self.by, "kind": str(self.kind)}


def _digest_matches(value: Any, document: Mapping[str, Any]) -> bool:
    """Tell whether a ``digestMultibase`` value pins ``document`` (its JCS form)."""
    try:
        claimed = related_digests(digest_multibase=value)
        data = jcs.canonicalize(dict(document))
    except InputError:
        return False
    return claimed.matches(data)


def _evidence(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    value = document.get("evidence")
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, Mapping)]


def _types(document: Mapping[str, Any]) -> set[str]:
    value = document.get("type")
    return {t for t in (value if isinstance(value, list) else [value]) if isinstance(t, str)}


def validations(wallet: Wallet, entries: Sequence[WalletEntry] | None = None) -> tuple[Link, ...]:
    """Return every declaration the wallet holds that a held credential validates or endorses.

    Opens only the credentials that can take part (none when the wallet holds
    no declaration): the declarations, and the verified credentials someone
    else issued. ``entries`` are the wallet's, when the caller has them.
    """
    entries = wallet.entries() if entries is None else entries
    declared_entries = [e for e in entries if is_declaration(e.info) and e.info.credential_id]
    if not declared_entries:
        return ()
    others = [
        e
        for e in entries
        if not is_declaration(e.info)
        and e.info.verification.verified
        and e.info.issuer not in (None, wallet.did)
    ]
    declared: dict[str, HeldCredential] = {}
    for held in wallet.credentials(declared_entries):
        if isinstance(held.credential, dict) and held.info.credential_id:
            declared.setdefault(held.info.credential_id, held)
    links: list[Link] = []
    for held in wallet.credentials(others):
        links.extend(_links_of(held, declared))
    return tuple(dict.fromkeys(links))


def _links_of(held: HeldCredential, declared: Mapping[str, HeldCredential]) -> list[Link]:
    document = held.document
    found: list[Link] = []
    for item in _evidence(document):
        target = declared.get(str(item.get("id")))
        if target is None or not isinstance(target.credential, dict):
            continue
        if held.info.subject != target.info.subject:
            continue  # about someone else than the one who declared it
        if _digest_matches(item.get("digestMultibase"), target.credential):
            kind = (
                LinkKind.ENDORSED
                if "EndorsementCredential" in _types(document)
                else (LinkKind.VALIDATED)
            )
            found.append(Link(target.id, held.id, kind))
    if "EndorsementCredential" in _types(document):
        for subject in _subject_ids(document):
            target = declared.get(str(subject))
            if target is not None:
                found.append(Link(target.id, held.id, LinkKind.ENDORSED))
    return found


def preferred(
    ids: Sequence[str], links: Sequence[Link], entries: Sequence[WalletEntry] = ()
) -> list[str]:
    """Return ``ids`` with each validated declaration replaced by what validates it.

    An endorsed declaration stays (the endorsement vouches for it, beside
    it); a validated one gives its place to the validating credential, once.
    ``entries`` (the wallet's) let ids be given as unique prefixes.
    """
    known = [e.id for e in entries]

    def full(reference: str) -> str:
        matches = [i for i in known if i.startswith(reference)]
        return matches[0] if len(matches) == 1 else reference

    by_declared = {link.declared: link.by for link in links if link.kind is LinkKind.VALIDATED}
    chosen: list[str] = []
    for reference in ids:
        record = full(reference)
        record = by_declared.get(record, record)
        if record not in chosen:
            chosen.append(record)
    return chosen


DECLARATIVE: Final = "declarative"
"""What the listing says of a declaration (translated: déclaratif)."""
_NOTES: Final = {
    LinkKind.VALIDATED: ("validated by {by}", "validates {declared}"),
    LinkKind.ENDORSED: ("endorsed by {by}", "endorses {declared}"),
}
DECLARE_MESSAGES: Final = (
    DECLARATIVE,
    *(text for kind in LinkKind for text in _NOTES[kind]),
)
"""The message ids of the listing's notes (their French is checked)."""


def link_notes(links: Sequence[Link], lang: str = "fr") -> dict[str, list[str]]:
    """Return, by record id, what the listing says of each link: validated by, validates..."""
    from passeport.i18n import translator

    t = translator(lang)
    notes: dict[str, list[str]] = {}
    for link in links:
        about, by = _NOTES[link.kind]
        notes.setdefault(link.declared, []).append(t(about).format(by=link.by))
        notes.setdefault(link.by, []).append(t(by).format(declared=link.declared))
    return notes
