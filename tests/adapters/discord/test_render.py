"""Rendering for Discord: limits on messages, embeds, custom ids and modals."""

from __future__ import annotations

from bot.adapters.discord import ids
from bot.adapters.discord.render import (
    MAX_CONTENT,
    MAX_EMBED,
    MAX_INPUT_LABEL,
    card_embed,
    components,
    form_pages,
    input_spec,
    phase_of,
    read_choice,
    split_text,
)
from bot.flows.effects import Button, Card, CardLine, FormField
from bot.flows.model import Phase
from bot.forms import submit_form

LONG_ID = "f" * 32


def test_a_long_text_is_split_within_2000_characters_at_word_ends_and_loses_no_word() -> None:
    text = " ".join(f"word{n}" for n in range(1500))
    pieces = split_text(text)
    assert len(pieces) > 1
    assert all(len(piece) <= MAX_CONTENT for piece in pieces)
    assert " ".join(pieces).split() == text.split()


def test_a_text_without_spaces_is_cut_hard_at_the_limit() -> None:
    pieces = split_text("x" * 4500)
    assert [len(piece) for piece in pieces] == [2000, 2000, 500]


def test_a_card_with_oversized_texts_stays_within_the_embed_limits() -> None:
    lines = tuple(CardLine("L" * 300, "v" * 2000) for _ in range(30))
    card = Card("c1", "T" * 400, "h" * 5000, lines, ())
    embed = card_embed(card).to_dict()
    total = (
        len(embed["title"]) + len(embed["description"]) + sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    )
    assert len(embed["title"]) <= 256
    assert len(embed["fields"]) <= 25
    assert total <= MAX_EMBED


def test_the_longest_button_custom_id_fits_in_100_characters_and_reads_back() -> None:
    press = ids.Press("keep_for_consultation", LONG_ID, LONG_ID, "1" * 19, "9" * 19)
    custom_id = ids.encode(press)
    assert len(custom_id) <= 100
    assert ids.decode(custom_id[3:]) == press


def test_a_button_value_no_custom_id_can_carry_is_held_and_reads_back_whole() -> None:
    press = ids.Press("confirm_forget_me", None, "1100000000000000006\nJ. Smith " + "R" * 90)

    custom_id = ids.custom_id(press)

    assert len(custom_id) <= 100
    assert ids.decode(custom_id[3:]) == press


def test_a_held_button_value_no_longer_held_reads_back_as_lost() -> None:
    custom_id = ids.custom_id(ids.Press("confirm_forget_me", None, "someone\nTheir Name"))
    forgotten = custom_id[: custom_id.index("^") + 1] + "000000000000"

    assert ids.decode(forgotten[3:]).lost


def test_a_choice_is_offered_and_shown_by_its_labels_not_its_bare_values() -> None:
    field = FormField(
        "item", "Action", options=(("1", "1. Meet each senior"), ("2", "2. Agree on rituals")), initial="1"
    )

    spec = input_spec(field, "en")

    assert (spec["default"], spec["placeholder"]) == (
        "1. Meet each senior",
        "One of: 1. Meet each senior, 2. Agree on rituals",
    )


def test_buttons_are_laid_out_five_per_row() -> None:
    buttons = tuple(Button("done", f"b{n}", "c1") for n in range(7))
    rows = components(buttons)
    assert [len(row["components"]) for row in rows] == [5, 2]


def test_the_six_field_submit_form_is_asked_in_two_modals_required_fields_first() -> None:
    pages = form_pages(submit_form("en"))
    assert [[spec.name for spec in page] for page in pages] == [
        ["kind", "title", "context", "question"],
        ["stakes", "tried"],
    ]


def test_a_typed_choice_is_read_by_value_or_by_label_in_any_case() -> None:
    kind = submit_form("fr").fields[0]
    assert read_choice(kind, "PROBLEM") == "problem"
    assert read_choice(kind, kind.options[1][1].upper()) == kind.options[1][0]


def test_the_phase_of_a_card_is_read_in_english_or_french() -> None:
    card = Card("c1", "Cas 1 : x", "q", (CardLine("Phase", "Plan d'action"),), ())
    assert phase_of(card) == (Phase.ACTION_PLAN, "fr")


def test_a_label_too_long_for_discord_is_shown_whole_as_the_inputs_placeholder() -> None:
    label = "1 to 5 actions, one per line, optional date (by YYYY-MM-DD)"
    spec = input_spec(FormField("actions", label, long=True), "en")
    assert (len(spec["label"]), spec["placeholder"]) == (MAX_INPUT_LABEL, label)
