"""Thread replies: every reply is recorded; its kind follows from the phase and the role.

The table's `REPLY_KIND` gives the default reading; this module refines the cells that
depend on the text or the case (advice in clarification, a contract or a plan written as
a reply, a follow-up update) so that every phase can be completed by replies alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.flows import commands as c
from bot.flows.acts import acknowledgement, acted, apply_update, record, set_contract, set_plan
from bot.flows.effects import Button, DirectMessage, Effect, Ephemeral
from bot.flows.errors import DomainError
from bot.flows.model import (
    Case,
    Circle,
    ClientInteraction,
    ContributionKind,
    ParkedAdvice,
    Phase,
    Plan,
    Role,
)
from bot.flows.step import Step, say
from bot.flows.table import base_reply_kind, reply_role
from bot.flows.text_rules import (
    MAX_REPLY,
    clean_text,
    contract_wording,
    lists_actions,
    parse_plan,
    parse_updates,
    reads_as_advice,
    reads_as_reservation,
    rewords_contract,
)

K = ContributionKind
_EXCERPT = 300  # characters of a reply quoted in a private message; the thread has it whole
P = Phase
R = Role


def reply(circle: Circle, case: Case, cmd: c.Reply, roles: frozenset[Role], now: datetime) -> Step:
    text = clean_text(cmd.text, limit=MAX_REPLY, field="reply")
    role = reply_role(roles)
    kind, out_of_role = base_reply_kind(case.phase, role)
    changed = case if role is R.OUTSIDER else acted(case, cmd.actor)
    effects: list[Effect] = []

    def private(key: str, *buttons: Button, **params: object) -> None:
        effects.append(Ephemeral(circle.id, cmd.actor, say(circle, key, **params), tuple(buttons), case.id))

    match (case.phase, role):
        case (_, R.OUTSIDER):
            private("reply.outsider")
        case (P.CLOSED | P.WITHDRAWN, _):
            private("reply.case_over", number=case.number)
        case (P.CLARIFICATION, R.CONSULTANT) if reads_as_advice(text):
            kind, out_of_role = K.ADVICE, True
            changed = _park(changed, cmd, text)
            private("clarification.advice_nudge", _keep_button(circle, case, cmd))
        case (P.CONTRACT, R.CONSULTANT) if not reads_as_reservation(text) and reads_as_advice(text):
            # Advice before the consultation, as in clarification: not an acknowledgement.
            kind, out_of_role = K.ADVICE, True
            changed = _park(changed, cmd, text)
            private("contract.advice_nudge", _keep_button(circle, case, cmd))
        case (P.CONTRACT, R.CLIENT) if changed.contract is not None and not changed.reformulate:
            # Replacing the contract starts its acknowledgements over: a reply does so only
            # when a consultant asked for a new wording; else it answers, or thanks.
            kind = K.COMMENT
            private("contract.comment_kept")
        case (P.CONTRACT, R.CLIENT) if changed.contract is not None and not rewords_contract(text):
            # A question back to whoever asked for a new wording is no wording: taken as the
            # contract, it would wipe the other consultants' acknowledgements.
            kind = K.COMMENT
            private("contract.question_kept")
        case (P.CONTRACT, R.CLIENT):
            changed, more = set_contract(circle, changed, cmd.actor, contract_wording(text))
            effects.extend(more)
        case (P.CONTRACT, R.CONSULTANT):
            if changed.contract is None:
                kind = K.COMMENT
            else:
                changed, more = acknowledgement(circle, changed, cmd.actor, not reads_as_reservation(text), text)
                effects.extend(more)
        case (P.CONSULTATION, R.CLIENT):
            if circle.settings.client_interaction is ClientInteraction.CLARIFY_ALLOWED:
                kind, out_of_role = K.ANSWER, False
            else:
                private("consultation.client_listens", *_signal_buttons(circle, case))
        case (P.ACTION_PLAN, R.CLIENT) if changed.plan is not None and not lists_actions(text):
            # Replacing the plan starts its endorsements over: only a reply listing actions does.
            kind = K.COMMENT
            private("plan.comment_kept")
        case (P.ACTION_PLAN, R.CLIENT):
            try:
                synthesis, items = parse_plan(text, now.date())
            except DomainError as problem:
                kind = K.COMMENT
                private("plan.reply_unreadable", reason=say(circle, problem.key, **problem.params))
            else:
                changed, more = set_plan(circle, changed, cmd.actor, Plan(synthesis, items, now))
                effects.extend(more)
        case (P.ACTION_PLAN, R.CONSULTANT):
            if changed.plan is None:
                kind = K.COMMENT
            elif reads_as_reservation(text):
                # Not an endorsement: the client hears of it, as of a call to reformulate a contract.
                kind = K.COMMENT
                private("plan.reservation_noted", client=circle.name_of(case.client_id))
                effects.append(_to_plan_author(circle, case, "plan.reservation", cmd.actor, text))
            elif reads_as_advice(text):
                # A suggested change is not agreement: counting it would end the phase on a
                # plan its author is still being asked to change.
                kind = K.COMMENT
                private("plan.suggestion_noted", client=circle.name_of(case.client_id))
                effects.append(_to_plan_author(circle, case, "plan.suggestion", cmd.actor, text))
            else:
                changed = changed.replace(finished=changed.finished | {cmd.actor})
        case (P.LEARNINGS, R.CLIENT | R.CONSULTANT | R.FACILITATOR):
            changed = changed.replace(learned=changed.learned | {cmd.actor})
        case (P.FOLLOW_UP, R.CLIENT):
            changed = _follow_up_reply(circle, changed, text, private)
        case _ if out_of_role:
            private("reply.not_in_this_case")
    entry = record(
        case,
        cmd.contribution_id,
        cmd.actor,
        kind,
        text,
        now,
        out_of_role=out_of_role,
        message_ref=cmd.message_ref,
    )
    return Step(circle, changed, (entry,), tuple(effects))


def _to_plan_author(circle: Circle, case: Case, key: str, author: str, text: str) -> DirectMessage:
    excerpt = text if len(text) <= _EXCERPT else text[: _EXCERPT - 1].rstrip() + "…"
    said = say(circle, key, who=circle.name_of(author), number=case.number, text=excerpt)
    return DirectMessage(circle.id, case.client_id, said, case_id=case.id)


def _park(case: Case, cmd: c.Reply, text: str) -> Case:
    return case.replace(parked=(*case.parked, ParkedAdvice(cmd.contribution_id, cmd.actor, text)))


def _keep_button(circle: Circle, case: Case, cmd: c.Reply) -> Button:
    label = say(circle, "button.keep_for_consultation")
    return Button("keep_for_consultation", label, case.id, value=cmd.contribution_id, primary=True)


def _signal_buttons(circle: Circle, case: Case) -> tuple[Button, ...]:
    return tuple(
        Button("signal", say(circle, f"signal.{kind}"), case.id, value=kind)
        for kind in ("off_contract", "discomfort", "clarify")
    )


def _follow_up_reply(circle: Circle, case: Case, text: str, private: Callable[..., None]) -> Case:
    count = len(case.plan.items) if case.plan else 0
    updates = parse_updates(text, count) if count else []
    if not updates:
        private("update.reply_hint", count=count)
        return case
    for item, status, note in updates:
        try:
            case = apply_update(case, item, status, note)
        except DomainError as problem:  # the other lines still count
            private(problem.key, **problem.params)
    return case
