"""The acts of clients and consultants that buttons and forms carry (replies: `replies.py`).

Each handler is called only after the table allowed it; it returns the changed case and
what to record. `case_engine.handle_case` then settles the phase.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from bot.flows import commands as c
from bot.flows.effects import DirectMessage, Effect, Reply
from bot.flows.errors import DomainError
from bot.flows.model import (
    Case,
    Circle,
    Contribution,
    ContributionKind,
    ItemStatus,
    ParkedAdvice,
    Phase,
    Plan,
    Role,
)
from bot.flows.phases import advance
from bot.flows.step import Step, say
from bot.flows.text_rules import (
    MAX_COMMENT,
    MAX_FIELD,
    MAX_ITEMS,
    MAX_REPLY,
    clean_text,
    make_item,
    optional_text,
)

K = ContributionKind


def record(
    case: Case,
    contribution_id: str,
    author: str,
    kind: ContributionKind,
    text: str,
    now: datetime,
    *,
    out_of_role: bool = False,
    message_ref: str | None = None,
) -> Contribution:
    return Contribution(
        id=contribution_id,
        case_id=case.id,
        author_id=author,
        kind=kind,
        phase=case.phase,
        text=text,
        at=now,
        out_of_role=out_of_role,
        message_ref=message_ref,
    )


def acted(case: Case, actor: str, **changes: object) -> Case:
    """The case with `actor` counted as active; the same object when nothing changes,
    so the engine can skip settling (and storage skip saving) an unchanged case."""
    if actor in case.acted and not changes:
        return case
    return case.replace(acted=case.acted | {actor}, **changes)


def no_more_questions(
    circle: Circle, case: Case, cmd: c.NoMoreQuestions, roles: frozenset[Role], now: datetime
) -> Step:
    return Step(circle, acted(case, cmd.actor, finished=case.finished | {cmd.actor}))


def ready_for_contract(
    circle: Circle, case: Case, cmd: c.ReadyForContract, roles: frozenset[Role], now: datetime
) -> Step:
    moved, effects = advance(circle, acted(case, cmd.actor), now)
    return Step(circle, moved, (), tuple(effects))


def set_contract(circle: Circle, case: Case, author: str, text: str) -> tuple[Case, list[Effect]]:
    """A (new) contract: acknowledgements start over, since they were for the old wording."""
    changed = acted(case, author, contract=text, finished=frozenset(), reformulate=frozenset())
    note = Reply(circle.id, case.id, say(circle, "contract.posted"))
    return changed, [note]


def post_contract(circle: Circle, case: Case, cmd: c.PostContract, roles: frozenset[Role], now: datetime) -> Step:
    text = clean_text(cmd.text, limit=MAX_FIELD, field="contract")
    changed, effects = set_contract(circle, case, cmd.actor, text)
    shown = Reply(circle.id, case.id, say(circle, "contract.shown", text=text))
    entry = record(case, cmd.contribution_id, cmd.actor, K.CONTRACT, text, now)
    return Step(circle, changed, (entry,), (shown, *effects))


def acknowledgement(circle: Circle, case: Case, actor: str, can_help: bool, comment: str) -> tuple[Case, list[Effect]]:
    if case.contract is None:
        raise DomainError("error.no_contract_yet")
    if can_help:
        changed = acted(case, actor, finished=case.finished | {actor}, reformulate=case.reformulate - {actor})
        return changed, []
    changed = acted(case, actor, finished=case.finished - {actor}, reformulate=case.reformulate | {actor})
    ask = DirectMessage(
        circle.id,
        case.client_id,
        say(circle, "contract.reformulate_asked", who=circle.name_of(actor), comment=comment or "—"),
        case_id=case.id,
    )
    return changed, [ask]


def acknowledge(circle: Circle, case: Case, cmd: c.Acknowledge, roles: frozenset[Role], now: datetime) -> Step:
    comment = optional_text(cmd.comment, limit=MAX_COMMENT, field="comment")
    changed, effects = acknowledgement(circle, case, cmd.actor, cmd.can_help, comment)
    label = say(circle, "button.ack_can_help" if cmd.can_help else "button.ack_reformulate")
    text = say(circle, "card.line", label=label, value=comment) if comment else label
    entry = record(case, cmd.contribution_id, cmd.actor, K.ACKNOWLEDGEMENT, text, now)
    return Step(circle, changed, (entry,), tuple(effects))


def keep_for_consultation(
    circle: Circle, case: Case, cmd: c.KeepForConsultation, roles: frozenset[Role], now: datetime
) -> Step:
    found = next((p for p in case.parked if p.contribution_id == cmd.parked_id), None)
    if found is None or found.author_id != cmd.actor:
        # During the consultation, advice parked in a case opened earlier may have been let go.
        consulting = case.phase is Phase.CONSULTATION
        raise DomainError("error.advice_no_longer_held" if consulting else "error.nothing_to_keep")
    if found.kept:
        raise DomainError("error.already_kept")
    parked = tuple(dataclasses.replace(p, kept=True) if p is found else p for p in case.parked)
    if case.phase is Phase.CONSULTATION:
        return _advise_now(circle, case.replace(parked=parked), cmd, found, now)
    note = DirectMessage(circle.id, cmd.actor, say(circle, "clarification.kept"), case_id=case.id)
    return Step(circle, case.replace(parked=parked), (), (note,))


def _advise_now(circle: Circle, case: Case, cmd: c.KeepForConsultation, found: ParkedAdvice, now: datetime) -> Step:
    """Kept once the consultation is open: the advice is posted and counts as given now."""
    author = circle.name_of(found.author_id)
    shown = Reply(circle.id, case.id, say(circle, "consultation.parked_released", author=author, text=found.text))
    entry = record(case, cmd.contribution_id, cmd.actor, K.ADVICE, found.text, now)
    note = DirectMessage(circle.id, cmd.actor, say(circle, "consultation.kept_posted"), case_id=case.id)
    return Step(circle, acted(case, cmd.actor), (entry,), (shown, note))


def done(circle: Circle, case: Case, cmd: c.Done, roles: frozenset[Role], now: datetime) -> Step:
    return Step(circle, acted(case, cmd.actor, finished=case.finished | {cmd.actor}))


def signal(circle: Circle, case: Case, cmd: c.Signal, roles: frozenset[Role], now: datetime) -> Step:
    note = optional_text(cmd.note, limit=MAX_COMMENT, field="note")
    label = say(circle, f"signal.{cmd.kind}")
    text = say(circle, "card.line", label=label, value=note) if note else label
    entry = record(case, cmd.contribution_id, cmd.actor, K.SIGNAL, text, now)
    shown = Reply(circle.id, case.id, say(circle, "signal.shown", text=text))
    alerts = [
        DirectMessage(
            circle.id,
            facilitator,
            say(circle, "signal.to_facilitator", number=case.number, text=text),
            case_id=case.id,
        )
        for facilitator in circle.facilitators
    ]
    return Step(circle, acted(case, cmd.actor), (entry,), (shown, *alerts))


def set_plan(circle: Circle, case: Case, author: str, plan: Plan) -> tuple[Case, list[Effect]]:
    """A (new) plan: endorsements start over, since they were for the old plan."""
    changed = acted(case, author, plan=plan, finished=frozenset())
    return changed, [Reply(circle.id, case.id, say(circle, "plan.posted"))]


def plan_text(circle: Circle, plan: Plan) -> str:
    lines = [plan.synthesis] if plan.synthesis else []
    for number, item in enumerate(plan.items, start=1):
        due = f" ({say(circle, 'plan.due', due=item.due.isoformat())})" if item.due else ""
        indicator = f" — {item.indicator}" if item.indicator else ""
        lines.append(f"{number}. {item.what}{due}{indicator}")
    return "\n".join(lines)


def post_plan(circle: Circle, case: Case, cmd: c.PostPlan, roles: frozenset[Role], now: datetime) -> Step:
    if not cmd.items:
        raise DomainError("error.plan_needs_items", limit=MAX_ITEMS, field="field.actions")
    if len(cmd.items) > MAX_ITEMS:
        raise DomainError("error.plan_too_many_items", limit=MAX_ITEMS, count=len(cmd.items), field="field.actions")
    today = now.date()
    items = tuple(make_item(i.what, i.due, i.indicator, today) for i in cmd.items)
    synthesis = optional_text(cmd.synthesis, limit=MAX_FIELD, field="synthesis")
    plan = Plan(synthesis, items, now)
    changed, effects = set_plan(circle, case, cmd.actor, plan)
    text = plan_text(circle, plan)
    shown = Reply(circle.id, case.id, say(circle, "plan.shown", text=text))
    entry = record(case, cmd.contribution_id, cmd.actor, K.PLAN, text, now)
    return Step(circle, changed, (entry,), (shown, *effects))


def endorse(circle: Circle, case: Case, cmd: c.Endorse, roles: frozenset[Role], now: datetime) -> Step:
    if case.plan is None:
        raise DomainError("error.no_plan_yet")
    if cmd.actor in case.finished:
        raise DomainError("error.already_endorsed")
    entry = record(case, cmd.contribution_id, cmd.actor, K.ENDORSEMENT, say(circle, "button.endorse"), now)
    return Step(circle, acted(case, cmd.actor, finished=case.finished | {cmd.actor}), (entry,))


def share_learning(circle: Circle, case: Case, cmd: c.ShareLearning, roles: frozenset[Role], now: datetime) -> Step:
    text = clean_text(cmd.text, limit=MAX_REPLY, field="learning")
    entry = record(case, cmd.contribution_id, cmd.actor, K.LEARNING, text, now)
    shown = Reply(circle.id, case.id, say(circle, "learning.shown", who=circle.name_of(cmd.actor), text=text))
    return Step(circle, acted(case, cmd.actor, learned=case.learned | {cmd.actor}), (entry,), (shown,))


def apply_update(case: Case, item: int, status: ItemStatus, note: str) -> Case:
    if case.plan is None or not case.plan.items:
        raise DomainError("error.no_plan_yet")
    if not 1 <= item <= len(case.plan.items):
        raise DomainError("error.no_such_item", item=item, count=len(case.plan.items))
    items = tuple(
        dataclasses.replace(existing, status=status, note=note) if number == item else existing
        for number, existing in enumerate(case.plan.items, start=1)
    )
    plan = dataclasses.replace(case.plan, items=items)
    return case.replace(plan=plan)


def update_text(circle: Circle, case: Case, item: int, status: ItemStatus, note: str) -> str:
    assert case.plan is not None
    what = case.plan.items[item - 1].what
    text = say(circle, "update.line", item=item, what=what, status=say(circle, f"status.{status}"))
    return f"{text} — {note}" if note else text


def post_update(circle: Circle, case: Case, cmd: c.PostUpdate, roles: frozenset[Role], now: datetime) -> Step:
    note = optional_text(cmd.note, limit=MAX_FIELD, field="note")
    changed = acted(apply_update(case, cmd.item, cmd.status, note), cmd.actor)
    text = update_text(circle, changed, cmd.item, cmd.status, note)
    entry = record(case, cmd.contribution_id, cmd.actor, K.UPDATE, text, now)
    shown = Reply(circle.id, case.id, say(circle, "update.shown", text=text))
    return Step(circle, changed, (entry,), (shown,))
