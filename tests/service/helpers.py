"""Driving the service as an adapter would, and reading back what storage holds.

The cast: `FAC` sets the circle up (a facilitator, not a consultant by default); `CLIENT`
brings the case; `CONSULTANTS` are the other members; `OUTSIDER` never joined.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.catalog import t
from bot.flows.effects import Effect, SetTimer
from bot.flows.model import Case, Circle, Contribution
from bot.incoming import ButtonPress, FormSubmission, Incoming, Origin, Outcome, Payload, SlashCommand, ThreadReply
from bot.service import Codev
from bot.storage import codec
from bot.storage.outbox import TIMER_KIND, Outbox, OutboxRow
from bot.storage.tables import cases, circles, contributions, outbox, processed_events
from bot.storage.uow import UnitOfWork

START = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
FAC = "fay"
CLIENT = "ann"
CONSULTANTS = ("bob", "cy", "dan")
OUTSIDER = "zed"

SUBMISSION: Mapping[str, str] = {
    "kind": "problem",
    "title": "A conflict in my team",
    "context": "Two senior people no longer talk to each other.",
    "question": "How do I get them working together again?",
}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, span: timedelta) -> None:
        self.now += span


class Ids:
    """Predictable ids: id1, id2, …"""

    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def __call__(self) -> str:
        return f"id{next(self._counter)}"


@dataclass(frozen=True, slots=True)
class Place:
    platform: str = "slack"
    workspace: str = "W1"
    channel: str = "C1"


HOME = Place()


class Driver:
    """One service over one database, and the calls an adapter makes on people's behalf."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock
        self.codev = Codev(sessions, clock, ids=Ids())

    async def send(
        self,
        user: str,
        payload: Payload,
        *,
        place: Place = HOME,
        thread: str | None = None,
        event_id: str | None = None,
    ) -> Outcome:
        origin = Origin(place.platform, place.workspace, place.channel, user, user.title(), thread)
        return await self.codev.handle(Incoming(origin, payload, event_id))

    async def slash(self, user: str, text: str, **where: Any) -> Outcome:
        return await self.send(user, SlashCommand(text), **where)

    async def reply(self, user: str, text: str, *, thread: str = "T1", **where: Any) -> Outcome:
        return await self.send(user, ThreadReply(text, f"msg-{user}-{len(text)}"), thread=thread, **where)

    async def press(self, user: str, action: str, case_id: str | None = None, value: str = "", **where: Any) -> Outcome:
        return await self.send(user, ButtonPress(action, case_id, value), **where)

    async def fill(
        self, user: str, form_id: str, values: Mapping[str, str], case_id: str | None = None, **where: Any
    ) -> Outcome:
        return await self.send(user, FormSubmission(form_id, dict(values), case_id), **where)

    # --- scenarios ---------------------------------------------------------------------

    async def start_circle(
        self,
        *,
        members: tuple[str, ...] = (CLIENT, *CONSULTANTS),
        language: str = "en",
        timezone: str = "UTC",
        place: Place = HOME,
    ) -> Circle:
        """A circle set up by FAC, every member joined with the charter accepted."""
        accepted(await self.slash(FAC, f"setup Leaders {language} {timezone}", place=place))
        for user in members:
            accepted(await self.slash(user, "join", place=place))
            accepted(await self.press(user, "accept_charter", place=place))
        circle = await circle_at(self.sessions, place)
        assert circle is not None
        return circle

    async def open_case(self, client: str = CLIENT, *, thread: str = "T1", place: Place = HOME) -> Case:
        """The client's case, opened through the submit form; its card roots `thread`."""
        accepted(await self.fill(client, "submit", SUBMISSION, place=place))
        circle = await circle_at(self.sessions, place)
        assert circle is not None
        async with UnitOfWork(self.sessions) as uow:
            case = await uow.cases.open_case_of(circle.id, client)
            assert case is not None
            await uow.cases.set_thread_ref(case.id, thread)
            await uow.commit()
        return case


def accepted(outcome: Outcome) -> Outcome:
    assert not outcome.refused, [notice.text for notice in outcome.notices]
    return outcome


def refusal_text(outcome: Outcome) -> str:
    assert outcome.refused
    assert outcome.notices, "a refusal comes with a private notice"
    return outcome.notices[0].text


def say(language: str, key: str, **params: object) -> str:
    return t(language, key, **params)


# --- reading storage back ------------------------------------------------------------------


async def circle_at(sessions: async_sessionmaker[AsyncSession], place: Place = HOME) -> Circle | None:
    async with UnitOfWork(sessions) as uow:
        return await uow.circles.get_by_channel(place.platform, place.workspace, place.channel)


async def case_of(sessions: async_sessionmaker[AsyncSession], case_id: str) -> Case:
    async with UnitOfWork(sessions) as uow:
        case = await uow.cases.get(case_id)
    assert case is not None
    return case


async def cases_at(sessions: async_sessionmaker[AsyncSession], place: Place = HOME) -> list[Case]:
    circle = await circle_at(sessions, place)
    assert circle is not None
    async with UnitOfWork(sessions) as uow:
        return await uow.cases.list_for_circle(circle.id, active_only=False)


async def contributions_of(sessions: async_sessionmaker[AsyncSession], case_id: str) -> list[Contribution]:
    async with UnitOfWork(sessions) as uow:
        return await uow.contributions.list_for_case(case_id)


@dataclass(frozen=True, slots=True)
class Queued:
    """One outbox row as the dispatcher would see it."""

    id: int
    kind: str
    status: str
    due_at: datetime
    effect: Effect


async def queued(sessions: async_sessionmaker[AsyncSession]) -> list[Queued]:
    async with sessions() as session:
        rows = (await session.execute(select(outbox).order_by(outbox.c.id))).all()
    return [Queued(row.id, row.kind, row.status, row.due_at, codec.decode_effect(row.payload)) for row in rows]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything a step could write: compare two to prove a refusal wrote nothing."""

    circles: tuple[tuple[str, int, str], ...]
    cases: tuple[tuple[str, int, str, str | None], ...]
    contributions: int
    outbox: int
    events: int


async def snapshot(sessions: async_sessionmaker[AsyncSession]) -> Snapshot:
    async with sessions() as session:
        circle_rows = await session.execute(select(circles.c.id, circles.c.version, circles.c.state).order_by("id"))
        case_rows = await session.execute(
            select(cases.c.id, cases.c.version, cases.c.state, cases.c.thread_ref).order_by("id")
        )
        return Snapshot(
            circles=tuple((row.id, row.version, repr(row.state)) for row in circle_rows),
            cases=tuple((row.id, row.version, repr(row.state), row.thread_ref) for row in case_rows),
            contributions=await _count(session, contributions),
            outbox=await _count(session, outbox),
            events=await _count(session, processed_events),
        )


async def _count(session: AsyncSession, table: Any) -> int:
    found = await session.scalar(select(func.count()).select_from(table))
    assert found is not None
    return int(found)


# --- the clock's side ----------------------------------------------------------------------

LEASE = timedelta(minutes=5)


async def claim_timers(driver: Driver, worker: str = "clock") -> list[OutboxRow]:
    """Every timer row due by the driver's clock, claimed as the dispatcher would."""
    claimed = await Outbox(driver.sessions).claim_due(driver.clock(), worker, 100, LEASE)
    return [row for row in claimed if row.kind == TIMER_KIND]


def timer_of(row: OutboxRow) -> SetTimer:
    effect = row.effect()
    assert isinstance(effect, SetTimer)
    return effect
