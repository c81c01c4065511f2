"""One event, one transaction: redeliveries apply once; state, contributions and outbox commit together."""

from __future__ import annotations

import asyncio

import pytest

from bot.flows.card import build_card
from bot.flows.effects import Ephemeral, Post, SetTimer
from bot.flows.model import ContributionKind, Phase
from bot.storage.engine import write_turn

from .helpers import (
    CLIENT,
    CONSULTANTS,
    FAC,
    Driver,
    accepted,
    case_of,
    cases_at,
    circle_at,
    contributions_of,
    queued,
    say,
    snapshot,
)

BOB, CY = CONSULTANTS[:2]


@pytest.mark.asyncio
async def test_a_redelivered_reply_changes_nothing_the_second_time(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    first = await driver.reply(BOB, "What did you try so far?", event_id="Ev1")
    after_first = await snapshot(driver.sessions)

    again = await driver.reply(BOB, "What did you try so far?", event_id="Ev1")

    assert not first.duplicate
    assert again.duplicate
    assert await snapshot(driver.sessions) == after_first
    assert len([entry for entry in await contributions_of(driver.sessions, case.id) if entry.author_id == BOB]) == 1


@pytest.mark.asyncio
async def test_a_redelivered_command_queues_its_messages_once(driver: Driver) -> None:
    await driver.start_circle()
    before = len(await queued(driver.sessions))

    first = await driver.slash("eve", "join", event_id="Ev-join")
    again = await driver.slash("eve", "join", event_id="Ev-join")

    assert (first.duplicate, again.duplicate) == (False, True)
    assert not again.refused  # not "already a member": the redelivery is not judged again
    charter_prompts = [
        row.effect for row in (await queued(driver.sessions))[before:] if isinstance(row.effect, Ephemeral)
    ]
    assert [prompt.user_id for prompt in charter_prompts] == ["eve"]


@pytest.mark.asyncio
async def test_a_redelivered_button_press_queues_its_messages_once(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    accepted(await driver.press(CLIENT, "ready_for_contract", case.id, event_id="Ev-ready"))
    after_first = await snapshot(driver.sessions)

    again = await driver.press(CLIENT, "ready_for_contract", case.id, event_id="Ev-ready")

    assert again.duplicate
    assert not again.refused  # not "wrong phase": the redelivery is not judged again
    assert await snapshot(driver.sessions) == after_first


@pytest.mark.asyncio
async def test_the_same_event_id_on_two_deliveries_counts_once_even_with_other_content(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    await driver.reply(BOB, "First question?", event_id="Ev-same")

    again = await driver.reply(CY, "Another question?", event_id="Ev-same")

    assert again.duplicate
    assert [entry.author_id for entry in await contributions_of(driver.sessions, case.id)] == [CLIENT, BOB]


@pytest.mark.asyncio
async def test_events_without_an_id_are_each_applied(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()

    await driver.reply(BOB, "Who else knows?")
    await driver.reply(BOB, "Who else knows?")

    assert len([entry for entry in await contributions_of(driver.sessions, case.id) if entry.author_id == BOB]) == 2


@pytest.mark.asyncio
async def test_advice_during_clarification_records_the_contribution_the_nudge_and_the_parked_text_together(
    driver: Driver,
) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    before = len(await queued(driver.sessions))

    outcome = accepted(await driver.reply(BOB, "You should talk to both of them."))

    assert outcome.notices == ()  # the nudge travels by the outbox, beside the state
    [entry] = [entry for entry in await contributions_of(driver.sessions, case.id) if entry.author_id == BOB]
    assert (entry.kind, entry.out_of_role, entry.phase) == (ContributionKind.ADVICE, True, Phase.CLARIFICATION)
    nudges = [row.effect for row in (await queued(driver.sessions))[before:] if isinstance(row.effect, Ephemeral)]
    assert [(n.user_id, n.text) for n in nudges] == [(BOB, say("en", "clarification.advice_nudge"))]
    assert [(b.action, b.value) for b in nudges[0].buttons] == [("keep_for_consultation", entry.id)]
    stored = await case_of(driver.sessions, case.id)
    assert [(p.contribution_id, p.text) for p in stored.parked] == [(entry.id, "You should talk to both of them.")]


@pytest.mark.asyncio
async def test_a_question_during_clarification_is_recorded_as_one_and_marks_its_author_active(
    driver: Driver,
) -> None:
    await driver.start_circle()
    case = await driver.open_case()

    accepted(await driver.reply(BOB, "How long has this been going on?"))

    entries = await contributions_of(driver.sessions, case.id)
    assert [(e.author_id, e.kind, e.out_of_role) for e in entries][-1] == (BOB, ContributionKind.QUESTION, False)
    assert entries[-1].message_ref is not None
    assert BOB in (await case_of(driver.sessions, case.id)).acted


@pytest.mark.asyncio
async def test_a_submission_stores_the_case_its_expose_its_card_and_its_timers(driver: Driver) -> None:
    await driver.start_circle()
    before = len(await queued(driver.sessions))

    case = await driver.open_case()

    circle = await circle_at(driver.sessions)
    assert circle is not None
    [entry] = await contributions_of(driver.sessions, case.id)
    assert (entry.author_id, entry.kind) == (CLIENT, ContributionKind.EXPOSE)
    rows = (await queued(driver.sessions))[before:]
    cards = [row.effect.card for row in rows if isinstance(row.effect, Post) and row.effect.card]
    assert cards == [build_card(circle, await case_of(driver.sessions, case.id))]
    deadlines = [row.due_at for row in rows if isinstance(row.effect, SetTimer) and row.effect.timer == "deadline"]
    assert deadlines == [case.deadline]
    assert circle.rotation.queue[-1] == CLIENT
    assert [turn.case_id for turn in circle.rotation.history] == [case.id]


@pytest.mark.asyncio
async def test_cases_are_numbered_one_after_another_within_a_circle(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case(CLIENT, thread="T1")
    await driver.open_case(BOB, thread="T2")

    assert [case.number for case in await cases_at(driver.sessions)] == [1, 2]


@pytest.mark.asyncio
async def test_a_settings_change_is_stored_and_announced_together(driver: Driver) -> None:
    await driver.start_circle()
    before = len(await queued(driver.sessions))

    accepted(await driver.slash(FAC, "settings window.clarification 3d"))

    circle = await circle_at(driver.sessions)
    assert circle is not None
    assert circle.settings.window(Phase.CLARIFICATION).days == 3
    posts = [row.effect for row in (await queued(driver.sessions))[before:] if isinstance(row.effect, Post)]
    assert [post.text for post in posts] == [say("en", "settings.changed", changes="window.clarification = 3d")]


@pytest.mark.asyncio
async def test_a_redelivered_status_command_is_answered_again_and_writes_nothing(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    before = await snapshot(driver.sessions)

    first = await driver.slash(BOB, "status 1", event_id="Ev-status")
    again = await driver.slash(BOB, "status 1", event_id="Ev-status")

    assert (first.duplicate, again.duplicate) == (False, False)
    assert first.notices
    assert again.notices == first.notices
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_status_command_is_answered_while_a_write_holds_the_write_turn(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()

    async with write_turn(driver.sessions):
        answer = await asyncio.wait_for(driver.slash(BOB, "status 1", event_id="Ev-status"), 10)

    assert "Case 1" in answer.notices[0].text
