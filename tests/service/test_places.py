"""Where an event happened decides which circle and case it belongs to, if any."""

from __future__ import annotations

import pytest

from bot.flows.model import ContributionKind, Phase
from bot.incoming import ThreadReply

from .helpers import (
    CLIENT,
    CONSULTANTS,
    FAC,
    OUTSIDER,
    Driver,
    Place,
    accepted,
    case_of,
    cases_at,
    circle_at,
    contributions_of,
    snapshot,
)

BOB = CONSULTANTS[0]
OTHER_WORKSPACE = Place(workspace="W2")


@pytest.mark.asyncio
async def test_a_reply_in_a_thread_that_is_no_case_is_ignored(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case(thread="T1")
    before = await snapshot(driver.sessions)

    outcome = await driver.reply(BOB, "Lunch anyone?", thread="T-chatter")

    assert (outcome.notices, outcome.refused, outcome.form) == ((), False, None)
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_reply_in_a_channel_without_a_circle_is_ignored(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case(thread="T1")
    before = await snapshot(driver.sessions)

    outcome = await driver.reply(BOB, "Is this thing on?", thread="T1", place=Place(channel="C-random"))

    assert (outcome.notices, outcome.refused) == ((), False)
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_a_message_outside_any_thread_of_a_circle_is_ignored(driver: Driver) -> None:
    await driver.start_circle()
    await driver.open_case(thread="T1")
    before = await snapshot(driver.sessions)

    outcome = await driver.send(BOB, ThreadReply("Hello all"))

    assert (outcome.notices, outcome.refused) == ((), False)
    assert await snapshot(driver.sessions) == before


@pytest.mark.asyncio
async def test_an_outsiders_reply_in_a_case_thread_is_kept_and_marked_out_of_role(driver: Driver) -> None:
    await driver.start_circle()
    case = await driver.open_case()

    accepted(await driver.reply(OUTSIDER, "Interesting, what happened next?"))

    entry = (await contributions_of(driver.sessions, case.id))[-1]
    assert (entry.author_id, entry.kind, entry.out_of_role) == (OUTSIDER, ContributionKind.COMMENT, True)
    assert (await case_of(driver.sessions, case.id)).acted == frozenset()


@pytest.mark.asyncio
async def test_the_same_channel_id_in_another_workspace_can_host_its_own_circle(driver: Driver) -> None:
    await driver.start_circle()

    outcome = await driver.slash(FAC, "setup Others fr Europe/Paris", place=OTHER_WORKSPACE)

    accepted(outcome)
    home, other = await circle_at(driver.sessions), await circle_at(driver.sessions, OTHER_WORKSPACE)
    assert home is not None
    assert other is not None
    assert home.id != other.id
    assert (other.name, other.settings.language) == ("Others", "fr")


@pytest.mark.asyncio
async def test_joining_a_circle_in_one_workspace_does_not_join_its_namesake_in_another(driver: Driver) -> None:
    await driver.start_circle(members=(CLIENT,))
    await driver.start_circle(members=(BOB,), place=OTHER_WORKSPACE)

    home, other = await circle_at(driver.sessions), await circle_at(driver.sessions, OTHER_WORKSPACE)

    assert home is not None
    assert other is not None
    assert [m.user_id for m in home.members] == [FAC, CLIENT]
    assert [m.user_id for m in other.members] == [FAC, BOB]


@pytest.mark.asyncio
async def test_circles_in_two_workspaces_number_their_cases_independently(driver: Driver) -> None:
    await driver.start_circle()
    await driver.start_circle(place=OTHER_WORKSPACE)

    await driver.open_case(thread="T1")
    await driver.open_case(thread="T1", place=OTHER_WORKSPACE)

    assert [c.number for c in await cases_at(driver.sessions)] == [1]
    assert [c.number for c in await cases_at(driver.sessions, OTHER_WORKSPACE)] == [1]


@pytest.mark.asyncio
async def test_a_reply_goes_to_the_case_of_its_own_workspace_when_thread_refs_coincide(driver: Driver) -> None:
    await driver.start_circle()
    await driver.start_circle(place=OTHER_WORKSPACE)
    home_case = await driver.open_case(thread="T1")
    other_case = await driver.open_case(thread="T1", place=OTHER_WORKSPACE)

    accepted(await driver.reply(BOB, "Who decides here?", thread="T1", place=OTHER_WORKSPACE))

    assert [e.author_id for e in await contributions_of(driver.sessions, home_case.id)] == [CLIENT]
    assert [e.author_id for e in await contributions_of(driver.sessions, other_case.id)] == [CLIENT, BOB]


@pytest.mark.asyncio
async def test_a_facilitator_act_in_one_workspace_leaves_the_other_workspaces_case_alone(driver: Driver) -> None:
    await driver.start_circle()
    await driver.start_circle(place=OTHER_WORKSPACE)
    home_case = await driver.open_case(thread="T1")
    other_case = await driver.open_case(thread="T1", place=OTHER_WORKSPACE)

    accepted(await driver.slash(FAC, "advance 1", place=OTHER_WORKSPACE))

    assert (await case_of(driver.sessions, other_case.id)).phase is Phase.CONTRACT
    assert (await case_of(driver.sessions, home_case.id)).phase is Phase.CLARIFICATION


@pytest.mark.asyncio
async def test_the_same_channel_id_on_another_platform_is_another_place(driver: Driver) -> None:
    await driver.start_circle()

    accepted(await driver.slash(FAC, "setup Discordians", place=Place(platform="discord")))

    other = await circle_at(driver.sessions, Place(platform="discord"))
    assert other is not None
    assert other.name == "Discordians"
