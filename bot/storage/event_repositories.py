"""Repositories of the bot's conversation with platforms: events in, effects out.

Both write inside the caller's unit of work: an event is marked handled, and the effects of
handling it are queued, in the same transaction as the state they changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, bindparam, delete, insert
from sqlalchemy.dialects import postgresql, sqlite

from bot.flows.effects import Card, Effect, OpenForm, Post, SetTimer, UpdateCard
from bot.storage import codec
from bot.storage.engine import Executor, dialect_name
from bot.storage.results import rowcount
from bot.storage.tables import outbox, processed_events


def _record_event(dml: Any) -> Insert:
    """INSERT the event id unless it is there: one row inserted means the first delivery.

    No RETURNING: the affected row count says the same, and both drivers report 0 for a
    conflict that did nothing (tests/storage/test_processed_events.py checks both).
    """
    statement: Insert = (
        dml.insert(processed_events)
        .values(event_id=bindparam("p_event_id"), received_at=bindparam("p_received_at"))
        .on_conflict_do_nothing(index_elements=[processed_events.c.event_id])
    )
    return statement


# Built once per dialect (the ON CONFLICT clause is dialect specific), bound at execute time.
_RECORD_EVENT = {"postgresql": _record_event(postgresql), "sqlite": _record_event(sqlite)}


class ProcessedEventRepository:
    """Platform event ids already handled, so a redelivered event is applied once."""

    def __init__(self, session: Executor) -> None:
        self._session = session

    async def first_time(self, event_id: str, now: datetime) -> bool:
        """Record the event; False if it was recorded before (then skip it).

        Call it in the same unit of work that applies the event: if that rolls back, the
        record goes too and a redelivery is applied normally.
        """
        statement = _RECORD_EVENT[dialect_name(self._session)]
        inserted = await self._session.execute(statement, {"p_event_id": event_id, "p_received_at": now})
        return rowcount(inserted) == 1

    async def forget_before(self, cutoff: datetime) -> int:
        """Drop records older than any redelivery (Slack retries within minutes)."""
        forgotten = await self._session.execute(
            delete(processed_events)
            .where(processed_events.c.received_at < cutoff)
            .returning(processed_events.c.event_id)
        )
        return len(forgotten.all())


_INSERT_OUTBOX = insert(outbox)  # built once: its cache key is memoised with it
# A keyed row whose key is queued already is left out (see `OutboxRepository.add_once`).
_INSERT_OUTBOX_ONCE = {
    "postgresql": postgresql.insert(outbox).on_conflict_do_nothing(index_elements=[outbox.c.dedupe_key]),
    "sqlite": sqlite.insert(outbox).on_conflict_do_nothing(index_elements=[outbox.c.dedupe_key]),
}


class OutboxRepository:
    """Queues effects in the unit of work's transaction, beside the state that caused them."""

    def __init__(self, session: Executor) -> None:
        self._session = session
        self.added = 0  # rows queued in this unit of work: none, and the dispatcher has nothing new

    async def add(self, effects: Iterable[Effect], now: datetime) -> None:
        rows = [_outbox_row(effect, now) for effect in effects]
        if rows:
            await self._session.execute(_INSERT_OUTBOX, rows)
            self.added += len(rows)

    async def add_once(self, keyed: Sequence[tuple[str, Effect]], now: datetime) -> None:
        """Queue each effect under its key, unless a row of that key was queued before: a
        message that must go out once however many jobs come to send it."""
        rows = [_outbox_row(effect, now) | {"dedupe_key": key} for key, effect in keyed]
        if rows:
            await self._session.execute(_INSERT_OUTBOX_ONCE[dialect_name(self._session)], rows)
            self.added += len(rows)


def _outbox_row(effect: Effect, now: datetime) -> dict[str, Any]:
    return {
        "circle_id": effect.circle_id,
        "case_id": case_id_of(effect),
        "kind": effect.kind,
        "payload": codec.encode_effect(effect),
        # Messages go out at once; timers wake the engine when they are due.
        "due_at": effect.due_at if isinstance(effect, SetTimer) else now,
        "status": "pending",
        "attempts": 0,
        "created_at": now,
    }


def case_id_of(effect: Effect) -> str | None:
    """The case an effect belongs to, if any: rows of one case are delivered in order."""
    match effect:
        case Post(card=Card() as card) | UpdateCard(card=card):
            return card.case_id
        case Post():
            return None
        case OpenForm(form=form):
            return form.case_id
        case _:
            return effect.case_id
