"""Interactions and thread messages handled per second by Codev's Discord adapter, beside a
bare discord.py client that only acknowledges, both against the same fake Discord gateway.

Both clients are the real discord.py 2.7 client, connected to the loopback fake of the tests
(`tests/adapters/discord/fake_discord.py`: aiohttp REST and gateway on 127.0.0.1).

- interactions: N `/codev status 1` slash commands sent as fast as the gateway takes them;
  the rate is N over the time until every one was answered (the callback POST received).
  The bare client answers each with an ephemeral "ok" (callback type 4). A first burst of N,
  untimed, leaves both clients with the HTTP connections a running bot keeps: otherwise the
  timed burst opens one per answer in flight, and the slower a client answers, the fewer it
  opens (the bare client opened 1,000, Codev 11), which flattered Codev.
- adapter alone: the same through Codev's adapter with a core that answers at once, to
  separate the adapter's own cost from the engine's and the database's.
- thread messages: N replies in a case thread (a consultant's questions); the bare client
  counts them in `on_message`, and the rate is N over the time until the last one was counted.
  Codev's adapter accepts each into the inbox (journaled on disk: safe from a crash), and the
  inbox's worker then records it as a contribution (a transaction on the database, plus the
  outbox). Two rates: accepted (N over the time until the last was journaled, the analogue of
  the bare client's count) and applied (until the last was committed).

Rounds alternate (bare, Codev, bare, Codev…), and within Codev's rounds the full core and
the instant one take turns going first; medians are printed with the ratio Codev/bare
against the target 0.8. The database is a temporary SQLite file, or DATABASE_URL when set.

    python -m bench.discord_gateway [--events N] [--rounds R]

This is not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import tempfile
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord

from bot.adapters.discord.client import point_at
from bot.bootstrap import collect_while_idle, tune_collector
from bot.flows.effects import Notice
from bot.inbox import Inbox
from bot.incoming import Incoming, Outcome, ThreadReply
from bot.ports import FollowUp
from bot.service import Codev
from bot.storage.journal import Journal
from tests.adapters.discord.fake_discord import FakeDiscord
from tests.adapters.discord.journey import case_thread, submit_case
from tests.adapters.discord.world import CONSULTANTS, FAST, World, running_world, settings_for

TARGET = 0.8


class Counting:
    """The core, counting thread replies it has finished handling."""

    def __init__(self, core: Codev) -> None:
        self._core = core
        self.replies = 0

    async def handle(self, incoming: Incoming) -> Outcome:
        outcome = await self._core.handle(incoming)
        if isinstance(incoming.payload, ThreadReply):
            self.replies += 1
        return outcome

    async def handle_together(self, incomings: Sequence[Incoming]) -> list[Outcome]:
        outcomes = await self._core.handle_together(incomings)
        self.replies += sum(1 for incoming in incomings if isinstance(incoming.payload, ThreadReply))
        return outcomes


class Accepting(Inbox):
    """The inbox, counting the thread replies it has journaled."""

    accepted = 0

    def accept(self, incoming: Incoming, then: FollowUp | None = None) -> None:
        super().accept(incoming, then)
        if isinstance(incoming.payload, ThreadReply):
            self.accepted += 1


class Instant:
    """A core that answers at once, to weigh the adapter alone (translation, answering)."""

    def __init__(self) -> None:
        self.replies = 0

    async def handle(self, incoming: Incoming) -> Outcome:
        if isinstance(incoming.payload, ThreadReply):
            self.replies += 1
            return Outcome()
        return Outcome(notices=(Notice("ok"),))


async def _until(check: Any, within: float = 120.0) -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("the benchmark round did not finish")
        await asyncio.sleep(0.001)


async def _interactions(fake: FakeDiscord, channel: int, n: int) -> float:
    # Untimed first: a burst opens a connection per answer in flight, and a client whose
    # answers come slower (Codev's read them from the database) opens fewer. Both sides are
    # timed with the connections a running bot keeps, not with the connects they make.
    await _answered(fake, channel, n)
    await _settled()
    tune_collector()  # see _messages
    started = time.perf_counter()
    await _answered(fake, channel, n)
    rate = n / (time.perf_counter() - started)
    await _settled()
    return rate


async def _settled() -> None:
    """Untimed: a burst is over for the fake once it has every answer, but the client is
    still reading the fake's replies to them; that tail must not land in the next window."""
    await asyncio.sleep(0.5)


async def _answered(fake: FakeDiscord, channel: int, n: int) -> None:
    before = len(fake.calls)
    for _ in range(n):
        await fake.slash("bob", "status", channel, case=1)
    await _until(lambda: sum(1 for c in fake.calls[before:] if c.path.endswith("/callback")) >= n)


async def _messages(fake: FakeDiscord, thread: str, n: int, handled: Any) -> float:
    start_count = handled()
    # Every timed window starts from the same collector state, on both sides: what earlier
    # windows left (the fake's records of every call above all) is frozen, so a full
    # collection scans only what this window makes. Otherwise one such collection, 50 to
    # 100 ms, falls into some windows and not others, and decides the ratio.
    tune_collector()
    started = time.perf_counter()
    for i in range(n):
        await fake.say(CONSULTANTS[i % 3], thread, f"Question {i}: how long has this lasted?")
    await _until(lambda: handled() - start_count >= n)
    return n / (time.perf_counter() - started)


async def bare_round(n: int) -> tuple[float, float]:
    fake = FakeDiscord(members=("fay", "ann", *CONSULTANTS))
    await fake.start()
    point_at(settings_for(fake, "sqlite://").discord)
    intents = discord.Intents.default()
    intents.message_content = True
    client = discord.Client(intents=intents, guild_ready_timeout=0.05, chunk_guilds_at_startup=False)
    seen = {"messages": 0}
    ready = asyncio.Event()

    async def on_ready() -> None:
        ready.set()

    async def on_interaction(interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("ok", ephemeral=True)

    async def on_message(message: discord.Message) -> None:
        seen["messages"] += 1

    for handler in (on_ready, on_interaction, on_message):
        setattr(client, handler.__name__, handler)
    serving = asyncio.create_task(client.start("fake-token"))
    try:
        await asyncio.wait_for(ready.wait(), 10)
        tune_collector()  # the same treatment as Codev's client gets
        thread = await fake.open_thread("ann", fake.text_id, "Case 1: bench")
        rates = (await _interactions(fake, fake.text_id, n), await _messages(fake, thread, n, lambda: seen["messages"]))
    finally:
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        await fake.stop()
    return rates


Rates = tuple[float, float, float]  # interactions/s, thread messages accepted/s, applied/s


async def codev_round(n: int, database_url: str, *, instant_first: bool = False) -> tuple[Rates, Rates]:
    first_id = 1_100_000_000_000_000_000 + int(time.time() * 1000) * 1_000_000  # a new server each round
    async with running_world(database_url, FAST, first_id=first_id) as world:
        fake = world.fake
        await world.circle_of(fake.text_id, "ann", *CONSULTANTS)
        await submit_case(world, "ann", fake.text_id)
        thread = await case_thread(world, 1)
        # The two kinds take turns going first: the second runs in a world the first has used.
        if instant_first:
            alone = await _through(world, Instant(), thread, n)
            return await _through(world, Counting(world.app.codev), thread, n), alone
        return await _through(world, Counting(world.app.codev), thread, n), await _through(world, Instant(), thread, n)


async def _through(world: World, core: Counting | Instant, thread: str, n: int) -> Rates:
    together = core.handle_together if isinstance(core, Counting) else None
    # As bootstrap.build does.
    inbox = Accepting(core, Journal(world.journal_folder()), on_idle=collect_while_idle, together=together)
    await inbox.start()
    await world.restart(inbox=inbox)
    tune_collector()  # as `codev run` does once started
    await world.drained()  # untimed: the previous kind's work is done
    interactions = await _interactions(world.fake, world.fake.text_id, n)
    await world.drained()  # untimed: the previous kind's work is done
    started = time.perf_counter()
    accepted = await _messages(world.fake, thread, n, lambda: inbox.accepted)
    await _until(lambda: core.replies >= n)
    applied = n / (time.perf_counter() - started)
    return interactions, accepted, applied


async def main(events: int, rounds: int, database_url: str | None) -> None:
    bare: list[tuple[float, float]] = []
    codev: list[Rates] = []
    adapter: list[Rates] = []
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(rounds):
            bare.append(await bare_round(events))
            url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / f'bench{index}.db'}"
            full, alone = await codev_round(events, url, instant_first=index % 2 == 1)
            codev.append(full)
            adapter.append(alone)
    print(f"Discord gateway benchmark: {events} events per kind, {rounds} rounds, medians")
    print(f"  database: {database_url or 'SQLite (temporary file)'}")
    rows = (
        ("interactions/s", 0, 0),
        ("thread messages accepted/s", 1, 1),
        ("thread messages applied/s", 1, 2),
    )
    for name, bare_column, column in rows:
        b = statistics.median(r[bare_column] for r in bare)
        c = statistics.median(r[column] for r in codev)
        a = statistics.median(r[column] for r in adapter)
        verdict = "meets" if c / b >= TARGET else "below"
        print(f"  {name:27} bare {b:8.1f}   codev {c:8.1f}   ratio {c / b:4.2f}  ({verdict} the {TARGET}x target)")
        print(f"  {'':27} adapter alone (core answering at once) {a:8.1f}   ratio {a / b:4.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import os

    asyncio.run(main(args.events, args.rounds, os.environ.get("DATABASE_URL")))
