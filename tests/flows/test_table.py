"""The transition tables, exhaustively: every (command, phase, role) cell, h11 style.

Each cell builds a case in the phase by driving the engine, issues a valid instance of the
command from an actor holding exactly that role, and checks the table's verdict: allowed
cells succeed, refused cells raise `DomainError` and leave the circle and case unchanged.
"""

from __future__ import annotations

import copy
import typing
from collections.abc import Callable
from datetime import date, time, timedelta

import pytest

from bot.flows import circle_engine
from bot.flows import commands as c
from bot.flows.case_engine import _HANDLERS, handle_case
from bot.flows.circle_engine import handle_circle
from bot.flows.errors import DomainError
from bot.flows.model import (
    TIMED_PHASES,
    Case,
    Circle,
    ItemStatus,
    MeetingRule,
    Phase,
    Role,
    SignalKind,
    TimerKind,
)
from bot.flows.table import CASE_TABLE, allowed_roles, roles_of

from .builders import (
    ACTOR_ROLES,
    CONSULTANT,
    FAC,
    NOW,
    OTHER_CONSULTANT,
    PLAN_ITEMS,
    ROLE_ACTORS,
    STRANGER,
    make_circle,
    open_case,
    phase_state,
    wall,
)


def prepared(command: type[c.Command], phase: Phase) -> tuple[Circle, Case]:
    circle, case = phase_state(phase)
    if command is c.Resume and phase in TIMED_PHASES:
        paused = handle_case(circle, case, c.Pause(FAC), NOW).case
        assert paused is not None
        case = paused
    return circle, case


def _parked_id(case: Case) -> str:
    return case.parked[0].contribution_id if case.parked else "no-such-advice"


INSTANCES: dict[type[c.Command], Callable[[str, Case], c.Command]] = {
    c.Reply: lambda a, case: c.Reply(a, "r-new", "What did your manager say?"),
    c.NoMoreQuestions: lambda a, case: c.NoMoreQuestions(a),
    c.ReadyForContract: lambda a, case: c.ReadyForContract(a),
    c.KeepForConsultation: lambda a, case: c.KeepForConsultation(a, _parked_id(case), "kept-new"),
    c.PostContract: lambda a, case: c.PostContract(a, "contract-new", "Help me rebuild trust."),
    c.Acknowledge: lambda a, case: c.Acknowledge(a, "ack-new", True),
    c.Done: lambda a, case: c.Done(a),
    c.Signal: lambda a, case: c.Signal(a, "signal-new", SignalKind.CLARIFY),
    c.PostPlan: lambda a, case: c.PostPlan(a, "plan-new", "Synthesis", PLAN_ITEMS),
    c.Endorse: lambda a, case: c.Endorse(a, "endorse-new"),
    c.ShareLearning: lambda a, case: c.ShareLearning(a, "learning-new", "Listen before fixing."),
    c.PostUpdate: lambda a, case: c.PostUpdate(a, "update-new", 1, ItemStatus.DONE, "went well"),
    c.CloseCase: lambda a, case: c.CloseCase(a),
    c.Withdraw: lambda a, case: c.Withdraw(a),
    c.Pause: lambda a, case: c.Pause(a),
    c.Resume: lambda a, case: c.Resume(a),
    c.Extend: lambda a, case: c.Extend(a, timedelta(days=1)),
    c.Advance: lambda a, case: c.Advance(a),
    c.ReassignClient: lambda a, case: c.ReassignClient(a, OTHER_CONSULTANT),
    c.TimerFired: lambda a, case: c.TimerFired(a, TimerKind.HALF_WINDOW, case.timer_seq),
    c.MeetingHeld: lambda a, case: c.MeetingHeld(a),
    c.CirclePaused: lambda a, case: c.CirclePaused(a),
    c.CircleResumed: lambda a, case: c.CircleResumed(a),
    c.Recheck: lambda a, case: c.Recheck(a),
}

CELLS = [
    pytest.param(command, phase, role, id=f"{command.__name__}-{phase}-{role}")
    for command in CASE_TABLE
    for phase in Phase
    for role in Role
]


def expected_refusal(command: type[c.Command], phase: Phase, role: Role) -> str:
    """The most helpful reason, in the documented order: membership, phase, then role."""
    if role is Role.OUTSIDER:
        return "error.not_member"
    if phase in (Phase.CLOSED, Phase.WITHDRAWN):
        return "error.case_over"
    if phase not in CASE_TABLE[command]:
        return "error.wrong_phase"
    return "error.not_your_role"


@pytest.mark.parametrize(("command", "phase", "role"), CELLS)
def test_a_command_is_allowed_exactly_where_the_table_says(command: type[c.Command], phase: Phase, role: Role) -> None:
    circle, case = prepared(command, phase)
    actor = ROLE_ACTORS[role]
    instance = INSTANCES[command](actor, case)
    circle_before, case_before = copy.deepcopy(circle), copy.deepcopy(case)

    if ACTOR_ROLES[role] & allowed_roles(command, phase):
        step = handle_case(circle, case, instance, NOW)
        assert step.case is not None
        assert step.case.id == case.id
    else:
        with pytest.raises(DomainError) as refused:
            handle_case(circle, case, instance, NOW)
        assert refused.value.key == expected_refusal(command, phase, role)
        assert circle == circle_before
        assert case == case_before


P, R = Phase, Role
_PEOPLE = {R.CLIENT, R.CONSULTANT, R.FACILITATOR, R.MEMBER, R.OUTSIDER}
_TIMED = (P.CLARIFICATION, P.CONTRACT, P.CONSULTATION, P.ACTION_PLAN, P.LEARNINGS)
_ACTIVE = (*_TIMED, P.FOLLOW_UP)

# DESIGN §1, written out independently of the table: who may do what, in which phases.
PROTOCOL: dict[type[c.Command], dict[Phase, set[Role]]] = {
    c.Reply: dict.fromkeys(Phase, _PEOPLE),  # every reply is recorded, never refused
    c.NoMoreQuestions: {P.CLARIFICATION: {R.CONSULTANT}},
    c.ReadyForContract: {P.CLARIFICATION: {R.CLIENT}},
    # Refined from DESIGN §1: pressed once the consultation is open, it posts the advice then.
    c.KeepForConsultation: {phase: {R.CONSULTANT} for phase in (P.CLARIFICATION, P.CONTRACT, P.CONSULTATION)},
    c.PostContract: {P.CONTRACT: {R.CLIENT}},
    c.Acknowledge: {P.CONTRACT: {R.CONSULTANT}},
    c.Done: {P.CONSULTATION: {R.CONSULTANT}},
    c.Signal: {P.CONSULTATION: {R.CLIENT}},
    c.PostPlan: {P.ACTION_PLAN: {R.CLIENT}},
    c.Endorse: {P.ACTION_PLAN: {R.CONSULTANT}},
    c.ShareLearning: {P.LEARNINGS: {R.CLIENT, R.CONSULTANT, R.FACILITATOR}},
    c.PostUpdate: {P.FOLLOW_UP: {R.CLIENT}},
    c.CloseCase: {P.FOLLOW_UP: {R.CLIENT, R.FACILITATOR}},
    c.Withdraw: {phase: {R.CLIENT} for phase in _ACTIVE},
    c.Pause: {phase: {R.FACILITATOR} for phase in _TIMED},
    c.Resume: {phase: {R.FACILITATOR} for phase in _TIMED},
    c.Extend: {phase: {R.FACILITATOR} for phase in _TIMED},
    c.Advance: {phase: {R.FACILITATOR} for phase in _ACTIVE},
    # Refined from DESIGN §1 (any active phase): after the consultation the plan is the client's.
    c.ReassignClient: {phase: {R.FACILITATOR} for phase in (P.CLARIFICATION, P.CONTRACT, P.CONSULTATION)},
    c.TimerFired: {phase: {R.SYSTEM} for phase in Phase},
    c.MeetingHeld: {phase: {R.SYSTEM} for phase in Phase},
    c.CirclePaused: {phase: {R.SYSTEM} for phase in Phase},
    c.CircleResumed: {phase: {R.SYSTEM} for phase in Phase},
    c.Recheck: {phase: {R.SYSTEM} for phase in Phase},
}


def test_the_table_says_what_the_protocol_says() -> None:
    table = {command: {phase: set(roles) for phase, roles in cells.items()} for command, cells in CASE_TABLE.items()}
    assert table == PROTOCOL


def test_the_table_state_gives_each_actor_exactly_the_role_it_stands_for() -> None:
    circle, case = phase_state(Phase.CLARIFICATION)
    for role, actor in ROLE_ACTORS.items():
        assert roles_of(circle, case, actor) == ACTOR_ROLES[role], role


def test_every_case_command_has_a_row_in_the_table_a_handler_and_a_test_instance() -> None:
    case_commands = set(typing.get_args(c.CaseCommand))
    assert set(CASE_TABLE) == case_commands
    assert set(_HANDLERS) == case_commands
    assert set(INSTANCES) == case_commands


def test_a_consulting_facilitator_holds_both_roles() -> None:
    circle = make_circle(settings=[("facilitators_consult", "yes")])
    session = open_case(circle)
    assert roles_of(session.circle, session.case, FAC) == {Role.MEMBER, Role.FACILITATOR, Role.CONSULTANT}


def test_a_consultant_cannot_post_the_contract() -> None:
    circle, case = phase_state(Phase.CONTRACT)
    with pytest.raises(DomainError) as refused:
        handle_case(circle, case, c.PostContract(CONSULTANT, "x", "I want advice."), NOW)
    assert refused.value.key == "error.not_your_role"
    assert refused.value.params == {"role": ("role.client",)}


def test_a_refusal_names_every_role_that_may_act() -> None:
    circle, case = phase_state(Phase.LEARNINGS)
    outsider_member = next(
        m.user_id for m in circle.members if m.user_id not in (case.client_id, *case.consultants) and not m.facilitator
    )
    with pytest.raises(DomainError) as refused:
        handle_case(circle, case, c.ShareLearning(outsider_member, "x", "I learned."), NOW)
    assert refused.value.params == {"role": ("role.client", "role.consultant", "role.facilitator")}


def test_acknowledging_before_any_contract_is_refused_as_no_contract_yet() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    case_before = copy.deepcopy(session.case)
    with pytest.raises(DomainError) as refused:
        session.do(c.Acknowledge(CONSULTANT, "a", True))
    assert refused.value.key == "error.no_contract_yet"
    assert session.case == case_before


def test_endorsing_before_any_plan_is_refused_as_no_plan_yet() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    with pytest.raises(DomainError) as refused:
        session.do(c.Endorse(CONSULTANT, "e"))
    assert refused.value.key == "error.no_plan_yet"


def test_a_wrong_phase_refusal_names_the_phases_where_the_command_fits() -> None:
    circle, case = phase_state(Phase.CLARIFICATION)
    with pytest.raises(DomainError) as refused:
        handle_case(circle, case, c.Done(CONSULTANT), NOW)
    assert refused.value.key == "error.wrong_phase"
    assert refused.value.params == {"phase": "phase.clarification", "allowed": ("phase.consultation",)}


# --- circle commands ---------------------------------------------------------------------

FACILITATOR_ONLY: dict[type[c.Command], Callable[[str], c.Command]] = {
    c.ChangeSettings: lambda a: c.ChangeSettings(a, (("language", "fr"),)),
    c.SetMeetingRule: lambda a: c.SetMeetingRule(a, MeetingRule(1, time(15), 2, date(2026, 12, 1))),
    c.AddMeeting: lambda a: c.AddMeeting(a, wall(2027, 1, 5, 15)),
    c.SkipMeeting: lambda a: c.SkipMeeting(a, date(2027, 1, 5)),
    c.MakeFacilitator: lambda a: c.MakeFacilitator(a, "m3"),
    c.RemoveMember: lambda a: c.RemoveMember(a, "m3"),
    c.PauseCircle: lambda a: c.PauseCircle(a),
    c.ResumeCircle: lambda a: c.ResumeCircle(a),
}


def _circle_for(command: type[c.Command]) -> Circle:
    circle = make_circle()
    if command is c.ResumeCircle:
        circle = handle_circle(circle, c.PauseCircle(FAC), NOW).circle
    if command is c.SkipMeeting:  # a meeting to skip on that day
        circle = handle_circle(circle, c.AddMeeting(FAC, wall(2027, 1, 5, 15)), NOW).circle
    return circle


def test_the_facilitator_only_circle_commands_are_exactly_the_guarding_ones() -> None:
    flagged = {command for command, (_, only) in circle_engine._CIRCLE_TABLE.items() if only}
    assert flagged == set(FACILITATOR_ONLY)


@pytest.mark.parametrize("command", list(FACILITATOR_ONLY), ids=lambda t: t.__name__)
@pytest.mark.parametrize(("actor", "key"), [("m2", "error.not_your_role"), (STRANGER, "error.not_member")])
def test_a_facilitator_only_circle_command_from_anyone_else_is_refused_and_changes_nothing(
    command: type[c.Command], actor: str, key: str
) -> None:
    circle = _circle_for(command)
    before = copy.deepcopy(circle)
    with pytest.raises(DomainError) as refused:
        handle_circle(circle, FACILITATOR_ONLY[command](actor), NOW)
    assert refused.value.key == key
    assert circle == before


@pytest.mark.parametrize("command", list(FACILITATOR_ONLY), ids=lambda t: t.__name__)
def test_a_facilitator_only_circle_command_from_a_facilitator_changes_the_circle(command: type[c.Command]) -> None:
    circle = _circle_for(command)
    step = handle_circle(circle, FACILITATOR_ONLY[command](FAC), NOW)
    assert step.circle != circle
