"""Units of work for commands that only read, on SQLite: one connection, held open.

Opening a unit of work costs more than the reads of a command like `status`: SQLAlchemy
checks a connection out of its pool and back in, and closing a session or a connection takes
an event-loop task, about 80 µs in all against about 25 µs for a SELECT by key run on the
event loop (see sqlite_driver). On a WAL file such reads never wait for a lock and run one
at a time on the event loop, so a single connection, lent to one unit at a time, serves them
all without making any of them wait.

What it reads is remembered until another connection commits (bot.storage.memo): a command
read again on an unchanged database runs no statement at all.

The connection is `PRAGMA query_only`: a read-only unit that tried to write would fail rather
than write outside any transaction. It never goes back to the pool as it is: it is invalidated
when closed, or after an error, and the next unit opens a fresh one.

PostgreSQL keeps a unit of work per command, from the pool (its reads are round trips,
during which other commands must be able to read too), but takes no transaction for it
(`autocommit_units`): neither BEGIN nor ROLLBACK goes to the server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.engine import in_memory, make_session_factory
from bot.storage.memo import ReadMemo, RememberedReads
from bot.storage.sqlite_driver import OneShotConnection
from bot.storage.uow import UnitOfWork


def autocommit_units(engine: AsyncEngine) -> Callable[[], UnitOfWork]:
    """Units of work whose statements each commit on their own: for commands that only read."""
    sessions = make_session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))
    return lambda: UnitOfWork(sessions)


class SharedReadConnection:
    """The connection read-only units of work borrow, one unit at a time."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._connection: AsyncConnection | None = None
        self._driver: OneShotConnection | None = None  # where the database's version is read
        self._memo = ReadMemo()
        self._turn = asyncio.Lock()

    @staticmethod
    def suits(database_url: str) -> bool:
        """Whether the database is a SQLite file (in memory, every connection would be
        the same one, and making it query_only would stop the writers)."""
        url = make_url(database_url)
        return url.get_backend_name() == "sqlite" and not in_memory(url)

    def unit(self) -> ReadOnlyUnitOfWork:
        return ReadOnlyUnitOfWork(self)

    async def open(self) -> None:
        """Open the connection now, at start: otherwise the first commands to arrive all
        wait for the first of them to open it."""
        async with self._turn:
            await self._ensure_open()

    async def borrow(self) -> RememberedReads:
        await self._turn.acquire()
        try:
            connection = await self._ensure_open()
        except BaseException:
            self._turn.release()
            raise
        # What was read before still holds only if no other connection committed since.
        self._memo.check(None if self._driver is None else self._driver.data_version())
        return RememberedReads(connection, self._memo)

    async def give_back(self, *, broken: bool) -> None:
        try:
            if broken:
                await self._drop()
        finally:
            self._turn.release()

    async def close(self) -> None:
        async with self._turn:
            await self._drop()

    async def _ensure_open(self) -> AsyncConnection:
        if self._connection is None:
            connection = await self._engine.connect()
            try:
                await connection.exec_driver_sql("PRAGMA query_only = ON")
                driver = (await connection.get_raw_connection()).dbapi_connection
            except BaseException:
                await connection.invalidate()
                await connection.close()
                raise
            self._connection = connection
            self._driver = driver if isinstance(driver, OneShotConnection) else None
        return self._connection

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        self._driver = None
        self._memo.check(None)
        if connection is not None:
            # Invalidated, the pool discards it: no writer ever gets a query_only connection.
            await connection.invalidate()
            await connection.close()


class ReadOnlyUnitOfWork(UnitOfWork):
    """A unit of work on the shared read connection: it reads, and has nothing to commit."""

    def __init__(self, shared: SharedReadConnection) -> None:
        self._shared = shared
        self._entered = False

    async def __aenter__(self) -> Self:
        if self._entered:
            raise RuntimeError("a unit of work is entered once; open a new one")
        self._entered = True
        self._bind(await self._shared.borrow())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # After an error the connection's state is unknown: the next unit opens a new one.
        await self._shared.give_back(broken=exc_type is not None)

    async def commit(self) -> None:
        raise RuntimeError("a read-only unit of work has nothing to commit")

    async def rollback(self) -> None:
        return None  # nothing was written
