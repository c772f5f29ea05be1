from __future__ import annotations

from kientao.systemmaps.demo_data import plastic_waste_map, waste_actor_map
from kientao.systemmaps.engine.actors import power_interest_grid
from kientao.systemmaps.engine.loops import feedback_loops
from kientao.systemmaps.engine.model import map_warnings


def test_it_ships_a_plastic_waste_map_with_reinforcing_and_balancing_loops() -> None:
    m = plastic_waste_map()
    assert 20 <= len(m.factors) <= 40
    assert all(f.fields.get("label_en") for f in m.factors)
    assert any(lk.delay for lk in m.links)
    r = feedback_loops(m, max_length=8)
    polarities = {lp.polarity for lp in r.loops}
    assert {"R", "B"} <= polarities
    assert not [w for w in map_warnings(m) if w.kind != "isolated-factor"]


def test_it_names_loops_whose_polarity_matches_their_label() -> None:
    m = plastic_waste_map()
    found = {frozenset(lp.links): lp.polarity for lp in feedback_loops(m, max_length=8).loops}
    for named in m.loops:
        # Each named loop is a real loop of the map, with the polarity its label claims.
        assert found[frozenset(named.link_ids)] == named.label[0]


def test_it_ships_an_actor_map_covering_every_quadrant() -> None:
    grid = power_interest_grid(waste_actor_map())
    assert set(grid["quadrant"]) == {"manage closely", "keep satisfied", "keep informed", "monitor"}
    assert "Người nhặt ve chai" in set(grid["label"])
