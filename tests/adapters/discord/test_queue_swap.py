"""A member asks another to swap turns in the client queue: the request, and its answer."""

from __future__ import annotations

from typing import Any

import pytest

from .world import CONSULTANTS, World, button_id

ASKS = "asks to swap turns"


async def swap_asked(world: World) -> list[dict[str, Any]]:
    """Cy asks Ann, who has just accepted the charter (an interaction of hers still at hand)."""
    fake = world.fake
    await world.circle_of(fake.text_id, "ann", *CONSULTANTS)
    await world.drained()
    asked = await fake.slash(
        "cy", "queue", fake.text_id, action="swap", first=fake.members["cy"], second=fake.members["ann"]
    )
    await fake.answered(asked)
    found: list[dict[str, Any]] = await fake.wait_for(
        lambda: [m for m in fake.dm_messages("ann") if ASKS in m["content"]]
    )
    return found


@pytest.mark.asyncio
async def test_a_swap_request_reaches_the_other_member_by_direct_message(world: World) -> None:
    [request] = await swap_asked(world)

    assert button_id(request, "accept_swap")


@pytest.mark.asyncio
async def test_a_swap_request_is_not_sent_as_a_follow_up_of_the_other_members_last_interaction(world: World) -> None:
    await swap_asked(world)
    await world.drained()

    follow_ups = [c for c in world.fake.calls if c.path.startswith("/webhooks/") and ASKS in str(c.body)]
    assert follow_ups == []


@pytest.mark.asyncio
async def test_accepting_a_swap_in_a_direct_message_answers_in_words(world: World) -> None:
    [request] = await swap_asked(world)

    pressed = await world.fake.press("ann", request, button_id(request, "accept_swap"), request["channel_id"])

    [answer] = await world.fake.answered(pressed)
    assert answer.body["type"] == 4
