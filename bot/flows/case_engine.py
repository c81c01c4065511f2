"""One step of a case: check the table, apply the act, settle the phase.

`handle_case(circle, case, command, now)` is pure. A refused command raises `DomainError`
and nothing changes; an allowed one returns a `Step` with new states and effects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.flows import acts, facilitation, replies
from bot.flows import commands as c
from bot.flows.errors import DomainError
from bot.flows.model import ACTIVE_PHASES, Case, Circle, Phase, Role
from bot.flows.phases import settle
from bot.flows.step import Step
from bot.flows.table import CASE_TABLE, allowed_roles, roles_of

# Handlers take their own command type; the table guarantees the match.
Handler = Callable[[Circle, Case, Any, frozenset[Role], datetime], Step]


def handle_case(circle: Circle, case: Case, command: c.Command, now: datetime) -> Step:
    roles = roles_of(circle, case, command.actor)
    if not roles & allowed_roles(type(command), case.phase):
        raise refusal(circle, case, command, roles)
    step = _HANDLERS[type(command)](circle, case, command, roles, now)
    if step.case is None or step.case is case:
        return step
    settled, effects = settle(step.circle, case, step.case, now)
    return Step(step.circle, settled, step.contributions, (*step.effects, *effects))


def refusal(circle: Circle, case: Case, command: c.Command, roles: frozenset[Role]) -> DomainError:
    """The most helpful reason a command is refused: membership, phase, then role."""
    if Role.OUTSIDER in roles:
        return DomainError("error.not_member")
    if case.phase in (Phase.CLOSED, Phase.WITHDRAWN):
        return DomainError("error.case_over", number=case.number)
    phases = CASE_TABLE.get(type(command), {})
    if case.phase not in phases:
        return DomainError(
            "error.wrong_phase",
            phase=f"phase.{case.phase}",
            allowed=tuple(f"phase.{phase}" for phase in phases if phase in ACTIVE_PHASES),
        )
    needed = sorted(role for role in phases[case.phase] if role is not Role.SYSTEM)
    return DomainError("error.not_your_role", role=tuple(f"role.{role}" for role in needed) or "role.facilitator")


_HANDLERS: dict[type[c.Command], Handler] = {
    c.Reply: replies.reply,
    c.NoMoreQuestions: acts.no_more_questions,
    c.ReadyForContract: acts.ready_for_contract,
    c.PostContract: acts.post_contract,
    c.Acknowledge: acts.acknowledge,
    c.KeepForConsultation: acts.keep_for_consultation,
    c.Done: acts.done,
    c.Signal: acts.signal,
    c.PostPlan: acts.post_plan,
    c.Endorse: acts.endorse,
    c.ShareLearning: acts.share_learning,
    c.PostUpdate: acts.post_update,
    c.CloseCase: facilitation.close_case,
    c.Withdraw: facilitation.withdraw,
    c.Pause: facilitation.pause,
    c.Resume: facilitation.resume,
    c.Extend: facilitation.extend,
    c.Advance: facilitation.force_advance,
    c.ReassignClient: facilitation.reassign_client,
    c.TimerFired: facilitation.timer_fired,
    c.MeetingHeld: facilitation.meeting_held,
    c.CirclePaused: facilitation.circle_paused,
    c.CircleResumed: facilitation.circle_resumed,
    c.Recheck: facilitation.recheck,
}
