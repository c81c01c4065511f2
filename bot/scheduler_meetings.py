"""Meeting jobs as durable outbox rows: planning them once, and running them once.

`plan` writes the jobs `bot.flows.meetings.plan` decides as `meeting` outbox rows, each with
a unique `dedupe_key`: planning again (after a cadence change, after each meeting, from two
replicas at once) inserts only what is missing, moves pending jobs whose moment changed (a
lead setting), and drops pending jobs no longer wanted, freeing their key so they can be
planned again (a circle paused, then resumed). `fire` runs one claimed job: it reads the
circle again, records a job that came due too late as missed (a nudge after its meeting)
or one that no longer applies as dropped, else queues the nudges, reminders or digest and
settles the row **in the same transaction**, so a job's messages are queued exactly once
even if its worker dies right after.

Jobs that only read the circle and queue messages (nudges, reminders, digests) come due in
bursts (every circle's digest at the same local hour): those fired together run in one
transaction, with one read of their circles, cases and updates, instead of one each.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, and_, bindparam, cast, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import commands as c
from bot.flows import meetings
from bot.flows.case_engine import handle_case
from bot.flows.effects import DirectMessage, Effect, MeetingJob, MeetingTimer
from bot.flows.errors import DomainError
from bot.flows.model import Case, Circle, ContributionKind, Phase
from bot.routing import save_step
from bot.storage import codec
from bot.storage.engine import write_turn
from bot.storage.errors import ConcurrentUpdate
from bot.storage.outbox import MEETING_KIND, OutboxRow, ids_param, in_ids
from bot.storage.tables import cases, circles, contributions, outbox
from bot.storage.uow import UnitOfWork

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
ATTEMPTS = 5
INSERT_CHUNK = 500
# Jobs that only read the circle's state and queue messages: those due together share a
# transaction (see `fire`).
QUEUE_ONLY = (MeetingJob.NUDGE, MeetingJob.REMINDER, MeetingJob.DIGEST)
# Jobs that ask clients for their update: each client once per meeting and job.
_ASKS = (MeetingJob.NUDGE, MeetingJob.REMINDER)
# At most this many jobs per shared transaction (and per IN list).
BATCH_LIMIT = 500
_ENDED_PHASES = (Phase.CLOSED.value, Phase.WITHDRAWN.value)


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
        self._waiting: list[_Waiting] = []
        self._draining: asyncio.Task[None] | None = None

    # --- planning ------------------------------------------------------------------------

    async def plan(self, circle_id: str) -> int:
        """Queue the circle's coming meeting jobs not queued yet; move pending ones whose
        moment changed; drop pending ones no longer planned (a skipped date, a paused circle).
        Returns how many rows were added."""
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
        """Run one claimed meeting job; the row is settled here, with what it queued.

        A nudge, reminder or digest joins the jobs fired at the same moment (a dispatcher
        starts a claim's jobs side by side) in one shared transaction; returns once that
        has committed."""
        job = row.effect()
        assert isinstance(job, MeetingTimer)
        if job.job not in QUEUE_ONLY:
            await self._fire_alone(row, job)
            return
        done = asyncio.get_running_loop().create_future()
        self._waiting.append(_Waiting(row, job, done))
        if self._draining is None:
            self._draining = asyncio.create_task(self._drain())
        await done

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:BATCH_LIMIT], self._waiting[BATCH_LIMIT:]
                await self._fire_batch(batch)
        finally:
            self._draining = None

    async def _fire_batch(self, batch: list[_Waiting]) -> None:
        try:
            async with self._turns, write_turn(self._sessions):
                await self._fire_together(batch)
        except Exception:
            # One bad job must not hold back the others: each runs alone, and fails alone.
            log.exception("meeting jobs: a shared transaction of %s failed; running them one by one", len(batch))
            for waiting in batch:
                try:
                    await self._fire_alone(waiting.row, waiting.job)
                except Exception as exc:
                    _settle_future(waiting.done, exc)
                else:
                    _settle_future(waiting.done, None)
            return
        for waiting in batch:
            _settle_future(waiting.done, None)
        self._on_commit()

    async def _fire_together(self, batch: Sequence[_Waiting]) -> None:
        now = self._clock()
        async with _Work(self._sessions) as uow:
            session = uow.session
            # Take the rows first: on SQLite that takes the write lock before anything is
            # read, on PostgreSQL it locks them; a row no longer ours (its lease ran out and
            # another worker took it over) is that worker's to run.
            ours = await _take_over(session, [waiting.row for waiting in batch])
            jobs = [waiting for waiting in batch if waiting.row.id in ours]
            found = await _circles_by_id(session, {waiting.job.circle_id for waiting in jobs})
            settled: dict[tuple[str, str | None], list[int]] = {}  # (status, reason): row ids
            running: list[tuple[Circle, MeetingTimer]] = []
            for waiting in jobs:
                circle = found.get(waiting.job.circle_id)
                refused = meetings.verdict(circle, waiting.job, now)
                if refused is not None or circle is None:
                    status, reason = refused or (meetings.DROPPED, "the circle no longer exists")
                    log.info("meeting job %s %s: %s", waiting.row.id, status, reason)
                    settled.setdefault((status, reason), []).append(waiting.row.id)
                else:
                    running.append((circle, waiting.job))
                    settled.setdefault(("sent", None), []).append(waiting.row.id)
            closed_since = min((_closed_since(circle, job, now) for circle, job in running), default=now)
            open_cases = await _cases_in_view(session, {circle.id for circle, _ in running}, closed_since)
            updates = await _last_updates(session, [case for found in open_cases.values() for case in found])
            nudged = await _nudged(session, [(job, open_cases.get(circle.id, [])) for circle, job in running])
            queued = [
                (job, _queued_by(circle, open_cases.get(circle.id, []), job, updates, nudged))
                for circle, job in running
            ]
            dialect = session.get_bind().dialect.name
            for (outcome, why), ids in settled.items():
                settle = {"p_status": outcome, "p_sent_at": now if outcome == "sent" else None, "p_reason": why}
                await session.execute(_templates(dialect).settle, settle | ids_param(dialect, ids))
            await _queue(uow, queued, now)
            await uow.commit()

    async def _fire_alone(self, row: OutboxRow, job: MeetingTimer) -> None:
        for attempt in range(ATTEMPTS):
            try:
                async with self._turns, write_turn(self._sessions):
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
            return  # planned by the caller
        if job.job is MeetingJob.HELD:
            cases = await uow.cases.list_for_circle(circle.id, active_only=True)
            await _held(uow, circle, cases, now)
            return
        cases = (await _cases_in_view(uow.session, [circle.id], _closed_since(circle, job, now))).get(circle.id, [])
        updates, nudged = await _last_updates(uow.session, cases), await _nudged(uow.session, [(job, cases)])
        await _queue(uow, [(job, _queued_by(circle, cases, job, updates, nudged))], now)


@dataclass(frozen=True, slots=True)
class _Waiting:
    """A job fired into a shared transaction, and the future its caller awaits."""

    row: OutboxRow
    job: MeetingTimer
    done: asyncio.Future[None]


def _settle_future(done: asyncio.Future[None], error: Exception | None) -> None:
    if done.done():  # its caller was cancelled
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)


def _queued_by(
    circle: Circle,
    cases: Sequence[Case],
    job: MeetingTimer,
    last_updates: Mapping[str, datetime],
    nudged: Collection[str],
) -> Sequence[Effect]:
    """What a nudge, reminder or digest job queues (`nudged`: the cases whose client was
    nudged for the job's meeting)."""
    assert job.meeting_at is not None
    match job.job:
        case MeetingJob.NUDGE:
            return meetings.nudges(circle, cases, job)
        case MeetingJob.REMINDER:
            return meetings.reminders(circle, cases, job, last_updates, nudged)
        case MeetingJob.DIGEST:
            return [meetings.digest(circle, cases, job.meeting_at, last_updates)]
        case _:
            raise ValueError(f"{job.job} does not only queue messages")


async def _queue(uow: UnitOfWork, queued: Sequence[tuple[MeetingTimer, Sequence[Effect]]], now: datetime) -> None:
    """Queue what jobs send. A client's nudge or reminder goes under a name of its own: after
    a change of time zone another job may come to ask them again for the same meeting."""
    asks: list[tuple[str, Effect]] = []
    others: list[Effect] = []
    for job, effects in queued:
        for effect in effects:
            if job.job in _ASKS and isinstance(effect, DirectMessage) and effect.case_id is not None:
                asks.append((meetings.message_key(job, effect.case_id), effect))
            else:
                others.append(effect)
    await uow.outbox.add_once(asks, now)
    await uow.outbox.add(others, now)


# State documents are read as their stored text, as the repositories read them: pydantic
# parses and validates the text in one pass, where a JSON column would be parsed first.
_CIRCLE_STATE = cast(circles.c.state, Text)
_CASE_STATE = cast(cases.c.state, Text)


@dataclass(frozen=True, slots=True)
class _Templates:
    """A shared transaction's statements, built once per dialect: with their ids bound as
    one parameter (`in_ids`), a batch of any size runs the same statement text."""

    take_over: Any
    circles: Any
    cases_in_view: Any
    settle: Any


@functools.cache
def _templates(dialect: str) -> _Templates:
    worker: Any = bindparam("p_worker")
    return _Templates(
        take_over=update(outbox)
        .where(in_ids(outbox.c.id, dialect), outbox.c.status == "claimed", outbox.c.claimed_by == worker)
        .values(claimed_by=worker)
        .returning(outbox.c.id),
        circles=select(circles.c.id, _CIRCLE_STATE).where(in_ids(circles.c.id, dialect)),
        cases_in_view=select(cases.c.circle_id, _CASE_STATE)
        .where(
            in_ids(cases.c.circle_id, dialect),
            or_(
                cases.c.phase.not_in(_ENDED_PHASES),
                and_(cases.c.phase == Phase.CLOSED.value, cases.c.closed_at >= bindparam("p_closed_since")),
            ),
        )
        .order_by(cases.c.opened_at, cases.c.id),
        settle=update(outbox)
        .where(in_ids(outbox.c.id, dialect))
        .values(
            status=bindparam("p_status"),
            sent_at=bindparam("p_sent_at"),
            last_error=bindparam("p_reason"),
            claimed_by=None,
            claimed_until=None,
        ),
    )


async def _take_over(session: AsyncSession, rows: Sequence[OutboxRow]) -> set[int]:
    """Lock the claimed rows still ours, in the caller's transaction; their ids."""
    dialect = session.get_bind().dialect.name
    ours: set[int] = set()
    by_worker: dict[str, list[int]] = {}
    for row in rows:
        by_worker.setdefault(row.claimed_by, []).append(row.id)
    for worker, ids in by_worker.items():
        taken = await session.execute(_templates(dialect).take_over, {"p_worker": worker} | ids_param(dialect, ids))
        ours.update(taken.scalars())
    return ours


async def _circles_by_id(session: AsyncSession, circle_ids: Collection[str]) -> dict[str, Circle]:
    if not circle_ids:
        return {}
    dialect = session.get_bind().dialect.name
    found = await session.execute(_templates(dialect).circles, ids_param(dialect, sorted(circle_ids)))
    return {circle_id: codec.decode_circle_text(state) for circle_id, state in found}


async def _cases_in_view(
    session: AsyncSession, circle_ids: Collection[str], closed_since: datetime
) -> dict[str, list[Case]]:
    """Each circle's cases in progress, as `CaseRepository.list_for_circle(active_only=True)`
    lists them (by opening), and those closed since `closed_since` (a digest tells of the
    update that completed a plan), for many circles in one read."""
    if not circle_ids:
        return {}
    dialect = session.get_bind().dialect.name
    parameters = ids_param(dialect, sorted(circle_ids)) | {"p_closed_since": closed_since}
    found = await session.execute(_templates(dialect).cases_in_view, parameters)
    listed: dict[str, list[Case]] = {}
    for circle_id, state in found:
        listed.setdefault(circle_id, []).append(codec.decode_case_text(state))
    return listed


async def _plan_in(session: AsyncSession, circle_id: str, circle: Circle | None, now: datetime) -> int:
    """Bring the circle's pending meeting jobs in line with its plan: drop those no longer
    planned, move those planned for another moment (a lead changed), add the missing ones."""
    jobs = {meetings.dedupe_key(job): job for job in (meetings.plan(circle, now) if circle is not None else [])}
    # Only jobs still ahead: an overdue one is judged when it fires (missed, not dropped).
    pending = await session.execute(
        select(outbox.c.id, outbox.c.dedupe_key, outbox.c.due_at).where(
            outbox.c.circle_id == circle_id,
            outbox.c.kind == MEETING_KIND,
            outbox.c.status == "pending",
            outbox.c.dedupe_key.is_not(None),
            outbox.c.due_at > now,
        )
    )
    unwanted: list[int] = []
    for row_id, key, due_at in pending:
        job = jobs.get(key)
        if job is None:
            unwanted.append(row_id)
        elif due_at != job.due_at:
            await session.execute(
                update(outbox)
                .where(outbox.c.id == row_id, outbox.c.status == "pending")
                .values(due_at=job.due_at, payload=codec.encode_effect(job))
            )
    if unwanted:
        # Dropped for the record; their names are freed, so that planning them again (the
        # circle resumed, the same rule set back) queues them anew.
        await session.execute(
            update(outbox)
            .where(outbox.c.id.in_(unwanted), outbox.c.status == "pending")
            .values(status="dropped", dedupe_key=None, last_error="no longer planned (cadence or circle changed)")
        )
    return await _insert_new(session, list(jobs.values()), now)


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


async def _nudged(session: AsyncSession, jobs: Sequence[tuple[MeetingTimer, Sequence[Case]]]) -> set[str]:
    """The cases, among those of the REMINDER jobs, whose client was nudged for that meeting
    (the nudge is queued under its `message_key`)."""
    keys = {
        meetings.nudge_key(job, case.id): case.id
        for job, cases in jobs
        if job.job is MeetingJob.REMINDER
        for case in cases
        if case.phase is Phase.FOLLOW_UP
    }
    if not keys:
        return set()
    found = await session.execute(select(outbox.c.dedupe_key).where(outbox.c.dedupe_key.in_(keys)))
    return {keys[key] for key in found.scalars()}


def _closed_since(circle: Circle, job: MeetingTimer, now: datetime) -> datetime:
    """From when a closed case still belongs in the job's digest: since its updates count."""
    if job.job is not MeetingJob.DIGEST or job.meeting_at is None:
        return now
    return meetings.updates_since(circle, job.meeting_at)


async def _last_updates(session: AsyncSession, cases: Sequence[Case]) -> dict[str, datetime]:
    """When each follow-up case (or one closed since) last got an update from its client."""
    following = [case.id for case in cases if case.phase in (Phase.FOLLOW_UP, Phase.CLOSED)]
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
