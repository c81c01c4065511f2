"""APScheduler as the clock: it wakes the dispatcher after a commit and when rows come due.

These run the real `AsyncIOScheduler` on the test's event loop; they wait on the fake
platform's event (a few milliseconds), never on a fixed sleep.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.bootstrap import build
from bot.config import DatabaseSettings, Settings, load_settings
from bot.flows.effects import Post
from bot.incoming import Incoming, Origin, SlashCommand
from bot.storage.uow import UnitOfWork

from .helpers import Clock, FakePlatform

Sessions = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 10, 20, 12, tzinfo=UTC)


def slow_sweep(database_url: str) -> Settings:
    """The safety sweep an hour away: only the wake-ups under test can deliver."""
    settings = dataclasses.replace(load_settings(env_file=None), database=DatabaseSettings(url=database_url))
    behaviour = settings.behaviour.model_copy(update={"dispatch_interval_seconds": 3600.0})
    return dataclasses.replace(settings, behaviour=behaviour)


async def settled(check: Callable[[], bool]) -> None:
    """Yield to the event loop (5 ms at a time, 5 s at most) until `check()` holds."""
    for _ in range(1000):
        if check():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the scheduler did not get there in 5 s")


@pytest.mark.asyncio
async def test_a_commit_wakes_the_dispatcher_at_once_through_apscheduler(database_url: str) -> None:
    clock = Clock(NOW)
    platform = FakePlatform(clock)
    app = await build(slow_sweep(database_url), clock=clock, deliverers={"slack": platform}, worker_id="clock-test")
    app.scheduler.start()
    try:
        await settled(lambda: app.scheduler.rounds >= 1)  # the round every start begins with
        origin = Origin("slack", "W1", "C1", "fay", "Fay")
        await app.codev.handle(Incoming(origin, SlashCommand("setup Leaders en UTC")))

        await asyncio.wait_for(platform.arrived.wait(), 5)
    finally:
        await app.close()

    assert "Leaders" in platform.texts()[0]


@pytest.mark.asyncio
async def test_after_a_round_the_wake_up_is_planned_for_the_next_due_row(database_url: str, sessions: Sessions) -> None:
    clock = Clock(NOW)
    platform = FakePlatform(clock)
    app = await build(slow_sweep(database_url), clock=clock, deliverers={"slack": platform}, worker_id="clock-test")
    async with UnitOfWork(sessions) as uow:
        await uow.outbox.add([Post("circle-x", "later")], NOW + timedelta(minutes=10))
        await uow.commit()
    app.scheduler.start()
    try:
        await settled(lambda: app.scheduler.rounds >= 1)
        wake_at = app.scheduler.wake_at
    finally:
        await app.close()

    assert app.scheduler.next_wake == NOW + timedelta(minutes=10)
    assert wake_at is not None
    expected = datetime.now(UTC) + timedelta(minutes=10)
    assert abs((wake_at - expected).total_seconds()) < 5
