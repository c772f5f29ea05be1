import subprocess
import sys


def test_it_imports_every_engine_module_without_django():
    code = (
        "import sys, pkgutil, importlib, kientao.conversations.engine as e\n"
        "for m in pkgutil.iter_modules(e.__path__):\n"
        "    importlib.import_module('kientao.conversations.engine.' + m.name)\n"
        "import kientao.conversations.cli\n"
        "assert 'django' not in sys.modules, 'django imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
