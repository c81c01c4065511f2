"""The case card: the thread's root message, rebuilt from the case after every step.

A card shows where the case stands and carries the actions that fit its phase. Platforms
cannot show each viewer different buttons on one shared message, so a button pressed by
someone it does not fit gets a private explanation from the engine instead.
"""

from __future__ import annotations

import dataclasses
import operator

from bot.flows.effects import Button, Card, CardLine
from bot.flows.model import Case, Circle, Phase
from bot.flows.step import local_time, names, say

# The buttons each phase offers, by action name (see bot.actions for what they do).
PHASE_BUTTONS: dict[Phase, tuple[str, ...]] = {
    Phase.CLARIFICATION: ("no_more_questions", "ready_for_contract", "withdraw"),
    Phase.CONTRACT: ("post_contract", "ack_can_help", "ack_reformulate", "withdraw"),
    Phase.CONSULTATION: ("done", "signal", "withdraw"),
    Phase.ACTION_PLAN: ("post_plan", "endorse", "withdraw"),
    Phase.LEARNINGS: ("share_learning", "withdraw"),
    Phase.FOLLOW_UP: ("post_update", "close_case"),
    Phase.CLOSED: (),
    Phase.WITHDRAWN: (),
}
_PRIMARY = frozenset({"no_more_questions", "ack_can_help", "done", "endorse", "share_learning", "post_update"})


# What a case keeps that its card never shows: who has spoken in the phase (most replies
# change only that) and advice parked for later.
UNSHOWN_FIELDS = ("acted", "parked")
_shown = operator.attrgetter(*(field.name for field in dataclasses.fields(Case) if field.name not in UNSHOWN_FIELDS))


def shows_the_same(before: Case, after: Case) -> bool:
    """True when the two differ at most in `UNSHOWN_FIELDS`: their cards are then equal,
    so the cards need not be built to know that."""
    return bool(_shown(before) == _shown(after))


def build_card(circle: Circle, case: Case) -> Card:
    return Card(
        case_id=case.id,
        title=card_title(circle, case),
        headline=case.expose.question,
        lines=card_lines(circle, case),
        buttons=tuple(
            Button(action, say(circle, f"button.{action}"), case.id, primary=action in _PRIMARY)
            for action in PHASE_BUTTONS[case.phase]
        ),
    )


def card_title(circle: Circle, case: Case) -> str:
    return say(circle, "card.title", number=case.number, title=case.expose.title)


def card_lines(circle: Circle, case: Case) -> tuple[CardLine, ...]:
    """What the card says under its title and headline: client, kind, phase, deadline, progress."""
    lines = [
        CardLine(say(circle, "card.client"), circle.name_of(case.client_id)),
        CardLine(say(circle, "card.kind"), say(circle, f"kind.{case.expose.kind}")),
        CardLine(say(circle, "card.phase"), say(circle, f"phase.{case.phase}")),
    ]
    if case.paused:
        lines.append(CardLine(say(circle, "card.status"), say(circle, "card.paused")))
    elif case.deadline is not None:
        lines.append(CardLine(say(circle, "card.deadline"), local_time(circle, case.deadline)))
    progress = _progress(circle, case)
    if progress:
        lines.append(CardLine(say(circle, "card.progress"), progress))
    return tuple(lines)


def _progress(circle: Circle, case: Case) -> str:
    consultants = tuple(u for u in case.consultants if circle.member(u) is not None)
    total = len(consultants)
    finished = len(case.finished & set(consultants))  # someone who left no longer counts
    match case.phase:
        case Phase.CLARIFICATION:
            return say(circle, "card.progress.questions", done=finished, total=total)
        case Phase.CONTRACT:
            if case.contract is None:
                return say(circle, "card.progress.no_contract")
            return say(circle, "card.progress.acks", done=finished, total=total)
        case Phase.CONSULTATION:
            return say(circle, "card.progress.done", done=finished, total=total)
        case Phase.ACTION_PLAN:
            if case.plan is None:
                return say(circle, "card.progress.no_plan")
            return say(circle, "card.progress.endorsed", done=finished, total=total)
        case Phase.LEARNINGS:
            return say(circle, "card.progress.learned", who=names(circle, case.learned))
        case Phase.FOLLOW_UP:
            if case.plan is None:
                return ""
            settled = sum(1 for item in case.plan.items if item.status.settled)
            return say(circle, "card.progress.settled", done=settled, total=len(case.plan.items))
        case _:
            return ""
