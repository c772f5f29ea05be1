"""Bring a Pol.is export into the platform as a new conversation (web page and command line).

The export is read by the engine (:mod:`kientao.conversations.engine.formats`), which
checks every file, row and column; this module only turns it into rows, in one
transaction: a conversation, its statements, one anonymous participant per Pol.is
participant id, and their latest votes.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kientao.conversations.engine.formats import (
    ConversationData,
    ExportFormatError,
    read_bundle,
    read_polis_export,
    read_polis_zip,
)
from kientao.conversations.models import (
    STORED_STATEMENT_MAX_LENGTH,
    Conversation,
    Participant,
    Statement,
    Vote,
    hash_token,
)
from kientao.core import audit
from kientao.core.models import Organisation, User

__all__ = ["ExportFormatError", "import_conversation", "max_upload_bytes", "read_export"]

BATCH_SIZE = 2000
TOPIC_MAX_LENGTH = Conversation._meta.get_field("topic").max_length or 200
# Pol.is times are ms since 1970; outside what a datetime holds they count as unknown.
_MAX_MS = (datetime(9999, 12, 31, tzinfo=UTC).timestamp()) * 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def max_upload_bytes() -> int:
    """Largest ZIP the import page accepts."""
    return int(getattr(settings, "KIENTAO_CONVERSATIONS_IMPORT_MAX_BYTES", 20 * 2**20))


def max_unzipped_bytes() -> int:
    """Most bytes of CSV a ZIP may hold once uncompressed (a guard against ZIP bombs)."""
    return int(getattr(settings, "KIENTAO_CONVERSATIONS_IMPORT_MAX_UNZIPPED_BYTES", 50 * 2**20))


def read_export(source: str | Path | BinaryIO, *, name: str = "") -> ConversationData:
    """A Pol.is export from a folder or a ZIP (path or open file), or a bundle, checked for import.

    Raises
    ------
    ExportFormatError
        The message names the file, row and column (or the ZIP entry) at fault.
    """
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            return read_polis_export(path, max_text_length=STORED_STATEMENT_MAX_LENGTH)
        if not path.is_file():
            raise ExportFormatError(f"{path}: no such export folder, ZIP or bundle file")
        if path.name.endswith((".json", ".json.gz")):
            return read_bundle(path, max_text_length=STORED_STATEMENT_MAX_LENGTH)
    return read_polis_zip(source, name=name, max_bytes=max_unzipped_bytes(),
                          max_text_length=STORED_STATEMENT_MAX_LENGTH)


#: Pol.is times: milliseconds in the open-data exports, seconds in the current export code
#: (``Math.floor(created / 1000)``). From 1e11 on a value is read as ms (1e11 s is the
#: year 5138); from 1e9 (2001 in seconds) as seconds; smaller values are not times (a
#: vote log without a ``timestamp`` column is numbered by row) and become "unknown".
_MS_FROM = 1e11
_SECONDS_FROM = 1e9


def _times(raw: np.ndarray, now: datetime) -> list[datetime]:
    """Aware datetimes of Pol.is times (ms or s, see above); unknown ones become ``now``."""
    out = []
    for t in raw.tolist():
        if _MS_FROM <= t <= _MAX_MS:
            out.append(datetime.fromtimestamp(t / 1000, UTC))
        elif _SECONDS_FROM <= t < _MS_FROM:
            out.append(datetime.fromtimestamp(t, UTC))
        else:
            out.append(now)
    return out


def latest_votes(votes: pd.DataFrame) -> pd.DataFrame:
    """The last vote per (participant, statement) of a vote log, with its first and last times.

    Order as in :func:`~kientao.conversations.engine.matrix.build_vote_matrix`: by
    ``timestamp``, ties and unknown times in row order, so the analysis of the imported
    conversation sees the votes the engine would have kept.

    Returns
    -------
    pandas.DataFrame
        ``participant``, ``statement``, ``vote``, ``first`` and ``last`` (ms, NaN unknown).
    """
    order = np.lexsort((np.arange(len(votes)), votes["timestamp"].to_numpy(dtype=np.float64)))
    ordered = votes.iloc[order]
    return (
        ordered.groupby(["participant", "statement"], sort=True)
        .agg(vote=("vote", "last"), first=("timestamp", "first"), last=("timestamp", "last"))
        .reset_index()
    )


class Imported(NamedTuple):
    """What :func:`import_conversation` created."""

    conversation: Conversation
    statements: int
    participants: int
    votes: int


def import_conversation(data: ConversationData, organisation: Organisation, user: User | None, *,
                        topic: str = "", language: str = "vi", source: str = "") -> Imported:
    """Create a conversation from a Pol.is export, all of it or nothing (one transaction).

    Statements keep their text, ``is_meta`` and moderation (Pol.is ``moderated`` 1
    accepted, −1 rejected, 0 pending) and time; their Pol.is author becomes the imported
    participant of that id. One participant per Pol.is participant id (voters and
    authors), created in ascending id order, with a random token that nobody holds (they
    cannot be resumed or signed in to). Votes: the latest per participant and statement,
    created and updated at the first and last vote times when the export has them
    (``votes.csv``), else now.

    Parameters
    ----------
    data : ConversationData
        As read by :func:`read_export` (text lengths checked).
    organisation : Organisation
    user : User or None
        Recorded as creator and in the audit log (None: the command line without owner).
    topic : str
        Overrides the export's ``topic``.
    language : str
        Language of the conversation and of its statements.
    source : str
        Name of the file imported, for the audit log.

    Returns
    -------
    Imported
        The conversation and how many statements, participants and votes it holds.
    """
    now = timezone.now()
    st = data.statements
    ids = st["statement"].to_numpy(dtype=np.int64)
    cells = latest_votes(data.votes)
    authors = st["author"].to_numpy(dtype=np.int64)
    pids = np.union1d(cells["participant"].to_numpy(dtype=np.int64), authors[authors >= 0])
    timed = data.votes_source != "participants-votes.csv"  # that file has final votes, no times
    # control characters (NUL among them: PostgreSQL refuses it in text) go
    topic = " ".join(_CONTROL.sub(" ", topic or data.summary.get("topic", "") or "").split())[:TOPIC_MAX_LENGTH]
    description = _CONTROL.sub("", data.summary.get("description", "") or "")
    with transaction.atomic():
        conversation = Conversation.objects.create(
            organisation=organisation, topic=topic or _("Conversation imported from Pol.is"),
            description=description, languages=[language],
            created_by=user,
        )
        participants = Participant.objects.bulk_create(
            [Participant(conversation=conversation, token_hash=hash_token(secrets.token_urlsafe(32)))
             for _pid in pids.tolist()],
            batch_size=BATCH_SIZE,
        )
        participant_pk = dict(zip(pids.tolist(), _pks(participants, conversation.participants),
                                  strict=True))
        moderated = st["moderated"].to_numpy(dtype=np.int64).tolist()
        statements = Statement.objects.bulk_create(
            [Statement(conversation=conversation, text=_CONTROL.sub("", str(text)), language=language,
                       author_participant_id=participant_pk.get(author), is_meta=bool(meta),
                       status=(Statement.Status.ACCEPTED if m == 1 else Statement.Status.REJECTED
                               if m == -1 else Statement.Status.PENDING),
                       created_at=when)
             for text, author, meta, m, when in zip(
                 st["text"].tolist(), authors.tolist(), st["is_meta"].tolist(), moderated,
                 _times(st["timestamp"].to_numpy(dtype=np.float64), now), strict=True)],
            batch_size=BATCH_SIZE,
        )
        statement_pk = dict(zip(ids.tolist(), _pks(statements, conversation.statements), strict=True))
        first = _times(cells["first"].to_numpy(dtype=np.float64), now) if timed else [now] * len(cells)
        last = _times(cells["last"].to_numpy(dtype=np.float64), now) if timed else first
        _insert_votes([(participant_pk[p], statement_pk[s], v, c, u)
                       for p, s, v, c, u in zip(cells["participant"].tolist(), cells["statement"].tolist(),
                                                cells["vote"].tolist(), first, last, strict=True)])
        audit.record(user, "conversations.import_conversation", organisation=organisation,
                     obj=conversation,
                     after={"source": source[:200], "statements": len(statements),
                            "participants": len(participants), "votes": len(cells)})
    return Imported(conversation, len(statements), len(participants), len(cells))


def _insert_votes(rows: list[tuple[int, int, int, datetime, datetime]]) -> None:
    """Insert votes (participant pk, statement pk, value, created, updated) in batches.

    Plain ``executemany``: building 50,000 model instances for ``bulk_create`` costs
    several seconds; this costs a fraction of one (values are checked by the reader and
    by the table's constraints).
    """
    adapt = connection.ops.adapt_datetimefield_value
    sql = (f"INSERT INTO {Vote._meta.db_table} "  # noqa: S608  (table name from the model)
           "(participant_id, statement_id, value, created_at, updated_at) VALUES (%s, %s, %s, %s, %s)")
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, [(p, s, v, adapt(c), adapt(u))
                                     for p, s, v, c, u in rows[start:start + BATCH_SIZE]])


def _pks(created: list[Any], queryset: Any) -> list[int]:
    """Primary keys of rows just bulk-created, in creation order.

    SQLite (3.35+) and PostgreSQL return them; otherwise the rows are read back, in
    the order their keys were given.
    """
    if all(obj.pk is not None for obj in created):
        return [int(obj.pk) for obj in created]
    return list(queryset.order_by("pk").values_list("pk", flat=True))
