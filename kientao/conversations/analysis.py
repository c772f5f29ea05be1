"""Glue between the database and the pure engine: load votes, run, store, route, export."""

from __future__ import annotations

import io
import math
import random
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from django.conf import settings
from django.db import connection, models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from kientao.conversations.engine import (
    AnalysisState,
    VoteDataError,
    VoteMatrix,
    analyze,
    build_vote_matrix,
    disaggregate_votes,
    near_duplicate_statements,
)
from kientao.conversations.engine.formats import ConversationData, write_polis_export
from kientao.conversations.models import AnalysisRun, Conversation, Participant, Statement, Vote

#: Small-cell suppression when ``KIENTAO_CONVERSATIONS_MIN_CELL`` is not set.
DEFAULT_MIN_CELL = 10
Progress = Callable[[int, str], None]


def min_cell() -> int:
    """Fewest voters a figure by participant attribute may describe (``KIENTAO_CONVERSATIONS_MIN_CELL``)."""
    return int(getattr(settings, "KIENTAO_CONVERSATIONS_MIN_CELL", DEFAULT_MIN_CELL))


#: The engine's progress messages (``engine.pipeline.analyze``), as people read them.
PROGRESS_MESSAGES = {
    "PCA": gettext_lazy("Placing participants on the opinion map"),
    "participation": gettext_lazy("Counting who voted enough"),
    "base clusters": gettext_lazy("Grouping similar voters"),
    "groups": gettext_lazy("Forming opinion groups"),
    "subgroups": gettext_lazy("Finding subgroups"),
    "representativeness": gettext_lazy("Finding what sets each group apart"),
    "done": gettext_lazy("Done"),
}


def progress_message(message: str) -> str:
    """The engine's progress message in the active language; unknown messages as written."""
    known = PROGRESS_MESSAGES.get(message)
    return str(known) if known is not None else message


def _translated_progress(progress: Progress, job: Any) -> Progress:
    """``progress`` receiving translated messages, in the language of whoever started the job.

    A worker has no request, so its active language is the default one; the person who
    pressed "Analyse now" reads the stored message on the job's status partial.
    """
    language = getattr(getattr(job, "created_by", None), "preferred_language", None) or None

    def report(percent: int, message: str) -> None:
        if language:
            with translation.override(language):
                text = progress_message(message)
        else:
            text = progress_message(message)
        progress(percent, text)

    return report


def public_statement_ids(conversation: Conversation) -> set[int]:
    """Statements whose text anyone may read: those shown to participants.

    Accepted statements, and pending ones under post-moderation (already shown on the
    voting page); never rejected ones, nor pending ones under pre-moderation.
    """
    return set(conversation.visible_statements().values_list("pk", flat=True))


def public_results(results: dict[str, Any], public: set[int]) -> dict[str, Any]:
    """Stored results without any row about a statement outside ``public``.

    What people who do not manage the conversation receive: moderated-out and unapproved
    statements appear in no table (statistics, groups, consensus, disaggregation).
    """
    def keep(rows: Any) -> list[Any]:
        return [r for r in rows or [] if isinstance(r, dict) and r.get("statement") in public]

    out = dict(results)
    for key in ("statements", "consensus", "disaggregation"):
        if key in out:
            out[key] = keep(out[key])
    if "groups" in out:
        out["groups"] = [
            {**g, "repness": keep(g.get("repness")),
             **({"subgroups": [{**sg, "repness": keep(sg.get("repness"))} for sg in g["subgroups"]]}
                if "subgroups" in g else {})}
            for g in out["groups"] or []
        ]
    return out


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
    p, s, v = vote_arrays(conversation)
    return pd.DataFrame({"participant": p, "statement": s, "vote": v.astype(np.int64)})


def vote_arrays(conversation: Conversation) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All votes of the conversation as (participant ids, statement ids, values) arrays.

    PostgreSQL: one ``COPY … TO STDOUT (FORMAT binary)`` stream of packed blocks (see
    :func:`_vote_arrays_copy`); other databases: a chunked ``values_list`` iterator.
    Either way no Python object is built per vote on PostgreSQL, and the arrays are equal.
    """
    statement_ids = list(conversation.statements.values_list("pk", flat=True))
    if not statement_ids:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), np.zeros(0, dtype=np.int8)
    if connection.vendor == "postgresql":
        return _vote_arrays_copy(conversation, statement_ids)
    return _vote_arrays_orm(conversation)


def _vote_arrays_orm(conversation: Conversation, chunk: int = 100_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rows = (Vote.objects.filter(statement__conversation=conversation)
            .order_by("participant_id", "pk")
            .values_list("participant_id", "statement_id", "value").iterator(chunk_size=chunk))
    parts: list[np.ndarray] = []
    batch: list[tuple[int, int, int]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            parts.append(np.array(batch, dtype=np.int64).reshape(-1, 3))
            batch = []
    if batch or not parts:
        parts.append(np.array(batch, dtype=np.int64).reshape(-1, 3))
    arr = np.concatenate(parts)
    return arr[:, 0].copy(), arr[:, 1].copy(), arr[:, 2].astype(np.int8)


#: Participants per packed block of the COPY stream (≈ 50 votes each → ≈ 0.4 M votes, 7 MB).
COPY_BLOCK_PARTICIPANTS = 8192


def _vote_arrays_copy(conversation: Conversation,
                      statement_ids: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stream the votes from PostgreSQL with COPY into numpy, in packed blocks.

    PostgreSQL sends one CopyData message per row, and reading 50 M single-row messages
    costs ≈ 1.2 µs each in the client (≈ 60 s). So the server packs each block of
    :data:`COPY_BLOCK_PARTICIPANTS` participant ids into three ``bytea`` values
    (``string_agg`` of ``int8send``/``int2send``: big-endian, fixed width), one COPY row
    per block, which numpy reads with ``frombuffer``. Each block is an index range scan
    on ``participant_id`` (the unique (participant, statement) index); the
    ``statement_id = ANY(…)`` test keeps only this conversation's statements.
    """
    from psycopg import sql

    participants = conversation.participants.order_by()
    bounds = participants.aggregate(lo=models.Min("pk"), hi=models.Max("pk"))
    if bounds["lo"] is None:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), np.zeros(0, dtype=np.int8)
    step = COPY_BLOCK_PARTICIPANTS
    query = sql.SQL(
        "COPY (SELECT a.p, a.s, a.v FROM generate_series({lo}::bigint, {hi}::bigint, {step}::bigint) AS r(lo) "
        "CROSS JOIN LATERAL (SELECT string_agg(int8send(v.participant_id), ''::bytea) AS p, "
        "string_agg(int8send(v.statement_id), ''::bytea) AS s, "
        "string_agg(int2send(v.value), ''::bytea) AS v FROM {table} v "
        "WHERE v.participant_id >= r.lo AND v.participant_id < r.lo + {step}::bigint "
        "AND v.statement_id = ANY({ids}::bigint[])) AS a WHERE a.p IS NOT NULL ORDER BY r.lo) "
        "TO STDOUT (FORMAT binary)"
    ).format(lo=sql.Literal(int(bounds["lo"])), hi=sql.Literal(int(bounds["hi"])), step=sql.Literal(step),
             table=sql.Identifier(Vote._meta.db_table), ids=sql.Literal([int(i) for i in statement_ids]))
    ps: list[np.ndarray] = []
    ss: list[np.ndarray] = []
    vs: list[np.ndarray] = []
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    with raw.cursor() as cursor, cursor.copy(query) as copy:
        copy.set_types(["bytea", "bytea", "bytea"])
        for p, s, v in copy.rows():
            ps.append(np.frombuffer(p, dtype=">i8"))
            ss.append(np.frombuffer(s, dtype=">i8"))
            vs.append(np.frombuffer(v, dtype=">i2"))
    if not ps:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), np.zeros(0, dtype=np.int8)
    return (np.concatenate(ps).astype(np.int64), np.concatenate(ss).astype(np.int64),
            np.concatenate(vs).astype(np.int8))


#: Points of the opinion map kept in the stored results (the full map is in participant_data).
MAP_SAMPLE = 5000


def pack_participants(ids: np.ndarray, groups: np.ndarray, x: np.ndarray, y: np.ndarray) -> bytes:
    """The full opinion map as compact binary (npz): 8 + 1 + 4 + 4 bytes per participant."""
    buffer = io.BytesIO()
    np.savez(buffer, participant=np.asarray(ids, dtype=np.int64), group=np.asarray(groups, dtype=np.int8),
             x=np.asarray(x, dtype=np.float32), y=np.asarray(y, dtype=np.float32))
    return buffer.getvalue()


def unpack_participants(run: AnalysisRun | None) -> dict[str, np.ndarray] | None:
    """The arrays stored by :func:`pack_participants`, or None (older runs, no data)."""
    data = bytes(run.participant_data) if run is not None and run.participant_data else b""
    if not data:
        return None
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        return {k: npz[k] for k in ("participant", "group", "x", "y")}


def participant_rows(run: AnalysisRun | None) -> list[list[Any]]:
    """Every participant as [id, group, x, y] (the full map, for exports)."""
    arrays = unpack_participants(run)
    if arrays is None:
        return list(run.results.get("participants", [])) if run is not None else []
    return [[int(p), int(g), _num(x), _num(y)] for p, g, x, y in
            zip(arrays["participant"].tolist(), arrays["group"].tolist(), arrays["x"].tolist(),
                arrays["y"].tolist(), strict=True)]


def sample_map(ids: np.ndarray, groups: np.ndarray, limit: int = MAP_SAMPLE,
               seed: int = 0) -> np.ndarray:
    """Indices of at most ``limit`` participants, stratified by group (sorted)."""
    n = len(ids)
    if n <= limit:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    chosen = []
    for g in np.unique(groups):
        members = np.flatnonzero(groups == g)
        k = max(1, int(round(limit * len(members) / n)))
        chosen.append(rng.choice(members, size=min(k, len(members)), replace=False))
    return np.sort(np.concatenate(chosen))[:limit]


def run_analysis(conversation: Conversation, *, job: Any = None,
                 progress: Progress | None = None, timings: dict[str, float] | None = None) -> AnalysisRun:
    """Analyse the whole conversation now and store an :class:`AnalysisRun`.

    ``timings``, when given, receives the seconds spent reading, analysing and storing.
    """
    clock = time.perf_counter()
    st = statements_frame(conversation)
    p_ids, s_ids, values = vote_arrays(conversation)
    if timings is not None:
        timings["read"] = time.perf_counter() - clock
        clock = time.perf_counter()
    previous = conversation.analyses.defer("results", "participant_data").first()
    state = None
    if previous is not None and previous.state:
        try:
            state = AnalysisState.from_dict(previous.state)
        except VoteDataError:
            state = None
    n_votes = len(values)
    n_participants = 0
    blob = b""
    if n_votes == 0 or len(st) == 0:
        results: dict[str, Any] = _empty_results()
        new_state: dict[str, Any] = {}
    else:
        matrix = stored_vote_matrix(
            p_ids, s_ids, values,
            statements=st["statement"].to_numpy(),
            moderated_out=st.loc[st["moderated"] == -1, "statement"].to_numpy(),
            is_meta=st.loc[st["is_meta"], "statement"].to_numpy(),
        )
        del p_ids, s_ids, values
        n_participants = int(matrix.values.shape[0])
        readable = _translated_progress(progress, job) if progress is not None else None
        try:
            result, next_state = analyze(matrix, state=state, progress=readable)
        except VoteDataError:
            # A stored state that no longer fits (e.g. statements deleted): start afresh.
            result, next_state = analyze(matrix, progress=readable)
        if timings is not None:
            timings["analyse"] = time.perf_counter() - clock
            clock = time.perf_counter()
        results = _results_json(result)
        parts = result.participants
        blob = pack_participants(parts["participant"].to_numpy(), parts["group"].to_numpy(),
                                 parts["x"].to_numpy(), parts["y"].to_numpy())
        results["disaggregation"] = _disaggregation(conversation, matrix)
        results["min_cell"] = min_cell()
        new_state = next_state.to_dict()
    results["computed_at"] = timezone.now().isoformat()
    run = AnalysisRun.objects.create(
        conversation=conversation, job=job, results=results, state=new_state, n_votes=n_votes,
        n_participants=n_participants, participant_data=blob,
    )
    prune_analyses(conversation)
    if timings is not None:
        timings["store"] = time.perf_counter() - clock
    return run


def prune_analyses(conversation: Conversation) -> int:
    """Delete all but the newest ``KIENTAO_CONVERSATIONS_KEEP_ANALYSES`` analyses.

    Only the newest is read (report, routing, warm start); each stores the whole opinion
    map (about 25 MB at a million participants), so a busy conversation recomputed every
    30 s would otherwise grow without bound. Returns the number deleted.
    """
    keep = max(1, int(getattr(settings, "KIENTAO_CONVERSATIONS_KEEP_ANALYSES", 5)))
    old = list(conversation.analyses.values_list("pk", flat=True)[keep:])
    if not old:
        return 0
    deleted, _ = AnalysisRun.objects.filter(pk__in=old).delete()
    return int(deleted)


def stored_vote_matrix(p: np.ndarray, s: np.ndarray, v: np.ndarray, *, statements: np.ndarray,
                       moderated_out: np.ndarray, is_meta: np.ndarray) -> VoteMatrix:
    """The engine's vote matrix from stored votes, in linear time when they come sorted.

    Stored votes are unique per (participant, statement) (a database constraint), so no
    "latest vote wins" step is needed; when the participant ids arrive sorted (the COPY
    path reads them in participant blocks) the rows come from one pass instead of a
    50 M-element sort. Anything unexpected falls back to :func:`build_vote_matrix`.
    """
    def general() -> VoteMatrix:
        return build_vote_matrix(p, s, v, statements=statements, moderated_out=moderated_out,
                                 is_meta=is_meta)

    stmt_ids = np.unique(np.asarray(statements, dtype=np.int64))
    if len(p) == 0 or len(stmt_ids) == 0 or not bool(np.all(p[1:] >= p[:-1])):
        return general()
    cols = np.searchsorted(stmt_ids, s)
    if bool(np.any(cols >= len(stmt_ids))) or not np.array_equal(stmt_ids[np.minimum(cols, len(stmt_ids) - 1)], s):
        return general()
    starts = np.empty(len(p), dtype=bool)
    starts[0] = True
    np.not_equal(p[1:], p[:-1], out=starts[1:])
    participants = p[starts]
    rows = np.cumsum(starts, dtype=np.int64) - 1
    del starts
    index = np.int32 if len(p) < 2**31 else np.int64
    indptr = np.zeros(len(participants) + 1, dtype=index)
    np.cumsum(np.bincount(rows, minlength=len(participants)), out=indptr[1:])
    del rows
    parts: Any = (v.astype(np.float64), cols.astype(index), indptr)
    values: Any = sp.csr_matrix(parts,
                           shape=(len(participants), len(stmt_ids)))
    del cols
    values.sort_indices()
    same = values.indices[1:] == values.indices[:-1]
    same[values.indptr[1:-1] - 1] = False  # every row has a vote: no empty rows
    if bool(same.any()):  # a repeated cell: not from our table
        return general()
    return VoteMatrix(
        values=values, participants=participants, statements=stmt_ids,
        moderated_out=np.isin(stmt_ids, np.asarray(moderated_out, dtype=np.int64)),
        is_meta=np.isin(stmt_ids, np.asarray(is_meta, dtype=np.int64)),
    )


def _empty_results() -> dict[str, Any]:
    return {"n_groups": 0, "groups": [], "participants": [], "participants_sampled": False,
            "consensus": [], "statements": [], "disaggregation": []}


def _results_json(result: Any) -> dict[str, Any]:
    parts = result.participants
    n_groups = int(result.n_groups)
    group_of = parts["group"].to_numpy()
    sizes = np.bincount(group_of[group_of >= 0], minlength=n_groups) if n_groups else np.zeros(0, int)
    rep = result.repness
    sub_rep = result.subgroup_repness
    sub_of = parts["subgroup"].to_numpy()

    def selected(rows: pd.DataFrame) -> list[dict[str, Any]]:
        return [
            {"statement": int(r["statement"]), "direction": str(r["direction"]), "p": _num(r["p"]),
             "n_agree": int(r["n_agree"]), "n_disagree": int(r["n_disagree"]), "n_seen": int(r["n_seen"])}
            for r in rows[rows["selected"]].sort_values("rank").to_dict("records")
        ]

    groups = []
    for g in range(n_groups):
        in_g = (group_of == g) & (sub_of >= 0)
        subgroups = [
            {"id": int(sg), "size": int((sub_of[in_g] == sg).sum()),
             "repness": selected(sub_rep[(sub_rep["group"] == g) & (sub_rep["subgroup"] == sg)])}
            for sg in np.unique(sub_of[in_g])
        ]
        groups.append({
            "id": g,
            "size": int(sizes[g]),
            "repness": selected(rep[rep["group"] == g]),
            # Pol.is's second level: each subgroup against the rest of its group
            "subgroups": subgroups if len(subgroups) > 1 else [],
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
    ids = parts["participant"].to_numpy()
    keep = sample_map(ids, group_of)
    sample = parts.iloc[keep]
    return {
        "n_groups": n_groups,
        "groups": groups,
        # At most MAP_SAMPLE points (stratified by group); the full map is in participant_data.
        "participants": [
            [int(p), int(g), _num(x), _num(y)]
            for p, g, x, y in zip(sample["participant"].tolist(), sample["group"].tolist(),
                                  sample["x"].tolist(), sample["y"].tolist(), strict=True)
        ],
        "participants_sampled": bool(len(keep) < len(ids)),
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
        table = disaggregate_votes(matrix, frame, min_cell=min_cell())
    except VoteDataError:
        return []
    # Moderated-out statements are left out of every published table (as of the analysis).
    out_ids = {int(s) for s in np.asarray(matrix.statements)[np.asarray(matrix.moderated_out, dtype=bool)]}
    table = table[~table["statement"].isin(out_ids)]
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


def polis_export_zip(conversation: Conversation, *, public_only: bool = False) -> bytes:
    """The Pol.is export set (comments.csv, votes.csv, participants-votes.csv, summary.csv).

    ``public_only``: only the statements anyone may read (:func:`public_statement_ids`)
    and the votes on them, for people who do not manage the conversation; otherwise every
    statement with its ``moderated`` column, as Pol.is exports it for moderators.
    """
    statement_rows = conversation.statements.all()
    if public_only:
        statement_rows = statement_rows.filter(pk__in=public_statement_ids(conversation))
    rows = list(statement_rows.values_list(
        "pk", "author_participant_id", "status", "is_meta", "created_at", "text"))
    statements = pd.DataFrame({
        "statement": [r[0] for r in rows],
        "author": [r[1] if r[1] is not None else -1 for r in rows],
        "moderated": [-1 if r[2] == "rejected" else 1 if r[2] == "accepted" else 0 for r in rows],
        "is_meta": [bool(r[3]) for r in rows],
        "timestamp": [float(r[4].timestamp() * 1000) for r in rows],
        "text": [r[5] for r in rows],
    })
    vote_rows = Vote.objects.filter(statement__conversation=conversation)
    if public_only:
        vote_rows = vote_rows.filter(statement_id__in=[r[0] for r in rows])
    vrows = list(vote_rows.values_list(
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
    rows_map = participant_rows(latest)
    if latest is not None and rows_map:
        groups = pd.DataFrame([(p[0], p[1]) for p in rows_map], columns=["participant", "group"])
        n_groups = int(latest.results.get("n_groups", 0))
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        write_polis_export(tmp, data, groups=groups, n_groups=n_groups)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(Path(tmp).iterdir()):
                zf.write(path, arcname=path.name)
    return buffer.getvalue()
