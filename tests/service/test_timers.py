"""The clock's side: due timer rows are claimed from the outbox and fired through the service."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.flows.effects import DirectMessage, Reply, SetTimer
from bot.flows.model import Phase, TimerKind

from .helpers import (
    CLIENT,
    CONSULTANTS,
    FAC,
    Driver,
    accepted,
    case_of,
    claim_timers,
    queued,
    refusal_text,
    say,
    snapshot,
    timer_of,
)

BOB, CY, DAN = CONSULTANTS


async def messages_after(driver: Driver, count: int) -> list[DirectMessage | Reply]:
    return [
        row.effect for row in (await queued(driver.sessions))[count:] if isinstance(row.effect, DirectMessage | Reply)
    ]


@pytest.mark.asyncio
async def test_half_way_reminders_go_only_to_consultants_who_have_not_finished(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    accepted(await driver.press(BOB, "no_more_questions", case.id))
    driver.clock.advance(timedelta(days=1))
    [half] = await claim_timers(driver)
    assert timer_of(half).timer is TimerKind.HALF_WINDOW
    before = len(await queued(driver.sessions))

    await driver.codev.fire_timer(half)

    stored = await case_of(driver.sessions, case.id)
    reminder = say(
        "en",
        "reminder.clarification",
        number=1,
        title=stored.expose.title,
        deadline=f"{stored.deadline:%Y-%m-%d %H:%M} (UTC)",
    )
    reminded = [
        m.user_id for m in await messages_after(driver, before) if isinstance(m, DirectMessage) and m.text == reminder
    ]
    assert reminded == [CY, DAN]


@pytest.mark.asyncio
async def test_a_half_way_timer_with_little_activity_alerts_the_facilitator(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    driver.clock.advance(timedelta(days=1))
    [half] = await claim_timers(driver)
    before = len(await queued(driver.sessions))

    await driver.codev.fire_timer(half)

    alert = say("en", "facilitator.low_activity", number=1, active=0, total=3)
    alerted = [
        m.user_id for m in await messages_after(driver, before) if isinstance(m, DirectMessage) and m.text == alert
    ]
    assert alerted == [FAC]
    assert (await case_of(driver.sessions, case.id)).phase is Phase.CLARIFICATION


@pytest.mark.asyncio
async def test_the_deadline_timer_moves_the_case_on_and_stores_the_new_phase(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    driver.clock.advance(timedelta(days=2))
    [deadline] = [row for row in await claim_timers(driver) if timer_of(row).timer is TimerKind.DEADLINE]
    before = len(await queued(driver.sessions))

    await driver.codev.fire_timer(deadline)

    stored = await case_of(driver.sessions, case.id)
    assert stored.phase is Phase.CONTRACT
    assert stored.deadline == driver.clock() + timedelta(days=1)
    new_timers = [row.effect for row in (await queued(driver.sessions))[before:] if isinstance(row.effect, SetTimer)]
    assert {timer.seq for timer in new_timers} == {stored.timer_seq}
    assert next(m.text for m in await messages_after(driver, before) if isinstance(m, Reply)) == say(
        "en", "phase.enter.contract", deadline=f"{stored.deadline:%Y-%m-%d %H:%M} (UTC)", client=CLIENT.title()
    )


@pytest.mark.asyncio
async def test_a_timer_set_before_an_extension_does_nothing(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    accepted(await driver.slash(FAC, "extend 1 2d"))
    driver.clock.advance(timedelta(days=2, minutes=1))  # past the first deadline, before the new one
    stale = [
        row
        for row in await claim_timers(driver)
        if timer_of(row).seq < (await case_of(driver.sessions, case.id)).timer_seq
    ]
    assert {timer_of(row).timer for row in stale} == {TimerKind.HALF_WINDOW, TimerKind.DEADLINE}
    before = await snapshot(driver.sessions)

    for row in stale:
        await driver.codev.fire_timer(row)

    assert await snapshot(driver.sessions) == before
    assert (await case_of(driver.sessions, case.id)).phase is Phase.CLARIFICATION


@pytest.mark.asyncio
async def test_a_deadline_timer_fired_twice_moves_the_case_once(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    driver.clock.advance(timedelta(days=2))
    [deadline] = [row for row in await claim_timers(driver) if timer_of(row).timer is TimerKind.DEADLINE]
    await driver.codev.fire_timer(deadline)
    after_first = await snapshot(driver.sessions)

    await driver.codev.fire_timer(deadline)

    assert await snapshot(driver.sessions) == after_first
    assert (await case_of(driver.sessions, case.id)).phase is Phase.CONTRACT


@pytest.mark.asyncio
async def test_a_timer_of_a_paused_case_sends_no_reminders(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    accepted(await driver.slash(FAC, "pause 1"))
    driver.clock.advance(timedelta(days=1))
    [half] = [row for row in await claim_timers(driver) if timer_of(row).timer is TimerKind.HALF_WINDOW]
    before = await snapshot(driver.sessions)

    await driver.codev.fire_timer(half)

    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_timers_are_not_due_before_their_time(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    driver.clock.advance(timedelta(hours=23, minutes=59))

    assert await claim_timers(driver) == []


@pytest.mark.asyncio
async def test_pausing_the_circle_stops_its_cases_clocks_and_resuming_gives_the_time_back(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    deadline = case.deadline
    assert deadline is not None

    accepted(await driver.slash(FAC, "pause"))
    driver.clock.advance(timedelta(days=5))
    accepted(await driver.slash(FAC, "resume"))

    resumed = await case_of(driver.sessions, case.id)
    assert (resumed.phase, resumed.deadline) == (Phase.CLARIFICATION, deadline + timedelta(days=5))


@pytest.mark.asyncio
async def test_once_the_circle_resumes_its_case_moves_on_at_the_shifted_deadline_not_before(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    accepted(await driver.slash(FAC, "pause"))
    driver.clock.advance(timedelta(days=5))
    for row in await claim_timers(driver):  # due during the pause: stale
        await driver.codev.fire_timer(row)
    accepted(await driver.slash(FAC, "resume"))
    phases = []

    for _ in range(2):  # the window had two days to run: one, then two days after resuming
        driver.clock.advance(timedelta(days=1))
        for row in await claim_timers(driver):
            await driver.codev.fire_timer(row)
        phases.append((await case_of(driver.sessions, case.id)).phase)

    assert phases == [Phase.CLARIFICATION, Phase.CONTRACT]


@pytest.mark.asyncio
async def test_resuming_the_circle_leaves_a_case_a_facilitator_paused_on_its_own_paused(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    accepted(await driver.slash(FAC, "pause 1"))
    accepted(await driver.slash(FAC, "pause"))

    accepted(await driver.slash(FAC, "resume"))

    assert (await case_of(driver.sessions, case.id)).paused


@pytest.mark.asyncio
async def test_a_case_paused_with_its_circle_cannot_be_resumed_before_the_circle(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    accepted(await driver.slash(FAC, "pause"))

    outcome = await driver.slash(FAC, "resume 1")

    assert refusal_text(outcome) == say("en", "error.case_resume_while_circle_paused", number=1)
    assert (await case_of(driver.sessions, case.id)).paused
