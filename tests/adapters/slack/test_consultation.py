"""A whole consultation in Slack: slash commands, modals, buttons and thread replies only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.flows.model import ContributionKind, ItemStatus, Phase
from bot.inbox import Inbox
from bot.storage.journal import Journal
from tests.adapters.slack.scenes import CLIENT, CONSULTANTS, FAC, SUBMISSION, ephemeral_blocks, open_case, start_circle
from tests.adapters.slack.world import HeldCore, SlackWorld, close_world, open_world, section_texts
from tests.service.helpers import HOME, Clock, Place, case_of, cases_at, circle_at, contributions_of

BOB, CY, DAN = CONSULTANTS
SLACK_HOME = Place("slack", "T1", "C1")


async def phase_of(world: SlackWorld) -> Phase:
    [case] = await cases_at(world.app.sessions, SLACK_HOME)
    return case.phase


@pytest.mark.asyncio
async def test_a_whole_consultation_runs_from_setup_to_a_follow_up_update(world: SlackWorld) -> None:
    await start_circle(world)
    card = await open_case(world)
    assert await phase_of(world) is Phase.CLARIFICATION

    # 2 clarification: a question and its answer in the thread, then "no more questions".
    await world.reply(BOB, "How long has this been going on?", card)
    await world.reply(CLIENT, "A mediation, once.", card)
    for consultant in CONSULTANTS:
        await world.click(consultant, "no_more_questions", card)
        await world.deliver()
    assert await phase_of(world) is Phase.CONTRACT

    # 3 contract: the client posts it through a modal, the consultants acknowledge it.
    await world.click(CLIENT, "post_contract", card)
    await world.submit(CLIENT, {"contract": "Help me find a first conversation to have."})
    await world.deliver()
    for consultant in (BOB, CY):
        await world.click(consultant, "ack_can_help", card)
        await world.deliver()
    assert await phase_of(world) is Phase.CONSULTATION

    # 4 consultation: advice in the thread, then "I'm done".
    await world.reply(CY, "You could meet each of them alone first.", card)
    for consultant in CONSULTANTS:
        await world.click(consultant, "done", card)
        await world.deliver()
    assert await phase_of(world) is Phase.ACTION_PLAN

    # 5 action plan through its modal, endorsed by a majority.
    await world.click(CLIENT, "post_plan", card)
    await world.submit(
        CLIENT, {"synthesis": "Talk first.", "actions": "Meet them both (by 2026-12-20)\nWrite a team charter"}
    )
    await world.deliver()
    for consultant in (BOB, DAN):
        await world.click(consultant, "endorse", card)
        await world.deliver()
    assert await phase_of(world) is Phase.LEARNINGS

    # 6 learnings, each through the learning modal.
    for person in (CLIENT, *CONSULTANTS):
        await world.click(person, "share_learning", card)
        await world.submit(person, {"learning": f"{person} learned to listen."})
        await world.deliver()
    assert await phase_of(world) is Phase.FOLLOW_UP

    # Follow-up: /codev update opens the update modal; the update lands in the thread.
    await world.command(CLIENT, "update")
    await world.submit(CLIENT, {"item": "1", "status": "done", "note": "We met on Monday."})
    await world.deliver()

    [case] = await cases_at(world.app.sessions, SLACK_HOME)
    stored = await case_of(world.app.sessions, case.id)
    assert stored.plan is not None
    assert [(item.status, item.note) for item in stored.plan.items] == [
        (ItemStatus.DONE, "We met on Monday."),
        (ItemStatus.OPEN, ""),
    ]
    kinds = [c.kind for c in await contributions_of(world.app.sessions, case.id)]
    for kind in (
        ContributionKind.QUESTION,
        ContributionKind.ANSWER,
        ContributionKind.CONTRACT,
        ContributionKind.ADVICE,
        ContributionKind.PLAN,
        ContributionKind.LEARNING,
        ContributionKind.UPDATE,
    ):
        assert kind in kinds
    in_thread = "\n".join(section_texts(m.blocks) for m in world.fake.posted("C1") if m.thread_ts == card.ts)
    assert "We met on Monday." in in_thread
    # The card was updated in place, never posted again, and ends in follow-up.
    assert len(world.fake.cards("T1")) == 1
    assert "Follow-up" in str(card.blocks)
    assert len(card.history) > 10
    assert FAC not in {c.params.get("user") for c in world.fake.called("views.open")}


@pytest.mark.asyncio
async def test_every_slash_command_is_answered_privately_through_its_response_url_or_with_a_modal(
    world: SlackWorld,
) -> None:
    await start_circle(world)
    await open_case(world)
    modals_before = len(world.fake.called("views.open"))

    status = await world.command(BOB, "status")
    members = await world.command(BOB, "members")
    bogus = await world.command(BOB, "dance")

    assert status.status == 200
    assert status.answer is not None
    assert status.answer["response_type"] == "ephemeral"
    assert "Case 1" in str(status.answer["blocks"])
    assert "uann" in str(members.answer)
    assert "/codev help" in str(bogus.answer)
    assert len(world.fake.called("views.open")) == modals_before


@pytest.mark.asyncio
async def test_settings_opens_a_modal_that_shows_them_and_changes_one(world: SlackWorld) -> None:
    await start_circle(world)

    await world.command(FAC, "settings")
    view = world.last_view()
    await world.submit(FAC, {"name": "window.clarification", "value": "3d"}, view=view)

    assert "window" in section_texts(view["blocks"])
    circle = await circle_at(world.app.sessions, SLACK_HOME)
    assert circle is not None
    assert circle.settings.window(Phase.CLARIFICATION) == timedelta(days=3)


@pytest.mark.asyncio
async def test_settings_for_a_member_who_is_no_facilitator_shows_them_privately_without_a_modal(
    world: SlackWorld,
) -> None:
    await start_circle(world)
    opened = len(world.fake.called("views.open"))  # the setup modal

    await world.command(BOB, "settings")

    assert len(world.fake.called("views.open")) == opened
    assert "facilitator of the circle can change them" in world.fake.responses[-1]["text"]


@pytest.mark.asyncio
async def test_a_refused_modal_submission_keeps_the_modal_open_with_the_reason(world: SlackWorld) -> None:
    await start_circle(world)
    await world.command(FAC, "settings")

    answer = await world.submit(FAC, {"name": "timezone", "value": "Mars/Olympus"})

    assert answer.json()["response_action"] == "errors"
    assert "Mars/Olympus" in str(answer.json()["errors"])


@pytest.mark.asyncio
async def test_a_refused_modal_shows_the_reason_beside_the_field_at_fault(world: SlackWorld) -> None:
    await start_circle(world)
    await world.command(CLIENT, "submit")

    answer = await world.submit(CLIENT, {**SUBMISSION, "question": "   "})

    assert list(answer.json()["errors"]) == ["question"]


@pytest.mark.asyncio
async def test_an_unknown_time_zone_in_the_setup_modal_is_shown_beside_the_time_zone(world: SlackWorld) -> None:
    await world.command(FAC, "setup")

    answer = await world.submit(FAC, {"name": "Leaders", "language": "en", "timezone": "Mars/Olympus"})

    assert list(answer.json()["errors"]) == ["timezone"]


@pytest.mark.asyncio
async def test_a_past_date_in_the_plan_modal_is_shown_beside_the_actions(world: SlackWorld) -> None:
    await start_circle(world)
    card = await open_case(world)
    for _ in range(3):  # clarification → contract → consultation → action plan
        await world.command(FAC, "advance 1")
        await world.deliver()  # the card, with the plan's button
    await world.click(CLIENT, "post_plan", card)

    answer = await world.submit(CLIENT, {"synthesis": "Talk first.", "actions": "Meet them both (by 1999-01-01)"})

    assert list(answer.json()["errors"]) == ["actions"]


@pytest.mark.asyncio
async def test_setup_in_a_channel_the_bot_cannot_post_in_says_how_to_invite_it(world: SlackWorld) -> None:
    world.fake.not_member.add("GPRIVATE")

    answer = await world.command(FAC, "setup", channel="GPRIVATE")

    assert "/invite @Codev" in answer.json()["text"]
    assert world.fake.called("views.open") == []


@pytest.mark.asyncio
async def test_setup_in_a_public_channel_the_bot_is_not_in_joins_it_and_opens_the_form(world: SlackWorld) -> None:
    world.fake.not_member.add("CPUBLIC")

    await world.command(FAC, "setup", channel="CPUBLIC")

    assert [c.params["channel"] for c in world.fake.called("conversations.join")] == ["CPUBLIC"]
    assert len(world.fake.called("views.open")) == 1


@pytest.mark.asyncio
async def test_the_bots_own_messages_edits_and_channel_messages_are_not_contributions(world: SlackWorld) -> None:
    await start_circle(world)
    card = await open_case(world)
    [case] = await cases_at(world.app.sessions, SLACK_HOME)
    before = len(await contributions_of(world.app.sessions, case.id))

    own = world.message_event("UCODEVBOT", "A bot post", thread_ts=card.ts, bot_id="BCODEV")
    edit = world.message_event(
        BOB, "", thread_ts=card.ts, subtype="message_changed", message={"text": "edited?", "user": BOB}
    )
    outside = world.message_event(BOB, "Hello channel", thread_ts=None)
    for body in (own, edit, outside):
        assert (await world.post_json(body)).status == 200
    await world.adapter.settle()

    assert len(await contributions_of(world.app.sessions, case.id)) == before
    assert HOME.channel == "C1"


@pytest.mark.asyncio
async def test_a_slash_command_is_acknowledged_before_it_is_applied_and_answered_through_its_response_url(
    migrated_url: str, clock: Clock, tmp_path: Path
) -> None:
    world = await open_world(migrated_url, clock)
    held = HeldCore(world.app.codev)
    inbox = Inbox(held, Journal(tmp_path / "inbox"))
    try:
        await world.adapter.stop()
        await inbox.start()
        await world.adapter.start(inbox)
        acknowledged = await world.post_form(world.command_body(FAC, "help"))
        answers_while_held = list(world.fake.responses)
        held.release.set()
        await inbox.settle()
        await world.adapter.settle()
    finally:
        await inbox.stop()
        await close_world(world)

    assert acknowledged.status == 200
    assert answers_while_held == []
    [late] = world.fake.responses
    assert late["response_type"] == "ephemeral"
    assert "/codev setup" in str(late["blocks"])


@pytest.mark.asyncio
async def test_withdraw_pressed_again_on_an_unchanged_card_asks_again(world: SlackWorld) -> None:
    await start_circle(world)
    card = await open_case(world)
    await world.click(CLIENT, "withdraw", card)  # its question is gone once Slack reloads

    await world.click(CLIENT, "withdraw", card)

    questions = [
        call
        for call in world.fake.called("chat.postEphemeral")
        if call.params.get("user") == CLIENT and "codev:withdraw:" in str(call.params.get("blocks"))
    ]
    assert len(questions) == 2


@pytest.mark.asyncio
async def test_withdraw_on_the_card_asks_privately_and_its_answer_withdraws_the_case(
    world: SlackWorld,
) -> None:
    await start_circle(world)
    card = await open_case(world)

    await world.click(CLIENT, "withdraw", card)
    await world.click_notice(CLIENT, "withdraw", ephemeral_blocks(world, CLIENT, "withdraw"))
    await world.deliver()

    assert await phase_of(world) is Phase.WITHDRAWN


@pytest.mark.asyncio
async def test_a_reply_under_the_case_announcement_is_answered_privately_that_it_is_not_recorded(
    world: SlackWorld,
) -> None:
    await start_circle(world)
    await open_case(world)
    [announcement] = [m for m in world.fake.posted("C1") if "brings case 1" in section_texts(m.blocks)]

    await world.reply(CONSULTANTS[0], "How long has this been going on?", announcement)
    await world.deliver()

    told = [call for call in world.fake.called("chat.postEphemeral") if call.params.get("user") == CONSULTANTS[0]]
    assert "not a case's" in str(told[-1].params)
