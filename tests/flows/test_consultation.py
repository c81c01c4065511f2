"""Phase 4, consultation: consultants advise; the client listens and may send signals."""

from __future__ import annotations

import pytest

from bot.flows import commands as c
from bot.flows.catalog import t
from bot.flows.errors import DomainError
from bot.flows.model import ContributionKind, Phase, SignalKind

from .builders import (
    CLIENT,
    FAC,
    Session,
    dm_recipients,
    dms,
    kinds,
    make_circle,
    open_case,
    private_to,
    thread_texts,
)

K = ContributionKind


def test_consultation_ends_when_every_consultant_is_done() -> None:
    session = open_case().drive_to(Phase.CONSULTATION)
    *first, last = session.consultants
    for user in first:
        session.do(c.Done(user))
    assert session.phase() is Phase.CONSULTATION
    session.do(c.Done(last))
    assert session.phase() is Phase.ACTION_PLAN


def test_consultation_opens_with_a_reminder_of_the_contract() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    session.post_contract("Help me choose between two options.")
    session.finish_phase()
    assert any("Help me choose between two options." in text for text in thread_texts(session.steps[-1]))


def test_a_consultant_reply_during_consultation_is_advice_in_role() -> None:
    session = open_case().drive_to(Phase.CONSULTATION)
    step = session.reply("m2", "You could meet them together.")
    assert kinds(step) == [(K.ADVICE, False)]
    assert private_to(step, "m2") == []


def test_a_client_reply_during_consultation_is_out_of_role_with_signal_buttons_by_default() -> None:
    session = open_case().drive_to(Phase.CONSULTATION)
    step = session.reply(CLIENT, "But I already tried that!")
    assert kinds(step) == [(K.COMMENT, True)]
    (note,) = private_to(step, CLIENT)
    assert [(b.action, b.value) for b in note.buttons] == [
        ("signal", "off_contract"),
        ("signal", "discomfort"),
        ("signal", "clarify"),
    ]


def test_a_client_reply_during_consultation_is_an_answer_when_the_circle_allows_clarifying() -> None:
    circle = make_circle(settings=[("client_interaction", "clarify_allowed")])
    session = open_case(circle).drive_to(Phase.CONSULTATION)
    step = session.reply(CLIENT, "To clarify: the budget is fixed.")
    assert kinds(step) == [(K.ANSWER, False)]
    assert private_to(step, CLIENT) == []


def test_a_signal_is_shown_in_the_thread_and_sent_to_the_facilitators() -> None:
    session = open_case().drive_to(Phase.CONSULTATION)
    step = session.do(c.Signal(CLIENT, "s1", SignalKind.OFF_CONTRACT, "This is not my question"))
    assert kinds(step) == [(K.SIGNAL, False)]
    assert any("This is not my question" in text for text in thread_texts(step))
    assert dm_recipients(step) == [FAC]


def test_a_signal_does_not_end_the_consultation() -> None:
    session = open_case().drive_to(Phase.CONSULTATION)
    session.do(c.Signal(CLIENT, "s1", SignalKind.DISCOMFORT))
    assert session.phase() is Phase.CONSULTATION
    assert session.case.finished == frozenset()


def test_saying_done_twice_counts_once() -> None:
    session = open_case().drive_to(Phase.CONSULTATION)
    session.do(c.Done("m2"))
    session.do(c.Done("m2"))
    session.do(c.Done("m3"))
    assert session.phase() is Phase.CONSULTATION
    assert session.case.finished == {"m2", "m3"}


def _advice_left_unkept_until_the_consultation() -> tuple[Session, str]:
    session = open_case()
    advice = session.reply("m3", "You should talk to HR.").contributions[0]
    return session.drive_to(Phase.CONSULTATION), advice.id


def test_keeping_advice_once_the_consultation_is_open_posts_it_in_the_thread() -> None:
    session, advice_id = _advice_left_unkept_until_the_consultation()
    step = session.do(c.KeepForConsultation("m3", advice_id, "kept-1"))
    assert any("You should talk to HR." in text and "M3" in text for text in thread_texts(step))


def test_advice_kept_once_the_consultation_is_open_is_recorded_as_advice_given_then() -> None:
    session, advice_id = _advice_left_unkept_until_the_consultation()
    step = session.do(c.KeepForConsultation("m3", advice_id, "kept-1"))
    assert kinds(step) == [(K.ADVICE, False)]
    assert (step.contributions[0].text, step.contributions[0].phase) == ("You should talk to HR.", Phase.CONSULTATION)


def test_keeping_advice_once_the_consultation_is_open_tells_its_author_it_is_posted() -> None:
    session, advice_id = _advice_left_unkept_until_the_consultation()
    step = session.do(c.KeepForConsultation("m3", advice_id, "kept-1"))
    assert [dm.text for dm in dms(step, "m3")] == [t("en", "consultation.kept_posted")]


def test_advice_kept_once_the_consultation_is_open_is_not_posted_twice() -> None:
    session, advice_id = _advice_left_unkept_until_the_consultation()
    session.do(c.KeepForConsultation("m3", advice_id, "kept-1"))
    with pytest.raises(DomainError) as refused:
        session.do(c.KeepForConsultation("m3", advice_id, "kept-2"))
    assert refused.value.key == "error.already_kept"


def test_advice_no_longer_held_during_the_consultation_tells_its_author_to_post_it_now() -> None:
    session, advice_id = _advice_left_unkept_until_the_consultation()
    session.case = session.case.replace(parked=())  # held no more, as in a case opened earlier
    with pytest.raises(DomainError) as refused:
        session.do(c.KeepForConsultation("m3", advice_id, "kept-1"))
    assert refused.value.key == "error.advice_no_longer_held"


def test_advice_still_unkept_is_let_go_when_the_consultation_ends() -> None:
    session, _ = _advice_left_unkept_until_the_consultation()
    session.finish_phase()
    assert session.phase() is Phase.ACTION_PLAN
    assert session.case.parked == ()


def test_where_the_client_may_clarify_the_consultation_announcement_says_so() -> None:
    circle = make_circle(settings=[("client_interaction", "clarify_allowed")])
    session = open_case(circle).drive_to(Phase.CONSULTATION)

    announced = [text for step in session.steps for text in thread_texts(step) if "Phase 4" in text]

    assert ["may reply to clarify a point" in text for text in announced] == [True]
