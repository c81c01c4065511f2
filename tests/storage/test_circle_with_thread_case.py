"""A reply's circle and its thread's case come back from one query, ready to be saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.model import Phase
from bot.storage.errors import ConcurrentUpdate
from bot.storage.uow import UnitOfWork
from tests.storage.factories import T0, a_case, a_circle

Sessions = async_sessionmaker[AsyncSession]

HOME = ("slack", "T1", "C-circle-1")


async def store(sessions: Sessions, *, thread_refs: dict[str, str]) -> None:
    """circle-1 with case-1, circle-2 (another channel) with case-2; threads as given."""
    async with UnitOfWork(sessions) as uow:
        await uow.circles.add(a_circle("circle-1"))
        await uow.circles.add(a_circle("circle-2"))
        await uow.cases.add(a_case("case-1", circle_id="circle-1"))
        await uow.cases.add(a_case("case-2", circle_id="circle-2"))
        for case_id, ref in thread_refs.items():
            await uow.cases.set_thread_ref(case_id, ref)
        await uow.commit()


@pytest.mark.asyncio
async def test_the_circle_of_the_channel_and_the_case_of_the_thread_come_together(sessions: Sessions) -> None:
    await store(sessions, thread_refs={"case-1": "T-100"})
    async with UnitOfWork(sessions) as uow:
        circle, case = await uow.circles.get_with_thread_case(*HOME, "T-100")
    assert circle == a_circle("circle-1")
    assert case == a_case("case-1")


@pytest.mark.asyncio
async def test_a_thread_that_is_no_cases_gives_the_circle_alone(sessions: Sessions) -> None:
    await store(sessions, thread_refs={"case-1": "T-100"})
    async with UnitOfWork(sessions) as uow:
        assert await uow.circles.get_with_thread_case(*HOME, "T-chatter") == (a_circle("circle-1"), None)


@pytest.mark.asyncio
async def test_a_channel_without_a_circle_gives_neither(sessions: Sessions) -> None:
    await store(sessions, thread_refs={"case-1": "T-100"})
    async with UnitOfWork(sessions) as uow:
        assert await uow.circles.get_with_thread_case("slack", "T1", "C-random", "T-100") == (None, None)


@pytest.mark.asyncio
async def test_the_same_thread_ref_in_another_circle_is_not_this_circles_case(sessions: Sessions) -> None:
    await store(sessions, thread_refs={"case-2": "T-100"})
    async with UnitOfWork(sessions) as uow:
        assert await uow.circles.get_with_thread_case(*HOME, "T-100") == (a_circle("circle-1"), None)


@pytest.mark.asyncio
async def test_when_two_cases_share_a_thread_the_newest_is_the_threads(sessions: Sessions) -> None:
    await store(sessions, thread_refs={"case-1": "T-100"})
    newer = a_case("case-3", number=3, opened_at=T0 + timedelta(days=1))
    async with UnitOfWork(sessions) as uow:
        await uow.cases.add(newer)
        await uow.cases.set_thread_ref("case-3", "T-100")
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        _, case = await uow.circles.get_with_thread_case(*HOME, "T-100")
        assert case == newer
        assert case == await uow.cases.get_by_thread("circle-1", "T-100")


@pytest.mark.asyncio
async def test_both_may_be_saved_in_the_unit_of_work_that_read_them(sessions: Sessions) -> None:
    await store(sessions, thread_refs={"case-1": "T-100"})
    async with UnitOfWork(sessions) as uow:
        circle, case = await uow.circles.get_with_thread_case(*HOME, "T-100")
        assert circle is not None
        assert case is not None
        await uow.circles.save(circle.replace(name="Renamed"))
        await uow.cases.save(case.replace(phase=Phase.CONTRACT))
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        circle, case = await uow.circles.get_with_thread_case(*HOME, "T-100")
    assert circle is not None
    assert circle.name == "Renamed"
    assert case is not None
    assert case.phase is Phase.CONTRACT


@pytest.mark.asyncio
async def test_saving_the_threads_case_after_someone_else_did_raises_concurrent_update(sessions: Sessions) -> None:
    await store(sessions, thread_refs={"case-1": "T-100"})
    async with UnitOfWork(sessions) as late:
        _, case = await late.circles.get_with_thread_case(*HOME, "T-100")
        assert case is not None
        async with UnitOfWork(sessions) as early:
            first = await early.cases.get("case-1")
            assert first is not None
            await early.cases.save(first.replace(phase=Phase.CONTRACT))
            await early.commit()
        with pytest.raises(ConcurrentUpdate):
            await late.cases.save(case.replace(phase=Phase.WITHDRAWN))
