"""The unit of work: one engine step commits whole or not at all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.effects import Reply, SetTimer
from bot.flows.model import Phase, TimerKind
from bot.storage.errors import AlreadyExistsError, ConcurrentUpdate, NotLoadedError
from bot.storage.tables import outbox
from bot.storage.uow import UnitOfWork
from tests.storage.factories import T0, a_case, a_circle, a_contribution

Sessions = async_sessionmaker[AsyncSession]


class StepFailedError(Exception):
    pass


async def count_outbox_rows(sessions: Sessions) -> int:
    async with sessions() as session:
        return (await session.scalar(select(func.count()).select_from(outbox))) or 0


async def store_circle_and_case(sessions: Sessions) -> None:
    async with UnitOfWork(sessions) as uow:
        await uow.circles.add(a_circle())
        await uow.cases.add(a_case())
        await uow.commit()


@pytest.mark.asyncio
async def test_a_step_state_and_its_outbox_rows_commit_together(sessions: Sessions) -> None:
    await store_circle_and_case(sessions)
    async with UnitOfWork(sessions) as uow:
        case = await uow.cases.get("case-1")
        assert case is not None
        await uow.cases.save(case.replace(phase=Phase.CONTRACT))
        await uow.outbox.add([Reply("circle-1", "case-1", "Contract time")], T0)
        await uow.commit()

    async with UnitOfWork(sessions) as uow:
        stored = await uow.cases.get("case-1")
    assert stored is not None
    assert stored.phase is Phase.CONTRACT
    assert await count_outbox_rows(sessions) == 1


@pytest.mark.asyncio
async def test_an_exception_inside_the_unit_of_work_writes_nothing(sessions: Sessions) -> None:
    await store_circle_and_case(sessions)

    async def a_step_that_fails_after_writing() -> None:
        async with UnitOfWork(sessions) as uow:
            case = await uow.cases.get("case-1")
            assert case is not None
            await uow.cases.save(case.replace(phase=Phase.CONTRACT))
            await uow.outbox.add([Reply("circle-1", "case-1", "Contract time")], T0)
            raise StepFailedError

    with pytest.raises(StepFailedError):
        await a_step_that_fails_after_writing()

    async with UnitOfWork(sessions) as uow:
        stored = await uow.cases.get("case-1")
    assert stored is not None
    assert stored.phase is Phase.CLARIFICATION
    assert await count_outbox_rows(sessions) == 0


@pytest.mark.asyncio
async def test_leaving_without_commit_rolls_back(sessions: Sessions) -> None:
    async with UnitOfWork(sessions) as uow:
        await uow.circles.add(a_circle())

    async with UnitOfWork(sessions) as uow:
        assert await uow.circles.get("circle-1") is None


@pytest.mark.asyncio
async def test_a_write_after_the_commit_is_rolled_back_on_leaving(sessions: Sessions) -> None:
    async with UnitOfWork(sessions) as uow:
        await uow.circles.add(a_circle())
        await uow.commit()
        await uow.circles.add(a_circle("circle-2"))

    async with UnitOfWork(sessions) as uow:
        assert [circle.id for circle in await uow.circles.list_all()] == ["circle-1"]


@pytest.mark.asyncio
async def test_a_circle_reads_back_equal_to_what_was_added(sessions: Sessions) -> None:
    circle = a_circle()
    async with UnitOfWork(sessions) as uow:
        await uow.circles.add(circle)
        await uow.commit()

    async with UnitOfWork(sessions) as uow:
        assert await uow.circles.get("circle-1") == circle
        assert await uow.circles.get_by_channel("slack", "T1", "C-circle-1") == circle
        assert await uow.circles.get_by_channel("discord", "T1", "C-circle-1") is None
        assert await uow.circles.list_all() == [circle]


@pytest.mark.asyncio
async def test_a_second_circle_on_the_same_channel_is_refused(sessions: Sessions) -> None:
    async with UnitOfWork(sessions) as uow:
        await uow.circles.add(a_circle("circle-1", channel_id="C9"))
        await uow.commit()

    with pytest.raises(AlreadyExistsError):
        async with UnitOfWork(sessions) as uow:
            await uow.circles.add(a_circle("circle-2", channel_id="C9"))


@pytest.mark.asyncio
async def test_a_case_of_an_unknown_circle_is_refused_by_its_foreign_key(
    sessions: Sessions,
) -> None:
    with pytest.raises(IntegrityError):
        async with UnitOfWork(sessions) as uow:
            await uow.cases.add(a_case(circle_id="no-such-circle"))


@pytest.mark.asyncio
async def test_contributions_to_an_unknown_case_are_refused_by_its_foreign_key(sessions: Sessions) -> None:
    await store_circle_and_case(sessions)
    with pytest.raises(IntegrityError):
        async with UnitOfWork(sessions) as uow:
            await uow.contributions.add_all([a_contribution("c1", case_id="no-such-case")], "circle-1")


@pytest.mark.asyncio
async def test_saving_a_circle_someone_saved_since_raises_concurrent_update(
    sessions: Sessions,
) -> None:
    await store_circle_and_case(sessions)
    async with UnitOfWork(sessions) as first, UnitOfWork(sessions) as second:
        mine = await first.circles.get("circle-1")
        theirs = await second.circles.get("circle-1")
        assert mine is not None
        assert theirs is not None
        await second.circles.save(theirs.replace(paused=True))
        await second.commit()

        with pytest.raises(ConcurrentUpdate):
            await first.circles.save(mine.replace(name="Renamed"))


@pytest.mark.asyncio
async def test_saving_a_case_someone_saved_since_raises_concurrent_update(
    sessions: Sessions,
) -> None:
    await store_circle_and_case(sessions)
    async with UnitOfWork(sessions) as first, UnitOfWork(sessions) as second:
        mine = await first.cases.get("case-1")
        theirs = await second.cases.get("case-1")
        assert mine is not None
        assert theirs is not None
        await second.cases.save(theirs.replace(phase=Phase.CONTRACT))
        await second.commit()

        with pytest.raises(ConcurrentUpdate):
            await first.cases.save(mine.replace(phase=Phase.WITHDRAWN))


@pytest.mark.asyncio
async def test_one_unit_of_work_may_save_the_same_case_twice(sessions: Sessions) -> None:
    await store_circle_and_case(sessions)
    async with UnitOfWork(sessions) as uow:
        case = await uow.cases.get("case-1")
        assert case is not None
        await uow.cases.save(case.replace(phase=Phase.CONTRACT))
        await uow.cases.save(case.replace(phase=Phase.CONSULTATION))
        await uow.commit()

    async with UnitOfWork(sessions) as uow:
        stored = await uow.cases.get("case-1")
    assert stored is not None
    assert stored.phase is Phase.CONSULTATION


@pytest.mark.asyncio
async def test_saving_a_case_not_loaded_in_this_unit_is_refused(sessions: Sessions) -> None:
    await store_circle_and_case(sessions)
    with pytest.raises(NotLoadedError):
        async with UnitOfWork(sessions) as uow:
            await uow.cases.save(a_case())


@pytest.mark.asyncio
async def test_a_case_is_found_by_its_thread_once_the_card_ref_is_set(sessions: Sessions) -> None:
    await store_circle_and_case(sessions)
    async with UnitOfWork(sessions) as uow:
        assert await uow.cases.thread_ref("case-1") is None
        await uow.cases.set_thread_ref("case-1", "1700000000.000100")
        await uow.commit()

    async with UnitOfWork(sessions) as uow:
        assert await uow.cases.thread_ref("case-1") == "1700000000.000100"
        assert await uow.cases.get_by_thread("circle-1", "1700000000.000100") == a_case()
        assert await uow.cases.get_by_thread("circle-1", "other") is None


@pytest.mark.asyncio
async def test_setting_the_thread_ref_does_not_conflict_with_a_case_save(
    sessions: Sessions,
) -> None:
    await store_circle_and_case(sessions)
    async with UnitOfWork(sessions) as engine_step:
        case = await engine_step.cases.get("case-1")
        assert case is not None
        async with UnitOfWork(sessions) as dispatcher:
            await dispatcher.cases.set_thread_ref("case-1", "msg-1")
            await dispatcher.commit()
        await engine_step.cases.save(case.replace(phase=Phase.CONTRACT))
        await engine_step.commit()


@pytest.mark.asyncio
async def test_the_open_case_of_a_client_ignores_closed_and_withdrawn_cases(
    sessions: Sessions,
) -> None:
    async with UnitOfWork(sessions) as uow:
        await uow.circles.add(a_circle())
        await uow.cases.add(a_case("old", phase=Phase.CLOSED, number=1))
        await uow.cases.add(a_case("gave-up", phase=Phase.WITHDRAWN, number=2))
        await uow.cases.add(a_case("current", phase=Phase.FOLLOW_UP, opened_at=T0 + timedelta(1), number=3))
        await uow.cases.add(a_case("carols", client_id="carol", number=4))
        await uow.commit()

    async with UnitOfWork(sessions) as uow:
        found = await uow.cases.open_case_of("circle-1", "bob")
        assert found is not None
        assert found.id == "current"
        assert await uow.cases.open_case_of("circle-1", "alice") is None


@pytest.mark.asyncio
async def test_listing_a_circles_cases_can_keep_only_the_active_ones(sessions: Sessions) -> None:
    async with UnitOfWork(sessions) as uow:
        await uow.circles.add(a_circle())
        await uow.cases.add(a_case("old", phase=Phase.CLOSED, number=1))
        await uow.cases.add(a_case("current", opened_at=T0 + timedelta(days=1), number=2))
        await uow.commit()

    async with UnitOfWork(sessions) as uow:
        every = await uow.cases.list_for_circle("circle-1", active_only=False)
        active = await uow.cases.list_for_circle("circle-1", active_only=True)
    assert [case.id for case in every] == ["old", "current"]
    assert [case.id for case in active] == ["current"]


@pytest.mark.asyncio
async def test_contributions_list_by_time_then_insertion_order(sessions: Sessions) -> None:
    await store_circle_and_case(sessions)
    later = T0 + timedelta(minutes=5)
    async with UnitOfWork(sessions) as uow:
        await uow.contributions.add_all([a_contribution("c3", at=later)], "circle-1")
        await uow.contributions.add_all([a_contribution("c1"), a_contribution("c2")], "circle-1")
        await uow.contributions.add_all([a_contribution("c0")], "circle-1")
        await uow.commit()

    async with UnitOfWork(sessions) as uow:
        listed = await uow.contributions.list_for_case("case-1")
    assert [item.id for item in listed] == ["c1", "c2", "c0", "c3"]
    assert listed[0] == a_contribution("c1")


@pytest.mark.asyncio
async def test_a_timer_is_queued_for_its_due_time_and_a_message_for_now(
    sessions: Sessions,
) -> None:
    await store_circle_and_case(sessions)
    due = T0 + timedelta(days=2)
    async with UnitOfWork(sessions) as uow:
        await uow.outbox.add(
            [
                Reply("circle-1", "case-1", "Welcome"),
                SetTimer("circle-1", "case-1", TimerKind.DEADLINE, due, seq=1),
            ],
            T0,
        )
        await uow.commit()

    async with sessions() as session:
        rows = (await session.execute(select(outbox).order_by(outbox.c.id))).all()
    assert [(row.kind, row.due_at, row.status, row.case_id) for row in rows] == [
        ("reply", T0, "pending", "case-1"),
        ("timer", due, "pending", "case-1"),
    ]


@pytest.mark.asyncio
async def test_two_cases_cannot_share_a_number_in_one_circle(sessions: Sessions) -> None:
    await store_circle_and_case(sessions)
    with pytest.raises(AlreadyExistsError):
        async with UnitOfWork(sessions) as uow:
            await uow.cases.add(a_case("another", client_id="carol", number=1))


@pytest.mark.asyncio
async def test_a_case_is_found_by_its_number_in_its_circle(sessions: Sessions) -> None:
    await store_circle_and_case(sessions)
    async with UnitOfWork(sessions) as uow:
        assert await uow.cases.get_by_number("circle-1", 1) == a_case()
        assert await uow.cases.get_by_number("circle-1", 2) is None
