"""Fixtures: a fake Discord on loopback and Codev running against it (both databases)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .world import World, running_world


@pytest_asyncio.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    async with running_world(database_url) as running:
        yield running
