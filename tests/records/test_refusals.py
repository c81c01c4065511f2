"""Records asked for from outside: another circle, another workspace, or no membership at all."""

from __future__ import annotations

import pytest

from tests.service.helpers import OUTSIDER, Driver, Place, accepted, refusal_text, say, snapshot

from .scenario import a_case_in_progress, files_sent

OTHER_CIRCLE = Place(channel="C2")
OTHER_WORKSPACE = Place(workspace="W2")


@pytest.mark.asyncio
async def test_a_member_of_another_circle_asking_for_a_case_by_number_gets_their_own_circles_answer(
    driver: Driver,
) -> None:
    await a_case_in_progress(driver)
    await driver.start_circle(members=(OUTSIDER,), place=OTHER_CIRCLE)

    outcome = await driver.slash(OUTSIDER, "export 1", place=OTHER_CIRCLE)

    assert refusal_text(outcome) == say("en", "error.unknown_case", number=1)
    assert await files_sent(driver) == []


@pytest.mark.asyncio
async def test_someone_outside_the_circle_asking_for_its_case_record_is_refused(driver: Driver) -> None:
    await a_case_in_progress(driver)

    outcome = await driver.slash(OUTSIDER, "export 1")

    assert refusal_text(outcome) == say("en", "records.error.export_refused", number=1)


@pytest.mark.asyncio
async def test_someone_outside_the_circle_asking_for_its_report_is_refused(driver: Driver) -> None:
    await a_case_in_progress(driver)

    outcome = await driver.slash(OUTSIDER, "export circle")

    assert refusal_text(outcome) == say("en", "records.error.report_refused")


@pytest.mark.asyncio
@pytest.mark.parametrize("command", ["journal", "journal list", "forget-me"])
async def test_someone_outside_the_circle_using_the_journal_or_forget_me_is_refused(
    driver: Driver, command: str
) -> None:
    await a_case_in_progress(driver)
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(OUTSIDER, command)

    assert refusal_text(outcome) == say("en", "error.not_member")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
@pytest.mark.parametrize("command", ["export 1", "export circle", "journal list", "forget-me"])
async def test_the_same_channel_in_another_workspace_has_no_circle_to_ask_about(driver: Driver, command: str) -> None:
    await a_case_in_progress(driver)

    outcome = await driver.slash(OUTSIDER, command, place=OTHER_WORKSPACE)

    assert refusal_text(outcome) == say("en", "error.no_circle")


@pytest.mark.asyncio
async def test_an_export_with_words_after_the_case_number_gets_the_usage(driver: Driver) -> None:
    await a_case_in_progress(driver)

    outcome = await driver.slash("fay", "export 1 please")

    assert refusal_text(outcome) == say("en", "records.error.export_usage")


@pytest.mark.asyncio
async def test_the_export_command_in_a_case_thread_exports_that_case(driver: Driver) -> None:
    await a_case_in_progress(driver)

    accepted(await driver.slash("ann", "export", thread="T1"))

    [sent] = await files_sent(driver)
    assert sent.filename == "case-1.md"
