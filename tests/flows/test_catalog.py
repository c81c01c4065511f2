"""The message catalog: every key in English and French, and every key the engine uses exists."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.flows.card import PHASE_BUTTONS
from bot.flows.catalog import MESSAGES, t
from bot.flows.model import (
    DEFAULT_CHARTER,
    TIMED_PHASES,
    CaseKind,
    ItemStatus,
    Language,
    Phase,
    Role,
    SignalKind,
)

FLOWS = Path(__file__).resolve().parents[2] / "bot" / "flows"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def catalog_calls() -> list[tuple[str, str, set[str] | None]]:
    """(where, key, keyword names or None when **params are passed) for every literal catalog key in bot/flows."""
    found: list[tuple[str, str, set[str] | None]] = []
    for path in sorted(FLOWS.rglob("*.py")):
        if "catalog" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            position = {"DomainError": 0, "private": 0, "say": 1, "t": 1}.get(node.func.id)
            if position is None or len(node.args) <= position:
                continue
            key = node.args[position]
            if not isinstance(key, ast.Constant) or not isinstance(key.value, str):
                continue
            names = {k.arg for k in node.keywords if k.arg is not None}
            spread = any(k.arg is None for k in node.keywords)
            found.append((f"{path.name}:{node.lineno}", key.value, None if spread else names))
    return found


CALLS = catalog_calls()


def test_the_source_scan_finds_the_engines_catalog_keys() -> None:
    keys = {key for _, key, _ in CALLS}
    assert {"error.not_member", "contract.posted", "clarification.advice_nudge", "error.text_too_long"} <= keys


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_has_an_english_and_a_french_text_with_the_same_placeholders(key: str) -> None:
    english, french = MESSAGES[key]
    assert english.strip()
    assert french.strip()
    assert placeholders(english) == placeholders(french)


@pytest.mark.parametrize(("where", "key", "params"), CALLS, ids=[f"{w}-{k}" for w, k, _ in CALLS])
def test_every_literal_key_used_in_the_engine_exists_and_gets_its_placeholders(
    where: str, key: str, params: set[str] | None
) -> None:
    assert key in MESSAGES, where
    if params is not None:
        assert placeholders(MESSAGES[key][0]) <= params, where


def test_every_domain_error_key_raised_in_the_engine_exists() -> None:
    raised = {key for _, key, _ in CALLS if key.startswith("error.")}
    assert "error.case_already_open" in raised
    assert raised - set(MESSAGES) == set()


ENGINE_KEYS = sorted(
    {
        *(f"phase.{p}" for p in Phase),
        *(f"phase.enter.{p}" for p in Phase),
        *(f"button.{action}" for actions in PHASE_BUTTONS.values() for action in actions),
        "button.keep_for_consultation",
        "button.accept_charter",
        *(f"reminder.{p}" for p in TIMED_PHASES),
        *(f"status.{s}" for s in ItemStatus),
        *(f"signal.{s}" for s in SignalKind),
        *(f"kind.{k}" for k in CaseKind),
        *(f"role.{r}" for r in Role),
        *(f"charter.{rule}" for rule in DEFAULT_CHARTER),
        *(f"facilitator.missing_{act}" for act in ("contract", "plan")),
        *(f"deadline.extended_missing_{act}" for act in ("contract", "plan")),
    }
)


@pytest.mark.parametrize("key", ENGINE_KEYS)
def test_every_key_the_engine_builds_from_a_name_exists(key: str) -> None:
    assert key in MESSAGES


def test_parameters_that_are_catalog_keys_are_translated() -> None:
    assert t("fr", "error.wrong_phase", phase="phase.contract", allowed=("phase.consultation",)) == (
        "Pas maintenant : le cas est en phase Contrat. Cela se fait pendant : Consultation."
    )


def test_french_and_english_texts_differ_where_they_should() -> None:
    assert t(Language.EN, "phase.contract") == "Contract"
    assert t(Language.FR, "phase.contract") == "Contrat"


_value = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30).filter(lambda v: v not in MESSAGES)


@given(st.sampled_from(sorted(MESSAGES)), st.sampled_from(["en", "fr"]), st.data())
def test_every_message_formats_in_both_languages_with_any_values(key: str, language: str, data: st.DataObject) -> None:
    params = {name: data.draw(_value, label=name) for name in placeholders(MESSAGES[key][0])}
    text = t(language, key, **params)
    for value in params.values():
        assert value in text
