"""Expansion plans give exactly pyld's expansion, whatever the values (issue 17).

A plan is made from one document and reused for every document of the same
key (:mod:`passeport.contexts._plans`). These tests make a plan from one
credential, then expand many others of the same shape whose values are
changed in every way a value can change what expansion does (terms, compact
IRIs, relative IRIs, blank nodes, keywords, types, placeholder look-alikes),
and compare with pyld's own expansion of each, without plans: the expanded
form, the dropped terms and the error must be the same.
"""

from __future__ import annotations

import copy
import json
import random
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passeport.contexts import _plans, _pyld
from passeport.contexts.expand import expand as safe_expand
from passeport.contexts.loader import DocumentLoader
from passeport.errors import PasseportError
from tests.contexts._paths import leaves as _leaves
from tests.contexts._paths import set_at as _set

DIPLOMA: Final = json.loads(
    resources.files("passeport").joinpath("samples", "diploma.json").read_text("utf-8")
)
V2: Final = "https://www.w3.org/ns/credentials/v2"
PROBE: Final = "x-passeport-probe-4d1c:"

# Values that each make IRI expansion, value expansion or type scoping act differently.
TRICKY: Final = (
    "Camille Martin",
    "",
    "did:example:camille",
    "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "https://example.edu/credentials/3732",
    "urn:uuid:9a1f1c7e-0000-4000-8000-000000000001",
    "http://example.org",
    "xsd:string",
    "xsd:dateTime",
    "schema:name",
    "cred:issuer",
    "sec:proof",
    "VerifiableCredential",
    "OpenBadgeCredential",
    "Achievement",
    "AchievementSubject",
    "Profile",
    "name",
    "id",
    "type",
    "_:b0",
    "_:c14n3",
    "relative/path",
    "#fragment",
    "a b:c",
    "https://exa mple.org/",
    'https://example.org/<x>"',
    "@id",
    "@type",
    "@vocab",
    "@foo",
    "did:",
    ":nothing",
    "mailto:camille@example.org",
    PROBE + "0",
    PROBE + "x",
    "2025-07-01T00:00:00Z",
    "fr",
    "en-GB",
)


# Values that keep a document's key when they replace a plain text or a DID.
BENIGN: Final = (
    "Alice",
    "Bob Martin",
    "did:example:zz",
    "https://example.org/a",
    "urn:uuid:9a1f1c7e-0000-4000-8000-000000000002",
    "2020-01-01T00:00:00Z",
    "",
)


def _plain(document: Any, loader: DocumentLoader) -> tuple[str, Any, list[str | None]]:
    """pyld's own expansion (no plan): ("ok", expanded, dropped) or ("error", type, [])."""
    options = loader.pyld_options()
    options["contextResolver"].plans = None
    dropped: list[str | None] = []
    try:
        return "ok", _pyld.expand(copy.deepcopy(document), options, dropped.append), dropped
    except Exception as exc:  # compared by kind with the planned run
        return "error", type(exc), []


def _planned(document: Any, loader: DocumentLoader) -> tuple[str, Any, list[str | None]]:
    dropped: list[str | None] = []
    try:
        expanded = _pyld.expand(document, loader.pyld_options(), dropped.append)
    except Exception as exc:
        return "error", type(exc), []
    return "ok", expanded, dropped


def _credential(subject_id: str, name: str) -> dict[str, Any]:
    document = copy.deepcopy(DIPLOMA)
    document["credentialSubject"]["id"] = subject_id
    document["credentialSubject"]["name"] = name
    return document


def test_a_plan_is_made_then_used_for_documents_of_the_same_shape() -> None:
    loader = DocumentLoader()
    plans = loader.pyld_options()["contextResolver"].plans
    first = _credential("did:example:a", "Alice")
    assert _planned(first, loader) == _plain(first, loader)
    assert len(plans._plans) == 0  # a shape seen once is not learnt (one-off shapes cost 1x)
    second = _credential("did:example:b", "Bob")
    assert _planned(second, loader) == _plain(second, loader)
    assert len(plans._plans) == 1  # the second document of a shape makes the plan
    for n in range(20):
        other = _credential(f"did:example:p{n}", f"Personne {n}")
        assert _planned(other, loader) == _plain(other, loader)
    assert len(plans._plans) == 1  # and every later one uses it


def test_the_document_is_left_as_it_was() -> None:
    loader = DocumentLoader()
    for n in range(3):
        document = _credential(f"did:example:p{n}", f"Personne {n}")
        before = copy.deepcopy(document)
        _planned(document, loader)
        assert document == before


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_value_anywhere_expands_as_pyld_does(data: st.DataObject) -> None:
    loader = DocumentLoader()
    seed = _credential("did:example:seed", "Seed")
    _planned(seed, loader)  # the plan of the unchanged shape
    paths = _leaves(seed)
    for _ in range(3):
        document = copy.deepcopy(seed)
        changes = data.draw(
            st.lists(
                st.tuples(
                    st.sampled_from(paths),
                    st.one_of(st.sampled_from(TRICKY), st.text(max_size=12)),
                ),
                min_size=1,
                max_size=4,
            )
        )
        for path, value in changes:
            _set(document, path, value)
        neighbour = copy.deepcopy(document)
        _set(neighbour, data.draw(st.sampled_from(paths)), data.draw(st.sampled_from(BENIGN)))
        _planned(neighbour, loader)  # its plan may be the document's
        assert _planned(document, loader) == _plain(document, loader), changes


@pytest.mark.parametrize("value", TRICKY)
def test_each_tricky_value_in_each_place_after_a_plan(value: str) -> None:
    loader = DocumentLoader()
    seed = _credential("did:example:seed", "Seed")
    _planned(seed, loader)
    for path in _leaves(seed):
        document = copy.deepcopy(seed)
        _set(document, path, value)
        assert _planned(document, loader) == _plain(document, loader), path


def test_types_that_bring_their_own_context_are_not_taken_from_the_plan() -> None:
    loader = DocumentLoader()
    seed = _credential("did:example:seed", "Seed")
    _planned(seed, loader)
    for types in (
        ["VerifiableCredential"],
        ["VerifiableCredential", "OpenBadgeCredential"],
        ["OpenBadgeCredential", "VerifiableCredential"],
        "VerifiableCredential",
        ["VerifiableCredential", "Achievement"],
    ):
        document = copy.deepcopy(seed)
        document["type"] = types
        assert _planned(document, loader) == _plain(document, loader), types
        document["credentialSubject"]["type"] = types
        assert _planned(document, loader) == _plain(document, loader), types


def test_a_term_dropped_or_an_error_is_reported_as_without_a_plan() -> None:
    loader = DocumentLoader()
    _planned(_credential("did:example:seed", "Seed"), loader)
    undefined = _credential("did:example:x", "X")
    undefined["credentialSubject"]["couleur"] = "bleu"
    with pytest.raises(PasseportError, match="couleur"):
        safe_expand(undefined, loader)
    relative = _credential("relative/id", "X")
    with pytest.raises(PasseportError, match="relative/id"):
        safe_expand(relative, loader)
    spaced = _credential("did:example:a b", "X")
    with pytest.raises(PasseportError, match="not an absolute IRI"):
        safe_expand(spaced, loader)
    bracketed = _credential("did:example:<a>", "X")
    with pytest.raises(PasseportError, match="N-Quads does not allow"):
        safe_expand(bracketed, loader)


def test_a_context_object_is_never_planned() -> None:
    loader = DocumentLoader()
    plans = loader.pyld_options()["contextResolver"].plans
    for n in range(3):
        document = {
            "@context": [V2, {"kind": "@type", "Thing": {"@id": "https://e.x/Thing"}}],
            "type": "VerifiableCredential",
            "credentialSubject": {"id": f"did:example:{n}", "kind": "Thing"},
        }
        assert _planned(document, loader) == _plain(document, loader)
    assert len(plans._plans) == 0


def test_plans_made_by_a_neighbour_give_pyld_s_expansion() -> None:
    """A document expanded through the plan that a slightly different one made.

    Each pair shares its tricky values and differs in one to three plain ones:
    the first makes the plan of their key (when they share it), the second is
    filled from it. The run must use plans many times (counted), and every
    expansion must equal pyld's.
    """
    rng = random.Random(17)
    seed = _credential("did:example:seed", "Seed")
    paths = _leaves(seed)
    loader = DocumentLoader()
    plans = loader.pyld_options()["contextResolver"].plans
    for _ in range(400):
        document = copy.deepcopy(seed)
        for _ in range(rng.randint(0, 3)):
            _set(document, rng.choice(paths), rng.choice(TRICKY))
        neighbour = copy.deepcopy(document)
        for _ in range(rng.randint(1, 3)):
            _set(neighbour, rng.choice(paths), rng.choice(BENIGN))
        _planned(neighbour, loader)
        assert _planned(document, loader) == _plain(document, loader)
    assert plans.filled > 200, plans.filled  # not vacuous: most came from a plan


def test_a_filled_plan_still_checks_each_id_it_was_given() -> None:
    loader = DocumentLoader()
    plans = loader.pyld_options()["contextResolver"].plans
    safe_expand(_credential("did:example:seed", "Seed"), loader)
    safe_expand(_credential("did:example:seed2", "Seed"), loader)
    before = plans.filled
    bracketed = _credential("did:example:<a>", "X")  # absolute for pyld: filled from the plan
    with pytest.raises(PasseportError, match="N-Quads does not allow") as caught:
        safe_expand(bracketed, loader)
    assert plans.filled == before + 1
    assert caught.value.pointer == "/credentialSubject/id"


def test_issuer_dependent_terms_are_reported_for_every_filled_document() -> None:
    loader = DocumentLoader()
    plans = loader.pyld_options()["contextResolver"].plans
    found = []
    for n in range(4):
        document = {
            "@context": [V2, "https://www.w3.org/ns/credentials/undefined-terms/v2"],
            "type": "VerifiableCredential",
            "issuer": "did:example:issuer",
            "credentialSubject": {"id": f"did:example:{n}", "couleur": f"bleu {n}"},
        }
        found.append(safe_expand(document, loader).warnings)
    assert plans.filled == 2  # the first two: seen, then learnt
    assert found[0] == found[1] == found[2] == found[3]
    assert found[0][0].startswith('/credentialSubject/couleur: term "couleur"')


def test_a_placeholder_look_alike_never_makes_a_plan_but_is_filled_as_any_text() -> None:
    loader = DocumentLoader()
    plans = loader.pyld_options()["contextResolver"].plans
    look_alike = _credential("did:example:a", PROBE + "0")
    assert _planned(look_alike, loader) == _plain(look_alike, loader)
    assert len(plans._plans) == 0 and len(plans._kinds) == 0
    _planned(_credential("did:example:b", "B"), loader)  # the plan of this shape
    assert _planned(look_alike, loader) == _plain(look_alike, loader)
    assert plans.filled == 1


def test_member_names_that_are_not_text_are_never_planned() -> None:
    loader = DocumentLoader()
    plans = loader.pyld_options()["contextResolver"].plans
    for n in range(2):
        document: dict[Any, Any] = _credential(f"did:example:{n}", "N")
        document["credentialSubject"][0] = "zero"
        assert _planned(document, loader)[0] == _plain(document, loader)[0]
    assert plans.filled == 0


def test_threads_sharing_a_loader_each_get_their_own_document() -> None:
    loader = DocumentLoader()
    documents = [_credential(f"did:example:t{n}", f"Fil {n}") for n in range(64)]
    expected = [_plain(document, loader) for document in documents]

    def run(offset: int) -> list[bool]:
        return [
            _planned(documents[(offset + n) % 64], loader) == expected[(offset + n) % 64]
            for n in range(64)
        ]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, range(0, 64, 16)))
    assert all(all(found) for found in results)
    assert loader.pyld_options()["contextResolver"].plans.filled > 200


def test_every_cache_of_a_loader_holds_a_lock() -> None:
    loader = DocumentLoader()
    shared, by_id, processed, _ = loader._resolved
    for cache in (shared, by_id, processed, loader.canonical_forms):
        assert isinstance(cache, _pyld.SharedLRU)
    cache = _pyld.SharedLRU(maxsize=8)

    def churn(offset: int) -> int:
        for n in range(2_000):
            cache[(offset, n % 16)] = n
            cache.get((offset, (n * 7) % 16))
        return offset

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sorted(pool.map(churn, range(4))) == [0, 1, 2, 3]
    assert len(cache) <= 8


# --- RDF datasets filled from a plan --------------------------------------------------------


def _dataset(document: Any, loader: DocumentLoader, *, planned: bool) -> Any:
    options = loader.pyld_options()
    if not planned:
        options["contextResolver"].plans = None
    try:
        dataset, _, _ = _pyld.to_rdf(copy.deepcopy(document), options, lambda term: None)
    except Exception as exc:
        return type(exc)
    return dataset


def test_datasets_from_plans_are_pyld_s_triple_for_triple() -> None:
    """Filled triples equal pyld's, in pyld's order (labels and canonical form follow)."""
    rng = random.Random(20)
    loader = DocumentLoader()
    seed = _credential("did:example:seed", "Seed")
    paths = _leaves(seed)
    planned_fills = 0
    for _ in range(300):
        document = copy.deepcopy(seed)
        for _ in range(rng.randint(0, 3)):
            _set(document, rng.choice(paths), rng.choice(TRICKY + BENIGN))
        neighbour = copy.deepcopy(document)
        for _ in range(rng.randint(1, 2)):
            _set(neighbour, rng.choice(paths), rng.choice(BENIGN))
        _dataset(neighbour, loader, planned=True)
        _dataset(neighbour, loader, planned=True)
        found = _dataset(document, loader, planned=True)
        assert found == _dataset(document, loader, planned=False)
    for plan in loader.pyld_options()["contextResolver"].plans._plans.values():
        planned_fills += isinstance(getattr(plan, "memo", {}).get("dataset"), _plans.DatasetPlan)
    assert planned_fills > 5  # not vacuous: plans with their dataset plan were used


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda d: d["credentialSubject"].update(id=d["issuer"]["id"]), id="issuer-is-subject"
        ),
        pytest.param(lambda d: d.update(id=d["issuer"]["id"]), id="credential-id-is-issuer"),
        pytest.param(lambda d: d["credentialSubject"].update(name=d["name"]), id="equal-literals"),
        pytest.param(lambda d: d["credentialSubject"].update(id="_:b0"), id="blank-node-subject"),
        pytest.param(
            lambda d: d["credentialSubject"].update(id="https://www.w3.org/ns/credentials/v2"),
            id="a-constant-iri",
        ),
        pytest.param(lambda d: d.update(name=d["credentialSubject"]["id"]), id="an-id-as-text"),
    ],
)
def test_documents_whose_nodes_pyld_merges_are_converted_by_pyld(change: Any) -> None:
    loader = DocumentLoader()
    for n in range(3):  # the plan and its dataset plan
        _dataset(_credential(f"did:example:{n}", f"N {n}"), loader, planned=True)
    document = _credential("did:example:x", "X")
    if not isinstance(document.get("issuer"), dict):
        document["issuer"] = {"id": document.get("issuer", "did:example:issuer")}
    change(document)
    assert _dataset(document, loader, planned=True) == _dataset(document, loader, planned=False)


def test_canonical_forms_and_labels_are_the_same_with_plans() -> None:
    from passeport.contexts.rdfc import canonicalize

    planned, plain = DocumentLoader(), DocumentLoader()
    object.__setattr__(plain, "_resolved", (*plain._resolved[:3], None))
    for n in range(12):
        document = _credential(f"did:example:c{n}", f"Camille {n}")
        document["credentialSubject"]["achievement"]["name"] = f"Diplôme {n % 3}"
        mine, theirs = canonicalize(document, planned), canonicalize(document, plain)
        assert (mine.nquads, dict(mine.labels)) == (theirs.nquads, dict(theirs.labels))
    assert planned.pyld_options()["contextResolver"].plans.filled >= 10
