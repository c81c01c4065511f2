"""Scoping by guild, the message-content intent, command registration and autocomplete."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.adapters.discord import run_sync
from bot.incoming import Incoming, Origin, SlashCommand
from bot.service import Codev
from bot.storage.uow import UnitOfWork

from .fake_discord import FakeDiscord
from .journey import a_case_in_a_thread
from .world import MEMBERS, World, running_world, settings_for


@pytest.mark.asyncio
async def test_a_discord_guild_and_a_slack_workspace_with_the_same_id_hold_separate_circles(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    codev = Codev(sessions, lambda: __import__("datetime").datetime(2026, 12, 1, tzinfo=__import__("datetime").UTC))
    for platform, name in (("discord", "OnDiscord"), ("slack", "OnSlack")):
        origin = Origin(platform, "123456", "C1", "u1", "Una")
        assert not (await codev.handle(Incoming(origin, SlashCommand(f"setup {name}")))).refused

    async with UnitOfWork(sessions) as uow:
        on_discord = await uow.circles.get_by_channel("discord", "123456", "C1")
        on_slack = await uow.circles.get_by_channel("slack", "123456", "C1")
    assert on_discord is not None
    assert on_slack is not None
    assert (on_discord.name, on_slack.name) == ("OnDiscord", "OnSlack")


@pytest.mark.asyncio
async def test_commands_from_discord_name_the_guild_as_workspace_and_the_platform_as_discord(world: World) -> None:
    await world.circle_of(world.fake.text_id)
    async with UnitOfWork(world.app.sessions) as uow:
        circles = await uow.circles.list_all()
    assert [(c.platform, c.workspace_id, c.channel_id) for c in circles] == [
        ("discord", str(world.fake.guild_id), str(world.fake.text_id))
    ]


@pytest.mark.asyncio
async def test_setup_tells_the_facilitator_when_the_message_content_intent_is_missing(database_url: str) -> None:
    async with running_world(database_url, app_flags=0) as world:
        fake = world.fake
        answers = await fake.answered(await fake.slash("fay", "setup", fake.text_id, name="Leaders"), 2)
        texts = [
            call.body["data"]["content"] if call.body.get("type") == 4 else call.body.get("content", "")
            for call in answers
        ]
        assert any("Message Content" in text for text in texts)
        identified = fake.sessions[0].intents
        assert not identified & (1 << 15)  # connected without asking for it (no 4014 loop)


@pytest.mark.asyncio
async def test_discord_sync_registers_the_codev_command_group_in_every_server(tmp_path: Path) -> None:
    fake = FakeDiscord(members=MEMBERS)
    await fake.start()
    try:
        settings = settings_for(fake, f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}")
        assert await run_sync(settings.discord, out=__import__("io").StringIO()) == 0
    finally:
        await fake.stop()
    (put,) = fake.calls_to("PUT", rf"/applications/{fake.app_id}/guilds/{fake.guild_id}/commands")
    (group,) = put.body
    assert group["name"] == "codev"
    subcommands = {option["name"] for option in group["options"]}
    assert {"help", "setup", "join", "submit", "status", "advance", "update", "export", "forget-me"} <= subcommands
    assert len(subcommands) <= 25
    assert fake.identifies == 0  # REST only: no gateway session


@pytest.mark.asyncio
async def test_case_numbers_are_offered_by_autocomplete_from_the_channels_case_threads(world: World) -> None:
    fake = world.fake
    await a_case_in_a_thread(world)

    asked = await fake.autocomplete("fay", "status", "case", "", fake.text_id)
    (answer,) = await fake.answered(asked)

    assert answer.body["type"] == 8
    assert answer.body["data"]["choices"] == [{"name": "Case 1: A conflict in my team", "value": 1}]


@pytest.mark.asyncio
async def test_autocomplete_matches_what_is_typed_whatever_its_case(world: World) -> None:
    fake = world.fake
    await a_case_in_a_thread(world)

    asked = await fake.autocomplete("fay", "status", "case", "CONFLICT", fake.text_id)
    (answer,) = await fake.answered(asked)

    assert [choice["value"] for choice in answer.body["data"]["choices"]] == [1]


@pytest.mark.asyncio
async def test_the_setup_form_offers_the_language_the_facilitators_discord_speaks(world: World) -> None:
    world.fake.locale = "fr"

    (answer,) = await world.fake.answered(await world.fake.slash("fay", "setup", world.fake.text_id))

    inputs = {row["components"][0]["custom_id"]: row["components"][0] for row in answer.body["data"]["components"]}
    assert inputs["language"]["value"] == "Français"
