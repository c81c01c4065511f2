"""User text on Discord: mentions never ping, long texts are kept whole and shown split."""

from __future__ import annotations

from typing import Any

import pytest

from bot.adapters.discord.render import MAX_CONTENT
from bot.storage.uow import UnitOfWork

from .journey import a_case_in_a_thread, case_thread, recorded, submit_case
from .world import CONSULTANTS, World, button_id

EVERYONE_ADVICE = "@everyone you should all just talk it out, and <@&1234> too."


async def park_and_release(world: World, who: str, text: str) -> str:
    """`who` writes advice during clarification, keeps it from the DM nudge, and the facilitator
    moves the case to consultation, where the bot posts the kept text. Returns the thread."""
    fake = world.fake
    await world.circle_of(fake.text_id, "ann", *CONSULTANTS)
    await submit_case(world, "ann", fake.text_id)
    await world.phase_shown(1, "Clarification")
    thread = await case_thread(world, 1)
    await fake.say(who, thread, text)
    nudge = await fake.wait_for(lambda: [m for m in fake.dm_messages(who) if m["components"]])
    kept = await fake.press(who, nudge[0], button_id(nudge[0], "keep_for_consultation"))
    await fake.answered(kept)
    for _ in range(2):
        await world.command("fay", "advance", thread)
    await world.phase_shown(1, "Consultation")
    return thread


def bot_posts(world: World, thread: str, marker: str) -> list[dict[str, Any]]:
    bot = world.fake.bot["id"]
    return [m for m in world.fake.in_channel(thread) if marker in m["content"] and m["author"]["id"] == bot]


@pytest.mark.asyncio
async def test_everyone_in_a_reply_pings_no_one_when_the_bot_shows_it(world: World) -> None:
    thread = await park_and_release(world, "bob", EVERYONE_ADVICE)

    shown = await world.fake.wait_for(lambda: bot_posts(world, thread, "@everyone you should"))
    assert shown[0]["allowed_mentions"] == {"parse": []}
    sent = world.fake.calls_to("POST", r"/channels/\d+/messages") + world.fake.calls_to("POST", r"/webhooks/.*")
    assert sent
    assert all(call.body.get("allowed_mentions") == {"parse": []} for call in sent if call.status == 200)


@pytest.mark.asyncio
async def test_a_5000_character_reply_is_recorded_whole_and_shown_in_pieces_within_2000(world: World) -> None:
    words = "You should try a different approach with them " * 120
    text = words[:5000].strip() + "."
    thread = await park_and_release(world, "cy", text)

    pieces = await world.fake.wait_for(
        lambda: (found := bot_posts(world, thread, "different approach")) and len(found) >= 3 and found
    )
    assert all(len(piece["content"]) <= MAX_CONTENT for piece in pieces)
    shown = " ".join(piece["content"] for piece in pieces)
    assert text.split()[-30:] == shown.split()[-30:]
    async with UnitOfWork(world.app.sessions) as uow:
        circle = (await uow.circles.list_all())[0]
        case = (await uow.cases.list_for_circle(circle.id, active_only=False))[0]
        recorded = [c.text for c in await uow.contributions.list_for_case(case.id) if c.author_id != case.client_id]
    assert text in recorded


@pytest.mark.asyncio
async def test_replies_written_in_quick_succession_in_a_thread_are_recorded_in_their_order(world: World) -> None:
    fake = world.fake
    thread = await a_case_in_a_thread(world)
    questions = [f"Question {n}: who decides here?" for n in range(12)]

    for n, question in enumerate(questions):
        await fake.say(CONSULTANTS[n % 3], thread, question)
    await recorded(world, questions[-1])

    async with UnitOfWork(world.app.sessions) as uow:
        circle = (await uow.circles.list_all())[0]
        case = (await uow.cases.list_for_circle(circle.id, active_only=False))[0]
        texts = [c.text for c in await uow.contributions.list_for_case(case.id) if c.text.startswith("Question")]
    assert texts == questions


@pytest.mark.asyncio
async def test_a_reply_in_a_thread_the_bot_has_not_seen_since_it_restarted_is_still_recorded(world: World) -> None:
    fake = world.fake
    thread = await a_case_in_a_thread(world)
    fake.hide_threads = True
    await world.restart()

    await fake.say("bob", thread, "Who else knows about this?")

    await recorded(world, "Who else knows about this?")
    assert fake.calls_to("GET", rf"/channels/{thread}")  # its parent channel was asked for once


@pytest.mark.asyncio
async def test_a_long_reply_whose_second_piece_failed_is_resent_from_that_piece_only(world: World) -> None:
    fake = world.fake
    first_half = ("You should try a different approach with them " * 60)[:2500]
    second_half = ("Zebra crossings calm the traffic down " * 70)[:2500]
    text = f"{first_half.strip()} {second_half.strip()}."
    fake.fail(
        "POST",
        r"/channels/\d+/messages",
        503,
        {"message": "Service Unavailable", "code": 0},
        matching=lambda body: isinstance(body, dict) and "Zebra" in (body.get("content") or ""),
    )

    thread = await park_and_release(world, "cy", text)

    pieces = await fake.wait_for(
        lambda: (found := bot_posts(world, thread, "Zebra")) and found[-1]["content"].endswith(".") and found
    )
    starts = bot_posts(world, thread, "given early and kept for the consultation")
    assert len(starts) == 1
    assert len(pieces) == 2


@pytest.mark.asyncio
async def test_a_file_shared_in_a_thread_is_recorded_by_its_name_and_a_link_to_the_message(world: World) -> None:
    fake = world.fake
    thread = await a_case_in_a_thread(world)

    message_id = await fake.say("bob", thread, "Who reports to whom?", files=("org-chart.png",))

    link = f"https://discord.com/channels/{fake.guild_id}/{thread}/{message_id}"
    await recorded(world, f"Who reports to whom?\n📎 org-chart.png {link}")


@pytest.mark.asyncio
async def test_a_file_shared_in_a_thread_without_a_word_is_still_recorded(world: World) -> None:
    fake = world.fake
    thread = await a_case_in_a_thread(world)

    message_id = await fake.say("bob", thread, "", files=("org-chart.png", "notes.pdf"))

    link = f"https://discord.com/channels/{fake.guild_id}/{thread}/{message_id}"
    await recorded(world, f"📎 org-chart.png, notes.pdf {link}")
