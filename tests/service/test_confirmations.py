"""Buttons that cannot be undone ask first; the answer's button does the work."""

from __future__ import annotations

import pytest

from bot.actions import CONFIRMED
from bot.flows.model import Phase

from .helpers import CLIENT, CONSULTANTS, Driver, case_of, refusal_text, say, snapshot

BOB = CONSULTANTS[0]


@pytest.mark.asyncio
async def test_pressing_withdraw_asks_first_and_changes_nothing(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.press(CLIENT, "withdraw", case.id)

    assert [notice.text for notice in outcome.notices] == [say("en", "confirm.withdraw", number=1)]
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_the_question_carries_the_button_that_withdraws_the_case(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    asked = await driver.press(CLIENT, "withdraw", case.id)
    (yes,) = asked.notices[0].buttons

    await driver.press(CLIENT, yes.action, yes.case_id, yes.value)

    assert (yes.action, yes.value) == ("withdraw", CONFIRMED)
    assert (await case_of(driver.sessions, case.id)).phase is Phase.WITHDRAWN


@pytest.mark.asyncio
async def test_someone_who_may_not_withdraw_is_refused_before_being_asked(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()

    outcome = await driver.press(BOB, "withdraw", case.id)

    assert refusal_text(outcome)
    assert all(not notice.buttons for notice in outcome.notices)
