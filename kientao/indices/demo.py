"""Demo: a provincial innovation index (PII-like, 7 pillars, 20 provinces, two years) and a
small self-assessment of agencies with two rounds. Idempotent: keyed on the framework names."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from kientao.indices import actions
from kientao.indices.analysis import validate_tables
from kientao.indices.engine import Step, default_steps
from kientao.indices.models import Framework, Status, SurveyInvite
from kientao.indices.tasks import run_build

PII_NAME = "Chỉ số đổi mới sáng tạo cấp tỉnh (mô phỏng)"
SURVEY_FRAMEWORK = "Tự đánh giá đổi mới khu vực công"

PILLARS = [
    ("Inst", "Thể chế", "Institutions", [("gov_online", "Dịch vụ công trực tuyến toàn trình", 1),
                                         ("pci", "Chỉ số năng lực cạnh tranh cấp tỉnh", 1),
                                         ("admin_days", "Thời gian giải quyết thủ tục", -1)]),
    ("Hum", "Vốn con người và nghiên cứu, phát triển", "Human capital & R&D",
     [("students", "Sinh viên đại học trên 10.000 dân", 1), ("rd_spend", "Chi cho nghiên cứu, phát triển", 1),
      ("researchers", "Cán bộ nghiên cứu trên 10.000 dân", 1)]),
    ("Infra", "Hạ tầng", "Infrastructure", [("broadband", "Thuê bao băng rộng cố định", 1),
                                            ("power", "Điện thương phẩm bình quân đầu người", 1)]),
    ("Mkt", "Trình độ phát triển thị trường", "Market sophistication",
     [("credit", "Dư nợ tín dụng trên GRDP", 1), ("new_firms", "Doanh nghiệp thành lập mới", 1)]),
    ("Bus", "Trình độ phát triển kinh doanh", "Business sophistication",
     [("skilled", "Lao động qua đào tạo", 1), ("fdi", "Vốn FDI thực hiện", 1),
      ("clusters", "Khu công nghệ cao, cụm liên kết", 1)]),
    ("Know", "Sản phẩm tri thức và công nghệ", "Knowledge & technology outputs",
     [("patents", "Đơn đăng ký sáng chế", 1), ("hitech_exp", "Xuất khẩu sản phẩm công nghệ cao", 1)]),
    ("Impact", "Tác động", "Impact", [("grdp_growth", "Tăng trưởng GRDP", 1),
                                       ("productivity", "Năng suất lao động", 1)]),
]

PROVINCES = [
    ("HN", "Hà Nội", "Đồng bằng sông Hồng"), ("HP", "Hải Phòng", "Đồng bằng sông Hồng"),
    ("BN", "Bắc Ninh", "Đồng bằng sông Hồng"), ("QNinh", "Quảng Ninh", "Đông Bắc"),
    ("TN", "Thái Nguyên", "Đông Bắc"), ("LC", "Lào Cai", "Đông Bắc"), ("TH", "Thanh Hóa", "Bắc Trung Bộ"),
    ("NA", "Nghệ An", "Bắc Trung Bộ"), ("Hue", "Huế", "Bắc Trung Bộ"), ("DN", "Đà Nẵng", "Duyên hải Nam Trung Bộ"),
    ("QNam", "Quảng Nam", "Duyên hải Nam Trung Bộ"), ("KH", "Khánh Hòa", "Duyên hải Nam Trung Bộ"),
    ("DL", "Đắk Lắk", "Tây Nguyên"), ("LD", "Lâm Đồng", "Tây Nguyên"), ("HCM", "TP. Hồ Chí Minh", "Đông Nam Bộ"),
    ("BD", "Bình Dương", "Đông Nam Bộ"), ("DNai", "Đồng Nai", "Đông Nam Bộ"), ("CT", "Cần Thơ", "Đồng bằng sông Cửu Long"),
    ("AG", "An Giang", "Đồng bằng sông Cửu Long"), ("CM", "Cà Mau", "Đồng bằng sông Cửu Long"),
]

AGENCIES = [("STP", "Sở Tư pháp"), ("SKHCN", "Sở Khoa học và Công nghệ"), ("STTTT", "Sở Thông tin và Truyền thông"),
            ("SYT", "Sở Y tế"), ("SGDDT", "Sở Giáo dục và Đào tạo")]
SURVEY_ITEMS = [
    ("leadership", "Lãnh đạo đơn vị ủng hộ thử nghiệm cách làm mới", "likert"),
    ("innovation_unit", "Đơn vị có bộ phận hoặc đầu mối về đổi mới sáng tạo", "yesno"),
    ("pilots", "Số sáng kiến được thử nghiệm trong năm", "number"),
]


def pii_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic iData (two years) and iMeta of the provincial index."""
    meta: list[dict[str, Any]] = [{"Level": 3, "iCode": "PII", "iName": "Chỉ số PII mô phỏng", "Parent": None,
                                   "Direction": 1, "Weight": 1, "Type": "Aggregate"}]
    for code, name, _en, inds in PILLARS:
        meta.append({"Level": 2, "iCode": code, "iName": name, "Parent": "PII", "Direction": 1, "Weight": 1,
                     "Type": "Aggregate"})
        for icode, iname, direction in inds:
            meta.append({"Level": 1, "iCode": icode, "iName": iname, "Parent": code, "Direction": direction,
                         "Weight": 1, "Type": "Indicator"})
    meta.append({"iCode": "Region", "Type": "Group"})
    imeta = pd.DataFrame(meta)
    rng = np.random.default_rng(2026)
    strength = rng.normal(0, 1, len(PROVINCES))
    rows = []
    for year, drift in ((2024, 0.0), (2025, 0.3)):
        for k, (code, name, region) in enumerate(PROVINCES):
            row: dict[str, Any] = {"uCode": code, "uName": name, "Region": region, "Time": year}
            for _p, _n, _e, inds in PILLARS:
                for icode, _iname, direction in inds:
                    base = 50 + 12 * direction * (strength[k] + drift * rng.normal(0, 0.5)) + rng.normal(0, 6)
                    row[icode] = round(float(max(base, 1.0)), 2)
            rows.append(row)
    return pd.DataFrame(rows), imeta


def _english_names(fw: Framework) -> None:
    names = {code: en for code, _n, en, _i in PILLARS} | {"PII": "Provincial innovation index (synthetic)"}
    for e in fw.elements.filter(code__in=list(names)):
        e.name_en = names[e.code]
        e.save(update_fields=["name_en"])


def _build_all(fw: Framework, user: Any, steps: list[Step]) -> None:
    for year in fw.years():
        b = actions.create_build(user, fw, year, steps)
        run_build(b)


def load(context: Any) -> None:
    org = context.city_lab
    user = context.users["organiser"]
    made = []
    if not Framework.objects.filter(organisation=org, name=PII_NAME).exists():
        idata, imeta = pii_tables()
        by_year = validate_tables(idata, imeta, idata_source="demo iData", imeta_source="demo iMeta", year=2025)
        fw = actions.import_framework(org, user, name=PII_NAME, imeta=imeta, data_by_year=by_year,
                                      description="Dữ liệu mô phỏng theo cấu trúc PII: 7 trụ cột, 20 tỉnh, "
                                                  "hai năm. Synthetic data, PII-like structure.")
        _english_names(fw)
        _build_all(fw, user, default_steps())
        actions.set_published(user, fw, True)
        made.append(PII_NAME)
    if not Framework.objects.filter(organisation=org, name=SURVEY_FRAMEWORK).exists():
        imeta = pd.DataFrame(
            [{"Level": 2, "iCode": "PSI", "iName": SURVEY_FRAMEWORK, "Parent": None, "Direction": 1,
              "Weight": 1, "Type": "Aggregate"}]
            + [{"Level": 1, "iCode": c, "iName": t, "Parent": "PSI", "Direction": 1, "Weight": 1,
                "Type": "Indicator"} for c, t, _k in SURVEY_ITEMS])
        rng = np.random.default_rng(7)
        idata = pd.DataFrame([{"uCode": c, "uName": n, **{i: float(rng.integers(1, 5)) for i, _t, _k in SURVEY_ITEMS}}
                              for c, n in AGENCIES])
        by_year = validate_tables(idata, imeta, idata_source="demo", imeta_source="demo", year=2025)
        fw = actions.import_framework(org, user, name=SURVEY_FRAMEWORK, imeta=imeta, data_by_year=by_year,
                                      description="Bộ câu hỏi tự đánh giá theo khung đổi mới khu vực công.")
        survey = actions.create_survey(user, fw, "Tự đánh giá năng lực đổi mới sáng tạo")
        for code, text, kind in SURVEY_ITEMS:
            actions.add_item(user, survey, indicator=fw.elements.get(code=code), text=text, kind=kind)
        items = list(survey.items.all())
        for year in (2025, 2026):
            rnd = actions.open_round(user, survey, year)
            for k, invite in enumerate(SurveyInvite.objects.filter(round=rnd).select_related("unit")):
                values: dict[int, float | None] = {}
                for item in items:
                    if item.kind == "likert":
                        values[item.pk] = float(min(5, 2 + (k + year) % 4))
                    elif item.kind == "yesno":
                        values[item.pk] = float((k + year) % 2)
                    else:
                        values[item.pk] = float(3 + k + (year - 2025) * 2)
                actions.submit_answers(invite, values)
            if year == 2025:
                actions.close_round(user, rnd)
        _build_all(fw, user, [Step("normalise", {"method": "minmax", "l_u": [0.0, 100.0]}),
                              Step("aggregate", {"method": "amean"})])
        made.append(SURVEY_FRAMEWORK)
    failed = Framework.objects.filter(organisation=org, builds__status=Status.FAILED).count()
    context.log.append(f"indices: {len(made)} new index frameworks ({', '.join(made) or 'none'}); "
                       f"{failed} failed builds")
