"""The records' commands on Discord: every form the core knows has its options."""

from __future__ import annotations

import pytest

from bot.flows.catalog import t

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
