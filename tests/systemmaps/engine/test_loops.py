from __future__ import annotations

import math
from collections.abc import Callable

import networkx as nx
import pytest

from kientao.systemmaps.engine.loops import (
    feedback_loops,
    independent_loops,
    loop_counts,
    loop_polarity,
    loops_through,
)
from kientao.systemmaps.engine.model import MapDataError, SystemMap, build_map, to_digraph


def _labelled(m: SystemMap, loops: object) -> list[tuple[str, tuple[str, ...]]]:
    labels = m.labels()
    return [(lp.polarity, tuple(labels[f] for f in lp.factors)) for lp in loops]  # type: ignore[attr-defined]


def test_it_finds_the_hand_worked_loops_of_the_small_map(small_map: SystemMap) -> None:
    # Worked by hand from data/plastic_small.json: three loops, shortest first.
    r = feedback_loops(small_map)
    assert r.complete and r.stop_reason == "complete"
    assert _labelled(small_map, r.loops) == [
        ("B", ("Tiêu dùng đồ nhựa", "Rác thải nhựa", "Rác ra biển", "Ý thức cộng đồng")),
        ("B", ("Du lịch", "Tiêu dùng đồ nhựa", "Rác thải nhựa", "Rác ra biển", "Chất lượng bãi biển")),
        ("?", ("Du lịch", "Tiêu dùng đồ nhựa", "Rác thải nhựa", "Rác ra biển", "Ý thức cộng đồng",
               "Chất lượng bãi biển")),
    ]  # fmt: skip
    assert [lp.delays for lp in r.loops] == [0, 1, 1]
    assert r.components == (tuple(f.id for f in small_map.factors[:6]),)


@pytest.mark.parametrize(
    ("signs", "expected"),
    [([1, 1], "R"), ([-1, -1], "R"), ([1, -1, 1], "B"), ([-1, -1, -1], "B"), ([1, 0, -1], "?")],
)
def test_it_gives_polarity_by_the_parity_of_negative_links(signs: list[int], expected: str) -> None:
    assert loop_polarity(signs) == expected


def test_it_splits_loops_over_parallel_links_of_different_sign() -> None:
    m = build_map(["A", "B"], [("A", "B", 1), ("A", "B", -1), ("A", "B", 1), ("B", "A", 1)])
    r = feedback_loops(m)
    # l1 and l3 share a sign, so they are one loop; l2 gives the second.
    assert [(lp.links, lp.polarity) for lp in r.loops] == [(("l1", "l4"), "R"), (("l2", "l4"), "B")]


def test_it_counts_self_loops_as_loops_of_length_one() -> None:
    m = build_map(["A", "B"], [("A", "A", -1), ("A", "B", 1), ("B", "A", 1)])
    r = feedback_loops(m)
    assert [(lp.factors, lp.polarity) for lp in r.loops] == [(("f1",), "B"), (("f1", "f2"), "R")]


def test_it_counts_every_cycle_of_a_complete_digraph() -> None:
    # Sum over k of C(n, k) (k - 1)! elementary circuits in the complete digraph on n nodes.
    n = 6
    expected = sum(math.comb(n, k) * math.factorial(k - 1) for k in range(2, n + 1))
    m = build_map([str(i) for i in range(n)],
                  [(str(i), str(j), 1) for i in range(n) for j in range(n) if i != j])  # fmt: skip
    r = feedback_loops(m, max_length=None, max_loops=10**6)
    assert len(r.loops) == expected == 409
    bounded = feedback_loops(m, max_length=3)
    assert len(bounded.loops) == math.comb(6, 2) + 2 * math.comb(6, 3)
    assert bounded.longer_loops_possible


def test_it_matches_the_published_counts_of_bounded_loops(random_map: Callable[..., SystemMap]) -> None:
    # Loops of length <= L on G(100, 300), seed 1, measured with networkx 3.6.1
    # (developer notes §6 table): 16, 38, 92, 220, 1,336 for L = 3, 4, 5, 6, 8.
    m = random_map(100, 300)
    for bound, count in [(3, 16), (4, 38), (5, 92), (6, 220), (8, 1336)]:
        assert len(feedback_loops(m, max_length=bound).loops) == count


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_it_agrees_with_networkx_simple_cycles(
    seed: int, random_map: Callable[..., SystemMap]
) -> None:
    m = random_map(40, 110, seed=seed, signs=True)
    ours = {lp.factors for lp in feedback_loops(m, max_length=7).loops}
    g = to_digraph(m)
    order = {f: i for i, f in enumerate(m.factor_ids)}
    theirs = set()
    for c in nx.simple_cycles(g, length_bound=7):
        k = min(range(len(c)), key=lambda i: order[c[i]])
        theirs.add(tuple(c[k:] + c[:k]))
    assert ours == theirs


def test_it_lists_loops_shortest_first_and_keeps_the_shortest_when_capped(random_map: Callable[..., SystemMap]) -> None:
    m = random_map(100, 300)
    full = feedback_loops(m, max_length=6)
    capped = feedback_loops(m, max_length=6, max_loops=50)
    lengths = [lp.length for lp in capped.loops]
    assert lengths == sorted(lengths)
    assert not capped.complete and capped.stop_reason == "max_loops"
    assert len(capped.loops) == 50
    # Every loop no longer than complete_up_to is listed.
    short = {lp.links for lp in full.loops if lp.length <= capped.complete_up_to}
    assert short <= {lp.links for lp in capped.loops}
    assert "cut off" in capped.message


def test_it_stops_at_the_time_limit_and_says_so(random_map: Callable[..., SystemMap]) -> None:
    m = random_map(100, 400)
    r = feedback_loops(m, max_length=40, max_loops=10**9, time_limit=0.2)
    assert not r.complete and r.stop_reason == "time_limit"
    assert r.complete_up_to < 40
    assert [lp.length for lp in r.loops] == sorted(lp.length for lp in r.loops)


def test_it_rejects_non_positive_limits() -> None:
    m = build_map(["A"], [])
    with pytest.raises(MapDataError):
        feedback_loops(m, max_length=0)
    with pytest.raises(MapDataError):
        feedback_loops(m, time_limit=0)


def test_it_finds_loops_through_a_factor_and_a_link(small_map: SystemMap) -> None:
    through = loops_through(small_map, factor="Ý thức cộng đồng")
    assert [lp.length for lp in through.loops] == [4, 6]
    link = next(lk.id for lk in small_map.links if lk.sign == -1)  # Rác ra biển -> Chất lượng
    only = loops_through(small_map, link=link)
    assert [lp.length for lp in only.loops] == [5]
    assert link in only.loops[0].links
    assert loops_through(small_map, factor="Quy định về nhựa").loops == ()


@pytest.mark.parametrize("seed", [4, 5])
def test_it_finds_the_same_loops_through_a_factor_as_the_full_search(
    seed: int, random_map: Callable[..., SystemMap]
) -> None:
    m = random_map(60, 170, seed=seed, signs=True)
    everything = feedback_loops(m, max_length=7).loops
    for f in m.factor_ids[:10]:
        expected = {lp.links for lp in everything if f in lp.factors}
        assert {lp.links for lp in loops_through(m, factor=f, max_length=7).loops} == expected
    for lk in m.links[:10]:
        expected = {lp.links for lp in everything if lk.id in lp.links}
        assert {lp.links for lp in loops_through(m, link=lk.id, max_length=7).loops} == expected


def test_it_covers_every_link_on_a_cycle_with_the_independent_loop_set(random_map: Callable[..., SystemMap]) -> None:
    m = random_map(100, 300, seed=7, signs=True)
    r = independent_loops(m)
    g = to_digraph(m)
    on_cycle = set()
    for comp in nx.strongly_connected_components(g):
        for lk in m.links:
            if lk.source in comp and lk.target in comp and (len(comp) > 1 or lk.source == lk.target):
                on_cycle.add(lk.id)
    covered = {link for lp in r.loops for link in lp.links}
    assert covered == on_cycle
    # Far fewer than the cycle-space dimension m - n + c (notes §7.4).
    assert len(r.loops) <= len(on_cycle)
    for lp in r.loops:  # every listed loop is a real cycle of the map
        ends = {lk.id: (lk.source, lk.target) for lk in m.links}
        for i, link in enumerate(lp.links):
            assert ends[link] == (lp.factors[i], lp.factors[(i + 1) % lp.length])


def test_it_counts_loops_per_factor(small_map: SystemMap) -> None:
    counts = loop_counts(feedback_loops(small_map))
    labels = small_map.labels()
    named = {labels[k]: v for k, v in counts.items()}
    assert named == {"Du lịch": 2, "Tiêu dùng đồ nhựa": 3, "Rác thải nhựa": 3, "Rác ra biển": 3,
                     "Chất lượng bãi biển": 2, "Ý thức cộng đồng": 2}  # fmt: skip
