"""Retention: closed cases past the circle's period lose their contributions, once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.flows.effects import UpdateCard
from bot.flows.model import Phase
from bot.records.retention import purge_expired
from tests.service.helpers import CONSULTANTS, FAC, Driver, accepted, case_of, contributions_of, queued

from .scenario import files_sent, full_consultation
from .storage_scan import rows_in

BOB = CONSULTANTS[0]


async def closed_and_open_case(driver: Driver, retention: str = "30") -> tuple[str, str]:
    """Case 1 closed (the full consultation), case 2 still in progress; the retention set."""
    closed = await full_consultation(driver)
    accepted(await driver.slash(FAC, f"settings retention_days {retention}"))
    still_open = await driver.open_case(BOB, thread="T2")
    return closed.id, still_open.id


@pytest.mark.asyncio
async def test_nothing_is_purged_before_the_retention_period_has_passed(driver: Driver) -> None:
    closed, _ = await closed_and_open_case(driver)
    ended = (await case_of(driver.sessions, closed)).closed_at
    assert ended is not None

    purged = await purge_expired(driver.sessions, ended + timedelta(days=30) - timedelta(minutes=1))

    assert purged == 0
    assert await contributions_of(driver.sessions, closed) != []


@pytest.mark.asyncio
async def test_a_closed_case_past_the_period_loses_its_words_and_the_open_one_keeps_them(
    driver: Driver,
) -> None:
    closed, still_open = await closed_and_open_case(driver)
    ended = (await case_of(driver.sessions, closed)).closed_at
    assert ended is not None

    purged = await purge_expired(driver.sessions, ended + timedelta(days=30))

    assert purged == 1
    assert {item.text for item in await contributions_of(driver.sessions, closed)} == {"[purged]"}
    assert "[purged]" not in {item.text for item in await contributions_of(driver.sessions, still_open)}
    case = await case_of(driver.sessions, closed)
    assert (case.expose.title, case.phase) == ("[purged]", Phase.CLOSED)


@pytest.mark.asyncio
async def test_a_purged_cases_card_is_redrawn_without_its_title(driver: Driver) -> None:
    closed, _ = await closed_and_open_case(driver)
    ended = (await case_of(driver.sessions, closed)).closed_at
    assert ended is not None

    await purge_expired(driver.sessions, ended + timedelta(days=30))

    cards = [row.effect for row in await queued(driver.sessions) if isinstance(row.effect, UpdateCard)]
    assert cards[-1].card.title == "Case 1: [purged]"


@pytest.mark.asyncio
async def test_a_case_is_purged_only_once_and_the_purge_is_recorded_once(driver: Driver) -> None:
    closed, _ = await closed_and_open_case(driver)
    ended = (await case_of(driver.sessions, closed)).closed_at
    assert ended is not None
    await purge_expired(driver.sessions, ended + timedelta(days=30))

    again = await purge_expired(driver.sessions, ended + timedelta(days=60))

    assert again == 0
    [purge] = await rows_in(driver.sessions, "purges")
    assert (purge["case_id"], purge["case_number"]) == (closed, 1)
    assert purge["contributions"] > 20


@pytest.mark.asyncio
async def test_a_circle_that_keeps_its_cases_is_never_purged(driver: Driver) -> None:
    closed, _ = await closed_and_open_case(driver, retention="keep")

    purged = await purge_expired(driver.sessions, driver.clock() + timedelta(days=3650))

    assert purged == 0
    assert await contributions_of(driver.sessions, closed) != []


@pytest.mark.asyncio
async def test_the_purge_shows_in_the_circle_report_and_in_the_case_record(driver: Driver) -> None:
    closed, _ = await closed_and_open_case(driver)
    ended = (await case_of(driver.sessions, closed)).closed_at
    assert ended is not None
    await purge_expired(driver.sessions, ended + timedelta(days=30))

    accepted(await driver.slash(FAC, "export circle"))
    accepted(await driver.slash(FAC, "export 1"))

    report, _table, record = await files_sent(driver)
    assert "Case 1: " in report.content
    assert "contributions purged on" in report.content
    assert "were purged on" in record.content
    assert "Listening before advising" not in record.content


@pytest.mark.asyncio
async def test_a_purge_keeps_who_took_part_in_which_phase_for_the_circle_report(driver: Driver) -> None:
    closed, _ = await closed_and_open_case(driver)
    ended = (await case_of(driver.sessions, closed)).closed_at
    assert ended is not None
    before = [(c.author_id, c.phase, c.kind) for c in await contributions_of(driver.sessions, closed)]

    await purge_expired(driver.sessions, ended + timedelta(days=30))

    assert [(c.author_id, c.phase, c.kind) for c in await contributions_of(driver.sessions, closed)] == before
