"""Forms read back into engine commands."""

from __future__ import annotations

from datetime import date

from bot.flows import commands as c
from bot.forms import read_case_form


def test_numbered_bulleted_and_checkbox_lines_of_the_plan_form_become_bare_actions() -> None:
    actions = "1. Call the boss by 2027-01-10\n2) Talk to the team (2027-01-20)\n[ ] Write a memo\n- Rest"

    command = read_case_form("plan", "ann", "k1", {"synthesis": "", "actions": actions}, date(2026, 12, 1))

    assert isinstance(command, c.PostPlan)
    assert [(item.what, item.due) for item in command.items] == [
        ("Call the boss", date(2027, 1, 10)),
        ("Talk to the team", date(2027, 1, 20)),
        ("Write a memo", None),
        ("Rest", None),
    ]
