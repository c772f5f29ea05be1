"""Writes of the conversations app: each one audited, multi-model ones atomic."""

from __future__ import annotations

import functools
import random
import secrets
import threading
import time
import unicodedata
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from kientao.conversations.models import (
    AnalysisRun,
    Conversation,
    Participant,
    RateCounter,
    Statement,
    Vote,
    hash_token,
)
from kientao.core import addresses, audit
from kientao.core.models import Job, User

CONVERSATION_FIELDS = ["topic", "description", "languages", "allow_statements", "moderation",
                       "attribute_questions", "consent_text", "opens_at", "closes_at",
                       "report_published"]


def setting(name: str, default: int) -> int:
    """App settings with defaults (override in the Django settings module)."""
    return int(getattr(settings, name, default))


def votes_per_minute() -> int:
    return setting("KIENTAO_CONVERSATIONS_VOTES_PER_MINUTE", 60)


def address_votes_per_minute() -> int:
    return setting("KIENTAO_CONVERSATIONS_ADDRESS_VOTES_PER_MINUTE", 600)


def statements_per_window() -> int:
    return setting("KIENTAO_CONVERSATIONS_STATEMENTS_PER_10_MIN", 5)


def address_statements_per_window() -> int:
    return setting("KIENTAO_CONVERSATIONS_ADDRESS_STATEMENTS_PER_10_MIN", 30)


def recompute_seconds() -> int:
    return setting("KIENTAO_CONVERSATIONS_RECOMPUTE_SECONDS", 30)


class RateLimitError(Exception):
    """Too many writes in the window; the message is for the user."""


def address_key(request: HttpRequest) -> str:
    """A salted hash of the client address: enough to rate-limit, never the address itself."""
    return addresses.address_hash(request)[:32] or "unknown"


def rate_sync_milliseconds() -> int:
    return setting("KIENTAO_CONVERSATIONS_RATE_SYNC_MS", 1000)


def _upsert_hits(rows: list[tuple[str, int, int, int]]) -> dict[tuple[str, int], int]:
    """Add ``hits`` to each (key, bucket) row of the shared table; return the new counts.

    Rows are sorted so that concurrent writers lock them in the same order (no deadlock).
    """
    if not rows:
        return {}
    rows = sorted(rows)
    table = RateCounter._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params = [v for row in rows for v in row]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, bucket, count, expires_at) VALUES {values} "  # noqa: S608
            f"ON CONFLICT (key, bucket) DO UPDATE SET count = {table}.count + EXCLUDED.count "
            "RETURNING key, bucket, count",
            params,
        )
        counts = {(str(k), int(b)): int(c) for k, b, c in cursor.fetchall()}
        if random.random() < 0.01:  # purge windows that ended
            cursor.execute(f"DELETE FROM {table} WHERE expires_at < %s", [int(time.time())])  # noqa: S608
    return counts


def _count_hits(keys: list[tuple[str, int]]) -> dict[str, int]:
    """Add one hit to each (key, window seconds) now and return the counts of the current windows."""
    now = int(time.time())
    rows = [(key, now // window, 1, now - now % window + window) for key, window in keys]
    return {key: count for (key, _bucket), count in _upsert_hits(rows).items()}


class SharedCounter:
    """Hit counts shared by every web process, without a query per hit.

    Each process counts in memory and, at most every ``KIENTAO_CONVERSATIONS_RATE_SYNC_MS``
    milliseconds, adds what it counted to the shared table in one upsert, which returns
    the totals of all processes. A hit is judged on the last known total plus this
    process's hits since: with W processes, a key can exceed its limit by at most the
    hits the other W - 1 processes take in one sync period (a bounded lag, instead of
    W times the limit). A busy address (a school, a public Wi-Fi) costs one row update
    per process and period, not one per vote, so votes never queue behind its row lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, int, int], int] = {}  # (key, bucket, expires) -> hits not yet shared
        self._shared: dict[tuple[str, int], tuple[int, int]] = {}  # (key, bucket) -> (total, expires)
        self._last_sync = float("-inf")

    def reset(self) -> None:
        with self._lock:
            self._pending.clear()
            self._shared.clear()
            self._last_sync = float("-inf")

    def hit(self, key: str, window: int) -> int:
        """Count one hit of ``key`` in the current ``window``-second window; return the window's total."""
        now = int(time.time())
        bucket, expires = now // window, now - now % window + window
        slot = (key, bucket, expires)
        with self._lock:
            self._pending[slot] = self._pending.get(slot, 0) + 1
            due = time.monotonic() - self._last_sync >= rate_sync_milliseconds() / 1000
            if due:
                self._last_sync = time.monotonic()
        if due:
            self.sync()
        with self._lock:
            return self._shared.get((key, bucket), (0, 0))[0] + self._pending.get(slot, 0)

    def sync(self) -> None:
        """Share this process's pending hits and learn every process's totals (one query)."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return
        try:
            with transaction.atomic():  # a savepoint inside a request's transaction
                totals = _upsert_hits([(key, bucket, hits, expires)
                                       for (key, bucket, expires), hits in pending.items()])
        except Exception:
            with self._lock:  # keep the hits for the next sync; never fail the request for the counter
                for slot, hits in pending.items():
                    self._pending[slot] = self._pending.get(slot, 0) + hits
            return
        now = int(time.time())
        expiry = {(key, bucket): expires for key, bucket, expires in pending}
        with self._lock:
            for key_bucket, total in totals.items():
                self._shared[key_bucket] = (total, expiry[key_bucket])
            if len(self._shared) > 10_000:
                self._shared = {k: v for k, v in self._shared.items() if v[1] >= now}


vote_counter = SharedCounter()


def check_rate(kind: str, participant_key: str, address: str) -> None:
    """Raise RateLimitError when the participant or the address exceeds the limits.

    Statements (rare): both counters in the shared table at once. Votes (the hot path):
    both counters in :data:`vote_counter`, shared across processes with a bounded lag.
    """
    if kind == "vote":
        if vote_counter.hit(f"v:p:{participant_key}", 60) > votes_per_minute() or vote_counter.hit(
                f"v:a:{address}", 60) > address_votes_per_minute():
            raise RateLimitError(kind)
        return
    limits = {f"s:p:{participant_key}": (statements_per_window(), 600),
              f"s:a:{address}": (address_statements_per_window(), 600)}
    counts = _count_hits([(key, window) for key, (_limit, window) in limits.items()])
    if any(counts.get(key, 0) > limit for key, (limit, _window) in limits.items()):
        raise RateLimitError(kind)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def find_participant(conversation: Conversation, token: str | None, user: Any) -> Participant | None:
    if getattr(user, "is_authenticated", False):
        found = Participant.objects.filter(conversation=conversation, user=user).first()
        if found is not None:
            return found
    if token and len(token) < 200:
        return Participant.objects.filter(conversation=conversation, token_hash=hash_token(token)).first()
    return None


def participant_token(token: str | None) -> tuple[str, bool]:
    """The token to use for this request: the caller's when well-formed, else a fresh one."""
    if token and 16 <= len(token) <= 200:
        return token, False
    return new_token(), True


def get_or_create_participant(conversation: Conversation, token: str,
                              user: Any) -> tuple[Participant, str | None]:
    """The participant for this cookie token or account; created when none (returns the raw token then)."""
    found = find_participant(conversation, token, user)
    if found is not None:
        if (getattr(user, "is_authenticated", False) and found.user_id is None
                and not Participant.objects.filter(conversation=conversation, user=user).exists()):
            found.user = user
            found.save(update_fields=["user"])
        return found, None
    account = user if getattr(user, "is_authenticated", False) else None
    for _attempt in range(3):
        try:
            with transaction.atomic():
                participant = Participant.objects.create(
                    conversation=conversation, token_hash=hash_token(token), user=account)
            return participant, token
        except IntegrityError:
            # the same new token (or account) in two simultaneous requests: the other made it
            found = find_participant(conversation, token, user)
            if found is not None:
                return found, None
            # another conversation's token (tokens are unique platform-wide): this
            # conversation gets a participant, and a token, of its own
            token = new_token()
    raise RuntimeError("could not create a participant")  # pragma: no cover  (three fresh tokens taken)


def votable_statement(public_id: str, statement_id: int) -> Statement | None:
    """The statement, with its conversation, when participants may vote on it (one query)."""
    statement = (
        Statement.objects.select_related("conversation__organisation")
        .filter(pk=statement_id, conversation__public_id=public_id)
        .first()
    )
    if statement is None or statement.status == Statement.Status.REJECTED:
        return None
    pre = statement.conversation.moderation == Conversation.Moderation.PRE
    if pre and statement.status != Statement.Status.ACCEPTED:
        return None
    return statement


class VoteRefused(Exception):  # noqa: N818  (a refusal, not a failure)
    """The vote cannot be taken; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def record_vote(public_id: str, statement_id: int, value: int, token: str, user: Any,
                address: str) -> str | None:
    """The API's hot path: validate, rate-limit and store one vote, usually in one query.

    A known anonymous participant's vote is one ``INSERT … SELECT … ON CONFLICT`` whose
    ``SELECT`` checks everything (statement in the conversation and visible, conversation
    open, participant by token hash); the rate limits are counted in memory (shared with
    the other processes once a second) and the recompute throttle is looked at once per
    period and process. Only when that inserts
    nothing (new participant, signed-in caller, or a refusal to explain) does it take the
    slower path below.

    Returns the raw participant token when a participant was created (else None).
    Raises :class:`VoteRefused` (404 unknown conversation, 400 statement not votable,
    409 closed) or :class:`RateLimitError`.
    """
    if value not in (-1, 0, 1):
        raise VoteRefused(400, "vote must be -1 (disagree), 0 (pass) or 1 (agree).")
    if not 0 < statement_id < 2**62:
        raise VoteRefused(400, "This statement is not part of the conversation.")
    token_hash = hash_token(token)
    check_rate("vote", token_hash[:32], address)
    signed_in = getattr(user, "is_authenticated", False)
    if not signed_in and _insert_known_vote(public_id, statement_id, value, token_hash):
        maybe_recompute(_conversation_id(public_id))
        return None
    now = timezone.now()
    st, conv = Statement._meta.db_table, Conversation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.id, s.status, c.id, c.moderation, "  # noqa: S608
            f"CASE WHEN (c.opens_at IS NULL OR c.opens_at <= %s) "
            f"AND (c.closes_at IS NULL OR c.closes_at > %s) THEN 1 ELSE 0 END, p.id "
            f"FROM {st} s JOIN {conv} c ON c.id = s.conversation_id "
            f"LEFT JOIN {Participant._meta.db_table} p ON p.conversation_id = c.id AND p.token_hash = %s "
            f"WHERE s.id = %s AND c.public_id = %s",
            [connection.ops.adapt_datetimefield_value(now), connection.ops.adapt_datetimefield_value(now),
             token_hash, statement_id, public_id],
        )
        row = cursor.fetchone()
    if row is None:
        if not Conversation.objects.filter(public_id=public_id).exists():
            raise VoteRefused(404, "No such conversation.")
        raise VoteRefused(400, "This statement is not part of the conversation.")
    sid, status, cid, moderation, is_open, known = row
    visible = status == Statement.Status.ACCEPTED or (
        status == Statement.Status.PENDING and moderation == Conversation.Moderation.POST)
    if not visible:
        raise VoteRefused(400, "This statement is not part of the conversation.")
    if not int(is_open):
        raise VoteRefused(409, "This conversation is not open for votes.")
    new: str | None = None
    if signed_in:
        conversation = Conversation.objects.get(pk=cid)
        participant, new = get_or_create_participant(conversation, token, user)
        pid = participant.pk
    else:
        found = int(known) if known is not None else None
        if found is None:
            try:
                with transaction.atomic():
                    pid = Participant.objects.create(conversation_id=cid, token_hash=token_hash).pk
                new = token
            except IntegrityError:
                same = Participant.objects.filter(conversation_id=cid, token_hash=token_hash).first()
                if same is not None:  # the same new token in two simultaneous requests
                    pid = same.pk
                else:  # another conversation's token: a participant and token of its own
                    new = new_token()
                    pid = Participant.objects.create(conversation_id=cid, token_hash=hash_token(new)).pk
        else:
            pid = found
    cast_vote(Participant(pk=pid, conversation_id=cid), Statement(pk=sid, conversation_id=cid), value)
    _conversation_ids[public_id] = int(cid)
    maybe_recompute(int(cid))
    return new


def _insert_known_vote(public_id: str, statement_id: int, value: int, token_hash: str) -> bool:
    """Store the vote of an existing participant in one statement; False when nothing was stored.

    Nothing is stored when the participant is unknown, the statement is not votable (not
    in the conversation, rejected, or pending under pre-moderation) or the conversation
    is not open: the caller then finds out which, on the slow path.
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            _known_vote_sql(),
            [value, now, now, token_hash, statement_id, public_id, now, now],
        )
        return bool(cursor.rowcount and cursor.rowcount > 0)


@functools.cache
def _known_vote_sql() -> str:
    vote, st, conv, part = (Vote._meta.db_table, Statement._meta.db_table, Conversation._meta.db_table,
                            Participant._meta.db_table)
    accepted, pending, post = (Statement.Status.ACCEPTED.value, Statement.Status.PENDING.value,
                               Conversation.Moderation.POST.value)
    return (
        f"INSERT INTO {vote} (participant_id, statement_id, value, created_at, updated_at) "  # noqa: S608
        f"SELECT p.id, s.id, %s, %s, %s FROM {st} s "
        f"JOIN {conv} c ON c.id = s.conversation_id "
        f"JOIN {part} p ON p.conversation_id = c.id AND p.token_hash = %s "
        f"WHERE s.id = %s AND c.public_id = %s "
        f"AND (s.status = '{accepted}' OR (s.status = '{pending}' AND c.moderation = '{post}')) "
        f"AND (c.opens_at IS NULL OR c.opens_at <= %s) AND (c.closes_at IS NULL OR c.closes_at > %s) "
        f"ON CONFLICT (participant_id, statement_id) "
        f"DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
    )


# public id → primary key, per process (public ids never change; a deleted conversation
# leaves a harmless stale entry that maybe_recompute ignores).
_conversation_ids: dict[str, int] = {}


def _conversation_id(public_id: str) -> int | None:
    cid = _conversation_ids.get(public_id)
    if cid is None:
        cid = Conversation.objects.filter(public_id=public_id).values_list("pk", flat=True).first()
        if cid is not None:
            _conversation_ids[public_id] = cid
    return cid


def cast_vote(participant: Participant, statement: Statement, value: int) -> None:
    """Insert or replace the participant's vote on the statement (one row, by the database)."""
    if value not in (-1, 0, 1):
        raise ValueError("vote must be -1, 0 or 1")
    now = timezone.now()
    table = Vote._meta.db_table
    # One statement, no transaction round trips: this is the hot path of a consultation.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (participant_id, statement_id, value, created_at, updated_at) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (participant_id, statement_id) "
            "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [participant.pk, statement.pk, value, now, now],
        )


def statement_rate_key(token: str, user: Any) -> str:
    """The per-participant key of the statement rate limit: the account when signed in (a
    caller found by account, sending no token, would otherwise get a fresh key each time),
    else the token's hash."""
    if getattr(user, "is_authenticated", False):
        return f"u{user.pk}"
    return hash_token(token)[:32]


def _tidy(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()).casefold())


def repeats_statement(conversation: Conversation, participant: Participant | None, text: str) -> bool:
    """Whether ``text`` repeats, ignoring case and spacing, a statement shown to participants
    or one of the participant's own (Pol.is refuses a duplicate comment too).

    Others' statements awaiting a moderator are left out: refusing a repeat of one would
    tell the writer what it says.
    """
    texts = list(conversation.visible_statements().values_list("text", flat=True))
    if participant is not None:
        texts += participant.statements.values_list("text", flat=True)
    return _tidy(text) in {_tidy(t) for t in texts}


def add_statement(conversation: Conversation, text: str, *, participant: Participant | None = None,
                  user: User | Any = None, language: str = "vi") -> Statement:
    accepted = conversation.moderation == Conversation.Moderation.POST
    statement = Statement.objects.create(
        conversation=conversation, text=text, language=language[:8], author_participant=participant,
        author_user=user if getattr(user, "is_authenticated", False) else None,
        status=Statement.Status.ACCEPTED if accepted and participant is None else Statement.Status.PENDING,
    )
    audit.record(user, "conversations.add_statement", organisation=conversation.organisation,
                 obj=statement, after=audit.snapshot(statement, ["text", "status"]))
    return statement


@transaction.atomic
def save_conversation(conversation: Conversation, user: User, seeds: list[str],
                      before: dict[str, Any] | None) -> Conversation:
    created = conversation.pk is None
    if created:
        conversation.created_by = user
    conversation.save()
    existing = set(conversation.statements.values_list("text", flat=True))
    for text in seeds:
        if text not in existing:
            existing.add(text)
            Statement.objects.create(conversation=conversation, text=text, is_seed=True,
                                     author_user=user, status=Statement.Status.ACCEPTED,
                                     language=(conversation.languages or ["vi"])[0])
    audit.record(user, "conversations.create_conversation" if created else "conversations.edit_conversation",
                 organisation=conversation.organisation, obj=conversation, before=before,
                 after=audit.snapshot(conversation, CONVERSATION_FIELDS) | {"seeds_added": len(seeds)})
    return conversation


def moderate(statement: Statement, status: str, user: User, *, is_meta: bool | None = None) -> Statement:
    before = audit.snapshot(statement, ["status", "is_meta"])
    statement.status = status
    if is_meta is not None:
        statement.is_meta = is_meta
    statement.save(update_fields=["status", "is_meta"])
    audit.record(user, "conversations.moderate_statement", organisation=statement.conversation.organisation,
                 obj=statement, before=before, after=audit.snapshot(statement, ["status", "is_meta"]))
    return statement


def set_published(conversation: Conversation, published: bool, user: User) -> None:
    before = audit.snapshot(conversation, ["report_published"])
    conversation.report_published = published
    conversation.save(update_fields=["report_published", "updated_at"])
    audit.record(user, "conversations.publish_report" if published else "conversations.unpublish_report",
                 organisation=conversation.organisation, obj=conversation, before=before,
                 after=audit.snapshot(conversation, ["report_published"]))


def save_attributes(participant: Participant, answers: dict[str, str]) -> None:
    participant.attributes = answers
    participant.consent_at = timezone.now() if answers else None
    participant.save(update_fields=["attributes", "consent_at"])


def analysis_in_progress(conversation: Conversation) -> Job | None:
    return (
        Job.objects.filter(kind="conversations.analyse", params__conversation=conversation.pk,
                           status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
        .order_by("-created_at")
        .first()
    )


def start_analysis(conversation: Conversation, user: Any) -> Job:
    from kientao.conversations.tasks import analyse_conversation
    from kientao.core.jobs import start_job

    running = analysis_in_progress(conversation)
    if running is not None:
        return running
    job = start_job(
        analyse_conversation, kind="conversations.analyse",
        title=f"Analysis: {conversation.topic}"[:200], params={"conversation": conversation.pk},
        organisation=conversation.organisation,
        user=user if getattr(user, "is_authenticated", False) else None,
    )
    if getattr(user, "is_authenticated", False):
        audit.record(user, "conversations.start_analysis", organisation=conversation.organisation,
                     obj=conversation, after={"job": str(job.pk)})
    return job


_next_check: dict[int, float] = {}


def maybe_recompute(conversation: Conversation | int | None) -> Job | None:
    """After a vote: start an analysis when the last is older than the throttle and none runs.

    Each process looks at the database at most once per throttle period and conversation,
    so that a vote usually costs no extra query.
    """
    if conversation is None:
        return None
    pk = conversation if isinstance(conversation, int) else conversation.pk
    now = time.monotonic()
    if _next_check.get(pk, 0.0) > now:
        return None
    _next_check[pk] = now + max(1, recompute_seconds())
    if isinstance(conversation, int):
        found = Conversation.objects.filter(pk=pk).first()
        if found is None:
            return None
        conversation = found
    latest: AnalysisRun | None = conversation.analyses.first()
    if latest is not None and latest.computed_at > timezone.now() - timedelta(seconds=recompute_seconds()):
        return None
    if analysis_in_progress(conversation) is not None:
        return None
    return start_analysis(conversation, None)
