"""Replacing an erased person in stored values: ids in fields, names and mentions in text."""

from __future__ import annotations

from bot.records.scrub import replace_in_json, text_scrubber

FORMER = "a former member (1)"


def test_the_name_and_every_mention_form_of_the_id_are_replaced_in_text() -> None:
    rewrite = text_scrubber("U0BOB", ("Bob",), FORMER)

    text = rewrite("Thanks Bob, @Bob, <@U0BOB>, <@U0BOB|bob> and U0BOB.")

    assert text == f"Thanks {FORMER}, {FORMER}, {FORMER}, {FORMER} and {FORMER}."


def test_every_name_given_is_replaced_the_longest_first() -> None:
    rewrite = text_scrubber("U0DAN", ("Dan", "Dan Roy"), FORMER)

    assert rewrite("Dan Roy said so; Dan agreed.") == f"{FORMER} said so; {FORMER} agreed."


def test_a_name_inside_a_longer_word_or_another_name_is_left_alone() -> None:
    rewrite = text_scrubber("U0BOB", ("Bob",), FORMER)

    assert rewrite("Bobby met Bobbie; U0BOBX too.") == "Bobby met Bobbie; U0BOBX too."


def test_ids_in_fields_become_the_alias_and_code_values_are_never_rewritten_as_text() -> None:
    rewrite = text_scrubber("bob", ("done",), FORMER)
    stored = {"kind": "dm", "user_id": "bob", "status": "done", "text": "It is done, bob.", "items": ["bob", "cy"]}

    changed = replace_in_json(stored, "bob", "former:1", rewrite)

    assert changed == {
        "kind": "dm",
        "user_id": "former:1",
        "status": "done",
        "text": f"It is {FORMER}, {FORMER}.",
        "items": ["former:1", "cy"],
    }
