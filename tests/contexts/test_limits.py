"""Resource limits before the expensive work (issue 11): documents, node maps, canonicalization.

Each attack is kept with the time it took before: a 126 KB credential whose
subject held 14,000 tags took 36 s in JSON-LD expansion; a two-star graph of
blank nodes was refused by RDFC-1.0 only after 4.4 s (43 KiB); a chain of
look-alike blank nodes ended in a RecursionError.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import random
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld
from pyld.canon import URDNA2015

from passeport.contexts import _pyld, bundled_loader, canonicalize, canonicalize_nquads, expand
from passeport.contexts.limits import DEFAULT_LIMITS, DocumentLimits, check_document
from passeport.errors import ContextError, InputError
from tests.conftest import DBJS, ROOT, SHARED, load_json

LOADER = bundled_loader()
DIPLOMA = load_json(DBJS / "inputs" / "diploma-ob3-v2.json")


def _with_tags(count: int) -> dict[str, Any]:
    document = copy.deepcopy(DIPLOMA)
    document["credentialSubject"]["achievement"]["tag"] = [f"tag {i}" for i in range(count)]
    return document


# --- the document, measured before JSON-LD -------------------------------------------


def test_the_126_kb_credential_that_took_36_s_is_refused_in_milliseconds() -> None:
    document = _with_tags(14_000)
    assert len(json.dumps(document)) > 126_000
    started = time.perf_counter()
    with pytest.raises(InputError) as refused:
        canonicalize(document, LOADER, where="big.json")
    assert time.perf_counter() - started < 0.5  # 36 s before
    assert refused.value.pointer == "/credentialSubject/achievement/tag"
    assert str(refused.value).startswith(
        "big.json: /credentialSubject/achievement/tag: an array of 14000 items, more than 1000"
    )


@pytest.mark.parametrize(
    ("limits", "document", "pointer", "reason"),
    [
        (DocumentLimits(max_depth=3), {"a": {"b": {"c": {"d": 1}}}}, "/a/b/c", "nest more than 3"),
        (DocumentLimits(max_items=2), {"a": [1, 2, 3]}, "/a", "an array of 3 items"),
        (DocumentLimits(max_items=2), {"a": {"x": 1, "y": 2, "z": 3}}, "/a", "an object of 3"),
        (DocumentLimits(max_values=4), {"a": [1, 2], "b": [3, 4]}, "/b", "more than 4 values"),
        (DocumentLimits(max_string=3), {"a": ["ok", "long"]}, "/a/1", "a string of 4"),
        (DocumentLimits(max_name=3), {"a~/b": 1}, "", "a member name of 4"),
        (DocumentLimits(max_text=5), {"ab": "cd", "ef": "gh"}, "", "more than 5 characters"),
    ],
)
def test_each_limit_is_refused_naming_its_pointer(
    limits: DocumentLimits, document: dict[str, Any], pointer: str, reason: str
) -> None:
    with pytest.raises(InputError) as refused:
        check_document(document, limits=limits, where="d.json")
    assert refused.value.pointer == pointer
    assert reason in refused.value.message
    assert refused.value.message.endswith("(refused before JSON-LD processing)")


def test_a_pointer_escapes_its_tokens() -> None:
    with pytest.raises(InputError) as refused:
        check_document({"a/b": {"~": [1, 2]}}, limits=DocumentLimits(max_items=1))
    assert refused.value.pointer == "/a~1b/~0"


def test_every_credential_of_the_test_data_and_examples_is_within_the_limits() -> None:
    files = [*SHARED.rglob("*.json"), *(ROOT / "examples").rglob("*.json")]
    assert len(files) > 100
    for path in files:
        check_document(load_json(path), where=str(path))


def test_a_status_list_of_a_million_random_entries_is_within_the_limits() -> None:
    # 1,000,000 bits that do not compress: an encodedList of about 170 KB.
    bits = random.Random(11).randbytes(125_000)
    encoded = "u" + base64.urlsafe_b64encode(gzip.compress(bits)).decode().rstrip("=")
    assert len(encoded) > 165_000
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "https://univ.example/status/1",
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:web:univ.example",
        "validFrom": "2025-07-01T00:00:00Z",
        "credentialSubject": {
            "id": "https://univ.example/status/1#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    }
    assert encoded in canonicalize(document, LOADER).nquads


def test_a_large_open_badge_is_within_the_limits_and_quick() -> None:
    document = copy.deepcopy(DIPLOMA)
    achievement = document["credentialSubject"]["achievement"]
    achievement["alignment"] = [
        {
            "type": ["Alignment"],
            "targetName": f"Compétence {i}",
            "targetUrl": f"https://competences.example/{i}",
            "targetFramework": "RNCP",
        }
        for i in range(300)
    ]
    achievement["tag"] = [f"tag {i}" for i in range(200)]
    document["credentialSubject"]["result"] = [
        {"type": ["Result"], "value": f"{i % 20}/20"} for i in range(150)
    ]
    started = time.perf_counter()
    canonical = canonicalize(document, LOADER)
    assert time.perf_counter() - started < 5.0
    assert canonical.nquads.count("Compétence") == 300


def test_the_defaults_are_those_documented() -> None:
    assert DocumentLimits() == DEFAULT_LIMITS
    assert (DEFAULT_LIMITS.max_depth, DEFAULT_LIMITS.max_items) == (32, 1_000)
    assert DEFAULT_LIMITS.max_string >= 4 * 1024 * 1024


def test_expand_measures_before_pyld() -> None:
    with pytest.raises(InputError, match="an array of 14000 items"):
        expand(_with_tags(14_000), LOADER)


# --- pyld's node map, without its quadratic duplicate check ----------------------------


def test_values_merged_into_one_node_are_not_compared_pairwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ten copies of one achievement (same id), 900 tags each: 9,000 values of one property
    # of one node. pyld compared each with all before it (40 million comparisons, minutes).
    document = copy.deepcopy(DIPLOMA)
    achievement = document["credentialSubject"]["achievement"]
    document["credentialSubject"]["achievement"] = [
        dict(achievement, tag=[f"t{copy_}-{i}" for i in range(900)]) for copy_ in range(10)
    ]
    calls = 0
    compare = jsonld.JsonLdProcessor.compare_values

    def counted(first: Any, second: Any) -> bool:
        nonlocal calls
        calls += 1
        if calls > 100_000:
            raise AssertionError("the node map compares values pairwise")
        return bool(compare(first, second))

    monkeypatch.setattr(jsonld.JsonLdProcessor, "compare_values", staticmethod(counted))
    canonical = canonicalize(document, LOADER)
    assert canonical.nquads.count("t9-899") == 1


SCALARS = st.one_of(
    st.sampled_from([0, 1, 1.0, True, False, None, "1", "", "a", 2.5, -0.0, 0.0]),
    st.integers(-3, 3),
    st.text(max_size=2),
)


def _node_map_values() -> st.SearchStrategy[Any]:
    value_object = st.fixed_dictionaries(
        {"@value": SCALARS},
        optional={
            "@type": st.sampled_from(["https://e/t", "https://e/u"]),
            "@language": st.sampled_from(["fr", "en"]),
            "@index": st.sampled_from(["i", "j"]),
            "@direction": st.sampled_from(["ltr"]),
        },
    )
    json_value = st.fixed_dictionaries(
        {"@value": st.lists(SCALARS, max_size=2), "@type": st.just("@json")}
    )
    reference = st.fixed_dictionaries({"@id": st.sampled_from(["_:b0", "_:b1", "https://e/x"])})
    listed = st.fixed_dictionaries({"@list": st.lists(reference, max_size=2)})
    return st.one_of(SCALARS, value_object, json_value, reference, listed, st.just({}))


@settings(max_examples=300, deadline=None)
@given(values=st.lists(_node_map_values(), max_size=12), repeat=st.integers(0, 3))
def test_the_indexed_node_map_keeps_exactly_what_pyld_keeps(values: list[Any], repeat: int) -> None:
    values = values + values[:repeat] + [copy.deepcopy(v) for v in values[:repeat]]
    options = {"propertyIsArray": True, "allowDuplicate": False}
    ours: dict[str, Any] = {}
    theirs: dict[str, Any] = {}
    indexed = _pyld._NodeMapValues()
    for value in values:
        indexed.add_value(ours, "p", value, dict(options))
        jsonld.JsonLdProcessor.add_value(theirs, "p", value, dict(options))
    assert len(ours.get("p", [])) == len(theirs.get("p", []))
    assert all(a is b for a, b in zip(ours.get("p", []), theirs.get("p", []), strict=True))


# --- RDFC-1.0: the work is bounded by what it costs ------------------------------------


def _two_star(leaves: int) -> str:
    return "".join(f"_:l{i} <http://e/p> _:h{h} .\n" for i in range(leaves) for h in (0, 1))


@pytest.mark.parametrize("leaves", [8, 100, 800, 1400])
def test_a_two_star_graph_is_refused_well_under_a_second(leaves: int) -> None:
    nquads = _two_star(leaves)  # 800 leaves: the 43 KiB that took 4.4 s
    started = time.thread_time()
    with pytest.raises(ContextError, match="poison graph"):
        canonicalize_nquads(nquads)
    assert time.thread_time() - started < 1.0


def test_a_two_star_graph_written_in_json_ld_is_refused_quickly() -> None:
    document = {
        "@context": {"p": {"@id": "https://e.org/p", "@type": "@id"}},
        "@graph": [{"@id": f"_:l{i}", "p": ["_:h0", "_:h1"]} for i in range(800)],
    }
    started = time.thread_time()
    with pytest.raises(ContextError, match="poison graph"):
        canonicalize(document, LOADER)
    assert time.thread_time() - started < 1.5


def test_the_work_units_refuse_before_the_clock_does() -> None:
    # Deterministic: the same graph is refused on any machine, by its units.
    dataset = _pyld.dataset_from_nquads(_two_star(8))
    with pytest.raises(_pyld.WorkLimitExceeded, match="steps"):
        _pyld.canonicalize_dataset(dataset, hash_name="sha256", work_limit=200_000, time_limit=None)


def test_the_time_limit_is_a_backstop() -> None:
    dataset = _pyld.dataset_from_nquads(_two_star(8))
    with pytest.raises(_pyld.WorkLimitExceeded, match="time"):
        _pyld.canonicalize_dataset(dataset, hash_name="sha256", work_limit=10**12, time_limit=0.02)


def test_a_chain_of_look_alike_blank_nodes_is_refused_not_a_recursion_error() -> None:
    chain = "".join(f"_:b{i} <http://e/p> _:b{i + 1} .\n" for i in range(1_000))
    started = time.thread_time()
    with pytest.raises(ContextError, match="nesting limit"):
        canonicalize_nquads(chain)
    assert time.thread_time() - started < 1.0


def test_short_chains_and_small_symmetric_graphs_still_canonicalize() -> None:
    chain = "".join(f"_:b{i} <http://e/p> _:b{i + 1} .\n" for i in range(40))
    assert canonicalize_nquads(chain).nquads.count("_:c14n") == 80
    assert canonicalize_nquads(_two_star(5)).nquads.count("\n") == 10


def _plain_rdfc(nquads: str) -> str:
    """pyld's own URDNA2015, unbounded, with its deepcopy of issuers."""
    dataset = _pyld.dataset_from_nquads(nquads)
    return str(URDNA2015().main(dataset, {"format": "application/n-quads"}))


@settings(max_examples=60, deadline=None)
@given(
    edges=st.lists(
        st.tuples(st.integers(0, 5), st.sampled_from("pq"), st.integers(0, 5)),
        min_size=1,
        max_size=9,
    )
)
def test_the_bounded_algorithm_gives_pyld_s_output_byte_for_byte(
    edges: list[tuple[int, str, int]],
) -> None:
    nquads = "".join(f"_:n{s} <http://e/{p}> _:n{o} .\n" for s, p, o in edges)
    ours = canonicalize_nquads(nquads, work_limit=10**9, time_limit=None).nquads
    assert ours == _plain_rdfc(nquads)


def test_rdfc_s_own_example_of_n_degree_hashing_is_unchanged() -> None:
    # https://www.w3.org/TR/rdf-canon/ example: two look-alike pairs of blank nodes.
    nquads = (
        "_:e0 <http://example.com/#p1> _:e1 .\n"
        '_:e1 <http://example.com/#p2> "Foo" .\n'
        "_:e2 <http://example.com/#p1> _:e3 .\n"
        '_:e3 <http://example.com/#p2> "Foo" .\n'
    )
    assert canonicalize_nquads(nquads).nquads == _plain_rdfc(nquads)
