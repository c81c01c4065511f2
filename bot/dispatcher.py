"""The dispatcher: delivers due outbox rows through the adapters and fires due timers.

It claims rows atomically (see bot.storage.outbox), so any number of dispatchers may run
against one database; a row is delivered at most once per successful claim, and a row whose
delivery failed is retried with exponential backoff until it succeeds or is known hopeless.
Nothing here decides what to say: effects were decided by the engine when they were queued.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.effects import Effect, MeetingTimer, Post, Reply, SetTimer, UpdateCard
from bot.ports import Address, Deliverer, DeliveryError
from bot.scheduler_pacing import ChannelPacer, paced_channel
from bot.storage.outbox import CLOCK_KINDS, Outbox, OutboxRow, SentRow

log = logging.getLogger(__name__)

TimerHandler = Callable[[OutboxRow], Awaitable[None]]
# Messages per paced channel in one round; more wait for a later round (see _release_over_paced).
MAX_PACED_PER_ROUND = 10
# Where each (circle, case) of a round's rows goes, read once for the round.
Addresses = Mapping[tuple[str, str | None], Address]
# Told when a message is given up on for good (the service tells the circle's facilitators).
FailureHandler = Callable[[OutboxRow, str], Awaitable[None]]


async def _ignore_failure(row: OutboxRow, reason: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff: base, 2 × base, 4 × base … capped; failed after max_attempts."""

    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(minutes=15)
    max_attempts: int = 12

    def delay(self, attempts_so_far: int, retry_after: float | None = None) -> timedelta:
        if retry_after is not None:  # the platform said when (Slack and Discord 429s)
            return max(timedelta(seconds=retry_after), self.base)
        return min(self.base * (1 << min(attempts_so_far, 30)), self.cap)


class _RetryLaterError(Exception):
    """Not delivered this time; try again later."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Dispatcher:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        deliverers: Mapping[str, Deliverer],
        on_timer: TimerHandler,
        clock: Callable[[], datetime],
        worker_id: str,
        *,
        batch_size: int = 50,
        lease: timedelta = timedelta(minutes=2),
        retry: RetryPolicy | None = None,
        max_rounds: int = 100,
        on_failed: FailureHandler = _ignore_failure,
        on_meeting: TimerHandler | None = None,
        pacer: ChannelPacer | None = None,
    ) -> None:
        """`on_meeting` runs due meeting jobs (bot.scheduler_meetings); `pacer` spaces
        messages per channel (none by default)."""
        self._outbox = Outbox(session_factory)
        self._deliverers = dict(deliverers)
        self._on_timer = on_timer
        self._on_meeting = on_meeting
        self._pacer = pacer or ChannelPacer()
        self._clock = clock
        self._worker_id = worker_id
        self._batch_size = batch_size
        self._lease = lease
        self._retry = retry or RetryPolicy()
        self._max_rounds = max_rounds
        self._on_failed = on_failed

    async def run_once(self) -> int:
        """Claim and handle due rows until none is left; return how many were handled.

        One claim takes at most one message per case (the oldest), so a case's messages
        are delivered in order over successive rounds; rows of different cases run
        concurrently within a round.
        """
        handled = 0
        for _ in range(self._max_rounds):
            rows = await self._outbox.claim_due(
                self._clock(),
                self._worker_id,
                self._batch_size,
                self._lease,
                platforms=self._deliverers.keys(),
            )
            if not rows:
                break
            sent: list[SentRow] = []
            addresses = await self._outbox.addresses_of(rows)  # one read for the round
            rows = await self._release_over_paced(rows, addresses)
            try:
                async with asyncio.TaskGroup() as group:
                    clock_rows: dict[str, list[OutboxRow]] = {}
                    for row in rows:
                        if row.kind in CLOCK_KINDS:
                            clock_rows.setdefault(row.circle_id, []).append(row)
                        else:
                            group.create_task(self._handle(row, sent, addresses))
                    # A circle's deadlines and meeting jobs run one after another, in due
                    # order (after downtime several are due at once); circles side by side.
                    for circle_rows in clock_rows.values():
                        group.create_task(self._in_order(circle_rows, sent, addresses))
            finally:
                # One transaction settles the round's deliveries: on SQLite, fifty writers
                # queueing for the lock one row at a time cost more than the deliveries.
                if sent:
                    await self._outbox.mark_sent_many(sent, self._clock())
            handled += len(rows)
        return handled

    async def run_forever(self, wake: asyncio.Event, poll_interval: float = 30.0) -> None:
        """Deliver as rows come due; `wake.set()` after queueing rows to skip the wait."""
        while True:
            wake.clear()  # before the round: a wake-up during it is not lost
            delay = poll_interval
            try:
                if await self.run_once():
                    continue
                next_due = await self._outbox.next_due_at(platforms=self._deliverers.keys())
                if next_due is not None:
                    until_due = (next_due - self._clock()).total_seconds()
                    # A due row that was not claimable is waiting behind another: poll.
                    if until_due > 0:
                        delay = min(delay, until_due)
            except Exception:
                log.exception("dispatcher %s: round failed; retrying", self._worker_id)
            try:
                async with asyncio.timeout(delay):
                    await wake.wait()
            except TimeoutError:
                pass

    async def _release_over_paced(self, rows: list[OutboxRow], addresses: Addresses) -> list[OutboxRow]:
        """Keep at most MAX_PACED_PER_ROUND messages per paced channel in a round; hand the
        rest back, due when their turn comes. A round's claims are settled together at its
        end, so a round must not wait in one channel anywhere near its lease."""
        kept: list[OutboxRow] = []
        queued: dict[tuple[str, str], int] = {}
        for row in rows:
            address = addresses.get((row.circle_id, row.case_id))
            interval = self._pacer.interval(address.platform) if address is not None else 0.0
            channel = None
            if interval > 0 and address is not None and row.kind not in CLOCK_KINDS:
                with contextlib.suppress(ValidationError):
                    channel = paced_channel(row.effect(), address.channel_id)
            if channel is None or address is None:
                kept.append(row)
                continue
            place = (address.platform, channel)
            queued[place] = position = queued.get(place, 0) + 1
            if position <= MAX_PACED_PER_ROUND:
                kept.append(row)
            else:
                await self._outbox.release(row.id, self._clock() + timedelta(seconds=interval * (position - 1)))
        return kept

    async def _in_order(self, rows: list[OutboxRow], sent: list[SentRow], addresses: Addresses) -> None:
        for row in rows:
            await self._handle(row, sent, addresses)

    async def _handle(self, row: OutboxRow, sent: list[SentRow], addresses: Addresses) -> None:
        try:
            effect = row.effect()
        except ValidationError as exc:
            await self._outbox.mark_failed(row.id, f"payload no longer decodes: {exc}")
            return
        try:
            if isinstance(effect, SetTimer):
                await self._on_timer(row)
                await self._outbox.mark_sent(row.id, None, self._clock())
            elif isinstance(effect, MeetingTimer):
                if self._on_meeting is None:
                    raise _RetryLaterError("this dispatcher runs no meeting jobs")
                await self._on_meeting(row)  # settles the row itself, with what it queued
            else:
                await self._deliver(row, effect, sent, addresses)
        except _RetryLaterError as retry:
            await self._later(row, str(retry), retry.retry_after)
        except DeliveryError as exc:
            if exc.permanent:
                log.warning("outbox row %s failed for good: %s", row.id, exc.reason)
                await self._outbox.mark_failed(row.id, exc.reason)
                await self._on_failed(row, exc.reason)
            else:
                await self._later(row, exc.reason, exc.retry_after)
        except Exception as exc:
            # An adapter bug or a network error: keep the row and try again later.
            log.exception("outbox row %s: unexpected error", row.id)
            await self._later(row, f"{type(exc).__name__}: {exc}", None)

    async def _deliver(self, row: OutboxRow, effect: Effect, sent: list[SentRow], addresses: Addresses) -> None:
        address = addresses.get((row.circle_id, row.case_id))
        if address is None:
            await self._outbox.mark_dropped(row.id, f"circle {row.circle_id!r} no longer exists")
            return
        if _needs_thread(effect) and address.thread_ref is None:
            raise _RetryLaterError("the case card has not been posted yet")
        deliverer = self._deliverer_for(address)
        channel = paced_channel(effect, address.channel_id)
        try:
            if channel is None:
                async with asyncio.timeout(self._lease.total_seconds() / 2):
                    message_ref = await deliverer.deliver(effect, address)
            else:
                async with (
                    self._pacer.paced(address.platform, channel),
                    asyncio.timeout(self._lease.total_seconds() / 2),
                ):
                    message_ref = await deliverer.deliver(effect, address)
        except DeliveryError as exc:
            if exc.retry_after is not None and channel is not None:
                self._pacer.hold(address.platform, channel, exc.retry_after)
            raise
        card_of = effect.card.case_id if isinstance(effect, Post) and effect.card else None
        sent.append(SentRow(row.id, message_ref, card_of))

    def _deliverer_for(self, address: Address) -> Deliverer:
        deliverer = self._deliverers.get(address.platform)
        if deliverer is None:  # the claim filters platforms, so only a race gets here
            raise _RetryLaterError(f"no deliverer for platform {address.platform!r}")
        return deliverer

    async def _later(self, row: OutboxRow, reason: str, retry_after: float | None) -> None:
        if row.attempts + 1 >= self._retry.max_attempts:
            log.warning("outbox row %s: giving up after %s attempts", row.id, row.attempts + 1)
            await self._outbox.mark_failed(row.id, f"gave up after retries: {reason}")
            await self._on_failed(row, reason)
            return
        retry_at = self._clock() + self._retry.delay(row.attempts, retry_after)
        await self._outbox.mark_retry(row.id, reason, retry_at)


def _needs_thread(effect: Effect) -> bool:
    """Replies go in the case's thread and card updates edit its root: both need the card."""
    return isinstance(effect, Reply | UpdateCard)
