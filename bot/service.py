"""The application service: one incoming event, one transaction.

It deduplicates the event, loads the circle and case, asks the engine, and commits the new
state, the contributions and the outbox rows together. Refusals roll everything back and
come back as a private notice in the actor's language; nothing is half-written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import intake
from bot.flows import commands as c
from bot.flows.case_engine import handle_case
from bot.flows.catalog import t
from bot.flows.effects import Notice, SetTimer
from bot.flows.errors import DomainError
from bot.flows.model import Case, Circle, Language
from bot.incoming import Incoming, Origin, Outcome, Payload, SlashCommand
from bot.routing import Router, save_step
from bot.storage.engine import write_turn
from bot.storage.errors import AlreadyExistsError, ConcurrentUpdate
from bot.storage.outbox import OutboxRow
from bot.storage.uow import UnitOfWork

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
ATTEMPTS = 5


def new_id() -> str:
    return uuid.uuid4().hex


class Codev:
    """The core as adapters see it: `handle` an incoming event, `fire_timer` for the clock."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        ids: Callable[[], str] = new_id,
        default_language: Language = Language.EN,
        default_timezone: str = "UTC",
        on_commit: Callable[[], None] = lambda: None,
        read_units: Callable[[], UnitOfWork] | None = None,
    ) -> None:
        """`read_units`: where commands that only read get their unit of work (by default,
        from `sessions` like any other; see bot.storage.reading)."""
        self._sessions = sessions
        self._read_units = read_units or (lambda: UnitOfWork(sessions))
        self._clock = clock
        self._ids = ids
        self._language = default_language
        self._timezone = default_timezone
        self._on_commit = on_commit

    async def handle(self, incoming: Incoming) -> Outcome:
        for _ in range(ATTEMPTS - 1):
            try:
                return await self._handle_once(incoming)
            except (ConcurrentUpdate, AlreadyExistsError):
                # Someone changed the same circle or case, or set up a circle in this channel
                # first: read again, decide again (a second setup is then refused kindly).
                continue
            except DBAPIError as error:
                if not error.connection_invalidated:
                    raise
                # The server dropped the connection (a restart) and the pool reconnects: apply
                # the event again. Had the cut come during COMMIT and the commit gone through,
                # the event's dedupe mark is there and the second try changes nothing.
                log.warning("database connection lost; applying event %s again", incoming.event_id)
                continue
        return await self._handle_once(incoming)

    async def handle_together(self, incomings: Sequence[Incoming]) -> list[Outcome]:
        """Apply `incomings`, in order, in one transaction: a backlog of accepted events
        costs one commit to sync instead of one each. Each event runs in its own savepoint,
        so a refusal undoes its own writes only. Any other failure rolls back them all and
        raises: the caller then applies them one by one (`handle`), which retries or sets
        aside only the event at fault."""
        outcomes: list[Outcome] = []
        async with write_turn(self._sessions), UnitOfWork(self._sessions) as uow:
            for incoming in incomings:
                async with uow.savepoint() as savepoint:
                    outcome = await self._decide(uow, incoming, self._clock(), reads_only=False)
                    if outcome.duplicate or outcome.refused:
                        await savepoint.rollback()
                outcomes.append(outcome)
                # Statements may all run on the event loop's thread: let waiting requests in.
                await asyncio.sleep(0)
            await uow.commit()
        if uow.outbox.added:
            self._on_commit()
        return outcomes

    async def _handle_once(self, incoming: Incoming) -> Outcome:
        # A command that only reads needs no dedupe mark (answering a redelivery again is
        # harmless), so it writes nothing: no write turn to wait for, no commit to sync.
        reads_only = isinstance(incoming.payload, SlashCommand) and intake.reads_only(incoming.payload.text)
        turn = contextlib.nullcontext() if reads_only else write_turn(self._sessions)
        unit = self._read_units() if reads_only else UnitOfWork(self._sessions)
        async with turn, unit as uow:
            outcome = await self._decide(uow, incoming, self._clock(), reads_only=reads_only)
            if outcome.duplicate:
                return outcome
            if outcome.refused:
                await uow.rollback()
                return outcome
            if not reads_only or uow.outbox.added:  # else leaving ends the read, for less
                await uow.commit()
        if uow.outbox.added:  # a reply that changes nothing shown wakes no dispatcher round
            self._on_commit()
        return outcome

    async def _decide(self, uow: UnitOfWork, incoming: Incoming, now: datetime, *, reads_only: bool) -> Outcome:
        """Mark the event handled, load its place and route it; nothing committed. A refusal
        comes back as a refused outcome, its writes for the caller to roll back."""
        origin = incoming.origin
        place = await _load_place(uow, origin, None if reads_only else incoming.event_id, now, incoming.payload)
        if place is None:
            return Outcome(duplicate=True)
        circle, thread_case, named_case = place
        language = circle.settings.language if circle else self._language
        router = Router(
            uow,
            circle,
            origin,
            now,
            self._ids,
            self._language,
            self._timezone,
            thread_case=thread_case,
            named_case=named_case,
        )
        try:
            return await router.route(incoming.payload)
        except DomainError as refusal:
            if refusal.key == "error.not_member" and circle and circle.pending_member(origin.user_id):
                refusal = DomainError("error.charter_pending")  # they did join: the charter is what is missing
            notices = _refusal_notices(refusal.language or language, refusal)
            return Outcome(notices=notices, refused=True, extras=_refused_field(refusal))

    async def fire_timer(self, row: OutboxRow) -> None:
        """A deadline or reminder came due: let the engine decide what it means now."""
        timer = row.effect()
        assert isinstance(timer, SetTimer)
        for attempt in range(ATTEMPTS):
            try:
                await self._fire_once(timer)
                return
            except ConcurrentUpdate:
                if attempt == ATTEMPTS - 1:
                    raise

    async def _fire_once(self, timer: SetTimer) -> None:
        now = self._clock()
        async with write_turn(self._sessions), UnitOfWork(self._sessions) as uow:
            circle = await uow.circles.get(timer.circle_id)
            case = await uow.cases.get(timer.case_id)
            if circle is None or case is None:
                return
            command = c.TimerFired(c.SYSTEM_ACTOR, timer.timer, timer.seq)
            try:
                step = handle_case(circle, case, command, now)
            except DomainError as refusal:
                log.warning("timer for case %s refused: %r", case.id, refusal)
                return
            await save_step(uow, circle, case, step, now)
            await uow.commit()
        if uow.outbox.added:
            self._on_commit()


async def _load_place(
    uow: UnitOfWork, origin: Origin, event_id: str | None, now: datetime, payload: Payload
) -> tuple[Circle | None, Case | None, Case | None] | None:
    """The channel's circle, the thread's case (in a thread: None if it is no case's) and the
    case a command names by number (outside threads, for events without an id); None for an
    event already handled.

    One query for all of it: replies, the bulk of the traffic, come from threads and need
    both, and the dedupe mark of an event id goes in the same statement.
    """
    if event_id:
        place = await uow.circles.record_event_and_read_place(
            event_id, now, origin.platform, origin.workspace_id, origin.channel_id, origin.thread_ref or None
        )
        return None if place is None else (*place, None)
    if origin.thread_ref:
        circle, case = await uow.circles.get_with_thread_case(
            origin.platform, origin.workspace_id, origin.channel_id, origin.thread_ref
        )
        return circle, case, None
    named = intake.named_case(payload.text) if isinstance(payload, SlashCommand) else None
    if named is not None:
        circle, case = await uow.circles.get_with_numbered_case(
            origin.platform, origin.workspace_id, origin.channel_id, named
        )
        return circle, None, case
    return await uow.circles.get_by_channel(origin.platform, origin.workspace_id, origin.channel_id), None, None


def _refused_field(refusal: DomainError) -> dict[str, str]:
    """The form field a refusal is about ("field.title" -> "title"), for adapters that can
    show the reason beside it."""
    if refusal.form_field:
        return {"field": refusal.form_field}
    named = refusal.params.get("field")
    if isinstance(named, str) and named.startswith("field."):
        return {"field": named.removeprefix("field.")}
    return {}


def _refusal_notices(language: str, refusal: DomainError) -> tuple[Notice, ...]:
    text = t(language, refusal.key, **refusal.params)
    if refusal.key == "error.unknown_subcommand":
        return (Notice(text), Notice(t(language, "help.short")))
    return (Notice(text),)
