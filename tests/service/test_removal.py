"""A facilitator takes a member out of the circle."""

from __future__ import annotations

import pytest

from bot.flows.model import Phase

from .helpers import CLIENT, CONSULTANTS, FAC, Driver, accepted, case_of, circle_at, queued, refusal_text, say

BOB, CY, DAN = CONSULTANTS


@pytest.mark.asyncio
async def test_a_facilitator_removes_a_member_from_the_circle_and_its_queue(driver: Driver) -> None:
    await driver.start_circle()

    accepted(await driver.slash(FAC, f"remove <@{DAN}>"))

    circle = await circle_at(driver.sessions)
    assert circle is not None
    assert (circle.member(DAN), DAN in circle.rotation.queue) == (None, False)


@pytest.mark.asyncio
async def test_removing_the_consultant_who_alone_held_a_phase_open_ends_it(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    for user in (BOB, CY):
        accepted(await driver.press(user, "no_more_questions", case.id))

    accepted(await driver.slash(FAC, f"remove <@{DAN}>"))

    assert (await case_of(driver.sessions, case.id)).phase is Phase.CONTRACT


@pytest.mark.asyncio
async def test_a_member_with_a_case_in_progress_is_not_removed(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()

    outcome = await driver.slash(FAC, f"remove <@{CLIENT}>")

    assert refusal_text(outcome) == say("en", "error.remove_with_open_case", who="Ann", number=1)


@pytest.mark.asyncio
async def test_removing_a_member_whose_case_is_past_the_consultation_does_not_suggest_handing_it_over(
    driver: Driver,
) -> None:
    await driver.start_circle()
    await driver.open_case()
    for _ in range(3):  # clarification → contract → consultation → action plan
        accepted(await driver.slash(FAC, "advance 1"))

    outcome = await driver.slash(FAC, f"remove <@{CLIENT}>")

    assert refusal_text(outcome) == say("en", "error.remove_with_late_case", who="Ann", number=1)


@pytest.mark.asyncio
async def test_only_a_facilitator_removes_a_member(driver: Driver) -> None:
    await driver.start_circle()

    outcome = await driver.slash(BOB, f"remove <@{DAN}>")

    assert refusal_text(outcome) == say("en", "error.not_your_role", role="role.facilitator")


@pytest.mark.asyncio
async def test_a_consultant_who_leaves_and_comes_back_is_counted_again_on_the_card(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    accepted(await driver.slash(DAN, "leave"))
    last_before = max(row.id for row in await queued(driver.sessions))

    accepted(await driver.slash(DAN, "join"))
    accepted(await driver.press(DAN, "accept_charter"))

    cards = [row.effect for row in await queued(driver.sessions) if row.id > last_before and row.kind == "update_card"]
    assert "0/3" in str(cards[-1])
