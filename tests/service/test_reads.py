"""Commands naming a case read it with the circle: one statement before the engine runs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from .helpers import CONSULTANTS, FAC, Driver, Place, accepted, refusal_text, say

BOB = CONSULTANTS[0]
OTHER_WORKSPACE = Place(workspace="W2")


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


@pytest.mark.asyncio
async def test_the_status_of_a_case_named_by_number_costs_one_statement(driver: Driver, engine: AsyncEngine) -> None:
    await driver.start_circle()
    await driver.open_case()

    with statements(engine) as seen:
        answer = accepted(await driver.slash(BOB, "status 1"))

    assert answer.notices[0].text.startswith(say("en", "card.title", number=1, title="A conflict in my team"))
    assert len(seen) == 1, seen


@pytest.mark.asyncio
async def test_the_status_of_a_thread_s_own_case_by_number_costs_one_statement(
    driver: Driver, engine: AsyncEngine
) -> None:
    await driver.start_circle()
    await driver.open_case(thread="T1")

    with statements(engine) as seen:
        accepted(await driver.slash(BOB, "status 1", thread="T1"))

    assert len(seen) == 1, seen


@pytest.mark.asyncio
async def test_a_number_that_is_no_case_of_the_circle_is_an_unknown_case(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()

    outcome = await driver.slash(BOB, "status 2")

    assert refusal_text(outcome) == say("en", "error.unknown_case", number=2)


@pytest.mark.asyncio
async def test_a_case_number_reads_no_case_of_the_same_channel_in_another_workspace(driver: Driver) -> None:
    await driver.start_circle()
    await driver.start_circle(place=OTHER_WORKSPACE)
    await driver.open_case(place=OTHER_WORKSPACE)

    outcome = await driver.slash(BOB, "status 1")

    assert refusal_text(outcome) == say("en", "error.unknown_case", number=1)


@pytest.mark.asyncio
async def test_the_status_of_a_case_in_french_sets_a_space_before_each_colon(driver: Driver) -> None:
    await driver.start_circle(language="fr")
    await driver.open_case()

    answer = accepted(await driver.slash(BOB, "status 1"))

    assert f"{say('fr', 'card.phase')} : {say('fr', 'phase.clarification')}" in answer.notices[0].text.splitlines()


@pytest.mark.asyncio
async def test_the_meetings_of_a_paused_circle_open_by_saying_it_is_paused(driver: Driver) -> None:
    await driver.start_circle()
    accepted(await driver.slash(FAC, "pause"))

    answer = accepted(await driver.slash(BOB, "meetings"))

    assert answer.notices[0].text.startswith(say("en", "circle.paused"))


@pytest.mark.asyncio
async def test_the_status_of_a_paused_circle_opens_by_saying_it_is_paused(driver: Driver) -> None:
    await driver.start_circle()
    accepted(await driver.slash(FAC, "pause"))

    answer = accepted(await driver.slash(BOB, "status"))

    assert answer.notices[0].text.startswith(say("en", "circle.paused"))
