"""Meeting jobs as durable outbox rows: planning them once, and running them once.

`plan` writes the jobs `bot.flows.meetings.plan` decides as `meeting` outbox rows, each with
a unique `dedupe_key`: planning again (after a cadence change, after each meeting, from two
replicas at once) inserts only what is missing, and pending jobs no longer wanted are
dropped. `fire` runs one claimed job: it reads the circle again, records a job that came due
too late as missed (a nudge after its meeting) or one that no longer applies as dropped,
else queues the nudges, reminders or digest and settles the row **in the same transaction**,
so a job's messages are queued exactly once even if its worker dies right after.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import commands as c
from bot.flows import meetings
from bot.flows.case_engine import handle_case
from bot.flows.effects import Effect, MeetingJob, MeetingTimer
from bot.flows.errors import DomainError
from bot.flows.model import Case, Circle, ContributionKind, Phase
from bot.flows.phases import move_deadline
from bot.routing import save_step
from bot.storage import codec
from bot.storage.errors import ConcurrentUpdate
from bot.storage.outbox import MEETING_KIND, OutboxRow
from bot.storage.tables import contributions, outbox
from bot.storage.uow import UnitOfWork

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
ATTEMPTS = 5
INSERT_CHUNK = 500


class _Work(UnitOfWork):
    """A unit of work whose session the scheduler also writes its own rows through."""

    @property
    def session(self) -> AsyncSession:
        return self._require_session()


class MeetingJobs:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        on_commit: Callable[[], None] = lambda: None,
        concurrency: int | None = None,
    ) -> None:
        """`concurrency`: how many jobs may run their transaction at once (default: one on
        SQLite, whose writers otherwise queue on its lock with sleeping retries; ten else)."""
        self._sessions = sessions
        self._clock = clock
        self._on_commit = on_commit
        if concurrency is None:
            bind = sessions.kw.get("bind")
            concurrency = 1 if bind is not None and bind.dialect.name == "sqlite" else 10
        self._turns = asyncio.Semaphore(concurrency)

    # --- planning ------------------------------------------------------------------------

    async def plan(self, circle_id: str) -> int:
        """Queue the circle's coming meeting jobs not queued yet; drop pending ones no longer
        planned (a skipped date, a paused circle). Returns how many rows were added."""
        now = self._clock()
        async with _Work(self._sessions) as uow:
            circle = await uow.circles.get(circle_id)
            added = await _plan_in(uow.session, circle_id, circle, now)
            await uow.commit()
        return added

    async def plan_all(self) -> int:
        """Plan every circle's coming meetings (at start, and now and then as a safety net).
        Only adds what is missing; never drops."""
        now = self._clock()
        async with _Work(self._sessions) as uow:
            circles = await uow.circles.list_all()
            jobs = [job for circle in circles for job in meetings.plan(circle, now)]
            added = await _insert_new(uow.session, jobs, now)
            await uow.commit()
        return added

    # --- running -------------------------------------------------------------------------

    async def fire(self, row: OutboxRow) -> None:
        """Run one claimed meeting job; the row is settled here, with what it queued."""
        job = row.effect()
        assert isinstance(job, MeetingTimer)
        for attempt in range(ATTEMPTS):
            try:
                async with self._turns:
                    await self._fire_once(row, job)
                break
            except ConcurrentUpdate:
                if attempt == ATTEMPTS - 1:
                    raise
        self._on_commit()

    async def _fire_once(self, row: OutboxRow, job: MeetingTimer) -> None:
        now = self._clock()
        async with _Work(self._sessions) as uow:
            circle = await uow.circles.get(job.circle_id)
            refused = meetings.verdict(circle, job, now)
            if refused is not None or circle is None:
                status, reason = refused or (meetings.DROPPED, "the circle no longer exists")
                log.info("meeting job %s %s: %s", row.id, status, reason)
                if await _settle(uow.session, row, status, now, reason):
                    await uow.commit()
                return
            await self._run(uow, circle, job, now)
            if job.job in (MeetingJob.PLAN, MeetingJob.HELD):
                await _plan_in(uow.session, circle.id, circle, now)  # after each meeting: the next
            if await _settle(uow.session, row, "sent", now, None):
                await uow.commit()
            # else another worker took the row over (our lease ran out): the work is theirs

    async def _run(self, uow: _Work, circle: Circle, job: MeetingTimer, now: datetime) -> None:
        if job.job is MeetingJob.PLAN:
            await _rearm_passed_deadlines(uow, circle, now)
            return
        assert job.meeting_at is not None
        cases = await uow.cases.list_for_circle(circle.id, active_only=True)
        effects: Sequence[Effect]
        match job.job:
            case MeetingJob.NUDGE:
                effects = meetings.nudges(circle, cases, job)
            case MeetingJob.REMINDER:
                effects = meetings.reminders(circle, cases, job, await _last_updates(uow.session, cases))
            case MeetingJob.DIGEST:
                effects = [meetings.digest(circle, cases, job.meeting_at, await _last_updates(uow.session, cases))]
            case MeetingJob.HELD:
                await _held(uow, circle, cases, now)
                return
        await uow.outbox.add(effects, now)


async def _plan_in(session: AsyncSession, circle_id: str, circle: Circle | None, now: datetime) -> int:
    jobs = meetings.plan(circle, now) if circle is not None else []
    keys = [meetings.dedupe_key(job) for job in jobs]
    # Only jobs still ahead: an overdue one is judged when it fires (missed, not dropped).
    unwanted = update(outbox).where(
        outbox.c.circle_id == circle_id,
        outbox.c.kind == MEETING_KIND,
        outbox.c.status == "pending",
        outbox.c.dedupe_key.is_not(None),
        outbox.c.due_at > now,
    )
    if keys:
        unwanted = unwanted.where(outbox.c.dedupe_key.not_in(keys))
    await session.execute(unwanted.values(status="dropped", last_error="no longer planned (cadence or circle changed)"))
    return await _insert_new(session, jobs, now)


async def _rearm_passed_deadlines(uow: _Work, circle: Circle, now: datetime) -> None:
    """A deadline that came due while the circle was paused did nothing; once it runs again
    (a circle change plans its meetings), such deadlines are set again, due at once."""
    if circle.paused:
        return
    for case in await uow.cases.list_for_circle(circle.id, active_only=True):
        if case.deadline is not None and not case.paused and case.deadline <= now:
            moved, effects = move_deadline(circle, case, case.deadline, now)
            await uow.cases.save(moved)
            await uow.outbox.add(effects, now)


async def _held(uow: _Work, circle: Circle, cases: Iterable[Case], now: datetime) -> None:
    """The meeting took place: every case in follow-up counts it (and may close)."""
    for case in cases:
        if case.phase is not Phase.FOLLOW_UP:
            continue
        try:
            step = handle_case(circle, case, c.MeetingHeld(c.SYSTEM_ACTOR), now)
        except DomainError as refusal:
            log.warning("meeting held: case %s refused it: %r", case.id, refusal)
            continue
        await save_step(uow, circle, case, step, now)
        circle = step.circle


async def _last_updates(session: AsyncSession, cases: Sequence[Case]) -> dict[str, datetime]:
    """When each follow-up case last got an update from its client."""
    following = [case.id for case in cases if case.phase is Phase.FOLLOW_UP]
    if not following:
        return {}
    query = (
        select(contributions.c.case_id, func.max(contributions.c.at))
        .where(contributions.c.case_id.in_(following), contributions.c.kind == ContributionKind.UPDATE.value)
        .group_by(contributions.c.case_id)
    )
    return {case_id: at for case_id, at in (await session.execute(query)).all() if at is not None}


async def _settle(session: AsyncSession, row: OutboxRow, status: str, now: datetime, reason: str | None) -> bool:
    """Settle our claimed row in the caller's transaction; False if it is no longer ours."""
    values: dict[str, Any] = {"status": status, "claimed_by": None, "claimed_until": None, "last_error": reason}
    if status == "sent":
        values["sent_at"] = now
    settled = await session.execute(
        update(outbox)
        .where(outbox.c.id == row.id, outbox.c.status == "claimed", outbox.c.claimed_by == row.claimed_by)
        .values(**values)
    )
    assert isinstance(settled, CursorResult)
    return settled.rowcount == 1


async def _insert_new(session: AsyncSession, jobs: Sequence[MeetingTimer], now: datetime) -> int:
    """INSERT the jobs whose key is not queued yet (ON CONFLICT DO NOTHING on the key)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    added = 0
    for start in range(0, len(jobs), INSERT_CHUNK):
        rows = [_row(job, now) for job in jobs[start : start + INSERT_CHUNK]]
        statement = dialect.insert(outbox).values(rows).on_conflict_do_nothing(index_elements=["dedupe_key"])
        inserted = await session.execute(statement)
        assert isinstance(inserted, CursorResult)
        added += max(inserted.rowcount, 0)
    return added


def _row(job: MeetingTimer, now: datetime) -> dict[str, Any]:
    return {
        "circle_id": job.circle_id,
        "case_id": None,
        "kind": MEETING_KIND,
        "payload": codec.encode_effect(job),
        "due_at": job.due_at,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
        "dedupe_key": meetings.dedupe_key(job),
    }
