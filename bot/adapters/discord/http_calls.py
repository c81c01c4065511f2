"""Thin helpers over discord.py's HTTP client (its routes, buckets and 429 handling), taking
Codev's rendered pieces: content pieces, a card embed, component rows."""

from __future__ import annotations

import functools
from typing import Any

import discord
from discord.http import handle_message_parameters
from discord.utils import MISSING

from bot.adapters.discord.render import NO_MENTIONS
from bot.ports import Progress


def payload_of(params: Any) -> dict[str, Any]:
    payload: dict[str, Any] = params.payload
    return payload


async def send(
    http: discord.http.HTTPClient,
    channel_id: str | int,
    content: str,
    *,
    embed: discord.Embed | None = None,
    rows: list[dict[str, Any]] | None = None,
    mentions: discord.AllowedMentions = NO_MENTIONS,
) -> dict[str, Any]:
    """POST one message; mentions are off unless `mentions` says otherwise."""
    params = handle_message_parameters(
        content=content or None, embed=embed if embed is not None else MISSING, allowed_mentions=mentions
    )
    if rows:
        payload_of(params)["components"] = rows
    data: dict[str, Any] = await http.send_message(channel_id, params=params)  # type: ignore[assignment]
    return data


async def send_id(http: discord.http.HTTPClient, channel_id: str | int, content: str, **options: Any) -> str:
    """`send` (with its options), for the id of the message created."""
    data = await send(http, channel_id, content, **options)
    return str(data["id"])


async def send_all(
    http: discord.http.HTTPClient,
    channel_id: str | int,
    pieces: list[str],
    progress: Progress,
    *,
    rows: list[dict[str, Any]] | None = None,
    mentions: discord.AllowedMentions = NO_MENTIONS,
) -> str:
    """Send the pieces in order, the buttons on the last, each through `progress` (those an
    earlier attempt sent are not sent again); return the first message's id."""
    first = ""
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        sending = functools.partial(send_id, http, channel_id, piece, rows=rows if last else None, mentions=mentions)
        ref = await progress.part(sending)
        first = first or ref or ""
    return first


async def edit_card(
    http: discord.http.HTTPClient,
    channel_id: str | int,
    message_id: str | int,
    embed: discord.Embed,
    rows: list[dict[str, Any]],
) -> None:
    params = handle_message_parameters(embed=embed, allowed_mentions=NO_MENTIONS)
    payload_of(params)["components"] = rows
    await http.edit_message(channel_id, message_id, params=params)
