"""Run red-dwarf's Pol.is pipeline on a vote file; executed by the peer's own Python.

Usage (called by bench_reddwarf.py):
    /work/peers/reddwarf-venv/bin/python reddwarf_runner.py VOTES.npz OUT.csv [REPEAT [SEED]]
VOTES.npz holds arrays participant, statement, vote (final votes) and mod_out.
Prints one JSON line: pipeline seconds, peak RSS (GB), groups.
Peer code stays outside the repository (/work/peers/reddwarf-venv).
"""

import json
import resource
import sys
import time

import numpy as np


def main() -> int:
    src, out = sys.argv[1], sys.argv[2]
    arrays = np.load(src)
    from reddwarf.implementations.polis import run_pipeline

    votes = [
        {"participant_id": int(p), "statement_id": int(s), "vote": int(v)}
        for p, s, v in zip(arrays["participant"], arrays["statement"], arrays["vote"],
                           strict=True)
    ]
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    seconds = float("inf")
    for _ in range(repeat):  # best of `repeat` runs, like ours
        start = time.perf_counter()
        result = run_pipeline(
            votes=votes,
            mod_out_statement_ids=[int(x) for x in arrays["mod_out"]],
            min_user_vote_threshold=7,
            random_state=seed,
        )
        seconds = min(seconds, time.perf_counter() - start)
    df = result.participants_df
    labels = df["cluster_id"].where(df["cluster_id"].notna(), -1).astype(int)
    labels.rename("group").to_frame().rename_axis("participant").to_csv(out)
    print(json.dumps({
        "seconds": seconds,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2,
        "groups": int(labels[labels >= 0].nunique()),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
