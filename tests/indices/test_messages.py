"""The engine's validation messages, shown in Vietnamese on the web pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from django.utils import translation

from kientao.indices.engine import IndexDataError
from kientao.indices.engine.framework import framework_from_imeta, split_idata
from kientao.indices.messages import PROBLEMS, localise, problem
from tests.indices.engine.conftest import small_meta_frame


def _meta() -> pd.DataFrame:
    return small_meta_frame().astype(object)


def _set(meta: pd.DataFrame, row: int, column: str, value: Any) -> pd.DataFrame:
    meta = meta.copy()
    meta.at[row, column] = value
    return meta


def _data(**columns: Any) -> pd.DataFrame:
    data: dict[str, Any] = {"uCode": ["U1", "U2", "U3"], "a": [1.0, 2.0, 3.0], "b": [1.0, 5.0, 2.0],
                            "c": [0.0, 5.0, 10.0], "d": [2.0, 2.0, 4.0]}
    data.update(columns)
    return pd.DataFrame(data)


def _fw() -> Any:
    return framework_from_imeta(_meta())


# Each case makes the engine raise one of its framework or data errors.
CASES: dict[str, Callable[[], object]] = {
    "empty number": lambda: framework_from_imeta(_set(_meta(), 0, "Weight", None)),
    "not a number": lambda: framework_from_imeta(_set(_meta(), 0, "Weight", "heavy")),
    "empty code": lambda: framework_from_imeta(_set(_meta(), 0, "iCode", None)),
    "bad code": lambda: framework_from_imeta(_set(_meta(), 0, "iCode", "1 a")),
    "duplicate code": lambda: framework_from_imeta(_set(_meta(), 1, "iCode", "a")),
    "bad type": lambda: framework_from_imeta(_set(_meta(), 0, "Type", "Pillar")),
    "bad level": lambda: framework_from_imeta(_set(_meta(), 0, "Level", 1.5)),
    "type at level": lambda: framework_from_imeta(_set(_meta(), 4, "Type", "Indicator")),
    "negative weight": lambda: framework_from_imeta(_set(_meta(), 0, "Weight", -1)),
    "direction": lambda: framework_from_imeta(_set(_meta(), 0, "Direction", 2)),
    "missing columns": lambda: framework_from_imeta(_meta().drop(columns=["Weight"])),
    "no nodes": lambda: framework_from_imeta(_meta().iloc[0:0]),
    "orphan": lambda: framework_from_imeta(_set(_meta(), 0, "Parent", None)),
    "unknown parent": lambda: framework_from_imeta(_set(_meta(), 0, "Parent", "P9")),
    "own parent": lambda: framework_from_imeta(_set(_set(_meta(), 4, "Parent", "P1"), 4, "Level", 2)),
    "parent level": lambda: framework_from_imeta(_set(_meta(), 0, "Parent", "Index")),
    "two tops": lambda: framework_from_imeta(_set(_meta(), 5, "Level", 3).pipe(
        lambda m: _set(_set(m, 5, "Parent", None), 2, "Parent", "P1").pipe(lambda k: _set(k, 3, "Parent", "P1")))),
    "no children": lambda: framework_from_imeta(pd.concat([_meta(), pd.DataFrame([{
        "Level": 2, "iCode": "P3", "Parent": "Index", "Direction": 1, "Weight": 1, "Type": "Aggregate"}])],
        ignore_index=True)),
    "zero weights": lambda: framework_from_imeta(_set(_set(_meta(), 0, "Weight", 0), 1, "Weight", 0)),
    "unknown column": lambda: split_idata(_data(zz=[1.0, 2.0, 3.0]), _fw()),
    "aggregate column": lambda: split_idata(_data(P1=[1.0, 2.0, 3.0]), _fw()),
    "no uCode": lambda: split_idata(_data().drop(columns=["uCode"]), _fw()),
    "empty unit": lambda: split_idata(_data(uCode=["U1", None, "U3"]), _fw()),
    "digit unit": lambda: split_idata(_data(uCode=["U1", "2U", "U3"]), _fw()),
    "duplicate unit": lambda: split_idata(_data(uCode=["U1", "U1", "U3"]), _fw()),
    "no column": lambda: split_idata(_data().drop(columns=["d"]), _fw()),
    "no data": lambda: split_idata(_data(d=[None, None, None]), _fw()),
    "non-numeric cell": lambda: split_idata(_data(a=[1.0, "n/a", 3.0]), _fw()),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_it_translates_each_engine_message(case: str) -> None:
    with pytest.raises(IndexDataError) as raised:
        CASES[case]()
    message = str(raised.value)
    what = message.partition(": ")[2] or message
    assert problem(what) is not None, f"no translation template for: {message}"
    with translation.override("vi"):
        shown = localise(message)
    assert shown != message, message
    with translation.override("en"):
        assert localise(message) == message  # English stays as the engine wrote it


def test_it_translates_the_location() -> None:
    with translation.override("vi"):
        shown = localise("data.xlsx (Time 2024), row 7, column 'Weight': empty; expected a number")
    assert shown == "data.xlsx (năm 2024), dòng 7, cột 'Weight': trống; cần một số"


def test_it_keeps_unknown_messages_as_they_are() -> None:
    with translation.override("vi"):
        assert localise("iMeta: something new happened") == "iMeta: something new happened"
        assert localise("no location at all") == "no location at all"


def test_every_template_is_translated() -> None:
    for _pattern, template in PROBLEMS:
        with translation.override("en"):
            english = str(template)
        with translation.override("vi"):
            assert str(template) != english, english


@pytest.mark.dbtest
def test_the_import_page_reports_problems_in_vietnamese(personas: Any, as_user: Any) -> None:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from kientao.indices.models import Framework

    personas.organiser.preferred_language = "vi"
    personas.organiser.save()
    meta = _set(_meta(), 1, "iCode", "a")
    data = _data()
    files = {}
    for name, frame in (("first", data), ("second", meta)):
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False)
        files[name] = SimpleUploadedFile(f"{name}.csv", buffer.getvalue().encode(), content_type="text/csv")
    client = as_user(personas.organiser)
    response = client.post(reverse("indices:import_framework", args=[personas.org.slug]),
                           {"name": "X", "description": "", "year": "2025", **files},
                           HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    html = response.content.decode()
    assert "second.csv, dòng 3, cột &#x27;iCode&#x27;: mã trùng lặp &#x27;a&#x27; (lần đầu ở dòng 2)" in html, html
    assert Framework.objects.count() == 0
