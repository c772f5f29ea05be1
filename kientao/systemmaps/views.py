"""Pages of system maps: list, import, text/table/canvas editors, analysis, exports, history."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kientao.core.charts import Point, bar_chart, scatter_chart
from kientao.core.exports import table_response
from kientao.core.markup import render_markdown
from kientao.core.models import Organisation, User
from kientao.core.permissions import Action, can, organisation_for, organisations_of
from kientao.systemmaps import actions
from kientao.systemmaps.analysis import (
    actor_map_of,
    check_size,
    cytoscape_elements,
    engine_map,
    engine_map_from_snapshot,
    positions_of,
)
from kientao.systemmaps.engine import drawing
from kientao.systemmaps.engine.actors import actor_communities, power_interest_grid
from kientao.systemmaps.engine.formats import read_link_text, read_map, write_link_text, write_map
from kientao.systemmaps.engine.loops import LoopSearch, feedback_loops
from kientao.systemmaps.engine.measures import (
    ego_submap,
    factor_measures,
    leverage_candidates,
    paths_between,
    submap,
)
from kientao.systemmaps.engine.model import MapDataError
from kientao.systemmaps.engine.model import SystemMap as EMap
from kientao.systemmaps.engine.scenarios import run_scenario
from kientao.systemmaps.engine.trees import problem_tree
from kientao.systemmaps.forms import (
    CommentForm,
    FactorForm,
    ImportForm,
    LinkTextForm,
    MapForm,
    ProblemForm,
    ReplaceForm,
    ScenarioForm,
    SubmapForm,
)
from kientao.systemmaps.models import Factor, Link, MapVersion, SystemMap

# Loop search limits for a page view: pages answer quickly; the result says when cut off.
LOOP_LIMITS = {"max_length": 8, "max_loops": 500, "time_limit": 3.0}
EXPORTS = {
    "json": ("application/json", "kumu.json"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "kumu.xlsx"),
    "graphml": ("application/graphml+xml", "graphml"),
    "dot": ("text/vnd.graphviz; charset=utf-8", "dot"),
    "mmd": ("text/plain; charset=utf-8", "mmd"),
    "csv": ("text/csv; charset=utf-8", "edges.csv"),
    "txt": ("text/plain; charset=utf-8", "txt"),
    "svg": ("image/svg+xml", "svg"),
    "png": ("image/png", "png"),
}
EXPORT_LABELS = [
    ("json", "Kumu JSON"), ("xlsx", gettext_lazy("Kumu Excel")), ("graphml", "GraphML"),
    ("dot", "DOT (Graphviz)"), ("mmd", "Mermaid"), ("csv", gettext_lazy("CSV edge list")),
    ("txt", gettext_lazy("Link text")), ("svg", "SVG"), ("png", "PNG"),
]

# The engine's words for roles and quadrants, in the reader's language.
WORDS = {
    "driver": gettext_lazy("driver"), "outcome": gettext_lazy("outcome"),
    "intermediate": gettext_lazy("intermediate"), "isolated": gettext_lazy("isolated"),
    "influential": gettext_lazy("influential"), "relay": gettext_lazy("relay"),
    "dependent": gettext_lazy("dependent"), "autonomous": gettext_lazy("autonomous"),
    "manage closely": gettext_lazy("manage closely"), "keep satisfied": gettext_lazy("keep satisfied"),
    "keep informed": gettext_lazy("keep informed"), "monitor": gettext_lazy("monitor"),
    "steady": gettext_lazy("a steady state"), "cycle": gettext_lazy("a repeating cycle"),
    "max_iterations": gettext_lazy("the iteration cap, without settling"),
}


def _word(key: object) -> Any:
    return WORDS.get(str(key), str(key))


def _reasons(codes: list[tuple[str, dict[str, Any]]]) -> str:
    """The engine's leverage reasons, in the page's language."""
    texts = {
        "downstream": _("influences %(n)d of %(others)d other factors downstream"),
        "loops": _("on %(n)d feedback loops"),
        "most_loops": _("on more loops than any other factor"),
        "bridge": _("bridges parts of the map (betweenness %(betweenness).2f)"),
        "micmac": _("MICMAC %(quadrant)s (influence %(influence).1f× average, dependence %(dependence).1f×)"),
        "driver": _("a driver: nothing in the map influences it"),
    }
    parts = []
    for code, params in codes:
        if code == "micmac":
            params = {**params, "quadrant": _word(params["quadrant"])}
        parts.append(str(texts[code]) % params if params else str(texts[code]))
    return "; ".join(parts)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _map(request: HttpRequest, slug: str, pk: int, action: Action) -> tuple[Organisation, SystemMap]:
    org = organisation_for(request.user, slug, action)
    return org, get_object_or_404(SystemMap, pk=pk, organisation=org)


def _context(request: HttpRequest, org: Organisation, smap: SystemMap, **extra: Any) -> dict[str, Any]:
    return {"org": org, "map": smap, "can_edit": can(request.user, Action.ORGANISE, org),
            "exports": EXPORT_LABELS, **extra}


def _loops(em: EMap) -> LoopSearch:
    return feedback_loops(em, **LOOP_LIMITS)  # type: ignore[arg-type]


def loop_summary(search: LoopSearch) -> str:
    n = len(search.loops)
    if search.complete:
        text = _("All %(n)s feedback loops of up to %(len)s links are listed.") % {
            "n": n, "len": search.max_length}
        if search.longer_loops_possible:
            text += " " + _("Longer loops may exist.")
        return text
    return _(
        "The list was cut off after %(n)s loops (%(why)s): every loop of up to %(len)s links "
        "is listed; longer ones may be missing."
    ) % {"n": n, "len": search.complete_up_to,
         "why": _("count cap") if search.stop_reason == "max_loops" else _("time limit")}


def _loop_rows(em: EMap, search: LoopSearch) -> list[dict[str, Any]]:
    labels = em.labels()
    return [
        {"number": i, "polarity": lp.polarity, "length": lp.length, "delays": lp.delays,
         "factors": " → ".join(labels[f] for f in lp.factors), "links": lp.links}
        for i, lp in enumerate(search.loops, start=1)
    ]


def _svg(em: EMap) -> str:
    # The engine escapes every label in its SVG.
    return mark_safe(drawing.to_svg(em))  # noqa: S308


# --- landing and lists -------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    rows = [
        {"org": org, "maps": SystemMap.objects.filter(organisation=org)[:20],
         "can_edit": can(request.user, Action.ORGANISE, org)}
        for org in organisations_of(request.user)
    ]
    return render(request, "systemmaps/index.html", {"rows": rows})


@login_required
@require_GET
def map_list(request: HttpRequest, slug: str) -> HttpResponse:
    org = organisation_for(request.user, slug, Action.VIEW)
    maps = SystemMap.objects.filter(organisation=org)
    return render(request, "systemmaps/map_list.html",
                  {"org": org, "maps": maps, "can_edit": can(request.user, Action.ORGANISE, org)})


@login_required
@require_http_methods(["GET", "POST"])
def map_create(request: HttpRequest, slug: str) -> HttpResponse:
    org = organisation_for(request.user, slug, Action.ORGANISE)
    form = MapForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            smap = actions.create_map(_user(request), org, **form.cleaned_data)
            messages.success(request, _("The map is created. Add its links below."))
            return redirect("systemmaps:map_text", slug=org.slug, pk=smap.pk)
        return render(request, "systemmaps/map_form.html", {"org": org, "form": form}, status=400)
    return render(request, "systemmaps/map_form.html", {"org": org, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def map_import(request: HttpRequest, slug: str) -> HttpResponse:
    org = organisation_for(request.user, slug, Action.ORGANISE)
    form = ImportForm(request.POST if request.method == "POST" else None, request.FILES if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                em = read_map(upload.read(), upload.name or "map.txt")
                check_size(em)
            except MapDataError as exc:
                form.add_error("file", str(exc))
            else:
                title = form.cleaned_data["title"] or em.name or upload.name
                smap = actions.create_map(_user(request), org, title=title[:200],
                                          description=em.description, kind=form.cleaned_data["kind"],
                                          content=em)
                messages.success(request, _("The map is imported: %(f)s factors, %(l)s links.")
                                 % {"f": len(em.factors), "l": len(em.links)})
                return redirect(smap)
        return render(request, "systemmaps/map_import.html", {"org": org, "form": form}, status=400)
    return render(request, "systemmaps/map_import.html", {"org": org, "form": form})


# --- one map ------------------------------------------------------------------------------


@login_required
@require_GET
def map_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, smap = _map(request, slug, pk, Action.VIEW)
    factors = list(smap.factors.all())
    links = list(smap.links.select_related("source", "target"))
    choices = [(f"f:{f.pk}", f.label) for f in factors] + [(f"l:{lk.pk}", str(lk)) for lk in links]
    comments = smap.comments.select_related("author")
    return render(request, "systemmaps/map_detail.html", _context(
        request, org, smap, factors=factors, links=links, comments=comments,
        comment_form=CommentForm(choices=[("map", _("The whole map")), *choices]),
        version=smap.versions.first()))


@login_required
@require_http_methods(["GET", "POST"])
def map_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, smap = _map(request, slug, pk, Action.ORGANISE)
    form = MapForm(request.POST if request.method == "POST" else None, instance=smap)
    if request.method == "POST":
        if "delete" in request.POST:
            actions.delete_map(_user(request), smap)
            messages.success(request, _("The map is deleted."))
            return redirect("systemmaps:map_list", slug=org.slug)
        if form.is_valid():
            actions.update_map(_user(request), SystemMap.objects.get(pk=smap.pk), **form.cleaned_data)
            messages.success(request, _("The map is saved."))
            return redirect(smap)
        return render(request, "systemmaps/map_form.html",
                      {"org": org, "form": form, "map": smap, "replace_form": ReplaceForm()}, status=400)
    return render(request, "systemmaps/map_form.html",
                  {"org": org, "form": form, "map": smap, "replace_form": ReplaceForm()})


@login_required
@require_POST
def map_replace(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Replace the map's content from a file (a new version; nothing changes on an error)."""
    org, smap = _map(request, slug, pk, Action.ORGANISE)
    form = ReplaceForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            em = read_map(upload.read(), upload.name or "map.txt")
            actions.save_content(_user(request), smap, em, note=upload.name or "")
        except MapDataError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("The map is replaced from the file as a new version."))
            return redirect(smap)
    return render(request, "systemmaps/map_form.html",
                  {"org": org, "form": MapForm(instance=smap), "map": smap, "replace_form": form}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def map_text(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, smap = _map(request, slug, pk, Action.VIEW if request.method == "GET" else Action.ORGANISE)
    if request.method == "POST":
        form = LinkTextForm(request.POST)
        if form.is_valid():
            try:
                em = read_link_text(form.cleaned_data["text"])
                actions.save_content(_user(request), smap, em, note=_("text view"), keep_details=True)
            except MapDataError as exc:
                form.add_error("text", str(exc))
            else:
                messages.success(request, _("The map is saved as a new version."))
                return redirect("systemmaps:map_text", slug=org.slug, pk=smap.pk)
        return render(request, "systemmaps/map_text.html", _context(request, org, smap, form=form), status=400)
    form = LinkTextForm(initial={"text": write_link_text(engine_map(smap))})
    return render(request, "systemmaps/map_text.html", _context(request, org, smap, form=form))


@login_required
@require_GET
def map_canvas(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, smap = _map(request, slug, pk, Action.VIEW)
    em = engine_map(smap)
    stored = positions_of(em)
    if len(stored) < len(em.factors):
        # Unplaced factors get the engine's layout, scaled to pixels.
        layout = drawing.layout_positions(em)
        stored = {k: stored.get(k, (80 + 800 * x, 60 + 560 * y)) for k, (x, y) in layout.items()}
    search = _loops(em)
    loops = _loop_rows(em, search)
    highlight = request.GET.get("loop", "")
    return render(request, "systemmaps/map_canvas.html", _context(
        request, org, smap, elements=cytoscape_elements(em, stored),
        loops=loops, loop_data=[{"number": r["number"], "links": list(r["links"])} for r in loops],
        highlight=int(highlight) if highlight.isdigit() else 0, loop_message=loop_summary(search),
        factors=em.factors, links=[(lk, em.labels()) for lk in em.links]))


@login_required
@require_POST
def map_save(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    """Save the canvas: JSON ``{"factors": [{id, label, x, y}], "links": [{id, source, target,
    sign, delay}]}``; validated by the engine, saved atomically as a new version."""
    org, smap = _map(request, slug, pk, Action.ORGANISE)
    try:
        data = json.loads(request.body.decode("utf-8"))
        if not isinstance(data, dict) or not isinstance(data.get("factors"), list) \
                or not isinstance(data.get("links"), list):
            raise MapDataError(_("Expected an object with lists “factors” and “links”."))
        data["loops"] = list(smap.named_loops)
        em = engine_map_from_snapshot(data, name=smap.title)
        version = actions.save_content(_user(request), smap, em, note=_("canvas"),
                                         keep_details=True, match_keys=True)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return JsonResponse({"error": _("The request is not valid JSON.")}, status=400)
    except MapDataError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"ok": True, "version": version.number})


@login_required
@require_GET
def map_analysis(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, smap = _map(request, slug, pk, Action.VIEW)
    em = engine_map(smap)
    search = _loops(em)
    measures = factor_measures(em, search)
    leverage = leverage_candidates(measures, top=10)
    choices = [(f.id, f.label) for f in em.factors]
    status = 200
    ctx = _context(request, org, smap, loops=_loop_rows(em, search), loop_message=loop_summary(search),
                   measures=[{**r, "role": _word(r["role"]), "micmac_quadrant": _word(r["micmac_quadrant"])}
                             for r in measures.reset_index().to_dict("records")],
                   leverage=[{**r, "reasons": _reasons(r["reason_codes"])}
                             for r in leverage.to_dict("records")],
                   submap_form=SubmapForm(request.GET if request.GET and not ({"scenario", "problem"}
                                                                & set(request.GET)) else None,
                                          choices=choices, auto_id="sub_%s"),
                   scenario_form=ScenarioForm(request.GET if "scenario" in request.GET else None,
                                              choices=choices, auto_id="scen_%s"))
    sub_form = ctx["submap_form"]
    asks_submap = bool(request.GET) and not ({"scenario", "problem"} & set(request.GET))
    if asks_submap and sub_form.is_valid():
        data = sub_form.cleaned_data
        try:
            if data["factor"]:
                sub = ego_submap(em, data["factor"], radius=data["radius"] or 1)
                ctx["submap_title"] = _("Neighbourhood of %(f)s") % {"f": em.factor(data["factor"]).label}
                ctx["submap_svg"] = _svg(sub)
                ctx["submap_factors"] = [f.label for f in sub.factors]
            elif data["source"] and data["target"]:
                paths = paths_between(em, data["source"], data["target"], cutoff=6, max_paths=50)
                labels = em.labels()
                ctx["paths"] = [" → ".join(labels[f] for f in p) for p in paths]
                ids = {f for p in paths for f in p}
                ctx["submap_title"] = _("Paths from %(a)s to %(b)s") % {
                    "a": labels[data["source"]], "b": labels[data["target"]]}
                if ids:
                    ctx["submap_svg"] = _svg(submap(em, ids))
        except (MapDataError, KeyError) as exc:
            ctx["submap_error"] = str(exc)
            status = 400
    elif asks_submap:
        status = 400
    problem_form = ProblemForm(request.GET if "problem" in request.GET else None, choices=choices,
                               auto_id="tree_%s")
    ctx["problem_form"] = problem_form
    if "problem" in request.GET:
        if problem_form.is_valid():
            tree = problem_tree(em, problem_form.cleaned_data["problem"])
            labels = em.labels()
            ctx["tree"] = {
                "problem": labels[tree.problem],
                "causes": [[labels[f] for f in layer] for layer in tree.causes],
                "effects": [[labels[f] for f in layer] for layer in tree.effects],
                "root_causes": [labels[f] for f in tree.root_causes],
                "feedback": [labels[f] for f in tree.feedback],
            }
        else:
            status = 400
    actor_map = actor_map_of(em)
    if actor_map is not None:
        grid = power_interest_grid(actor_map)
        ctx["actor_grid"] = [{**r, "quadrant": _word(r["quadrant"])} for r in grid.to_dict("records")]
        quadrants = ["manage closely", "keep satisfied", "keep informed", "monitor"]
        ctx["actor_chart"] = scatter_chart(
            [Point(float(r["power"]), float(r["interest"]), quadrants.index(r["quadrant"]), str(r["label"]))
             for r in grid.to_dict("records")],
            title=_("Power (across) and interest (up) of the actors"),
            group_names=[str(_word(q)) for q in quadrants], radius=6)
        labels = em.labels()
        ctx["actor_groups"] = [sorted(labels[a] for a in group) for group in actor_communities(actor_map)]
    scen_form = ctx["scenario_form"]
    if "scenario" in request.GET:
        if scen_form.is_valid():
            d = scen_form.cleaned_data
            clamp = {d["factor"]: d["value"]}
            if d["factor2"] and d["value2"] is not None:
                clamp[d["factor2"]] = d["value2"]
            try:
                result = run_scenario(em, clamp)
            except MapDataError as exc:
                ctx["scenario_error"] = str(exc)
                status = 400
            else:
                table = result.table.reset_index()
                rows = table.to_dict("records")
                free = [r for r in rows if not r["clamped"]]
                ctx["scenario_rows"] = rows
                ctx["scenario_outcome"] = _word(result.scenario.outcome)
                ctx["scenario_chart"] = bar_chart(
                    [str(r["label"]) for r in free], [float(r["change"]) for r in free],
                    title=_("Change from the baseline (scenario − baseline)"))
        else:
            status = 400
    return render(request, "systemmaps/map_analysis.html", ctx, status=status)


@login_required
@require_GET
def map_export(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    org, smap = _map(request, slug, pk, Action.VIEW)
    if fmt not in EXPORTS:
        raise Http404("No such format")
    content_type, ext = EXPORTS[fmt]
    try:
        body = write_map(engine_map(smap), f"map.{ext.rsplit('.', 1)[-1]}")
    except (MapDataError, RuntimeError) as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="map-{smap.pk}.{ext}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def map_table(request: HttpRequest, slug: str, pk: int, table: str, fmt: str) -> HttpResponse:
    org, smap = _map(request, slug, pk, Action.VIEW)
    if fmt not in ("csv", "xlsx") or table not in ("loops", "factors"):
        raise Http404("No such table")
    em = engine_map(smap)
    search = _loops(em)
    if table == "loops":
        rows = [[r["number"], r["length"], r["polarity"], r["factors"], r["delays"]]
                for r in _loop_rows(em, search)]
        return table_response(f"map-{smap.pk}-loops", ["loop", "length", "polarity", "factors", "delays"],
                              rows, fmt)
    measures = factor_measures(em, search).reset_index()
    headers = [str(c) for c in measures.columns]
    return table_response(f"map-{smap.pk}-factors", headers, measures.itertuples(index=False), fmt)


@login_required
@require_GET
def map_history(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, smap = _map(request, slug, pk, Action.VIEW)
    versions = smap.versions.select_related("author")
    return render(request, "systemmaps/map_history.html", _context(request, org, smap, versions=versions))


@login_required
@require_POST
def version_restore(request: HttpRequest, slug: str, pk: int, number: int) -> HttpResponse:
    org, smap = _map(request, slug, pk, Action.ORGANISE)
    version = get_object_or_404(MapVersion, map=smap, number=number)
    try:
        new = actions.restore_version(_user(request), smap, version)
    except MapDataError as exc:
        messages.error(request, str(exc))
        return redirect("systemmaps:map_history", slug=org.slug, pk=smap.pk)
    messages.success(request, _("Version %(old)s is restored as version %(new)s.")
                     % {"old": version.number, "new": new.number})
    return redirect("systemmaps:map_history", slug=org.slug, pk=smap.pk)


@login_required
@require_POST
def comment_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    org, smap = _map(request, slug, pk, Action.VIEW)
    factors = {f"f:{f.pk}": f for f in smap.factors.all()}
    links = {f"l:{lk.pk}": lk for lk in smap.links.select_related("source", "target")}
    choices = [("map", "map")] + [(k, str(v)) for k, v in factors.items()] + [(k, str(v)) for k, v in links.items()]
    form = CommentForm(request.POST, choices=choices)
    if not form.is_valid():
        ctx = _context(request, org, smap, factors=list(factors.values()), links=list(links.values()),
                       comments=smap.comments.select_related("author"), comment_form=form,
                       version=smap.versions.first())
        return render(request, "systemmaps/map_detail.html", ctx, status=400)
    subject = form.cleaned_data["subject"]
    factor: Factor | None = factors.get(subject)
    link: Link | None = links.get(subject)
    actions.add_comment(_user(request), smap, form.cleaned_data["text"], factor=factor, link=link)
    messages.success(request, _("Your comment is added."))
    return redirect(f"{smap.get_absolute_url()}#comments")


@login_required
@require_http_methods(["GET", "POST"])
def factor_detail(request: HttpRequest, slug: str, pk: int, factor_pk: int) -> HttpResponse:
    """A factor's profile (Markdown description, links in and out, comments); editors edit it."""
    org, smap = _map(request, slug, pk, Action.VIEW if request.method == "GET" else Action.ORGANISE)
    factor = get_object_or_404(Factor, pk=factor_pk, map=smap)
    form = FactorForm(request.POST if request.method == "POST" else None, instance=factor)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            actions.update_factor(_user(request), factor, description=form.cleaned_data["description"],
                                  type=form.cleaned_data["type"], tags=form.cleaned_data["tags_text"])
            messages.success(request, _("The factor is saved."))
            return redirect("systemmaps:factor_detail", slug=org.slug, pk=smap.pk, factor_pk=factor.pk)
        status = 400
    return render(request, "systemmaps/factor_detail.html", _context(
        request, org, smap, factor=factor, form=form, description=render_markdown(factor.description),
        links_in=factor.links_in.select_related("source"), links_out=factor.links_out.select_related("target"),
        comments=factor.comments.select_related("author")), status=status)


@require_GET
def map_embed(request: HttpRequest, pk: int) -> HttpResponse:
    """The drawing of a map shared by link: public, read-only (for example from a challenge)."""
    smap = get_object_or_404(SystemMap, pk=pk, shared=True)
    response = HttpResponse(drawing.to_svg(engine_map(smap)), content_type="image/svg+xml")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
