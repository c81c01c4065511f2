"""A whole consultation on Discord, in a text channel and in a forum channel."""

from __future__ import annotations

import pytest

from bot.flows.model import ContributionKind, Phase

from .journey import case_in_thread, form_message, submit_case, the_case, whole_consultation
from .world import CONSULTANTS, World, button_id


@pytest.mark.asyncio
async def test_a_whole_consultation_runs_in_a_text_channel_with_the_case_in_a_thread_of_its_card(world: World) -> None:
    fake = world.fake
    thread = await whole_consultation(world, fake.text_id)

    case, contributions = await the_case(world)
    assert case.phase is Phase.FOLLOW_UP
    assert await case_in_thread(world, thread) == case
    card = fake.messages[thread]
    assert card["channel_id"] == str(fake.text_id)  # the card is in the channel, its thread starts from it
    assert fake.channels[thread]["parent_id"] == str(fake.text_id)
    kinds = [entry.kind for entry in contributions]
    for kind in (
        ContributionKind.QUESTION,
        ContributionKind.CONTRACT,
        ContributionKind.ADVICE,
        ContributionKind.PLAN,
        ContributionKind.LEARNING,
        ContributionKind.UPDATE,
    ):
        assert kind in kinds


@pytest.mark.asyncio
async def test_a_whole_consultation_runs_in_a_forum_with_the_case_as_a_post_tagged_by_phase(world: World) -> None:
    fake = world.fake
    lobby = await fake.open_thread("fay", fake.forum_id, "Our circle")
    thread = await whole_consultation(world, lobby)

    case, _ = await the_case(world)
    assert case.phase is Phase.FOLLOW_UP
    assert await case_in_thread(world, thread) == case
    post = fake.channels[thread]
    assert post["parent_id"] == str(fake.forum_id)
    tags = {tag["id"]: tag["name"] for tag in fake.channels[str(fake.forum_id)]["available_tags"]}
    assert [tags[tag] for tag in post["applied_tags"]] == ["Follow-up"]
    assert {"Clarification", "Contract", "Consultation", "Action plan", "Learnings", "Follow-up"} <= set(tags.values())
    assert not fake.calls_to("POST", rf"/channels/{fake.forum_id}/messages")  # a forum takes posts only


@pytest.mark.asyncio
async def test_a_case_is_posted_untagged_in_a_forum_that_refuses_another_tag(world: World) -> None:
    fake = world.fake
    lobby = await fake.open_thread("fay", fake.forum_id, "Our circle")
    await world.circle_of(lobby, "ann", *CONSULTANTS)
    too_many = {"code": 50035, "message": "Invalid Form Body", "errors": {"available_tags": "Must be 20 or fewer"}}
    fake.fail("PATCH", rf"^/channels/{fake.forum_id}$", 400, too_many, times=10)

    await submit_case(world, "ann", lobby)

    [post] = await fake.wait_for(lambda: [t for t in fake.threads(fake.forum_id) if t["name"].startswith("Case 1")])
    assert post.get("applied_tags", []) == []


@pytest.mark.asyncio
async def test_withdraw_on_the_card_asks_privately_and_its_answer_withdraws_the_case(world: World) -> None:
    fake = world.fake
    await world.circle_of(fake.text_id, "ann", *CONSULTANTS)
    await submit_case(world, "ann", fake.text_id)
    card = await world.card(1)

    asked = await fake.press("ann", card, button_id(card, "withdraw"))
    (answer,) = await fake.answered(asked)
    question = form_message(fake, answer.body, fake.text_id)
    await fake.press("ann", question, button_id(question, "withdraw"))

    await world.phase_shown(1, "Withdrawn")
    assert (await the_case(world))[0].phase is Phase.WITHDRAWN
