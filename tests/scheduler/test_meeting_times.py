"""When meeting jobs fall: local wall times, whatever daylight saving does in between.

Pure: `bot.flows.meetings` and `bot.flows.cadence`, no database. America/Montreal leaves
daylight time on 2026-11-01, Europe/Paris on 2026-10-25.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.calendarinterval import CalendarIntervalTrigger

from bot.flows import meetings
from bot.flows.cadence import next_meetings
from bot.flows.effects import MeetingJob
from bot.flows.model import Cadence, Language

from .helpers import a_circle, a_follow_up, member, wall, weekly

MONTREAL, PARIS = ZoneInfo("America/Montreal"), ZoneInfo("Europe/Paris")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def test_a_weekly_meeting_keeps_its_local_hour_across_the_montreal_change() -> None:
    circle = a_circle("America/Montreal", weekly(1, time(15, 0), date(2026, 10, 20)))

    found = next_meetings(circle, utc(2026, 10, 21), 2)

    assert found == [utc(2026, 10, 27, 19), utc(2026, 11, 3, 20)]
    assert {local(m, MONTREAL).time() for m in found} == {time(15, 0)}


def test_meeting_dates_agree_with_apscheduler_calendar_interval_trigger_across_both_changes() -> None:
    for zone in ("America/Montreal", "Europe/Paris"):
        circle = a_circle(zone, Cadence(rule=weekly(6, time(15, 0), date(2026, 10, 4)).rule))
        trigger = CalendarIntervalTrigger(weeks=1, hour=15, start_date=date(2026, 10, 4), timezone=zone)
        expected: list[datetime] = []
        previous = None
        for _ in range(6):
            fire = trigger.get_next_fire_time(previous, utc(2026, 10, 4))
            expected.append(fire.astimezone(UTC))
            previous = fire

        assert next_meetings(circle, utc(2026, 10, 3), 6) == expected


def test_nudges_reminders_digest_and_held_fall_at_local_times_across_the_montreal_change() -> None:
    circle = a_circle("America/Montreal", weekly(1, time(15, 0), date(2026, 10, 20)))

    jobs = {job.job: job.due_at for job in meetings.jobs_for(circle, utc(2026, 11, 3, 20))}

    assert jobs == {
        MeetingJob.NUDGE: utc(2026, 11, 1, 14),  # Sunday 09:00 EST, the day clocks go back
        MeetingJob.REMINDER: utc(2026, 11, 2, 14),  # Monday 09:00 EST
        MeetingJob.DIGEST: utc(2026, 11, 2, 20),  # Monday 15:00 EST
        MeetingJob.HELD: utc(2026, 11, 3, 20),
    }


def test_a_digest_the_day_before_a_meeting_just_after_the_paris_change_is_at_the_same_local_hour() -> None:
    circle = a_circle("Europe/Paris", Cadence(dates=(wall("2026-10-25 15:00"),)))
    meeting = utc(2026, 10, 25, 14)  # Sunday 15:00 CET

    digest = meetings.digest_at(circle, meeting)

    assert digest == utc(2026, 10, 24, 13)  # Saturday 15:00 CEST: 25 hours before, one local day
    assert local(digest, PARIS).time() == time(15, 0)


def test_each_member_zone_gets_its_nudge_at_nine_there() -> None:
    people = (member("fay", facilitator=True), member("ann", "Europe/Paris"), member("bob", "America/Montreal"))
    circle = a_circle("Europe/Paris", Cadence(dates=(wall("2026-10-25 15:00"),)), members=people)

    nudges = {
        job.zone: job.due_at for job in meetings.jobs_for(circle, utc(2026, 10, 25, 14)) if job.job is MeetingJob.NUDGE
    }

    assert nudges == {"Europe/Paris": utc(2026, 10, 23, 7), "America/Montreal": utc(2026, 10, 23, 13)}
    assert {local(at, ZoneInfo(zone)).time() for zone, at in nudges.items()} == {time(9, 0)}


def test_a_skipped_date_plans_no_job_for_that_meeting() -> None:
    cadence = weekly(1, time(15, 0), date(2026, 10, 20))
    circle = a_circle("America/Montreal", Cadence(cadence.rule, (), (date(2026, 10, 27),)))

    planned = {job.meeting_at for job in meetings.plan(circle, utc(2026, 10, 21))}

    assert utc(2026, 10, 27, 19) not in planned
    assert utc(2026, 11, 3, 20) in planned


def test_a_paused_circle_plans_nothing() -> None:
    circle = a_circle("America/Montreal", weekly(1, time(15, 0), date(2026, 10, 20)), paused=True)

    assert meetings.plan(circle, utc(2026, 10, 21)) == []


def test_jobs_already_past_are_not_planned_late() -> None:
    circle = a_circle("America/Montreal", weekly(1, time(15, 0), date(2026, 10, 20)))

    planned = meetings.plan(circle, utc(2026, 10, 26, 15))

    first = [job for job in planned if job.meeting_at == utc(2026, 10, 27, 19)]
    assert {job.job for job in first} == {MeetingJob.DIGEST, MeetingJob.HELD}


def test_a_nudge_that_comes_due_after_its_meeting_is_missed_not_sent() -> None:
    circle = a_circle("America/Montreal", weekly(1, time(15, 0), date(2026, 10, 20)))
    nudge = next(job for job in meetings.jobs_for(circle, utc(2026, 10, 27, 19)) if job.job is MeetingJob.NUDGE)

    verdict = meetings.verdict(circle, nudge, utc(2026, 10, 28))

    assert verdict is not None
    assert verdict[0] == meetings.MISSED


def test_a_client_who_left_the_circle_is_not_nudged() -> None:
    circle = a_circle("UTC", weekly(1, time(15, 0), date(2026, 10, 20)))
    gone = circle.replace(members=tuple(m for m in circle.members if m.user_id != "ann"))
    nudge = next(job for job in meetings.jobs_for(gone, utc(2026, 10, 27, 15)) if job.job is MeetingJob.NUDGE)

    assert meetings.nudges(gone, [a_follow_up("ann")], nudge) == []
    assert len(meetings.nudges(circle, [a_follow_up("ann")], nudge)) == 1


def test_the_digest_names_cases_updates_received_and_missing_and_the_next_client() -> None:
    circle = a_circle("UTC", weekly(1, time(15, 0), date(2026, 10, 20)))
    updated, silent = a_follow_up("ann", number=1), a_follow_up("bob", number=2)
    meeting = utc(2026, 10, 27, 15)

    post = meetings.digest(circle, [updated, silent], meeting, {updated.id: meeting - timedelta(days=1)})

    received, missing = post.text.split("Updates received")[1].split("Updates still missing")
    assert "Problem 1" in received
    assert "Problem 2" not in received
    assert "Problem 2" in missing
    assert "Problem 1" not in missing
    assert "Client next:* Fay" in post.text


def test_a_plan_posted_after_its_client_was_to_be_nudged_is_not_missing_from_the_digest() -> None:
    circle = a_circle("UTC", weekly(1, time(15, 0), date(2026, 10, 20)))
    meeting = utc(2026, 10, 27, 15)
    fresh = dataclasses.replace(a_follow_up("ann"), phase_started_at=meeting - timedelta(days=1))

    post = meetings.digest(circle, [fresh], meeting, {})

    assert "Problem 1" not in post.text.split("Updates still missing")[1]


def test_a_plan_posted_after_its_client_was_to_be_nudged_gets_no_reminder() -> None:
    circle = a_circle("UTC", weekly(1, time(15, 0), date(2026, 10, 20)))
    meeting = utc(2026, 10, 27, 15)
    fresh = dataclasses.replace(a_follow_up("ann"), phase_started_at=meeting - timedelta(days=1, hours=7))
    reminder = next(job for job in meetings.jobs_for(circle, meeting) if job.job is MeetingJob.REMINDER)

    assert meetings.reminders(circle, [fresh], reminder, {}, {fresh.id}) == []


def test_the_digest_is_written_in_french_for_a_french_circle() -> None:
    circle = a_circle("Europe/Paris", weekly(1, time(15, 0), date(2026, 10, 20)))
    french = circle.replace(settings=dataclasses.replace(circle.settings, language=Language.FR))

    post = meetings.digest(french, [a_follow_up()], utc(2026, 10, 27, 14), {})

    assert "Résumé de la rencontre" in post.text
    assert "Nouvelles attendues" in post.text
