"""Phase 1, the exposé: who may submit, what a submission must hold, what it opens."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from bot.flows import commands as c
from bot.flows.circle_engine import handle_circle
from bot.flows.effects import Post, Reply, SetTimer
from bot.flows.errors import DomainError
from bot.flows.model import Case, Circle, ContributionKind, Phase
from bot.flows.submission import submit
from bot.flows.text_rules import MAX_FIELD, MAX_TITLE

from .builders import CLIENT, FAC, NOW, STRANGER, make_circle, open_case, submission


def with_field(field: str, text: str) -> c.Submit:
    changes: dict[str, Any] = {field: text}
    return dataclasses.replace(submission(CLIENT), **changes)


def _refusal(circle: Circle, command: c.Submit, in_flight: Case | None = None) -> DomainError:
    with pytest.raises(DomainError) as refused:
        submit(circle, command, NOW, number=1, open_case=in_flight)
    return refused.value


def test_a_submission_opens_the_case_in_clarification_with_the_card_first() -> None:
    session = open_case()
    step = session.steps[0]
    assert session.phase() is Phase.CLARIFICATION
    assert isinstance(step.effects[0], Post)
    assert step.effects[0].card is not None
    assert isinstance(step.effects[1], Reply)
    assert [type(e) for e in step.effects[2:]] == [Reply, SetTimer, SetTimer]


def test_the_expose_opens_the_thread_so_consultants_can_read_it() -> None:
    expose = open_case().steps[0].effects[1]
    assert isinstance(expose, Reply)
    assert "How do I restore trust?" in expose.text


def test_a_submission_records_the_expose() -> None:
    step = open_case().steps[0]
    (entry,) = step.contributions
    assert entry.kind is ContributionKind.EXPOSE
    assert entry.author_id == CLIENT
    assert "How do I restore trust?" in entry.text


def test_the_charter_is_shown_again_when_a_case_opens() -> None:
    post = open_case().steps[0].effects[0]
    assert isinstance(post, Post)
    assert "Confidentiality" in post.text


def test_a_second_submission_while_a_case_is_open_is_refused() -> None:
    session = open_case()
    refused = _refusal(session.circle, submission(CLIENT, "case-2"), session.case)
    assert refused.key == "error.case_already_open"
    assert refused.params == {"number": 1}


def test_a_non_member_cannot_submit() -> None:
    assert _refusal(make_circle(), submission(STRANGER)).key == "error.not_member"


def test_someone_who_has_not_accepted_the_charter_cannot_submit() -> None:
    circle = handle_circle(make_circle(), c.Join("newbie", "Newbie"), NOW).circle
    assert _refusal(circle, submission("newbie")).key == "error.not_member"


def test_a_submission_with_no_possible_consultant_is_refused() -> None:
    circle = make_circle(members=1)  # the facilitator does not consult by default
    assert _refusal(circle, submission(CLIENT)).key == "error.no_consultants"


def test_a_submission_whose_only_consultants_have_not_accepted_the_charter_names_them() -> None:
    circle = handle_circle(make_circle(members=1), c.Join("newbie", "Newbie"), NOW).circle
    refused = _refusal(circle, submission(CLIENT))
    assert (refused.key, refused.params) == ("error.no_consultants_yet", {"pending": "Newbie"})


def test_a_submission_while_the_circle_is_paused_is_refused() -> None:
    circle = handle_circle(make_circle(), c.PauseCircle(FAC), NOW).circle
    assert _refusal(circle, submission(CLIENT)).key == "error.circle_paused"


@pytest.mark.parametrize("field", ["title", "context", "question"])
@pytest.mark.parametrize("text", ["", "   \n\t "], ids=["empty", "whitespace"])
def test_a_required_field_that_is_empty_or_whitespace_is_refused(field: str, text: str) -> None:
    refused = _refusal(make_circle(), with_field(field, text))
    assert refused.key == "error.empty_text"
    assert refused.params == {"field": f"field.{field}"}


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("title", MAX_TITLE),
        ("context", MAX_FIELD),
        ("stakes", MAX_FIELD),
        ("tried", MAX_FIELD),
        ("question", MAX_FIELD),
    ],
)
def test_an_oversized_field_is_refused_with_the_limit_in_the_params(field: str, limit: int) -> None:
    refused = _refusal(make_circle(), with_field(field, "x" * (limit + 1)))
    assert refused.key == "error.text_too_long"
    assert refused.params == {"field": f"field.{field}", "limit": limit, "length": limit + 1}


def test_a_field_exactly_at_its_limit_is_accepted() -> None:
    step = submit(make_circle(), submission(CLIENT, title="x" * MAX_TITLE), NOW, number=1, open_case=None)
    assert step.case is not None
    assert step.case.expose.title == "x" * MAX_TITLE


def test_stakes_and_what_was_tried_may_be_left_empty() -> None:
    step = submit(make_circle(), submission(CLIENT, stakes="", tried=" "), NOW, number=1, open_case=None)
    assert step.case is not None
    assert (step.case.expose.stakes, step.case.expose.tried) == ("", "")


def test_facilitators_do_not_consult_by_default() -> None:
    session = open_case()
    assert FAC not in session.case.consultants
    assert session.case.consultants == ("m2", "m3", "m4")


def test_facilitators_consult_when_the_circle_setting_says_so() -> None:
    session = open_case(make_circle(settings=[("facilitators_consult", "yes")]))
    assert FAC in session.case.consultants


def test_a_facilitator_bringing_a_case_is_its_client_not_a_consultant() -> None:
    circle = make_circle(settings=[("facilitators_consult", "yes")])
    session = open_case(circle, client=FAC)
    assert session.case.client_id == FAC
    assert FAC not in session.case.consultants


def test_a_submission_sends_the_client_to_the_back_of_the_rotation_and_records_the_turn() -> None:
    session = open_case()
    assert session.circle.rotation.queue[-1] == CLIENT
    assert [(t.user_id, t.case_id) for t in session.circle.rotation.history] == [(CLIENT, "case-1")]
