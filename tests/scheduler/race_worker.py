"""One dispatcher process for the two-process race test (tests/scheduler/test_race.py).

    python -m tests.scheduler.race_worker DATABASE_URL WORKER_ID OUT_FILE

Delivers every due row through a platform that appends each message's text to OUT_FILE,
then exits once no row is left to claim.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.dispatcher import Dispatcher
from bot.flows.effects import Effect
from bot.ports import Address, Progress
from bot.storage.engine import make_engine, make_session_factory
from bot.storage.outbox import OutboxRow


class FilePlatform:
    platform = "slack"

    def __init__(self, out: Path) -> None:
        self._out = out.open("a", encoding="utf-8")

    async def deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        await asyncio.sleep(0)
        self._out.write(getattr(effect, "text", "") + "\n")
        self._out.flush()
        return None


async def no_timer(row: OutboxRow) -> None:
    return None


async def main(url: str, worker: str, out: str) -> None:
    engine = make_engine(url)
    try:
        sessions = make_session_factory(engine)
        dispatcher = Dispatcher(
            sessions, {"slack": FilePlatform(Path(out))}, no_timer, lambda: datetime.now(UTC), worker, batch_size=20
        )
        while await dispatcher.run_once():
            pass
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
