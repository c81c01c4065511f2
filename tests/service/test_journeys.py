"""Commands that only make sense late in a case, and mentions resolved to members."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.flows.effects import DirectMessage
from bot.flows.model import ContributionKind, ItemStatus, Phase, TimerKind

from .helpers import (
    CLIENT,
    CONSULTANTS,
    FAC,
    Driver,
    accepted,
    case_of,
    circle_at,
    claim_timers,
    contributions_of,
    queued,
    refusal_text,
    say,
    timer_of,
)

BOB, CY, DAN = CONSULTANTS


async def case_in_follow_up(driver: Driver) -> str:
    """A case whose client posted a two-action plan and reached follow-up (facilitator advancing)."""
    await driver.start_circle()
    case = await driver.open_case()
    for _ in range(3):  # clarification → contract → consultation → action plan
        accepted(await driver.slash(FAC, "advance 1"))
    plan = {"synthesis": "Talk first.", "actions": "Meet them both (by 2026-12-20)\nWrite a team charter"}
    accepted(await driver.fill(CLIENT, "plan", plan, case.id))
    for _ in range(2):  # action plan → learnings → follow-up
        accepted(await driver.slash(FAC, "advance 1"))
    assert (await case_of(driver.sessions, case.id)).phase is Phase.FOLLOW_UP
    return case.id


@pytest.mark.asyncio
async def test_the_update_command_in_follow_up_opens_a_form_listing_the_plans_actions(driver: Driver) -> None:
    case_id = await case_in_follow_up(driver)

    outcome = accepted(await driver.slash(CLIENT, "update"))

    assert outcome.form is not None
    assert (outcome.form.form_id, outcome.form.case_id) == ("update", case_id)
    [item] = [field for field in outcome.form.fields if field.name == "item"]
    assert [value for value, _ in item.options] == ["1", "2"]


@pytest.mark.asyncio
async def test_an_update_submitted_in_follow_up_is_stored_on_the_plan_and_recorded(driver: Driver) -> None:
    case_id = await case_in_follow_up(driver)

    accepted(await driver.fill(CLIENT, "update", {"item": "1", "status": "done", "note": "We met."}, case_id))

    stored = await case_of(driver.sessions, case_id)
    assert stored.plan is not None
    assert [(i.status, i.note) for i in stored.plan.items] == [(ItemStatus.DONE, "We met."), (ItemStatus.OPEN, "")]
    assert (await contributions_of(driver.sessions, case_id))[-1].kind is ContributionKind.UPDATE


@pytest.mark.asyncio
async def test_reassign_resolves_a_display_name_mention_to_the_member(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()

    accepted(await driver.slash(FAC, "reassign #1 @Bob"))

    stored = await case_of(driver.sessions, case.id)
    assert stored.client_id == BOB
    assert CLIENT in stored.consultants


@pytest.mark.asyncio
async def test_reassign_resolves_a_platform_mention_to_the_member(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()

    accepted(await driver.slash(FAC, f"reassign 1 <@{CY}|someone>"))

    assert (await case_of(driver.sessions, case.id)).client_id == CY


@pytest.mark.asyncio
async def test_a_queue_swap_accepts_mentions(driver: Driver) -> None:
    await driver.start_circle()

    accepted(await driver.slash(FAC, f"queue swap <@{BOB}> @dan"))

    circle = await circle_at(driver.sessions)
    assert circle is not None
    queue = circle.rotation.queue
    assert queue.index(DAN) < queue.index(BOB)


@pytest.mark.asyncio
async def test_a_member_swaps_turns_once_the_other_presses_the_button_they_were_sent(driver: Driver) -> None:
    await driver.start_circle()
    accepted(await driver.slash(BOB, "queue swap @bob @dan"))
    [accept] = [
        button
        for row in await queued(driver.sessions)
        if isinstance(row.effect, DirectMessage) and row.effect.user_id == DAN
        for button in row.effect.buttons
        if button.action == "accept_swap"
    ]

    accepted(await driver.press(DAN, accept.action, value=accept.value))

    circle = await circle_at(driver.sessions)
    assert circle is not None
    queue = circle.rotation.queue
    assert queue.index(DAN) < queue.index(BOB)


@pytest.mark.asyncio
async def test_a_deadline_firing_while_a_reply_lands_keeps_both(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    driver.clock.advance(timedelta(days=2))
    [deadline] = [row for row in await claim_timers(driver) if timer_of(row).timer is TimerKind.DEADLINE]

    _, outcome = await asyncio.gather(
        driver.codev.fire_timer(deadline),
        driver.reply(BOB, "Is there a deadline for you?"),
    )

    accepted(outcome)
    assert (await case_of(driver.sessions, case.id)).phase is Phase.CONTRACT
    assert BOB in [e.author_id for e in await contributions_of(driver.sessions, case.id)]


@pytest.mark.asyncio
async def test_a_consultant_leaving_ends_the_phase_they_alone_held_open(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    for user in (BOB, CY):
        accepted(await driver.press(user, "no_more_questions", case.id))

    accepted(await driver.slash(DAN, "leave"))

    assert (await case_of(driver.sessions, case.id)).phase is Phase.CONTRACT


@pytest.mark.asyncio
async def test_reassigning_a_case_to_a_member_with_a_case_of_their_own_is_refused(driver: Driver) -> None:
    await driver.start_circle()
    first = await driver.open_case()
    await driver.open_case(BOB, thread="T2")

    outcome = await driver.slash(FAC, "reassign 1 @bob")

    assert "already has case 2 in progress" in refusal_text(outcome)
    assert (await case_of(driver.sessions, first.id)).client_id == CLIENT


@pytest.mark.asyncio
async def test_the_submit_form_does_not_open_when_nobody_could_consult(driver: Driver) -> None:
    await driver.start_circle(members=(CLIENT,))

    outcome = await driver.slash(CLIENT, "submit")

    assert outcome.form is None
    assert refusal_text(outcome) == say("en", "error.no_consultants")
