"""Events on the same circle or case at the same moment: each is applied, none is lost."""

from __future__ import annotations

import asyncio

import pytest

from bot.flows.model import Phase

from .helpers import (
    CLIENT,
    CONSULTANTS,
    FAC,
    SUBMISSION,
    Driver,
    accepted,
    case_of,
    cases_at,
    circle_at,
    contributions_of,
)

BOB, CY, DAN = CONSULTANTS


@pytest.mark.asyncio
async def test_two_replies_to_one_case_at_once_are_both_recorded(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()

    outcomes = await asyncio.gather(
        driver.reply(BOB, "When did it start?"),
        driver.reply(CY, "Who else is affected?"),
    )

    for outcome in outcomes:
        accepted(outcome)
    authors = sorted(e.author_id for e in await contributions_of(driver.sessions, case.id) if e.author_id != CLIENT)
    assert authors == [BOB, CY]
    assert (await case_of(driver.sessions, case.id)).acted == {BOB, CY}


@pytest.mark.asyncio
async def test_three_consultants_finishing_at_once_all_count_and_the_phase_moves_on(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()

    outcomes = await asyncio.gather(*(driver.press(user, "no_more_questions", case.id) for user in CONSULTANTS))

    for outcome in outcomes:
        accepted(outcome)
    stored = await case_of(driver.sessions, case.id)
    assert stored.phase is Phase.CONTRACT


@pytest.mark.asyncio
async def test_two_members_joining_at_once_are_both_pending(driver: Driver) -> None:
    await driver.start_circle(members=())

    outcomes = await asyncio.gather(driver.slash("eve", "join"), driver.slash("max", "join"))

    for outcome in outcomes:
        accepted(outcome)
    circle = await circle_at(driver.sessions)
    assert circle is not None
    assert sorted(m.user_id for m in circle.pending) == ["eve", "max"]


@pytest.mark.asyncio
async def test_two_submissions_at_once_get_distinct_case_numbers(driver: Driver) -> None:
    await driver.start_circle()

    outcomes = await asyncio.gather(
        driver.fill(CLIENT, "submit", SUBMISSION),
        driver.fill(BOB, "submit", SUBMISSION),
    )

    for outcome in outcomes:
        accepted(outcome)
    assert sorted(case.number for case in await cases_at(driver.sessions)) == [1, 2]


@pytest.mark.asyncio
async def test_a_double_submitted_form_opens_one_case(driver: Driver) -> None:
    await driver.start_circle()

    outcomes = await asyncio.gather(
        driver.fill(CLIENT, "submit", SUBMISSION),
        driver.fill(CLIENT, "submit", SUBMISSION),
    )

    assert sorted(outcome.refused for outcome in outcomes) == [False, True]
    assert len(await cases_at(driver.sessions)) == 1


@pytest.mark.asyncio
async def test_two_setups_of_one_channel_at_once_make_one_circle_and_a_clear_refusal(driver: Driver) -> None:
    outcomes = await asyncio.gather(
        driver.slash(FAC, "setup Leaders"),
        driver.slash(DAN, "setup Rivals"),
    )

    assert sorted(outcome.refused for outcome in outcomes) == [False, True]
    circle = await circle_at(driver.sessions)
    assert circle is not None
    [refused] = [outcome for outcome in outcomes if outcome.refused]
    assert refused.notices[0].text == f"This channel already hosts the circle *{circle.name}*."


@pytest.mark.asyncio
async def test_the_same_event_delivered_twice_at_once_is_applied_once(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()

    outcomes = await asyncio.gather(
        driver.reply(BOB, "What is at stake for you?", event_id="Ev-race"),
        driver.reply(BOB, "What is at stake for you?", event_id="Ev-race"),
    )

    assert sorted(outcome.duplicate for outcome in outcomes) == [False, True]
    assert [e.author_id for e in await contributions_of(driver.sessions, case.id)] == [CLIENT, BOB]
