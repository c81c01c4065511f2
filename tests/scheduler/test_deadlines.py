"""Phase deadlines and reminders as the clock passes them, across daylight-saving changes.

Whole-day windows end at the same local hour they opened (a two-day clarification opened at
14:00 ends at 14:00), reminders go to those who have not acted, and a member who left hears
nothing. Deadlines that passed while the bot was down are applied in order on start.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dispatcher import Dispatcher
from bot.flows.effects import DirectMessage, Reply, SetTimer
from bot.flows.model import Phase
from bot.scheduler_meetings import MeetingJobs
from bot.storage.outbox import OutboxRow
from tests.service.helpers import CONSULTANTS, FAC, Driver, accepted

from .helpers import Clock, Harness, get_case

Sessions = async_sessionmaker[AsyncSession]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def a_case_opened(sessions: Sessions, clock: Clock, zone: str, window: str = "3d") -> tuple[Harness, str]:
    driver = Driver(sessions, clock)  # type: ignore[arg-type]
    await driver.start_circle(timezone=zone)
    accepted(await driver.slash(FAC, f"settings window.clarification {window}"))
    case = await driver.open_case()
    harness = Harness(sessions, clock)
    harness.codev = driver.codev
    return harness, case.id


@pytest.mark.parametrize(
    ("zone", "opened", "half", "last_day", "deadline"),
    [
        # Montreal leaves daylight time on 2026-11-01: 14:00 EDT is 18:00 UTC, 14:00 EST 19:00.
        (
            "America/Montreal",
            utc(2026, 10, 30, 18),
            utc(2026, 11, 1, 6, 30),
            utc(2026, 11, 1, 19),
            utc(2026, 11, 2, 19),
        ),
        # Paris leaves summer time on 2026-10-25: 14:00 CEST is 12:00 UTC, 14:00 CET 13:00.
        ("Europe/Paris", utc(2026, 10, 23, 12), utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 13), utc(2026, 10, 26, 13)),
    ],
)
@pytest.mark.asyncio
async def test_a_three_day_window_ends_at_its_local_opening_hour_with_reminders_on_the_way(
    sessions: Sessions, zone: str, opened: datetime, half: datetime, last_day: datetime, deadline: datetime
) -> None:
    clock = Clock(opened)
    harness, case_id = await a_case_opened(sessions, clock, zone)

    await harness.advance_to(deadline.replace(hour=23))

    reminded = sorted({d.at for d in harness.platform.dms() if d.effect.user_id in CONSULTANTS})  # type: ignore[union-attr]
    assert reminded == [half, last_day]
    assert last_day.astimezone(ZoneInfo(zone)).time() == time(14, 0)
    assert (await get_case(sessions, case_id)).phase is Phase.CONTRACT
    entered = [d.at for d in harness.platform.log if isinstance(d.effect, Reply) and "Phase 3" in d.effect.text]
    assert entered
    assert entered[0] == deadline
    assert deadline.astimezone(ZoneInfo(zone)).time() == time(14, 0)


@pytest.mark.asyncio
async def test_a_consultant_who_left_gets_no_reminder(sessions: Sessions) -> None:
    clock = Clock(utc(2026, 10, 30, 18))
    harness, _ = await a_case_opened(sessions, clock, "America/Montreal")
    driver = Driver(sessions, clock)  # type: ignore[arg-type]
    accepted(await driver.slash("dan", "leave"))

    await harness.advance_to(utc(2026, 11, 1, 20))

    reminded = {d.effect.user_id for d in harness.platform.dms()}  # type: ignore[union-attr]
    assert "dan" not in reminded
    assert {"bob", "cy"} <= reminded


class InOrder:
    """The dispatcher's timer port, recording which deadline fired when, then firing it."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness
        self.fired: list[tuple[str, str]] = []

    async def __call__(self, row: OutboxRow) -> None:
        timer = row.effect()
        assert isinstance(timer, SetTimer)
        self.fired.append((timer.case_id, timer.timer))
        await self.harness.codev.fire_timer(row)


@pytest.mark.asyncio
async def test_deadlines_that_passed_while_down_are_applied_once_in_order_and_late_reminders_are_dropped(
    sessions: Sessions,
) -> None:
    clock = Clock(utc(2026, 10, 30, 18))
    harness, first = await a_case_opened(sessions, clock, "America/Montreal", window="2d")
    clock.move_to(utc(2026, 10, 30, 20))
    driver = Driver(sessions, clock)  # type: ignore[arg-type]
    second = (await driver.open_case("bob", thread="T2")).id
    clock.move_to(utc(2026, 11, 10))  # the bot was down for ten days

    recorder = InOrder(harness)
    meetings = MeetingJobs(sessions, clock)
    restarted = Dispatcher(
        sessions, {"slack": harness.platform}, recorder, clock, "after-restart", on_meeting=meetings.fire
    )
    await restarted.run_once()
    await restarted.run_once()

    assert recorder.fired.index((first, "deadline")) < recorder.fired.index((second, "deadline"))
    log = harness.platform.log
    entered = [d.effect.case_id for d in log if isinstance(d.effect, Reply) and "Phase 3" in d.effect.text]
    assert entered == [first, second]  # each advanced once, the earlier deadline first
    for case_id in (first, second):
        assert (await get_case(sessions, case_id)).phase is Phase.CONTRACT
    late = [d for d in harness.platform.log if isinstance(d.effect, DirectMessage) and "before" in d.effect.text]
    assert late == []  # reminders whose deadline had passed were not sent late


@pytest.mark.asyncio
async def test_a_deadline_due_while_the_circle_was_paused_comes_as_much_later_as_the_pause_lasted(
    sessions: Sessions,
) -> None:
    clock = Clock(utc(2026, 10, 30, 18))  # the window would end 2026-11-01 19:00 UTC (14:00 EST)
    harness, case_id = await a_case_opened(sessions, clock, "America/Montreal", window="2d")
    driver = Driver(sessions, clock)  # type: ignore[arg-type]
    accepted(await driver.slash(FAC, "pause"))
    await harness.advance_to(utc(2026, 11, 3))
    accepted(await driver.slash(FAC, "resume"))  # after 78 hours of pause
    phases = []

    for moment in (utc(2026, 11, 5, 0, 59), utc(2026, 11, 5, 1)):
        await harness.advance_to(moment)
        phases.append((await get_case(sessions, case_id)).phase)

    assert phases == [Phase.CLARIFICATION, Phase.CONTRACT]
