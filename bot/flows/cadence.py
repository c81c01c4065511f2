"""Meeting dates from a circle's cadence, computed in local wall time so DST never moves them.

A rule says "every 4 weeks on Tuesday at 15:00"; APScheduler's `CalendarIntervalTrigger`, in
the circle's zone, gives each occurrence at that local time (a time that does not exist on a
spring-forward day is skipped, as APScheduler does), converted to UTC only at the end. Explicit
dates are added and skipped days left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.calendarinterval import CalendarIntervalTrigger

from bot.flows.model import Circle, MeetingRule


def _rule_moments(rule: MeetingRule, zone: ZoneInfo, local_after: datetime) -> Iterator[datetime]:
    """The rule's meetings from the day before `local_after` on, as aware local datetimes."""
    first = rule.starts + timedelta(days=(rule.weekday - rule.starts.weekday()) % 7)
    step = timedelta(weeks=rule.every_weeks)
    near = local_after.date() - timedelta(days=1)
    if first < near:  # start at the period before `near`, keeping the rule's phase
        first += step * ((near - first).days // step.days)
    at = rule.at
    trigger = CalendarIntervalTrigger(
        weeks=rule.every_weeks, hour=at.hour, minute=at.minute, second=at.second, start_date=first, timezone=zone
    )
    previous: datetime | None = None
    while (moment := trigger.get_next_fire_time(previous, local_after)) is not None:
        yield moment
        previous = moment


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
        for moment in _rule_moments(cadence.rule, zone, local_after):
            if taken >= count:
                break
            if moment > local_after and moment.date() not in cadence.skipped:
                found.add(moment)
                taken += 1
    utc = ZoneInfo("UTC")
    return sorted(m.astimezone(utc) for m in found)[:count]
