"""App Home: a person's circles, open cases and phases, own action items, what awaits them."""

from __future__ import annotations

import json

import pytest

from tests.adapters.slack.scenes import CLIENT, CONSULTANTS, FAC, open_case, start_circle
from tests.adapters.slack.world import SlackWorld

BOB = CONSULTANTS[0]


async def open_home(world: SlackWorld, user: str, team: str = "T1") -> str:
    body = {
        "token": "legacy",
        "team_id": team,
        "api_app_id": "ACODEV",
        "type": "event_callback",
        "event_id": f"EvHome{user}{len(world.fake.calls)}",
        "event_time": 1,
        "event": {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"},
    }
    assert (await world.post_json(body)).status == 200
    await world.adapter.settle()
    [*_, published] = [c for c in world.fake.called("views.publish") if c.params["user_id"] == user]
    view = published.params["view"]
    assert view["type"] == "home"
    return json.dumps(view["blocks"], ensure_ascii=False)


@pytest.mark.asyncio
async def test_the_home_tab_shows_the_circle_the_open_case_its_phase_and_what_awaits_the_member(
    world: SlackWorld,
) -> None:
    await start_circle(world)
    await open_case(world)

    home = await open_home(world, BOB)

    assert "Leaders" in home
    assert "Case 1: A conflict in my team" in home
    assert "Clarification" in home
    assert "Waiting on you" in home


@pytest.mark.asyncio
async def test_the_home_tab_lists_the_clients_own_action_items_with_their_due_dates(world: SlackWorld) -> None:
    await start_circle(world)
    card = await open_case(world)
    for _ in range(3):  # clarification → contract → consultation → action plan
        await world.command(FAC, "advance 1")
        await world.deliver()
    await world.click(CLIENT, "post_plan", card)
    await world.submit(CLIENT, {"synthesis": "Talk.", "actions": "Meet them both (by 2026-12-20)\nWrite a charter"})

    home = await open_home(world, CLIENT)

    assert "Meet them both" in home
    assert "2026-12-20" in home
    assert "Write a charter" in home


@pytest.mark.asyncio
async def test_someone_in_no_circle_is_told_how_to_join_one(world: SlackWorld) -> None:
    await start_circle(world)

    home = await open_home(world, "UNEW")

    assert "/codev join" in home
    assert "Leaders" not in home
