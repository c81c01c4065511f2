"""A throw-away PostgreSQL database for a benchmark run, on PGHOST/PGPORT/PGUSER."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool


class PostgresUnreachableError(Exception):
    """No PostgreSQL to benchmark on (down, refused, bad credentials)."""


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "false", "0", "no")


def pg_url(database: str) -> URL:
    return URL.create(
        "postgresql+asyncpg",
        username=os.environ.get("PGUSER", "postgres"),
        password=os.environ.get("PGPASSWORD") or None,
        host=os.environ.get("PGHOST", "127.0.0.1"),
        port=int(os.environ.get("PGPORT", "5432")),
        database=database,
    )


async def _admin(statement: str) -> None:
    admin = create_async_engine(
        pg_url("postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT", connect_args={"timeout": 5}
    )
    try:
        async with admin.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


@asynccontextmanager
async def scratch_database(name: str) -> AsyncIterator[str]:
    """Create database `name`, yield its URL, drop it on the way out."""
    try:
        await _admin(f'CREATE DATABASE "{name}"')
    except Exception as problem:  # any failure here means there is no PostgreSQL to use
        where = pg_url("postgres").render_as_string(hide_password=True)
        reason = f"{type(problem).__name__}: {problem}"
        raise PostgresUnreachableError(f"PostgreSQL unreachable at {where}: {reason}") from problem
    try:
        yield pg_url(name).render_as_string(hide_password=False)
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
