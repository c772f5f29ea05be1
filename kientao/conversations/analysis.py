"""Glue between the database and the pure engine: load votes, run, store, route, export."""

from __future__ import annotations

import io
import math
import random
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.utils import timezone

from kientao.conversations.engine import (
    AnalysisState,
    VoteDataError,
    analyze,
    build_vote_matrix,
    disaggregate_votes,
    near_duplicate_statements,
)
from kientao.conversations.engine.formats import ConversationData, write_polis_export
from kientao.conversations.models import AnalysisRun, Conversation, Participant, Statement, Vote

MIN_CELL = 10
Progress = Callable[[int, str], None]


def _num(value: Any) -> float | None:
    """JSON-safe float (NaN and infinity become None)."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return round(f, 6) if math.isfinite(f) else None


def statements_frame(conversation: Conversation) -> pd.DataFrame:
    rows = list(conversation.statements.values_list("pk", "status", "is_meta"))
    return pd.DataFrame(
        {
            "statement": [r[0] for r in rows],
            "moderated": [
                -1 if r[1] == Statement.Status.REJECTED else 1 if r[1] == Statement.Status.ACCEPTED else 0
                for r in rows
            ],
            "is_meta": [bool(r[2]) for r in rows],
        }
    )


def votes_frame(conversation: Conversation) -> pd.DataFrame:
    rows = Vote.objects.filter(statement__conversation=conversation).values_list(
        "participant_id", "statement_id", "value"
    )
    arr = np.array(list(rows), dtype=np.int64).reshape(-1, 3)
    return pd.DataFrame({"participant": arr[:, 0], "statement": arr[:, 1], "vote": arr[:, 2]})


def run_analysis(conversation: Conversation, *, job: Any = None,
                 progress: Progress | None = None) -> AnalysisRun:
    """Analyse the whole conversation now and store an :class:`AnalysisRun`."""
    st = statements_frame(conversation)
    votes = votes_frame(conversation)
    previous = conversation.analyses.first()
    state = None
    if previous is not None and previous.state:
        try:
            state = AnalysisState.from_dict(previous.state)
        except VoteDataError:
            state = None
    n_votes = len(votes)
    if n_votes == 0 or len(st) == 0:
        results: dict[str, Any] = _empty_results()
        new_state: dict[str, Any] = {}
    else:
        matrix = build_vote_matrix(
            votes["participant"].to_numpy(), votes["statement"].to_numpy(), votes["vote"].to_numpy(),
            statements=st["statement"].to_numpy(),
            moderated_out=st.loc[st["moderated"] == -1, "statement"].to_numpy(),
            is_meta=st.loc[st["is_meta"], "statement"].to_numpy(),
        )
        try:
            result, next_state = analyze(matrix, state=state, progress=progress)
        except VoteDataError:
            # A stored state that no longer fits (e.g. statements deleted): start afresh.
            result, next_state = analyze(matrix, progress=progress)
        results = _results_json(result)
        results["disaggregation"] = _disaggregation(conversation, matrix)
        new_state = next_state.to_dict()
    results["computed_at"] = timezone.now().isoformat()
    return AnalysisRun.objects.create(
        conversation=conversation, job=job, results=results, state=new_state, n_votes=n_votes,
        n_participants=int(votes["participant"].nunique()) if n_votes else 0,
    )


def _empty_results() -> dict[str, Any]:
    return {"n_groups": 0, "groups": [], "participants": [], "consensus": [], "statements": [],
            "disaggregation": []}


def _results_json(result: Any) -> dict[str, Any]:
    parts = result.participants
    n_groups = int(result.n_groups)
    groups = []
    for g in range(n_groups):
        rep = result.repness
        rows = rep[(rep["group"] == g) & (rep["selected"])].sort_values("rank")
        groups.append({
            "id": g,
            "size": int((parts["group"] == g).sum()),
            "repness": [
                {"statement": int(r.statement), "direction": str(r.direction), "p": _num(r.p),
                 "n_agree": int(r.n_agree), "n_disagree": int(r.n_disagree), "n_seen": int(r.n_seen)}
                for r in rows.itertuples()
            ],
        })
    statements = []
    for r in result.statements.to_dict("records"):
        statements.append({
            "statement": int(r["statement"]),
            "excluded": bool(r["excluded"]),
            "n_agree": int(r["n_agree"]), "n_disagree": int(r["n_disagree"]),
            "n_pass": int(r["n_pass"]), "n_seen": int(r["n_seen"]),
            "agree_share": _num(r["agree_share"]), "disagree_share": _num(r["disagree_share"]),
            "pass_share": _num(r["pass_share"]),
            "gic": _num(r["group_informed_consensus"]),
            "divisiveness": _num(r["divisiveness"]),
            "priority": _num(r["priority"]),
            "groups": [_num(r.get(f"g{g}_agree_share")) for g in range(n_groups)],
        })
    consensus = [
        {"statement": int(r.statement), "direction": str(r.direction), "p": _num(r.p),
         "n_seen": int(r.n_seen)}
        for r in result.consensus.itertuples()
    ]
    return {
        "n_groups": n_groups,
        "groups": groups,
        "participants": [
            [int(r.participant), int(r.group), _num(r.x), _num(r.y)] for r in parts.itertuples()
        ],
        "n_in_conv": int(parts["in_conv"].sum()),
        "consensus": consensus,
        "statements": statements,
    }


def _disaggregation(conversation: Conversation, matrix: Any) -> list[dict[str, Any]]:
    keys = [q["key"] for q in conversation.questions()]
    if not keys:
        return []
    rows = Participant.objects.filter(conversation=conversation, consent_at__isnull=False).values_list(
        "pk", "attributes"
    )
    data = [{"participant": pk, **{k: (attrs or {}).get(k) for k in keys}} for pk, attrs in rows]
    if not data:
        return []
    frame = pd.DataFrame(data)
    known = {int(p) for p in np.asarray(matrix.participants)}
    frame = frame[frame["participant"].isin(known)]
    if frame.empty:
        return []
    try:
        table = disaggregate_votes(matrix, frame, min_cell=MIN_CELL)
    except VoteDataError:
        return []
    return [
        {"statement": int(r["statement"]), "attribute": str(r["attribute"]), "value": str(r["value"]),
         "n_seen": None if r["suppressed"] else int(r["n_seen"]),
         "agree_share": None if r["suppressed"] else _num(r["agree_share"]),
         "disagree_share": None if r["suppressed"] else _num(r["disagree_share"]),
         "suppressed": bool(r["suppressed"])}
        for r in table.to_dict("records")
    ]


def duplicate_hints(conversation: Conversation, pending: list[Statement]) -> dict[int, list[Statement]]:
    """For each pending statement, the visible or pending statements it nearly repeats."""
    if not pending:
        return {}
    pool = list(conversation.statements.exclude(status=Statement.Status.REJECTED))
    by_id = {s.pk: s for s in pool}
    pairs = near_duplicate_statements([s.text for s in pool], [s.pk for s in pool], threshold=0.6)
    wanted = {s.pk for s in pending}
    out: dict[int, list[Statement]] = {}
    for a, b in zip(pairs["statement_a"], pairs["statement_b"], strict=True):
        for x, y in ((a, b), (b, a)):
            if x in wanted:
                out.setdefault(int(x), []).append(by_id[int(y)])
    return out


def next_statement(conversation: Conversation, participant: Participant | None,
                   *, rng: random.Random | None = None) -> tuple[Statement | None, int, int]:
    """Pick the next statement as Pol.is does: weighted by routing priority, never one voted.

    Returns (statement or None, number voted, number of visible statements).
    """
    visible = list(conversation.visible_statements().values_list("pk", flat=True))
    voted: set[int] = set()
    if participant is not None:
        voted = set(participant.votes.values_list("statement_id", flat=True))
    todo = [pk for pk in visible if pk not in voted]
    total = len(visible)
    done = total - len(todo)
    if not todo:
        return None, done, total
    latest = conversation.analyses.first()
    stored = {}
    if latest is not None:
        stored = {s["statement"]: s.get("priority") for s in latest.results.get("statements", [])}
    counts = {
        row["statement_id"]: row
        for row in Vote.objects.filter(statement_id__in=todo)
        .values("statement_id")
        .annotate(n=models_count("pk"), a=models_count("pk", value=1), p=models_count("pk", value=0))
    }
    weights = []
    for pk in todo:
        prio = stored.get(pk)
        if prio is None:
            c = counts.get(pk, {"n": 0, "a": 0, "p": 0})
            s, a, p = c["n"], c["a"], c["p"]
            importance = (1 - (p + 1) / (s + 2)) * (a + 1) / (s + 2)
            prio = (importance * (1 + 8 * 2 ** (-s / 5))) ** 2
        weights.append(max(float(prio), 1e-6))
    chooser = rng or random.SystemRandom()
    pick = chooser.choices(todo, weights=weights, k=1)[0]
    return Statement.objects.get(pk=pick), done, total


def models_count(field: str, **where: Any) -> Any:
    from django.db.models import Count, Q

    return Count(field, filter=Q(**where)) if where else Count(field)


def polis_export_zip(conversation: Conversation) -> bytes:
    """The Pol.is export set (comments.csv, votes.csv, participants-votes.csv, summary.csv)."""
    rows = list(conversation.statements.values_list(
        "pk", "author_participant_id", "status", "is_meta", "created_at", "text"))
    statements = pd.DataFrame({
        "statement": [r[0] for r in rows],
        "author": [r[1] if r[1] is not None else -1 for r in rows],
        "moderated": [-1 if r[2] == "rejected" else 1 if r[2] == "accepted" else 0 for r in rows],
        "is_meta": [bool(r[3]) for r in rows],
        "timestamp": [float(r[4].timestamp() * 1000) for r in rows],
        "text": [r[5] for r in rows],
    })
    vrows = list(Vote.objects.filter(statement__conversation=conversation).values_list(
        "participant_id", "statement_id", "value", "updated_at"))
    votes = pd.DataFrame({
        "participant": pd.Series([r[0] for r in vrows], dtype="int64"),
        "statement": pd.Series([r[1] for r in vrows], dtype="int64"),
        "vote": pd.Series([r[2] for r in vrows], dtype="int64"),
        "timestamp": pd.Series([float(r[3].timestamp() * 1000) for r in vrows], dtype="float64"),
    }).sort_values("timestamp", kind="stable")
    data = ConversationData(statements=statements, votes=votes,
                            summary={"topic": conversation.topic, "description": conversation.description})
    latest = conversation.analyses.first()
    groups = None
    n_groups = 0
    if latest is not None and latest.results.get("participants"):
        groups = pd.DataFrame([(p[0], p[1]) for p in latest.results["participants"]],
                              columns=["participant", "group"])
        n_groups = int(latest.results.get("n_groups", 0))
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        write_polis_export(tmp, data, groups=groups, n_groups=n_groups)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(Path(tmp).iterdir()):
                zf.write(path, arcname=path.name)
    return buffer.getvalue()
