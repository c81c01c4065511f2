"""Phase 5, action plan: a synthesis and 1–5 actions, endorsed by a majority of consultants."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.flows import commands as c
from bot.flows.catalog import t
from bot.flows.effects import Reply
from bot.flows.errors import DomainError
from bot.flows.model import ActionItem, ContributionKind, Phase

from .builders import CLIENT, NOW, dm_recipients, dms, kinds, make_circle, of_type, open_case, private_to

K = ContributionKind


def test_a_plan_reply_with_bullets_and_iso_dates_becomes_items_with_due_dates() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    step = session.reply(
        CLIENT,
        "I will start with the leads.\n"
        "- talk to Ana (by 2026-12-20)\n"
        "- write a team charter\n"
        "* review in January 2027-01-15",
    )
    assert kinds(step) == [(K.PLAN, False)]
    plan = session.case.plan
    assert plan is not None
    assert plan.synthesis == "I will start with the leads."
    assert [(i.what, i.due) for i in plan.items] == [
        ("talk to Ana", date(2026, 12, 20)),
        ("write a team charter", None),
        ("review in January", date(2027, 1, 15)),
    ]


def test_the_example_action_in_the_plan_prompt_is_itself_accepted_long_after_today() -> None:
    session = open_case().later(timedelta(days=400)).drive_to(Phase.ACTION_PLAN)
    prompt = next(r.text for step in session.steps for r in of_type(step.effects, Reply) if "Phase 5" in r.text)
    example = prompt.split("'")[3]  # the example, quoted after '-': "- talk to my manager (by …)"

    session.reply(CLIENT, f"Synthesis\n{example}")

    assert session.case.plan is not None


@pytest.mark.parametrize("due", ["(d'ici le 2027-01-10)", "(d’ici le 2027-01-10)", "(avant le 2027-01-10)"])
def test_a_french_due_date_leaves_the_action_whole(due: str) -> None:
    session = open_case(make_circle(language="fr")).drive_to(Phase.ACTION_PLAN)
    session.reply(CLIENT, f"Synthèse\n- Instaurer un rituel {due}")
    plan = session.case.plan
    assert plan is not None
    assert [(i.what, i.due) for i in plan.items] == [("Instaurer un rituel", date(2027, 1, 10))]


def test_a_plan_reply_without_bullets_takes_the_first_line_as_synthesis() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    session.reply(CLIENT, "Synthesis here\nCall the board\nHire a coach")
    plan = session.case.plan
    assert plan is not None
    assert plan.synthesis == "Synthesis here"
    assert [i.what for i in plan.items] == ["Call the board", "Hire a coach"]


def test_a_plan_form_with_more_than_five_items_is_refused() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    items = tuple(ActionItem(f"step {n}") for n in range(6))
    with pytest.raises(DomainError) as refused:
        session.do(c.PostPlan(CLIENT, "p", "too much", items))
    assert refused.value.key == "error.plan_too_many_items"
    assert refused.value.params == {"limit": 5, "count": 6, "field": "field.actions"}
    assert session.case.plan is None


def test_a_plan_form_with_five_items_is_accepted() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    session.do(c.PostPlan(CLIENT, "p", "", tuple(ActionItem(f"step {n}") for n in range(5))))
    assert session.case.plan is not None
    assert len(session.case.plan.items) == 5


def test_a_plan_form_without_items_is_refused() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    with pytest.raises(DomainError) as refused:
        session.do(c.PostPlan(CLIENT, "p", "Only thoughts", ()))
    assert refused.value.key == "error.plan_needs_items"


def test_a_plan_reply_with_six_bullets_is_recorded_but_not_taken_as_the_plan() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    step = session.reply(CLIENT, "\n".join(f"- step {n}" for n in range(6)))
    assert kinds(step) == [(K.COMMENT, False)]
    assert session.case.plan is None
    (note,) = private_to(step, CLIENT)
    assert "The plan has 6 actions; keep it to 5 at most." in note.text


def test_a_plan_with_a_due_date_in_the_past_is_refused() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    yesterday = NOW.date() - timedelta(days=1)
    with pytest.raises(DomainError) as refused:
        session.do(c.PostPlan(CLIENT, "p", "", (ActionItem("call", yesterday),)))
    assert refused.value.key == "error.date_in_past"
    assert refused.value.params == {"value": yesterday.isoformat()}


def test_a_plan_reply_with_a_past_date_is_recorded_with_a_private_explanation() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    step = session.reply(CLIENT, "Plan\n- call the board (by 2020-01-01)")
    assert kinds(step) == [(K.COMMENT, False)]
    assert session.case.plan is None
    (note,) = private_to(step, CLIENT)
    assert "2020-01-01" in note.text


def test_an_unreadable_plan_reply_is_still_recorded_with_a_private_explanation() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    step = session.reply(CLIENT, "I need to think more about it.")
    assert len(step.contributions) == 1
    assert step.contributions[0].text == "I need to think more about it."
    assert kinds(step) == [(K.COMMENT, False)]
    assert len(private_to(step, CLIENT)) == 1
    assert session.case.plan is None


def test_a_one_line_comment_after_the_plan_is_posted_says_the_plan_stands() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    session.post_plan()
    posted = session.case.plan
    step = session.reply(CLIENT, "Thanks, everyone!")
    assert kinds(step) == [(K.COMMENT, False)]
    (note,) = private_to(step, CLIENT)
    assert note.text == t("en", "plan.comment_kept")
    assert session.case.plan == posted


def test_a_multi_line_comment_after_the_plan_is_posted_leaves_the_plan_and_its_endorsements() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    session.post_plan()
    session.do(c.Endorse("m2", "e1"))
    posted, endorsed = session.case.plan, session.case.finished
    step = session.reply(CLIENT, "Thanks, everyone!\nThis helps a lot.\nSee you Tuesday.")
    assert kinds(step) == [(K.COMMENT, False)]
    (note,) = private_to(step, CLIENT)
    assert note.text == t("en", "plan.comment_kept")
    assert (session.case.plan, session.case.finished) == (posted, endorsed)


def test_a_bulleted_reply_after_the_plan_is_posted_replaces_it() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    session.post_plan()
    step = session.reply(CLIENT, "Revised after your comments\n- call the board\n- hire a coach")
    assert kinds(step) == [(K.PLAN, False)]
    plan = session.case.plan
    assert plan is not None
    assert [item.what for item in plan.items] == ["call the board", "hire a coach"]


def test_the_plan_phase_ends_on_a_majority_of_endorsements() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)  # three consultants
    session.post_plan()
    session.do(c.Endorse("m2", "e1"))
    assert session.phase() is Phase.ACTION_PLAN
    session.do(c.Endorse("m3", "e2"))
    assert session.phase() is Phase.LEARNINGS


def test_the_plan_phase_does_not_end_on_exactly_half_the_consultants() -> None:
    session = open_case(make_circle(members=5)).drive_to(Phase.ACTION_PLAN)  # four consultants
    session.post_plan()
    session.do(c.Endorse("m2", "e1"))
    session.do(c.Endorse("m3", "e2"))
    assert session.phase() is Phase.ACTION_PLAN


def test_a_consultant_reply_approving_the_plan_counts_as_an_endorsement() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    session.post_plan()
    step = session.reply("m2", "Looks good to me")
    assert kinds(step) == [(K.ENDORSEMENT, False)]
    assert session.case.finished == {"m2"}


def test_a_consultant_reply_questioning_the_plan_is_a_comment_not_an_endorsement() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    session.post_plan()
    step = session.reply("m2", "Is the first date realistic?")
    assert kinds(step) == [(K.COMMENT, False)]
    assert session.case.finished == frozenset()


def test_the_client_hears_of_a_consultants_reservation_about_the_plan() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    session.post_plan()
    step = session.reply("m2", "Nice plan but what about timing?")
    assert dm_recipients(step) == [CLIENT]
    assert "what about timing?" in dms(step, CLIENT)[0].text


def test_a_consultant_reply_suggesting_a_change_is_a_comment_not_an_endorsement() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    session.post_plan()
    step = session.reply("m2", "You should also set a date for the first action.")
    assert kinds(step) == [(K.COMMENT, False)]
    assert session.case.finished == frozenset()


def test_suggestions_from_a_majority_of_consultants_do_not_end_the_plan_phase() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)  # three consultants
    session.post_plan()
    session.reply("m2", "You should also set a date for the first action.")
    session.reply("m3", "I would add a check-in with your manager.")
    assert session.phase() is Phase.ACTION_PLAN


def test_a_consultant_suggesting_a_change_is_told_privately_how_to_endorse() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    session.post_plan()
    step = session.reply("m2", "You should also set a date for the first action.")
    (note,) = private_to(step, "m2")
    assert note.text == t("en", "plan.suggestion_noted", client=session.circle.name_of(CLIENT))


def test_the_client_hears_of_a_consultants_suggested_change_to_the_plan() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    session.post_plan()
    step = session.reply("m2", "You should also set a date for the first action.")
    assert dm_recipients(step) == [CLIENT]
    assert "set a date for the first action" in dms(step, CLIENT)[0].text


def test_endorsing_twice_is_refused() -> None:
    session = open_case().drive_to(Phase.ACTION_PLAN)
    session.post_plan()
    session.do(c.Endorse("m2", "e1"))
    with pytest.raises(DomainError) as refused:
        session.do(c.Endorse("m2", "e2"))
    assert refused.value.key == "error.already_endorsed"


def test_a_new_plan_resets_the_endorsements() -> None:
    session = open_case(make_circle(members=5)).drive_to(Phase.ACTION_PLAN)
    session.post_plan()
    session.do(c.Endorse("m2", "e1"))
    session.post_plan((ActionItem("Something else"),))
    assert session.case.finished == frozenset()
    assert session.case.plan is not None
    assert [i.what for i in session.case.plan.items] == ["Something else"]
