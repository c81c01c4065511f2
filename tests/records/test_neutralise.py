"""Neutralising user text: no form that notifies anyone survives, everything else is kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.records.neutralise import ZWSP, neutralise, pings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hello @everyone", f"hello @{ZWSP}everyone"),
        ("@here and @channel", f"@{ZWSP}here and @{ZWSP}channel"),
        ("<!channel> now", f"@{ZWSP}channel now"),
        ("<!here|here>", f"@{ZWSP}here"),
        ("<!everyone>", f"@{ZWSP}everyone"),
        ("<!subteam^S123|@leads> look", f"@{ZWSP}leads look"),
        ("ask <@U123ABC>", f"ask @{ZWSP}U123ABC"),
        ("ask <@U123ABC|ann>", f"ask @{ZWSP}ann"),
        ("ping <@!4567> and <@4567>", f"ping @{ZWSP}4567 and @{ZWSP}4567"),
        ("role <@&8910>", f"role @{ZWSP}role"),
    ],
)
def test_every_mention_form_is_made_inert(text: str, expected: str) -> None:
    assert neutralise(text) == expected
    assert not pings(neutralise(text))


def test_a_known_user_id_is_shown_as_their_name() -> None:
    assert neutralise("thanks <@U1>", {"U1": "Ann"}.get) == f"thanks @{ZWSP}Ann"


def test_plain_text_with_an_email_address_is_kept_as_written() -> None:
    text = "Write to ann@example.org, then <https://example.org|the site>."
    assert neutralise(text) == text


@given(st.text(max_size=200))
def test_no_text_pings_anyone_once_neutralised(text: str) -> None:
    assert not pings(neutralise(text))
