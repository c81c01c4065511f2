"""A circle, its cases and a dispatcher over the test database, with a clock the test moves.

`Harness.advance_to(moment)` lets time pass as the running bot would live it: every row
comes due at its own time, in order, and is handled then (the console's `/time` does the
same), so a test reads *when* each message went out from the fake platform's log.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.dispatcher import Dispatcher
from bot.flows import commands as c
from bot.flows.case_engine import handle_case
from bot.flows.effects import DirectMessage, Effect, Post
from bot.flows.model import (
    ActionItem,
    Cadence,
    Case,
    CaseKind,
    Circle,
    CircleSettings,
    Expose,
    ItemStatus,
    MeetingRule,
    Member,
    Phase,
    Plan,
    Rotation,
)
from bot.ports import Address, Progress
from bot.routing import save_step
from bot.scheduler_meetings import MeetingJobs
from bot.service import Codev
from bot.storage import codec
from bot.storage.outbox import Outbox
from bot.storage.tables import outbox
from bot.storage.uow import UnitOfWork

Sessions = async_sessionmaker[AsyncSession]
CIRCLE = "circle-1"
T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def move_to(self, moment: datetime) -> None:
        self.now = max(self.now, moment)


@dataclass(frozen=True, slots=True)
class Delivery:
    at: datetime
    effect: Effect
    address: Address


@dataclass
class FakePlatform:
    """Implements the Deliverer port: records each message with the clock's time."""

    clock: Clock
    platform: str = "slack"
    log: list[Delivery] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def deliver(self, effect: Effect, address: Address, progress: Progress) -> str | None:
        self.log.append(Delivery(self.clock(), effect, address))
        self.arrived.set()
        return f"msg-{len(self.log)}"

    def dms(self, user: str | None = None) -> list[Delivery]:
        return [d for d in self.log if isinstance(d.effect, DirectMessage) and user in (None, d.effect.user_id)]

    def posts(self) -> list[Delivery]:
        return [d for d in self.log if isinstance(d.effect, Post)]

    def texts(self) -> list[str]:
        return [getattr(d.effect, "text", "") for d in self.log]


class Harness:
    def __init__(self, sessions: Sessions, clock: Clock, worker: str = "w1") -> None:
        self.sessions = sessions
        self.clock = clock
        self.platform = FakePlatform(clock)
        self.meetings = MeetingJobs(sessions, clock)
        self.codev = Codev(sessions, clock)
        self.dispatcher = Dispatcher(
            sessions, {"slack": self.platform}, self.codev.fire_timer, clock, worker, on_meeting=self.meetings.fire
        )
        self.outbox = Outbox(sessions)

    async def advance_to(self, target: datetime) -> None:
        await self.dispatcher.run_once()
        for _ in range(1000):
            due = await self.outbox.next_due_at(platforms=("slack",))
            if due is None or due > target:
                break
            self.clock.move_to(due)
            await self.dispatcher.run_once()
        self.clock.move_to(target)
        await self.dispatcher.run_once()


def wall(text: str) -> datetime:
    """A naive local wall time, as cadences hold explicit meeting dates ("2026-10-27 15:00")."""
    return datetime.fromisoformat(text)


def member(user: str, zone: str | None = None, *, facilitator: bool = False) -> Member:
    return Member(user, user.title(), T0, facilitator=facilitator, charter_accepted_at=T0, timezone=zone)


def weekly(weekday: int, at: time, starts: date) -> Cadence:
    return Cadence(rule=MeetingRule(weekday=weekday, at=at, every_weeks=1, starts=starts))


def a_circle(
    zone: str,
    cadence: Cadence,
    *,
    members: tuple[Member, ...] | None = None,
    followup_meetings: int = 3,
    paused: bool = False,
    channel: str = "C1",
    circle_id: str = CIRCLE,
) -> Circle:
    people = members or (member("fay", facilitator=True), member("ann"), member("bob"), member("cy"))
    return Circle(
        id=circle_id,
        platform="slack",
        workspace_id="W1",
        channel_id=channel,
        name="Leaders",
        created_at=T0,
        members=people,
        settings=CircleSettings(timezone=zone, followup_meetings=followup_meetings),
        cadence=cadence,
        rotation=Rotation(queue=tuple(m.user_id for m in people)),
        paused=paused,
    )


def a_follow_up(client: str = "ann", *, number: int = 1, circle_id: str = CIRCLE) -> Case:
    """A case in follow-up whose action plan still has an open item."""
    plan = Plan("Talk to them.", (ActionItem("Meet each senior"), ActionItem("Agree on rituals")), T0)
    return Case(
        id=f"case-{number}",
        circle_id=circle_id,
        number=number,
        client_id=client,
        expose=Expose(CaseKind.PROBLEM, f"Problem {number}", "c", "s", "t", "q"),
        consultants=("bob", "cy"),
        phase=Phase.FOLLOW_UP,
        opened_at=T0,
        phase_started_at=T0,
        deadline=None,
        plan=plan,
    )


async def seed(sessions: Sessions, circle: Circle, *cases: Case) -> None:
    async with UnitOfWork(sessions) as uow:
        await uow.circles.add(circle)
        for case in cases:
            await uow.cases.add(case)
            await uow.cases.set_thread_ref(case.id, f"thread-{case.id}")
        await uow.commit()


async def rows(sessions: Sessions, kind: str | None = None) -> list[Any]:
    query = select(outbox).order_by(outbox.c.id)
    if kind is not None:
        query = query.where(outbox.c.kind == kind)
    async with sessions() as session:
        return list((await session.execute(query)).all())


def job_of(row: Any) -> Effect:
    return codec.decode_effect(row.payload)


async def get_case(sessions: Sessions, case_id: str) -> Case:
    async with UnitOfWork(sessions) as uow:
        case = await uow.cases.get(case_id)
    assert case is not None
    return case


async def post_update(
    sessions: Sessions, case_id: str, now: datetime, item: int = 1, status: ItemStatus = ItemStatus.PARTLY
) -> None:
    """The client posts an update through the engine, as the update form would."""
    async with UnitOfWork(sessions) as uow:
        case = await uow.cases.get(case_id)
        assert case is not None
        circle = await uow.circles.get(case.circle_id)
        assert circle is not None
        command = c.PostUpdate(case.client_id, f"update-{case_id}-{item}-{now.isoformat()}", item, status, "on it")
        await save_step(uow, circle, case, handle_case(circle, case, command, now), now)
        await uow.commit()
