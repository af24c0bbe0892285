"""Answering requests: DCQL (OpenID4VP 1.0 section 6) and Presentation Exchange 2.0."""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from passeport.errors import InputError, PasseportError
from passeport.wallet import Answer, UnmetRequest, Wallet, add, answer
from passeport.wallet._jsonpath import JsonPath
from passeport.wallet.query import claim_pointers
from tests.conftest import FIXED_NOW, ROOT
from tests.wallet._helpers import (
    SOMEONE_ELSE,
    diploma_document,
    env,
    first_aid_document,
    new_wallet,
    policy,
    selective,
    signed,
)

REQUESTS = ROOT / "examples" / "requests"
DCQL = json.loads((REQUESTS / "job-application.dcql.json").read_text("utf-8"))
PE = json.loads((REQUESTS / "job-application.pe.json").read_text("utf-8"))
ACHIEVEMENT = "/credentialSubject/achievement"


def _fill(wallet: Wallet, *documents: dict[str, Any], keep_unverified: bool = False) -> list[str]:
    sources = [(f"c{i}.json", json.dumps(d)) for i, d in enumerate(documents)]
    outcomes = add(wallet, sources, policy=policy(), env=env(), keep_unverified=keep_unverified)
    stored = ("added", "kept") if keep_unverified else ("added",)
    assert all(o.status in stored for o in outcomes), [o.reason for o in outcomes]
    return [str(o.id) for o in outcomes]


def _by_query(result: Answer) -> dict[str, tuple[str, tuple[str, ...] | None]]:
    return {m.query_id: (m.held.id, m.reveal) for m in result.matches}


@pytest.fixture
def held(tmp_path: Path) -> tuple[Wallet, list[str]]:
    wallet = new_wallet(tmp_path)
    ids = _fill(
        wallet,
        selective(diploma_document(number=1)),
        selective(first_aid_document(number=100)),
    )
    return wallet, ids


# --- DCQL ------------------------------------------------------------------------------------


def test_the_job_application_dcql_request(held: tuple[Wallet, list[str]]) -> None:
    wallet, (diploma, first_aid) = held
    result = answer(wallet, DCQL, now=FIXED_NOW)
    assert result.kind == "dcql" and result.definition_id is None
    assert _by_query(result) == {
        "diploma": (
            diploma,
            (
                f"{ACHIEVEMENT}/achievementType",
                f"{ACHIEVEMENT}/name",
                f"{ACHIEVEMENT}/alignment/1/targetFramework",
                f"{ACHIEVEMENT}/alignment/1/targetCode",
            ),
        ),
        "first_aid": (first_aid, (f"{ACHIEVEMENT}/name", "/validUntil")),
    }


def test_claim_sets_fall_back_to_the_next_option(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    document = diploma_document()
    alignments = document["credentialSubject"]["achievement"]["alignment"]
    alignments.reverse()  # the level first, then the RNCP fiche
    _fill(wallet, selective(document), selective(first_aid_document()))
    result = answer(wallet, DCQL, now=FIXED_NOW)
    _, reveal = _by_query(result)["diploma"]
    assert reveal is not None and f"{ACHIEVEMENT}/alignment/0/targetCode" in reveal
    assert not any("/alignment/1" in p for p in reveal)


def test_an_unmet_query_is_named_with_reasons(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    _fill(
        wallet,
        selective(diploma_document()),
        signed(first_aid_document(number=101, valid_until="2025-12-01T00:00:00Z")),
        signed(first_aid_document(number=102, name="Gestes et postures")),
        keep_unverified=True,
    )
    with pytest.raises(UnmetRequest) as caught:
        answer(wallet, DCQL, now=FIXED_NOW)
    assert caught.value.unmet == ("first_aid",)
    message = str(caught.value)
    assert 'query "first_aid"' in message
    assert "1 unusable (expired)" in message
    assert "without the claim credentialSubject.achievement.name" in message
    assert "diploma" not in caught.value.unmet


def test_holder_binding_is_required_unless_waived(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    _fill(wallet, signed(first_aid_document(subject=SOMEONE_ELSE.controller)))
    query = {"credentials": [copy.deepcopy(DCQL["credentials"][1])]}
    with pytest.raises(UnmetRequest, match="not bound to the holder"):
        answer(wallet, query, now=FIXED_NOW)
    query["credentials"][0]["require_cryptographic_holder_binding"] = False
    assert len(answer(wallet, query, now=FIXED_NOW).matches) == 1


def test_optional_credential_sets_and_multiple(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    ids = _fill(wallet, signed(diploma_document(number=1)), signed(diploma_document(number=2)))
    query = copy.deepcopy(DCQL)
    query["credential_sets"][1]["required"] = False
    result = answer(wallet, query, now=FIXED_NOW)
    assert [m.query_id for m in result.matches] == ["diploma"]
    query["credentials"][0]["multiple"] = True
    result = answer(wallet, query, now=FIXED_NOW)
    assert sorted(m.held.id for m in result.matches) == sorted(ids)


def test_without_claims_only_the_mandatory_is_asked(held: tuple[Wallet, list[str]]) -> None:
    wallet, _ = held
    query = {
        "credentials": [
            {
                "id": "any_badge",
                "format": "ldp_vc",
                "meta": {"type_values": [["OpenBadgeCredential"]]},
            }  # compact names work too
        ]
    }
    (match,) = answer(wallet, query, now=FIXED_NOW).matches
    assert match.reveal == ()


def test_formats_and_types_must_fit(held: tuple[Wallet, list[str]]) -> None:
    wallet, _ = held
    query = {"credentials": [{"id": "pid", "format": "dc+sd-jwt", "meta": {"vct_values": ["x"]}}]}
    with pytest.raises(UnmetRequest, match="2 in another format"):
        answer(wallet, query, now=FIXED_NOW)
    query = {
        "credentials": [
            {"id": "job", "format": "ldp_vc", "meta": {"type_values": [["EmploymentCredential"]]}}
        ]
    }
    with pytest.raises(UnmetRequest, match="2 of other types"):
        answer(wallet, query, now=FIXED_NOW)


def test_only_restricts_the_choice(held: tuple[Wallet, list[str]]) -> None:
    wallet, (diploma, _) = held
    with pytest.raises(UnmetRequest) as caught:
        answer(wallet, DCQL, now=FIXED_NOW, only=[diploma])
    assert caught.value.unmet == ("first_aid",)


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (lambda q: q.update(credentials=[]), "/credentials"),
        (lambda q: q["credentials"][0].pop("id"), "/credentials/0/id"),
        (lambda q: q["credentials"][0].update(id="a b"), "/credentials/0/id"),
        (lambda q: q["credentials"][1].update(id="diploma"), "/credentials"),
        (
            lambda q: q["credentials"][0]["claims"][0].update(path=[]),
            "/credentials/0/claims/0/path",
        ),
        (
            lambda q: q["credentials"][0]["claims"][0].update(path=["a", -1]),
            "/credentials/0/claims/0/path",
        ),
        (
            lambda q: q["credentials"][0]["claims"][0].update(values=[{}]),
            "/credentials/0/claims/0/values",
        ),
        (lambda q: q["credentials"][0]["claim_sets"].append(["nope"]), "/credentials/0/claim_sets"),
        (lambda q: q["credentials"][0].update(multiple="yes"), "/credentials/0/multiple"),
        (lambda q: q["credential_sets"].append({"options": [["ghost"]]}), "/credential_sets"),
    ],
)
def test_malformed_dcql_is_refused_with_a_pointer(
    held: tuple[Wallet, list[str]], change: Any, pointer: str
) -> None:
    wallet, _ = held
    query = copy.deepcopy(DCQL)
    change(query)
    with pytest.raises(InputError) as caught:
        answer(wallet, query, now=FIXED_NOW, where="req.json")
    assert caught.value.pointer == pointer and caught.value.where == "req.json"


def test_claims_path_pointer_semantics() -> None:
    document = {"a": [{"b": 1}, {"b": True}, {"c": "x"}], "s": "text", "n": [1, 2]}
    found = claim_pointers(document, ["a", None, "b"])
    assert found is not None and [f.pointer for f in found] == ["/a/0/b", "/a/1/b"]
    only_true = claim_pointers(document, ["a", None, "b"], [True])
    assert only_true is not None and [f.pointer for f in only_true] == ["/a/1/b"]
    assert claim_pointers(document, ["a", None, "b"], [2]) is None
    assert claim_pointers(document, ["n", 1]) is not None
    assert claim_pointers(document, ["n", 5]) is None
    assert claim_pointers(document, ["s", None]) is None  # null needs an array
    assert claim_pointers(document, ["s", "x"]) is None  # a name needs an object
    assert claim_pointers(document, ["n", 0], [True]) is None  # 1 is not true
    assert claim_pointers(document, ["missing"]) is None


def test_neither_kind_of_request(held: tuple[Wallet, list[str]]) -> None:
    with pytest.raises(InputError, match="neither a DCQL query"):
        answer(held[0], {"hello": 1}, now=FIXED_NOW)


# --- Presentation Exchange 2.0 ----------------------------------------------------------------


def test_the_job_application_definition(held: tuple[Wallet, list[str]]) -> None:
    wallet, (diploma, first_aid) = held
    result = answer(wallet, PE, now=FIXED_NOW)
    assert result.kind == "pe" and result.definition_id == "job-application-web-developer"
    assert _by_query(result) == {
        "diploma": (
            diploma,
            (
                "/type",
                f"{ACHIEVEMENT}/achievementType",
                f"{ACHIEVEMENT}/name",
                f"{ACHIEVEMENT}/alignment/1",
            ),
        ),
        "first_aid": (first_aid, ("/type", f"{ACHIEVEMENT}/name", "/validUntil")),
    }
    assert all(m.limit_disclosure for m in result.matches)


def test_limit_disclosure_required_needs_selective_disclosure(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    _fill(wallet, signed(diploma_document()), selective(first_aid_document()))
    with pytest.raises(UnmetRequest) as caught:
        answer(wallet, PE, now=FIXED_NOW)
    assert caught.value.unmet == ("diploma",)
    assert "cannot be partially disclosed" in str(caught.value)
    definition = copy.deepcopy(PE["presentation_definition"])
    definition["input_descriptors"][0]["constraints"]["limit_disclosure"] = "preferred"
    result = answer(wallet, definition, now=FIXED_NOW)
    assert [m.query_id for m in result.matches] == ["diploma", "first_aid"]


def test_submission_requirements_pick_from_groups(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    _fill(wallet, selective(diploma_document()))
    definition = copy.deepcopy(PE["presentation_definition"])
    for descriptor in definition["input_descriptors"]:
        descriptor["group"] = ["A"]
    definition["submission_requirements"] = [
        {"name": "one", "rule": "pick", "count": 1, "from": "A"}
    ]
    result = answer(wallet, definition, now=FIXED_NOW)
    assert [m.query_id for m in result.matches] == ["diploma"]
    definition["submission_requirements"] = [{"name": "both", "rule": "all", "from": "A"}]
    with pytest.raises(UnmetRequest, match='requirement "both" cannot be met'):
        answer(wallet, definition, now=FIXED_NOW)
    definition["submission_requirements"] = [
        {
            "rule": "pick",
            "min": 1,
            "from_nested": [
                {"rule": "all", "from": "A"},
                {"rule": "pick", "count": 1, "from": "A"},
            ],
        }
    ]
    assert [m.query_id for m in answer(wallet, definition, now=FIXED_NOW).matches] == ["diploma"]


def test_an_unmet_descriptor_is_named(tmp_path: Path) -> None:
    wallet = new_wallet(tmp_path)
    _fill(wallet, selective(diploma_document()))
    with pytest.raises(UnmetRequest) as caught:
        answer(wallet, PE, now=FIXED_NOW)
    assert caught.value.unmet == ("first_aid",)
    assert 'input descriptor "first_aid"' in str(caught.value)
    assert "without a value matching field training" in str(caught.value)


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (lambda d: d.pop("id"), "/id"),
        (
            lambda d: d["input_descriptors"][0]["constraints"]["fields"][0].update(path=["a.b"]),
            "/input_descriptors/0/constraints/fields/0/path/0",
        ),
        (
            lambda d: d["input_descriptors"][0]["constraints"]["fields"][0].update(
                path=["$.a[?(@.b)]"]
            ),
            "/input_descriptors/0/constraints/fields/0/path/0",
        ),
        (
            lambda d: d["input_descriptors"][0]["constraints"]["fields"][0].update(
                filter={"type": 12}
            ),
            "/input_descriptors/0/constraints/fields/0/filter",
        ),
        (
            lambda d: d["input_descriptors"][0]["constraints"]["fields"][0].update(
                predicate="required"
            ),
            "/input_descriptors/0/constraints/fields/0/predicate",
        ),
        (
            lambda d: d["input_descriptors"][0]["constraints"].update(limit_disclosure="always"),
            "/input_descriptors/0/constraints/limit_disclosure",
        ),
        (lambda d: d["input_descriptors"][1].update(id="diploma"), "/input_descriptors"),
    ],
)
def test_malformed_definitions_are_refused_with_a_pointer(
    held: tuple[Wallet, list[str]], change: Any, pointer: str
) -> None:
    definition = copy.deepcopy(PE["presentation_definition"])
    change(definition)
    with pytest.raises(InputError) as caught:
        answer(held[0], definition, now=FIXED_NOW)
    assert caught.value.pointer == pointer


def test_jsonpath_subset() -> None:
    document = {"a": {"b": [{"c": 1}, {"c": 2, "d": "x"}]}, "x y": {"c": 5}, "t": ["V", "O"]}

    def pointers(path: str) -> list[str]:
        return [f.pointer for f in JsonPath.parse(path).find(document)]

    assert pointers("$.a.b[*].c") == ["/a/b/0/c", "/a/b/1/c"]
    assert pointers("$['a'][\"b\"][1]") == ["/a/b/1"]
    assert pointers("$..c") == ["/a/b/0/c", "/a/b/1/c", "/x y/c"]
    assert pointers("$.t[-1]") == ["/t/1"]
    assert pointers("$['x y'].c") == ["/x y/c"]
    assert pointers("$['a','t']") == ["/a", "/t"]
    assert pointers("$.*") == ["/a", "/x y", "/t"]
    assert pointers("$..b[0]") == ["/a/b/0"]
    assert pointers("$.nothing.here") == []
    assert pointers("$") == [""]
    for bad in ("a.b", "$.", "$['a'", "$.a[1:2]", "$.a[?(@.x)]", "$.a[b]", "$x"):
        with pytest.raises(InputError):
            JsonPath.parse(bad)


# --- fuzz: only our errors escape ------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


def _leaf_paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [path] + [p for k, v in value.items() for p in _leaf_paths(v, (*path, k))]
    if isinstance(value, list):
        return [path] + [p for i, v in enumerate(value) for p in _leaf_paths(v, (*path, i))]
    return [path]


@pytest.fixture(scope="module")
def fuzz_wallet(tmp_path_factory: pytest.TempPathFactory) -> Wallet:
    wallet = new_wallet(tmp_path_factory.mktemp("fuzz"))
    _fill(wallet, selective(diploma_document()), signed(first_aid_document()))
    return wallet


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_request_gives_an_answer_or_our_error(fuzz_wallet: Wallet, data: st.DataObject) -> None:
    base = data.draw(st.sampled_from([DCQL, PE, PE["presentation_definition"]]))
    request = copy.deepcopy(base)
    path = data.draw(st.sampled_from(_leaf_paths(request)[1:]))
    target: Any = request
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = data.draw(_JSON)
    with contextlib.suppress(PasseportError):
        answer(fuzz_wallet, request, now=FIXED_NOW)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="$.[]*'\",?:()-0123456789ab \\", max_size=16))
def test_any_jsonpath_parses_or_is_refused(text: str) -> None:
    try:
        path = JsonPath.parse(text)
    except InputError:
        return
    path.find({"a": [{"b": 1}], "0": {"1": [2]}})
