"""The result of one engine step, and the small helpers every handler shares."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.flows.catalog import t
from bot.flows.effects import Effect
from bot.flows.model import Case, Circle, Contribution


@dataclass(frozen=True, slots=True)
class Step:
    """New states, the contributions to record and the effects to carry out, all or nothing."""

    circle: Circle
    case: Case | None = None
    contributions: tuple[Contribution, ...] = ()
    effects: tuple[Effect, ...] = ()


def say(circle: Circle, key: str, /, **params: object) -> str:
    return t(circle.settings.language, key, **params)


def local_time(circle: Circle, moment: datetime) -> str:
    """A moment as people in the circle read it: local wall time and zone name."""
    zone = circle.settings.timezone
    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} ({zone})"


def names(circle: Circle, user_ids: Iterable[str]) -> str:
    found = sorted(circle.name_of(user) for user in user_ids)
    return ", ".join(found) if found else "—"
