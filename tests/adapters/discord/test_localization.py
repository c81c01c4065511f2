"""`/codev` in French: the registered command carries the French of its descriptions and choices,
and every text of the group has one."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.adapters.discord import run_sync
from bot.adapters.discord.commands import CodevGroup
from bot.adapters.discord.localize import KEYS, PREFIX, translation
from bot.flows.catalog import MESSAGES

from . import payloads as p
from .fake_discord import FakeDiscord
from .world import MEMBERS, World, settings_for

DISCORD_TEXT_LIMIT = 100  # characters in a command, option or choice description or name


async def synced_codev(tmp_path: Path) -> dict[str, Any]:
    """The `/codev` payload `codev discord-sync` registers in the fake's server."""
    fake = FakeDiscord(members=MEMBERS)
    await fake.start()
    try:
        settings = settings_for(fake, f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}")
        assert await run_sync(settings.discord, out=io.StringIO()) == 0
    finally:
        await fake.stop()
    (put,) = fake.calls_to("PUT", rf"/applications/{fake.app_id}/guilds/{fake.guild_id}/commands")
    (group,) = put.body
    return dict(group)


def option(command: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(o for o in command["options"] if o["name"] == name)
    return found


def texts_of(group: app_commands.Group) -> list[str]:
    """Every description and choice name of the group that Discord shows."""
    texts = [group.description]
    for command in group.walk_commands():
        texts.append(command.description)
        if isinstance(command, app_commands.Command):
            for parameter in command.parameters:
                texts.append(parameter.description)
                texts.extend(choice.name for choice in parameter.choices)
    return texts


@pytest.mark.asyncio
async def test_the_synced_codev_group_is_described_in_french_for_french_discord(tmp_path: Path) -> None:
    group = await synced_codev(tmp_path)

    assert group["description"] == "Co-development circles"
    assert group["description_localizations"] == {"fr": "Cercles de codéveloppement"}


@pytest.mark.asyncio
async def test_a_synced_subcommand_is_described_in_french(tmp_path: Path) -> None:
    group = await synced_codev(tmp_path)

    assert option(group, "help")["description_localizations"] == {"fr": "Ce que vous pouvez faire ici"}


@pytest.mark.asyncio
async def test_a_synced_option_is_described_in_french(tmp_path: Path) -> None:
    group = await synced_codev(tmp_path)

    name = option(option(group, "setup"), "name")
    assert name["description_localizations"] == {"fr": "Le nom du cercle"}


@pytest.mark.asyncio
async def test_a_synced_choice_is_named_in_french(tmp_path: Path) -> None:
    group = await synced_codev(tmp_path)

    choices = option(option(group, "queue"), "action")["choices"]
    swap = next(choice for choice in choices if choice["value"] == "swap")
    assert swap["name"] == "swap"
    assert swap["name_localizations"] == {"fr": "échanger"}


@pytest.mark.asyncio
async def test_subcommand_and_option_names_stay_english_in_every_language(tmp_path: Path) -> None:
    group = await synced_codev(tmp_path)

    subcommands = group["options"]
    assert all(not sub.get("name_localizations") for sub in subcommands)
    assert all(not opt.get("name_localizations") for sub in subcommands for opt in sub["options"])


@pytest.mark.asyncio
async def test_a_server_that_adds_the_running_bot_gets_codev_with_its_french(world: World) -> None:
    fake = world.fake
    new_server = fake.new_id()
    owner = next(iter(fake.members.values()))
    joined = p.guild(new_server, owner.id, [], [p.member(fake.bot)])
    del joined["unavailable"]  # a server the bot was just added to, not one coming back online
    await fake.dispatch("GUILD_CREATE", joined)

    put = await fake.wait_for(
        lambda: fake.calls_to("PUT", rf"/applications/{fake.app_id}/guilds/{new_server}/commands")
    )

    (group,) = put[0].body
    assert group["description_localizations"] == {"fr": "Cercles de codéveloppement"}


def test_every_description_and_choice_of_codev_has_a_french_translation() -> None:
    missing = [text for text in texts_of(CodevGroup()) if translation(text, discord.Locale.french) is None]

    assert missing == []


def test_codev_texts_fit_discords_limit_in_both_languages() -> None:
    too_long = [text for key in KEYS.values() for text in MESSAGES[key] if len(text) > DISCORD_TEXT_LIMIT]

    assert too_long == []


def test_no_two_codev_texts_share_their_english_so_each_finds_its_own_french() -> None:
    keys = [key for key in MESSAGES if key.startswith(PREFIX)]

    assert len(KEYS) == len(keys)
