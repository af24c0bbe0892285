"""The issuer: certifiers and employers sign diplomas, skills, jobs and safety trainings.

A profile folder holds the issuer's key, DID and registry
(:meth:`Profile.create`, :meth:`Profile.open`). :func:`issue` signs one
credential from a template, :func:`issue_credential` one its caller wrote
(VC-API), :func:`issue_batch` a whole CSV or JSON Lines file on every core;
every credential carries a revocation and a suspension entry of a Bitstring
Status List and is verified before it is written.
:func:`revoke`, :func:`suspend` and :func:`reinstate` change a credential's
status; :func:`publish_status` writes the signed status lists to serve.
At scale, the registry is a PostgreSQL database (:class:`PostgresRegistry`)
and the key stays in a hardware module (:class:`TokenKey`, PKCS#11).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from passeport.issuer.batch import (
        BatchSummary,
        ProgressCallback,
        RowFailure,
        issue_batch,
        row_key,
    )
    from passeport.issuer.credential import issue_credential
    from passeport.issuer.declared import (
        ValidationRequest,
        declaration,
        read_request,
        validation_data,
    )
    from passeport.issuer.hsm import TokenKey
    from passeport.issuer.issue import issue
    from passeport.issuer.profile import MIN_LIST_SIZE, Profile
    from passeport.issuer.registry import (
        CredentialRecord,
        CredentialState,
        Registry,
        StatusListRecord,
    )
    from passeport.issuer.registry_pg import PostgresRegistry
    from passeport.issuer.statuslist import (
        KeyedPermutation,
        StatusSlot,
        allocate_status,
        encode_status_list,
        publish_status,
        reinstate,
        revoke,
        status_list_credential,
        suspend,
    )
    from passeport.issuer.templates import TEMPLATE_NAMES, data_from_row, render, subject_id

__all__ = [
    "MIN_LIST_SIZE",
    "TEMPLATE_NAMES",
    "BatchSummary",
    "CredentialRecord",
    "CredentialState",
    "KeyedPermutation",
    "PostgresRegistry",
    "Profile",
    "ProgressCallback",
    "Registry",
    "RowFailure",
    "StatusListRecord",
    "StatusSlot",
    "TokenKey",
    "ValidationRequest",
    "allocate_status",
    "data_from_row",
    "declaration",
    "encode_status_list",
    "issue",
    "issue_batch",
    "issue_credential",
    "publish_status",
    "read_request",
    "reinstate",
    "render",
    "revoke",
    "row_key",
    "status_list_credential",
    "subject_id",
    "suspend",
    "validation_data",
]

_SOURCES: dict[str, str] = {
    "BatchSummary": "batch",
    "CredentialRecord": "registry",
    "CredentialState": "registry",
    "KeyedPermutation": "statuslist",
    "MIN_LIST_SIZE": "profile",
    "PostgresRegistry": "registry_pg",
    "Profile": "profile",
    "ProgressCallback": "batch",
    "Registry": "registry",
    "RowFailure": "batch",
    "StatusListRecord": "registry",
    "StatusSlot": "statuslist",
    "TEMPLATE_NAMES": "templates",
    "TokenKey": "hsm",
    "ValidationRequest": "declared",
    "allocate_status": "statuslist",
    "data_from_row": "templates",
    "declaration": "declared",
    "encode_status_list": "statuslist",
    "issue": "issue",
    "issue_batch": "batch",
    "issue_credential": "credential",
    "publish_status": "statuslist",
    "read_request": "declared",
    "reinstate": "statuslist",
    "render": "templates",
    "revoke": "statuslist",
    "row_key": "batch",
    "status_list_credential": "statuslist",
    "subject_id": "templates",
    "suspend": "statuslist",
    "validation_data": "declared",
}
"""The module defining each public name ("jcs:" for a submodule itself)."""


def __getattr__(name: str) -> object:
    """Import a public name on first use (PEP 562), so that importing the package stays cheap."""
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    found = importlib.import_module(f"{__name__}.{source.rstrip(':')}")
    value = found if source.endswith(":") else getattr(found, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public names too, imported or not."""
    return sorted({*globals(), *__all__})


_SHADOWED: frozenset[str] = frozenset({"issue"})
"""Names exported from a submodule of the same name (the function, not the module)."""


class _Package(types.ModuleType):
    """The package, which keeps an exported function when its submodule is imported."""

    def __setattr__(self, name: str, value: object) -> None:
        # The import system binds each submodule on its package once it has run:
        # the package's name keeps meaning the function, as with eager imports.
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
