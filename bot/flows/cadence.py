"""Meeting dates from a circle's cadence, computed in local wall time so DST never moves them.

A rule says "every 4 weeks on Tuesday at 15:00"; each occurrence is that local time in the
circle's zone, converted to UTC only at the end. Skipped days are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.flows.model import Circle, MeetingRule


def _rule_days(rule: MeetingRule, start: date) -> Iterator[date]:
    first = rule.starts + timedelta(days=(rule.weekday - rule.starts.weekday()) % 7)
    step = timedelta(weeks=rule.every_weeks)
    if first < start:
        periods = (start - first).days // step.days
        first += step * periods
    day = first
    while True:
        yield day
        day += step


def next_meetings(circle: Circle, after: datetime, count: int) -> list[datetime]:
    """The next `count` meetings strictly after `after`, as aware UTC datetimes."""
    zone = ZoneInfo(circle.settings.timezone)
    cadence = circle.cadence
    local_after = after.astimezone(zone)
    found: set[datetime] = set()
    for when in cadence.dates:
        moment = when.replace(tzinfo=zone)
        if moment > local_after and when.date() not in cadence.skipped:
            found.add(moment)
    if cadence.rule is not None:
        taken = 0
        for day in _rule_days(cadence.rule, local_after.date() - timedelta(days=1)):
            if taken >= count:
                break
            moment = datetime.combine(day, cadence.rule.at, tzinfo=zone)
            if moment > local_after and day not in cadence.skipped:
                found.add(moment)
                taken += 1
    utc = ZoneInfo("UTC")
    return sorted(m.astimezone(utc) for m in found)[:count]
