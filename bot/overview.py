"""What one person has going on in one workspace: read-only, for the Slack App Home.

Their circles, the open cases there and their phases, their own action items with due
dates, and what each case's current phase still waits on them for. Nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.model import ActionItem, Case, Circle, Phase
from bot.flows.phases import awaited
from bot.storage import codec
from bot.storage.tables import cases, circles

_ENDED = (Phase.CLOSED.value, Phase.WITHDRAWN.value)


@dataclass(frozen=True, slots=True)
class Awaited:
    case_number: int
    case_title: str
    phase: Phase


@dataclass(frozen=True, slots=True)
class OwnItem:
    case_number: int
    item: ActionItem


@dataclass(frozen=True, slots=True)
class CircleOverview:
    circle: Circle
    open_cases: tuple[Case, ...]
    own_items: tuple[OwnItem, ...]
    awaited: tuple[Awaited, ...]


@dataclass(frozen=True, slots=True)
class Overview:
    user_id: str
    circles: tuple[CircleOverview, ...]


async def member_overview(
    sessions: async_sessionmaker[AsyncSession], platform: str, workspace_id: str, user_id: str
) -> Overview:
    """Every circle of `workspace_id` that `user_id` belongs to, and where they stand there."""
    async with sessions() as session:
        circle_rows = await session.execute(
            select(circles.c.state)
            .where(circles.c.platform == platform, circles.c.workspace_id == workspace_id)
            .order_by(circles.c.created_at, circles.c.id)
        )
        theirs = [c for c in (codec.decode_circle(row.state) for row in circle_rows) if c.member(user_id)]
        found: list[CircleOverview] = []
        for circle in theirs:
            case_rows = await session.execute(
                select(cases.c.state)
                .where(cases.c.circle_id == circle.id, cases.c.phase.not_in(_ENDED))
                .order_by(cases.c.number)
            )
            open_cases = tuple(codec.decode_case(row.state) for row in case_rows)
            found.append(_overview(circle, open_cases, user_id))
    return Overview(user_id, tuple(found))


def _overview(circle: Circle, open_cases: tuple[Case, ...], user_id: str) -> CircleOverview:
    own = tuple(
        OwnItem(case.number, item)
        for case in open_cases
        if case.client_id == user_id and case.plan is not None
        for item in case.plan.items
        if not item.status.settled
    )
    waits = tuple(
        Awaited(case.number, case.expose.title, case.phase)
        for case in open_cases
        if not case.paused and user_id in awaited(circle, case)
    )
    return CircleOverview(circle, open_cases, own, waits)


def overdue(item: ActionItem, today: date) -> bool:
    return item.due is not None and item.due < today
