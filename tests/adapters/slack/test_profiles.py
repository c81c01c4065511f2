"""Who someone is, as Slack tells it: `users.info` names and places those who join or set up."""

from __future__ import annotations

import pytest

from bot.flows.catalog import t
from bot.flows.model import Member
from tests.adapters.slack.scenes import FAC
from tests.adapters.slack.world import SlackWorld
from tests.service.helpers import Place, circle_at

SLACK_HOME = Place("slack", "T1", "C1")
DAN = "UDAN"
DANS_PROFILE = {
    "id": DAN,
    "name": "dan.r",
    "real_name": "Daniel Roy",
    "tz": "America/Montreal",
    "profile": {"display_name": "Dan", "real_name": "Daniel Roy"},
}


async def _circle_set_up(world: SlackWorld) -> None:
    await world.command(FAC, "setup Leaders en UTC")


async def _pending(world: SlackWorld, user: str) -> Member:
    circle = await circle_at(world.app.sessions, SLACK_HOME)
    assert circle is not None
    member = circle.pending_member(user)
    assert member is not None
    return member


@pytest.mark.asyncio
async def test_a_member_who_joins_is_named_and_zoned_as_their_slack_profile_says(world: SlackWorld) -> None:
    world.fake.profiles[DAN] = DANS_PROFILE
    await _circle_set_up(world)

    await world.command(DAN, "join")

    member = await _pending(world, DAN)
    assert (member.display_name, member.timezone) == ("Dan", "America/Montreal")


@pytest.mark.asyncio
async def test_without_a_display_name_the_real_name_is_used(world: SlackWorld) -> None:
    world.fake.profiles[DAN] = {**DANS_PROFILE, "profile": {"display_name": "", "real_name": "Daniel Roy"}}
    await _circle_set_up(world)

    await world.command(DAN, "join")

    assert (await _pending(world, DAN)).display_name == "Daniel Roy"


@pytest.mark.asyncio
async def test_when_slack_cannot_say_who_joins_the_command_s_username_is_kept(world: SlackWorld) -> None:
    world.fake.profiles[DAN] = DANS_PROFILE
    await _circle_set_up(world)
    world.fake.fail("users.info", "user_not_found")

    await world.command(DAN, "join")

    member = await _pending(world, DAN)
    assert (member.display_name, member.timezone) == ("udan", None)


@pytest.mark.asyncio
async def test_a_time_zone_unknown_here_is_left_out_and_the_join_still_goes_through(world: SlackWorld) -> None:
    world.fake.profiles[DAN] = {**DANS_PROFILE, "tz": "Mars/Olympus_Mons"}
    await _circle_set_up(world)

    await world.command(DAN, "join")

    member = await _pending(world, DAN)
    assert (member.display_name, member.timezone) == ("Dan", None)


@pytest.mark.asyncio
async def test_a_circle_set_up_without_a_time_zone_takes_its_facilitator_s(world: SlackWorld) -> None:
    world.fake.profiles[FAC] = {"id": FAC, "name": "fay", "tz": "Europe/Paris", "profile": {"display_name": "Fay"}}

    await world.command(FAC, "setup Leaders en")

    circle = await circle_at(world.app.sessions, SLACK_HOME)
    assert circle is not None
    assert circle.settings.timezone == "Europe/Paris"
    assert [m.display_name for m in circle.members] == ["Fay"]


@pytest.mark.asyncio
async def test_a_facilitator_who_sets_up_through_the_form_is_named_as_their_slack_profile_says(
    world: SlackWorld,
) -> None:
    world.fake.profiles[FAC] = {"id": FAC, "name": "fay", "tz": "Europe/Paris", "profile": {"display_name": "Fay"}}

    await world.command(FAC, "setup")
    await world.submit(FAC, {"name": "Leaders", "language": "en", "timezone": "UTC"})

    circle = await circle_at(world.app.sessions, SLACK_HOME)
    assert circle is not None
    assert ([m.display_name for m in circle.members], circle.settings.timezone) == (["Fay"], "UTC")


@pytest.mark.asyncio
async def test_when_slack_will_not_open_a_form_the_person_is_told_to_try_again(world: SlackWorld) -> None:
    await _circle_set_up(world)
    world.fake.fail("views.open", "expired_trigger_id")

    await world.command(FAC, "settings")
    await world.settle()

    told = [
        call.params.get("text") for call in world.fake.called("chat.postEphemeral") if call.params.get("user") == FAC
    ]
    assert told == [t("en", "slack.form_not_opened")]
