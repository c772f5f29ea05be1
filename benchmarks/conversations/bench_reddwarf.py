"""Side by side: our analysis vs red-dwarf 0.4.0 on real and synthetic conversations.

Run: ``.venv/bin/python benchmarks/conversations/bench_reddwarf.py [--real NAME ...]
[--synthetic 10000x1000 ...]``. red-dwarf runs in its own venv
(``/work/peers/reddwarf-venv``, ``pip install red-dwarf==0.4.0``) through
``reddwarf_runner.py``; when that venv is absent the peer is skipped with a message.
Times are of the pipeline calls only (no file reading, no imports), best of 3 runs below
2 M votes (one run above) for both sides, one side after the other on the same machine,
the peer with OPENBLAS_NUM_THREADS=1 as in the notes. Printed: sizes, seconds, ratio, groups, peak RSS
of the peer process, ARI ours vs red-dwarf, and ARI vs Pol.is's group-id (real) or vs the
planted groups (synthetic).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from kientao.conversations.engine.formats import read_polis_export, to_vote_matrix
from kientao.conversations.engine.matrix import VoteMatrix
from kientao.conversations.engine.pipeline import analyze
from kientao.conversations.engine.simulation import simulate_conversation

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / ".." / "shared" / "data" / "polis"
PEER = Path("/work/peers/reddwarf-venv/bin/python")
REAL = ["american-assembly.bowling-green", "vtaiwan.uberx", "football-concussions",
        "scoop-hivemind.biodiversity"]


def ari_on_common(a: pd.Series, b: pd.Series) -> float:
    a, b = a[a >= 0], b[b >= 0]
    both = a.index.intersection(b.index)
    return float(adjusted_rand_score(a.loc[both], b.loc[both])) if len(both) else float("nan")


def run_peer(m: VoteMatrix, repeat: int = 1, seed: int = 0) -> tuple[dict[str, float], pd.Series] | None:
    if not PEER.exists():
        print(f"  red-dwarf: skipped (no peer venv at {PEER}; "
              "python -m venv /work/peers/reddwarf-venv && "
              "/work/peers/reddwarf-venv/bin/pip install red-dwarf==0.4.0)")
        return None
    frame = m.to_frame()
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "votes.npz", Path(tmp) / "labels.csv"
        np.savez(src, participant=frame["participant"].to_numpy(),
                 statement=frame["statement"].to_numpy(), vote=frame["vote"].to_numpy(),
                 mod_out=m.statements[m.moderated_out])
        proc = subprocess.run([str(PEER), str(HERE / "reddwarf_runner.py"), str(src), str(out),
                               str(repeat), str(seed)],
                              capture_output=True, text=True,
                              env={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                                   "PATH": "/usr/bin:/bin"})
        if proc.returncode != 0:
            print(f"  red-dwarf failed: {proc.stderr.strip().splitlines()[-1]}")
            return None
        info = json.loads(proc.stdout.strip().splitlines()[-1])
        labels = pd.read_csv(out).set_index("participant")["group"]
    return info, labels


def compare(name: str, m: VoteMatrix, truth: pd.Series) -> None:
    print(f"{name}: {m.shape[0]:,} participants × {m.shape[1]:,} statements, "
          f"{m.n_votes:,} votes")
    repeat = 3 if m.n_votes < 2_000_000 else 1  # best of 3 on small inputs, both sides
    ours_s = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result, _ = analyze(m, seed=0)
        ours_s = min(ours_s, time.perf_counter() - start)
    ours = result.participants.set_index("participant")["group"]
    print(f"  ours      {ours_s:8.2f} s  groups {result.n_groups}  "
          f"ARI vs reference {ari_on_common(ours, truth):.3f}")
    peer = run_peer(m, repeat)
    if peer is None:
        return
    info, theirs = peer
    print(f"  red-dwarf {info['seconds']:8.2f} s  groups {info['groups']}  "
          f"ARI vs reference {ari_on_common(theirs, truth):.3f}  "
          f"peak RSS {info['peak_rss_gb']:.2f} GB")
    print(f"  ratio red-dwarf / ours: {info['seconds'] / ours_s:.1f}x;  "
          f"ARI ours vs red-dwarf {ari_on_common(ours, theirs):.3f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--real", nargs="*", default=REAL)
    parser.add_argument("--synthetic", nargs="*", default=["10000x1000"],
                        help="sizes PxS, e.g. 10000x1000 100000x2000")
    args = parser.parse_args()
    for name in args.real:
        folder = DATA / name
        if not folder.is_dir():
            print(f"{name}: skipped (no data at {folder})")
            continue
        m = to_vote_matrix(read_polis_export(folder))
        pv = pd.read_csv(folder / "participants-votes.csv", usecols=["participant", "group-id"])
        truth = pv.dropna().set_index("participant")["group-id"].astype(int)
        compare(f"{name} (reference: Pol.is group-id)", m, truth)
    for size in args.synthetic:
        n, s = (int(x) for x in size.split("x"))
        per = 100 if n <= 10_000 else 30  # notes §3: 1.0 M votes at 10k, 3.0 M at 100k
        sim = simulate_conversation(n, s, n_groups=3, votes_per_participant=per, seed=0)
        truth = pd.Series(sim.groups, index=sim.votes.participants)
        compare(f"synthetic {size} (reference: planted groups)", sim.votes, truth)
    print(f"our process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2:.2f}"
          " GB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
