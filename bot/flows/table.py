"""The consultation protocol as tables (in the spirit of h11's `_state.py`).

Rule 1: who may do what in which phase lives here, in data, not in branches elsewhere.
Rule 2: these tables know nothing of platforms; roles are computed per case by `roles_of`.
A (command, phase) pair missing from `CASE_TABLE`, or a role outside its set, is refused.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.flows import commands as c
from bot.flows.model import (
    ACTIVE_PHASES,
    TIMED_PHASES,
    Case,
    Circle,
    ContributionKind,
    Phase,
    Role,
)

P = Phase
R = Role
K = ContributionKind

ALL_PHASES: tuple[Phase, ...] = tuple(Phase)
PEOPLE = frozenset({R.CLIENT, R.CONSULTANT, R.FACILITATOR, R.MEMBER, R.OUTSIDER})
FACILITATOR_ONLY = frozenset({R.FACILITATOR})

NEXT_PHASE: Mapping[Phase, Phase] = {
    P.CLARIFICATION: P.CONTRACT,
    P.CONTRACT: P.CONSULTATION,
    P.CONSULTATION: P.ACTION_PLAN,
    P.ACTION_PLAN: P.LEARNINGS,
    P.LEARNINGS: P.FOLLOW_UP,
    P.FOLLOW_UP: P.CLOSED,
}


def _in(phases: tuple[Phase, ...], roles: frozenset[Role]) -> dict[Phase, frozenset[Role]]:
    return dict.fromkeys(phases, roles)


CASE_TABLE: Mapping[type[c.Command], Mapping[Phase, frozenset[Role]]] = {
    # A thread reply is always recorded; its kind comes from REPLY_KIND below.
    c.Reply: _in(ALL_PHASES, PEOPLE),
    c.NoMoreQuestions: {P.CLARIFICATION: frozenset({R.CONSULTANT})},
    c.ReadyForContract: {P.CLARIFICATION: frozenset({R.CLIENT})},
    # Also once the consultation is open: the press then posts the advice at once.
    c.KeepForConsultation: _in((P.CLARIFICATION, P.CONTRACT, P.CONSULTATION), frozenset({R.CONSULTANT})),
    c.PostContract: {P.CONTRACT: frozenset({R.CLIENT})},
    c.Acknowledge: {P.CONTRACT: frozenset({R.CONSULTANT})},
    c.Done: {P.CONSULTATION: frozenset({R.CONSULTANT})},
    c.Signal: {P.CONSULTATION: frozenset({R.CLIENT})},
    c.PostPlan: {P.ACTION_PLAN: frozenset({R.CLIENT})},
    c.Endorse: {P.ACTION_PLAN: frozenset({R.CONSULTANT})},
    c.ShareLearning: {P.LEARNINGS: frozenset({R.CLIENT, R.CONSULTANT, R.FACILITATOR})},
    c.PostUpdate: {P.FOLLOW_UP: frozenset({R.CLIENT})},
    c.CloseCase: {P.FOLLOW_UP: frozenset({R.CLIENT, R.FACILITATOR})},
    c.Withdraw: _in(ACTIVE_PHASES, frozenset({R.CLIENT})),
    c.Pause: _in(TIMED_PHASES, FACILITATOR_ONLY),
    c.Resume: _in(TIMED_PHASES, FACILITATOR_ONLY),
    c.Extend: _in(TIMED_PHASES, FACILITATOR_ONLY),
    c.Advance: _in(ACTIVE_PHASES, FACILITATOR_ONLY),
    # Until the consultation: after it, the advice was on the client's own situation and
    # the plan is theirs.
    c.ReassignClient: _in((P.CLARIFICATION, P.CONTRACT, P.CONSULTATION), FACILITATOR_ONLY),
    # Stale timers are normal (the phase moved on); the engine drops them quietly.
    c.TimerFired: _in(ALL_PHASES, frozenset({R.SYSTEM})),
    c.MeetingHeld: _in(ALL_PHASES, frozenset({R.SYSTEM})),
    c.CirclePaused: _in(ALL_PHASES, frozenset({R.SYSTEM})),
    c.CircleResumed: _in(ALL_PHASES, frozenset({R.SYSTEM})),
    c.Recheck: _in(ALL_PHASES, frozenset({R.SYSTEM})),
}

# What a thread reply counts as: (kind, out of role). Missing roles count as out-of-role
# comments. Some cells depend on the case (no contract yet, circle settings): see
# `reply_kind`, which refines them.
REPLY_KIND: Mapping[Phase, Mapping[Role, tuple[ContributionKind, bool]]] = {
    P.CLARIFICATION: {
        R.CONSULTANT: (K.QUESTION, False),
        R.CLIENT: (K.ANSWER, False),
        R.FACILITATOR: (K.COMMENT, False),
    },
    P.CONTRACT: {
        R.CLIENT: (K.CONTRACT, False),
        R.CONSULTANT: (K.ACKNOWLEDGEMENT, False),
        R.FACILITATOR: (K.COMMENT, False),
    },
    P.CONSULTATION: {
        R.CONSULTANT: (K.ADVICE, False),
        R.CLIENT: (K.COMMENT, True),
        R.FACILITATOR: (K.COMMENT, False),
    },
    P.ACTION_PLAN: {
        R.CLIENT: (K.PLAN, False),
        R.CONSULTANT: (K.ENDORSEMENT, False),
        R.FACILITATOR: (K.COMMENT, False),
    },
    P.LEARNINGS: {
        R.CLIENT: (K.LEARNING, False),
        R.CONSULTANT: (K.LEARNING, False),
        R.FACILITATOR: (K.LEARNING, False),
    },
    P.FOLLOW_UP: {
        R.CLIENT: (K.UPDATE, False),
        R.CONSULTANT: (K.COMMENT, False),
        R.FACILITATOR: (K.COMMENT, False),
        R.MEMBER: (K.COMMENT, False),
    },
    P.CLOSED: {},
    P.WITHDRAWN: {},
}

# The role whose reply counts, when an actor holds several (a consulting facilitator).
_REPLY_ROLE_ORDER: tuple[Role, ...] = (R.CLIENT, R.CONSULTANT, R.FACILITATOR, R.MEMBER)


def roles_of(circle: Circle, case: Case, actor: str) -> frozenset[Role]:
    if actor == c.SYSTEM_ACTOR:
        return frozenset({R.SYSTEM})
    member = circle.member(actor)
    if member is None:
        return frozenset({R.OUTSIDER})
    roles = {R.MEMBER}
    if actor == case.client_id:
        roles.add(R.CLIENT)
    if actor in case.consultants:
        roles.add(R.CONSULTANT)
    if member.facilitator:
        roles.add(R.FACILITATOR)
    return frozenset(roles)


def allowed_roles(command: type[c.Command], phase: Phase) -> frozenset[Role]:
    return CASE_TABLE.get(command, {}).get(phase, frozenset())


def reply_role(roles: frozenset[Role]) -> Role:
    return next((role for role in _REPLY_ROLE_ORDER if role in roles), R.OUTSIDER)


def base_reply_kind(phase: Phase, role: Role) -> tuple[ContributionKind, bool]:
    return REPLY_KIND[phase].get(role, (K.COMMENT, True))
