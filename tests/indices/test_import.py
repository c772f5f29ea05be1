"""Importing COINr tables and the friendly template; invalid files change nothing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.indices.conftest import frame_to_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _post(client: Any, slug: str, first: SimpleUploadedFile, second: SimpleUploadedFile | None = None) -> Any:
    data: dict[str, Any] = {"name": "Imported", "description": "", "year": "2025", "first": first}
    if second is not None:
        data["second"] = second
    return client.post(reverse("indices:import_framework", args=[slug]), data)


def test_it_imports_the_template_it_offers(personas: Any, as_user: Any) -> None:
    from kientao.core.models import AuditEntry
    from kientao.indices.models import Framework

    client = as_user(personas.organiser)
    template = client.get(reverse("indices:download_template")).content
    response = _post(client, personas.org.slug, SimpleUploadedFile("template.xlsx", template, XLSX))
    assert response.status_code == 302
    fw = Framework.objects.get(organisation=personas.org)
    assert fw.years() == [2025]
    assert fw.elements.get(code="red_tape").direction == -1
    assert fw.elements.get(code="Inst").level == 2
    assert fw.elements.get(code="Inst").name_en == "Institutions"
    assert fw.units.get(code="DN").groups == {"Group": "Centre"}
    assert AuditEntry.objects.filter(action="indices.import_framework", organisation=personas.org).exists()


def test_it_imports_coinr_csv_tables(personas: Any, as_user: Any) -> None:
    from kientao.indices.demo import pii_tables
    from kientao.indices.models import Framework

    idata, imeta = pii_tables()
    client = as_user(personas.organiser)
    response = _post(client, personas.org.slug,
                     SimpleUploadedFile("iData.csv", idata.to_csv(index=False).encode(), "text/csv"),
                     SimpleUploadedFile("iMeta.csv", imeta.to_csv(index=False).encode(), "text/csv"))
    assert response.status_code == 302
    assert Framework.objects.get(organisation=personas.org).years() == [2024, 2025]


def test_it_imports_one_coinr_workbook(personas: Any, as_user: Any) -> None:
    from kientao.indices.demo import pii_tables

    idata, imeta = pii_tables()
    book = frame_to_xlsx({"iData": idata, "iMeta": imeta})
    response = _post(as_user(personas.organiser), personas.org.slug, SimpleUploadedFile("coin.xlsx", book, XLSX))
    assert response.status_code == 302


def _bad(personas: Any, as_user: Any, first: SimpleUploadedFile, second: SimpleUploadedFile | None,
         *expected: str) -> None:
    from kientao.indices.models import Element, Framework

    response = _post(as_user(personas.organiser), personas.org.slug, first, second)
    assert response.status_code == 400
    text = response.content.decode()
    for part in expected:
        assert part in text, (part, text[-2000:])
    assert not Framework.objects.exists()
    assert not Element.objects.exists()


def test_it_reports_a_non_numeric_cell_with_row_and_column(personas: Any, as_user: Any) -> None:
    from kientao.indices.demo import pii_tables

    idata, imeta = pii_tables()
    idata["pci"] = idata["pci"].astype(object)
    idata.loc[23, "pci"] = "n/a?"  # the fourth province of the second year: row 25 of the file
    _bad(personas, as_user, SimpleUploadedFile("d.csv", idata.to_csv(index=False).encode()),
         SimpleUploadedFile("m.csv", imeta.to_csv(index=False).encode()), "d.csv", "row 25", "pci")


def test_it_keeps_na_as_a_unit_code_and_reads_na_cells_as_missing(personas: Any, as_user: Any) -> None:
    from kientao.indices.demo import pii_tables
    from kientao.indices.models import Framework

    idata, imeta = pii_tables()
    idata["pci"] = idata["pci"].astype(object)
    idata.loc[2, "pci"] = "NA"
    response = _post(as_user(personas.organiser), personas.org.slug,
                     SimpleUploadedFile("d.csv", idata.to_csv(index=False).encode()),
                     SimpleUploadedFile("m.csv", imeta.to_csv(index=False).encode()))
    assert response.status_code == 302
    fw = Framework.objects.get()
    assert fw.units.get(code="NA").name == "Nghệ An"
    row = fw.datasets.get(year=2024).rows[2]
    assert row["pci"] is None


def test_it_reports_an_unknown_parent(personas: Any, as_user: Any) -> None:
    from kientao.indices.demo import pii_tables

    idata, imeta = pii_tables()
    imeta.loc[2, "Parent"] = "Nowhere"
    _bad(personas, as_user, SimpleUploadedFile("d.csv", idata.to_csv(index=False).encode()),
         SimpleUploadedFile("m.csv", imeta.to_csv(index=False).encode()), "m.csv", "Nowhere")


def test_it_reports_duplicate_units_in_the_template(personas: Any, as_user: Any) -> None:
    from kientao.indices.analysis import template_workbook

    book = pd.read_excel(io.BytesIO(template_workbook()), sheet_name=None)
    data = book["Data"]
    data.loc[1, "unit code"] = "HN"
    xlsx = frame_to_xlsx({"Framework": book["Framework"], "Data": data})
    _bad(personas, as_user, SimpleUploadedFile("t.xlsx", xlsx, XLSX), None, "Data", "duplicate", "HN")


def test_it_rejects_files_it_cannot_read(personas: Any, as_user: Any) -> None:
    _bad(personas, as_user, SimpleUploadedFile("x.txt", b"hello"), None, "unsupported")
    _bad(personas, as_user, SimpleUploadedFile("x.xlsx", b"not a zip", XLSX), None, "x.xlsx")
    _bad(personas, as_user, SimpleUploadedFile("x.csv", b"\x00\xff\xfe,,\n"), None, "x.csv")
    book = frame_to_xlsx({"Sheet1": pd.DataFrame({"a": [1]})})
    _bad(personas, as_user, SimpleUploadedFile("y.xlsx", book, XLSX), None, "Framework and Data")


def test_it_rejects_an_empty_form(personas: Any, as_user: Any) -> None:
    response = as_user(personas.organiser).post(reverse("indices:import_framework", args=[personas.org.slug]), {})
    assert response.status_code == 400
    # an entirely empty POST is a bound form: each required field says what is missing
    assert response.context["form"].is_bound
    assert set(response.context["form"].errors) >= {"name", "first"}
    assert response.content.decode().count("This field is required.") >= 2


def test_every_indices_form_explains_an_empty_post(personas: Any, index: Any, as_user: Any) -> None:
    from kientao.indices.models import Build

    client = as_user(personas.organiser)
    slug, fw = personas.org.slug, index["fw"]
    builds = Build.objects.count()
    for name in ("indices:upload_data", "indices:build_new"):
        response = client.post(reverse(name, args=[slug, fw.pk]), {})
        assert response.status_code == 400, name
        assert response.context["form"].errors, name
        assert "This field is required." in response.content.decode(), name
    assert Build.objects.count() == builds


ASEM = Path("/work/shared/data/coinr-asem")


@pytest.mark.skipif(not (ASEM / "input_ASEM_iData_p.csv").exists(), reason="COINr ASEM fixtures absent")
def test_it_imports_coinr_asem_panel_and_r_style_na(personas: Any, as_user: Any) -> None:
    from kientao.indices.models import Framework

    imeta = (ASEM / "input_ASEM_iMeta.csv").read_text()
    lines = imeta.splitlines()
    header = lines[0].split(",")
    parent = header.index('"Parent"')
    for k, line in enumerate(lines[1:], start=1):  # R's write.csv: NA for missing parents
        cells = line.split(",")
        if len(cells) == len(header) and cells[parent] == "":
            cells[parent] = "NA"
            lines[k] = ",".join(cells)
    response = _post(as_user(personas.organiser), personas.org.slug,
                     SimpleUploadedFile("ASEM_iData_p.csv", (ASEM / "input_ASEM_iData_p.csv").read_bytes()),
                     SimpleUploadedFile("ASEM_iMeta.csv", "\n".join(lines).encode()))
    assert response.status_code == 302, response.content.decode()[-1500:]
    fw = Framework.objects.get()
    assert len(fw.years()) >= 2 and fw.units.count() == 51


def test_it_adds_a_year_of_data_to_a_framework(personas: Any, index: Any, as_user: Any) -> None:
    from kientao.core.models import AuditEntry
    from kientao.indices.demo import pii_tables

    idata, _imeta = pii_tables()
    year = idata[idata["Time"] == 2025].drop(columns=["Time"])
    fw = index["fw"]
    url = reverse("indices:upload_data", args=[personas.org.slug, fw.pk])
    client = as_user(personas.organiser)
    response = client.post(url, {"year": "2026", "file": SimpleUploadedFile("y.csv", year.to_csv(index=False).encode())})
    assert response.status_code == 302
    assert fw.years() == [2024, 2025, 2026]
    assert AuditEntry.objects.filter(action="indices.replace_data").exists()
    year = year.astype({"broadband": object})
    year.iloc[4, year.columns.get_loc("broadband")] = "lots"
    bad = client.post(url, {"year": "2027", "file": SimpleUploadedFile("y.csv", year.to_csv(index=False).encode())})
    assert bad.status_code == 400
    assert "y.csv, row 6" in bad.content.decode() and "broadband" in bad.content.decode()
    assert fw.years() == [2024, 2025, 2026]
    assert client.post(url, {"year": "x"}).status_code == 400


def test_it_copes_with_unusual_unit_codes(personas: Any, as_user: Any, django_capture_on_commit_callbacks: Any) -> None:
    from kientao.indices.models import Build, Framework

    meta = pd.DataFrame({"Level": [1, 1, 2], "iCode": ["a", "b", "I"], "Parent": ["I", "I", None],
                         "Direction": [1, -1, 1], "Weight": [1, 1, 1], "Type": ["Indicator", "Indicator", "Aggregate"]})
    data = pd.DataFrame({"uCode": ["X/1", "Y?2", "<b>Z</b>"], "uName": ["x", "y", "<script>z</script>"],
                         "a": [1, 2, 3], "b": [3, 1, 2]})
    client = as_user(personas.organiser)
    response = _post(client, personas.org.slug,
                     SimpleUploadedFile("coin.xlsx", frame_to_xlsx({"iData": data, "iMeta": meta}), XLSX))
    assert response.status_code == 302
    fw = Framework.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("indices:build_new", args=[personas.org.slug, fw.pk]),
                    {"year": "2025", "impute": "none", "treat": "none", "winmax": "5", "skew_thresh": "2",
                     "kurt_thresh": "3.5", "f2": "log_CT", "normalise": "minmax", "aggregate": "amean"})
    b = Build.objects.get()
    assert b.status == "succeeded", b.error
    page = client.get(reverse("indices:build_detail", args=[personas.org.slug, b.pk]))
    assert page.status_code == 200 and "<script>z" not in page.content.decode()
    for code in ("X/1", "Y?2", "<b>Z</b>"):
        assert client.get(reverse("indices:unit_profile", args=[personas.org.slug, b.pk, code])).status_code == 200
