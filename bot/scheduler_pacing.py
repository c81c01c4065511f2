"""Per-channel pacing: at most one message per interval in each channel of a platform.

Slack allows about one message per second per channel (bursts aside); a digest fan-out to
a thousand channels must still go out in parallel across channels. The dispatcher delivers
inside `async with paced(platform, channel)`: deliveries to one channel take turns, each
starting at least an interval after the previous one *ended* (so the platform, which counts
arrivals, never sees two closer than that however the requests queue on the way), while other
channels go at once. A 429's Retry-After pushes the channel's next turn back (`hold`).
The interval comes per platform from the composition root (console: none).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager

from bot.flows.effects import DirectMessage, Effect, Post, Reply, SendFile

Sleep = Callable[[float], Awaitable[None]]
# Forget channels idle this long after their last slot, once this many are remembered.
_PRUNE_ABOVE = 10_000


class ChannelPacer:
    def __init__(
        self,
        intervals: Mapping[str, float] | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._intervals = dict(intervals or {})
        self._monotonic = monotonic
        self._sleep = sleep
        self._next: dict[tuple[str, str], float] = {}
        self._turns: dict[tuple[str, str], asyncio.Lock] = {}

    def interval(self, platform: str) -> float:
        return self._intervals.get(platform, 0.0)

    @asynccontextmanager
    async def paced(self, platform: str, channel: str) -> AsyncIterator[None]:
        """Deliver inside this: one delivery at a time per channel, an interval apart."""
        interval = self.interval(platform)
        if interval <= 0:
            yield
            return
        key = (platform, channel)
        turn = self._turns.setdefault(key, asyncio.Lock())
        async with turn:
            wait = self._next.get(key, 0.0) - self._monotonic()
            if wait > 0:
                await self._sleep(wait)
            try:
                yield
            finally:
                self._next[key] = max(self._next.get(key, 0.0), self._monotonic() + interval)
        if len(self._turns) > _PRUNE_ABOVE:
            self._prune(self._monotonic())

    async def turn(self, platform: str, channel: str) -> None:
        """Wait for this channel's next slot (at once on an unpaced platform)."""
        interval = self.interval(platform)
        if interval <= 0:
            return
        key = (platform, channel)
        now = self._monotonic()
        slot = max(now, self._next.get(key, now))
        self._next[key] = slot + interval
        if len(self._next) > _PRUNE_ABOVE:
            self._prune(now)
        if slot > now:
            await self._sleep(slot - now)

    def hold(self, platform: str, channel: str, seconds: float) -> None:
        """The platform said to wait (429 Retry-After): no slot in this channel before then."""
        key = (platform, channel)
        self._next[key] = max(self._next.get(key, 0.0), self._monotonic() + seconds)

    def _prune(self, now: float) -> None:
        for key in [key for key, slot in self._next.items() if slot <= now]:
            del self._next[key]
        for key in [key for key, turn in self._turns.items() if not turn.locked() and key not in self._next]:
            del self._turns[key]


def paced_channel(effect: Effect, channel_id: str) -> str | None:
    """The conversation a message lands in, for pacing: the channel (posts and thread
    replies), or the person's DM; None for what the per-channel limit does not cover
    (card edits, ephemeral notes, forms, timers)."""
    match effect:
        case Post() | Reply():
            return channel_id
        case DirectMessage(user_id=user) | SendFile(user_id=user):
            return f"@{user}"
        case _:
            return None
