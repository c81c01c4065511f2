"""Retention: a circle may keep closed cases' words for `retention_days` only.

`purge_expired` is what the scheduler calls (once a day is plenty): for every circle with a
retention period, each case that ended (closed or withdrawn) longer ago than the period
loses the words of its contributions, the free text of its document (exposé, contract,
plan wording, parked advice) and its delivered messages. What remains (number, dates,
phases, who was client, action statuses, and who contributed when, in which phase) keeps
the circle report whole. Each purge is recorded once, so a case is purged only once and
the circle report can say when; records and journals leave a purged case's contributions out.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.card import build_card
from bot.flows.catalog import t
from bot.flows.effects import UpdateCard
from bot.flows.model import Case, Circle, Plan
from bot.storage.errors import ConcurrentUpdate
from bot.storage.records_repositories import PurgeRecord
from bot.storage.uow import UnitOfWork

log = logging.getLogger(__name__)


def expired(circle: Circle, case: Case, now: datetime) -> bool:
    """Whether `case` ended longer ago than the circle keeps cases (never, by default)."""
    days = circle.settings.retention_days
    if days is None or case.active or case.closed_at is None:
        return False
    return case.closed_at + timedelta(days=days) <= now


def blanked(case: Case, placeholder: str) -> Case:
    """The case without its people's words; numbers, dates, roles and statuses stay."""
    expose = dataclasses.replace(
        case.expose, title=placeholder, context=placeholder, stakes="", tried="", question=placeholder
    )
    plan = None
    if case.plan is not None:
        items = tuple(dataclasses.replace(item, what=placeholder, indicator="", note="") for item in case.plan.items)
        plan = Plan(placeholder if case.plan.synthesis else "", items, case.plan.posted_at)
    contract = placeholder if case.contract is not None else None
    return case.replace(expose=expose, plan=plan, contract=contract, parked=())


async def purge_expired(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Purge every expired case not purged yet; return how many cases were purged."""
    async with UnitOfWork(sessions) as uow:
        circles = await uow.circles.list_all()
    purged = 0
    for circle in circles:
        if circle.settings.retention_days is None:
            continue
        try:
            purged += await _purge_circle(sessions, circle.id, now)
        except (ConcurrentUpdate, IntegrityError):
            # Another worker purged or changed the same case meanwhile: the next run sees it.
            log.warning("retention: circle %s changed during the purge; retrying next run", circle.id)
    if purged:
        log.info("retention: purged %s case(s)", purged)
    return purged


async def _purge_circle(sessions: async_sessionmaker[AsyncSession], circle_id: str, now: datetime) -> int:
    async with UnitOfWork(sessions) as uow:
        circle = await uow.circles.get(circle_id)
        if circle is None:
            return 0
        done = {purge.case_id for purge in await uow.records.purges_of(circle.id)}
        placeholder = t(circle.settings.language, "records.purged_text")
        purged = 0
        for case in await uow.cases.list_for_circle(circle.id, active_only=False):
            if case.id in done or not expired(circle, case, now):
                continue
            removed = await uow.records.blank_contributions_of_case(case.id, placeholder)
            await uow.records.delete_delivered_outbox_of_case(case.id)
            emptied = blanked(case, placeholder)
            await uow.cases.save(emptied)
            # The bot's own card shows the title and question: redrawn without them.
            await uow.outbox.add((UpdateCard(circle.id, build_card(circle, emptied)),), now)
            await uow.records.record_purge(circle.id, PurgeRecord(case.id, case.number, removed, now))
            log.info("retention: case %s of circle %s purged (%s contributions)", case.number, circle.id, removed)
            purged += 1
        await uow.commit()
        return purged
