from __future__ import annotations

import pytest

from kientao.systemmaps.engine.actors import (
    Actor,
    ActorMap,
    Relation,
    actor_communities,
    power_interest_grid,
)
from kientao.systemmaps.engine.model import MapDataError, SystemMap, build_map
from kientao.systemmaps.engine.trees import check_tree, problem_tree


def test_it_places_actors_in_the_four_quadrants() -> None:
    am = ActorMap((
        Actor("a", "UBND", power=9, interest=9),
        Actor("b", "Nhà sản xuất", power=8, interest=2),
        Actor("c", "Người nhặt ve chai", power=2, interest=9),
        Actor("d", "Khách du lịch", power=1, interest=1),
        Actor("e", "Biên", power=5, interest=5),  # on the threshold counts as high
    ))  # fmt: skip
    assert power_interest_grid(am)["quadrant"].tolist() == [
        "manage closely", "keep satisfied", "keep informed", "monitor", "manage closely",
    ]  # fmt: skip


def test_it_rejects_actors_off_the_scale_and_unknown_relations() -> None:
    with pytest.raises(MapDataError, match="actor 'X': power must be between 0 and 10"):
        ActorMap((Actor("x", "X", power=11),))
    with pytest.raises(MapDataError, match="relation #1: 'to' names unknown actor 'z'"):
        ActorMap((Actor("x", "X"),), (Relation("x", "z"),))


def test_it_finds_two_obvious_communities_whatever_the_seed() -> None:
    # Two triangles joined by one weak tie: any seed must split them there.
    actors = tuple(Actor(k, k.upper()) for k in "abcdef")
    rel = [("a", "b", 3), ("b", "c", 3), ("a", "c", 3), ("d", "e", 3), ("e", "f", 3),
           ("d", "f", 3), ("c", "d", 0.5)]  # fmt: skip
    am = ActorMap(actors, tuple(Relation(a, b, "", w) for a, b, w in rel))
    for seed in range(3):
        assert set(actor_communities(am, seed=seed)) == {frozenset("abc"), frozenset("def")}


def test_it_builds_a_problem_tree_in_layers(small_map: SystemMap) -> None:
    lab = small_map.labels()
    t = problem_tree(small_map, "Thu nhập ngư dân")
    assert [[lab[f] for f in layer] for layer in t.causes[:2]] == [["Rác ra biển"], ["Rác thải nhựa"]]
    assert t.effects == ()
    assert [lab[f] for f in t.root_causes] == ["Quy định về nhựa"]
    assert t.is_tree
    looped = problem_tree(small_map, "Rác thải nhựa")
    assert not looped.is_tree and "f1" in looped.feedback  # Du lịch is both cause and effect


def test_it_rejects_a_tree_with_a_cycle_naming_it() -> None:
    check_tree(build_map(["A", "B", "C"], [("A", "B", 1), ("A", "C", 1)]))
    with pytest.raises(MapDataError, match="not a tree: cycle A -> B -> A"):
        check_tree(build_map(["A", "B"], [("A", "B", 1), ("B", "A", 1)]))
