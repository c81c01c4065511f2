"""Entering and ending phases: windows, timers, what each phase still awaits.

Which phase follows which lives in `table.NEXT_PHASE`; this module applies it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.flows.card import build_card, shows_the_same
from bot.flows.effects import Button, DirectMessage, Effect, Reply, SetTimer, UpdateCard
from bot.flows.model import TIMED_PHASES, Case, Circle, ClientInteraction, ParkedAdvice, Phase, TimerKind
from bot.flows.step import local_time, say
from bot.flows.table import NEXT_PHASE

REMINDER_LEAD = timedelta(hours=24)
EXAMPLE_DATE_AHEAD = 30  # days: an example action date falls a month ahead


def active_consultants(circle: Circle, case: Case) -> tuple[str, ...]:
    """Consultants still in the circle: someone who left no longer counts toward a majority."""
    return tuple(user for user in case.consultants if circle.member(user) is not None)


def majority(count: int, of: int) -> bool:
    return of > 0 and count * 2 > of


def awaited(circle: Circle, case: Case) -> frozenset[str]:
    """Who the current phase still waits for: reminders go to them and nobody else."""
    consultants = frozenset(active_consultants(circle, case))
    match case.phase:
        case Phase.CLARIFICATION | Phase.CONSULTATION:
            return consultants - case.finished
        case Phase.CONTRACT:
            if case.contract is None:
                return frozenset({case.client_id})
            # Asked for a new wording, the client is awaited too: only they can give it.
            rewording = frozenset({case.client_id}) if case.reformulate else frozenset()
            return (consultants - case.finished - case.reformulate) | rewording
        case Phase.ACTION_PLAN:
            if case.plan is None:
                return frozenset({case.client_id})
            return consultants - case.finished
        case Phase.LEARNINGS:
            return (consultants | {case.client_id}) - case.learned
        case Phase.FOLLOW_UP:
            return frozenset({case.client_id}) if case.plan and not case.plan.settled else frozenset()
        case _:
            return frozenset()


def phase_complete(circle: Circle, case: Case) -> bool:
    """The phase's own ending condition (deadlines and facilitators aside)."""
    consultants = active_consultants(circle, case)
    match case.phase:
        case Phase.CLARIFICATION | Phase.CONSULTATION:
            # With every consultant gone, nobody finished: the phase waits for a facilitator.
            return bool(consultants) and all(user in case.finished for user in consultants)
        case Phase.CONTRACT:
            return case.contract is not None and majority(len(case.finished & set(consultants)), len(consultants))
        case Phase.ACTION_PLAN:
            return case.plan is not None and majority(len(case.finished & set(consultants)), len(consultants))
        case Phase.LEARNINGS:
            return not awaited(circle, case)
        case Phase.FOLLOW_UP:
            return case.plan is None or case.plan.settled
        case _:
            return False


def after_window(circle: Circle, start: datetime, span: timedelta) -> datetime:
    """`span` after `start`. Whole days count on the circle's wall clock, so a two-day window
    opened at 14:00 ends at 14:00 even across a daylight-saving change; hours are hours."""
    if span % timedelta(days=1):
        return start + span
    zone = ZoneInfo(circle.settings.timezone)
    return (start.astimezone(zone).replace(tzinfo=None) + span).replace(tzinfo=zone).astimezone(UTC)


def timers(circle: Circle, case: Case, now: datetime) -> list[Effect]:
    """Deadline and reminders for the current window; earlier timers become stale via seq.

    Reminders already past at `now` (after an extension or a resume late in the window)
    are left out: they went out before, or their moment is gone.
    """
    if case.deadline is None or case.paused:
        return []
    start = case.phase_started_at
    found: list[Effect] = [SetTimer(circle.id, case.id, TimerKind.DEADLINE, case.deadline, case.timer_seq)]
    half = start + (case.deadline - start) / 2
    last_day = case.deadline - REMINDER_LEAD
    now_floor = max(start, now)
    if half > now_floor:
        found.append(SetTimer(circle.id, case.id, TimerKind.HALF_WINDOW, half, case.timer_seq))
    # Only worth a second reminder when it falls clearly after the first.
    if last_day > half + timedelta(hours=1) and last_day > now_floor:
        found.append(SetTimer(circle.id, case.id, TimerKind.LAST_DAY, last_day, case.timer_seq))
    return found


def move_deadline(circle: Circle, case: Case, deadline: datetime, now: datetime) -> tuple[Case, list[Effect]]:
    moved = case.replace(deadline=deadline, timer_seq=case.timer_seq + 1)
    return moved, timers(circle, moved, now)


def _announcement(circle: Circle, phase: Phase) -> str:
    """The catalog key of a phase's announcement: the consultation's says what the client may do."""
    if phase is Phase.CONSULTATION and circle.settings.client_interaction is ClientInteraction.CLARIFY_ALLOWED:
        return "phase.enter.consultation_clarify"
    return f"phase.enter.{phase}"


def _example_date(circle: Circle, now: datetime) -> str:
    """A date to show in an example action: a plan refuses dates in the past, so the example
    must never be one."""
    return (now.astimezone(ZoneInfo(circle.settings.timezone)) + timedelta(days=EXAMPLE_DATE_AHEAD)).date().isoformat()


def enter(circle: Circle, case: Case, phase: Phase, now: datetime) -> tuple[Case, list[Effect]]:
    """Open `phase`: reset its tallies, set its window, announce it in the thread."""
    timed = phase in TIMED_PHASES
    entered = case.replace(
        phase=phase,
        phase_started_at=now,
        deadline=after_window(circle, now, circle.settings.window(phase)) if timed else None,
        timer_seq=case.timer_seq + 1,
        extended_once=False,
        acted=frozenset(),
        finished=frozenset(),
        reformulate=frozenset(),
        closed_at=now if phase in (Phase.CLOSED, Phase.WITHDRAWN) else None,
        # A case that is over cannot be resumed, so it must not stay paused; a paused case
        # moved on by a facilitator stays paused, counting its new window from now.
        paused_at=None if phase in (Phase.CLOSED, Phase.WITHDRAWN) or not case.paused else now,
    )
    effects: list[Effect] = []
    if phase in (Phase.CLOSED, Phase.WITHDRAWN):
        effects.append(Reply(circle.id, case.id, say(circle, f"phase.enter.{phase}")))
        return entered, effects
    deadline = local_time(circle, entered.deadline) if entered.deadline else ""
    effects.append(
        Reply(
            circle.id,
            case.id,
            say(
                circle,
                _announcement(circle, phase),
                deadline=deadline,
                client=circle.name_of(case.client_id),
                example_date=_example_date(circle, now),
            ),
        )
    )
    if phase is Phase.CONSULTATION:
        effects.extend(_release_parked(circle, entered))
    entered = entered.replace(parked=_still_parked(case, phase))
    effects.extend(timers(circle, entered, now))
    return entered, effects


def _still_parked(case: Case, phase: Phase) -> tuple[ParkedAdvice, ...]:
    """Advice held back after entering `phase`. Kept advice goes out when the consultation
    opens; the rest stays through it, since its author may still press to post it then."""
    if phase is Phase.CONSULTATION:
        return tuple(parked for parked in case.parked if not parked.kept)
    return () if case.phase is Phase.CONSULTATION else case.parked


def _release_parked(circle: Circle, case: Case) -> list[Effect]:
    released: list[Effect] = []
    if case.contract:
        released.append(
            Reply(circle.id, case.id, say(circle, "consultation.contract_reminder", contract=case.contract))
        )
    for parked in (p for p in case.parked if p.kept):
        released.append(
            Reply(
                circle.id,
                case.id,
                say(circle, "consultation.parked_released", author=circle.name_of(parked.author_id), text=parked.text),
            )
        )
    return released


def advance(circle: Circle, case: Case, now: datetime) -> tuple[Case, list[Effect]]:
    """Move to the next phase; from learnings, straight to closed when there is nothing to follow."""
    target = NEXT_PHASE[case.phase]
    if target is Phase.FOLLOW_UP and (case.plan is None or not case.plan.items):
        target = Phase.CLOSED
    moved, effects = enter(circle, case, target, now)
    if target is Phase.FOLLOW_UP:
        effects.append(
            DirectMessage(
                circle.id,
                case.client_id,
                say(circle, "follow_up.opened"),
                (Button("post_update", say(circle, "button.post_update"), case.id, primary=True),),
                case_id=case.id,
            )
        )
    return moved, effects


def settle(circle: Circle, before: Case, case: Case, now: datetime) -> tuple[Case, list[Effect]]:
    """After an act: advance while the phase is complete, and refresh the card if it changed."""
    effects: list[Effect] = []
    while case.phase in NEXT_PHASE and not case.paused and phase_complete(circle, case):
        case, entered = advance(circle, case, now)
        effects.extend(entered)
    if shows_the_same(before, case):
        return case, effects
    card = build_card(circle, case)
    if card != build_card(circle, before):
        effects.append(UpdateCard(circle.id, card))
    return case, effects
