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
    "contexts",
    "contexts.expand",
    "did",
    "issuer._permutation",
    "issuer.issue",
    "issuer.profile",
    "issuer.statuslist",
    "issuer.templates",
    "verifier",
    "verifier.pipeline",
    "wallet",
    "wallet._cli_options",
    "wallet._records",
    "wallet._subjects",
]


@pytest.mark.parametrize("name", DOCTESTED)
def test_docstring_examples_run(name: str) -> None:
    failures, _ = doctest.testmod(importlib.import_module(name))
    assert failures == 0
