"""The console's time: a clock that moves only when told, and the spans `/time` accepts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_SPAN = re.compile(r"^\+?\s*(\d{1,4})\s*(d|days?|h|hours?|m|mins?|minutes?)$", re.IGNORECASE)


class ManualClock:
    """A clock that stands still until told to move: the console's (and tests') time."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        self._now = start

    def __call__(self) -> datetime:
        return self._now

    def advance(self, span: timedelta) -> None:
        self._now += span

    def move_to(self, moment: datetime) -> None:
        self._now = max(self._now, moment)


def parse_span(text: str) -> timedelta | None:
    found = _SPAN.match(text.strip())
    if not found:
        return None
    amount, unit = int(found.group(1)), found.group(2).lower()
    if unit.startswith("d"):
        return timedelta(days=amount)
    if unit.startswith("h"):
        return timedelta(hours=amount)
    return timedelta(minutes=amount)
