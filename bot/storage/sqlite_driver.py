"""SQLite through aiosqlite with one hand-off to its worker thread per statement.

SQLAlchemy's stock `sqlite+aiosqlite` cursor adapter awaits aiosqlite once to create a
cursor, once to execute, once more to fetch the rows when there are any, and once to close:
each of those is a trip through aiosqlite's queue to its thread plus an event-loop wake-up.
`OneShotCursor` does all of it in a single function run on that thread (aiosqlite's
`Connection._execute`), then serves the description, rows, rowcount and lastrowid from
memory, as the stock adapter already does for the rows.

Everything else is the stock dialect: `make_engine` passes `aiosqlite_dbapi()` as the
engine's DBAPI module (`create_async_engine(url, module=...)`), so the configured URL stays
`sqlite+aiosqlite:///...`, isolation and BEGIN are still the sqlite3 connection's own,
exceptions are still sqlite3's (SQLAlchemy wraps them as `IntegrityError` and so on), and
server-side cursors (`stream()`) keep the stock adapter.
"""

from __future__ import annotations

import collections
import sqlite3
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

# What one statement leaves behind: description, rows (None without a description),
# rowcount, lastrowid.
_Outcome = tuple[Any, list[Any] | None, int, int | None]


def _run_statement(connection: aiosqlite.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    """On aiosqlite's thread: a fresh sqlite3 cursor, execute, fetch everything, close."""
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
        try:
            outcome = await_(self._connection._execute(_run_statement, self._connection, operation, parameters, many))
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
    __slots__ = ()

    _cursor_cls = OneShotCursor


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
