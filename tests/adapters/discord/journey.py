"""A whole consultation as members live it on Discord, from `/codev setup` to a follow-up update."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from bot.flows.model import Case, Contribution
from bot.storage.tables import contributions
from bot.storage.uow import UnitOfWork

from . import payloads as p
from .fake_discord import Interacted
from .world import CONSULTANTS, World

SUBMISSION_STEP_1 = {
    "kind": "problem",
    "title": "A conflict in my team",
    "context": "Two senior people no longer talk to each other.",
    "question": "How do I get them working together again?",
}
SUBMISSION_STEP_2 = {"stakes": "The release in March.", "tried": "A joint lunch."}


def form_message(fake: Any, answer_body: dict[str, Any], channel: str | int) -> dict[str, Any]:
    """The ephemeral message an interaction was answered with, as Discord would show it."""
    message = p.message(fake.new_id(), int(channel), fake.bot, answer_body["data"].get("content", ""))
    message["components"] = answer_body["data"].get("components", [])
    message["flags"] = 64
    return message


def form_button(message: dict[str, Any], op: str) -> str:
    for row in message["components"]:
        for component in row["components"]:
            if component["custom_id"].startswith(f"cvf:{op}:"):
                return str(component["custom_id"])
    raise AssertionError(f"no cvf:{op} button in {message['components']}")


async def submit_case(world: World, who: str, channel: str | int) -> Interacted:
    """`/codev submit`: the six fields in two modals (the required ones first); the second's
    submission."""
    fake = world.fake
    opened = await fake.slash(who, "submit", channel)
    step_one = await world.fill(who, opened, SUBMISSION_STEP_1, channel)
    saved = (await fake.answered(step_one))[0].body
    assert saved["type"] == 4
    assert "Step 1 of 2" in saved["data"]["content"]
    message = form_message(fake, saved, channel)
    more = await fake.press(who, message, form_button(message, "c"), channel)
    sent = await world.fill(who, more, SUBMISSION_STEP_2, channel)
    await fake.answered(sent)
    return sent


async def press_card(world: World, who: str, number: int, action: str) -> None:
    card = await world.card(number)
    await world.fake.answered(await world.press(who, card, action))


async def fill_from_card(world: World, who: str, number: int, action: str, values: dict[str, str]) -> None:
    card = await world.card(number)
    opened = await world.press(who, card, action)
    await world.fake.answered(await world.fill(who, opened, values, card["channel_id"]))


async def a_case_in_a_thread(world: World) -> str:
    """Ann's case 1, brought to a circle of the text channel where every consultant joined;
    the id of its thread."""
    await world.circle_of(world.fake.text_id, "ann", *CONSULTANTS)
    await submit_case(world, "ann", world.fake.text_id)
    return await case_thread(world, 1)


async def case_thread(world: World, number: int) -> str:
    """The id of case `number`'s thread (the card message's id, in a text channel or a forum)."""
    card = await world.card(number)
    thread = str(card["id"])
    await world.fake.wait_for(lambda: thread in world.fake.channels)
    for _ in range(500):  # the dispatcher stores the thread as the case's once the post is done
        if await case_in_thread(world, thread) is not None:
            return thread
        await asyncio.sleep(0.01)
    raise AssertionError(f"thread {thread} never became the case's")


async def whole_consultation(world: World, channel: str | int) -> str:
    """Play a consultation in `channel` (a text channel, or a post of a forum); return its thread."""
    fake = world.fake
    await world.command("fay", "setup", channel, name="Leaders")
    for who in ("ann", *CONSULTANTS):
        await world.join(who, channel)
    await submit_case(world, "ann", channel)
    thread = await case_thread(world, 1)
    await world.phase_shown(1, "Clarification")

    await fake.say("bob", thread, "Since when has this been going on?")
    await recorded(world, "Since when has this been going on?")
    for who in CONSULTANTS:
        await press_card(world, who, 1, "no_more_questions")
    await world.phase_shown(1, "Contract")

    await fill_from_card(world, "ann", 1, "post_contract", {"contract": "Help me find a first step."})
    for who in ("bob", "cy"):
        await press_card(world, who, 1, "ack_can_help")
    await world.phase_shown(1, "Consultation")

    await fake.say("cy", thread, "You could meet each of them alone first.")
    await recorded(world, "You could meet each of them alone first.")
    for who in CONSULTANTS:
        await press_card(world, who, 1, "done")
    await world.phase_shown(1, "Action plan")

    plan = {"synthesis": "Start small.", "actions": "Meet each of them alone\nPropose a shared goal"}
    await fill_from_card(world, "ann", 1, "post_plan", plan)
    for who in ("bob", "cy"):
        await press_card(world, who, 1, "endorse")
    await world.phase_shown(1, "Learnings")

    for who in ("ann", *CONSULTANTS):
        await fill_from_card(world, who, 1, "share_learning", {"learning": f"{who} learned to listen."})
    await world.phase_shown(1, "Follow-up")

    opened = await fake.slash("ann", "update", channel)
    update = {"item": "1", "status": "done", "note": "We met, one by one."}
    await fake.answered(await world.fill("ann", opened, update, channel))
    await fake.wait_for(lambda: any("We met, one by one." in m["content"] for m in fake.in_channel(thread)))
    return thread


async def recorded(world: World, text: str) -> None:
    """Wait until a thread reply with `text` is recorded as a contribution."""
    deadline = asyncio.get_running_loop().time() + 5
    while asyncio.get_running_loop().time() < deadline:
        async with world.app.sessions() as session:
            if await session.scalar(select(func.count()).where(contributions.c.text == text)):
                return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{text!r} was never recorded")


async def the_case(world: World) -> tuple[Case, list[Contribution]]:
    async with UnitOfWork(world.app.sessions) as uow:
        circles = await uow.circles.list_all()
        assert len(circles) == 1
        cases = await uow.cases.list_for_circle(circles[0].id, active_only=False)
        assert len(cases) == 1
        return cases[0], await uow.contributions.list_for_case(cases[0].id)


async def case_in_thread(world: World, thread: str) -> Case | None:
    """The case whose thread_ref is `thread` (what thread messages are matched against)."""
    async with UnitOfWork(world.app.sessions) as uow:
        for circle in await uow.circles.list_all():
            if circle.workspace_id == str(world.fake.guild_id):
                found = await uow.cases.get_by_thread(circle.id, thread)
                if found is not None:
                    return found
        return None
