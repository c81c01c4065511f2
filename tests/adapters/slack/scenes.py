"""Scenes every Slack test starts from, played through Slack payloads only."""

from __future__ import annotations

from typing import Any

from tests.adapters.slack.fake_slack import Message
from tests.adapters.slack.world import SlackWorld

FAC = "UFAY"
CLIENT = "UANN"
CONSULTANTS = ("UBOB", "UCY", "UDAN")
SUBMISSION = {
    "kind": "problem",
    "title": "A conflict in my team",
    "context": "Two senior people no longer talk to each other.",
    "question": "How do I get them working together again?",
}


def ephemeral_blocks(world: SlackWorld, user: str, action: str) -> list[dict[str, Any]]:
    """The blocks of the latest private message to `user` offering the button `action`."""
    for call in reversed(world.fake.called("chat.postEphemeral")):
        blocks = call.params.get("blocks") or []
        if call.params.get("user") == user and f'"codev:{action}:' in str(blocks).replace("'", '"'):
            return list(blocks)
    raise AssertionError(f"no private message to {user} offers {action!r}")


async def start_circle(world: SlackWorld, *, team: str = "T1", channel: str = "C1", name: str = "Leaders") -> None:
    """FAC sets the circle up through the setup modal; the client and consultants join."""
    await world.command(FAC, "setup", team=team, channel=channel)
    await world.submit(FAC, {"name": name, "language": "en", "timezone": "UTC"}, team=team)
    for user in (CLIENT, *CONSULTANTS):
        await world.command(user, "join", team=team, channel=channel)
        await world.deliver()
        blocks = ephemeral_blocks(world, user, "accept_charter")
        await world.click_notice(user, "accept_charter", blocks, team=team, channel=channel)
    await world.deliver()


async def open_case(world: SlackWorld, *, team: str = "T1", channel: str = "C1", **fields: str) -> Message:
    """CLIENT submits a case through the submit modal; returns its card once posted."""
    await world.command(CLIENT, "submit", team=team, channel=channel)
    await world.submit(CLIENT, {**SUBMISSION, **fields}, team=team)
    await world.deliver()
    return world.fake.cards(team)[-1]
