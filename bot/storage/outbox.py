"""Claiming and settling outbox rows, for dispatchers that may run side by side.

A claim is one atomic UPDATE … RETURNING: on PostgreSQL its candidate rows are locked with
FOR UPDATE SKIP LOCKED, so two workers take disjoint rows; SQLite serialises writers anyway.
A claim is a lease: rows of a worker that died become claimable again once it expires.
Each call here is its own short transaction, so a slow delivery never holds a lock.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, exists, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.effects import Effect
from bot.ports import Address
from bot.storage import codec
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
        candidate = outbox.alias("candidate")
        chosen = (
            select(candidate.c.id)
            .where(*_claimable(candidate, now, platforms))
            .order_by(candidate.c.due_at, candidate.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(outbox)
            .where(outbox.c.id.in_(chosen))
            .values(status="claimed", claimed_by=worker_id, claimed_until=now + lease)
            .returning(*outbox.c)
        )
        async with self._sessions.begin() as session:
            rows = (await session.execute(claim)).all()
        claimed = [
            OutboxRow(
                id=row.id,
                circle_id=row.circle_id,
                case_id=row.case_id,
                kind=row.kind,
                payload=row.payload,
                due_at=row.due_at,
                attempts=row.attempts,
                claimed_by=row.claimed_by,
                claimed_until=row.claimed_until,
            )
            for row in rows
        ]
        return sorted(claimed, key=lambda row: (row.due_at, row.id))

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
        settle = (
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
        cards = [row for row in rows if row.thread_ref_of is not None and row.message_ref is not None]
        async with self._sessions.begin() as session:
            await session.execute(
                settle.execution_options(synchronize_session=False),
                [{"p_id": row.id, "p_now": now, "p_ref": row.message_ref} for row in rows],
            )
            if cards:
                await session.execute(
                    update(cases)
                    .where(cases.c.id == bindparam("p_case"))
                    .values(thread_ref=bindparam("p_ref"))
                    .execution_options(synchronize_session=False),
                    [{"p_case": row.thread_ref_of, "p_ref": row.message_ref} for row in cards],
                )

    async def mark_retry(self, row_id: int, error: str, retry_at: datetime) -> None:
        """Not delivered this time: pending again, due at `retry_at`."""
        await self._execute(
            _settle(row_id).values(
                status="pending",
                due_at=retry_at,
                attempts=outbox.c.attempts + 1,
                last_error=error,
            )
        )

    async def release(self, row_id: int, due_at: datetime) -> None:
        """Not tried this round (its channel's pace): pending again, due at `due_at`, with
        no attempt counted."""
        await self._execute(_settle(row_id).values(status="pending", due_at=due_at))

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
        served = _served(outbox, platforms)
        pending = select(func.min(outbox.c.due_at)).where(outbox.c.status == "pending", served)
        leased = select(func.min(outbox.c.claimed_until)).where(outbox.c.status == "claimed", served)
        async with self._sessions() as session:
            times = [
                await session.scalar(pending),
                await session.scalar(leased),
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
        circle_ids = sorted({row.circle_id for row in rows})
        case_ids = sorted({row.case_id for row in rows if row.case_id is not None})
        if not circle_ids:
            return {}
        async with self._sessions() as session:
            places = {
                found.id: found
                for found in await session.execute(
                    select(circles.c.id, circles.c.platform, circles.c.workspace_id, circles.c.channel_id).where(
                        circles.c.id.in_(circle_ids)
                    )
                )
            }
            threads: dict[str, str | None] = {}
            if case_ids:
                query = select(cases.c.id, cases.c.thread_ref).where(cases.c.id.in_(case_ids))
                threads = {found.id: found.thread_ref for found in await session.execute(query)}
        found: dict[tuple[str, str | None], Address] = {}
        for row in rows:
            place = places.get(row.circle_id)
            if place is not None:
                thread = threads.get(row.case_id) if row.case_id is not None else None
                found[(row.circle_id, row.case_id)] = Address(
                    place.platform, place.workspace_id, place.channel_id, thread
                )
        return found

    async def _execute(self, statement: Any) -> None:
        async with self._sessions.begin() as session:
            await session.execute(statement)


def _claimable(candidate: Any, now: datetime, platforms: Collection[str] | None) -> list[Any]:
    earlier = outbox.alias("earlier")
    waits_for_earlier = exists().where(
        earlier.c.case_id == candidate.c.case_id,
        earlier.c.id < candidate.c.id,
        earlier.c.kind.not_in(CLOCK_KINDS),
        earlier.c.status.in_(UNDELIVERED),
    )
    return [
        or_(
            and_(candidate.c.status == "pending", candidate.c.due_at <= now),
            and_(candidate.c.status == "claimed", candidate.c.claimed_until <= now),
        ),
        or_(
            candidate.c.kind.in_(CLOCK_KINDS),
            candidate.c.case_id.is_(None),
            ~waits_for_earlier,
        ),
        _served(candidate, platforms),
    ]


def _served(table: Any, platforms: Collection[str] | None) -> Any:
    if platforms is None:
        return true()
    # Rows of a deleted circle stay claimable, so that some worker drops them.
    elsewhere = select(circles.c.id).where(circles.c.platform.not_in(list(platforms)))
    return or_(table.c.kind.in_(CLOCK_KINDS), table.c.circle_id.not_in(elsewhere))


def _settle(row_id: int) -> Any:
    # Only a claimed row can be settled: a stale worker cannot undo a row already settled.
    return (
        update(outbox)
        .where(outbox.c.id == row_id, outbox.c.status == "claimed")
        .values(claimed_by=None, claimed_until=None)
    )
