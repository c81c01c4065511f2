"""Reading every column of every table back, JSON documents included, to find a value."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.storage.tables import metadata


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


async def every_value(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[str, str, str]]:
    """(table, column, value as text) for every cell of every table."""
    found = []
    async with sessions() as session:
        for table in metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                found.extend((table.name, column, _text(value)) for column, value in row.items())
    return found


async def cells_holding(sessions: async_sessionmaker[AsyncSession], pattern: str) -> list[tuple[str, str, str]]:
    """Every cell in which `pattern` (a regular expression) matches."""
    wanted = re.compile(pattern)
    return [cell for cell in await every_value(sessions) if wanted.search(cell[2])]


async def rows_in(sessions: async_sessionmaker[AsyncSession], table: str) -> list[dict[str, Any]]:
    async with sessions() as session:
        return [dict(row) for row in (await session.execute(select(metadata.tables[table]))).mappings()]
