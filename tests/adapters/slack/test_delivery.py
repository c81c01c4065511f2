"""Delivery through the Web API: 429 storms, the per-channel pace, failures that are final."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio

from bot.adapters.slack.adapter import Tuning
from bot.storage.tables import outbox
from tests.adapters.slack.fake_slack import posts_a_card
from tests.adapters.slack.scenes import (
    CLIENT,
    CONSULTANTS,
    FAC,
    SUBMISSION,
    ephemeral_blocks,
    open_case,
    start_circle,
)
from tests.adapters.slack.world import SlackWorld, close_world, open_world, section_texts
from tests.service.helpers import Clock, Place, cases_at, contributions_of

PACE = 0.25


@pytest_asyncio.fixture
async def paced(migrated_url: str, clock: Clock) -> AsyncIterator[SlackWorld]:
    opened = await open_world(migrated_url, clock, tuning=Tuning(pace_seconds=PACE, rate_limit_retries=1))
    yield opened
    await close_world(opened)


async def statuses(world: SlackWorld, *, messages_only: bool = False) -> list[str]:
    query = outbox.select().order_by(outbox.c.id)
    if messages_only:
        query = query.where(outbox.c.kind.not_in(("timer", "meeting")))
    async with world.app.sessions() as session:
        return [row.status for row in await session.execute(query)]


@pytest.mark.asyncio
async def test_a_429_storm_delays_delivery_but_loses_no_message_and_the_pace_holds(
    paced: SlackWorld, clock: Clock
) -> None:
    world = paced
    await world.command(FAC, "setup Leaders en UTC")
    people = (CLIENT, *CONSULTANTS)
    for user in people:
        await world.command(user, "join")
        await world.deliver()
    world.fake.rate_limit("chat.postMessage", times=4, retry_after=0)
    for user in people:  # four welcome posts queue up in the channel
        await world.click_notice(user, "accept_charter", ephemeral_blocks(world, user, "accept_charter"))

    await world.deliver()
    for _ in range(5):  # the dispatcher retries after Retry-After (its own backoff floor)
        clock.advance(timedelta(minutes=1))
        await world.deliver()

    welcomes = [m for m in world.fake.posted("C1") if "Welcome" in section_texts(m.blocks)]
    assert len(welcomes) == len(people)
    assert len(world.fake.called("chat.postMessage")) >= len(people) + 1 + 4  # the 429s were real calls
    assert set(await statuses(world, messages_only=True)) == {"sent"}
    sent = sorted(world.fake.posted("C1"), key=lambda m: m.at)
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(sent)]
    assert min(gaps) >= PACE * 0.9, gaps


@pytest.mark.asyncio
async def test_a_message_to_an_archived_channel_fails_for_good_and_the_facilitator_hears_once(
    world: SlackWorld, clock: Clock
) -> None:
    await start_circle(world)
    world.fake.archived.add("C1")
    await world.command(CLIENT, "leave")  # "X left the circle" goes to the channel
    await world.command("UBOB", "leave")
    await world.command("UCY", "leave")
    await world.deliver()
    await world.deliver()  # the facilitator's notice, by direct message

    assert (await statuses(world)).count("failed") >= 3
    dms = [m for m in world.fake.posted() if m.channel == f"D{FAC}" and "could not deliver" in m.text]
    assert len(dms) == 1
    assert "archived" in section_texts(dms[0].blocks)
    assert "/invite @Codev" in section_texts(dms[0].blocks)


@pytest.mark.asyncio
async def test_a_case_card_that_failed_after_its_announcement_is_retried_without_announcing_twice(
    world: SlackWorld, clock: Clock
) -> None:
    await start_circle(world)
    world.fake.fail("chat.postMessage", "internal_error", matching=posts_a_card)

    await world.command(CLIENT, "submit")
    await world.submit(CLIENT, SUBMISSION)
    await world.deliver()  # the announcement goes, the card fails
    clock.advance(timedelta(minutes=1))
    await world.deliver()

    announcements = [m for m in world.fake.posted("C1") if "brings case 1" in section_texts(m.blocks)]
    assert len(announcements) == 1
    assert len(world.fake.cards()) == 1


@pytest.mark.asyncio
async def test_mention_text_is_neutralised_when_the_bot_shows_it(world: SlackWorld) -> None:
    await start_circle(world)
    card = await open_case(world, title="Help <!channel> and @here", question="What about <!subteam^S123|@leads>?")

    shown = json.dumps(card.blocks, ensure_ascii=False)
    for ping in ("<!channel>", "<!subteam", "@here"):
        assert ping not in shown
    assert "@\u2060channel" in shown
    assert "@\u2060here" in shown
    assert "@\u2060leads" in shown


@pytest.mark.asyncio
async def test_a_10000_character_reply_is_recorded_whole_and_shown_split(world: SlackWorld) -> None:
    await start_circle(world)
    card = await open_case(world)
    advice = ("You should " + " ".join(f"try{n:05d}" for n in range(1300)))[:9_999] + "."
    assert len(advice) == 10_000

    # Advice during clarification is recorded whole, and parked for the consultation phase…
    await world.reply("UBOB", advice, card)
    [case] = await cases_at(world.app.sessions, Place("slack", "T1", "C1"))
    assert (await contributions_of(world.app.sessions, case.id))[-1].text == advice
    await world.deliver()
    await world.click_notice("UBOB", "keep_for_consultation", ephemeral_blocks(world, "UBOB", "keep_for_consultation"))
    for consultant in CONSULTANTS:
        await world.click(consultant, "no_more_questions", card)
    await world.deliver()
    await world.click(CLIENT, "post_contract", card)
    await world.submit(CLIENT, {"contract": "Help me."})
    for consultant in CONSULTANTS[:2]:
        await world.click(consultant, "ack_can_help", card)
    await world.deliver()

    # …where the bot posts it in the thread: split into sections, none over Slack's limit.
    [shown] = [m for m in world.fake.posted("C1") if m.thread_ts == card.ts and "try01000" in section_texts(m.blocks)]
    sections = [b["text"]["text"] for b in shown.blocks if b.get("type") == "section"]
    assert len(sections) >= 4
    assert all(len(text) <= 3000 for text in sections)
    assert "try00000" in sections[0]
    assert "try01000" in "".join(sections)


@pytest.mark.asyncio
async def test_an_exported_case_record_arrives_as_a_file_in_a_direct_message(world: SlackWorld) -> None:
    await start_circle(world)
    await open_case(world)

    await world.command(CLIENT, "export 1")
    await world.deliver()

    [complete] = world.fake.called("files.completeUploadExternal")
    assert complete.params["channel_id"] == f"D{CLIENT}"
    assert len(world.fake.called("files.getUploadURLExternal")) == 1
    [uploaded] = world.fake.uploads.values()
    assert b"A conflict in my team" in uploaded


@pytest.mark.asyncio
async def test_calls_to_slack_one_after_another_reuse_one_connection(world: SlackWorld) -> None:
    await start_circle(world)  # setup, joins, charters: posts, private notes, modals
    calls = [call for call in world.fake.calls if call.method != "auth.test"]

    assert len(calls) > 10
    assert len({call.peer for call in calls}) < len(calls) / 5
