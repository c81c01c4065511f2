"""Acknowledge first, apply next: the inbox between the chat adapters and the core.

A platform wants its acknowledgement fast (Slack: 3 s, or it retries and the person sees an
error). So what people send that needs no answer in the acknowledgement (thread replies,
slash commands, whose answers follow) is *accepted*: written to the journal, then
acknowledged, then applied by one worker, in the order it arrived. Nothing acknowledged is
lost: a crash leaves it in the journal, and the next start applies it (events carry ids, so
one applied just before the crash is not applied twice).

Acknowledging comes before applying: while requests are being received, the worker waits for
a quiet moment (`quiet` seconds with none arriving), but never keeps an event waiting longer
than `patience`. Bursts are acknowledged at the pace of the platform's own client library and
applied just after; steady traffic is applied at once.

What must answer in the acknowledgement (a button that opens a form, a modal's validation)
goes through `handle`, after everything accepted before it, so a reply and the click that
follows it are applied in that order.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError

from bot.incoming import Incoming, Outcome
from bot.ports import FollowUp, Handler
from bot.storage.incoming_codec import decode, encode
from bot.storage.journal import Journal

log = logging.getLogger(__name__)

QUIET = 0.02
PATIENCE = 0.5
TOGETHER = 32  # at most this many accepted events applied in one transaction
RETRY_PAUSES = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)  # the last repeats while the database is away
ATTEMPTS_FOR_A_FAULT = 3  # an error that is not the database being away: set aside after this many


@dataclass(slots=True)
class _Item:
    incoming: Incoming
    seq: int | None  # in the journal: an accepted event
    then: FollowUp | None = None
    answer: asyncio.Future[Outcome] | None = None  # `handle`: someone waits for the outcome
    since: float = 0.0


class Inbox:
    """What adapters call: `accept` (journal, then apply soon) or `handle` (apply now, in order)."""

    def __init__(
        self,
        core: Handler,
        journal: Journal,
        *,
        quiet: float = QUIET,
        patience: float = PATIENCE,
        retry_pauses: tuple[float, ...] = RETRY_PAUSES,
        monotonic: Callable[[], float] = time.monotonic,
        on_idle: Callable[[], None] = lambda: None,
        replayed: Callable[[Incoming], FollowUp | None] = lambda incoming: None,
        together: Callable[[Sequence[Incoming]], Awaitable[list[Outcome]]] | None = None,
    ) -> None:
        """`on_idle`: called when everything accepted is applied, a moment when no
        acknowledgement waits for the event loop (see bootstrap.collect_while_idle).
        `replayed`: the follow-up of an event an earlier run accepted and did not apply,
        whose own follow-up went with that run (see bot.replayed).
        `together`: applies a backlog of accepted events in one transaction, all or none
        (`Codev.handle_together`); without it, or when it fails, each is applied alone."""
        self._core = core
        self._together = together
        self._journal = journal
        self._quiet = quiet
        self._patience = patience
        self._retry_pauses = retry_pauses
        self._now = monotonic
        self._queue: deque[_Item] = deque()
        self._accepted_ahead = 0  # accepted events queued or being applied
        self._awaited = 0  # `handle` calls waiting in the queue
        self._receiving = 0
        self._last_received = 0.0
        self._arrived = asyncio.Event()
        self._settled = asyncio.Event()
        self._settled.set()
        self._worker: asyncio.Task[None] | None = None
        self._follow_ups: set[asyncio.Task[Any]] = set()
        self._run = uuid.uuid4().hex  # event ids given here are unique across runs and processes
        self._numbers = itertools.count(1)
        self._on_idle = on_idle
        self._replayed = replayed
        self._busy = False  # applied something since the queue was last empty

    async def start(self) -> int:
        """Open the journal and apply what an earlier run accepted but did not apply."""
        left = self._journal.open()
        for pending in left:
            try:
                incoming = decode(pending.entry)
            except ValueError as unreadable:
                self._journal.set_aside(pending.entry, f"unreadable: {unreadable}")
                log.error("inbox: journal entry %s is unreadable and was set aside: %s", pending.seq, unreadable)
                continue
            self._enqueue(_Item(incoming, pending.seq, self._replayed(incoming), since=self._now()))
        if left:
            log.info("inbox: %d event(s) accepted before the last stop are being applied", len(left))
        self._worker = asyncio.create_task(self._work(), name="inbox worker")
        return len(left)

    async def stop(self) -> None:
        """Stop applying; what is still queued stays in the journal for the next start."""
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None
        for item in self._queue:
            if item.answer is not None and not item.answer.done():
                item.answer.cancel()
        self._queue.clear()
        await asyncio.gather(*self._follow_ups, return_exceptions=True)
        self._journal.close()

    def accept(self, incoming: Incoming, then: FollowUp | None = None) -> None:
        """Journal `incoming` (on its way to disk when this returns) and apply it soon.
        `then` gets the outcome (private notices for the sender), or None if it had to be set
        aside; `then` itself is not journaled."""
        if self._worker is None:
            raise RuntimeError("the inbox is not started")
        if incoming.event_id is None:  # so that a replay after a crash applies it once
            incoming = Incoming(incoming.origin, incoming.payload, f"inbox-{self._run}-{next(self._numbers)}")
        seq = self._journal.append(encode(incoming))
        self._last_received = self._now()
        self._enqueue(_Item(incoming, seq, then, since=self._last_received))

    async def handle(self, incoming: Incoming) -> Outcome:
        """Apply `incoming` now and return its outcome, after what was accepted before it."""
        if self._accepted_ahead == 0:
            return await self._core.handle(incoming)
        answer: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._awaited += 1
        self._enqueue(_Item(incoming, None, answer=answer))
        return await answer

    @contextmanager
    def receiving(self) -> Iterator[None]:
        """Around the receipt of one request: while any is in progress, the worker holds back."""
        self._receiving += 1
        try:
            yield
        finally:
            self._receiving -= 1
            self._last_received = self._now()

    async def settle(self) -> None:
        """Wait until everything accepted so far is applied and followed up."""
        await self._settled.wait()
        while self._follow_ups:
            await asyncio.gather(*list(self._follow_ups), return_exceptions=True)

    # --- the worker --------------------------------------------------------------------

    def _enqueue(self, item: _Item) -> None:
        if item.seq is not None:
            self._accepted_ahead += 1
        self._queue.append(item)
        self._settled.clear()
        self._arrived.set()

    async def _work(self) -> None:
        while True:
            if not self._queue:
                if self._busy:
                    self._busy = False
                    self._on_idle()
                self._settled.set()
                self._arrived.clear()
                await self._arrived.wait()
                continue
            if self._queue[0].seq is not None:
                await self._quiet_moment(self._queue[0])
            item = self._queue.popleft()
            self._busy = True
            if item.answer is not None:
                self._awaited -= 1
                await self._answer(item, item.answer)
            elif self._together is not None and self._queue and self._queue[0].seq is not None:
                await self._apply_together([item, *self._backlog()])
            else:
                await self._apply(item)
            # Applying may never wait (a read served on the event loop's thread): without
            # this, a backlog would be applied in one go, and no request answered meanwhile.
            await asyncio.sleep(0)

    async def _quiet_moment(self, head: _Item) -> None:
        while not self._awaited and self._now() - head.since < self._patience:
            if not self._receiving and self._now() - self._last_received >= self._quiet:
                return
            await asyncio.sleep(self._quiet)

    async def _answer(self, item: _Item, answer: asyncio.Future[Outcome]) -> None:
        try:
            outcome = await self._core.handle(item.incoming)
        except Exception as failure:  # the caller reports it, as if it had called the core itself
            if not answer.done():
                answer.set_exception(failure)
        else:
            if not answer.done():
                answer.set_result(outcome)
        finally:
            if not answer.done():  # stopped mid-way: the caller must not wait forever
                answer.cancel()

    def _backlog(self) -> Iterator[_Item]:
        """Accepted events next in the queue, up to TOGETHER with the one already taken."""
        for _ in range(TOGETHER - 1):
            if not self._queue or self._queue[0].seq is None:
                return
            yield self._queue.popleft()

    async def _apply_together(self, items: list[_Item]) -> None:
        assert self._together is not None
        try:
            outcomes = await self._together([item.incoming for item in items])
        except Exception as failure:
            # Nothing of them was committed: each alone, so that a fault sets aside its own event.
            log.warning("inbox: %d events applied one by one after %r", len(items), failure)
            for item in items:
                await self._apply(item)
            return
        for item, outcome in zip(items, outcomes, strict=True):
            self._applied(item, outcome)

    async def _apply(self, item: _Item) -> None:
        self._applied(item, await self._apply_patiently(item))

    def _applied(self, item: _Item, outcome: Outcome | None) -> None:
        assert item.seq is not None
        self._accepted_ahead -= 1
        self._journal.applied(item.seq)
        if item.then is not None:
            task = asyncio.create_task(item.then(outcome), name="inbox follow-up")
            self._follow_ups.add(task)
            task.add_done_callback(self._followed_up)

    async def _apply_patiently(self, item: _Item) -> Outcome | None:
        """The outcome, retrying while the database is away; None if the event was set aside."""
        faults = 0
        for attempt in itertools.count():
            try:
                return await self._core.handle(item.incoming)
            except Exception as failure:
                faults = 0 if _database_away(failure) else faults + 1
                if faults >= ATTEMPTS_FOR_A_FAULT:
                    self._journal.set_aside(encode(item.incoming), repr(failure))
                    log.error("inbox: event %s set aside", item.incoming.event_id, exc_info=failure)
                    return None
                pause = self._retry_pauses[min(attempt, len(self._retry_pauses) - 1)]
                log.warning("inbox: applying %s failed (%r); again in %.1f s", item.incoming.event_id, failure, pause)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")

    def _followed_up(self, task: asyncio.Task[Any]) -> None:
        self._follow_ups.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("inbox: a follow-up failed", exc_info=task.exception())


def _database_away(failure: Exception) -> bool:
    """A failure that waiting cures (database unreachable, locked, restarting), unlike a fault."""
    return isinstance(failure, (OperationalError, InterfaceError, OSError))
