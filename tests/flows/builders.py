"""Build circles and cases for flow tests by driving the real engine, never by hand.

The cast, used throughout: `FAC` set the circle up (facilitator, not a consultant by
default); `CLIENT` brings the case; `CONSULTANTS` are the other members at submission;
`LATE` joins after the case opened (a plain member who is not a consultant in it);
`STRANGER` never joined.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

from bot.flows import commands as c
from bot.flows.case_engine import handle_case
from bot.flows.circle_engine import handle_circle, setup_circle
from bot.flows.effects import DirectMessage, Effect, Ephemeral, Reply
from bot.flows.errors import DomainError
from bot.flows.model import (
    ActionItem,
    Case,
    CaseKind,
    Circle,
    ContributionKind,
    Phase,
    Role,
    TimerKind,
)
from bot.flows.phases import active_consultants
from bot.flows.step import Step
from bot.flows.submission import submit

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
FAC = "fac"
CLIENT = "m1"
CONSULTANTS = ("m2", "m3", "m4")
LATE = "late"
STRANGER = "stranger"
SYSTEM = c.SYSTEM_ACTOR
E = TypeVar("E")
T = TypeVar("T")

PLAN_ITEMS = (
    ActionItem("Talk to my manager", date(2026, 12, 20), "a date is set"),
    ActionItem("Write a team charter"),
)


def member_ids(count: int) -> tuple[str, ...]:
    return tuple(f"m{n}" for n in range(1, count + 1))


def make_circle(
    members: int = 4,
    *,
    language: str = "en",
    timezone: str = "UTC",
    settings: Iterable[tuple[str, str]] = (),
    now: datetime = NOW,
) -> Circle:
    """A circle set up by `FAC` with members m1..m<members>, each of whom accepted the charter."""
    circle = setup_circle(
        c.SetupCircle(FAC, "circle-1", "console", "ws", "chan", "Leaders", "Fay", language, timezone), now
    ).circle
    for user in member_ids(members):
        circle = join(circle, user, now=now)
    changes = tuple(settings)
    if changes:
        circle = handle_circle(circle, c.ChangeSettings(FAC, changes), now).circle
    return circle


def join(circle: Circle, user: str, *, now: datetime = NOW) -> Circle:
    """`user` joins and accepts the charter."""
    circle = handle_circle(circle, c.Join(user, user.title()), now).circle
    return handle_circle(circle, c.AcceptCharter(user), now).circle


def submission(
    actor: str = CLIENT,
    case_id: str = "case-1",
    *,
    kind: CaseKind = CaseKind.PROBLEM,
    title: str = "Team conflict",
    context: str = "Two leads no longer talk to each other.",
    stakes: str = "The release",
    tried: str = "A joint meeting",
    question: str = "How do I restore trust?",
) -> c.Submit:
    return c.Submit(actor, case_id, kind, title, context, stakes, tried, question)


def wall(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A naive local wall time, as meeting commands take them."""
    return datetime(year, month, day, hour, minute)  # noqa: DTZ001 - deliberately naive


@dataclass
class Session:
    """A circle and its open case, advanced one engine step at a time."""

    circle: Circle
    case: Case
    now: datetime = NOW
    steps: list[Step] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- driving ---------------------------------------------------------------------

    def do(self, command: c.Command) -> Step:
        step = handle_case(self.circle, self.case, command, self.now)
        assert step.case is not None
        self.circle, self.case = step.circle, step.case
        self.steps.append(step)
        return step

    def next_id(self) -> str:
        return f"k{next(self._ids)}"

    def reply(self, actor: str, text: str) -> Step:
        return self.do(c.Reply(actor, self.next_id(), text))

    def later(self, delta: timedelta) -> Session:
        self.now += delta
        return self

    def fire(self, kind: TimerKind, seq: int | None = None) -> Step:
        return self.do(c.TimerFired(SYSTEM, kind, self.case.timer_seq if seq is None else seq))

    def phase(self) -> Phase:
        """The case's phase now (a call, so type checkers do not carry over earlier narrowing)."""
        return self.case.phase

    @property
    def consultants(self) -> tuple[str, ...]:
        return active_consultants(self.circle, self.case)

    # --- acts that move the case -------------------------------------------------------

    def post_contract(self, text: str = "Help me find ways to restore trust.") -> Step:
        return self.do(c.PostContract(self.case.client_id, self.next_id(), text))

    def post_plan(self, items: tuple[ActionItem, ...] = PLAN_ITEMS, synthesis: str = "I will act.") -> Step:
        return self.do(c.PostPlan(self.case.client_id, self.next_id(), synthesis, items))

    def until_phase_changes(self, commands: Iterable[c.Command]) -> None:
        phase = self.case.phase
        for command in commands:
            if self.case.phase is not phase:
                return
            self.do(command)
        assert self.case.phase is not phase, f"{phase} did not end"

    def finish_phase(self) -> None:
        """Complete the current phase by the protocol's own acts."""
        case = self.case
        match case.phase:
            case Phase.CLARIFICATION:
                self.do(c.ReadyForContract(case.client_id))
            case Phase.CONTRACT:
                if case.contract is None:
                    self.post_contract()
                self.until_phase_changes(c.Acknowledge(u, self.next_id(), True) for u in self.consultants)
            case Phase.CONSULTATION:
                self.until_phase_changes(c.Done(u) for u in self.consultants)
            case Phase.ACTION_PLAN:
                if case.plan is None:
                    self.post_plan()
                self.until_phase_changes(c.Endorse(u, self.next_id()) for u in self.consultants)
            case Phase.LEARNINGS:
                people = (case.client_id, *self.consultants)
                self.until_phase_changes(c.ShareLearning(u, self.next_id(), f"{u} learned.") for u in people)
            case Phase.FOLLOW_UP:
                self.do(c.CloseCase(case.client_id))
            case _:
                raise AssertionError(f"{case.phase} has no next phase")

    def drive_to(self, phase: Phase) -> Session:
        if phase is Phase.WITHDRAWN:
            self.do(c.Withdraw(self.case.client_id))
            return self
        order = list(Phase)
        assert order.index(phase) >= order.index(self.case.phase), f"cannot go back to {phase}"
        while self.case.phase is not phase:
            self.finish_phase()
        return self


def open_case(
    circle: Circle | None = None,
    *,
    client: str = CLIENT,
    now: datetime = NOW,
    number: int = 1,
    case_id: str = "case-1",
) -> Session:
    circle = make_circle() if circle is None else circle
    step = submit(circle, submission(client, case_id), now, number=number, open_case=None)
    assert step.case is not None
    session = Session(step.circle, step.case, now)
    session.steps.append(step)
    return session


# --- reading effects -------------------------------------------------------------------


def of_type(effects: Iterable[Effect], kind: type[E]) -> list[E]:
    return [e for e in effects if isinstance(e, kind)]


def dms(step: Step, user: str | None = None) -> list[DirectMessage]:
    return [e for e in of_type(step.effects, DirectMessage) if user is None or e.user_id == user]


def dm_recipients(step: Step) -> list[str]:
    return sorted(e.user_id for e in dms(step))


def private_to(step: Step, user: str) -> list[Ephemeral]:
    return [e for e in of_type(step.effects, Ephemeral) if e.user_id == user]


def thread_texts(step: Step) -> list[str]:
    return [e.text for e in of_type(step.effects, Reply)]


def kinds(step: Step) -> list[tuple[ContributionKind, bool]]:
    return [(entry.kind, entry.out_of_role) for entry in step.contributions]


# --- one case per phase, with one actor per role -----------------------------------------

CONSULTANT = "m2"
OTHER_CONSULTANT = "m3"

ROLE_ACTORS: dict[Role, str] = {
    Role.CLIENT: CLIENT,
    Role.CONSULTANT: CONSULTANT,
    Role.FACILITATOR: FAC,
    Role.MEMBER: LATE,
    Role.OUTSIDER: STRANGER,
    Role.SYSTEM: SYSTEM,
}

# The roles each of those actors holds: every member also holds MEMBER.
ACTOR_ROLES: dict[Role, frozenset[Role]] = {
    role: frozenset({role}) if role in (Role.OUTSIDER, Role.SYSTEM, Role.MEMBER) else frozenset({role, Role.MEMBER})
    for role in Role
}


@functools.cache
def phase_state(phase: Phase) -> tuple[Circle, Case]:
    """A case in `phase` (driven there) where every act the table allows has what it needs.

    The consultant has parked advice (for KeepForConsultation); `LATE` joined after the
    case opened (a plain member); the contract phase has a contract and the action plan
    phase a plan (for Acknowledge and Endorse); follow-up has a plan with two items.
    The values are immutable, so tests share them.
    """
    session = open_case()
    session.reply(CONSULTANT, "You should talk to HR.")
    session.circle = join(session.circle, LATE)
    session.drive_to(phase)
    if phase is Phase.CONTRACT:
        session.post_contract()
    if phase is Phase.ACTION_PLAN:
        session.post_plan()
    assert session.case.phase is phase
    return session.circle, session.case


def attempt(action: Callable[[], T]) -> T | DomainError:
    """The result of `action`, or the DomainError it raised: for properties over any input."""
    try:
        return action()
    except DomainError as refused:
        return refused
