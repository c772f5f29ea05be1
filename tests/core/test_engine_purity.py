"""Engines are pure: importing every ``kientao.*.engine`` module loads no Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import importlib, pkgutil, sys
import kientao
names = []
for app in ("challenges", "conversations", "systemmaps", "indices"):
    try:
        pkg = importlib.import_module(f"kientao.{app}.engine")
    except ModuleNotFoundError:
        continue
    names.append(pkg.__name__)
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        importlib.import_module(info.name)
        names.append(info.name)
print(len(names))
print("django" in sys.modules)
"""


def test_it_imports_every_engine_without_django() -> None:
    result = subprocess.run([sys.executable, "-c", CODE], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    count, has_django = result.stdout.split()
    assert int(count) >= 4, "every capability has an engine package"
    assert has_django == "False"
