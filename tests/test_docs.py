"""The examples of the README and of the docstrings run as doctests."""

from __future__ import annotations

import doctest
import importlib

import pytest

from tests.conftest import ROOT


def test_readme_examples_run() -> None:
    failures, tried = doctest.testfile(str(ROOT / "README.md"), module_relative=False)
    assert tried > 0 and failures == 0


DOCTESTED = [
    "passeport.i18n",
    "passeport.verifier.facts",
    "passeport.verifier.verdict",
    "passeport.contexts",
    "passeport.contexts.expand",
    "passeport.did",
    "passeport.issuer._permutation",
    "passeport.issuer.issue",
    "passeport.issuer.profile",
    "passeport.issuer.statuslist",
    "passeport.issuer.templates",
    "passeport.verifier",
    "passeport.verifier.cli",
    "passeport.verifier.pipeline",
    "passeport.wallet",
    "passeport.wallet._records",
    "passeport.wallet._subjects",
]


@pytest.mark.parametrize("name", DOCTESTED)
def test_docstring_examples_run(name: str) -> None:
    failures, _ = doctest.testmod(importlib.import_module(name))
    assert failures == 0
