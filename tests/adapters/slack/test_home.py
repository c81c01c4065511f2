"""App Home: a person's circles, open cases and phases, own action items, what awaits them."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from bot.adapters.slack.blocks import MAX_VIEW_BLOCKS
from bot.adapters.slack.home import home_view
from bot.flows.catalog import t
from bot.overview import CircleOverview, Overview
from tests.adapters.slack.scenes import CLIENT, CONSULTANTS, FAC, open_case, start_circle
from tests.adapters.slack.world import SlackWorld
from tests.flows import builders

BOB = CONSULTANTS[0]


async def open_home(world: SlackWorld, user: str, team: str = "T1") -> str:
    return json.dumps(await home_blocks(world, user, team), ensure_ascii=False)


async def home_blocks(world: SlackWorld, user: str, team: str = "T1") -> list[dict[str, Any]]:
    """The blocks of the Home tab Slack shows `user` once they open it."""
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
    return list(view["blocks"])


def report_buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        element
        for block in blocks
        for element in block.get("elements", ())
        if element.get("type") == "button" and element["action_id"].startswith("codev:export_circle:")
    ]


async def press_on_home(world: SlackWorld, user: str, button: dict[str, Any], team: str = "T1") -> None:
    """Press `button` on the Home tab: Slack sends no channel, only the view it sits in."""
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "api_app_id": "ACODEV",
        "token": "legacy",
        "container": {"type": "view", "view_id": f"VHOME{user}"},
        "trigger_id": f"trigger-home-{user}",
        "team": {"id": team, "domain": team.lower()},
        "view": {"id": f"VHOME{user}", "type": "home", "team_id": team},
        "actions": [{**button, "block_id": "b", "action_ts": "1800000000.000001"}],
    }
    assert (await world.interact(payload)).status == 200


async def second_circle(world: SlackWorld) -> None:
    """FAC also sets up "Elders" in C2, alone."""
    await world.command(FAC, "setup", channel="C2")
    await world.submit(FAC, {"name": "Elders", "language": "en", "timezone": "UTC"})
    await world.deliver()


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


@pytest.mark.asyncio
async def test_a_facilitator_sees_a_report_button_for_each_circle_they_facilitate(world: SlackWorld) -> None:
    await start_circle(world)
    await second_circle(world)

    buttons = report_buttons(await home_blocks(world, FAC))

    assert [json.loads(b["value"])["ch"] for b in buttons] == ["C1", "C2"]
    assert {b["text"]["text"] for b in buttons} == {"Send me the circle report"}


@pytest.mark.asyncio
async def test_a_member_who_does_not_facilitate_sees_no_report_button(world: SlackWorld) -> None:
    await start_circle(world)

    assert report_buttons(await home_blocks(world, BOB)) == []


@pytest.mark.asyncio
async def test_the_home_report_button_sends_that_circles_report_and_table_in_a_direct_message(
    world: SlackWorld,
) -> None:
    await start_circle(world)
    await second_circle(world)
    [_, elders] = report_buttons(await home_blocks(world, FAC))

    await press_on_home(world, FAC, elders)
    await world.deliver()

    assert {c.params["channel_id"] for c in world.fake.called("files.completeUploadExternal")} == {f"D{FAC}"}
    names = sorted(c.params["filename"] for c in world.fake.called("files.getUploadURLExternal"))
    assert names == ["circle-members.csv", "circle-report.md"]
    uploaded = b"".join(world.fake.uploads.values())
    assert b"# Circle report: Elders" in uploaded
    assert b"Leaders" not in uploaded


@pytest.mark.asyncio
async def test_a_home_report_button_pressed_by_someone_who_does_not_facilitate_is_refused(world: SlackWorld) -> None:
    await start_circle(world)
    [button] = report_buttons(await home_blocks(world, FAC))

    await press_on_home(world, BOB, button)  # a button shown to the facilitator, pressed by a member
    await world.deliver()

    assert world.fake.called("files.getUploadURLExternal") == []
    [refused] = [c for c in world.fake.called("chat.postEphemeral") if c.params.get("user") == BOB][-1:]
    assert "Only the circle's facilitators may export the circle report." in json.dumps(refused.params["blocks"])


def test_a_home_too_full_for_every_circle_shows_the_busy_ones_and_counts_the_rest() -> None:
    quiet = builders.make_circle()
    session = builders.open_case()
    entries = [CircleOverview(quiet, (), (), ()) for _ in range(39)]
    entries.append(CircleOverview(session.circle, (session.case,), (), ()))
    view = home_view(Overview(builders.FAC, tuple(entries)), date(2026, 12, 1))
    text = json.dumps(view["blocks"], ensure_ascii=False)
    assert len(view["blocks"]) <= MAX_VIEW_BLOCKS
    assert session.case.expose.title in text
    shown = sum(1 for block in view["blocks"] if block["type"] == "divider")
    assert t("en", "slack.home.more", count=40 - shown) in text
