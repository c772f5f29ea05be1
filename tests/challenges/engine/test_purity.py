"""The challenges engine and CLI never import Django."""

from __future__ import annotations

import subprocess
import sys


def test_it_imports_the_engine_and_cli_without_django():
    code = (
        "import sys, pkgutil, importlib, kientao.challenges.engine as e\n"
        "for m in pkgutil.iter_modules(e.__path__):\n"
        "    importlib.import_module(f'kientao.challenges.engine.{m.name}')\n"
        "import kientao.challenges.cli\n"
        "assert 'django' not in sys.modules, 'django imported'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
