"""Slack payloads in, platform-free `Incoming` events out. Nothing here calls Slack.

Every workspace is its own world: `Origin.workspace_id` is the team id, so the same channel
id in two workspaces names two different places.

Event ids, so that what Slack sends twice is applied once:
- Events API: the envelope's `event_id`, identical on every redelivery.
- Buttons that act at once: the team, the person, the button and the card as they saw it
  (its message ts and a digest of its blocks). A double click sends two payloads with the
  same key; a click on the card after it changed is a new act.
- Modal submissions: the view's id and hash, unique to one opened modal.
Slash commands and buttons that only open a form are not deduplicated (Slack does not
redeliver commands, and opening a form twice changes nothing).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shlex
from collections.abc import Mapping
from typing import Any

from bot import actions
from bot.adapters.slack.blocks import ACTION_PREFIX, read_button_value, read_view_values
from bot.adapters.slack.escape import unescape_incoming
from bot.flows.errors import DomainError
from bot.flows.settings_rules import check_timezone
from bot.incoming import ButtonPress, FormSubmission, Incoming, Origin, SlashCommand, ThreadReply

PLATFORM = "slack"
SETTINGS_FORM = "slack_settings"  # drawn by the adapter; see app.Listeners.on_command
Body = Mapping[str, Any]

# Message subtypes that are still a person writing in the thread; every other subtype
# (edits, deletions, joins, bot messages) is not a contribution.
_PERSON_SUBTYPES = frozenset({None, "thread_broadcast", "file_share"})


def team_of(body: Body) -> str:
    team = body.get("team")
    if isinstance(team, Mapping) and team.get("id"):
        return str(team["id"])
    if body.get("team_id"):
        return str(body["team_id"])
    user = body.get("user")
    if isinstance(user, Mapping) and user.get("team_id"):
        return str(user["team_id"])
    return ""


def command(body: Body) -> Incoming:
    origin = Origin(
        PLATFORM,
        team_of(body),
        str(body.get("channel_id") or ""),
        str(body.get("user_id") or ""),
        str(body.get("user_name") or body.get("user_id") or ""),
    )
    # Slack escapes `&`, `<` and `>` in a command's text as in messages.
    return Incoming(origin, SlashCommand(unescape_incoming(str(body.get("text") or ""))))


def with_profile(incoming: Incoming, user: Body) -> Incoming:
    """`incoming` with the name people see and the time zone from Slack's `users.info` `user`:
    a slash command carries only the legacy username, and no time zone."""
    profile = user.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or user.get("real_name")
    zone = str(user.get("tz") or "")
    origin = dataclasses.replace(
        incoming.origin,
        display_name=str(name or incoming.origin.display_name),
        timezone=_known_zone(zone) or incoming.origin.timezone,
    )
    return dataclasses.replace(incoming, origin=origin)


def _known_zone(name: str) -> str | None:
    """`name` if it is a time zone the engine accepts (it refuses a join with any other)."""
    try:
        return check_timezone(name) if name else None
    except DomainError:
        return None


def thread_reply(body: Body, bot_user_id: str | None) -> Incoming | None:
    """A person's reply in a thread; None for anything else (the bot's own posts, edits,
    messages outside threads, the thread's root)."""
    event = body.get("event") or {}
    if event.get("type") != "message" or event.get("subtype") not in _PERSON_SUBTYPES:
        return None
    user = event.get("user")
    thread_ts = event.get("thread_ts")
    if not user or event.get("bot_id") or (bot_user_id and user == bot_user_id):
        return None
    if not thread_ts or thread_ts == event.get("ts"):
        return None
    origin = Origin(
        PLATFORM,
        str(body.get("team_id") or event.get("team") or ""),
        str(event.get("channel") or ""),
        str(user),
        str(user),
        thread_ref=str(thread_ts),
    )
    text = "\n".join(part for part in (unescape_incoming(str(event.get("text") or "")), _shared_files(event)) if part)
    event_id = body.get("event_id")
    under_bot_post = bool(bot_user_id) and event.get("parent_user_id") == bot_user_id
    reply = ThreadReply(text, str(event.get("ts") or ""), under_bot_post)
    return Incoming(origin, reply, _slack_id(event_id) if event_id else None)


def _shared_files(event: Body) -> str:
    """The files shared with a reply, each named with its link, so the record keeps them
    (a file shared without a word is still an answer)."""
    files = [f for f in event.get("files") or [] if isinstance(f, dict)]
    shown = (" ".join(str(f.get(key) or "") for key in ("name", "permalink")).strip() for f in files)
    return "\n".join(f"📎 {line}" for line in shown if line)


def _slack_id(key: str) -> str:
    return f"slack:{key}"


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:40]


def button(body: Body) -> Incoming | None:
    """The first codev button of a block_actions payload, or None if it has none."""
    pressed = next(
        (a for a in body.get("actions") or () if str(a.get("action_id", "")).startswith(ACTION_PREFIX)), None
    )
    if pressed is None:
        return None
    action = str(pressed["action_id"])[len(ACTION_PREFIX) :].split(":", 1)[0]
    data = read_button_value(str(pressed.get("value") or ""))
    user = body.get("user") or {}
    channel = body.get("channel") or {}
    container = body.get("container") or {}
    message = body.get("message") or {}
    origin = Origin(
        PLATFORM,
        team_of(body),
        data.get("ch") or str(channel.get("id") or ""),
        str(user.get("id") or ""),
        str(user.get("name") or user.get("username") or user.get("id") or ""),
        thread_ref=data.get("t"),
    )
    payload = ButtonPress(action, data.get("c"), data.get("v", ""))
    acts_at_once = (
        action in actions.IMMEDIATE or action in actions.CIRCLE_ACTIONS or (action == "signal" and payload.value)
    )
    # A press that only asks first changes nothing: asked again (the ephemeral question is
    # gone once Slack reloads), it must be answered again, not taken for a redelivery.
    if action in actions.CONFIRM_FIRST and payload.value != actions.CONFIRMED:
        acts_at_once = False
    event_id = None
    if acts_at_once:
        seen = container.get("message_ts") or message.get("ts") or ""
        event_id = _slack_id(
            "action:"
            + _digest(origin.workspace_id, origin.user_id, pressed.get("action_id"), data, seen, message.get("blocks"))
        )
    return Incoming(origin, payload, event_id)


def form_submission(body: Body) -> Incoming:
    view = body.get("view") or {}
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    user = body.get("user") or {}
    origin = Origin(
        PLATFORM,
        team_of(body),
        str(meta.get("ch") or ""),
        str(user.get("id") or ""),
        str(user.get("name") or user.get("username") or user.get("id") or ""),
        thread_ref=meta.get("t"),
    )
    values = read_view_values(view.get("state") or {})
    form_id = str(meta.get("f") or "")
    payload: FormSubmission | SlashCommand = FormSubmission(form_id, values, meta.get("c"))
    if form_id == SETTINGS_FORM:  # the settings modal is `/codev settings NAME VALUE`, filled in
        payload = SlashCommand(shlex.join(["settings", values.get("name", ""), values.get("value", "")]))
    event_id = _slack_id("view:" + _digest(origin.workspace_id, view.get("id"), view.get("hash")))
    return Incoming(origin, payload, event_id)
