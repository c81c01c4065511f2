"""Slack payloads read as people wrote them."""

from __future__ import annotations

from bot.adapters.slack.translate import command
from bot.incoming import SlashCommand


def test_a_slash_command_reaches_the_core_with_the_characters_slack_escaped_restored() -> None:
    incoming = command({"team_id": "T1", "channel_id": "C1", "user_id": "U1", "text": "journal R&amp;D &lt;3 a&gt;b"})

    assert incoming.payload == SlashCommand("journal R&D <3 a>b")
