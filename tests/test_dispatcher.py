"""The dispatcher delivers every queued effect once, in order per case, and never loses one."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dispatcher import Dispatcher, RetryPolicy
from bot.flows.effects import Card, DirectMessage, Effect, Post, Reply, SetTimer, UpdateCard
from bot.flows.model import TimerKind
from bot.ports import Address, DeliveryError, Progress
from bot.storage.engine import make_engine, make_session_factory
from bot.storage.outbox import OutboxRow
from bot.storage.tables import outbox
from bot.storage.uow import UnitOfWork
from tests.storage.factories import T0, a_case, a_circle

Sessions = async_sessionmaker[AsyncSession]
RETRY = RetryPolicy(base=timedelta(seconds=2), cap=timedelta(minutes=1), max_attempts=4)


class FakeClock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


class RecordingDeliverer:
    """A platform that records what it was asked to deliver; it can be told to fail first."""

    platform = "slack"

    def __init__(
        self,
        failures: Sequence[Exception] = (),
        shared_log: list[tuple[Effect, Address]] | None = None,
    ) -> None:
        self.delivered: list[tuple[Effect, Address]] = []
        self.log = self.delivered if shared_log is None else shared_log
        self.arrived = asyncio.Event()
        self._failures = deque(failures)

    async def deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        await asyncio.sleep(0)  # let other dispatchers run in between
        if self._failures:
            raise self._failures.popleft()
        self.delivered.append((effect, address))
        if self.log is not self.delivered:
            self.log.append((effect, address))
        self.arrived.set()
        return f"msg-{len(self.log)}"

    @property
    def texts(self) -> list[str]:
        return [getattr(effect, "text", "") for effect, _ in self.delivered]


class TimerRecorder:
    def __init__(self, failures: int = 0) -> None:
        self.fired: list[SetTimer] = []
        self._failures = failures

    async def __call__(self, row: OutboxRow) -> None:
        if self._failures:
            self._failures -= 1
            raise RuntimeError("engine busy")
        effect = row.effect()
        assert isinstance(effect, SetTimer)
        self.fired.append(effect)


@pytest_asyncio.fixture
async def circle_with_cases(sessions: Sessions) -> AsyncIterator[None]:
    async with UnitOfWork(sessions) as uow:
        await uow.circles.add(a_circle())
        for number in range(1, 6):
            await uow.cases.add(a_case(f"case-{number}", number=number, client_id=f"u{number}"))
        await uow.commit()
    yield


async def queue(sessions: Sessions, effects: Sequence[Effect], now: datetime = T0) -> None:
    async with UnitOfWork(sessions) as uow:
        await uow.outbox.add(effects, now)
        await uow.commit()


async def set_thread(sessions: Sessions, case_id: str, ref: str) -> None:
    async with UnitOfWork(sessions) as uow:
        await uow.cases.set_thread_ref(case_id, ref)
        await uow.commit()


async def statuses(sessions: Sessions) -> list[tuple[str, int, str | None]]:
    async with sessions() as session:
        rows = await session.execute(select(outbox).order_by(outbox.c.id))
        return [(row.status, row.attempts, row.last_error) for row in rows]


def a_dispatcher(
    sessions: Sessions,
    deliverer: RecordingDeliverer,
    clock: FakeClock,
    on_timer: TimerRecorder | None = None,
    worker_id: str = "worker-1",
    claim_size: int | None = None,
) -> Dispatcher:
    return Dispatcher(
        sessions,
        {"slack": deliverer},
        on_timer or TimerRecorder(),
        clock,
        worker_id,
        retry=RETRY,
        claim_size=claim_size,
    )


def the_card(case_id: str = "case-1") -> Card:
    return Card(case_id, f"Case {case_id}", "Clarification", (), ())


CHANNEL = Address("slack", "T1", "C-circle-1")
pytestmark = pytest.mark.usefixtures("circle_with_cases")


@pytest.mark.asyncio
async def test_a_queued_message_is_delivered_to_its_circles_channel(sessions: Sessions) -> None:
    deliverer = RecordingDeliverer()
    await queue(sessions, [DirectMessage("circle-1", "bob", "Your turn")])

    handled = await a_dispatcher(sessions, deliverer, FakeClock()).run_once()

    assert handled == 1
    assert deliverer.delivered == [(DirectMessage("circle-1", "bob", "Your turn"), CHANNEL)]
    assert await statuses(sessions) == [("sent", 0, None)]


@pytest.mark.asyncio
async def test_a_failing_delivery_is_retried_and_delivered_later(sessions: Sessions) -> None:
    deliverer = RecordingDeliverer(failures=[DeliveryError("server error")])
    clock = FakeClock()
    dispatcher = a_dispatcher(sessions, deliverer, clock)
    await queue(sessions, [DirectMessage("circle-1", "bob", "Hello")])

    await dispatcher.run_once()
    assert deliverer.delivered == []
    assert await statuses(sessions) == [("pending", 1, "server error")]

    clock.advance(RETRY.base)
    await dispatcher.run_once()
    assert deliverer.texts == ["Hello"]
    assert await statuses(sessions) == [("sent", 1, "server error")]


@pytest.mark.asyncio
async def test_an_unexpected_adapter_error_is_retried_too(sessions: Sessions) -> None:
    deliverer = RecordingDeliverer(failures=[ConnectionResetError("peer reset")])
    clock = FakeClock()
    dispatcher = a_dispatcher(sessions, deliverer, clock)
    await queue(sessions, [DirectMessage("circle-1", "bob", "Hello")])

    await dispatcher.run_once()
    clock.advance(RETRY.base)
    await dispatcher.run_once()

    assert deliverer.texts == ["Hello"]


@pytest.mark.asyncio
async def test_a_rate_limited_delivery_waits_as_long_as_the_platform_asked(
    sessions: Sessions,
) -> None:
    deliverer = RecordingDeliverer(failures=[DeliveryError("ratelimited", retry_after=30)])
    clock = FakeClock()
    dispatcher = a_dispatcher(sessions, deliverer, clock)
    await queue(sessions, [DirectMessage("circle-1", "bob", "Hello")])
    await dispatcher.run_once()

    clock.advance(timedelta(seconds=29))
    assert await dispatcher.run_once() == 0
    clock.advance(timedelta(seconds=1))
    assert await dispatcher.run_once() == 1
    assert deliverer.texts == ["Hello"]


@pytest.mark.asyncio
async def test_a_permanent_failure_is_recorded_and_not_retried(sessions: Sessions) -> None:
    deliverer = RecordingDeliverer(failures=[DeliveryError("channel_not_found", permanent=True)])
    clock = FakeClock()
    dispatcher = a_dispatcher(sessions, deliverer, clock)
    await queue(sessions, [DirectMessage("circle-1", "bob", "Hello")])

    await dispatcher.run_once()
    clock.advance(timedelta(days=1))
    handled_later = await dispatcher.run_once()

    assert handled_later == 0
    assert deliverer.delivered == []
    assert await statuses(sessions) == [("failed", 1, "channel_not_found")]


@pytest.mark.asyncio
async def test_a_row_that_keeps_failing_is_failed_after_the_last_attempt(
    sessions: Sessions,
) -> None:
    deliverer = RecordingDeliverer(failures=[DeliveryError("5xx")] * RETRY.max_attempts)
    clock = FakeClock()
    dispatcher = a_dispatcher(sessions, deliverer, clock)
    await queue(sessions, [DirectMessage("circle-1", "bob", "Hello")])

    for _ in range(RETRY.max_attempts + 2):
        await dispatcher.run_once()
        clock.advance(RETRY.cap)

    assert deliverer.delivered == []
    assert await statuses(sessions) == [("failed", RETRY.max_attempts, "gave up after retries: 5xx")]


@pytest.mark.asyncio
async def test_a_posted_card_becomes_the_case_thread_and_the_reply_goes_in_it(
    sessions: Sessions,
) -> None:
    deliverer = RecordingDeliverer()
    await queue(
        sessions,
        [
            Post("circle-1", "Case 1 opened", card=the_card()),
            Reply("circle-1", "case-1", "First question?"),
            UpdateCard("circle-1", the_card()),
        ],
    )

    await a_dispatcher(sessions, deliverer, FakeClock()).run_once()

    assert [address for _, address in deliverer.delivered] == [
        CHANNEL,
        Address("slack", "T1", "C-circle-1", "msg-1"),
        Address("slack", "T1", "C-circle-1", "msg-1"),
    ]
    async with UnitOfWork(sessions) as uow:
        assert await uow.cases.thread_ref("case-1") == "msg-1"


@pytest.mark.asyncio
async def test_a_reply_waits_while_its_case_card_is_not_posted(sessions: Sessions) -> None:
    deliverer = RecordingDeliverer()
    clock = FakeClock()
    dispatcher = a_dispatcher(sessions, deliverer, clock)
    await queue(sessions, [Reply("circle-1", "case-2", "Hello thread")])

    await dispatcher.run_once()
    assert deliverer.delivered == []
    assert await statuses(sessions) == [("pending", 1, "the case card has not been posted yet")]

    await set_thread(sessions, "case-2", "card-2")
    clock.advance(RETRY.base)
    await dispatcher.run_once()
    assert deliverer.delivered == [
        (Reply("circle-1", "case-2", "Hello thread"), Address("slack", "T1", "C-circle-1", "card-2"))
    ]


@pytest.mark.asyncio
async def test_a_case_messages_are_delivered_in_the_order_they_were_queued(
    sessions: Sessions,
) -> None:
    deliverer = RecordingDeliverer(failures=[DeliveryError("5xx")])
    clock = FakeClock()
    dispatcher = a_dispatcher(sessions, deliverer, clock)
    await set_thread(sessions, "case-1", "card-1")
    await queue(sessions, [Reply("circle-1", "case-1", str(n)) for n in range(5)])

    await dispatcher.run_once()
    clock.advance(RETRY.base)
    await dispatcher.run_once()

    assert deliverer.texts == ["0", "1", "2", "3", "4"]


@pytest.mark.asyncio
async def test_a_due_timer_goes_to_the_engine_and_is_marked_done(sessions: Sessions) -> None:
    timers = TimerRecorder()
    clock = FakeClock()
    dispatcher = a_dispatcher(sessions, RecordingDeliverer(), clock, on_timer=timers)
    due = T0 + timedelta(hours=1)
    timer = SetTimer("circle-1", "case-1", TimerKind.HALF_WINDOW, due, seq=3)
    await queue(sessions, [timer])

    assert await dispatcher.run_once() == 0
    clock.advance(timedelta(hours=1))
    assert await dispatcher.run_once() == 1

    assert timers.fired == [timer]
    assert await statuses(sessions) == [("sent", 0, None)]


@pytest.mark.asyncio
async def test_a_timer_whose_handler_failed_fires_again_later(sessions: Sessions) -> None:
    timers = TimerRecorder(failures=1)
    clock = FakeClock()
    dispatcher = a_dispatcher(sessions, RecordingDeliverer(), clock, on_timer=timers)
    await queue(sessions, [SetTimer("circle-1", "case-1", TimerKind.DEADLINE, T0, seq=1)])

    await dispatcher.run_once()
    clock.advance(RETRY.base)
    await dispatcher.run_once()

    assert len(timers.fired) == 1


@pytest.mark.asyncio
async def test_a_message_for_a_circle_that_no_longer_exists_is_dropped(
    sessions: Sessions,
) -> None:
    deliverer = RecordingDeliverer()
    await queue(sessions, [DirectMessage("deleted-circle", "bob", "Hello")])

    await a_dispatcher(sessions, deliverer, FakeClock()).run_once()

    assert deliverer.delivered == []
    assert await statuses(sessions) == [("dropped", 0, "circle 'deleted-circle' no longer exists")]


@pytest.mark.asyncio
async def test_run_forever_delivers_as_soon_as_it_is_woken(sessions: Sessions) -> None:
    deliverer = RecordingDeliverer()
    wake = asyncio.Event()
    dispatcher = a_dispatcher(sessions, deliverer, FakeClock())
    running = asyncio.create_task(dispatcher.run_forever(wake, poll_interval=3600))
    try:
        await asyncio.sleep(0.05)
        await queue(sessions, [DirectMessage("circle-1", "bob", "Wake up")])
        wake.set()
        async with asyncio.timeout(5):
            await deliverer.arrived.wait()
    finally:
        running.cancel()
        with pytest.raises(asyncio.CancelledError):
            await running
    assert deliverer.texts == ["Wake up"]


class Racer(RecordingDeliverer):
    """Holds its deliveries until the other racer has been handed one too: whichever
    dispatcher claims first, both take part in the race (a claim leaves the rest of the due
    rows for later claims, so the other one always finds some)."""

    def __init__(self, shared_log: list[tuple[Effect, Address]], racers: list[Racer]) -> None:
        super().__init__(shared_log=shared_log)
        self._racers = racers
        self._both = asyncio.Event()

    async def deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        if self not in self._racers:
            self._racers.append(self)
            if len(self._racers) == 2:
                for racer in self._racers:
                    racer._both.set()
        await self._both.wait()
        return await super().deliver(effect, address, progress)


@pytest.mark.asyncio
async def test_two_dispatchers_at_once_never_deliver_a_row_twice(sessions: Sessions, migrated_url: str) -> None:
    for number in range(1, 6):
        await set_thread(sessions, f"case-{number}", f"card-{number}")
    effects: list[Effect] = [DirectMessage("circle-1", "bob", f"dm-{n}") for n in range(250)]
    effects += [Reply("circle-1", f"case-{case}", f"case-{case}-{n}") for n in range(10) for case in range(1, 6)]
    await queue(sessions, effects)
    other_engine = make_engine(migrated_url)
    log: list[tuple[Effect, Address]] = []
    racers: list[Racer] = []
    via_first, via_second = Racer(log, racers), Racer(log, racers)
    clock = FakeClock()
    first = a_dispatcher(sessions, via_first, clock, worker_id="first", claim_size=20)
    second = a_dispatcher(make_session_factory(other_engine), via_second, clock, worker_id="second", claim_size=20)
    try:
        await asyncio.gather(first.run_once(), second.run_once())
        await first.run_once()  # what the other still held back when this one finished
    finally:
        await other_engine.dispose()

    texts = [getattr(effect, "text", "") for effect, _ in log]
    assert sorted(texts) == sorted(getattr(effect, "text", "") for effect in effects)
    assert len(texts) == len(set(texts)) == 300
    assert via_first.delivered
    assert via_second.delivered
    for case in range(1, 6):
        in_case = [text for text in texts if text.startswith(f"case-{case}-")]
        assert in_case == [f"case-{case}-{n}" for n in range(10)]


class GatedDeliverer(RecordingDeliverer):
    """Holds every delivery until `gate` opens; counts how many wait at once."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.waiting = 0
        self.most_at_once = 0

    async def deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        self.waiting += 1
        self.most_at_once = max(self.most_at_once, self.waiting)
        try:
            await self.gate.wait()
        finally:
            self.waiting -= 1
        return await super().deliver(effect, address, progress)


async def rows_claimed(sessions: Sessions) -> int:
    return sum(1 for status, _, _ in await statuses(sessions) if status == "claimed")


async def until(condition: Callable[[], Awaitable[bool]]) -> None:
    """Yield to the dispatcher until `condition` holds (a bounded number of turns)."""
    for _ in range(10_000):
        if await condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


@pytest.mark.asyncio
async def test_the_next_claim_is_made_while_earlier_rows_are_still_being_delivered(sessions: Sessions) -> None:
    deliverer = GatedDeliverer()
    await queue(sessions, [DirectMessage("circle-1", f"u{n}", f"dm-{n}") for n in range(6)])
    dispatcher = Dispatcher(
        sessions, {"slack": deliverer}, TimerRecorder(), FakeClock(), "w", batch_size=2, claim_size=4
    )

    running = asyncio.create_task(dispatcher.run_once())
    await until(lambda: _claimed_at_least(sessions, 6))
    delivered_by_then = list(deliverer.delivered)
    deliverer.gate.set()
    await running

    assert delivered_by_then == []
    assert sorted(deliverer.texts) == [f"dm-{n}" for n in range(6)]


@pytest.mark.asyncio
async def test_no_more_than_batch_size_deliveries_run_at_once(sessions: Sessions) -> None:
    deliverer = GatedDeliverer()
    await queue(sessions, [DirectMessage("circle-1", f"u{n}", f"dm-{n}") for n in range(10)])
    dispatcher = Dispatcher(
        sessions, {"slack": deliverer}, TimerRecorder(), FakeClock(), "w", batch_size=3, claim_size=10
    )

    running = asyncio.create_task(dispatcher.run_once())
    await until(lambda: _claimed_at_least(sessions, 10))
    for _ in range(100):
        await asyncio.sleep(0)
    deliverer.gate.set()
    await running

    assert deliverer.most_at_once == 3
    assert len(deliverer.delivered) == 10


@pytest.mark.asyncio
async def test_each_delivered_row_is_settled_with_its_own_message_reference(sessions: Sessions) -> None:
    deliverer = RecordingDeliverer()
    await queue(sessions, [DirectMessage("circle-1", f"u{n}", f"dm-{n}") for n in range(3)])

    await a_dispatcher(sessions, deliverer, FakeClock()).run_once()

    async with sessions() as session:
        found = await session.execute(select(outbox.c.payload, outbox.c.status, outbox.c.message_ref))
        settled = {(row.payload["text"], row.status, row.message_ref) for row in found}
    sent_as = {getattr(effect, "text", ""): f"msg-{n}" for n, (effect, _) in enumerate(deliverer.delivered, 1)}
    assert settled == {(text, "sent", ref) for text, ref in sent_as.items()}


@pytest.mark.asyncio
async def test_a_circles_timers_claimed_apart_still_run_one_after_another_in_due_order(sessions: Sessions) -> None:
    started: list[int] = []
    first_may_end = asyncio.Event()

    async def slow_first(row: OutboxRow) -> None:
        effect = row.effect()
        assert isinstance(effect, SetTimer)
        started.append(effect.seq)
        if effect.seq == 1:
            await first_may_end.wait()

    await queue(sessions, [SetTimer("circle-1", "case-1", TimerKind.DEADLINE, T0, seq=n) for n in (1, 2)])
    dispatcher = Dispatcher(
        sessions, {"slack": RecordingDeliverer()}, slow_first, FakeClock(), "w", batch_size=1, claim_size=1
    )

    running = asyncio.create_task(dispatcher.run_once())
    await until(lambda: _claimed_at_least(sessions, 2))
    started_before = list(started)
    first_may_end.set()
    await running

    assert started_before == [1]
    assert started == [1, 2]


async def _claimed_at_least(sessions: Sessions, count: int) -> bool:
    return await rows_claimed(sessions) >= count


async def _stopped_mid_delivery(sessions: Sessions, clock: FakeClock) -> None:
    """Start a dispatcher, and stop it while its delivery of the queued row is under way."""
    deliverer = GatedDeliverer()
    running = asyncio.create_task(a_dispatcher(sessions, deliverer, clock, worker_id="stopped").run_once())
    await until(lambda: _delivering(deliverer))
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running


async def _delivering(deliverer: GatedDeliverer) -> bool:
    return deliverer.waiting > 0


@pytest.mark.asyncio
async def test_a_delivery_cut_off_by_a_stop_is_delivered_by_a_fresh_dispatcher_long_before_its_lease_ends(
    sessions: Sessions,
) -> None:
    clock = FakeClock()
    await queue(sessions, [Post("circle-1", "hello")])
    await _stopped_mid_delivery(sessions, clock)

    clock.advance(timedelta(seconds=1))
    deliverer = RecordingDeliverer()
    await a_dispatcher(sessions, deliverer, clock, worker_id="fresh").run_once()

    assert deliverer.texts == ["hello"]


@pytest.mark.asyncio
async def test_a_delivery_cut_off_by_a_stop_counts_no_attempt(sessions: Sessions) -> None:
    clock = FakeClock()
    await queue(sessions, [Post("circle-1", "hello")])

    await _stopped_mid_delivery(sessions, clock)

    assert await statuses(sessions) == [("pending", 0, None)]


@pytest.mark.asyncio
async def test_messages_still_waiting_for_a_delivery_slot_at_a_stop_are_given_back_too(sessions: Sessions) -> None:
    clock = FakeClock()
    await queue(sessions, [DirectMessage("circle-1", f"u{n}", f"dm-{n}") for n in range(3)])
    deliverer = GatedDeliverer()
    dispatcher = Dispatcher(sessions, {"slack": deliverer}, TimerRecorder(), clock, "stopped", batch_size=1)
    running = asyncio.create_task(dispatcher.run_once())
    await until(lambda: _delivering(deliverer))

    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running

    assert await statuses(sessions) == [("pending", 0, None)] * 3


class PiecesDeliverer:
    """Shows a text as one message per '|'-separated piece, each through `progress`; the
    piece named `fail_on` fails once, and with `hold_on` the delivery waits there instead."""

    platform = "slack"

    def __init__(self, fail_on: str | None = None, hold_on: str | None = None) -> None:
        self.sent: list[str] = []
        self.held = asyncio.Event()
        self._fail_on = fail_on
        self._hold_on = hold_on

    async def deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        first: str | None = None
        for piece in getattr(effect, "text", "").split("|"):
            ref = await progress.part(lambda piece=piece: self._send(piece))  # type: ignore[misc]
            first = first or ref
        return first

    async def _send(self, piece: str) -> str:
        if piece == self._hold_on:
            self.held.set()
            await asyncio.Event().wait()
        if piece == self._fail_on:
            self._fail_on = None
            raise DeliveryError("server error")
        self.sent.append(piece)
        return f"ref-{len(self.sent)}"  # a new id for every message posted


async def message_refs(sessions: Sessions) -> list[str | None]:
    async with sessions() as session:
        return list((await session.scalars(select(outbox.c.message_ref).order_by(outbox.c.id))).all())


async def retried_after_failing_on_its_second_piece(sessions: Sessions) -> PiecesDeliverer:
    """Queue a three-piece message whose second piece fails once; deliver, then retry."""
    deliverer = PiecesDeliverer(fail_on="two")
    clock = FakeClock()
    dispatcher = Dispatcher(sessions, {"slack": deliverer}, TimerRecorder(), clock, "worker-1", retry=RETRY)
    await queue(sessions, [Post("circle-1", "one|two|three")])
    await dispatcher.run_once()
    clock.advance(RETRY.base)
    await dispatcher.run_once()
    return deliverer


@pytest.mark.asyncio
async def test_a_message_that_failed_part_way_is_retried_from_its_first_piece_not_sent(sessions: Sessions) -> None:
    deliverer = await retried_after_failing_on_its_second_piece(sessions)

    assert deliverer.sent == ["one", "two", "three"]


@pytest.mark.asyncio
async def test_a_message_resumed_part_way_keeps_the_id_of_its_first_piece(sessions: Sessions) -> None:
    await retried_after_failing_on_its_second_piece(sessions)

    assert await message_refs(sessions) == ["ref-1"]


@pytest.mark.asyncio
async def test_a_delivery_stopped_part_way_is_finished_by_a_fresh_dispatcher_without_repeating_a_piece(
    sessions: Sessions,
) -> None:
    clock = FakeClock()
    await queue(sessions, [Post("circle-1", "one|two|three")])
    stopped = PiecesDeliverer(hold_on="two")
    running = asyncio.create_task(
        Dispatcher(sessions, {"slack": stopped}, TimerRecorder(), clock, "stopped").run_once()
    )
    await stopped.held.wait()
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running

    fresh = PiecesDeliverer()
    await Dispatcher(sessions, {"slack": fresh}, TimerRecorder(), clock, "fresh").run_once()

    assert (stopped.sent, fresh.sent) == (["one"], ["two", "three"])
