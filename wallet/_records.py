"""The wallet's values: what is stored about a credential and what listing shows."""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Self

from passeport._json import JsonObject, JsonValue
from passeport.contexts import jcs
from passeport.errors import InputError, WalletError
from passeport.proofs.dates import parse_datetime

if TYPE_CHECKING:
    from passeport.proofs.mechanism import SecuringMechanism  # the registry: not for listing

__all__ = [
    "CredentialFormat",
    "CredentialInfo",
    "Flag",
    "HeldCredential",
    "NewCredential",
    "Stored",
    "Verification",
    "WalletEntry",
    "listing_line",
]


class CredentialFormat(StrEnum):
    """How a credential is secured, named as OpenID4VP's format identifiers name it."""

    LDP_VC = "ldp_vc"  # Data Integrity (JSON-LD) credential
    JWT_VC = "jwt_vc_json"  # VC-JOSE-COSE application/vc+jwt
    SD_JWT = "dc+sd-jwt"  # SD-JWT VC
    ENVELOPED = "enveloped"  # another registered enveloping mechanism (named in ``suites``)

    @classmethod
    def of(cls, mechanism: SecuringMechanism) -> CredentialFormat:
        """Return the format of a credential ``mechanism`` secures: its OpenID4VP id if known."""
        try:
            return cls(str(mechanism.format_id))
        except ValueError:
            return cls.ENVELOPED if mechanism.enveloping else cls.LDP_VC


class Flag(StrEnum):
    """What ``wallet list`` warns about (computed from the stored verification and the clock)."""

    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    STATUS_UNKNOWN = "status-unknown"  # the status list could not be read when last checked
    UNVERIFIED = "unverified"  # the signature could not be checked (kept on request)
    NOT_VERIFIED = "not-verified"  # another check failed or could not be made (trust, schema...)
    OTHER_HOLDER = "other-holder"  # about someone else than the wallet's holder
    UNBOUND = "unbound"  # names no subject: anyone holding it could present it


def _strs(value: Any) -> tuple[str, ...]:
    # Records are authenticated (AES-GCM) and written by this module: a list of strings.
    return tuple(value) if type(value) is list else ()


def _str(value: Any) -> str | None:
    return value if type(value) is str else None


_ROW_VERSION: Final = 1
_FORMATS: Final = {str(kind): kind for kind in CredentialFormat}
_FLAGS: Final = {str(flag): flag for flag in Flag}
_FLAG_ORDER: Final = tuple(Flag)
_EXPIRED_CODES: Final = frozenset({"validity.expired", "proof.expired"})
# Failed checks that have a flag of their own; any other failure is NOT_VERIFIED.
_FLAGGED_CODES: Final = frozenset(
    {
        "validity.expired",
        "validity.not_yet_valid",
        "proof.expired",
        "proof.not_yet_valid",
        "status.revoked",
        "status.suspended",
    }
)


@dataclass(frozen=True, slots=True)
class Verification:
    """The verification made when a credential was added (or last refreshed).

    ``at`` is the instant it ran; ``failed`` and ``unchecked`` the codes of the
    checks that failed or could not be made; ``messages`` their sentences.
    """

    at: str
    verified: bool
    failed: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()

    def to_json(self) -> JsonObject:
        """Return the stored JSON form."""
        return {
            "at": self.at,
            "verified": self.verified,
            "failed": list(self.failed),
            "unchecked": list(self.unchecked),
            "messages": list(self.messages),
        }

    @classmethod
    def from_json(cls, value: Any) -> Self:
        """Read the stored JSON form."""
        if not isinstance(value, dict) or not isinstance(value.get("at"), str):
            raise WalletError("corrupt store: a verification record is malformed")
        return cls(
            at=value["at"],
            verified=value.get("verified") is True,
            failed=_strs(value.get("failed")),
            unchecked=_strs(value.get("unchecked")),
            messages=_strs(value.get("messages")),
        )


@functools.lru_cache(maxsize=1 << 14)
def _parsed(value: str) -> datetime | None:
    try:
        return parse_datetime(value)
    except InputError:
        return None


def _moment(value: str | None) -> datetime | None:
    return None if value is None else _parsed(value)


@dataclass(frozen=True, slots=True)
class CredentialInfo:
    """What the wallet knows about a credential without opening it: sealed like the credential.

    ``types`` are as written; ``expanded_types`` are their IRIs after JSON-LD
    expansion (what DCQL's ``type_values`` name). ``flags`` are those fixed at
    import (:attr:`Flag.OTHER_HOLDER`, :attr:`Flag.UNBOUND`, :attr:`Flag.UNVERIFIED`);
    :meth:`flags_at` adds those that depend on the clock and the verification.
    ``disclosure`` is the selective-disclosure mechanism the credential allows
    (``ecdsa-sd-2023``, ``sd-jwt``) or None.
    """

    format: CredentialFormat
    added_at: str
    verification: Verification
    credential_id: str | None = None
    types: tuple[str, ...] = ()
    expanded_types: tuple[str, ...] = ()
    vct: str | None = None
    title: str | None = None
    issuer: str | None = None
    issuer_name: str | None = None
    subject: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    flags: tuple[Flag, ...] = ()
    disclosure: str | None = None
    suites: tuple[str, ...] = ()

    def flags_at(self, now: datetime) -> tuple[Flag, ...]:
        """Return every flag that applies at ``now``, in a stable order."""
        found = set(self.flags)
        failed = self.verification.failed
        until = _moment(self.valid_until)
        if (until is not None and until < now) or _EXPIRED_CODES.intersection(failed):
            found.add(Flag.EXPIRED)
        start = _moment(self.valid_from)
        if start is not None and start > now:
            found.add(Flag.NOT_YET_VALID)
        if failed:
            if "status.revoked" in failed:
                found.add(Flag.REVOKED)
            if "status.suspended" in failed:
                found.add(Flag.SUSPENDED)
            if not _FLAGGED_CODES.issuperset(failed):
                found.add(Flag.NOT_VERIFIED)
        for code in self.verification.unchecked:
            if code.startswith("status."):
                found.add(Flag.STATUS_UNKNOWN)
            elif not code.startswith("proof."):  # a proof unchecked is UNVERIFIED, fixed at import
                found.add(Flag.NOT_VERIFIED)
        return tuple(flag for flag in _FLAG_ORDER if flag in found) if found else ()

    def expires_within(self, days: float, now: datetime) -> bool:
        """Return True when the credential is still valid at ``now`` but not ``days`` later."""
        until = _moment(self.valid_until)
        if until is None or until < now:
            return False
        try:
            return until <= now + timedelta(days=days)
        except OverflowError:  # more days than the calendar holds (--expiring inf): all of it
            return days > 0

    def to_json(self) -> JsonObject:
        """Return the stored (and ``--json``) form, camelCase members."""
        return {
            "format": str(self.format),
            "addedAt": self.added_at,
            "verification": self.verification.to_json(),
            "credentialId": self.credential_id,
            "types": list(self.types),
            "expandedTypes": list(self.expanded_types),
            "vct": self.vct,
            "title": self.title,
            "issuer": self.issuer,
            "issuerName": self.issuer_name,
            "subject": self.subject,
            "validFrom": self.valid_from,
            "validUntil": self.valid_until,
            "flags": [str(flag) for flag in self.flags],
            "disclosure": self.disclosure,
            "suites": list(self.suites),
        }

    @classmethod
    def from_json(cls, value: Any) -> Self:
        """Read the stored form.

        Raises:
            WalletError: a malformed record.
        """
        if not isinstance(value, dict) or not isinstance(value.get("addedAt"), str):
            raise WalletError("corrupt store: a credential record is malformed")
        try:
            kind = _FORMATS[str(value.get("format"))]
            flags = tuple(_FLAGS[f] for f in _strs(value.get("flags")))
        except (KeyError, TypeError):
            raise WalletError("corrupt store: unknown format or flag in a record") from None
        return cls(
            format=kind,
            added_at=value["addedAt"],
            verification=Verification.from_json(value.get("verification")),
            credential_id=_str(value.get("credentialId")),
            types=_strs(value.get("types")),
            expanded_types=_strs(value.get("expandedTypes")),
            vct=_str(value.get("vct")),
            title=_str(value.get("title")),
            issuer=_str(value.get("issuer")),
            issuer_name=_str(value.get("issuerName")),
            subject=_str(value.get("subject")),
            valid_from=_str(value.get("validFrom")),
            valid_until=_str(value.get("validUntil")),
            flags=flags,
            disclosure=_str(value.get("disclosure")),
            suites=_strs(value.get("suites")),
        )

    def to_row(self) -> list[Any]:
        """Return the compact stored form: a positional array (see :meth:`from_row`)."""
        v = self.verification
        return [
            _ROW_VERSION,
            str(self.format),
            self.added_at,
            [v.at, v.verified, list(v.failed), list(v.unchecked), list(v.messages)],
            self.credential_id,
            list(self.types),
            list(self.expanded_types),
            self.vct,
            self.title,
            self.issuer,
            self.issuer_name,
            self.subject,
            self.valid_from,
            self.valid_until,
            [str(flag) for flag in self.flags],
            self.disclosure,
            list(self.suites),
        ]

    @classmethod
    def from_row(cls, row: Any) -> Self:
        """Read :meth:`to_row`'s form: no member names to decode, three times cheaper than JSON.

        Raises:
            WalletError: a malformed record.
        """
        # Read once per credential when a wallet is listed: _strs written out, no generator.
        try:
            if type(row) is not list or len(row) != 17 or row[0] != _ROW_VERSION:
                raise TypeError
            at, verified, failed, unchecked, messages = row[3]
            types, expanded, flags, suites = row[5], row[6], row[14], row[16]
            return cls(
                _FORMATS[row[1]],
                row[2],
                Verification(
                    at,
                    verified is True,
                    tuple(failed) if type(failed) is list else (),
                    tuple(unchecked) if type(unchecked) is list else (),
                    tuple(messages) if type(messages) is list else (),
                ),
                row[4],
                tuple(types) if type(types) is list else (),
                tuple(expanded) if type(expanded) is list else (),
                row[7],
                row[8],
                row[9],
                row[10],
                row[11],
                row[12],
                row[13],
                tuple([_FLAGS[f] for f in flags]),
                row[15],
                tuple(suites) if type(suites) is list else (),
            )
        except (TypeError, ValueError, KeyError):
            raise WalletError("corrupt store: a credential record is malformed") from None


@dataclass(frozen=True, slots=True)
class WalletEntry:
    """One credential as listed: its record id and metadata."""

    id: str
    info: CredentialInfo

    def matches(
        self,
        *,
        kind: str | None = None,
        issuer: str | None = None,
        text: str | None = None,
        expiring_within: float | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Return True when the credential fits every filter given (ignoring case and accents).

        Args:
            kind: part of one of its types (or its SD-JWT ``vct``).
            issuer: part of its issuer's DID or name.
            text: words that all appear in its title, issuer or types (the
                issuer's name, and its DID unless the DID is an opaque key
                encoding, did:key or did:jwk, where any short word would match
                by chance; the holder's DID is not searched).
            expiring_within: days: still valid at ``now`` but not that long after.
            now: the instant ``expiring_within`` counts from (required with it).

        >>> added = "2026-01-15T12:00:00Z"
        >>> entry = WalletEntry("a1b2c3", CredentialInfo(
        ...     CredentialFormat.LDP_VC, added, Verification(added, True),
        ...     types=("VerifiableCredential", "OpenBadgeCredential"),
        ...     title="Sauveteur Secouriste du Travail", issuer_name="INRS",
        ...     valid_until="2026-02-01T00:00:00Z"))
        >>> entry.matches(kind="openbadge", text="SECOURISTE travail", issuer="inrs")
        True
        >>> from datetime import UTC, datetime
        >>> entry.matches(expiring_within=30, now=datetime(2026, 1, 15, tzinfo=UTC))
        True
        >>> entry.matches(expiring_within=7, now=datetime(2026, 1, 15, tzinfo=UTC))
        False
        """
        info = self.info
        if kind and not any(_fold(kind) in _fold(t) for t in (*info.types, info.vct or "")):
            return False
        if issuer and not any(
            _fold(issuer) in _fold(v or "") for v in (info.issuer, info.issuer_name)
        ):
            return False
        if expiring_within is not None:
            if now is None:
                raise ValueError("expiring_within counts from now: give now")
            if not info.expires_within(expiring_within, now):
                return False
        if text:
            issuer_did = info.issuer if not (info.issuer or "").startswith(_OPAQUE_DIDS) else None
            fields = (info.title, info.issuer_name, issuer_did, info.vct, *info.types)
            haystack = _fold(" ".join(v for v in fields if v))
            return all(word in haystack for word in _fold(text).split())
        return True


_OPAQUE_DIDS: Final = ("did:key:", "did:jwk:")

_ENCODE: Final = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
_QUOTE: Final = json.encoder.encode_basestring  # json's own quoting of a string (C)
_LINE: Final = (
    '{"id": %s, "format": %s, "addedAt": %s, "verification": {"at": %s, "verified": %s, '
    '"failed": %s, "unchecked": %s, "messages": %s}, "credentialId": %s, "types": %s, '
    '"expandedTypes": %s, "vct": %s, "title": %s, "issuer": %s, "issuerName": %s, '
    '"subject": %s, "validFrom": %s, "validUntil": %s, "flags": %s, "disclosure": %s, '
    '"suites": %s}'
)


def _value(value: object) -> str:
    if type(value) is str:
        return _QUOTE(value)
    return "null" if value is None else "false" if value is False else _ENCODE(value)


def _texts(values: tuple[Any, ...]) -> str:
    return "[" + ", ".join(map(_QUOTE, values)) + "]" if values else "[]"


def listing_line(entry: WalletEntry, now: datetime) -> str:
    """Return ``entry`` as ``wallet list --json`` prints it, on one line.

    The text of ``json.dumps({"id": ..., **info.to_json(), "flags": [...]},
    ensure_ascii=False)`` with the flags at ``now``, written out member by
    member: a third of the time, for a wallet of ten thousand (issue 17).
    """
    info = entry.info
    check = info.verification
    try:
        return _LINE % (
            _QUOTE(entry.id),
            _QUOTE(info.format),
            _value(info.added_at),
            _value(check.at),
            "true" if check.verified is True else _value(check.verified),
            _texts(check.failed),
            _texts(check.unchecked),
            _texts(check.messages),
            _value(info.credential_id),
            _texts(info.types),
            _texts(info.expanded_types),
            _value(info.vct),
            _value(info.title),
            _value(info.issuer),
            _value(info.issuer_name),
            _value(info.subject),
            _value(info.valid_from),
            _value(info.valid_until),
            _texts(info.flags_at(now)),
            _value(info.disclosure),
            _texts(info.suites),
        )
    except TypeError:  # a value json writes otherwise (a number in a list): json writes it
        row = {"id": entry.id, **info.to_json(), "flags": [str(f) for f in info.flags_at(now)]}
        return _ENCODE(row)


def _fold(text: str) -> str:
    """Return ``text`` for comparison: accents removed, case folded (Développeur -> developpeur)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True, slots=True)
class HeldCredential:
    """One credential, decrypted.

    ``credential`` is what was received: the Data Integrity document, or the
    compact vc+jwt / SD-JWT string. ``claims`` is what requests are matched
    against: the document itself, the JWT's claims, or the SD-JWT's claims
    with every disclosure applied.
    """

    id: str
    info: CredentialInfo
    credential: JsonValue
    claims: JsonObject = field(default_factory=dict)

    @property
    def document(self) -> JsonObject:
        """The claims a query reads (the credential itself for Data Integrity)."""
        if isinstance(self.credential, dict):
            return self.credential
        return self.claims


@dataclass(frozen=True, slots=True)
class NewCredential:
    """A verified credential ready to be stored; ``digest`` identifies its content."""

    info: CredentialInfo
    credential: JsonObject | str
    claims: JsonObject
    digest: bytes

    @classmethod
    def of(cls, info: CredentialInfo, credential: JsonObject | str, claims: JsonObject) -> Self:
        """Compute the content digest: SHA-256 of the JCS form, or of the compact string."""
        if isinstance(credential, str):
            data = credential.strip().encode("utf-8")
        else:
            try:
                data = jcs.canonicalize(credential)
            except InputError as exc:
                raise InputError(f"cannot store the credential: {exc.message}") from None
        return cls(info, credential, claims, hashlib.sha256(data).digest())


@dataclass(frozen=True, slots=True)
class Stored:
    """The outcome of storing one credential: its record id, or the one it duplicates."""

    id: str
    duplicate: bool = False
