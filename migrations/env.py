"""Alembic environment: sync or async engines, shared connections, or the CLI.

`config.attributes["connection"]` may hold a Connection (bot.storage.migrate, run inside
`AsyncConnection.run_sync`), an Engine or an AsyncEngine (pytest-alembic passes engines).
Without it, the URL comes from DATABASE_URL, as for `alembic upgrade head` in a shell.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.storage.engine import DEFAULT_DATABASE_URL
from bot.storage.tables import metadata

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = metadata


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    # Batch mode: SQLite alters tables by copying them; elsewhere it is a plain ALTER.
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations(engine: AsyncEngine, *, dispose: bool) -> None:
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
            await connection.commit()
    finally:
        # Pooled connections belong to this event loop, which asyncio.run() is about to close.
        if dispose:
            await engine.dispose()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if isinstance(connectable, Connection):
        do_run_migrations(connectable)
    elif isinstance(connectable, AsyncEngine):
        asyncio.run(run_async_migrations(connectable, dispose=True))
    elif isinstance(connectable, Engine):
        with connectable.connect() as connection:
            do_run_migrations(connection)
            connection.commit()
    elif connectable is not None:
        raise TypeError(f"unsupported connection attribute: {type(connectable).__name__}")
    elif make_url(database_url()).get_dialect().is_async:
        engine = create_async_engine(database_url(), poolclass=NullPool)
        asyncio.run(run_async_migrations(engine, dispose=True))
    else:
        sync_engine = create_engine(database_url(), poolclass=NullPool)
        with sync_engine.connect() as connection:
            do_run_migrations(connection)
            connection.commit()
        sync_engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
