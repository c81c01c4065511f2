"""Every catalog key the records code uses exists in both languages, with its placeholders."""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from bot.flows.catalog import MESSAGES
from bot.flows.model import ContributionKind, Phase

RECORDS = Path(__file__).resolve().parents[2] / "bot" / "records"


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def literal_keys() -> list[tuple[str, str, set[str]]]:
    """(where, key, keyword names) of each literal key passed to t(), DomainError() or _notice()."""
    found = []
    for path in sorted(RECORDS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            position = {"t": 1, "DomainError": 0, "_notice": 1}.get(node.func.id)
            if position is None or len(node.args) <= position:
                continue
            key = node.args[position]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                names = {k.arg for k in node.keywords if k.arg is not None}
                found.append((f"{path.name}:{node.lineno}", key.value, names))
    return found


KEYS = literal_keys()


def test_the_scan_finds_the_records_keys() -> None:
    assert {"records.export_caption", "records.error.export_refused", "records.confirm_self"} <= {k for _, k, _ in KEYS}


@pytest.mark.parametrize(("where", "key", "params"), KEYS, ids=[f"{w}-{k}" for w, k, _ in KEYS])
def test_every_literal_key_exists_and_gets_its_placeholders(where: str, key: str, params: set[str]) -> None:
    assert key in MESSAGES, where
    assert placeholders(MESSAGES[key][0]) <= params, where


@pytest.mark.parametrize(
    "key",
    sorted(
        {
            *(f"records.kind.{kind}" for kind in ContributionKind),
            *(f"records.section.{phase}" for phase in Phase),
            *(
                f"records.error.{what}{where}"
                for what in ("open_case", "last_facilitator")
                for where in ("", "_elsewhere")
            ),
        }
    ),
)
def test_every_key_built_from_a_name_exists(key: str) -> None:
    assert key in MESSAGES
