"""Database fixtures: every storage test gets an empty, migrated schema.

The database is the one named by DATABASE_URL when set (CI: PostgreSQL), else a fresh
SQLite file in the test's tmp_path.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from pytest_alembic.config import Config as PytestAlembicConfig
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from bot.storage.engine import make_engine, make_session_factory
from bot.storage.migrate import MIGRATIONS_DIR, upgrade


@pytest_asyncio.fixture
async def database_url(tmp_path: Path) -> str:
    """An empty database: PostgreSQL's public schema is recreated, SQLite is a new file."""
    configured = os.environ.get("DATABASE_URL")
    if not configured:
        return f"sqlite+aiosqlite:///{tmp_path / 'codev.db'}"
    if make_url(configured).get_backend_name() == "postgresql":
        await _reset_postgres_schema(configured)
    return configured


async def _reset_postgres_schema(database_url: str) -> None:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest_asyncio.fixture
async def migrated_url(database_url: str) -> str:
    await upgrade(database_url)
    return database_url


@pytest_asyncio.fixture
async def engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(migrated_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_session_factory(engine)


# --- pytest-alembic ---------------------------------------------------------------------


@pytest.fixture
def alembic_config() -> PytestAlembicConfig:
    return PytestAlembicConfig(config_options={"script_location": str(MIGRATIONS_DIR)})


@pytest.fixture
def alembic_engine(database_url: str) -> AsyncEngine:
    # NullPool: pytest-alembic runs each step in its own asyncio.run() event loop (and
    # disposes the engine after each), so no connection outlives its loop.
    return create_async_engine(database_url, poolclass=NullPool)
