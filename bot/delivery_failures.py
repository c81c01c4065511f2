"""When a message is given up on for good, the circle's facilitators hear about it.

The dispatcher calls `FailureNotices` (its `on_failed` hook) with the failed outbox row and
the reason. Each facilitator gets one direct message per circle, per reason, per day, not one
per failed message: the day's notice is keyed in the processed-events table, in the same
transaction as the messages it queues, so two dispatchers racing on a burst of failures
still send it once. A direct message reaches facilitators even when the circle's channel is
the thing that broke (archived, deleted, the bot removed).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows.effects import DirectMessage
from bot.flows.step import say
from bot.storage.outbox import OutboxRow
from bot.storage.uow import UnitOfWork

log = logging.getLogger(__name__)

CHANNEL_REASONS = ("channel_not_found", "not_in_channel", "is_archived", "missing_access")
_WORDS = re.compile(r"[a-z_]+")


def reason_key(reason: str) -> str:
    """The kind of failure, without the details that vary (HTTP codes, ids, counts)."""
    found = next((name for name in CHANNEL_REASONS if name in reason), None)
    return found or "_".join(_WORDS.findall(reason.lower())[:6])[:80] or "unknown"


class FailureNotices:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Callable[[], datetime],
        *,
        on_commit: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._on_commit = on_commit

    async def __call__(self, row: OutboxRow, reason: str) -> None:
        now = self._clock()
        key = reason_key(reason)
        async with UnitOfWork(self._sessions) as uow:
            circle = await uow.circles.get(row.circle_id)
            if circle is None or not circle.facilitators:
                return
            if not await uow.events.first_time(f"delivery-failed:{circle.id}:{key}:{now.date().isoformat()}", now):
                return  # the facilitators heard about this kind of failure today
            hint = say(circle, "delivery.hint.channel" if key in CHANNEL_REASONS else "delivery.hint.other")
            text = say(circle, "delivery.failed", name=circle.name, reason=key, hint=hint)
            await uow.outbox.add([DirectMessage(circle.id, user, text) for user in circle.facilitators], now)
            await uow.commit()
        log.info("told the facilitators of circle %s that delivery failed: %s", row.circle_id, key)
        self._on_commit()
