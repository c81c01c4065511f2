"""Phase 3, contract: the client states the help wanted; a majority of consultants acknowledge."""

from __future__ import annotations

import pytest

from bot.flows import commands as c
from bot.flows.catalog import t
from bot.flows.circle_engine import handle_circle
from bot.flows.model import ContributionKind, Phase
from bot.flows.phases import awaited

from .builders import CLIENT, FAC, Session, dm_recipients, dms, kinds, make_circle, open_case, private_to

K = ContributionKind


def test_a_client_reply_in_the_contract_phase_is_the_contract() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    step = session.reply(CLIENT, "Help me find three ways to rebuild trust.")
    assert kinds(step) == [(K.CONTRACT, False)]
    assert session.case.contract == "Help me find three ways to rebuild trust."


def test_a_client_reply_after_the_contract_is_posted_is_a_comment_and_the_contract_stands() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    session.post_contract("Help me decide.")
    session.do(c.Acknowledge("m2", "a1", True))
    step = session.reply(CLIENT, "The whole team.")
    assert kinds(step) == [(K.COMMENT, False)]
    assert (session.case.contract, session.case.finished) == ("Help me decide.", {"m2"})
    (note,) = private_to(step, CLIENT)
    assert note.text == t("en", "contract.comment_kept")


def _asked_to_reformulate() -> Session:
    session = open_case(make_circle(members=5)).drive_to(Phase.CONTRACT)
    session.post_contract("Three ideas to delegate the weekly report.")
    session.do(c.Acknowledge("m2", "a1", True))
    session.do(c.Acknowledge("m3", "a2", False, "Too vague for me"))
    return session


def test_once_a_new_wording_is_asked_the_contract_phase_waits_for_the_client_too() -> None:
    session = _asked_to_reformulate()

    assert awaited(session.circle, session.case) == {CLIENT, "m4", "m5"}


def test_a_client_question_after_a_call_to_reformulate_is_a_comment_and_the_contract_stands() -> None:
    session = _asked_to_reformulate()
    step = session.reply(CLIENT, "Which part is vague for you?")
    assert kinds(step) == [(K.COMMENT, False)]
    assert session.case.contract == "Three ideas to delegate the weekly report."


def test_a_client_question_after_a_call_to_reformulate_keeps_the_acknowledgements() -> None:
    session = _asked_to_reformulate()
    session.reply(CLIENT, "Which part is vague for you?")
    assert (session.case.finished, session.case.reformulate) == ({"m2"}, {"m3"})


def test_a_client_question_after_a_call_to_reformulate_is_told_how_to_post_the_new_wording() -> None:
    session = _asked_to_reformulate()
    step = session.reply(CLIENT, "Which part is vague for you?")
    (note,) = private_to(step, CLIENT)
    assert note.text == t("en", "contract.question_kept")


def test_a_new_wording_labelled_contract_replaces_the_contract_even_as_a_question() -> None:
    session = _asked_to_reformulate()
    step = session.reply(CLIENT, "Contract: which two tasks of the weekly report can I hand over first?")
    assert kinds(step) == [(K.CONTRACT, False)]
    assert session.case.contract == "which two tasks of the weekly report can I hand over first?"


def test_a_contract_reply_is_stored_without_its_contract_label() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    session.reply(CLIENT, "Contrat : trois idées pour déléguer le rapport.")
    assert session.case.contract == "trois idées pour déléguer le rapport."


def test_the_contract_form_records_a_contract_and_shows_it_in_the_thread() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    step = session.post_contract("Help me decide.")
    assert kinds(step) == [(K.CONTRACT, False)]
    assert session.case.contract == "Help me decide."
    assert any("Help me decide." in e.text for e in step.effects if hasattr(e, "text"))


def test_a_new_contract_resets_the_acknowledgements() -> None:
    session = open_case(make_circle(members=5)).drive_to(Phase.CONTRACT)
    session.post_contract("First wording.")
    session.do(c.Acknowledge("m2", "a1", True))
    session.do(c.Acknowledge("m3", "a2", False, "Too vague"))
    assert session.case.finished == {"m2"}
    assert session.case.reformulate == {"m3"}
    session.reply(CLIENT, "Second wording.")
    assert session.case.contract == "Second wording."
    assert session.case.finished == frozenset()
    assert session.case.reformulate == frozenset()


def test_the_contract_phase_does_not_end_on_exactly_half_the_consultants() -> None:
    session = open_case(make_circle(members=5)).drive_to(Phase.CONTRACT)  # four consultants
    session.post_contract()
    session.do(c.Acknowledge("m2", "a1", True))
    session.do(c.Acknowledge("m3", "a2", True))
    assert session.phase() is Phase.CONTRACT


def test_the_contract_phase_ends_on_a_majority_of_acknowledgements() -> None:
    session = open_case(make_circle(members=5)).drive_to(Phase.CONTRACT)
    session.post_contract()
    for user in ("m2", "m3", "m4"):
        session.do(c.Acknowledge(user, f"a-{user}", True))
    assert session.phase() is Phase.CONSULTATION


def test_acknowledgements_without_a_contract_never_end_the_phase() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    for user in session.consultants:
        step = session.reply(user, "I can help with that")
        assert kinds(step) == [(K.COMMENT, False)]
    assert session.phase() is Phase.CONTRACT
    assert session.case.finished == frozenset()


def test_please_reformulate_sends_the_client_a_direct_message() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    session.post_contract()
    step = session.do(c.Acknowledge("m2", "a1", False, "Which team?"))
    assert dm_recipients(step) == [CLIENT]
    assert "Which team?" in dms(step, CLIENT)[0].text
    assert kinds(step) == [(K.ACKNOWLEDGEMENT, False)]
    assert "m2" not in session.case.finished


def test_a_consultant_reply_asking_to_rephrase_counts_as_please_reformulate() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    session.post_contract()
    step = session.reply("m2", "Could you rephrase which decision you mean?")
    assert kinds(step) == [(K.ACKNOWLEDGEMENT, False)]
    assert session.case.reformulate == {"m2"}
    assert dm_recipients(step) == [CLIENT]


def test_a_consultant_reply_agreeing_to_the_contract_counts_as_i_can_help() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    session.post_contract()
    step = session.reply("m2", "I can help with that")
    assert kinds(step) == [(K.ACKNOWLEDGEMENT, False)]
    assert session.case.finished == {"m2"}


@pytest.mark.parametrize("contract", [None, "Help me decide."], ids=["before the contract", "after it"])
def test_advice_from_a_consultant_in_the_contract_phase_is_kept_for_the_consultation(contract: str | None) -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    if contract:
        session.post_contract(contract)
    step = session.reply("m2", "Try delegating the decision to the two leads.")
    assert kinds(step) == [(K.ADVICE, True)]
    assert "m2" not in session.case.finished
    assert [parked.author_id for parked in session.case.parked] == ["m2"]
    (note,) = private_to(step, "m2")
    assert [button.action for button in note.buttons] == ["keep_for_consultation"]


def test_changing_ones_mind_from_reformulate_to_can_help_counts_once() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    session.post_contract()
    session.do(c.Acknowledge("m2", "a1", False))
    session.do(c.Acknowledge("m2", "a2", True))
    assert session.case.finished == {"m2"}
    assert session.case.reformulate == frozenset()


def test_an_acknowledgement_from_a_consultant_who_then_left_no_longer_counts() -> None:
    session = open_case(make_circle(members=5)).drive_to(Phase.CONTRACT)  # m2..m5 consult
    session.post_contract()
    session.do(c.Acknowledge("m2", "a1", True))
    session.do(c.Acknowledge("m3", "a2", True))
    session.circle = handle_circle(session.circle, c.Leave("m2"), session.now).circle
    session.reply(FAC, "Where are we?")  # any act re-evaluates the phase
    assert session.phase() is Phase.CONTRACT  # one of the three who remain


def test_a_consultant_who_left_the_circle_no_longer_counts_toward_the_majority() -> None:
    session = open_case(make_circle(members=5)).drive_to(Phase.CONTRACT)  # four consultants
    session.post_contract()
    session.circle = handle_circle(session.circle, c.Leave("m5"), session.now).circle
    session.do(c.Acknowledge("m2", "a1", True))
    session.do(c.Acknowledge("m3", "a2", True))
    assert session.phase() is Phase.CONSULTATION  # two of the three who remain
