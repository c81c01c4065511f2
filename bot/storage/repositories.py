"""Repositories: the engine's values in and out of their tables, inside one unit of work.

Each repository remembers the version of every circle or case it loaded or added, so that
`save` can compare-and-swap on it: a save that lost a race raises ConcurrentUpdate.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, and_, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows.model import Case, Circle, Contribution, ContributionKind, Phase
from bot.storage import codec
from bot.storage.errors import AlreadyExistsError, ConcurrentUpdate, NotLoadedError
from bot.storage.tables import cases, circles, contributions

_ENDED_PHASES = (Phase.CLOSED.value, Phase.WITHDRAWN.value)


class _Versioned:
    """Compare-and-swap bookkeeping shared by circles and cases."""

    def __init__(self, session: AsyncSession, table: Table) -> None:
        self._session = session
        self._table = table
        self._versions: dict[str, int] = {}

    def _remember(self, row_id: str, version: int) -> None:
        self._versions[row_id] = version

    async def _insert(self, row_id: str, values: dict[str, Any]) -> None:
        await self._session.execute(insert(self._table).values(id=row_id, version=1, **values))
        self._versions[row_id] = 1

    async def _compare_and_swap(self, row_id: str, values: dict[str, Any]) -> None:
        loaded = self._versions.get(row_id)
        if loaded is None:
            raise NotLoadedError(f"{self._table.name} {row_id!r}: load or add it first")
        table = self._table
        swapped = await self._session.execute(
            update(table)
            .where(table.c.id == row_id, table.c.version == loaded)
            .values(version=loaded + 1, **values)
            .returning(table.c.id)
        )
        if swapped.first() is None:
            raise ConcurrentUpdate(table.name, row_id)
        self._versions[row_id] = loaded + 1


class CircleRepository(_Versioned):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, circles)

    async def get(self, circle_id: str) -> Circle | None:
        return await self._one(circles.c.id == circle_id)

    async def get_by_channel(self, platform: str, workspace_id: str, channel_id: str) -> Circle | None:
        return await self._one(
            and_(
                circles.c.platform == platform,
                circles.c.workspace_id == workspace_id,
                circles.c.channel_id == channel_id,
            )
        )

    async def list_all(self) -> list[Circle]:
        rows = await self._session.execute(
            select(circles.c.id, circles.c.version, circles.c.state).order_by(circles.c.created_at, circles.c.id)
        )
        return [self._load(row.id, row.version, row.state) for row in rows]

    async def add(self, circle: Circle) -> None:
        """Store a new circle; AlreadyExistsError if its id or its channel is taken."""
        try:
            await self._insert(circle.id, _circle_columns(circle))
        except IntegrityError as exc:  # circles reference nothing: only a unique key fails
            raise AlreadyExistsError(f"circle {circle.id!r} or its channel") from exc

    async def save(self, circle: Circle) -> None:
        await self._compare_and_swap(circle.id, _circle_columns(circle))

    async def _one(self, where: Any) -> Circle | None:
        found = await self._session.execute(select(circles.c.id, circles.c.version, circles.c.state).where(where))
        row = found.first()
        return None if row is None else self._load(row.id, row.version, row.state)

    def _load(self, row_id: str, version: int, state: dict[str, Any]) -> Circle:
        self._remember(row_id, version)
        return codec.decode_circle(state)


def _circle_columns(circle: Circle) -> dict[str, Any]:
    return {
        "platform": circle.platform,
        "workspace_id": circle.workspace_id,
        "channel_id": circle.channel_id,
        "name": circle.name,
        "state": codec.encode_circle(circle),
        "created_at": circle.created_at,
    }


class CaseRepository(_Versioned):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, cases)

    async def get(self, case_id: str) -> Case | None:
        return await self._first(cases.c.id == case_id)

    async def get_by_thread(self, circle_id: str, thread_ref: str) -> Case | None:
        return await self._first(and_(cases.c.circle_id == circle_id, cases.c.thread_ref == thread_ref))

    async def open_case_of(self, circle_id: str, client_id: str) -> Case | None:
        """The client's case still in progress (not closed or withdrawn), if any."""
        return await self._first(
            and_(
                cases.c.circle_id == circle_id,
                cases.c.client_id == client_id,
                cases.c.phase.not_in(_ENDED_PHASES),
            )
        )

    async def list_for_circle(self, circle_id: str, *, active_only: bool) -> list[Case]:
        query = self._select().where(cases.c.circle_id == circle_id)
        if active_only:
            query = query.where(cases.c.phase.not_in(_ENDED_PHASES))
        rows = await self._session.execute(query.order_by(cases.c.opened_at, cases.c.id))
        return [self._load(row.id, row.version, row.state) for row in rows]

    async def add(self, case: Case) -> None:
        """Store a new case; AlreadyExistsError if its id or its number in the circle is taken."""
        try:
            await self._insert(case.id, {"circle_id": case.circle_id, "number": case.number, **_case_columns(case)})
        except IntegrityError as exc:
            if "foreign key" in str(exc).lower():
                raise  # an unknown circle is a programming error, not a race
            raise AlreadyExistsError(f"case {case.id!r} or number {case.number}") from exc

    async def get_by_number(self, circle_id: str, number: int) -> Case | None:
        return await self._first((cases.c.circle_id == circle_id) & (cases.c.number == number))

    async def save(self, case: Case) -> None:
        await self._compare_and_swap(case.id, _case_columns(case))

    async def set_thread_ref(self, case_id: str, ref: str) -> None:
        # Not part of the Case value, so it does not bump the version engine saves check.
        await self._session.execute(update(cases).where(cases.c.id == case_id).values(thread_ref=ref))

    async def thread_ref(self, case_id: str) -> str | None:
        found = await self._session.execute(select(cases.c.thread_ref).where(cases.c.id == case_id))
        return found.scalar_one_or_none()

    def _select(self) -> Any:
        return select(cases.c.id, cases.c.version, cases.c.state)

    async def _first(self, where: Any) -> Case | None:
        found = await self._session.execute(self._select().where(where).order_by(cases.c.opened_at.desc()).limit(1))
        row = found.first()
        return None if row is None else self._load(row.id, row.version, row.state)

    def _load(self, row_id: str, version: int, state: dict[str, Any]) -> Case:
        self._remember(row_id, version)
        return codec.decode_case(state)


def _case_columns(case: Case) -> dict[str, Any]:
    return {
        "client_id": case.client_id,
        "phase": case.phase.value,
        "deadline": case.deadline,
        "state": codec.encode_case(case),
        "opened_at": case.opened_at,
        "closed_at": case.closed_at,
    }


class ContributionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_all(self, items: Iterable[Contribution], circle_id: str) -> None:
        """Record contributions of `circle_id`'s cases; the foreign key refuses unknown cases."""
        batch = list(items)
        if not batch:
            return
        # The circle is denormalised onto each row for per-circle reports; the caller knows it,
        # so no lookup is spent on the hot path of every reply.
        await self._session.execute(insert(contributions), [_contribution_row(item, circle_id) for item in batch])

    async def list_for_case(self, case_id: str) -> list[Contribution]:
        rows = await self._session.execute(
            select(contributions)
            .where(contributions.c.case_id == case_id)
            .order_by(contributions.c.at, contributions.c.seq)
        )
        return [
            Contribution(
                id=row.id,
                case_id=row.case_id,
                author_id=row.author_id,
                kind=ContributionKind(row.kind),
                phase=Phase(row.phase),
                text=row.text,
                at=row.at,
                out_of_role=row.out_of_role,
                message_ref=row.message_ref,
            )
            for row in rows
        ]


def _contribution_row(item: Contribution, circle_id: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "case_id": item.case_id,
        "circle_id": circle_id,
        "author_id": item.author_id,
        "kind": item.kind.value,
        "phase": item.phase.value,
        "text": item.text,
        "out_of_role": item.out_of_role,
        "at": item.at,
        "message_ref": item.message_ref,
    }
