"""SQLite through aiosqlite: short statements on the event loop, the rest on its thread.

SQLAlchemy's stock `sqlite+aiosqlite` cursor adapter awaits aiosqlite once to create a
cursor, once to execute, once more to fetch the rows when there are any, and once to close:
each of those is a trip through aiosqlite's queue to its thread plus an event-loop wake-up.
`OneShotCursor` does all of it in a single function run on that thread (aiosqlite's
`Connection._execute`), then serves the description, rows, rowcount and lastrowid from
memory, as the stock adapter already does for the rows.

A hand-off costs more than most statements do: a queue put, a thread wake-up, the GIL
changing hands twice and an event-loop wake-up, against tens of microseconds for a SELECT by
primary key. So where nothing can make a statement wait for a lock, it runs right here, on
the event loop's thread (`OneShotConnection.runs_here`): on a WAL database (readers never wait
for the writer), a SELECT outside a transaction, and any statement of a transaction that
already wrote (it holds the write lock). What may wait stays on the thread: taking the write
lock for a transaction's first write (SQLite's busy handler sleeps in the thread until
another connection lets go), COMMIT and ROLLBACK of a transaction that wrote (the WAL is
synced and maybe checkpointed), and everything on a connection whose thread is still busy (a
statement cut off by a cancellation keeps running there). A COMMIT or ROLLBACK with no
transaction open does nothing in sqlite3, so it costs no hand-off either.

The first write itself runs here once the thread has opened its transaction with BEGIN
IMMEDIATE (`OneShotConnection.takes_write_lock`), as sqlite3's implicit BEGIN would have done
just before it. A statement run on the thread needs the GIL back for every row it steps
through, and a busy event loop holds it: a claim of 600 outbox rows with RETURNING took 7 ms
alone and 128 ms beside a burst of deliveries.

Everything else is the stock dialect: `make_engine` passes `aiosqlite_dbapi()` as the
engine's DBAPI module (`create_async_engine(url, module=...)`), so the configured URL stays
`sqlite+aiosqlite:///...`, isolation and BEGIN are still the sqlite3 connection's own,
exceptions are still sqlite3's (SQLAlchemy wraps them as `IntegrityError` and so on), and
server-side cursors (`stream()`) keep the stock adapter.
"""

from __future__ import annotations

import collections
import itertools
import sqlite3
from collections.abc import Callable
from typing import Any

import aiosqlite
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

# The statements before which sqlite3 (legacy transaction control) opens a transaction.
_OPENS_A_TRANSACTION = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})
# What one statement leaves behind: description, rows (None without a description),
# rowcount, lastrowid.
_Outcome = tuple[Any, list[Any] | None, int, int | None]


def _run_statement(connection: Any, operation: str, parameters: Any, many: bool) -> _Outcome:
    """A fresh sqlite3 cursor of the aiosqlite `connection`: execute, fetch everything, close."""
    # `_conn` raises ValueError("no active connection") once closed, as in stock aiosqlite.
    cursor: sqlite3.Cursor = connection._conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        # rowcount is read after the fetch: with RETURNING, sqlite3 counts rows as they step.
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _begin_write(connection: Any) -> None:
    """Open the transaction sqlite3 would open before a write, taking the write lock now
    (waiting for it here, on the thread, if another connection holds it)."""
    connection._conn.execute("BEGIN IMMEDIATE").close()


async def _done() -> None:
    """Completes at once: awaiting it passes through SQLAlchemy's greenlet, not the event loop."""


class OneShotCursor(AsyncAdapt_aiosqlite_cursor):
    """A client-side cursor whose statement runs, fetches and closes in one hand-off."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_dbapi_connection) -> None:
        # Deliberately not the base __init__: it would await an aiosqlite cursor.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._run(operation, parameters, many=False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        self._run(operation, seq_of_parameters, many=True)

    def _run(self, operation: Any, parameters: Any, *, many: bool) -> None:
        adapted: OneShotConnection = self._adapt_connection  # type: ignore[assignment]
        try:
            if adapted.runs_here(operation):
                outcome = _run_statement(self._connection, operation, parameters, many)
                await_(_done())  # SQLAlchemy's AsyncConnection checks that its driver awaited
            elif adapted.takes_write_lock(operation):
                adapted.on_thread(_begin_write, self._connection)
                outcome = _run_statement(self._connection, operation, parameters, many)
            else:
                outcome = adapted.on_thread(_run_statement, self._connection, operation, parameters, many)
        except Exception as error:
            self._description, self._rowcount, self._lastrowid = None, -1, None
            self._rows.clear()
            self._adapt_connection._handle_exception(error)
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows) if rows is not None else collections.deque()

    async def _async_soft_close(self) -> None:
        # The sqlite3 cursor is already closed; the rows and description stay readable.
        return None

    def close(self) -> None:
        self._rows.clear()

    def nextset(self) -> None:
        # sqlite3 has no multiple result sets (its cursors have no nextset either).
        raise self._adapt_connection.dbapi.NotSupportedError("nextset() is not supported by sqlite3")

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None


class OneShotConnection(AsyncAdapt_aiosqlite_connection):
    """Decides where each statement runs (see the module's docstring)."""

    __slots__ = ("_finished", "_handed", "_here", "_submitted")

    _cursor_cls = OneShotCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self._here = False  # see `allow_here`
        # Hand-offs made and finished: each counter written by one thread only, so that
        # reading both tells, without a lock, whether the worker thread is idle.
        self._handed = itertools.count(1)
        self._submitted = 0
        self._finished = 0

    def allow_here(self, journal_mode: str) -> None:
        """Let short statements run on the calling thread, if the database is in WAL mode
        (bot.storage.engine tells, at connect) and sqlite3 lets this thread use the
        connection (not so if it was opened with check_same_thread=True)."""
        if journal_mode.lower() != "wal":
            return
        try:
            self._connection._conn.execute("SELECT 1").close()
        except sqlite3.ProgrammingError:
            return
        self._here = True

    def runs_here(self, operation: str) -> bool:
        """Whether `operation` can run on the calling thread without waiting for a lock."""
        if not self._here or self._submitted != self._finished:
            return False
        return self._connection._conn.in_transaction or operation.lstrip()[:6].upper() == "SELECT"

    def takes_write_lock(self, operation: str) -> bool:
        """Whether `operation` is a write that opens a transaction (sqlite3 begins one before
        INSERT, UPDATE, DELETE and REPLACE unless in autocommit mode), or a SAVEPOINT that
        does, that can run here once the thread has taken the write lock for it."""
        if not self._here or self._submitted != self._finished:
            return False
        connection = self._connection._conn
        if connection.in_transaction or connection.isolation_level is None:
            return False
        start = operation.lstrip()[:9].upper()
        # A SAVEPOINT outside a transaction opens one, which its writes will need the lock for.
        return start[:7].rstrip() in _OPENS_A_TRANSACTION or start == "SAVEPOINT"

    def data_version(self) -> int | None:
        """SQLite's `PRAGMA data_version`, read right here: it changes whenever another
        connection, in this process or another, commits. None where statements may not run
        here (see `runs_here`)."""
        if not self._here or self._submitted != self._finished:
            return None
        cursor = self._connection._conn.execute("PRAGMA data_version")
        try:
            return int(cursor.fetchone()[0])
        finally:
            cursor.close()

    def on_thread(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run `function(*args)` on aiosqlite's thread and wait for it (from SQLAlchemy's greenlet)."""
        self._submitted = number = next(self._handed)
        return await_(self._connection._execute(self._finishing, number, function, *args))

    def _finishing(self, number: int, function: Callable[..., Any], *args: Any) -> Any:
        try:
            return function(*args)
        finally:
            self._finished = number  # the thread runs hand-offs in the order they were made

    def commit(self) -> None:
        self._end_transaction(sqlite3.Connection.commit)

    def rollback(self) -> None:
        self._end_transaction(sqlite3.Connection.rollback)

    def _end_transaction(self, end: Callable[[sqlite3.Connection], None]) -> None:
        connection = self._connection._connection
        if connection is None:  # closed: nothing to end (as the stock adapter does)
            return
        try:
            if self._submitted == self._finished and not connection.in_transaction:
                return  # sqlite3 would do nothing: no hand-off for that
            self.on_thread(end, connection)
        except Exception as error:
            self._handle_exception(error)


class OneShotDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The stock aiosqlite DBAPI adapter, handing out `OneShotConnection`s."""

    def connect(self, *arg: Any, **kw: Any) -> OneShotConnection:
        # The stock connect() opens the aiosqlite connection (its worker thread a daemon, as
        # SQLAlchemy wants); only the adapter around it changes.
        stock = super().connect(*arg, **kw)
        return OneShotConnection(self, stock._connection)


def aiosqlite_dbapi() -> OneShotDBAPI:
    """The DBAPI module for `create_async_engine(sqlite+aiosqlite URL, module=...)`."""
    return OneShotDBAPI(aiosqlite, sqlite3)
