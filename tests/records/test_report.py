"""The circle report: consultations, participation per member and phase, follow-up, rotation."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from bot.flows.model import (
    ActionItem,
    Cadence,
    Case,
    CaseKind,
    Circle,
    CircleSettings,
    Contribution,
    ContributionKind,
    Expose,
    ItemStatus,
    Language,
    Phase,
    Plan,
)
from bot.records.commands import EXPORT_CIRCLE, report_button
from bot.records.report import FollowUp, follow_up_of
from tests.service.helpers import CONSULTANTS, FAC, Driver, Place, accepted, refusal_text, say

from .scenario import files_sent, full_consultation

BOB = CONSULTANTS[0]


@pytest.mark.asyncio
async def test_a_facilitator_receives_the_report_as_markdown_and_the_member_table_as_csv(driver: Driver) -> None:
    await full_consultation(driver)

    accepted(await driver.slash(FAC, "export circle"))

    report, table = await files_sent(driver)
    assert (report.filename, table.filename) == ("circle-report.md", "circle-members.csv")
    assert {report.user_id, table.user_id} == {FAC}
    assert "Consultations: 1 (1 closed, 0 withdrawn, 0 in progress)." in report.content
    assert "1. 2026-12-01 09:00 — Ann (case 1)" in report.content


@pytest.mark.asyncio
async def test_the_csv_counts_each_members_contributions_per_phase_and_times_as_client(driver: Driver) -> None:
    await full_consultation(driver)

    accepted(await driver.slash(FAC, "export circle"))

    _, table = await files_sent(driver)
    rows = {row["member"]: row for row in csv.DictReader(io.StringIO(table.content))}
    assert set(rows) == {"Fay", "Ann", "Bob", "Cy", "Dan"}
    bob = rows["Bob"]
    assert (bob["times_as_client"], bob["clarification"], bob["contract"], bob["consultation"]) == ("0", "1", "1", "2")
    assert (bob["action_plan"], bob["learnings"], bob["follow_up"]) == ("1", "1", "0")
    ann = rows["Ann"]
    assert (ann["times_as_client"], ann["actions_settled"], ann["actions"]) == ("1", "2", "2")


@pytest.mark.asyncio
async def test_a_consultant_asking_for_the_circle_report_is_refused(driver: Driver) -> None:
    await full_consultation(driver)

    outcome = await driver.slash(BOB, "export circle")

    assert refusal_text(outcome) == say("en", "records.error.report_refused")
    assert await files_sent(driver) == []


@pytest.mark.asyncio
async def test_the_report_button_sends_a_facilitator_the_report_and_table_as_the_command_does(driver: Driver) -> None:
    await full_consultation(driver)

    outcome = accepted(await driver.press(FAC, EXPORT_CIRCLE))

    assert outcome.notices[0].text == say("en", "records.report_sent")
    report, table = await files_sent(driver)
    assert (report.filename, table.filename) == ("circle-report.md", "circle-members.csv")
    assert {report.user_id, table.user_id} == {FAC}
    assert "Consultations: 1 (1 closed, 0 withdrawn, 0 in progress)." in report.content


@pytest.mark.asyncio
async def test_the_report_button_sends_the_report_of_the_circle_whose_channel_it_names(driver: Driver) -> None:
    await driver.start_circle()
    other = await driver.start_circle(members=(BOB,), place=Place(channel="C2"))

    accepted(await driver.press(FAC, EXPORT_CIRCLE, place=Place(channel="C2")))

    assert {sent.circle_id for sent in await files_sent(driver)} == {other.id}


@pytest.mark.asyncio
async def test_a_consultant_pressing_the_report_button_is_refused_and_nothing_is_sent(driver: Driver) -> None:
    await full_consultation(driver)

    outcome = await driver.press(BOB, EXPORT_CIRCLE)

    assert refusal_text(outcome) == say("en", "records.error.report_refused")
    assert await files_sent(driver) == []


def test_the_report_button_is_labelled_in_the_circles_language() -> None:
    circle = circle_meeting_on().replace(settings=CircleSettings(language=Language.FR))

    button = report_button(circle)

    assert (button.action, button.label) == (EXPORT_CIRCLE, say("fr", "records.button.circle_report"))


# --- pure: follow-up completion ----------------------------------------------------------------

START = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def circle_meeting_on(*days: int) -> Circle:
    dates = tuple(datetime(2026, 12, day, 15, 0, tzinfo=UTC).replace(tzinfo=None) for day in days)  # local wall times
    return Circle("c1", "slack", "W1", "C1", "Leaders", START, cadence=Cadence(dates=dates))


def case_with_plan(*statuses: ItemStatus) -> Case:
    items = tuple(ActionItem(f"action {n}", status=status) for n, status in enumerate(statuses))
    expose = Expose(CaseKind.PROBLEM, "t", "c", "", "", "q?")
    case = Case("k1", "c1", 1, "ann", expose, ("bob",), Phase.FOLLOW_UP, START, START, None)
    return case.replace(plan=Plan("", items, START))


def update(day: int) -> Contribution:
    return Contribution(
        f"u{day}", "k1", "ann", ContributionKind.UPDATE, Phase.FOLLOW_UP, "news", datetime(2026, 12, day, 9, tzinfo=UTC)
    )


def test_follow_up_counts_the_meetings_since_the_plan_that_an_update_preceded() -> None:
    circle = circle_meeting_on(5, 10, 15)
    case = case_with_plan(ItemStatus.DONE, ItemStatus.OPEN)

    found = follow_up_of(circle, case, [update(4), update(14)], datetime(2026, 12, 12, tzinfo=UTC))

    # Meetings on the 5th and 10th have passed; only the 5th had an update before it.
    assert found == FollowUp(settled=1, actions=2, meetings=2, updated_before=1)


def test_a_case_without_a_plan_has_no_follow_up_to_count() -> None:
    case = case_with_plan().replace(plan=None)

    assert follow_up_of(circle_meeting_on(5), case, [], START + timedelta(days=30)) == FollowUp()


def test_done_dropped_and_changed_actions_count_as_settled_and_partly_does_not() -> None:
    case = case_with_plan(ItemStatus.DROPPED, ItemStatus.CHANGED, ItemStatus.PARTLY)
    assert follow_up_of(circle_meeting_on(), case, [], START).settled == 2
