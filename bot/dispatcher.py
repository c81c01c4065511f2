"""The dispatcher: delivers due outbox rows through the adapters and fires due timers.

It claims rows atomically (see bot.storage.outbox), so any number of dispatchers may run
against one database; a row is delivered at most once per successful claim, and a row whose
delivery failed is retried with exponential backoff until it succeeds or is known hopeless.
Nothing here decides what to say: effects were decided by the engine when they were queued.
"""

from __future__ import annotations

import asyncio
import collections
import functools
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
# Messages in flight per paced channel; more wait for a later claim (see _release_over_paced).
MAX_PACED_PER_ROUND = 10
# Rows per claim, in batches of deliveries at once (see Dispatcher).
CLAIM_BATCHES = 4
# A claimed row, its effect (None if it no longer decodes) and its paced channel, if any.
_Claimed = tuple[OutboxRow, Effect | None, tuple[str, str] | None]
# Where each (circle, case) of a claim's rows goes, read with the claim.
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
        claim_size: int | None = None,
        lease: timedelta = timedelta(minutes=2),
        retry: RetryPolicy | None = None,
        max_rounds: int = 100,
        on_failed: FailureHandler = _ignore_failure,
        on_meeting: TimerHandler | None = None,
        pacer: ChannelPacer | None = None,
    ) -> None:
        """`batch_size`: deliveries at once; `claim_size`: rows per claim (default
        CLAIM_BATCHES batches: each claim is a transaction, and under load its round trips
        queue behind the deliveries' on the event loop). `on_meeting` runs due meeting jobs
        (bot.scheduler_meetings); `pacer` spaces messages per channel (none by default)."""
        self._outbox = Outbox(session_factory)
        self._deliverers = dict(deliverers)
        self._on_timer = on_timer
        self._on_meeting = on_meeting
        self._pacer = pacer or ChannelPacer()
        self._clock = clock
        self._worker_id = worker_id
        self._batch_size = batch_size
        self._claim_size = claim_size or batch_size * CLAIM_BATCHES
        self._sending = _Slots(batch_size)
        self._lease = lease
        self._retry = retry or RetryPolicy()
        self._max_rounds = max_rounds
        self._on_failed = on_failed

    async def run_once(self) -> int:
        """Claim and handle due rows until none is left; return how many were handled.

        One claim takes at most one message per case (the oldest), so a case's messages
        are delivered in order over successive claims; rows of different cases run
        concurrently, `batch_size` deliveries at a time. The next claim does not wait for
        the last one to be delivered, so the database's round trips hide behind deliveries;
        each claim also settles, in its transaction, the rows delivered since the last one.
        """
        handled = 0
        sent: list[SentRow] = []
        flight = _InFlight()
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(self._max_rounds):
                    # Claim more while up to one claim's worth is still in hand: rows
                    # handled together (a batch of meeting jobs) free room together.
                    await flight.until_fewer_than(self._claim_size + 1)
                    # One transaction settles what was delivered since the last claim and
                    # claims more: on SQLite, a transaction per delivered row costs more than
                    # the deliveries.
                    settling, sent[:] = list(sent), []
                    ended_before = flight.ended
                    try:
                        rows, addresses = await self._outbox.claim_round(
                            self._clock(),
                            self._worker_id,
                            # A small first claim: the first deliveries start sooner.
                            self._claim_size if handled else min(self._batch_size, self._claim_size),
                            self._lease,
                            platforms=self._deliverers.keys(),
                            settle=settling,
                        )
                    except BaseException:
                        sent[:0] = settling
                        raise
                    if not rows:
                        if not flight.tasks and flight.ended == ended_before:
                            break
                        # Rows handled may unblock more (a case's next message, a job's
                        # messages): claim again once half of those in flight are done, so
                        # the tail costs few claims.
                        await flight.until_fewer_than(len(flight.tasks) // 2 + 1)
                        continue
                    kept = await self._release_over_paced(rows, addresses, flight.paced)
                    self._start(group, kept, sent, addresses, flight)
                    handled += len(kept)
        finally:
            if sent:
                await self._outbox.mark_sent_many(sent, self._clock())
        return handled

    def _start(
        self,
        group: asyncio.TaskGroup,
        rows: list[_Claimed],
        sent: list[SentRow],
        addresses: Addresses,
        flight: _InFlight,
    ) -> None:
        """Start a claimed batch: messages side by side; each circle's clock rows one after
        another, in due order, after those of the circle still running from earlier batches
        (after downtime several are due at once)."""
        clock_rows: dict[str, list[_Claimed]] = {}
        for claimed in rows:
            row, effect, place = claimed
            if row.kind in CLOCK_KINDS:
                clock_rows.setdefault(row.circle_id, []).append(claimed)
            else:
                flight.add(group.create_task(self._handle(row, effect, sent, addresses)), place)
        for circle_id, circle_rows in clock_rows.items():
            after = flight.chains.get(circle_id)
            task = group.create_task(self._in_order(circle_rows, sent, addresses, after))
            flight.chains[circle_id] = task
            flight.add(task, None)

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

    def _paced_place(self, row: OutboxRow, effect: Effect, addresses: Addresses) -> tuple[str, str] | None:
        """The paced channel a message row lands in, if its platform paces channels."""
        address = addresses.get((row.circle_id, row.case_id))
        if address is None or row.kind in CLOCK_KINDS or self._pacer.interval(address.platform) <= 0:
            return None
        channel = paced_channel(effect, address.channel_id)
        return None if channel is None else (address.platform, channel)

    async def _release_over_paced(
        self, rows: list[OutboxRow], addresses: Addresses, paced: dict[tuple[str, str], int]
    ) -> list[_Claimed]:
        """Keep at most MAX_PACED_PER_ROUND messages in flight per paced channel; hand the
        rest back, due when their turn comes. Claims are settled after their delivery, so a
        message must not wait in its channel anywhere near its lease. The rows kept come
        with their effect (None if it no longer decodes) and paced channel, if any."""
        kept: list[_Claimed] = []
        released: list[tuple[int, datetime]] = []
        for row in rows:
            try:
                effect = row.effect()
            except ValidationError:
                kept.append((row, None, None))
                continue
            place = self._paced_place(row, effect, addresses)
            if place is None:
                kept.append((row, effect, None))
                continue
            paced[place] = position = paced.get(place, 0) + 1
            if position <= MAX_PACED_PER_ROUND:
                kept.append((row, effect, place))
            else:
                paced[place] -= 1
                interval = self._pacer.interval(place[0])
                released.append((row.id, self._clock() + timedelta(seconds=interval * (position - 1))))
        await self._outbox.release_many(released)
        return kept

    async def _in_order(
        self,
        rows: list[_Claimed],
        sent: list[SentRow],
        addresses: Addresses,
        after: asyncio.Task[None] | None,
    ) -> None:
        if after is not None:
            await asyncio.wait([after])  # its outcome is its own; only the order matters here
        for row, effect, _ in rows:
            await self._handle(row, effect, sent, addresses)

    async def _handle(self, row: OutboxRow, effect: Effect | None, sent: list[SentRow], addresses: Addresses) -> None:
        if effect is None:  # it did not decode when claimed: record why
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
                async with self._sending, asyncio.timeout(self._lease.total_seconds() / 2):
                    message_ref = await deliverer.deliver(effect, address)
            else:
                async with (
                    self._pacer.paced(address.platform, channel),
                    self._sending,
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


class _Slots:
    """A first-come, first-served semaphore for many waiters: asyncio.Semaphore scans its
    waiters on every acquire and release, so with hundreds of deliveries queued the event
    loop spends more time there than on the deliveries."""

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    async def __aenter__(self) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        turn = asyncio.get_running_loop().create_future()
        self._waiters.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._release()  # the slot was ours already: pass it on
            else:
                self._waiters.remove(turn)
            raise

    async def __aexit__(self, *_: object) -> None:
        self._release()

    def _release(self) -> None:
        while self._waiters:
            turn = self._waiters.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot goes straight to the next in line
                return
        self._free += 1


class _InFlight:
    """The tasks of one `run_once` still running, and what they hold."""

    def __init__(self) -> None:
        self.tasks: set[asyncio.Task[None]] = set()
        self.ended = 0
        self.paced: dict[tuple[str, str], int] = {}  # messages in flight per paced channel
        self.chains: dict[str, asyncio.Task[None]] = {}  # per circle: its last clock rows' task
        self._fewer: tuple[int, asyncio.Future[None]] | None = None

    def add(self, task: asyncio.Task[None], place: tuple[str, str] | None) -> None:
        self.tasks.add(task)
        task.add_done_callback(functools.partial(self._ended, place))

    def _ended(self, place: tuple[str, str] | None, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        self.ended += 1
        if place is not None:
            left = self.paced[place] - 1
            if left:
                self.paced[place] = left
            else:
                del self.paced[place]
        if self._fewer is not None and len(self.tasks) < self._fewer[0] and not self._fewer[1].done():
            self._fewer[1].set_result(None)

    async def until_fewer_than(self, count: int) -> None:
        # One future for the wait, not asyncio.wait over hundreds of tasks per completion.
        if len(self.tasks) < count:
            return
        self._fewer = (count, asyncio.get_running_loop().create_future())
        try:
            await self._fewer[1]
        finally:
            self._fewer = None


def _needs_thread(effect: Effect) -> bool:
    """Replies go in the case's thread and card updates edit its root: both need the card."""
    return isinstance(effect, Reply | UpdateCard)
