"""The unit of work: one transaction around one engine step.

Whatever the step changed (circle, case, contributions, the events it consumed and the
effects it caused) commits together or not at all; leaving without `commit()` rolls back.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, AsyncSessionTransaction, async_sessionmaker

from bot.storage.engine import Executor, make_session_factory
from bot.storage.event_repositories import OutboxRepository, ProcessedEventRepository
from bot.storage.records_repositories import RecordRepository
from bot.storage.repositories import CaseRepository, CircleRepository, ContributionRepository

SessionSource = async_sessionmaker[AsyncSession] | AsyncEngine


class UnitOfWork:
    circles: CircleRepository
    cases: CaseRepository
    contributions: ContributionRepository
    events: ProcessedEventRepository
    outbox: OutboxRepository
    records: RecordRepository  # journals, erasures, purges (bot/records)

    def __init__(self, source: SessionSource) -> None:
        self._sessions = make_session_factory(source) if isinstance(source, AsyncEngine) else source
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("a unit of work is entered once; open a new one")
        session = self._sessions()
        self._session = session
        self._bind(session)
        return self

    def _bind(self, executor: Executor) -> None:
        self.cases = CaseRepository(executor)
        self.circles = CircleRepository(executor, self.cases)
        self.contributions = ContributionRepository(executor)
        self.events = ProcessedEventRepository(executor)
        self.outbox = OutboxRepository(executor)
        self.records = RecordRepository(executor)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self._require_session()
        # Closing rolls back the transaction still open, if any, and releases its connection.
        # After a commit or a rollback, the usual way out, there is none: nothing to do.
        if session.in_transaction():
            await session.close()

    async def commit(self) -> None:
        await self._require_session().commit()

    async def rollback(self) -> None:
        await self._require_session().rollback()

    def savepoint(self) -> AsyncSessionTransaction:
        """A nested transaction: `rollback()` on it undoes only what ran inside it."""
        return self._require_session().begin_nested()

    def _require_session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("use the unit of work in `async with`")
        return self._session
