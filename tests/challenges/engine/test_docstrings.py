"""The Examples sections of the engine's docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["affinity", "assignment", "calibration", "reliability", "rounding"]


@pytest.mark.parametrize("name", MODULES)
def test_it_runs_the_docstring_examples(name):
    module = importlib.import_module(f"kientao.challenges.engine.{name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
