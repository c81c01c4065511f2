"""The learning journal: written through a form, read back only by its author."""

from __future__ import annotations

import pytest

from tests.service.helpers import CLIENT, CONSULTANTS, FAC, Driver, accepted, refusal_text, say

from .scenario import full_consultation

BOB = CONSULTANTS[0]


@pytest.mark.asyncio
async def test_the_journal_command_opens_a_form_with_an_entry_and_an_optional_case(driver: Driver) -> None:
    await driver.start_circle()

    outcome = accepted(await driver.slash(BOB, "journal"))

    assert outcome.form is not None
    assert [(f.name, f.required) for f in outcome.form.fields] == [("entry", True), ("case", False)]


@pytest.mark.asyncio
async def test_a_member_reads_back_their_entries_and_their_learnings_from_every_case(driver: Driver) -> None:
    await full_consultation(driver)
    accepted(await driver.fill(BOB, "journal", {"entry": "Silence is a tool.", "case": "1"}))
    accepted(await driver.fill(BOB, "journal", {"entry": "Ask before telling."}))

    outcome = accepted(await driver.slash(BOB, "journal list"))

    text = outcome.notices[0].text
    assert "(case 1): Silence is a tool." in text
    assert ": Ask before telling." in text
    assert "Case 1" not in text  # numbers are written "case 1"
    assert "• case 1, " in text
    assert "Listening before advising. (bob)" in text
    assert "Asking for help early works." not in text  # the client's learning is not Bob's


@pytest.mark.asyncio
@pytest.mark.parametrize("written", ["case 1", "Cas 1", "#1"])
async def test_an_entry_names_its_case_as_people_write_it(driver: Driver, written: str) -> None:
    await full_consultation(driver)
    accepted(await driver.fill(BOB, "journal", {"entry": "Silence is a tool.", "case": written}))

    outcome = accepted(await driver.slash(BOB, "journal list"))

    assert "(case 1): Silence is a tool." in outcome.notices[0].text


@pytest.mark.asyncio
async def test_an_entry_naming_a_case_that_does_not_exist_is_saved_without_it_and_says_so(driver: Driver) -> None:
    await driver.start_circle()

    outcome = accepted(await driver.fill(BOB, "journal", {"entry": "Something.", "case": "7"}))
    listed = accepted(await driver.slash(BOB, "journal list"))

    assert outcome.notices[0].text == say("en", "records.journal.saved_without_case", number="7")
    assert "Something." in listed.notices[0].text


@pytest.mark.asyncio
async def test_a_member_who_left_still_reads_back_their_own_journal(driver: Driver) -> None:
    await driver.start_circle()
    accepted(await driver.fill(BOB, "journal", {"entry": "Silence is a tool."}))
    accepted(await driver.slash(BOB, "leave"))

    outcome = accepted(await driver.slash(BOB, "journal list"))

    assert ": Silence is a tool." in outcome.notices[0].text


@pytest.mark.asyncio
async def test_a_member_who_left_is_told_their_journal_takes_no_new_entries(driver: Driver) -> None:
    await driver.start_circle()
    accepted(await driver.slash(BOB, "leave"))

    outcome = await driver.slash(BOB, "journal")

    assert refusal_text(outcome) == say("en", "records.error.journal_closed")


@pytest.mark.asyncio
async def test_a_journal_entry_sent_after_leaving_is_refused_and_not_saved(driver: Driver) -> None:
    await driver.start_circle()
    accepted(await driver.slash(BOB, "leave"))

    outcome = await driver.fill(BOB, "journal", {"entry": "Written from the door."})
    listed = accepted(await driver.slash(BOB, "journal list"))

    assert refusal_text(outcome) == say("en", "records.error.journal_closed")
    assert "Written from the door." not in listed.notices[0].text


@pytest.mark.asyncio
async def test_a_member_asking_for_another_members_journal_is_refused(driver: Driver) -> None:
    await driver.start_circle()
    accepted(await driver.fill(CLIENT, "journal", {"entry": "Private thought."}))

    outcome = await driver.slash(BOB, f"journal list @{CLIENT}")

    assert refusal_text(outcome) == say("en", "records.error.journal_private")
    assert "Private thought." not in outcome.notices[0].text


@pytest.mark.asyncio
async def test_a_facilitator_asking_for_a_members_journal_is_refused(driver: Driver) -> None:
    await driver.start_circle()
    accepted(await driver.fill(CLIENT, "journal", {"entry": "Private thought."}))

    outcome = await driver.slash(FAC, f"journal list <@{CLIENT}>")

    assert refusal_text(outcome) == say("en", "records.error.journal_private")


@pytest.mark.asyncio
async def test_each_member_reads_only_their_own_entries(driver: Driver) -> None:
    await driver.start_circle()
    accepted(await driver.fill(CLIENT, "journal", {"entry": "Private thought."}))

    outcome = accepted(await driver.slash(FAC, "journal list"))

    assert "Private thought." not in outcome.notices[0].text
    assert say("en", "records.journal.no_entries") in outcome.notices[0].text


@pytest.mark.asyncio
async def test_the_journal_is_read_in_french_in_a_french_circle(driver: Driver) -> None:
    await driver.start_circle(language="fr")
    accepted(await driver.fill(BOB, "journal", {"entry": "Écouter."}))

    outcome = accepted(await driver.slash(BOB, "journal list"))

    assert outcome.notices[0].text.startswith("*Votre journal d'apprentissage*")
