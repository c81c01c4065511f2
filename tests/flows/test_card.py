"""The case card: its buttons follow the phase, its progress line follows the acts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.flows import commands as c
from bot.flows.card import PHASE_BUTTONS, build_card, shows_the_same
from bot.flows.circle_engine import handle_circle
from bot.flows.effects import Card, UpdateCard
from bot.flows.model import ItemStatus, ParkedAdvice, Phase

from .builders import CLIENT, FAC, NOW, make_circle, of_type, open_case


def progress(card: Card) -> str | None:
    return next((line.value for line in card.lines if line.label == "Progress"), None)


@pytest.mark.parametrize("phase", list(Phase))
def test_the_cards_buttons_follow_the_phase(phase: Phase) -> None:
    session = open_case().drive_to(phase)
    card = build_card(session.circle, session.case)
    assert [b.action for b in card.buttons] == list(PHASE_BUTTONS[phase])
    assert all(b.case_id == session.case.id for b in card.buttons)


def test_each_phase_offers_the_buttons_of_its_acts() -> None:
    assert PHASE_BUTTONS == {
        Phase.CLARIFICATION: ("no_more_questions", "ready_for_contract", "withdraw"),
        Phase.CONTRACT: ("post_contract", "ack_can_help", "ack_reformulate", "withdraw"),
        Phase.CONSULTATION: ("done", "signal", "withdraw"),
        Phase.ACTION_PLAN: ("post_plan", "endorse", "withdraw"),
        Phase.LEARNINGS: ("share_learning", "withdraw"),
        Phase.FOLLOW_UP: ("post_update", "close_case"),
        Phase.CLOSED: (),
        Phase.WITHDRAWN: (),
    }


def test_every_phase_has_a_button_list_and_closed_cases_have_none() -> None:
    assert set(PHASE_BUTTONS) == set(Phase)
    assert PHASE_BUTTONS[Phase.CLOSED] == ()
    assert PHASE_BUTTONS[Phase.WITHDRAWN] == ()


def test_moving_to_the_next_phase_updates_the_card_with_its_buttons() -> None:
    session = open_case()
    step = session.do(c.ReadyForContract(CLIENT))
    (update,) = of_type(step.effects, UpdateCard)
    assert [b.action for b in update.card.buttons] == list(PHASE_BUTTONS[Phase.CONTRACT])


def test_the_card_shows_the_phase_in_the_circles_language() -> None:
    session = open_case(make_circle(language="fr")).drive_to(Phase.CONTRACT)
    card = build_card(session.circle, session.case)
    assert ("Phase", "Contrat") in [(line.label, line.value) for line in card.lines]
    assert card.buttons[0].label == "Rédiger le contrat"


def test_the_clarification_progress_counts_consultants_with_no_more_questions() -> None:
    session = open_case()
    assert progress(build_card(session.circle, session.case)) == "0/3 consultants have no more questions"
    step = session.do(c.NoMoreQuestions("m2"))
    (update,) = of_type(step.effects, UpdateCard)
    assert progress(update.card) == "1/3 consultants have no more questions"


def test_the_contract_progress_waits_for_the_contract_then_counts_acknowledgements() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    assert progress(build_card(session.circle, session.case)) == "waiting for the contract"
    session.post_contract()
    session.do(c.Acknowledge("m2", "a", True))
    assert progress(build_card(session.circle, session.case)) == "1/3 can help"


def test_the_plan_progress_waits_for_the_plan_then_counts_endorsements() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    assert progress(build_card(session.circle, session.case)) == "waiting for the plan"
    session.post_plan()
    session.do(c.Endorse("m2", "e"))
    assert progress(build_card(session.circle, session.case)) == "1/3 endorsed the plan"


def test_the_learnings_progress_names_who_shared() -> None:
    session = open_case().drive_to(Phase.LEARNINGS)
    session.reply("m3", "Learned.")
    session.reply(CLIENT, "Learned too.")
    assert progress(build_card(session.circle, session.case)) == "shared so far: M1, M3"


def test_the_follow_up_progress_counts_settled_actions() -> None:
    session = open_case().drive_to(Phase.FOLLOW_UP)
    session.do(c.PostUpdate(CLIENT, "u", 2, ItemStatus.DONE))
    assert progress(build_card(session.circle, session.case)) == "1/2 actions settled"


def test_the_progress_leaves_out_a_consultant_who_left_the_circle() -> None:
    session = open_case()
    session.do(c.NoMoreQuestions("m2"))
    session.circle = handle_circle(session.circle, c.Leave("m2"), NOW).circle
    assert progress(build_card(session.circle, session.case)) == "0/2 consultants have no more questions"


def test_a_paused_case_card_says_paused_instead_of_the_deadline() -> None:
    session = open_case()
    session.do(c.Pause(FAC))
    lines = {line.label: line.value for line in build_card(session.circle, session.case).lines}
    assert lines.get("Status") == "paused"
    assert "Until" not in lines


def test_the_card_shows_the_deadline_in_the_circles_time_zone() -> None:
    session = open_case(make_circle(timezone="America/Montreal"))
    lines = {line.label: line.value for line in build_card(session.circle, session.case).lines}
    assert lines["Until"] == "2026-12-03 09:00 (America/Montreal)"


def test_a_reply_that_changes_nothing_on_the_card_does_not_update_it() -> None:
    session = open_case()
    step = session.reply("m2", "Who decides?")
    assert of_type(step.effects, UpdateCard) == []


@pytest.mark.parametrize("phase", list(Phase))
def test_who_acted_and_the_parked_advice_never_show_on_the_card(phase: Phase) -> None:
    session = open_case().drive_to(phase)
    hidden = session.case.replace(acted=frozenset({"m2", "m3"}), parked=(ParkedAdvice("p1", "m2", "Try X."),))
    assert shows_the_same(session.case, hidden)
    assert build_card(session.circle, hidden) == build_card(session.circle, session.case)


def test_a_case_that_differs_in_what_the_card_shows_does_not_show_the_same() -> None:
    case = open_case().case
    assert not shows_the_same(case, case.replace(finished=frozenset({"m2"})))


def test_an_extension_updates_the_deadline_on_the_card() -> None:
    session = open_case()
    step = session.do(c.Extend(FAC, timedelta(days=1)))
    (update,) = of_type(step.effects, UpdateCard)
    lines = {line.label: line.value for line in update.card.lines}
    assert lines["Until"] == "2026-12-04 14:00 (UTC)"


def test_a_whole_consultation_runs_in_french() -> None:
    session = open_case(make_circle(language="fr")).drive_to(Phase.CLOSED)
    texts = [getattr(e, "text", "") for step in session.steps for e in step.effects]
    assert any(text.startswith("*Phase 3 : contrat*") for text in texts)
    assert "Ce cas est terminé. Merci à toutes et à tous." in texts
