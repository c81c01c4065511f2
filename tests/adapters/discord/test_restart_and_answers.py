"""Buttons survive a restart; slow steps are deferred, never left unanswered."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest

from bot.flows.catalog import t
from bot.incoming import Incoming, Outcome

from .journey import SUBMISSION_STEP_1, form_button, form_message, submit_case
from .world import CONSULTANTS, FAST, SlowCore, World, button_id, running_world


@pytest.mark.asyncio
async def test_after_a_restart_mid_case_the_buttons_on_the_existing_card_still_work(world: World) -> None:
    fake = world.fake
    await world.circle_of(fake.text_id, "ann", *CONSULTANTS)
    await submit_case(world, "ann", fake.text_id)
    card = await world.phase_shown(1, "Clarification")

    await world.restart()

    assert fake.identifies == 2
    for who in CONSULTANTS:
        pressed = await fake.press(who, card, button_id(card, "no_more_questions"))
        assert (await fake.answered(pressed))[0].body["type"] == 6  # acknowledged, silently
    await world.phase_shown(1, "Contract")


@pytest.mark.asyncio
async def test_a_slow_engine_step_is_deferred_within_three_seconds_then_answered_by_a_follow_up(world: World) -> None:
    fake = world.fake
    slow = dataclasses.replace(FAST, answer_within=0.2)
    await world.restart(core=SlowCore(world.app.codev, delay=0.6), tuning=slow)

    asked = await fake.slash("fay", "help", fake.text_id)
    deferral, follow_up = await fake.answered(asked, 2)

    assert deferral.body["type"] == 5  # "Codev is thinking…"
    assert deferral.body["data"]["flags"] & 64  # only the asker sees it
    assert deferral.at - asked.sent_at < 3.0
    assert follow_up.path == f"/webhooks/{fake.app_id}/{asked.token}"
    assert follow_up.at - asked.sent_at >= 0.6
    assert "/codev" in follow_up.body["content"]


@pytest.mark.asyncio
async def test_a_command_from_someone_outside_any_circle_is_answered_privately_never_left_failing(world: World) -> None:
    fake = world.fake
    answers = await world.command("bob", "status", fake.text_id)
    assert answers[0].body["type"] == 4
    assert answers[0].body["data"]["flags"] & 64
    assert answers[0].body["data"]["content"]


@pytest.mark.asyncio
async def test_a_form_that_comes_after_a_deferral_opens_from_a_button_in_the_follow_up(world: World) -> None:
    fake = world.fake
    await world.circle_of(fake.text_id, "ann", *CONSULTANTS)
    slow = dataclasses.replace(FAST, answer_within=0.2)
    await world.restart(core=SlowCore(world.app.codev, delay=0.5), tuning=slow)

    asked = await fake.slash("ann", "submit", fake.text_id)
    deferral, _ = await fake.answered(asked, 2)
    assert deferral.body["type"] == 5
    (ready,) = fake.followups[asked.token]
    opened = await fake.press("ann", ready | {"channel_id": str(fake.text_id)}, button_id(ready, "o"))

    (modal,) = await fake.answered(opened)
    assert modal.body["type"] == 9
    assert [row["components"][0]["custom_id"] for row in modal.body["data"]["components"]] == [
        "kind",
        "title",
        "context",
        "question",
    ]


class BrokenCore:
    """A core whose every step fails (a bug, the database down)."""

    async def handle(self, incoming: Incoming) -> Outcome:
        raise RuntimeError("the database is down")


@pytest.mark.asyncio
async def test_when_the_core_fails_the_member_reads_that_nothing_changed_instead_of_interaction_failed(
    world: World,
) -> None:
    fake = world.fake
    await world.restart(core=BrokenCore())

    answers = await world.command("fay", "join", fake.text_id)

    assert answers[0].body["type"] == 4
    assert "nothing was changed" in answers[0].body["data"]["content"]


CONTEXT = "Two senior people no longer talk to each other, since the reorganisation in May."


async def _submitted_after_a_restart(world: World, *, labelled: bool = False) -> list[Any]:
    """The answers to a submission form's page that was open while the bot restarted."""
    fake = world.fake
    await world.circle_of(fake.text_id, "ann", *CONSULTANTS)
    (modal,) = await world.command("ann", "submit", fake.text_id)
    assert modal.body["type"] == 9

    await world.restart()
    custom_id = modal.body["data"]["custom_id"]
    sent = await fake.submit_modal("ann", custom_id, {"context": CONTEXT}, fake.text_id, labelled=labelled)
    return await fake.answered(sent)


def _shown(answers: list[Any]) -> str:
    return "\n".join(answer.body.get("data", answer.body).get("content", "") for answer in answers)


@pytest.mark.asyncio
async def test_a_form_sent_while_the_bot_runs_is_never_answered_as_lost(world: World) -> None:
    fake = world.fake
    await world.circle_of(fake.text_id, "ann", *CONSULTANTS)

    sent = await submit_case(world, "ann", fake.text_id)
    await world.drained()

    assert t("en", "discord.form_expired").split(" (")[0] not in _shown(fake.answers(sent))


@pytest.mark.asyncio
async def test_a_form_left_open_across_a_restart_is_answered_privately_not_left_failing(world: World) -> None:
    answers = await _submitted_after_a_restart(world)

    assert answers[0].body["type"] == 4
    assert answers[0].body["data"]["flags"] & 64  # only the member sees it


@pytest.mark.asyncio
async def test_a_form_left_open_across_a_restart_gives_back_what_was_typed_in_it(world: World) -> None:
    answers = await _submitted_after_a_restart(world)

    assert CONTEXT in _shown(answers)


@pytest.mark.asyncio
async def test_what_was_typed_is_given_back_from_inputs_sent_inside_labels_too(world: World) -> None:
    answers = await _submitted_after_a_restart(world, labelled=True)

    assert CONTEXT in _shown(answers)


@pytest.mark.asyncio
async def test_a_form_page_sent_after_discord_py_forgot_its_modal_is_still_taken(database_url: str) -> None:
    async with running_world(database_url, dataclasses.replace(FAST, modal_timeout=0.05)) as world:
        fake = world.fake
        await world.circle_of(fake.text_id, "ann", *CONSULTANTS)
        opened = await fake.slash("ann", "submit", fake.text_id)
        modal = (await fake.answered(opened))[0].body
        await asyncio.sleep(0.2)  # past the modal's timeout: discord.py no longer holds it

        sent = await fake.submit_modal("ann", modal["data"]["custom_id"], SUBMISSION_STEP_1, fake.text_id)

        [answer] = await fake.answered(sent)
        assert "Step 1 of 2" in answer.body["data"]["content"]


def _inputs(components: list[dict[str, Any]]) -> dict[str, Any]:
    """custom_id -> value of a modal's text inputs, in action rows or labels."""
    found: dict[str, Any] = {}
    for component in components:
        inner = component.get("components") or ([component["component"]] if "component" in component else [])
        if inner:
            found.update(_inputs(inner))
        elif "custom_id" in component:
            found[component["custom_id"]] = component.get("value")
    return found


@pytest.mark.asyncio
async def test_a_refused_form_opens_again_filled_in_with_what_was_typed(world: World) -> None:
    fake = world.fake
    await world.circle_of(fake.text_id, "ann", *CONSULTANTS)
    opened = await fake.slash("ann", "submit", fake.text_id)
    step_one = await world.fill("ann", opened, {**SUBMISSION_STEP_1, "kind": "a dilemma"}, fake.text_id)
    first = form_message(fake, (await fake.answered(step_one))[0].body, fake.text_id)
    sent = await fake.press("ann", first, form_button(first, "s"), fake.text_id)  # send without page 2
    kept = form_message(fake, {"data": (await fake.answered(sent, 2))[1].body}, fake.text_id)

    reopened = await fake.press("ann", kept, form_button(kept, "o"), fake.text_id)

    modal = (await fake.answered(reopened))[0].body
    assert _inputs(modal["data"]["components"])["context"] == SUBMISSION_STEP_1["context"]
