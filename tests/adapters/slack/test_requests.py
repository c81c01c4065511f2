"""Requests as Slack sends them: redeliveries, double clicks, forged or stale signatures."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.flows.catalog import t
from bot.inbox import Inbox
from bot.incoming import Incoming, Outcome
from bot.storage.journal import Journal
from tests.adapters.slack.scenes import CLIENT, CONSULTANTS, FAC, open_case, start_circle
from tests.adapters.slack.world import HeldCore, SlackWorld, close_world, open_world
from tests.service.helpers import Clock, Place, cases_at, circle_at, contributions_of, snapshot

BOB = CONSULTANTS[0]
SLACK_HOME = Place("slack", "T1", "C1")


@pytest.mark.asyncio
async def test_the_same_event_delivered_four_times_is_applied_once(world: SlackWorld) -> None:
    await start_circle(world)
    card = await open_case(world)
    [case] = await cases_at(world.app.sessions, SLACK_HOME)
    before = len(await contributions_of(world.app.sessions, case.id))
    body = world.message_event(BOB, "How long has this lasted?", thread_ts=card.ts, event_id="Ev0REDELIVERED")

    first = await world.post_json(body)
    retries = [
        await world.post_json(body, headers={"x-slack-retry-num": str(n), "x-slack-retry-reason": "http_timeout"})
        for n in (1, 2, 3)
    ]

    assert [r.status for r in (first, *retries)] == [200] * 4
    contributions = await contributions_of(world.app.sessions, case.id)
    assert len(contributions) == before + 1
    assert contributions[-1].text == "How long has this lasted?"


@pytest.mark.asyncio
async def test_a_file_shared_in_a_case_thread_without_a_word_is_recorded_by_its_link(world: SlackWorld) -> None:
    await start_circle(world)
    card = await open_case(world)
    [case] = await cases_at(world.app.sessions, SLACK_HOME)
    link = "https://team.slack.com/files/UBOB/F1/org-chart.png"

    await world.reply(BOB, "", card, subtype="file_share", files=[{"name": "org-chart.png", "permalink": link}])
    await world.settle()

    assert (await contributions_of(world.app.sessions, case.id))[-1].text == f"📎 org-chart.png {link}"


@pytest.mark.asyncio
async def test_a_file_shared_with_words_in_a_case_thread_is_recorded_with_both(world: SlackWorld) -> None:
    await start_circle(world)
    card = await open_case(world)
    [case] = await cases_at(world.app.sessions, SLACK_HOME)
    link = "https://team.slack.com/files/UBOB/F1/org-chart.png"

    await world.reply(
        BOB, "Who reports to whom?", card, subtype="file_share", files=[{"name": "org-chart.png", "permalink": link}]
    )
    await world.settle()

    assert (await contributions_of(world.app.sessions, case.id))[
        -1
    ].text == f"Who reports to whom?\n📎 org-chart.png {link}"


@pytest.mark.asyncio
async def test_a_button_clicked_twice_changes_nothing_the_second_time(world: SlackWorld) -> None:
    await start_circle(world)
    card = await open_case(world)
    seen = [dict(block) for block in card.blocks]

    await world.click(BOB, "no_more_questions", card, blocks=seen)
    after_first = await snapshot(world.app.sessions)
    await world.click(BOB, "no_more_questions", card, blocks=seen)

    assert await snapshot(world.app.sessions) == after_first


@pytest.mark.asyncio
async def test_a_modal_submitted_twice_is_applied_once(world: SlackWorld) -> None:
    await start_circle(world)
    await world.command(CLIENT, "submit")
    view = world.last_view()
    values = {"kind": "problem", "title": "Twice", "context": "Ctx", "question": "Q?"}

    await world.submit(CLIENT, values, view=view, view_id="VTWICE")
    after_first = await snapshot(world.app.sessions)
    await world.submit(CLIENT, values, view=view, view_id="VTWICE")

    assert await snapshot(world.app.sessions) == after_first
    assert len(await cases_at(world.app.sessions, SLACK_HOME)) == 1


@pytest.mark.asyncio
async def test_a_forged_signature_gets_401_and_changes_nothing(world: SlackWorld) -> None:
    before = await snapshot(world.app.sessions)

    answer = await world.post_form(world.command_body(FAC, "setup Leaders en UTC"), signature="v0=" + "0" * 64)

    assert answer.status == 401
    assert await snapshot(world.app.sessions) == before
    assert world.fake.calls == []


@pytest.mark.asyncio
async def test_a_request_signed_more_than_five_minutes_ago_gets_401_and_changes_nothing(world: SlackWorld) -> None:
    before = await snapshot(world.app.sessions)

    answer = await world.post_form(world.command_body(FAC, "setup Leaders en UTC"), timestamp=int(time.time()) - 301)

    assert answer.status == 401
    assert await snapshot(world.app.sessions) == before


@pytest.mark.asyncio
async def test_a_signed_setup_command_with_arguments_creates_the_circle(world: SlackWorld) -> None:
    answer = await world.command(FAC, "setup Leaders en UTC")

    assert answer.status == 200
    assert "Leaders" in str(answer.answer)
    circle = await circle_at(world.app.sessions, SLACK_HOME)
    assert circle is not None
    assert circle.name == "Leaders"


@pytest.mark.asyncio
async def test_slacks_url_check_is_answered_with_its_challenge(world: SlackWorld) -> None:
    answer = await world.post_json({"token": "legacy", "challenge": "c-42", "type": "url_verification"})

    assert answer.status == 200
    assert answer.json() == {"challenge": "c-42"}


@pytest.mark.asyncio
async def test_the_health_check_answers_without_a_signature(world: SlackWorld) -> None:
    async with world.http.get(f"http://127.0.0.1:{world.adapter.port}/healthz") as health:
        assert health.status == 200
        assert await health.json() == {"ok": True}


@pytest.mark.asyncio
async def test_a_thread_reply_acknowledged_just_before_a_crash_is_applied_when_the_bot_starts_again(
    migrated_url: str, clock: Clock, tmp_path: Path
) -> None:
    world = await open_world(migrated_url, clock)
    folder = tmp_path / "inbox"
    crashed = Inbox(HeldCore(world.app.codev), Journal(folder))
    restarted = Inbox(world.app.codev, Journal(folder))
    try:
        await start_circle(world)
        card = await open_case(world)
        [case] = await cases_at(world.app.sessions, SLACK_HOME)
        await world.adapter.stop()
        await crashed.start()
        await world.adapter.start(crashed)

        acknowledged = await world.reply(BOB, "How long has this lasted?", card)
        by_bob_before_the_crash = [c for c in await contributions_of(world.app.sessions, case.id) if c.author_id == BOB]
        await crashed.stop()  # the crash: acknowledged to Slack, never applied

        replayed = await restarted.start()
        await restarted.settle()
        by_bob = [c.text for c in await contributions_of(world.app.sessions, case.id) if c.author_id == BOB]
    finally:
        await crashed.stop()
        await restarted.stop()
        await close_world(world)

    assert acknowledged.status == 200
    assert by_bob_before_the_crash == []
    assert replayed == 1
    assert by_bob == ["How long has this lasted?"]


class _BrokenCore:
    """A core that fails on everything: a bug, not the database being away."""

    async def handle(self, incoming: Incoming) -> Outcome:
        raise RuntimeError("a bug in applying this event")


@pytest.mark.asyncio
async def test_a_thread_reply_that_is_set_aside_gets_its_author_a_private_note_saying_it_was_not_recorded(
    migrated_url: str, clock: Clock, tmp_path: Path
) -> None:
    world = await open_world(migrated_url, clock)
    broken = Inbox(_BrokenCore(), Journal(tmp_path / "inbox"), retry_pauses=(0.0,))
    try:
        await start_circle(world)
        card = await open_case(world)
        await world.adapter.stop()
        await broken.start()
        await world.adapter.start(broken)
        earlier = len(world.fake.called("chat.postEphemeral"))

        acknowledged = await world.reply(BOB, "How long has this lasted?", card)
        await broken.settle()
        await world.adapter.settle()
        notes = [call.params for call in world.fake.called("chat.postEphemeral")[earlier:]]
    finally:
        await broken.stop()
        await close_world(world)

    assert acknowledged.status == 200
    assert [(note["user"], note["thread_ts"], note["text"]) for note in notes] == [
        (BOB, card.ts, t("en", "slack.reply_not_recorded"))
    ]
    assert (tmp_path / "inbox" / "set-aside.log").read_text().count("a bug in applying this event") == 1
