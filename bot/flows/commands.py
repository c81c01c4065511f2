"""Commands: what a person (or the clock) asks the engine to do.

Adapters build these from platform payloads; the engine decides whether they are allowed.
Texts arrive raw; validation (length, emptiness) happens in the engine so every adapter
gets the same refusals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.flows.model import (
    ActionItem,
    CaseKind,
    ItemStatus,
    MeetingRule,
    SignalKind,
    TimerKind,
)

SYSTEM_ACTOR = "__system__"


@dataclass(frozen=True, slots=True)
class Command:
    actor: str


# --- circle commands -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetupCircle(Command):
    circle_id: str
    platform: str
    workspace_id: str
    channel_id: str
    name: str
    display_name: str
    language: str = "en"
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class Join(Command):
    display_name: str
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class AcceptCharter(Command):
    pass


@dataclass(frozen=True, slots=True)
class Leave(Command):
    pass


@dataclass(frozen=True, slots=True)
class RemoveMember(Command):
    """A facilitator takes a member out of the circle (gone from the team, no longer answering)."""

    user_id: str


@dataclass(frozen=True, slots=True)
class ChangeSettings(Command):
    changes: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class SetMeetingRule(Command):
    rule: MeetingRule | None


@dataclass(frozen=True, slots=True)
class AddMeeting(Command):
    when: datetime  # naive local wall time in the circle's zone


@dataclass(frozen=True, slots=True)
class SkipMeeting(Command):
    day: date


@dataclass(frozen=True, slots=True)
class Volunteer(Command):
    pass


@dataclass(frozen=True, slots=True)
class SwapTurns(Command):
    first: str
    second: str


@dataclass(frozen=True, slots=True)
class AcceptSwap(Command):
    """The actor agrees to the swap `requester` asked for, with the queue's places (1-based)
    as they were when asked: the requester's, then the actor's."""

    requester: str
    places: tuple[int, int]


@dataclass(frozen=True, slots=True)
class MakeFacilitator(Command):
    user_id: str


@dataclass(frozen=True, slots=True)
class PauseCircle(Command):
    pass


@dataclass(frozen=True, slots=True)
class ResumeCircle(Command):
    pass


# --- case commands ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Submit(Command):
    case_id: str
    kind: CaseKind
    title: str
    context: str
    stakes: str
    tried: str
    question: str


@dataclass(frozen=True, slots=True)
class Reply(Command):
    """A message in the case thread; its kind follows from the phase and the author's role."""

    contribution_id: str
    text: str
    message_ref: str | None = None


@dataclass(frozen=True, slots=True)
class NoMoreQuestions(Command):
    pass


@dataclass(frozen=True, slots=True)
class ReadyForContract(Command):
    pass


@dataclass(frozen=True, slots=True)
class PostContract(Command):
    contribution_id: str
    text: str


@dataclass(frozen=True, slots=True)
class Acknowledge(Command):
    contribution_id: str
    can_help: bool
    comment: str = ""


@dataclass(frozen=True, slots=True)
class KeepForConsultation(Command):
    parked_id: str
    contribution_id: str  # the advice as recorded anew, when the consultation is already open


@dataclass(frozen=True, slots=True)
class Done(Command):
    pass


@dataclass(frozen=True, slots=True)
class Signal(Command):
    contribution_id: str
    kind: SignalKind
    note: str = ""


@dataclass(frozen=True, slots=True)
class PostPlan(Command):
    contribution_id: str
    synthesis: str
    items: tuple[ActionItem, ...]


@dataclass(frozen=True, slots=True)
class Endorse(Command):
    contribution_id: str


@dataclass(frozen=True, slots=True)
class ShareLearning(Command):
    contribution_id: str
    text: str


@dataclass(frozen=True, slots=True)
class PostUpdate(Command):
    contribution_id: str
    item: int  # 1-based, as people count
    status: ItemStatus
    note: str = ""


@dataclass(frozen=True, slots=True)
class CloseCase(Command):
    pass


@dataclass(frozen=True, slots=True)
class Withdraw(Command):
    pass


@dataclass(frozen=True, slots=True)
class Pause(Command):
    pass


@dataclass(frozen=True, slots=True)
class Resume(Command):
    pass


@dataclass(frozen=True, slots=True)
class Extend(Command):
    by: timedelta


@dataclass(frozen=True, slots=True)
class Advance(Command):
    pass


@dataclass(frozen=True, slots=True)
class ReassignClient(Command):
    to: str


@dataclass(frozen=True, slots=True)
class TimerFired(Command):
    """The clock: a deadline or reminder set by an earlier step has come due."""

    kind: TimerKind
    seq: int


@dataclass(frozen=True, slots=True)
class MeetingHeld(Command):
    """A circle meeting took place: follow-up counts it toward closing."""


@dataclass(frozen=True, slots=True)
class CirclePaused(Command):
    """The whole circle was paused: the case's clock stops with it."""


@dataclass(frozen=True, slots=True)
class CircleResumed(Command):
    """The circle resumed: a case its pause stopped gets that time back."""


@dataclass(frozen=True, slots=True)
class Recheck(Command):
    """The circle changed under the case (a consultant left): does its phase end now?"""

    left: str = ""  # the member who just left, if that is the change


CircleCommand = (
    SetupCircle
    | Join
    | AcceptCharter
    | Leave
    | RemoveMember
    | ChangeSettings
    | SetMeetingRule
    | AddMeeting
    | SkipMeeting
    | Volunteer
    | SwapTurns
    | AcceptSwap
    | MakeFacilitator
    | PauseCircle
    | ResumeCircle
)

CaseCommand = (
    Reply
    | NoMoreQuestions
    | ReadyForContract
    | PostContract
    | Acknowledge
    | KeepForConsultation
    | Done
    | Signal
    | PostPlan
    | Endorse
    | ShareLearning
    | PostUpdate
    | CloseCase
    | Withdraw
    | Pause
    | Resume
    | Extend
    | Advance
    | ReassignClient
    | TimerFired
    | MeetingHeld
    | CirclePaused
    | CircleResumed
    | Recheck
)
