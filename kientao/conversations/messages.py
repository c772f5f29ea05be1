"""The Pol.is reader's validation messages in the reader's language.

The engine (pure, no Django) words its errors in English, as a fixed set of templates:
``"<where>: <problem>"``, where the location is a chain of parts separated by ``": "``
(the ZIP, the file in it, ``row 5, column 'vote'``, or a bundle's ``votes.vote[3]``).
The import page shows them translated: rows and columns of the location and each known
problem template are matched here and rendered through gettext; a message that matches
no template is shown as the engine wrote it (never lost). The command line keeps the
English. ``tests/conversations/test_messages.py`` raises every template through the
readers and checks that each one is recognised, so a new message without a translation
fails a test. The same approach as :mod:`kientao.indices.messages`.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrPromise

from kientao.core.messages import translate_problem

_VALUE = r"(?P<value>.*)"  # a value as the engine shows it: repr() or a type name
_REPR = r"(?P<{}>'.*'|\".*\")"  # a name as repr() quotes it

# (pattern of the problem part, template with the pattern's named groups)
PROBLEMS: list[tuple[re.Pattern[str], StrPromise]] = [(re.compile(p, re.DOTALL), t) for p, t in [
    # engine/formats.py: CSV files of a Pol.is export
    (r"^cannot parse CSV \((?P<detail>.*)\)$", gettext_lazy("cannot parse CSV (%(detail)s)")),
    (r"^missing column " + _REPR.format("column") + "$", gettext_lazy("missing column %(column)s")),
    (r"^expected an integer, got " + _VALUE + "$", gettext_lazy("expected an integer, got %(value)s")),
    (r"^expected -1 or 0 or 1, got " + _VALUE + "$", gettext_lazy("expected -1 or 0 or 1, got %(value)s")),
    (r"^file not found \(every Pol\.is export has comments\.csv\)$",
     gettext_lazy("file not found (every Pol.is export has comments.csv)")),
    (r"^file not found \(every Pol\.is export has it\)$",
     gettext_lazy("file not found (every Pol.is export has it)")),
    (r"^(?P<count>\d+) characters, at most (?P<limit>\d+) allowed$",
     gettext_lazy("%(count)s characters, at most %(limit)s allowed")),
    (r"^duplicate id (?P<id>-?\d+)$", gettext_lazy("duplicate id %(id)s")),
    (r"^statement not in comments\.csv$", gettext_lazy("statement not in comments.csv")),
    (r"^statement (?P<id>-?\d+) not in comments\.csv$", gettext_lazy("statement %(id)s not in comments.csv")),
    (r"^not a folder$", gettext_lazy("not a folder")),
    (r"^neither votes\.csv nor participants-votes\.csv$",
     gettext_lazy("neither votes.csv nor participants-votes.csv")),
    # engine/formats.py: the ZIP
    (r"^unsafe file name in the ZIP$", gettext_lazy("unsafe file name in the ZIP")),
    (r"^the CSV files must be at the top of the ZIP or in one folder$",
     gettext_lazy("the CSV files must be at the top of the ZIP or in one folder")),
    (r"^unexpected file; a Pol\.is export holds (?P<files>[-\w., ]+)$",
     gettext_lazy("unexpected file; a Pol.is export holds %(files)s")),
    (r"^encrypted files are not supported$", gettext_lazy("encrypted files are not supported")),
    (r"^not a readable ZIP file \((?P<detail>.*)\)$", gettext_lazy("not a readable ZIP file (%(detail)s)")),
    (r"^(?P<count>\d+) entries; a Pol\.is export has a few$",
     gettext_lazy("%(count)s entries; a Pol.is export has a few")),
    (r"^CSV files in more than one folder$", gettext_lazy("CSV files in more than one folder")),
    (r"^(?P<file>[-\w.]+) appears twice$", gettext_lazy("%(file)s appears twice")),
    (r"^more than (?P<limit>\d+) bytes of CSV once uncompressed$",
     gettext_lazy("more than %(limit)s bytes of CSV once uncompressed")),
    (r"^cannot decompress the ZIP \((?P<detail>.*)\)$", gettext_lazy("cannot decompress the ZIP (%(detail)s)")),
    # engine/formats.py: a JSON bundle
    (r"^not a readable JSON bundle \((?P<detail>.*)\)$", gettext_lazy("not a readable JSON bundle (%(detail)s)")),
    (r"^'format' must be " + _REPR.format("format") + "$", gettext_lazy("'format' must be %(format)s")),
    (r"^expected an object of arrays$", gettext_lazy("expected an object of arrays")),
    (r"^missing array " + _REPR.format("name") + "$", gettext_lazy("missing array %(name)s")),
    (r"^expected an array, got (?P<type>\w+)$", gettext_lazy("expected an array, got %(type)s")),
    (r"^expected -1, 0 or 1, got " + _VALUE + "$", gettext_lazy("expected -1, 0 or 1, got %(value)s")),
    (r"^expected true or false, got " + _VALUE + "$", gettext_lazy("expected true or false, got %(value)s")),
    (r"^expected a number \(ms\) or null, got " + _VALUE + "$",
     gettext_lazy("expected a number (ms) or null, got %(value)s")),
    (r"^expected a string, got " + _VALUE + "$", gettext_lazy("expected a string, got %(value)s")),
    (r"^(?P<count>\d+) values, but (?P<field>[\w.]+) has (?P<expected>\d+)$",
     gettext_lazy("%(count)s values, but %(field)s has %(expected)s")),
    (r"^statement (?P<id>-?\d+) not in statements\.statement$",
     gettext_lazy("statement %(id)s not in statements.statement")),
    (r"^expected an object of plain values$", gettext_lazy("expected an object of plain values")),
    # polis_import.py
    (r"^no such export folder, ZIP or bundle file$", gettext_lazy("no such export folder, ZIP or bundle file")),
    # engine/matrix.py (VoteDataError, through formats.to_vote_matrix)
    (r"^participant, statement and vote have different lengths \((?P<lengths>[\d, ]+)\)$",
     gettext_lazy("participant, statement and vote have different lengths (%(lengths)s)")),
    (r"^unknown statement " + _VALUE + "$", gettext_lazy("unknown statement %(value)s")),
    (r"^unknown participant " + _VALUE + "$", gettext_lazy("unknown participant %(value)s")),
]]

_ROW = re.compile(r"^row (?P<row>\d+)(?:, column (?P<column>'.*'|\".*\"))?$", re.DOTALL)
_COLUMN = re.compile(r"^column (?P<column>'.*'|\".*\")$", re.DOTALL)


def _cell(part: str) -> str | None:
    """``row 5``, ``column 'vote'`` or both, translated; None for any other location part."""
    match = _ROW.match(part) or _COLUMN.match(part)
    if match is None:
        return None
    found = match.groupdict()
    pieces = []
    if found.get("row") is not None:
        pieces.append(_("row %(row)s") % {"row": found["row"]})
    if found.get("column") is not None:
        pieces.append(_("column %(column)s") % {"column": found["column"]})
    return ", ".join(pieces)


def _location(where: str) -> str:
    """The location with its rows and columns translated; files and fields stay as written."""
    parts = where.split(": ")
    out = _cell(parts[0]) or parts[0]
    for part in parts[1:]:
        cell = _cell(part)
        if cell is None:
            out = f"{out}: {part}"
        else:
            # Translators: a file (or ZIP and file) followed by a row and/or column in it.
            out = _("%(file)s: %(cell)s") % {"file": out, "cell": cell}
    return out


def problem(text: str) -> str | None:
    """The translated problem part, or None when it matches no known template."""
    return translate_problem(PROBLEMS, text)


def localise(message: str) -> str:
    """A reader's message in the active language (``"<where>: <problem>"``).

    The problem is the text after the first ``": "`` that starts a known template (a
    location may itself hold several parts, and a detail in parentheses may hold ``": "``).
    """
    start = 0
    while True:
        found = message.find(": ", start)
        if found < 0:
            break
        translated = problem(message[found + 2:])
        if translated is not None:
            return f"{_location(message[:found])}: {translated}"
        start = found + 1
    translated = problem(message)
    return translated if translated is not None else message
