"""Shared fixtures for the systemmaps engine tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from kientao.systemmaps.engine.formats import read_kumu_json
from kientao.systemmaps.engine.model import SystemMap, build_map

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def small_map() -> SystemMap:
    """Eight factors, ten links; loops worked out by hand (see test_loops.py)."""
    return read_kumu_json((DATA / "plastic_small.json").read_bytes())


def make_random_map(n: int, m: int, seed: int = 1, signs: bool = False) -> SystemMap:
    """A G(n, m) random digraph as a map (signs alternate when ``signs``)."""
    g = nx.gnm_random_graph(n, m, seed=seed, directed=True)
    return build_map(
        [str(i) for i in g.nodes],
        [(str(u), str(v), -1 if signs and k % 3 == 0 else 1) for k, (u, v) in enumerate(g.edges)],
    )


@pytest.fixture
def random_map() -> Callable[..., SystemMap]:
    """``random_map(n, m, seed=1, signs=False)``: a G(n, m) random map."""
    return make_random_map
