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

from typing import TYPE_CHECKING

from passeport._lazy import lazy_package

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


lazy_package(__name__, _SOURCES, shadowed=frozenset({"issue"}))
