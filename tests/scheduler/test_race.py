"""Two dispatcher processes on one PostgreSQL database race over 1,000 due rows.

Each process claims with FOR UPDATE SKIP LOCKED and writes what it delivered to its own
file: together they deliver every row, and no row twice. PostgreSQL only (SQLite has one
writer at a time, so there is no race to lose).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.effects import Post
from bot.storage.tables import outbox
from bot.storage.uow import UnitOfWork

from .helpers import a_circle, seed, weekly

Sessions = async_sessionmaker[AsyncSession]
ROWS = 1000
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.asyncio
async def test_two_dispatcher_processes_deliver_each_of_a_thousand_rows_exactly_once(
    database_url: str, sessions: Sessions, tmp_path: Path
) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("the two-process race needs PostgreSQL (FOR UPDATE SKIP LOCKED)")
    now = datetime.now(UTC)
    for number in range(10):
        circle = a_circle("UTC", weekly(0, now.time(), now.date()), circle_id=f"c{number}", channel=f"C{number}")
        await seed(sessions, circle)
    async with UnitOfWork(sessions) as uow:
        await uow.outbox.add([Post(f"c{i % 10}", f"row-{i}") for i in range(ROWS)], now)
        await uow.commit()

    outputs = [tmp_path / "first.txt", tmp_path / "second.txt"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "tests.scheduler.race_worker", database_url, f"worker-{n}", str(out)),
            cwd=ROOT,
            env=env,
        )
        for n, out in enumerate(outputs)
    ]
    codes = await asyncio.wait_for(asyncio.gather(*(worker.wait() for worker in workers)), 120)

    assert codes == [0, 0]
    delivered = Counter(line for out in outputs if out.exists() for line in out.read_text().splitlines())
    assert set(delivered) == {f"row-{i}" for i in range(ROWS)}
    assert max(delivered.values()) == 1
    async with sessions() as session:
        statuses = dict((await session.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))).all())
    assert statuses == {"sent": ROWS}
