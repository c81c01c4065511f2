"""Fixtures for records tests: the service tests' hand-moved clock and driver."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.service.helpers import Clock, Driver


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def driver(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> Driver:
    return Driver(sessions, clock)
