"""Guarding the process: facilitator powers, withdrawal, closing, and the clock's timers."""

from __future__ import annotations

from datetime import datetime

from bot.flows import commands as c
from bot.flows.card import build_card
from bot.flows.effects import DirectMessage, Effect, Reply, UpdateCard
from bot.flows.errors import DomainError
from bot.flows.meetings import asked_for
from bot.flows.model import ACTIVE_PHASES, TIMED_PHASES, Case, Circle, Phase, Role, Rotation, TimerKind, Turn
from bot.flows.phases import (
    active_consultants,
    advance,
    after_window,
    awaited,
    enter,
    move_deadline,
    phase_complete,
    timers,
)
from bot.flows.step import Step, local_time, say

# Phases that cannot end on their deadline without their required act.
_REQUIRED_ACT = {Phase.CONTRACT: "contract", Phase.ACTION_PLAN: "plan"}
# Phases after the consultation: a case withdrawn then has had its turn.
_CONSULTED = (Phase.ACTION_PLAN, Phase.LEARNINGS, Phase.FOLLOW_UP)
# Phases that are the consultants' to complete: with none left, they wait for a facilitator.
_NEEDS_CONSULTANTS = (Phase.CLARIFICATION, Phase.CONTRACT, Phase.CONSULTATION, Phase.ACTION_PLAN)


def close_case(circle: Circle, case: Case, cmd: c.CloseCase, roles: frozenset[Role], now: datetime) -> Step:
    closed, effects = enter(circle, case, Phase.CLOSED, now)
    return Step(circle, closed, (), tuple(effects))


def withdraw(circle: Circle, case: Case, cmd: c.Withdraw, roles: frozenset[Role], now: datetime) -> Step:
    """The client steps back; they go to the head of the rotation so their turn is not lost,
    unless the circle has consulted on the case already: that was their turn."""
    withdrawn, effects = enter(circle, case, Phase.WITHDRAWN, now)
    if case.phase in _CONSULTED:
        note = Reply(circle.id, case.id, say(circle, "case.withdrawn_after_consultation"))
        return Step(circle, withdrawn, (), (note, *(e for e in effects if not isinstance(e, Reply))))
    queue = (case.client_id, *(u for u in circle.rotation.queue if u != case.client_id))
    history = tuple(turn for turn in circle.rotation.history if turn.case_id != case.id)
    requeued = circle.replace(rotation=Rotation(queue, history))
    return Step(requeued, withdrawn, (), tuple(effects))


def pause(circle: Circle, case: Case, cmd: c.Pause, roles: frozenset[Role], now: datetime) -> Step:
    if case.paused:
        raise DomainError("error.already_paused", number=case.number)
    paused = case.replace(paused_at=now, timer_seq=case.timer_seq + 1)
    return Step(circle, paused, (), (Reply(circle.id, case.id, say(circle, "case.paused")),))


def resume(circle: Circle, case: Case, cmd: c.Resume, roles: frozenset[Role], now: datetime) -> Step:
    if case.paused_at is None:
        raise DomainError("error.not_paused", number=case.number)
    if circle.paused:
        # Its timers would be ignored until the circle resumes, then its deadline passed at once.
        raise DomainError("error.case_resume_while_circle_paused", number=case.number)
    return _resumed(circle, case, now)


def circle_paused(circle: Circle, case: Case, cmd: c.CirclePaused, roles: frozenset[Role], now: datetime) -> Step:
    """A case in a timed phase stops its clock with the circle; one paused already stays as it is."""
    if case.paused or case.phase not in TIMED_PHASES:
        return Step(circle, case)
    return Step(circle, case.replace(paused_at=now, paused_with_circle=True, timer_seq=case.timer_seq + 1))


def circle_resumed(circle: Circle, case: Case, cmd: c.CircleResumed, roles: frozenset[Role], now: datetime) -> Step:
    if case.paused_with_circle and case.paused_at is not None:
        return _resumed(circle, case, now)
    if not case.paused and case.deadline is not None and case.deadline <= now:
        return _fresh_window(circle, case, now)
    return Step(circle, case)  # paused on its own: a facilitator resumes it


def _fresh_window(circle: Circle, case: Case, now: datetime) -> Step:
    """A deadline that passed while the circle was paused did nothing, and nobody was reminded
    of it: the phase gets its window again rather than ending the moment the circle resumes."""
    deadline = after_window(circle, now, circle.settings.window(case.phase))
    moved, effects = move_deadline(circle, case, deadline, now)
    note = Reply(circle.id, case.id, say(circle, "case.resumed", deadline=_deadline_text(circle, moved)))
    return Step(circle, moved, (), (note, *effects))


def _resumed(circle: Circle, case: Case, now: datetime) -> Step:
    """Resuming gives back the time the pause took, so nobody loses part of their window."""
    assert case.paused_at is not None
    deadline = case.deadline + (now - case.paused_at) if case.deadline else None
    resumed = case.replace(paused_at=None, paused_with_circle=False, deadline=deadline, timer_seq=case.timer_seq + 1)
    if phase_complete(circle, resumed):  # everyone acted meanwhile: the next phase is announced at once
        note = Reply(circle.id, case.id, say(circle, "case.resumed_complete"))
    else:
        note = Reply(circle.id, case.id, say(circle, "case.resumed", deadline=_deadline_text(circle, resumed)))
    return Step(circle, resumed, (), (note, *timers(circle, resumed, now)))


def extend(circle: Circle, case: Case, cmd: c.Extend, roles: frozenset[Role], now: datetime) -> Step:
    if case.deadline is None:
        raise DomainError("error.no_deadline")
    # A deadline already passed (the phase waits on an act that is missing) is extended from
    # now: from the old date, the new one could be past too, and the extension would do nothing.
    # A paused case's deadline counts from its pause, which resuming moves on.
    start = case.deadline if case.paused_at is not None else max(case.deadline, now)
    extended, effects = move_deadline(circle, case, after_window(circle, start, cmd.by), now)
    if extended.paused_at is not None and extended.deadline is not None:
        # Its date is not known yet: resuming adds the time the pause took.
        hours = max(0, round((extended.deadline - extended.paused_at).total_seconds() / 3600))
        text = say(circle, "case.extended_while_paused", days=hours // 24, hours=hours % 24)
    else:
        text = say(circle, "case.extended", deadline=_deadline_text(circle, extended))
    return Step(circle, extended, (), (Reply(circle.id, case.id, text), *effects))


def force_advance(circle: Circle, case: Case, cmd: c.Advance, roles: frozenset[Role], now: datetime) -> Step:
    moved, effects = advance(circle, case, now)
    note = Reply(circle.id, case.id, say(circle, "case.advanced", who=circle.name_of(cmd.actor)))
    return Step(circle, moved, (), (note, *effects))


def reassign_client(circle: Circle, case: Case, cmd: c.ReassignClient, roles: frozenset[Role], now: datetime) -> Step:
    member = circle.member(cmd.to)
    if member is None or not member.accepted:
        raise DomainError("error.unknown_member", who=cmd.to)
    if cmd.to == case.client_id:
        raise DomainError("error.already_client", who=member.display_name)
    former = circle.member(case.client_id)
    # The former client consults from now on, unless they facilitate in a circle where
    # facilitators do not consult (or have left).
    consults = former is not None and (circle.settings.facilitators_consult or not former.facilitator)
    consultants = tuple(u for u in (*case.consultants, *((case.client_id,) if consults else ())) if u != cmd.to)
    # Advice the new client held for the consultation would now be their advice to themselves.
    parked = tuple(p for p in case.parked if p.author_id != cmd.to)
    reassigned = case.replace(
        client_id=cmd.to, consultants=consultants, finished=case.finished - {cmd.to}, parked=parked
    )
    note = Reply(circle.id, case.id, say(circle, "case.reassigned", who=member.display_name))
    # The new client now owes what the phase waits for: told directly, not left to find out.
    phase = say(circle, f"phase.{case.phase}")
    told = say(circle, "case.reassigned_to_you", number=case.number, title=case.expose.title, phase=phase)
    notice = DirectMessage(circle.id, cmd.to, told, case_id=case.id)
    return Step(_hand_turn(circle, case, cmd.to, now), reassigned, (), (note, notice))


def _hand_turn(circle: Circle, case: Case, to: str, now: datetime) -> Circle:
    """The old client gets their turn back (head of the queue); the new one has used theirs."""
    others = [u for u in circle.rotation.queue if u not in (case.client_id, to)]
    queue = (case.client_id, *others, to)
    history = tuple(
        Turn(to, turn.case_id, now) if turn.case_id == case.id else turn for turn in circle.rotation.history
    )
    return circle.replace(rotation=Rotation(queue, history))


def meeting_held(circle: Circle, case: Case, cmd: c.MeetingHeld, roles: frozenset[Role], now: datetime) -> Step:
    """Follow-up ends after the circle's set number of meetings, settled or not."""
    if case.phase is not Phase.FOLLOW_UP or not asked_for(circle, case, now):  # `now`: the meeting
        return Step(circle, case)
    counted = case.replace(meetings_in_follow_up=case.meetings_in_follow_up + 1)
    if counted.meetings_in_follow_up < circle.settings.followup_meetings:
        return Step(circle, counted)
    closed, effects = enter(circle, counted, Phase.CLOSED, now)
    # Say why it closed, and what it closed with: nobody pressed anything.
    still_open = (
        [number for number, item in enumerate(case.plan.items, start=1) if not item.status.settled] if case.plan else []
    )
    key = "follow_up.closed_with_open_actions" if still_open else "follow_up.closed_after_meetings"
    why = say(circle, key, count=counted.meetings_in_follow_up, actions=", ".join(map(str, still_open)))
    return Step(circle, closed, (), (Reply(circle.id, case.id, why), *effects))


def recheck(circle: Circle, case: Case, cmd: c.Recheck, roles: frozenset[Role], now: datetime) -> Step:
    # A fresh but equal value: `handle_case` then settles it against the changed circle.
    effects: tuple[Effect, ...] = ()
    if cmd.left in case.consultants and case.phase in _NEEDS_CONSULTANTS and not active_consultants(circle, case):
        text = say(
            circle,
            "facilitator.no_consultants_left",
            number=case.number,
            title=case.expose.title,
            who=circle.name_of(cmd.left),
        )
        effects = _to_facilitators(circle, case, text)
    if cmd.left in case.consultants and case.phase in ACTIVE_PHASES:
        # The card counts the consultants still here; the case itself did not change, so
        # settling it would not see that the card did.
        effects = (*effects, UpdateCard(circle.id, build_card(circle, case)))
    return Step(circle, case.replace(), (), effects)


def timer_fired(circle: Circle, case: Case, cmd: c.TimerFired, roles: frozenset[Role], now: datetime) -> Step:
    if cmd.seq != case.timer_seq or case.paused or circle.paused or case.deadline is None:
        return Step(circle, case)  # stale: the window moved since this timer was set
    if cmd.kind is not TimerKind.DEADLINE and now >= case.deadline:
        return Step(circle, case)  # a reminder that came due late (the bot was down): its moment is gone
    if cmd.kind is TimerKind.DEADLINE:
        return _deadline(circle, case, now)
    return Step(circle, case, (), tuple(_reminders(circle, case, cmd.kind)))


def _reminders(circle: Circle, case: Case, kind: TimerKind) -> list[Effect]:
    deadline = _deadline_text(circle, case)
    effects: list[Effect] = [
        DirectMessage(
            circle.id,
            user,
            say(circle, f"reminder.{case.phase}", number=case.number, title=case.expose.title, deadline=deadline),
            case_id=case.id,
        )
        for user in sorted(awaited(circle, case))
        if circle.member(user) is not None
    ]
    consultants = active_consultants(circle, case)
    active = [user for user in consultants if user in case.acted]
    # Consultants cannot act on a contract or plan not yet written: their silence says nothing then.
    waiting_for_client = awaited(circle, case) == {case.client_id}
    if (
        kind is TimerKind.HALF_WINDOW
        and case.phase is not Phase.LEARNINGS
        and not waiting_for_client
        and consultants  # none left: the facilitator was told so when the last one left
        and len(active) < 2
    ):
        effects.extend(
            DirectMessage(
                circle.id,
                facilitator,
                say(circle, "facilitator.low_activity", number=case.number, active=len(active), total=len(consultants)),
                case_id=case.id,
            )
            for facilitator in circle.facilitators
        )
    return effects


def _deadline(circle: Circle, case: Case, now: datetime) -> Step:
    if case.phase in _NEEDS_CONSULTANTS and not active_consultants(circle, case):
        text = say(circle, "facilitator.no_consultants_at_deadline", number=case.number, title=case.expose.title)
        return Step(circle, case, (), _to_facilitators(circle, case, text))
    missing = _REQUIRED_ACT.get(case.phase)
    if missing is None or (missing == "contract" and case.contract) or (missing == "plan" and case.plan):
        moved, effects = advance(circle, case, now)
        return Step(circle, moved, (), tuple(effects))
    # The required act is missing: never skip the phase; alert, and extend once.
    client = circle.name_of(case.client_id)
    if case.extended_once:  # no second extension: the case now waits for a facilitator
        text = say(circle, f"facilitator.still_missing_{missing}", number=case.number, client=client)
        return Step(circle, case, (), _to_facilitators(circle, case, text))
    alerts = _to_facilitators(
        circle, case, say(circle, f"facilitator.missing_{missing}", number=case.number, client=client)
    )
    assert case.deadline is not None
    window = circle.settings.window(case.phase)
    extended, effects = move_deadline(circle, case, after_window(circle, case.deadline, window), now)
    extended = extended.replace(extended_once=True)
    note = Reply(
        circle.id,
        case.id,
        say(circle, f"deadline.extended_missing_{missing}", deadline=_deadline_text(circle, extended)),
    )
    return Step(circle, extended, (), (*alerts, note, *effects))


def _to_facilitators(circle: Circle, case: Case, text: str) -> tuple[Effect, ...]:
    return tuple(DirectMessage(circle.id, facilitator, text, case_id=case.id) for facilitator in circle.facilitators)


def _deadline_text(circle: Circle, case: Case) -> str:
    return local_time(circle, case.deadline) if case.deadline else "—"
