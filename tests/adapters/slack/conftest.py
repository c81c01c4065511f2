"""A Slack world per test: fake Web API, the real app over loopback HTTP, a migrated database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.adapters.slack.world import SlackWorld, close_world, open_world
from tests.service.helpers import Clock


@pytest_asyncio.fixture
async def clock() -> Clock:
    return Clock()


@pytest_asyncio.fixture
async def world(migrated_url: str, clock: Clock) -> AsyncIterator[SlackWorld]:
    opened = await open_world(migrated_url, clock)
    yield opened
    await close_world(opened)
