"""A French circle on Slack: what the adapter draws itself speaks French too."""

from __future__ import annotations

import pytest

from tests.adapters.slack.scenes import CLIENT, CONSULTANTS, FAC, ephemeral_blocks
from tests.adapters.slack.test_home import home_blocks
from tests.adapters.slack.world import SlackWorld


async def french_circle(world: SlackWorld) -> None:
    await world.command(FAC, "setup")
    await world.submit(FAC, {"name": "Cercle", "language": "fr", "timezone": "Europe/Paris"})
    for user in (CLIENT, *CONSULTANTS):
        await world.command(user, "join")
        await world.deliver()
        await world.click_notice(user, "accept_charter", ephemeral_blocks(world, user, "accept_charter"))
    await world.deliver()


@pytest.mark.asyncio
async def test_a_french_circles_submit_modal_closes_with_a_french_button(world: SlackWorld) -> None:
    await french_circle(world)

    await world.command(CLIENT, "submit")

    assert world.last_view()["close"]["text"] == "Annuler"


@pytest.mark.asyncio
async def test_a_french_circles_settings_modal_is_in_french(world: SlackWorld) -> None:
    await french_circle(world)

    await world.command(FAC, "settings")

    view = world.last_view()
    assert (view["title"]["text"], view["submit"]["text"]) == ("Réglages du cercle", "Enregistrer")


@pytest.mark.asyncio
async def test_the_home_tab_of_a_member_of_french_circles_only_is_headed_in_french(world: SlackWorld) -> None:
    await french_circle(world)

    blocks = await home_blocks(world, CLIENT)

    assert blocks[0]["text"]["text"] == "Vos cercles de codéveloppement"
