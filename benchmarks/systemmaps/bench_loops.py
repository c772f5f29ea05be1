"""Feedback loops and factor measures: ours against networkx (and rustworkx if installed).

Run: .venv/bin/python benchmarks/systemmaps/bench_loops.py

1. Bounded loops (length <= 8) of random G(n, m) maps: ours vs
   ``networkx.simple_cycles(length_bound=8)``; same loop sets?
2. All factor measures of a 1,000-factor, 3,000-link map (target: loops +
   measures < 2 s); our betweenness vs networkx's exact one.
3. Time cap on dense maps: requested vs measured wall clock (target: within 10 %).
4. rustworkx (peer, optional; /work/peers/rustworkx-venv): first 300,000
   unbounded cycles, against networkx's Johnson (what ``max_length=None`` uses).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import networkx as nx
import numpy as np

from kientao.systemmaps.engine.loops import feedback_loops, independent_loops
from kientao.systemmaps.engine.measures import betweenness, factor_measures
from kientao.systemmaps.engine.model import SystemMap, build_map, to_digraph

T = TypeVar("T")
RUSTWORKX_PYTHON = Path("/work/peers/rustworkx-venv/bin/python")


def random_map(n: int, m: int, seed: int = 1) -> SystemMap:
    g = nx.gnm_random_graph(n, m, seed=seed, directed=True)
    return build_map([str(i) for i in g.nodes], [(str(u), str(v), 1) for u, v in g.edges])


def best_of(fn: Callable[[], T], repeat: int = 3) -> tuple[float, T]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def nx_bounded_cycles(g: nx.DiGraph, bound: int) -> list[list[str]]:
    return list(nx.simple_cycles(g, length_bound=bound))


def bounded_loops() -> None:
    print("== bounded loops, length <= 8 (best of 3) ==")
    print(f"{'n':>5} {'m':>5} {'loops':>7} {'ours s':>8} {'networkx s':>10} {'ratio':>6}  agree")
    for n, m in [(100, 300), (100, 400), (300, 900), (1000, 3000)]:
        mp = random_map(n, m)
        g = to_digraph(mp)
        t_ours, res = best_of(
            partial(feedback_loops, mp, max_length=8, max_loops=10**7, time_limit=600)
        )
        t_nx, cycles = best_of(partial(nx_bounded_cycles, g, 8), repeat=1)
        order = {f: i for i, f in enumerate(mp.factor_ids)}
        theirs = set()
        for c in cycles:
            idx = [order[f] for f in c]
            k = idx.index(min(idx))
            theirs.add(tuple(c[k:] + c[:k]))
        ours = {lp.factors for lp in res.loops}
        print(f"{n:>5} {m:>5} {len(ours):>7} {t_ours:>8.3f} {t_nx:>10.3f} "
              f"{t_nx / t_ours:>6.1f}  {ours == theirs}")  # fmt: skip


def measures_1000() -> None:
    print("\n== 1,000 factors, 3,000 links: loops + all measures (best of 3, after warm-up) ==")
    mp = random_map(1000, 3000)
    factor_measures(random_map(50, 120))  # warm-up: scipy/pandas imports are not the engine
    t_loops, res = best_of(lambda: feedback_loops(mp, max_length=8))
    t_meas, _ = best_of(lambda: factor_measures(mp, res))
    t_ind, ind = best_of(lambda: independent_loops(mp))
    print(f"bounded loops (<= 8): {len(res.loops)} loops in {t_loops:.3f} s")
    print(f"all factor measures: {t_meas:.3f} s")
    print(f"total loops + measures: {t_loops + t_meas:.3f} s (target < 2 s)")
    print(f"independent loop set: {len(ind.loops)} loops in {t_ind:.3f} s")
    g = to_digraph(mp)
    t_b, ours = best_of(lambda: betweenness(mp))
    t_nb, theirs = best_of(lambda: nx.betweenness_centrality(g), repeat=1)
    diff = float(np.max(np.abs(ours - np.array([theirs[f] for f in mp.factor_ids]))))
    print(f"betweenness: ours {t_b:.3f} s, networkx {t_nb:.3f} s, ratio {t_nb / t_b:.1f}, "
          f"max |diff| {diff:.1e}")  # fmt: skip


def time_cap() -> None:
    print("\n== time cap on dense maps (max_length 40, no count cap; 3 runs each) ==")
    print(f"{'n':>5} {'m':>5} {'limit s':>8} {'median s':>9} {'worst s':>8} {'overshoot':>9}  loops")
    for n, m in [(100, 400), (300, 1500), (1000, 5000)]:
        mp = random_map(n, m)
        for limit in (0.5, 2.0):
            runs = []
            for _ in range(3):
                t = time.perf_counter()
                r = feedback_loops(mp, max_length=40, max_loops=10**9, time_limit=limit)
                runs.append(time.perf_counter() - t)
            over = (max(runs) - limit) / limit * 100
            print(f"{n:>5} {m:>5} {limit:>8.1f} {statistics.median(runs):>9.3f} "
                  f"{max(runs):>8.3f} {over:>8.1f}%  {len(r.loops)} ({r.stop_reason})")  # fmt: skip


PEER = """
import time, networkx as nx, rustworkx as rx
g = nx.gnm_random_graph(100, 300, seed=1, directed=True)
r = rx.PyDiGraph()
r.add_nodes_from(list(g.nodes))
r.add_edges_from_no_data(list(g.edges))
t = time.perf_counter()
k = 0
for c in rx.simple_cycles(r):
    k += 1
    if k >= 300000:
        break
print(time.perf_counter() - t, rx.__version__)
"""


def rustworkx_peer() -> None:
    print("\n== peer: rustworkx, first 300,000 unbounded cycles of G(100, 300) ==")
    if not RUSTWORKX_PYTHON.exists():
        print(f"rustworkx peer not installed ({RUSTWORKX_PYTHON} missing): skipped")
        return
    out = subprocess.run([str(RUSTWORKX_PYTHON), "-c", PEER], capture_output=True, text=True)
    if out.returncode != 0:
        print(f"rustworkx peer failed: skipped ({out.stderr.strip().splitlines()[-1:]})")
        return
    t_rx, version = out.stdout.split()
    mp = random_map(100, 300)
    t = time.perf_counter()
    r = feedback_loops(mp, max_length=None, max_loops=300000, time_limit=600)
    t_ours = time.perf_counter() - t
    print(f"ours (networkx Johnson, max_length=None): {len(r.loops)} loops in {t_ours:.2f} s")
    print(f"rustworkx {version}: 300000 cycles in {float(t_rx):.2f} s; "
          f"ratio ours/rustworkx {t_ours / float(t_rx):.1f}")  # fmt: skip


if __name__ == "__main__":
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"python {sys.version.split()[0]}, networkx {nx.__version__}, "
          f"{os.cpu_count()} cores, load average {load}")  # fmt: skip
    bounded_loops()
    measures_1000()
    time_cap()
    rustworkx_peer()
