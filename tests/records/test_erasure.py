"""Erase my data: nothing of the member is left in any table, records still read, it is recorded."""

from __future__ import annotations

import pytest

from bot.flows.effects import UpdateCard
from bot.incoming import FormSubmission
from bot.records.erasure import CONFIRM_CIRCLE, CONFIRM_MEMBER
from tests.service.helpers import (
    CLIENT,
    CONSULTANTS,
    FAC,
    HOME,
    OUTSIDER,
    Driver,
    Place,
    accepted,
    circle_at,
    queued,
    refusal_text,
    say,
    snapshot,
)

from .scenario import a_case_in_progress, files_sent, full_consultation
from .storage_scan import cells_holding, rows_in

BOB, CY, DAN = CONSULTANTS


async def erased_bob(driver: Driver) -> None:
    """A full consultation, a journal entry of Bob's, then Bob erases his data."""
    await full_consultation(driver)
    # With a platform event id: processed_events keeps the id, which names no one.
    journal = FormSubmission("journal", {"entry": "My own notes.", "case": "1"})
    accepted(await driver.send(BOB, journal, event_id="Ev0001"))
    accepted(await driver.fill(CY, "journal", {"entry": "Bob asked the best question."}))
    accepted(await driver.slash(BOB, "forget-me"))
    accepted(await driver.press(BOB, CONFIRM_MEMBER, value=BOB))


@pytest.mark.asyncio
async def test_forget_me_first_asks_for_a_confirmation_and_changes_nothing(driver: Driver) -> None:
    await full_consultation(driver)
    before = await snapshot(driver.sessions)

    outcome = accepted(await driver.slash(BOB, "forget-me"))

    assert outcome.notices[0].text == say("en", "records.confirm_self")
    assert [(b.action, b.value) for b in outcome.notices[0].buttons] == [(CONFIRM_MEMBER, BOB)]
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_after_forget_me_no_cell_of_any_table_holds_the_members_id_or_name(driver: Driver) -> None:
    await erased_bob(driver)

    assert await cells_holding(driver.sessions, r"(?i)bob") == []


@pytest.mark.asyncio
async def test_after_forget_me_processed_events_keep_only_event_ids(driver: Driver) -> None:
    await erased_bob(driver)

    assert [row["event_id"] for row in await rows_in(driver.sessions, "processed_events")] == ["Ev0001"]


@pytest.mark.asyncio
async def test_in_a_french_circle_the_erased_member_reads_as_un_ancien_membre(driver: Driver) -> None:
    await full_consultation(driver, "fr")
    accepted(await driver.slash(BOB, "forget-me"))
    accepted(await driver.press(BOB, CONFIRM_MEMBER, value=BOB))

    accepted(await driver.slash(FAC, "export 1"))

    [sent] = await files_sent(driver)
    assert "### Conseils donnés par un ancien membre (1)" in sent.content


@pytest.mark.asyncio
async def test_after_forget_me_the_card_of_each_case_they_took_part_in_is_redrawn(driver: Driver) -> None:
    await full_consultation(driver)
    accepted(await driver.slash(BOB, "forget-me"))
    last_before = max(row.id for row in await queued(driver.sessions))

    accepted(await driver.press(BOB, CONFIRM_MEMBER, value=BOB))

    redrawn = [
        row.effect for row in await queued(driver.sessions) if row.id > last_before and row.kind == "update_card"
    ]
    assert [card.card.title for card in redrawn if isinstance(card, UpdateCard)] == ["Case 1: A conflict in my team"]


@pytest.mark.asyncio
async def test_after_forget_me_the_case_record_reads_with_a_former_member(driver: Driver) -> None:
    await erased_bob(driver)

    accepted(await driver.slash(FAC, "export 1"))

    [sent] = await files_sent(driver)
    assert "**Question 1** — a former member (1), " in sent.content
    assert "### Advice from a former member (1)" in sent.content
    assert "> Listening before advising. (a former member (1))" in sent.content
    assert "Bob" not in sent.content


@pytest.mark.asyncio
async def test_after_forget_me_the_members_journal_is_gone_and_others_mentions_are_anonymised(driver: Driver) -> None:
    await erased_bob(driver)

    entries = await rows_in(driver.sessions, "journal_entries")

    assert [entry["text"] for entry in entries] == ["a former member (1) asked the best question."]


@pytest.mark.asyncio
async def test_forget_me_is_recorded_without_saying_what_was_erased(driver: Driver) -> None:
    await erased_bob(driver)

    [erasure] = await rows_in(driver.sessions, "erasures")

    assert (erasure["scope"], erasure["pseudonym"], erasure["by_facilitator"]) == ("member", 1, False)
    accepted(await driver.slash(FAC, "export circle"))
    report = (await files_sent(driver))[0].content
    assert "a member erased their data" in report


@pytest.mark.asyncio
async def test_the_member_leaves_the_circle_and_the_rotation_when_erased(driver: Driver) -> None:
    await erased_bob(driver)

    circle = await circle_at(driver.sessions)

    assert circle is not None
    assert circle.member(BOB) is None
    assert BOB not in circle.rotation.queue


@pytest.mark.asyncio
async def test_forget_me_also_erases_the_member_from_the_workspaces_other_circles(driver: Driver) -> None:
    await full_consultation(driver)
    other = Place(channel="C2")
    await driver.start_circle(members=(BOB, CY), place=other)
    accepted(await driver.fill(BOB, "journal", {"entry": "Notes from the other circle."}, place=other))

    accepted(await driver.press(BOB, CONFIRM_MEMBER, value=BOB))

    assert await cells_holding(driver.sessions, r"(?i)bob") == []
    erased_in = {row["circle_id"] for row in await rows_in(driver.sessions, "erasures")}
    assert len(erased_in) == 2


@pytest.mark.asyncio
async def test_forget_me_leaves_the_same_id_in_another_workspace_alone(driver: Driver) -> None:
    await full_consultation(driver)
    elsewhere = Place(workspace="W2")
    await driver.start_circle(members=(BOB,), place=elsewhere)

    accepted(await driver.press(BOB, CONFIRM_MEMBER, value=BOB))

    circle = await circle_at(driver.sessions, elsewhere)
    assert circle is not None
    assert circle.member(BOB) is not None


@pytest.mark.asyncio
async def test_two_erased_members_keep_distinct_pseudonyms(driver: Driver) -> None:
    await erased_bob(driver)
    accepted(await driver.slash(CY, "forget-me"))
    accepted(await driver.press(CY, CONFIRM_MEMBER, value=CY))

    accepted(await driver.slash(FAC, "export 1"))

    [sent] = await files_sent(driver)
    assert "### Advice from a former member (1)" in sent.content
    assert "### Advice from a former member (2)" in sent.content


@pytest.mark.asyncio
async def test_a_member_who_left_is_asked_to_confirm_erasing_their_own_data(driver: Driver) -> None:
    await full_consultation(driver)
    accepted(await driver.slash(DAN, "leave"))

    outcome = accepted(await driver.slash(DAN, "forget-me"))

    assert outcome.notices[0].text == say("en", "records.confirm_self")
    assert [(b.action, b.value) for b in outcome.notices[0].buttons] == [(CONFIRM_MEMBER, DAN)]


@pytest.mark.asyncio
async def test_a_member_who_left_erases_their_own_data_and_no_cell_holds_their_id(driver: Driver) -> None:
    await full_consultation(driver)
    accepted(await driver.fill(DAN, "journal", {"entry": "My own notes."}))
    accepted(await driver.slash(DAN, "leave"))

    accepted(await driver.press(DAN, CONFIRM_MEMBER, value=DAN))

    assert await cells_holding(driver.sessions, rf"\b{DAN}\b") == []
    [erasure] = await rows_in(driver.sessions, "erasures")
    assert erasure["by_facilitator"] is False


@pytest.mark.asyncio
async def test_a_facilitator_erases_a_member_who_left_and_no_cell_holds_their_id(driver: Driver) -> None:
    await full_consultation(driver)
    accepted(await driver.slash(DAN, "leave"))

    confirm = accepted(await driver.slash(FAC, f"forget-me <@{DAN}>"))
    accepted(await driver.press(FAC, CONFIRM_MEMBER, value=DAN))

    assert [b.value for b in confirm.notices[0].buttons] == [DAN]
    assert await cells_holding(driver.sessions, rf"\b{DAN}\b") == []
    [erasure] = await rows_in(driver.sessions, "erasures")
    assert erasure["by_facilitator"] is True


@pytest.mark.asyncio
async def test_a_facilitator_erases_a_member_who_left_and_no_cell_holds_their_name_though_nobody_typed_it(
    driver: Driver,
) -> None:
    await full_consultation(driver)
    accepted(await driver.slash(DAN, "leave"))
    assert await cells_holding(driver.sessions, r"(?i)\bdan\b") != []  # kept, in the circle's departed

    accepted(await driver.slash(FAC, f"forget-me <@{DAN}>"))
    accepted(await driver.press(FAC, CONFIRM_MEMBER, value=DAN))

    assert await cells_holding(driver.sessions, r"(?i)\bdan\b") == []


@pytest.mark.asyncio
async def test_the_confirmation_to_erase_a_member_who_left_names_them(driver: Driver) -> None:
    await full_consultation(driver)
    accepted(await driver.slash(DAN, "leave"))

    confirm = accepted(await driver.slash(FAC, f"forget-me <@{DAN}>"))

    assert confirm.notices[0].text == say("en", "records.confirm_member", who="Dan")


@pytest.mark.asyncio
async def test_once_a_member_who_left_is_erased_the_circle_no_longer_keeps_their_name(driver: Driver) -> None:
    await full_consultation(driver)
    accepted(await driver.slash(DAN, "leave"))

    accepted(await driver.press(FAC, CONFIRM_MEMBER, value=DAN))

    circle = await circle_at(driver.sessions)
    assert circle is not None
    assert circle.departed == ()


@pytest.mark.asyncio
async def test_forget_me_also_erases_the_name_another_circle_kept_after_the_member_left_it(driver: Driver) -> None:
    await full_consultation(driver)
    other = Place(channel="C2")
    await driver.start_circle(members=(BOB, CY), place=other)
    accepted(await driver.slash(BOB, "leave", place=other))

    accepted(await driver.press(BOB, CONFIRM_MEMBER, value=BOB))

    assert await cells_holding(driver.sessions, r"(?i)bob") == []


@pytest.mark.asyncio
async def test_a_facilitator_deletes_a_whole_circle_after_confirming(driver: Driver) -> None:
    await full_consultation(driver)
    circle = await circle_at(driver.sessions)
    assert circle is not None

    confirm = accepted(await driver.slash(FAC, "forget-me circle"))
    accepted(await driver.press(FAC, CONFIRM_CIRCLE, value=circle.id))

    assert [b.action for b in confirm.notices[0].buttons] == [CONFIRM_CIRCLE]
    for table in ("circles", "cases", "contributions", "journal_entries", "outbox", "purges"):
        assert await rows_in(driver.sessions, table) == [], table
    [erasure] = await rows_in(driver.sessions, "erasures")
    assert erasure["scope"] == "circle"


@pytest.mark.asyncio
async def test_a_facilitator_who_gives_the_left_members_name_has_it_replaced_in_every_text(driver: Driver) -> None:
    await full_consultation(driver)
    accepted(await driver.slash(DAN, "leave"))

    confirm = accepted(await driver.slash(FAC, f"forget-me <@{DAN}> Dan"))
    [button] = confirm.notices[0].buttons
    accepted(await driver.press(FAC, button.action, value=button.value))

    assert await cells_holding(driver.sessions, r"(?i)\bdan\b") == []
    accepted(await driver.slash(FAC, "export 1"))
    [sent] = await files_sent(driver)
    assert "**Question 3** — a former member (1), " in sent.content


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_member_erasing_another_member_is_refused(driver: Driver) -> None:
    await a_case_in_progress(driver)

    outcome = await driver.slash(BOB, f"forget-me @{CY}")

    assert refusal_text(outcome) == say("en", "records.error.facilitators_only")


@pytest.mark.asyncio
async def test_a_facilitator_erasing_a_member_still_in_the_circle_is_refused(driver: Driver) -> None:
    await a_case_in_progress(driver)
    before = await snapshot(driver.sessions)

    outcome = await driver.press(FAC, CONFIRM_MEMBER, value=CY)

    assert refusal_text(outcome) == say("en", "records.error.still_member", who="Cy")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_erasing_someone_the_circle_keeps_nothing_of_is_refused_before_any_confirmation(driver: Driver) -> None:
    await full_consultation(driver)
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(FAC, "forget-me @ghost")

    assert refusal_text(outcome) == say("en", "records.error.nothing_kept", who="ghost")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_confirming_an_erasure_twice_erases_once_and_then_says_nothing_is_kept(driver: Driver) -> None:
    await full_consultation(driver)
    accepted(await driver.slash(DAN, "leave"))
    accepted(await driver.press(FAC, CONFIRM_MEMBER, value=DAN))

    outcome = await driver.press(FAC, CONFIRM_MEMBER, value=DAN)

    assert refusal_text(outcome) == say("en", "records.error.nothing_kept", who=DAN)
    assert len(await rows_in(driver.sessions, "erasures")) == 1


@pytest.mark.asyncio
async def test_a_client_with_a_case_in_progress_cannot_erase_their_data_yet(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()

    outcome = await driver.slash(CLIENT, "forget-me")

    assert refusal_text(outcome) == say("en", "records.error.open_case", number=1)


@pytest.mark.asyncio
async def test_a_case_in_progress_in_another_circle_of_the_workspace_holds_the_erasure_back(driver: Driver) -> None:
    await driver.start_circle()
    other = Place(channel="C2")
    await driver.start_circle(members=(BOB, CY), place=other)
    await driver.open_case(BOB, thread="T9", place=other)

    outcome = await driver.slash(BOB, "forget-me")

    assert refusal_text(outcome) == say("en", "records.error.open_case_elsewhere", number=1, circle="Leaders")


@pytest.mark.asyncio
async def test_the_only_facilitator_of_a_circle_with_members_must_hand_over_before_erasing(driver: Driver) -> None:
    await driver.start_circle()

    outcome = await driver.slash(FAC, "forget-me")

    assert refusal_text(outcome) == say("en", "records.error.last_facilitator")


@pytest.mark.asyncio
async def test_someone_outside_the_circle_pressing_an_erasure_button_is_refused(driver: Driver) -> None:
    await a_case_in_progress(driver)
    before = await snapshot(driver.sessions)

    outcome = await driver.press(OUTSIDER, CONFIRM_MEMBER, value=CLIENT)

    assert refusal_text(outcome) == say("en", "records.error.facilitators_only")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_facilitator_of_another_workspace_cannot_delete_this_circle(driver: Driver) -> None:
    await a_case_in_progress(driver)
    home = await circle_at(driver.sessions, HOME)
    assert home is not None
    elsewhere = Place(workspace="W2")
    await driver.start_circle(members=(OUTSIDER,), place=elsewhere)

    outcome = await driver.press(FAC, CONFIRM_CIRCLE, value=home.id, place=elsewhere)

    assert outcome.refused
    assert await circle_at(driver.sessions, HOME) == home
