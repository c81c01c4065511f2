"""Redelivered platform events are recognised, so each is applied once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.uow import UnitOfWork
from tests.storage.factories import T0, a_case, a_circle

Sessions = async_sessionmaker[AsyncSession]


async def advance_once_per_event(sessions: Sessions, event_id: str) -> bool:
    """A stand-in for the service: apply the event unless it was seen before."""
    async with UnitOfWork(sessions) as uow:
        if not await uow.events.first_time(event_id, T0):
            return False
        case = await uow.cases.get("case-1")
        assert case is not None
        await uow.cases.save(case.replace(timer_seq=case.timer_seq + 1))
        await uow.commit()
        return True


@pytest.mark.asyncio
async def test_a_redelivered_event_id_is_applied_once(sessions: Sessions) -> None:
    async with UnitOfWork(sessions) as uow:
        await uow.circles.add(a_circle())
        await uow.cases.add(a_case())
        await uow.commit()

    applied = [await advance_once_per_event(sessions, "Ev123") for _ in range(3)]

    async with UnitOfWork(sessions) as uow:
        case = await uow.cases.get("case-1")
    assert applied == [True, False, False]
    assert case is not None
    assert case.timer_seq == 1


@pytest.mark.asyncio
async def test_an_event_whose_handling_rolled_back_is_applied_on_redelivery(
    sessions: Sessions,
) -> None:
    async with UnitOfWork(sessions) as uow:
        assert await uow.events.first_time("Ev1", T0)
        # no commit: the step failed

    async with UnitOfWork(sessions) as uow:
        assert await uow.events.first_time("Ev1", T0 + timedelta(minutes=1))
        await uow.commit()


@pytest.mark.asyncio
async def test_distinct_event_ids_are_each_first_time(sessions: Sessions) -> None:
    async with UnitOfWork(sessions) as uow:
        assert await uow.events.first_time("Ev1", T0)
        assert await uow.events.first_time("Ev2", T0)
        assert not await uow.events.first_time("Ev1", T0)
        await uow.commit()


@pytest.mark.asyncio
async def test_forgotten_old_event_ids_no_longer_count_as_seen(sessions: Sessions) -> None:
    async with UnitOfWork(sessions) as uow:
        await uow.events.first_time("old", T0)
        await uow.events.first_time("recent", T0 + timedelta(hours=2))
        forgotten = await uow.events.forget_before(T0 + timedelta(hours=1))
        assert forgotten == 1
        assert await uow.events.first_time("old", T0 + timedelta(hours=3))
        assert not await uow.events.first_time("recent", T0 + timedelta(hours=3))
