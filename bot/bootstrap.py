"""The composition root: storage, clock and adapters go in, a running Codev comes out.

Everything is built here and only when asked (never at import time), from arguments, so
tests, the console and the demo pass their own clock and deliverers. `codev run` lands in
`run`, which starts whichever chat adapters are configured.
"""

from __future__ import annotations

import asyncio
import gc
import os
import socket
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery_failures import FailureNotices
from bot.dispatcher import Dispatcher
from bot.flows.model import Language
from bot.inbox import Inbox
from bot.ports import ChatAdapter, Deliverer
from bot.records.retention import purge_expired
from bot.replayed import tell_sender
from bot.scheduler import Scheduler
from bot.scheduler_meetings import MeetingJobs
from bot.scheduler_pacing import ChannelPacer
from bot.service import Codev, new_id
from bot.storage.engine import make_engine, make_session_factory
from bot.storage.journal import Journal
from bot.storage.migrate import upgrade
from bot.storage.outbox import Outbox
from bot.storage.reading import SharedReadConnection, autocommit_units
from bot.storage.uow import UnitOfWork

Clock = Callable[[], datetime]

EXIT_NOT_CONFIGURED = 2


def utc_now() -> datetime:
    return datetime.now(UTC)


def default_worker_id() -> str:
    """Names this process in outbox claims, so a stuck lease can be traced to its owner."""
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True, slots=True)
class App:
    """Codev assembled: the service adapters call, and the dispatcher that delivers.

    `wake` is set after every commit that queued outbox rows, so a dispatcher in `run_forever(app.wake, …)` delivers
    the new outbox rows at once instead of at its next poll.
    """

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    codev: Codev
    dispatcher: Dispatcher
    wake: asyncio.Event
    # The clock that wakes the dispatcher (started by `run`; tests call `run_due` or `start`).
    scheduler: Scheduler
    # What chat adapters call: started by `run` (or a test) before any adapter listens.
    inbox: Inbox

    # Lent to the service's read-only commands; None where they use the pool (not SQLite).
    reads: SharedReadConnection | None = None

    async def close(self) -> None:
        await self.inbox.stop()
        await self.scheduler.close()
        if self.reads is not None:
            await self.reads.close()
        await self.engine.dispose()


async def build(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    deliverers: Mapping[str, Deliverer],
    worker_id: str | None = None,
    ids: Callable[[], str] = new_id,
) -> App:
    """Migrate the database, then wire storage, the service and the dispatcher together."""
    await upgrade(settings.database.url)
    engine = make_engine(settings.database.url)
    sessions = make_session_factory(engine)
    reads = SharedReadConnection(engine) if SharedReadConnection.suits(settings.database.url) else None
    if reads is not None:
        await reads.open()
        read_units: Callable[[], UnitOfWork] | None = reads.unit
    elif engine.dialect.name != "sqlite":
        read_units = autocommit_units(engine)
    else:  # SQLite in memory: one connection for everyone, left as it is
        read_units = None
    wake = asyncio.Event()

    def on_commit() -> None:
        wake.set()
        scheduler.poke()

    codev = Codev(
        sessions,
        clock,
        ids=ids,
        default_language=Language(settings.behaviour.default_language),
        default_timezone=settings.behaviour.default_timezone,
        on_commit=on_commit,
        read_units=read_units,
    )
    meetings = MeetingJobs(sessions, clock, on_commit=on_commit)
    dispatcher = Dispatcher(
        sessions,
        deliverers,
        codev.fire_timer,
        clock,
        worker_id or default_worker_id(),
        on_meeting=meetings.fire,
        # Rounds of 200: a fan-out to many channels goes out in parallel across them.
        batch_size=200,
        # Messages given up on for good: the circle's facilitators are told, once a day per reason.
        on_failed=FailureNotices(sessions, clock, on_commit=on_commit),
        # An adapter states its platform's per-channel pace (Slack: 1 s); fakes need none.
        pacer=ChannelPacer({name: getattr(d, "channel_interval", 0.0) for name, d in deliverers.items()}),
    )
    scheduler = Scheduler(
        dispatcher,
        Outbox(sessions),
        meetings,
        clock,
        platforms=tuple(deliverers),
        sweep_seconds=settings.behaviour.dispatch_interval_seconds,
        retention=lambda: purge_expired(sessions, clock()),
    )
    inbox = Inbox(
        codev,
        Journal(inbox_folder(settings)),
        on_idle=collect_while_idle,
        replayed=tell_sender(deliverers, settings.behaviour.default_language),
        together=codev.handle_together,
    )
    return App(
        engine=engine,
        sessions=sessions,
        codev=codev,
        dispatcher=dispatcher,
        wake=wake,
        scheduler=scheduler,
        inbox=inbox,
        reads=reads,
    )


# Young objects are collected every 10,000 container allocations instead of 700. Between two
# collections a bot makes mostly short-lived objects (a request's, freed by reference counting
# as soon as it is handled), so a collection finds little to do, but at the default rate one
# landed in about one acknowledgement in a hundred, as a pause several times the request's own
# time (bench/slack_ack: thread-reply p99 1.04 ms against 0.45 ms with the collector off).
YOUNG_COLLECTION_EVERY = 10_000
# The middle generation every 50 young collections instead of 10. What it scans is mostly work
# in flight, alive rather than garbage: amid a burst of 1,000 Discord interactions, 100,000
# tasks, coroutines and requests, 85-100 ms during which no answer went out. The inbox collects
# it while idle anyway (`collect_while_idle`).
MIDDLE_COLLECTION_EVERY = 50


def tune_collector() -> None:
    """Once start-up is done: put what it built (modules, engine, adapters: objects that live as
    long as the process) out of the garbage collector's sight, so a full collection scans only
    what came after instead of stalling every request in flight for a tenth of a second; and
    collect the young and middle generations less often (`YOUNG_COLLECTION_EVERY`,
    `MIDDLE_COLLECTION_EVERY`)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, MIDDLE_COLLECTION_EVERY, gc.get_threshold()[2])


def collect_while_idle() -> None:
    """The inbox applied everything: no acknowledgement waits, so the young garbage goes now
    rather than in a collection amid the next burst, where every request in flight would wait
    for it (bench/slack_ack: the p99s the collector's pauses made 1.4-1.8x the bare app's
    came within 1.2x with it off). Only past a quarter of the usual amount: with steady
    traffic the inbox is idle after every event. A full collection that is due goes now too
    (the automatic one took 36-49 ms amid a burst; here, 2-5 ms)."""
    young, _, middle_collections = gc.get_count()
    if middle_collections >= gc.get_threshold()[2]:
        gc.collect()
    elif young >= YOUNG_COLLECTION_EVERY // 4:
        gc.collect(1)


def inbox_folder(settings: Settings) -> Path | None:
    """Where the inbox journal lives: the setting, else beside the SQLite file (the state it
    belongs to), else ./codev-inbox; None for an in-memory database, which keeps nothing."""
    if settings.behaviour.inbox_dir is not None:
        return settings.behaviour.inbox_dir
    url = make_url(settings.database.url)
    if url.get_backend_name() != "sqlite":
        return Path("codev-inbox")
    database = url.database or ""
    if database in ("", ":memory:") or "mode=memory" in str(url):
        return None
    path = Path(database)
    return path.with_name(f"{path.stem}-inbox")


NOT_CONFIGURED = """\
codev: no chat platform is configured, so there is nothing to run.

To connect Codev to Slack, set (in the environment or in .env):
  SLACK_BOT_TOKEN=xoxb-…        the bot token of your Slack app
  SLACK_SIGNING_SECRET=…        its signing secret (HTTP mode: Slack posts to /slack/events)
  or, instead of a public URL, SLACK_APP_TOKEN=xapp-… with SLACK_BOT_TOKEN for Socket Mode.

To connect Codev to Discord, set:
  DISCORD_TOKEN=…               the bot token from the Discord developer portal

See .env.example for every setting. To try Codev without a chat service:
  codev console                 chat with the bot in this terminal
  codev demo                    watch a whole consultation, start to finish
"""


def configured_adapters(settings: Settings) -> tuple[list[ChatAdapter], list[str]]:
    """One adapter per configured platform (SDKs are imported only for those in use), and
    the names of configured platforms this build has no adapter for."""
    adapters: list[ChatAdapter] = []
    missing: list[str] = []
    if settings.slack.configured:
        from bot.adapters.slack.adapter import SlackAdapter

        adapters.append(SlackAdapter(settings))
    if settings.discord.configured:
        from bot.adapters.discord import DiscordAdapter

        adapters.append(DiscordAdapter(settings.discord))
    return adapters, missing


def _not_in_this_build(platforms: list[str]) -> str:
    names = " and ".join(platforms)
    one = len(platforms) == 1
    verb, adapters = ("is", "adapter") if one else ("are", "adapters")
    return (
        f"codev: {names} {verb} configured, but the {names} {adapters} {verb} not part of this build yet.\n"
        "Meanwhile `codev console` (a terminal chat) and `codev demo` run the same bot locally.\n"
    )


async def run(settings: Settings, *, err: TextIO | None = None) -> int:
    """`codev run`: migrate, then serve every configured chat adapter beside the dispatcher."""
    err = err or sys.stderr
    adapters, missing = configured_adapters(settings)
    if missing:
        err.write(_not_in_this_build(missing))
        return EXIT_NOT_CONFIGURED
    if not adapters:
        err.write(NOT_CONFIGURED)
        return EXIT_NOT_CONFIGURED
    app = await build(settings, deliverers={adapter.platform: adapter for adapter in adapters})
    try:
        await app.inbox.start()
        tune_collector()
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(app.scheduler.run_forever())
            for adapter in adapters:
                tasks.create_task(adapter.serve(app.inbox))
    finally:
        await app.close()
    return 0
