"""Custom ids of Codev's Discord components: stable, compact, and readable back after a restart.

A button's custom id carries everything needed to act on it, so a card posted months ago
still works: `cv:<action>:<case>:<value>[:<guild>.<channel>]`. The place is added only on
buttons sent by direct message, where Discord does not say which server the press is about.
Actions have two-letter codes and long hex ids are written in base 36, so the longest id
stays within Discord's 100 characters.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass

PREFIX = "cv"
MAX_CUSTOM_ID = 100
TEMPLATE = r"cv:(?P<body>[^\s]*)"

# Stable forever: codes live in messages already posted. Add, never change.
_CODES: dict[str, str] = {
    "no_more_questions": "nq",
    "ready_for_contract": "rc",
    "ack_can_help": "ah",
    "done": "dn",
    "endorse": "en",
    "close_case": "cc",
    "withdraw": "wd",
    "keep_for_consultation": "kc",
    "post_contract": "pc",
    "ack_reformulate": "ar",
    "post_plan": "pp",
    "share_learning": "sl",
    "post_update": "pu",
    "signal": "sg",
    "accept_charter": "ac",
    "accept_swap": "as",
}
_ACTIONS = {code: action for action, code in _CODES.items()}
_HELD = "^"  # marks a value held in memory (see `custom_id`)
HELD_FOR = 3600.0  # seconds a held value stays
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class Press:
    """What a button says: the action, its case and value, and (from a DM) the circle's place.
    `lost`: its value was held in memory (see `custom_id`) and is not any more."""

    action: str
    case_id: str | None
    value: str
    guild_id: str | None = None
    channel_id: str | None = None
    lost: bool = False


class _HeldValues:
    """Button values no custom id can carry, by token, for `HELD_FOR` seconds."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[str, float]] = {}

    def hold(self, value: str) -> str:
        now = time.monotonic()
        for token in [k for k, (_, since) in self._held.items() if now - since > HELD_FOR]:
            del self._held[token]
        token = secrets.token_hex(6)
        self._held[token] = (value, now)
        return token

    def get(self, token: str) -> str | None:
        found = self._held.get(token)
        return None if found is None or time.monotonic() - found[1] > HELD_FOR else found[0]


_held_values = _HeldValues()


def _b36(number: int) -> str:
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = _DIGITS[digit] + out
        if number == 0:
            return out


def _pack(text: str) -> str:
    if _HEX32.match(text):
        return "~" + _b36(int(text, 16))
    if ":" in text or "~" in text or "." in text or text.startswith(_HELD) or any(c.isspace() for c in text):
        raise ValueError(f"cannot carry {text!r} in a custom id")
    return text


def _unpack(text: str) -> str:
    if text.startswith("~"):
        return f"{int(text[1:], 36):032x}"
    return text


def encode(press: Press) -> str:
    return _encoded(press, _pack(press.value))


def _encoded(press: Press, value: str) -> str:
    parts = [PREFIX, _CODES.get(press.action, press.action), _pack(press.case_id or ""), value]
    if press.guild_id and press.channel_id:
        parts.append(f"{_b36(int(press.guild_id))}.{_b36(int(press.channel_id))}")
    custom_id = ":".join(parts)
    if len(custom_id) > MAX_CUSTOM_ID:
        raise ValueError(f"custom id too long ({len(custom_id)}): {custom_id}")
    return custom_id


def custom_id(press: Press) -> str:
    """`encode(press)`; for a value no custom id can carry (a name typed with the command,
    free text: too long, or with spaces), one naming it held in memory. Such a button is an
    answer to a command just made: it works for `HELD_FOR`, and not after a restart (the
    press then says to run the command again)."""
    try:
        return encode(press)
    except ValueError:
        return _encoded(press, _HELD + _held_values.hold(press.value))


def decode(body: str) -> Press:
    """`body` is what follows `cv:`; raises ValueError when it is not one of ours."""
    parts = body.split(":")
    if len(parts) not in (3, 4):
        raise ValueError(f"not a Codev button: {body!r}")
    action = _ACTIONS.get(parts[0], parts[0])
    case_id = _unpack(parts[1]) or None
    value, lost = _unpack(parts[2]), False
    if value.startswith(_HELD):
        held = _held_values.get(value.removeprefix(_HELD))
        value, lost = held or "", held is None
    guild_id = channel_id = None
    if len(parts) == 4:
        guild, channel = parts[3].split(".")
        guild_id, channel_id = str(int(guild, 36)), str(int(channel, 36))
    return Press(action, case_id, value, guild_id, channel_id, lost)


# Buttons of a form in several steps: `cvf:<op>:<token>` (c = continue, s = send now, o = open).
FORM_TEMPLATE = r"cvf:(?P<op>[cso]):(?P<token>[0-9a-z]+)"


def form_button_id(op: str, token: str) -> str:
    return f"cvf:{op}:{token}"
