"""The console renders the records' file effect: the message, then the file's lines."""

from __future__ import annotations

import io

import pytest

from bot.adapters.console_adapter import ConsoleAdapter
from bot.flows.effects import SendFile
from bot.ports import Address
from bot.storage import codec

ADDRESS = Address("console", "console", "#circle")


@pytest.mark.asyncio
async def test_the_console_shows_a_private_file_with_its_caption_and_content() -> None:
    out = io.StringIO()
    effect = SendFile("c1", "ann", "case-1.md", "# Case 1\n\nline two", "The record is attached.")

    ref = await ConsoleAdapter(out).deliver(effect, ADDRESS)

    assert ref is not None
    assert out.getvalue().splitlines() == [
        "(DM to ann) codev: The record is attached.",
        "    (file case-1.md, 18 characters)",
        "    | # Case 1",
        "    |",
        "    | line two",
    ]


@pytest.mark.asyncio
async def test_the_console_shows_a_short_file_once_when_it_is_its_own_message() -> None:
    out = io.StringIO()

    await ConsoleAdapter(out).deliver(SendFile("c1", "ann", "a.md", "short", "short"), ADDRESS)

    assert out.getvalue() == "(DM to ann) codev: short\n"


def test_the_file_effect_round_trips_through_the_outbox_codec() -> None:
    effect = SendFile("c1", "ann", "case-1.md", "content", "text", case_id="k1")

    assert codec.decode_effect(codec.encode_effect(effect)) == effect
