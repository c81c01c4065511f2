"""`codev slack-manifest`: the Slack app manifest (YAML) for this bot and its settings.

Paste it into "Create New App → From an app manifest" on api.slack.com/apps. Socket Mode
(SLACK_APP_TOKEN set, or asked for) needs no public URL; HTTP mode points the slash command,
events and interactivity at `<url>/slack/events`, and OAuth installs come back to
`<url>/slack/oauth_redirect`. Written by a tiny emitter: no YAML library needed.

This module imports no Slack SDK, so the manifest can be printed before installing one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

# What the bot asks for at install (also the OAuth flow's scopes).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "channels:history",
    "groups:history",
    "im:history",
    "im:write",
    "channels:read",
    "groups:read",
    "channels:join",
    "users:read",
    "files:write",
)
BOT_EVENTS = ("message.channels", "message.groups", "message.im", "app_home_opened")
EVENTS_PATH = "/slack/events"
REDIRECT_PATH = "/slack/oauth_redirect"


def manifest(*, name: str = "Codev", socket_mode: bool, url: str | None, oauth: bool = False) -> dict[str, Any]:
    """The manifest as data; `url` is the bot's public base URL (HTTP mode only)."""
    if not socket_mode and not url:
        raise ValueError("HTTP mode needs the bot's public URL (e.g. --url https://codev.example.com)")
    base = (url or "").rstrip("/")
    command: dict[str, Any] = {
        "command": "/codev",
        "description": "Co-development circles: setup, join, submit, status, help…",
        "usage_hint": "help | setup | join | submit | status | update | …",
        "should_escape": False,
    }
    settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": list(BOT_EVENTS)},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": socket_mode,
        "token_rotation_enabled": False,
    }
    oauth_config: dict[str, Any] = {"scopes": {"bot": list(BOT_SCOPES)}}
    if not socket_mode:
        command["url"] = f"{base}{EVENTS_PATH}"
        settings["event_subscriptions"] = {"request_url": f"{base}{EVENTS_PATH}", **settings["event_subscriptions"]}
        settings["interactivity"]["request_url"] = f"{base}{EVENTS_PATH}"
        if oauth:
            oauth_config = {"redirect_urls": [f"{base}{REDIRECT_PATH}"], **oauth_config}
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": "Asynchronous professional co-development circles",
            "long_description": (
                "Codev hosts co-development circles (codéveloppement professionnel) in your channels: "
                "a client brings a case, consultants ask questions and give advice in its thread, and "
                "the bot moves the case through its phases, reminds whoever has not acted yet, and asks "
                "for updates on the action plan before each meeting."
            ),
            "background_color": "#2c4a6e",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": oauth_config,
        "settings": settings,
    }


def to_yaml(value: Any, indent: int = 0) -> str:
    """Block-style YAML for dicts, lists and scalars (strings are JSON-quoted: valid YAML)."""
    return "\n".join(_lines(value, indent)) + "\n"


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def _lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(item, Mapping | list | tuple) and item:
                lines.append(f"{pad}{key}:")
                lines.extend(_lines(item, indent + 2))
            else:
                lines.append(
                    f"{pad}{key}: {_empty(item) if isinstance(item, Mapping | list | tuple) else _scalar(item)}"
                )
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for item in value:
            if isinstance(item, Mapping) and item:
                nested = _lines(item, indent + 2)
                lines.append(f"{pad}- {nested[0].lstrip()}")
                lines.extend(nested[1:])
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    else:
        lines.append(f"{pad}{_scalar(value)}")
    return lines


def _empty(value: Any) -> str:
    return "{}" if isinstance(value, Mapping) else "[]"
