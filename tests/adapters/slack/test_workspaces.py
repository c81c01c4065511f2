"""Many workspaces through OAuth: installs land in our tables, and nothing crosses teams."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from pydantic import SecretStr

from tests.adapters.slack.scenes import CLIENT, CONSULTANTS, FAC, open_case, start_circle
from tests.adapters.slack.world import SlackWorld, close_world, open_world, section_texts
from tests.service.helpers import Clock, Place, cases_at, circle_at, contributions_of

BOB = CONSULTANTS[0]


@pytest_asyncio.fixture
async def oauth_world(migrated_url: str, clock: Clock) -> AsyncIterator[SlackWorld]:
    opened = await open_world(
        migrated_url, clock, bot_token=None, client_id="111.222", client_secret=SecretStr("oauth-secret")
    )
    yield opened
    await close_world(opened)


async def install(world: SlackWorld, team: str) -> None:
    """Slack's install flow: the install page, then Slack's redirect back with a code."""
    base = f"http://127.0.0.1:{world.adapter.port}"
    async with world.http.get(f"{base}/slack/install") as page:
        assert page.status == 200
        found = re.search(r"state=([^&\"']+)", await page.text())
        # The state cookie is `Secure`; a browser on https would send it back as is.
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    assert found is not None
    query = {"code": f"code-{team}", "state": found.group(1)}
    async with world.http.get(f"{base}/slack/oauth_redirect", params=query, headers={"Cookie": cookie}) as done:
        assert done.status == 200, await done.text()


@pytest.mark.asyncio
async def test_an_oauth_install_stores_the_workspaces_bot_token_in_our_tables(oauth_world: SlackWorld) -> None:
    await install(oauth_world, "T2")

    answer = await oauth_world.command(FAC, "setup Beta en UTC", team="T2")
    await oauth_world.deliver()

    assert "Beta" in str(answer.answer)
    assert {call.token for call in oauth_world.fake.called("chat.postMessage")} == {"xoxb-T2"}


@pytest.mark.asyncio
async def test_two_workspaces_with_the_same_channel_id_see_nothing_of_each_other(oauth_world: SlackWorld) -> None:
    world = oauth_world
    await install(world, "T1")
    await install(world, "T2")
    await start_circle(world, team="T1", name="Alpha")
    await start_circle(world, team="T2", name="Beta")
    alpha_card = await open_case(world, team="T1", title="Alpha's case")

    # A reply in T2 naming T1's thread, and a status in T2, know nothing of T1.
    forged = world.message_event(BOB, "Is this Alpha?", thread_ts=alpha_card.ts, team="T2")
    await world.post_json(forged)
    status = await world.command(BOB, "status", team="T2")

    [alpha_case] = await cases_at(world.app.sessions, Place("slack", "T1", "C1"))
    assert "Is this Alpha?" not in [c.text for c in await contributions_of(world.app.sessions, alpha_case.id)]
    assert await cases_at(world.app.sessions, Place("slack", "T2", "C1")) == []
    assert status.answer is not None
    assert "Alpha" not in str(status.answer)
    beta = await circle_at(world.app.sessions, Place("slack", "T2", "C1"))
    assert beta is not None
    assert beta.name == "Beta"
    # Each team's messages went out with that team's own token, to that team only.
    for message in world.fake.posted():
        assert ("Alpha" in section_texts(message.blocks) + str(message.blocks)) <= (message.team == "T1")
    assert {c.token for c in world.fake.called("chat.postMessage") if "Beta" in str(c.params)} == {"xoxb-T2"}
    assert CLIENT != FAC
