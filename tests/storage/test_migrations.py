"""Migrations: pytest-alembic's built-in checks, on whichever database DATABASE_URL names,
plus the programmatic upgrade and downgrade the CLI uses."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from pytest_alembic.tests import (
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.storage.migrate import alembic_config, current_revision, downgrade_to_base, upgrade
from bot.storage.tables import metadata

# The newest revision on disk (revisions are added side by side, so none is named here).
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()

__all__ = [
    "test_model_definitions_match_ddl",
    "test_single_head_revision",
    "test_up_down_consistency",
    "test_upgrade",
]


async def table_names(database_url: str) -> set[str]:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


@pytest.mark.asyncio
async def test_upgrade_creates_every_table_and_records_the_head(database_url: str) -> None:
    await upgrade(database_url)

    assert await table_names(database_url) == set(metadata.tables)
    assert await current_revision(database_url) == HEAD


@pytest.mark.asyncio
async def test_upgrading_twice_changes_nothing(database_url: str) -> None:
    await upgrade(database_url)
    await upgrade(database_url)

    assert await current_revision(database_url) == HEAD


@pytest.mark.asyncio
async def test_downgrade_to_base_drops_every_table(database_url: str) -> None:
    await upgrade(database_url)

    await downgrade_to_base(database_url)

    assert await table_names(database_url) == set()
    assert await current_revision(database_url) is None
