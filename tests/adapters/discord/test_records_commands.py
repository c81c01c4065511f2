"""The records' commands on Discord: every form the core knows has its options."""

from __future__ import annotations

import pytest

from bot.flows.catalog import t

from .journey import form_message
from .world import CONSULTANTS, World


def answer_text(calls: list[object]) -> str:
    call = calls[0]
    body = call.body  # type: ignore[attr-defined]
    return str(body["data"]["content"] if body.get("type") == 4 else body.get("content", ""))


@pytest.mark.asyncio
async def test_a_member_reads_their_journal_with_the_journal_commands_list_action(world: World) -> None:
    await world.circle_of(world.fake.text_id, *CONSULTANTS)

    answered = await world.command(CONSULTANTS[0], "journal", world.fake.text_id, action="list")

    assert t("en", "records.journal.no_entries") in answer_text(answered)


@pytest.mark.asyncio
async def test_a_facilitator_asks_for_the_circle_report_with_exports_circle_option(world: World) -> None:
    await world.circle_of(world.fake.text_id, *CONSULTANTS)

    answered = await world.command("fay", "export", world.fake.text_id, circle=True)

    assert answer_text(answered) == t("en", "records.report_sent")


@pytest.mark.asyncio
async def test_a_facilitator_asks_to_delete_the_circle_with_forget_mes_circle_option(world: World) -> None:
    await world.circle_of(world.fake.text_id, *CONSULTANTS)

    answered = await world.command("fay", "forget-me", world.fake.text_id, circle=True)

    assert answer_text(answered) == t("en", "records.confirm_circle", name="Leaders")


@pytest.mark.asyncio
async def test_a_former_member_named_with_spaces_and_dots_is_erased_through_the_confirmation_button(
    world: World,
) -> None:
    fake = world.fake
    await world.circle_of(fake.text_id, *CONSULTANTS)
    await world.command(CONSULTANTS[0], "leave", fake.text_id)
    [asked] = await world.command(
        "fay", "forget-me", fake.text_id, member=fake.members[CONSULTANTS[0]], name="J. Smith"
    )
    question = form_message(fake, asked.body, fake.text_id)

    answered = await fake.answered(await world.press("fay", question, "confirm_forget_me"))

    assert answer_text(answered) == t("en", "records.erased_member")
