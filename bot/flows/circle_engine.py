"""Circle-level steps: setup, membership and charter, settings, meetings, rotation."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.flows import commands as c
from bot.flows.cadence import held_at, next_meetings
from bot.flows.effects import Button, DirectMessage, Effect, Ephemeral, MeetingJob, MeetingTimer, Post
from bot.flows.errors import DomainError
from bot.flows.model import Cadence, Circle, CircleSettings, Member, Rotation
from bot.flows.settings_rules import apply_setting, check_timezone, parse_language
from bot.flows.step import Step, say
from bot.flows.text_rules import MAX_TITLE, clean_text, duration_text

RECOMMENDED_SIZE = range(4, 9)
WARN_OUTSIDE = range(3, 13)
# The button a member asked to swap turns with presses, and how its value is put together.
ACCEPT_SWAP = "accept_swap"
SWAP_SEPARATOR = "/"

CircleHandler = Callable[[Circle, Any, datetime], Step]


def setup_circle(cmd: c.SetupCircle, now: datetime) -> Step:
    name = clean_text(cmd.name, limit=MAX_TITLE, field="name")
    settings = CircleSettings(language=parse_language(cmd.language), timezone=check_timezone(cmd.timezone))
    creator = Member(cmd.actor, cmd.display_name, now, facilitator=True, charter_accepted_at=now)
    circle = Circle(
        id=cmd.circle_id,
        platform=cmd.platform,
        workspace_id=cmd.workspace_id,
        channel_id=cmd.channel_id,
        name=name,
        created_at=now,
        members=(creator,),
        settings=settings,
        rotation=Rotation(queue=(cmd.actor,)),
    )
    return Step(circle, None, (), (Post(circle.id, say(circle, "circle.created", name=name, who=cmd.display_name)),))


def handle_circle(circle: Circle, command: c.Command, now: datetime) -> Step:
    handler, facilitator_only = _CIRCLE_TABLE[type(command)]
    member = circle.member(command.actor)
    if facilitator_only and member is None:
        raise DomainError("error.not_member")
    if facilitator_only and member is not None and not member.facilitator:
        raise DomainError("error.not_your_role", role="role.facilitator")
    step = handler(circle, command, now)
    if _meetings_depend_on(circle) != _meetings_depend_on(step.circle):
        # The meetings' jobs follow from these: have the scheduler plan them again.
        replan = MeetingTimer(circle.id, MeetingJob.PLAN, now)
        return Step(step.circle, step.case, step.contributions, (*step.effects, replan))
    return step


def _meetings_depend_on(circle: Circle) -> tuple[object, ...]:
    """What a circle's meeting jobs are computed from: cadence, settings, pause, zones."""
    return (circle.cadence, circle.settings, circle.paused, tuple((m.user_id, m.timezone) for m in circle.members))


def _require_member(circle: Circle, user: str) -> Member:
    member = circle.member(user)
    if member is None:
        raise DomainError("error.not_member")
    return member


def _join(circle: Circle, cmd: c.Join, now: datetime) -> Step:
    if circle.member(cmd.actor) is not None:
        raise DomainError("error.already_member")
    timezone = check_timezone(cmd.timezone) if cmd.timezone else None
    name = clean_text(cmd.display_name, limit=MAX_TITLE, field="name")
    pending = tuple(m for m in circle.pending if m.user_id != cmd.actor)
    joined = circle.replace(pending=(*pending, Member(cmd.actor, name, now, timezone=timezone)))
    charter = "\n".join(f"• {say(circle, f'charter.{rule}')}" for rule in circle.charter)
    accept = Button("accept_charter", say(circle, "button.accept_charter"), primary=True)
    prompt = Ephemeral(circle.id, cmd.actor, say(circle, "charter.prompt", charter=charter), (accept,))
    return Step(joined, None, (), (prompt,))


def _accept_charter(circle: Circle, cmd: c.AcceptCharter, now: datetime) -> Step:
    if circle.member(cmd.actor) is not None:
        raise DomainError("error.already_member")
    pending = circle.pending_member(cmd.actor)
    if pending is None:
        raise DomainError("error.join_first")
    # A circle its last facilitator left (alone, or before anyone accepted the charter) is
    # taken over by whoever accepts it next: else nobody could ever run it again.
    takes_over = not circle.facilitators
    member = dataclasses.replace(pending, charter_accepted_at=now, facilitator=pending.facilitator or takes_over)
    joined = circle.replace(
        members=(*circle.members, member),
        pending=tuple(m for m in circle.pending if m.user_id != cmd.actor),
        departed=tuple(m for m in circle.departed if m.user_id != cmd.actor),  # back: a member again
        rotation=Rotation((*circle.rotation.queue, cmd.actor), circle.rotation.history),
    )
    effects: list[Effect] = [Post(circle.id, say(circle, "circle.welcome", who=member.display_name))]
    if takes_over:
        effects.append(Post(circle.id, say(circle, "circle.new_facilitator", who=member.display_name)))
    effects.extend(_size_warnings(joined))
    return Step(joined, None, (), tuple(effects))


def _size_warnings(circle: Circle) -> list[Effect]:
    size = len(circle.members)
    if size in WARN_OUTSIDE:
        return []
    return [DirectMessage(circle.id, f, say(circle, "circle.size_warning", size=size)) for f in circle.facilitators]


def _leave(circle: Circle, cmd: c.Leave, now: datetime) -> Step:
    member = circle.member(cmd.actor)
    if member is None:
        if circle.pending_member(cmd.actor) is None:
            raise DomainError("error.not_member")
        return Step(circle.replace(pending=tuple(m for m in circle.pending if m.user_id != cmd.actor)))
    others = [m for m in circle.members if m.user_id != cmd.actor]
    if member.facilitator and others and not any(m.facilitator for m in others):
        raise DomainError("error.last_facilitator")
    left = _without(circle, member)
    effects: list[Effect] = [Post(circle.id, say(circle, "circle.left", who=member.display_name))]
    effects.extend(_size_warnings(left))
    return Step(left, None, (), tuple(effects))


def _remove_member(circle: Circle, cmd: c.RemoveMember, now: datetime) -> Step:
    if cmd.user_id == cmd.actor:
        raise DomainError("error.remove_yourself")
    member = circle.member(cmd.user_id)
    if member is None:
        pending = circle.pending_member(cmd.user_id)
        if pending is None:
            raise DomainError("error.unknown_member", who=cmd.user_id)
        return Step(circle.replace(pending=tuple(m for m in circle.pending if m.user_id != cmd.user_id)))
    removed = _without(circle, member)
    told = say(circle, "circle.removed", who=member.display_name, by=circle.name_of(cmd.actor))
    return Step(removed, None, (), (Post(circle.id, told), *_size_warnings(removed)))


def _without(circle: Circle, member: Member) -> Circle:
    """The circle once `member` is gone: out of the queue, among those who left."""
    # Only the name stays (for records and a later erasure): no time zone, no role.
    gone = Member(member.user_id, member.display_name, member.joined_at)
    return circle.replace(
        members=tuple(m for m in circle.members if m.user_id != member.user_id),
        rotation=Rotation(tuple(u for u in circle.rotation.queue if u != member.user_id), circle.rotation.history),
        departed=(*(m for m in circle.departed if m.user_id != member.user_id), gone),
    )


def _change_settings(circle: Circle, cmd: c.ChangeSettings, now: datetime) -> Step:
    if not cmd.changes:
        raise DomainError("error.no_setting")
    settings = circle.settings
    for key, value in cmd.changes:
        settings = apply_setting(settings, key, value)
    if settings == circle.settings:  # said to them alone: nothing to announce to the circle
        return Step(circle, None, (), (Ephemeral(circle.id, cmd.actor, say(circle, "settings.unchanged")),))
    leads_changed = any(key.strip().lower() in ("nudge_lead", "digest_lead") for key, _ in cmd.changes)
    if leads_changed and settings.digest_lead > settings.nudge_lead:
        # The digest lists the updates the nudges asked for: before them, every one is "missing".
        lang = settings.language
        digest, nudge = duration_text(settings.digest_lead, lang), duration_text(settings.nudge_lead, lang)
        raise DomainError("error.digest_before_nudges", digest=digest, nudge=nudge)
    changed = circle.replace(settings=settings, cadence=_dates_kept(circle, settings.timezone))
    told = say(
        changed, "settings.changed", changes=", ".join(f"{k.strip().lower()} = {v.strip()}" for k, v in cmd.changes)
    )
    if settings.timezone != circle.settings.timezone and next_meetings(changed, now, 1):
        # A recurring meeting keeps its hour, now the new zone's: its moment moves. Say when.
        return Step(changed, None, (), (_meetings_post(changed, now, told),))
    return Step(changed, None, (), (Post(circle.id, told),))


def _dates_kept(circle: Circle, zone: str) -> Cadence:
    """The cadence in a new time zone: explicit dates keep their moment (15:00 in Paris is
    09:00 in Montreal); the rule keeps its local hour, now the new zone's."""
    cadence = circle.cadence
    if zone == circle.settings.timezone or not cadence.dates:
        return cadence
    before, after = ZoneInfo(circle.settings.timezone), ZoneInfo(zone)
    dates = tuple(sorted(when.replace(tzinfo=before).astimezone(after).replace(tzinfo=None) for when in cadence.dates))
    return Cadence(cadence.rule, dates, cadence.skipped)


def _set_meeting_rule(circle: Circle, cmd: c.SetMeetingRule, now: datetime) -> Step:
    if cmd.rule is None and circle.cadence.rule is None:  # cleared already: nothing to announce
        return Step(circle, None, (), (Ephemeral(circle.id, cmd.actor, say(circle, "meetings.no_rule_to_clear")),))
    cadence = Cadence(cmd.rule, circle.cadence.dates, circle.cadence.skipped)
    changed = circle.replace(cadence=cadence)
    cleared = cmd.rule is None and (cadence.dates or cadence.skipped)
    headline = say(changed, "meetings.rule_cleared") if cleared else ""
    return Step(changed, None, (), (_meetings_post(changed, now, headline),))


def _add_meeting(circle: Circle, cmd: c.AddMeeting, now: datetime) -> Step:
    local_now = now.astimezone(ZoneInfo(circle.settings.timezone)).replace(tzinfo=None)
    if cmd.when <= local_now:
        raise DomainError("error.date_in_past", value=f"{cmd.when:%Y-%m-%d %H:%M}")
    if cmd.when in circle.cadence.dates or _rule_meets_at(circle, cmd.when):
        raise DomainError("error.meeting_exists", value=f"{cmd.when:%Y-%m-%d %H:%M}")
    dates = tuple(sorted((*circle.cadence.dates, cmd.when)))
    changed = circle.replace(cadence=Cadence(circle.cadence.rule, dates, circle.cadence.skipped))
    held = held_at(cmd.when, ZoneInfo(circle.settings.timezone))
    if held != cmd.when:  # a time the clocks skip that day
        added = say(changed, "meetings.added_moved", when=f"{cmd.when:%Y-%m-%d %H:%M}", held=f"{held:%H:%M}")
    else:
        added = say(changed, "meetings.added", when=f"{cmd.when:%Y-%m-%d %H:%M}")
    return Step(changed, None, (), (_meetings_post(changed, now, added),))


def _skip_meeting(circle: Circle, cmd: c.SkipMeeting, now: datetime) -> Step:
    if cmd.day < now.astimezone(ZoneInfo(circle.settings.timezone)).date():
        raise DomainError("error.date_in_past", value=cmd.day.isoformat())
    set_that_day = any(when.date() == cmd.day for when in circle.cadence.dates)
    if cmd.day in circle.cadence.skipped and not set_that_day:
        raise DomainError("error.already_skipped", value=cmd.day.isoformat())
    if not _meets_on(circle, cmd.day):
        raise DomainError("error.no_meeting_that_day", value=cmd.day.isoformat())
    # Meetings set for that day go; the rule's meeting is skipped (a later meeting set for
    # that day, a meeting moved by an hour, is held all the same).
    dates = tuple(when for when in circle.cadence.dates if when.date() != cmd.day)
    skipped = circle.cadence.skipped
    if _rule_meets_on(circle, cmd.day):
        skipped = tuple(sorted((*skipped, cmd.day)))
    changed = circle.replace(cadence=Cadence(circle.cadence.rule, dates, skipped))
    headline = say(changed, "meetings.skipped", day=cmd.day.isoformat())
    return Step(changed, None, (), (_meetings_post(changed, now, headline),))


def _rule_meets_on(circle: Circle, day: date) -> bool:
    return _meets_on(circle.replace(cadence=Cadence(circle.cadence.rule, (), circle.cadence.skipped)), day)


def _rule_meets_at(circle: Circle, when: datetime) -> bool:
    """Whether the circle's rule already has a meeting at `when` (naive, local)."""
    zone = ZoneInfo(circle.settings.timezone)
    held = held_at(when, zone)
    just_before = held.replace(tzinfo=zone) - timedelta(minutes=1)
    return any(m.astimezone(zone).replace(tzinfo=None) == held for m in next_meetings(circle, just_before, 1))


def _meets_on(circle: Circle, day: date) -> bool:
    zone = ZoneInfo(circle.settings.timezone)
    day_before = datetime.combine(day, time.min, tzinfo=zone) - timedelta(microseconds=1)
    return any(m.astimezone(zone).date() == day for m in next_meetings(circle, day_before, 2))


def _meetings_post(circle: Circle, now: datetime, headline: str = "") -> Post:
    """The next meetings, after what just changed (`headline`) when it is worth saying."""
    upcoming = next_meetings(circle, now, 3)
    zone = ZoneInfo(circle.settings.timezone)
    listed = "\n".join(f"• {m.astimezone(zone):%Y-%m-%d %H:%M}" for m in upcoming) or "—"
    text = say(circle, "meetings.changed", meetings=listed, zone=circle.settings.timezone)
    return Post(circle.id, f"{headline}\n{text}" if headline else text)


def _volunteer(circle: Circle, cmd: c.Volunteer, now: datetime) -> Step:
    _require_member(circle, cmd.actor)
    if circle.rotation.queue[:1] == (cmd.actor,):
        raise DomainError("error.already_next")
    queue = (cmd.actor, *(u for u in circle.rotation.queue if u != cmd.actor))
    changed = circle.replace(rotation=Rotation(queue, circle.rotation.history))
    return Step(changed, None, (), (Post(circle.id, say(circle, "queue.volunteered", who=circle.name_of(cmd.actor))),))


def _swap(circle: Circle, cmd: c.SwapTurns, now: datetime) -> Step:
    """Facilitators arrange the queue; a member asks the other one, whose turn would move
    without their say, and the swap happens when they accept (`_accept_swap`)."""
    actor = _require_member(circle, cmd.actor)
    if cmd.actor not in (cmd.first, cmd.second) and not actor.facilitator:
        raise DomainError("error.swap_own_turn")
    queue = circle.rotation.queue
    for user in (cmd.first, cmd.second):
        if user not in queue:
            raise DomainError("error.unknown_member", who=user)
    if cmd.first == cmd.second:  # nothing would move, and the channel would read "Fay and Fay swapped"
        raise DomainError("error.swap_same", who=circle.name_of(cmd.first))
    if actor.facilitator:
        return _swapped(circle, cmd.first, cmd.second)
    other = cmd.second if cmd.actor == cmd.first else cmd.first
    mine, theirs = queue.index(cmd.actor) + 1, queue.index(other) + 1
    value = SWAP_SEPARATOR.join((cmd.actor, other, str(mine), str(theirs)))
    accept = Button(ACCEPT_SWAP, say(circle, "queue.swap_accept", who=circle.name_of(cmd.actor)), value=value)
    asked = say(circle, "queue.swap_asked", who=circle.name_of(cmd.actor), place=theirs, new_place=mine)
    told = say(circle, "queue.swap_requested", who=circle.name_of(other))
    effects: tuple[Effect, ...] = (
        DirectMessage(circle.id, other, asked, (accept,)),
        Ephemeral(circle.id, cmd.actor, told),
    )
    return Step(circle, None, (), effects)


def accept_swap_command(actor: str, value: str) -> c.AcceptSwap:
    """The command an accept button's value stands for (see `_swap`)."""
    parts = value.split(SWAP_SEPARATOR)
    if len(parts) != 4 or not all(part.isdigit() for part in parts[2:]):
        raise DomainError("error.unknown_action")
    requester, target, mine, theirs = parts
    if actor != target:
        raise DomainError("error.swap_not_yours")
    return c.AcceptSwap(actor, requester, (int(mine), int(theirs)))


def _accept_swap(circle: Circle, cmd: c.AcceptSwap, now: datetime) -> Step:
    _require_member(circle, cmd.actor)
    queue = circle.rotation.queue
    who = circle.name_of(cmd.requester)
    if cmd.requester not in queue or cmd.actor not in queue:
        raise DomainError("error.swap_queue_changed", who=who)
    places = (queue.index(cmd.requester) + 1, queue.index(cmd.actor) + 1)
    if places == cmd.places[::-1]:  # a second press
        raise DomainError("error.swap_done", who=who)
    if places != cmd.places:  # the turns asked about are not the ones the swap would move
        raise DomainError("error.swap_queue_changed", who=who)
    return _swapped(circle, cmd.requester, cmd.actor)


def _swapped(circle: Circle, first: str, second: str) -> Step:
    queue = list(circle.rotation.queue)
    a, b = queue.index(first), queue.index(second)
    queue[a], queue[b] = queue[b], queue[a]
    changed = circle.replace(rotation=Rotation(tuple(queue), circle.rotation.history))
    text = say(circle, "queue.swapped", first=circle.name_of(first), second=circle.name_of(second))
    return Step(changed, None, (), (Post(circle.id, text),))


def _make_facilitator(circle: Circle, cmd: c.MakeFacilitator, now: datetime) -> Step:
    target = circle.member(cmd.user_id)
    if target is None:
        raise DomainError("error.unknown_member", who=cmd.user_id)
    if target.facilitator:
        raise DomainError("error.already_facilitator", who=target.display_name)
    members = tuple(dataclasses.replace(m, facilitator=True) if m.user_id == cmd.user_id else m for m in circle.members)
    changed = circle.replace(members=members)
    return Step(changed, None, (), (Post(circle.id, say(circle, "circle.new_facilitator", who=target.display_name)),))


def _pause_circle(circle: Circle, cmd: c.PauseCircle, now: datetime) -> Step:
    if circle.paused:
        raise DomainError("error.circle_already_paused")
    return Step(circle.replace(paused=True), None, (), (Post(circle.id, say(circle, "circle.paused")),))


def _resume_circle(circle: Circle, cmd: c.ResumeCircle, now: datetime) -> Step:
    if not circle.paused:
        raise DomainError("error.circle_not_paused")
    return Step(circle.replace(paused=False), None, (), (Post(circle.id, say(circle, "circle.resumed")),))


# Command → (handler, facilitators only). Membership rules inside handlers need the state.
_CIRCLE_TABLE: dict[type[c.Command], tuple[CircleHandler, bool]] = {
    c.Join: (_join, False),
    c.AcceptCharter: (_accept_charter, False),
    c.Leave: (_leave, False),
    c.RemoveMember: (_remove_member, True),
    c.ChangeSettings: (_change_settings, True),
    c.SetMeetingRule: (_set_meeting_rule, True),
    c.AddMeeting: (_add_meeting, True),
    c.SkipMeeting: (_skip_meeting, True),
    c.Volunteer: (_volunteer, False),
    c.SwapTurns: (_swap, False),
    c.AcceptSwap: (_accept_swap, False),
    c.MakeFacilitator: (_make_facilitator, True),
    c.PauseCircle: (_pause_circle, True),
    c.ResumeCircle: (_resume_circle, True),
}
