"""Opening a case: the client's exposé becomes the card, the thread and phase 2."""

from __future__ import annotations

from datetime import datetime

from bot.flows import commands as c
from bot.flows.acts import record
from bot.flows.card import build_card
from bot.flows.effects import Post, Reply
from bot.flows.errors import DomainError
from bot.flows.model import Case, Circle, ContributionKind, Expose, Phase, Rotation, Turn
from bot.flows.phases import enter
from bot.flows.step import Step, say
from bot.flows.text_rules import MAX_FIELD, MAX_TITLE, clean_text, optional_text


def consultants_for(circle: Circle, client: str) -> tuple[str, ...]:
    """Who consults on `client`'s case: every other member, facilitators only if they consult."""
    consultants = tuple(
        m.user_id
        for m in circle.members
        if m.user_id != client and (circle.settings.facilitators_consult or not m.facilitator)
    )
    if not consultants:
        if circle.pending:  # they joined: the client should know who is holding the case up
            names = ", ".join(m.display_name for m in circle.pending)
            raise DomainError("error.no_consultants_yet", pending=names)
        raise DomainError("error.no_consultants")
    return consultants


def submit(circle: Circle, cmd: c.Submit, now: datetime, *, number: int, open_case: Case | None) -> Step:
    """`open_case` is the client's case still in flight, if any: one at a time per member."""
    member = circle.member(cmd.actor)
    if member is None:
        raise DomainError("error.not_member")
    if circle.paused:
        raise DomainError("error.circle_paused")
    if open_case is not None:
        raise DomainError("error.case_already_open", number=open_case.number)
    expose = Expose(
        kind=cmd.kind,
        title=clean_text(cmd.title, limit=MAX_TITLE, field="title"),
        context=clean_text(cmd.context, limit=MAX_FIELD, field="context"),
        stakes=optional_text(cmd.stakes, limit=MAX_FIELD, field="stakes"),
        tried=optional_text(cmd.tried, limit=MAX_FIELD, field="tried"),
        question=clean_text(cmd.question, limit=MAX_FIELD, field="question"),
    )
    consultants = consultants_for(circle, cmd.actor)
    draft = Case(
        id=cmd.case_id,
        circle_id=circle.id,
        number=number,
        client_id=cmd.actor,
        expose=expose,
        consultants=consultants,
        phase=Phase.CLARIFICATION,
        opened_at=now,
        phase_started_at=now,
        deadline=None,
    )
    case, effects = enter(circle, draft, Phase.CLARIFICATION, now)
    charter = "\n".join(f"• {say(circle, f'charter.{rule}')}" for rule in circle.charter)
    card_post = Post(
        circle.id,
        say(circle, "case.opened", client=member.display_name, number=number, charter=charter),
        build_card(circle, case),
    )
    text = say(
        circle,
        "case.expose_text",
        kind=say(circle, f"kind.{expose.kind}"),
        title=expose.title,
        context=expose.context,
        stakes=expose.stakes or "—",
        tried=expose.tried or "—",
        question=expose.question,
    )
    entry = record(case, f"{cmd.case_id}-expose", cmd.actor, ContributionKind.EXPOSE, text, now)
    queue = (*(u for u in circle.rotation.queue if u != cmd.actor), cmd.actor)
    history = (*circle.rotation.history, Turn(cmd.actor, case.id, now))
    rotated = circle.replace(rotation=Rotation(queue, history))
    # The card goes first: it roots the thread every later reply lands in; the exposé opens it.
    expose_reply = Reply(circle.id, case.id, text)
    return Step(rotated, case, (entry,), (card_post, expose_reply, *effects))
