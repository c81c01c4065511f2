"""Claiming and settling outbox rows, for dispatchers that may run side by side.

A claim is one atomic UPDATE … RETURNING: on PostgreSQL its candidate rows are locked with
FOR UPDATE SKIP LOCKED, so two workers take disjoint rows; SQLite serialises writers anyway.
A claim is a lease: rows of a worker that died become claimable again once it expires.
Each call here is its own short transaction, so a slow delivery never holds a lock.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    func,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import BindParameter

from bot.flows.effects import Effect
from bot.ports import Address, Progress
from bot.storage import codec
from bot.storage.engine import write_turn
from bot.storage.tables import cases, circles, outbox

TIMER_KIND = "timer"
MEETING_KIND = "meeting"
# Rows that wake the engine or the scheduler rather than carry a message: any worker may
# take them (they are platform-free) and they never wait behind a case's messages.
CLOCK_KINDS = (TIMER_KIND, MEETING_KIND)
UNDELIVERED = ("pending", "claimed")


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A claimed row: one effect to deliver (or one timer to fire) now."""

    id: int
    circle_id: str
    case_id: str | None
    kind: str
    payload: dict[str, Any]
    due_at: datetime
    attempts: int
    claimed_by: str
    claimed_until: datetime
    parts_sent: int = 0  # messages of the effect an earlier attempt sent (see bot.ports.Progress)
    first_ref: str | None = None  # the first one's id

    def progress(self) -> Progress:
        """Where its delivery starts: after the messages earlier attempts sent."""
        return Progress(self.parts_sent, self.first_ref)

    def effect(self) -> Effect:
        """The stored effect; raises pydantic.ValidationError if it no longer decodes."""
        return codec.decode_effect(self.payload)


@dataclass(frozen=True, slots=True)
class SentRow:
    """A delivered row to settle: with `thread_ref_of`, it was that case's card."""

    id: int
    message_ref: str | None
    thread_ref_of: str | None = None


class Outbox:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def claim_due(
        self,
        now: datetime,
        worker_id: str,
        limit: int,
        lease: timedelta,
        *,
        platforms: Collection[str] | None = None,
    ) -> list[OutboxRow]:
        """Claim up to `limit` due rows for `worker_id` until `now + lease`.

        Only the oldest undelivered message of each case is claimable, so a case's messages
        go out in the order they were queued. With `platforms`, message rows of circles on
        other platforms are left for a worker that can deliver them (timers always qualify).
        """
        async with self._sessions.begin() as session:
            return await _claim(session, now, worker_id, limit, lease, platforms)

    def rounds(self) -> ClaimRounds:
        """A dispatcher round's claims (`async with`, then `claim_round` again and again)."""
        return ClaimRounds(self._sessions)

    async def mark_sent(
        self,
        row_id: int,
        message_ref: str | None,
        now: datetime,
        *,
        thread_ref_of: str | None = None,
    ) -> None:
        """Delivered. With `thread_ref_of`, the message was that case's card: it roots the
        case's thread from now on (set in the same transaction, so replies never miss it)."""
        async with self._sessions.begin() as session:
            await session.execute(_settle(row_id).values(status="sent", sent_at=now, message_ref=message_ref))
            if thread_ref_of is not None and message_ref is not None:
                await session.execute(update(cases).where(cases.c.id == thread_ref_of).values(thread_ref=message_ref))

    async def mark_sent_many(self, rows: Sequence[SentRow], now: datetime) -> None:
        """`mark_sent` for many rows, in one transaction."""
        async with write_turn(self._sessions), self._sessions.begin() as session:
            await _mark_sent(session, rows, now)

    async def mark_retry(self, row_id: int, error: str, retry_at: datetime, progress: Progress | None = None) -> None:
        """Not delivered this time: pending again, due at `retry_at`; with `progress`, the
        next attempt starts after the messages this one sent."""
        values: dict[str, Any] = {"status": "pending", "due_at": retry_at, "last_error": error}
        if progress is not None:
            values.update(parts_sent=progress.sent, message_ref=progress.first_ref)
        await self._execute(_settle(row_id).values(attempts=outbox.c.attempts + 1, **values))

    async def release(self, row_id: int, due_at: datetime) -> None:
        """Not tried this round (its channel's pace): pending again, due at `due_at`, with
        no attempt counted."""
        await self._execute(_settle(row_id).values(status="pending", due_at=due_at))

    async def release_many(self, rows: Sequence[tuple[int, datetime]]) -> None:
        """`release` for many (row id, due at) pairs, in one transaction."""
        if not rows:
            return
        async with write_turn(self._sessions), self._sessions.begin() as session:
            await session.execute(
                _RELEASE.execution_options(synchronize_session=False),
                [{"p_id": row_id, "p_due": due_at} for row_id, due_at in rows],
            )

    async def give_back(
        self, rows: Sequence[OutboxRow], due_at: datetime, progress: Mapping[int, Progress] | None = None
    ) -> None:
        """Release claims still held as they were claimed (a stopped worker's): pending
        again, due at `due_at`, with no attempt counted, and with how far the delivery cut
        off got (`progress`, by row id). A row settled meanwhile, or whose lease ran out and
        went to another claim, is left as it is."""
        if not rows:
            return
        progress = progress or {}
        params = []
        for row in rows:
            got = progress.get(row.id) or row.progress()
            params.append(
                {
                    "p_id": row.id,
                    "p_by": row.claimed_by,
                    "p_until": row.claimed_until,
                    "p_due": due_at,
                    "p_parts": got.sent,
                    "p_ref": got.first_ref,
                }
            )
        async with write_turn(self._sessions), self._sessions.begin() as session:
            await session.execute(_GIVE_BACK.execution_options(synchronize_session=False), params)

    async def mark_failed(self, row_id: int, error: str) -> None:
        """Permanently undeliverable: kept for the record, never retried."""
        await self._execute(_settle(row_id).values(status="failed", attempts=outbox.c.attempts + 1, last_error=error))

    async def mark_dropped(self, row_id: int, reason: str) -> None:
        """Nothing to deliver any more (its circle is gone): kept for the record."""
        await self._execute(_settle(row_id).values(status="dropped", last_error=reason))

    async def mark_missed(self, row_id: int, reason: str) -> None:
        """Came due too late to mean anything (its meeting passed): recorded, never sent."""
        await self._execute(_settle(row_id).values(status="missed", last_error=reason))

    async def next_due_at(self, *, platforms: Collection[str] | None = None) -> datetime | None:
        """When a row next becomes claimable (a due time or a lease running out)."""
        pending, leased = _next_due_templates(platforms is None)
        params = {} if platforms is None else {"c_platforms": list(platforms)}
        async with self._sessions() as session:
            times = [
                await session.scalar(pending, params),
                await session.scalar(leased, params),
            ]
        found = [moment for moment in times if moment is not None]
        return min(found, default=None)

    async def purge_settled(self, before: datetime) -> int:
        """Delete sent and dropped rows queued before `before`; failed rows stay on record."""
        async with self._sessions.begin() as session:
            purged = await session.execute(
                delete(outbox)
                .where(outbox.c.status.in_(("sent", "dropped")), outbox.c.created_at < before)
                .returning(outbox.c.id)
            )
            return len(purged.all())

    async def address_of(self, circle_id: str, case_id: str | None) -> Address | None:
        """Where a circle's (and its case's) messages go; None if the circle is gone."""
        thread = (
            select(cases.c.thread_ref).where(cases.c.id == case_id).scalar_subquery() if case_id is not None else None
        )
        columns = [circles.c.platform, circles.c.workspace_id, circles.c.channel_id]
        query = select(*columns, *([thread.label("thread_ref")] if thread is not None else []))
        async with self._sessions() as session:
            row = (await session.execute(query.where(circles.c.id == circle_id))).first()
        if row is None:
            return None
        return Address(
            platform=row.platform,
            workspace_id=row.workspace_id,
            channel_id=row.channel_id,
            thread_ref=row.thread_ref if case_id is not None else None,
        )

    async def addresses_of(self, rows: Sequence[OutboxRow]) -> dict[tuple[str, str | None], Address]:
        """`address_of` for every (circle, case) of `rows`, in one read; gone circles are absent."""
        if not rows:
            return {}
        async with self._sessions() as session:
            return await _addresses(session, rows)

    async def _execute(self, statement: Any) -> None:
        async with self._sessions.begin() as session:
            await session.execute(statement)


class ClaimRounds:
    """A dispatcher round's claims (see `claim_round`).

    On SQLite each claim's statements share one transaction: a commit there costs more than
    the statements. Elsewhere each statement commits on its own, on one connection held for
    the round: each is atomic alone (the claim is one UPDATE) and the claim sees the rows
    just settled all the same, while BEGIN, COMMIT and the pool's ping at each checkout
    would be three more round trips per claim, each waiting behind the deliveries' turns on
    a busy event loop.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        bind = sessions.kw.get("bind")
        self._held: AsyncSession | None = None
        self._per_claim = isinstance(bind, AsyncEngine) and bind.dialect.name == "sqlite"

    async def __aenter__(self) -> ClaimRounds:
        if not self._per_claim:
            held = self._sessions()
            try:
                await held.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            except BaseException:
                await held.close()
                raise
            self._held = held
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._held is not None:
            await self._held.close()
            self._held = None

    async def claim_round(
        self,
        now: datetime,
        worker_id: str,
        limit: int,
        lease: timedelta,
        *,
        platforms: Collection[str] | None = None,
        settle: Sequence[SentRow] = (),
    ) -> tuple[list[OutboxRow], dict[tuple[str, str | None], Address]]:
        """Settle `settle` as sent (see `Outbox.mark_sent_many`), then claim as `claim_due`
        does and read where the claimed rows go (`addresses_of`). Settling first frees the
        next message of each case just delivered for this claim."""
        if self._held is not None:
            return await _claim_round(self._held, now, worker_id, limit, lease, platforms, settle)
        async with write_turn(self._sessions), self._sessions.begin() as session:
            return await _claim_round(session, now, worker_id, limit, lease, platforms, settle)


async def _claim_round(
    session: AsyncSession,
    now: datetime,
    worker_id: str,
    limit: int,
    lease: timedelta,
    platforms: Collection[str] | None,
    settle: Sequence[SentRow],
) -> tuple[list[OutboxRow], dict[tuple[str, str | None], Address]]:
    if settle:
        await _mark_sent(session, settle, now)
    rows = await _claim(session, now, worker_id, limit, lease, platforms)
    return rows, await _addresses(session, rows)


# What a claim reads back: the rest it set itself (each column read costs, on SQLite a
# datetime's most of all).
_CLAIMED_COLUMNS = [
    outbox.c[name]
    for name in ("id", "circle_id", "case_id", "kind", "payload", "due_at", "attempts", "parts_sent", "message_ref")
]


@functools.cache
def _next_due_templates(all_platforms: bool) -> tuple[Any, Any]:
    """The earliest due time and lease end, built once: asked after every delivery round."""
    served = _served(outbox, None if all_platforms else bindparam("c_platforms", expanding=True))
    pending = select(func.min(outbox.c.due_at)).where(outbox.c.status == "pending", served)
    leased = select(func.min(outbox.c.claimed_until)).where(outbox.c.status == "claimed", served)
    return pending, leased


@functools.cache
def _claim_template(all_platforms: bool) -> Any:
    """The claim, built once (per kind of platform filter) with bind parameters: it runs after
    every commit, and building and keying a fresh statement each time cost more than running it.

    Due rows and rows whose lease ran out are looked for apart, each in due order and limited:
    each walks the (status, due_at, id) index in order and stops at the limit. One search for
    both read every due row and sorted them all, so a claim grew with the backlog (25 ms for
    400 of 50,000 due rows on SQLite; 0.7 ms apart)."""
    platforms: Any = None if all_platforms else bindparam("c_platforms", expanding=True)
    now: Any = bindparam("c_now")
    due = _claim_branch("due", lambda row: and_(row.c.status == "pending", row.c.due_at <= now), platforms)
    lapsed = _claim_branch("lapsed", lambda row: and_(row.c.status == "claimed", row.c.claimed_until <= now), platforms)
    either = union_all(select(due.c.id, due.c.due_at), select(lapsed.c.id, lapsed.c.due_at)).subquery("either")
    chosen = select(either.c.id).order_by(either.c.due_at, either.c.id).limit(bindparam("c_limit", type_=Integer))
    return (
        update(outbox)
        .where(outbox.c.id.in_(chosen))
        .values(status="claimed", claimed_by=bindparam("c_worker"), claimed_until=bindparam("c_until"))
        .returning(*_CLAIMED_COLUMNS)
    )


def _claim_branch(name: str, ready: Callable[[Any], Any], platforms: Any) -> Any:
    """The first `c_limit` rows that are `ready` and claimable, in due order, locked (skipping
    rows another worker holds, on PostgreSQL)."""
    candidate = outbox.alias(f"{name}_candidate")
    return (
        select(candidate.c.id, candidate.c.due_at)
        .where(ready(candidate), *_claimable(candidate, platforms))
        .order_by(candidate.c.due_at, candidate.c.id)
        .limit(bindparam("c_limit", type_=Integer))
        .with_for_update(skip_locked=True)
        .subquery(name)
    )


async def _claim(
    session: AsyncSession,
    now: datetime,
    worker_id: str,
    limit: int,
    lease: timedelta,
    platforms: Collection[str] | None,
) -> list[OutboxRow]:
    until = now + lease
    params: dict[str, Any] = {"c_now": now, "c_limit": limit, "c_worker": worker_id, "c_until": until}
    if platforms is not None:
        params["c_platforms"] = list(platforms)
    claimed = [
        OutboxRow(id, circle_id, case_id, kind, payload, due_at, attempts, worker_id, until, parts, first_ref)
        for id, circle_id, case_id, kind, payload, due_at, attempts, parts, first_ref in await session.execute(
            _claim_template(platforms is None), params
        )
    ]
    return sorted(claimed, key=lambda row: (row.due_at, row.id))


_SETTLE_SENT = (
    update(outbox)
    .where(outbox.c.id == bindparam("p_id"), outbox.c.status == "claimed")
    .values(
        status="sent",
        sent_at=bindparam("p_now"),
        message_ref=bindparam("p_ref"),
        claimed_by=None,
        claimed_until=None,
    )
)
_SET_THREAD = update(cases).where(cases.c.id == bindparam("p_case")).values(thread_ref=bindparam("p_ref"))
_RELEASE = (
    update(outbox)
    .where(outbox.c.id == bindparam("p_id"), outbox.c.status == "claimed")
    .values(status="pending", due_at=bindparam("p_due"), claimed_by=None, claimed_until=None)
)

_GIVE_BACK = (
    update(outbox)
    .where(
        outbox.c.id == bindparam("p_id"),
        outbox.c.status == "claimed",
        outbox.c.claimed_by == bindparam("p_by"),
        outbox.c.claimed_until == bindparam("p_until"),
    )
    .values(
        status="pending",
        due_at=bindparam("p_due"),
        claimed_by=None,
        claimed_until=None,
        parts_sent=bindparam("p_parts"),
        message_ref=bindparam("p_ref"),
    )
)


def _settle_sent_from_json(each: Any) -> Any:
    """One UPDATE settling every row named in a JSON object {"row id": message ref}: a
    statement per row (executemany) costs the event loop more than the deliveries did."""
    refs = each.table_valued("key", "value").alias("refs")
    return (
        update(outbox)
        # `status || ''`: an expression no index serves, so that SQLite walks the JSON and
        # finds each row by its id, instead of probing the JSON for every claimed row.
        .where(outbox.c.id == cast(refs.c.key, Integer), outbox.c.status.concat("") == "claimed")
        .values(
            status="sent", sent_at=bindparam("p_now"), message_ref=refs.c.value, claimed_by=None, claimed_until=None
        )
    )


_SETTLE_SENT_FROM_JSON = {
    "sqlite": _settle_sent_from_json(func.json_each(bindparam("p_refs", type_=String))),
    "postgresql": _settle_sent_from_json(func.json_each_text(cast(bindparam("p_refs", type_=String), JSON))),
}


async def _mark_sent(session: AsyncSession, rows: Sequence[SentRow], now: datetime) -> None:
    from_json = _SETTLE_SENT_FROM_JSON.get(session.get_bind().dialect.name)
    if from_json is not None:
        refs = json.dumps({str(row.id): row.message_ref for row in rows})
        await session.execute(from_json.execution_options(synchronize_session=False), {"p_refs": refs, "p_now": now})
    else:
        await session.execute(
            _SETTLE_SENT.execution_options(synchronize_session=False),
            [{"p_id": row.id, "p_now": now, "p_ref": row.message_ref} for row in rows],
        )
    cards = [row for row in rows if row.thread_ref_of is not None and row.message_ref is not None]
    if cards:
        await session.execute(
            _SET_THREAD.execution_options(synchronize_session=False),
            [{"p_case": row.thread_ref_of, "p_ref": row.message_ref} for row in cards],
        )


async def _addresses(session: AsyncSession, rows: Sequence[OutboxRow]) -> dict[tuple[str, str | None], Address]:
    circle_ids = sorted({row.circle_id for row in rows})
    case_ids = sorted({row.case_id for row in rows if row.case_id is not None})
    if not circle_ids:
        return {}
    dialect = session.get_bind().dialect.name
    in_circles, in_cases = _address_templates(dialect)
    places = {found.id: found for found in await session.execute(in_circles, ids_param(dialect, circle_ids))}
    threads: dict[str, str | None] = {}
    if case_ids:
        found_cases = await session.execute(in_cases, ids_param(dialect, case_ids))
        threads = {found.id: found.thread_ref for found in found_cases}
    found: dict[tuple[str, str | None], Address] = {}
    for row in rows:
        place = places.get(row.circle_id)
        if place is not None:
            thread = threads.get(row.case_id) if row.case_id is not None else None
            found[(row.circle_id, row.case_id)] = Address(place.platform, place.workspace_id, place.channel_id, thread)
    return found


# Ids as one JSON array parameter: an IN list of a claim's length costs more to render and
# bind, on every claim, than the lookups it asks for.
_JSON_ELEMENTS: dict[str, Callable[[Any], Any]] = {
    "sqlite": func.json_each,
    "postgresql": lambda ids: func.json_array_elements_text(cast(ids, JSON)),
}


def in_ids(column: Any, dialect: str) -> Any:
    """`column IN (ids)` for a statement built once: the ids are bound as `p_ids` (see
    `ids_param`), one JSON array where the dialect reads one, so the statement's text is the
    same whatever their number (nothing to render again, nor for PostgreSQL to prepare)."""
    elements = _JSON_ELEMENTS.get(dialect)
    if elements is None:
        return column.in_(bindparam("p_ids", expanding=True))
    listed = elements(bindparam("p_ids", type_=String)).table_valued("value")
    return column.in_(select(cast(listed.c.value, column.type)))


def ids_param(dialect: str, ids: Collection[Any]) -> dict[str, Any]:
    """The `p_ids` parameter of a statement built with `in_ids`."""
    return {"p_ids": json.dumps(list(ids)) if dialect in _JSON_ELEMENTS else list(ids)}


@functools.cache
def _address_templates(dialect: str) -> tuple[Any, Any]:
    """The circles and cases a claim's rows go to, read by id: built once per dialect."""
    in_circles = select(circles.c.id, circles.c.platform, circles.c.workspace_id, circles.c.channel_id)
    in_cases = select(cases.c.id, cases.c.thread_ref)
    return in_circles.where(in_ids(circles.c.id, dialect)), in_cases.where(in_ids(cases.c.id, dialect))


def _claimable(candidate: Any, platforms: Any) -> list[Any]:
    """What a ready row must also be to be claimed: not behind an undelivered message of its
    case, and for one of `platforms`."""
    earlier = outbox.alias(f"{candidate.name}_earlier")
    waits_for_earlier = exists().where(
        earlier.c.case_id == candidate.c.case_id,
        earlier.c.id < candidate.c.id,
        earlier.c.kind.not_in(CLOCK_KINDS),
        earlier.c.status.in_(UNDELIVERED),
    )
    return [
        or_(
            candidate.c.kind.in_(CLOCK_KINDS),
            candidate.c.case_id.is_(None),
            ~waits_for_earlier,
        ),
        _served(candidate, platforms),
    ]


def _served(table: Any, platforms: Any) -> Any:
    """Rows for `platforms` (names, or an expanding bind parameter; None: all)."""
    if platforms is None:
        return true()
    names = platforms if isinstance(platforms, BindParameter) else list(platforms)
    # Rows of a deleted circle stay claimable, so that some worker drops them. Looked up
    # per row by the circle's key: a list of every other platform's circles cost a scan of
    # all circles per claim.
    elsewhere = exists().where(circles.c.id == table.c.circle_id, circles.c.platform.not_in(names))
    return or_(table.c.kind.in_(CLOCK_KINDS), ~elsewhere)


def _settle(row_id: int) -> Any:
    # Only a claimed row can be settled: a stale worker cannot undo a row already settled.
    return (
        update(outbox)
        .where(outbox.c.id == row_id, outbox.c.status == "claimed")
        .values(claimed_by=None, claimed_until=None)
    )
