"""``kientao challenges assign`` and ``calibrate`` on files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kientao.cli import main


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def affinity_csv(tmp_path):
    rng = np.random.default_rng(0)
    rows = [
        (f"s{s}", f"j{j}", round(float(rng.random()), 4))
        for s in range(12)
        for j in range(5)
        if rng.random() < 0.8  # unlisted pairs have affinity 0
    ]
    df = pd.DataFrame(rows, columns=["submission", "judge", "affinity"])
    path = tmp_path / "affinity.csv"
    df.to_csv(path, index=False)
    return str(path), df


def test_it_writes_an_optimal_assignment(tmp_path, affinity_csv):
    path, df = affinity_csv
    conflicts = write(tmp_path / "conflicts.csv", "submission,judge\ns0,j0\ns1,j1\n")
    out = tmp_path / "out" / "assignment.csv"
    code = main(
        [
            "challenges",
            "assign",
            "--affinity",
            path,
            "--conflicts",
            conflicts,
            "--per-submission",
            "2",
            "--max-load",
            "6",
            "--min-load",
            "3",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    got = pd.read_csv(out)
    assert list(got.columns) == ["submission", "judge", "affinity"]
    assert (got.groupby("submission").size() == 2).all() and got["submission"].nunique() == 12
    loads = got.groupby("judge").size()
    assert loads.between(3, 6).all()
    pairs = set(zip(got["submission"], got["judge"], strict=True))
    assert ("s0", "j0") not in pairs and ("s1", "j1") not in pairs
    lookup = {(s, j): a for s, j, a in df.itertuples(index=False)}
    for s, j, a in got.itertuples(index=False):
        assert a == pytest.approx(lookup.get((s, j), 0.0), abs=1e-12)  # copied from input


def test_it_randomises_with_a_cap_and_seed(tmp_path, affinity_csv):
    path, _ = affinity_csv
    outs = []
    for name in ("a.csv", "b.csv"):
        out = tmp_path / name
        assert (
            main(
                [
                    "challenges",
                    "assign",
                    "--affinity",
                    path,
                    "--per-submission",
                    "2",
                    "--max-load",
                    "6",
                    "--seed",
                    "3",
                    "--probability-cap",
                    "0.5",
                    "--out",
                    str(out),
                ]
            )
            == 0
        )
        outs.append(pd.read_csv(out))
    pd.testing.assert_frame_equal(outs[0], outs[1])


def test_it_explains_infeasibility_with_exit_code_2(tmp_path, affinity_csv, capsys):
    path, _ = affinity_csv
    code = main(
        [
            "challenges",
            "assign",
            "--affinity",
            path,
            "--per-submission",
            "3",
            "--max-load",
            "2",
            "--out",
            str(tmp_path / "x.csv"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "max load too small: capacity 10 < demand 36" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("submission,judge\ns1,j1\n", "missing column(s) affinity"),
        ("submission,judge,affinity\ns1,j1,high\n", "line 2, column affinity: expected a number"),
        ("submission,judge,affinity\ns1,j1,1\ns1,j1,2\n", "line 3: pair (s1, j1) listed twice"),
    ],
)
def test_it_names_the_line_and_column_of_bad_affinity_files(tmp_path, capsys, content, message):
    path = write(tmp_path / "affinity.csv", content)
    code = main(
        [
            "challenges",
            "assign",
            "--affinity",
            path,
            "--per-submission",
            "1",
            "--max-load",
            "1",
            "--out",
            str(tmp_path / "o.csv"),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "affinity.csv" in err


def test_it_rejects_unknown_conflict_labels(tmp_path, affinity_csv, capsys):
    path, _ = affinity_csv
    conflicts = write(tmp_path / "c.csv", "submission,judge\ns0,nobody\n")
    code = main(
        [
            "challenges",
            "assign",
            "--affinity",
            path,
            "--conflicts",
            conflicts,
            "--per-submission",
            "1",
            "--max-load",
            "5",
            "--out",
            str(tmp_path / "o.csv"),
        ]
    )
    assert code == 2
    assert "c.csv: line 2: judge 'nobody' does not appear" in capsys.readouterr().err


def test_it_calibrates_a_score_file(tmp_path):
    rng = np.random.default_rng(1)
    rows = ["submission,judge,criterion,score"]
    for s in range(10):
        for j in rng.choice(4, 3, replace=False):
            for c in ("impact", "feasibility"):
                rows.append(f"s{s},j{j},{c},{int(rng.integers(1, 11))}")
    scores = write(tmp_path / "scores.csv", "\n".join(rows) + "\n")
    weights = write(tmp_path / "weights.csv", "criterion,weight\nimpact,2\nfeasibility,1\n")
    out = tmp_path / "cal"
    assert (
        main(
            [
                "challenges",
                "calibrate",
                scores,
                "--weights",
                weights,
                "--shortlist",
                "3",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    cal = pd.read_csv(out / "calibrated.csv")
    assert len(cal) == 10 and {"raw_mean", "additive", "rank", "rank_best", "rank_worst"} <= set(
        cal.columns
    )
    assert set(pd.read_csv(out / "reliability.csv")["criterion"]) == {
        "impact",
        "feasibility",
        "(total)",
    }
    assert list(pd.read_csv(out / "flags.csv").columns) == ["submission", "flag", "detail"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["n_reviews"] == 30 and summary["criteria"] == {"feasibility": 1.0, "impact": 2.0}


def test_it_reports_a_bad_score_line(tmp_path, capsys):
    scores = write(
        tmp_path / "scores.csv", "submission,judge,criterion,score\na,x,c,5\na,y,c,n/a\n"
    )
    assert main(["challenges", "calibrate", scores, "--out", str(tmp_path / "o")]) == 2
    assert (
        "scores.csv: line 3, column score: expected a number, got 'n/a'" in capsys.readouterr().err
    )
