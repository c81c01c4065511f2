"""Nudges, reminders and digests fired together share one transaction, and stay exactly once.

Every circle's digest comes due at the same local hour: the dispatcher fires those jobs side
by side, and `MeetingJobs.fire` runs them in one transaction instead of one each.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import scheduler_meetings
from bot.flows.effects import MeetingJob, MeetingTimer
from bot.flows.model import Cadence
from bot.scheduler_meetings import MeetingJobs
from bot.storage.outbox import MEETING_KIND, Outbox, OutboxRow

from .helpers import Clock, a_circle, a_follow_up, job_of, rows, seed, wall

Sessions = async_sessionmaker[AsyncSession]
CIRCLES = ("c1", "c2", "c3")
DIGEST_TIME = datetime(2026, 10, 26, 15, tzinfo=UTC)  # a day before the 27th at 15:00 UTC
LEASE = timedelta(minutes=2)


class Commits:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


async def three_circles_meeting_on_the_27th(sessions: Sessions, clock: Clock) -> MeetingJobs:
    planner = MeetingJobs(sessions, clock)
    for number, circle_id in enumerate(CIRCLES, 1):
        cadence = Cadence(dates=(wall("2026-10-27 15:00"),))
        circle = a_circle("UTC", cadence, circle_id=circle_id, channel=f"C{number}")
        await seed(sessions, circle, a_follow_up("ann", number=number, circle_id=circle_id))
        await planner.plan(circle_id)
    return planner


async def claimed_digests(sessions: Sessions, worker: str, now: datetime = DIGEST_TIME) -> list[OutboxRow]:
    claimed = await Outbox(sessions).claim_due(now, worker, 100, LEASE)
    return [
        row
        for row in claimed
        if (job := row.effect()) and isinstance(job, MeetingTimer) and job.job is MeetingJob.DIGEST
    ]


async def queued_posts(sessions: Sessions) -> list[str]:
    return sorted(row.circle_id for row in await rows(sessions, "post"))


@pytest.mark.asyncio
async def test_digests_fired_together_are_queued_in_one_transaction(sessions: Sessions) -> None:
    clock = Clock(DIGEST_TIME - timedelta(days=10))
    await three_circles_meeting_on_the_27th(sessions, clock)
    clock.move_to(DIGEST_TIME)
    commits = Commits()
    jobs = MeetingJobs(sessions, clock, on_commit=commits)

    await asyncio.gather(*(jobs.fire(row) for row in await claimed_digests(sessions, "w1")))

    assert commits.count == 1
    assert await queued_posts(sessions) == sorted(CIRCLES)
    digests = [row for row in await rows(sessions, MEETING_KIND) if job_of(row).job is MeetingJob.DIGEST]  # type: ignore[union-attr]
    assert {row.status for row in digests} == {"sent"}


@pytest.mark.asyncio
async def test_a_job_another_worker_took_over_is_left_to_that_worker(sessions: Sessions) -> None:
    clock = Clock(DIGEST_TIME - timedelta(days=10))
    await three_circles_meeting_on_the_27th(sessions, clock)
    clock.move_to(DIGEST_TIME + LEASE)
    stale = await claimed_digests(sessions, "w1")
    await claimed_digests(sessions, "w2", DIGEST_TIME + LEASE)  # w1's lease ran out: w2 has them now

    await asyncio.gather(*(MeetingJobs(sessions, clock).fire(row) for row in stale))

    assert await queued_posts(sessions) == []
    digests = [row for row in await rows(sessions, MEETING_KIND) if job_of(row).job is MeetingJob.DIGEST]  # type: ignore[union-attr]
    assert {(row.status, row.claimed_by) for row in digests} == {("claimed", "w2")}


@pytest.mark.asyncio
async def test_when_the_shared_transaction_fails_each_job_runs_on_its_own(
    sessions: Sessions, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock(DIGEST_TIME - timedelta(days=10))
    await three_circles_meeting_on_the_27th(sessions, clock)
    clock.move_to(DIGEST_TIME)

    async def broken(*_: object) -> None:
        raise RuntimeError("the shared read failed")

    monkeypatch.setattr(scheduler_meetings, "_circles_by_id", broken)
    commits = Commits()
    jobs = MeetingJobs(sessions, clock, on_commit=commits)

    await asyncio.gather(*(jobs.fire(row) for row in await claimed_digests(sessions, "w1")))

    assert commits.count == len(CIRCLES)
    assert await queued_posts(sessions) == sorted(CIRCLES)
