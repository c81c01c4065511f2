"""Applying a backlog of accepted events in one transaction: the same outcomes and the same
records as one by one, a refusal undoing only its own writes, and a fault none of them."""

from __future__ import annotations

import pytest

from bot.incoming import FormSubmission, Incoming, Origin, Outcome, Payload, SlashCommand, ThreadReply

from .helpers import CLIENT, CONSULTANTS, HOME, SUBMISSION, Driver, contributions_of, refusal_text, say, snapshot

BOB, CY = CONSULTANTS[:2]


def event(user: str, payload: Payload, event_id: str, thread: str | None = "T1") -> Incoming:
    return Incoming(Origin(HOME.platform, HOME.workspace, HOME.channel, user, user.title(), thread), payload, event_id)


def question(user: str, text: str) -> Incoming:
    return event(user, ThreadReply(text, f"msg-{text}"), f"Ev-{text}")


@pytest.mark.asyncio
async def test_replies_handled_together_are_recorded_in_the_order_they_came(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()

    await driver.codev.handle_together([question(BOB, "How long?"), question(CY, "Who knows?")])

    recorded = [(c.author_id, c.text) for c in await contributions_of(driver.sessions, case.id)]
    assert recorded[-2:] == [(BOB, "How long?"), (CY, "Who knows?")]


@pytest.mark.asyncio
async def test_events_handled_together_each_get_their_own_outcome(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    refused = event(BOB, SlashCommand("withdraw 7"), "Ev-withdraw", thread=None)

    outcomes = await driver.codev.handle_together([question(BOB, "How long?"), refused])

    assert outcomes[0] == Outcome()
    assert refusal_text(outcomes[1]) == say("en", "error.unknown_case", number=7)


@pytest.mark.asyncio
async def test_a_refusal_among_events_handled_together_leaves_no_mark_of_it(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    refused = event(BOB, SlashCommand("withdraw 7"), "Ev-withdraw", thread=None)

    await driver.codev.handle_together([question(BOB, "How long?"), refused, question(CY, "Who knows?")])
    again = await driver.codev.handle(refused)

    assert not again.duplicate  # its dedupe mark was undone with the rest of it
    assert again.refused


@pytest.mark.asyncio
async def test_the_same_event_twice_in_one_backlog_is_applied_once(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    before = len(await contributions_of(driver.sessions, case.id))

    outcomes = await driver.codev.handle_together([question(BOB, "How long?"), question(BOB, "How long?")])

    assert [outcome.duplicate for outcome in outcomes] == [False, True]
    assert len(await contributions_of(driver.sessions, case.id)) == before + 1


@pytest.mark.asyncio
async def test_a_fault_while_handling_together_commits_none_of_the_events(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    before = await snapshot(driver.sessions)
    # A title that is no text: a fault in the program, not a refusal.
    broken = FormSubmission("submit", {**SUBMISSION, "title": 42})  # type: ignore[dict-item]

    with pytest.raises(AttributeError):
        await driver.codev.handle_together([question(BOB, "How long?"), event(CLIENT, broken, "Ev-broken")])

    assert await snapshot(driver.sessions) == before
