"""``kientao conversations ...``: analyse and convert Pol.is export folders, load one into the platform.

``analyze``, ``import`` and ``export`` work on files with the pure engine (no Django);
``load`` sets Django up, when called, to write the conversation into the database.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from kientao.conversations.engine.formats import (
    ConversationData,
    ExportFormatError,
    read_bundle,
    read_polis_export,
    to_vote_matrix,
    write_bundle,
    write_polis_export,
)
from kientao.conversations.engine.matrix import VoteDataError
from kientao.conversations.engine.pipeline import AnalysisResult, analyze, replay_vote_log


def _load(path: Path) -> ConversationData:
    if not path.exists():
        raise ExportFormatError(f"{path}: no such export folder or bundle file")
    return read_polis_export(path) if path.is_dir() else read_bundle(path)


def _write_analysis(out: Path, result: AnalysisResult, data: ConversationData) -> None:
    out.mkdir(parents=True, exist_ok=True)
    p = result.participants
    table = p[["participant", "group", "x", "y"]].copy()
    table["group"] = table["group"].astype("Int64").mask(table["group"] < 0)
    table.to_csv(out / "participants.csv", index=False)
    texts = data.statements.set_index("statement")["text"]
    rep = result.repness.copy()
    rep["text"] = texts.reindex(rep["statement"]).to_numpy()
    rep.to_csv(out / "repness.csv", index=False)
    con = result.consensus.copy()
    con["text"] = texts.reindex(con["statement"]).to_numpy()
    con.to_csv(out / "consensus.csv", index=False)
    # Pol.is's second level and participant statistics (conversation.clj, repness.clj)
    stats = p.loc[p["group"] >= 0, ["participant", "group", "subgroup", "centricness", "coreness", "extremeness"]]
    stats.assign(subgroup=stats["subgroup"].astype("Int64").mask(stats["subgroup"] < 0)).to_csv(
        out / "participant_stats.csv", index=False)
    sub = result.subgroup_repness.copy()
    sub["text"] = texts.reindex(sub["statement"]).to_numpy()
    sub[["group", "subgroup", *[c for c in sub.columns if c not in ("group", "subgroup")]]].to_csv(
        out / "subgroup_repness.csv", index=False)
    clustered = p[p["group"] >= 0]
    summary = {
        "participants": int(len(p)),
        "statements": int(len(result.statements)),
        "votes": int(p["n_votes"].sum()),
        "votes_source": data.votes_source,
        "in_conv": int(p["in_conv"].sum()),
        "groups": int(result.n_groups),
        "group_sizes": {str(g): int(n) for g, n in clustered["group"].value_counts()
                        .sort_index().items()},
        "subgroup_sizes": {f"{key[0]}.{key[1]}": int(n)  # type: ignore[index]
                           for key, n in clustered[clustered["subgroup"] >= 0]
                           .groupby(["group", "subgroup"]).size().items()},
        "best_k": int(result.best_k),
        "silhouettes": {str(k): round(float(v), 6) for k, v in result.silhouettes.items()},
        "moderated_out": int(result.statements["excluded"].sum()),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")


def _cmd_analyze(args: argparse.Namespace) -> int:
    try:
        data = _load(Path(args.export_dir))
        options = {"seed": args.seed, "min_votes": args.min_votes,
                   "full_ranking": args.full_ranking}
        if args.replay > 0 and data.votes_source != "participants-votes.csv":
            result, _ = replay_vote_log(data.votes, data.statements, n_updates=args.replay,
                                        **options)
        else:
            result, _ = analyze(to_vote_matrix(data), **options)
        _write_analysis(Path(args.out), result, data)
    except (VoteDataError, OSError) as exc:  # VoteDataError names file/row/column
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{result.n_groups} groups, {int(result.participants['in_conv'].sum())} clustered "
          f"participants; results in {args.out}")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    try:
        data = read_polis_export(Path(args.export_dir))
        write_bundle(Path(args.bundle), data)
    except (VoteDataError, OSError) as exc:  # VoteDataError names file/row/column
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{len(data.statements)} statements, {len(data.votes)} votes -> {args.bundle}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    try:
        data = read_bundle(Path(args.bundle))
        groups = None
        n_groups = 0
        if not args.no_groups:
            result, _ = analyze(to_vote_matrix(data), seed=args.seed)
            groups = result.participants[["participant", "group"]]
            n_groups = result.n_groups
        write_polis_export(Path(args.export_dir), data, groups=groups, n_groups=n_groups)
    except (VoteDataError, OSError) as exc:  # VoteDataError names file/row/column
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Pol.is export written to {args.export_dir}")
    return 0


def _cmd_load(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kientao.settings")
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()
    from django.db import DatabaseError

    from kientao.conversations import polis_import
    from kientao.core.models import Organisation, User
    from kientao.core.permissions import Action, can, organisations_of

    try:
        user = User.objects.filter(email__iexact=args.owner, is_active=True).first()
        if user is None:
            raise LookupError(f"--owner: no active account with the e-mail address {args.owner!r}")
        if args.organisation:
            organisation = Organisation.objects.filter(slug=args.organisation).first()
            if organisation is None:
                raise LookupError(f"--organisation: no organisation {args.organisation!r}")
            if not can(user, Action.ORGANISE, organisation):
                raise LookupError(f"{args.owner} may not create conversations in {organisation.slug!r}")
        else:
            mine = [o for o in organisations_of(user) if can(user, Action.ORGANISE, o)]
            if len(mine) != 1:
                slugs = ", ".join(sorted(o.slug for o in mine)) or "none"
                raise LookupError(f"--organisation SLUG is needed ({args.owner} organises in: {slugs})")
            organisation = mine[0]
        source = Path(args.source)
        data = polis_import.read_export(source)
        imported = polis_import.import_conversation(
            data, organisation, user, topic=args.topic, language=args.language, source=source.name)
    except (VoteDataError, OSError, LookupError) as exc:  # VoteDataError names file/row/column
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DatabaseError as exc:  # e.g. a new machine whose database has no tables yet
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"error: the database is not ready ({reason}); set it up with "
              "'kientao manage migrate' (or start 'kientao serve' once)", file=sys.stderr)
        return 2
    conversation = imported.conversation
    print(f"{imported.statements} statements, {imported.participants} "
          f"participants, {imported.votes} votes -> conversation {conversation.public_id} "
          f"in {organisation.slug} (manage it at /conversations/{conversation.public_id}/manage/)")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``kientao conversations analyze | import | export | load``."""
    parser = subparsers.add_parser(
        "conversations", help="opinion mapping of Pol.is-style conversations"
    )
    sub = parser.add_subparsers(dest="conversations_command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("analyze", help="groups, representative and consensus statements")
    p.add_argument("export_dir", metavar="EXPORT_DIR",
                   help="Pol.is export folder (or a bundle written by 'import')")
    p.add_argument("--out", required=True, help="folder for the result files")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--min-votes", type=int, default=7, dest="min_votes")
    p.add_argument("--full-ranking", action="store_true", dest="full_ranking",
                   help="rank every statement for every group in repness.csv")
    p.add_argument("--replay", type=int, default=0, metavar="N",
                   help="replay the timed vote log in N updates, as Pol.is computed its "
                        "groups (needs votes.csv); default 0 = one analysis of final votes")
    p.set_defaults(func=_cmd_analyze)

    p = sub.add_parser("import", help="Pol.is export folder -> one portable bundle file")
    p.add_argument("export_dir", metavar="EXPORT_DIR")
    p.add_argument("bundle", metavar="BUNDLE", help="output .json or .json.gz")
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("export", help="bundle file -> Pol.is export folder")
    p.add_argument("bundle", metavar="BUNDLE")
    p.add_argument("export_dir", metavar="EXPORT_DIR")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-groups", action="store_true", dest="no_groups",
                   help="leave group-id empty instead of computing groups")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser(
        "load", help="Pol.is export (folder, ZIP or bundle) -> new conversation in the database",
        description="Create a conversation of the platform from a Pol.is export: statements "
                    "(moderation and is-meta kept), one anonymous participant per Pol.is "
                    "participant, their latest votes. All or nothing: on an error (the message "
                    "names file, row and column) nothing is saved. Needs the database "
                    "(DJANGO_SETTINGS_MODULE, DATABASE_URL as for 'kientao serve').")
    p.add_argument("source", metavar="EXPORT_DIR_OR_ZIP",
                   help="Pol.is export folder, its ZIP (as the report page exports it), or a "
                        "bundle written by 'import'")
    p.add_argument("--owner", required=True, metavar="EMAIL",
                   help="account that creates the conversation (must be allowed to organise)")
    p.add_argument("--organisation", metavar="SLUG",
                   help="organisation of the conversation (needed when the owner organises "
                        "in several)")
    p.add_argument("--topic", default="", help="topic (default: the export's summary.csv)")
    p.add_argument("--language", default="vi", choices=["vi", "en"],
                   help="language of the statements (default: vi)")
    p.set_defaults(func=_cmd_load)


