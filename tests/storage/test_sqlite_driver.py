"""SQLite's one-shot cursor behaves as SQLAlchemy's stock aiosqlite cursor does, and hands
off to aiosqlite's thread only what may wait.

These run on a SQLite file of their own whatever DATABASE_URL says: they test the driver.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
import pytest_asyncio
from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, delete, event, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util.concurrency import greenlet_spawn

from bot.storage.engine import SQLITE_BUSY_TIMEOUT_MS, make_engine
from bot.storage.sqlite_driver import OneShotConnection, OneShotCursor, aiosqlite_dbapi

metadata = MetaData()
parents = Table(
    "parents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(50), nullable=False, unique=True),
)
children = Table(
    "children",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("parent_id", Integer, ForeignKey("parents.id"), nullable=False),
    Column("label", String(50), nullable=False),
)


@pytest_asyncio.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def _names(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return list((await connection.execute(select(parents.c.name).order_by(parents.c.id))).scalars())


@pytest.mark.asyncio
async def test_make_engine_keeps_the_aiosqlite_url_and_uses_the_one_shot_cursor(sqlite_engine: AsyncEngine) -> None:
    assert sqlite_engine.url.drivername == "sqlite+aiosqlite"
    assert sqlite_engine.dialect.driver == "aiosqlite"
    async with sqlite_engine.connect() as connection:
        raw = await connection.get_raw_connection()
        adapted = raw.dbapi_connection
        assert isinstance(adapted, OneShotConnection)
        assert isinstance(await greenlet_spawn(adapted.cursor), OneShotCursor)


def _count_hand_offs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names what goes to aiosqlite's thread from now on (the function inside the tracking wrapper)."""
    handed: list[str] = []
    stock = aiosqlite.Connection._execute

    async def counting(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        inner = args[1] if getattr(fn, "__name__", "") == "_finishing" else fn
        handed.append(getattr(inner, "__name__", repr(inner)))
        return await stock(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    return handed


@pytest.mark.asyncio
async def test_a_select_outside_a_transaction_runs_without_a_hand_off(
    sqlite_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sqlite_engine.connect() as connection:
        await connection.exec_driver_sql("SELECT 1")  # checked out and initialised
        handed = _count_hand_offs(monkeypatch)
        rows = (await connection.execute(select(parents.c.name))).all()
        await connection.commit()
    assert (rows, handed) == ([], [])


@pytest.mark.asyncio
async def test_only_taking_the_write_lock_and_the_commit_of_a_transaction_are_handed_off(
    sqlite_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sqlite_engine.connect() as connection:
        await connection.exec_driver_sql("SELECT 1")
        handed = _count_hand_offs(monkeypatch)
        await connection.execute(insert(parents).values(name="a"))
        rows = (await connection.execute(select(parents.c.name))).all()
        await connection.exec_driver_sql("UPDATE parents SET name = ? WHERE id = ?", [("b", 1), ("c", 2)])
        await connection.commit()
    assert handed == ["_begin_write", "commit"]
    assert rows == [("a",)]


def _record_thread(threads: list[int]) -> Any:
    """A first connection hook giving SQLite a `here()` function that notes the thread it runs on."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        def here() -> str:
            threads.append(threading.get_ident())
            return "written"

        dbapi_connection._connection._conn.create_function("here", 0, here)

    return on_connect


@pytest.mark.asyncio
async def test_the_first_write_of_a_transaction_runs_on_the_event_loops_thread(sqlite_engine: AsyncEngine) -> None:
    threads: list[int] = []
    event.listen(sqlite_engine.sync_engine, "connect", _record_thread(threads))
    await sqlite_engine.dispose()  # connections opened from now on have the hook
    async with sqlite_engine.begin() as connection:
        await connection.exec_driver_sql("INSERT INTO parents (name) VALUES (here())")
    assert threads == [threading.get_ident()]
    assert await _names(sqlite_engine) == ["written"]


@pytest.mark.asyncio
async def test_in_autocommit_mode_a_write_still_runs_on_the_thread(sqlite_engine: AsyncEngine) -> None:
    threads: list[int] = []
    event.listen(sqlite_engine.sync_engine, "connect", _record_thread(threads))
    await sqlite_engine.dispose()
    async with sqlite_engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.exec_driver_sql("INSERT INTO parents (name) VALUES (here())")
    assert threads != [threading.get_ident()]
    assert len(threads) == 1
    assert await _names(sqlite_engine) == ["written"]


@pytest.mark.asyncio
async def test_a_first_write_waiting_for_the_lock_leaves_the_event_loop_free(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.connect() as holder, sqlite_engine.connect() as waiter:
        await holder.execute(insert(parents).values(name="first"))  # holds the write lock
        waiting = asyncio.create_task(waiter.execute(insert(parents).values(name="second")))
        await asyncio.sleep(0)  # the waiter starts its write; on the loop, it would hang it
        await holder.commit()  # only possible while the loop runs
        await waiting
        await waiter.commit()
    assert await _names(sqlite_engine) == ["first", "second"]


@pytest.mark.asyncio
async def test_a_savepoint_that_opens_a_transaction_waits_for_the_write_lock_off_the_loop(
    sqlite_engine: AsyncEngine,
) -> None:
    async with sqlite_engine.connect() as holder, sqlite_engine.connect() as waiter:
        # Were the wait on the loop, it would hang it this long, then fail "database is locked".
        await waiter.exec_driver_sql("PRAGMA busy_timeout = 1000")
        await holder.execute(insert(parents).values(name="first"))  # holds the write lock

        async def write_in_a_savepoint() -> None:
            async with waiter.begin_nested():
                await waiter.execute(insert(parents).values(name="second"))

        waiting = asyncio.create_task(write_in_a_savepoint())
        await asyncio.sleep(0.1)  # the waiter is now waiting for the lock
        await holder.commit()  # only possible while the loop runs
        await waiting
        await waiter.commit()
    assert await _names(sqlite_engine) == ["first", "second"]


@pytest.mark.asyncio
async def test_while_its_thread_is_busy_a_connection_runs_nothing_on_the_loop(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.connect() as connection:
        raw = await connection.get_raw_connection()
        adapted = raw.dbapi_connection
        assert isinstance(adapted, OneShotConnection)
        release = threading.Event()
        # A hand-off whose waiter is cancelled keeps running on the thread.
        cut_off = asyncio.create_task(greenlet_spawn(adapted.on_thread, release.wait))
        await asyncio.sleep(0)
        cut_off.cancel()
        busy = adapted.runs_here("SELECT 1")
        release.set()
        await asyncio.gather(cut_off, return_exceptions=True)
        await greenlet_spawn(adapted.on_thread, lambda: None)  # the thread has caught up
        assert (busy, adapted.runs_here("SELECT 1")) == (False, True)


@pytest.mark.asyncio
async def test_the_connection_pragmas_still_apply(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.connect() as connection:
        assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
        assert (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS
        assert (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"


@pytest.mark.asyncio
async def test_rows_come_back_whole_and_in_order(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.begin() as connection:
        await connection.execute(insert(parents), [{"name": f"p{i}"} for i in range(5)])
    async with sqlite_engine.connect() as connection:
        result = await connection.execute(select(parents.c.id, parents.c.name).order_by(parents.c.id))
        assert list(result.keys()) == ["id", "name"]
        assert result.fetchone() == (1, "p0")
        assert result.fetchmany(2) == [(2, "p1"), (3, "p2")]
        assert result.fetchall() == [(4, "p3"), (5, "p4")]
        assert result.fetchone() is None
        empty = await connection.execute(select(parents.c.id).where(parents.c.name == "nobody"))
        assert empty.all() == []


@pytest.mark.asyncio
async def test_a_failed_statement_leaves_the_cursor_usable_for_the_next(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.connect() as connection:
        with pytest.raises(OperationalError):
            await connection.exec_driver_sql("SELECT * FROM no_such_table")
        assert (await connection.exec_driver_sql("SELECT 40 + 2")).scalar() == 42


@pytest.mark.asyncio
async def test_rowcount_counts_the_rows_changed(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.begin() as connection:
        await connection.execute(insert(parents), [{"name": f"p{i}"} for i in range(4)])
        changed = await connection.execute(update(parents).where(parents.c.id > 1).values(name=parents.c.name + "!"))
        assert changed.rowcount == 3
        none = await connection.execute(delete(parents).where(parents.c.name == "nobody"))
        assert none.rowcount == 0


@pytest.mark.asyncio
async def test_lastrowid_and_the_inserted_primary_key(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.begin() as connection:
        first = await connection.execute(insert(parents).values(name="a"))
        second = await connection.exec_driver_sql("INSERT INTO parents (name) VALUES ('b')")
        assert first.inserted_primary_key == (1,)
        assert second.lastrowid == 2


@pytest.mark.asyncio
async def test_a_unique_violation_is_sqlalchemys_integrity_error_and_rolls_back(sqlite_engine: AsyncEngine) -> None:
    async def insert_twice() -> None:
        async with sqlite_engine.begin() as connection:
            await connection.execute(insert(parents).values(name="kept only if committed"))
            await connection.execute(insert(parents).values(name="twice"))
            await connection.execute(insert(parents).values(name="twice"))

    with pytest.raises(IntegrityError) as raised:
        await insert_twice()
    assert isinstance(raised.value.orig, sqlite3.IntegrityError)
    assert await _names(sqlite_engine) == []


@pytest.mark.asyncio
async def test_a_foreign_key_violation_is_an_integrity_error(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.connect() as connection:
        with pytest.raises(IntegrityError, match="FOREIGN KEY"):
            await connection.execute(insert(children).values(parent_id=999, label="orphan"))


@pytest.mark.asyncio
async def test_an_integrity_error_inside_executemany_is_raised_too(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.begin() as connection:
        await connection.execute(insert(parents), [{"name": "p"}, {"name": "q"}])

    async def rename_both_alike() -> None:
        async with sqlite_engine.begin() as connection:
            await connection.exec_driver_sql("UPDATE parents SET name = ? WHERE id = ?", [("r", 1), ("r", 2)])

    with pytest.raises(IntegrityError, match="UNIQUE"):
        await rename_both_alike()
    assert await _names(sqlite_engine) == ["p", "q"]


@pytest.mark.asyncio
async def test_executemany_applies_every_parameter_set(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.begin() as connection:
        await connection.execute(insert(parents), [{"name": f"p{i}"} for i in range(3)])
        renamed = await connection.exec_driver_sql(
            "UPDATE parents SET name = ? WHERE id = ?", [("x1", 1), ("x2", 2), ("x3", 3)]
        )
        assert renamed.rowcount == 3
    assert await _names(sqlite_engine) == ["x1", "x2", "x3"]


@pytest.mark.asyncio
async def test_returning_gives_the_rows_written(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.begin() as connection:
        one = await connection.execute(insert(parents).values(name="a").returning(parents.c.id, parents.c.name))
        assert one.all() == [(1, "a")]
        many = await connection.execute(
            insert(parents).returning(parents.c.id, parents.c.name, sort_by_parameter_order=True),
            [{"name": "b"}, {"name": "c"}, {"name": "d"}],
        )
        assert many.all() == [(2, "b"), (3, "c"), (4, "d")]
        changed = await connection.execute(
            update(parents).where(parents.c.id >= 3).values(name=parents.c.name + "!").returning(parents.c.name)
        )
        assert sorted(changed.scalars()) == ["c!", "d!"]
        assert changed.rowcount == 2


@pytest.mark.asyncio
async def test_rollback_undoes_and_commit_keeps(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.connect() as connection:
        await connection.execute(insert(parents).values(name="undone"))
        await connection.rollback()
        await connection.execute(insert(parents).values(name="kept"))
        await connection.commit()
    assert await _names(sqlite_engine) == ["kept"]


@pytest.mark.asyncio
async def test_autocommit_writes_at_once(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(insert(parents).values(name="at once"))
        assert await _names(sqlite_engine) == ["at once"]
        await connection.rollback()
    assert await _names(sqlite_engine) == ["at once"]


@pytest.mark.asyncio
async def test_streaming_still_works_through_the_stock_server_side_cursor(sqlite_engine: AsyncEngine) -> None:
    async with sqlite_engine.begin() as connection:
        await connection.execute(insert(parents), [{"name": f"p{i}"} for i in range(5)])
    async with sqlite_engine.connect() as connection:
        streamed = await connection.stream(select(parents.c.name).order_by(parents.c.id))
        assert [row.name async for row in streamed] == [f"p{i}" for i in range(5)]


@pytest.mark.asyncio
async def test_an_in_memory_database_works_too() -> None:
    engine = make_engine("sqlite+aiosqlite://")
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
            await connection.execute(insert(parents).values(name="here"))
        assert await _names(engine) == ["here"]
    finally:
        await engine.dispose()


@pytest.mark.asyncio
async def test_a_database_not_in_wal_mode_runs_every_statement_on_the_thread() -> None:
    engine = make_engine("sqlite+aiosqlite://")
    try:
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            adapted = raw.dbapi_connection
            assert isinstance(adapted, OneShotConnection)
            assert adapted.runs_here("SELECT 1") is False
    finally:
        await engine.dispose()


@pytest.mark.asyncio
async def test_a_closed_connection_raises_the_dbapis_operational_error(tmp_path: Path) -> None:
    dbapi = aiosqlite_dbapi()

    def use_after_close() -> Any:
        connection = dbapi.connect(str(tmp_path / "closed.db"))
        cursor = connection.cursor()
        cursor.execute("SELECT 1")
        assert cursor.fetchall() == [(1,)]
        connection.close()
        cursor.execute("SELECT 1")

    with pytest.raises(aiosqlite.OperationalError, match=r"(?i)connection closed"):
        await greenlet_spawn(use_after_close)


@pytest.mark.asyncio
async def test_a_connection_opened_for_its_own_thread_only_runs_every_statement_there(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'own-thread.db'}", connect_args={"check_same_thread": True})
    try:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)
            await connection.execute(insert(parents).values(name="there"))
            raw = await connection.get_raw_connection()
            adapted = raw.dbapi_connection
            assert isinstance(adapted, OneShotConnection)
            assert adapted.runs_here("SELECT 1") is False
        assert await _names(engine) == ["there"]
    finally:
        await engine.dispose()
