"""Phase 6, learnings, and the follow-up of the action plan until it is settled."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.flows import commands as c
from bot.flows.catalog import t
from bot.flows.errors import DomainError
from bot.flows.model import ContributionKind, ItemStatus, Phase

from .builders import CLIENT, FAC, SYSTEM, dm_recipients, dms, kinds, make_circle, open_case, private_to, thread_texts

K = ContributionKind


WEEK = timedelta(weeks=1)  # between meetings


def test_learnings_end_when_the_client_and_every_consultant_shared() -> None:
    session = open_case().drive_to(Phase.LEARNINGS)
    for user in session.consultants:
        session.do(c.ShareLearning(user, session.next_id(), "Ask before advising."))
    assert session.phase() is Phase.LEARNINGS
    session.do(c.ShareLearning(CLIENT, session.next_id(), "Listen first."))
    assert session.phase() is Phase.FOLLOW_UP


def test_learnings_do_not_end_without_the_client() -> None:
    session = open_case().drive_to(Phase.LEARNINGS)
    for user in session.consultants:
        session.reply(user, "I learned to wait.")
    assert session.phase() is Phase.LEARNINGS
    assert session.case.learned == set(session.consultants)


def test_a_reply_during_learnings_is_a_learning() -> None:
    session = open_case().drive_to(Phase.LEARNINGS)
    step = session.reply("m2", "Silence is useful.")
    assert kinds(step) == [(K.LEARNING, False)]


def test_a_non_consulting_facilitator_may_share_a_learning_without_holding_up_the_phase() -> None:
    session = open_case().drive_to(Phase.LEARNINGS)
    step = session.do(c.ShareLearning(FAC, "l", "Good pacing."))
    assert kinds(step) == [(K.LEARNING, False)]
    assert session.phase() is Phase.LEARNINGS
    for user in (CLIENT, *session.consultants):
        session.reply(user, "Learned.")
    assert session.phase() is Phase.FOLLOW_UP


def test_follow_up_opens_with_a_private_message_to_the_client_and_an_update_button() -> None:
    session = open_case().drive_to(Phase.FOLLOW_UP)
    opening = session.steps[-1]
    assert dm_recipients(opening) == [CLIENT]
    (message,) = dms(opening, CLIENT)
    assert [b.action for b in message.buttons] == ["post_update"]


def test_a_follow_up_reply_like_2_done_updates_that_item() -> None:
    session = open_case().drive_to(Phase.FOLLOW_UP)
    step = session.reply(CLIENT, "2 done: we wrote it together")
    assert kinds(step) == [(K.UPDATE, False)]
    plan = session.case.plan
    assert plan is not None
    assert [(i.status, i.note) for i in plan.items] == [
        (ItemStatus.OPEN, ""),
        (ItemStatus.DONE, "we wrote it together"),
    ]


def test_a_follow_up_reply_with_an_update_per_line_updates_each_item() -> None:
    session = open_case().drive_to(Phase.FOLLOW_UP)
    session.reply(CLIENT, "1 done: talked to all\n2 dropped: no time")
    plan = session.case.plan
    assert plan is not None
    assert [(i.status, i.note) for i in plan.items] == [
        (ItemStatus.DONE, "talked to all"),
        (ItemStatus.DROPPED, "no time"),
    ]


def test_the_update_form_updates_one_item() -> None:
    session = open_case().drive_to(Phase.FOLLOW_UP)
    step = session.do(c.PostUpdate(CLIENT, "u1", 1, ItemStatus.PARTLY, "one meeting so far"))
    assert kinds(step) == [(K.UPDATE, False)]
    assert session.case.plan is not None
    assert session.case.plan.items[0].status is ItemStatus.PARTLY
    assert session.case.plan.items[0].note == "one meeting so far"


def test_an_update_for_an_item_that_does_not_exist_is_refused() -> None:
    session = open_case().drive_to(Phase.FOLLOW_UP)
    with pytest.raises(DomainError) as refused:
        session.do(c.PostUpdate(CLIENT, "u1", 3, ItemStatus.DONE))
    assert refused.value.key == "error.no_such_item"
    assert refused.value.params == {"item": 3, "count": 2}


def test_an_unreadable_follow_up_reply_is_recorded_with_a_hint() -> None:
    session = open_case().drive_to(Phase.FOLLOW_UP)
    before = session.case.plan
    step = session.reply(CLIENT, "Things are moving slowly.")
    assert len(step.contributions) == 1
    assert len(private_to(step, CLIENT)) == 1
    assert session.case.plan == before


def test_a_follow_up_reply_naming_a_missing_item_is_recorded_and_explained_privately() -> None:
    session = open_case().drive_to(Phase.FOLLOW_UP)
    step = session.reply(CLIENT, "7 done")
    assert len(step.contributions) == 1
    assert len(private_to(step, CLIENT)) == 1
    assert session.case.plan is not None
    assert all(i.status is ItemStatus.OPEN for i in session.case.plan.items)


def test_every_item_settled_closes_the_case() -> None:
    session = open_case().drive_to(Phase.FOLLOW_UP)
    session.do(c.PostUpdate(CLIENT, "u1", 1, ItemStatus.DONE))
    assert session.phase() is Phase.FOLLOW_UP
    session.do(c.PostUpdate(CLIENT, "u2", 2, ItemStatus.DROPPED, "no longer needed"))
    assert session.phase() is Phase.CLOSED
    assert session.case.closed_at == session.now


def test_an_item_partly_done_is_not_settled() -> None:
    session = open_case().drive_to(Phase.FOLLOW_UP)
    session.do(c.PostUpdate(CLIENT, "u1", 1, ItemStatus.DONE))
    session.do(c.PostUpdate(CLIENT, "u2", 2, ItemStatus.PARTLY))
    assert session.phase() is Phase.FOLLOW_UP


def test_the_set_number_of_meetings_in_follow_up_closes_the_case() -> None:
    circle = make_circle(settings=[("followup_meetings", "2")])
    session = open_case(circle).drive_to(Phase.FOLLOW_UP)
    session.later(WEEK).do(c.MeetingHeld(SYSTEM))
    assert session.phase() is Phase.FOLLOW_UP
    session.later(WEEK).do(c.MeetingHeld(SYSTEM))
    assert session.phase() is Phase.CLOSED


def test_a_case_closed_by_its_meetings_says_so_in_its_thread_with_the_actions_left_open() -> None:
    circle = make_circle(settings=[("followup_meetings", "1")])
    session = open_case(circle).drive_to(Phase.FOLLOW_UP)
    session.reply(CLIENT, "1 done")
    step = session.later(WEEK).do(c.MeetingHeld(SYSTEM))
    assert t("en", "follow_up.closed_with_open_actions", count=1, actions="2") in thread_texts(step)


def test_by_default_three_meetings_close_the_follow_up() -> None:
    session = open_case().drive_to(Phase.FOLLOW_UP)
    for _ in range(2):
        session.later(WEEK).do(c.MeetingHeld(SYSTEM))
    assert session.phase() is Phase.FOLLOW_UP
    session.later(WEEK).do(c.MeetingHeld(SYSTEM))
    assert session.phase() is Phase.CLOSED


def test_a_meeting_soon_after_the_plan_is_not_counted_against_its_follow_up() -> None:
    circle = make_circle(settings=[("followup_meetings", "1")])
    session = open_case(circle).drive_to(Phase.FOLLOW_UP)

    session.later(timedelta(days=1)).do(c.MeetingHeld(SYSTEM))  # before its client could be asked for news

    assert session.phase() is Phase.FOLLOW_UP


def test_a_meeting_before_follow_up_is_not_counted() -> None:
    session = open_case().drive_to(Phase.CONSULTATION)
    session.do(c.MeetingHeld(SYSTEM))
    assert session.case.meetings_in_follow_up == 0
    assert session.phase() is Phase.CONSULTATION


def test_the_client_closes_the_case_in_follow_up() -> None:
    session = open_case().drive_to(Phase.FOLLOW_UP)
    session.do(c.CloseCase(CLIENT))
    assert session.phase() is Phase.CLOSED


def test_a_consultant_reply_in_follow_up_is_a_comment_in_role() -> None:
    session = open_case().drive_to(Phase.FOLLOW_UP)
    step = session.reply("m2", "Well done!")
    assert kinds(step) == [(K.COMMENT, False)]
    assert private_to(step, "m2") == []


def test_a_case_advanced_past_the_plan_without_one_closes_after_learnings() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    session.do(c.Advance(FAC))
    assert session.phase() is Phase.LEARNINGS
    session.finish_phase()
    assert session.phase() is Phase.CLOSED
