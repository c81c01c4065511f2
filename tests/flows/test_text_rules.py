"""What people write: limits, advice detection, plan and update parsing, durations."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.flows import commands as c
from bot.flows.case_engine import handle_case
from bot.flows.errors import DomainError
from bot.flows.model import ItemStatus, Phase, Role
from bot.flows.text_rules import (
    MAX_ITEMS,
    clean_text,
    parse_duration,
    parse_plan,
    parse_update,
    parse_updates,
    reads_as_advice,
    reads_as_reservation,
)

from .builders import NOW, ROLE_ACTORS, STRANGER, attempt, phase_state

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    "text",
    [
        "You should talk to HR.",
        "Have you tried a one-to-one?",
        "Have you considered leaving?",
        "Why not ask them?",
        "I suggest a retreat",
        "Tu devrais en parler ?",
        "Avez-vous pensé à déléguer ?",
        "That sounds hard",
    ],
)
def test_advice_is_recognised_in_english_and_french(text: str) -> None:
    assert reads_as_advice(text)


@pytest.mark.parametrize(
    "text",
    ["What did your manager say?", "Since when has this been going on?", "Qui décide ?", "How do   you feel?"],
)
def test_a_plain_question_is_not_advice(text: str) -> None:
    assert not reads_as_advice(text)


@pytest.mark.parametrize(
    "text",
    [
        "What have you tried so far?",
        "What else have you considered?",
        "Qu'avez-vous essayé jusqu'ici ?",
        "I'd like to know: when did it start?",
        "I would like to understand who decides?",
    ],
)
def test_a_question_that_only_contains_an_advice_marker_is_not_advice(text: str) -> None:
    assert not reads_as_advice(text)


@pytest.mark.parametrize(
    "text", ["Thanks for the answer!", "Ok, merci.", "+1", "👍", "\u200b", "Got it, that helps", "D'accord."]
)
def test_a_thank_you_or_a_plus_one_is_not_advice(text: str) -> None:
    assert not reads_as_advice(text)


@pytest.mark.parametrize("text", ["Thanks. You should talk to HR.", "Ok, il faut en parler à la direction."])
def test_advice_after_a_thank_you_is_still_advice(text: str) -> None:
    assert reads_as_advice(text)


@pytest.mark.parametrize(
    "text",
    ["What do you think? You should talk to HR.", "I'd like to know why: have you tried asking them?"],
)
def test_advice_beside_a_question_is_still_advice(text: str) -> None:
    assert reads_as_advice(text)


@pytest.mark.parametrize("text", ["Could you reformulate", "This is unclear", "C'est flou", "Why this date?"])
def test_a_reservation_is_recognised(text: str) -> None:
    assert reads_as_reservation(text)


@pytest.mark.parametrize("text", ["I can help with that", "Looks good", "D'accord, je peux aider"])
def test_agreement_is_not_a_reservation(text: str) -> None:
    assert not reads_as_reservation(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 done: it went well", (2, ItemStatus.DONE, "it went well")),
        ("#1 partly - half of it", (1, ItemStatus.PARTLY, "half of it")),
        ("3. dropped", (3, ItemStatus.DROPPED, "")),
        ("1 fait : ça s'est bien passé", (1, ItemStatus.DONE, "ça s'est bien passé")),
        ("2 Changed: new target", (2, ItemStatus.CHANGED, "new target")),
        ("Action 1 done, action 2 still open.", (1, ItemStatus.DONE, "action 2 still open.")),
        ("L'action 3 : abandonné", (3, ItemStatus.DROPPED, "")),
        ("Action 1 : faite", (1, ItemStatus.DONE, "")),
        ("l'action 2 est terminée", (2, ItemStatus.DONE, "")),
        ("3 partielle : à moitié", (3, ItemStatus.PARTLY, "à moitié")),
        ("Item 2 is done", (2, ItemStatus.DONE, "")),
    ],
)
def test_an_update_reply_is_read_as_item_status_and_note(text: str, expected: tuple[int, ItemStatus, str]) -> None:
    assert parse_update(text, 3) == expected


def test_each_line_that_reads_as_an_update_is_one_and_other_lines_go_on_its_note() -> None:
    text = "Hello all,\n1 done: talked to all\nIt went well.\n2 dropped"
    assert parse_updates(text, 2) == [(1, ItemStatus.DONE, "talked to all\nIt went well."), (2, ItemStatus.DROPPED, "")]


def test_an_update_without_a_number_is_read_only_when_the_plan_has_one_item() -> None:
    assert parse_update("done: finally", 1) == (1, ItemStatus.DONE, "finally")
    assert parse_update("done: finally", 2) is None


def test_an_update_that_names_no_status_is_not_read() -> None:
    assert parse_update("1 went fine", 2) is None


def test_a_plan_with_a_malformed_date_is_refused_with_the_date() -> None:
    with pytest.raises(DomainError) as refused:
        parse_plan("- call (by 2026-13-45)", TODAY)
    assert refused.value.key == "error.bad_date"
    assert refused.value.params == {"value": "2026-13-45"}


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("2d", timedelta(days=2)),
        ("36h", timedelta(hours=36)),
        ("3 jours", timedelta(days=3)),
        ("30 days", timedelta(days=30)),
    ],
)
def test_durations_are_read_in_days_or_hours(text: str, span: timedelta) -> None:
    assert parse_duration(text) == span


# --- properties: nothing people write crashes the rules ----------------------------------------


@given(st.text())
def test_parse_plan_never_fails_except_with_a_domain_error(text: str) -> None:
    result = attempt(lambda: parse_plan(text, TODAY))
    if isinstance(result, DomainError):
        return
    _, items = result
    assert 1 <= len(items) <= MAX_ITEMS
    assert all(item.what == item.what.strip() and item.what for item in items)
    assert all(item.due is None or item.due >= TODAY for item in items)


@given(st.text(), st.integers(min_value=0, max_value=6))
def test_parse_update_never_fails(text: str, count: int) -> None:
    parsed = parse_update(text, count)
    assert parsed is None or isinstance(parsed[1], ItemStatus)


@given(st.text())
def test_advice_and_reservation_detection_never_fail(text: str) -> None:
    assert isinstance(reads_as_advice(text), bool)
    assert isinstance(reads_as_reservation(text), bool)


@given(st.text())
def test_parse_duration_gives_a_span_of_at_most_thirty_days_or_a_domain_error(text: str) -> None:
    span = attempt(lambda: parse_duration(text))
    if isinstance(span, DomainError):
        assert span.key == "error.bad_duration"
    else:
        assert timedelta(0) < span <= timedelta(days=30)


def test_an_oversized_name_is_refused_as_too_long_not_as_a_reply_to_split() -> None:
    refused = attempt(lambda: clean_text("x" * 10, limit=5, field="name"))
    assert isinstance(refused, DomainError)
    assert (refused.key, refused.params) == ("error.text_too_long", {"field": "field.name", "limit": 5, "length": 10})


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_clean_text_returns_stripped_text_within_the_limit_or_refuses(text: str, limit: int) -> None:
    cleaned = attempt(lambda: clean_text(text, limit=limit, field="reply"))
    if isinstance(cleaned, DomainError):
        expected: tuple[str, dict[str, object]] = ("error.empty_text", {"field": "field.reply"})
        if text.strip():
            expected = ("error.reply_too_long", {"limit": limit, "length": len(text.strip())})
        assert (cleaned.key, cleaned.params) == expected
    else:
        assert cleaned == text.strip()
        assert 0 < len(cleaned) <= limit


_item_text = st.text(
    alphabet=st.characters(whitelist_categories=("L", "N"), whitelist_characters=" '"), min_size=1, max_size=40
).filter(lambda s: s.strip() != "")


@given(
    st.lists(
        st.tuples(_item_text, st.one_of(st.none(), st.dates(min_value=TODAY, max_value=date(2030, 12, 31)))),
        min_size=1,
        max_size=MAX_ITEMS,
    )
)
def test_a_bulleted_plan_reads_back_its_items_and_due_dates(items: list[tuple[str, date | None]]) -> None:
    lines = ["My synthesis"] + [f"- {what} (by {due.isoformat()})" if due else f"- {what}" for what, due in items]
    synthesis, parsed = parse_plan("\n".join(lines), TODAY)
    assert synthesis == "My synthesis"
    assert [(i.what, i.due) for i in parsed] == [(what.strip(), due) for what, due in items]


@settings(deadline=None)  # the first example per phase builds its case
@given(st.sampled_from(list(Phase)), st.sampled_from([r for r in Role if r is not Role.SYSTEM]), st.text(max_size=200))
def test_any_reply_in_any_phase_is_recorded_or_refused_as_empty(phase: Phase, role: Role, text: str) -> None:
    circle, case = phase_state(phase)
    actor = ROLE_ACTORS[role]
    step = attempt(lambda: handle_case(circle, case, c.Reply(actor, "r", text), NOW))
    if isinstance(step, DomainError):
        assert step.key == "error.empty_text"
        assert not text.strip()
        return
    (entry,) = step.contributions
    assert entry.text == text.strip()
    assert entry.author_id == actor
    assert entry.out_of_role or actor != STRANGER
