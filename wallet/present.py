"""Building a verifiable presentation for one verifier: select, disclose, sign.

Specs: https://www.w3.org/TR/vc-data-model-2.0/#verifiable-presentations ,
https://www.w3.org/TR/vc-data-integrity/ (``authentication`` proofs with
``challenge`` and ``domain``), https://www.w3.org/TR/vc-di-ecdsa/#ecdsa-sd-2023
(derived proofs), RFC 9901 (SD-JWT presentations with Key Binding).

Credentials are chosen by id or by answering a request (:mod:`wallet.query`).
Each is disclosed as far as its securing mechanism allows:

- ``ecdsa-sd-2023``: a derived credential revealing the requested claims, the
  issuer's mandatory ones and the subject's id (the holder's DID, for holder
  binding); the base proof never leaves the wallet;
- SD-JWT: only the disclosures the requested claims need, bound to the
  verifier by a Key Binding JWT (``nonce`` = challenge, ``aud`` = domain),
  enveloped in the presentation;
- any other Data Integrity credential, or a vc+jwt: the whole credential,
  since its signature covers everything; the presentation's notes say so.

The presentation is signed with the holder's key for ``authentication``,
with the verifier's challenge and domain, and, when the holder says for how
long it holds (``valid_for``), with the proof's ``expires`` (VC Data
Integrity 2.1) and an ``exp`` in each SD-JWT's Key Binding JWT.

The wallet refuses, with :class:`PresentationRefused` naming each
credential and nothing signed, to present:

- a credential that does not verify as far as the wallet knows (its stored
  verdict, see :func:`wallet.refresh`, and the clock): revoked, suspended,
  expired, not yet valid, of unknown status, unverified or not verified,
  unless ``allow_unverified``; the presentation's notes and the
  credential's ``flags`` then say so;
- a credential about someone else: its subjects are named by DIDs and none
  is the holder's (read as written and as the signature reads it), unless
  ``allow_other_subject``. A credential naming no subject DID is a bearer
  credential and is presented.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from passeport._json import JsonObject, JsonValue
from passeport.contexts import DocumentLoader
from passeport.errors import InputError, WalletError
from passeport.proofs.dates import utc_now
from passeport.proofs.mechanism import default_suite, mechanism_named
from passeport.proofs.sign import sign_document
from passeport.wallet._records import CredentialFormat, Flag, HeldCredential
from passeport.wallet._subjects import about_someone_else, signed_subject_dids, subject_dids
from passeport.wallet.query import Match, answer, claim_pointers
from passeport.wallet.store import Wallet

__all__ = ["Presentation", "PresentationRefused", "PresentedCredential", "present"]

VC_V2: Final = "https://www.w3.org/ns/credentials/v2"
_FORMAT_IN_SUBMISSION: Final = {
    CredentialFormat.LDP_VC: "ldp_vc",
    CredentialFormat.JWT_VC: "jwt_vc_json",
    CredentialFormat.SD_JWT: "dc+sd-jwt",
}
# What makes a held credential fail verification, as its holder would say it.
_FAILING: Final = {
    Flag.REVOKED: "revoked",
    Flag.SUSPENDED: "suspended",
    Flag.EXPIRED: "expired",
    Flag.NOT_YET_VALID: "not yet valid",
    Flag.STATUS_UNKNOWN: "of unknown status (its status list could not be read)",
    Flag.UNVERIFIED: "unverified (its signature could not be checked)",
    Flag.NOT_VERIFIED: "not verified",
}


class PresentationRefused(WalletError):
    """The wallet will not present these credentials unless told to; nothing was signed.

    ``credentials`` are the record ids refused; ``reasons`` one sentence per
    refusal, naming the credential and why: it does not verify
    (``allow_unverified``), or it is about someone other than the holder
    (``allow_other_subject``). The message joins them on one line.
    """

    def __init__(self, reasons: Sequence[str], *, credentials: Sequence[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = tuple(reasons)
        self.credentials = tuple(credentials)


@dataclass(frozen=True, slots=True)
class PresentedCredential:
    """How one held credential went into the presentation.

    ``disclosure`` is ``derived`` (ecdsa-sd-2023), ``sd-jwt`` (chosen
    disclosures) or ``whole``; ``revealed`` the pointers asked for (None: all).
    ``flags`` say what the holder was told and presented anyway: why it does
    not verify, :attr:`Flag.OTHER_HOLDER` for someone else's credential.
    """

    id: str
    title: str | None
    queries: tuple[str, ...]
    disclosure: str
    revealed: tuple[str, ...] | None
    flags: tuple[Flag, ...] = ()


@dataclass(frozen=True, slots=True)
class Presentation:
    """A signed presentation, what went into it, and (for a PE request) its submission."""

    document: JsonObject
    credentials: tuple[PresentedCredential, ...]
    submission: JsonObject | None = None
    notes: tuple[str, ...] = ()

    def summary(self) -> JsonObject:
        """Return what went into the presentation (not the presentation itself), as JSON."""
        return {
            "credentials": [
                {
                    "id": c.id,
                    "title": c.title,
                    "queries": list(c.queries),
                    "disclosure": c.disclosure,
                    "revealed": list(c.revealed) if c.revealed is not None else None,
                    "flags": [str(flag) for flag in c.flags],
                }
                for c in self.credentials
            ],
            "notes": list(self.notes),
        }


def _merge(matches: Sequence[Match]) -> list[tuple[HeldCredential, list[str], Any]]:
    """Group matches by credential: (held, query ids, reveal: None for whole, else pointers)."""
    merged: dict[str, tuple[HeldCredential, list[str], Any]] = {}
    for match in matches:
        if match.held.id not in merged:
            merged[match.held.id] = (match.held, [], [] if match.reveal is not None else None)
        held, queries, reveal = merged[match.held.id]
        if match.query_id and match.query_id not in queries:
            queries.append(match.query_id)
        if match.reveal is None:
            merged[match.held.id] = (held, queries, None)
        elif reveal is not None:
            reveal.extend(p for p in match.reveal if p not in reveal)
    return list(merged.values())


def _explicit(wallet: Wallet, ids: Sequence[str], reveal: Sequence[str]) -> list[Match]:
    """Matches for credentials named by id; each pointer goes where it resolves."""
    chosen = [wallet.credential(reference) for reference in ids]
    used: set[str] = set()
    matches: list[Match] = []
    for held in chosen:
        if not reveal:
            matches.append(Match("", held, None))
            continue
        mine: list[str] = []
        for pointer in reveal:
            path = _pointer_path(pointer)
            if claim_pointers(held.document, path) is not None:
                mine.append(pointer)
                used.add(pointer)
        matches.append(Match("", held, tuple(mine)))
    unused = [p for p in reveal if p not in used]
    if unused:
        raise InputError("names no claim in the chosen credentials", pointer=unused[0])
    return matches


def _pointer_path(pointer: str) -> list[str | int | None]:
    if not pointer.startswith("/"):
        raise InputError("a JSON pointer starts with /", pointer=pointer)
    parts: list[str | int | None] = []
    for token in pointer[1:].split("/"):
        text = token.replace("~1", "/").replace("~0", "~")
        parts.append(int(text) if text.isdigit() else text)
    return parts


def _all_pointers(document: Mapping[str, Any]) -> list[str]:
    return ["/" + k.replace("~", "~0").replace("/", "~1") for k in document if k != "proof"]


def _subject_dids(held: HeldCredential, loader: DocumentLoader | None) -> tuple[str, ...]:
    """The DIDs the credential is about, as the wallet can best read them."""
    if held.info.format is CredentialFormat.LDP_VC:
        return signed_subject_dids(held.document, loader)
    from passeport.wallet._jose import token_claims

    return subject_dids(held.document, token_claims(str(held.credential)))


def _examine(
    held: HeldCredential,
    *,
    holder: str,
    now: datetime,
    loader: DocumentLoader | None,
    allow_unverified: bool,
    allow_other_subject: bool,
) -> tuple[tuple[Flag, ...], list[str], list[str]]:
    """Return the flags to carry, the objections that refuse it, and the notes when allowed."""
    label = f"{held.info.title or 'credential'} ({held.id})"
    flags = tuple(f for f in held.info.flags_at(now) if f in _FAILING)
    if not flags and not held.info.verification.verified:
        flags = (Flag.NOT_VERIFIED,)
    objections: list[str] = []
    notes: list[str] = []
    if flags:
        why = f"{label} is {', '.join(_FAILING[f] for f in flags)}"
        if allow_unverified:
            notes.append(f"{why}, and presented as asked: a verifier will refuse it")
        else:
            objections.append(f"{why}: not presented without --allow-unverified")
    subjects = _subject_dids(held, loader)
    if about_someone_else(subjects, holder):
        flags = (*flags, Flag.OTHER_HOLDER)
        why = f"{label} is about {', '.join(subjects)}, not the holder {holder}"
        if allow_other_subject:
            notes.append(
                f"{why}, and presented as asked: a verifier will refuse it unless it "
                "accepts credentials presented on someone else's behalf"
            )
        else:
            objections.append(f"{why}: not presented without --allow-other-subject")
    return flags, objections, notes


def _subject_id_pointers(credential: Mapping[str, Any], holder: str) -> list[str]:
    """Pointers to the subjects' ids to disclose: the holder's, else all (someone else's)."""
    subject = credential.get("credentialSubject")
    items = subject if isinstance(subject, list) else [subject]
    found: list[tuple[str, bool]] = []
    for index, item in enumerate(items):
        if isinstance(item, Mapping) and isinstance(item.get("id"), str):
            where = f"/{index}" if isinstance(subject, list) else ""
            is_holder = not about_someone_else([item["id"]], holder)
            found.append((f"/credentialSubject{where}/id", is_holder))
    holders = [pointer for pointer, is_holder in found if is_holder]
    return holders or [pointer for pointer, _ in found]


def _disclose(
    held: HeldCredential,
    reveal: list[str] | None,
    *,
    wallet: Wallet,
    challenge: str,
    domain: str,
    now: datetime,
    expires: datetime | None,
    loader: DocumentLoader | None,
) -> tuple[JsonValue, str, list[str]]:
    """Return the credential as presented, how it was disclosed, and notes."""
    info = held.info
    notes: list[str] = []
    label = info.title or held.id
    if info.format is CredentialFormat.LDP_VC and info.disclosure is not None:
        try:
            mechanism = mechanism_named(info.disclosure)
        except ValueError:
            raise WalletError(
                f"credential {held.id} is secured by {info.disclosure}, which is not known here"
            ) from None
        if not isinstance(held.credential, dict):
            raise WalletError(f"corrupt store: credential {held.id} is not a JSON object")
        pointers = _all_pointers(held.credential) if reveal is None else list(reveal)
        # Holder binding: the subject ids stay visible (someone else's too: never hidden).
        pointers.extend(_subject_id_pointers(held.credential, wallet.did))
        derived = mechanism.derive(held.credential, pointers, loader=loader)
        return derived, "derived", notes
    if info.format is CredentialFormat.LDP_VC:
        if reveal:
            suites = ", ".join(info.suites) or "its proof"
            notes.append(
                f"{label} ({held.id}) is presented whole: {suites} cannot be partially disclosed"
            )
        return held.credential, "whole", notes
    from passeport.wallet._jose import disclose_jose

    return disclose_jose(
        held,
        reveal,
        holder=wallet.holder,
        challenge=challenge,
        domain=domain,
        now=now,
        expires=expires,
    )


def present(
    wallet: Wallet,
    ids: Sequence[str] = (),
    *,
    request: Mapping[str, Any] | None = None,
    reveal: Sequence[str] = (),
    challenge: str,
    domain: str,
    now: datetime | None = None,
    valid_for: timedelta | None = None,
    allow_unverified: bool = False,
    allow_other_subject: bool = False,
    loader: DocumentLoader | None = None,
    where: str | None = None,
) -> Presentation:
    """Build and sign a presentation of held credentials for one verifier.

    With ``request`` (DCQL or a PE definition, see :func:`wallet.query.answer`)
    the wallet chooses the credentials (among ``ids`` when given) and what to
    reveal; a request never chooses a revoked, suspended, expired, not yet
    valid or failed credential. Otherwise ``ids`` are presented and
    ``reveal`` pointers apply to each credential they resolve in.

    Args:
        valid_for: how long the presentation holds from ``now`` (the
            proof's ``expires``, an SD-JWT Key Binding JWT's ``exp``); None
            sets no end, leaving it to the verifier's policy.
        allow_unverified: present a credential that does not verify
            (revoked, expired...) instead of refusing; it is flagged and noted.
        allow_other_subject: present a credential about someone else (its
            subject DIDs do not include the holder's) instead of refusing.

    Raises:
        InputError: nothing to present, a malformed request, ``reveal`` with a
            request, or a pointer that names no claim.
        UnmetRequest: a query or descriptor no credential satisfies (named).
        PresentationRefused: a chosen credential does not verify or is about
            someone else, and the matching ``allow_*`` was not given.
        SigningError: the holder key cannot sign the presentation.
        ValueError: ``valid_for`` is not positive, or absurdly long.
    """
    if not challenge or not domain:
        raise InputError("a presentation needs the verifier's challenge and domain")
    if valid_for is not None and valid_for <= timedelta(0):
        raise ValueError("valid_for must be a positive duration")
    now = now or utc_now()
    try:
        expires = now + valid_for if valid_for is not None else None
    except OverflowError:
        raise ValueError("valid_for reaches beyond the year 9999") from None
    definition_id: str | None = None
    notes: list[str] = []
    if request is not None:
        if reveal:
            raise InputError(
                "--reveal applies to credentials chosen by id; a request says what to reveal"
            )
        answered = answer(wallet, request, now=now, only=ids, where=where)
        matches = list(answered.matches)
        definition_id = answered.definition_id
        notes.extend(answered.notes)
    elif ids:
        matches = _explicit(wallet, ids, reveal)
    else:
        raise InputError("name the credentials to present, or give a request")
    merged = _merge(matches)
    examined: list[tuple[Flag, ...]] = []
    objections: list[str] = []
    refused: list[str] = []
    for held, _, _ in merged:
        flags, objecting, allowed = _examine(
            held,
            holder=wallet.did,
            now=now,
            loader=loader,
            allow_unverified=allow_unverified,
            allow_other_subject=allow_other_subject,
        )
        examined.append(flags)
        notes.extend(allowed)
        objections.extend(objecting)
        if objecting:
            refused.append(held.id)
    if objections:
        raise PresentationRefused(objections, credentials=refused)
    entries: list[JsonValue] = []
    presented: list[PresentedCredential] = []
    descriptor_map: list[JsonValue] = []
    for index, (held, queries, pointers) in enumerate(merged):
        item, how, more = _disclose(
            held,
            pointers,
            wallet=wallet,
            challenge=challenge,
            domain=domain,
            now=now,
            expires=expires,
            loader=loader,
        )
        entries.append(item)
        notes.extend(more)
        revealed = tuple(pointers) if pointers is not None else None
        presented.append(
            PresentedCredential(
                held.id, held.info.title, tuple(queries), how, revealed, examined[index]
            )
        )
        for query in queries:
            descriptor_map.append(
                {
                    "id": query,
                    "format": "ldp_vp",
                    "path": "$",
                    "path_nested": {
                        "id": query,
                        "format": _FORMAT_IN_SUBMISSION.get(
                            held.info.format, str(held.info.format)
                        ),
                        "path": f"$.verifiableCredential[{index}]",
                    },
                }
            )
    unsigned: JsonObject = {
        "@context": [VC_V2],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiablePresentation"],
        "holder": wallet.did,
        "verifiableCredential": entries,
    }
    signed = sign_document(
        unsigned,
        wallet.holder,
        suite=default_suite(wallet.holder.algorithm),
        challenge=challenge,
        domain=domain,
        created=now,
        expires=expires,
        loader=loader,
    )
    submission: JsonObject | None = None
    if definition_id is not None:
        submission = {
            "id": str(uuid.uuid4()),
            "definition_id": definition_id,
            "descriptor_map": descriptor_map,
        }
    return Presentation(signed, tuple(presented), submission, tuple(notes))
