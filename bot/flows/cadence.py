"""Meeting dates from a circle's cadence, computed in local wall time so DST never moves them.

A rule says "every 4 weeks on Tuesday at 15:00"; APScheduler's `CalendarIntervalTrigger`, in
the circle's zone, gives each occurrence at that local time, converted to UTC only at the
end. On a spring-forward day a time that does not exist (02:30 in Paris on the last Sunday
of March) is one the trigger skips: the meeting is then held when the clocks have moved on
(03:30), as an explicit date at that time is, rather than silently lost. Explicit dates are
added; a skipped day leaves out the rule's meeting only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.calendarinterval import CalendarIntervalTrigger

from bot.flows.model import Circle, MeetingRule


def _local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`at` on `day` in `zone` as a moment that exists: a time in a spring-forward gap comes
    out as late as the gap is long (02:30 becomes 03:30)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC).astimezone(zone)


def held_at(when: datetime, zone: ZoneInfo) -> datetime:
    """The local wall time a meeting set for `when` (naive, local) is held at: itself, or
    later when the clocks skip that time."""
    return _local(when.date(), when.time(), zone).replace(tzinfo=None)


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
    expected = first  # the next day the rule has a meeting on
    while (moment := trigger.get_next_fire_time(previous, local_after)) is not None:
        while expected < moment.date():  # a day the trigger skipped: its time did not exist
            yield _local(expected, at, zone)
            expected += step
        yield moment
        expected = moment.date() + step
        previous = moment


def next_meetings(circle: Circle, after: datetime, count: int) -> list[datetime]:
    """The next `count` meetings strictly after `after`, as aware UTC datetimes."""
    zone = ZoneInfo(circle.settings.timezone)
    cadence = circle.cadence
    # Compared in UTC: two local times in one zone compare by the wall clock, which the hour
    # repeated when the clocks go back makes ambiguous.
    after = after.astimezone(UTC)
    found: set[datetime] = set()
    for when in cadence.dates:
        moment = _local(when.date(), when.time(), zone).astimezone(UTC)
        if moment > after:  # a skipped day skips the rule's meeting, not one set for that day
            found.add(moment)
    if cadence.rule is not None:
        taken = 0
        for local in _rule_moments(cadence.rule, zone, after.astimezone(zone)):
            if taken >= count:
                break
            if local.astimezone(UTC) > after and local.date() not in cadence.skipped:
                found.add(local.astimezone(UTC))
                taken += 1
    return sorted(found)[:count]
