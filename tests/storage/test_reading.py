"""Read-only units of work: on the SQLite connection held open for them, and on PostgreSQL
without a transaction.

The SQLite ones run on a file of their own whatever DATABASE_URL says: only SQLite files
share a read connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import event, select, text
from sqlalchemy.engine import result
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.flows.model import Circle
from bot.storage.engine import make_engine, make_session_factory
from bot.storage.memo import ReadMemo
from bot.storage.migrate import upgrade
from bot.storage.reading import SharedReadConnection, autocommit_units
from bot.storage.tables import circles
from bot.storage.uow import UnitOfWork
from tests.service.helpers import HOME, Clock, Driver


@pytest_asyncio.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'reading.db'}"
    await upgrade(url)
    # One connection in the pool: a connection given back is the next one handed out.
    engine = make_engine(url, pool_size=1, max_overflow=0, pool_timeout=2)
    yield engine
    await engine.dispose()


@pytest_asyncio.fixture
async def shared(sqlite_engine: AsyncEngine) -> AsyncIterator[SharedReadConnection]:
    reads = SharedReadConnection(sqlite_engine)
    yield reads
    await reads.close()


async def _circle_name(reads: SharedReadConnection) -> str | None:
    async with reads.unit() as uow:
        circle = await uow.circles.get_by_channel(HOME.platform, HOME.workspace, HOME.channel)
    return None if circle is None else circle.name


@pytest.mark.asyncio
async def test_a_read_only_unit_sees_what_was_committed_after_the_connection_opened(
    sqlite_engine: AsyncEngine, shared: SharedReadConnection
) -> None:
    assert await _circle_name(shared) is None
    # The pool's only connection is lent out: the writer needs one of its own.
    writer = make_engine(str(sqlite_engine.url))
    try:
        await Driver(make_session_factory(writer), Clock()).start_circle()
    finally:
        await writer.dispose()

    assert await _circle_name(shared) == "Leaders"


@pytest.mark.asyncio
async def test_a_read_only_unit_cannot_write(sqlite_engine: AsyncEngine, shared: SharedReadConnection) -> None:
    circle = await _set_up_then_forget(sqlite_engine)

    with pytest.raises(OperationalError, match="readonly"):
        async with shared.unit() as uow:
            await uow.circles.add(circle)

    async with UnitOfWork(make_session_factory(sqlite_engine)) as uow:
        assert await uow.circles.get(circle.id) is None


@pytest.mark.asyncio
async def test_a_read_only_unit_has_nothing_to_commit(shared: SharedReadConnection) -> None:
    async with shared.unit() as uow:
        with pytest.raises(RuntimeError, match="nothing to commit"):
            await uow.commit()


@pytest.mark.asyncio
async def test_after_the_shared_connection_closes_the_pool_hands_writers_a_writable_one(
    sqlite_engine: AsyncEngine, shared: SharedReadConnection
) -> None:
    assert await _circle_name(shared) is None
    await shared.close()

    await Driver(make_session_factory(sqlite_engine), Clock()).start_circle()

    assert await _circle_name(shared) == "Leaders"


@pytest.mark.asyncio
async def test_a_unit_ended_by_an_error_leaves_the_next_unit_reading(sqlite_engine: AsyncEngine) -> None:
    reads = SharedReadConnection(sqlite_engine)
    with pytest.raises(LookupError):
        async with reads.unit():
            raise LookupError("the command failed")

    await Driver(make_session_factory(sqlite_engine), Clock()).start_circle()  # the pool's connection is free

    assert await _circle_name(reads) == "Leaders"
    await reads.close()


async def _read_after_setup(engine: AsyncEngine, reads: SharedReadConnection) -> None:
    """A circle set up, then read once through `reads` (so the memo holds it)."""
    await Driver(make_session_factory(engine), Clock()).start_circle()
    assert await _circle_name(reads) == "Leaders"


class _Statements:
    """Counts the statements an engine runs through SQLAlchemy."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


@pytest.mark.asyncio
async def test_a_read_repeated_on_an_unchanged_database_runs_no_statement(
    sqlite_engine: AsyncEngine, shared: SharedReadConnection
) -> None:
    await _read_after_setup(sqlite_engine, shared)
    statements = _Statements(sqlite_engine)

    assert await _circle_name(shared) == "Leaders"

    assert statements.count == 0


@pytest.mark.asyncio
async def test_a_read_repeated_after_another_process_committed_sees_the_change(
    sqlite_engine: AsyncEngine, shared: SharedReadConnection
) -> None:
    await _read_after_setup(sqlite_engine, shared)
    # A connection of sqlite3's own, as another process would hold.
    other = sqlite3.connect(str(sqlite_engine.url.database))
    with other:
        other.execute("UPDATE circles SET state = replace(state, '\"Leaders\"', '\"Mentors\"')")
    other.close()

    assert await _circle_name(shared) == "Mentors"


@pytest.mark.asyncio
async def test_a_read_with_other_parameters_is_read_from_the_database(
    sqlite_engine: AsyncEngine, shared: SharedReadConnection
) -> None:
    await _read_after_setup(sqlite_engine, shared)
    statements = _Statements(sqlite_engine)

    async with shared.unit() as uow:
        elsewhere = await uow.circles.get_by_channel(HOME.platform, HOME.workspace, "C-ELSEWHERE")

    assert (elsewhere, statements.count) == (None, 1)


@pytest.mark.asyncio
async def test_nothing_is_remembered_where_the_version_cannot_be_read_on_the_event_loop(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'own-thread.db'}"
    await upgrade(url)
    # sqlite3 refuses to share this connection: every statement runs on aiosqlite's thread.
    engine = make_engine(url, connect_args={"check_same_thread": True})
    reads = SharedReadConnection(engine)
    try:
        await _circle_name(reads)
        statements = _Statements(engine)

        await _circle_name(reads)

        assert statements.count == 1
    finally:
        await reads.close()
        await engine.dispose()


@pytest.mark.asyncio
async def test_a_connection_opened_at_start_serves_the_first_read(sqlite_engine: AsyncEngine) -> None:
    reads = SharedReadConnection(sqlite_engine)
    await reads.open()
    connects = []
    event.listen(sqlite_engine.sync_engine, "connect", lambda *_: connects.append(1))

    await _circle_name(reads)

    await reads.close()
    assert connects == []


def test_the_memo_keeps_only_its_newest_entries() -> None:
    memo = ReadMemo(entries=2)
    memo.check(1)
    first, second, third = (select(circles.c.name).where(circles.c.id == key) for key in "abc")
    for statement in (first, second, third):
        memo.keep(statement, {}, _frozen())

    kept = [memo.recall(statement, {}) is not None for statement in (first, second, third)]

    assert kept == [False, True, True]


def test_the_memo_forgets_everything_when_the_version_moves() -> None:
    memo = ReadMemo()
    memo.check(1)
    statement = select(circles.c.name)
    memo.keep(statement, {"p": 1}, _frozen())

    memo.check(2)

    assert memo.recall(statement, {"p": 1}) is None


def _frozen() -> Any:
    """A FrozenResult of no rows, as the memo stores them."""
    return result.FrozenResult(result.IteratorResult(result.SimpleResultMetaData(["name"]), iter([])))


@pytest.mark.parametrize(
    ("url", "suits"),
    [
        ("sqlite+aiosqlite:///codev.db", True),
        ("sqlite+aiosqlite:///:memory:", False),
        ("sqlite+aiosqlite://", False),
        ("sqlite+aiosqlite:///file:codev?mode=memory&cache=shared&uri=true", False),
        ("postgresql+asyncpg://postgres@127.0.0.1/test", False),
    ],
)
def test_only_a_sqlite_file_shares_a_read_connection(url: str, suits: bool) -> None:
    assert SharedReadConnection.suits(url) is suits


async def _set_up_then_forget(engine: AsyncEngine) -> Circle:
    """A circle as the service builds it, deleted again: a value no unit has stored."""
    sessions = make_session_factory(engine)
    circle = await Driver(sessions, Clock()).start_circle()
    async with sessions() as session:
        await session.execute(circles.delete())
        await session.commit()
    return circle


@pytest.mark.asyncio
async def test_on_postgresql_a_read_only_unit_leaves_no_transaction_open(engine: AsyncEngine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite read-only units share a connection instead")
    watcher = create_async_engine(engine.url)
    try:
        async with autocommit_units(engine)() as uow:
            assert await uow.circles.get_by_channel(HOME.platform, HOME.workspace, HOME.channel) is None
            async with watcher.connect() as connection:
                waiting = await connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND state = 'idle in transaction'"
                    )
                )
    finally:
        await watcher.dispose()
    assert waiting == 0
