import doctest
import importlib
import pkgutil

import pytest

import kientao.conversations.engine as engine

MODULES = [m.name for m in pkgutil.iter_modules(engine.__path__)]


@pytest.mark.parametrize("name", MODULES)
def test_it_keeps_docstring_examples_true(name):
    module = importlib.import_module(f"kientao.conversations.engine.{name}")
    failures, _ = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0
