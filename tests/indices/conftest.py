"""A small built index in the personas' organisation, for the web tests."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest


@pytest.fixture
def index(personas: Any) -> Any:
    """The demo's provincial index (two years, built, not published), with a survey."""
    from kientao.indices import actions
    from kientao.indices.analysis import validate_tables
    from kientao.indices.demo import pii_tables
    from kientao.indices.engine import default_steps
    from kientao.indices.tasks import run_build

    idata, imeta = pii_tables()
    by_year = validate_tables(idata, imeta, idata_source="iData", imeta_source="iMeta", year=2025)
    fw = actions.import_framework(personas.org, personas.organiser, name="PII test", description="",
                                  imeta=imeta, data_by_year=by_year)
    builds = []
    for year in fw.years():
        b = actions.create_build(personas.organiser, fw, year, default_steps())
        run_build(b)
        builds.append(b)
    survey = actions.create_survey(personas.organiser, fw, "Self-assessment")
    actions.add_item(personas.organiser, survey, indicator=fw.elements.get(code="gov_online"),
                     text="Online services", kind="likert")
    actions.add_item(personas.organiser, survey, indicator=fw.elements.get(code="pci"), text="PCI", kind="number")
    rnd = actions.open_round(personas.organiser, survey, 2025)
    return {"fw": fw, "build": builds[-1], "builds": builds, "survey": survey, "round": rnd,
            "invite": rnd.invites.select_related("unit").first()}


def frame_to_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    import io

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()
