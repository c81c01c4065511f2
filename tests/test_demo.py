"""`codev demo`: a whole consultation, played on the console and checked through storage."""

from __future__ import annotations

import dataclasses
import io
from datetime import date
from pathlib import Path

import pytest

from bot.config import DatabaseSettings, load_settings
from bot.demo import run_demo

MONDAY = date(2026, 3, 2)


@pytest.mark.asyncio
async def test_the_demo_plays_every_phase_and_succeeds() -> None:
    out = io.StringIO()
    assert await run_demo(load_settings(env_file=None), out=out, today=MONDAY) == 0
    transcript = out.getvalue()
    for milestone in (
        "set up the co-development circle",
        "Welcome to Dan Okafor, who accepted the charter.",
        "+-- Case 1: Rebuilding trust after a reorganisation",
        "*Phase 2: clarification*",
        "That reads like advice",
        "*Phase 3: contract*",
        "*Phase 4: consultation*",
        "Advice from Dan Okafor, given early and kept for the consultation",
        "*Phase 5: action plan*",
        "*Phase 6: learnings*",
        "(DM to bob) codev: Case 1 (Rebuilding trust after a reorganisation): share what you learned",
        "*Follow-up.*",
        "Update: Action 1 (ask each senior to own one team ritual): done",
    ):
        assert milestone in transcript


@pytest.mark.asyncio
async def test_the_demo_shows_what_people_type_after_their_name() -> None:
    out = io.StringIO()
    await run_demo(load_settings(env_file=None), out=out, today=MONDAY)
    assert "\nalice> /in 1 What did the two seniors say during your one-to-ones?\n" in out.getvalue()


@pytest.mark.asyncio
async def test_the_demo_leaves_the_configured_database_alone(tmp_path: Path) -> None:
    mine = tmp_path / "mine.db"
    settings = dataclasses.replace(
        load_settings(env_file=None), database=DatabaseSettings(url=f"sqlite+aiosqlite:///{mine}")
    )
    assert await run_demo(settings, out=io.StringIO(), today=MONDAY) == 0
    assert not mine.exists()
