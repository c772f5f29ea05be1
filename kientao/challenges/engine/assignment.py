"""Optimal reviewer assignment: each submission gets k judges, loads bounded.

The problem is a bipartite transportation problem (totally unimodular), so its
LP relaxation has integral vertices. We solve the LP with SciPy's HiGHS (interior
point with crossover to a vertex) on a sparse candidate set (each submission's best judges plus forced
pairs) and prove optimality over *all* eligible pairs with the LP duals: an
excluded pair can only improve the objective if its reduced cost is negative.
Pairs that fail the check join the candidate set and the LP is solved again
(column generation), so the answer is always the optimum of the full problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sps
from scipy.optimize import linprog

from kientao.challenges.engine.errors import AssignmentInputError, InfeasibleAssignmentError
from kientao.challenges.engine.rounding import round_dependently

PairSpec = np.ndarray | pd.DataFrame | Iterable[tuple[object, object]] | None

# Dual feasibility tolerance of HiGHS is 1e-7; a reduced cost above -_REDUCED_TOL
# (relative to the affinity scale) cannot improve the objective measurably.
_REDUCED_TOL = 1e-7


@dataclass(frozen=True)
class Assignment:
    """Result of :func:`assign_reviewers`.

    Attributes
    ----------
    pairs : DataFrame
        One row per assigned pair, columns ``submission``, ``judge``,
        ``affinity``, sorted by submission then judge.
    total_affinity : float
        Sum of the affinities of the assigned pairs.
    loads : Series
        Number of submissions per judge (index: judge labels, every judge).
    optimum : float
        Optimal value of the LP (equal to ``total_affinity`` when no
        probability cap is set; the expected total affinity with a cap).
    probabilities : DataFrame or None
        With a probability cap, the fractional assignment the sample was drawn
        from: columns ``submission``, ``judge``, ``probability`` (pairs with a
        positive probability). ``None`` without a cap.
    candidate_pairs : int
        Pairs in the final candidate set of the LP.
    rounds : int
        LP solves needed before the reduced-cost check passed.
    """

    pairs: pd.DataFrame
    total_affinity: float
    loads: pd.Series
    optimum: float
    probabilities: pd.DataFrame | None
    candidate_pairs: int
    rounds: int


def _labels(affinity: np.ndarray | pd.DataFrame) -> tuple[np.ndarray, list[object], list[object]]:
    subs: list[object]
    judges: list[object]
    if isinstance(affinity, pd.DataFrame):
        subs, judges = list(affinity.index), list(affinity.columns)
        if len(set(subs)) != len(subs):
            raise AssignmentInputError("affinity: submission labels (index) must be unique")
        if len(set(judges)) != len(judges):
            raise AssignmentInputError("affinity: judge labels (columns) must be unique")
        try:
            values = affinity.to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise AssignmentInputError(f"affinity: every value must be a number ({exc})") from exc
    else:
        values = np.asarray(affinity, dtype=float)
        if values.ndim != 2:
            raise AssignmentInputError(
                f"affinity must be 2-D (submissions x judges), got {values.ndim} dimension(s)"
            )
        subs, judges = list(range(values.shape[0])), list(range(values.shape[1]))
    if values.shape[0] == 0 or values.shape[1] == 0:
        raise AssignmentInputError("affinity must have at least one submission and one judge")
    if not np.isfinite(values).all():
        i, j = np.argwhere(~np.isfinite(values))[0]
        raise AssignmentInputError(
            f"affinity: submission {subs[i]!r}, judge {judges[j]!r} is not a finite number"
        )
    return values, subs, judges


def _pair_mask(spec: PairSpec, name: str, subs: list[object], judges: list[object]) -> np.ndarray:
    shape = (len(subs), len(judges))
    mask = np.zeros(shape, dtype=bool)
    if spec is None:
        return mask
    if isinstance(spec, pd.DataFrame):
        missing = {"submission", "judge"} - set(spec.columns)
        if missing:
            raise AssignmentInputError(f"{name}: missing column(s) {sorted(missing)}")
        spec = list(zip(spec["submission"], spec["judge"], strict=True))
    if isinstance(spec, np.ndarray) and spec.dtype == bool:
        if spec.shape != shape:
            raise AssignmentInputError(
                f"{name}: boolean mask has shape {spec.shape}, expected {shape}"
            )
        return spec.copy()
    sub_pos = {s: i for i, s in enumerate(subs)}
    judge_pos = {j: i for i, j in enumerate(judges)}
    for row, pair in enumerate(spec):
        try:
            s, j = pair
        except (TypeError, ValueError) as exc:
            raise AssignmentInputError(
                f"{name}: row {row} is not a (submission, judge) pair"
            ) from exc
        if s not in sub_pos:
            raise AssignmentInputError(f"{name}: row {row}: unknown submission {s!r}")
        if j not in judge_pos:
            raise AssignmentInputError(f"{name}: row {row}: unknown judge {j!r}")
        mask[sub_pos[s], judge_pos[j]] = True
    return mask


def _per_item(value: int | Sequence[int] | np.ndarray, n: int, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim == 0:
        arr = np.full(n, arr)
    if arr.shape != (n,):
        raise AssignmentInputError(
            f"{name}: expected a number or {n} values, got shape {arr.shape}"
        )
    if not np.issubdtype(arr.dtype, np.number) or not np.all(np.equal(np.mod(arr, 1), 0)):
        raise AssignmentInputError(f"{name}: values must be whole numbers")
    out = arr.astype(np.int64)
    if (out < 0).any():
        raise AssignmentInputError(f"{name}: values must be non-negative")
    return out


def _check_feasibility(
    eligible: np.ndarray,
    forced: np.ndarray,
    k: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    subs: list[object],
    judges: list[object],
) -> None:
    """Raise with a specific message when a necessary condition fails."""
    if (lo > hi).any():
        j = int(np.flatnonzero(lo > hi)[0])
        raise InfeasibleAssignmentError(
            f"judge {judges[j]!r}: minimum load {lo[j]} exceeds maximum load {hi[j]}"
        )
    both = forced & ~eligible
    if both.any():
        i, j = np.argwhere(both)[0]
        raise InfeasibleAssignmentError(
            f"pair submission {subs[i]!r}, judge {judges[j]!r} is both forced and conflicted"
        )
    n_eligible = eligible.sum(axis=1)
    short = np.flatnonzero(n_eligible < k)
    if short.size:
        i = int(short[0])
        raise InfeasibleAssignmentError(
            f"submission {subs[i]!r} has only {n_eligible[i]} eligible judge(s) but needs {k[i]}"
            + (f" ({short.size} submissions are short)" if short.size > 1 else "")
        )
    forced_per_sub = forced.sum(axis=1)
    over = np.flatnonzero(forced_per_sub > k)
    if over.size:
        i = int(over[0])
        raise InfeasibleAssignmentError(
            f"submission {subs[i]!r} has {forced_per_sub[i]} forced judges but needs only {k[i]}"
        )
    forced_per_judge = forced.sum(axis=0)
    over = np.flatnonzero(forced_per_judge > hi)
    if over.size:
        j = int(over[0])
        raise InfeasibleAssignmentError(
            f"judge {judges[j]!r} has {forced_per_judge[j]} forced submissions "
            f"but maximum load {hi[j]}"
        )
    demand = int(k.sum())
    cap = np.minimum(hi, eligible.sum(axis=0))
    if int(cap.sum()) < demand:
        raise InfeasibleAssignmentError(
            f"max load too small: capacity {int(cap.sum()):,} < demand {demand:,} "
            "(raise the maximum load or add judges)"
        )
    if int(lo.sum()) > demand:
        raise InfeasibleAssignmentError(
            f"total minimum load {int(lo.sum()):,} exceeds total demand {demand:,} "
            "(lower the minimum load)"
        )
    reach = eligible.sum(axis=0)
    under = np.flatnonzero(reach < lo)
    if under.size:
        j = int(under[0])
        raise InfeasibleAssignmentError(
            f"judge {judges[j]!r} can review only {reach[j]} submission(s) "
            f"but has minimum load {lo[j]}"
        )


def _solve_restricted(
    rows: np.ndarray,
    cols: np.ndarray,
    w: np.ndarray,
    upper: np.ndarray,
    lower: np.ndarray,
    k: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    big_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """Solve the LP on candidate pairs; return x, artificials, duals of papers, judges."""
    n_sub, n_judge = k.size, hi.size
    m = rows.size
    has_lo = np.flatnonzero(lo > 0)
    n_art = n_sub + has_lo.size
    # Variables: pairs, then one artificial per submission row, one per min-load row.
    cost = np.concatenate([-w, np.full(n_art, big_m)])
    a_eq = sps.csr_matrix(
        (
            np.ones(m + n_sub),
            (
                np.concatenate([rows, np.arange(n_sub)]),
                np.concatenate([np.arange(m), m + np.arange(n_sub)]),
            ),
        ),
        shape=(n_sub, m + n_art),
    )
    ub_rows = [cols]
    ub_cols = [np.arange(m)]
    ub_vals = [np.ones(m)]
    if has_lo.size:
        # -sum_p x_rp - s_r <= -L_r, only for judges with a minimum load.
        lo_row = np.full(n_judge, -1, dtype=np.int64)
        lo_row[has_lo] = n_judge + np.arange(has_lo.size)
        sel = lo_row[cols] >= 0
        ub_rows += [lo_row[cols][sel], n_judge + np.arange(has_lo.size)]
        ub_cols += [np.flatnonzero(sel), m + n_sub + np.arange(has_lo.size)]
        ub_vals += [-np.ones(int(sel.sum())), -np.ones(has_lo.size)]
    a_ub = sps.csr_matrix(
        (np.concatenate(ub_vals), (np.concatenate(ub_rows), np.concatenate(ub_cols))),
        shape=(n_judge + has_lo.size, m + n_art),
    )
    b_ub = np.concatenate([hi, -lo[has_lo]]).astype(float)
    bounds = np.column_stack(
        [np.concatenate([lower, np.zeros(n_art)]), np.concatenate([upper, np.full(n_art, np.inf)])]
    )
    # Interior point + crossover returns a vertex and was 3-5x faster than dual
    # simplex on these degenerate transportation LPs.
    res = linprog(
        cost,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=k.astype(float),
        bounds=bounds,  # type: ignore[call-overload]
        method="highs-ipm",
    )
    if res.status != 0:  # pragma: no cover - the artificials keep the LP feasible and bounded
        raise InfeasibleAssignmentError(f"the LP solver failed: {res.message}")
    x = res.x[:m]
    art = res.x[m:]
    y_sub = res.eqlin.marginals
    y_hi = res.ineqlin.marginals[:n_judge]
    y_lo = np.zeros(n_judge)
    y_lo[has_lo] = res.ineqlin.marginals[n_judge:]
    # Reduced cost of pair (p, r): -w - y_sub[p] - y_hi[r] + y_lo[r].
    return x, art, y_sub, y_hi - y_lo, float(res.fun)


def assign_reviewers(
    affinity: np.ndarray | pd.DataFrame,
    *,
    per_submission: int | Sequence[int] | np.ndarray = 3,
    min_load: int | Sequence[int] | np.ndarray = 0,
    max_load: int | Sequence[int] | np.ndarray | None = None,
    conflicts: PairSpec = None,
    forced: PairSpec = None,
    seed: int | None = None,
    probability_cap: float | None = None,
    candidate_top: int | None = None,
) -> Assignment:
    """Assign judges to submissions, maximising total affinity.

    Solves

    .. math::

        \\max \\sum_{p,r} w_{pr} x_{pr} \\quad\\text{s.t.}\\quad
        \\sum_r x_{pr} = k_p,\\; L_r \\le \\sum_p x_{pr} \\le U_r,\\;
        x_{pr} = 0 \\text{ if conflicted},\\; x_{pr} = 1 \\text{ if forced},\\;
        0 \\le x_{pr} \\le q

    with :math:`q = 1` (an integral optimum, the constraint matrix being
    totally unimodular) or ``probability_cap`` (a fractional optimum, then
    sampled so that each pair is chosen with probability exactly
    :math:`x_{pr} \\le q`).

    Parameters
    ----------
    affinity : ndarray or DataFrame, shape (submissions, judges)
        Affinity :math:`w_{pr}` of each pair (higher is better). A DataFrame's
        index labels submissions and its columns label judges; an array uses
        positions as labels.
    per_submission : int or array of int
        Judges per submission :math:`k_p` (exactly).
    min_load, max_load : int or array of int
        Bounds :math:`L_r, U_r` on each judge's number of submissions;
        ``max_load=None`` means no upper bound.
    conflicts, forced : boolean mask, DataFrame or iterable of pairs, optional
        Pairs that must not / must be assigned: a boolean array of the same
        shape as ``affinity``, a DataFrame with ``submission`` and ``judge``
        columns, or ``(submission, judge)`` label pairs.
    seed : int, optional
        Seed of the randomised sampling (with ``probability_cap``) and of
        the tie-breaking rounding; the same seed gives the same assignment.
    probability_cap : float in (0, 1], optional
        Maximum probability :math:`q` of any (non-forced) pair.
    candidate_top : int, optional
        Size of the initial candidate set per submission (default
        ``max(4 k, 12)``); only a speed knob — the result is optimal whatever
        its value.

    Returns
    -------
    Assignment
        Assigned pairs with affinities, total affinity, loads and LP optimum.

    Raises
    ------
    AssignmentInputError
        Malformed input (shape, non-finite affinity, unknown labels).
    InfeasibleAssignmentError
        No assignment meets the constraints; the message names the failing
        constraint (a submission with too few eligible judges, capacity below
        demand, minimum loads above demand, ...).

    Examples
    --------
    >>> import numpy as np
    >>> a = assign_reviewers(np.array([[3.0, 2.5], [2.0, 0.0]]), per_submission=1, max_load=1)
    >>> a.pairs[["submission", "judge"]].values.tolist()
    [[0, 1], [1, 0]]
    >>> a.total_affinity
    4.5

    Notes
    -----
    Optimality over excluded pairs is certified with LP duality: with duals
    :math:`u_p` (submission rows) and :math:`v_r` (load rows), an excluded
    eligible pair could improve the objective only if its reduced cost
    :math:`-w_{pr} - u_p - v_r` is negative; such pairs are added and the LP
    re-solved until none remains. Artificial variables with a large cost keep
    every restricted LP feasible; if one is still positive at the full
    optimum, the constraints cannot be met and the error names the
    submissions or judges concerned. Without a cap, a non-integral optimum
    (possible only with ties) is rounded along cycles of the optimal face
    without changing the objective.

    References
    ----------
    .. [1] Taylor, "On the optimal assignment of conference papers to
       reviewers", Tech. Rep. MS-CIS-08-30, Univ. of Pennsylvania (2008).
    .. [2] Kobren, Saha & McCallum, "Paper matching with local fairness
       constraints", KDD 2019. https://arxiv.org/abs/1905.11924
    .. [3] Jecmen et al., "Mitigating manipulation in peer review via
       randomized reviewer assignments", NeurIPS 2020.
       https://arxiv.org/abs/2006.16437
    .. [4] Huangfu & Hall, "Parallelizing the dual revised simplex method",
       Math. Prog. Comp. 10:119–142 (2018). https://doi.org/10.1007/s12532-017-0130-5
    """
    w_full, subs, judges = _labels(affinity)
    n_sub, n_judge = w_full.shape
    k = _per_item(per_submission, n_sub, "per_submission")
    lo = _per_item(min_load, n_judge, "min_load")
    hi = (
        np.full(n_judge, int(k.sum()), dtype=np.int64)
        if max_load is None
        else _per_item(max_load, n_judge, "max_load")
    )
    if probability_cap is not None and not 0 < probability_cap <= 1:
        raise AssignmentInputError(f"probability_cap must lie in (0, 1], got {probability_cap}")
    if candidate_top is not None and candidate_top < 1:
        raise AssignmentInputError(f"candidate_top must be at least 1, got {candidate_top}")
    conflict = _pair_mask(conflicts, "conflicts", subs, judges)
    force = _pair_mask(forced, "forced", subs, judges)
    eligible = ~conflict
    _check_feasibility(eligible, force, k, lo, hi, subs, judges)
    cap = 1.0 if probability_cap is None else float(probability_cap)
    if probability_cap is not None:
        reach = cap * (eligible & ~force).sum(axis=1) + force.sum(axis=1)
        short = np.flatnonzero(reach < k - 1e-9)
        if short.size:
            i = int(short[0])
            raise InfeasibleAssignmentError(
                f"submission {subs[i]!r} can get at most {reach[i]:g} judge(s) on average with "
                f"probability cap {cap:g} but needs {k[i]} (raise the cap or add judges)"
            )

    # Initial candidates: each submission's top judges, plus forced pairs, plus
    # each judge's top submissions when the judge has a minimum load.
    top = min(n_judge, candidate_top or max(4 * int(k.max(initial=1)), 12))
    if probability_cap is not None:
        top = min(n_judge, int(np.ceil(top / cap)))
    masked = np.where(eligible, w_full, -np.inf)
    candidate = np.zeros_like(eligible)
    if top >= n_judge:
        candidate[:] = eligible
    else:
        idx = np.argpartition(-masked, top - 1, axis=1)[:, :top]
        candidate[np.arange(n_sub)[:, None], idx] = True
        candidate &= eligible
    candidate |= force
    # Each judge's top submissions, twice an even share of the demand (or of its
    # minimum load): without them, correlated affinities ("popular judges") make
    # the first restricted LP infeasible and column generation slow.
    share = int(np.ceil(k.sum() / n_judge))
    per_judge = min(n_sub, 2 * max(share, int(lo.max(initial=0))) + 2)
    if per_judge >= n_sub:
        candidate |= eligible
    else:
        idx = np.argpartition(-masked, per_judge - 1, axis=0)[:per_judge, :]
        judge_side = np.zeros_like(candidate)
        judge_side[idx, np.arange(n_judge)[None, :]] = True
        candidate |= judge_side & eligible

    scale = max(1.0, float(np.abs(w_full).max()))
    spread = float(w_full[eligible].max() - w_full[eligible].min()) if eligible.any() else 0.0
    # An artificial unit can be replaced by an augmenting path of at most
    # 2 (P + R) pairs, each changing the objective by at most the affinity spread.
    big_m = (2.0 * (n_sub + n_judge) + 2.0) * (spread + 1.0)
    tol = _REDUCED_TOL * scale
    rounds = 0
    while True:
        rounds += 1
        rows, cols = np.nonzero(candidate)
        w = w_full[rows, cols]
        upper = np.full(rows.size, cap)
        lower = np.zeros(rows.size)
        forced_here = force[rows, cols]
        upper[forced_here] = 1.0
        lower[forced_here] = 1.0
        x, art, y_sub, y_judge, fun = _solve_restricted(
            rows, cols, w, upper, lower, k, lo, hi, big_m
        )
        reduced = -w_full - y_sub[:, None] - y_judge[None, :]
        excluded = eligible & ~candidate
        violating = excluded & (reduced < -tol)
        if not violating.any():
            break
        # The duals of this degenerate LP are not unique, so pairs just above
        # zero reduced cost tend to violate next time: add every excluded pair
        # within the band |reduced| < worst violation (at most `top` per
        # submission), which keeps the number of rounds small.
        band = max(tol, -float(reduced[violating].min()))
        red = np.where(excluded & (reduced < band), reduced, np.inf)
        per_row = min(top, n_judge)
        idx = np.argpartition(red, per_row - 1, axis=1)[:, :per_row]
        add = np.zeros_like(candidate)
        add[np.arange(n_sub)[:, None], idx] = True
        candidate |= add & np.isfinite(red)

    if (art > 1e-6).any():
        _raise_from_artificials(art, lo, k, subs, judges, probability_cap)

    x = np.clip(x, 0.0, 1.0)
    optimum = -(fun - big_m * float(art.sum()))
    probabilities: pd.DataFrame | None = None
    if probability_cap is None and np.all((x < 1e-7) | (x > 1 - 1e-7)):
        chosen = x > 0.5
    else:
        chosen = round_dependently(rows, cols, x, seed=seed)
        if probability_cap is not None:
            pos = x > 1e-9
            probabilities = pd.DataFrame(
                {
                    "submission": [subs[i] for i in rows[pos]],
                    "judge": [judges[j] for j in cols[pos]],
                    "probability": x[pos],
                }
            )
    r_sel, c_sel = rows[chosen], cols[chosen]
    pairs = pd.DataFrame(
        {
            "submission": [subs[i] for i in r_sel],
            "judge": [judges[j] for j in c_sel],
            "affinity": w_full[r_sel, c_sel],
        }
    )
    loads = pd.Series(np.bincount(c_sel, minlength=n_judge), index=pd.Index(judges), name="load")
    return Assignment(
        pairs=pairs.reset_index(drop=True),
        total_affinity=float(w_full[r_sel, c_sel].sum()),
        loads=loads,
        optimum=optimum,
        probabilities=probabilities,
        candidate_pairs=int(candidate.sum()),
        rounds=rounds,
    )


def _raise_from_artificials(
    art: np.ndarray,
    lo: np.ndarray,
    k: np.ndarray,
    subs: list[object],
    judges: list[object],
    probability_cap: float | None,
) -> None:
    hint = "" if probability_cap is None else f", or raise the probability cap {probability_cap:g}"
    n_sub = k.size
    short_subs = np.flatnonzero(art[:n_sub] > 1e-6)
    has_lo = np.flatnonzero(lo > 0)
    short_judges = has_lo[art[n_sub:] > 1e-6]
    if short_subs.size:
        names = ", ".join(repr(subs[i]) for i in short_subs[:5])
        raise InfeasibleAssignmentError(
            f"cannot give every submission its judges within the load limits and conflicts: "
            f"{short_subs.size} submission(s) short, e.g. {names} "
            f"(raise the maximum load, add judges or review the conflicts{hint})"
        )
    names = ", ".join(repr(judges[j]) for j in short_judges[:5])
    raise InfeasibleAssignmentError(
        f"cannot meet the minimum load of {short_judges.size} judge(s), e.g. {names}, "
        f"with the conflicts and submissions given (lower the minimum load{hint})"
    )
