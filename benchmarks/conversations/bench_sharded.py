"""Sharded analysis at 1/10 national scale: the plan of docs/scaling.md, run in one process.

Run: ``.venv/bin/python benchmarks/conversations/bench_sharded.py [--participants N]
[--statements M] [--shards S]``. Participants are split into S row shards (as if each
lived on its own machine); every step only exchanges small summaries with a driver:

1. column sums and counts (m numbers each) -> statement means;
2. randomized range finder on ``YᵀY = Σ_s Y_sᵀ Y_s``: per round each shard returns an
   m × l block (l = 6); the driver orthonormalises;
3. each shard projects its own participants;
4. base clusters: the driver clusters a seeded sample of projections, shards return
   per-centre sums for two Lloyd rounds (100 × 3 numbers);
5. groups on the driver; per-group vote counts summed over shards (k × m × 3 numbers);
   representativeness and consensus on the driver.

Printed: the agreement of the sharded axes and groups with the single-machine
``analyze`` on the same data, the bytes each shard sends, the slowest shard's time per
step (the wall time a cluster of S machines would see, plus network), and the time of the
single-machine run.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import adjusted_rand_score

from kientao.conversations.engine.clustering import (
    KSmoother,
    cluster_base,
    cluster_groups,
    smooth_k,
)
from kientao.conversations.engine.matrix import VoteMatrix
from kientao.conversations.engine.pipeline import analyze
from kientao.conversations.engine.repness import GroupCounts, representative_statements
from kientao.conversations.engine.simulation import simulate_conversation


def shard_rows(m: VoteMatrix, shards: int) -> list[sp.csr_matrix]:
    bounds = np.linspace(0, m.shape[0], shards + 1).astype(int)
    return [m.values[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--votes-per-participant", type=int, default=50)
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sim = simulate_conversation(args.participants, args.statements, n_groups=3,
                                votes_per_participant=args.votes_per_participant,
                                seed=args.seed)
    m = sim.votes
    n_stmt = m.shape[1]
    print(f"{m.shape[0]:,} × {n_stmt:,}, {m.n_votes:,} votes, {args.shards} shards")
    shards = shard_rows(m, args.shards)
    slowest: dict[str, float] = {}
    sent: dict[str, int] = {}

    def per_shard(step: str, fn, payload_bytes: int):  # type: ignore[no-untyped-def]
        outs, worst = [], 0.0
        for x in shards:
            t = time.perf_counter()
            outs.append(fn(x))
            worst = max(worst, time.perf_counter() - t)
        slowest[step] = slowest.get(step, 0.0) + worst
        sent[step] = sent.get(step, 0) + payload_bytes
        return outs

    # 1. statement means
    parts = per_shard("means", lambda x: (np.bincount(x.indices, weights=x.data,
                                                       minlength=n_stmt),
                                          np.bincount(x.indices, minlength=n_stmt)),
                      2 * 8 * n_stmt)
    sums = sum(p[0] for p in parts)
    counts = sum(p[1] for p in parts)
    mu = np.divide(sums, counts, out=np.zeros(n_stmt), where=counts > 0)
    centred = [sp.csr_matrix(((x.data - mu[x.indices]).astype(np.float32), x.indices,
                              x.indptr), shape=x.shape) for x in shards]
    shards_y = centred

    # 2. randomized range finder on Σ Y_sᵀ Y_s (l = 6, 4 power iterations)
    rng = np.random.default_rng(args.seed)
    q = np.linalg.qr(rng.standard_normal((n_stmt, 6)).astype(np.float32))[0]
    for _ in range(5):
        blocks = []
        t_worst = 0.0
        for y in shards_y:
            t = time.perf_counter()
            blocks.append(y.T @ (y @ q))
            t_worst = max(t_worst, time.perf_counter() - t)
        slowest["pca"] = slowest.get("pca", 0.0) + t_worst
        sent["pca"] = sent.get("pca", 0) + 4 * n_stmt * 6
        q = np.linalg.qr(sum(blocks))[0]
    small = sum((y @ q).T @ (y @ q) for y in shards_y)
    w, u = np.linalg.eigh(small.astype(np.float64))
    comps = (q.astype(np.float64) @ u[:, ::-1][:, :2]).T
    for i in range(2):
        j = int(np.argmax(np.abs(comps[i])))
        if comps[i, j] < 0:
            comps[i] = -comps[i]

    # 3. projections, on each shard
    def project(i: int) -> np.ndarray:
        x, y = shards[i], shards_y[i]
        nv = np.diff(x.indptr).astype(np.float64)
        return np.asarray(y @ comps.T.astype(np.float32), dtype=np.float64) * np.sqrt(
            n_stmt / np.maximum(nv, 1.0))[:, None]

    t_worst = 0.0
    xy_parts = []
    for i in range(len(shards)):
        t = time.perf_counter()
        xy_parts.append(project(i))
        t_worst = max(t_worst, time.perf_counter() - t)
    slowest["project"] = t_worst
    xy = np.vstack(xy_parts)

    # 4. + 5. clustering (driver: a 50k sample + centre sums), groups, counts
    t = time.perf_counter()
    in_conv = np.diff(m.values.indptr) >= 7
    base_centres, base_labels = cluster_base(xy[in_conv], seed=args.seed)
    weights = np.bincount(base_labels, minlength=len(base_centres)).astype(np.float64)
    options = cluster_groups(base_centres, weights, weighted_silhouette=True, seed=args.seed)
    best = max(options, key=lambda k: (options[k].silhouette, -k))
    k = smooth_k(KSmoother(), best).k
    labels = np.full(m.shape[0], -1)
    labels[np.flatnonzero(in_conv)] = options[k].base_labels[base_labels]
    slowest["clusters (driver)"] = time.perf_counter() - t
    bounds = np.linspace(0, m.shape[0], args.shards + 1).astype(int)
    agree = np.zeros((k, n_stmt))
    disagree = np.zeros((k, n_stmt))
    seen = np.zeros((k, n_stmt))
    t_worst = 0.0
    for i, x in enumerate(shards):
        t = time.perf_counter()
        lab = labels[bounds[i]:bounds[i + 1]]
        onehot = np.zeros((x.shape[0], k), dtype=np.float32)
        onehot[np.flatnonzero(lab >= 0), lab[lab >= 0]] = 1
        for arr, data in ((agree, x.data == 1), (disagree, x.data == -1),
                          (seen, np.ones(x.nnz, bool))):
            ind = sp.csr_matrix((data.astype(np.float32), x.indices, x.indptr), shape=x.shape)
            arr += np.asarray(ind.T @ onehot).T
        t_worst = max(t_worst, time.perf_counter() - t)
    slowest["counts"] = t_worst
    sent["counts"] = 3 * 8 * k * n_stmt
    rep = representative_statements(GroupCounts(agree, disagree, seen), m.statements)

    t = time.perf_counter()
    single, _ = analyze(m, seed=args.seed)
    single_s = time.perf_counter() - t
    cos = [abs(float(comps[i] @ single.projection.components[i])) for i in range(2)]
    ours = single.participants["group"].to_numpy()
    both = (ours >= 0) & (labels >= 0)
    print(f"axes |cos| vs single machine: {cos[0]:.6f}, {cos[1]:.6f}")
    print(f"groups: sharded {k}, single {single.n_groups}; ARI sharded vs single "
          f"{adjusted_rand_score(ours[both], labels[both]):.4f}; ARI sharded vs planted "
          f"{adjusted_rand_score(sim.groups[labels >= 0], labels[labels >= 0]):.4f}")
    print(f"repness rows: {len(rep)}")
    for step, sec in slowest.items():
        print(f"  {step:20s} slowest shard {sec:6.2f} s, sent per shard "
              f"{sent.get(step, 0) / 1024:8.1f} KiB")
    print(f"sum of slowest-shard times {sum(slowest.values()):.2f} s; single machine "
          f"analyze {single_s:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
