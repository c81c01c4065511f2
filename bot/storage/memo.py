"""Reads remembered while the database stays as it was, for SQLite's shared read connection.

A read-only command reads the same rows again and again (`status` in a busy channel), and the
SELECT, through SQLAlchemy, costs more than the rest of the command. SQLite says when rows may
have changed: `PRAGMA data_version` moves whenever another connection commits, and the shared
read connection never writes (see bot.storage.reading). While it stays put, a statement run
again with the same parameters returns the same rows: they are served from memory.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, TypeVarTuple, overload

from sqlalchemy.engine import Dialect, Result
from sqlalchemy.engine.result import FrozenResult
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable
from sqlalchemy.sql.selectable import TypedReturnsRows

MEMO_ENTRIES = 256
_Ts = TypeVarTuple("_Ts")
_Key = tuple[int, tuple[tuple[str, Hashable], ...]]
_Rows = FrozenResult[*tuple[Any, ...]]
# A statement's parameters: one set, or many (executemany, never remembered).
Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


class ReadMemo:
    """Results by statement and parameters, kept for one value of the database's version."""

    def __init__(self, entries: int = MEMO_ENTRIES) -> None:
        self._entries: OrderedDict[_Key, tuple[Executable, _Rows]] = OrderedDict()
        self._limit = entries
        self._version: int | None = None

    def check(self, version: int | None) -> None:
        """Forget everything unless the database is at `version` still; None: unknown, and
        nothing is remembered until a version is known."""
        if version is None or version != self._version:
            self._entries.clear()
        self._version = version

    def recall(self, statement: Executable, parameters: Parameters) -> _Rows | None:
        key = self._key(statement, parameters)
        found = None if key is None else self._entries.get(key)
        # Keyed by the statement's id: the entry holds the statement, so the id is not reused.
        if found is None or found[0] is not statement:
            return None
        return found[1]

    def keep(self, statement: Executable, parameters: Parameters, rows: _Rows) -> None:
        key = self._key(statement, parameters)
        if key is None:
            return
        self._entries[key] = (statement, rows)
        if len(self._entries) > self._limit:
            self._entries.popitem(last=False)

    def _key(self, statement: Executable, parameters: Parameters) -> _Key | None:
        if self._version is None or not isinstance(parameters, Mapping | None):
            return None
        values = tuple(sorted((parameters or {}).items()))
        try:
            hash(values)
        except TypeError:  # a list of values, say: not worth remembering
            return None
        return id(statement), values


class RememberedReads:
    """What read-only repositories execute on: the shared connection, through the memo."""

    def __init__(self, connection: AsyncConnection, memo: ReadMemo) -> None:
        self._connection = connection
        self._memo = memo

    @property
    def dialect(self) -> Dialect:
        return self._connection.dialect

    @overload
    async def execute(self, statement: TypedReturnsRows[*_Ts], parameters: Parameters = None) -> Result[*_Ts]: ...

    @overload
    async def execute(self, statement: Executable, parameters: Parameters = None) -> Result[*tuple[Any, ...]]: ...

    async def execute(self, statement: Executable, parameters: Parameters = None) -> Result[*tuple[Any, ...]]:
        rows = self._memo.recall(statement, parameters)
        if rows is None:
            rows = (await self._connection.execute(statement, parameters)).freeze()
            self._memo.keep(statement, parameters, rows)
        return rows()

    async def scalar(self, statement: Executable, parameters: Parameters = None) -> Any:
        return (await self.execute(statement, parameters)).scalar()
