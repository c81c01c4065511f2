"""Read-only answers: the case status, written once per pair of stored values."""

from __future__ import annotations

from bot.flows import commands as c
from bot.queries import case_status
from tests.flows.builders import open_case


def test_the_status_of_unchanged_values_is_written_once_and_served_again() -> None:
    session = open_case()
    first = case_status(session.circle, session.case)
    assert case_status(session.circle, session.case) is first


def test_the_status_of_a_case_that_changed_is_written_afresh() -> None:
    session = open_case()
    before = case_status(session.circle, session.case)
    session.do(c.NoMoreQuestions("m2"))
    assert case_status(session.circle, session.case) != before
