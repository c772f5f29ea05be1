"""Pol.is export folders and the portable one-file bundle (the only I/O of this engine).

Pol.is export set (``compdemocracy/openData``): ``comments.csv``, ``votes.csv`` (vote
log), ``participants-votes.csv`` (final votes and ``group-id``), ``summary.csv``. Vote
sign: agree = 1, disagree = −1, pass = 0 (this engine's sign).

Bundle (``kientao-conversation/1``): one UTF-8 JSON document, gzip-compressed when the
file name ends in ``.gz``::

    {"format": "kientao-conversation/1",
     "summary": {"topic": ..., "description": ..., ...},
     "statements": {"statement": [...], "author": [...], "moderated": [...],
                    "is_meta": [...], "timestamp": [...], "text": [...]},
     "votes": {"participant": [...], "statement": [...], "vote": [...],
               "timestamp": [...]}}

Columns are stored as parallel arrays (compact, streamable with any JSON reader).
"""

from __future__ import annotations

import csv
import gzip
import json
import lzma
import math
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from kientao.conversations.engine.matrix import VoteDataError, VoteMatrix, build_vote_matrix

__all__ = [
    "BUNDLE_FORMAT",
    "ConversationData",
    "ExportFormatError",
    "read_bundle",
    "read_polis_export",
    "read_polis_zip",
    "to_vote_matrix",
    "write_bundle",
    "write_polis_export",
]

BUNDLE_FORMAT = "kientao-conversation/1"
SUMMARY_KEYS = ("topic", "url", "views", "voters", "voters-in-conv", "commenters", "comments",
                "groups", "conversation-description")
# Pol.is names the description ``conversation-description`` in summary.csv; in memory it is
# ``description`` (older Kiến Tạo exports wrote that key to summary.csv too).
POLIS_DESCRIPTION = "conversation-description"


class ExportFormatError(VoteDataError):
    """A malformed export file or bundle; the message names file, row and column."""


@dataclass(frozen=True)
class ConversationData:
    """A conversation's statements and vote log, independent of any analysis.

    Attributes
    ----------
    statements : pandas.DataFrame
        ``statement`` (int), ``author`` (int, −1 unknown), ``moderated`` (−1 rejected,
        0 unmoderated, 1 accepted), ``is_meta`` (bool), ``timestamp`` (ms, float, NaN
        unknown), ``text``.
    votes : pandas.DataFrame
        ``participant`` (int), ``statement`` (int), ``vote`` (−1/0/1, agree = 1),
        ``timestamp`` (ms, float; row order when unknown). A log: later rows replace
        earlier ones on the same cell.
    summary : dict
        Free-form conversation metadata (``topic``, ``description``...); Pol.is's
        ``conversation-description`` is read into ``description``.
    votes_source : str
        File the votes came from.
    """

    statements: pd.DataFrame
    votes: pd.DataFrame
    summary: dict[str, str] = field(default_factory=dict)
    votes_source: str = ""


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise ExportFormatError(f"{path.name}: cannot parse CSV ({exc})") from exc


def _int_column(df: pd.DataFrame, col: str, fname: str, *, allow_empty: bool = False,
                default: float = np.nan, allowed: tuple[int, ...] | None = None) -> np.ndarray:
    if col not in df.columns:
        raise ExportFormatError(f"{fname}: missing column {col!r}")
    raw = df[col].astype(str).str.strip()
    empty = raw == ""
    num = pd.to_numeric(raw.where(~empty, None), errors="coerce").to_numpy(dtype=np.float64)
    # ids and times are exact integers: ±inf and anything beyond 2**53 (where float64
    # stops counting by one, and distinct ids would merge) are refused
    with np.errstate(invalid="ignore"):
        bad = (np.isnan(num) & ~empty.to_numpy()) | (~np.isnan(num) & (
            (num != np.round(num)) | ~np.isfinite(num) | (np.abs(num) >= 2.0**53)))
    if not allow_empty:
        bad |= empty.to_numpy()
    if allowed is not None:
        bad |= ~np.isnan(num) & ~np.isin(num, allowed)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        what = "an integer" if allowed is None else " or ".join(str(a) for a in allowed)
        raise ExportFormatError(
            f"{fname}: row {i + 2}, column {col!r}: expected {what}, got {df[col].iloc[i]!r}"
        )
    return np.where(np.isnan(num), default, num)


def _check_text_length(texts: pd.Series, limit: int | None, where: Callable[[int], str]) -> None:
    """Refuse the first text longer than ``limit`` (None: no limit); ``where(i)`` names
    the place of text ``i`` in the file."""
    if limit is None:
        return
    lengths = texts.str.len().to_numpy()
    if (lengths > limit).any():
        i = int(np.flatnonzero(lengths > limit)[0])
        raise ExportFormatError(f"{where(i)}: {int(lengths[i])} characters, at most {limit} allowed")


def _read_comments(folder: Path, max_text_length: int | None = None) -> pd.DataFrame:
    path = folder / "comments.csv"
    if not path.exists():
        raise ExportFormatError(f"{path}: file not found (every Pol.is export has comments.csv)")
    df = _read_csv(path)
    ids = _int_column(df, "comment-id", path.name)
    if "comment-body" in df.columns:
        _check_text_length(df["comment-body"], max_text_length,
                           lambda i: f"{path.name}: row {i + 2}, column 'comment-body'")
    if len(np.unique(ids)) != len(ids):
        dup = pd.Series(ids).duplicated().to_numpy()
        i = int(np.flatnonzero(dup)[0])
        raise ExportFormatError(
            f"{path.name}: row {i + 2}, column 'comment-id': duplicate id {int(ids[i])}"
        )
    moderated = (
        _int_column(df, "moderated", path.name, allow_empty=True, default=0,
                    allowed=(-1, 0, 1))
        if "moderated" in df.columns else np.zeros(len(df))
    )
    meta = np.zeros(len(df), dtype=bool)
    if "is-meta" in df.columns:
        meta = df["is-meta"].str.strip().str.lower().isin(["1", "true", "t", "yes"]).to_numpy()
    out = pd.DataFrame(
        {
            "statement": ids.astype(np.int64),
            "author": _int_column(df, "author-id", path.name, allow_empty=True, default=-1)
            .astype(np.int64) if "author-id" in df.columns else np.full(len(df), -1),
            "moderated": moderated.astype(np.int64),
            "is_meta": meta,
            "timestamp": _int_column(df, "timestamp", path.name, allow_empty=True)
            if "timestamp" in df.columns else np.full(len(df), np.nan),
            "text": df["comment-body"].to_numpy() if "comment-body" in df.columns
            else np.full(len(df), ""),
        }
    )
    return out.sort_values("statement", kind="stable").reset_index(drop=True)


def _read_votes_log(path: Path) -> pd.DataFrame:
    df = _read_csv(path)
    out = pd.DataFrame(
        {
            "participant": _int_column(df, "voter-id", path.name).astype(np.int64),
            "statement": _int_column(df, "comment-id", path.name).astype(np.int64),
            "vote": _int_column(df, "vote", path.name, allowed=(-1, 0, 1)).astype(np.int64),
            "timestamp": _int_column(df, "timestamp", path.name, allow_empty=True)
            if "timestamp" in df.columns else np.arange(len(df), dtype=np.float64),
        }
    )
    return out


def _read_participants_votes(path: Path, statement_ids: np.ndarray) -> pd.DataFrame:
    df = _read_csv(path)
    pids = _int_column(df, "participant", path.name).astype(np.int64)
    known = set(statement_ids.tolist())
    cols: list[str] = []
    sids: list[int] = []
    for col in df.columns:
        try:
            sid = int(col)
        except ValueError:
            continue
        if sid not in known:
            raise ExportFormatError(
                f"{path.name}: column {col!r}: statement not in comments.csv"
            )
        cols.append(col)
        sids.append(sid)
    raw = df[cols].to_numpy(dtype=str) if cols else np.zeros((len(df), 0), dtype=str)
    raw = np.char.strip(raw)
    empty = raw == ""
    valid = np.isin(raw, ["1", "0", "-1", "1.0", "0.0", "-1.0"])
    bad = ~empty & ~valid
    if bad.any():
        r, c = (int(x[0]) for x in np.nonzero(bad))
        raise ExportFormatError(
            f"{path.name}: row {r + 2}, column {cols[c]!r}: expected -1 or 0 or 1, "
            f"got {raw[r, c]!r}"
        )
    rows, where = np.nonzero(~empty)
    return pd.DataFrame(
        {
            "participant": pids[rows],
            "statement": np.asarray(sids, dtype=np.int64)[where],
            "vote": raw[rows, where].astype(np.float64).astype(np.int64),
            "timestamp": np.zeros(len(rows)),
        }
    )


def read_polis_export(folder: str | Path, *, max_text_length: int | None = None) -> ConversationData:
    """Read a Pol.is export folder.

    Votes come from ``votes.csv`` when present (a log; the latest vote per cell wins),
    else from the final votes in ``participants-votes.csv``. Any ``group-id`` is ignored.

    Parameters
    ----------
    folder : str or pathlib.Path
    max_text_length : int, optional
        Refuse a ``comment-body`` longer than this (for a store with a length limit).

    Returns
    -------
    ConversationData

    Raises
    ------
    ExportFormatError
        Missing ``comments.csv``, unparsable CSV, a missing column, a value that is not
        an integer or not a valid vote, a vote on an unknown statement (message names the
        file, the row as a line number counting the header as line 1, and the column).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ExportFormatError(f"{folder}: not a folder")
    comments = _read_comments(folder, max_text_length)
    ids = comments["statement"].to_numpy()
    if (folder / "votes.csv").exists():
        votes = _read_votes_log(folder / "votes.csv")
        source = "votes.csv"
        unknown = ~np.isin(votes["statement"].to_numpy(), ids)
        if unknown.any():
            i = int(np.flatnonzero(unknown)[0])
            raise ExportFormatError(
                f"votes.csv: row {i + 2}, column 'comment-id': statement "
                f"{int(votes['statement'].iloc[i])} not in comments.csv"
            )
    elif (folder / "participants-votes.csv").exists():
        votes = _read_participants_votes(folder / "participants-votes.csv", ids)
        source = "participants-votes.csv"
    else:
        raise ExportFormatError(f"{folder}: neither votes.csv nor participants-votes.csv")
    summary: dict[str, str] = {}
    if (folder / "summary.csv").exists():
        try:
            with open(folder / "summary.csv", encoding="utf-8", newline="") as fh:
                for row in csv.reader(fh):
                    if len(row) >= 2:
                        summary[row[0]] = row[1]
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ExportFormatError(f"summary.csv: cannot parse CSV ({exc})") from exc
    return ConversationData(statements=comments, votes=votes, summary=_normalise_summary(summary),
                            votes_source=source)


def _normalise_summary(summary: dict[str, str]) -> dict[str, str]:
    """``conversation-description`` (Pol.is) or ``description`` (older exports) → ``description``."""
    out = {k: v for k, v in summary.items() if k != POLIS_DESCRIPTION}
    if POLIS_DESCRIPTION in summary and (summary[POLIS_DESCRIPTION] or not out.get("description")):
        out["description"] = summary[POLIS_DESCRIPTION]
    return out


def _polis_datetime(t: float) -> str:
    """Pol.is's ``datetime`` column for a time in ms ('' when unknown or out of range)."""
    if not np.isfinite(t):
        return ""
    try:
        return pd.Timestamp(int(t), unit="ms").strftime("%a %b %d %H:%M:%S UTC %Y")
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
        return ""


POLIS_FILES = ("comments.csv", "votes.csv", "participants-votes.csv", "summary.csv")
# In Pol.is's own export but not needed here; skipped, never read.
POLIS_SKIPPED = ("stats-history.csv",)
MAX_ZIP_ENTRIES = 50


def _zip_member(zip_name: str, info: zipfile.ZipInfo) -> tuple[str, str] | None:
    """(folder, file name) of a ZIP entry to read, None to skip it; raise when unsafe or unexpected."""
    raw = info.filename
    if raw.startswith("__MACOSX/") or raw.rsplit("/", 1)[-1] == ".DS_Store":
        return None  # metadata that macOS's archiver adds
    parts = raw.rstrip("/").split("/")
    if (raw.startswith("/") or "\\" in raw or ":" in raw or any(p in ("", ".", "..") for p in parts)
            or any(ord(c) < 32 for c in raw)):
        raise ExportFormatError(f"{zip_name}: {raw!r}: unsafe file name in the ZIP")
    if len(parts) > 2:
        raise ExportFormatError(
            f"{zip_name}: {raw!r}: the CSV files must be at the top of the ZIP or in one folder")
    if info.is_dir():
        return None
    folder, base = ("", parts[0]) if len(parts) == 1 else (parts[0], parts[1])
    if base in POLIS_SKIPPED:
        return None
    if base not in POLIS_FILES:
        raise ExportFormatError(
            f"{zip_name}: {raw!r}: unexpected file; a Pol.is export holds {', '.join(POLIS_FILES)}")
    if info.flag_bits & 0x1:
        raise ExportFormatError(f"{zip_name}: {raw!r}: encrypted files are not supported")
    return folder, base


def read_polis_zip(source: str | Path | BinaryIO, *, name: str = "", max_bytes: int = 200 * 2**20,
                   max_text_length: int | None = None) -> ConversationData:
    """Read a Pol.is export set packed in a ZIP, safely.

    The ZIP holds ``comments.csv`` and ``votes.csv`` or ``participants-votes.csv`` (and
    optionally ``summary.csv`` and Pol.is's ``stats-history.csv``, which is skipped), at
    its top or in one folder. Nothing is extracted under a name taken from the ZIP:
    expected files are copied, at most ``max_bytes`` in all (counted while
    decompressing, so a forged header cannot hide a ZIP bomb), into a temporary folder
    read by :func:`read_polis_export`.

    Parameters
    ----------
    source : str, pathlib.Path or binary file
    name : str
        Name for messages (default: the file's name).
    max_bytes : int
        Most bytes of CSV, uncompressed, to accept.
    max_text_length : int, optional
        As in :func:`read_polis_export`.

    Returns
    -------
    ConversationData

    Raises
    ------
    ExportFormatError
        Not a ZIP, more than 50 entries, an absolute, ``..`` or otherwise unsafe name,
        files in several folders, a file other than the expected CSVs, an encrypted
        entry, more than ``max_bytes`` uncompressed, a missing ``comments.csv`` or vote
        file; and everything :func:`read_polis_export` refuses.
    """
    name = name or (Path(source).name if isinstance(source, str | Path) else "export.zip")
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ExportFormatError(f"{name}: not a readable ZIP file ({exc})") from exc
    with archive, tempfile.TemporaryDirectory(prefix="kientao-polis-") as tmp:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise ExportFormatError(f"{name}: {len(infos)} entries; a Pol.is export has a few")
        chosen: dict[str, zipfile.ZipInfo] = {}
        folders: set[str] = set()
        for info in infos:
            member = _zip_member(name, info)
            if member is None:
                continue
            folder, base = member
            folders.add(folder)
            if len(folders) > 1:
                raise ExportFormatError(f"{name}: CSV files in more than one folder")
            if base in chosen:
                raise ExportFormatError(f"{name}: {info.filename!r}: {base} appears twice")
            chosen[base] = info
        if "comments.csv" not in chosen:
            raise ExportFormatError(f"{name}: comments.csv: file not found (every Pol.is export has it)")
        if "votes.csv" not in chosen and "participants-votes.csv" not in chosen:
            raise ExportFormatError(f"{name}: neither votes.csv nor participants-votes.csv")
        too_big = f"{name}: more than {max_bytes} bytes of CSV once uncompressed"
        if sum(info.file_size for info in chosen.values()) > max_bytes:
            raise ExportFormatError(too_big)
        # the declared sizes are checked above and zipfile never reads past them (a lying
        # header ends in a CRC error); counting again while writing is a second guard
        budget = max_bytes
        try:
            for base, info in chosen.items():
                with archive.open(info) as src, open(Path(tmp) / base, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        budget -= len(chunk)
                        if budget < 0:
                            raise ExportFormatError(too_big)
                        dst.write(chunk)
        except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError,
                NotImplementedError, RuntimeError) as exc:  # OSError: damaged bzip2 data
            raise ExportFormatError(f"{name}: cannot decompress the ZIP ({exc})") from exc
        try:
            return read_polis_export(tmp, max_text_length=max_text_length)
        except ExportFormatError as exc:
            raise ExportFormatError(f"{name}: {exc}") from exc


def to_vote_matrix(data: ConversationData) -> VoteMatrix:
    """Vote matrix of a conversation (latest vote per cell; moderation and meta applied).

    Returns
    -------
    VoteMatrix
    """
    st = data.statements
    ids = st["statement"].to_numpy()
    return build_vote_matrix(
        data.votes["participant"].to_numpy(),
        data.votes["statement"].to_numpy(),
        data.votes["vote"].to_numpy(),
        timestamp=data.votes["timestamp"].to_numpy(),
        statements=ids,
        moderated_out=ids[st["moderated"].to_numpy() < 0],
        is_meta=ids[st["is_meta"].to_numpy().astype(bool)],
        source=data.votes_source or "votes",
    )


def write_polis_export(
    folder: str | Path,
    data: ConversationData,
    *,
    groups: pd.DataFrame | None = None,
    n_groups: int = 0,
) -> None:
    """Write a Pol.is export set: ``summary.csv``, ``comments.csv``, ``votes.csv``,
    ``participants-votes.csv``.

    ``comments.csv`` gains an ``is-meta`` column (Pol.is omits it). ``group-id`` comes
    from ``groups`` (columns ``participant``, ``group``; −1 or absent = empty).

    Parameters
    ----------
    folder : str or pathlib.Path
        Created when missing.
    data : ConversationData
    groups : pandas.DataFrame, optional
    n_groups : int
        Written to ``summary.csv``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    matrix = to_vote_matrix(data)
    st = data.statements
    final = matrix.to_frame()
    agrees = final[final["vote"] == 1].groupby("statement").size()
    disagrees = final[final["vote"] == -1].groupby("statement").size()
    ts = st["timestamp"].to_numpy(dtype=np.float64)
    comments = pd.DataFrame(
        {
            "timestamp": [("" if not np.isfinite(t) else str(int(t))) for t in ts],
            "datetime": [_polis_datetime(t) for t in ts],
            "comment-id": st["statement"].to_numpy(),
            "author-id": st["author"].to_numpy(),
            "agrees": agrees.reindex(st["statement"]).fillna(0).astype(np.int64).to_numpy(),
            "disagrees": disagrees.reindex(st["statement"]).fillna(0).astype(np.int64)
            .to_numpy(),
            "moderated": st["moderated"].to_numpy(),
            "is-meta": st["is_meta"].astype(bool).astype(np.int64).to_numpy(),
            "comment-body": st["text"].to_numpy(),
        }
    )
    comments.to_csv(folder / "comments.csv", index=False)
    v = data.votes
    vts = v["timestamp"].to_numpy(dtype=np.float64)
    pd.DataFrame(
        {
            "timestamp": [("" if not np.isfinite(t) else str(int(t))) for t in vts],
            "datetime": [_polis_datetime(t) for t in vts],
            "comment-id": v["statement"].to_numpy(),
            "voter-id": v["participant"].to_numpy(),
            "vote": v["vote"].to_numpy(),
        }
    ).to_csv(folder / "votes.csv", index=False)
    coo = matrix.values.tocoo()
    arr = np.full(matrix.shape, np.nan)
    arr[coo.row, coo.col] = coo.data
    group_of = pd.Series(-1, index=matrix.participants, dtype=np.int64)
    if groups is not None and len(groups):
        g = groups.set_index("participant")["group"]
        group_of.loc[g.index.intersection(group_of.index)] = g.astype(np.int64)
    authored = st[st["author"] >= 0].groupby("author").size()
    pv = pd.DataFrame(
        {
            "participant": matrix.participants,
            "group-id": ["" if x < 0 else str(x) for x in group_of.to_numpy()],
            "n-comments": authored.reindex(matrix.participants).fillna(0).astype(np.int64)
            .to_numpy(),
            "n-votes": np.isfinite(arr).sum(axis=1),
            "n-agree": (arr == 1).sum(axis=1),
            "n-disagree": (arr == -1).sum(axis=1),
        }
    )
    cells = pd.DataFrame(
        [["" if np.isnan(x) else str(int(x)) for x in row] for row in arr],
        columns=[str(s) for s in matrix.statements],
    )
    pd.concat([pv, cells], axis=1).to_csv(folder / "participants-votes.csv", index=False)
    given = _normalise_summary({str(k): str(val) for k, val in data.summary.items()})
    summary = {key: given.get(key, "") for key in SUMMARY_KEYS}
    summary[POLIS_DESCRIPTION] = given.get("description", "")
    summary.update({k: val for k, val in given.items() if k != "description"})
    summary["voters"] = str(matrix.shape[0])
    summary["comments"] = str(matrix.shape[1])
    summary["commenters"] = str(int((authored > 0).sum()))
    summary["groups"] = str(n_groups)
    with open(folder / "summary.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        for key, val in summary.items():
            writer.writerow([key, val])


def write_bundle(path: str | Path, data: ConversationData) -> None:
    """Write a conversation as one portable JSON file (gzip when the name ends in .gz)."""
    path = Path(path)
    st = data.statements
    doc = {
        "format": BUNDLE_FORMAT,
        "summary": dict(data.summary),
        "statements": {
            "statement": st["statement"].astype(int).tolist(),
            "author": st["author"].astype(int).tolist(),
            "moderated": st["moderated"].astype(int).tolist(),
            "is_meta": st["is_meta"].astype(bool).tolist(),
            "timestamp": [None if np.isnan(t) else float(t)
                          for t in st["timestamp"].to_numpy(dtype=np.float64)],
            "text": st["text"].astype(str).tolist(),
        },
        "votes": {col: data.votes[col].astype(float if col == "timestamp" else int).tolist()
                  for col in ("participant", "statement", "vote", "timestamp")},
    }
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")


# Bundle columns and what each array holds (see _bundle_column).
BUNDLE_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "statements": (("statement", "id"), ("author", "id"), ("moderated", "sign"),
                   ("is_meta", "bool"), ("timestamp", "time"), ("text", "text")),
    "votes": (("participant", "id"), ("statement", "id"), ("vote", "sign"), ("timestamp", "time")),
}
_EXPECTED = {"id": "an integer", "sign": "-1, 0 or 1", "bool": "true or false",
             "time": "a number (ms) or null", "text": "a string"}
_INT64 = 2**63


def _valid(kind: str, x: object) -> bool:
    if kind == "bool":
        return isinstance(x, bool)
    if kind == "text":
        return isinstance(x, str)
    if kind == "time":
        # NaN is how write_bundle stores an unknown vote time (Python's JSON writes it)
        return x is None or (isinstance(x, int | float) and not isinstance(x, bool)
                             and (math.isfinite(x) or math.isnan(x)))
    if not isinstance(x, int) or isinstance(x, bool):
        return False
    return -_INT64 < x < _INT64 if kind == "id" else x in (-1, 0, 1)


def _bundle_column(name: str, key: str, col: str, kind: str, values: object) -> list[object]:
    if not isinstance(values, list):
        raise ExportFormatError(
            f"{name}: {key}.{col}: expected an array, got {type(values).__name__}")
    for i, x in enumerate(values):
        if not _valid(kind, x):
            shown = repr(x) if len(repr(x)) <= 40 else repr(x)[:37] + "..."
            raise ExportFormatError(
                f"{name}: {key}.{col}[{i}]: expected {_EXPECTED[kind]}, got {shown}")
    return values


def _bundle_table(name: str, doc: dict[str, object], key: str) -> dict[str, list[object]]:
    table = doc.get(key)
    if not isinstance(table, dict):
        raise ExportFormatError(f"{name}: {key}: expected an object of arrays")
    out: dict[str, list[object]] = {}
    for col, kind in BUNDLE_COLUMNS[key]:
        if col not in table:
            raise ExportFormatError(f"{name}: {key}: missing array {col!r}")
        out[col] = _bundle_column(name, key, col, kind, table[col])
    first = BUNDLE_COLUMNS[key][0][0]
    for col, values in out.items():
        if len(values) != len(out[first]):
            raise ExportFormatError(
                f"{name}: {key}.{col}: {len(values)} values, but {key}.{first} has "
                f"{len(out[first])}")
    return out


def read_bundle(path: str | Path, *, max_text_length: int | None = None) -> ConversationData:
    """Read a bundle written by :func:`write_bundle`, checking every value.

    ``max_text_length`` refuses a statement text longer than this (for a store with a
    length limit), as in :func:`read_polis_export`.

    Raises
    ------
    ExportFormatError
        Not JSON, wrong ``format``, a missing or mistyped array (message names the file,
        the array and the index: ``b.json: votes.vote[3]: expected -1, 0 or 1, got 2``),
        arrays of unequal length, a duplicate statement id, a vote on an unknown
        statement, a summary that is not an object of plain values.
    """
    path = Path(path)
    name = path.name
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as fh:
                doc = json.load(fh)
        else:
            doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, EOFError, zlib.error, RecursionError) as exc:
        raise ExportFormatError(f"{name}: not a readable JSON bundle ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != BUNDLE_FORMAT:
        raise ExportFormatError(f"{name}: 'format' must be {BUNDLE_FORMAT!r}")
    st = _bundle_table(name, doc, "statements")
    votes = _bundle_table(name, doc, "votes")
    seen: set[object] = set()
    for i, sid in enumerate(st["statement"]):
        if sid in seen:
            raise ExportFormatError(f"{name}: statements.statement[{i}]: duplicate id {sid}")
        seen.add(sid)
    for i, sid in enumerate(votes["statement"]):
        if sid not in seen:
            raise ExportFormatError(
                f"{name}: votes.statement[{i}]: statement {sid} not in statements.statement")
    summary = doc.get("summary", {})
    if not isinstance(summary, dict) or not all(
            isinstance(v, str | int | float | bool) or v is None for v in summary.values()):
        raise ExportFormatError(f"{name}: summary: expected an object of plain values")
    statements = pd.DataFrame({
        "statement": np.asarray(st["statement"], dtype=np.int64),
        "author": np.asarray(st["author"], dtype=np.int64),
        "moderated": np.asarray(st["moderated"], dtype=np.int64),
        "is_meta": np.asarray(st["is_meta"], dtype=bool),
        "timestamp": np.asarray([np.nan if t is None else t for t in st["timestamp"]],
                                dtype=np.float64),
        "text": pd.Series(st["text"], dtype=object),
    })
    _check_text_length(statements["text"], max_text_length, lambda i: f"{name}: statements.text[{i}]")
    vote_frame = pd.DataFrame({
        "participant": np.asarray(votes["participant"], dtype=np.int64),
        "statement": np.asarray(votes["statement"], dtype=np.int64),
        "vote": np.asarray(votes["vote"], dtype=np.int64),
        "timestamp": np.asarray([np.nan if t is None else t for t in votes["timestamp"]],
                                dtype=np.float64),
    })
    return ConversationData(
        statements=statements, votes=vote_frame,
        summary=_normalise_summary({str(k): "" if v is None else str(v) for k, v in summary.items()}),
        votes_source=name)
