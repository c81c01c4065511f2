"""Meetings: when to nudge, remind and digest, and what each says. Pure, no I/O.

For each coming meeting a circle gets a few jobs, planned as `MeetingTimer` outbox rows:
- NUDGE, one per time zone its members live in, at 09:00 there, `nudge_lead` before the
  meeting: every client with an open action plan (follow-up, items unsettled) living in that
  zone is asked privately for an update, with the button that opens the update form;
- REMINDER, per zone, at 09:00 the day before the meeting: once more, only to those whose
  case got no update since their nudge;
- DIGEST, `digest_lead` before the meeting (local wall time): the circle's channel hears
  which cases are in flight, whose updates came and whose are missing, who is client next;
- HELD, at the meeting: follow-up cases count it toward closing, and the next meetings are
  planned.
Every time is computed on local wall time, then converted: DST never moves a job off its
local hour. When a job comes due the circle is read again (`verdict`): a meeting skipped
since, a paused circle or a meeting already past send nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.flows.cadence import next_meetings
from bot.flows.effects import Button, DirectMessage, Effect, MeetingJob, MeetingTimer, Post
from bot.flows.model import ACTIVE_PHASES, Case, Circle, Phase
from bot.flows.step import say

NUDGE_HOUR = time(9, 0)
# How many coming meetings have their jobs planned at once; each HELD plans further.
PLAN_AHEAD = 3
# How far back the meeting before another is looked for among explicit dates.
PREVIOUS_MEETING_WITHIN = timedelta(weeks=13)
MISSED = "missed"
DROPPED = "dropped"


def _wall(moment: datetime, zone: str) -> datetime:
    """The naive local wall time of an aware moment in `zone`."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def _at_wall(wall: datetime, zone: str) -> datetime:
    """A naive local wall time in `zone`, as an aware UTC moment."""
    return wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def member_zone(circle: Circle, user_id: str) -> str:
    """The member's own time zone when their platform told us, else the circle's."""
    member = circle.member(user_id)
    return (member.timezone if member and member.timezone else None) or circle.settings.timezone


def member_zones(circle: Circle) -> tuple[str, ...]:
    return tuple(sorted({member_zone(circle, m.user_id) for m in circle.members}))


def nudge_at(circle: Circle, meeting_at: datetime, zone: str) -> datetime:
    """09:00 in `zone` on the day `nudge_lead` before the meeting (as lived in that zone)."""
    day = (_wall(meeting_at, zone) - circle.settings.nudge_lead).date()
    return _at_wall(datetime.combine(day, NUDGE_HOUR), zone)


def reminder_at(meeting_at: datetime, zone: str) -> datetime:
    """09:00 in `zone` the day before the meeting."""
    day = _wall(meeting_at, zone).date() - timedelta(days=1)
    return _at_wall(datetime.combine(day, NUDGE_HOUR), zone)


def digest_at(circle: Circle, meeting_at: datetime) -> datetime:
    """`digest_lead` before the meeting on the circle's wall clock (Tuesday 15:00 → Monday 15:00)."""
    zone = circle.settings.timezone
    return _at_wall(_wall(meeting_at, zone) - circle.settings.digest_lead, zone)


def jobs_for(circle: Circle, meeting_at: datetime) -> list[MeetingTimer]:
    """Every job of one meeting, due or not; `plan` keeps those still ahead."""
    found: list[MeetingTimer] = []
    for zone in member_zones(circle):
        nudge = nudge_at(circle, meeting_at, zone)
        if nudge < meeting_at:
            found.append(MeetingTimer(circle.id, MeetingJob.NUDGE, nudge, meeting_at, zone))
        reminder = reminder_at(meeting_at, zone)
        if nudge < reminder < meeting_at:
            found.append(MeetingTimer(circle.id, MeetingJob.REMINDER, reminder, meeting_at, zone))
    found.append(MeetingTimer(circle.id, MeetingJob.DIGEST, digest_at(circle, meeting_at), meeting_at))
    found.append(MeetingTimer(circle.id, MeetingJob.HELD, meeting_at, meeting_at))
    return found


def plan(circle: Circle, now: datetime) -> list[MeetingTimer]:
    """The jobs of the circle's next meetings still ahead of `now`; none while it is paused.

    Jobs whose moment has passed are not planned late: a nudge planned when it can no longer
    be on time is worse than none.
    """
    if circle.paused:
        return []
    return [
        job
        for meeting in next_meetings(circle, now, PLAN_AHEAD)
        for job in jobs_for(circle, meeting)
        if job.due_at > now
    ]


def _job_of_meeting(job: MeetingTimer) -> str:
    meeting = job.meeting_at.astimezone(UTC).isoformat() if job.meeting_at else ""
    return f"meeting:{job.circle_id}:{meeting}:{job.job}"


def dedupe_key(job: MeetingTimer) -> str:
    """Names a planned job, so the outbox holds it once however often it is planned."""
    return f"{_job_of_meeting(job)}:{job.zone}"


def nudge_key(job: MeetingTimer, case_id: str) -> str:
    """The `message_key` of the nudge that came before `job` (a reminder) for this case."""
    return message_key(dataclasses.replace(job, job=MeetingJob.NUDGE), case_id)


def message_key(job: MeetingTimer, case_id: str) -> str:
    """Names the nudge or reminder of one case for one meeting, whichever zone's job sends it:
    a change of time zone plans the job under another name, yet its client is asked once."""
    return f"{_job_of_meeting(job)}:case:{case_id}"


def still_scheduled(circle: Circle, meeting_at: datetime) -> bool:
    """Whether the cadence still has this meeting (not skipped, rule unchanged)."""
    return next_meetings(circle, meeting_at - timedelta(seconds=1), 1) == [meeting_at]


def verdict(circle: Circle | None, job: MeetingTimer, now: datetime) -> tuple[str, str] | None:
    """Why a due job must not run, as (outbox status, reason); None when it should run."""
    if circle is None:
        return DROPPED, "the circle no longer exists"
    if job.job is MeetingJob.PLAN or job.meeting_at is None:
        return None
    if job.job is not MeetingJob.HELD and now >= job.meeting_at:
        return MISSED, f"came due after its meeting ({job.meeting_at.isoformat()}): not sent late"
    if circle.paused:
        return DROPPED, "the circle is paused"
    if not still_scheduled(circle, job.meeting_at):
        return DROPPED, "the meeting is no longer scheduled (skipped or rescheduled)"
    return None


def open_plans(circle: Circle, cases: Sequence[Case]) -> list[Case]:
    """Cases in follow-up with an action item still open, whose client is still a member."""
    return [
        case
        for case in sorted(cases, key=lambda case: case.number)
        if case.phase is Phase.FOLLOW_UP
        and case.plan is not None
        and not case.plan.settled
        and not case.paused
        and circle.member(case.client_id) is not None
    ]


def asked_for(circle: Circle, case: Case, meeting_at: datetime) -> bool:
    """Whether the meeting is one of the case's follow-up: it was in follow-up by the time its
    client was to be nudged for it. A plan posted later is too fresh to ask news of: no
    reminder, not missing from the digest, and the meeting is not counted against it."""
    return case.phase_started_at <= nudge_at(circle, meeting_at, member_zone(circle, case.client_id))


def _meeting_text(circle: Circle, meeting_at: datetime, zone: str) -> str:
    return f"{_wall(meeting_at, zone):%Y-%m-%d %H:%M} ({zone})"


def _ask(circle: Circle, case: Case, key: str, meeting_at: datetime, zone: str) -> DirectMessage:
    text = say(
        circle,
        key,
        circle=circle.name,
        when=_meeting_text(circle, meeting_at, zone),
        number=case.number,
        title=case.expose.title,
    )
    button = Button("post_update", say(circle, "button.post_update"), case.id, primary=True)
    return DirectMessage(circle.id, case.client_id, text, (button,), case_id=case.id)


def nudges(circle: Circle, cases: Sequence[Case], job: MeetingTimer) -> list[Effect]:
    """The NUDGE of one zone: each client there with an open plan is asked for an update."""
    assert job.meeting_at is not None
    return [
        _ask(circle, case, "meeting.nudge", job.meeting_at, job.zone)
        for case in open_plans(circle, cases)
        if member_zone(circle, case.client_id) == job.zone
    ]


def reminders(
    circle: Circle,
    cases: Sequence[Case],
    job: MeetingTimer,
    last_update: Mapping[str, datetime],
    nudged: Collection[str],
) -> list[Effect]:
    """The REMINDER of one zone: only clients whose case got no update for this meeting. A
    client never nudged for it (the meeting was set after the nudge's time, or the circle was
    paused then) is asked as a nudge asks, not reminded of a question never put to them."""
    assert job.meeting_at is not None
    since = updates_since(circle, job.meeting_at)
    return [
        _ask(circle, case, "meeting.reminder" if case.id in nudged else "meeting.nudge", job.meeting_at, job.zone)
        for case in open_plans(circle, cases)
        if member_zone(circle, case.client_id) == job.zone
        and asked_for(circle, case, job.meeting_at)
        and not _updated(case, last_update, since)
    ]


def _updated(case: Case, last_update: Mapping[str, datetime], since: datetime) -> bool:
    latest = last_update.get(case.id)
    return latest is not None and latest >= since


def updates_since(circle: Circle, meeting_at: datetime) -> datetime:
    """Updates count for a meeting from the meeting held before it on (for the first, from a
    period or PREVIOUS_MEETING_WITHIN before it), or from its earliest nudge if that comes sooner."""
    earliest_nudge = min(
        nudge_at(circle, meeting_at, zone) for zone in (*member_zones(circle), circle.settings.timezone)
    )
    previous = previous_meeting(circle, meeting_at)
    if previous is None:
        rule = circle.cadence.rule
        return meeting_at - (timedelta(weeks=rule.every_weeks, days=2) if rule else PREVIOUS_MEETING_WITHIN)
    return min(previous, earliest_nudge)


def previous_meeting(circle: Circle, meeting_at: datetime) -> datetime | None:
    """The last meeting held before `meeting_at`: a skipped date was none, a date set was one."""
    for within in _look_backs(circle):
        at_most = len(circle.cadence.dates) + 2 + (within // _period(circle) if circle.cadence.rule else 0)
        earlier = [moment for moment in next_meetings(circle, meeting_at - within, at_most) if moment < meeting_at]
        if earlier:
            return earlier[-1]
    return None


def _period(circle: Circle) -> timedelta:
    rule = circle.cadence.rule
    return timedelta(weeks=rule.every_weeks) if rule else PREVIOUS_MEETING_WITHIN


def _look_backs(circle: Circle) -> list[timedelta]:
    """How far back to look, nearest first: a rule's previous meeting is most often one period
    back, and each skipped date may put it one more period back."""
    if circle.cadence.rule is None:
        return [PREVIOUS_MEETING_WITHIN]
    periods = range(1, len(circle.cadence.skipped) + 2)
    return [_period(circle) * count + timedelta(days=2) for count in periods]


def digest(circle: Circle, cases: Sequence[Case], meeting_at: datetime, last_update: Mapping[str, datetime]) -> Post:
    """The meeting digest: cases in flight, updates received and missing, who is client next."""
    zone = circle.settings.timezone
    in_flight = sorted((case for case in cases if case.phase in ACTIVE_PHASES), key=lambda case: case.number)
    since = updates_since(circle, meeting_at)
    following = open_plans(circle, cases)
    received = [case for case in following if _updated(case, last_update, since)]
    # A plan completed by an update since the last meeting closed its case: still news.
    completed = [
        case
        for case in sorted(cases, key=lambda case: case.number)
        if case.phase is Phase.CLOSED
        and case.closed_at is not None
        and case.closed_at >= since
        and _updated(case, last_update, since)
    ]
    missing = [
        case for case in following if not _updated(case, last_update, since) and asked_for(circle, case, meeting_at)
    ]

    def listed(found: Sequence[Case], key: str) -> str:
        lines = [
            say(
                circle,
                key,
                number=case.number,
                title=case.expose.title,
                client=circle.name_of(case.client_id),
                phase=f"phase.{case.phase}",
            )
            for case in found
        ]
        return "\n".join(lines)

    queue = [user for user in circle.rotation.queue if circle.member(user) is not None]
    text = say(
        circle,
        "digest.text",
        circle=circle.name,
        when=_meeting_text(circle, meeting_at, zone),
        in_flight=listed(in_flight, "digest.case_line") or say(circle, "digest.no_case"),
        received="\n".join(
            filter(None, (listed(received, "digest.update_line"), listed(completed, "digest.completed_line")))
        )
        or say(circle, "digest.no_update"),
        missing=listed(missing, "digest.update_line") or say(circle, "digest.no_update"),
        next_client=circle.name_of(queue[0]) if queue else say(circle, "digest.nobody"),
    )
    return Post(circle.id, text)
