"""The discord.py client: endpoints, intents, sharding, and where its events go.

`DISCORD_API_URL` and `DISCORD_GATEWAY_URL` re-point discord.py's class-level defaults (its
REST routes, interaction webhooks included, and the gateway), which only tests and proxies
change. With `CODEV_DISCORD_SHARDS` the client is an `AutoShardedClient` with that many
shards (`auto`: as many as Discord recommends); without it, one connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
import yarl
from discord import app_commands

from bot.adapters.discord.commands import CodevGroup
from bot.adapters.discord.localize import CatalogTranslator
from bot.adapters.discord.render import NO_MENTIONS
from bot.adapters.discord.views import ActionButton, FormButton
from bot.config import DiscordSettings

log = logging.getLogger(__name__)

RATE_LIMIT_WAIT = 60.0  # seconds discord.py may sleep on a 429 before raising RateLimited
IDENTIFY_SPACING = 5.0  # seconds between shards' IDENTIFYs


class ContentIntentMissingError(Exception):
    """The application may not read message content (the portal toggle is off)."""


def point_at(settings: DiscordSettings) -> None:
    discord.http.Route.BASE = settings.api_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def intents(read_messages: bool) -> discord.Intents:
    wanted = discord.Intents.default()
    wanted.message_content = read_messages  # privileged: thread replies are contributions
    wanted.typing = wanted.dm_typing = wanted.presences = wanted.members = False
    return wanted


def may_read_messages(application: discord.AppInfo | None) -> bool:
    if application is None:
        return True
    flags = application.flags
    return bool(flags.gateway_message_content or flags.gateway_message_content_limited)


def make_client(
    settings: DiscordSettings,
    *,
    read_messages: bool = True,
    guild_ready_timeout: float = 2.0,
) -> discord.Client:
    options: dict[str, Any] = {
        "intents": intents(read_messages),
        "allowed_mentions": NO_MENTIONS,
        "guild_ready_timeout": guild_ready_timeout,
        "chunk_guilds_at_startup": False,
        "max_ratelimit_timeout": RATE_LIMIT_WAIT,
    }
    if settings.shards == "auto":  # as many shards as Discord recommends (GET /gateway/bot)
        return discord.AutoShardedClient(**options)
    if settings.shards is not None:
        return discord.AutoShardedClient(shard_count=settings.shards, **options)
    return discord.Client(**options)


def wire(
    client: discord.Client,
    *,
    on_message: Callable[[discord.Message], Awaitable[None]],
    on_interaction: Callable[[discord.Interaction[Any]], Awaitable[None]],
    on_ready: Callable[[], Awaitable[None]],
    on_guild_join: Callable[[discord.Guild], Awaitable[None]],
    check_intents: bool,
    identify_spacing: float = IDENTIFY_SPACING,
) -> app_commands.CommandTree[discord.Client]:
    """Give the client its command tree, persistent buttons and event handlers. Logging in
    (`codev run` and `codev discord-sync` alike) installs the tree's translator, so every sync
    carries the French of `/codev`."""
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    tree.add_command(CodevGroup())

    async def setup_hook() -> None:
        await tree.set_translator(CatalogTranslator())
        client.add_dynamic_items(ActionButton, FormButton)
        if check_intents and not may_read_messages(client.application):
            raise ContentIntentMissingError

    async def before_identify_hook(shard_id: int | None, *, initial: bool = False) -> None:
        if not initial:  # Discord allows one IDENTIFY per 5 s (max_concurrency 1)
            await asyncio.sleep(identify_spacing)

    setattr(client, "setup_hook", setup_hook)  # noqa: B010  (discord.py looks handlers up by name)
    setattr(client, "before_identify_hook", before_identify_hook)  # noqa: B010
    setattr(client, "on_message", on_message)  # noqa: B010
    setattr(client, "on_interaction", on_interaction)  # noqa: B010
    setattr(client, "on_ready", on_ready)  # noqa: B010
    setattr(client, "on_guild_join", on_guild_join)  # noqa: B010
    return tree
