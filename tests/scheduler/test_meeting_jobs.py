"""Meeting jobs end to end: planned as outbox rows, fired by the dispatcher as time passes.

The test moves the clock; every row is handled at its own due time, and the fake platform
records when each message went out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.flows import commands as c
from bot.flows.circle_engine import handle_circle
from bot.flows.effects import MeetingJob, MeetingTimer
from bot.flows.model import Cadence, ItemStatus, Phase
from bot.routing import save_step
from bot.storage.outbox import MEETING_KIND
from bot.storage.uow import UnitOfWork

from .helpers import (
    Clock,
    Harness,
    a_circle,
    a_follow_up,
    get_case,
    job_of,
    member,
    post_update,
    rows,
    seed,
    wall,
    weekly,
)

Sessions = async_sessionmaker[AsyncSession]
MONTREAL = ZoneInfo("America/Montreal")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def started(sessions: Sessions, circle_zone: str, cadence: Cadence, **options: object) -> Harness:
    clock = Clock(utc(2026, 10, 20, 12))
    harness = Harness(sessions, clock)
    await seed(sessions, a_circle(circle_zone, cadence, **options), a_follow_up("ann"))  # type: ignore[arg-type]
    await harness.meetings.plan("circle-1")
    return harness


@pytest.mark.asyncio
async def test_nudges_reminders_and_digests_go_out_at_local_times_across_the_montreal_change(
    sessions: Sessions,
) -> None:
    harness = await started(sessions, "America/Montreal", weekly(1, time(15, 0), date(2026, 10, 20)))

    await harness.advance_to(utc(2026, 11, 4))

    asked = harness.platform.dms("ann")
    assert [d.at for d in asked] == [
        utc(2026, 10, 25, 13),
        utc(2026, 10, 26, 13),
        utc(2026, 11, 1, 14),
        utc(2026, 11, 2, 14),
    ]
    assert {d.at.astimezone(MONTREAL).time() for d in asked} == {time(9, 0)}
    assert all(d.effect.buttons[0].action == "post_update" for d in asked)  # type: ignore[union-attr]
    digests = harness.platform.posts()
    assert [d.at for d in digests] == [utc(2026, 10, 26, 19), utc(2026, 11, 2, 20)]
    assert {d.at.astimezone(MONTREAL).time() for d in digests} == {time(15, 0)}


@pytest.mark.asyncio
async def test_a_member_in_paris_is_nudged_at_nine_paris_time_across_the_paris_change(sessions: Sessions) -> None:
    people = (member("fay", facilitator=True), member("ann", "Europe/Paris"), member("bob"), member("cy"))
    meeting = Cadence(dates=(wall("2026-10-26 11:00"),))  # Monday 11:00 in Montreal, 16:00 in Paris
    harness = await started(sessions, "America/Montreal", meeting, members=people)

    await harness.advance_to(utc(2026, 10, 27))

    asked = harness.platform.dms("ann")
    # Saturday 09:00 CEST, then Sunday 09:00 CET: an hour apart in UTC, the same hour in Paris.
    assert [d.at for d in asked] == [utc(2026, 10, 24, 7), utc(2026, 10, 25, 8)]


@pytest.mark.asyncio
async def test_the_reminder_goes_only_when_no_update_came_since_the_nudge(sessions: Sessions) -> None:
    harness = await started(sessions, "UTC", Cadence(dates=(wall("2026-10-27 15:00"),)))
    await harness.advance_to(utc(2026, 10, 25, 10))
    assert len(harness.platform.dms("ann")) == 1
    await post_update(sessions, "case-1", harness.clock())

    await harness.advance_to(utc(2026, 10, 28))

    assert len(harness.platform.dms("ann")) == 1


@pytest.mark.asyncio
async def test_without_an_update_the_client_gets_one_gentle_reminder_the_day_before(sessions: Sessions) -> None:
    harness = await started(sessions, "UTC", Cadence(dates=(wall("2026-10-27 15:00"),)))

    await harness.advance_to(utc(2026, 10, 28))

    assert [d.at for d in harness.platform.dms("ann")] == [utc(2026, 10, 25, 9), utc(2026, 10, 26, 9)]
    assert "gentle reminder" in harness.platform.dms("ann")[1].effect.text  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_the_digest_lists_an_update_received_after_the_nudge(sessions: Sessions) -> None:
    harness = await started(sessions, "UTC", Cadence(dates=(wall("2026-10-27 15:00"),)))
    await harness.advance_to(utc(2026, 10, 25, 10))
    await post_update(sessions, "case-1", harness.clock())

    await harness.advance_to(utc(2026, 10, 27))

    digest = harness.platform.posts()[0].effect.text  # type: ignore[union-attr]
    received = digest.split("Updates received")[1].split("Updates still missing")[0]
    assert "Problem 1" in received


@pytest.mark.asyncio
async def test_a_held_meeting_counts_toward_closing_the_follow_up(sessions: Sessions) -> None:
    harness = await started(sessions, "UTC", Cadence(dates=(wall("2026-10-27 15:00"),)), followup_meetings=1)

    await harness.advance_to(utc(2026, 10, 28))

    case = await get_case(sessions, "case-1")
    assert case.meetings_in_follow_up == 1
    assert case.phase is Phase.CLOSED


@pytest.mark.asyncio
async def test_planning_twice_queues_each_job_once(sessions: Sessions) -> None:
    harness = await started(sessions, "America/Montreal", weekly(1, time(15, 0), date(2026, 10, 20)))
    before = await rows(sessions, MEETING_KIND)

    assert await harness.meetings.plan("circle-1") == 0
    assert await harness.meetings.plan_all() == 0
    assert len(await rows(sessions, MEETING_KIND)) == len(before) > 0


@pytest.mark.asyncio
async def test_a_skipped_date_sends_nothing_for_that_meeting(sessions: Sessions) -> None:
    cadence = weekly(1, time(15, 0), date(2026, 10, 21))
    harness = await started(sessions, "UTC", cadence)
    async with UnitOfWork(sessions) as uow:
        circle = await uow.circles.get("circle-1")
        assert circle is not None
        await uow.circles.save(circle.replace(cadence=Cadence(cadence.rule, (), (date(2026, 10, 27),))))
        await uow.commit()
    await harness.meetings.plan("circle-1")

    await harness.advance_to(utc(2026, 10, 28))

    assert harness.platform.log == []
    assert (await get_case(sessions, "case-1")).meetings_in_follow_up == 0


@pytest.mark.asyncio
async def test_a_date_skipped_after_planning_sends_nothing_even_without_replanning(sessions: Sessions) -> None:
    cadence = weekly(1, time(15, 0), date(2026, 10, 21))
    harness = await started(sessions, "UTC", cadence)
    async with UnitOfWork(sessions) as uow:
        circle = await uow.circles.get("circle-1")
        assert circle is not None
        await uow.circles.save(circle.replace(cadence=Cadence(cadence.rule, (), (date(2026, 10, 27),))))
        await uow.commit()

    await harness.advance_to(utc(2026, 10, 28))

    assert harness.platform.log == []
    dropped = [row for row in await rows(sessions, MEETING_KIND) if row.status == "dropped"]
    assert dropped
    assert all("no longer scheduled" in row.last_error for row in dropped)


@pytest.mark.asyncio
async def test_a_paused_circle_sends_nothing(sessions: Sessions) -> None:
    harness = await started(sessions, "UTC", weekly(1, time(15, 0), date(2026, 10, 21)))
    async with UnitOfWork(sessions) as uow:
        circle = await uow.circles.get("circle-1")
        assert circle is not None
        await uow.circles.save(circle.replace(paused=True))
        await uow.commit()

    await harness.advance_to(utc(2026, 11, 4))

    assert harness.platform.log == []
    assert (await get_case(sessions, "case-1")).meetings_in_follow_up == 0


@pytest.mark.asyncio
async def test_scheduling_a_meeting_through_the_engine_plans_its_jobs(sessions: Sessions) -> None:
    harness = await started(sessions, "UTC", Cadence())
    assert await rows(sessions, MEETING_KIND) == []
    async with UnitOfWork(sessions) as uow:
        circle = await uow.circles.get("circle-1")
        assert circle is not None
        step = handle_circle(circle, c.AddMeeting("fay", wall("2026-10-27 15:00")), harness.clock())
        await save_step(uow, circle, None, step, harness.clock())
        await uow.commit()

    await harness.advance_to(harness.clock())

    jobs = [job_of(row) for row in await rows(sessions, MEETING_KIND) if row.status == "pending"]
    assert {job.job for job in jobs if isinstance(job, MeetingTimer)} == {
        MeetingJob.NUDGE,
        MeetingJob.REMINDER,
        MeetingJob.DIGEST,
        MeetingJob.HELD,
    }


@pytest.mark.asyncio
async def test_an_update_since_the_previous_meeting_counts_for_the_next_one_even_before_its_nudge(
    sessions: Sessions,
) -> None:
    harness = await started(sessions, "UTC", Cadence(dates=(wall("2026-10-21 15:00"), wall("2026-10-28 15:00"))))
    await harness.advance_to(utc(2026, 10, 23))
    await post_update(sessions, "case-1", harness.clock())

    await harness.advance_to(utc(2026, 10, 28))

    digest = harness.platform.posts()[-1].effect.text  # type: ignore[union-attr]
    received = digest.split("Updates received")[1].split("Updates still missing")[0]
    assert "Problem 1" in received


@pytest.mark.asyncio
async def test_an_update_since_the_previous_meeting_spares_the_client_the_reminder(sessions: Sessions) -> None:
    harness = await started(sessions, "UTC", Cadence(dates=(wall("2026-10-21 15:00"), wall("2026-10-28 15:00"))))
    await harness.advance_to(utc(2026, 10, 23))
    await post_update(sessions, "case-1", harness.clock())

    await harness.advance_to(utc(2026, 10, 28))

    assert not any("gentle reminder" in d.effect.text for d in harness.platform.dms("ann"))  # type: ignore[union-attr]


async def by_the_engine(harness: Harness, command: c.Command) -> None:
    async with UnitOfWork(harness.sessions) as uow:
        circle = await uow.circles.get("circle-1")
        assert circle is not None
        step = handle_circle(circle, command, harness.clock())
        await save_step(uow, circle, None, step, harness.clock())
        await uow.commit()
    await harness.advance_to(harness.clock())


@pytest.mark.asyncio
async def test_a_circle_paused_and_resumed_before_its_meeting_still_gets_the_digest(sessions: Sessions) -> None:
    harness = await started(sessions, "UTC", weekly(1, time(15, 0), date(2026, 10, 21)))

    await by_the_engine(harness, c.PauseCircle("fay"))
    await by_the_engine(harness, c.ResumeCircle("fay"))
    await harness.advance_to(utc(2026, 10, 27))

    digests = [post for post in harness.platform.posts() if "Meeting digest" in getattr(post.effect, "text", "")]
    assert [digest.at for digest in digests] == [utc(2026, 10, 26, 15)]  # the day before Tuesday's meeting


@pytest.mark.asyncio
async def test_a_changed_digest_lead_moves_the_digest_of_a_meeting_already_planned(sessions: Sessions) -> None:
    harness = await started(sessions, "UTC", weekly(1, time(15, 0), date(2026, 10, 21)))

    await by_the_engine(harness, c.ChangeSettings("fay", (("digest_lead", "2d"),)))
    await harness.advance_to(utc(2026, 10, 27))

    digests = [post for post in harness.platform.posts() if "Meeting digest" in getattr(post.effect, "text", "")]
    assert [digest.at for digest in digests] == [utc(2026, 10, 25, 15)]  # two days before Tuesday's meeting


@pytest.mark.asyncio
async def test_a_client_nudged_before_the_circle_changes_time_zone_is_not_nudged_again(sessions: Sessions) -> None:
    meeting = Cadence(dates=(datetime(2026, 10, 28, 14, tzinfo=UTC),))  # 15:00 in Paris
    harness = await started(sessions, "Europe/Paris", meeting)
    await harness.advance_to(utc(2026, 10, 26, 12))  # after 09:00 in Paris, before 09:00 in Montreal

    await by_the_engine(harness, c.ChangeSettings("fay", (("timezone", "America/Montreal"),)))
    await harness.advance_to(utc(2026, 10, 28, 12))

    nudges = [d for d in harness.platform.dms("ann") if "How is your action plan" in d.effect.text]  # type: ignore[union-attr]
    assert [nudge.at for nudge in nudges] == [utc(2026, 10, 26, 8)]


@pytest.mark.asyncio
async def test_a_meeting_set_after_its_nudge_time_asks_its_client_first_instead_of_reminding_them(
    sessions: Sessions,
) -> None:
    harness = await started(sessions, "UTC", Cadence())  # 2026-10-20 12:00, a Tuesday
    await by_the_engine(harness, c.AddMeeting("fay", wall("2026-10-22 15:00")))  # nudge time: 10-20 09:00

    await harness.advance_to(utc(2026, 10, 22, 12))

    [asked] = harness.platform.dms("ann")
    assert "How is your action plan" in asked.effect.text  # type: ignore[union-attr]


@pytest.mark.asyncio
async def test_the_digest_tells_of_the_update_that_completed_a_plan_and_closed_its_case(sessions: Sessions) -> None:
    harness = await started(sessions, "UTC", Cadence(dates=(wall("2026-10-27 15:00"),)))
    await harness.advance_to(utc(2026, 10, 25, 10))
    for item in (1, 2):
        await post_update(sessions, "case-1", harness.clock(), item, ItemStatus.DONE)
    assert (await get_case(sessions, "case-1")).phase is Phase.CLOSED

    await harness.advance_to(utc(2026, 10, 27))

    digest = harness.platform.posts()[0].effect.text  # type: ignore[union-attr]
    received = digest.split("Updates received")[1].split("Updates still missing")[0]
    assert "Problem 1" in received
