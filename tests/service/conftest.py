"""Fixtures for service tests: a hand-moved clock and a driver over the migrated database."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .helpers import Clock, Driver


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def driver(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> Driver:
    return Driver(sessions, clock)
