"""Engines and session factories, built on demand from a URL (never at import time)."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeAlias

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.storage.memo import RememberedReads
from bot.storage.sqlite_driver import OneShotConnection, aiosqlite_dbapi

# What repositories run statements on: a unit of work's session, a connection, or the
# shared read connection through its memo (bot.storage.memo).
Executor: TypeAlias = AsyncSession | AsyncConnection | RememberedReads

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///codev.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(database_url: str, **engine_options: Any) -> AsyncEngine:
    """An async engine; on SQLite with foreign keys enforced, WAL and a busy timeout."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        # No pool_pre_ping: its round trip on every checkout cost a third of a read-only
        # command. A connection the server dropped fails its first statement instead; the
        # pool then renews all it holds, and the service tries the event again.
        return create_async_engine(url, **engine_options)
    if url.get_driver_name() == "aiosqlite":
        # One hand-off to aiosqlite's thread per statement instead of three or four.
        engine_options.setdefault("module", aiosqlite_dbapi())
    engine = create_async_engine(url, **engine_options)
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas(wal=not in_memory(url)))
    return engine


def in_memory(url: URL) -> bool:
    """Whether a SQLite URL names an in-memory database rather than a file."""
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # Values are read into plain dataclasses, so nothing should reload after commit.
    return async_sessionmaker(engine, expire_on_commit=False)


def dialect_name(executor: Executor) -> str:
    return (executor.get_bind() if isinstance(executor, AsyncSession) else executor).dialect.name


def _sqlite_pragmas(*, wal: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # SQLite enforces foreign keys only when asked, per connection.
            cursor.execute("PRAGMA foreign_keys=ON")
            # Wait for another writer (a second worker) instead of failing at once.
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if wal:
                # Readers no longer block the writer, and the writer no readers.
                cursor.execute("PRAGMA journal_mode=WAL")
                if isinstance(dbapi_connection, OneShotConnection):
                    # Short statements may then run on the event loop (see sqlite_driver).
                    dbapi_connection.allow_here(str(cursor.fetchone()[0]))
        finally:
            cursor.close()

    return on_connect


_WRITE_TURNS: weakref.WeakKeyDictionary[Engine, asyncio.Lock] = weakref.WeakKeyDictionary()


def write_turn(sessions: async_sessionmaker[AsyncSession]) -> AbstractAsyncContextManager[Any]:
    """Hold this around a write transaction that runs beside others in this process.

    On SQLite the database has one writer at a time, and a writer that finds it busy waits
    in SQLite's busy handler, which sleeps in steps of up to 100 ms: the service's, the dispatcher's
    and the meeting jobs' transactions take turns here instead, first come, first served.
    Elsewhere (PostgreSQL locks rows, not the database) there is nothing to wait for.
    """
    bind = sessions.kw.get("bind")
    if not isinstance(bind, AsyncEngine) or bind.dialect.name != "sqlite":
        return contextlib.nullcontext()
    turn = _WRITE_TURNS.get(bind.sync_engine)
    if turn is None:
        turn = _WRITE_TURNS[bind.sync_engine] = asyncio.Lock()
    return turn
