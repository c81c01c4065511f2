"""Guarding the process: withdraw, pause/resume, extend, advance, reassign, deadlines, reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.flows import commands as c
from bot.flows.card import build_card
from bot.flows.catalog import t
from bot.flows.circle_engine import handle_circle
from bot.flows.effects import Reply, SetTimer, UpdateCard
from bot.flows.errors import DomainError
from bot.flows.model import Phase, TimerKind
from bot.flows.step import Step

from .builders import (
    CLIENT,
    FAC,
    NOW,
    SYSTEM,
    Session,
    dm_recipients,
    dms,
    make_circle,
    of_type,
    open_case,
    thread_texts,
)

# --- withdraw ----------------------------------------------------------------------------


def test_withdraw_puts_the_client_back_at_the_head_of_the_rotation() -> None:
    session = open_case()
    assert session.circle.rotation.queue[-1] == CLIENT
    session.do(c.Withdraw(CLIENT))
    assert session.phase() is Phase.WITHDRAWN
    assert session.circle.rotation.queue[0] == CLIENT
    assert session.circle.rotation.queue.count(CLIENT) == 1


def test_withdraw_forgets_the_turn_the_case_had_taken() -> None:
    session = open_case()
    assert [turn.case_id for turn in session.circle.rotation.history] == ["case-1"]
    session.do(c.Withdraw(CLIENT))
    assert session.circle.rotation.history == ()


def test_the_client_may_withdraw_in_a_late_phase() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    session.do(c.Withdraw(CLIENT))
    assert session.phase() is Phase.WITHDRAWN
    assert session.case.closed_at == NOW


def test_a_case_withdrawn_after_its_consultation_keeps_the_turn_it_took() -> None:
    session = open_case().drive_to(Phase.FOLLOW_UP)
    rotation = session.circle.rotation
    session.do(c.Withdraw(CLIENT))
    assert session.circle.rotation == rotation


# --- pause and resume ----------------------------------------------------------------------


def test_a_deadline_timer_during_a_pause_does_nothing() -> None:
    session = open_case()
    session.do(c.Pause(FAC))
    paused = session.case
    step = session.fire(TimerKind.DEADLINE)
    assert session.case == paused
    assert step.effects == ()


def test_a_reminder_timer_during_a_pause_sends_nothing() -> None:
    session = open_case()
    session.do(c.Pause(FAC))
    step = session.fire(TimerKind.HALF_WINDOW)
    assert step.effects == ()


def test_pausing_makes_the_timers_set_before_stale() -> None:
    session = open_case()
    before = session.case.timer_seq
    session.do(c.Pause(FAC))
    session.do(c.Resume(FAC))
    step = session.fire(TimerKind.DEADLINE, seq=before)
    assert session.phase() is Phase.CLARIFICATION
    assert step.effects == ()


def test_resume_gives_back_the_time_the_pause_took() -> None:
    session = open_case()
    deadline = session.case.deadline
    assert deadline is not None
    session.later(timedelta(hours=5)).do(c.Pause(FAC))
    session.later(timedelta(hours=7))
    step = session.do(c.Resume(FAC))
    assert session.case.deadline == deadline + timedelta(hours=7)
    assert session.case.paused_at is None
    timers = of_type(step.effects, SetTimer)
    assert {(t.timer, t.due_at) for t in timers} >= {(TimerKind.DEADLINE, deadline + timedelta(hours=7))}
    assert {t.seq for t in timers} == {session.case.timer_seq}


def test_acts_during_a_pause_are_recorded_but_do_not_end_the_phase() -> None:
    session = open_case()
    session.do(c.Pause(FAC))
    for user in session.consultants:
        session.do(c.NoMoreQuestions(user))
    assert session.phase() is Phase.CLARIFICATION
    assert session.case.finished == set(session.consultants)


def test_resuming_a_phase_completed_during_the_pause_moves_it_on() -> None:
    session = open_case()
    session.do(c.Pause(FAC))
    for user in session.consultants:
        session.do(c.NoMoreQuestions(user))
    session.do(c.Resume(FAC))
    assert session.phase() is Phase.CONTRACT


def test_resuming_a_phase_completed_during_the_pause_names_no_deadline_it_will_not_keep() -> None:
    session = open_case()
    session.do(c.Pause(FAC))
    for user in session.consultants:
        session.do(c.NoMoreQuestions(user))

    step = session.do(c.Resume(FAC))

    assert thread_texts(step)[0] == t("en", "case.resumed_complete")


def test_pausing_twice_is_refused() -> None:
    session = open_case()
    session.do(c.Pause(FAC))
    with pytest.raises(DomainError) as refused:
        session.do(c.Pause(FAC))
    assert refused.value.key == "error.already_paused"


def test_resuming_a_case_that_is_not_paused_is_refused() -> None:
    session = open_case()
    with pytest.raises(DomainError) as refused:
        session.do(c.Resume(FAC))
    assert refused.value.key == "error.not_paused"


def test_timers_do_nothing_while_the_circle_is_paused() -> None:
    session = open_case()
    session.circle = handle_circle(session.circle, c.PauseCircle(FAC), NOW).circle
    step = session.fire(TimerKind.DEADLINE)
    assert session.phase() is Phase.CLARIFICATION
    assert step.effects == ()


def test_resuming_a_case_while_its_circle_is_paused_is_refused() -> None:
    session = open_case()
    session.circle = handle_circle(session.circle, c.PauseCircle(FAC), NOW).circle
    session.do(c.CirclePaused(SYSTEM))
    with pytest.raises(DomainError) as refused:
        session.do(c.Resume(FAC))
    assert refused.value.key == "error.case_resume_while_circle_paused"


def _deadline_passed_while_the_circle_was_paused() -> Session:
    """A case left running in a paused circle (as one resumed on its own used to be), its
    deadline passed since, and the circle now resumed."""
    session = open_case()
    session.circle = handle_circle(session.circle, c.PauseCircle(FAC), NOW).circle
    session.later(timedelta(days=5))
    session.circle = handle_circle(session.circle, c.ResumeCircle(FAC), session.now).circle
    return session


def test_a_deadline_that_passed_while_the_circle_was_paused_gets_its_window_again_when_the_circle_resumes() -> None:
    session = _deadline_passed_while_the_circle_was_paused()
    session.do(c.CircleResumed(SYSTEM))
    assert session.phase() is Phase.CLARIFICATION
    assert session.case.deadline == session.now + session.circle.settings.window(Phase.CLARIFICATION)


def test_a_deadline_that_passed_while_the_circle_was_paused_gets_a_reminder_before_its_new_deadline() -> None:
    session = _deadline_passed_while_the_circle_was_paused()
    step = session.do(c.CircleResumed(SYSTEM))
    deadline = session.case.deadline
    assert deadline is not None
    reminders = [t.due_at for t in of_type(step.effects, SetTimer) if t.timer is not TimerKind.DEADLINE]
    assert reminders
    assert all(session.now < due < deadline for due in reminders)


# --- extend, advance, reassign -----------------------------------------------------------------


def test_extend_moves_the_deadline_and_sets_new_timers() -> None:
    session = open_case()
    deadline = session.case.deadline
    assert deadline is not None
    step = session.do(c.Extend(FAC, timedelta(days=1)))
    assert session.case.deadline == deadline + timedelta(days=1)
    deadlines = [t for t in of_type(step.effects, SetTimer) if t.timer is TimerKind.DEADLINE]
    assert [(t.due_at, t.seq) for t in deadlines] == [(deadline + timedelta(days=1), session.case.timer_seq)]


def test_extending_a_case_past_its_deadline_counts_the_extension_from_now() -> None:
    session = open_case()  # a two-day clarification window
    session.later(timedelta(days=3))

    session.do(c.Extend(FAC, timedelta(days=1)))

    assert session.case.deadline == session.now + timedelta(days=1)


def test_extending_a_paused_case_says_the_time_its_phase_will_have_left_not_a_date() -> None:
    session = open_case()  # a two-day clarification window
    session.later(timedelta(hours=12)).do(c.Pause(FAC))

    step = session.later(timedelta(days=1)).do(c.Extend(FAC, timedelta(days=1)))

    [note] = of_type(step.effects, Reply)
    assert note.text == t("en", "case.extended_while_paused", days=2, hours=12)


def test_after_an_extension_the_older_deadline_timer_is_stale() -> None:
    session = open_case()
    old_seq = session.case.timer_seq
    session.do(c.Extend(FAC, timedelta(days=1)))
    extended = session.case
    step = session.later(timedelta(days=2)).fire(TimerKind.DEADLINE, seq=old_seq)
    assert session.case == extended
    assert step.effects == ()


def test_the_facilitator_advances_the_case_to_the_next_phase() -> None:
    session = open_case()
    step = session.do(c.Advance(FAC))
    assert session.phase() is Phase.CONTRACT
    assert any("Fay" in text for text in thread_texts(step))


def test_reassigning_the_client_swaps_roles() -> None:
    session = open_case()
    session.do(c.NoMoreQuestions("m3"))
    session.do(c.ReassignClient(FAC, "m3"))
    assert session.case.client_id == "m3"
    assert "m3" not in session.case.consultants
    assert CLIENT in session.case.consultants
    assert "m3" not in session.case.finished


def test_the_new_client_of_a_reassigned_case_is_told_directly() -> None:
    session = open_case()

    step = session.do(c.ReassignClient(FAC, "m3"))

    assert dm_recipients(step) == ["m3"]


def test_advice_the_new_client_kept_for_the_consultation_is_dropped_when_the_case_becomes_theirs() -> None:
    session = open_case()
    advice = session.reply("m3", "You should talk to HR.").contributions[0]
    session.do(c.KeepForConsultation("m3", advice.id, "kept-1"))
    session.do(c.ReassignClient(FAC, "m3"))
    assert session.case.parked == ()


def test_reassigning_a_case_after_its_consultation_is_refused() -> None:
    session = open_case()
    for _ in range(3):  # clarification → contract → consultation → action plan
        session.do(c.Advance(FAC))

    with pytest.raises(DomainError) as refused:
        session.do(c.ReassignClient(FAC, "m3"))

    assert refused.value.key == "error.wrong_phase"


def test_a_facilitator_whose_case_is_reassigned_does_not_consult_where_facilitators_do_not() -> None:
    session = open_case(client=FAC)

    session.do(c.ReassignClient(FAC, "m3"))

    assert FAC not in session.case.consultants


def test_reassigning_to_someone_outside_the_circle_is_refused() -> None:
    session = open_case()
    with pytest.raises(DomainError) as refused:
        session.do(c.ReassignClient(FAC, "nobody"))
    assert refused.value.key == "error.unknown_member"


def test_reassigning_to_the_current_client_is_refused() -> None:
    session = open_case()
    with pytest.raises(DomainError) as refused:
        session.do(c.ReassignClient(FAC, CLIENT))
    assert refused.value.key == "error.already_client"


# --- deadlines ---------------------------------------------------------------------------------


def test_entering_a_timed_phase_sets_its_deadline_and_a_half_window_reminder() -> None:
    session = open_case()
    timers = of_type(session.steps[0].effects, SetTimer)
    assert {(t.timer, t.due_at) for t in timers} == {
        (TimerKind.DEADLINE, NOW + timedelta(days=2)),
        (TimerKind.HALF_WINDOW, NOW + timedelta(days=1)),
    }


def test_a_three_day_window_also_gets_a_reminder_one_day_before_the_deadline() -> None:
    session = open_case().drive_to(Phase.CONSULTATION)
    timers = of_type(session.steps[-1].effects, SetTimer)
    assert (TimerKind.LAST_DAY, NOW + timedelta(days=2)) in {(t.timer, t.due_at) for t in timers}


def test_the_deadline_in_clarification_moves_the_case_to_the_contract() -> None:
    session = open_case()
    session.later(timedelta(days=2)).fire(TimerKind.DEADLINE)
    assert session.phase() is Phase.CONTRACT


def test_the_deadline_in_consultation_moves_the_case_to_the_action_plan() -> None:
    session = open_case().drive_to(Phase.CONSULTATION)
    session.fire(TimerKind.DEADLINE)
    assert session.phase() is Phase.ACTION_PLAN


def test_the_deadline_in_contract_without_a_contract_alerts_facilitators_and_extends_once() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    deadline = session.case.deadline
    assert deadline is not None
    step = session.fire(TimerKind.DEADLINE)
    assert session.phase() is Phase.CONTRACT
    assert dm_recipients(step) == [FAC]
    assert session.case.deadline == deadline + timedelta(days=1)
    assert session.case.extended_once is True


def test_the_second_deadline_without_a_contract_only_alerts() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    session.fire(TimerKind.DEADLINE)
    extended = session.case
    step = session.fire(TimerKind.DEADLINE)
    assert session.case == extended
    assert dm_recipients(step) == [FAC]
    assert of_type(step.effects, SetTimer) == []


def test_the_second_deadline_without_a_contract_says_the_case_now_waits_for_the_facilitator() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    first = session.fire(TimerKind.DEADLINE)
    second = session.fire(TimerKind.DEADLINE)
    assert dms(second, FAC)[0].text != dms(first, FAC)[0].text
    assert "/codev advance 1" in dms(second, FAC)[0].text


def test_the_deadline_after_a_contract_moves_on_without_a_majority() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    session.post_contract()
    session.fire(TimerKind.DEADLINE)
    assert session.phase() is Phase.CONSULTATION


def test_the_deadline_in_the_plan_phase_without_a_plan_alerts_and_extends_once() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    step = session.fire(TimerKind.DEADLINE)
    assert session.phase() is Phase.ACTION_PLAN
    assert dm_recipients(step) == [FAC]
    assert session.case.extended_once is True


def test_the_deadline_in_learnings_moves_to_follow_up_even_if_some_did_not_share() -> None:
    session = open_case().drive_to(Phase.LEARNINGS)
    session.fire(TimerKind.DEADLINE)
    assert session.phase() is Phase.FOLLOW_UP


def test_a_timer_from_a_previous_phase_is_stale() -> None:
    session = open_case()
    old_seq = session.case.timer_seq
    session.drive_to(Phase.CONTRACT)
    contract = session.case
    session.fire(TimerKind.DEADLINE, seq=old_seq)
    assert session.case == contract


# --- reminders ---------------------------------------------------------------------------------


def test_reminders_go_only_to_consultants_who_have_not_finished() -> None:
    session = open_case().drive_to(Phase.CONSULTATION)
    session.do(c.Done("m2"))
    session.reply("m3", "Some advice.")
    step = session.fire(TimerKind.LAST_DAY)
    assert dm_recipients(step) == ["m3", "m4"]


def test_the_half_window_reminder_skips_those_who_said_no_more_questions() -> None:
    session = open_case()
    session.do(c.NoMoreQuestions("m2"))
    session.reply("m3", "Who decides?")
    step = session.fire(TimerKind.HALF_WINDOW)
    assert dm_recipients(step) == ["m3", "m4"]


def test_before_the_contract_only_the_client_is_reminded() -> None:
    session = open_case().drive_to(Phase.CONTRACT)
    for user in ("m2", "m3"):
        session.reply(user, "Ready when you are.")
    step = session.fire(TimerKind.HALF_WINDOW)
    assert dm_recipients(step) == [CLIENT]


def test_learnings_reminders_go_to_whoever_has_not_shared() -> None:
    session = open_case().drive_to(Phase.LEARNINGS)
    session.reply("m2", "Learned.")
    session.reply(CLIENT, "Learned too.")
    step = session.fire(TimerKind.HALF_WINDOW)
    assert dm_recipients(step) == ["m3", "m4"]


def test_fewer_than_two_active_consultants_alerts_the_facilitator_at_half_window() -> None:
    session = open_case()
    session.reply("m2", "Who decides?")
    step = session.fire(TimerKind.HALF_WINDOW)
    assert FAC in dm_recipients(step)
    (alert,) = dms(step, FAC)
    assert "consultants active in this phase so far: 1 of 3" in alert.text


@pytest.mark.parametrize("phase", [Phase.CONTRACT, Phase.ACTION_PLAN])
def test_silent_consultants_before_the_client_has_written_do_not_alert_the_facilitator(phase: Phase) -> None:
    session = open_case().drive_to(phase)
    step = session.fire(TimerKind.HALF_WINDOW)
    assert FAC not in dm_recipients(step)


def test_two_active_consultants_do_not_alert_the_facilitator() -> None:
    session = open_case()
    session.reply("m2", "Who decides?")
    session.reply("m3", "Since when?")
    step = session.fire(TimerKind.HALF_WINDOW)
    assert FAC not in dm_recipients(step)


def test_a_consultant_who_left_the_circle_is_not_reminded() -> None:
    session = open_case()
    session.circle = handle_circle(session.circle, c.Leave("m4"), NOW).circle
    step = session.fire(TimerKind.LAST_DAY)
    assert dm_recipients(step) == ["m2", "m3"]


def test_when_every_other_consultant_leaves_one_done_ends_the_consultation() -> None:
    session = open_case(make_circle(members=3)).drive_to(Phase.CONSULTATION)
    session.circle = handle_circle(session.circle, c.Leave("m3"), NOW).circle
    session.do(c.Done("m2"))
    assert session.phase() is Phase.ACTION_PLAN


def test_a_consultant_leaving_the_circle_updates_the_card_of_the_case_they_consulted_on() -> None:
    session = open_case()
    session.circle = handle_circle(session.circle, c.Leave("m4"), NOW).circle

    step = session.do(c.Recheck(SYSTEM, "m4"))

    [update] = of_type(step.effects, UpdateCard)
    assert update.card == build_card(session.circle, session.case)


def test_an_extension_late_in_the_window_schedules_no_reminder_in_the_past() -> None:
    session = open_case()  # two-day window: the half-window reminder went out after one day
    step = session.later(timedelta(hours=40)).do(c.Extend(FAC, timedelta(days=1)))
    timers = of_type(step.effects, SetTimer)
    assert TimerKind.HALF_WINDOW not in [t.timer for t in timers]
    assert all(t.due_at > session.now for t in timers)


def test_resuming_after_the_half_window_schedules_no_reminder_in_the_past() -> None:
    session = open_case()
    session.later(timedelta(hours=30)).do(c.Pause(FAC))
    step = session.later(timedelta(hours=1)).do(c.Resume(FAC))
    assert all(t.due_at > session.now for t in of_type(step.effects, SetTimer))


def test_a_case_withdrawn_while_paused_is_no_longer_paused() -> None:
    session = open_case()
    session.do(c.Pause(FAC))
    session.do(c.Withdraw(CLIENT))
    assert session.phase() is Phase.WITHDRAWN
    assert session.case.paused_at is None


def test_reassigning_the_client_gives_the_old_client_their_turn_back() -> None:
    session = open_case()
    new_client = session.consultants[0]
    session.do(c.ReassignClient(FAC, new_client))
    assert session.circle.rotation.queue[0] == CLIENT
    assert session.circle.rotation.queue[-1] == new_client


def test_reassigning_the_client_records_the_turn_as_the_new_clients() -> None:
    session = open_case()
    new_client = session.consultants[0]
    session.do(c.ReassignClient(FAC, new_client))
    turns = [turn for turn in session.circle.rotation.history if turn.case_id == session.case.id]
    assert [turn.user_id for turn in turns] == [new_client]


def test_advancing_a_paused_case_keeps_it_paused_from_the_advance() -> None:
    session = open_case()
    session.do(c.Pause(FAC))
    session.later(timedelta(hours=5)).do(c.Advance(FAC))
    assert session.phase() is Phase.CONTRACT
    assert session.case.paused_at == session.now


def test_resuming_after_an_advance_gives_back_only_the_time_paused_in_the_new_phase() -> None:
    session = open_case()
    session.do(c.Pause(FAC))
    session.later(timedelta(hours=5)).do(c.Advance(FAC))
    deadline = session.case.deadline
    assert deadline is not None
    session.later(timedelta(hours=2)).do(c.Resume(FAC))
    assert session.case.deadline == deadline + timedelta(hours=2)


def test_a_recheck_ends_a_phase_that_a_departure_completed() -> None:
    session = open_case()
    *others, last = session.consultants
    for user in others:
        session.do(c.NoMoreQuestions(user))
    session.circle = handle_circle(session.circle, c.Leave(last), NOW).circle
    session.do(c.Recheck(c.SYSTEM_ACTOR))
    assert session.phase() is Phase.CONTRACT


def _all_consultants_leave(session: Session) -> Step:
    """Each consultant leaves in turn; the step of the last one's recheck."""
    steps = []
    for user in session.consultants:
        session.circle = handle_circle(session.circle, c.Leave(user), NOW).circle
        steps.append(session.do(c.Recheck(c.SYSTEM_ACTOR, user)))
    return steps[-1]


def test_a_phase_whose_consultants_all_left_does_not_end_as_if_they_had_finished() -> None:
    session = open_case()
    _all_consultants_leave(session)
    assert session.phase() is Phase.CLARIFICATION


def test_a_case_with_no_consultant_left_sends_no_low_activity_alert_at_half_window() -> None:
    session = open_case()
    _all_consultants_leave(session)

    step = session.fire(TimerKind.HALF_WINDOW)

    assert FAC not in dm_recipients(step)


def test_facilitators_hear_when_the_last_consultant_of_a_case_leaves() -> None:
    session = open_case()
    step = _all_consultants_leave(session)
    assert dm_recipients(step) == [FAC]
    assert "no consultant left" in dms(step, FAC)[0].text


def test_a_deadline_with_no_consultant_left_holds_the_case_and_tells_the_facilitators() -> None:
    session = open_case()
    _all_consultants_leave(session)
    step = session.later(timedelta(days=3)).fire(TimerKind.DEADLINE)
    assert session.phase() is Phase.CLARIFICATION
    assert dm_recipients(step) == [FAC]


def test_a_recheck_of_an_unfinished_phase_changes_nothing() -> None:
    session = open_case()
    before = session.case
    step = session.do(c.Recheck(c.SYSTEM_ACTOR))
    assert session.case == before
    assert step.effects == ()
