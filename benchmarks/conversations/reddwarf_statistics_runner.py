"""Compute red-dwarf 0.4.0's repness, consensus and group-aware consensus for given groups.

Executed by the peer's own Python (see compare_statistics.py):
    /work/peers/reddwarf-venv/bin/python reddwarf_statistics_runner.py IN.npz OUT.json
IN.npz: ``clustered`` (dense votes with NaN, in-conv rows), ``labels``, ``everyone`` (dense
votes of all participants), ``statements``, ``mod_out``.
"""

import json
import sys

import numpy as np
import pandas as pd


def main() -> int:
    src, out = sys.argv[1], sys.argv[2]
    a = np.load(src)
    from reddwarf.utils.consensus import select_consensus_statements
    from reddwarf.utils.stats import (
        calculate_comment_statistics_dataframes,
        select_representative_statements,
    )

    cols = pd.Index(a["statements"].tolist(), name="statement_id")
    clustered = pd.DataFrame(a["clustered"], columns=cols)
    everyone = pd.DataFrame(a["everyone"], columns=cols)
    mod_out = [int(x) for x in a["mod_out"]]
    grouped, gac = calculate_comment_statistics_dataframes(
        vote_matrix=clustered, cluster_labels=a["labels"].tolist()
    )
    repness = select_representative_statements(grouped_stats_df=grouped,
                                               mod_out_statement_ids=mod_out)
    consensus = select_consensus_statements(vote_matrix=everyone,
                                            mod_out_statement_ids=mod_out)
    doc = {
        "repness": {str(k): [{"tid": int(s["tid"]), "repful_for": s["repful-for"],
                              "p": float(s["p-success"]), "p_test": float(s["p-test"]),
                              "r": float(s["repness"]), "r_test": float(s["repness-test"])}
                             for s in v] for k, v in repness.items()},
        "consensus": {d: [{"tid": int(s["tid"]), "p": float(s["p-success"]),
                           "p_test": float(s["p-test"])} for s in consensus[d]]
                      for d in ("agree", "disagree")},
        "gac": {str(k): float(v) for k, v in gac["group-aware-consensus-agree"].items()},
    }
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(doc, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
