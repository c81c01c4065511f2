"""A running Codev with its Discord adapter, wired to the fake Discord and a migrated database.

`World` starts the real discord.py client against the fake, the dispatcher beside it, and
offers what members do (commands, presses, forms, thread replies) and what they see.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import tempfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.adapters.discord import DiscordAdapter, Tuning
from bot.adapters.discord import ids as custom_ids
from bot.bootstrap import App, build
from bot.config import DatabaseSettings, DiscordSettings, Settings, load_settings
from bot.inbox import Inbox
from bot.incoming import Incoming, Outcome
from bot.ports import Handler, Intake
from bot.storage.journal import Journal
from bot.storage.outbox import Outbox

from .fake_discord import WAIT, Call, FakeDiscord, Interacted

MEMBERS = ("fay", "ann", "bob", "cy", "dan")
CONSULTANTS = ("bob", "cy", "dan")
FAST = Tuning(answer_within=1.0, guild_ready_timeout=0.05, connect_wait=5.0, identify_spacing=0.0)


def settings_for(
    fake: FakeDiscord, database_url: str, shards: int | None = None, inbox_dir: Path | None = None
) -> Settings:
    discord = DiscordSettings(
        token=SecretStr("fake-token"), api_url=fake.api_url, gateway_url=fake.gateway_url, shards=shards
    )
    loaded = load_settings(env_file=None)
    return dataclasses.replace(
        loaded,
        database=DatabaseSettings(url=database_url),
        discord=discord,
        behaviour=loaded.behaviour.model_copy(update={"inbox_dir": inbox_dir}),
    )


class SlowCore:
    """The core, taking `delay` seconds longer than usual: a slow engine step."""

    def __init__(self, core: Handler, delay: float) -> None:
        self._core, self.delay = core, delay

    async def handle(self, incoming: Incoming) -> Outcome:
        await asyncio.sleep(self.delay)
        return await self._core.handle(incoming)


class World:
    def __init__(self, fake: FakeDiscord, app: App, settings: Settings, tuning: Tuning = FAST) -> None:
        self.fake, self.app, self.settings, self.tuning = fake, app, settings, tuning
        self.adapter = DiscordAdapter(settings.discord, tuning)
        self.core: Intake = app.inbox
        self._inboxes = [app.inbox]  # and one per core a restart brings
        self._tasks: list[asyncio.Task[None]] = []
        self._serving: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.app.inbox.start()
        self.app.dispatcher._deliverers["discord"] = self.adapter  # the adapter of this run
        self._tasks.append(asyncio.create_task(self.app.dispatcher.run_forever(self.app.wake, 0.05)))
        await self.connect()

    async def connect(self) -> None:
        self._serving = asyncio.create_task(self.adapter.serve(self.core))
        await asyncio.wait_for(self.adapter.ready.wait(), WAIT)

    async def restart(
        self, *, core: Handler | None = None, tuning: Tuning | None = None, inbox: Inbox | None = None
    ) -> None:
        """Stop the bot's process (its memory goes) and start a new one, on `core` (behind an
        inbox with a journal of its own) or on `inbox` if given (started by the caller).

        The stop comes once the bot has sent what it owed: a delivery cut off mid-flight would
        hold its case's later messages until its claim's lease ran out, longer than tests wait."""
        await self.drained()
        await self.disconnect()
        if core is not None and inbox is None:
            inbox = Inbox(core, Journal(self.journal_folder()))
            await inbox.start()
        if inbox is not None:
            self.core = inbox
            self._inboxes.append(inbox)
        self.tuning = tuning or self.tuning
        self.adapter = DiscordAdapter(self.settings.discord, self.tuning)
        self.app.dispatcher._deliverers["discord"] = self.adapter
        await self.connect()

    def journal_folder(self) -> Path:
        """A fresh folder for one more inbox journal, beside the app's."""
        assert self.settings.behaviour.inbox_dir is not None
        return self.settings.behaviour.inbox_dir.with_name(f"inbox-{len(self._inboxes)}")

    async def disconnect(self) -> None:
        if self._serving is not None:
            self._serving.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._serving

    async def stop(self) -> None:
        await self.disconnect()
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for inbox in self._inboxes[1:]:
            await inbox.stop()

    async def drained(self) -> None:
        """Wait until every event received is applied and every message due is delivered."""
        outbox = Outbox(self.app.sessions)
        async with asyncio.timeout(WAIT):
            for inbox in self._inboxes:
                await inbox.settle()
            while True:
                due = await outbox.next_due_at()
                if due is None or due > datetime.now(UTC):
                    return
                await asyncio.sleep(0.01)  # the dispatcher is delivering it

    async def settle(self) -> None:
        """Wait until every thread message received so far is applied."""
        for inbox in self._inboxes:
            await inbox.settle()

    # --- members acting ------------------------------------------------------------------

    async def command(self, who: str, sub: str, channel: str | int, **options: Any) -> list[Call]:
        return await self.fake.answered(await self.fake.slash(who, sub, channel, **options))

    async def press(
        self, who: str, message: dict[str, Any], action: str, channel: str | int | None = None
    ) -> Interacted:
        return await self.fake.press(who, message, button_id(message, action), channel)

    async def fill(self, who: str, opened: Interacted, values: dict[str, str], channel: str | int) -> Interacted:
        """Submit the modal an interaction was answered with."""
        modal = (await self.fake.answered(opened))[0].body
        assert modal["type"] == 9, modal
        return await self.fake.submit_modal(who, modal["data"]["custom_id"], values, channel)

    async def circle_of(self, channel: str | int, *members: str) -> None:
        """Fay sets a circle up in `channel`; `members` join it."""
        await self.command("fay", "setup", channel, name="Leaders")
        target = self.fake.in_channel if str(channel) != str(self.fake.forum_id) else None
        if target is not None and str(channel) in self.fake.channels and self.fake.channels[str(channel)]["type"] == 0:
            await self.fake.wait_for(lambda: any("set up" in m["content"] for m in self.fake.in_channel(channel)))
        for who in members:
            await self.join(who, channel)

    async def join(self, who: str, channel: str | int) -> None:
        joined = await self.fake.slash(who, "join", channel)
        await self.fake.answered(joined, 2)  # "Done.", then the charter prompt
        prompt = next(m for m in self.fake.followups[joined.token] if m["components"])
        accepted = await self.press(who, prompt, "accept_charter", channel)
        await self.fake.answered(accepted)

    # --- what members see ------------------------------------------------------------------

    async def card(self, number: int) -> dict[str, Any]:
        def find() -> dict[str, Any] | None:
            for message in self.fake.messages.values():
                for embed in message.get("embeds") or []:
                    if re.match(rf"^Cas[e]? {number}\b", embed.get("title", "")):
                        return message
            return None

        found: dict[str, Any] = await self.fake.wait_for(find)
        return found

    async def phase_shown(self, number: int, phase: str) -> dict[str, Any]:
        async def shown() -> dict[str, Any]:
            while True:
                card = await self.card(number)
                fields = {f["name"]: f["value"] for f in card["embeds"][0].get("fields", [])}
                if fields.get("Phase") == phase:
                    return card
                await asyncio.sleep(0.01)

        return await asyncio.wait_for(shown(), WAIT)


def button_id(message: dict[str, Any], action: str) -> str:
    for row in message.get("components") or []:
        for component in row["components"]:
            custom_id = component.get("custom_id", "")
            if custom_id.startswith("cv:") and custom_ids.decode(custom_id[3:]).action == action:
                return str(custom_id)
            if custom_id.startswith(f"cvf:{action}:"):  # a form's step button: c, s or o
                return str(custom_id)
    raise AssertionError(f"no {action} button on {message.get('components')}")


@contextlib.asynccontextmanager
async def running_world(database_url: str, tuning: Tuning = FAST, **fake_options: Any) -> AsyncIterator[World]:
    fake = FakeDiscord(members=MEMBERS, **fake_options)
    await fake.start()
    folder = tempfile.TemporaryDirectory()
    settings = settings_for(fake, database_url, inbox_dir=Path(folder.name) / "inbox")
    app = await build(settings, deliverers={}, worker_id="discord-test")
    world = World(fake, app, settings, tuning)
    try:
        await world.start()
        yield world
    finally:
        await world.stop()
        await app.close()
        await fake.stop()
        folder.cleanup()
