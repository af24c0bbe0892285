"""The signing fast paths give what the plain path gives (issue 17).

- ``ecdsa-sd-2023``: the grouping of a credential's statements (every N-Quad,
  label and group that the base and derived proofs sign) is the same with
  compaction's caches as with pyld's own compaction, on many generated
  credentials; so are the derived credentials;
- ``is_deriving`` answers as ``isinstance`` against the Protocol;
- ``copy_json`` copies as ``copy.deepcopy`` does;
- the deterministic suites sign the same bytes as before: the same signature
  with the caches warm or cold and the JCS fast path on or off.
"""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passeport.contexts import _pyld, bundled_loader, jcs
from passeport.did.keyfile import KeyPair
from passeport.did.keys import KeyAlgorithm, PrivateKey
from passeport.errors import PasseportError
from passeport.proofs import sd_primitives as sd
from passeport.proofs._copy import copy_json
from passeport.proofs.ecdsa_sd import ECDSA_SD_2023, derive
from passeport.proofs.registry import DATA_INTEGRITY_SUITES
from passeport.proofs.sign import sign_document
from passeport.proofs.suite import DerivingCryptosuite, is_deriving

DIPLOMA: Final = json.loads(
    resources.files("passeport").joinpath("samples", "diploma.json").read_text("utf-8")
)
LOADER: Final = bundled_loader()
ED: Final = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.ED25519, bytes([7]) * 32))
P256: Final = KeyPair.from_private_key(PrivateKey.from_raw(KeyAlgorithm.P256, bytes([7]) * 32))
CREATED: Final = datetime(2025, 1, 1, tzinfo=UTC)
HMAC_KEY: Final = bytes(range(32))
MANDATORY: Final = ("/issuer", "/validFrom", "/credentialSubject/id")
GROUPS: Final = {
    "mandatory": list(MANDATORY),
    "selective": ["/credentialSubject/achievement/name"],
    "combined": [*MANDATORY, "/credentialSubject/achievement/name"],
}
VALUES: Final = (
    "Camille",
    "",
    "did:example:x",
    "https://example.org/x",
    "urn:bnid:x",
    "_:b1",
    "xsd:string",
    "a\u2028b",
    "😀",
)


@pytest.fixture
def plain_compaction(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compaction as pyld does it, nothing remembered (the path before issue 17)."""
    monkeypatch.setattr(_pyld, "_Compactor", _pyld.RoundTripNaming)
    monkeypatch.setattr(_pyld, "_CachedCompaction", _pyld.PlainProcessor)


def _credential(subject: str, name: str, achievement: str) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(DIPLOMA)
    document["issuer"] = "did:example:issuer"
    document["credentialSubject"]["id"] = subject
    document["credentialSubject"]["name"] = name
    document["credentialSubject"]["achievement"]["name"] = achievement
    return document


def _grouping(document: dict[str, Any]) -> Any:
    try:
        found = sd.canonicalize_and_group(
            document,
            sd.hmac_label_map_function(HMAC_KEY, hash_name="sha256"),
            GROUPS,
            LOADER,
            hash_name="sha256",
            random="fixed",
        )
    except PasseportError as exc:
        return type(exc).__name__
    return found


CREDENTIALS: Final = st.builds(
    _credential,
    st.sampled_from(VALUES) | st.from_regex(r"did:example:[a-z0-9]{1,8}", fullmatch=True),
    st.sampled_from(VALUES) | st.text(max_size=8),
    st.sampled_from(VALUES) | st.text(max_size=8),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=CREDENTIALS)
def test_sd_groupings_are_those_of_plain_compaction(document: dict[str, Any]) -> None:
    cached = _grouping(document)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_pyld, "_Compactor", _pyld.RoundTripNaming)
        patch.setattr(_pyld, "_CachedCompaction", _pyld.PlainProcessor)
        plain = _grouping(document)
    assert cached == plain


def _unsigned(document: dict[str, Any]) -> dict[str, Any]:
    """The credential without its issuer: signing fills it from the key."""
    return {key: value for key, value in document.items() if key != "issuer"}


def _base(document: dict[str, Any]) -> dict[str, Any]:
    return sign_document(
        _unsigned(document),
        P256,
        suite="ecdsa-sd-2023",
        created=CREATED,
        mandatory=MANDATORY,
        loader=LOADER,
    )


def test_derived_credentials_are_those_of_plain_compaction() -> None:
    bases = [_base(_credential(f"did:example:p{i}", f"Nom {i}", f"Titre {i}")) for i in range(6)]
    reveal = ["/credentialSubject/achievement/name"]
    cached = [derive(base, reveal, loader=LOADER) for base in bases]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_pyld, "_Compactor", _pyld.RoundTripNaming)
        patch.setattr(_pyld, "_CachedCompaction", _pyld.PlainProcessor)
        plain = [derive(base, reveal, loader=LOADER) for base in bases]
    assert cached == plain


@pytest.mark.usefixtures("plain_compaction")
def test_the_plain_path_really_is_pyld() -> None:
    """The fixture swaps the caches out (else the differential tests compare a path with itself)."""
    assert _pyld._Compactor is _pyld.RoundTripNaming
    assert _grouping(_credential("did:example:a", "A", "B")) != "ContextError"


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_deterministic_signatures_are_the_same_on_every_path(
    suite: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = [_unsigned(_credential(f"did:example:q{i}", f"Nom {i}", "T")) for i in range(4)]
    fast = [sign_document(d, ED, suite=suite, created=CREATED, loader=LOADER) for d in documents]
    monkeypatch.setattr(jcs, "_plain", lambda value, depth=0: False)
    monkeypatch.setattr(_pyld, "_Compactor", _pyld.RoundTripNaming)
    monkeypatch.setattr(_pyld, "_CachedCompaction", _pyld.PlainProcessor)
    cold = bundled_loader({"https://example.org/unused": {"@context": {}}})  # empty caches
    plain = [sign_document(d, ED, suite=suite, created=CREATED, loader=cold) for d in documents]
    assert fast == plain


# --- is_deriving ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _FrozenWithoutDerive:
    name: str = "x"


class _Mutable:
    name = "m"

    def accepts(self, key: Any) -> bool:
        return True

    def create_proof_value(self, *args: Any, **kwargs: Any) -> str:
        return ""

    def verify_proof_value(self, *args: Any, **kwargs: Any) -> bool:
        return False

    def is_base_proof_value(self, value: Any) -> bool:
        return False

    def confirm_proof_value(self, *args: Any, **kwargs: Any) -> bool:
        return False


def test_is_deriving_answers_as_isinstance() -> None:
    candidates: list[Any] = [*DATA_INTEGRITY_SUITES.values(), _FrozenWithoutDerive(), object()]
    mutable = _Mutable()
    for candidate in [*candidates, mutable, *candidates]:
        assert is_deriving(candidate) is isinstance(candidate, DerivingCryptosuite)
    assert is_deriving(ECDSA_SD_2023)
    assert not is_deriving(DATA_INTEGRITY_SUITES["eddsa-jcs-2022"])
    # An object that is not a frozen dataclass is asked each time: it may change.
    assert not is_deriving(mutable)
    mutable.derive = lambda *args, **kwargs: {}  # type: ignore[attr-defined]
    assert is_deriving(mutable)


# --- copy_json -----------------------------------------------------------------------------

JSON: Final = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=JSON)
def test_copy_json_copies_as_deepcopy_does(value: Any) -> None:
    copied = copy_json(value)
    assert json.dumps(copied) == json.dumps(copy.deepcopy(value))
    if isinstance(value, dict | list) and value:
        assert copied is not value


def test_copy_json_leaves_no_shared_container_and_copies_other_types_as_deepcopy() -> None:
    inner = {"a": [1, 2]}
    value = {"x": inner, "o": OrderedDict(b=[3]), "t": (1, [2]), 1: "int key"}
    copied = copy_json(value)
    assert copied == copy.deepcopy(value)
    assert type(copied["o"]) is OrderedDict
    copied = copy_json({"x": inner, "y": [inner]})
    copied["x"]["a"].append(3)
    assert inner == {"a": [1, 2]}
    assert copied["y"][0] == {"a": [1, 2]}
    deep: Any = "leaf"
    for _ in range(400):
        deep = [deep]
    assert copy_json(deep) == deep
