"""Compaction with its caches gives exactly pyld's compaction, whatever the document (issue 17).

Compaction (:func:`contexts.expand.compact`) remembers processed contexts,
inverse contexts and the compaction of IRIs that depend on the active
context only, and skips pyld's walk of every term definition for a node id
that no compact IRI can come of (``contexts/_pyld.py``, ``_CachedCompaction``).
These tests compare it with pyld's own compaction, remembering nothing (and
with the round-trip naming alone, for selective disclosure), on many
generated credentials and expanded forms: the result, or the kind of error,
must be the same. They also check that a cached context is never handed to
another loader, or for a context changed in place, and that threads sharing
the caches get what each alone would.
"""

from __future__ import annotations

import copy
import json
import threading
from importlib import resources
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passeport.contexts import _pyld, bundled_loader
from passeport.contexts.expand import compact, expand
from passeport.contexts.loader import DocumentLoader
from passeport.errors import PasseportError
from passeport.proofs import sd_primitives as sd
from tests.conftest import DBJS, load_json
from tests.contexts._paths import leaves as _leaves
from tests.contexts._paths import set_at as _set

DIPLOMA: Final = json.loads(
    resources.files("passeport").joinpath("samples", "diploma.json").read_text("utf-8")
)
CASES: Final = [
    case["unsigned"] for case in load_json(DBJS / "differential" / "cases.json")["cases"]
]
LOADER: Final = bundled_loader()

# Node ids and values that compact differently: terms, compact IRIs (xsd:, schema:),
# IRIs a prefix starts, prefix look-alikes, relative and blank-node ids, keywords.
IDS: Final = (
    "did:example:camille",
    "urn:uuid:9a1f1c7e-0000-4000-8000-000000000001",
    "https://example.edu/credentials/3732",
    "http://www.w3.org/2001/XMLSchema#string",
    "http://www.w3.org/2001/XMLSchema#",
    "https://schema.org/name",
    "https://www.w3.org/2018/credentials#issuer",
    "https://www.w3.org/2018/credentials#",
    "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement",
    "https://w3id.org/security#proof",
    "xsd:string",
    "xsd:",
    "schema:name",
    "cred:issuer",
    "ob:x",
    "id:x",
    "type:x",
    "name",
    "Achievement",
    "_:b0",
    "urn:bnid:_abc_0",
    "relative/path",
    "#fragment",
    "",
    "@id",
    "@type",
    "@foo",
    "mailto:camille@example.org",
    "https://example.org/ns#thing",
    "https://example.org/ns#",
    "ex:thing",
    "sch:name",
)
PREFIXES: Final = {"ex": "https://example.org/ns#", "sch": "https://schema.org/"}
TEXTS: Final = ("Camille", "", "Développeur", "xsd:string", "did:example:x", "a\nb", "😀")


def _reference(document_context: Any, expanded: Any, *, round_trip: bool) -> Any:
    """pyld's compaction with nothing remembered, on a loader of its own: result or error kind."""
    options = {**DocumentLoader().pyld_options(), "skipExpansion": True}
    processor = _pyld.RoundTripNaming() if round_trip else _pyld.PlainProcessor()
    try:
        return "ok", processor.compact(copy.deepcopy(expanded), document_context, options)
    except Exception as exc:  # compared by kind with the cached run
        return "error", type(exc).__name__


def _cached(document_context: Any, expanded: Any, *, round_trip: bool) -> Any:
    options = LOADER.pyld_options()
    try:
        result = _pyld.compact(
            copy.deepcopy(expanded), document_context, options, round_trip=round_trip
        )
    except Exception as exc:
        return "error", type(exc).__name__
    return "ok", result


def _same_as_pyld(document_context: Any, expanded: Any) -> None:
    for round_trip in (False, True):
        expected = _reference(document_context, expanded, round_trip=round_trip)
        # Twice: the second run is served from the caches the first one filled.
        assert _cached(document_context, expanded, round_trip=round_trip) == expected
        assert _cached(document_context, expanded, round_trip=round_trip) == expected


def _node_ids(expanded: Any) -> list[dict[str, Any]]:
    """Every node object of an expanded form (dicts with an @id, no @value)."""
    found = []
    stack = [expanded]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if "@id" in item and "@value" not in item:
                found.append(item)
            stack.extend(v for k, v in item.items() if k != "@id")
    return found


@pytest.mark.parametrize("document", [DIPLOMA, *CASES], ids=lambda d: str(d.get("id", "doc")))
def test_known_documents_compact_as_pyld_does(document: Any) -> None:
    try:
        expanded = expand(document, LOADER).expanded
    except PasseportError:
        return  # refused by safe mode: never compacted
    _same_as_pyld(document["@context"], expanded)
    _same_as_pyld(document["@context"], sd.skolemize_expanded(expanded, random="r"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_credentials_compact_as_pyld_does(data: st.DataObject) -> None:
    base = data.draw(st.sampled_from([DIPLOMA, *CASES]))
    document = copy.deepcopy(base)
    if data.draw(st.booleans()):  # prefixes: compact IRIs and prefix look-alikes
        document["@context"] = [*document["@context"], PREFIXES]
    paths = _leaves(document)
    for path in (
        data.draw(st.lists(st.sampled_from(paths), max_size=4, unique=True)) if paths else []
    ):
        _set(document, path, data.draw(st.sampled_from(IDS + TEXTS)))
    try:
        expanded = expand(document, LOADER).expanded
    except PasseportError:
        return
    skolemized = sd.skolemize_expanded(expanded, random=data.draw(st.sampled_from(["r", "x_1"])))
    _same_as_pyld(document["@context"], skolemized)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_expanded_forms_with_any_node_id_compact_as_pyld_does(data: st.DataObject) -> None:
    """Node ids written straight into the expanded form: compact IRIs, prefix errors, keywords."""
    context: Any = data.draw(
        st.sampled_from([DIPLOMA["@context"], [*DIPLOMA["@context"], PREFIXES]])
    )
    document = {**DIPLOMA, "@context": context}
    expanded = sd.skolemize_expanded(expand(document, LOADER).expanded, random="r")
    nodes = _node_ids(expanded)
    for node in data.draw(st.lists(st.sampled_from(nodes), min_size=1, max_size=3)):
        node["@id"] = data.draw(st.sampled_from(IDS) | st.text(max_size=12))
    _same_as_pyld(context, expanded)


def test_a_loader_never_gets_another_loaders_contexts() -> None:
    """The same context URL served differently by two loaders: each compaction uses its own."""
    url = "https://example.org/ctx"
    first = bundled_loader({url: {"@context": {"name": "https://example.org/a#name"}}})
    second = bundled_loader({url: {"@context": {"name": "https://example.org/b#name"}}})
    expanded = [{"https://example.org/a#name": [{"@value": "x"}]}]
    assert compact(expanded, url, first) == {"@context": url, "name": "x"}
    # Without the loader in the cache key, "name" would come back from the first loader.
    assert compact(expanded, url, second) == {
        "@context": url,
        "https://example.org/a#name": "x",
    }


def test_a_context_changed_in_place_is_processed_again() -> None:
    context: Any = [{"name": "https://example.org/a#name"}]
    expanded = [{"https://example.org/a#name": [{"@value": "x"}]}]
    assert compact(expanded, context, LOADER)["name"] == "x"
    context[0]["name"] = "https://example.org/b#name"
    again = compact(expanded, context, LOADER)
    assert "name" not in again
    assert again["https://example.org/a#name"] == "x"


def test_threads_sharing_the_caches_compact_as_each_alone() -> None:
    documents = []
    for index in range(24):
        document = copy.deepcopy([DIPLOMA, *CASES][index % (1 + len(CASES))])
        if "credentialSubject" in document and isinstance(document["credentialSubject"], dict):
            document["credentialSubject"]["name"] = f"Personne {index}"
        try:
            expanded = expand(document, LOADER).expanded
        except PasseportError:
            continue
        documents.append((document["@context"], sd.skolemize_expanded(expanded, random=str(index))))
    expected = [_reference(ctx, exp, round_trip=True) for ctx, exp in documents]
    found: list[list[Any]] = [[] for _ in range(4)]

    def work(slot: int) -> None:
        for _ in range(5):
            found[slot].append([_cached(ctx, exp, round_trip=True) for ctx, exp in documents])

    threads = [threading.Thread(target=work, args=(slot,)) for slot in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for results in found:
        assert results and all(run == expected for run in results)


def test_compact_iris_and_prefix_errors_come_out_as_in_pyld() -> None:
    """Ids a prefix starts (a compact IRI) or that look like one (pyld's error) take pyld's way."""
    context: Any = [*DIPLOMA["@context"], PREFIXES]
    options = LOADER.pyld_options()
    processor = _pyld.PlainProcessor()
    active = processor.process_context(processor._get_initial_context(options), context, options)
    iris, prefixes = _pyld._curie_filter(active) or ((), ())
    assert "https://example.org/ns#" in iris
    assert "ex:" in prefixes
    entry = _pyld._entry(active)
    assert _pyld._as_document_iri(entry, "https://example.org/ns#x", None) is _pyld._UNSET
    assert _pyld._as_document_iri(entry, "ex:x", None) is _pyld._UNSET
    assert _pyld._as_document_iri(entry, "did:example:x", None) == "did:example:x"
    expanded = expand({**DIPLOMA, "@context": context}, LOADER).expanded
    expanded[0]["@id"] = "https://example.org/ns#thing"
    assert compact(expanded, context, LOADER)["id"] == "ex:thing"
    _same_as_pyld(context, expanded)
    expanded[0]["@id"] = "ex:thing"
    assert _cached(context, expanded, round_trip=False) == ("error", "JsonLdError")
    _same_as_pyld(context, expanded)
