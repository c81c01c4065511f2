"""An incoming event is marked handled and its place read in one statement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.model import Phase
from bot.storage.uow import UnitOfWork
from tests.storage.factories import T0, a_case, a_circle

Sessions = async_sessionmaker[AsyncSession]

HOME = ("slack", "T1", "C-circle-1")


async def store(sessions: Sessions) -> None:
    """circle-1 with case-1 on thread T-100; circle-2 (another channel) with case-2 on T-200."""
    async with UnitOfWork(sessions) as uow:
        await uow.circles.add(a_circle("circle-1"))
        await uow.circles.add(a_circle("circle-2"))
        await uow.cases.add(a_case("case-1", circle_id="circle-1"))
        await uow.cases.add(a_case("case-2", circle_id="circle-2"))
        await uow.cases.set_thread_ref("case-1", "T-100")
        await uow.cases.set_thread_ref("case-2", "T-200")
        await uow.commit()


@pytest.mark.asyncio
async def test_a_new_event_in_a_cases_thread_gives_the_circle_and_the_case(sessions: Sessions) -> None:
    await store(sessions)
    async with UnitOfWork(sessions) as uow:
        place = await uow.circles.record_event_and_read_place("Ev1", T0, *HOME, "T-100")
    assert place == (a_circle("circle-1"), a_case("case-1"))


@pytest.mark.asyncio
async def test_a_redelivered_event_gives_nothing(sessions: Sessions) -> None:
    await store(sessions)
    async with UnitOfWork(sessions) as uow:
        assert await uow.circles.record_event_and_read_place("Ev1", T0, *HOME, "T-100") is not None
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        assert await uow.circles.record_event_and_read_place("Ev1", T0, *HOME, "T-100") is None


@pytest.mark.asyncio
async def test_the_mark_of_an_event_whose_handling_rolled_back_is_gone(sessions: Sessions) -> None:
    await store(sessions)
    async with UnitOfWork(sessions) as uow:
        await uow.circles.record_event_and_read_place("Ev1", T0, *HOME, "T-100")
    async with UnitOfWork(sessions) as uow:
        assert await uow.circles.record_event_and_read_place("Ev1", T0, *HOME, "T-100") is not None


@pytest.mark.asyncio
async def test_an_event_id_marked_by_first_time_counts_as_seen(sessions: Sessions) -> None:
    await store(sessions)
    async with UnitOfWork(sessions) as uow:
        assert await uow.events.first_time("Ev1", T0)
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        assert await uow.circles.record_event_and_read_place("Ev1", T0, *HOME, None) is None


@pytest.mark.asyncio
async def test_an_event_outside_a_thread_gives_the_circle_alone(sessions: Sessions) -> None:
    await store(sessions)
    async with UnitOfWork(sessions) as uow:
        assert await uow.circles.record_event_and_read_place("Ev1", T0, *HOME, None) == (a_circle("circle-1"), None)


@pytest.mark.asyncio
async def test_another_circles_thread_is_not_this_circles_case(sessions: Sessions) -> None:
    await store(sessions)
    async with UnitOfWork(sessions) as uow:
        place = await uow.circles.record_event_and_read_place("Ev1", T0, *HOME, "T-200")
    assert place == (a_circle("circle-1"), None)


@pytest.mark.asyncio
async def test_an_event_in_a_channel_without_a_circle_gives_neither_and_is_marked(sessions: Sessions) -> None:
    await store(sessions)
    async with UnitOfWork(sessions) as uow:
        place = await uow.circles.record_event_and_read_place("Ev1", T0, "slack", "T1", "C-random", "T-100")
        assert place == (None, None)
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        assert not await uow.events.first_time("Ev1", T0)


@pytest.mark.asyncio
async def test_when_two_cases_share_a_thread_the_event_gets_the_newest_whole(sessions: Sessions) -> None:
    await store(sessions)
    newer = a_case("case-3", number=3, opened_at=T0 + timedelta(days=1), phase=Phase.CONTRACT)
    async with UnitOfWork(sessions) as uow:
        await uow.cases.add(newer)
        await uow.cases.set_thread_ref("case-3", "T-100")
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        place = await uow.circles.record_event_and_read_place("Ev1", T0, *HOME, "T-100")
    assert place == (a_circle("circle-1"), newer)


@pytest.mark.asyncio
async def test_the_circle_and_the_case_read_with_an_event_may_be_saved(sessions: Sessions) -> None:
    await store(sessions)
    async with UnitOfWork(sessions) as uow:
        place = await uow.circles.record_event_and_read_place("Ev1", T0, *HOME, "T-100")
        assert place is not None
        circle, case = place
        assert circle is not None
        assert case is not None
        await uow.circles.save(circle.replace(name="Renamed"))
        await uow.cases.save(case.replace(phase=Phase.CONTRACT))
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        assert await uow.circles.get_with_thread_case(*HOME, "T-100") == (
            a_circle("circle-1").replace(name="Renamed"),
            a_case("case-1").replace(phase=Phase.CONTRACT),
        )
