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
import collections
import time
from collections.abc import Awaitable, Callable, Mapping

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
        # Channels with a delivery under way, and the deliveries queued behind it in order.
        self._busy: dict[tuple[str, str], collections.deque[asyncio.Future[None]]] = {}

    def interval(self, platform: str) -> float:
        return self._intervals.get(platform, 0.0)

    def paced(self, platform: str, channel: str) -> _Turn:
        """Deliver inside this (`async with`): one delivery at a time per channel, an
        interval apart."""
        return _Turn(self, platform, channel)

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

    def ready(self, platform: str, channel: str) -> bool:
        """Whether a delivery to this channel would go at once (no turn to wait for)."""
        key = (platform, channel)
        if self.interval(platform) <= 0:
            return True
        return key not in self._busy and self._next.get(key, 0.0) <= self._monotonic()

    def hold(self, platform: str, channel: str, seconds: float) -> None:
        """The platform said to wait (429 Retry-After): no slot in this channel before then."""
        key = (platform, channel)
        self._next[key] = max(self._next.get(key, 0.0), self._monotonic() + seconds)

    def _prune(self, now: float) -> None:
        for key in [key for key, slot in self._next.items() if slot <= now and key not in self._busy]:
            del self._next[key]

    async def _take(self, key: tuple[str, str]) -> None:
        """Wait until no other delivery is under way in the channel, first come, first served.
        A free channel costs no lock nor future: a fan-out touches each channel once."""
        queued = self._busy.get(key)
        if queued is None:
            self._busy[key] = collections.deque()
            return
        turn = asyncio.get_running_loop().create_future()
        queued.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._give(key)  # the turn was ours already: pass it on
            else:
                queued.remove(turn)
            raise

    def _give(self, key: tuple[str, str]) -> None:
        """The channel's delivery ended: the next in line goes, else the channel is free."""
        queued = self._busy[key]
        while queued:
            turn = queued.popleft()
            if not turn.done():
                turn.set_result(None)
                return
        del self._busy[key]


class _Turn:
    """One delivery's turn in its channel (a class, not a generator: one per message)."""

    __slots__ = ("_key", "_pacer", "_platform", "_taken")

    def __init__(self, pacer: ChannelPacer, platform: str, channel: str) -> None:
        self._pacer = pacer
        self._platform = platform
        self._key = (platform, channel)
        self._taken = False

    async def __aenter__(self) -> None:
        pacer = self._pacer
        if pacer.interval(self._platform) <= 0:
            return
        await pacer._take(self._key)
        self._taken = True
        try:
            wait = pacer._next.get(self._key, 0.0) - pacer._monotonic()
            if wait > 0:
                await pacer._sleep(wait)
        except BaseException:
            self._taken = False
            pacer._give(self._key)
            raise

    async def __aexit__(self, *_: object) -> None:
        if not self._taken:
            return
        pacer = self._pacer
        key = self._key
        now = pacer._monotonic()
        pacer._next[key] = max(pacer._next.get(key, 0.0), now + pacer.interval(self._platform))
        pacer._give(key)
        if len(pacer._next) > _PRUNE_ABOVE:
            pacer._prune(now)


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
