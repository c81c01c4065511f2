"""Escaping and splitting: what people wrote never pings a crowd nor breaks Block Kit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.slack.blocks import MAX_BLOCKS, MAX_SECTION, Where, message_batches, split_text
from bot.adapters.slack.escape import WORD_JOINER, escape

WHERE = Where("C1")


def test_broadcasts_and_user_groups_become_words_that_ping_nobody() -> None:
    shown = escape("<!channel> <!here|here> <!everyone> <!subteam^S1|@leads> @channel @Here")

    assert "<!" not in shown
    assert shown.count(f"@{WORD_JOINER}") == 6


def test_user_mentions_and_links_stay_and_stray_markup_is_escaped() -> None:
    assert escape("ask <@U123> & see <https://x.org|x> if a<b>c") == (
        "ask <@U123> &amp; see <https://x.org|x> if a&lt;b&gt;c"
    )


def test_an_email_address_is_not_mistaken_for_a_broadcast() -> None:
    assert escape("mail team@channel.org") == "mail team@channel.org"


@given(st.text(min_size=1, max_size=20_000))
def test_split_pieces_fit_a_section_and_keep_every_character(text: str) -> None:
    pieces = split_text(text)

    assert all(len(piece) <= MAX_SECTION for piece in pieces)
    assert "".join("".join(piece.split()) for piece in pieces) == "".join(text.split())


def test_a_text_past_fifty_sections_is_spread_over_several_messages() -> None:
    batches = message_batches("word " * 40_000, where=WHERE)

    assert len(batches) > 1
    assert all(len(blocks) <= MAX_BLOCKS for blocks in batches)
    assert all(len(b["text"]["text"]) <= MAX_SECTION for blocks in batches for b in blocks)


def test_splitting_never_cuts_an_escape_in_two() -> None:
    pieces = split_text(escape("&" * 5000))

    assert all(piece.endswith(";") for piece in pieces)
