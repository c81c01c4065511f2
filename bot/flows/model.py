"""The state of circles and cases: immutable values, no I/O.

Every engine step takes these values and returns new ones; storage keeps them as
documents with a few indexed columns, so nothing here knows about SQL or a platform.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from bot.flows.catalog import t

# What an erased member's id becomes wherever it stood ("former:2"; see bot.records.erasure).
ERASED_PREFIX = "former:"


class Language(StrEnum):
    EN = "en"
    FR = "fr"


class Phase(StrEnum):
    CLARIFICATION = "clarification"
    CONTRACT = "contract"
    CONSULTATION = "consultation"
    ACTION_PLAN = "action_plan"
    LEARNINGS = "learnings"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class CaseKind(StrEnum):
    PROBLEM = "problem"
    CONCERN = "concern"
    PROJECT = "project"


class Role(StrEnum):
    """Who an actor is for one case; an actor may hold several (a consulting facilitator)."""

    CLIENT = "client"
    CONSULTANT = "consultant"
    FACILITATOR = "facilitator"
    MEMBER = "member"
    OUTSIDER = "outsider"
    SYSTEM = "system"


class ContributionKind(StrEnum):
    EXPOSE = "expose"
    QUESTION = "question"
    ANSWER = "answer"
    CONTRACT = "contract"
    ACKNOWLEDGEMENT = "acknowledgement"
    ADVICE = "advice"
    SIGNAL = "signal"
    PLAN = "plan"
    ENDORSEMENT = "endorsement"
    LEARNING = "learning"
    UPDATE = "update"
    COMMENT = "comment"


class SignalKind(StrEnum):
    OFF_CONTRACT = "off_contract"
    DISCOMFORT = "discomfort"
    CLARIFY = "clarify"


class ClientInteraction(StrEnum):
    SIGNALS_ONLY = "signals_only"
    CLARIFY_ALLOWED = "clarify_allowed"


class ItemStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    PARTLY = "partly"
    DROPPED = "dropped"
    CHANGED = "changed"

    @property
    def settled(self) -> bool:
        return self in (ItemStatus.DONE, ItemStatus.DROPPED, ItemStatus.CHANGED)


class TimerKind(StrEnum):
    HALF_WINDOW = "half_window"
    LAST_DAY = "last_day"
    DEADLINE = "deadline"


DEFAULT_CHARTER: tuple[str, ...] = (
    "confidentiality",
    "kindness",
    "truthfulness",
    "commitment",
)

# Phases with a window; follow-up lasts until every item is settled.
TIMED_PHASES: tuple[Phase, ...] = (
    Phase.CLARIFICATION,
    Phase.CONTRACT,
    Phase.CONSULTATION,
    Phase.ACTION_PLAN,
    Phase.LEARNINGS,
)
ACTIVE_PHASES: tuple[Phase, ...] = (*TIMED_PHASES, Phase.FOLLOW_UP)


def _default_windows() -> dict[Phase, timedelta]:
    return {
        Phase.CLARIFICATION: timedelta(days=2),
        Phase.CONTRACT: timedelta(days=1),
        Phase.CONSULTATION: timedelta(days=3),
        Phase.ACTION_PLAN: timedelta(days=2),
        Phase.LEARNINGS: timedelta(days=2),
    }


@dataclass(frozen=True, slots=True)
class CircleSettings:
    language: Language = Language.EN
    timezone: str = "UTC"
    windows: dict[Phase, timedelta] = field(default_factory=_default_windows)
    client_interaction: ClientInteraction = ClientInteraction.SIGNALS_ONLY
    facilitators_consult: bool = False
    nudge_lead: timedelta = timedelta(days=2)
    digest_lead: timedelta = timedelta(days=1)
    followup_meetings: int = 3
    retention_days: int | None = None

    def window(self, phase: Phase) -> timedelta:
        return self.windows.get(phase, _default_windows()[phase])


@dataclass(frozen=True, slots=True)
class Member:
    user_id: str
    display_name: str
    joined_at: datetime
    facilitator: bool = False
    charter_accepted_at: datetime | None = None
    timezone: str | None = None

    @property
    def accepted(self) -> bool:
        return self.charter_accepted_at is not None


@dataclass(frozen=True, slots=True)
class MeetingRule:
    """Every `every_weeks` weeks on `weekday` (0 = Monday) at local `at`, from `starts`."""

    weekday: int
    at: time
    every_weeks: int
    starts: date


@dataclass(frozen=True, slots=True)
class Cadence:
    rule: MeetingRule | None = None
    dates: tuple[datetime, ...] = ()  # naive local wall times in the circle's zone
    skipped: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class Turn:
    user_id: str
    case_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Rotation:
    """Who is client next: the head of `queue`; a member's turn sends them to the back."""

    queue: tuple[str, ...] = ()
    history: tuple[Turn, ...] = ()


@dataclass(frozen=True, slots=True)
class Circle:
    id: str
    platform: str
    workspace_id: str
    channel_id: str
    name: str
    created_at: datetime
    members: tuple[Member, ...] = ()
    pending: tuple[Member, ...] = ()  # joined, charter not yet accepted
    settings: CircleSettings = field(default_factory=CircleSettings)
    charter: tuple[str, ...] = DEFAULT_CHARTER
    cadence: Cadence = field(default_factory=Cadence)
    rotation: Rotation = field(default_factory=Rotation)
    paused: bool = False
    # Members who left, by the name they went by (nothing else), so old records still read
    # with names and an erasure can scrub the name without anyone typing it; erased, gone.
    departed: tuple[Member, ...] = ()

    def member(self, user_id: str) -> Member | None:
        return next((m for m in self.members if m.user_id == user_id), None)

    def pending_member(self, user_id: str) -> Member | None:
        return next((m for m in self.pending if m.user_id == user_id), None)

    def departed_member(self, user_id: str) -> Member | None:
        return next((m for m in self.departed if m.user_id == user_id), None)

    @property
    def facilitators(self) -> tuple[str, ...]:
        return tuple(m.user_id for m in self.members if m.facilitator)

    def name_of(self, user_id: str) -> str:
        found = self.member(user_id) or self.pending_member(user_id) or self.departed_member(user_id)
        if found is not None:
            return found.display_name
        if user_id.startswith(ERASED_PREFIX):  # never show the stand-in id itself
            number = user_id.removeprefix(ERASED_PREFIX)
            return t(self.settings.language, "records.former_member", number=number)
        return user_id

    def replace(self, **changes: object) -> Circle:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class ActionItem:
    what: str
    due: date | None = None
    indicator: str = ""
    status: ItemStatus = ItemStatus.OPEN
    note: str = ""


@dataclass(frozen=True, slots=True)
class Plan:
    synthesis: str
    items: tuple[ActionItem, ...]
    posted_at: datetime

    @property
    def settled(self) -> bool:
        return all(item.status.settled for item in self.items)


@dataclass(frozen=True, slots=True)
class ParkedAdvice:
    """Advice offered too early; `kept` once its author chose to hold it for phase 4."""

    contribution_id: str
    author_id: str
    text: str
    kept: bool = False


@dataclass(frozen=True, slots=True)
class Expose:
    kind: CaseKind
    title: str
    context: str
    stakes: str
    tried: str
    question: str


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    circle_id: str
    number: int  # per circle, for people to name it ("case 3")
    client_id: str
    expose: Expose
    consultants: tuple[str, ...]
    phase: Phase
    opened_at: datetime
    phase_started_at: datetime
    deadline: datetime | None
    # Bumped whenever deadlines move, so timers set before are recognised as stale.
    timer_seq: int = 0
    extended_once: bool = False
    paused_at: datetime | None = None
    paused_with_circle: bool = False  # paused by the circle's pause: its resume resumes it
    # Who contributed in the current phase (for reminders) and who finished its act.
    acted: frozenset[str] = frozenset()
    finished: frozenset[str] = frozenset()
    contract: str | None = None
    reformulate: frozenset[str] = frozenset()
    plan: Plan | None = None
    parked: tuple[ParkedAdvice, ...] = ()
    learned: frozenset[str] = frozenset()
    meetings_in_follow_up: int = 0
    closed_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.phase in ACTIVE_PHASES

    @property
    def paused(self) -> bool:
        return self.paused_at is not None

    def replace(self, **changes: object) -> Case:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Contribution:
    """One reply or act in a case, kept whole; `out_of_role` marks posts against the rules."""

    id: str
    case_id: str
    author_id: str
    kind: ContributionKind
    phase: Phase
    text: str
    at: datetime
    out_of_role: bool = False
    message_ref: str | None = None
