from __future__ import annotations

import math

import numpy as np
import pytest

from kientao.systemmaps.engine.model import MapDataError, build_map
from kientao.systemmaps.engine.scenarios import fcm_weights, run_scenario, simulate_fcm

# Hand computations below are exact up to float rounding and the 1e-5 stopping
# tolerance, so 1e-4 is a safe bound.
TOL = 1e-4


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def test_it_simulates_a_two_factor_map_by_hand() -> None:
    m = build_map(["A", "B"], [("A", "B", 1, 1.0)])
    r = run_scenario(m, {"A": 1.0})
    # Baseline from (1, 1): A -> f(0) = 0.5, then B -> f(0.5); scenario holds A = 1, B -> f(1).
    assert r.baseline.outcome == "steady" and r.scenario.outcome == "steady"
    assert np.allclose(r.baseline.final, [0.5, _sigmoid(0.5)], atol=TOL)
    assert np.allclose(r.scenario.final, [1.0, _sigmoid(1.0)], atol=TOL)
    change = float(r.table["change"].iloc[1])
    assert abs(change - (_sigmoid(1.0) - _sigmoid(0.5))) < TOL
    assert r.table["clamped"].tolist() == [True, False]


def test_it_detects_a_cycle_of_a_balancing_loop() -> None:
    # Trivalent on A -> + B, B -> - A from (1, 1): (-1, 1), (-1, -1), (1, -1), (1, 1): period 4.
    w = fcm_weights(build_map(["A", "B"], [("A", "B", 1), ("B", "A", -1)]))
    run = simulate_fcm(w, squash="trivalent")
    assert run.outcome == "cycle" and run.cycle_length == 4
    assert run.states[1].tolist() == [-1.0, 1.0]


def test_it_always_stops_at_the_iteration_cap() -> None:
    w = np.array([[0.0, 1.0], [-1.0, 0.0]])
    run = simulate_fcm(w, squash="tanh", lam=5.0, max_iterations=3, tol=1e-12)
    assert run.outcome in {"max_iterations", "cycle", "steady"}
    assert len(run.states) <= 4


def test_it_uses_self_memory_in_modified_kosko() -> None:
    w = np.zeros((1, 1))
    first = simulate_fcm(w, rule="modified_kosko", max_iterations=1).states[1][0]
    assert first == pytest.approx(_sigmoid(1.0), abs=1e-12)  # x(1) = f(0 + x(0)) exactly
    assert simulate_fcm(w, rule="kosko", max_iterations=1).states[1][0] == pytest.approx(0.5)


def test_it_rejects_bad_options() -> None:
    with pytest.raises(MapDataError, match="squash"):
        simulate_fcm(np.zeros((2, 2)), squash="relu")
    with pytest.raises(MapDataError, match="square"):
        simulate_fcm(np.zeros((2, 3)))
    with pytest.raises(MapDataError, match="no factor"):
        run_scenario(build_map(["A"], []), {"Z": 1.0})


def test_it_ignores_links_of_unknown_sign() -> None:
    w = fcm_weights(build_map(["A", "B"], [("A", "B", 0), ("B", "A", -1, 0.5)]))
    assert w.tolist() == [[0.0, 0.0], [-0.5, 0.0]]
