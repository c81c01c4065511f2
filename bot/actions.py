"""Buttons: what each action name on a card or a private message does.

An action either is an engine command at once, or opens a form whose submission is one.
Names are stable (they live in platform custom ids), so a card posted long ago still works.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.flows import commands as c
from bot.flows.circle_engine import ACCEPT_SWAP, accept_swap_command
from bot.flows.errors import DomainError
from bot.flows.model import SignalKind

CommandMaker = Callable[[str, str, str], c.Command]  # (actor, new contribution id, value)

IMMEDIATE: dict[str, CommandMaker] = {
    "no_more_questions": lambda actor, _id, _v: c.NoMoreQuestions(actor),
    "ready_for_contract": lambda actor, _id, _v: c.ReadyForContract(actor),
    "ack_can_help": lambda actor, cid, _v: c.Acknowledge(actor, cid, True),
    "done": lambda actor, _id, _v: c.Done(actor),
    "endorse": lambda actor, cid, _v: c.Endorse(actor, cid),
    "close_case": lambda actor, _id, _v: c.CloseCase(actor),
    "withdraw": lambda actor, _id, _v: c.Withdraw(actor),
    "keep_for_consultation": lambda actor, cid, value: c.KeepForConsultation(actor, value, cid),
}

# Actions that cannot be undone: a press asks first, and the answer's button, pressed with
# CONFIRMED as its value, does it. Typed commands (/codev withdraw) act at once.
CONFIRM_FIRST = frozenset({"withdraw", "close_case"})
CONFIRMED = "confirmed"

# Action → the case form it opens (see bot.forms.case_form).
FORMS: dict[str, str] = {
    "post_contract": "contract",
    "ack_reformulate": "reformulate",
    "post_plan": "plan",
    "share_learning": "learning",
    "post_update": "update",
    "signal": "signal",
}

# Circle-level buttons: (actor, value) → command.
CIRCLE_ACTIONS: dict[str, Callable[[str, str], c.Command]] = {
    "accept_charter": lambda actor, _v: c.AcceptCharter(actor),
    ACCEPT_SWAP: accept_swap_command,
}


def signal_command(actor: str, contribution_id: str, value: str) -> c.Command:
    try:
        kind = SignalKind(value)
    except ValueError:
        raise DomainError("error.unknown_action") from None
    return c.Signal(actor, contribution_id, kind)


def known(action: str) -> bool:
    return action in IMMEDIATE or action in FORMS or action in CIRCLE_ACTIONS
