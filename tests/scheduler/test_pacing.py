"""Per-channel pacing: one message per interval in each channel, channels in parallel.

Time here is a fake monotonic clock that the fake sleep moves, so nothing really waits.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dispatcher import MAX_PACED_PER_ROUND, Dispatcher, RetryPolicy
from bot.flows.effects import Effect, Post
from bot.ports import Address, Progress
from bot.scheduler_pacing import ChannelPacer
from bot.storage.uow import UnitOfWork

from .helpers import Clock, a_circle, rows, seed, weekly

Sessions = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 10, 20, 12, tzinfo=UTC)


class FakeTime:
    """A monotonic clock and a sleep that moves it: sleeping costs no real time."""

    def __init__(self, *, moves: bool = True) -> None:
        self.now = 0.0
        self.moves = moves  # False: time stands still, sleeps are only recorded
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        target = self.now + seconds
        await asyncio.sleep(0)
        if self.moves:
            self.now = max(self.now, target)


class TimedPlatform:
    platform = "slack"

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.sent: list[tuple[float, str]] = []

    async def deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        self.sent.append((self.time.now, address.channel_id))
        return None


@pytest.mark.asyncio
async def test_messages_to_one_channel_are_spaced_by_the_interval() -> None:
    time = FakeTime()
    pacer = ChannelPacer({"slack": 1.0}, monotonic=time.monotonic, sleep=time.sleep)
    waited: list[float] = []
    for _ in range(3):
        before = time.now
        await pacer.turn("slack", "C1")
        waited.append(time.now - before)

    assert waited == [0.0, 1.0, 1.0]


@pytest.mark.asyncio
async def test_a_paced_delivery_starts_an_interval_after_the_previous_one_ended() -> None:
    time = FakeTime()
    pacer = ChannelPacer({"slack": 1.0}, monotonic=time.monotonic, sleep=time.sleep)
    started: list[float] = []

    async def deliver(duration: float) -> None:
        async with pacer.paced("slack", "C1"):
            started.append(time.now)
            time.now += duration  # the request takes this long

    await asyncio.gather(deliver(0.25), deliver(0.25), deliver(0.25))

    assert started == [0.0, 1.25, 2.5]


@pytest.mark.asyncio
async def test_a_delivery_stopped_while_waiting_for_its_channel_lets_the_next_one_go() -> None:
    time = FakeTime()
    pacer = ChannelPacer({"slack": 1.0}, monotonic=time.monotonic, sleep=time.sleep)
    first_may_end = asyncio.Event()
    started: list[str] = []

    async def deliver(name: str, hold: asyncio.Event | None = None) -> None:
        async with pacer.paced("slack", "C1"):
            started.append(name)
            if hold is not None:
                await hold.wait()

    first = asyncio.create_task(deliver("first", first_may_end))
    stopped = asyncio.create_task(deliver("stopped"))
    last = asyncio.create_task(deliver("last"))
    await asyncio.sleep(0)
    stopped.cancel()
    first_may_end.set()
    await asyncio.gather(first, last, stopped, return_exceptions=True)

    assert started == ["first", "last"]


@pytest.mark.asyncio
async def test_other_channels_and_unpaced_platforms_do_not_wait() -> None:
    time = FakeTime()
    pacer = ChannelPacer({"slack": 1.0}, monotonic=time.monotonic, sleep=time.sleep)

    for channel in ("C1", "C2", "C3"):
        await pacer.turn("slack", channel)
    for _ in range(3):
        await pacer.turn("console", "#circle")

    assert time.now == 0.0


@pytest.mark.asyncio
async def test_a_retry_after_holds_the_channel_back() -> None:
    time = FakeTime()
    pacer = ChannelPacer({"slack": 1.0}, monotonic=time.monotonic, sleep=time.sleep)
    await pacer.turn("slack", "C1")

    pacer.hold("slack", "C1", 5.0)
    await pacer.turn("slack", "C1")

    assert time.now == 5.0


@pytest.mark.asyncio
async def test_the_dispatcher_paces_each_channel_but_serves_channels_side_by_side(sessions: Sessions) -> None:
    for number in (1, 2):
        circle = a_circle("UTC", weekly(1, NOW.time(), NOW.date()), circle_id=f"c{number}", channel=f"C{number}")
        await seed(sessions, circle)
    async with UnitOfWork(sessions) as uow:
        await uow.outbox.add([Post(f"c{n}", f"message {i}") for i in range(3) for n in (1, 2)], NOW)
        await uow.commit()
    time = FakeTime(moves=False)
    platform = TimedPlatform(time)
    pacer = ChannelPacer({"slack": 1.0}, monotonic=time.monotonic, sleep=time.sleep)
    clock = Clock(NOW)

    async def no_timer(row: object) -> None:
        return None

    dispatcher = Dispatcher(sessions, {"slack": platform}, no_timer, clock, "w", pacer=pacer, retry=RetryPolicy())
    await dispatcher.run_once()

    assert sorted(channel for _, channel in platform.sent) == ["C1"] * 3 + ["C2"] * 3
    # In each channel the 2nd and 3rd messages waited their turn, the channels side by side.
    assert time.slept == [1.0] * 4


@pytest.mark.asyncio
async def test_a_burst_to_one_channel_waits_for_later_rounds_instead_of_holding_its_claims(sessions: Sessions) -> None:
    await seed(sessions, a_circle("UTC", weekly(1, NOW.time(), NOW.date()), circle_id="c1", channel="C1"))
    async with UnitOfWork(sessions) as uow:
        await uow.outbox.add([Post("c1", f"message {i}") for i in range(15)], NOW)
        await uow.commit()
    time = FakeTime(moves=False)
    platform = TimedPlatform(time)
    pacer = ChannelPacer({"slack": 1.0}, monotonic=time.monotonic, sleep=time.sleep)

    async def no_timer(row: object) -> None:
        return None

    dispatcher = Dispatcher(sessions, {"slack": platform}, no_timer, Clock(NOW), "w", pacer=pacer)
    await dispatcher.run_once()

    assert len(platform.sent) == MAX_PACED_PER_ROUND
    waiting = [row for row in await rows(sessions) if row.status == "pending"]
    assert len(waiting) == 15 - MAX_PACED_PER_ROUND
    assert all(row.due_at > NOW for row in waiting)
    assert all(row.attempts == 0 for row in waiting)
