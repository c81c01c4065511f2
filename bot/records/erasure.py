"""Erase my data: a member's journal and personal settings go, their id and name are replaced
everywhere by a stable pseudonym ("a former member (2)"), and the erasure is recorded (not
what was erased). A member who left may still erase their own data. Also: a facilitator
erasing a member who left, or deleting a whole circle.

Every step asks for a confirmation first: the command answers with a button, and only the
press (checked again then) erases.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime

from bot import intake
from bot.flows import commands as c
from bot.flows.card import build_card
from bot.flows.case_engine import handle_case
from bot.flows.catalog import t
from bot.flows.effects import Button, Effect, Notice, Post, UpdateCard
from bot.flows.errors import DomainError
from bot.flows.model import Case, Circle, Plan, Rotation
from bot.incoming import Outcome
from bot.records.names import pseudonym_id
from bot.records.scrub import Rewrite, holds, replace_in_json, text_scrubber
from bot.storage import codec
from bot.storage.records_repositories import ErasureRecord
from bot.storage.uow import UnitOfWork

log = logging.getLogger(__name__)

CONFIRM_MEMBER = "confirm_forget_me"
CONFIRM_CIRCLE = "confirm_delete_circle"
_CIRCLE_WORDS = ("circle", "cercle")
_NAME_SEPARATOR = "\n"  # in a confirmation button's value: the id, then the name given
# Queued effects addressed to one person: dropped outright when that person is erased.
_PERSONAL_KINDS = ("dm", "ephemeral", "open_form", "file")


def _notice(circle: Circle, key: str, *buttons: Button, **params: object) -> Outcome:
    return Outcome(notices=(Notice(t(circle.settings.language, key, **params), tuple(buttons)),))


def _require_facilitator(circle: Circle, actor: str) -> None:
    if actor not in circle.facilitators:
        raise DomainError("records.error.facilitators_only")


async def slash(uow: UnitOfWork, circle: Circle, actor: str, args: tuple[str, ...]) -> Outcome:
    """Ask for the confirmation of what `/codev forget-me [@member | circle]` would erase."""
    language = circle.settings.language
    if args and args[0].lower() in _CIRCLE_WORDS:
        _require_facilitator(circle, actor)
        button = Button(CONFIRM_CIRCLE, t(language, "records.button.delete_circle"), value=circle.id)
        return _notice(circle, "records.confirm_circle", button, name=circle.name)
    target = intake.user_ref(args[0]) if args else actor
    await _check_member_erasure(uow, circle, actor, target)
    # The circle keeps the name a member who left went by, and it is replaced in texts; a
    # facilitator may give another one too (`forget-me @id Their Name`), e.g. for a member
    # who left before the circle kept names.
    former_name = " ".join(args[1:]).strip()[:150] if target != actor else ""
    value = f"{target}{_NAME_SEPARATOR}{former_name}" if former_name else target
    button = Button(CONFIRM_MEMBER, t(language, "records.button.forget"), value=value)
    if target == actor:
        return _notice(circle, "records.confirm_self", button)
    return _notice(circle, "records.confirm_member", button, who=former_name or circle.name_of(target))


async def _check_member_erasure(uow: UnitOfWork, circle: Circle, actor: str, target: str) -> list[Circle]:
    """Refuse what may not be erased; else the circles to erase the person from.

    A member erasing themselves is erased from every circle of the workspace they took part
    in (their platform id is the same there); a facilitator acts in their own circle only.
    """
    if target != actor:
        _require_facilitator(circle, actor)
        if circle.member(target) is not None:
            raise DomainError("records.error.still_member", who=circle.name_of(target))
        if not await _involved(uow, circle, target):
            # A mistyped name, or someone erased already: say so rather than announce an erasure.
            raise DomainError("records.error.nothing_kept", who=target)
        places = [circle]
    elif not _known_to(circle, actor):
        raise DomainError("error.not_member")
    else:
        places = [circle, *await _other_circles_of(uow, circle, target)]
    for place in places:
        elsewhere = {"circle": place.name} if place is not circle else {}
        suffix = "_elsewhere" if elsewhere else ""
        open_case = await uow.cases.open_case_of(place.id, target)
        if open_case is not None:
            raise DomainError(f"records.error.open_case{suffix}", number=open_case.number, **elsewhere)
        member = place.member(target)
        others = [m for m in place.members if m.user_id != target]
        if member is not None and member.facilitator and others and not any(m.facilitator for m in others):
            raise DomainError(f"records.error.last_facilitator{suffix}", **elsewhere)
    return places


def _known_to(circle: Circle, user_id: str) -> bool:
    """Whether the circle keeps a membership of `user_id`: someone who left may still erase
    what the circle keeps of them."""
    return any(find(user_id) for find in (circle.member, circle.pending_member, circle.departed_member))


async def _other_circles_of(uow: UnitOfWork, circle: Circle, user_id: str) -> list[Circle]:
    """The workspace's other circles that hold anything of `user_id`."""
    found = []
    for circle_id in await uow.records.circle_ids_in_workspace(circle.platform, circle.workspace_id):
        if circle_id == circle.id:
            continue
        other = await uow.circles.get(circle_id)
        if other is not None and await _involved(uow, other, user_id):
            found.append(other)
    return found


async def _involved(uow: UnitOfWork, circle: Circle, user_id: str) -> bool:
    if holds(codec.encode_circle(circle), user_id):
        return True
    if any(
        holds(codec.encode_case(case), user_id)
        for case in await uow.cases.list_for_circle(circle.id, active_only=False)
    ):
        return True
    if await uow.records.journal_of(circle.id, user_id):
        return True
    return await uow.records.has_contributions_by(circle.id, user_id)


async def confirmed(uow: UnitOfWork, circle: Circle, actor: str, action: str, value: str, now: datetime) -> Outcome:
    """The confirmation button was pressed: check again, then erase."""
    if action == CONFIRM_CIRCLE:
        _require_facilitator(circle, actor)
        if value != circle.id:
            raise DomainError("error.unknown_action")
        await delete_circle(uow, circle, now)
        return _notice(circle, "records.circle_deleted")
    target, _, former_name = (value or actor).partition(_NAME_SEPARATOR)
    for place in await _check_member_erasure(uow, circle, actor, target):
        await erase_member(uow, place, target, now, by_facilitator=target != actor, former_name=former_name or None)
    return _notice(circle, "records.erased_self" if target == actor else "records.erased_member")


async def delete_circle(uow: UnitOfWork, circle: Circle, now: datetime) -> None:
    await uow.records.delete_circle(circle.id)
    await uow.records.record_erasure(circle.id, ErasureRecord("circle", now, by_facilitator=True))
    codec.forget_decoded_documents()  # no decoded copy of what was deleted stays in memory
    log.info("circle %s deleted with all its data", circle.id)


async def erase_member(
    uow: UnitOfWork,
    circle: Circle,
    user_id: str,
    now: datetime,
    *,
    by_facilitator: bool,
    former_name: str | None = None,
) -> str:
    """Replace `user_id` by a pseudonym in every stored value of the circle; return the alias.

    Their name is replaced in texts too: the one the circle knows (as a member, or as one who
    left), and `former_name` if given."""
    known = circle.member(user_id) or circle.pending_member(user_id) or circle.departed_member(user_id)
    names = tuple(name for name in (known.display_name if known else None, former_name) if name)
    number = await uow.records.next_pseudonym(circle.id)
    alias = pseudonym_id(number)
    rewrite = text_scrubber(user_id, names, _former(circle, number))
    left = _without(circle, user_id)
    # Ids only: the person's name lived in their member (or departed) record, which is gone;
    # other texts of the circle (its name, others' names, settings) are not rewritten.
    changed = codec.decode_circle(replace_in_json(codec.encode_circle(left), user_id, alias))
    await uow.circles.save(changed)
    for case in await uow.cases.list_for_circle(circle.id, active_only=False):
        await _erase_in_case(uow, changed, case, user_id, alias, rewrite, now)
    await uow.records.reassign_author(circle.id, user_id, alias)
    await uow.records.rewrite_contribution_texts(circle.id, rewrite)
    await uow.records.delete_journal_of(circle.id, user_id)
    await uow.records.rewrite_journal_texts(circle.id, rewrite)
    await _erase_in_outbox(uow, circle.id, user_id, alias, rewrite)
    await uow.records.record_erasure(circle.id, ErasureRecord("member", now, by_facilitator, number))
    await uow.outbox.add((Post(circle.id, t(circle.settings.language, "records.member_erased")),), now)
    codec.forget_decoded_documents()  # no decoded copy with their name stays in memory
    log.info("member data erased in circle %s (pseudonym %s)", circle.id, number)
    return alias


def _former(circle: Circle, number: int) -> str:
    return t(circle.settings.language, "records.former_member", number=number)


def _without(circle: Circle, user_id: str) -> Circle:
    """The circle with the person's member record (name, time zone), the name kept since they
    left, and their queue place gone."""
    return circle.replace(
        members=tuple(m for m in circle.members if m.user_id != user_id),
        pending=tuple(m for m in circle.pending if m.user_id != user_id),
        departed=tuple(m for m in circle.departed if m.user_id != user_id),
        rotation=Rotation(
            tuple(u for u in circle.rotation.queue if u != user_id),
            circle.rotation.history,
        ),
    )


async def _erase_in_case(
    uow: UnitOfWork, circle: Circle, case: Case, user_id: str, alias: str, rewrite: Rewrite, now: datetime
) -> None:
    erased = _rewrite_case_texts(codec.decode_case(replace_in_json(codec.encode_case(case), user_id, alias)), rewrite)
    effects: tuple[Effect, ...] = ()
    if erased.active and alias in erased.consultants:
        # A consultant gone may be the one the phase was waiting for: let it end if it can.
        step = handle_case(circle, erased, c.Recheck(c.SYSTEM_ACTOR), now)
        erased = step.case or erased
        effects = step.effects
    if erased != case:
        await uow.cases.save(erased)
        if not any(isinstance(effect, UpdateCard) for effect in effects):
            # The card in the channel shows names (the client, who is awaited): it is redrawn
            # without theirs, even for a case long closed.
            effects = (*effects, UpdateCard(circle.id, build_card(circle, erased)))
    if effects:
        await uow.outbox.add(effects, now)


def _rewrite_case_texts(case: Case, rewrite: Rewrite) -> Case:
    """The case's prose (exposé, contract, plan, parked advice) without the person's name."""
    expose = dataclasses.replace(
        case.expose,
        title=rewrite(case.expose.title),
        context=rewrite(case.expose.context),
        stakes=rewrite(case.expose.stakes),
        tried=rewrite(case.expose.tried),
        question=rewrite(case.expose.question),
    )
    plan = case.plan
    if plan is not None:
        items = tuple(
            dataclasses.replace(
                item, what=rewrite(item.what), indicator=rewrite(item.indicator), note=rewrite(item.note)
            )
            for item in plan.items
        )
        plan = Plan(rewrite(plan.synthesis), items, plan.posted_at)
    parked = tuple(dataclasses.replace(p, text=rewrite(p.text)) for p in case.parked)
    contract = rewrite(case.contract) if case.contract is not None else None
    return case.replace(expose=expose, plan=plan, parked=parked, contract=contract)


async def _erase_in_outbox(uow: UnitOfWork, circle_id: str, user_id: str, alias: str, rewrite: Rewrite) -> None:
    dropped: list[int] = []
    for row in await uow.records.outbox_of_circle(circle_id):
        if row.payload.get("kind") in _PERSONAL_KINDS and row.payload.get("user_id") == user_id:
            dropped.append(row.id)
            continue
        payload = replace_in_json(row.payload, user_id, alias, rewrite)
        if payload != row.payload:
            await uow.records.replace_outbox_payload(row.id, payload)
    await uow.records.delete_outbox_rows(dropped)
