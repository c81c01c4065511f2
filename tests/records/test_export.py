"""The case record: golden files per language, each contribution once and in order, inert text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.flows.model import (
    Case,
    CaseKind,
    Circle,
    Contribution,
    ContributionKind,
    Expose,
    Member,
    Phase,
)
from bot.records.export import SHORT_ENOUGH, case_record, message_for, sections
from bot.records.names import reader_zone
from bot.records.neutralise import pings
from tests.service.helpers import CLIENT, CONSULTANTS, FAC, Driver, accepted, refusal_text, say

from .scenario import files_sent, full_consultation

GOLDEN = Path(__file__).parent / "golden"
BOB = CONSULTANTS[0]


@pytest.mark.asyncio
@pytest.mark.parametrize("language", ["en", "fr"])
async def test_the_export_of_a_full_consultation_matches_the_golden_record(driver: Driver, language: str) -> None:
    await full_consultation(driver, language)

    accepted(await driver.slash(FAC, "export 1"))

    [sent] = await files_sent(driver)
    assert (sent.user_id, sent.filename) == (FAC, "case-1.md")
    assert sent.content == (GOLDEN / f"case-record.{language}.md").read_text(encoding="utf-8")


@pytest.mark.asyncio
async def test_the_client_receives_their_case_record_privately_with_a_notice(driver: Driver) -> None:
    await full_consultation(driver)

    outcome = accepted(await driver.slash(CLIENT, "export 1"))

    assert outcome.notices[0].text == say("en", "records.export_sent", number=1)
    [sent] = await files_sent(driver)
    assert sent.user_id == CLIENT
    assert "# Case 1: A conflict in my team" in sent.content


@pytest.mark.asyncio
async def test_a_client_exporting_without_a_number_gets_their_own_closed_case_while_another_runs(
    driver: Driver,
) -> None:
    await full_consultation(driver)
    await driver.open_case(client=CONSULTANTS[1], thread="T2")

    outcome = accepted(await driver.slash(CLIENT, "export"))

    assert outcome.notices[0].text == say("en", "records.export_sent", number=1)


@pytest.mark.asyncio
async def test_the_exported_record_pings_no_one(driver: Driver) -> None:
    await full_consultation(driver)

    accepted(await driver.slash(FAC, "export 1"))

    [sent] = await files_sent(driver)
    assert "everyone" in sent.content
    assert not pings(sent.content)


@pytest.mark.asyncio
async def test_a_consultant_asking_for_the_export_is_refused_and_nothing_is_sent(driver: Driver) -> None:
    await full_consultation(driver)

    outcome = await driver.slash(BOB, "export 1")

    assert refusal_text(outcome) == say("en", "records.error.export_refused", number=1)
    assert await files_sent(driver) == []


@pytest.mark.asyncio
async def test_a_member_who_left_is_still_named_in_the_case_record(driver: Driver) -> None:
    await full_consultation(driver)
    accepted(await driver.slash(CONSULTANTS[2], "leave"))

    accepted(await driver.slash(FAC, "export 1"))

    [sent] = await files_sent(driver)
    assert "**Question 3** — Dan, " in sent.content


def test_a_short_record_is_its_own_message_and_a_long_one_gets_a_caption() -> None:
    assert message_for("short", "caption") == "short"
    assert message_for("x" * (SHORT_ENOUGH + 1), "caption") == "caption"


# --- pure: the layout of contributions -------------------------------------------------------

START = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)
PEOPLE = ("ann", "bob", "cy")
PHASE_ORDER = (Phase.CLARIFICATION, Phase.CONTRACT, Phase.CONSULTATION, Phase.ACTION_PLAN, Phase.LEARNINGS)


def a_circle(timezone: str = "UTC", member_zone: str | None = None) -> Circle:
    members = tuple(Member(user, user.title(), START, timezone=member_zone) for user in PEOPLE)
    circle = Circle("c1", "slack", "W1", "C1", "Leaders", START, members=members)
    return circle.replace(settings=circle.settings.__class__(timezone=timezone))


def a_case(phase: Phase = Phase.CLOSED) -> Case:
    expose = Expose(CaseKind.PROBLEM, "A title", "Context", "", "", "The question?")
    return Case("k1", "c1", 1, "ann", expose, ("bob", "cy"), phase, START, START, None)


Drawn = tuple[ContributionKind, int, str, str, bool]

entries: st.SearchStrategy[list[Drawn]] = st.lists(
    st.tuples(
        st.sampled_from(tuple(ContributionKind)),
        st.integers(min_value=0, max_value=len(PHASE_ORDER) - 1),
        st.sampled_from(PEOPLE),
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
        st.booleans(),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(entries)
def test_every_contribution_appears_exactly_once_in_order_and_whole(drawn: list[Drawn]) -> None:
    ordered = sorted(drawn, key=lambda entry: entry[1])  # phases only move forward
    contributions = [
        Contribution(
            f"id{n}",
            "k1",
            author,
            kind,
            PHASE_ORDER[phase],
            f"MARK-{n:03d}\n{text}",
            START + timedelta(minutes=n),
            out_of_role=off,
        )
        for n, (kind, phase, author, text, off) in enumerate(ordered)
    ]

    laid_out = [e.contribution.id for s in sections(a_circle(), contributions, "en", "UTC") for e in s.entries]
    markdown = case_record(a_circle(), a_case(), contributions, reader="ann", zone="UTC", now=START)

    assert laid_out == [item.id for item in contributions]
    positions = [markdown.index(f"> MARK-{n:03d}") for n in range(len(contributions))]
    assert positions == sorted(positions)
    for n in range(len(contributions)):
        assert markdown.count(f"MARK-{n:03d}") == 1


def test_a_forty_thousand_character_contribution_is_in_the_record_whole() -> None:
    text = "Why? " + "word " * 7_999
    long = Contribution("id1", "k1", "bob", ContributionKind.QUESTION, Phase.CLARIFICATION, text.strip(), START)

    markdown = case_record(a_circle(), a_case(), [long], reader="ann", zone="UTC", now=START)

    assert f"> {text.strip()}\n" in markdown


def test_times_are_shown_in_the_readers_own_time_zone_when_they_gave_one() -> None:
    circle = a_circle(timezone="Europe/Paris", member_zone="Asia/Tokyo")
    first = Contribution("id1", "k1", "bob", ContributionKind.QUESTION, Phase.CLARIFICATION, "Why?", START)

    zone = reader_zone(circle, "ann")
    markdown = case_record(circle, a_case(), [first], reader="ann", zone=zone, now=START)

    assert zone == "Asia/Tokyo"
    assert "**Question 1** — Bob, 2026-12-01 23:00" in markdown


def test_times_are_shown_in_the_circles_time_zone_when_the_reader_gave_none() -> None:
    assert reader_zone(a_circle(timezone="Europe/Paris"), "ann") == "Europe/Paris"


def test_consecutive_advice_of_one_consultant_is_grouped_under_their_name_once() -> None:
    advice = [
        Contribution(f"id{n}", "k1", who, ContributionKind.ADVICE, Phase.CONSULTATION, f"Advice {n}", START)
        for n, who in enumerate(("bob", "bob", "cy"))
    ]

    markdown = case_record(a_circle(), a_case(), advice, reader="ann", zone="UTC", now=START)

    assert markdown.count("### Advice from Bob") == 1
    assert markdown.count("### Advice from Cy") == 1
