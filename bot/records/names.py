"""Who wrote what, as a reader of a record sees it: names, former members, local times."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.flows.catalog import t
from bot.flows.commands import SYSTEM_ACTOR
from bot.flows.model import ERASED_PREFIX, Circle
from bot.records.neutralise import neutralise

# An erased member's id everywhere it stood: stable per circle, so records still read as
# "a former member (2) asked…, a former member (2) then advised…".
PSEUDONYM_PREFIX = ERASED_PREFIX
_PSEUDONYM = re.compile(rf"^{ERASED_PREFIX}(\d+)$")
SYSTEM_IDS = frozenset({SYSTEM_ACTOR})


def pseudonym_id(number: int) -> str:
    return f"{PSEUDONYM_PREFIX}{number}"


def pseudonym_number(user_id: str) -> int | None:
    found = _PSEUDONYM.match(user_id)
    return int(found.group(1)) if found else None


def display_name(circle: Circle, user_id: str, language: str) -> str:
    """A member's name (also once they left); "a former member (n)" once erased; a marked id
    for those who left before the circle kept departed members' names."""
    member = circle.member(user_id) or circle.pending_member(user_id) or circle.departed_member(user_id)
    if member is not None:
        return neutralise(member.display_name)
    number = pseudonym_number(user_id)
    if number is not None:
        return t(language, "records.former_member", number=number)
    if user_id in SYSTEM_IDS:
        return t(language, "records.the_bot")
    return t(language, "records.left_member", id=neutralise(user_id))


def reader_zone(circle: Circle, user_id: str) -> str:
    """The reader's own time zone if they gave one, else the circle's."""
    member = circle.member(user_id)
    return member.timezone if member is not None and member.timezone else circle.settings.timezone


def local(moment: datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"
