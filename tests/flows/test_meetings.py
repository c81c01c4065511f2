"""Meeting cadence: a recurrence rule and explicit dates in the circle's zone, DST-safe."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.flows import commands as c
from bot.flows.cadence import next_meetings
from bot.flows.catalog import t
from bot.flows.circle_engine import handle_circle
from bot.flows.effects import Ephemeral, Post
from bot.flows.errors import DomainError
from bot.flows.meetings import still_scheduled, updates_since
from bot.flows.model import Circle, MeetingRule
from bot.queries import meetings_text

from .builders import FAC, make_circle, wall

OCTOBER = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
TUESDAYS_AT_THREE = MeetingRule(weekday=1, at=time(15, 0), every_weeks=2, starts=date(2026, 10, 20))


def circle_in(zone: str, rule: MeetingRule | None = TUESDAYS_AT_THREE) -> Circle:
    circle = make_circle(timezone=zone, now=OCTOBER)
    return handle_circle(circle, c.SetMeetingRule(FAC, rule), OCTOBER).circle


def local(moments: list[datetime], zone: str) -> list[tuple[date, time]]:
    walls = [m.astimezone(ZoneInfo(zone)) for m in moments]
    return [(wall.date(), wall.time()) for wall in walls]


def test_a_montreal_rule_keeps_three_pm_local_across_the_dst_change() -> None:
    meetings = next_meetings(circle_in("America/Montreal"), OCTOBER, 3)
    assert local(meetings, "America/Montreal") == [
        (date(2026, 10, 20), time(15)),
        (date(2026, 11, 3), time(15)),
        (date(2026, 11, 17), time(15)),
    ]
    assert [m.hour for m in meetings] == [19, 20, 20]  # EDT then EST, in UTC


def test_a_paris_rule_keeps_three_pm_local_across_the_dst_change() -> None:
    meetings = next_meetings(circle_in("Europe/Paris"), OCTOBER, 2)
    assert meetings == [
        datetime(2026, 10, 20, 13, 0, tzinfo=UTC),  # CEST, UTC+2
        datetime(2026, 11, 3, 14, 0, tzinfo=UTC),  # CET, UTC+1, after 2026-10-25
    ]


def test_next_meetings_are_returned_in_utc() -> None:
    meetings = next_meetings(circle_in("America/Montreal"), OCTOBER, 1)
    assert meetings[0].utcoffset() == timedelta(0)


def test_skipped_dates_are_left_out() -> None:
    circle = circle_in("America/Montreal")
    circle = handle_circle(circle, c.SkipMeeting(FAC, date(2026, 11, 3)), OCTOBER).circle
    days = [d for d, _ in local(next_meetings(circle, OCTOBER, 3), "America/Montreal")]
    assert days == [date(2026, 10, 20), date(2026, 11, 17), date(2026, 12, 1)]


def test_a_meeting_set_on_a_skipped_day_is_held_in_place_of_the_rules() -> None:
    circle = handle_circle(circle_in("UTC"), c.SkipMeeting(FAC, date(2026, 11, 3)), OCTOBER).circle

    moved = handle_circle(circle, c.AddMeeting(FAC, wall(2026, 11, 3, 16)), OCTOBER).circle

    assert local(next_meetings(moved, OCTOBER, 2), "UTC") == [
        (date(2026, 10, 20), time(15)),
        (date(2026, 11, 3), time(16)),
    ]


def test_a_meeting_set_on_a_skipped_day_can_be_skipped_in_turn() -> None:
    circle = handle_circle(circle_in("UTC"), c.SkipMeeting(FAC, date(2026, 11, 3)), OCTOBER).circle
    circle = handle_circle(circle, c.AddMeeting(FAC, wall(2026, 11, 3, 16)), OCTOBER).circle

    skipped = handle_circle(circle, c.SkipMeeting(FAC, date(2026, 11, 3)), OCTOBER).circle

    assert date(2026, 11, 3) not in [d for d, _ in local(next_meetings(skipped, OCTOBER, 3), "UTC")]


def test_skipping_a_day_with_a_meeting_set_for_it_removes_that_meeting() -> None:
    circle = handle_circle(circle_in("UTC", rule=None), c.AddMeeting(FAC, wall(2026, 11, 5, 15)), OCTOBER).circle

    skipped = handle_circle(circle, c.SkipMeeting(FAC, date(2026, 11, 5)), OCTOBER).circle

    assert next_meetings(skipped, OCTOBER, 1) == []


def test_a_rule_counts_only_meetings_strictly_after_the_given_moment() -> None:
    circle = circle_in("UTC")
    at_meeting = datetime(2026, 10, 20, 15, 0, tzinfo=UTC)
    assert next_meetings(circle, at_meeting, 1) == [datetime(2026, 11, 3, 15, 0, tzinfo=UTC)]


def test_explicit_dates_are_merged_with_the_rule_in_order() -> None:
    circle = circle_in("America/Montreal")
    extra = wall(2026, 10, 27, 9, 30)
    circle = handle_circle(circle, c.AddMeeting(FAC, extra), OCTOBER).circle
    days = [d for d, _ in local(next_meetings(circle, OCTOBER, 3), "America/Montreal")]
    assert days == [date(2026, 10, 20), date(2026, 10, 27), date(2026, 11, 3)]


def test_an_explicit_date_keeps_its_local_wall_time_after_the_dst_change() -> None:
    circle = circle_in("America/Montreal", rule=None)
    circle = handle_circle(circle, c.AddMeeting(FAC, wall(2026, 11, 10, 15)), OCTOBER).circle
    assert next_meetings(circle, OCTOBER, 5) == [datetime(2026, 11, 10, 20, 0, tzinfo=UTC)]


SUNDAYS_AT_HALF_PAST_TWO = MeetingRule(weekday=6, at=time(2, 30), every_weeks=1, starts=date(2027, 3, 14))


def test_a_weekly_meeting_at_a_time_the_clocks_skip_is_held_when_they_have_moved_on() -> None:
    circle = circle_in("Europe/Paris", rule=SUNDAYS_AT_HALF_PAST_TWO)  # 02:30 does not exist on 2027-03-28
    meetings = next_meetings(circle, datetime(2027, 3, 20, tzinfo=UTC), 3)
    assert local(meetings, "Europe/Paris") == [
        (date(2027, 3, 21), time(2, 30)),
        (date(2027, 3, 28), time(3, 30)),
        (date(2027, 4, 4), time(2, 30)),
    ]


def test_an_explicit_date_at_a_time_the_clocks_skip_is_still_scheduled_when_it_comes() -> None:
    circle = circle_in("Europe/Paris", rule=None)
    circle = handle_circle(circle, c.AddMeeting(FAC, wall(2027, 3, 28, 2, 30)), OCTOBER).circle
    [meeting] = next_meetings(circle, OCTOBER, 5)
    assert still_scheduled(circle, meeting)


def test_adding_a_meeting_in_the_past_is_refused() -> None:
    circle = circle_in("America/Montreal", rule=None)
    with pytest.raises(DomainError) as refused:
        handle_circle(circle, c.AddMeeting(FAC, wall(2026, 9, 30, 15)), OCTOBER)
    assert refused.value.key == "error.date_in_past"


def test_adding_a_meeting_earlier_today_in_local_time_is_refused() -> None:
    circle = circle_in("America/Montreal", rule=None)  # OCTOBER is 08:00 in Montreal
    with pytest.raises(DomainError) as refused:
        handle_circle(circle, c.AddMeeting(FAC, wall(2026, 10, 1, 7, 30)), OCTOBER)
    assert refused.value.key == "error.date_in_past"


def test_adding_the_same_meeting_twice_is_refused() -> None:
    when = wall(2026, 11, 10, 15)
    circle = handle_circle(circle_in("UTC", rule=None), c.AddMeeting(FAC, when), OCTOBER).circle
    with pytest.raises(DomainError) as refused:
        handle_circle(circle, c.AddMeeting(FAC, when), OCTOBER)
    assert refused.value.key == "error.meeting_exists"


def test_skipping_a_day_in_the_past_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        handle_circle(circle_in("UTC"), c.SkipMeeting(FAC, date(2026, 9, 1)), OCTOBER)
    assert refused.value.key == "error.date_in_past"


def test_a_circle_without_cadence_has_no_meetings() -> None:
    assert next_meetings(circle_in("UTC", rule=None), OCTOBER, 3) == []


def test_changing_the_circles_time_zone_keeps_an_explicit_meeting_at_its_moment() -> None:
    circle = circle_in("Europe/Paris", rule=None)
    circle = handle_circle(circle, c.AddMeeting(FAC, wall(2026, 12, 4, 15)), OCTOBER).circle
    before = next_meetings(circle, OCTOBER, 1)

    moved = handle_circle(circle, c.ChangeSettings(FAC, (("timezone", "America/Montreal"),)), OCTOBER).circle

    assert next_meetings(moved, OCTOBER, 1) == before


def test_changing_the_time_zone_of_a_circle_with_a_rule_announces_the_meetings_moved() -> None:
    step = handle_circle(circle_in("Europe/Paris"), c.ChangeSettings(FAC, (("timezone", "America/Montreal"),)), OCTOBER)

    [post] = [effect for effect in step.effects if isinstance(effect, Post)]
    assert "Next meetings (America/Montreal)" in post.text


def test_skipping_a_day_with_no_meeting_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        handle_circle(circle_in("UTC"), c.SkipMeeting(FAC, date(2026, 10, 21)), OCTOBER)  # a Wednesday
    assert (refused.value.key, refused.value.params) == ("error.no_meeting_that_day", {"value": "2026-10-21"})


def test_adding_a_meeting_is_confirmed_with_its_date_even_when_later_than_those_listed() -> None:
    step = handle_circle(circle_in("UTC"), c.AddMeeting(FAC, wall(2027, 10, 31, 2, 30)), OCTOBER)
    [post] = [effect for effect in step.effects if isinstance(effect, Post)]
    assert post.text.startswith(t("en", "meetings.added", when="2027-10-31 02:30"))


def test_adding_a_meeting_at_a_time_the_clocks_skip_says_when_it_is_held() -> None:
    step = handle_circle(circle_in("Europe/Paris"), c.AddMeeting(FAC, wall(2027, 3, 28, 2, 30)), OCTOBER)

    [post] = [effect for effect in step.effects if isinstance(effect, Post)]
    assert post.text.startswith(t("en", "meetings.added_moved", when="2027-03-28 02:30", held="03:30"))


def test_clearing_the_rule_says_the_added_dates_and_skipped_days_stay() -> None:
    circle = handle_circle(circle_in("UTC"), c.AddMeeting(FAC, wall(2027, 1, 5, 15)), OCTOBER).circle
    step = handle_circle(circle, c.SetMeetingRule(FAC, None), OCTOBER)
    [post] = [effect for effect in step.effects if isinstance(effect, Post)]
    assert post.text.startswith(t("en", "meetings.rule_cleared"))


def test_adding_a_meeting_the_rule_already_holds_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        handle_circle(circle_in("Europe/Paris"), c.AddMeeting(FAC, wall(2026, 11, 3, 15)), OCTOBER)  # a rule Tuesday

    assert (refused.value.key, refused.value.params) == ("error.meeting_exists", {"value": "2026-11-03 15:00"})


def test_adding_a_meeting_an_hour_after_the_rules_one_is_accepted() -> None:
    step = handle_circle(circle_in("Europe/Paris"), c.AddMeeting(FAC, wall(2026, 11, 3, 16)), OCTOBER)

    assert wall(2026, 11, 3, 16) in step.circle.cadence.dates


def test_clearing_a_rule_already_cleared_is_said_privately_not_announced_again() -> None:
    circle = handle_circle(circle_in("UTC"), c.SetMeetingRule(FAC, None), OCTOBER).circle

    step = handle_circle(circle, c.SetMeetingRule(FAC, None), OCTOBER)

    assert [type(effect) for effect in step.effects] == [Ephemeral]


def test_the_meetings_list_leaves_out_skipped_days_already_past() -> None:
    circle = handle_circle(circle_in("UTC"), c.SkipMeeting(FAC, date(2026, 10, 20)), OCTOBER).circle

    listing = meetings_text(circle, OCTOBER + timedelta(days=30))

    assert "2026-10-20" not in listing


def test_after_a_skipped_meeting_updates_count_from_the_meeting_held_before_it() -> None:
    circle = circle_in("UTC")
    circle = handle_circle(circle, c.SkipMeeting(FAC, date(2026, 11, 3)), OCTOBER).circle
    held = datetime(2026, 10, 20, 15, tzinfo=UTC)
    assert updates_since(circle, datetime(2026, 11, 17, 15, tzinfo=UTC)) == held
