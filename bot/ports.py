"""Ports between the core and the outside: how effects reach a chat platform.

An adapter implements `Deliverer`; the dispatcher resolves where an effect goes (an
`Address`) from storage and hands both over. Adapters never read storage themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from bot.flows.effects import Effect
from bot.incoming import Incoming, Outcome


@dataclass(frozen=True, slots=True)
class Address:
    """Where an effect lands on its platform."""

    platform: str
    workspace_id: str
    channel_id: str
    thread_ref: str | None = None  # the case card's message id, which roots the thread


class DeliveryError(Exception):
    """Delivery failed. `permanent` means retrying cannot help (channel gone, bot removed)."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Deliverer(Protocol):
    """What an adapter offers the dispatcher: render one effect at one address."""

    platform: str

    async def deliver(self, effect: Effect, address: Address) -> str | None:
        """Send the effect; return the platform's id of the message created, if any."""
        ...


class Handler(Protocol):
    """The core as an adapter calls it (`bot.service.Codev`)."""

    async def handle(self, incoming: Incoming) -> Outcome: ...


# What an adapter does once an accepted event is applied (None: it could not be, and was set aside).
FollowUp = Callable[[Outcome | None], Coroutine[Any, Any, None]]


class Intake(Handler, Protocol):
    """The core behind the inbox (`bot.inbox.Inbox`): `handle` answers now; `accept` journals
    the event so it can be acknowledged at once, and applies it soon, then calls `then`."""

    def accept(self, incoming: Incoming, then: FollowUp | None = None) -> None: ...

    def receiving(self) -> AbstractContextManager[None]:
        """Held while a request is being received, so acknowledgements go before applying."""
        ...


class ChatAdapter(Deliverer, Protocol):
    """A chat platform: delivers effects, and listens for people until cancelled."""

    async def serve(self, core: Intake) -> None:
        """Receive events and hand them to `core`; return only when stopped."""
        ...
