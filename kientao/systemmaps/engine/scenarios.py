"""Scenarios: fuzzy-cognitive-map (FCM) simulation of a map.

Semantics follow Mental Modeler's scenario tool and FCMpy (reimplemented:
FCMpy does not install on current Python).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kientao.systemmaps.engine.model import MapDataError, SystemMap

SQUASHING: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "sigmoid": lambda x, lam: 1.0 / (1.0 + np.exp(-lam * x)),
    "tanh": lambda x, lam: np.tanh(lam * x),
    "bivalent": lambda x, lam: (x > 0).astype(float),
    "trivalent": lambda x, lam: np.sign(x).astype(float),
}
RULES = ("kosko", "modified_kosko")


def fcm_weights(m: SystemMap) -> np.ndarray:
    """The FCM weight matrix ``W[i, j] = sum of sign x strength`` of links ``i -> j``.

    Links of unknown sign contribute 0 (an unknown sign is never guessed).
    """
    pos = {f.id: i for i, f in enumerate(m.factors)}
    w = np.zeros((len(pos), len(pos)))
    for lk in m.links:
        w[pos[lk.source], pos[lk.target]] += lk.sign * lk.strength
    return w


@dataclass(frozen=True)
class FCMRun:
    """One FCM simulation.

    ``states[t]`` is the state after ``t`` steps (``states[0]`` the initial
    state). ``outcome`` is ``"steady"`` (max |change| < tol), ``"cycle"``
    (a state repeats; ``cycle_length`` steps) or ``"max_iterations"``.
    """

    states: np.ndarray
    outcome: str
    cycle_length: int

    @property
    def final(self) -> np.ndarray:
        """The last state (for a cycle: the last state reached)."""
        return self.states[-1]


def simulate_fcm(
    weights: np.ndarray,
    *,
    initial: np.ndarray | None = None,
    clamp: Mapping[int, float] | None = None,
    squash: str = "sigmoid",
    lam: float = 1.0,
    rule: str = "kosko",
    tol: float = 1e-5,
    max_iterations: int = 200,
) -> FCMRun:
    """Iterate a fuzzy cognitive map to a steady state, a cycle or the iteration cap.

    Kosko: ``x(t+1) = f(x(t) W)``; modified Kosko (self-memory):
    ``x(t+1) = f(x(t) W + x(t))``. Clamped concepts are reset to their value
    after every step. ``f`` is sigmoid ``1/(1+exp(-lam x))``, ``tanh(lam x)``,
    bivalent (``x > 0``) or trivalent (``sign x``).

    Parameters
    ----------
    weights : numpy.ndarray
        Square matrix, ``W[i, j]`` = influence of concept i on concept j.
    initial : numpy.ndarray, optional
        Initial state; default all ones (as Mental Modeler).
    clamp : mapping of int to float, optional
        Concept index -> value held fixed.
    squash : {"sigmoid", "tanh", "bivalent", "trivalent"}
    lam : float, default 1.0
        Steepness of sigmoid/tanh.
    rule : {"kosko", "modified_kosko"}
    tol : float, default 1e-5
        Steady state when max |x(t+1) - x(t)| < tol (Mental Modeler's value).
    max_iterations : int, default 200
        Always capped (Mental Modeler has no cap).

    Returns
    -------
    FCMRun

    Raises
    ------
    MapDataError
        On a non-square or non-finite matrix, a bad option or clamp index.

    Examples
    --------
    >>> run = simulate_fcm(np.array([[0.0, 1.0], [0.0, 0.0]]), squash="trivalent")
    >>> run.final.tolist(), run.outcome
    ([0.0, 0.0], 'steady')

    References
    ----------
    .. [1] Kosko, B. (1986). Fuzzy cognitive maps. Int. J. Man-Machine
       Studies 24(1):65-75. doi:10.1016/S0020-7373(86)80040-2
    .. [2] Gray, S. A., Gray, S., Cox, L. J., Henly-Shepard, S. (2013).
       Mental Modeler: a fuzzy-logic cognitive mapping modeling tool for
       adaptive environmental management. HICSS 46:965-973.
       doi:10.1109/HICSS.2013.399
    .. [3] Mkhitaryan, S., et al. (2022). FCMpy: a Python module for
       constructing and analyzing fuzzy cognitive maps. PeerJ Comput. Sci.
       8:e1078. doi:10.7717/peerj-cs.1078
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2 or w.shape[0] != w.shape[1] or not np.isfinite(w).all():
        raise MapDataError("weights must be a square matrix of finite numbers")
    if squash not in SQUASHING:
        raise MapDataError(f"squash must be one of {', '.join(SQUASHING)}, got {squash!r}")
    if rule not in RULES:
        raise MapDataError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
    if max_iterations < 1 or not tol > 0:
        raise MapDataError("max_iterations must be >= 1 and tol > 0")
    n = w.shape[0]
    x = np.ones(n) if initial is None else np.asarray(initial, dtype=float).copy()
    if x.shape != (n,) or not np.isfinite(x).all():
        raise MapDataError(f"initial state must hold {n} finite numbers")
    clamp = dict(clamp or {})
    for i, v in clamp.items():
        if not 0 <= i < n or not np.isfinite(v):
            raise MapDataError(f"clamp: concept index {i} out of range or value {v!r} not finite")
    idx = np.array(list(clamp), dtype=int)
    vals = np.array(list(clamp.values()), dtype=float)
    f = SQUASHING[squash]
    x[idx] = vals
    states = [x.copy()]
    for _ in range(max_iterations):
        s = x @ w + (x if rule == "modified_kosko" else 0.0)
        x = f(s, lam)
        x[idx] = vals
        prev = states[-1]
        states.append(x.copy())
        if np.max(np.abs(x - prev), initial=0.0) < tol:
            return FCMRun(np.array(states), "steady", 0)
        for back in range(2, min(len(states), 64)):
            if np.max(np.abs(x - states[-1 - back]), initial=0.0) < tol:
                return FCMRun(np.array(states), "cycle", back)
    return FCMRun(np.array(states), "max_iterations", 0)


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario against the baseline.

    ``table``: index factor id; columns ``label``, ``baseline``, ``scenario``,
    ``change`` (scenario - baseline), ``clamped`` (bool).
    """

    baseline: FCMRun
    scenario: FCMRun
    table: pd.DataFrame


def run_scenario(
    m: SystemMap,
    clamp: Mapping[str, float],
    *,
    squash: str = "sigmoid",
    lam: float = 1.0,
    rule: str = "kosko",
    tol: float = 1e-5,
    max_iterations: int = 200,
) -> ScenarioResult:
    """Run an FCM scenario on a map and compare it with the unclamped baseline.

    Weights are ``sign x strength``. As in Mental Modeler, both runs start
    from all ones; the scenario holds the clamped factors at their values;
    the answer is ``scenario - baseline`` per factor.

    Parameters
    ----------
    m : SystemMap
    clamp : mapping of str to float
        Factor id or label -> value held (e.g. 1 = switched fully on, 0 = off).
    squash, lam, rule, tol, max_iterations
        As in :func:`simulate_fcm`.

    Returns
    -------
    ScenarioResult

    Raises
    ------
    MapDataError
        If a clamped factor is unknown or an option is invalid.
    """
    pos = {f.id: i for i, f in enumerate(m.factors)}
    idx = {pos[m.factor(k).id]: float(v) for k, v in clamp.items()}
    w = fcm_weights(m)
    opts = {"squash": squash, "lam": lam, "rule": rule, "tol": tol, "max_iterations": max_iterations}
    base = simulate_fcm(w, **opts)  # type: ignore[arg-type]
    scen = simulate_fcm(w, clamp=idx, **opts)  # type: ignore[arg-type]
    table = pd.DataFrame(
        {
            "label": [f.label for f in m.factors],
            "baseline": base.final,
            "scenario": scen.final,
            "change": scen.final - base.final,
            "clamped": [i in idx for i in range(len(m.factors))],
        },
        index=pd.Index(list(pos), name="factor"),
    )
    return ScenarioResult(base, scen, table)
