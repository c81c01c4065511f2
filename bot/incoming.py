"""What adapters hand the core: who acted, where, and what they did, platform-free."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.flows.effects import Form, Notice


@dataclass(frozen=True, slots=True)
class Origin:
    """Who acted and where; `thread_ref` is set when it happened in a case's thread."""

    platform: str
    workspace_id: str
    channel_id: str
    user_id: str
    display_name: str
    thread_ref: str | None = None
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class SlashCommand:
    text: str  # what follows "/codev"


@dataclass(frozen=True, slots=True)
class ThreadReply:
    text: str
    message_ref: str | None = None
    # The thread hangs from a post of the bot's own (Slack says whose post a thread's root
    # is): a reply there that is not in a case's thread was meant for one.
    under_bot_post: bool = False


@dataclass(frozen=True, slots=True)
class ButtonPress:
    action: str
    case_id: str | None = None
    value: str = ""


@dataclass(frozen=True, slots=True)
class FormSubmission:
    form_id: str
    values: Mapping[str, str]
    case_id: str | None = None


Payload = SlashCommand | ThreadReply | ButtonPress | FormSubmission


@dataclass(frozen=True, slots=True)
class Incoming:
    origin: Origin
    payload: Payload
    event_id: str | None = None  # the platform's delivery id, for applying redeliveries once


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the adapter shows at once to the person who acted; the rest went to the outbox."""

    notices: tuple[Notice, ...] = ()
    form: Form | None = None
    duplicate: bool = False
    refused: bool = False
    extras: Mapping[str, str] = field(default_factory=dict)  # hints for adapters that can use them


# An `Outcome.extras` key: the reader of the settings may change them (Slack opens its form),
# in the language its value names (the circle's).
SETTINGS_EDITABLE = "settings_editable"
