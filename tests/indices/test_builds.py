"""Builds run as jobs; results, ranking, unit profiles, audit, uncertainty and exports."""

from __future__ import annotations

import io
from typing import Any

from django.urls import reverse

BUILD_FORM = {"year": "2025", "denominate": "on", "impute": "none", "treat": "default", "winmax": "5",
              "skew_thresh": "2.25", "kurt_thresh": "3.5", "f2": "log_GII", "normalise": "minmax",
              "aggregate": "amean"}


def test_it_builds_in_a_job_and_shows_the_ranking(personas: Any, index: Any, as_user: Any,
                                                  django_capture_on_commit_callbacks: Any) -> None:
    from kientao.core.models import AuditEntry, Job
    from kientao.indices.models import Build

    client = as_user(personas.organiser)
    fw = index["fw"]
    form = client.get(reverse("indices:build_new", args=[personas.org.slug, fw.pk])).content.decode()
    assert 'value="minmax" selected' in form or 'value="minmax"\n' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("indices:build_new", args=[personas.org.slug, fw.pk]), BUILD_FORM)
    assert response.status_code == 302
    b = Build.objects.latest("pk")
    assert b.status == "succeeded", b.error
    assert b.job is not None and Job.objects.get(pk=b.job.pk).status == "succeeded"
    assert [s["name"] for s in b.steps] == ["denominate", "treat", "normalise", "aggregate"]
    assert b.steps[1]["params"]["skew_thresh"] == 2.25
    assert AuditEntry.objects.filter(action="indices.start_build").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Hà Nội" in page and "<svg" in page


def test_it_sorts_and_filters_the_ranking_without_javascript(personas: Any, index: Any, as_user: Any) -> None:
    client = as_user(personas.member)
    url = reverse("indices:build_detail", args=[personas.org.slug, index["build"].pk])
    by_name = client.get(url, {"sort": "name"}).content.decode()
    assert by_name.index("An Giang") < by_name.index("Đà Nẵng") or by_name.index("An Giang") < by_name.index("Hà Nội")
    desc = client.get(url, {"sort": "Inst", "order": "desc"}).content.decode()
    assert 'aria-sort="descending"' in desc
    filtered = client.get(url, {"group": "Region: Tây Nguyên"}).content.decode()
    assert "Đắk Lắk" in filtered and "Hà Nội</a>" not in filtered
    assert client.get(url, {"sort": "<script>", "group": "x' OR 1"}).status_code == 200


def test_it_shows_profile_audit_and_trends(personas: Any, index: Any, as_user: Any) -> None:
    client = as_user(personas.judge)
    slug, b, fw = personas.org.slug, index["build"], index["fw"]
    profile = client.get(reverse("indices:unit_profile", args=[slug, b.pk, "HN"])).content.decode()
    assert "Strengths" in profile and "Weaknesses" in profile and "<svg" in profile
    assert "Over the years" in profile
    assert client.get(reverse("indices:unit_profile", args=[slug, b.pk, "nowhere"])).status_code == 404
    audit = client.get(reverse("indices:build_audit", args=[slug, b.pk])).content.decode()
    assert "Cronbach" in audit and "<svg" in audit
    trends = client.get(reverse("indices:trends", args=[slug, fw.pk])).content.decode()
    assert "2024" in trends and "<svg" in trends


def test_it_reports_a_constant_indicator_instead_of_failing(personas: Any, index: Any, as_user: Any,
                                                            django_capture_on_commit_callbacks: Any) -> None:
    from kientao.indices.models import Build, Dataset

    fw = index["fw"]
    dataset = Dataset.objects.get(framework=fw, year=2025)
    rows = dataset.rows
    for r in rows:
        r["pci"] = 7.0
    dataset.rows = rows
    dataset.save()
    client = as_user(personas.organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("indices:build_new", args=[personas.org.slug, fw.pk]), BUILD_FORM)
    assert response.status_code == 302
    b = Build.objects.latest("pk")
    assert b.status == "failed" and "pci" in b.error
    page = client.get(response["Location"])
    assert page.status_code == 200 and "The build failed" in page.content.decode()


def test_it_rejects_bad_build_choices(personas: Any, index: Any, as_user: Any,
                                      django_capture_on_commit_callbacks: Any) -> None:
    client = as_user(personas.organiser)
    url = reverse("indices:build_new", args=[personas.org.slug, index["fw"].pk])
    for bad in ({"year": "1999"}, {"normalise": "magic"}, {"winmax": "-3"}, {"screen_threshold": "7"}):
        assert client.post(url, {**BUILD_FORM, **bad}).status_code == 400, bad
    with django_capture_on_commit_callbacks(execute=True):
        gmean = client.post(url, {**BUILD_FORM, "normalise": "zscore", "aggregate": "gmean"})
    assert gmean.status_code == 302  # a failing method is shown on the build page, never a 500


def test_it_runs_an_uncertainty_analysis(personas: Any, index: Any, as_user: Any,
                                         django_capture_on_commit_callbacks: Any) -> None:
    from kientao.indices.models import UncertaintyRun

    client = as_user(personas.organiser)
    url = reverse("indices:build_uncertainty", args=[personas.org.slug, index["build"].pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"n": "50", "seed": "3", "kind": "UA",
                                     "inputs": ["weights", "aggregation", "normalisation"]})
    assert response.status_code == 302
    run = UncertaintyRun.objects.get()
    assert run.status == "succeeded", run.error
    assert len(run.rank_stats) == 20
    page = client.get(url).content.decode()
    assert "<svg" in page and "Median rank" in page
    export = client.get(reverse("indices:build_export", args=[personas.org.slug, index["build"].pk,
                                                              "uncertainty", "csv"]))
    assert export.content.decode("utf-8-sig").startswith("uCode,Nominal")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"n": "20", "seed": "3", "kind": "SA", "inputs": ["weights", "aggregation"]})
    assert response.status_code == 302
    run = UncertaintyRun.objects.latest("pk")
    assert run.failed_runs > 0  # geometric means of min-max scores of 0
    assert "could not be computed" in client.get(url).content.decode()
    assert run.status == "succeeded" and {r["Variable"] for r in run.sensitivity} == {"Weights", "Aggregation"}
    assert "Sobol" in client.get(url).content.decode()
    assert client.post(url, {"n": "20", "seed": "3", "kind": "SA", "inputs": ["weights"]}).status_code == 400
    assert client.post(url, {"n": "1", "seed": "x"}).status_code == 400
    assert client.post(url, {"n": "50", "seed": "1", "inputs": ["nonsense"]}).status_code == 400


def test_it_exports_scores_ranks_and_audit(personas: Any, index: Any, as_user: Any) -> None:
    from openpyxl import load_workbook

    client = as_user(personas.member)
    slug, b = personas.org.slug, index["build"]
    csv = client.get(reverse("indices:build_export", args=[slug, b.pk, "scores", "csv"]))
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("uCode,uName,") and "Hà Nội" in text
    xlsx = client.get(reverse("indices:build_export", args=[slug, b.pk, "ranks", "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row == 21
    audit = client.get(reverse("indices:build_export", args=[slug, b.pk, "audit", "csv"]))
    assert "Skew" in audit.content.decode("utf-8-sig")
    assert client.get(reverse("indices:build_export", args=[slug, b.pk, "secrets", "csv"])).status_code == 404
    assert client.get(reverse("indices:build_export", args=[slug, b.pk, "scores", "pdf"])).status_code == 404


def test_it_starts_a_build_through_the_api(personas: Any, index: Any, as_user: Any,
                                           django_capture_on_commit_callbacks: Any) -> None:
    client = as_user(personas.organiser)
    url = f"/api/indices/{personas.org.slug}/frameworks/{index['fw'].pk}/builds"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"year": 2024, "aggregate": "amean"}, content_type="application/json")
    assert response.status_code == 202
    build_id = response.json()["id"]
    results = client.get(f"/api/indices/{personas.org.slug}/builds/{build_id}").json()
    assert results["build"]["status"] == "succeeded"
    assert len(results["units"]) == 20 and "PII" in results["units"][0]["ranks"]
    assert client.post(url, {"year": 1990}, content_type="application/json").status_code == 422
    assert client.post(url, {"year": 2024, "normalise": "x"}, content_type="application/json").status_code == 422
    assert client.post(url, {"year": "abc"}, content_type="application/json").status_code == 422
