"""Apply the Alembic migrations from code (`codev db upgrade`, `codev run`, tests).

The Alembic config is built here, pointing at the `migrations` package shipped beside `bot`,
so an installed wheel needs no alembic.ini in the working directory.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

# bot/storage/migrate.py -> the directory holding both `bot` and `migrations`.
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for our migrations; with `connection`, env.py migrates on it."""
    config = Config()
    # `%` would start an interpolation in Alembic's config parser.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at `database_url` up to `revision` (the latest by default)."""
    await _run(database_url, lambda config: command.upgrade(config, revision))


async def downgrade_to_base(database_url: str) -> None:
    """Undo every migration: drops all of Codev's tables."""
    await _run(database_url, lambda config: command.downgrade(config, "base"))


async def current_revision(database_url: str) -> str | None:
    """The revision the database is at, or None if it was never migrated."""
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
    finally:
        await engine.dispose()


async def _run(database_url: str, step: Callable[[Config], None]) -> None:
    # A plain engine, not make_engine(): batch migrations recreate SQLite tables, which
    # must not run with foreign keys enforced (they would cascade on the copy).
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(lambda sync: step(alembic_config(sync)))
    finally:
        await engine.dispose()
