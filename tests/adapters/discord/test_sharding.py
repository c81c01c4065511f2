"""CODEV_DISCORD_SHARDS runs Codev as an AutoShardedClient."""

from __future__ import annotations

import dataclasses

import pytest

from bot.adapters.discord import DiscordAdapter

from .world import FAST, World


@pytest.mark.asyncio
async def test_with_two_shards_the_bot_identifies_twice_and_still_answers_commands(world: World) -> None:
    fake = world.fake
    await world.disconnect()
    sharded = dataclasses.replace(world.settings, discord=world.settings.discord.model_copy(update={"shards": 2}))
    world.settings = sharded
    world.adapter = DiscordAdapter(sharded.discord, FAST)
    world.app.dispatcher._deliverers["discord"] = world.adapter
    await world.connect()

    shards = sorted(session.shard for session in fake.sessions)
    assert shards == [(0, 2), (1, 2)]
    answers = await world.command("fay", "help", fake.text_id)
    assert answers[0].body["type"] == 4


@pytest.mark.asyncio
async def test_with_shards_set_to_auto_the_bot_asks_discord_how_many_shards_to_run(world: World) -> None:
    fake = world.fake
    await world.disconnect()
    auto = dataclasses.replace(world.settings, discord=world.settings.discord.model_copy(update={"shards": "auto"}))
    world.adapter = DiscordAdapter(auto.discord, FAST)
    world.app.dispatcher._deliverers["discord"] = world.adapter
    await world.connect()

    assert fake.calls_to("GET", r"/gateway/bot")
    assert [session.shard for session in fake.sessions] == [(0, 1)]
