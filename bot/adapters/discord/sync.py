"""Registering `/codev` in each server: `codev discord-sync`, and for a server that just added
the bot. Never on every start: command sync has its own, tight rate limit."""

from __future__ import annotations

import sys
from typing import TextIO

import discord
from discord import app_commands

from bot.adapters.discord.client import make_client, point_at, wire
from bot.adapters.discord.localize import CatalogTranslator
from bot.config import DiscordSettings


async def sync_guilds(tree: app_commands.CommandTree[discord.Client], guild_ids: list[int]) -> list[int]:
    """PUT the command set of each server, with its French; return the servers synced."""
    if tree.translator is None:  # a tree whose client has not logged in through `wire` yet
        await tree.set_translator(CatalogTranslator())
    for guild_id in guild_ids:
        guild = discord.Object(guild_id)
        tree.copy_global_to(guild=guild)
        await tree.sync(guild=guild)
    return guild_ids


async def run_sync(settings: DiscordSettings, *, guild_id: int | None = None, out: TextIO | None = None) -> int:
    """Log in over REST only (no gateway), then sync every server the bot is in, or one."""
    out = out or sys.stdout
    if settings.token is None:
        out.write("codev: DISCORD_TOKEN is not set; nothing to sync.\n")
        return 2
    point_at(settings)
    client = make_client(settings)

    async def nothing(*_: object) -> None:
        return None

    tree = wire(
        client, on_message=nothing, on_interaction=nothing, on_ready=nothing, on_guild_join=nothing, check_intents=False
    )
    async with client:
        await client.login(settings.token.get_secret_value())
        guilds = [guild_id] if guild_id is not None else [guild.id async for guild in client.fetch_guilds(limit=None)]
        await sync_guilds(tree, guilds)
    for synced in guilds:
        out.write(f"codev: /codev is registered in server {synced}\n")
    if not guilds:
        out.write("codev: the bot is in no server yet; invite it first (see docs/discord.md).\n")
    return 0
