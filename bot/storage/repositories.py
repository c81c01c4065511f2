"""Repositories: the engine's values in and out of their tables, inside one unit of work.

Each repository remembers the version of every circle or case it loaded or added, so that
`save` can compare-and-swap on it: a save that lost a race raises ConcurrentUpdate.

The statements of the hot path (every reply reads a circle and a case and may save one) are
built once, here, with named `bindparam()`s, and values are passed at execute time: building
a fresh `select(...).where(...)` per call costs more CPU than the database takes to run it.
Bind names carry a `p_` prefix so they never clash with the column names an INSERT or an
UPDATE reserves for its own parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Row, Select, Table, Text, Update, and_, bindparam, cast, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from bot.flows.model import Case, Circle, Contribution, ContributionKind, Phase
from bot.storage import codec
from bot.storage.engine import Executor, dialect_name
from bot.storage.errors import AlreadyExistsError, ConcurrentUpdate, NotLoadedError
from bot.storage.results import rowcount
from bot.storage.tables import cases, circles, contributions, processed_events

_ENDED_PHASES = (Phase.CLOSED.value, Phase.WITHDRAWN.value)

# Every column a save may change, per table: their bind names are `p_<column>`.
_CIRCLE_STATE_COLUMNS = ("platform", "workspace_id", "channel_id", "name", "state", "created_at")
_CASE_STATE_COLUMNS = ("client_id", "phase", "deadline", "state", "opened_at", "closed_at")


def _compare_and_swap_statement(table: Table, columns: tuple[str, ...]) -> Update:
    """UPDATE the row only if it still has the version loaded: no row updated, a lost race.

    The affected row count tells (both drivers report rows matched by an UPDATE), so no
    RETURNING: on SQLite, fetching it would cost one more hop to the driver's thread.
    """
    return (
        update(table)
        .where(table.c.id == bindparam("p_id"), table.c.version == bindparam("p_version"))
        .values(version=bindparam("p_new_version"), **{name: bindparam(f"p_{name}") for name in columns})
    )


_CIRCLE_SWAP = _compare_and_swap_statement(circles, _CIRCLE_STATE_COLUMNS)
_CASE_SWAP = _compare_and_swap_statement(cases, _CASE_STATE_COLUMNS)

# State documents are read as their stored text: the codec remembers the value it decoded from
# each text (`codec.decode_circle_text`), so a document that did not change since the last read
# is neither parsed nor validated again. The CAST keeps PostgreSQL's driver from parsing it.
_CIRCLE_STATE = cast(circles.c.state, Text)
_CASE_STATE = cast(cases.c.state, Text)

# Rows are read as (version, state): the id is the document's own.
_SELECT_CIRCLE = select(circles.c.version, _CIRCLE_STATE.label("state"))
_CIRCLE_BY_ID = _SELECT_CIRCLE.where(circles.c.id == bindparam("p_id"))
_IN_CHANNEL = and_(
    circles.c.platform == bindparam("p_platform"),
    circles.c.workspace_id == bindparam("p_workspace_id"),
    circles.c.channel_id == bindparam("p_channel_id"),
)
_CIRCLE_BY_CHANNEL = _SELECT_CIRCLE.where(_IN_CHANNEL)

_SELECT_CASE = select(cases.c.version, _CASE_STATE.label("state"))
_CASE_BY_ID = _SELECT_CASE.where(cases.c.id == bindparam("p_id"))
# Thread refs are unique in practice; should two cases ever share one, the newest wins (the
# highest id among equals, the same everywhere).
_CASE_BY_THREAD = (
    _SELECT_CASE.where(cases.c.circle_id == bindparam("p_circle_id"), cases.c.thread_ref == bindparam("p_thread_ref"))
    .order_by(cases.c.opened_at.desc(), cases.c.id.desc())
    .limit(1)
)
# A case named by its number in a command (`status 3`): numbers are unique in a circle.
_CASE_BY_NUMBER = _SELECT_CASE.where(
    cases.c.circle_id == bindparam("p_circle_id"), cases.c.number == bindparam("p_number")
).limit(1)


def _circle_with_case(which: Any) -> Select[Any]:
    """The channel's circle and, beside it, the case of that circle matching `which` (its
    columns NULL when there is none, the LEFT JOIN still giving the circle's row)."""
    return (
        select(
            circles.c.version,
            _CIRCLE_STATE.label("state"),
            cases.c.version.label("case_version"),
            _CASE_STATE.label("case_state"),
        )
        .select_from(circles.outerjoin(cases, and_(cases.c.circle_id == circles.c.id, which)))
        .where(_IN_CHANNEL)
    )


# A reply in a thread needs the channel's circle and the thread's case: one round trip for
# both. With no such case the only row's case columns are NULL (so PostgreSQL putting NULLs
# first in DESC order changes nothing).
_CIRCLE_WITH_THREAD_CASE = (
    _circle_with_case(cases.c.thread_ref == bindparam("p_thread_ref"))
    .order_by(cases.c.opened_at.desc(), cases.c.id.desc())
    .limit(1)
)
# A command naming a case by number (`status 3`) likewise: numbers are unique in a circle.
_CIRCLE_WITH_NUMBERED_CASE = _circle_with_case(cases.c.number == bindparam("p_number")).limit(1)


def _record_event_and_read_place(dml: Any) -> Insert:
    """Record an incoming event id and read the place it happened, in one statement.

    The event row goes in unless its id is there already (a redelivery: then no row comes
    back). RETURNING brings the channel's circle and the thread's case as scalar subqueries,
    NULL when there is none, so an event costs one round trip before the engine runs, not
    two. The case subqueries order fully (newest, then highest id), so both pick one row.
    It must start with INSERT (no CTE in front): Python's sqlite3 opens the transaction
    implicitly only before INSERT, UPDATE, DELETE or REPLACE.
    """
    thread_case = (
        select(cases.c.version, _CASE_STATE.label("state"))
        .where(
            cases.c.circle_id == select(circles.c.id).where(_IN_CHANNEL).scalar_subquery(),
            cases.c.thread_ref == bindparam("p_thread_ref"),
        )
        .order_by(cases.c.opened_at.desc(), cases.c.id.desc())
        .limit(1)
    )
    statement: Insert = (
        dml.insert(processed_events)
        .values(event_id=bindparam("p_event_id"), received_at=bindparam("p_received_at"))
        .on_conflict_do_nothing(index_elements=[processed_events.c.event_id])
        .returning(
            select(circles.c.version).where(_IN_CHANNEL).scalar_subquery().label("version"),
            select(_CIRCLE_STATE).where(_IN_CHANNEL).scalar_subquery().label("state"),
            thread_case.with_only_columns(cases.c.version).scalar_subquery().label("case_version"),
            thread_case.with_only_columns(_CASE_STATE).scalar_subquery().label("case_state"),
        )
    )
    return statement


# ON CONFLICT is dialect specific: one statement per dialect, built once.
_RECORD_EVENT_AND_READ_PLACE = {
    "postgresql": _record_event_and_read_place(postgresql),
    "sqlite": _record_event_and_read_place(sqlite),
}

# Every reply inserts one; the rows' keys name the columns.
_INSERT_CONTRIBUTION = insert(contributions)


class _Versioned:
    """Compare-and-swap bookkeeping shared by circles and cases."""

    def __init__(self, session: Executor, table: Table, swap: Update, columns: tuple[str, ...]) -> None:
        self._session = session
        self._table = table
        self._swap = swap
        self._columns = columns
        self._column_set = frozenset(columns)
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
        assert values.keys() == self._column_set, f"{self._table.name}: save the columns its statement sets"
        parameters = {f"p_{name}": values[name] for name in self._columns}
        swapped = await self._session.execute(
            self._swap, {"p_id": row_id, "p_version": loaded, "p_new_version": loaded + 1, **parameters}
        )
        if rowcount(swapped) != 1:
            raise ConcurrentUpdate(self._table.name, row_id)
        self._versions[row_id] = loaded + 1


class CircleRepository(_Versioned):
    def __init__(self, session: Executor, cases_repository: CaseRepository) -> None:
        super().__init__(session, circles, _CIRCLE_SWAP, _CIRCLE_STATE_COLUMNS)
        self._cases = cases_repository

    async def get(self, circle_id: str) -> Circle | None:
        return await self._one(_CIRCLE_BY_ID, {"p_id": circle_id})

    async def get_by_channel(self, platform: str, workspace_id: str, channel_id: str) -> Circle | None:
        return await self._one(_CIRCLE_BY_CHANNEL, _channel_parameters(platform, workspace_id, channel_id))

    async def get_with_thread_case(
        self, platform: str, workspace_id: str, channel_id: str, thread_ref: str
    ) -> tuple[Circle | None, Case | None]:
        """The channel's circle and the case of one of its threads, in one query.

        Both versions are remembered, so either may be saved in this unit of work.
        """
        parameters = {**_channel_parameters(platform, workspace_id, channel_id), "p_thread_ref": thread_ref}
        found = await self._session.execute(_CIRCLE_WITH_THREAD_CASE, parameters)
        row = found.first()
        if row is None:
            return None, None
        return self._place(row)

    async def get_with_numbered_case(
        self, platform: str, workspace_id: str, channel_id: str, number: int
    ) -> tuple[Circle | None, Case | None]:
        """The channel's circle and its case `number`, in one query (see get_with_thread_case)."""
        parameters = {**_channel_parameters(platform, workspace_id, channel_id), "p_number": number}
        row = (await self._session.execute(_CIRCLE_WITH_NUMBERED_CASE, parameters)).first()
        return (None, None) if row is None else self._place(row)

    async def record_event_and_read_place(
        self,
        event_id: str,
        received_at: datetime,
        platform: str,
        workspace_id: str,
        channel_id: str,
        thread_ref: str | None,
    ) -> tuple[Circle | None, Case | None] | None:
        """Mark an incoming event handled and read the channel's circle and the thread's case.

        None when the event was marked before (a redelivery: skip it). As with
        `ProcessedEventRepository.first_time`, the mark rolls back with the unit of work.
        Both versions are remembered, so either value may be saved in this unit of work.
        """
        statement = _RECORD_EVENT_AND_READ_PLACE[dialect_name(self._session)]
        parameters = {
            **_channel_parameters(platform, workspace_id, channel_id),
            "p_thread_ref": thread_ref,
            "p_event_id": event_id,
            "p_received_at": received_at,
        }
        found = await self._session.execute(statement, parameters)
        row = found.first()
        if row is None:
            return None
        return self._place(row)

    async def list_all(self) -> list[Circle]:
        rows = await self._session.execute(_SELECT_CIRCLE.order_by(circles.c.created_at, circles.c.id))
        return [self._load(row.version, row.state) for row in rows]

    async def add(self, circle: Circle) -> None:
        """Store a new circle; AlreadyExistsError if its id or its channel is taken."""
        try:
            await self._insert(circle.id, _circle_columns(circle))
        except IntegrityError as exc:  # circles reference nothing: only a unique key fails
            raise AlreadyExistsError(f"circle {circle.id!r} or its channel") from exc

    async def save(self, circle: Circle) -> None:
        await self._compare_and_swap(circle.id, _circle_columns(circle))

    async def _one(self, query: Select[Any], parameters: dict[str, Any]) -> Circle | None:
        found = await self._session.execute(query, parameters)
        row = found.first()
        return None if row is None else self._load(row.version, row.state)

    def _place(self, row: Row[*tuple[Any, ...]]) -> tuple[Circle | None, Case | None]:
        """A circle and a case read side by side (`case_` columns), either of them NULL."""
        circle = None if row.state is None else self._load(row.version, row.state)
        case = None if row.case_state is None else self._cases.adopt(row.case_version, row.case_state)
        return circle, case

    def _load(self, version: int, state: str) -> Circle:
        circle = codec.decode_circle_text(state)
        self._remember(circle.id, version)
        return circle


def _channel_parameters(platform: str, workspace_id: str, channel_id: str) -> dict[str, Any]:
    return {"p_platform": platform, "p_workspace_id": workspace_id, "p_channel_id": channel_id}


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
    def __init__(self, session: Executor) -> None:
        super().__init__(session, cases, _CASE_SWAP, _CASE_STATE_COLUMNS)

    async def get(self, case_id: str) -> Case | None:
        return self._from_row((await self._session.execute(_CASE_BY_ID, {"p_id": case_id})).first())

    async def get_by_thread(self, circle_id: str, thread_ref: str) -> Case | None:
        parameters = {"p_circle_id": circle_id, "p_thread_ref": thread_ref}
        return self._from_row((await self._session.execute(_CASE_BY_THREAD, parameters)).first())

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
        return [self._load(row.version, row.state) for row in rows]

    async def add(self, case: Case) -> None:
        """Store a new case; AlreadyExistsError if its id or its number in the circle is taken."""
        try:
            await self._insert(case.id, {"circle_id": case.circle_id, "number": case.number, **_case_columns(case)})
        except IntegrityError as exc:
            if "foreign key" in str(exc).lower():
                raise  # an unknown circle is a programming error, not a race
            raise AlreadyExistsError(f"case {case.id!r} or number {case.number}") from exc

    async def get_by_number(self, circle_id: str, number: int) -> Case | None:
        parameters = {"p_circle_id": circle_id, "p_number": number}
        return self._from_row((await self._session.execute(_CASE_BY_NUMBER, parameters)).first())

    async def save(self, case: Case) -> None:
        await self._compare_and_swap(case.id, _case_columns(case))

    async def set_thread_ref(self, case_id: str, ref: str) -> None:
        # Not part of the Case value, so it does not bump the version engine saves check.
        await self._session.execute(update(cases).where(cases.c.id == case_id).values(thread_ref=ref))

    async def thread_ref(self, case_id: str) -> str | None:
        found = await self._session.execute(select(cases.c.thread_ref).where(cases.c.id == case_id))
        return found.scalar_one_or_none()

    def _select(self) -> Any:
        return _SELECT_CASE

    async def _first(self, where: Any) -> Case | None:
        found = await self._session.execute(self._select().where(where).order_by(cases.c.opened_at.desc()).limit(1))
        return self._from_row(found.first())

    def adopt(self, version: int, state: str) -> Case:
        """A case another repository's query read (a join): remember its version for `save`."""
        return self._load(version, state)

    def _from_row(self, row: Row[*tuple[Any, ...]] | None) -> Case | None:
        return None if row is None else self._load(row.version, row.state)

    def _load(self, version: int, state: str) -> Case:
        case = codec.decode_case_text(state)
        self._remember(case.id, version)
        return case


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
    def __init__(self, session: Executor) -> None:
        self._session = session

    async def add_all(self, items: Iterable[Contribution], circle_id: str) -> None:
        """Record contributions of `circle_id`'s cases; the foreign key refuses unknown cases."""
        batch = list(items)
        if not batch:
            return
        # The circle is denormalised onto each row for per-circle reports; the caller knows it,
        # so no lookup is spent on the hot path of every reply.
        await self._session.execute(_INSERT_CONTRIBUTION, [_contribution_row(item, circle_id) for item in batch])

    async def list_for_case(self, case_id: str) -> list[Contribution]:
        rows = await self._session.execute(
            select(contributions)
            .where(contributions.c.case_id == case_id)
            .order_by(contributions.c.at, contributions.c.seq)
        )
        return [contribution_from_row(row) for row in rows]


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


def contribution_from_row(row: Any) -> Contribution:
    """A `contributions` row as the engine's value (kind and phase back to their enums)."""
    return Contribution(
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
