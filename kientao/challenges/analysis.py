"""Glue between the database and the pure engine: build its inputs, store its outputs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction

from kientao.challenges.engine import assign_reviewers, calibrate_scores, text_affinity
from kientao.challenges.models import (
    Assignment,
    Challenge,
    ConflictOfInterest,
    Judge,
    Panel,
    RankingEntry,
    Score,
    Submission,
)
from kientao.core.demo import DEMO_DOMAIN
from kientao.core.models import Membership

# Domains shared by unrelated people: a common domain there says nothing about an organisation.
# (example.org/.com are reserved for documentation, RFC 2606.)
PUBLIC_EMAIL_DOMAINS = frozenset({
    "gmail.com", "yahoo.com", "yahoo.com.vn", "outlook.com", "hotmail.com", "icloud.com",
    "live.com", "proton.me", "protonmail.com", "example.org", "example.com", DEMO_DOMAIN,
})


def _rows(frame: pd.DataFrame) -> list[Any]:
    return list(frame.itertuples(index=False))


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].lower()


def submission_text(submission: Submission, blind_keys: set[str]) -> str:
    """The text judges may see, for affinity: title and non-identifying answers."""
    parts = [submission.title]
    for key, value in (submission.answers or {}).items():
        if key in blind_keys:
            continue
        if isinstance(value, list):
            parts.extend(str(v) for v in value if not isinstance(v, dict))
        elif isinstance(value, str):
            parts.append(value)
    return " ".join(parts)


def reviewable(challenge: Challenge) -> Any:
    return challenge.submissions.filter(status__in=Submission.IN_REVIEW)


def same_organisation_conflicts(challenge: Challenge) -> int:
    """Record conflicts for a judge and an applicant with the same e-mail domain or organisation."""
    judges = list(challenge.judges.select_related("user"))
    subs = list(reviewable(challenge).select_related("applicant"))
    orgs: dict[int, set[int]] = {}
    user_ids = {j.user_id for j in judges} | {s.applicant_id for s in subs}
    for user_id, org_id in Membership.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "organisation_id"
    ):
        orgs.setdefault(user_id, set()).add(org_id)
    existing = set(
        ConflictOfInterest.objects.filter(judge__challenge=challenge).values_list("judge_id", "submission_id")
    )
    new = []
    for judge in judges:
        j_domain = email_domain(judge.user.email)
        j_orgs = orgs.get(judge.user_id, set())
        for sub in subs:
            if (judge.pk, sub.pk) in existing:
                continue
            same_domain = j_domain not in PUBLIC_EMAIL_DOMAINS and j_domain == email_domain(sub.applicant.email)
            shared = j_orgs & orgs.get(sub.applicant_id, set())
            if judge.user_id == sub.applicant_id or same_domain or shared:
                reason = "same e-mail domain" if same_domain else "same organisation"
                if judge.user_id == sub.applicant_id:
                    reason = "own submission"
                new.append(ConflictOfInterest(judge=judge, submission=sub,
                                              source=ConflictOfInterest.Source.SAME_ORGANISATION,
                                              reason=reason))
    ConflictOfInterest.objects.bulk_create(new)
    return len(new)


def panel_submissions(challenge: Challenge, panel: str) -> Any:
    """The screening panel reviews every eligible submission; the final panel only the shortlist."""
    if panel == Panel.FINAL:
        return challenge.submissions.filter(status__in=[Submission.Status.SHORTLISTED, Submission.Status.WINNER])
    return reviewable(challenge)


def assign(challenge: Challenge, *, per_submission: int, min_load: int, max_load: int,
           seed: int = 0, panel: str = Panel.SCREENING, forced: list[tuple[int, int]] | None = None,
           probability_cap: float | None = None) -> dict[str, Any]:
    """Optimal assignment (engine) of one panel, replacing its unscored assignments. Raises ValueError.

    ``forced`` holds (submission id, judge id) pairs the organiser requires; ``probability_cap``
    switches to the engine's randomised assignment (no pair more likely than the cap).
    """
    judges = list(challenge.judges.filter(panel=panel))
    subs = list(panel_submissions(challenge, panel))
    if not judges or not subs:
        raise ValueError("There must be at least one judge and one eligible submission.")
    same_organisation_conflicts(challenge)
    blind = set(challenge.fields.filter(identifying=True).values_list("key", flat=True))
    texts = {s.pk: submission_text(s, blind) for s in subs}
    keywords = {j.pk: j.keywords or "" for j in judges}
    if any(keywords.values()):
        affinity = text_affinity(dict(texts), dict(keywords))  # type: ignore[arg-type]
    else:
        affinity = pd.DataFrame(0.0, index=list(texts), columns=list(keywords))
    affinity = affinity.reindex(index=list(texts), columns=list(keywords)).fillna(0.0)
    sub_ids, judge_ids = set(texts), set(keywords)
    conflicts = [
        pair for pair in ConflictOfInterest.objects.filter(judge__challenge=challenge, judge__panel=panel)
        .values_list("submission_id", "judge_id") if pair[0] in sub_ids
    ]
    scored = set(
        Score.objects.filter(assignment__judge__challenge=challenge, assignment__judge__panel=panel)
        .values_list("assignment__submission_id", "assignment__judge_id")
    )
    must = {pair for pair in scored if pair not in set(conflicts) and pair[0] in sub_ids}
    for s, j in forced or []:
        if s not in sub_ids or j not in judge_ids:
            raise ValueError("A required pair names a submission or judge outside this panel's round.")
        if (s, j) in set(conflicts):
            raise ValueError("A required pair has a conflict of interest.")
        must.add((s, j))
    result = assign_reviewers(
        affinity, per_submission=per_submission, min_load=min_load, max_load=max_load,
        conflicts=conflicts or None, forced=sorted(must) or None, seed=seed, probability_cap=probability_cap,
    )
    pairs = {(int(r.submission), int(r.judge)): float(r.affinity) for r in _rows(result.pairs)}
    mine = Assignment.objects.filter(judge__challenge=challenge, judge__panel=panel)
    with transaction.atomic():
        mine.exclude(scores__isnull=False).delete()
        kept = set(mine.values_list("submission_id", "judge_id"))
        Assignment.objects.bulk_create([
            Assignment(submission_id=s, judge_id=j, affinity=a)
            for (s, j), a in pairs.items() if (s, j) not in kept
        ])
    return {"pairs": len(pairs), "total_affinity": round(float(result.total_affinity), 4)}


def score_frame(challenge: Challenge, panel: str = Panel.SCREENING) -> tuple[pd.DataFrame, dict[str, float]]:
    rows = list(
        Score.objects.filter(assignment__judge__challenge=challenge, assignment__judge__panel=panel)
        .values_list("assignment__submission_id", "assignment__judge_id", "criterion_id", "value")
    )
    frame = pd.DataFrame(rows, columns=["submission", "judge", "criterion", "score"])
    frame["criterion"] = frame["criterion"].astype(str)
    frame["score"] = frame["score"].astype(float)
    weights = {str(pk): float(w) for pk, w in challenge.criteria.values_list("pk", "weight")}
    return frame, weights


def calibrate(challenge: Challenge, *, rank_by: str = "additive", panel: str = Panel.SCREENING) -> dict[str, Any]:
    """Run the engine's calibration on one panel's scores; store the ranking and reliability. Raises ValueError."""
    frame, weights = score_frame(challenge, panel)
    if frame.empty:
        raise ValueError("There are no scores yet.")
    cal = calibrate_scores(frame, weights, rank_by=rank_by,  # type: ignore[arg-type]
                           shortlist=challenge.shortlist_size or None)
    names = {str(c.pk): c.name_vi for c in challenge.criteria.all()}
    flags: dict[int, list[str]] = {}
    for row in _rows(cal.flags):
        flags.setdefault(int(row.submission), []).append(str(row.flag))
    entries = [
        RankingEntry(
            challenge=challenge, submission_id=int(r.submission), n_judges=int(r.n_judges),
            raw_mean=float(r.raw_mean), raw_sd=float(r.raw_sd), zscore=float(r.zscore_rescaled),
            additive=float(r.additive), score=float(r.score), score_low=float(r.score_low),
            score_high=float(r.score_high), rank=int(r.rank), rank_best=int(r.rank_best),
            rank_worst=int(r.rank_worst), flags=",".join(flags.get(int(r.submission), [])),
        )
        for r in _rows(cal.submissions)
    ]
    reliability = [
        {
            "criterion": names.get(str(r.criterion), str(r.criterion)),
            "statistic": str(r.statistic),
            "value": None if not np.isfinite(r.value) else round(float(r.value), 3),
            "ci_low": None if not np.isfinite(r.ci_low) else round(float(r.ci_low), 3),
            "ci_high": None if not np.isfinite(r.ci_high) else round(float(r.ci_high), 3),
            "n_items": int(r.n_items),
            "n_raters": int(r.n_raters),
        }
        for r in _rows(cal.reliability)
    ]
    judge_ids = [int(j) for j in cal.judges["judge"]]
    emails = dict(Judge.objects.filter(pk__in=judge_ids).values_list("pk", "user__email"))
    judges = [
        {"judge": emails.get(int(r.judge), str(r.judge)), "n_scores": int(r.n_scores),
         "mean": round(float(r.mean), 3), "bias": round(float(r.bias), 3)}
        for r in _rows(cal.judges)
    ]
    # Notes for the page as codes with values (translated by the template), by criterion name.
    notes: list[dict[str, Any]] = [
        {"code": "low_alpha", "criterion": r["criterion"], "value": r["value"]}
        for r in reliability
        if r["statistic"] == "alpha_interval" and r["value"] is not None and float(r["value"]) < 0.667
    ]
    components = int(cal.summary.get("components", 1) or 1)
    if components > 1:
        notes.append({"code": "components", "n": components})
    with transaction.atomic():
        RankingEntry.objects.filter(challenge=challenge).delete()
        RankingEntry.objects.bulk_create(entries, batch_size=2000)
        challenge.calibration = {"rank_by": rank_by, "panel": panel, "reliability": reliability, "judges": judges,
                                 "notes": notes, "n_scores": len(frame)}
        challenge.save(update_fields=["calibration"])
    return {"submissions": len(entries), "scores": len(frame)}


# People's choice: anomaly report -------------------------------------------------------------

SPIKE_MADS = 5.0
NEW_ACCOUNT_HOURS = 24
ADDRESS_THRESHOLD = 5


def vote_anomalies(challenge: Challenge) -> dict[str, Any]:
    """Votes per hour with spikes (above median + 5·MAD), new-account share, repeated addresses.

    Hours without votes between the first and the last vote count as zero, so the median describes
    the whole voting period. A MAD of zero (flat traffic) is taken as one vote, so a single extra
    vote is not a spike.
    """
    votes = list(challenge.public_votes.values_list("created_at", "address_hash", "user__date_joined"))
    if not votes:
        return {"n_votes": 0, "hours": [], "threshold": 0.0, "new_share": 0.0, "n_new": 0,
                "addresses": [], "median": 0.0, "mad": 0.0}
    frame = pd.DataFrame(votes, columns=["at", "address", "joined"])
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    frame["joined"] = pd.to_datetime(frame["joined"], utc=True)
    per_hour = frame.set_index("at").resample("1h").size()
    counts = per_hour.to_numpy(dtype=float)
    median = float(np.median(counts))
    mad = float(np.median(np.abs(counts - median)))
    threshold = median + SPIKE_MADS * max(mad, 1.0)
    hours = [{"hour": pd.Timestamp(str(ts)).to_pydatetime(), "votes": int(n), "spike": bool(n > threshold)}
             for ts, n in per_hour.items()]
    new = frame["at"] - frame["joined"] < pd.Timedelta(hours=NEW_ACCOUNT_HOURS)
    by_address = frame[frame["address"] != ""].groupby("address").size().sort_values(ascending=False)
    addresses = [{"address": str(a)[:12], "votes": int(n)} for a, n in by_address.items()
                 if n >= ADDRESS_THRESHOLD]
    return {"n_votes": len(frame), "hours": hours, "threshold": round(threshold, 2), "median": median,
            "mad": mad, "n_new": int(new.sum()), "new_share": round(float(new.mean()), 4),
            "addresses": addresses}


# Accelerator: progress of a cohort ------------------------------------------------------------

def cohort_progress(cohort: Any, today: Any = None) -> list[dict[str, Any]]:
    """Per team: milestones done and late, last report, latest KPI values against their targets."""
    from django.utils import timezone

    from kientao.challenges.models import KpiValue, MilestoneStatus, milestone_state

    today = today or timezone.localdate()
    teams = list(cohort.teams.order_by("number"))
    milestones = list(cohort.milestones.all())
    kpis = list(cohort.kpis.all())
    states = {(s.milestone_id, s.submission_id): s.state
              for s in MilestoneStatus.objects.filter(milestone__cohort=cohort)}
    last_reports: dict[int, Any] = {}
    for report in cohort.reports.order_by("created_at", "pk"):
        last_reports[report.submission_id] = report
    latest: dict[tuple[int, int], float] = {}
    for sub_id, kpi_id, number in KpiValue.objects.filter(report__cohort=cohort).order_by(
            "report__created_at", "report__pk").values_list("report__submission_id", "kpi_id", "value"):
        latest[(sub_id, kpi_id)] = number
    rows = []
    for team in teams:
        shown = [milestone_state(states.get((m.pk, team.pk), MilestoneStatus.State.NOT_STARTED), m.due_on, today)
                 for m in milestones]
        kpi_rows = []
        for k in kpis:
            value = latest.get((team.pk, k.pk))
            percent = round(100 * value / k.target) if value is not None and k.target else None
            kpi_rows.append({"kpi": k, "value": value, "percent": percent})
        rows.append({"team": team, "n_milestones": len(milestones), "done": shown.count("done"),
                     "late": shown.count("late"), "last_report": last_reports.get(team.pk), "kpis": kpi_rows})
    return rows
