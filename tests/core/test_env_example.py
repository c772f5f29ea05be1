"""``.env.example`` lists every variable that the settings read."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_it_lists_every_setting_variable() -> None:
    source = (ROOT / "kientao" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env\w*\(\s*"([A-Z_]+)"', source))
    read |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z_]+)"', source))
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M))
    assert read, "the settings read variables"
    assert sorted(read - listed) == []
