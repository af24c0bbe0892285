"""The issuers one server serves: their names, profiles, cryptosuites and bearer tokens.

``passeport serve`` serves one or several issuer profiles, each under its own
VC-API route ``/issuers/{name}/credentials/issue`` (spec:
https://w3c-ccg.github.io/vc-api/#issue-credential), with its own key (Ed25519,
P-256, P-384), securing mechanism and tokens. They come from ``--issuer
NAME=FOLDER`` options (every one guarded by the token of
``PASSEPORT_API_TOKEN``) or from a TOML file (``--config serve.toml``)::

    default = "univ"              # the issuer of /credentials/issue (default: the first)

    [issuers.univ]
    profile = "profiles/univ"     # an issuer profile folder, relative to this file
    cryptosuite = "eddsa-rdfc-2022"   # default: the profile's own
    token_env = "UNIV_TOKEN"      # the variable holding its bearer token

    [issuers.afpa]
    profile = "profiles/afpa"
    cryptosuite = "ecdsa-sd-2023"
    tokens = ["..."]              # tokens in the file: the file must be private (0600)

Nothing here signs or opens a socket: :meth:`ServedIssuer.open` reads a
profile folder, :func:`read_config` a file, and the HTTP routes
(:mod:`issuer.api`) use what they return.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Self

from passeport.errors import InputError, PasseportError
from passeport.issuer.profile import Profile
from passeport.proofs.mechanism import mechanism_named

__all__ = [
    "TOKEN_VARIABLE",
    "ServedIssuer",
    "ServiceConfig",
    "issuer_option",
    "read_config",
]

TOKEN_VARIABLE: Final = "PASSEPORT_API_TOKEN"
"""The variable holding the bearer token of the issuers given by ``--issuer``."""

_NAME: Final = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
_MAX_CONFIG_BYTES: Final = 256 * 1024
_MIN_TOKEN: Final = 16


def _check_name(name: str, where: str) -> str:
    if not _NAME.fullmatch(name):
        raise InputError(
            f'"{name}" cannot name an issuer in a URL: use lowercase letters, digits, '
            '"-" and "_" (at most 63, starting with a letter or digit)',
            where=where,
        )
    return name


def _check_tokens(tokens: Sequence[str], name: str, where: str) -> tuple[str, ...]:
    if not tokens:
        raise InputError(
            f'issuer "{name}" has no bearer token: issuing and status changes need one',
            where=where,
        )
    for token in tokens:
        if len(token) < _MIN_TOKEN or any(c.isspace() or not c.isprintable() for c in token):
            raise InputError(
                f'a bearer token of issuer "{name}" is shorter than {_MIN_TOKEN} characters '
                "or holds spaces or control characters",
                where=where,
            )
    return tuple(tokens)


@dataclass(frozen=True, slots=True)
class ServedIssuer:
    """One issuer a server serves: its route name, its profile and who may use it.

    ``suite`` is the securing mechanism its credentials get (the configured
    cryptosuite, else the profile's own); its status lists are signed as the
    profile's own suite says, whatever ``suite`` is. ``tokens`` are the
    bearer tokens its issuing and status routes accept.
    """

    name: str
    profile: Profile
    suite: str
    tokens: tuple[str, ...] = field(repr=False)

    @classmethod
    def open(
        cls,
        name: str,
        directory: Path,
        *,
        tokens: Sequence[str],
        suite: str | None = None,
        where: str | None = None,
    ) -> Self:
        """Read the profile in ``directory`` and serve it as ``name`` with ``suite``.

        Args:
            suite: a registered securing mechanism that fits the profile's key
                (default: the profile's suite).
            where: how to name the origin of these settings in errors.

        Raises:
            InputError: a name unfit for a URL, no token or a weak one, not a
                profile folder, or a suite that is unknown or does not fit the key.
            KeyFormatError: the profile's key file is unreadable.
        """
        place = where or str(directory)
        _check_name(name, place)
        checked = _check_tokens(tokens, name, place)
        try:
            profile = Profile.open(directory)
        except PasseportError as exc:
            if where is None:
                raise
            raise type(exc)(str(exc), where=where) from None
        chosen = suite or profile.suite
        try:
            mechanism = mechanism_named(chosen)
        except ValueError as exc:
            raise InputError(str(exc), where=place) from None
        if not mechanism.accepts(profile.key.public_key):
            raise InputError(
                f"{chosen} cannot sign with the {profile.key.algorithm} key of issuer "
                f'"{name}" ({directory})',
                where=place,
            )
        return cls(name, profile, chosen, checked)


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """The issuers of one server, and the one ``/credentials/issue`` stands for.

    ``default`` names the issuer of the routes without ``/issuers/{name}``
    (``/credentials/issue``, ``/credentials/status``, ``/status/{list}``,
    ``/.well-known/did.json``); None means the first issuer.
    """

    issuers: tuple[ServedIssuer, ...] = ()
    default: str | None = None

    def __post_init__(self) -> None:
        names = [issuer.name for issuer in self.issuers]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"issuer names must differ: {', '.join(twice)} given twice")
        if self.default is not None and self.default not in names:
            raise ValueError(f'the default issuer "{self.default}" is not among {names}')

    def named(self, name: str) -> ServedIssuer | None:
        """Return the issuer served as ``name``, or None."""
        return next((issuer for issuer in self.issuers if issuer.name == name), None)

    @property
    def default_issuer(self) -> ServedIssuer | None:
        """The issuer of the routes without a name (None when no issuer is served)."""
        if self.default is not None:
            return self.named(self.default)
        return self.issuers[0] if self.issuers else None

    def merged(self, other: ServiceConfig) -> ServiceConfig:
        """Return the issuers of both (this one's default first).

        Raises:
            InputError: a name served twice.
        """
        try:
            return ServiceConfig((*self.issuers, *other.issuers), self.default or other.default)
        except ValueError as exc:
            raise InputError(str(exc)) from None


def issuer_option(text: str, *, token: str | None) -> ServedIssuer:
    """Read one ``--issuer`` option: ``NAME=FOLDER``, or ``FOLDER`` (named after the folder).

    ``token`` (from ``PASSEPORT_API_TOKEN``) guards it.

    Raises:
        InputError: no token, a name unfit for a URL, or not a profile folder.
    """
    name, sep, folder = text.partition("=")
    if not sep:
        folder = text
        name = Path(text.rstrip("/\\")).name.lower()
    where = f"--issuer {text}"
    if not token:
        raise InputError(
            f"set {TOKEN_VARIABLE} to the bearer token that issuing requires", where=where
        )
    return ServedIssuer.open(name, Path(folder), tokens=[token], where=where)


def _string(table: Mapping[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise InputError(f'"{key}" must be a non-empty string', where=where)
    return value


def _tokens(
    table: Mapping[str, Any], name: str, path: Path, environ: Mapping[str, str], where: str
) -> list[str]:
    found: list[str] = []
    listed = table.get("tokens", [])
    if not isinstance(listed, list) or not all(isinstance(t, str) for t in listed):
        raise InputError('"tokens" must be a list of strings', where=where)
    if listed:
        mode = path.stat().st_mode & 0o077
        if os.name == "posix" and mode:
            raise InputError(
                "holds bearer tokens but others may read it: chmod 600, or name the "
                "tokens' variable with token_env",
                where=str(path),
            )
        found.extend(listed)
    variable = _string(table, "token_env", where)
    if variable is not None:
        value = environ.get(variable)
        if not value:
            raise InputError(f'the variable {variable} (issuer "{name}") is not set', where=where)
        found.append(value)
    return found


_ISSUER_KEYS: Final = frozenset({"profile", "cryptosuite", "tokens", "token_env"})


def read_config(path: Path, *, environ: Mapping[str, str]) -> ServiceConfig:
    """Read a server's issuers from the TOML file at ``path`` (see the module docstring).

    Profile folders are read relative to the file's folder; ``environ``
    gives the variables ``token_env`` names.

    Raises:
        InputError: the file is missing, too large, not TOML, or a setting is
            wrong (named: ``serve.toml: issuers.univ: ...``).
        KeyFormatError: a profile's key file is unreadable.
    """
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=where) from None
    if len(raw) > _MAX_CONFIG_BYTES:
        raise InputError(f"larger than {_MAX_CONFIG_BYTES} bytes", where=where)
    try:
        settings = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"not a TOML file: {exc}", where=where) from None
    unknown = sorted(set(settings) - {"issuers", "default"})
    if unknown:
        raise InputError(f"unknown setting {unknown[0]!r} (known: default, issuers)", where=where)
    tables = settings.get("issuers")
    if not isinstance(tables, dict) or not tables:
        raise InputError("no [issuers.NAME] table: name at least one issuer", where=where)
    default = _string(settings, "default", where)
    issuers: list[ServedIssuer] = []
    for name, table in tables.items():
        place = f"{where}: issuers.{name}"
        if not isinstance(table, dict):
            raise InputError("must be a table ([issuers.NAME])", where=place)
        extra = sorted(set(table) - _ISSUER_KEYS)
        if extra:
            known = ", ".join(sorted(_ISSUER_KEYS))
            raise InputError(f"unknown setting {extra[0]!r} (known: {known})", where=place)
        folder = _string(table, "profile", place)
        if folder is None:
            raise InputError('"profile" (the issuer profile folder) is missing', where=place)
        issuers.append(
            ServedIssuer.open(
                name,
                path.parent / folder,
                tokens=_tokens(table, name, path, environ, place),
                suite=_string(table, "cryptosuite", place),
                where=place,
            )
        )
    try:
        return ServiceConfig(tuple(issuers), default)
    except ValueError as exc:
        raise InputError(str(exc), where=where) from None
