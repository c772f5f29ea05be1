"""Vietnamese is complete: no untranslated or fuzzy entry, the compiled catalogue matches,
browsers asking for Vietnamese get it, and dates and numbers are localised."""

from __future__ import annotations

import ast
import datetime as dt
import gettext
from pathlib import Path
from typing import Any

import pytest
from django.utils import formats, translation

PACKAGE = Path(__file__).resolve().parents[2] / "kientao"
LOCALE = PACKAGE / "locale" / "vi" / "LC_MESSAGES"
# The platform's catalogue, plus one per capability app that has strings of its own.
CATALOGUES = sorted(PACKAGE.glob("**/locale/vi/LC_MESSAGES/django.po"))


def parse_po(path: Path) -> list[dict[str, Any]]:
    """Entries of a .po file: msgid, msgid_plural, msgstr(s), flags (enough for our checks)."""
    entries: list[dict[str, Any]] = []
    entry: dict[str, Any] = {"flags": set(), "msgstr": {}}
    key: Any = None

    def flush() -> None:
        nonlocal entry
        if "msgid" in entry:
            entries.append(entry)
        entry = {"flags": set(), "msgstr": {}}

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            key = None
        elif line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural "):
            key = "msgid_plural"
            entry[key] = ast.literal_eval(line[13:])
        elif line.startswith("msgid "):
            key = "msgid"
            entry[key] = ast.literal_eval(line[6:])
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            key = ("msgstr", index)
            entry["msgstr"][index] = ast.literal_eval(line[line.index("]") + 2 :])
        elif line.startswith("msgstr "):
            key = ("msgstr", 0)
            entry["msgstr"][0] = ast.literal_eval(line[7:])
        elif line.startswith('"'):
            if isinstance(key, tuple):
                entry["msgstr"][key[1]] += ast.literal_eval(line)
            else:
                entry[key] += ast.literal_eval(line)
    flush()
    return [e for e in entries if e["msgid"] != ""]


def test_it_has_every_vietnamese_entry_translated_and_none_fuzzy() -> None:
    assert LOCALE / "django.po" in CATALOGUES
    assert len(parse_po(LOCALE / "django.po")) > 100
    for po in CATALOGUES:
        entries = parse_po(po)
        untranslated = [e["msgid"] for e in entries if not e["msgstr"] or not all(e["msgstr"].values())]
        fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
        assert untranslated == [], po
        assert fuzzy == [], po


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_it_ships_a_compiled_catalogue_that_matches_the_source(po: Path) -> None:
    with po.with_suffix(".mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for e in parse_po(po):
        if "msgid_plural" in e:
            assert catalogue.ngettext(e["msgid"], e["msgid_plural"], 1) == e["msgstr"][0]
        else:
            assert catalogue.gettext(e["msgid"]) == e["msgstr"][0], e["msgid"]


def test_it_answers_browsers_that_ask_for_vietnamese_in_vietnamese(client: Any, db: Any) -> None:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="vi-VN,vi;q=0.9,en;q=0.5").content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert '<html lang="en">' in html and "Sign in" in html


def test_it_localises_dates_and_numbers() -> None:
    day = dt.date(2026, 11, 29)
    with translation.override("vi"):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "29-11-2026"
        assert formats.number_format(1234.5, 1, use_l10n=True, force_grouping=True) == "1.234,5"
    with translation.override("en"):
        assert formats.number_format(1234.5, 1, use_l10n=True, force_grouping=True) == "1,234.5"
