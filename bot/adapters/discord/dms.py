"""Private messages: an ephemeral follow-up where the member has an interaction at hand, else a
direct message; when their DMs are closed (Discord code 50007), a mention in the case thread.

"At hand" means the member acted through an interaction (a command, a button, a form) in
this server within the last minutes, about the same thing: on the same case (its card or its
thread), or, for a private notice about no case, in the circle's channel (a direct message
about no case always goes by DM). Its token can still carry
follow-ups, and the member is looking right there. A nudge about a thread reply finds no
interaction about that case, and goes by DM; so does what the adapter itself tells the sender
of a thread message (`direct_or_mention`).
"""

from __future__ import annotations

import asyncio
import functools
import io
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.adapters.discord import http_calls
from bot.adapters.discord.render import NO_MENTIONS, components, split_text
from bot.flows.catalog import t
from bot.flows.effects import Button, DirectMessage, Ephemeral, SendFile
from bot.incoming import Origin
from bot.ports import Address, Progress

log = logging.getLogger(__name__)

AT_HAND_FOR = 2 * 60.0  # seconds an interaction serves for private follow-ups (tokens last 15 min)
RESPONSE_WAIT = 3.0  # the initial response is always sent within Discord's 3 s
DMS_CLOSED = 50007
FALLBACK_PREFIX = "mention:"  # message refs of nudges that fell back to a thread mention


@dataclass(slots=True)
class Handy:
    interaction: discord.Interaction[Any]
    origin: Origin
    case_id: str | None = None
    since: float = field(default_factory=time.monotonic)
    responded: asyncio.Event = field(default_factory=asyncio.Event)
    followups: bool = True  # False once answered with a modal, which takes no follow-ups


class AtHand:
    """The latest interaction of each member, per server."""

    def __init__(self, window: float = AT_HAND_FOR) -> None:
        self._window = window
        self._latest: dict[tuple[str, str], Handy] = {}

    def open(self, origin: Origin, interaction: discord.Interaction[Any], case_id: str | None = None) -> Handy:
        handy = Handy(interaction, origin, case_id)
        self._latest[(origin.workspace_id, origin.user_id)] = handy
        return handy

    async def take(
        self, effect: DirectMessage | Ephemeral | SendFile, address: Address
    ) -> discord.Interaction[Any] | None:
        handy = self._latest.get((address.workspace_id, effect.user_id))
        if handy is None or time.monotonic() - handy.since > self._window or not _about(handy, effect, address):
            return None
        try:
            async with asyncio.timeout(RESPONSE_WAIT):
                await handy.responded.wait()
        except TimeoutError:
            return None
        return handy.interaction if handy.followups else None


def _file(effect: SendFile) -> discord.File:
    return discord.File(io.BytesIO(effect.content.encode("utf-8")), filename=effect.filename)


def _about(handy: Handy, effect: DirectMessage | Ephemeral | SendFile, address: Address) -> bool:
    """Whether the interaction was about what the message is about (its case, or its circle)."""
    if handy.origin.channel_id != address.channel_id:
        return False
    if effect.case_id is None:
        # A direct message about no case comes of someone else's act (a swap of turns to
        # accept): it goes where it lasts and notifies, not onto an interaction of another matter.
        return not isinstance(effect, DirectMessage)
    if handy.case_id == effect.case_id:
        return True
    return handy.origin.thread_ref is not None and handy.origin.thread_ref == address.thread_ref


async def _follow_up_piece(interaction: discord.Interaction[Any], piece: str, view: discord.ui.View | None) -> None:
    if view is None:
        await interaction.followup.send(piece, ephemeral=True, allowed_mentions=NO_MENTIONS)
    else:
        await interaction.followup.send(piece, ephemeral=True, view=view, allowed_mentions=NO_MENTIONS)


def button_view(buttons: tuple[Button, ...]) -> discord.ui.View:
    from bot.adapters.discord.views import action_view

    return action_view(buttons)


class PrivateMessages:
    def __init__(
        self, http: discord.http.HTTPClient, at_hand: AtHand, news: Any, language: Callable[[str], str]
    ) -> None:
        """`language`: of a server (by id), for what the bot adds in its own words."""
        self._http = http
        self._at_hand = at_hand
        self._dm_channels: dict[str, str] = {}
        self._news = news  # ForumThreads: where a forum circle's channel-wide posts go
        self._language = language

    async def send(self, effect: DirectMessage | Ephemeral, address: Address, progress: Progress) -> str | None:
        """Each message through `progress`, whichever way it goes: a retry after a failure
        part-way sends only what is left, there or the other way."""
        interaction = await self._at_hand.take(effect, address)
        if interaction is not None:
            try:
                await self._follow_up(interaction, effect, progress)
                return None
            except discord.NotFound:
                pass  # the token expired meanwhile: fall through to a DM
        return await self.direct_or_mention(effect, address, progress)

    async def direct_or_mention(
        self, effect: DirectMessage | Ephemeral, address: Address, progress: Progress | None = None
    ) -> str:
        """A DM; if their DMs are closed, a mention where `address` points. The message ref."""
        progress = progress or Progress()
        try:
            return await self._direct(effect, address, progress)
        except discord.Forbidden as closed:
            if closed.code != DMS_CLOSED:
                raise
        return await self._mention(effect, address, progress)

    async def send_file(self, effect: SendFile, address: Address) -> str | None:
        """A record (an export, a journal) as an attachment, never shown in a shared place: by
        DM, where it stays (an ephemeral message is gone once Discord reloads); with DMs
        closed, as an ephemeral follow-up if an interaction is at hand."""
        channel = await self._dm_channel(effect.user_id)
        try:
            with discord.http.handle_message_parameters(
                content=split_text(effect.text)[0], file=_file(effect), allowed_mentions=NO_MENTIONS
            ) as params:
                data = await self._http.send_message(channel, params=params)
            return str(data["id"])
        except discord.Forbidden as closed:
            interaction = await self._at_hand.take(effect, address) if closed.code == DMS_CLOSED else None
            if interaction is None:
                raise
        await interaction.followup.send(
            split_text(effect.text)[0], file=_file(effect), ephemeral=True, allowed_mentions=NO_MENTIONS
        )
        return None

    async def _dm_channel(self, user_id: str) -> str:
        channel = self._dm_channels.get(user_id)
        if channel is None:
            data = await self._http.start_private_message(int(user_id))
            channel = self._dm_channels[user_id] = str(data["id"])
        return channel

    async def _follow_up(
        self, interaction: discord.Interaction[Any], effect: DirectMessage | Ephemeral, progress: Progress
    ) -> None:
        pieces = split_text(effect.text)
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            view = button_view(effect.buttons) if last and effect.buttons else None
            await progress.part(functools.partial(_follow_up_piece, interaction, piece, view))

    async def _direct(self, effect: DirectMessage | Ephemeral, address: Address, progress: Progress) -> str:
        channel = await self._dm_channel(effect.user_id)
        rows = components(effect.buttons, (address.workspace_id, address.channel_id))
        return await http_calls.send_all(self._http, channel, split_text(effect.text), progress, rows=rows)

    async def _mention(self, effect: DirectMessage | Ephemeral, address: Address, progress: Progress) -> str:
        """DMs closed: say it in the case's thread (or the circle's channel), pinging only them."""
        # An address names a thread only for what is about a case (the outbox: a case's
        # effects; the adapter: a thread message's sender), so the thread is the case's.
        where = address.thread_ref or await self._news.channel_for_posts(address)
        # Said so, or a note meant for them alone would seem posted in the open by mistake.
        text = t(
            self._language(address.workspace_id), "discord.dm_closed", mention=f"<@{effect.user_id}>", text=effect.text
        )
        rows = components(effect.buttons)
        only_them = discord.AllowedMentions(everyone=False, roles=False, users=[discord.Object(int(effect.user_id))])
        ref = await http_calls.send_all(self._http, where, split_text(text), progress, rows=rows, mentions=only_them)
        log.info("DMs of %s are closed: their note went to %s as a mention (message %s)", effect.user_id, where, ref)
        return FALLBACK_PREFIX + ref
