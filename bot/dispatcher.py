"""The dispatcher: delivers due outbox rows through the adapters and fires due timers.

It claims rows atomically (see bot.storage.outbox), so any number of dispatchers may run
against one database; a row is delivered at most once per successful claim, and a row whose
delivery failed is retried with exponential backoff until it succeeds or is known hopeless.
Nothing here decides what to say: effects were decided by the engine when they were queued.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.effects import Effect, MeetingTimer, Post, Reply, SetTimer, UpdateCard
from bot.ports import Address, Deliverer, DeliveryError, Progress
from bot.scheduler_pacing import ChannelPacer, paced_channel
from bot.storage.outbox import CLOCK_KINDS, ClaimRounds, Outbox, OutboxRow, SentRow

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
        Cut off (cancelled, or a claim failed), it hands back the claims it still holds.
        """
        handled = 0
        ledger = _Ledger()
        flight = _InFlight(_Slots(self._batch_size))
        try:
            async with self._outbox.rounds() as claims, asyncio.TaskGroup() as group:
                for _ in range(self._max_rounds):
                    # Claim more while up to one claim's worth is still in hand: rows
                    # handled together (a batch of meeting jobs) free room together.
                    await flight.until_fewer_than(self._claim_size + 1)
                    # One transaction settles what was delivered since the last claim and
                    # claims more: on SQLite, a transaction per delivered row costs more than
                    # the deliveries.
                    settling, ledger.sent[:] = list(ledger.sent), []  # in place: deliveries append to it
                    ended_before = flight.ended
                    try:
                        rows, addresses = await self._claim(claims, self._claim_limit(handled), settling, ledger)
                    except BaseException:
                        ledger.sent[:0] = settling
                        raise
                    if not rows:
                        if not flight.in_hand() and flight.ended == ended_before:
                            break
                        # Rows handled may unblock more (a case's next message, a job's
                        # messages): claim again once half of those in flight are done, so
                        # the tail costs few claims.
                        await flight.until_fewer_than(flight.in_hand() // 2 + 1)
                        continue
                    kept = await self._release_over_paced(rows, addresses, flight.paced)
                    ledger.held.update((row.id, row) for row, _, _ in kept)
                    self._start(group, kept, ledger, addresses, flight)
                    handled += len(kept)
        finally:
            if ledger.sent:
                await self._outbox.mark_sent_many(ledger.sent, self._clock())
            if ledger.held:  # the round was cut off (stopped, or its claim failed)
                await self._give_back(list(ledger.held.values()), ledger.progress)
        return handled

    async def _claim(
        self, claims: ClaimRounds, limit: int, settling: list[SentRow], ledger: _Ledger
    ) -> tuple[list[OutboxRow], Addresses]:
        """Settle and claim (see `ClaimRounds`). A claim cut off by a stop may have committed
        all the same (on PostgreSQL each statement commits on its own): it is waited for,
        and its rows are held, so that they are given back with the rest."""
        claiming = asyncio.ensure_future(
            claims.claim_round(
                self._clock(),
                self._worker_id,
                limit,
                self._lease,
                platforms=self._deliverers.keys(),
                settle=settling,
            )
        )
        try:
            return await asyncio.shield(claiming)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                rows, _ = await claiming
                ledger.held.update((row.id, row) for row in rows)
            raise

    def _claim_limit(self, handled: int) -> int:
        """Half a claim first, then whole claims. A small first claim starts deliveries
        sooner, but the second is made while they run, and then its round trips wait behind
        the deliveries' turns on the event loop: with a single batch in hand the deliveries
        would sit idle until it lands."""
        return self._claim_size if handled else max(1, self._claim_size // 2)

    async def _give_back(self, rows: list[OutboxRow], progress: Mapping[int, Progress]) -> None:
        """Release the claims of rows a stopped round did not settle (a delivery cut off
        mid-way, rows still waiting for their turn): due now, no attempt counted, so a
        restarted dispatcher delivers them at once instead of after their lease, from the
        first message not sent. If this fails (or the process is killed first) the lease
        still frees them."""
        try:
            await self._outbox.give_back(rows, self._clock(), progress)
        except Exception:
            log.warning("dispatcher %s: %s claimed rows kept until their lease ends", self._worker_id, len(rows))

    def _start(
        self,
        group: asyncio.TaskGroup,
        rows: list[_Claimed],
        ledger: _Ledger,
        addresses: Addresses,
        flight: _InFlight,
    ) -> None:
        """Start a claimed batch: messages side by side, each as a delivery slot frees (see
        `_Slots`); each circle's clock rows one after another, in due order, after those of
        the circle still running from earlier batches (after downtime several are due at once)."""
        clock_rows: dict[str, list[_Claimed]] = {}
        for claimed in rows:
            if claimed[0].kind in CLOCK_KINDS:
                clock_rows.setdefault(claimed[0].circle_id, []).append(claimed)
            else:
                start = functools.partial(self._start_message, group, claimed, ledger, addresses, flight)
                flight.slots.start_or_queue(start)
        for circle_id, circle_rows in clock_rows.items():
            after = flight.chains.get(circle_id)
            task = group.create_task(self._in_order(circle_rows, ledger, addresses, after))
            flight.chains[circle_id] = task
            flight.add(task, None)

    def _start_message(
        self, group: asyncio.TaskGroup, claimed: _Claimed, ledger: _Ledger, addresses: Addresses, flight: _InFlight
    ) -> None:
        """Deliver a claimed message in a task of its own, which holds a delivery slot."""
        sending = self._send(claimed, ledger, addresses, _Slot(flight.slots))
        try:
            task = group.create_task(sending)
        except RuntimeError:  # the round is being cut off: the rest is given back
            sending.close()
            flight.slots.drop_queued()
            return
        flight.add(task, claimed[2])

    async def _send(self, claimed: _Claimed, ledger: _Ledger, addresses: Addresses, slot: _Slot) -> None:
        try:
            await self._handle(claimed, ledger, addresses, slot)
        finally:
            slot.give_up()

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
        ledger: _Ledger,
        addresses: Addresses,
        after: asyncio.Task[None] | None,
    ) -> None:
        if after is not None:
            await asyncio.wait([after])  # its outcome is its own; only the order matters here
        for claimed in rows:
            await self._handle(claimed, ledger, addresses)

    async def _handle(
        self, claimed: _Claimed, ledger: _Ledger, addresses: Addresses, slot: _Slot | None = None
    ) -> None:
        await self._handle_effect(claimed, ledger, addresses, slot)
        # Settled, or queued to be: not reached if cut off.
        ledger.held.pop(claimed[0].id, None)
        ledger.progress.pop(claimed[0].id, None)

    async def _handle_effect(
        self, claimed: _Claimed, ledger: _Ledger, addresses: Addresses, slot: _Slot | None
    ) -> None:
        row, effect, place = claimed
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
                assert slot is not None  # messages run in `_send`
                progress = ledger.progress[row.id] = row.progress()
                await self._deliver(row, effect, place, ledger.sent, addresses, slot, progress)
        except _RetryLaterError as retry:
            await self._later(row, str(retry), retry.retry_after)
        except DeliveryError as exc:
            if exc.permanent:
                log.warning("outbox row %s failed for good: %s", row.id, exc.reason)
                await self._outbox.mark_failed(row.id, exc.reason)
                await self._on_failed(row, exc.reason)
            else:
                await self._later(row, exc.reason, exc.retry_after, ledger.progress.get(row.id))
        except Exception as exc:
            # An adapter bug or a network error: keep the row and try again later.
            log.exception("outbox row %s: unexpected error", row.id)
            await self._later(row, f"{type(exc).__name__}: {exc}", None, ledger.progress.get(row.id))

    async def _deliver(
        self,
        row: OutboxRow,
        effect: Effect,
        place: tuple[str, str] | None,
        sent: list[SentRow],
        addresses: Addresses,
        slot: _Slot,
        progress: Progress,
    ) -> None:
        """Deliver a message, in its turn in its paced channel (`place`), if any, in `slot`,
        from the first of its messages not sent yet (`progress`)."""
        address = addresses.get((row.circle_id, row.case_id))
        if address is None:
            await self._outbox.mark_dropped(row.id, f"circle {row.circle_id!r} no longer exists")
            return
        if _needs_thread(effect) and address.thread_ref is None:
            raise _RetryLaterError("the case card has not been posted yet")
        deliverer = self._deliverer_for(address)
        try:
            if place is None:
                async with asyncio.timeout(self._lease.total_seconds() / 2):
                    message_ref = await deliverer.deliver(effect, address, progress)
            else:
                if not self._pacer.ready(*place):
                    slot.lend()  # another delivery may use it while this one waits its turn
                async with self._pacer.paced(*place):
                    await slot.take_back()
                    async with asyncio.timeout(self._lease.total_seconds() / 2):
                        message_ref = await deliverer.deliver(effect, address, progress)
        except DeliveryError as exc:
            if exc.retry_after is not None and place is not None:
                self._pacer.hold(*place, exc.retry_after)
            raise
        card_of = effect.card.case_id if isinstance(effect, Post) and effect.card else None
        sent.append(SentRow(row.id, message_ref, card_of))

    def _deliverer_for(self, address: Address) -> Deliverer:
        deliverer = self._deliverers.get(address.platform)
        if deliverer is None:  # the claim filters platforms, so only a race gets here
            raise _RetryLaterError(f"no deliverer for platform {address.platform!r}")
        return deliverer

    async def _later(
        self, row: OutboxRow, reason: str, retry_after: float | None, progress: Progress | None = None
    ) -> None:
        if row.attempts + 1 >= self._retry.max_attempts:
            log.warning("outbox row %s: giving up after %s attempts", row.id, row.attempts + 1)
            await self._outbox.mark_failed(row.id, f"gave up after retries: {reason}")
            await self._on_failed(row, reason)
            return
        retry_at = self._clock() + self._retry.delay(row.attempts, retry_after)
        await self._outbox.mark_retry(row.id, reason, retry_at, progress)


class _Slots:
    """Delivery slots, `size` at once, first come, first served, and the claimed messages
    waiting for one. A message gets its task only when a slot frees: hundreds of suspended
    tasks per claim would cost the event loop and the garbage collector more than the
    deliveries. (asyncio.Semaphore also scans its waiters on every acquire and release.)"""

    def __init__(self, size: int) -> None:
        self._free = size
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self.queued: collections.deque[Callable[[], None]] = collections.deque()

    def start_or_queue(self, start: Callable[[], None]) -> None:
        """`start()` now, taking a slot, if one is free; else when one frees."""
        if self._free > 0 and not self._waiters:
            self._free -= 1
            start()
        else:
            self.queued.append(start)

    def drop_queued(self) -> None:
        """Start none of the messages still waiting (the round is stopping), and free the
        slot their first one was given."""
        self.queued.clear()
        self._free += 1

    async def acquire(self) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        turn = asyncio.get_running_loop().create_future()
        self._waiters.append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # the slot was ours already: pass it on
            else:
                self._waiters.remove(turn)
            raise

    def release(self) -> None:
        """A slot frees: to a delivery waiting to take one back, else to the next message."""
        while self._waiters:
            turn = self._waiters.popleft()
            if not turn.done():
                turn.set_result(None)  # the slot goes straight to the next in line
                return
        if self.queued:
            self.queued.popleft()()
        else:
            self._free += 1


class _Slot:
    """The slot a message's task holds; lent while the task waits for its channel's turn."""

    __slots__ = ("_held", "_slots")

    def __init__(self, slots: _Slots) -> None:
        self._slots = slots
        self._held = True

    def lend(self) -> None:
        self._held = False
        self._slots.release()

    async def take_back(self) -> None:
        if not self._held:
            await self._slots.acquire()
            self._held = True

    def give_up(self) -> None:
        if self._held:
            self._held = False
            self._slots.release()


class _Ledger:
    """A round's claimed rows not settled yet: those delivered, to settle with the next
    claim, every row still held (handed back if the round is cut off), and how far the
    messages being delivered got."""

    __slots__ = ("held", "progress", "sent")

    def __init__(self) -> None:
        self.sent: list[SentRow] = []
        self.held: dict[int, OutboxRow] = {}
        self.progress: dict[int, Progress] = {}


class _InFlight:
    """The tasks of one `run_once` still running, the messages waiting for a slot, and what
    they hold."""

    def __init__(self, slots: _Slots) -> None:
        self.slots = slots
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
        if self._fewer is not None and self.in_hand() < self._fewer[0] and not self._fewer[1].done():
            self._fewer[1].set_result(None)

    def in_hand(self) -> int:
        """Rows claimed and not done with: tasks running (a circle's clock rows count once)
        and messages waiting for a slot."""
        return len(self.tasks) + len(self.slots.queued)

    async def until_fewer_than(self, count: int) -> None:
        # One future for the wait, not asyncio.wait over hundreds of tasks per completion.
        if self.in_hand() < count:
            return
        self._fewer = (count, asyncio.get_running_loop().create_future())
        try:
            await self._fewer[1]
        finally:
            self._fewer = None


def _needs_thread(effect: Effect) -> bool:
    """Replies go in the case's thread and card updates edit its root: both need the card."""
    return isinstance(effect, Reply | UpdateCard)
