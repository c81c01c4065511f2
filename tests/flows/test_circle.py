"""Circle life: setup, joining and the charter, leaving, size, settings, rotation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.flows import commands as c
from bot.flows.circle_engine import accept_swap_command, handle_circle, setup_circle
from bot.flows.effects import DirectMessage, Ephemeral
from bot.flows.errors import DomainError
from bot.flows.model import Circle, CircleSettings, ClientInteraction, Language, Member, Phase
from bot.flows.settings_rules import apply_setting
from bot.flows.step import Step

from .builders import FAC, NOW, STRANGER, join, make_circle, member_ids, of_type, open_case


def refusal(circle: Circle, command: c.Command) -> DomainError:
    with pytest.raises(DomainError) as refused:
        handle_circle(circle, command, NOW)
    return refused.value


# --- setup and membership ------------------------------------------------------------------


def test_the_creator_is_the_first_facilitator_and_a_member() -> None:
    circle = setup_circle(c.SetupCircle(FAC, "c1", "slack", "T1", "C1", "Leaders", "Fay"), NOW).circle
    assert circle.facilitators == (FAC,)
    member = circle.member(FAC)
    assert member is not None
    assert member.accepted


def test_setup_refuses_an_unknown_time_zone() -> None:
    with pytest.raises(DomainError) as refused:
        setup_circle(c.SetupCircle(FAC, "c1", "slack", "T1", "C1", "Leaders", "Fay", "en", "Mars/Olympus"), NOW)
    assert refused.value.key == "error.bad_timezone"


def test_joining_is_pending_until_the_charter_is_accepted() -> None:
    circle = make_circle()
    step = handle_circle(circle, c.Join("newbie", "Newbie"), NOW)
    assert step.circle.member("newbie") is None
    assert step.circle.pending_member("newbie") is not None
    (prompt,) = of_type(step.effects, Ephemeral)
    assert [b.action for b in prompt.buttons] == ["accept_charter"]


def test_accepting_the_charter_makes_a_member() -> None:
    circle = handle_circle(make_circle(), c.Join("newbie", "Newbie"), NOW).circle
    joined = handle_circle(circle, c.AcceptCharter("newbie"), NOW).circle
    member = joined.member("newbie")
    assert member is not None
    assert member.charter_accepted_at == NOW
    assert joined.pending == ()
    assert joined.rotation.queue[-1] == "newbie"


def test_accepting_the_charter_without_joining_is_refused() -> None:
    assert refusal(make_circle(), c.AcceptCharter("newbie")).key == "error.join_first"


def test_joining_twice_is_refused() -> None:
    assert refusal(make_circle(), c.Join("m1", "Again")).key == "error.already_member"


def test_a_pending_member_may_leave_before_accepting() -> None:
    circle = handle_circle(make_circle(), c.Join("newbie", "Newbie"), NOW).circle
    left = handle_circle(circle, c.Leave("newbie"), NOW).circle
    assert left.pending == ()


def test_leaving_removes_the_member_and_their_turn() -> None:
    circle = handle_circle(make_circle(), c.Leave("m2"), NOW).circle
    assert circle.member("m2") is None
    assert "m2" not in circle.rotation.queue


def test_a_member_who_left_is_still_named_by_the_circle() -> None:
    circle = handle_circle(make_circle(), c.Leave("m2"), NOW).circle

    assert circle.name_of("m2") == "M2"


@pytest.mark.parametrize(("language", "name"), [("en", "a former member (2)"), ("fr", "un ancien membre (2)")])
def test_an_erased_member_is_named_as_a_former_member_never_by_their_stand_in_id(language: str, name: str) -> None:
    assert make_circle(language=language).name_of("former:2") == name


def test_the_circle_keeps_only_the_name_of_a_member_who_left_not_their_time_zone_or_role() -> None:
    circle = handle_circle(make_circle(), c.Join("m9", "Nine", "Europe/Paris"), NOW).circle
    circle = handle_circle(circle, c.AcceptCharter("m9"), NOW).circle
    circle = handle_circle(circle, c.MakeFacilitator(FAC, "m9"), NOW).circle

    left = handle_circle(circle, c.Leave("m9"), NOW + timedelta(days=1)).circle

    assert left.departed == (Member("m9", "Nine", NOW),)


def test_a_member_who_comes_back_is_no_longer_kept_among_those_who_left() -> None:
    circle = handle_circle(make_circle(), c.Leave("m2"), NOW).circle

    back = join(circle, "m2")

    assert back.departed == ()
    assert back.member("m2") is not None


def test_a_pending_member_who_leaves_is_not_kept_among_those_who_left() -> None:
    circle = handle_circle(make_circle(), c.Join("newbie", "Newbie"), NOW).circle

    left = handle_circle(circle, c.Leave("newbie"), NOW).circle

    assert left.departed == ()


def test_someone_who_never_joined_cannot_leave() -> None:
    assert refusal(make_circle(), c.Leave(STRANGER)).key == "error.not_member"


def test_the_last_facilitator_cannot_leave() -> None:
    assert refusal(make_circle(), c.Leave(FAC)).key == "error.last_facilitator"


def test_a_facilitator_can_leave_once_there_is_another() -> None:
    circle = handle_circle(make_circle(), c.MakeFacilitator(FAC, "m2"), NOW).circle
    left = handle_circle(circle, c.Leave(FAC), NOW).circle
    assert left.facilitators == ("m2",)


def test_whoever_accepts_the_charter_of_a_circle_its_last_facilitator_left_becomes_its_facilitator() -> None:
    circle = setup_circle(c.SetupCircle(FAC, "c1", "slack", "T1", "C1", "Leaders", "Fay"), NOW).circle
    circle = handle_circle(circle, c.Join("newbie", "Newbie"), NOW).circle
    circle = handle_circle(circle, c.Leave(FAC), NOW).circle

    accepted = handle_circle(circle, c.AcceptCharter("newbie"), NOW).circle

    assert accepted.facilitators == ("newbie",)


def test_a_facilitator_removing_themselves_is_told_to_leave_instead() -> None:
    assert refusal(make_circle(), c.RemoveMember(FAC, FAC)).key == "error.remove_yourself"


def test_removing_someone_yet_to_accept_the_charter_withdraws_their_joining() -> None:
    circle = handle_circle(make_circle(), c.Join("newbie", "Newbie"), NOW).circle

    removed = handle_circle(circle, c.RemoveMember(FAC, "newbie"), NOW).circle

    assert (removed.pending, removed.departed) == ((), ())


def test_making_a_facilitator_twice_is_refused() -> None:
    circle = handle_circle(make_circle(), c.MakeFacilitator(FAC, "m2"), NOW).circle
    assert refusal(circle, c.MakeFacilitator(FAC, "m2")).key == "error.already_facilitator"


# --- size warnings --------------------------------------------------------------------------------


def _warned(step: Step) -> list[str]:
    return [e.user_id for e in of_type(step.effects, DirectMessage)]


def test_the_thirteenth_member_triggers_a_size_warning_to_the_facilitators() -> None:
    circle = make_circle(members=11)  # twelve with the facilitator
    circle = handle_circle(circle, c.Join("m12", "M12"), NOW).circle
    step = handle_circle(circle, c.AcceptCharter("m12"), NOW)
    assert len(step.circle.members) == 13
    assert _warned(step) == [FAC]


def test_a_twelfth_member_joins_without_a_warning() -> None:
    circle = make_circle(members=10)
    circle = handle_circle(circle, c.Join("m11", "M11"), NOW).circle
    step = handle_circle(circle, c.AcceptCharter("m11"), NOW)
    assert len(step.circle.members) == 12
    assert _warned(step) == []


def test_a_circle_shrinking_to_two_members_warns_the_facilitators() -> None:
    circle = make_circle(members=2)
    step = handle_circle(circle, c.Leave("m2"), NOW)
    assert len(step.circle.members) == 2
    assert _warned(step) == [FAC]


def test_a_circle_of_three_is_not_warned_about() -> None:
    circle = make_circle(members=3)
    step = handle_circle(circle, c.Leave("m3"), NOW)
    assert len(step.circle.members) == 3
    assert _warned(step) == []


def test_size_warnings_never_block_joining() -> None:
    circle = make_circle(members=14)
    assert len(circle.members) == 15


# --- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "read", "expected"),
    [
        ("language", "FR", lambda s: s.language, Language.FR),
        ("timezone", "Europe/Paris", lambda s: s.timezone, "Europe/Paris"),
        ("timezone", "america/montreal", lambda s: s.timezone, "America/Montreal"),
        ("client_interaction", "clarify_allowed", lambda s: s.client_interaction, ClientInteraction.CLARIFY_ALLOWED),
        ("facilitators_consult", "oui", lambda s: s.facilitators_consult, True),
        ("facilitators_consult", "off", lambda s: s.facilitators_consult, False),
        ("followup_meetings", "5", lambda s: s.followup_meetings, 5),
        ("retention_days", "keep", lambda s: s.retention_days, None),
        ("retention_days", "none", lambda s: s.retention_days, None),
        ("retention_days", "90", lambda s: s.retention_days, 90),
        ("nudge_lead", "36h", lambda s: s.nudge_lead, timedelta(hours=36)),
        ("window.consultation", "5 jours", lambda s: s.window(Phase.CONSULTATION), timedelta(days=5)),
    ],
)
def test_a_setting_is_parsed_and_applied(
    key: str, value: str, read: Callable[[CircleSettings], object], expected: object
) -> None:
    assert read(apply_setting(make_circle().settings, key, value)) == expected


def test_a_setting_changed_to_what_it_already_is_is_not_announced_to_the_circle() -> None:
    step = handle_circle(make_circle(), c.ChangeSettings(FAC, (("language", "en"),)), NOW)

    assert [type(effect) for effect in step.effects] == [Ephemeral]


def test_a_digest_lead_longer_than_the_nudge_lead_is_refused() -> None:
    refused = refusal(make_circle(), c.ChangeSettings(FAC, (("digest_lead", "3d"),)))

    assert (refused.key, refused.params) == ("error.digest_before_nudges", {"digest": "3d", "nudge": "2d"})


def test_shortening_the_nudge_lead_below_the_digest_lead_is_refused() -> None:
    refused = refusal(make_circle(), c.ChangeSettings(FAC, (("nudge_lead", "12h"),)))

    assert (refused.key, refused.params) == ("error.digest_before_nudges", {"digest": "1d", "nudge": "12h"})


def test_both_leads_may_change_together_when_the_digest_still_follows_the_nudges() -> None:
    changes = (("nudge_lead", "12h"), ("digest_lead", "6h"))

    settings = handle_circle(make_circle(), c.ChangeSettings(FAC, changes), NOW).circle.settings

    assert (settings.nudge_lead, settings.digest_lead) == (timedelta(hours=12), timedelta(hours=6))


def test_volunteering_when_already_first_in_the_queue_is_refused() -> None:
    circle = handle_circle(make_circle(), c.Volunteer("m2"), NOW).circle

    assert refusal(circle, c.Volunteer("m2")).key == "error.already_next"


def test_pausing_a_paused_circle_says_it_already_is() -> None:
    circle = handle_circle(make_circle(), c.PauseCircle(FAC), NOW).circle

    assert refusal(circle, c.PauseCircle(FAC)).key == "error.circle_already_paused"


@pytest.mark.parametrize(
    ("key", "value", "error"),
    [
        ("colour", "blue", "error.unknown_setting"),
        ("window.follow_up", "2d", "error.unknown_setting"),
        ("window.nonsense", "2d", "error.unknown_setting"),
        ("timezone", "Mars/Olympus", "error.bad_timezone"),
        ("window.contract", "soon", "error.bad_duration"),
        ("window.contract", "0d", "error.bad_duration"),
        ("window.contract", "31d", "error.bad_duration"),
        ("nudge_lead", "-1d", "error.bad_duration"),
        ("language", "de", "error.bad_choice"),
        ("facilitators_consult", "maybe", "error.bad_choice"),
        ("client_interaction", "anything", "error.bad_choice"),
        ("followup_meetings", "0", "error.bad_number"),
        ("retention_days", "-5", "error.bad_retention"),
        ("followup_meetings", "three", "error.bad_number"),
    ],
)
def test_a_bad_setting_is_refused_and_changes_nothing(key: str, value: str, error: str) -> None:
    circle = make_circle()
    assert refusal(circle, c.ChangeSettings(FAC, ((key, value),))).key == error
    assert circle.settings == make_circle().settings


def test_one_bad_value_among_several_changes_is_refused_as_a_whole() -> None:
    command = c.ChangeSettings(FAC, (("language", "fr"), ("timezone", "Nowhere/City")))
    assert refusal(make_circle(), command).key == "error.bad_timezone"


def test_changing_no_setting_is_refused() -> None:
    assert refusal(make_circle(), c.ChangeSettings(FAC, ())).key == "error.no_setting"


def test_a_changed_window_applies_to_the_next_case() -> None:
    circle = make_circle(settings=[("window.clarification", "3d")])
    session = open_case(circle)
    assert session.case.deadline == NOW + timedelta(days=3)


# --- rotation -----------------------------------------------------------------------------------


def test_after_each_members_turn_they_go_to_the_back_of_the_rotation() -> None:
    circle = make_circle(members=3)
    assert circle.rotation.queue == (FAC, "m1", "m2", "m3")
    session = open_case(circle, client="m1")
    assert session.circle.rotation.queue == (FAC, "m2", "m3", "m1")
    session.drive_to(Phase.CLOSED)
    second = open_case(session.circle, client="m2", case_id="case-2", number=2)
    assert second.circle.rotation.queue == (FAC, "m3", "m1", "m2")
    assert [t.user_id for t in second.circle.rotation.history] == ["m1", "m2"]


def test_over_a_cycle_every_member_is_client_once() -> None:
    circle = make_circle(members=3, settings=[("facilitators_consult", "yes")])
    seen = []
    for number in range(1, 5):
        client = circle.rotation.queue[0]
        session = open_case(circle, client=client, case_id=f"case-{number}", number=number)
        session.drive_to(Phase.CLOSED)
        circle = session.circle
        seen.append(client)
    assert sorted(seen) == sorted((FAC, *member_ids(3)))


def test_volunteering_moves_a_member_to_the_front() -> None:
    circle = handle_circle(make_circle(members=3), c.Volunteer("m3"), NOW).circle
    assert circle.rotation.queue == ("m3", FAC, "m1", "m2")


def test_an_outsider_cannot_volunteer() -> None:
    assert refusal(make_circle(), c.Volunteer(STRANGER)).key == "error.not_member"


def asked_to_swap(circle: Circle, asker: str, other: str) -> DirectMessage:
    (asked,) = of_type(handle_circle(circle, c.SwapTurns(asker, asker, other), NOW).effects, DirectMessage)
    return asked


def accepting(circle: Circle, asked: DirectMessage) -> c.AcceptSwap:
    (accept,) = asked.buttons
    return accept_swap_command(asked.user_id, accept.value)


def test_a_member_asking_to_swap_turns_moves_no_one_yet() -> None:
    circle = make_circle(members=3)
    step = handle_circle(circle, c.SwapTurns("m1", "m1", "m3"), NOW)
    assert step.circle.rotation.queue == (FAC, "m1", "m2", "m3")


def test_the_member_asked_to_swap_is_told_privately_where_they_would_move() -> None:
    asked = asked_to_swap(make_circle(members=3), "m1", "m3")
    assert asked.user_id == "m3"
    assert "from place 4 to place 2" in asked.text
    assert [button.action for button in asked.buttons] == ["accept_swap"]


def test_accepting_a_swap_swaps_the_two_turns() -> None:
    circle = make_circle(members=3)
    asked = asked_to_swap(circle, "m1", "m3")
    swapped = handle_circle(circle, accepting(circle, asked), NOW).circle
    assert swapped.rotation.queue == (FAC, "m3", "m2", "m1")


def test_a_swap_accepted_after_the_queue_changed_is_refused() -> None:
    circle = make_circle(members=3)
    asked = asked_to_swap(circle, "m1", "m3")
    moved = handle_circle(circle, c.Volunteer("m2"), NOW).circle
    assert refusal(moved, accepting(circle, asked)).key == "error.swap_queue_changed"


def test_a_swap_accepted_twice_is_refused_the_second_time() -> None:
    circle = make_circle(members=3)
    asked = asked_to_swap(circle, "m1", "m3")
    swapped = handle_circle(circle, accepting(circle, asked), NOW).circle
    assert refusal(swapped, accepting(circle, asked)).key == "error.swap_done"


def test_only_the_member_asked_can_accept_a_swap() -> None:
    (accept,) = asked_to_swap(make_circle(members=3), "m1", "m3").buttons
    with pytest.raises(DomainError) as refused:
        accept_swap_command("m2", accept.value)
    assert refused.value.key == "error.swap_not_yours"


def test_a_member_cannot_swap_other_peoples_turns() -> None:
    assert refusal(make_circle(members=3), c.SwapTurns("m2", "m1", "m3")).key == "error.swap_own_turn"


def test_a_facilitator_can_swap_anyones_turns() -> None:
    circle = handle_circle(make_circle(members=3), c.SwapTurns(FAC, "m1", "m3"), NOW).circle
    assert circle.rotation.queue == (FAC, "m3", "m2", "m1")


def test_swapping_a_member_with_themselves_is_refused() -> None:
    assert refusal(make_circle(members=3), c.SwapTurns("m2", "m2", "m2")).key == "error.swap_same"


def test_swapping_with_someone_outside_the_rotation_is_refused() -> None:
    assert refusal(make_circle(), c.SwapTurns("m1", "m1", STRANGER)).key == "error.unknown_member"


# --- circle pause ----------------------------------------------------------------------------------


def test_resuming_a_running_circle_is_refused() -> None:
    assert refusal(make_circle(), c.ResumeCircle(FAC)).key == "error.circle_not_paused"


def test_a_member_joining_later_is_not_a_consultant_in_a_case_already_open() -> None:
    session = open_case()
    session.circle = join(session.circle, "late")
    assert "late" not in session.case.consultants
