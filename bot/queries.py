"""Read-only answers: help, status, members, queue, meetings, settings. No state changes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.flows.cadence import next_meetings
from bot.flows.card import card_lines, card_title
from bot.flows.catalog import t
from bot.flows.model import Case, Circle
from bot.flows.phases import awaited
from bot.flows.step import local_time, names, say
from bot.flows.text_rules import duration_text


def help_text(language: str, circle: Circle | None, user_id: str) -> str:
    """What the caller may do here: setup in a bare channel, join if outside, more if facilitating."""
    if circle is None:
        return t(language, "help.no_circle")
    member = circle.member(user_id)
    if member is None:
        return say(circle, "help.outsider", name=circle.name)
    text = say(circle, "help.member", name=circle.name)
    if member.facilitator:
        text += "\n" + say(circle, "help.facilitator")
    return text


def members_text(circle: Circle) -> str:
    lines = []
    for member in circle.members:
        role = f" ({say(circle, 'role.facilitator')})" if member.facilitator else ""
        lines.append(f"• {member.display_name}{role}")
    pending = names(circle, tuple(m.user_id for m in circle.pending))
    return say(circle, "members.list", count=len(circle.members), members="\n".join(lines), pending=pending)


def queue_text(circle: Circle) -> str:
    queue = [circle.name_of(user) for user in circle.rotation.queue if circle.member(user)]
    listed = "\n".join(f"{n}. {name}" for n, name in enumerate(queue, start=1)) or "—"
    turns = len(circle.rotation.history)
    return say(circle, "queue.list", queue=listed, turns=turns)


def meetings_text(circle: Circle, now: datetime) -> str:
    zone = ZoneInfo(circle.settings.timezone)
    upcoming = next_meetings(circle, now, 5)
    listed = "\n".join(f"• {moment.astimezone(zone):%Y-%m-%d %H:%M}" for moment in upcoming) or "—"
    today = now.astimezone(zone).date()  # a day skipped in the past skips nothing any more
    skipped = ", ".join(day.isoformat() for day in circle.cadence.skipped if day >= today) or "—"
    listing = say(circle, "meetings.list", zone=circle.settings.timezone, meetings=listed, skipped=skipped)
    return _while_paused(circle, listing)


def _while_paused(circle: Circle, text: str) -> str:
    """Said first while the circle is paused: its meetings still show, but nothing goes out."""
    return f"{say(circle, 'circle.paused')}\n{text}" if circle.paused else text


def settings_text(circle: Circle, may_change: bool) -> str:
    """The circle's settings, and how to change one (`may_change`: the reader is a
    facilitator), or who can."""
    s = circle.settings
    windows = ", ".join(f"{phase}={duration_text(span, s.language)}" for phase, span in s.windows.items())
    listed = say(
        circle,
        "settings.list",
        language=s.language,
        timezone=s.timezone,
        windows=windows,
        client_interaction=s.client_interaction,
        facilitators_consult="yes" if s.facilitators_consult else "no",
        nudge_lead=duration_text(s.nudge_lead, s.language),
        digest_lead=duration_text(s.digest_lead, s.language),
        followup_meetings=s.followup_meetings,
        retention=s.retention_days if s.retention_days is not None else "keep",
    )
    return f"{listed} {say(circle, 'settings.how_to_change' if may_change else 'settings.facilitators_change')}"


def circle_status(circle: Circle, cases: list[Case], now: datetime) -> str:
    lines = [
        say(circle, "status.case_line", number=case.number, title=case.expose.title, phase=f"phase.{case.phase}")
        for case in sorted(cases, key=lambda case: case.number)
    ]
    queue = [user for user in circle.rotation.queue if circle.member(user)]
    upcoming = next_meetings(circle, now, 1)
    status = say(
        circle,
        "status.circle",
        name=circle.name,
        cases="\n".join(lines) or say(circle, "status.no_cases"),
        next_client=circle.name_of(queue[0]) if queue else "—",
        next_meeting=local_time(circle, upcoming[0]) if upcoming else "—",
    )
    return _while_paused(circle, status)


# Status answers by the identity of the values they were written from. Storage hands out one
# value per stored document while it is unchanged (bot.storage.codec), and values are never
# changed in place, so the same pair of values always reads the same.
_STATUS_SEEN = 256
_statuses: dict[tuple[int, int], tuple[Circle, Case, str]] = {}


def case_status(circle: Circle, case: Case) -> str:
    """The card's text, without its buttons (this answer is private and has none)."""
    seen = _statuses.get((id(circle), id(case)))
    if seen is not None and seen[0] is circle and seen[1] is case:
        return seen[2]
    text = _case_status(circle, case)
    if len(_statuses) >= _STATUS_SEEN:
        _statuses.clear()
    _statuses[(id(circle), id(case))] = (circle, case, text)  # held: their ids stay theirs
    return text


def _case_status(circle: Circle, case: Case) -> str:
    lines = [
        card_title(circle, case),
        case.expose.question,
        *(say(circle, "card.line", label=line.label, value=line.value) for line in card_lines(circle, case)),
    ]
    waiting = awaited(circle, case)
    if waiting:
        lines.append(say(circle, "status.waiting_for", who=names(circle, waiting)))
    return "\n".join(lines)
