from __future__ import annotations

from collections.abc import Callable

import networkx as nx
import numpy as np
import pytest

from kientao.systemmaps.engine.loops import feedback_loops
from kientao.systemmaps.engine.measures import (
    betweenness,
    closeness,
    downstream,
    ego_submap,
    factor_measures,
    katz,
    leverage_candidates,
    micmac,
    paths_between,
    reach_counts,
    upstream,
)
from kientao.systemmaps.engine.model import MapDataError, SystemMap, build_map, to_digraph

# Cross-checks against networkx agree to rounding: both sum the same terms in a
# different order, so 1e-12 absolute leaves ample room.
TOL = 1e-12


def _chain() -> SystemMap:
    return build_map(["A", "B", "C"], [("A", "B", 1), ("B", "C", 1)])


def test_it_computes_betweenness_by_hand_on_a_chain() -> None:
    # Only the path A -> B -> C passes through a middle factor: 1 / ((n-1)(n-2)) = 0.5.
    assert betweenness(_chain()).tolist() == [0.0, 0.5, 0.0]


@pytest.mark.parametrize("seed", [1, 2])
def test_it_matches_networkx_centralities(seed: int, random_map: Callable[..., SystemMap]) -> None:
    m = random_map(80, 220, seed=seed)
    g = to_digraph(m)
    ids = m.factor_ids
    nb = nx.betweenness_centrality(g)
    assert np.allclose(betweenness(m), [nb[i] for i in ids], atol=TOL, rtol=0)
    nc = nx.closeness_centrality(g.reverse())
    assert np.allclose(closeness(m), [nc[i] for i in ids], atol=TOL, rtol=0)
    rho = max(abs(np.linalg.eigvals(nx.to_numpy_array(g, nodelist=ids))))
    nk = nx.katz_centrality_numpy(g, alpha=0.9 / rho, beta=1.0)
    # Katz: both solve the same linear system; 1e-9 allows for solver differences.
    assert np.allclose(katz(m), [nk[i] for i in ids], atol=1e-9, rtol=0)


def test_it_matches_networkx_betweenness_with_parallel_links_and_self_loops() -> None:
    m = build_map(["A", "B", "C", "D"], [("A", "B", 1), ("A", "B", -1), ("B", "B", 1),
                                         ("B", "C", 1), ("A", "D", 1), ("D", "C", 1)])  # fmt: skip
    g = nx.DiGraph(to_digraph(m))
    g.remove_edges_from(nx.selfloop_edges(g))
    nb = nx.betweenness_centrality(g)
    assert np.allclose(betweenness(m), [nb[i] for i in m.factor_ids], atol=TOL, rtol=0)


def test_it_computes_micmac_by_hand_on_a_chain() -> None:
    # power 1: influence = out-degrees [1, 1, 0] / mean 2/3; dependence = [0, 1, 1] / (2/3).
    t = micmac(_chain(), power=1)
    assert np.allclose(t["influence"], [1.5, 1.5, 0.0], atol=TOL)
    assert np.allclose(t["dependence"], [0.0, 1.5, 1.5], atol=TOL)
    assert t["quadrant"].tolist() == ["influential", "relay", "dependent"]


def test_it_counts_upstream_and_downstream_like_networkx(
    random_map: Callable[..., SystemMap],
) -> None:
    m = random_map(120, 150, seed=3)
    g = to_digraph(m)
    up, down = reach_counts(m)
    assert up.tolist() == [len(nx.ancestors(g, f)) for f in m.factor_ids]
    assert down.tolist() == [len(nx.descendants(g, f)) for f in m.factor_ids]


def test_it_tabulates_all_measures(small_map: SystemMap) -> None:
    t = factor_measures(small_map, feedback_loops(small_map))
    assert list(t.columns) == [
        "label", "in_degree", "out_degree", "in_strength", "out_strength", "betweenness",
        "closeness", "pagerank", "katz", "loops", "upstream", "downstream", "role",
        "micmac_influence", "micmac_dependence", "micmac_quadrant",
    ]  # fmt: skip
    by_label = t.set_index("label")
    assert by_label.loc["Quy định về nhựa", "role"] == "driver"
    assert by_label.loc["Thu nhập ngư dân", "role"] == "outcome"
    assert by_label.loc["Rác ra biển", "out_degree"] == 3
    assert by_label.loc["Tiêu dùng đồ nhựa", "loops"] == 3
    # PageRank is a probability distribution.
    assert abs(t["pagerank"].sum() - 1.0) < 1e-9
    assert not t.isna().any().any()


def test_it_ranks_leverage_candidates_with_reasons(small_map: SystemMap) -> None:
    t = factor_measures(small_map, feedback_loops(small_map))
    lev = leverage_candidates(t, top=3)
    assert len(lev) == 3
    assert lev["score"].is_monotonic_decreasing
    assert "Thu nhập ngư dân" not in set(lev["label"])  # outcomes cannot be levers
    assert all("downstream" in r for r in lev["reasons"])
    # The best candidate lies on all three loops (ranks on loops count for a quarter of the score).
    assert lev.iloc[0]["label"] in {"Tiêu dùng đồ nhựa", "Rác thải nhựa", "Rác ra biển"}
    assert "on more loops than any other factor" in lev.iloc[0]["reasons"]


def test_it_finds_upstream_downstream_and_sub_maps(small_map: SystemMap) -> None:
    lab = small_map.labels()
    assert {lab[f] for f in upstream(small_map, "Thu nhập ngư dân")} >= {"Rác ra biển",
                                                                          "Quy định về nhựa"}
    assert downstream(small_map, "Thu nhập ngư dân") == frozenset()
    ego = ego_submap(small_map, "Ý thức cộng đồng", radius=1)
    assert {f.label for f in ego.factors} == {"Ý thức cộng đồng", "Rác ra biển",
                                              "Tiêu dùng đồ nhựa", "Chất lượng bãi biển"}
    out = ego_submap(small_map, "Ý thức cộng đồng", radius=1, direction="out")
    assert {f.label for f in out.factors} == {"Ý thức cộng đồng", "Tiêu dùng đồ nhựa",
                                              "Chất lượng bãi biển"}
    with pytest.raises(MapDataError):
        ego_submap(small_map, "Ý thức cộng đồng", direction="sideways")


def test_it_lists_paths_between_two_factors_shortest_first(small_map: SystemMap) -> None:
    paths = paths_between(small_map, "Du lịch", "Thu nhập ngư dân")
    lab = small_map.labels()
    assert [[lab[f] for f in p] for p in paths] == [
        ["Du lịch", "Tiêu dùng đồ nhựa", "Rác thải nhựa", "Rác ra biển", "Thu nhập ngư dân"]
    ]
    assert paths_between(small_map, "Thu nhập ngư dân", "Du lịch") == ()
    with pytest.raises(MapDataError, match="no factor"):
        paths_between(small_map, "Du lịch", "Không có")
