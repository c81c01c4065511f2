"""The inbox: events are journaled before anyone hears "got it", then applied once, in order."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.inbox import TOGETHER, Inbox
from bot.incoming import Incoming, Origin, Outcome, SlashCommand, ThreadReply
from bot.storage.incoming_codec import decode, encode
from bot.storage.journal import Journal
from tests.service.helpers import CONSULTANTS, Clock, Driver, contributions_of

BOB = CONSULTANTS[0]
ORIGIN = Origin("slack", "T1", "C1", "UBOB", "Bob", thread_ref="T1")
TINY = (0.0,)


def reply(text: str, event_id: str | None = None) -> Incoming:
    return Incoming(ORIGIN, ThreadReply(text, f"m-{text}"), event_id if event_id is not None else f"Ev-{text}")


def texts(events: list[Incoming]) -> list[str]:
    return [event.payload.text for event in events if isinstance(event.payload, ThreadReply | SlashCommand)]


def journal_bytes(folder: Path) -> bytes:
    """Everything the journal's segments hold, oldest first."""
    return b"".join(segment.read_bytes() for segment in sorted(folder.glob("inbox-*.log")))


class FakeCore:
    """The core as the inbox calls it: records what it applied, dedupes by event id like `Codev`.

    `hold` keeps every call waiting until it is set; `failures` are raised, one per call, first."""

    def __init__(self, journal_folder: Path | None = None) -> None:
        self.seen: list[Incoming] = []  # every call, duplicates and failures included
        self.batches: list[list[Incoming]] = []  # every call of `handle_together`
        self.applied: list[Incoming] = []
        self.hold = asyncio.Event()
        self.hold.set()
        self.failures: list[Exception] = []
        self.failing: dict[str, Exception] = {}  # always fails for these event ids
        self.journal_at_call: list[bytes] = []
        self.called = asyncio.Event()
        self._journal_folder = journal_folder
        self._done: set[str] = set()

    async def handle(self, incoming: Incoming) -> Outcome:
        self.seen.append(incoming)
        self.called.set()
        if self._journal_folder is not None:
            self.journal_at_call.append(journal_bytes(self._journal_folder))
        await self.hold.wait()
        if self.failures:
            raise self.failures.pop(0)
        if incoming.event_id in self.failing:
            raise self.failing[incoming.event_id]
        if incoming.event_id is not None:
            if incoming.event_id in self._done:
                return Outcome(duplicate=True)
            self._done.add(incoming.event_id)
        self.applied.append(incoming)
        await asyncio.sleep(0)  # let others run while "committing"
        return Outcome(extras={"applied": texts([incoming])[0]})

    async def handle_together(self, incomings: Sequence[Incoming]) -> list[Outcome]:
        """All or nothing, as `Codev.handle_together`: a failing event fails them all."""
        self.batches.append(list(incomings))
        for incoming in incomings:
            if incoming.event_id in self.failing:
                raise self.failing[incoming.event_id]
        return [await self.handle(incoming) for incoming in incomings]


class Recorder:
    """A `then`: keeps the outcomes it is given."""

    def __init__(self) -> None:
        self.outcomes: list[Outcome | None] = []

    async def __call__(self, outcome: Outcome | None) -> None:
        self.outcomes.append(outcome)


async def turns(n: int = 10) -> None:
    """Let the event loop run everyone else `n` times."""
    for _ in range(n):
        await asyncio.sleep(0)


def database_away() -> OperationalError:
    return OperationalError("SELECT 1", {}, ConnectionRefusedError("the database is restarting"))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "inbox"


@pytest.fixture
def core(folder: Path) -> FakeCore:
    return FakeCore(folder)


@pytest_asyncio.fixture
async def inbox(core: FakeCore, folder: Path) -> AsyncIterator[Inbox]:
    started = Inbox(core, Journal(folder), quiet=0.0, retry_pauses=TINY)
    await started.start()
    yield started
    await started.stop()


@pytest.mark.asyncio
async def test_an_accepted_event_is_in_the_journal_before_the_core_sees_it(inbox: Inbox, core: FakeCore) -> None:
    event = reply("first")

    inbox.accept(event)
    seen_at_accept = list(core.seen)
    await inbox.settle()

    assert seen_at_accept == []
    assert core.seen == [event]
    [journal_then] = core.journal_at_call
    assert encode(event) in journal_then


@pytest.mark.asyncio
async def test_accepted_events_are_applied_in_the_order_they_arrived(inbox: Inbox, core: FakeCore) -> None:
    names = [f"reply {n}" for n in range(8)]

    for name in names:
        inbox.accept(reply(name))
    await inbox.settle()

    assert texts(core.applied) == names


@pytest.mark.asyncio
async def test_then_receives_the_outcome_of_the_event(inbox: Inbox) -> None:
    then = Recorder()

    inbox.accept(reply("hello"), then)
    await inbox.settle()

    assert then.outcomes == [Outcome(extras={"applied": "hello"})]


@pytest.mark.asyncio
async def test_an_event_without_an_id_is_given_one_starting_with_inbox(inbox: Inbox, core: FakeCore) -> None:
    inbox.accept(reply("anonymous", event_id=""))
    inbox.accept(Incoming(ORIGIN, ThreadReply("no id")))
    await inbox.settle()

    no_id = core.applied[-1]
    assert no_id.event_id is not None
    assert no_id.event_id.startswith("inbox-")


@pytest.mark.asyncio
async def test_two_events_without_an_id_are_given_different_ones(inbox: Inbox, core: FakeCore) -> None:
    inbox.accept(Incoming(ORIGIN, ThreadReply("same words")))
    inbox.accept(Incoming(ORIGIN, ThreadReply("same words")))
    await inbox.settle()

    assert len(core.applied) == 2
    assert core.applied[0].event_id != core.applied[1].event_id


@pytest.mark.asyncio
async def test_an_event_without_an_id_applied_just_before_a_crash_is_applied_once_when_replayed(folder: Path) -> None:
    core = FakeCore()
    first = Inbox(core, Journal(folder), quiet=0.0)
    await first.start()
    core.hold.clear()
    inbox_id_event = Incoming(ORIGIN, ThreadReply("committed, not marked applied"))
    first.accept(inbox_id_event)
    await core.called.wait()
    given_id = core.seen[0].event_id
    # The core commits (its dedupe table remembers the id), then the bot dies before the watermark.
    assert given_id is not None
    core._done.add(given_id)
    core.applied.append(core.seen[0])
    await first.stop()
    core.hold.set()

    second = Inbox(core, Journal(folder), quiet=0.0)
    replayed = await second.start()
    await second.settle()
    await second.stop()

    assert replayed == 1
    assert [event.event_id for event in core.seen] == [given_id, given_id]
    assert len(core.applied) == 1


@pytest.mark.asyncio
async def test_handle_waits_for_the_events_accepted_before_it(inbox: Inbox, core: FakeCore) -> None:
    core.hold.clear()
    inbox.accept(reply("accepted first"))
    inbox.accept(reply("accepted second"))
    asked = asyncio.create_task(inbox.handle(reply("handled")))
    await turns()
    seen_while_held = texts(core.seen)

    core.hold.set()
    outcome = await asked
    await inbox.settle()

    assert seen_while_held == ["accepted first"]
    assert texts(core.applied) == ["accepted first", "accepted second", "handled"]
    assert outcome == Outcome(extras={"applied": "handled"})


@pytest.mark.asyncio
async def test_a_handle_call_still_queued_at_stop_is_not_left_waiting(inbox: Inbox, core: FakeCore) -> None:
    core.hold.clear()
    inbox.accept(reply("accepted first"))
    asked = asyncio.create_task(inbox.handle(reply("clicked")))
    await turns()

    await inbox.stop()
    await turns()

    assert asked.cancelled()


@pytest.mark.asyncio
async def test_a_handle_call_being_applied_at_stop_is_not_left_waiting(inbox: Inbox, core: FakeCore) -> None:
    core.hold.clear()
    inbox.accept(reply("accepted first"))
    asked = asyncio.create_task(inbox.handle(reply("clicked")))
    await turns()
    gate = core.hold
    core.hold = asyncio.Event()  # "accepted first" goes through; "clicked" is held in the core
    gate.set()
    await turns(20)
    being_applied = texts(core.seen)

    await inbox.stop()
    await turns()
    left_waiting = not asked.done()
    asked.cancel()
    await asyncio.gather(asked, return_exceptions=True)

    assert being_applied == ["accepted first", "clicked"]
    assert not left_waiting


@pytest.mark.asyncio
async def test_handle_with_nothing_accepted_ahead_answers_at_once(inbox: Inbox, core: FakeCore) -> None:
    outcome = await inbox.handle(reply("alone"))

    assert outcome == Outcome(extras={"applied": "alone"})
    assert texts(core.applied) == ["alone"]


@pytest.mark.asyncio
async def test_a_failure_of_handle_reaches_its_caller_after_earlier_events(inbox: Inbox, core: FakeCore) -> None:
    core.hold.clear()
    inbox.accept(reply("before"))
    core.failing["Ev-broken"] = RuntimeError("refused by the engine")
    asked = asyncio.create_task(inbox.handle(reply("broken")))
    await turns()
    core.hold.set()

    with pytest.raises(RuntimeError, match="refused by the engine"):
        await asked
    await inbox.settle()
    assert texts(core.applied) == ["before"]


class NeverSuspendingCore:
    """A core whose work never waits (reads served from memory): it never yields the loop."""

    def __init__(self) -> None:
        self.applied = 0

    async def handle(self, incoming: Incoming) -> Outcome:
        self.applied += 1
        return Outcome()


@pytest.mark.asyncio
async def test_the_worker_lets_the_event_loop_run_between_events_even_when_applying_never_waits(folder: Path) -> None:
    core = NeverSuspendingCore()
    inbox = Inbox(core, Journal(folder), quiet=0.0)
    await inbox.start()
    try:
        for n in range(20):
            inbox.accept(reply(f"question {n}"))
        applied_when_others_ran: list[int] = []
        await asyncio.create_task(_note(applied_when_others_ran, core))
        await inbox.settle()
    finally:
        await inbox.stop()

    assert applied_when_others_ran[0] < 20
    assert core.applied == 20


async def _note(into: list[int], core: NeverSuspendingCore) -> None:
    into.append(core.applied)


@pytest.mark.asyncio
async def test_while_a_request_is_being_received_the_worker_does_not_apply(core: FakeCore, folder: Path) -> None:
    inbox = Inbox(core, Journal(folder), quiet=0.0, patience=3600.0)
    await inbox.start()
    try:
        with inbox.receiving():
            inbox.accept(reply("acknowledged first"))
            await turns(20)
            seen_while_receiving = list(core.seen)
        await inbox.settle()
    finally:
        await inbox.stop()

    assert seen_while_receiving == []
    assert texts(core.applied) == ["acknowledged first"]


@pytest.mark.asyncio
async def test_while_requests_keep_arriving_beyond_patience_the_event_is_applied_anyway(
    core: FakeCore, folder: Path
) -> None:
    now = [0.0]
    inbox = Inbox(core, Journal(folder), quiet=0.0, patience=10.0, monotonic=lambda: now[0])
    await inbox.start()
    try:
        with inbox.receiving():
            inbox.accept(reply("waited long enough"))
            await turns(20)
            seen_within_patience = list(core.seen)
            now[0] = 10.5
            await turns(20)
            applied_while_receiving = texts(core.applied)
        await inbox.settle()
    finally:
        await inbox.stop()

    assert seen_within_patience == []
    assert applied_while_receiving == ["waited long enough"]


@pytest.mark.asyncio
async def test_handle_called_while_a_request_is_being_received_does_not_wait_for_it_to_end(
    core: FakeCore, folder: Path
) -> None:
    inbox = Inbox(core, Journal(folder), quiet=0.0, patience=3600.0)
    await inbox.start()
    try:
        with inbox.receiving():  # a button whose answer goes in the acknowledgement
            inbox.accept(reply("accepted first"))
            asked = asyncio.create_task(inbox.handle(reply("clicked")))
            await turns(20)
            answered_while_receiving = asked.done()
        outcome = await asked
        await inbox.settle()
    finally:
        await inbox.stop()

    assert answered_while_receiving
    assert outcome == Outcome(extras={"applied": "clicked"})
    assert texts(core.applied) == ["accepted first", "clicked"]


@pytest.mark.asyncio
async def test_an_event_is_retried_while_the_database_is_away_until_it_is_applied(
    inbox: Inbox, core: FakeCore, folder: Path
) -> None:
    core.failures = [database_away() for _ in range(5)]
    then = Recorder()

    inbox.accept(reply("patient"), then)
    await inbox.settle()

    assert texts(core.seen) == ["patient"] * 6
    assert texts(core.applied) == ["patient"]
    assert then.outcomes == [Outcome(extras={"applied": "patient"})]
    assert not (folder / "set-aside.log").exists()


@pytest.mark.asyncio
async def test_connection_errors_are_retried_like_the_database_being_away(inbox: Inbox, core: FakeCore) -> None:
    core.failures = [ConnectionResetError("reset"), OSError("no route"), ConnectionResetError("reset")]

    inbox.accept(reply("patient"))
    await inbox.settle()

    assert texts(core.applied) == ["patient"]


@pytest.mark.asyncio
async def test_an_event_that_keeps_failing_is_set_aside_after_three_attempts(
    inbox: Inbox, core: FakeCore, folder: Path
) -> None:
    core.failing["Ev-poison"] = ValueError("no such case")
    then = Recorder()

    inbox.accept(reply("poison"), then)
    inbox.accept(reply("next"))
    await inbox.settle()

    assert texts(core.seen) == ["poison"] * 3 + ["next"]
    assert then.outcomes == [None]
    assert texts(core.applied) == ["next"]
    [kept] = (folder / "set-aside.log").read_bytes().splitlines()
    entry, _, reason = kept.partition(b"\t")
    assert decode(entry) == reply("poison")
    assert b"no such case" in reason


@pytest.mark.asyncio
async def test_an_event_set_aside_is_not_replayed_at_the_next_start(inbox: Inbox, core: FakeCore, folder: Path) -> None:
    core.failing["Ev-poison"] = ValueError("no such case")
    inbox.accept(reply("poison"))
    await inbox.settle()
    await inbox.stop()

    again = Inbox(FakeCore(), Journal(folder))
    replayed = await again.start()
    await again.stop()

    assert replayed == 0


@pytest.mark.asyncio
async def test_accept_before_start_is_refused(core: FakeCore, folder: Path) -> None:
    inbox = Inbox(core, Journal(folder))

    with pytest.raises(RuntimeError):
        inbox.accept(reply("too early"))

    assert journal_bytes(folder) == b""


@pytest.mark.asyncio
async def test_events_still_queued_at_stop_are_applied_by_the_next_inbox_on_the_same_folder(folder: Path) -> None:
    stuck = FakeCore()
    stuck.hold.clear()
    first = Inbox(stuck, Journal(folder), quiet=0.0)
    await first.start()
    names = ["one", "two", "three"]
    for name in names:
        first.accept(reply(name))
    await stuck.called.wait()
    await first.stop()

    core = FakeCore()
    second = Inbox(core, Journal(folder), quiet=0.0)
    replayed = await second.start()
    await second.settle()
    await second.stop()

    assert stuck.applied == []
    assert replayed == 3
    assert [event.event_id for event in core.applied] == ["Ev-one", "Ev-two", "Ev-three"]
    assert texts(core.applied) == names


@pytest.mark.asyncio
async def test_events_applied_before_a_stop_are_not_replayed(inbox: Inbox, core: FakeCore, folder: Path) -> None:
    inbox.accept(reply("done"))
    await inbox.settle()
    await inbox.stop()

    again = FakeCore()
    second = Inbox(again, Journal(folder))
    replayed = await second.start()
    await second.settle()
    await second.stop()

    assert replayed == 0
    assert again.seen == []


@pytest.mark.asyncio
async def test_an_inbox_over_a_journal_without_a_folder_applies_what_it_accepts(core: FakeCore) -> None:
    inbox = Inbox(core, Journal(None), quiet=0.0)
    await inbox.start()
    try:
        inbox.accept(reply("in memory"))
        await inbox.settle()
    finally:
        await inbox.stop()

    assert texts(core.applied) == ["in memory"]


# --- with the real core ------------------------------------------------------------------


@pytest.mark.asyncio
async def test_an_event_committed_but_not_marked_applied_is_not_applied_twice_when_replayed(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    driver = Driver(sessions, Clock())
    await driver.start_circle()
    case = await driver.open_case()
    origin = Origin("slack", "W1", "C1", BOB, BOB.title(), "T1")
    event = Incoming(origin, ThreadReply("How long has this lasted?", "msg-1"), "Ev-committed")
    folder = tmp_path / "inbox"
    journal = Journal(folder)
    journal.open()
    journal.append(encode(event))  # acknowledged to the platform ...
    journal.close()
    first = await driver.codev.handle(event)  # ... committed by the core, then the bot died

    inbox = Inbox(driver.codev, Journal(folder), quiet=0.0)
    replayed = await inbox.start()
    await inbox.settle()
    await inbox.stop()

    assert not first.duplicate
    assert replayed == 1
    by_bob = [entry.text for entry in await contributions_of(sessions, case.id) if entry.author_id == BOB]
    assert by_bob == ["How long has this lasted?"]
    leftover = Journal(folder)
    assert leftover.open() == []
    leftover.close()


@pytest.mark.asyncio
async def test_an_unreadable_journal_entry_is_set_aside_at_start_and_the_rest_applied(folder: Path) -> None:
    journal = Journal(folder)
    journal.open()
    journal.append(b"not an event")
    journal.append(encode(reply("fine")))
    journal.close()

    core = FakeCore()
    inbox = Inbox(core, Journal(folder), quiet=0.0)
    await inbox.start()
    await inbox.settle()
    await inbox.stop()

    assert texts(core.applied) == ["fine"]
    assert (folder / "set-aside.log").read_bytes().startswith(b"not an event\t")


@pytest.mark.asyncio
async def test_once_a_backlog_is_applied_the_inbox_is_idle_once(core: FakeCore, folder: Path) -> None:
    applied_when_idle: list[int] = []
    inbox = Inbox(core, Journal(folder), quiet=0.0, on_idle=lambda: applied_when_idle.append(len(core.applied)))
    await inbox.start()
    try:
        for n in range(3):
            inbox.accept(reply(f"reply {n}"))
        await inbox.settle()
    finally:
        await inbox.stop()

    assert applied_when_idle == [3]


@pytest.mark.asyncio
async def test_an_inbox_that_applied_nothing_is_never_called_idle(core: FakeCore, folder: Path) -> None:
    idle: list[bool] = []
    inbox = Inbox(core, Journal(folder), quiet=0.0, on_idle=lambda: idle.append(True))
    await inbox.start()
    await asyncio.sleep(0.01)
    await inbox.stop()

    assert idle == []


async def _left_in_the_journal(folder: Path, *names: str) -> None:
    """A run that accepted `names` and stopped before applying any."""
    stuck = FakeCore()
    stuck.hold.clear()
    first = Inbox(stuck, Journal(folder), quiet=0.0)
    await first.start()
    for name in names:
        first.accept(reply(name))
    await stuck.called.wait()
    await first.stop()


@pytest.mark.asyncio
async def test_an_event_replayed_at_start_has_its_outcome_followed_up_by_replayed(folder: Path) -> None:
    await _left_in_the_journal(folder, "lost answer")
    then = Recorder()
    second = Inbox(FakeCore(), Journal(folder), quiet=0.0, replayed=lambda incoming: then)

    await second.start()
    await second.settle()
    await second.stop()

    assert [outcome.extras if outcome else None for outcome in then.outcomes] == [{"applied": "lost answer"}]


@pytest.mark.asyncio
async def test_a_replayed_event_that_is_set_aside_is_followed_up_with_none(folder: Path) -> None:
    await _left_in_the_journal(folder, "poison")
    core = FakeCore()
    core.failing["Ev-poison"] = ValueError("no such case")
    then = Recorder()
    second = Inbox(core, Journal(folder), quiet=0.0, retry_pauses=TINY, replayed=lambda incoming: then)

    await second.start()
    await second.settle()
    await second.stop()

    assert then.outcomes == [None]


@pytest_asyncio.fixture
async def batching(core: FakeCore, folder: Path) -> AsyncIterator[Inbox]:
    started = Inbox(core, Journal(folder), quiet=0.0, retry_pauses=TINY, together=core.handle_together)
    await started.start()
    yield started
    await started.stop()


@pytest.mark.asyncio
async def test_a_backlog_of_accepted_events_is_applied_together_in_arrival_order(
    batching: Inbox, core: FakeCore
) -> None:
    for text in ("a", "b", "c"):
        batching.accept(reply(text))
    await batching.settle()

    assert [texts(batch) for batch in core.batches] == [["a", "b", "c"]]


@pytest.mark.asyncio
async def test_each_event_applied_together_is_followed_up_with_its_own_outcome(batching: Inbox) -> None:
    first, second = Recorder(), Recorder()
    batching.accept(reply("a"), first)
    batching.accept(reply("b"), second)
    await batching.settle()

    assert [o.extras["applied"] if o else None for o in (*first.outcomes, *second.outcomes)] == ["a", "b"]


@pytest.mark.asyncio
async def test_a_lone_accepted_event_is_applied_alone(batching: Inbox, core: FakeCore) -> None:
    batching.accept(reply("a"))
    await batching.settle()

    assert (core.batches, texts(core.applied)) == ([], ["a"])


@pytest.mark.asyncio
async def test_a_backlog_is_applied_in_transactions_of_at_most_together_events(batching: Inbox, core: FakeCore) -> None:
    for number in range(TOGETHER + 5):
        batching.accept(reply(f"r{number}"))
    await batching.settle()

    assert [len(batch) for batch in core.batches] == [TOGETHER, 5]


@pytest.mark.asyncio
async def test_when_applying_together_fails_each_event_is_applied_alone_and_only_the_faulty_one_set_aside(
    batching: Inbox, core: FakeCore, folder: Path
) -> None:
    core.failing["Ev-poison"] = ValueError("no such case")
    for text in ("a", "poison", "b"):
        batching.accept(reply(text))
    await batching.settle()

    assert texts(core.applied) == ["a", "b"]
    [kept] = (folder / "set-aside.log").read_bytes().splitlines()
    assert decode(kept.partition(b"\t")[0]) == reply("poison")


@pytest.mark.asyncio
async def test_a_handle_call_ends_the_backlog_applied_together_before_it(batching: Inbox, core: FakeCore) -> None:
    core.hold.clear()
    batching.accept(reply("first"))  # being applied alone, held
    await turns()
    batching.accept(reply("a"))
    batching.accept(reply("b"))
    answer = asyncio.create_task(batching.handle(reply("asked")))
    await turns()
    batching.accept(reply("c"))
    core.hold.set()
    await answer
    await batching.settle()

    assert [texts(batch) for batch in core.batches] == [["a", "b"]]
    assert texts(core.applied) == ["first", "a", "b", "asked", "c"]
