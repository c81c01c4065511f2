"""Reading `/codev …` text: subcommands, case numbers, mentions and schedules. Pure, no database."""

from __future__ import annotations

import shlex
from datetime import date, datetime, time

import pytest

from bot import intake
from bot.flows.errors import DomainError
from bot.flows.model import MeetingRule

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_an_empty_command_asks_for_help(text: str) -> None:
    assert intake.parse(text) == intake.Parsed("help", ())


@pytest.mark.parametrize("sub", intake.SUBCOMMANDS)
def test_every_known_subcommand_is_recognised(sub: str) -> None:
    assert intake.parse(f"{sub} x y").sub == sub


def test_a_subcommand_is_read_whatever_its_case_and_leading_slash() -> None:
    assert intake.parse("  /STATUS 3 ") == intake.Parsed("status", ("3",))


def test_quoted_arguments_stay_together() -> None:
    parsed = intake.parse('setup "Team leads" fr America/Montreal')
    assert parsed.args == ("Team leads", "fr", "America/Montreal")


def test_an_unbalanced_quote_falls_back_to_splitting_on_spaces() -> None:
    parsed = intake.parse('setup "Team leads fr')
    assert parsed == intake.Parsed("setup", ('"Team', "leads", "fr"))


def test_an_unknown_subcommand_is_refused_naming_it() -> None:
    with pytest.raises(DomainError) as refused:
        intake.parse("Bogus 3")
    assert refused.value.key == "error.unknown_subcommand"
    assert refused.value.params == {"sub": "Bogus"}


def test_a_long_unknown_subcommand_is_named_shortened() -> None:
    with pytest.raises(DomainError) as refused:
        intake.parse("x" * 500)
    assert refused.value.params["sub"] == "x" * 40


def test_an_oversized_command_is_refused_with_its_limit() -> None:
    text = "status " + "x" * intake.MAX_COMMAND
    with pytest.raises(DomainError) as refused:
        intake.parse(text)
    assert refused.value.key == "error.text_too_long"
    assert refused.value.params["limit"] == intake.MAX_COMMAND
    assert refused.value.params["length"] == len(text)


def test_a_command_exactly_at_the_limit_is_read() -> None:
    text = "status " + "x" * (intake.MAX_COMMAND - len("status "))
    assert intake.parse(text).sub == "status"


@pytest.mark.parametrize("ref", ["3", "#3"])
def test_a_leading_case_number_is_split_from_the_arguments(ref: str) -> None:
    assert intake.split_case_ref((ref, "2d")) == (3, ("2d",))


@pytest.mark.parametrize("args", [(), ("2d",), ("#x",), ("1234567",), ("3d", "4")])
def test_arguments_without_a_leading_case_number_are_left_alone(args: tuple[str, ...]) -> None:
    assert intake.split_case_ref(args) == (None, args)


@pytest.mark.parametrize(
    ("word", "user"),
    [
        ("<@U123>", "U123"),
        ("<@!123>", "123"),
        ("<@U1|name>", "U1"),
        ("@bob", "bob"),
        ("bob", "bob"),
        (" <@U123> ", "U123"),
    ],
)
def test_platform_mentions_are_reduced_to_the_user_id_or_name(word: str, user: str) -> None:
    assert intake.user_ref(word) == user


@pytest.mark.parametrize(
    ("word", "at"), [("15:00", time(15)), ("9:05", time(9, 5)), ("15h30", time(15, 30)), ("15h", time(15))]
)
def test_a_clock_time_is_read_with_a_colon_or_an_h(word: str, at: time) -> None:
    assert intake.parse_clock(word) == at


@pytest.mark.parametrize("word", ["24:00", "15:60", "1500", "3pm", ""])
def test_an_impossible_clock_time_is_refused(word: str) -> None:
    with pytest.raises(DomainError) as refused:
        intake.parse_clock(word)
    assert refused.value.key == "error.bad_time"


# --- schedules -----------------------------------------------------------------------------


def _schedule(text: str) -> intake.ScheduleRequest:
    return intake.parse_schedule(tuple(text.split()), TODAY)


def _refusal(text: str) -> str:
    with pytest.raises(DomainError) as refused:
        _schedule(text)
    return refused.value.key


def test_a_recurring_schedule_starts_today_by_default() -> None:
    request = _schedule("every 4 weeks on Tuesday at 15:00")
    assert request == intake.ScheduleRequest(rule=MeetingRule(1, time(15), 4, TODAY))


def test_a_recurring_schedule_may_name_its_first_day() -> None:
    request = _schedule("every 2 weeks on friday at 9:30 from 2027-01-08")
    assert request.rule == MeetingRule(4, time(9, 30), 2, date(2027, 1, 8))


def test_a_recurring_schedule_without_a_count_is_weekly() -> None:
    assert _schedule("every mon 08:00").rule == MeetingRule(0, time(8), 1, TODAY)


@pytest.mark.parametrize(
    "text",
    ["toutes les 3 semaines le mercredi à 14h00", "chaque 3 semaines le mercredi à 14h00"],
)
def test_a_recurring_schedule_may_be_written_in_french(text: str) -> None:
    assert _schedule(text).rule == MeetingRule(2, time(14), 3, TODAY)


def test_a_french_recurring_schedule_may_name_its_first_day() -> None:
    assert _schedule("chaque mardi à 15h00 dès 2027-01-05").rule == MeetingRule(1, time(15), 1, date(2027, 1, 5))


def test_an_explicit_meeting_is_a_naive_local_date_and_time() -> None:
    local_wall_time = datetime(2027, 1, 5, 15)  # noqa: DTZ001 (the circle's zone applies later)
    assert _schedule("2027-01-05 15:00") == intake.ScheduleRequest(add=local_wall_time)


def test_a_meeting_day_can_be_skipped() -> None:
    assert _schedule("skip 2027-01-05") == intake.ScheduleRequest(skip=date(2027, 1, 5))


def test_the_recurring_rule_can_be_cleared() -> None:
    assert _schedule("CLEAR") == intake.ScheduleRequest(clear_rule=True)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "every",
        "every 4 weeks",
        "every 4 weeks on funday at 15:00",
        "every 0 weeks on tuesday at 15:00",
        "every 13 weeks on tuesday at 15:00",
        "every 4 weeks on tuesday at 15:00 from",
        "every 4 weeks on tuesday wednesday at 15:00",
        "skip",
        "skip 2027-01-05 2027-01-06",
        "clear now",
        "clear 15:00",
        "2027-01-05",
        "2027-01-05 15:00 extra",
    ],
)
def test_a_malformed_schedule_gets_the_usage(text: str) -> None:
    assert _refusal(text) == "error.schedule_usage"


@pytest.mark.parametrize("text", ["every 4 weeks on tuesday at 25:00", "2027-01-05 noon"])
def test_a_schedule_with_an_impossible_time_is_refused(text: str) -> None:
    assert _refusal(text) == "error.bad_time"


@pytest.mark.parametrize(
    "text",
    ["2027-13-01 15:00", "skip tomorrow", "every tuesday at 15:00 from 2027-02-30", "05/01/2027 15:00"],
)
def test_a_schedule_with_an_unreadable_date_is_refused(text: str) -> None:
    assert _refusal(text) == "error.bad_date"


@pytest.mark.parametrize(
    "text", ["9999-12-31 23:59", "skip 9999-12-31", "every tuesday at 15:00 from 9999-12-20", "2032-01-01 15:00"]
)
def test_a_schedule_date_years_away_is_refused(text: str) -> None:
    assert _refusal(text) == "error.date_too_far"


def test_a_schedule_date_a_few_years_away_is_read() -> None:
    assert _schedule("2030-06-01 15:00").add == datetime(2030, 6, 1, 15, 0)  # noqa: DTZ001 (a local wall time)


@pytest.mark.parametrize(
    ("text", "number"),
    [("status 3", 3), ("status #12", 12), ("  advance 2 now", 2), ("status", None), ("extend 2d", None), ("", None)],
)
def test_the_case_a_command_names_first_is_read_from_its_first_argument(text: str, number: int | None) -> None:
    assert intake.named_case(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "status 3",
        "  /STATUS\t#3  ",
        "schedule every 4 weeks on tuesday at 15:00",
        "reassign 2 <@U123|bob>",
        "journal a;b|c&d #tag x=y (z)",
        "setup Team\tleads\r\nfr",
    ],
)
def test_plain_commands_are_split_as_shlex_splits_them(text: str) -> None:
    words = shlex.split(text.strip())

    assert intake.parse(text) == intake.Parsed(words[0].lower().lstrip("/"), tuple(words[1:]))
