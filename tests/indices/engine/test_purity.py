"""The engine must not import Django."""

from __future__ import annotations

import subprocess
import sys


def test_it_imports_the_engine_and_cli_without_django() -> None:
    code = (
        "import pkgutil, importlib, sys\n"
        "import kientao.indices.engine as e\n"
        "for m in pkgutil.iter_modules(e.__path__):\n"
        "    importlib.import_module('kientao.indices.engine.' + m.name)\n"
        "import kientao.indices.cli\n"
        "assert 'django' not in sys.modules, 'django imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
