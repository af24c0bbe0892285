"""One registry of securing mechanisms: what each cryptosuite or format is, and how it works.

A securing mechanism is what makes a credential verifiable: a Data Integrity
cryptosuite (a ``proof`` embedded in the JSON document) or an enveloping
format (the secured form is a token: ``vc+jwt``, SD-JWT VC). Each declares
what it is (:class:`SecuringMechanism`: its name, media types, key
algorithms, whether the holder can disclose a part) and how to secure,
verify, derive and confirm. The issuer, the wallet, the verifier and every
command ask this registry instead of naming suites; a new suite or format is
one module plus one :func:`register` call.

>>> mechanism_named("sd-jwt").media_type
'application/dc+sd-jwt'
>>> mechanism_for_media_type("application/vc+jwt").name
'vc-jwt'
>>> [m.name for m in mechanisms() if m.derives]
['ecdsa-sd-2023', 'sd-jwt']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol

from passeport._io import parse_json
from passeport._json import JsonObject
from passeport.contexts import DocumentLoader
from passeport.did.keys import KeyAlgorithm, PublicKey
from passeport.did.resolve import DidResolver
from passeport.errors import PasseportError
from passeport.proofs._jws import b64url_decode
from passeport.proofs.builtin import BUILTIN
from passeport.proofs.checks import ProofExpectation, ProofOutcome, Verified
from passeport.proofs.registry import DEFAULT_SUITE_FOR
from passeport.proofs.suite import Cryptosuite, Signer

__all__ = [
    "SecuringMechanism",
    "Verified",
    "data_integrity_suites",
    "default_suite",
    "enveloping_names",
    "mechanism_for",
    "mechanism_for_media_type",
    "mechanism_named",
    "mechanisms",
    "register",
    "unregister",
]


class SecuringMechanism(Protocol):
    """What a cryptosuite or a securing format declares, and what it does.

    Every operation takes its options as arguments; a mechanism holds no
    per-call state.
    """

    @property
    def name(self) -> str:
        """The name users type (``--suite``) and policies list: ``eddsa-rdfc-2022``, ``vc-jwt``."""
        ...

    @property
    def label(self) -> str:
        """The name people read (``vc+jwt``, ``SD-JWT``, the suite id)."""
        ...

    @property
    def media_type(self) -> str | None:
        """The media type of the secured credential; None for an embedded proof."""
        ...

    @property
    def media_types(self) -> tuple[str, ...]:
        """Every media type accepted for a secured credential (``media_type`` first)."""
        ...

    @property
    def presentation_media_type(self) -> str | None:
        """The media type of a presentation it secures (``application/vp+jwt``), if any."""
        ...

    @property
    def key_algorithms(self) -> frozenset[KeyAlgorithm]:
        """The key algorithms it signs with."""
        ...

    @property
    def derives(self) -> bool:
        """Whether a holder can disclose a part of the credential (:meth:`derive`)."""
        ...

    @property
    def enveloping(self) -> bool:
        """Whether the secured form is a token string rather than the JSON with a proof."""
        ...

    @property
    def takes_mandatory(self) -> bool:
        """Whether :meth:`secure` takes mandatory pointers (claims every disclosure keeps)."""
        ...

    @property
    def signs_presentations(self) -> bool:
        """Whether a holder may sign a presentation with it."""
        ...

    @property
    def file_suffix(self) -> str:
        """The file suffix of a secured credential (``.json``, ``.jwt``, ``.sd-jwt``)."""
        ...

    @property
    def format_id(self) -> str | None:
        """Its OpenID4VP credential format identifier (``ldp_vc``, ``dc+sd-jwt``), if any."""
        ...

    @property
    def status_list_suite(self) -> str | None:
        """The mechanism that signs an issuer's status lists instead of this one; None: itself."""
        ...

    @property
    def cryptosuite(self) -> Cryptosuite | None:
        """The Data Integrity cryptosuite it is, for the proof engine; None when enveloping."""
        ...

    def accepts(self, key: PublicKey) -> bool:
        """Tell whether ``key`` can sign with this mechanism."""
        ...

    def recognizes(self, secured: Any) -> bool:
        """Tell whether ``secured`` (a JSON document or a token) is secured by this mechanism."""
        ...

    def binds_holder_key(self, secured: Any) -> bool:
        """Tell whether ``secured`` names its holder's key, so only that key may present it."""
        ...

    def is_holder_form(self, secured: Any) -> bool:
        """Tell whether ``secured`` is in a form only its holder uses (a base proof).

        Verifiers refuse that form; the holder :meth:`confirm`-s it and
        presents what it :meth:`derive`-s from it.
        """
        ...

    def secure(
        self,
        unsigned: Mapping[str, Any],
        signer: Signer,
        *,
        issued_at: datetime | None = None,
        mandatory: Sequence[str] = (),
        holder: str | None = None,
        loader: DocumentLoader | None = None,
        where: str | None = None,
    ) -> JsonObject | str:
        """Secure a credential; return the document with its proof, or the token.

        Args:
            issued_at: the signature's date.
            mandatory: JSON pointers always disclosed (when :attr:`takes_mandatory`).
            holder: the holder's DID, to bind the credential to its key where
                the mechanism does.
        """
        ...

    def derive(
        self,
        secured: Mapping[str, Any] | str,
        reveal: Sequence[str],
        *,
        holder: Signer | None = None,
        nonce: str | None = None,
        audience: str | None = None,
        issued_at: datetime | None = None,
        expires: datetime | None = None,
        loader: DocumentLoader | None = None,
    ) -> JsonObject | str:
        """Return the disclosure a holder presents: ``reveal`` and the mandatory claims.

        ``holder`` binds it to the verifier's ``nonce`` and ``audience``
        where the mechanism does it in the credential (a Key Binding JWT).
        """
        ...

    def verify(
        self,
        secured: Mapping[str, Any] | str,
        *,
        resolver: DidResolver,
        expect: ProofExpectation,
        loader: DocumentLoader | None = None,
        require_key_binding: bool = False,
    ) -> Verified:
        """Verify ``secured`` as a verifier does; return the outcomes and the document inside.

        ``expect.proof_purpose`` ``authentication`` verifies a presentation.
        Nothing raises for a bad credential: problems are failed outcomes.
        """
        ...

    def confirm(
        self,
        secured: Mapping[str, Any] | str,
        *,
        resolver: DidResolver,
        expect: ProofExpectation,
        loader: DocumentLoader | None = None,
    ) -> tuple[ProofOutcome, ...]:
        """Check ``secured`` as its holder receives it (a base proof; else as verified)."""
        ...


_REGISTRY: dict[str, SecuringMechanism] = {}
_BY_MEDIA_TYPE: dict[str, SecuringMechanism] = {}
_BY_PRESENTATION_MEDIA_TYPE: dict[str, SecuringMechanism] = {}
_SUITES: dict[str, Cryptosuite] = {}


def _index() -> None:
    _BY_MEDIA_TYPE.clear()
    _BY_PRESENTATION_MEDIA_TYPE.clear()
    _SUITES.clear()
    for mechanism in _REGISTRY.values():
        for media_type in mechanism.media_types:
            _BY_MEDIA_TYPE.setdefault(media_type.lower(), mechanism)
        if mechanism.presentation_media_type is not None:
            _BY_PRESENTATION_MEDIA_TYPE.setdefault(
                mechanism.presentation_media_type.lower(), mechanism
            )
        if mechanism.cryptosuite is not None:
            _SUITES[mechanism.name] = mechanism.cryptosuite


def register(mechanism: SecuringMechanism) -> None:
    """Make ``mechanism`` known to every role, under its name and media types.

    Raises:
        ValueError: a mechanism of that name, or one of its media types, is
            already registered.
    """
    if mechanism.name in _REGISTRY:
        raise ValueError(f'a securing mechanism "{mechanism.name}" is already registered')
    for media_type in mechanism.media_types:
        if media_type.lower() in _BY_MEDIA_TYPE:
            raise ValueError(f"media type {media_type} is already registered")
    _REGISTRY[mechanism.name] = mechanism
    _index()


def unregister(name: str) -> None:
    """Forget the mechanism called ``name`` (tests register and remove their own).

    Raises:
        ValueError: no such mechanism.
    """
    mechanism_named(name)
    del _REGISTRY[name]
    _index()


def mechanisms() -> tuple[SecuringMechanism, ...]:
    """Return every registered mechanism, in registration order."""
    return tuple(_REGISTRY.values())


def mechanism_named(name: str) -> SecuringMechanism:
    """Return the mechanism called ``name``.

    Raises:
        ValueError: no such mechanism (the message lists the known ones).
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(_REGISTRY)
        raise ValueError(f'unknown cryptosuite "{name}" (known: {known})') from None


def mechanism_for_media_type(
    media_type: str, *, presentation: bool = False
) -> SecuringMechanism | None:
    """Return the mechanism whose secured credential (or presentation) has ``media_type``."""
    table = _BY_PRESENTATION_MEDIA_TYPE if presentation else _BY_MEDIA_TYPE
    return table.get(media_type.strip().lower())


def _typ(token: str) -> str | None:
    """Read (unverified) a JOSE header's ``typ``, only to route a token."""
    try:
        header = parse_json(b64url_decode(token.split(".", 1)[0], what="header"), where=None)
    except (PasseportError, ValueError, TypeError, RecursionError):
        return None
    typ = header.get("typ") if isinstance(header, dict) else None
    return typ if isinstance(typ, str) else None


def mechanism_for(secured: Any) -> SecuringMechanism | None:
    """Return the mechanism that secures ``secured`` (a JSON document or a token), or None.

    A token is routed by its JOSE ``typ`` when that names a registered media
    type whose mechanism recognizes it, else to the first mechanism that
    recognizes its shape (an SD-JWT has ``~``, any other token is read as a
    JWS). A document goes to the mechanism of its first proof that one
    recognizes, a holder-only form (a base proof) first.
    """
    if isinstance(secured, str):
        token = secured.strip()
        typ = _typ(token)
        if typ is not None:
            media_type = typ if "/" in typ else f"application/{typ}"
            found = mechanism_for_media_type(media_type)
            if found is not None and found.enveloping and found.recognizes(token):
                return found
        return next((m for m in _REGISTRY.values() if m.enveloping and m.recognizes(token)), None)
    if not isinstance(secured, Mapping):
        return None
    embedded = [m for m in _REGISTRY.values() if not m.enveloping and m.recognizes(secured)]
    holder_only = [m for m in embedded if m.is_holder_form(secured)]
    chosen = holder_only or embedded
    return chosen[0] if chosen else None


def data_integrity_suites() -> Mapping[str, Cryptosuite]:
    """Return the registered Data Integrity cryptosuites by name, for the proof engine."""
    return MappingProxyType(_SUITES)


def enveloping_names() -> frozenset[str]:
    """Return the names of the registered enveloping mechanisms."""
    return frozenset(m.name for m in _REGISTRY.values() if m.enveloping)


def default_suite(algorithm: KeyAlgorithm) -> str:
    """Return the Data Integrity suite a key of ``algorithm`` signs with when none is chosen."""
    return DEFAULT_SUITE_FOR[algorithm]


for _builtin in BUILTIN:
    register(_builtin)
