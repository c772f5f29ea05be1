"""Pages of the indices capability: import, framework tree, builds, results, surveys."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kientao.core import charts, exports
from kientao.core.jobs import start_job
from kientao.core.models import Organisation
from kientao.core.permissions import Action, can, organisation_for, organisations_of
from kientao.indices import actions, analysis, forms, tasks
from kientao.indices.engine import IndexDataError, rank_changes, strengths_weaknesses
from kientao.indices.messages import localise
from kientao.indices.models import (
    Build,
    Element,
    Framework,
    Status,
    Survey,
    SurveyInvite,
    SurveyRound,
    UncertaintyRun,
)


def _cell(frame: pd.DataFrame, row: str, col: str) -> float:
    value: Any = frame.at[row, col]
    return float(value)


def _fmt(v: Any, digits: int = 2) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    return f"{v:.{digits}f}" if isinstance(v, float) else str(v)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    orgs = organisations_of(request.user)
    mine = Framework.objects.filter(organisation__in=orgs).select_related("organisation")
    public = Framework.objects.filter(published=True).select_related("organisation")
    return render(request, "indices/index.html", {"organisations": orgs, "mine": mine, "public": public})


@require_GET
def download_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(analysis.template_workbook(), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="kientao-index-template.xlsx"'
    return response


@login_required
@require_GET
def org_index(request: HttpRequest, slug: str) -> HttpResponse:
    org = organisation_for(request.user, slug, Action.VIEW)
    return render(request, "indices/org_index.html", {
        "organisation": org, "frameworks": org.frameworks.all(),
        "can_organise": can(request.user, Action.ORGANISE, org)})


@login_required
@require_http_methods(["GET", "POST"])
def import_framework(request: HttpRequest, slug: str) -> HttpResponse:
    org = organisation_for(request.user, slug, Action.ORGANISE)
    problems: list[str] = []
    form = forms.ImportForm(request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            c = form.cleaned_data
            try:
                idata, imeta, isrc, msrc = analysis.read_upload(c["first"], c.get("second"))
                by_year = analysis.validate_tables(idata, imeta, idata_source=isrc, imeta_source=msrc,
                                                   year=c["year"])
                fw = actions.import_framework(org, request.user, name=c["name"], description=c["description"],
                                              imeta=imeta, data_by_year=by_year)
            except (IndexDataError, ValueError, KeyError) as exc:
                problems.append(localise(str(exc)))
            else:
                return redirect(fw.get_absolute_url())
        status = 400
    else:
        status = 200
    return render(request, "indices/import.html", {"organisation": org, "form": form, "problems": problems},
                  status=status)


def _framework(request: HttpRequest, slug: str, pk: int, action: Action) -> tuple[Organisation, Framework]:
    org = organisation_for(request.user, slug, action)
    return org, get_object_or_404(Framework, pk=pk, organisation=org)


def _tree(fw: Framework) -> list[dict[str, Any]]:
    elements = list(fw.elements.filter(type__in=["Indicator", "Aggregate"]))
    kids: dict[int | None, list[Element]] = {}
    for e in elements:
        kids.setdefault(e.parent_id, []).append(e)

    def node(e: Element) -> dict[str, Any]:
        return {"element": e, "children": [node(k) for k in kids.get(e.pk, [])]}

    return [node(e) for e in kids.get(None, [])]


@login_required
@require_GET
def framework_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, fw = _framework(request, slug, pk, Action.VIEW)
    builds = fw.builds.all()[:20]
    return render(request, "indices/framework.html", {
        "organisation": org, "framework": fw, "tree": _tree(fw), "builds": builds,
        "datasets": fw.datasets.all(), "surveys": fw.surveys.all(),
        "can_organise": can(request.user, Action.ORGANISE, org),
        "public_url": reverse("indices:public_results", args=[fw.public_slug]) if fw.published else "",
    })


@login_required
@require_http_methods(["GET", "POST"])
def upload_data(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, fw = _framework(request, slug, pk, Action.ORGANISE)
    form = forms.DataForm(request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None)
    problems: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                idata, name = analysis.read_data_upload(form.cleaned_data["file"])
                by_year = analysis.validate_tables(idata, fw.imeta_table(), idata_source=name,
                                                   imeta_source=_("framework"), year=form.cleaned_data["year"])
                actions.replace_data(request.user, fw, by_year)
            except (IndexDataError, ValueError, KeyError) as exc:
                problems.append(localise(str(exc)))
            else:
                return redirect(fw.get_absolute_url())
        return render(request, "indices/upload_data.html", {"organisation": org, "framework": fw, "form": form,
                                                            "problems": problems}, status=400)
    return render(request, "indices/upload_data.html", {"organisation": org, "framework": fw, "form": form})


@login_required
@require_POST
def edit_element(request: HttpRequest, slug: str, pk: int, element_pk: int) -> HttpResponse:
    org, fw = _framework(request, slug, pk, Action.ORGANISE)
    element = get_object_or_404(Element, pk=element_pk, framework=fw)
    form = forms.ElementForm(request.POST)
    if not form.is_valid():
        return render(request, "indices/element_error.html", {"organisation": org, "framework": fw,
                                                             "element": element, "form": form}, status=400)
    actions.update_element(request.user, element, weight=form.cleaned_data["weight"],
                           direction=form.cleaned_data["direction"])
    return redirect(fw.get_absolute_url() + f"#el-{element.pk}")


def _element_page(request: HttpRequest, org: Organisation, fw: Framework, form: Any, *, title: str,
                  action: str, submit: str, status: int) -> HttpResponse:
    return render(request, "indices/element_form.html", {"organisation": org, "framework": fw, "form": form,
                                                         "title": title, "action": action, "submit": submit},
                  status=status)


@login_required
@require_http_methods(["GET", "POST"])
def add_element(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, fw = _framework(request, slug, pk, Action.ORGANISE)
    form = forms.AddElementForm(request.POST if request.method == "POST" else None, framework=fw, initial={"parent": request.GET.get("parent")})
    url = reverse("indices:add_element", args=[org.slug, fw.pk])
    if request.method == "POST":
        if form.is_valid():
            c = form.cleaned_data
            try:
                element = actions.add_element(
                    request.user, fw, parent=c["parent"], type=c["type"], code=c["code"], name=c["name"],
                    name_en=c["name_en"], weight=c["weight"], direction=c["direction"],
                    child_code=c.get("child_code") or "", child_name=c.get("child_name") or "")
            except (IndexDataError, ValueError) as exc:
                form.add_error("parent", localise(str(exc)))
            else:
                return redirect(fw.get_absolute_url() + f"#el-{element.pk}")
        return _element_page(request, org, fw, form, title=_("Add an element"), action=url, submit=_("Add"),
                             status=400)
    return _element_page(request, org, fw, form, title=_("Add an element"), action=url, submit=_("Add"), status=200)


@login_required
@require_http_methods(["GET", "POST"])
def rename_element(request: HttpRequest, slug: str, pk: int, element_pk: int) -> HttpResponse:
    org, fw = _framework(request, slug, pk, Action.ORGANISE)
    element = get_object_or_404(Element, pk=element_pk, framework=fw)
    form = forms.RenameElementForm(request.POST if request.method == "POST" else None, initial={"name": element.name, "name_en": element.name_en})
    url = reverse("indices:rename_element", args=[org.slug, fw.pk, element.pk])
    title = _("Rename %(code)s") % {"code": element.code}
    if request.method == "POST":
        if form.is_valid():
            actions.rename_element(request.user, element, name=form.cleaned_data["name"],
                                   name_en=form.cleaned_data["name_en"])
            return redirect(fw.get_absolute_url() + f"#el-{element.pk}")
        return _element_page(request, org, fw, form, title=title, action=url, submit=_("Save"), status=400)
    return _element_page(request, org, fw, form, title=title, action=url, submit=_("Save"), status=200)


@login_required
@require_POST
def delete_element(request: HttpRequest, slug: str, pk: int, element_pk: int) -> HttpResponse:
    org, fw = _framework(request, slug, pk, Action.ORGANISE)
    element = get_object_or_404(Element, pk=element_pk, framework=fw)
    problem = ""
    if element.children.exists():
        problem = _("Only an element without children can be deleted; delete its children first.")
    elif element.survey_items.exists():
        problem = _("A survey question uses this indicator; remove the survey first.")
    else:
        try:
            actions.delete_element(request.user, element)
        except (IndexDataError, ValueError) as exc:
            problem = localise(str(exc))
        else:
            return redirect(fw.get_absolute_url() + "#tree-h")
    return render(request, "indices/element_delete_error.html", {
        "organisation": org, "framework": fw, "element": element, "problem": problem}, status=400)


@login_required
@require_POST
def publish(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _org, fw = _framework(request, slug, pk, Action.ORGANISE)
    actions.set_published(request.user, fw, request.POST.get("published") == "1")
    return redirect(fw.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def build_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, fw = _framework(request, slug, pk, Action.ORGANISE)
    groups = list(fw.elements.filter(type=Element.Type.GROUP).values_list("code", flat=True))
    form = forms.BuildForm(request.POST if request.method == "POST" else None, years=fw.years(), groups=groups)
    if request.method == "POST":
        if form.is_valid():
            steps = analysis.steps_from_choices(form.cleaned_data)
            b = actions.create_build(request.user, fw, form.cleaned_data["year"], steps)
            b.job = start_job(tasks.build_index, kind="indices.build", title=_("Build %(name)s %(year)s") % {
                "name": fw.name, "year": b.year}, params={"build": b.pk}, organisation=org,
                user=request.user)  # type: ignore[arg-type]
            b.save(update_fields=["job"])
            return redirect("indices:build_detail", org.slug, b.pk)
        return render(request, "indices/build_new.html", {"organisation": org, "framework": fw, "form": form},
                      status=400)
    return render(request, "indices/build_new.html", {"organisation": org, "framework": fw, "form": form})


def _build(request: HttpRequest, slug: str, pk: int, action: Action = Action.VIEW) -> tuple[Organisation, Build]:
    org = organisation_for(request.user, slug, action)
    return org, get_object_or_404(Build.objects.select_related("framework", "job"), pk=pk, framework__organisation=org)


def _labels(fw: Framework) -> dict[str, str]:
    lang = get_language() or "vi"
    return {e.code: e.label(lang) for e in fw.elements.all()}


def ranking_context(request: HttpRequest, b: Build) -> dict[str, Any]:
    """Ranking table (sort, group filter), pillar chart; shared by internal and public pages."""
    fw = b.framework
    scores = b.scores_frame()
    if scores.empty:
        return {"has_results": False}
    ranks = analysis.ranks_of(scores)
    elements = {e.code: e for e in fw.elements.all()}
    labels = _labels(fw)
    top = max((e for e in elements.values() if e.level), key=lambda e: e.level or 0).code
    top_level = elements[top].level or 2
    pillars = [c for c, e in elements.items() if e.level == top_level - 1 and c in scores.columns]
    columns = [top, *pillars]
    units = {u.code: u for u in fw.units.all()}
    group_values = sorted({f"{k}: {v}" for u in units.values() for k, v in u.groups.items()})
    group = request.GET.get("group", "")
    sort = request.GET.get("sort", top)
    if sort not in columns and sort != "name":
        sort = top
    desc = request.GET.get("order") == "desc"
    rows = []
    for code in scores.index:
        unit = units.get(code)
        if group and group in group_values and unit is not None:
            key, _sep, val = group.partition(": ")
            if str(unit.groups.get(key)) != val:
                continue
        rows.append({
            "code": code, "name": unit.name if unit else code,
            "cells": [{"score": _fmt(scores.at[code, c], 1), "rank": _fmt(ranks.at[code, c], 0)} for c in columns],
            "sortkey": (unit.name if unit else code) if sort == "name" else (
                _cell(ranks, code, sort) if math.isfinite(_cell(ranks, code, sort)) else 1e9),
        })
    rows.sort(key=lambda r: r["sortkey"], reverse=desc)
    headers = [{"code": c, "label": labels.get(c, c),
                "order": "asc" if (sort == c and desc) or sort != c else "desc"} for c in columns]
    means = scores[pillars].mean() if pillars else pd.Series(dtype=float)
    chart = charts.bar_chart([labels.get(c, c) for c in pillars], [float(means[c]) for c in pillars],
                             title=_("Average score by pillar")) if pillars else ""
    return {"has_results": True, "headers": headers, "rows": rows, "group_values": group_values, "group": group,
            "sort": sort, "desc": desc, "pillar_chart": chart,
            "pillar_means": [(labels.get(c, c), _fmt(float(means[c]), 1)) for c in pillars]}


@login_required
@require_GET
def build_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, b = _build(request, slug, pk)
    context = {"organisation": org, "build": b, "framework": b.framework,
               "can_organise": can(request.user, Action.ORGANISE, org)}
    if b.status == Status.SUCCEEDED:
        context.update(ranking_context(request, b))
        context.update(group_context(request, b))
    return render(request, "indices/build.html", context)


def _group_table(b: Build, by: str) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """(keys, columns, rows): mean index and pillar scores per value of the group column ``by``."""
    fw = b.framework
    scores = b.scores_frame()
    units = list(fw.units.all())
    keys = sorted({k for u in units for k in u.groups})
    if scores.empty or by not in keys:
        return keys, [], []
    elements = {e.code: e for e in fw.elements.all()}
    top_level = max((e.level or 0 for e in elements.values()), default=0)
    columns = [c for c, e in elements.items() if e.level == top_level and c in scores.columns]
    columns += [c for c, e in elements.items() if e.level == top_level - 1 and c in scores.columns]
    rows = analysis.group_means(scores, {u.code: u.groups.get(by) for u in units if u.code in scores.index},
                                columns)
    return keys, columns, rows


def group_context(request: HttpRequest, b: Build) -> dict[str, Any]:
    keys = sorted({k for u in b.framework.units.all() for k in u.groups})
    if not keys:
        return {"group_keys": []}
    by = request.GET.get("by", keys[0])
    if by not in keys:
        by = keys[0]
    _keys, columns, rows = _group_table(b, by)
    labels = _labels(b.framework)
    chart: Any = ""
    if rows and columns:
        chart = charts.bar_chart([r["group"] for r in rows],
                                 [float(r["means"][0]) if r["means"][0] is not None else 0.0 for r in rows],
                                 title=_("Average index score by %(group)s") % {"group": by})
    return {"group_keys": keys, "group_by": by, "group_chart": chart,
            "group_headers": [labels.get(c, c) for c in columns],
            "group_rows": [{"group": r["group"], "count": r["count"], "means": [_fmt(v, 1) for v in r["means"]]}
                           for r in rows]}


@login_required
@require_GET
def unit_profile(request: HttpRequest, slug: str, pk: int, code: str) -> HttpResponse:
    org, b = _build(request, slug, pk)
    scores = b.scores_frame()
    if scores.empty or code not in scores.index:
        raise Http404(_("No such unit in this build"))
    fw = b.framework
    labels = _labels(fw)
    elements = {e.code: e for e in fw.elements.all()}
    ranks = analysis.ranks_of(scores)
    top_level = max(e.level or 0 for e in elements.values())
    pillars = [c for c, e in elements.items() if e.level == top_level - 1 and c in scores.columns]
    values = [_cell(scores, code, c) if math.isfinite(_cell(scores, code, c)) else 0.0 for c in pillars]
    chart = charts.bar_chart([labels.get(c, c) for c in pillars], values, title=_("Scores by pillar"))
    indicators = [c for c, e in elements.items() if e.level == 1 and c in scores.columns]
    sw = strengths_weaknesses(scores, code, codes=indicators, n_top=5)
    table = [{"code": r["iCode"], "label": labels.get(r["iCode"], r["iCode"]), "score": _fmt(r["Score"], 1),
              "rank": _fmt(r["Rank"], 0), "cls": r["Class"]} for r in sw.to_dict("records")]
    unit = fw.units.filter(code=code).first()
    pillar_rows = [{"label": labels.get(c, c), "score": _fmt(_cell(scores, code, c), 1),
                    "rank": _fmt(_cell(ranks, code, c), 0)} for c in pillars]
    top = [c for c, e in elements.items() if e.level == top_level][0]
    history: list[dict[str, Any]] = []
    for hb in _latest_builds(fw):
        hs = hb.scores_frame()
        if code in hs.index and top in hs.columns:
            history.append({"year": hb.year, "score": _fmt(_cell(hs, code, top), 1),
                            "rank": _cell(analysis.ranks_of(hs), code, top)})
    history_chart: Any = ""
    if len(history) >= 2:
        history_chart = charts.line_chart([str(h["year"]) for h in history],
                                          {unit.name if unit else code: [h["rank"] for h in history]},
                                          title=_("Rank on the index by year"), reverse=True)
    for h in history:
        h["rank"] = _fmt(h["rank"], 0)
    return render(request, "indices/unit.html", {
        "history": history, "history_chart": history_chart,
        "organisation": org, "build": b, "framework": fw, "code": code, "unit": unit, "chart": chart,
        "pillars": pillar_rows, "indicators": table, "index_score": _fmt(_cell(scores, code, top), 1),
        "index_rank": _fmt(_cell(ranks, code, top), 0), "n_units": len(scores),
        "strengths": [r for r in table if r["cls"] == "strength"],
        "weaknesses": [r for r in table if r["cls"] == "weakness"]})


@login_required
@require_GET
def build_audit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, b = _build(request, slug, pk)
    fw = b.framework
    labels = _labels(fw)
    scores = b.scores_frame()
    elements = {e.code: e for e in fw.elements.all()}
    top_level = max((e.level or 0 for e in elements.values()), default=0)
    heat: Any = ""
    corr_table: list[dict[str, Any]] = []
    corr_codes: list[str] = []
    if not scores.empty:
        cols = [c for c, e in elements.items() if (e.level or 0) >= top_level - 1 and e.level and c in scores.columns]
        corr = scores[cols].corr().to_numpy()
        heat = charts.heatmap([labels.get(c, c) for c in cols], [labels.get(c, c) for c in cols],
                              [[float(v) if math.isfinite(v) else 0.0 for v in row] for row in corr],
                              title=_("Correlations between the index and its pillars"))
        corr_table = [{"label": labels.get(c, c), "values": [_fmt(float(v), 2) for v in row]}
                      for c, row in zip(cols, corr, strict=True)]
        corr_codes = cols
    a = b.audit or {}
    method = analysis.weighting_method(b.steps, a.get("weighting"))
    return render(request, "indices/audit.html", {
        "weight_rows": _weight_rows(b), "weighting": dict(forms.WEIGHTING).get(method, method),
        "organisation": org, "build": b, "framework": fw, "heatmap": heat, "corr_table": corr_table,
        "corr_codes": corr_codes,
        "cronbach": _records(a.get("cronbach", [])), "pca": _records(a.get("pca", [])),
        "flags": _records(a.get("flags", [])), "removal": _records(a.get("removal", [])),
        "stats": _records(a.get("stats", [])), "treatment": _records(b.treatment)})


def _weight_rows(b: Build) -> list[dict[str, Any]]:
    """Framework and effective weight of every indicator and aggregate used by a build."""
    elements = [e for e in b.framework.elements.select_related("parent")
                if e.type in (Element.Type.INDICATOR, Element.Type.AGGREGATE)]
    effective = analysis.effective_weights(elements, b.steps)
    lang = get_language() or "vi"
    return [{"code": e.code, "label": e.label(lang), "level": e.level, "parent": e.parent.code if e.parent else "",
             "framework": round(float(e.weight), 6), "effective": round(effective.get(e.code, e.weight), 6)}
            for e in sorted(elements, key=lambda e: (-(e.level or 0), e.position, e.pk))]


# PostgreSQL's jsonb does not keep key order: put the identifying columns first.
FIRST_COLUMNS = ("uCode", "iCode", "Var1", "Var2", "Removed", "Variable", "Level", "Nominal", "Mean", "Median",
                 "Q5", "Q95", "Min", "Max", "Std", "Skew", "Kurt", "Correlation", "PValue", "N", "Si", "STi")


def _columns(records: list[dict[str, Any]]) -> list[str]:
    keys = list(records[0]) if records else []
    return [k for k in FIRST_COLUMNS if k in keys] + sorted(k for k in keys if k not in FIRST_COLUMNS)


def _records(records: list[dict[str, Any]]) -> list[dict[str, str]]:
    columns = _columns(records)
    return [{k: _fmt(r.get(k), 3) for k in columns} for r in records]


EXPORTS = ("scores", "ranks", "audit", "uncertainty", "groups", "weights")


@login_required
@require_GET
def build_export(request: HttpRequest, slug: str, pk: int, what: str, fmt: str) -> HttpResponse:
    _org, b = _build(request, slug, pk)
    if what not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404(_("Unknown export"))
    name = f"{b.framework.name}-{b.year}-{what}"
    if what == "groups":
        keys, columns, grows = _group_table(b, request.GET.get("by", ""))
        if not columns and keys:
            keys, columns, grows = _group_table(b, keys[0])
        return exports.table_response(name, ["group", "count", *columns],
                                      ([r["group"], r["count"], *r["means"]] for r in grows), fmt)
    if what == "weights":
        wrows = _weight_rows(b)
        return exports.table_response(name, ["iCode", "name", "level", "parent", "framework", "effective"],
                                      ([r["code"], r["label"], r["level"], r["parent"], r["framework"],
                                        r["effective"]] for r in wrows), fmt)
    if what in ("audit", "uncertainty"):
        if what == "audit":
            rows = (b.audit or {}).get("stats", [])
        else:
            run = b.uncertainty_runs.filter(status=Status.SUCCEEDED).first()
            rows = run.rank_stats if run is not None else []
        headers = _columns(rows) or ["iCode"]
        return exports.table_response(name, headers, ([r.get(h) for h in headers] for r in rows), fmt)
    scores = b.scores_frame()
    table = analysis.ranks_of(scores) if what == "ranks" else scores
    names = dict(b.framework.units.values_list("code", "name"))
    headers = ["uCode", "uName", *table.columns]
    rows_out = ([code, names.get(code, code), *[None if not math.isfinite(v) else v for v in row]]
                for code, row in zip(table.index, table.to_numpy(dtype=float).tolist(), strict=True))
    return exports.table_response(name, headers, rows_out, fmt)


@login_required
@require_http_methods(["GET", "POST"])
def build_uncertainty(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, b = _build(request, slug, pk)
    can_organise = can(request.user, Action.ORGANISE, org)
    form = forms.UncertaintyForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        organisation_for(request.user, slug, Action.ORGANISE)
        if b.status != Status.SUCCEEDED:
            form.add_error(None, _("The build has no results yet."))
        if form.is_valid():
            c = form.cleaned_data
            steps = {s["name"] for s in b.steps}
            inputs = [k for k in c["inputs"] if k != "winmax" or "treat" in steps]
            if not inputs or (c["kind"] == "SA" and len(inputs) < 2):
                form.add_error("inputs", _("Choose inputs that this build uses (winsorisation only varies when the build treats outliers), two or more for a sensitivity analysis."))
        if form.is_valid():
            run = UncertaintyRun.objects.create(build=b, n=c["n"], seed=c["seed"], inputs=inputs)
            from kientao.core import audit

            audit.record(request.user, "indices.start_uncertainty", organisation=org, obj=run,
                         after={"n": run.n, "seed": run.seed, "inputs": inputs})
            run.job = start_job(tasks.run_uncertainty, kind="indices.uncertainty",
                                title=_("Uncertainty analysis of %(build)s") % {"build": b},
                                params={"run": run.pk, "kind": c["kind"]}, organisation=org, user=request.user)  # type: ignore[arg-type]
            run.save(update_fields=["job"])
            return redirect("indices:build_uncertainty", org.slug, b.pk)
        status = 400
    latest = b.uncertainty_runs.select_related("job").first()
    chart: Any = ""
    rows: list[dict[str, Any]] = []
    if latest is not None and latest.status == Status.SUCCEEDED and latest.rank_stats:
        names = dict(b.framework.units.values_list("code", "name"))
        stats = sorted(latest.rank_stats, key=lambda r: (r.get("Median") or 1e9))
        chart = charts.interval_chart(
            [charts.Interval(label=names.get(str(r["uCode"]), str(r["uCode"])), low=float(r["Q5"]),
                             mid=float(r["Median"]), high=float(r["Q95"]), marker=float(r["Nominal"]))
             for r in stats if r.get("Q5") is not None],
            title=_("Median rank with the 5th–95th percentile interval; marker: nominal rank"), axis_label=_("Rank"),
            reverse=True)
        rows = [{"name": names.get(str(r["uCode"]), str(r["uCode"])), "nominal": _fmt(r.get("Nominal"), 0),
                 "median": _fmt(r.get("Median"), 1), "q5": _fmt(r.get("Q5"), 1), "q95": _fmt(r.get("Q95"), 1)}
                for r in stats]
    return render(request, "indices/uncertainty.html", {
        "organisation": org, "build": b, "framework": b.framework, "form": form, "run": latest, "chart": chart,
        "rows": rows, "can_organise": can_organise,
        "sensitivity": _records(latest.sensitivity) if latest is not None else []}, status=status)


def _latest_builds(fw: Framework) -> list[Build]:
    latest: dict[int, Build] = {}
    for b in fw.builds.filter(status=Status.SUCCEEDED).order_by("year", "-created_at", "-pk"):
        latest.setdefault(b.year, b)
    return [latest[y] for y in sorted(latest)]


def trends_context(fw: Framework) -> dict[str, Any]:
    builds = _latest_builds(fw)
    if len(builds) < 2:
        return {"trend_builds": builds}
    frames = []
    for b in builds:
        s = b.scores_frame()
        frames.append(pd.DataFrame({"uCode": s.index, "Time": b.year, "Score": s.iloc[:, -1].to_numpy()}))
    panel = pd.concat(frames, ignore_index=True)
    changes = rank_changes(panel, code="Score")
    names = dict(fw.units.values_list("code", "name"))
    years = [str(b.year) for b in builds]
    series: dict[str, Sequence[float]] = {}
    for rec in changes.to_dict("records"):
        line = series.setdefault(names.get(rec["uCode"], rec["uCode"]), [math.nan] * len(years))
        assert isinstance(line, list)
        line[years.index(str(rec["Time"]))] = float(rec["Rank"])
    top = dict(sorted(series.items(), key=lambda kv: kv[1][-1])[:10])
    chart = charts.line_chart(years, top, title=_("Rank on the index by year (top 10)"), reverse=True)
    last = changes[changes["Time"] == builds[-1].year].sort_values("Rank")
    rows = [{"name": names.get(r["uCode"], r["uCode"]), "rank": _fmt(r["Rank"], 0), "score": _fmt(r["Score"], 1),
             "change": _fmt(r["RankChange"], 0)} for r in last.to_dict("records")]
    return {"trend_builds": builds, "trend_chart": chart, "trend_rows": rows, "years": years}


@login_required
@require_GET
def trends(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, fw = _framework(request, slug, pk, Action.VIEW)
    return render(request, "indices/trends.html", {"organisation": org, "framework": fw, **trends_context(fw)})


@require_GET
def public_results(request: HttpRequest, token: str) -> HttpResponse:
    fw = get_object_or_404(Framework.objects.select_related("organisation"), public_slug=token, published=True)
    builds = _latest_builds(fw)
    context: dict[str, Any] = {"framework": fw, "organisation": fw.organisation, "build": builds[-1] if builds else None}
    if builds:
        context.update(ranking_context(request, builds[-1]))
        context.update(trends_context(fw))
    return render(request, "indices/public.html", context)


# --- self-assessment surveys -------------------------------------------------

@login_required
@require_POST
def survey_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, fw = _framework(request, slug, pk, Action.ORGANISE)
    form = forms.SurveyForm(request.POST)
    if not form.is_valid():
        return render(request, "indices/survey_error.html", {"organisation": org, "framework": fw, "form": form},
                      status=400)
    survey = actions.create_survey(request.user, fw, form.cleaned_data["title"])
    return redirect("indices:survey_detail", org.slug, survey.pk)


def _survey(request: HttpRequest, slug: str, pk: int, action: Action) -> tuple[Organisation, Survey]:
    org = organisation_for(request.user, slug, action)
    return org, get_object_or_404(Survey.objects.select_related("framework"), pk=pk, framework__organisation=org)


def _survey_results(survey: Survey) -> dict[str, Any]:
    items = list(survey.items.all())
    rounds = list(survey.rounds.all())
    by_unit: dict[str, dict[int, Any]] = {}
    invites: QuerySet[SurveyInvite] = SurveyInvite.objects.filter(round__survey=survey).select_related(
        "unit", "round").prefetch_related("answers")
    for inv in invites:
        entry = by_unit.setdefault(inv.unit.name, {})
        if inv.submitted_at:
            vals = {a.item_id: a.value for a in inv.answers.all()}
            got = [v for v in vals.values() if v is not None]
            entry[inv.round.year] = _fmt(sum(got) / len(got), 2) if got else "–"
    table = [{"unit": u, "cells": [by_unit[u].get(r.year, "") for r in rounds]} for u in sorted(by_unit)]
    return {"items": items, "rounds": rounds, "results": table}


@login_required
@require_http_methods(["GET", "POST"])
def survey_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, survey = _survey(request, slug, pk, Action.VIEW)
    can_organise = can(request.user, Action.ORGANISE, org)
    item_form = forms.SurveyItemForm(framework=survey.framework)
    round_form = forms.RoundForm()
    status = 200
    if request.method == "POST":
        organisation_for(request.user, slug, Action.ORGANISE)
        what = request.POST.get("what")
        if what == "item":
            item_form = forms.SurveyItemForm(request.POST, framework=survey.framework)
            if item_form.is_valid():
                c = item_form.cleaned_data
                if survey.items.filter(indicator=c["indicator"]).exists():
                    item_form.add_error("indicator", _("This indicator already has a question."))
                else:
                    actions.add_item(request.user, survey, indicator=c["indicator"], text=c["text"], kind=c["kind"])
                    return redirect("indices:survey_detail", org.slug, survey.pk)
        elif what == "round":
            round_form = forms.RoundForm(request.POST)
            if round_form.is_valid():
                actions.open_round(request.user, survey, round_form.cleaned_data["year"])
                return redirect("indices:survey_detail", org.slug, survey.pk)
        elif what == "close" and request.POST.get("round", "").isdigit():
            rnd = get_object_or_404(SurveyRound, pk=int(request.POST["round"]), survey=survey)
            actions.close_round(request.user, rnd)
            return redirect("indices:survey_detail", org.slug, survey.pk)
        status = 400
    invites = SurveyInvite.objects.filter(round__survey=survey).select_related("unit", "round").order_by(
        "round__year", "unit__code") if can_organise else []
    return render(request, "indices/survey.html", {
        "organisation": org, "survey": survey, "framework": survey.framework, "can_organise": can_organise,
        "item_form": item_form, "round_form": round_form, "invites": invites, **_survey_results(survey)},
        status=status)


@require_http_methods(["GET", "POST"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    invite = get_object_or_404(SurveyInvite.objects.select_related("round__survey__framework", "unit"), token=token)
    rnd = invite.round
    items = list(rnd.survey.items.all())
    initial = {f"item_{a.item_id}": (str(int(a.value)) if a.item.kind != "number" and a.value is not None
                                     else a.value) for a in invite.answers.select_related("item")}
    form = forms.AnswerForm(request.POST if request.method == "POST" else None, items=items, initial=initial)
    status = 200
    saved = False
    if request.method == "POST":
        if not rnd.is_open:
            status = 403
        elif form.is_valid():
            actions.submit_answers(invite, form.values())
            saved = True
        else:
            status = 400
    return render(request, "indices/answer.html", {"invite": invite, "round": rnd, "survey": rnd.survey,
                                                   "form": form, "saved": saved}, status=status)
