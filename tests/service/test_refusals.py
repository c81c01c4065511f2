"""Bad input through the service: a clear private notice in the circle's language, nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.flows.model import Phase
from bot.flows.settings_rules import SETTING_NAMES
from bot.flows.text_rules import MAX_REPLY
from bot.intake import MAX_COMMAND

from .helpers import (
    CLIENT,
    CONSULTANTS,
    FAC,
    OUTSIDER,
    SUBMISSION,
    Driver,
    Place,
    accepted,
    case_of,
    cases_at,
    circle_at,
    contributions_of,
    refusal_text,
    say,
    snapshot,
)

BOB = CONSULTANTS[0]


@pytest.mark.asyncio
async def test_an_empty_reply_is_refused_and_nothing_is_recorded(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.reply(BOB, "")

    assert refusal_text(outcome) == say("en", "error.empty_text", field="field.reply")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_whitespace_reply_is_refused_in_the_circles_french(driver: Driver) -> None:
    await driver.start_circle(language="fr")
    await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.reply(BOB, " \n\t ")

    text = refusal_text(outcome)
    assert text == say("fr", "error.empty_text", field="field.reply")
    assert "Le champ réponse est vide" in text
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_an_oversized_reply_is_refused_with_the_limit_in_the_message(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.reply(BOB, "Why? " + "x" * MAX_REPLY)

    text = refusal_text(outcome)
    assert str(MAX_REPLY) in text
    assert str(MAX_REPLY + 5) in text  # and how long the reply was
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_ten_thousand_character_reply_is_recorded_whole(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    text = "What exactly happened between them? " + "y" * (10_000 - 36)
    assert len(text) == 10_000

    accepted(await driver.reply(BOB, text))

    recorded = [entry for entry in await contributions_of(driver.sessions, case.id) if entry.author_id == BOB]
    assert [entry.text for entry in recorded] == [text]


@pytest.mark.asyncio
async def test_an_unknown_subcommand_gets_a_notice_and_the_help_text(driver: Driver) -> None:
    await driver.start_circle()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(BOB, "frobnicate now")

    assert outcome.refused
    assert [notice.text for notice in outcome.notices] == [
        say("en", "error.unknown_subcommand", sub="frobnicate"),
        say("en", "help.short"),
    ]
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_an_unknown_subcommand_is_explained_in_french_in_a_french_circle(driver: Driver) -> None:
    await driver.start_circle(language="fr")

    outcome = await driver.slash(BOB, "aide")

    assert [notice.text for notice in outcome.notices] == [
        "« aide » n'est pas une commande /codev.",
        say("fr", "help.short"),
    ]


@pytest.mark.asyncio
async def test_an_oversized_command_is_refused_with_its_limit(driver: Driver) -> None:
    await driver.start_circle()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(FAC, "settings window.clarification " + "9" * MAX_COMMAND)

    assert str(MAX_COMMAND) in refusal_text(outcome)
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_command_in_a_channel_without_a_circle_says_how_to_start_one(driver: Driver) -> None:
    outcome = await driver.slash(BOB, "join")

    assert refusal_text(outcome) == say("en", "error.no_circle")
    assert await circle_at(driver.sessions) is None


@pytest.mark.asyncio
async def test_a_non_member_cannot_submit_a_case(driver: Driver) -> None:
    await driver.start_circle(language="fr")
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(OUTSIDER, "submit")

    assert outcome.form is None
    assert refusal_text(outcome) == say("fr", "error.not_member")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_non_member_cannot_advance_a_case(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(OUTSIDER, "advance 1")

    assert refusal_text(outcome) == say("en", "error.not_member")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_member_who_has_not_accepted_the_charter_cannot_submit(driver: Driver) -> None:
    await driver.start_circle()
    accepted(await driver.slash(OUTSIDER, "join"))
    before = await snapshot(driver.sessions)

    outcome = await driver.fill(OUTSIDER, "submit", SUBMISSION)

    assert refusal_text(outcome) == say("en", "error.charter_pending")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_consultant_pressing_post_contract_is_told_only_the_client_can(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    accepted(await driver.press(CLIENT, "ready_for_contract", case.id))
    assert (await case_of(driver.sessions, case.id)).phase is Phase.CONTRACT
    before = await snapshot(driver.sessions)

    outcome = await driver.press(BOB, "post_contract", case.id)

    assert outcome.form is None
    assert refusal_text(outcome) == say("en", "error.not_your_role", role="role.client")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_consultant_submitting_the_contract_form_anyway_is_refused(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    accepted(await driver.press(CLIENT, "ready_for_contract", case.id))
    before = await snapshot(driver.sessions)

    outcome = await driver.fill(BOB, "contract", {"contract": "Help me decide."}, case.id)

    assert refusal_text(outcome) == say("en", "error.not_your_role", role="role.client")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_second_submit_command_while_a_case_is_open_is_refused(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(CLIENT, "submit")

    assert outcome.form is None
    assert refusal_text(outcome) == say("en", "error.case_already_open", number=1)
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_second_submit_form_while_a_case_is_open_opens_no_case(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.fill(CLIENT, "submit", {**SUBMISSION, "title": "Another one"})

    assert refusal_text(outcome) == say("en", "error.case_already_open", number=1)
    assert await snapshot(driver.sessions) == before
    assert len(await cases_at(driver.sessions)) == 1


@pytest.mark.asyncio
async def test_a_submit_form_missing_a_required_field_names_the_field(driver: Driver) -> None:
    await driver.start_circle()
    before = await snapshot(driver.sessions)

    outcome = await driver.fill(CLIENT, "submit", {**SUBMISSION, "question": "   "})

    assert refusal_text(outcome) == say("en", "error.empty_text", field="field.question")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_submit_form_with_an_unknown_kind_lists_the_choices(driver: Driver) -> None:
    await driver.start_circle()
    before = await snapshot(driver.sessions)

    outcome = await driver.fill(CLIENT, "submit", {**SUBMISSION, "kind": "rant"})

    assert refusal_text(outcome) == say("en", "error.bad_choice", value="rant", choices="problem, concern, project")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_meeting_in_the_past_is_refused(driver: Driver) -> None:
    await driver.start_circle(language="fr")
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(FAC, "schedule 2026-11-30 15:00")

    assert refusal_text(outcome) == "2026-11-30 15:00 est dans le passé."
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_an_unreadable_meeting_date_is_refused(driver: Driver) -> None:
    await driver.start_circle()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(FAC, "schedule 2027-02-30 15:00")

    assert refusal_text(outcome) == say("en", "error.bad_date", value="2027-02-30")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_malformed_schedule_gets_the_usage_in_french(driver: Driver) -> None:
    await driver.start_circle(language="fr")
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(FAC, "schedule sometimes")

    assert refusal_text(outcome) == say("fr", "error.schedule_usage")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_setup_with_an_unknown_time_zone_creates_no_circle(driver: Driver) -> None:
    outcome = await driver.slash(FAC, "setup Leaders en Mars/Olympus_Mons")

    assert refusal_text(outcome) == say("en", "error.bad_timezone", value="Mars/Olympus_Mons")
    assert await circle_at(driver.sessions) is None


@pytest.mark.asyncio
async def test_the_setup_form_with_an_unknown_time_zone_creates_no_circle(driver: Driver) -> None:
    outcome = await driver.fill(FAC, "setup", {"name": "Leaders", "language": "fr", "timezone": "Europe/Atlantis"})

    assert outcome.refused
    assert await circle_at(driver.sessions) is None


@pytest.mark.asyncio
async def test_a_refused_setup_answers_in_the_language_it_asked_for(driver: Driver) -> None:
    outcome = await driver.fill(FAC, "setup", {"name": "Leaders", "language": "fr", "timezone": "Europe/Atlantis"})

    assert refusal_text(outcome) == say("fr", "error.bad_timezone", value="Europe/Atlantis")


@pytest.mark.asyncio
async def test_an_unknown_time_zone_in_settings_leaves_the_settings_alone(driver: Driver) -> None:
    await driver.start_circle(language="fr", timezone="America/Montreal")
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(FAC, "settings timezone Europe/Atlantis")

    assert refusal_text(outcome) == say("fr", "error.bad_timezone", value="Europe/Atlantis")
    assert await snapshot(driver.sessions) == before
    circle = await circle_at(driver.sessions)
    assert circle is not None
    assert circle.settings.timezone == "America/Montreal"


@pytest.mark.asyncio
async def test_an_unknown_setting_is_refused_listing_the_known_ones(driver: Driver) -> None:
    await driver.start_circle()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(FAC, "settings colour blue")

    text = refusal_text(outcome)
    assert text == say("en", "error.unknown_setting", name="colour", known=", ".join(SETTING_NAMES))
    assert "window.clarification" in text
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_consultant_cannot_change_settings(driver: Driver) -> None:
    await driver.start_circle()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(BOB, "settings window.clarification 3d")

    assert refusal_text(outcome) == say("en", "error.not_your_role", role="role.facilitator")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_the_settings_shown_to_a_consultant_say_a_facilitator_can_change_them(driver: Driver) -> None:
    await driver.start_circle()

    outcome = await driver.slash(BOB, "settings")

    assert outcome.notices[0].text.endswith(say("en", "settings.facilitators_change"))


@pytest.mark.asyncio
async def test_the_settings_shown_to_a_facilitator_say_how_to_change_one(driver: Driver) -> None:
    await driver.start_circle()

    outcome = await driver.slash(FAC, "settings")

    assert outcome.notices[0].text.endswith(say("en", "settings.how_to_change"))


@pytest.mark.asyncio
async def test_a_button_naming_a_case_of_a_circle_in_another_channel_is_an_unknown_case(driver: Driver) -> None:
    elsewhere = Place(channel="C2")
    await driver.start_circle(place=elsewhere)
    foreign = await driver.open_case(place=elsewhere, thread="T9")
    await driver.start_circle()
    before = await snapshot(driver.sessions)

    outcome = await driver.press(CLIENT, "ready_for_contract", foreign.id)

    assert refusal_text(outcome) == say("en", "error.case_gone")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_button_naming_a_case_of_another_workspace_is_an_unknown_case(driver: Driver) -> None:
    other_workspace = Place(workspace="W2")
    await driver.start_circle(place=other_workspace)
    foreign = await driver.open_case(place=other_workspace, thread="T9")
    await driver.start_circle()
    before = await snapshot(driver.sessions)

    outcome = await driver.press(CLIENT, "withdraw", foreign.id)

    assert refusal_text(outcome) == say("en", "error.case_gone")
    assert await snapshot(driver.sessions) == before
    assert (await case_of(driver.sessions, foreign.id)).phase is Phase.CLARIFICATION


@pytest.mark.asyncio
async def test_a_form_naming_a_case_of_another_circle_is_an_unknown_case(driver: Driver) -> None:
    elsewhere = Place(channel="C2")
    await driver.start_circle(place=elsewhere)
    foreign = await driver.open_case(place=elsewhere, thread="T9")
    accepted(await driver.press(CLIENT, "ready_for_contract", foreign.id, place=elsewhere))
    await driver.start_circle()
    before = await snapshot(driver.sessions)

    outcome = await driver.fill(CLIENT, "contract", {"contract": "Help me decide."}, foreign.id)

    assert refusal_text(outcome) == say("en", "error.case_gone")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_button_with_an_unknown_action_is_refused(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.press(BOB, "launch_rockets", case.id)

    assert refusal_text(outcome) == say("en", "error.unknown_action")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_refused_event_is_not_marked_handled_so_a_redelivery_is_judged_again(driver: Driver) -> None:
    await driver.start_circle()
    before = await snapshot(driver.sessions)

    first = await driver.slash(BOB, "frobnicate", event_id="Ev-refused")
    again = await driver.slash(BOB, "frobnicate", event_id="Ev-refused")

    assert first.refused
    assert again.refused
    assert not again.duplicate
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_the_update_command_before_a_plan_exists_opens_no_form(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()

    outcome = await driver.slash(CLIENT, "update")

    assert outcome.form is None
    assert refusal_text(outcome) == say(
        "en", "error.wrong_phase", phase="phase.clarification", allowed=("phase.follow_up",)
    )


@pytest.mark.asyncio
async def test_the_update_command_on_someone_elses_case_opens_no_form(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()

    outcome = await driver.slash(BOB, "update 1")

    assert outcome.form is None
    assert outcome.refused


@pytest.mark.asyncio
async def test_the_update_command_without_a_case_of_ones_own_says_there_is_none_to_update(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()

    outcome = await driver.slash(BOB, "update")

    assert refusal_text(outcome) == say("en", "error.no_case_to_update")


@pytest.mark.asyncio
async def test_the_submit_form_does_not_open_while_the_circle_is_paused(driver: Driver) -> None:
    await driver.start_circle()
    accepted(await driver.slash(FAC, "pause"))

    outcome = await driver.slash(CLIENT, "submit")

    assert outcome.form is None
    assert refusal_text(outcome) == say("en", "error.circle_paused")


@pytest.mark.asyncio
async def test_extend_without_a_duration_gets_its_usage(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(FAC, "extend 1")

    assert refusal_text(outcome) == say("en", "error.extend_usage")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_extend_by_an_unreadable_duration_is_refused_in_french(driver: Driver) -> None:
    await driver.start_circle(language="fr")
    await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(FAC, "extend #1 forever")

    assert refusal_text(outcome) == say("fr", "error.bad_duration", value="forever")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_pause_with_a_word_that_is_not_a_case_number_is_refused_and_the_circle_runs_on(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(FAC, "pause 12a")

    assert refusal_text(outcome) == say("en", "error.not_a_case_number", value="12a")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_status_of_a_negative_number_names_it_rather_than_showing_the_circle(driver: Driver) -> None:
    await driver.start_circle()

    outcome = await driver.slash(BOB, "status -1")

    assert refusal_text(outcome) == say("en", "error.not_a_case_number", value="-1")


@pytest.mark.asyncio
async def test_words_after_the_case_number_get_the_commands_usage_in_french(driver: Driver) -> None:
    await driver.start_circle(language="fr")
    await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(CLIENT, "withdraw 1 because it is solved")

    assert refusal_text(outcome) == say("fr", "error.case_command_usage", sub="withdraw")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_leave_with_a_word_after_it_is_refused_and_the_member_stays(driver: Driver) -> None:
    await driver.start_circle()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(BOB, "leave now")

    assert refusal_text(outcome) == say("en", "error.takes_no_words", sub="leave")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_extend_with_a_word_after_its_duration_gets_the_extend_usage(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(FAC, "extend 1 2d please")

    assert refusal_text(outcome) == say("en", "error.extend_usage")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_extend_with_a_word_where_the_case_number_goes_is_refused(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(FAC, "extend case1 2d")

    assert refusal_text(outcome) == say("en", "error.not_a_case_number", value="case1")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_case_number_that_does_not_exist_is_named_in_the_refusal(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()

    outcome = await driver.slash(BOB, "status #7")

    assert refusal_text(outcome) == say("en", "error.unknown_case", number=7)


@pytest.mark.asyncio
async def test_setup_in_a_channel_that_has_a_circle_is_refused(driver: Driver) -> None:
    await driver.start_circle()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(BOB, "setup Mine")

    assert refusal_text(outcome) == say("en", "error.circle_exists", name="Leaders")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_leaving_with_an_open_case_is_refused(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(CLIENT, "leave")

    assert refusal_text(outcome) == say("en", "error.leave_with_open_case", number=1)
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_reassigning_to_a_mention_of_a_non_member_names_them(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    before = await snapshot(driver.sessions)

    outcome = await driver.slash(FAC, "reassign 1 <@U999|ghost>")

    assert refusal_text(outcome) == say("en", "error.unknown_member", who="U999")
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_setting_value_of_several_words_is_read_whole(driver: Driver) -> None:
    await driver.start_circle(language="fr")

    accepted(await driver.slash(FAC, "settings window.clarification 3 jours"))

    circle = await circle_at(driver.sessions)
    assert circle is not None
    assert circle.settings.window(Phase.CLARIFICATION) == timedelta(days=3)


@pytest.mark.asyncio
async def test_volunteering_with_ones_own_case_in_progress_is_refused(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()

    outcome = await driver.slash(CLIENT, "queue volunteer")

    assert refusal_text(outcome) == say("en", "error.volunteer_with_open_case", number=1)


@pytest.mark.asyncio
async def test_withdraw_without_a_number_among_several_cases_withdraws_the_clients_own(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case()
    await driver.open_case(BOB, thread="T2")

    accepted(await driver.slash(BOB, "withdraw"))

    assert [case.phase for case in await cases_at(driver.sessions)] == [Phase.CLARIFICATION, Phase.WITHDRAWN]
