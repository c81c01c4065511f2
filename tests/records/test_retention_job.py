"""The scheduler runs the retention purge once a day, through the real composition root."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from bot.bootstrap import build
from bot.config import DatabaseSettings, Settings, load_settings
from tests.service.helpers import CONSULTANTS, FAC, Clock, Driver, accepted, case_of, contributions_of

from .scenario import full_consultation


def settings_for(database_url: str) -> Settings:
    return dataclasses.replace(load_settings(env_file=None), database=DatabaseSettings(url=database_url))


@pytest.mark.asyncio
async def test_a_started_scheduler_plans_the_purge_at_half_past_three_utc(database_url: str, clock: Clock) -> None:
    app = await build(settings_for(database_url), clock=clock, deliverers={}, worker_id="retention-test")
    app.scheduler.start()
    try:
        planned = app.scheduler.purge_at
    finally:
        await app.close()

    assert planned is not None
    assert (planned.hour, planned.minute, planned.utcoffset()) == (3, 30, timedelta(0))


@pytest.mark.asyncio
async def test_the_daily_run_purges_a_closed_case_past_its_circles_period(
    database_url: str, driver: Driver, clock: Clock
) -> None:
    closed = await full_consultation(driver)
    accepted(await driver.slash(FAC, "settings retention_days 30"))
    await driver.open_case(CONSULTANTS[0], thread="T2")
    ended = (await case_of(driver.sessions, closed.id)).closed_at
    assert ended is not None
    clock.advance(ended + timedelta(days=30) - clock())
    app = await build(settings_for(database_url), clock=clock, deliverers={}, worker_id="retention-test")
    try:
        purged = await app.scheduler.purge_expired()
    finally:
        await app.close()

    assert purged == 1
    assert {item.text for item in await contributions_of(driver.sessions, closed.id)} == {"[purged]"}
