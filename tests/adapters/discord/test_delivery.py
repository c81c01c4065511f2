"""Delivery through discord.py's HTTP: 429s waited out, lost access recorded, closed DMs."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest
from sqlalchemy import select

from bot.flows.catalog import t
from bot.storage.tables import outbox

from .journey import a_case_in_a_thread, recorded, submit_case
from .world import CONSULTANTS, FAST, World


async def outbox_rows(world: World) -> list[tuple[str, str, str | None, str | None]]:
    async with world.app.sessions() as session:
        rows = await session.execute(select(outbox.c.kind, outbox.c.status, outbox.c.message_ref, outbox.c.last_error))
        return [tuple(row) for row in rows]  # type: ignore[misc]


@pytest.mark.asyncio
async def test_a_429_with_retry_after_on_message_creation_delays_delivery_and_loses_nothing(world: World) -> None:
    fake = world.fake
    await world.circle_of(fake.text_id)
    fake.rate_limit("POST", rf"/channels/{fake.text_id}/messages", retry_after=0.4)

    await world.join("ann", fake.text_id)  # the circle's channel hears "Welcome to Ann"

    welcome = await fake.wait_for(
        lambda: [m for m in fake.in_channel(fake.text_id) if "Welcome to Ann" in m["content"]]
    )
    assert len(welcome) == 1
    limited, delivered = fake.calls_to("POST", rf"/channels/{fake.text_id}/messages")[-2:]
    assert (limited.status, delivered.status) == (429, 200)
    assert delivered.at - limited.at >= 0.4
    assert delivered.body == limited.body
    for _ in range(300):
        messages = [status for kind, status, _, _ in await outbox_rows(world) if kind != "timer"]
        if "pending" not in messages and "claimed" not in messages:
            break
        await asyncio.sleep(0.01)
    assert set(messages) == {"sent"}


@pytest.mark.asyncio
async def test_a_post_to_a_channel_the_bot_lost_access_to_fails_for_good_and_is_recorded(world: World) -> None:
    fake = world.fake
    await world.circle_of(fake.text_id)
    fake.fail("POST", rf"/channels/{fake.text_id}/messages", 403, {"message": "Missing Access", "code": 50001}, times=5)

    await world.join("ann", fake.text_id)

    async def failed() -> list[tuple[str, str, str | None, str | None]]:
        return [row for row in await outbox_rows(world) if row[1] == "failed"]

    for _ in range(300):
        rows = await failed()
        if rows:
            break
        await asyncio.sleep(0.01)
    assert rows
    assert "50001" in (rows[0][3] or "")
    assert len(fake.calls_to("POST", rf"/channels/{fake.text_id}/messages")) == 2  # setup's post, then one try

    def told() -> list[str]:
        private = [m["content"] for m in fake.dm_messages("fay")]
        private += [m["content"] for messages in fake.followups.values() for m in messages]
        return [text for text in private if "missing_access" in text]

    assert await fake.wait_for(told)  # the facilitator hears of it


async def nudged_with_dms_closed(world: World) -> tuple[int, list[dict[str, Any]]]:
    """Bob, his DMs closed, gives advice during clarification: the guardrail's private nudge
    (and its button) must reach him. His id, and the thread's messages mentioning him."""
    fake = world.fake
    thread = await a_case_in_a_thread(world)
    bob = fake.members["bob"].id
    fake.closed_dms.add(str(bob))

    await fake.say("bob", thread, "You should talk to them both together.")

    return bob, await fake.wait_for(
        lambda: [m for m in fake.in_channel(thread) if m["content"].startswith(f"<@{bob}>")]
    )


@pytest.mark.asyncio
async def test_a_member_with_closed_dms_still_gets_their_nudge_in_the_case_thread(world: World) -> None:
    fake = world.fake
    bob, nudges = await nudged_with_dms_closed(world)

    mentions = nudges[0]["allowed_mentions"]
    assert mentions["parse"] == []  # no @everyone, no roles
    assert [str(user) for user in mentions["users"]] == [str(bob)]
    assert nudges[0]["components"]  # "keep it for the consultation phase" still offered
    assert fake.calls_to("POST", r"/users/@me/channels")  # a DM was tried first
    assert not fake.dm_messages("bob")
    await recorded(world, "You should talk to them both together.")
    for _ in range(300):
        refs = [ref for kind, status, ref, _ in await outbox_rows(world) if kind == "ephemeral" and status == "sent"]
        if any(ref and ref.startswith("mention:") for ref in refs):
            break  # the fallback is on record
        await asyncio.sleep(0.01)
    else:
        raise AssertionError("the fallback to a mention was not recorded")


@pytest.mark.asyncio
async def test_a_note_that_falls_back_to_the_thread_says_why_it_is_not_private(world: World) -> None:
    bob, nudges = await nudged_with_dms_closed(world)

    opening = t("en", "discord.dm_closed", mention=f"<@{bob}>", text="")
    assert nudges[0]["content"].startswith(opening)


@pytest.mark.asyncio
async def test_a_nudge_about_a_press_on_the_card_comes_as_an_ephemeral_follow_up_not_a_dm(world: World) -> None:
    fake = world.fake
    await world.circle_of(fake.text_id, "ann", *CONSULTANTS)
    await submit_case(world, "ann", fake.text_id)
    card = await world.card(1)
    await world.restart(tuning=dataclasses.replace(FAST))

    pressed = await world.press("ann", card, "no_more_questions")  # not for the client: a private refusal
    answers = await fake.answered(pressed)

    assert answers[0].body["type"] == 4
    assert answers[0].body["data"]["flags"] & 64
    assert not fake.dm_messages("ann")


@pytest.mark.asyncio
async def test_a_case_export_reaches_its_client_as_a_markdown_attachment_in_a_direct_message(world: World) -> None:
    fake = world.fake
    await a_case_in_a_thread(world)

    await world.command("ann", "export", fake.text_id, case=1)

    sent = await fake.wait_for(lambda: [m for m in fake.dm_messages("ann") if m["files"]])
    ((name, content),) = sent[0]["files"].items()
    assert name.endswith(".md")
    assert "A conflict in my team" in content
    assert not [m for m in fake.in_channel(fake.text_id) if m.get("files")]  # never in a shared place


@pytest.mark.asyncio
async def test_a_case_export_asked_in_its_thread_still_arrives_by_direct_message_where_it_stays(world: World) -> None:
    fake = world.fake
    thread = await a_case_in_a_thread(world)

    await world.command("ann", "export", thread, case=1)

    sent = await fake.wait_for(lambda: [m for m in fake.dm_messages("ann") if m["files"]])
    assert list(sent[0]["files"]) == ["case-1.md"]


@pytest.mark.asyncio
async def test_with_dms_closed_a_case_export_comes_as_a_private_follow_up_of_the_command(world: World) -> None:
    fake = world.fake
    thread = await a_case_in_a_thread(world)
    fake.closed_dms.add(str(fake.members["ann"].id))

    exported = await fake.slash("ann", "export", thread, case=1)

    answers = await fake.wait_for(lambda: [c for c in fake.answers(exported) if c.body.get("files")])
    assert answers[0].body.get("flags", 0) & 64  # ephemeral: seen by Ann alone
