import json
from pathlib import Path

import pandas as pd

from kientao.cli import main

COMMENTS = (
    "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    + "".join(f"{i},x,{i},0,0,0,{-1 if i == 9 else 1},statement {i}\n" for i in range(10))
)


def _export(folder: Path) -> Path:
    folder.mkdir()
    (folder / "comments.csv").write_text(COMMENTS, encoding="utf-8")
    rows = ["timestamp,datetime,comment-id,voter-id,vote"]
    t = 0
    for p in range(60):
        side = 1 if p < 30 else -1
        for s in range(10):
            t += 1
            rows.append(f"{t},x,{s},{p},{side if s < 5 else -side}")
    (folder / "votes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_it_analyzes_an_export_folder(tmp_path):
    src = _export(tmp_path / "in")
    assert main(["conversations", "analyze", str(src), "--out", str(tmp_path / "out"),
                 "--seed", "3", "--min-votes", "7"]) == 0
    people = pd.read_csv(tmp_path / "out" / "participants.csv")
    assert list(people.columns) == ["participant", "group", "x", "y"]
    assert people["group"].nunique() == 2 and len(people) == 60
    # the two halves land in different groups
    assert people.groupby(people["participant"] < 30)["group"].nunique().tolist() == [1, 1]
    rep = pd.read_csv(tmp_path / "out" / "repness.csv")
    assert 9 not in rep["statement"].tolist()  # moderated out
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["groups"] == 2 and summary["in_conv"] == 60
    assert (tmp_path / "out" / "consensus.csv").exists()
    stats = pd.read_csv(tmp_path / "out" / "participant_stats.csv")
    assert list(stats.columns) == ["participant", "group", "subgroup", "centricness", "coreness", "extremeness"]
    assert len(stats) == 60 and stats[["centricness", "coreness", "extremeness"]].notna().all().all()
    # identical voters in each half: one point per group, nothing to split into subgroups
    assert stats["subgroup"].isna().all() and summary["subgroup_sizes"] == {}
    sub = pd.read_csv(tmp_path / "out" / "subgroup_repness.csv")
    assert list(sub.columns[:2]) == ["group", "subgroup"] and sub.empty


def test_it_leaves_group_empty_for_participants_not_clustered(tmp_path):
    src = _export(tmp_path / "in")
    with open(src / "votes.csv", "a", encoding="utf-8") as fh:
        fh.write("99999,x,0,500,1\n")  # one vote only: not in the conversation
    assert main(["conversations", "analyze", str(src), "--out", str(tmp_path / "out")]) == 0
    people = pd.read_csv(tmp_path / "out" / "participants.csv").set_index("participant")
    assert pd.isna(people.loc[500, "group"])


def test_it_reports_a_malformed_file_without_a_traceback(tmp_path, capsys):
    src = _export(tmp_path / "in")
    with open(src / "votes.csv", "a", encoding="utf-8") as fh:
        fh.write("99999,x,0,500,yes\n")
    code = main(["conversations", "analyze", str(src), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "votes.csv: row 602, column 'vote'" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_it_imports_and_exports_a_conversation(tmp_path):
    src = _export(tmp_path / "in")
    bundle = tmp_path / "conv.json.gz"
    assert main(["conversations", "import", str(src), str(bundle)]) == 0
    assert main(["conversations", "export", str(bundle), str(tmp_path / "back")]) == 0
    pv = pd.read_csv(tmp_path / "back" / "participants-votes.csv")
    assert len(pv) == 60 and pv["group-id"].nunique() == 2
    assert main(["conversations", "analyze", str(bundle), "--out", str(tmp_path / "o2")]) == 0


def test_it_fails_cleanly_on_a_missing_folder(tmp_path, capsys):
    code = main(["conversations", "analyze", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert code == 2 and "error:" in capsys.readouterr().err


def test_it_replays_the_vote_log_on_request(tmp_path):
    src = _export(tmp_path / "in")
    assert main(["conversations", "analyze", str(src), "--out", str(tmp_path / "out"),
                 "--replay", "4"]) == 0
    people = pd.read_csv(tmp_path / "out" / "participants.csv")
    assert people.groupby(people["participant"] < 30)["group"].nunique().tolist() == [1, 1]
