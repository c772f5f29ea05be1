from __future__ import annotations

import math
import subprocess
import sys

import pytest

from kientao.systemmaps.engine.model import (
    Factor,
    Link,
    MapDataError,
    NamedLoop,
    SystemMap,
    build_map,
    map_warnings,
    to_digraph,
)


def test_it_builds_a_map_from_labels() -> None:
    m = build_map(["A", "B"], [("A", "B", 1), ("B", "A", -1, 0.5)])
    assert m.factor_ids == ("f1", "f2")
    assert [(lk.source, lk.target, lk.sign) for lk in m.links] == [("f1", "f2", 1), ("f2", "f1", -1)]
    assert m.links[1].strength == 0.5
    assert m.factor("B").id == "f2"


def test_it_rejects_a_link_to_an_unknown_factor() -> None:
    with pytest.raises(MapDataError, match=r"link 'l1': 'to' names unknown factor 'zz'"):
        SystemMap((Factor("a", "A"),), (Link("l1", "a", "zz"),))


def test_it_rejects_duplicate_labels_naming_both_factors() -> None:
    with pytest.raises(MapDataError, match=r"factor 'b': duplicate label 'Rác' .*'a'"):
        SystemMap((Factor("a", "Rác"), Factor("b", "Rác")))


@pytest.mark.parametrize(
    ("link", "message"),
    [
        (Link("l1", "a", "a", sign=2), "sign must be"),
        (Link("l1", "a", "a", strength=-1.0), "strength must be"),
        (Link("l1", "a", "a", strength=math.nan), "strength must be"),
    ],
)
def test_it_rejects_bad_signs_and_strengths(link: Link, message: str) -> None:
    with pytest.raises(MapDataError, match=message):
        SystemMap((Factor("a", "A"),), (link,))


def test_it_rejects_named_loops_with_unknown_links() -> None:
    with pytest.raises(MapDataError, match="loop 'r1'.*unknown link 'nope'"):
        SystemMap((Factor("a", "A"),), (), (NamedLoop("r1", "R1", ("nope",)),))


def test_it_rejects_positions_of_unknown_factors() -> None:
    with pytest.raises(MapDataError, match="layout 'main': position for unknown factor 'x'"):
        SystemMap((Factor("a", "A"),), layouts={"main": {"x": (0.0, 0.0)}})


def test_it_reports_self_loops_parallel_links_and_isolated_factors() -> None:
    m = build_map(["A", "B", "C"], [("A", "A", 1), ("A", "B", 1), ("A", "B", -1)])
    kinds = {w.kind: w for w in map_warnings(m)}
    assert set(kinds) == {"self-loop", "parallel-links", "isolated-factor"}
    assert kinds["parallel-links"].elements == ("l2", "l3")
    assert kinds["isolated-factor"].elements == ("f3",)


def test_it_collapses_parallel_links_of_different_signs_to_unknown() -> None:
    g = to_digraph(build_map(["A", "B"], [("A", "B", 1), ("A", "B", -1)]))
    assert g.edges["f1", "f2"]["sign"] == 0
    assert g.edges["f1", "f2"]["links"] == ["l1", "l2"]


def test_it_keeps_every_engine_module_free_of_django() -> None:
    code = (
        "import sys, importlib, pkgutil\n"
        "import kientao.systemmaps.engine as e\n"
        "for mod in pkgutil.iter_modules(e.__path__):\n"
        "    importlib.import_module('kientao.systemmaps.engine.' + mod.name)\n"
        "import kientao.systemmaps.cli, kientao.systemmaps.demo_data\n"
        "assert 'django' not in sys.modules, 'django imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
