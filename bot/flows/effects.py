"""Effects: what the engine wants done, as data. Adapters render them; storage queues them.

Texts are already in the circle's language. Every effect names its circle and, where it
belongs to one, its case; adapters resolve those to channels and threads.
Each effect has a literal `kind` so the outbox can store and reload it unambiguously.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
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


Effect = Post | Reply | DirectMessage | Ephemeral | UpdateCard | OpenForm | SetTimer

# Effects that carry a message to people, as opposed to the engine's own timers.
MESSAGE_EFFECTS: tuple[type, ...] = (Post, Reply, DirectMessage, Ephemeral, UpdateCard)


@dataclass(frozen=True, slots=True)
class Notice:
    """A private answer to the person who acted, shown at once (help, status, refusals)."""

    text: str
    buttons: tuple[Button, ...] = field(default=())
