"""A database that dropped its connections (PostgreSQL restarted) costs no event."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .helpers import CONSULTANTS, SUBMISSION, Driver, accepted, contributions_of, say

BOB = CONSULTANTS[0]


async def _drop_the_pools_connections(engine: AsyncEngine) -> int:
    """What a server restart does to the pool: every connection it holds is closed (all of
    this database's backends but the one asking)."""
    killer = create_async_engine(engine.url)
    try:
        async with killer.connect() as connection:
            dropped = await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return len(dropped.all())
    finally:
        await killer.dispose()


@pytest.fixture
def postgres(engine: AsyncEngine) -> AsyncEngine:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: a SQLite file has no server to drop connections")
    return engine


@pytest.mark.asyncio
async def test_a_reply_after_the_server_dropped_the_pools_connections_is_recorded(
    driver: Driver, postgres: AsyncEngine
) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    assert await _drop_the_pools_connections(postgres) >= 1

    accepted(await driver.reply(BOB, "What did you try so far?", event_id="Ev-after-restart"))

    texts = [c.text for c in await contributions_of(driver.sessions, case.id)]
    assert texts.count("What did you try so far?") == 1


@pytest.mark.asyncio
async def test_a_status_after_the_server_dropped_the_pools_connections_is_answered(
    driver: Driver, postgres: AsyncEngine
) -> None:
    await driver.start_circle()
    await driver.open_case()
    assert await _drop_the_pools_connections(postgres) >= 1

    answer = accepted(await driver.slash(BOB, "status 1"))

    assert answer.notices[0].text.startswith(say("en", "card.title", number=1, title=SUBMISSION["title"]))
