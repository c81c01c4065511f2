"""Restarts: the bot stops with rows due, time passes, it starts again.

Everything goes through `bootstrap.build` (the real composition root) twice on one database:
overdue messages go out once, a nudge or digest whose meeting passed meanwhile is recorded
as missed (not sent late), and the meeting itself still counts.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bootstrap import App, build
from bot.config import DatabaseSettings, Settings, load_settings
from bot.flows.effects import MeetingJob, MeetingTimer, Post
from bot.storage.outbox import MEETING_KIND
from bot.storage.uow import UnitOfWork

from .helpers import Clock, FakePlatform, a_circle, a_follow_up, get_case, job_of, rows, seed, weekly

Sessions = async_sessionmaker[AsyncSession]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def settings_for(database_url: str) -> Settings:
    return dataclasses.replace(load_settings(env_file=None), database=DatabaseSettings(url=database_url))


async def started(database_url: str, clock: Clock, worker: str) -> tuple[App, FakePlatform]:
    platform = FakePlatform(clock)
    app = await build(settings_for(database_url), clock=clock, deliverers={"slack": platform}, worker_id=worker)
    return app, platform


@pytest.mark.asyncio
async def test_after_downtime_overdue_rows_go_out_once_and_passed_meetings_nudges_are_missed(
    database_url: str, sessions: Sessions
) -> None:
    clock = Clock(utc(2026, 10, 20, 12))
    first, _ = await started(database_url, clock, "before")
    await seed(sessions, a_circle("America/Montreal", weekly(1, time(15, 0), date(2026, 10, 21))), a_follow_up())
    await first.scheduler.meetings.plan("circle-1")
    async with UnitOfWork(sessions) as uow:
        await uow.outbox.add([Post("circle-1", "queued just before the stop")], clock())
        await uow.commit()
    await first.close()  # stopped with a message due and the meeting's jobs ahead

    clock.move_to(utc(2026, 10, 28, 12))  # the Tuesday meeting (19:00 UTC) passed meanwhile
    second, platform = await started(database_url, clock, "after")
    try:
        await second.scheduler.run_due()
        await second.scheduler.run_due()
    finally:
        await second.close()

    assert platform.texts() == ["queued just before the stop"]
    settled = {job_of(row).job: row for row in await rows(sessions, MEETING_KIND) if row.status != "pending"}  # type: ignore[union-attr]
    for job in (MeetingJob.NUDGE, MeetingJob.REMINDER, MeetingJob.DIGEST):
        assert settled[job].status == "missed"
        assert "after its meeting" in settled[job].last_error
    assert settled[MeetingJob.HELD].status == "sent"
    assert (await get_case(sessions, "case-1")).meetings_in_follow_up == 1
    ahead = [job_of(row) for row in await rows(sessions, MEETING_KIND) if row.status == "pending"]
    assert all(isinstance(job, MeetingTimer) and job.due_at > clock() for job in ahead)
    assert any(isinstance(job, MeetingTimer) and job.meeting_at == utc(2026, 11, 3, 20) for job in ahead)


@pytest.mark.asyncio
async def test_a_second_start_sends_nothing_the_first_already_sent(database_url: str, sessions: Sessions) -> None:
    clock = Clock(utc(2026, 10, 20, 12))
    first, platform = await started(database_url, clock, "first")
    await seed(sessions, a_circle("UTC", weekly(1, time(15, 0), date(2026, 10, 21))), a_follow_up())
    await first.scheduler.meetings.plan("circle-1")
    clock.move_to(utc(2026, 10, 25, 9))  # the nudge is due
    await first.scheduler.run_due()
    await first.close()

    second, again = await started(database_url, clock, "second")
    try:
        await second.scheduler.run_due()
    finally:
        await second.close()

    assert len(platform.dms("ann")) == 1
    assert again.log == []
