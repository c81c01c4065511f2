"""Phase 2, clarification: questions only; advice is parked for the consultation phase."""

from __future__ import annotations

import pytest

from bot.flows import commands as c
from bot.flows.errors import DomainError
from bot.flows.model import ContributionKind, Phase
from bot.flows.table import NEXT_PHASE

from .builders import CLIENT, FAC, LATE, STRANGER, dm_recipients, join, kinds, open_case, private_to, thread_texts

K = ContributionKind


def test_clarification_ends_when_every_consultant_says_no_more_questions() -> None:
    session = open_case()
    *first, last = session.consultants
    for user in first:
        session.do(c.NoMoreQuestions(user))
        assert session.phase() is Phase.CLARIFICATION
    session.do(c.NoMoreQuestions(last))
    assert session.phase() is Phase.CONTRACT


def test_clarification_ends_when_the_client_says_ready_for_the_contract() -> None:
    session = open_case()
    step = session.do(c.ReadyForContract(CLIENT))
    assert session.phase() is Phase.CONTRACT
    assert any("Phase 3" in text for text in thread_texts(step))


def test_a_consultant_question_is_recorded_as_a_question() -> None:
    session = open_case()
    step = session.reply("m2", "What did your manager say?")
    assert kinds(step) == [(K.QUESTION, False)]
    assert session.case.parked == ()
    assert private_to(step, "m2") == []


def test_a_client_reply_in_clarification_is_an_answer() -> None:
    session = open_case()
    step = session.reply(CLIENT, "She said nothing.")
    assert kinds(step) == [(K.ANSWER, False)]


def test_a_consultant_reply_without_a_question_mark_is_out_of_role_advice_with_a_private_keep_button() -> None:
    session = open_case()
    step = session.reply("m2", "Talk to HR.")
    assert kinds(step) == [(K.ADVICE, True)]
    nudges = private_to(step, "m2")
    assert len(nudges) == 1
    assert [b.action for b in nudges[0].buttons] == ["keep_for_consultation"]
    assert nudges[0].buttons[0].value == step.contributions[0].id
    assert [p.author_id for p in session.case.parked] == ["m2"]
    assert session.case.parked[0].kept is False


def test_have_you_tried_counts_as_advice_even_with_a_question_mark() -> None:
    session = open_case()
    step = session.reply("m2", "Have you tried a one-to-one with each of them?")
    assert kinds(step) == [(K.ADVICE, True)]


def test_a_french_suggestion_phrased_as_a_question_counts_as_advice() -> None:
    session = open_case()
    step = session.reply("m2", "As-tu essayé de leur parler séparément ?")
    assert kinds(step) == [(K.ADVICE, True)]


def test_advice_in_clarification_is_never_deleted_it_is_recorded_whole() -> None:
    session = open_case()
    step = session.reply("m2", "  You should talk to HR.  ")
    assert step.contributions[0].text == "You should talk to HR."
    assert step.contributions[0].phase is Phase.CLARIFICATION


def test_kept_advice_is_posted_when_consultation_opens() -> None:
    session = open_case()
    advice = session.reply("m3", "You should talk to HR.").contributions[0]
    session.do(c.KeepForConsultation("m3", advice.id, "kept-1"))
    session.drive_to(Phase.CONTRACT)
    session.post_contract()
    session.until_phase_changes(c.Acknowledge(u, session.next_id(), True) for u in session.consultants)
    opening = session.steps[-1]
    assert session.phase() is Phase.CONSULTATION
    assert any("You should talk to HR." in text and "M3" in text for text in thread_texts(opening))
    assert session.case.parked == ()


def test_unkept_advice_is_not_posted_when_consultation_opens() -> None:
    session = open_case()
    session.reply("m3", "You should talk to HR.")
    session.drive_to(Phase.CONSULTATION)
    opening = session.steps[-1]
    assert not any("You should talk to HR." in text for text in thread_texts(opening))


def test_keeping_advice_answers_its_author_privately() -> None:
    session = open_case()
    advice = session.reply("m3", "You should talk to HR.").contributions[0]
    step = session.do(c.KeepForConsultation("m3", advice.id, "kept-1"))
    assert dm_recipients(step) == ["m3"]
    assert len(step.effects) == 1
    assert session.case.parked[0].kept is True


def test_a_consultant_cannot_keep_someone_elses_advice() -> None:
    session = open_case()
    advice = session.reply("m3", "You should talk to HR.").contributions[0]
    with pytest.raises(DomainError) as refused:
        session.do(c.KeepForConsultation("m2", advice.id, "kept-1"))
    assert refused.value.key == "error.nothing_to_keep"
    assert session.case.parked[0].kept is False


def test_keeping_the_same_advice_twice_is_refused() -> None:
    session = open_case()
    advice = session.reply("m3", "You should talk to HR.").contributions[0]
    session.do(c.KeepForConsultation("m3", advice.id, "kept-1"))
    with pytest.raises(DomainError) as refused:
        session.do(c.KeepForConsultation("m3", advice.id, "kept-1"))
    assert refused.value.key == "error.already_kept"


def test_a_facilitator_reply_in_clarification_is_a_comment_in_role() -> None:
    session = open_case()
    step = session.reply(FAC, "Remember: questions only.")
    assert kinds(step) == [(K.COMMENT, False)]
    assert private_to(step, FAC) == []


def test_a_member_who_is_not_a_consultant_is_recorded_out_of_role_and_told_privately() -> None:
    session = open_case()
    session.circle = join(session.circle, LATE)
    step = session.reply(LATE, "What about the budget?")
    assert kinds(step) == [(K.COMMENT, True)]
    assert len(private_to(step, LATE)) == 1


def test_an_outsider_reply_is_kept_out_of_role_and_does_not_count_as_acting() -> None:
    session = open_case()
    step = session.reply(STRANGER, "Hello?")
    assert kinds(step) == [(K.COMMENT, True)]
    assert len(private_to(step, STRANGER)) == 1
    assert STRANGER not in session.case.acted


def test_a_reply_after_the_case_is_closed_is_a_comment_and_the_author_is_told() -> None:
    session = open_case().drive_to(Phase.CLOSED)
    step = session.reply("m2", "Late thought.")
    assert kinds(step) == [(K.COMMENT, True)]
    assert len(private_to(step, "m2")) == 1


def test_an_empty_reply_is_refused() -> None:
    session = open_case()
    with pytest.raises(DomainError) as refused:
        session.reply("m2", "   \n ")
    assert refused.value.key == "error.empty_text"


def test_the_phases_follow_the_protocols_order() -> None:
    assert list(NEXT_PHASE.items()) == [
        (Phase.CLARIFICATION, Phase.CONTRACT),
        (Phase.CONTRACT, Phase.CONSULTATION),
        (Phase.CONSULTATION, Phase.ACTION_PLAN),
        (Phase.ACTION_PLAN, Phase.LEARNINGS),
        (Phase.LEARNINGS, Phase.FOLLOW_UP),
        (Phase.FOLLOW_UP, Phase.CLOSED),
    ]
