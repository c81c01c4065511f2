"""Socket Mode: with SLACK_APP_TOKEN the app dials Slack's WebSocket instead of listening."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import SecretStr

from tests.adapters.slack.world import close_world, open_world
from tests.service.helpers import Clock, Place, circle_at


@pytest.mark.asyncio
async def test_a_slash_command_over_socket_mode_is_applied_and_acknowledged(migrated_url: str, clock: Clock) -> None:
    envelope = {
        "envelope_id": "env-1",
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "UFAY",
            "user_name": "fay",
            "command": "/codev",
            "text": "setup Leaders en UTC",
            "api_app_id": "ACODEV",
            "response_url": "http://127.0.0.1:9/unused",
            "trigger_id": "trigger-socket",
        },
    }
    world = await open_world(migrated_url, clock, app_token=SecretStr("xapp-1-test"), envelopes=[envelope])
    try:
        async with asyncio.timeout(10):
            await world.fake.acked.wait()
        [ack] = world.fake.socket_acks
        await world.settle()
        circle = await circle_at(world.app.sessions, Place("slack", "T1", "C1"))
    finally:
        await close_world(world)

    assert ack["envelope_id"] == "env-1"
    assert circle is not None
    assert circle.name == "Leaders"
    assert [c.token for c in world.fake.called("apps.connections.open")] == ["xapp-1-test"]


@pytest.mark.asyncio
async def test_socket_mode_still_answers_the_health_check(migrated_url: str, clock: Clock) -> None:
    world = await open_world(migrated_url, clock, app_token=SecretStr("xapp-1-test"))
    try:
        async with world.http.get(f"http://127.0.0.1:{world.adapter.port}/healthz") as health:
            status = health.status
        async with world.http.post(world.url, data=b"{}") as events:
            events_status = events.status
    finally:
        await close_world(world)

    assert status == 200
    assert events_status == 404  # no public events endpoint in Socket Mode
