"""What people hear about events applied after a restart.

The inbox applies, on start, what an earlier run acknowledged and did not apply (see
bot.inbox). The adapter's follow-up for such an event (a command's answer, a private note
about a reply) was in the memory of the process that stopped, so the outcome goes to its
sender as a direct message instead, through the adapter of its platform. A form the event
would have opened can no longer be (the platform's trigger has expired): they read that they
should run the command again. If the event had to be set aside, they read that it was not
recorded, rather than believing it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import partial

from bot.flows.catalog import t
from bot.flows.effects import Button, DirectMessage
from bot.incoming import Incoming, Outcome
from bot.ports import Address, Deliverer, DeliveryError, FollowUp, Progress

log = logging.getLogger(__name__)


def tell_sender(deliverers: Mapping[str, Deliverer], language: str) -> Callable[[Incoming], FollowUp | None]:
    """The follow-up of a replayed event: None when no adapter here speaks its platform."""

    def follow_up(incoming: Incoming) -> FollowUp | None:
        deliverer = deliverers.get(incoming.origin.platform)
        return None if deliverer is None else partial(_tell, deliverer, language, incoming)

    return follow_up


async def _tell(deliverer: Deliverer, language: str, incoming: Incoming, outcome: Outcome | None) -> None:
    origin = incoming.origin
    messages: list[tuple[str, tuple[Button, ...]]]
    if outcome is None:
        messages = [(t(language, "inbox.lost_after_restart", channel=origin.channel_id), ())]
    else:
        messages = [
            (t(language, "inbox.answer_after_restart", channel=origin.channel_id, answer=notice.text), notice.buttons)
            for notice in outcome.notices
        ]
        if outcome.form is not None:  # opened with a trigger the platform let expire long ago
            messages.append((t(language, "inbox.form_after_restart", channel=origin.channel_id), ()))
    address = Address(origin.platform, origin.workspace_id, origin.channel_id, origin.thread_ref)
    for text, buttons in messages:
        try:
            await deliverer.deliver(DirectMessage("", origin.user_id, text, buttons), address, Progress())
        except DeliveryError as failure:
            log.warning(
                "could not tell %s about event %s after a restart: %s", origin.user_id, incoming.event_id, failure
            )
