"""Claiming outbox rows: atomic, leased, in order per case, and settled exactly once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.effects import DirectMessage, Effect, Reply, SetTimer
from bot.flows.model import TimerKind
from bot.ports import Address
from bot.storage.outbox import Outbox
from bot.storage.tables import outbox
from bot.storage.uow import UnitOfWork
from tests.storage.factories import T0, a_case, a_circle

Sessions = async_sessionmaker[AsyncSession]
LEASE = timedelta(minutes=2)


async def queue(sessions: Sessions, effects: Sequence[Effect]) -> None:
    async with UnitOfWork(sessions) as uow:
        if await uow.circles.get("circle-1") is None:
            await uow.circles.add(a_circle())
            await uow.cases.add(a_case("case-1"))
            await uow.cases.add(a_case("case-2", client_id="carol", number=2))
        await uow.outbox.add(effects, T0)
        await uow.commit()


async def status_of(sessions: Sessions, row_id: int) -> tuple[str, int]:
    async with sessions() as session:
        row = (await session.execute(select(outbox).where(outbox.c.id == row_id))).one()
    return row.status, row.attempts


def dm(text: str) -> DirectMessage:
    return DirectMessage("circle-1", "bob", text)


@pytest.mark.asyncio
async def test_a_claimed_row_is_not_claimed_again_while_its_lease_runs(sessions: Sessions) -> None:
    await queue(sessions, [dm("hello")])
    rows = Outbox(sessions)

    first = await rows.claim_due(T0, "worker-a", 10, LEASE)
    second = await rows.claim_due(T0 + timedelta(minutes=1), "worker-b", 10, LEASE)

    assert [row.effect() for row in first] == [dm("hello")]
    assert first[0].claimed_by == "worker-a"
    assert second == []


@pytest.mark.asyncio
async def test_a_row_whose_worker_died_is_claimable_once_the_lease_expires(
    sessions: Sessions,
) -> None:
    await queue(sessions, [dm("hello")])
    rows = Outbox(sessions)
    await rows.claim_due(T0, "worker-a", 10, LEASE)

    reclaimed = await rows.claim_due(T0 + LEASE, "worker-b", 10, LEASE)

    assert [row.claimed_by for row in reclaimed] == ["worker-b"]


@pytest.mark.asyncio
async def test_a_limited_claim_takes_lapsed_claims_and_due_rows_together_earliest_due_first(
    sessions: Sessions,
) -> None:
    rows = Outbox(sessions)
    async with UnitOfWork(sessions) as uow:
        await uow.circles.add(a_circle())
        await uow.outbox.add([dm("early, then its worker died")], T0)
        await uow.outbox.add([dm("later")], T0 + timedelta(minutes=1))
        await uow.outbox.add([dm("latest")], T0 + timedelta(minutes=2))
        await uow.commit()
    await rows.claim_due(T0, "worker-a", 1, LEASE)

    claimed = await rows.claim_due(T0 + LEASE, "worker-b", 2, LEASE)

    assert [row.effect() for row in claimed] == [dm("early, then its worker died"), dm("later")]


@pytest.mark.asyncio
async def test_a_timer_is_claimed_only_once_due(sessions: Sessions) -> None:
    due = T0 + timedelta(days=1)
    await queue(sessions, [SetTimer("circle-1", "case-1", TimerKind.DEADLINE, due, seq=1)])
    rows = Outbox(sessions)

    early = await rows.claim_due(due - timedelta(seconds=1), "worker", 10, LEASE)
    on_time = await rows.claim_due(due, "worker", 10, LEASE)

    assert early == []
    assert [row.kind for row in on_time] == ["timer"]


@pytest.mark.asyncio
async def test_only_the_oldest_undelivered_message_of_a_case_is_claimed(
    sessions: Sessions,
) -> None:
    await queue(
        sessions,
        [
            Reply("circle-1", "case-1", "first"),
            Reply("circle-1", "case-1", "second"),
            Reply("circle-1", "case-2", "other case"),
        ],
    )
    rows = Outbox(sessions)

    claimed = await rows.claim_due(T0, "worker", 10, LEASE)
    assert [row.payload["text"] for row in claimed] == ["first", "other case"]
    assert await rows.claim_due(T0, "worker", 10, LEASE) == []

    await rows.mark_sent(claimed[0].id, "m1", T0)
    following = await rows.claim_due(T0, "worker", 10, LEASE)
    assert [row.payload["text"] for row in following] == ["second"]


@pytest.mark.asyncio
async def test_a_message_waiting_for_a_retry_holds_back_the_rest_of_its_case(
    sessions: Sessions,
) -> None:
    await queue(sessions, [Reply("circle-1", "case-1", "first"), Reply("circle-1", "case-1", "2")])
    rows = Outbox(sessions)
    (first,) = await rows.claim_due(T0, "worker", 10, LEASE)

    await rows.mark_retry(first.id, "429", T0 + timedelta(seconds=30))

    assert await rows.claim_due(T0 + timedelta(seconds=29), "worker", 10, LEASE) == []
    again = await rows.claim_due(T0 + timedelta(seconds=30), "worker", 10, LEASE)
    assert [(row.id, row.attempts) for row in again] == [(first.id, 1)]


@pytest.mark.asyncio
async def test_a_failed_row_is_kept_and_never_claimed_again(sessions: Sessions) -> None:
    await queue(sessions, [dm("hello")])
    rows = Outbox(sessions)
    (claimed,) = await rows.claim_due(T0, "worker", 10, LEASE)

    await rows.mark_failed(claimed.id, "channel_not_found")

    assert await rows.claim_due(T0 + timedelta(days=1), "worker", 10, LEASE) == []
    assert await status_of(sessions, claimed.id) == ("failed", 1)
    assert await rows.next_due_at() is None


@pytest.mark.asyncio
async def test_a_settled_row_cannot_be_settled_again_by_a_late_worker(sessions: Sessions) -> None:
    await queue(sessions, [dm("hello")])
    rows = Outbox(sessions)
    (claimed,) = await rows.claim_due(T0, "worker", 10, LEASE)
    await rows.mark_sent(claimed.id, "m1", T0)

    await rows.mark_retry(claimed.id, "timeout", T0)

    assert await status_of(sessions, claimed.id) == ("sent", 0)


@pytest.mark.asyncio
async def test_the_next_due_time_is_the_earliest_due_row_or_lease_end(sessions: Sessions) -> None:
    rows = Outbox(sessions)
    assert await rows.next_due_at() is None
    due = T0 + timedelta(hours=3)
    await queue(sessions, [SetTimer("circle-1", "case-1", TimerKind.LAST_DAY, due, seq=1)])
    assert await rows.next_due_at() == due

    await queue(sessions, [dm("now")])
    assert await rows.next_due_at() == T0
    await rows.claim_due(T0, "worker", 10, LEASE)
    assert await rows.next_due_at() == T0 + LEASE


@pytest.mark.asyncio
async def test_a_worker_without_a_platform_leaves_its_messages_but_fires_timers(
    sessions: Sessions,
) -> None:
    await queue(
        sessions,
        [dm("for slack"), SetTimer("circle-1", "case-1", TimerKind.DEADLINE, T0, seq=1)],
    )
    rows = Outbox(sessions)

    claimed = await rows.claim_due(T0, "worker", 10, LEASE, platforms=["discord"])

    assert [row.kind for row in claimed] == ["timer"]
    assert await rows.next_due_at(platforms=["discord"]) == T0 + LEASE


@pytest.mark.asyncio
async def test_an_address_names_the_circle_channel_and_the_case_thread(
    sessions: Sessions,
) -> None:
    await queue(sessions, [])
    async with UnitOfWork(sessions) as uow:
        await uow.cases.set_thread_ref("case-1", "1700.01")
        await uow.commit()
    rows = Outbox(sessions)

    assert await rows.address_of("circle-1", "case-1") == Address("slack", "T1", "C-circle-1", "1700.01")
    assert await rows.address_of("circle-1", "case-2") == Address("slack", "T1", "C-circle-1")
    assert await rows.address_of("circle-1", None) == Address("slack", "T1", "C-circle-1")
    assert await rows.address_of("gone", None) is None


@pytest.mark.asyncio
async def test_purging_removes_sent_rows_and_keeps_failed_and_pending_ones(
    sessions: Sessions,
) -> None:
    await queue(sessions, [dm("sent"), dm("failed"), dm("pending")])
    rows = Outbox(sessions)
    sent, failed, pending = await rows.claim_due(T0, "worker", 10, LEASE)
    await rows.mark_sent(sent.id, "m1", T0)
    await rows.mark_failed(failed.id, "gone")
    await rows.mark_retry(pending.id, "5xx", T0 + timedelta(minutes=1))

    assert await rows.purge_settled(T0 + timedelta(days=1)) == 1
    async with sessions() as session:
        left = (await session.execute(select(outbox.c.status).order_by(outbox.c.id))).scalars()
        assert list(left) == ["failed", "pending"]


@pytest.mark.asyncio
async def test_a_claim_given_back_is_due_again_at_once_with_no_attempt_counted(sessions: Sessions) -> None:
    await queue(sessions, [dm("hello")])
    rows = Outbox(sessions)
    (claimed,) = await rows.claim_due(T0, "worker", 10, LEASE)

    await rows.give_back([claimed], T0)

    assert await status_of(sessions, claimed.id) == ("pending", 0)
    assert [row.id for row in await rows.claim_due(T0, "other", 10, LEASE)] == [claimed.id]


@pytest.mark.asyncio
async def test_a_claim_that_went_to_another_worker_meanwhile_is_not_given_back(sessions: Sessions) -> None:
    await queue(sessions, [dm("hello")])
    rows = Outbox(sessions)
    (stale,) = await rows.claim_due(T0, "old", 10, timedelta(seconds=1))
    (taken,) = await rows.claim_due(T0 + timedelta(seconds=1), "new", 10, LEASE)

    await rows.give_back([stale], T0 + timedelta(seconds=2))

    assert await rows.claim_due(T0 + timedelta(seconds=2), "third", 10, LEASE) == []
    assert await status_of(sessions, taken.id) == ("claimed", 0)
