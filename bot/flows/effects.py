"""Effects: what the engine wants done, as data. Adapters render them; storage queues them.

Texts are already in the circle's language. Every effect names its circle and, where it
belongs to one, its case; adapters resolve those to channels and threads.
Each effect has a literal `kind` so the outbox can store and reload it unambiguously.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Literal

from bot.flows.model import TimerKind


@dataclass(frozen=True, slots=True)
class Button:
    """A one-click action; `action` names an entry of the actions table in `bot.actions`."""

    action: str
    label: str
    case_id: str | None = None
    value: str = ""
    primary: bool = False


@dataclass(frozen=True, slots=True)
class CardLine:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Card:
    """The case's root message: where it stands and what can be done next."""

    case_id: str
    title: str
    headline: str
    lines: tuple[CardLine, ...]
    buttons: tuple[Button, ...]


@dataclass(frozen=True, slots=True)
class Post:
    """A message in the circle's channel. With a card, it becomes the case's thread root."""

    circle_id: str
    text: str
    card: Card | None = None
    kind: Literal["post"] = "post"


@dataclass(frozen=True, slots=True)
class Reply:
    """A message in the case's thread."""

    circle_id: str
    case_id: str
    text: str
    buttons: tuple[Button, ...] = ()
    kind: Literal["reply"] = "reply"


@dataclass(frozen=True, slots=True)
class DirectMessage:
    circle_id: str
    user_id: str
    text: str
    buttons: tuple[Button, ...] = ()
    case_id: str | None = None
    kind: Literal["dm"] = "dm"


@dataclass(frozen=True, slots=True)
class Ephemeral:
    """Visible to one person only, in the channel (or the case's thread)."""

    circle_id: str
    user_id: str
    text: str
    buttons: tuple[Button, ...] = ()
    case_id: str | None = None
    kind: Literal["ephemeral"] = "ephemeral"


@dataclass(frozen=True, slots=True)
class UpdateCard:
    circle_id: str
    card: Card
    kind: Literal["update_card"] = "update_card"


@dataclass(frozen=True, slots=True)
class FormField:
    name: str
    label: str
    long: bool = False
    required: bool = True
    max_length: int = 3000
    options: tuple[tuple[str, str], ...] = ()  # (value, label) pairs: a choice
    initial: str = ""


@dataclass(frozen=True, slots=True)
class Form:
    form_id: str
    title: str
    submit_label: str
    fields: tuple[FormField, ...]
    case_id: str | None = None
    language: str = "en"  # of its texts: what an adapter adds (a Cancel button) speaks it too


@dataclass(frozen=True, slots=True)
class OpenForm:
    """Ask one person to fill a form; only possible in answer to their own action."""

    circle_id: str
    user_id: str
    form: Form
    kind: Literal["open_form"] = "open_form"


@dataclass(frozen=True, slots=True)
class SetTimer:
    """Wake the engine for this case at `due_at` (a deadline or a reminder)."""

    circle_id: str
    case_id: str
    timer: TimerKind
    due_at: datetime
    seq: int
    kind: Literal["timer"] = "timer"


@dataclass(frozen=True, slots=True)
class SendFile:
    """A file for one person only, delivered privately (a DM with an attachment).

    `text` goes with the file as its message: the whole content when it is short enough to
    read inline, else a one-line caption. Records (case exports, circle reports) use it.
    """

    circle_id: str
    user_id: str
    filename: str
    content: str
    text: str
    case_id: str | None = None
    kind: Literal["file"] = "file"


class MeetingJob(StrEnum):
    """What a meeting timer does when due (bot.flows.meetings decides the messages)."""

    PLAN = "plan"  # plan the circle's next meetings' jobs (after its cadence or members changed)
    NUDGE = "nudge"  # ask clients with an open action plan for an update, at 09:00 their time
    REMINDER = "reminder"  # the day before, once, to those who have not answered
    DIGEST = "digest"  # the meeting digest in the circle's channel
    HELD = "held"  # the meeting took place: follow-up cases count it


@dataclass(frozen=True, slots=True)
class MeetingTimer:
    """Wake the scheduler at `due_at` for one job of the circle's meeting at `meeting_at`.

    NUDGE and REMINDER rows are per time zone (`zone`): each fires at 09:00 there, for the
    clients who live in it. PLAN rows have no meeting. Never rendered by an adapter.
    """

    circle_id: str
    job: MeetingJob
    due_at: datetime
    meeting_at: datetime | None = None
    zone: str = ""
    case_id: None = None
    kind: Literal["meeting"] = "meeting"


Effect = Post | Reply | DirectMessage | Ephemeral | UpdateCard | OpenForm | SetTimer | SendFile | MeetingTimer

# Effects that carry a message to people, as opposed to the engine's own timers.
MESSAGE_EFFECTS: tuple[type, ...] = (Post, Reply, DirectMessage, Ephemeral, UpdateCard, SendFile)


@dataclass(frozen=True, slots=True)
class Notice:
    """A private answer to the person who acted, shown at once (help, status, refusals)."""

    text: str
    buttons: tuple[Button, ...] = field(default=())
