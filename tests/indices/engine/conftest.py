"""Shared fixtures: the COINr 1.1.14 ASEM reference files (shared/data/coinr-asem)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kientao.indices.engine import IndexBuild, Step, build

ASEM = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "coinr-asem"

# COINr's build_example_coin(): R/examples.R and coin_log.txt
ASEM_STEPS = [
    Step("denominate"),
    Step("impute", {"method": "mean-by-group", "group": "EurAsia_group"}),
    Step("screen", {"unit_screen": "byNA", "dat_thresh": 0.9}),
    Step("treat", {"winmax": 5}),
    Step("normalise", {"method": "minmax", "l_u": [0.0, 100.0]}),
    Step("aggregate", {"method": "amean"}),
]


@pytest.fixture(scope="session")
def asem_dir() -> Path:
    if not ASEM.is_dir():
        pytest.skip(f"reference data folder {ASEM} is absent")
    return ASEM


@pytest.fixture(scope="session")
def asem_tables(asem_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_csv(asem_dir / "input_ASEM_iData.csv"), pd.read_csv(asem_dir / "input_ASEM_iMeta.csv")


@pytest.fixture(scope="session")
def asem_build(asem_tables: tuple[pd.DataFrame, pd.DataFrame]) -> IndexBuild:
    return build(*asem_tables, ASEM_STEPS)


@pytest.fixture
def small_meta() -> pd.DataFrame:
    """Two pillars of two indicators under one index; b is a 'bad' (Direction -1)."""
    return small_meta_frame()


def small_meta_frame() -> pd.DataFrame:
    """The ``small_meta`` fixture's table, for code that runs outside a fixture."""
    return pd.DataFrame(
        {
            "Level": [1, 1, 1, 1, 2, 2, 3],
            "iCode": ["a", "b", "c", "d", "P1", "P2", "Index"],
            "Parent": ["P1", "P1", "P2", "P2", "Index", "Index", None],
            "Direction": [1, -1, 1, 1, 1, 1, 1],
            "Weight": [1, 1, 1, 3, 1, 1, 1],
            "Type": ["Indicator"] * 4 + ["Aggregate"] * 3,
        }
    )


@pytest.fixture
def small_data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uCode": ["U1", "U2", "U3", "U4"],
            "a": [1.0, 2.0, 3.0, 4.0],
            "b": [10.0, 20.0, 30.0, 40.0],
            "c": [0.0, 5.0, 10.0, None],
            "d": [2.0, 2.0, 4.0, 6.0],
        }
    )
