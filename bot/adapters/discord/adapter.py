"""`DiscordAdapter`: the Discord platform as Codev's `ChatAdapter`.

`serve(core)` runs the discord.py client until cancelled: slash commands, buttons, modals and
thread messages become incoming events for the core. `deliver` renders outbox effects through
the same client's HTTP session (and its rate-limit handling).

Reading thread replies needs the privileged Message Content intent. When the application may
not use it (the portal toggle is off), the adapter connects without it, never records blank
replies, and tells the facilitator at `/codev setup`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import discord

from bot.adapters.discord.client import IDENTIFY_SPACING, ContentIntentMissingError, make_client, point_at, wire
from bot.adapters.discord.deliver import Delivery
from bot.adapters.discord.dms import AT_HAND_FOR, AtHand, PrivateMessages
from bot.adapters.discord.forum import ForumThreads
from bot.adapters.discord.localize import guild_language
from bot.adapters.discord.sync import sync_guilds
from bot.adapters.discord.translate import ANSWER_WITHIN, PLATFORM, Interactions
from bot.adapters.discord.views import MODAL_TIMEOUT, PendingForms, register
from bot.config import DiscordSettings
from bot.flows.effects import Effect
from bot.ports import Address, DeliveryError, Intake, Progress

log = logging.getLogger(__name__)

CONNECT_WAIT = 30.0  # seconds a delivery waits for the client to log in before retrying later


@dataclass(frozen=True, slots=True)
class Tuning:
    """Timings tests and benchmarks shorten; production keeps the defaults."""

    answer_within: float = ANSWER_WITHIN
    guild_ready_timeout: float = 2.0
    connect_wait: float = CONNECT_WAIT
    at_hand_for: float = AT_HAND_FOR
    identify_spacing: float = IDENTIFY_SPACING
    modal_timeout: float = MODAL_TIMEOUT


class DiscordAdapter:
    platform: str = PLATFORM

    def __init__(self, settings: DiscordSettings, tuning: Tuning | None = None) -> None:
        if settings.token is None:
            raise ValueError("the Discord adapter needs DISCORD_TOKEN")
        self._settings = settings
        self._token = settings.token.get_secret_value()
        self._tuning = tuning or Tuning()
        self._at_hand = AtHand(self._tuning.at_hand_for)
        self._forms = PendingForms()
        self._client: discord.Client | None = None
        self._delivery: Delivery | None = None
        self._logged_in = asyncio.Event()
        self.ready = asyncio.Event()  # set once the gateway session is ready (tests wait on it)
        self.reads_messages = True
        self._parents: dict[int, int | None] = {}

    # --- ChatAdapter ---------------------------------------------------------------------

    async def serve(self, core: Intake) -> None:
        point_at(self._settings)
        while True:
            try:
                await self._serve_once(core)
                return
            except (ContentIntentMissingError, discord.PrivilegedIntentsRequired):
                if not self.reads_messages:
                    raise
                log.warning(
                    "the Message Content intent is not enabled for this bot in the Discord developer portal: "
                    "connecting without it; thread replies cannot be recorded until it is (see docs/discord.md)"
                )
                self.reads_messages = False

    async def deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        try:
            async with asyncio.timeout(self._tuning.connect_wait):
                await self._logged_in.wait()
        except TimeoutError:
            raise DeliveryError("the Discord client is not connected yet") from None
        assert self._delivery is not None
        return await self._delivery.deliver(effect, address, progress)

    # --- inside --------------------------------------------------------------------------

    async def _serve_once(self, core: Intake) -> None:
        client = make_client(
            self._settings, read_messages=self.reads_messages, guild_ready_timeout=self._tuning.guild_ready_timeout
        )
        forums = ForumThreads(client)
        # Shared: deliveries and thread replies.
        private = PrivateMessages(
            client.http, self._at_hand, forums, lambda guild_id: guild_language(client.get_guild(int(guild_id)))
        )
        interactions = Interactions(
            core,
            self._at_hand,
            self._forms,
            private,
            reads_messages=lambda: self.reads_messages,
            parent_of=self._parent_of,
            answer_within=self._tuning.answer_within,
            modal_timeout=self._tuning.modal_timeout,
        )
        register(client, interactions)

        async def on_ready() -> None:
            self.ready.set()

        async def on_guild_join(guild: discord.Guild) -> None:
            try:
                await sync_guilds(tree, [guild.id])
            except discord.HTTPException:
                log.exception("could not register /codev in the new server %s", guild.id)

        tree = wire(
            client,
            on_message=interactions.message,
            on_interaction=interactions.lost_form,
            on_ready=on_ready,
            on_guild_join=on_guild_join,
            check_intents=self.reads_messages,
            identify_spacing=self._tuning.identify_spacing,
        )
        self._client = client
        async with client:
            await client.login(self._token)
            self._delivery = Delivery(client, private, forums)
            self._logged_in.set()
            try:
                await client.connect(reconnect=True)
            finally:
                self._logged_in.clear()
                self.ready.clear()
                self._client = None

    async def _parent_of(self, thread_id: int) -> int | None:
        if thread_id not in self._parents:
            client = self._client
            if client is None:
                return None
            try:
                channel: Any = await client.fetch_channel(thread_id)
            except discord.HTTPException:
                return None
            self._parents[thread_id] = getattr(channel, "parent_id", None)
        return self._parents[thread_id]
