"""The engine's validation messages in the reader's language.

The engine (pure, no Django) words its errors in English, as a fixed set of templates:
``"<file>, row 3, column 'Weight': <problem>"``. The web pages show them translated: the
location parts and each known problem template are matched here and rendered through
gettext; a message that matches no template is shown as the engine wrote it (never
lost). ``tests/indices/test_messages.py`` raises every template through the engine and
checks that each one is recognised, so a new engine message without a translation
fails a test.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrPromise

from kientao.core.messages import translate_problem

_ROW = re.compile(r"\brow (\d+)\b")
_COLUMN = re.compile(r"\bcolumn '([^']*)'")
_TIME = re.compile(r"\(Time (\d+)\)")
_IMETA_ROW = re.compile(r"\(iMeta row (\d+)\)")

# (pattern of the problem part, template with the pattern's named groups)
PROBLEMS: list[tuple[re.Pattern[str], StrPromise]] = [(re.compile(p), t) for p, t in [
    (r"^empty; expected a number$", gettext_lazy("empty; expected a number")),
    (r"^'(?P<value>.*)' is not a number$", gettext_lazy("'%(value)s' is not a number")),
    (r"^empty; expected a code$", gettext_lazy("empty; expected a code")),
    (r"^'(?P<code>.*)' must not start with a digit or contain spaces$",
     gettext_lazy("'%(code)s' must not start with a digit or contain spaces")),
    (r"^duplicate code '(?P<code>.*)' \(first at row (?P<first>\d+)\)$",
     gettext_lazy("duplicate code '%(code)s' (first at row %(first)s)")),
    (r"^'(?P<type>.*)'; expected one of (?P<choices>\[.*\])$",
     gettext_lazy("'%(type)s'; expected one of %(choices)s")),
    (r"^(?P<value>[-\d.e+naif]+); expected 1, 2, 3 \.\.\.$", gettext_lazy("%(value)s; expected 1, 2, 3 ...")),
    (r"^'(?P<type>.*)' at Level (?P<level>\d+); indicators are Level 1 and aggregates Level 2 or more$",
     gettext_lazy("'%(type)s' at Level %(level)s; indicators are Level 1 and aggregates Level 2 or more")),
    (r"^(?P<value>[-\d.e+naif]+); expected a number >= 0$", gettext_lazy("%(value)s; expected a number >= 0")),
    (r"^(?P<value>[-\d.e+naif]+); expected 1 or -1$", gettext_lazy("%(value)s; expected 1 or -1")),
    (r"^missing required column\(s\) (?P<columns>\[.*\])$",
     gettext_lazy("missing required column(s) %(columns)s")),
    (r"^missing required column 'uCode'$", gettext_lazy("missing required column 'uCode'")),
    (r"^no rows of Type Indicator or Aggregate$", gettext_lazy("no rows of Type Indicator or Aggregate")),
    (r"^'(?P<code>.*)' \(Level (?P<level>\d+)\) has no parent; only the top level \((?P<top>\d+)\) may be "
     r"without one \(orphan\)$",
     gettext_lazy("'%(code)s' (Level %(level)s) has no parent; only the top level (%(top)s) may be without "
                  "one (orphan)")),
    (r"^unknown parent '(?P<parent>.*)' of '(?P<code>.*)' \(it is not an Aggregate row\)$",
     gettext_lazy("unknown parent '%(parent)s' of '%(code)s' (it is not an Aggregate row)")),
    (r"^unknown parent '(?P<parent>.*)' of '(?P<code>.*)'$",
     gettext_lazy("unknown parent '%(parent)s' of '%(code)s'")),
    (r"^'(?P<code>.*)' is its own parent \(cycle\)$", gettext_lazy("'%(code)s' is its own parent (cycle)")),
    (r"^parent '(?P<parent>.*)' of '(?P<code>.*)' is at Level (?P<level>\d+); expected Level (?P<expected>\d+) "
     r"\(or a cycle\)$",
     gettext_lazy("parent '%(parent)s' of '%(code)s' is at Level %(level)s; expected Level %(expected)s "
                  "(or a cycle)")),
    (r"^'(?P<code>.*)' is not a Denominator row$", gettext_lazy("'%(code)s' is not a Denominator row")),
    (r"^(?P<count>\d+) codes at the top level (?P<level>\d+) (?P<codes>\[.*\]); expected one$",
     gettext_lazy("%(count)s codes at the top level %(level)s %(codes)s; expected one")),
    (r"^aggregate '(?P<code>.*)' has no children$", gettext_lazy("aggregate '%(code)s' has no children")),
    (r"^the weights of the children of '(?P<code>.*)' are all zero$",
     gettext_lazy("the weights of the children of '%(code)s' are all zero")),
    (r"^column has no row in iMeta$", gettext_lazy("column has no row in iMeta")),
    (r"^'(?P<code>.*)' is an aggregate; aggregates are computed, not given in iData$",
     gettext_lazy("'%(code)s' is an aggregate; aggregates are computed, not given in iData")),
    (r"^empty unit code$", gettext_lazy("empty unit code")),
    (r"^'(?P<code>.*)' must not start with a digit$", gettext_lazy("'%(code)s' must not start with a digit")),
    (r"^duplicate unit code '(?P<code>.*)'$", gettext_lazy("duplicate unit code '%(code)s'")),
    (r"^indicator '(?P<code>.*)' \(iMeta row (?P<row>\d+)\) has no column$",
     gettext_lazy("indicator '%(code)s' (iMeta row %(row)s) has no column")),
    (r"^indicator '(?P<code>.*)' has no data$", gettext_lazy("indicator '%(code)s' has no data")),
    (r"^'(?P<value>.*)' is not a year$", gettext_lazy("'%(value)s' is not a year")),
    (r"^empty; expected a year$", gettext_lazy("empty; expected a year")),
    (r"^file not found$", gettext_lazy("file not found")),
    (r"^unsupported file type '(?P<suffix>.*)'; expected \.csv or \.xlsx$",
     gettext_lazy("unsupported file type '%(suffix)s'; expected .csv or .xlsx")),
    (r"^a single file must be an \.xlsx with sheets iData and iMeta$",
     gettext_lazy("a single file must be an .xlsx with sheets iData and iMeta")),
    (r"^no sheet named '(?P<sheet>.*)' \(sheets: (?P<sheets>.*)\)$",
     gettext_lazy("no sheet named '%(sheet)s' (sheets: %(sheets)s)")),
]]


def _location(text: str) -> str:
    """Translate the parts of a location prefix: rows, columns, years."""
    subs: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
        (_ROW, lambda m: _("row %(row)s") % {"row": m.group(1)}),
        (_COLUMN, lambda m: _("column '%(column)s'") % {"column": m.group(1)}),
        (_TIME, lambda m: _("(year %(year)s)") % {"year": m.group(1)}),
    ]
    for pattern, repl in subs:
        text = pattern.sub(repl, text)
    return text


def problem(text: str) -> str | None:
    """The translated problem part, or None when it matches no known template."""
    return translate_problem(PROBLEMS, text)


def localise(message: str) -> str:
    """An engine message in the active language (``"<where>: <problem>"``)."""
    where, sep, what = message.partition(": ")
    if not sep:
        translated = problem(message)
        return translated if translated is not None else message
    translated = problem(what)
    if translated is None:
        # e.g. a problem text with ": " inside, or a message not (yet) in the list
        return message
    return f"{_location(where)}: {translated}"
