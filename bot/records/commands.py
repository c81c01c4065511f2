"""`/codev export`, `/codev journal`, `/codev forget-me`: from the router to the records.

The router hands over a `Desk` (the unit of work, the circle, who acts and when); these
functions check who may do what, read and write through the unit of work, queue private
deliveries in the outbox, and answer with an `Outcome`. They never commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot import intake
from bot.flows.catalog import t
from bot.flows.effects import Button, Notice, SendFile
from bot.flows.errors import DomainError
from bot.flows.model import Case, Circle
from bot.incoming import Outcome
from bot.records import erasure, export, journal, report
from bot.records.names import reader_zone
from bot.storage.uow import UnitOfWork

SUBCOMMANDS = ("export", "journal", "forget-me")
EXPORT_CIRCLE = "export_circle"  # `/codev export circle` on a button (the Slack App Home)
ACTIONS = (erasure.CONFIRM_MEMBER, erasure.CONFIRM_CIRCLE, EXPORT_CIRCLE)
FORMS = (journal.FORM_ID,)

CaseFinder = Callable[[int | None], Awaitable[Case]]


@dataclass(frozen=True, slots=True)
class Desk:
    uow: UnitOfWork
    circle: Circle
    actor: str
    now: datetime
    ids: Callable[[], str]

    @property
    def language(self) -> str:
        return self.circle.settings.language

    def notice(self, key: str, **params: object) -> Outcome:
        return Outcome(notices=(Notice(t(self.language, key, **params)),))


async def slash(desk: Desk, sub: str, args: tuple[str, ...], find_case: CaseFinder) -> Outcome:
    if sub == "export":
        if args and args[0].lower() in ("circle", "cercle"):
            return await export_circle(desk)
        number, rest = intake.split_case_ref(args)
        if rest:
            raise DomainError("records.error.export_usage")
        return await export_case(desk, await find_case(number))
    if sub == "journal":
        return await journal.slash(desk.uow, desk.circle, desk.actor, args, desk.now)
    return await erasure.slash(desk.uow, desk.circle, desk.actor, args)


def report_button(circle: Circle) -> Button:
    """The circle report for a facilitator, at a press; the adapter makes it name `circle`."""
    return Button(EXPORT_CIRCLE, t(circle.settings.language, "records.button.circle_report"))


async def button(desk: Desk, action: str, value: str) -> Outcome:
    if action == EXPORT_CIRCLE:
        return await export_circle(desk)
    return await erasure.confirmed(desk.uow, desk.circle, desk.actor, action, value, desk.now)


async def form(desk: Desk, form_id: str, values: Mapping[str, str]) -> Outcome:
    return await journal.write(desk.uow, desk.circle, desk.actor, values, desk.ids(), desk.now)


async def export_case(desk: Desk, case: Case) -> Outcome:
    circle = desk.circle
    if desk.actor != case.client_id and desk.actor not in circle.facilitators:
        raise DomainError("records.error.export_refused", number=case.number)
    contributions = await desk.uow.contributions.list_for_case(case.id)
    purge = next((p for p in await desk.uow.records.purges_of(circle.id) if p.case_id == case.id), None)
    zone = reader_zone(circle, desk.actor)
    content = export.case_record(circle, case, contributions, reader=desk.actor, zone=zone, now=desk.now, purge=purge)
    caption = t(desk.language, "records.export_caption", number=case.number, size=len(content))
    sent = SendFile(
        circle.id,
        desk.actor,
        export.record_filename(case),
        content,
        export.message_for(content, caption),
        case_id=case.id,
    )
    await desk.uow.outbox.add((sent,), desk.now)
    return desk.notice("records.export_sent", number=case.number)


async def export_circle(desk: Desk) -> Outcome:
    circle = desk.circle
    if desk.actor not in circle.facilitators:
        raise DomainError("records.error.report_refused")
    files = await report.circle_files(desk.uow, circle, desk.actor, desk.now)
    await desk.uow.outbox.add(files, desk.now)
    return desk.notice("records.report_sent")
